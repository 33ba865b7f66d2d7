"""The naive page: a Streamlit page written the obvious way over scanready's readiness rows.

    SCANREADY_DATABASE_URL=sqlite:///store.db streamlit run bench/naive_page.py

``bench/browser.py`` serves it beside the real dashboard and gives both the same clicks, so the dashboard's
times read as ratios to this page. It reads the store through scanready's own services (``readiness_board``,
``Checklist.to_dict`` flattened) and builds a pandas DataFrame; every widget reruns the whole script. Its one cache
is the one a typical author adds: ``st.cache_data`` on the rows loaded per "as of" (without it each click would
re-read every enrolment link, and nobody ships that). Filtering, counts, the chart and the CSV to download are
recomputed at every rerun. ``?as_of=`` and ``?session=`` seed the widgets, so the benchmark can open it at the
moment and on the session it opens the dashboard at.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard import services
from dashboard.db import make_engine

STATUSES = ["blocked", "pending", "ready"]


@st.cache_resource
def engine() -> Engine:
    return make_engine(os.environ["SCANREADY_DATABASE_URL"])


@st.cache_data
def load_rows(as_of: datetime) -> pd.DataFrame:
    """One row per paper session at ``as_of``, with the day its scan window opens (for the chart)."""
    with Session(engine()) as db:
        board = services.readiness_board(db=db, as_of=as_of)
    frame = pd.DataFrame([flat(checklist.to_dict()) for checklist in board.checklists])
    frame["opens"] = pd.to_datetime(pd.Series([c.session.scan_upload_start for c in board.checklists]), utc=True)
    return frame


def flat(entry: dict[str, Any]) -> dict[str, Any]:
    """A checklist's JSON entry as one flat row: each item's state and sentence in columns of their own."""
    items = entry.pop("items")
    entry["warnings"] = "; ".join(entry["warnings"])
    for item in items:
        entry[item["item"]], entry[f"{item['item']}_detail"] = item["state"], item["detail"]
    return entry


def volume_chart(rows: pd.DataFrame, capacity: int) -> alt.LayerChart:
    """Expected sheets per day the scan window opens, stacked by status, with the scanner's capacity."""
    daily = (rows.assign(day=rows["opens"].dt.floor("D"))
             .groupby(["day", "status"], as_index=False)["expected_sheets"].sum())
    layers = [alt.Chart(daily).mark_bar().encode(x="day:T", y="expected_sheets:Q", color="status:N")]
    if capacity:
        layers.append(alt.Chart(pd.DataFrame({"capacity": [capacity]})).mark_rule().encode(y="capacity:Q"))
    return alt.LayerChart(layer=layers)


st.set_page_config(page_title="Readiness (naive)", layout="wide")
st.title("Readiness (naive page)")
start = services.parse_as_of(st.query_params["as_of"]) if "as_of" in st.query_params else datetime.now(UTC)
day = st.date_input("As of (date, UTC)", value=start.date())
rows = load_rows(datetime.combine(day, start.astimezone(UTC).time(), tzinfo=UTC))
statuses = st.multiselect("Status", STATUSES)
shown = rows[rows["status"].isin(statuses)] if statuses else rows
counts = shown["status"].value_counts()
columns = st.columns(4)
for column, status in zip(columns, ["ready", "pending", "blocked"], strict=False):
    column.metric(status.title(), f"{counts.get(status, 0):,}")
columns[3].metric("Expected sheets", f"{shown['expected_sheets'].sum():,}")
st.dataframe(shown, hide_index=True)
capacity = int(st.number_input("Scanner capacity (sheets per day; 0 = none)", min_value=0, step=50))
st.altair_chart(volume_chart(shown, capacity))
names = shown["session_name"].tolist()
wanted = st.query_params.get("session")
name = st.selectbox("Session", names, index=names.index(wanted) if wanted in names else 0)
st.subheader(str(name))
st.table(shown[shown["session_name"] == name].astype(str).T)
st.download_button("Download the readiness review (CSV)", shown.to_csv(index=False), file_name="readiness.csv",
                   mime="text/csv")
