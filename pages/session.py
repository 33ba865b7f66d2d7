"""One session: its whole checklist with reasons and each item's rule, enrolments by role, activity by status, its
dates."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from dashboard import services, ui
from dashboard.services import SessionDetail
from dashboard.wording import ITEM_RULES, ITEM_TITLES


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
    checklist, session = detail.checklist, detail.checklist.session
    st.title(ui.plain(session.session_name), anchor=False)
    st.markdown(f"{ui.STATUS_ICON[checklist.status]} · group {ui.plain(session.group_name)} · "
                f"delivery {ui.plain(session.delivery_id)}")
    st.caption(ui.plain(ui.dates_line(session)))
    columns = st.columns(4)
    columns[0].metric("Test-takers enrolled", f"{session.test_takers:,}")
    columns[1].metric("Started", f"{session.started:,}")
    columns[2].metric("Expected sheets", f"{checklist.expected_sheets:,}")
    started = checklist.started_sheets
    columns[3].metric("Sheets from those who started", "no activity yet" if started is None else f"{started:,}")
    st.subheader("Checklist")
    for item in checklist.items:
        st.markdown(f"{ui.STATE_ICON[item.state]} **{ITEM_TITLES[item.item]}**: {ui.plain(item.detail)}",
                    help=ITEM_RULES[item.item])
    ui.activity_freshness(detail.activity_imported_at)
    for warning in checklist.warnings:
        st.warning(ui.plain(warning), icon=":material/warning:")
    left, right = st.columns(2)
    left.subheader("Enrolment by role")
    left.dataframe(ui.counts_frame(detail.roles, "role", "users"), hide_index=True)
    right.subheader("Activity by status")
    right.dataframe(ui.counts_frame(detail.statuses, "status", "test-takers"), hide_index=True)
    ui.session_receipt(detail.receipt, detail.batches, session.timezone)
