"""A session's expected sheets spread over the UTC calendar days of its scan window, window by window in plain
Python: the rule ``volume`` vectorises over a whole board, and the forecast per day the receipt compares with
(``scanready receipt`` computes it without loading numpy or pandas, whose import alone cost more).

The split: a window [start, end) covers the UTC days from start's day to the day of the last instant before end
(a window ending at midnight does not touch the next day). Day ``i`` of ``n`` gets
``floor((i + 1) * total / n) - floor(i * total / n)`` sheets: every day gets ``total // n`` or one more, the extra
sheets are spaced evenly rather than piled at the start, and the days add up to ``total`` exactly (the sum
telescopes).

Must not import: anything but the standard library.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

Span = tuple[datetime, datetime, int]
"""A session's scan window (start, end) and the sheets to spread over its days."""

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000  # microseconds in a UTC day (no leap seconds in POSIX time)


def _microseconds(moment: datetime) -> int:
    return (moment - UNIX_EPOCH) // timedelta(microseconds=1)


def window_days(start: datetime, end: datetime) -> tuple[date, int]:
    """The first UTC day the window [start, end) covers, and how many days it covers (at least one)."""
    first = _microseconds(start) // _DAY_US
    last = (_microseconds(end) - 1) // _DAY_US
    return (UNIX_EPOCH + timedelta(days=first)).date(), max(last - first + 1, 1)


def split(total: int, days: int) -> list[int]:
    """``total`` sheets over ``days`` days (at least one), as the module says."""
    if days < 1:
        raise ValueError("a split needs at least one day")
    return [(i + 1) * total // days - i * total // days for i in range(days)]


def forecast_per_day(spans: Iterable[Span]) -> dict[date, int]:
    """The sheets expected per UTC day over the days of ``spans``' windows, in date order: only days some window
    with sheets covers (0 on such a day is kept). Sessions share few windows and totals: each alike span is split
    once and counted as many times as it occurs, and each window's days are listed once."""
    per_day: dict[date, int] = {}
    days_of: dict[tuple[datetime, datetime], list[date]] = {}
    for (start, end, total), sessions in Counter(span for span in spans if span[2] > 0).items():
        days = days_of.get(window := (start, end))
        if days is None:
            first, count = window_days(start, end)
            days = days_of[window] = [first + timedelta(days=offset) for offset in range(count)]
        for day, sheets in zip(days, split(total, len(days)), strict=True):
            per_day[day] = per_day.get(day, 0) + sheets * sessions
    return dict(sorted(per_day.items()))
