"""How moments, spans and counts read to a manager: "16 Mar 2027 07:00 Europe/Paris", "in 3 days", "1 hour".

Pure, standard library only; every function takes its moments (nothing here reads the clock).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Fixed English month names: strftime's %b follows the process locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# (unit, seconds in it, count at which the next unit takes over); beyond hours, days.
_UNITS = (("minute", 60, 60), ("hour", 3_600, 24))


def _zone(name: str | None) -> tuple[tzinfo, str]:
    """The zone to show a moment in, and its label; UTC for None or a name this system does not know."""
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass  # the ingest refuses unknown names; a stale one still shows a correct time, labelled UTC
    return UTC, "UTC"


@lru_cache(maxsize=65_536)  # a programme's sessions share few moments and zones: a big board formats each once
def format_moment(moment: datetime, zone: str | None) -> str:
    """``moment`` in the session's zone: "16 Mar 2027 07:00 Europe/Paris" (UTC when ``zone`` is None)."""
    if moment.utcoffset() is None:
        raise ValueError("format_moment needs an aware datetime")  # astimezone would guess the server's zone
    where, label = _zone(zone)
    local = moment.astimezone(where)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M} {label}"


def count(number: int, one: str, many: str) -> str:
    """A number and its noun: "1 test-taker", "1,200 test-takers"."""
    return f"{number:,} {one if number == 1 else many}"


@lru_cache(maxsize=65_536)
def span(delta: timedelta) -> str:
    """A duration in the largest unit that rounds to at least one: "2 days" for 1 day 12 hours, "1 hour", "59 minutes".

    Rounded half up, and promoted when rounding reaches the next unit (59 min 30 s reads "1 hour", not "60 minutes").
    """
    seconds = int(abs(delta).total_seconds())
    if seconds < 30:
        return "less than a minute"
    for unit, size, limit in _UNITS:
        amount = (seconds + size // 2) // size
        if amount < limit:
            return count(amount, unit, f"{unit}s")
    return count((seconds + 43_200) // 86_400, "day", "days")


@lru_cache(maxsize=65_536)
def format_relative(moment: datetime, as_of: datetime) -> str:
    """``moment`` seen from ``as_of``: "in 3 days", "2 hours ago", "in under a minute", "just now"."""
    delta = moment - as_of
    if delta > timedelta(0):
        return "in under a minute" if delta < timedelta(minutes=1) else f"in {span(delta)}"
    return "just now" if -delta < timedelta(minutes=1) else f"{span(delta)} ago"
