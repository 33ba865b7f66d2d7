"""Expected scan volume: each session's expected sheets spread over the UTC calendar days of its scan window.

Owns: the whole-sheet split of a session's total over its days (``spread``, and its vectorised twin used on a
whole board), the long per-day frame the volume chart stacks, the per-day series that ``scanready volume`` prints,
and the days above a scanner's capacity.

The split: a window [start, end) covers the UTC days from start's day to the day of the last instant before end
(a window ending at midnight does not touch the next day). Day ``i`` of ``n`` gets
``floor((i + 1) * total / n) - floor(i * total / n)`` sheets: every day gets ``total // n`` or one more, the extra
sheets are spaced evenly rather than piled at the start, and the days add up to ``total`` exactly (the sum
telescopes). Sessions without both window dates, or without expected sheets, contribute nothing; ``unscheduled``
counts them.

Must not import: streamlit, the database, ``dashboard.services``. Pure functions of checklists (pandas, numpy).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from dashboard.readiness import Checklist

StackBy = Literal["status", "group", "delivery"]
STATUSES = ("blocked", "pending", "ready")
SERIES_COLUMNS = ["date", "expected_sheets", *STATUSES, "sessions", "cumulative"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000  # microseconds in a UTC day (no leap seconds in POSIX time)


def _microseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def window_days(start: datetime, end: datetime) -> tuple[date, int]:
    """The first UTC day the window [start, end) covers, and how many days it covers (at least one)."""
    first = _microseconds(start) // _DAY_US
    last = (_microseconds(end) - 1) // _DAY_US
    return (_EPOCH + timedelta(days=first)).date(), max(last - first + 1, 1)


def spread(total: int, days: int) -> list[int]:
    """``total`` whole sheets over ``days`` days, evenly, adding up to ``total`` exactly."""
    if days < 1:
        raise ValueError("spread needs at least one day")
    return [(i + 1) * total // days - i * total // days for i in range(days)]


def _spread_many(totals: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``spread`` for many sessions at once: (session index, day offset, sheets), one entry per session-day."""
    owner = np.repeat(np.arange(len(totals)), days)
    starts = np.repeat(np.cumsum(days) - days, days)
    offset = np.arange(len(owner)) - starts
    total, count = totals[owner], days[owner]
    return owner, offset, (offset + 1) * total // count - offset * total // count


def _scheduled(checklists: Sequence[Checklist]) -> list[tuple[Checklist, datetime, datetime]]:
    """The checklists with sheets to spread, each with its window's start and end."""
    return [(c, c.session.scan_upload_start, c.session.scan_upload_end) for c in checklists
            if c.session.scan_upload_start is not None and c.session.scan_upload_end is not None
            and c.expected_sheets > 0]


def unscheduled(checklists: Sequence[Checklist]) -> tuple[int, int]:
    """(sessions, sheets) expected but on no day: their scan window lacks a date."""
    missing = [c for c in checklists if c.expected_sheets > 0 and (c.session.scan_upload_start is None
                                                                    or c.session.scan_upload_end is None)]
    return len(missing), sum(c.expected_sheets for c in missing)


def session_days(checklists: Sequence[Checklist]) -> pd.DataFrame:
    """One row per (session, UTC day of its window): session, group, delivery, status, date, expected_sheets."""
    columns = ["session", "group", "delivery", "status", "date", "expected_sheets"]
    kept = _scheduled(checklists)
    if not kept:
        return pd.DataFrame({name: pd.Series([], dtype="int64" if name == "expected_sheets" else object)
                             for name in columns})
    spans = [window_days(start, end) for _, start, end in kept]
    owner, offset, sheets = _spread_many(np.array([c.expected_sheets for c, _, _ in kept], dtype=np.int64),
                                         np.array([count for _, count in spans], dtype=np.int64))
    first = np.array([day for day, _ in spans], dtype="datetime64[D]")
    days = np.datetime_as_string(first[owner] + offset.astype("timedelta64[D]"), unit="D")
    labels = np.array([(c.session.session_name, c.session.group_name, c.session.delivery_id, c.status)
                       for c, _, _ in kept], dtype=object)[owner]
    return pd.DataFrame({"session": labels[:, 0], "group": labels[:, 1], "delivery": labels[:, 2],
                         "status": labels[:, 3], "date": days.astype(object), "expected_sheets": sheets})


def volume_by_day(checklists: Sequence[Checklist], *, by: StackBy = "status") -> pd.DataFrame:
    """Sheets per UTC day and ``by`` (status, group or delivery): date, ``by``, sessions, expected_sheets."""
    days = session_days(checklists)
    grouped = days.groupby(["date", by], sort=True).agg(sessions=("session", "size"),
                                                        expected_sheets=("expected_sheets", "sum"))
    return grouped.reset_index().astype({"sessions": "int64", "expected_sheets": "int64"})


def daily_series(checklists: Sequence[Checklist], *, capacity: int | None = None) -> pd.DataFrame:
    """Every UTC day from the first window's start to the last one's end, with the sheets expected that day,
    split by status, the sessions whose window covers it, the running total and (with a capacity)
    ``over_capacity``. Days inside the range with nothing expected are listed with zeros."""
    days = session_days(checklists)
    if days.empty:
        series = pd.DataFrame({name: pd.Series([], dtype=object if name == "date" else "int64")
                               for name in SERIES_COLUMNS})
    else:
        by_status = days.pivot_table(index="date", columns="status", values="expected_sheets", aggfunc="sum",
                                     fill_value=0).reindex(columns=list(STATUSES), fill_value=0)
        every_day = pd.date_range(min(days["date"]), max(days["date"]), freq="D").strftime("%Y-%m-%d")
        series = by_status.reindex(every_day, fill_value=0)
        series["sessions"] = days.groupby("date").size().reindex(every_day, fill_value=0)
        series["expected_sheets"] = series[list(STATUSES)].sum(axis=1)
        series["cumulative"] = series["expected_sheets"].cumsum()
        series = series.rename_axis("date").reset_index()[SERIES_COLUMNS]
        series = series.astype({name: "int64" for name in SERIES_COLUMNS if name != "date"})
        series.columns.name = None
    if capacity is not None:
        series["over_capacity"] = series["expected_sheets"] > capacity
    return series


def days_over(series: pd.DataFrame, capacity: int | None) -> pd.DataFrame:
    """The days of ``series`` above ``capacity`` sheets, with by how much (empty without a capacity)."""
    columns = ["date", "expected_sheets", "over_by"]
    if capacity is None:
        return pd.DataFrame(columns=columns)
    over = series.loc[series["expected_sheets"] > capacity, ["date", "expected_sheets"]].copy()
    over["over_by"] = over["expected_sheets"] - capacity
    return over.reset_index(drop=True)[columns]


def series_records(series: pd.DataFrame) -> list[dict[str, object]]:
    """The series as JSON-ready rows (``scanready volume --json``): plain ints and bools, dates as text."""
    rows: list[dict[str, object]] = []
    for record in series.to_dict("records"):
        rows.append({str(key): value.item() if isinstance(value, np.generic) else value
                     for key, value in record.items()})
    return rows
