"""One session: its whole checklist with reasons and each item's rule, enrolments by role, activity by status, its
dates."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from dashboard import services, ui
from dashboard.services import SessionDetail


def render() -> None:
    with ui.database() as db:
        names = services.paper_session_names(db=db)
    if not names:
        st.title("Session")
        st.info("No paper session is stored yet: import your TAO session files first.", icon=":material/info:")
        return
    if "session_name" not in st.session_state:  # first run of this page: the URL says which session
        wanted = st.query_params.get("session")
        st.session_state["session_name"] = names[0] if wanted is None else wanted if wanted in names else None
    if st.session_state["session_name"] is None:
        st.title("Session")
        st.error(f"No paper session named “{ui.plain(st.query_params.get('session', ''))}” is stored. Search for it "
                 "by name below.", icon=":material/search_off:")
    name = ui.session_choice(names)
    if name is None:
        return
    st.query_params["session"] = name
    found: dict[datetime, SessionDetail | None] = {}

    def detail_at(as_of: datetime) -> SessionDetail | None:
        if as_of not in found:
            with ui.database() as db:
                found[as_of] = services.session_detail(db=db, name=name, as_of=as_of)
        return found[as_of]

    as_of = ui.as_of_input(lambda at: [d.checklist.session.timezone] if (d := detail_at(at)) else [])
    if (detail := detail_at(as_of)) is None:
        st.error("This session is no longer stored.")
        return
    _show(detail)


def _show(detail: SessionDetail) -> None:
    checklist = detail.checklist
    st.title(ui.plain(checklist.session.session_name), anchor=False)
    ui.checklist_card(checklist, detail.activity_imported_at)
    left, right = st.columns(2)
    left.subheader("Enrolment by role")
    left.dataframe(ui.counts_frame(detail.roles, "role", "users"), hide_index=True)
    right.subheader("Activity by status")
    right.dataframe(ui.counts_frame(detail.statuses, "status", "test-takers"), hide_index=True)
    if detail.unenrolled:
        right.caption(f"Not counted: {detail.unenrolled:,} activity row(s) of users who are not test-takers of group "
                      f"{ui.plain(checklist.session.group_name)} (no longer in it, or never).")
    ui.session_receipt(detail.receipt, detail.batches, checklist.session.timezone)
