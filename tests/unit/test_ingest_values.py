"""The single-value parsers: TAO's date-times, booleans, whole numbers, time zones, Unix seconds."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.ingest.values import parse_bool, parse_datetime, parse_unix_or_datetime, parse_whole, parse_zone

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    "text,zone,expected,had_offset",
    [
        ("2027-03-16T08:00:00Z", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T08:00:00z", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T08:00:00.000Z", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T08:00:00.123Z", UTC, "2027-03-16T08:00:00.123000+00:00", True),
        ("2027-03-16T08:00:00.123456789Z", UTC, "2027-03-16T08:00:00.123456+00:00", True),
        ("2027-03-16T09:00:00+01:00", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T09:00:00+0100", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T09:00:00+01", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T03:30:00-04:30", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T09:00:00+01:00", PARIS, "2027-03-16T08:00:00+00:00", True),  # an offset beats the zone
        ("2024-1-31T12:00:00Z", UTC, "2024-01-31T12:00:00+00:00", True),  # TAO's own unpadded sample
        ("2027-3-6T8:5:7Z", UTC, "2027-03-06T08:05:07+00:00", True),
        ("2027-03-16 08:00:00Z", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T08:00Z", UTC, "2027-03-16T08:00:00+00:00", True),
        ("2027-03-16T08:00:00", UTC, "2027-03-16T08:00:00+00:00", False),
        ("2027-03-16T08:00:00", PARIS, "2027-03-16T07:00:00+00:00", False),  # winter time, UTC+1
        ("2027-07-16T08:00:00", PARIS, "2027-07-16T06:00:00+00:00", False),  # summer time, UTC+2
    ],
)
def test_date_times(text: str, zone: ZoneInfo, expected: str, had_offset: bool) -> None:
    moment, offset = parse_datetime(text, zone)
    assert (moment.isoformat(), offset) == (expected, had_offset)
    assert moment.tzinfo is UTC


@pytest.mark.parametrize(
    "text,words",
    [
        ("16/03/2027 08:00", "ISO 8601"),
        ("2027-03-16", "ISO 8601"),
        ("tomorrow", "ISO 8601"),
        ("", "ISO 8601"),
        ("2027-03-16T08:00:00 Europe/Paris", "ISO 8601"),
        ("27-03-16T08:00:00Z", "ISO 8601"),
        ("2027-02-30T08:00:00Z", "real date"),
        ("2027-03-16T24:00:00Z", "real date"),
        ("2027-03-16T08:00:00+24:00", "offset"),
        ("2027-03-16T08:00:00+01:60", "offset"),
        ("0001-01-01T00:00:00+01:00", "range"),  # before the first UTC moment: was an OverflowError
        ("9999-12-31T23:59:59-01:00", "range"),
    ],
)
def test_what_is_not_a_date_time(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_datetime(text)


def test_a_naive_date_time_at_the_edge_of_the_calendar_is_an_error_not_a_crash() -> None:
    with pytest.raises(ValueError, match="range"):
        parse_datetime("0001-01-01T00:00:00", PARIS)


@pytest.mark.parametrize(
    "text,expected",
    [("1", True), ("0", False), ("true", True), ("false", False), ("TRUE", True), ("FALSE", False),
     ("True", True), ("fAlSe", False)],
)
def test_booleans(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text", ["", "yes", "no", "2", "-1", "on", "1.0", "t", "oui"])
def test_what_is_not_a_boolean(text: str) -> None:
    with pytest.raises(ValueError, match="1 \\(on\\) or 0 \\(off\\)"):
        parse_bool(text)


@pytest.mark.parametrize(
    "text,expected",
    [("1", 1), ("2", 2), ("400", 400), ("+3", 3), ("4.0", 4), ("4.", 4), ("007", 7),
     ("1" * 400 + ".0", int("1" * 400))],  # int(float(...)) of the last was an OverflowError
)
def test_whole_numbers(text: str, expected: int) -> None:
    assert parse_whole(text) == expected


@pytest.mark.parametrize(
    "text,words",
    [("0", "at least 1"), ("0.0", "at least 1"), ("-1", "whole number"), ("1.5", "whole number"),
     ("", "whole number"), ("one", "whole number"), ("1e3", "whole number"), ("1 000", "whole number")],
)
def test_what_is_not_a_whole_number_of_at_least_one(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_whole(text)


@pytest.mark.parametrize("text", ["Europe/Paris", "Europe/Warsaw", "America/Argentina/Buenos_Aires", "UTC"])
def test_iana_zones(text: str) -> None:
    assert parse_zone(text) == ZoneInfo(text)


@pytest.mark.parametrize("text", ["Paris", "europe/paris", "Europe/Atlantis", "+01:00", "UTC+1", "", "Europe/"])
def test_what_is_not_an_iana_zone(text: str) -> None:
    with pytest.raises(ValueError, match="IANA"):
        parse_zone(text)


@pytest.mark.parametrize(
    "text,expected,had_offset",
    [
        ("1805184300", datetime(2027, 3, 16, 8, 5, tzinfo=UTC), True),
        ("1805184300.5", datetime(2027, 3, 16, 8, 5, 0, 500_000, tzinfo=UTC), True),
        ("2027-03-16T09:05:00+01:00", datetime(2027, 3, 16, 8, 5, tzinfo=UTC), True),
        ("2027-03-16T08:05:00", datetime(2027, 3, 16, 8, 5, tzinfo=UTC), False),
    ],
)
def test_unix_seconds_or_date_times(text: str, expected: datetime, had_offset: bool) -> None:
    assert parse_unix_or_datetime(text) == (expected, had_offset)


@pytest.mark.parametrize("text", ["18051843", "-1805184300", "1805184300s", "16/03/2027"])
def test_what_is_neither_unix_seconds_nor_a_date_time(text: str) -> None:
    with pytest.raises(ValueError):
        parse_unix_or_datetime(text)
