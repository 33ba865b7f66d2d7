"""Readiness overview: which paper sessions will receive their scans, which will not yet, and why."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import services, ui


def render(session_page: Any, import_page: Any | None) -> None:
    """``import_page`` is None for viewers: they see the board but are offered no import."""
    st.title("Readiness overview")
    as_of = ui.as_of_input(ui.board_zones)
    full = ui.board(as_of)
    ui.last_import_message()
    if not full.checklists:
        _empty_store(import_page)
        return
    filters = ui.filter_inputs(as_of)
    receipts = ui.receipt_board(as_of)
    text = ui.search_input()
    chosen = ui.receipt_filter() if receipts is not None else []
    shown, positions = ui.by_receipt(*ui.search_board(ui.shown_board(as_of, filters), text), receipts, chosen)
    if (row := ui.ticked_row("board", len(shown.checklists))) is not None:  # before drawing anything heavy
        st.switch_page(session_page, query_params={"session": shown.checklists[row].session.session_name,
                                                   **ui.as_of_params()})
    ui.status_metrics(shown)
    if receipts is not None:
        ui.receipt_metrics(receipts, shown)
    ui.activity_freshness(full.activity_imported_at)
    if not shown.checklists:
        st.caption("No session matches these filters." if not text else f"No session matches “{ui.plain(text)}”.")
        return
    st.caption(f"{len(shown.checklists):,} of {len(full.checklists):,} paper sessions, blocked first. Click a "
               "session's name to open its checklist in a new tab, tick the box at the left of its row to open it "
               "here, or choose it under the table to see its checklist there.")
    frame = ui.overview_table(as_of, filters, shown, positions)
    if len(frame) < len(shown.checklists):
        st.caption(f"The table holds the first {len(frame):,} of them. Narrow it with the filters or the search, or "
                   "download every row below.")
    st.dataframe(frame, hide_index=True, on_select="rerun", selection_mode="single-row", placeholder="missing",
                 column_config=ui.board_column_config(ui.as_of_zone()), key="board")
    st.download_button("Download this table as CSV", lambda: services.readiness_csv(shown),
                       file_name="scanready-readiness.csv", mime="text/csv", icon=":material/download:",
                       on_click="ignore")
    ui.session_glance(shown, session_page)


def _empty_store(import_page: Any | None) -> None:
    if import_page is None:
        st.info("No paper session is stored yet. A programme manager imports the TAO session files.",
                icon=":material/info:")
        return
    st.info("No paper session is stored yet. Import your TAO session files on the Import page, or load the "
            "example programme below, to see which sessions will be ready for scans.", icon=":material/info:")
    st.page_link(import_page, label="Go to Import files", icon=":material/upload_file:")
    ui.welcome(say_empty=False)
