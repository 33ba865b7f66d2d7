"""The charts page's sections: the scan upload windows (grouping, pages, the chart with its pick, the table beside
it) and the scan volume (stacking, the scanner's capacity kept in the URL, the chart with the pages received, the
days above capacity, the CSV). The charts are cached in ``ui.data``: the timeline with the rows it draws (a rerun
that changes neither, a click in a table or another section's widget, builds no chart again), the volume's shape
once per stacking and scheme, its data sent by name (a new capacity redraws it in place)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, volume
from dashboard.config import MAX_CAPACITY
from dashboard.export import safe_csv
from dashboard.ingest.values import parse_whole
from dashboard.receipt import received_by_date
from dashboard.services import Board, Filters
from dashboard.ui.data import (
    received_days,
    review,
    review_ahead,
    timeline_chart,
    timeline_rows,
    volume_frames,
    volume_spec,
)
from dashboard.ui.filters import query_default

ROWS_LABEL: dict[charts.RowsBy, str] = {"session": "session", "group": "group and status",
                                        "delivery": "delivery and status"}
STACKS: list[volume.StackBy] = ["status", "group", "delivery"]


def _theme() -> charts.Theme:
    return "dark" if st.context.theme.type == "dark" else "light"


def timeline_section(shown: Board, filters: Filters) -> None:
    """The scan upload windows: one row per session, group or delivery, a page of them, and their table."""
    st.subheader("Scan upload windows")
    by = st.radio("One row per", list(ROWS_LABEL), format_func=ROWS_LABEL.__getitem__, horizontal=True,
                  index=list(ROWS_LABEL).index(charts.rows_by(shown.checklists)), key="rows_by") or "session"
    frame = timeline_rows(shown.as_of, filters, by)
    pages = charts.page_count(frame)
    if st.session_state.get("timeline_page", 1) > pages:  # fewer rows since the last run (a filter changed)
        st.session_state["timeline_page"] = pages
    page = int(st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key="timeline_page",
                               help=f"{charts.ROWS_PER_CHART} rows per page.") if pages > 1 else 1)
    left, right = st.columns([3, 2])
    chart = timeline_chart(shown.as_of, filters, by, page, _theme())
    event = left.altair_chart(chart, on_select="rerun", selection_mode="pick", key="timeline")
    table = charts.picked_rows(charts.page_of(frame, page), event.get("selection") if event is not None else None)
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


def capacity_input() -> int | None:
    """The scanner's capacity in sheets a day (None: not given), kept in the URL as ``?capacity=``."""
    # the URL may carry it, as the filters do (digits 0 to 9 only: int() also reads "٣")
    query_default("capacity", lambda v: parse_whole(v[0], minimum=0, maximum=MAX_CAPACITY), 0)
    capacity = int(st.number_input("Scanner capacity (sheets per day; 0 = none)", min_value=0,
                                   max_value=MAX_CAPACITY, step=50, key="capacity") or 0) or None
    if capacity:
        st.query_params["capacity"] = str(capacity)
    else:
        st.query_params.pop("capacity", None)
    return capacity


def volume_section(shown: Board, filters: Filters) -> int | None:
    """The scan volume per day with the pages received; returns the scanner's capacity given (None: none)."""
    st.subheader("Expected scan volume")
    left, right = st.columns([1, 3])
    stack = left.radio("Stack by", STACKS, horizontal=True, key="stack_by") or "status"
    with right:
        capacity = capacity_input()
    series, _ = volume_frames(shown.as_of, filters, stack, capacity)
    if series.empty:
        st.info("No sheets are expected on any day: no session has both a scan upload window and expected sheets.")
        return capacity
    st.vega_lite_chart(volume_spec(shown.as_of, filters, stack, capacity, _theme()), key="volume")
    _days_over(series, capacity)
    sessions, sheets = volume.unscheduled(shown.checklists)
    if sessions:
        st.caption(f"{sheets:,} expected sheets of {sessions:,} session(s) without a complete scan window are on "
                   "no day.")
    received = received_days(shown.as_of, filters)  # the filtered sessions' pages, whatever the capacity
    per_day = volume.with_received(series, None if received is None else received_by_date(received))  # as the CLI
    st.download_button("Download the volume per day as CSV", safe_csv(per_day),
                       file_name="scanready-volume.csv", mime="text/csv", icon=":material/download:",
                       on_click="ignore")
    return capacity


@st.fragment
def volume_and_review(shown: Board, filters: Filters, scope: str | None) -> None:
    """The scan volume and the readiness review to download, as one fragment: a new capacity reruns only these
    (the timeline above is neither rebuilt nor sent again). ``scope`` says what the review covers when filtered.
    The review's costly parts are drawn in a thread from here on (``ui.review_ahead``); once they are, its file is
    put together here and the click downloads it at once; until then (the page's first run), it is built at the
    click."""
    capacity = volume_section(shown, filters)
    st.download_button("Download the readiness review (HTML)",
                       review(shown.as_of, filters, capacity, scope) if review_ahead(shown.as_of, filters) else
                       lambda: review(shown.as_of, filters, capacity, scope),
                       file_name="readiness-review.html", mime="text/html", icon=":material/summarize:",
                       on_click="ignore")


def _days_over(series: pd.DataFrame, capacity: int | None) -> None:
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

