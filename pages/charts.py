"""Charts: the scan upload windows on a timeline and the expected scan volume per day, with the overview's
as-of and filters; the volume series and the readiness review to download."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, ui, volume
from dashboard.export import safe_csv
from dashboard.services import Board, Filters

ROWS_LABEL: dict[charts.RowsBy, str] = {"session": "session", "group": "group and status",
                                        "delivery": "delivery and status"}
STACKS: list[volume.StackBy] = ["status", "group", "delivery"]


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
    _timeline(shown, filters)
    capacity = _volume(shown, filters)
    scope = None if len(shown.checklists) == len(full.checklists) else (
        f"{len(shown.checklists):,} of {len(full.checklists):,} paper sessions, as filtered on the dashboard.")
    st.download_button("Download the readiness review (HTML)", lambda: ui.review(as_of, filters, capacity, scope),
                       file_name="readiness-review.html", mime="text/html", icon=":material/summarize:",
                       on_click="ignore")


def _timeline(shown: Board, filters: Filters) -> None:
    st.subheader("Scan upload windows")
    by = st.radio("One row per", list(ROWS_LABEL), format_func=ROWS_LABEL.__getitem__, horizontal=True,
                  index=list(ROWS_LABEL).index(charts.rows_by(shown.checklists)), key="rows_by") or "session"
    frame = ui.timeline_rows(shown.as_of, filters, by)
    pages = charts.page_count(frame)
    if st.session_state.get("timeline_page", 1) > pages:  # fewer rows since the last run (a filter changed)
        st.session_state["timeline_page"] = pages
    page = st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key="timeline_page",
                           help=f"{charts.ROWS_PER_CHART} rows per page.") if pages > 1 else 1
    rows = charts.page_of(frame, int(page))
    left, right = st.columns([3, 2])
    event = left.altair_chart(charts.timeline_chart(
        rows, as_of=shown.as_of, by=by, theme=st.context.theme.type or "light"), on_select="rerun",
                              selection_mode="pick", key="timeline")
    table = charts.picked_rows(rows, event.get("selection") if event is not None else None)
    right.caption("Click a bar to list only its row (shift-click for more, double-click to clear); "
                  "scroll or drag on the chart to zoom and pan in time.")
    columns = ["label", "status", "expected_sheets", *(["sessions"] if by != "session" else []), "opens", "closes",
               "reasons"]
    right.dataframe(table[columns].rename(columns={"label": by}), hide_index=True, column_config={
        by: st.column_config.TextColumn(width="medium"),  # whole names, and the sheets beside them still in view
        "expected_sheets": st.column_config.NumberColumn(
            "sheets", format="localized",
            help="Expected sheets: enrolled test-takers × interactions × sheets per interaction."),
        "opens": st.column_config.TextColumn("window opens"),
        "closes": st.column_config.TextColumn("window closes")})
    missing = int((frame["start"].isna() | frame["end"].isna()).sum())
    if missing:
        st.caption(f"{missing:,} row(s) have no complete scan upload window and are only in the table.")


def _volume(shown: Board, filters: Filters) -> int | None:
    st.subheader("Expected scan volume")
    left, right = st.columns([1, 3])
    stack = left.radio("Stack by", STACKS, horizontal=True, key="stack_by") or "status"
    if "capacity" not in st.session_state:  # first run: the URL may carry it, as the overview's filters do
        raw = st.query_params.get("capacity", "")
        st.session_state["capacity"] = int(raw) if raw.isdigit() else 0
    capacity = int(right.number_input("Scanner capacity (sheets per day; 0 = none)", min_value=0, step=50,
                                      key="capacity") or 0) or None
    if capacity:
        st.query_params["capacity"] = str(capacity)
    else:
        st.query_params.pop("capacity", None)
    series, by_day = ui.volume_frames(shown.as_of, filters, stack, capacity)
    if series.empty:
        st.info("No sheets are expected on any day: no session has both a scan upload window and expected sheets.")
        return capacity
    receipts = ui.receipt_board(shown.as_of, capacity)
    st.altair_chart(charts.volume_chart(by_day, series, by=stack, capacity=capacity,
                                        theme=st.context.theme.type or "light",
                                        received=receipts.days if receipts.any_scans else None), key="volume")
    over = volume.days_over(series, capacity)
    if capacity and over.empty:
        st.success(f"No day is above the capacity of {capacity:,} sheets.", icon=":material/check_circle:")
    elif capacity:
        st.warning(f"{len(over):,} day(s) above the capacity of {capacity:,} sheets: "
                   + ", ".join(over["date"]) + ".", icon=":material/warning:")
        st.dataframe(over, hide_index=True, column_config={
            "date": st.column_config.TextColumn("day (UTC)"),
            "expected_sheets": st.column_config.NumberColumn("expected sheets", format="localized"),
            "over_by": st.column_config.NumberColumn("sheets above capacity", format="localized")})
    sessions, sheets = volume.unscheduled(shown.checklists)
    if sessions:
        st.caption(f"{sheets:,} expected sheets of {sessions:,} session(s) without a complete scan window are on "
                   "no day.")
    st.download_button("Download the volume per day as CSV", safe_csv(series),
                       file_name="scanready-volume.csv", mime="text/csv", icon=":material/download:",
                       on_click="ignore")
    return capacity
