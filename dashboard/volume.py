"""Expected scan volume: each session's expected sheets spread over the UTC calendar days of its scan window.

Owns: the whole-sheet split of a session's total over its days (vectorised over a whole board), the per-day frame
the volume chart stacks (at most ``STACK_LIMIT`` groups or deliveries by name),
the per-day series that ``scanready volume`` prints, the forecast per day the receipt compares with, and the days
above a scanner's capacity. The frames are counted over integer day numbers and category codes: text is made only
for the rows they return.

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
from typing import Any, Literal

import numpy as np
import pandas as pd

from dashboard.readiness import Checklist

StackBy = Literal["status", "group", "delivery"]
STATUSES = ("blocked", "pending", "ready")
SERIES_COLUMNS = ["date", "expected_sheets", *STATUSES, "sessions", "cumulative"]
STACK_LIMIT = 12  # groups or deliveries named in the volume chart's stack; the rest stack as one
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000  # microseconds in a UTC day (no leap seconds in POSIX time)


def _microseconds(moment: datetime) -> int:
    return (moment - _UNIX_EPOCH) // timedelta(microseconds=1)


def window_days(start: datetime, end: datetime) -> tuple[date, int]:
    """The first UTC day the window [start, end) covers, and how many days it covers (at least one)."""
    first = _microseconds(start) // _DAY_US
    last = (_microseconds(end) - 1) // _DAY_US
    return (_UNIX_EPOCH + timedelta(days=first)).date(), max(last - first + 1, 1)


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


Span = tuple[datetime, datetime, int]
"""A session's scan window (start, end) and the sheets to spread over its days."""


def _day_arrays(spans: Sequence[Span]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (span, UTC day of its window): the span's index, the day (days since 1970) and the sheets. Numbers only:
    a national programme has millions of session-days, and text per session-day is what made the charts slow."""
    windows: dict[tuple[datetime, datetime], tuple[int, int]] = {}  # sessions share few windows
    for start, end, _ in spans:
        if (start, end) not in windows:
            day, count = window_days(start, end)
            windows[(start, end)] = (day - _UNIX_EPOCH.date()).days, count
    first = np.array([windows[(start, end)][0] for start, end, _ in spans], dtype=np.int64)
    owner, offset, sheets = _spread_many(np.array([total for _, _, total in spans], dtype=np.int64),
                                         np.array([windows[(start, end)][1] for start, end, _ in spans],
                                                  dtype=np.int64))
    return owner, first[owner] + offset, sheets


def _session_day_arrays(checklists: Sequence[Checklist]) -> tuple[list[Checklist], np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """The checklists with sheets on some day, and ``_day_arrays`` of their windows."""
    kept = _scheduled(checklists)
    owner, days, sheets = _day_arrays([(start, end, c.expected_sheets) for c, start, end in kept])
    return [c for c, _, _ in kept], owner, days, sheets


def forecast_per_day(spans: Sequence[Span]) -> pd.DataFrame:
    """The sheets expected per UTC day over the days of ``spans``' windows (date, expected_sheets; only days with
    a window), each span's total split as in ``daily_series``: the forecast the receipt compares with."""
    kept = [span for span in spans if span[2] > 0]
    if not kept:
        return pd.DataFrame({"date": pd.Series([], dtype=object), "expected_sheets": pd.Series([], dtype="int64")})
    _, days, sheets = _day_arrays(kept)
    first = int(days.min())
    totals = np.bincount(days - first, weights=sheets).astype(np.int64)
    present = np.flatnonzero(np.bincount(days - first))
    return pd.DataFrame({"date": _iso_days(present + first), "expected_sheets": totals[present]})


def _iso_days(days: np.ndarray) -> np.ndarray:
    """Days since 1970 as ISO dates (text)."""
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)


def _stack_key(checklist: Checklist, by: StackBy) -> str:
    return checklist.status if by == "status" else (checklist.session.group_name if by == "group"
                                                    else checklist.session.delivery_id)


def volume_by_day(checklists: Sequence[Checklist], *, by: StackBy = "status",
                  limit: int = STACK_LIMIT) -> pd.DataFrame:
    """Sheets per UTC day and ``by`` (status, group or delivery): date, ``by``, sessions, expected_sheets.

    Beyond ``limit`` groups or deliveries, those with the most sheets keep their name and the others are
    stacked together as "N other groups" (a chart cannot tell 100,000 colours apart, nor carry their rows)."""
    kept, owner, days, sheets = _session_day_arrays(checklists)
    codes, uniques = pd.factorize(pd.Series([_stack_key(c, by) for c in kept], dtype=object))
    names = np.asarray(uniques, dtype=object)
    if by != "status" and len(names) > limit:
        totals = np.bincount(codes, weights=[c.expected_sheets for c in kept], minlength=len(names))
        ranked = sorted(range(len(names)), key=lambda i: (-totals[i], names[i]))
        keep = np.full(len(names), limit - 1)  # the code of the "others" entry
        keep[ranked[:limit - 1]] = np.arange(limit - 1)
        plural = "groups" if by == "group" else "deliveries"
        names = np.array([*names[ranked[:limit - 1]], f"{len(names) - limit + 1:,} other {plural}"], dtype=object)
        codes = keep[codes]
    frame = pd.DataFrame({"day": days, "key": np.asarray(codes, dtype=np.int64)[owner], "sheets": sheets})
    grouped = frame.groupby(["day", "key"]).agg(sessions=("sheets", "size"), expected_sheets=("sheets", "sum"))
    grouped = grouped.reset_index()
    result = pd.DataFrame({"date": _iso_days(grouped["day"].to_numpy()), by: names[grouped["key"].to_numpy()],
                           "sessions": grouped["sessions"].to_numpy(dtype=np.int64),
                           "expected_sheets": grouped["expected_sheets"].to_numpy(dtype=np.int64)})
    return result.sort_values(["date", by], kind="stable").reset_index(drop=True)


def daily_series(checklists: Sequence[Checklist], *, capacity: int | None = None) -> pd.DataFrame:
    """Every UTC day from the first window's start to the last one's end, with the sheets expected that day,
    split by status, the sessions whose window covers it, the running total and (with a capacity)
    ``over_capacity``. Days inside the range with nothing expected are listed with zeros."""
    kept, owner, days, sheets = _session_day_arrays(checklists)
    if not kept:
        series = pd.DataFrame({name: pd.Series([], dtype=object if name == "date" else "int64")
                               for name in SERIES_COLUMNS})
    else:
        first, span = int(days.min()), int(days.max() - days.min()) + 1
        at = days - first
        status = np.array([STATUSES.index(c.status) for c in kept], dtype=np.int64)[owner]
        columns: dict[str, Any] = {"date": _iso_days(np.arange(first, first + span))}
        for code, name in enumerate(STATUSES):
            chosen = status == code
            columns[name] = np.bincount(at[chosen], weights=sheets[chosen], minlength=span).astype(np.int64)
        columns["sessions"] = np.bincount(at, minlength=span).astype(np.int64)
        columns["expected_sheets"] = sum(columns[name] for name in STATUSES)
        columns["cumulative"] = np.cumsum(columns["expected_sheets"])
        series = pd.DataFrame(columns)[SERIES_COLUMNS]
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
