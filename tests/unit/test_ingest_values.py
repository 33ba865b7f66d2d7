"""The single-value parsers: TAO's date-times, booleans, whole numbers, time zones, Unix seconds."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.ingest.values import (
    parse_bool,
    parse_datetime,
    parse_moment,
    parse_whole,
    parse_zone,
    slash_order,
)

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
        # The whole sentence: Python's own refusal of a 24-hour offset also says "offset".
        ("2027-03-16T08:00:00+24:00", "^has an offset that does not exist$"),
        ("2027-03-16T08:00:00+01:60", "^has an offset that does not exist$"),
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
    [("1", 1), ("2", 2), ("400", 400), ("+3", 3), ("4.0", 4), ("4.", 4), ("007", 7), ("1000000", 1_000_000),
     ("0" * 400 + "12", 12)],
)
def test_whole_numbers(text: str, expected: int) -> None:
    assert parse_whole(text) == expected


@pytest.mark.parametrize("text", ["1000001", "1" * 400 + ".0", "9" * 5_000])
def test_a_whole_number_above_a_million_is_refused(text: str) -> None:
    """400 digits once made int(float(...)) an OverflowError; int() itself refuses more than 4,300 digits."""
    with pytest.raises(ValueError, match="must be at most 1,000,000"):
        parse_whole(text)


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


PARIS_WINTER = datetime(2027, 3, 16, 8, 5, tzinfo=UTC)  # 09:05 in Paris


@pytest.mark.parametrize(
    "text,order,expected",
    [
        # Unix time: seconds (TAO's Portal and Data Explorer), milliseconds, fractions; always UTC.
        ("1805184300", "dmy", PARIS_WINTER),
        ("1805184300.5", "dmy", datetime(2027, 3, 16, 8, 5, 0, 500_000, tzinfo=UTC)),
        ("1805184300000", "dmy", PARIS_WINTER),
        ("1805184300123", "dmy", datetime(2027, 3, 16, 8, 5, 0, 123_000, tzinfo=UTC)),
        ("999999999", "dmy", datetime(2001, 9, 9, 1, 46, 39, tzinfo=UTC)),  # 9 digits: seconds
        # TAO's microtime: the fraction of a second, then Unix seconds.
        ("0.45403300 1805184300", "dmy", datetime(2027, 3, 16, 8, 5, 0, 454_033, tzinfo=UTC)),
        (".5 1805184300", "dmy", datetime(2027, 3, 16, 8, 5, 0, 500_000, tzinfo=UTC)),
        # ISO 8601 with an offset: fixed; without one: local (naive), read later in the session's zone.
        ("2027-03-16T09:05:00+01:00", "dmy", PARIS_WINTER),
        ("2027-03-16T08:05:00Z", "mdy", PARIS_WINTER),
        ("2027-03-16T09:05:00", "dmy", datetime(2027, 3, 16, 9, 5)),
        ("2027-03-16 09:05:00", "dmy", datetime(2027, 3, 16, 9, 5)),
        # TAO's results table: d/m/Y H:i:s by default, m/d/Y with its American setting; no offset.
        ("16/03/2027 09:05:00", "dmy", datetime(2027, 3, 16, 9, 5)),
        ("16/03/2027 09:05", "dmy", datetime(2027, 3, 16, 9, 5)),
        ("6/3/2027 9:05:07", "dmy", datetime(2027, 3, 6, 9, 5, 7)),
        ("03/16/2027 09:05:00", "mdy", datetime(2027, 3, 16, 9, 5)),
        ("04/03/2027 09:05:00", "dmy", datetime(2027, 3, 4, 9, 5)),
        ("04/03/2027 09:05:00", "mdy", datetime(2027, 4, 3, 9, 5)),
    ],
)
def test_the_moments_tao_writes(text: str, order: str, expected: datetime) -> None:
    moment, fixed = parse_moment(text, order)  # type: ignore[arg-type]
    assert (moment, fixed) == (expected, expected.tzinfo is not None)


@pytest.mark.parametrize(
    "text,order,words",
    [
        ("18051843", "dmy", "is not a date and time TAO writes"),  # 8 digits: neither seconds nor milliseconds
        ("-1805184300", "dmy", "is not a date and time TAO writes"),
        ("1805184300s", "dmy", "is not a date and time TAO writes"),
        ("16/03/2027", "dmy", "is not a date and time TAO writes"),  # a day without its time
        ("16.03.2027 09:05", "dmy", "is not a date and time TAO writes"),
        ("0.45403300", "dmy", "is not a date and time TAO writes"),
        ("16/03/2027 09:05:00", "mdy", "^is not a real date and time read month first"),
        ("31/02/2027 09:05:00", "dmy", "^is not a real date and time read day first"),
    ],
)
def test_what_is_not_a_moment_tao_writes(text: str, order: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_moment(text, order)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "values,order",
    [
        (["16/03/2027 09:05:00", "01/04/2027 10:00:00"], None),  # a day above 12 first: TAO's default order
        (["03/16/2027 09:05:00", "04/01/2027 10:00:00"], "mdy"),  # only month first can read 16 in second place
        (["04/03/2027 09:05:00"], None),  # either order: day first, TAO's default
        (["16/03/2027 09:05:00", "03/16/2027 09:05:00"], None),  # both ways: day first, the other row an error
        (["2027-03-16T09:05:00Z", "1805184300", ""], None),
    ],
)
def test_the_date_order_of_a_file(values: list[str], order: str | None) -> None:
    assert slash_order(values) == order
