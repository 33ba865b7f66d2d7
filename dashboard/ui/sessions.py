"""A session's checklist as the session page and the overview's glance draw it: its status, dates and counts, each
item with its reason and rule, the warnings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from dashboard.readiness import Checklist
from dashboard.services import Board
from dashboard.ui.filters import SESSIONS_LISTED, as_of_params
from dashboard.ui.tables import STATE_ICON, STATUS_ICON, dates_line, plain
from dashboard.ui.widgets import activity_freshness
from dashboard.wording import ITEM_RULES, ITEM_TITLES


def checklist_card(checklist: Checklist, activity_imported_at: datetime | None) -> None:
    """The status line, the dates, four counts, the "Checklist" with each item's reason (its rule in the help), when
    activity was last imported, and the session's warnings."""
    session = checklist.session
    st.markdown(f"{STATUS_ICON[checklist.status]} · group {plain(session.group_name)} · "
                f"delivery {plain(session.delivery_id)}")
    st.caption(plain(dates_line(session)))
    columns = st.columns(4)
    columns[0].metric("Test-takers enrolled", f"{session.test_takers:,}")
    columns[1].metric("Started", f"{session.started:,}")
    columns[2].metric("Expected sheets", f"{checklist.expected_sheets:,}")
    started = checklist.started_sheets
    columns[3].metric("Sheets from those who started", "no activity yet" if started is None else f"{started:,}")
    st.subheader("Checklist")
    for item in checklist.items:
        st.markdown(f"{STATE_ICON[item.state]} **{ITEM_TITLES[item.item]}**: {plain(item.detail)}",
                    help=ITEM_RULES[item.item])
    activity_freshness(activity_imported_at)
    for warning in checklist.warnings:
        st.warning(plain(warning), icon=":material/warning:")


@st.fragment
def session_glance(shown: Board, session_page: Any) -> None:
    """"Open a session" under the overview's table: a choice of its first ``SESSIONS_LISTED`` sessions (blocked
    first), the one chosen drawn with ``checklist_card`` from the board already on the page, and a link to its page
    (enrolment by role, activity, scans). A fragment: choosing a session reruns only this, and nothing is read from
    the store."""
    listed = shown.checklists[:SESSIONS_LISTED]
    position = {checklist.session.session_name: i for i, checklist in enumerate(listed)}
    name = st.selectbox("Open a session", list(position), index=None, key="glance",
                        placeholder="Type or choose a session's name to see its checklist here")
    if len(shown.checklists) > len(listed):
        st.caption(f"The first {len(listed):,} of these {len(shown.checklists):,} sessions are listed: search above "
                   "to list others.")
    if name not in position:  # none chosen yet, or one the filters have taken out of the list
        return
    checklist = listed[position[name]]
    checklist_card(checklist, shown.activity_imported_at)
    st.page_link(session_page, label="Enrolment by role, activity and scans of this session",
                 icon=":material/open_in_new:", query_params={"session": name, **as_of_params()})
