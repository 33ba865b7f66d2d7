"""Parsers for single CSV values: TAO's date-times, booleans, whole numbers, time zones.

Each returns a value or raises ``ValueError`` with a sentence a manager understands. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

# ISO 8601 as TAO writes it: unpadded parts allowed (2024-1-31T12:00:00Z), seconds and fractions optional,
# then Z, an offset, or nothing (read in the session's time zone).
_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[T ](?P<h>\d{1,2}):(?P<mi>\d{1,2})"
    r"(?::(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<tz>Z|z|[+-]\d{2}(?::?\d{2})?)?", re.ASCII  # digits 0-9 only: \d also matches "٣" and "１"
)
_WHOLE = re.compile(r"\+?\d+(?:\.0*)?", re.ASCII)
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
    _check_year(moment)
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


# The years a date of a file may be in: any programme's, and far enough from datetime's ends that a date read in any
# zone, or a few years after it, stays one Python can write (a scan window "9999-12-31" in Tokyo broke every page).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _check_year(moment: datetime) -> None:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"is outside the range of years a date can be in ({FIRST_YEAR} to {LAST_YEAR})")


def parse_datetime(text: str, zone: tzinfo = UTC) -> tuple[datetime, bool]:
    """An aware UTC datetime; a value without offset is read in ``zone``. Also says whether it had one."""
    moment, had_offset = parse_datetime_parts(text)
    if not had_offset:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(UTC), had_offset
    except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 is before the first UTC moment Python knows
        raise ValueError("is out of the range of dates") from exc


def clock_change(local: datetime) -> bool:
    """Whether ``local``, a time as written made aware in its zone (``replace(tzinfo=zone)``), is one a clock change
    there skips or repeats, so that it names no moment or two: so read, it is the moment before the change."""
    return local.utcoffset() != local.replace(fold=1).utcoffset()


def clock_change_warning(times: int) -> str:
    """The one warning of a column whose ``times`` local times fall where the clock changes (``clock_change``)."""
    return (f"{times:,} time(s) without an offset fall in the hour a clock change skips or repeats in their "
            "session's time zone (first here): one it skips is read as if the clock had not changed yet, one it "
            "repeats as its first occurrence. Give such a time its offset (+01:00, +02:00) to say which moment.")


def parse_bool(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("must be 1 (on) or 0 (off)")


# The largest count a file may give (sheets per interaction, interactions, a batch's pages): a million is already no
# exam's; beyond it a value is a typo, and the store's integers and the products of counts would not hold it.
MAX_COUNT = 1_000_000


def parse_whole(text: str, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"must be a whole number of at least {minimum}")
    digits = text.partition(".")[0].lstrip("+")  # not float(...): 400 digits and ".0" is infinity
    if len(digits.lstrip("0")) > len(str(maximum)) or int(digits) > maximum:  # int() refuses 4,301 digits
        raise ValueError(f"must be at most {maximum:,}")
    if int(digits) < minimum:
        raise ValueError(f"must be at least {minimum}")
    return int(digits)


@cache
def _zone_names() -> frozenset[str]:
    """IANA's zone names this system has, without the files a system's zone database keeps beside them (its own
    zone, ``localtime``; ``posixrules``; ``Factory``; the ``posix/`` and ``right/`` copies)."""
    files = {"localtime", "posixrules", "Factory"}
    return frozenset(name for name in available_timezones()
                     if name not in files and not name.startswith(("posix/", "right/")))


def parse_zone(text: str) -> ZoneInfo:
    """An IANA time zone (``Europe/Paris``); anything else raises."""
    if text not in _zone_names():
        raise ValueError("is not an IANA time zone name such as Europe/Paris")
    return ZoneInfo(text)


DateOrder = Literal["dmy", "mdy"]
"""How a slashed date reads: ``16/03/2027`` day first (TAO's default), ``03/16/2027`` month first (its US setting)."""
# TAO's results table writes d/m/Y H:i:s (or m/d/Y), seconds optional here; the order is the file's (``slash_order``).
_SLASHED = re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})[ T](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?",
                      re.ASCII)
# Unix time: 9 to 11 digits are seconds (1973 to 5138), 12 to 14 milliseconds; a fraction may follow.
_UNIX = re.compile(r"(?P<digits>\d{9,14})(?P<fraction>\.\d+)?", re.ASCII)
# TAO's microtime, as it keeps times internally: the fraction of a second, a space, then Unix seconds.
_MICROTIME = re.compile(r"0?(?P<fraction>\.\d+) (?P<seconds>\d{9,11})", re.ASCII)
MOMENT_FORMATS = ("ISO 8601 (2027-03-16T09:05:00+01:00), 16/03/2027 09:05:00, Unix seconds or milliseconds, "
                  "or TAO's microtime (0.45403300 1805184300)")


def slash_parts(text: str) -> tuple[int, int] | None:
    """The two numbers before the year of a slashed date (``16/03/2027 09:05`` -> (16, 3)), None for other text."""
    match = _SLASHED.fullmatch(text)
    return None if match is None else (int(match["a"]), int(match["b"]))


def slash_order(values: Iterable[str]) -> DateOrder | None:
    """"mdy" when the slashed dates among ``values`` can only be month first (a second number above 12 and no
    first one above 12), else None (read day first, TAO's default)."""
    firsts, seconds = 0, 0
    for parts in filter(None, map(slash_parts, values)):
        firsts, seconds = max(firsts, parts[0]), max(seconds, parts[1])
    return "mdy" if seconds > 12 and firsts <= 12 else None


@cache
def parse_moment(text: str, order: DateOrder = "dmy") -> tuple[datetime, bool]:
    """A moment of an activity export, as TAO writes them: ISO 8601, ``d/m/Y H:i:s`` (``m/d/Y`` with ``order``),
    Unix seconds or milliseconds, or microtime. Returns an aware UTC datetime and True when the text fixes the
    moment (an offset, or Unix time), else the naive local time and False (the caller knows the session's zone)."""
    if match := _UNIX.fullmatch(text):
        digits = match["digits"]
        scale = 1 if len(digits) <= 11 else 1_000
        return _from_unix(int(digits), scale, match["fraction"] or ""), True
    if match := _MICROTIME.fullmatch(text):
        return _from_unix(int(match["seconds"]), 1, match["fraction"]), True
    if match := _SLASHED.fullmatch(text):
        day, month = (int(match["a"]), int(match["b"])) if order == "dmy" else (int(match["b"]), int(match["a"]))
        try:
            moment = datetime(int(match["y"]), month, day, int(match["h"]), int(match["mi"]), int(match["s"] or 0))
        except ValueError as exc:
            first = "day" if order == "dmy" else "month"
            raise ValueError(f"is not a real date and time read {first} first ({exc})") from exc
        _check_year(moment)
        return moment, False
    try:
        moment, had_offset = parse_datetime_parts(text)
    except ValueError:
        raise ValueError(f"is not a date and time TAO writes: {MOMENT_FORMATS}") from None
    return (moment.astimezone(UTC) if had_offset else moment), had_offset


def _from_unix(whole: int, scale: int, fraction: str) -> datetime:
    """``whole`` / ``scale`` seconds (plus ``fraction``, ".45403300") after 1970 as an aware UTC datetime, exactly."""
    micros = whole * (1_000_000 // scale) + int((fraction[1:] + "000000")[:6] or 0) // scale
    try:
        moment = _UNIX_EPOCH + timedelta(microseconds=micros)
    except OverflowError as exc:
        raise ValueError("is out of the range of dates") from exc
    _check_year(moment)
    return moment


_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
