"""Expected scan volume: each session's expected sheets spread over the UTC calendar days of its scan window.

Owns: the whole-sheet split of a session's total over its days (vectorised over a whole board), the per-day frame
the volume chart stacks (at most ``STACK_LIMIT`` groups or deliveries by name),
the per-day series that ``scanready volume`` prints (with the pages received, ``with_received``), and the days
above a scanner's capacity. The frames are counted over integer day numbers and category codes: text is made only
for the rows they return.

The split is ``spread``'s (its module says the rule), vectorised here over every session of a board. Sessions
without both window dates, or without expected sheets, contribute nothing; ``unscheduled`` counts them.

Must not import: streamlit, the database, ``dashboard.services``. Pure functions of checklists (pandas, numpy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from dashboard.readiness import Checklist
from dashboard.spread import UNIX_EPOCH, Span, window_days

StackBy = Literal["status", "group", "delivery"]
STATUSES = ("blocked", "pending", "ready")
SERIES_COLUMNS = ["date", "expected_sheets", *STATUSES, "sessions", "cumulative"]
STACK_LIMIT = 12  # groups or deliveries named in the volume chart's stack; the rest stack as one


def _spread_many(totals: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``spread.split`` for many sessions at once: (session index, day offset, sheets), one entry per session-day."""
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


def _day_arrays(spans: Sequence[Span]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (span, UTC day of its window): the span's index, the day (days since 1970) and the sheets. Numbers only:
    a national programme has millions of session-days, and text per session-day is what made the charts slow."""
    windows: dict[tuple[datetime, datetime], tuple[int, int]] = {}  # sessions share few windows
    for start, end, _ in spans:
        if (start, end) not in windows:
            day, count = window_days(start, end)
            windows[(start, end)] = (day - UNIX_EPOCH.date()).days, count
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
    return with_capacity(series, capacity)


def with_capacity(series: pd.DataFrame, capacity: int | None) -> pd.DataFrame:
    """``daily_series`` (made without a capacity) with ``over_capacity`` for ``capacity``, a new frame: the days
    and their sheets do not depend on a scanner's capacity, so a new one is a comparison over the days."""
    return series if capacity is None else series.assign(over_capacity=series["expected_sheets"] > capacity)


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


def with_received(series: pd.DataFrame, received: Mapping[str, int] | None) -> pd.DataFrame:
    """``daily_series`` with a ``received`` column: the pages received on each of its days (``received``: ISO date
    to pages, days not in it 0; None while no scan was ever imported)."""
    pages = received or {}
    return series.assign(received=[pages.get(day, 0) for day in series["date"]])
