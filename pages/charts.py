"""Charts: the scan upload windows on a timeline and the expected scan volume per day, with the overview's
as-of and filters; the volume series and the readiness review to download."""

from __future__ import annotations

import streamlit as st

from dashboard import ui


def render() -> None:
    st.title("Charts")
    as_of = ui.as_of_input(ui.board_zones)
    full = ui.board(as_of)
    if not full.checklists:
        st.info("No paper session is stored yet: import your TAO session files, or load the example programme "
                "on the Overview page, to see the charts.", icon=":material/info:")
        return
    filters = ui.filter_inputs(as_of)
    shown = ui.shown_board(as_of, filters)
    if not shown.checklists:
        st.caption("No session matches these filters.")
        return
    ui.timeline_section(shown, filters)
    ui.volume_and_review(shown, filters, None if len(shown.checklists) == len(full.checklists) else (
        f"{len(shown.checklists):,} of {len(full.checklists):,} paper sessions, as filtered on the dashboard."))
