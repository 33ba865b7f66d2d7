"""Parsers for single CSV values: TAO's date-times, booleans, whole numbers, time zones.

Each returns a value or raises ``ValueError`` with a sentence a manager understands. Pure.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

# ISO 8601 as TAO writes it: unpadded parts allowed (2024-1-31T12:00:00Z), seconds and fractions optional,
# then Z, an offset, or nothing (read in the session's time zone).
_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[T ](?P<h>\d{1,2}):(?P<mi>\d{1,2})"
    r"(?::(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<tz>Z|z|[+-]\d{2}(?::?\d{2})?)?"
)
_WHOLE = re.compile(r"\+?\d+(?:\.0*)?")
DATETIME_EXAMPLE = "2027-03-16T08:00:00Z"
TRUE_WORDS = frozenset({"1", "true"})
FALSE_WORDS = frozenset({"0", "false"})


@cache
def parse_datetime_parts(text: str) -> tuple[datetime, bool]:
    """``text`` as a datetime and whether it carried its own offset (naive when it did not)."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(f"is not an ISO 8601 date-time such as {DATETIME_EXAMPLE}")
    fraction = (match["f"] or "0")[:6].ljust(6, "0")
    try:
        moment = datetime(
            int(match["y"]), int(match["mo"]), int(match["d"]), int(match["h"]), int(match["mi"]),
            int(match["s"] or 0), int(fraction),
        )
    except ValueError as exc:
        raise ValueError(f"is not a real date and time ({exc})") from exc
    offset = match["tz"]
    if offset is None:
        return moment, False
    if offset in ("Z", "z"):
        return moment.replace(tzinfo=UTC), True
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("has an offset that does not exist")
    sign = 1 if offset[0] == "+" else -1
    return moment.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes))), True


def parse_datetime(text: str, zone: tzinfo = UTC) -> tuple[datetime, bool]:
    """An aware UTC datetime; a value without offset is read in ``zone``. Also says whether it had one."""
    moment, had_offset = parse_datetime_parts(text)
    if not had_offset:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(UTC), had_offset
    except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 is before the first UTC moment Python knows
        raise ValueError("is out of the range of dates") from exc


def parse_bool(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("must be 1 (on) or 0 (off)")


def parse_whole(text: str, minimum: int = 1) -> int:
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"must be a whole number of at least {minimum}")
    number = int(text.partition(".")[0])  # not int(float(...)): 400 digits and ".0" is infinity
    if number < minimum:
        raise ValueError(f"must be at least {minimum}")
    return number


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_zone(text: str) -> ZoneInfo:
    """An IANA time zone (``Europe/Paris``); anything else raises."""
    if text not in _zone_names():
        raise ValueError("is not an IANA time zone name such as Europe/Paris")
    return ZoneInfo(text)


def parse_unix_or_datetime(text: str, zone: tzinfo = UTC) -> tuple[datetime, bool]:
    """Activity exports write Unix seconds or ISO date-times; both are read."""
    if re.fullmatch(r"\d{9,11}(?:\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC), True
    return parse_datetime(text, zone)
