"""Cases for the gaps the mutation run found in the ingest tests (and one in volume): each test's docstring names
the one-line changes it kills, each applied by hand to see the test fail, then reverted.

What the other tests did not reach: a sessions file whose rows are in several time zones (every other file has
one zone, and the dates take a shortcut for it); a header with an empty name in the middle (or a column named twice
before others); rows whose date order is checked row by row next to rows that pass; the limits and the date order
given to ``parse_files`` rather than ``parse_file``; activity of sessions with and without a zone in one export;
the password of a row with too many fields; and every conversion to UTC on a machine whose local zone is not UTC.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from dashboard import volume
from dashboard.ingest import DateOrder, FileReport, Problem, parse_file, parse_files
from dashboard.ingest.assign import KnownSession, Roster, assign_activity
from dashboard.ingest.scans import place_scans
from dashboard.ingest.values import parse_datetime, slash_order
from dashboard.readiness import Checklist, SessionSnapshot, evaluate_checklist
from tests.factories import NEW_GROUPS, csv_bytes, links_csv, records, scans_csv, session, sessions_csv

START, END, SUBMIT = "session_startDate", "session_endDate", "session_submissionDate"
SCAN_START, SCAN_END = "session_paperMode_scanUploadStartDate", "session_paperMode_scanUploadEndDate"
BOOKLET = "session_paperMode_bookletFilename"
DATES = ("start_date", "end_date", "submission_date", "waiting_page_date", "scan_upload_start", "scan_upload_end")


def where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


def instants(values: list[datetime | None]) -> list[str | None]:
    """Moments as ISO text: the offset is part of the text, so "+00:00" says the moment is in UTC (two aware
    datetimes compare equal across zones, their text does not)."""
    return [None if value is None else value.isoformat() for value in values]


@pytest.fixture
def new_york_clock() -> Iterator[None]:
    """The process's local time zone is New York during the test (``TZ`` and ``time.tzset``), then what it was.

    In-process rather than a subprocess: ``make mutation`` puts its mutated copy first on ``sys.path`` of its own
    processes only, so a child process would import the unmutated code and kill nothing."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is Unix only")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        # The zone took effect: else the tests that use this fixture could not fail on a UTC machine.
        assert datetime(2027, 3, 16, 12, tzinfo=UTC).astimezone().utcoffset() == timedelta(hours=-4)
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


# --- 1. a sessions file in several time zones, dates without an offset ------------------------------------------------

ZONES = (("Brussels", "Europe/Brussels"), ("New York", "America/New_York"), ("Kolkata", "Asia/Kolkata"),
         ("Nowhere", ""))
# The same local times on every row: only each row's zone tells them apart (June: Brussels UTC+2, New York UTC-4,
# Kolkata UTC+5:30, no zone UTC).
LOCAL = {START: "2028-06-12T09:00:00", END: "2028-06-12T12:00:00", SUBMIT: "2028-06-12T13:00:00",
         "session_waitingPageDate": "2028-06-12T08:30:00", SCAN_START: "2028-06-13T08:00:00",
         SCAN_END: "2028-06-27T20:00:00"}
IN_UTC = {
    "History Brussels": ("2028-06-12T07:00:00+00:00", "2028-06-12T10:00:00+00:00", "2028-06-12T11:00:00+00:00",
                         "2028-06-12T06:30:00+00:00", "2028-06-13T06:00:00+00:00", "2028-06-27T18:00:00+00:00"),
    "History New York": ("2028-06-12T13:00:00+00:00", "2028-06-12T16:00:00+00:00", "2028-06-12T17:00:00+00:00",
                         "2028-06-12T12:30:00+00:00", "2028-06-13T12:00:00+00:00", "2028-06-28T00:00:00+00:00"),
    "History Kolkata": ("2028-06-12T03:30:00+00:00", "2028-06-12T06:30:00+00:00", "2028-06-12T07:30:00+00:00",
                        "2028-06-12T03:00:00+00:00", "2028-06-13T02:30:00+00:00", "2028-06-27T14:30:00+00:00"),
    "History Nowhere": ("2028-06-12T09:00:00+00:00", "2028-06-12T12:00:00+00:00", "2028-06-12T13:00:00+00:00",
                        "2028-06-12T08:30:00+00:00", "2028-06-13T08:00:00+00:00", "2028-06-27T20:00:00+00:00"),
}


def several_zones() -> bytes:
    return sessions_csv(*(session(f"History {city}", f"Class {city}", session_timezone=zone, **LOCAL)
                          for city, zone in ZONES))


def dates_in_utc(report: FileReport) -> dict[str, tuple[str | None, ...]]:
    return {r["session_name"]: tuple(instants([r[name] for name in DATES])) for r in records(report)}


def test_dates_without_offset_are_read_in_each_rows_own_time_zone() -> None:
    """Kills, in ``_Checker.dates``, ``len(distinct_zones) == 1`` -> ``!= 1`` on the line choosing the keys: the
    file's values would be parsed once each in no zone, i.e. read as UTC (every other sessions file has one zone,
    where that shortcut is right); and ``zone or UTC`` -> ``UTC``."""
    report = parse_file("sessions.csv", several_zones())
    assert report.errors == []
    assert dates_in_utc(report) == IN_UTC
    # One warning per column, at its first row, counting the rows of every zone.
    assert where(report.warnings) == [(2, column) for column in LOCAL]
    assert all(p.message.startswith("4 value(s) of ") for p in report.warnings)


def test_the_order_of_dates_is_checked_in_each_rows_own_time_zone() -> None:
    """Kills the same mutants through the order rules, and ``== 1`` -> ``== 2`` there (this file has two zones, the
    one above four): read as UTC, New York's 08:00 start would be before its 11:00Z end and Kolkata's 09:00 after
    its 04:00Z end. A value no zone can read is an error at its own row (line 3)."""
    rows = [
        session("Order New York", "Class NY", session_timezone="America/New_York",
                session_startDate="2028-06-12T08:00:00", session_endDate="2028-06-12T11:00:00Z"),  # 12:00Z > 11:00Z
        session("Order Kolkata", "Class K", session_timezone="Asia/Kolkata",
                session_startDate="2028-06-12T09:00:00", session_endDate="2028-06-12T04:00:00Z",  # 03:30Z < 04:00Z
                session_submissionDate="2028-06-31T13:00:00"),
        session("Scan New York", "Class NY2", session_timezone="America/New_York",
                session_paperMode_scanUploadStartDate="2028-06-13T08:00:00",  # 12:00Z: the window is empty
                session_paperMode_scanUploadEndDate="2028-06-13T12:00:00Z"),
    ]
    report = parse_file("sessions.csv", sessions_csv(*rows))
    assert [(p.line, p.column, p.value) for p in report.errors] == [
        (2, END, "2028-06-12T11:00:00Z"), (3, SUBMIT, "2028-06-31T13:00:00"), (4, SCAN_END, "2028-06-13T12:00:00Z")]
    assert "is not a real date and time" in report.errors[1].message


# --- 2. a header with an empty name, or a name twice, before other columns ---------------------------------------

@pytest.mark.parametrize("settings", ["requireFullscreen,preventScreenshot", ""], ids=["quoted", "plain"])
def test_columns_after_a_header_cell_without_a_name_are_still_read(settings: str) -> None:
    """Kills ``continue`` -> ``break`` after the "has no name" warning in ``rows.map_header`` (the columns after the
    empty name would be unknown to the file) and after the unnamed column's checks in ``rows.clean_columns`` (their
    values would never be read). Both readers: a quoted value sends the file to the csv module."""
    columns = (*NEW_GROUPS[:5], "", *NEW_GROUPS[5:])  # session_name,,session_timezone
    row = {**session("History 4A", session_securitySettings=settings), "": "room 12"}
    report = parse_file("sessions.csv", csv_bytes(columns, [row]))
    assert report.errors == []
    assert [(p.line, p.column, p.message) for p in report.warnings] == [
        (1, None, "Column 6 has no name; its values are ignored.")]
    (record,) = records(report)
    assert (record["timezone"], record["booklet_filename"], record["total_interactions"]) == (
        "Europe/Brussels", "booklet-history-4a", 6)
    assert instants([record["start_date"], record["scan_upload_end"]]) == [
        "2028-06-12T07:00:00+00:00", "2028-06-27T18:00:00+00:00"]
    assert "extra" not in report.fields and "room 12" not in repr(report.columns)


def test_a_link_file_with_a_nameless_column_between_its_columns_keeps_its_links() -> None:
    """Kills the same ``continue`` -> ``break`` in ``map_header`` for link files: group_name and group_role come
    after the empty name."""
    report = parse_file("links.csv", b"user_username,,group_name,group_role\nana,x,Class 4A,test_taker\n")
    assert (report.errors, where(report.warnings)) == ([], [(1, None)])
    assert records(report) == [{"group_name": "Class 4A", "user_username": "ana", "group_role": "TEST_TAKER"}]


def test_a_column_named_twice_before_others_is_the_only_error() -> None:
    """Kills ``continue`` -> ``break`` after the "appears twice" error in ``map_header``: group_name and the paper
    flag come after the second name, and stopping there would report them missing too."""
    columns = ("session_deliveryId", "session_name", *NEW_GROUPS[1:])
    report = parse_file("sessions.csv", csv_bytes(columns, [session("History 4A")]))
    assert [(p.line, p.column, p.message) for p in report.errors] == [
        (1, "session_name", "The column session_name appears twice (columns 2 and 6); keep one.")]


# --- 3. boundaries ---------------------------------------------------------------------------------------------------

def test_the_order_of_dates_row_by_row_at_the_boundaries() -> None:
    """The row-by-row check in ``_Checker.after`` runs only when some row is missing a date or out of order (else
    one pass in C decides), so every boundary sits next to a failing row. Kills: ``continue`` -> ``break`` on a
    row without dates (line 2 comes first); ``end < start`` -> ``end <= start`` and ``strictly and`` -> ``strictly
    or`` (line 4, a session that ends when it starts, is fine); ``end == start`` -> ``end != start`` (line 6, a
    one-second scan window, is fine; line 3, one that ends when it starts, is not)."""
    rows = [
        session("Online 4A", "Class 4A", session_paperMode_isEnabled="0", session_endDate="",
                session_paperMode_scanUploadStartDate="", session_paperMode_scanUploadEndDate=""),
        session("Empty window", "Class 4B", session_paperMode_scanUploadStartDate="2028-06-13T06:00:00Z",
                session_paperMode_scanUploadEndDate="2028-06-13T06:00:00Z"),
        session("Instant", "Class 4C", session_startDate="2028-06-12T07:00:00Z",
                session_endDate="2028-06-12T09:00:00+02:00"),  # 07:00Z both
        session("Backwards", "Class 4D", session_startDate="2028-06-12T07:00:00Z",
                session_endDate="2028-06-12T06:59:59Z"),
        session("One second", "Class 4E", session_paperMode_scanUploadStartDate="2028-06-13T06:00:00Z",
                session_paperMode_scanUploadEndDate="2028-06-13T06:00:01Z"),
    ]
    report = parse_file("sessions.csv", sessions_csv(*rows))
    assert [(p.line, p.column, p.value, p.message) for p in report.errors] == [
        (3, SCAN_END, "2028-06-13T06:00:00Z",
         "The scan upload window must end after it starts (2028-06-13T06:00:00Z)."),
        (5, END, "2028-06-12T06:59:59Z", "The session cannot end before it starts (2028-06-12T07:00:00Z)."),
    ]
    assert [r["session_name"] for r in records(report)] == ["Online 4A", "Instant", "One second"]


@pytest.mark.parametrize(
    "values,order",
    [
        (["12/12/2027 08:00"], None),  # 12 in second place fits a month: either order reads it, day first
        (["12/13/2027 08:00"], "mdy"),  # 13 is no month; 12 in first place still is one
        (["13/12/2027 08:00"], None),
        (["01/13/2027 08:00", "12/01/2027 08:00"], "mdy"),
        (["13/13/2027 08:00"], None),  # no order reads it: day first (and an error there)
        (["13/01/2027 08:00", "01/13/2027 08:00"], None),
    ],
)
def test_the_date_order_guess_at_days_12_and_13(values: list[str], order: str | None) -> None:
    """Kills, in ``slash_order``, ``seconds > 12`` -> ``>= 12`` or ``> 13``, ``firsts <= 12`` -> ``< 12`` or
    ``<= 13``, and ``max(firsts, ...)`` -> ``min``: the existing cases have 16 and 1 to 4, far from the edge."""
    assert slash_order(values) == order


def test_a_day_at_the_scanners_capacity_is_not_over_it() -> None:
    """``days_over``: "the days above ``capacity`` sheets"; ``daily_series``'s ``over_capacity`` agrees. Kills
    ``> capacity`` -> ``>= capacity`` in each: a day at exactly the capacity is not over it."""
    series = pd.DataFrame({"date": ["2027-03-20", "2027-03-21", "2027-03-22"], "expected_sheets": [16, 17, 18]})
    assert volume.days_over(series, 17).to_dict("records") == [
        {"date": "2027-03-22", "expected_sheets": 18, "over_by": 1}]
    checklist = _one_day_checklist(sheets=17)
    assert list(volume.daily_series([checklist], capacity=17)["over_capacity"]) == [False]
    assert list(volume.daily_series([checklist], capacity=16)["over_capacity"]) == [True]


def _one_day_checklist(sheets: int) -> Checklist:
    """A session whose scan window is one UTC day, expecting ``sheets`` sheets."""
    day = datetime(2027, 3, 20, 8, tzinfo=UTC)
    snapshot = SessionSnapshot(
        session_name="History 4A", group_name="Class 4A", delivery_id="d", timezone=None,
        start_date=day - timedelta(days=2), end_date=day - timedelta(days=2), submission_date=None,
        scan_upload_start=day, scan_upload_end=day + timedelta(hours=8), sheets_per_interaction=1,
        total_interactions=sheets, test_takers=1, scan_uploaders=1, started=1, with_activity=1)
    checklist = evaluate_checklist(snapshot, day)
    assert checklist.expected_sheets == sheets
    return checklist


# --- 4. the limits and the date order through parse_files ---------------------------------------------------------

def test_parse_files_applies_the_field_length_limit_to_every_file_and_a_value_at_it_passes() -> None:
    """Kills ``max_field_length=max_field_length`` dropped (or None) in ``parse_files``'s call, and ``len(value) >
    max_field_length`` -> ``>=`` in ``clean_columns``: 60 characters pass, 61 do not, in both files."""
    sessions = sessions_csv(session("History 4A", session_paperMode_bookletFilename="b" * 60),
                            session("History 4B", session_paperMode_bookletFilename="b" * 61))
    links = links_csv(("u" * 60, "Class 4A", "TEST_TAKER"), ("u" * 61, "Class 4A", "TEST_TAKER"))
    reports = parse_files([("sessions.csv", sessions), ("links.csv", links)], max_field_length=60)
    assert [where(r.errors) for r in reports] == [[(3, BOOKLET)], [(3, "user_username")]]
    assert all("61 characters long; the limit is 60." in r.errors[0].message for r in reports)


def test_parse_files_applies_the_row_limit_to_every_file() -> None:
    """Kills ``max_rows=max_rows`` dropped in ``parse_files``'s call: two rows are at the limit, three over it."""
    two = links_csv(*((user, "Class 4A", "TEST_TAKER") for user in ("ana", "bo")))
    three = links_csv(*((user, "Class 4A", "TEST_TAKER") for user in ("ana", "bo", "cy")))
    reports = parse_files([("two.csv", two), ("three.csv", three)], max_rows=2)
    assert reports[0].valid and len(records(reports[0])) == 2
    assert [(p.line, p.column, p.message) for p in reports[1].errors] == [
        (None, None, "The file has more than 2 rows; split it into smaller files.")]


def test_parse_files_reads_every_file_in_the_date_order_it_is_given() -> None:
    """Kills ``date_order=date_order`` dropped in ``parse_files``'s call (and in ``parse_file``'s calls of the
    activity and scan rules): 04/03/2027 read month first is 3 April, day first (the guess) 4 March."""
    export = b"Login,Start Delivery Execution,End Delivery Execution\nana,04/03/2027 09:05:00,04/03/2027 10:35:00\n"
    scans = scans_csv({"session_name": "History 4A", "pages": "12", "received_at": "04/03/2027 11:00"})
    orders: tuple[tuple[DateOrder | None, int, int], ...] = (("mdy", 4, 3), (None, 3, 4))
    for order, month, day in orders:
        activity, log = parse_files([("results.csv", export), ("scans.csv", scans)], date_order=order)
        assert (activity.errors, activity.warnings, log.errors) == ([], [], [])
        assert (activity.columns["started_at"], activity.columns["finished_at"], log.columns["received_at"]) == (
            [datetime(2027, month, day, 9, 5)], [datetime(2027, month, day, 10, 35)],
            [datetime(2027, month, day, 11, 0)])


# --- 5. activity of sessions with and without a time zone ------------------------------------------------------------

EXPORT_HEADER = "Login,Start Delivery Execution,End Delivery Execution"
EXPORT_ROWS = [  # local times, no offset: each is read in the zone of its login's session
    "utc,16/03/2027 09:05:00,16/03/2027 10:35:00",
    "ny,16/03/2027 09:05:00,16/03/2027 10:35:00",
    "tokyo,16/03/2027 09:05:00,16/03/2027 10:35:00",
    "utc2,16/03/2027 11:00:00,",
    "ny2,16/03/2027 11:00:00,",
]
MIXED = Roster({"Paper UTC": KnownSession("Paper UTC", "Class U", "d-u", timezone=None),
                "Paper NY": KnownSession("Paper NY", "Class NY", "d-ny", timezone="America/New_York"),
                "Paper Tokyo": KnownSession("Paper Tokyo", "Class T", "d-t", timezone="Asia/Tokyo")},
               {"utc": {"Class U"}, "utc2": {"Class U"}, "ny": {"Class NY"}, "ny2": {"Class NY"},
                "tokyo": {"Class T"}})
# 16 March 2027: New York is on summer time (UTC-4) since the 14th, Tokyo UTC+9.
MIXED_IN_UTC = {
    "utc": ("Paper UTC", "finished", "2027-03-16T09:05:00+00:00", "2027-03-16T10:35:00+00:00"),
    "ny": ("Paper NY", "finished", "2027-03-16T13:05:00+00:00", "2027-03-16T14:35:00+00:00"),
    "tokyo": ("Paper Tokyo", "finished", "2027-03-16T00:05:00+00:00", "2027-03-16T01:35:00+00:00"),
    "utc2": ("Paper UTC", "in_progress", "2027-03-16T11:00:00+00:00", None),
    "ny2": ("Paper NY", "in_progress", "2027-03-16T15:00:00+00:00", None),
}


def mixed_activity(rows: list[str]) -> FileReport:
    report = parse_file("results.csv", "\n".join([EXPORT_HEADER, *rows, ""]).encode())
    assign_activity(report, MIXED)
    return report


def activity_in_utc(report: FileReport) -> dict[str, tuple[str | None, ...]]:
    return {r["user_username"]: (r["session_name"], r["status"], *instants([r["started_at"], r["finished_at"]]))
            for r in records(report)}


@pytest.mark.parametrize("rows", [EXPORT_ROWS, EXPORT_ROWS[::-1]], ids=["zone-less-first", "zoned-first"])
def test_local_activity_times_are_read_in_the_zone_of_their_session_with_or_without_one(rows: list[str]) -> None:
    """Kills, in ``assign._local_to_utc``, ``where or UTC`` -> ``where and UTC`` (zoned sessions read as UTC), the
    zone cache's ``in`` -> ``not in`` (a KeyError) and ``_zone``'s ``if name`` -> ``if not name`` (``ZoneInfo(None)``
    raises): sessions with a zone and without one, each first in turn, must not crash and must give UTC."""
    report = mixed_activity(rows)
    assert report.errors == []
    assert activity_in_utc(report) == MIXED_IN_UTC
    assert [(p.line, p.column) for p in report.warnings] == [(2, "Start Delivery Execution")]
    assert report.warnings[0].message.startswith("8 times have no time zone (first here)")


# --- 6. the password of a row with too many fields -------------------------------------------------------------------

NEW_USERS = ("user_username,user_name,user_password,user_email,user_language,user_active,group_role,group_name,"
             "user_organizationId")
SHIFTED = "\n".join([
    NEW_USERS,
    "ana,Ana,Pw-ana-1,ana@example.org,en,true,TEST_TAKER,Class 4A,org-1",
    # A comma in the name shifts the row by one: the password (over 40 characters) lands in user_email.
    "bo,Berg, Bo,Pw-bo-" + "2" * 40 + ",bo@example.org,en,true,TEST_TAKER,Class 4A,org-1",
    # A password full of commas, one fragment with a control character, over the last column and past it.
    "cy,Cy,Pw-cy-3,Pw-cy-4,Pw-cy-5,Pw-cy-6\x07,Pw-cy-7,Pw-cy-8,Pw-cy-9,Pw-cy-10",
    "dee,Dee,Pw-dee-5,dee@example.org",  # too few fields: padded, not shifted
    "",
]).encode()


@pytest.mark.parametrize("limit", [10_000, 40])
def test_a_shifted_row_has_every_field_from_the_password_on_blanked(limit: int) -> None:
    """A row with more fields than the header may hold its password in any later field (``_without_passwords``).
    Kills: ``columns[position][i] = ""`` dropped (the fragments would be checked: line 3's is over a limit of 40,
    line 4's holds a control character, and their errors would quote them); ``len(fields) > width`` -> ``!=`` or
    ``<`` (line 5, a short row, is not shifted: its empty group and role are errors; line 4's fragments would be
    quoted); the ragged row's slice ``len(ragged[i]) - secrets[0]`` -> ``+`` (the row would grow: "has 14
    fields"); and ``i not in shifted`` -> ``in`` for names and roles."""
    report = parse_file("links.csv", SHIFTED, max_field_length=limit)
    assert [(p.line, p.column, p.value, p.message) for p in report.errors[:3]] == [
        (3, None, "", "The row has 10 fields but the header has 9 columns: check for an unquoted comma."),
        (4, None, "", "The row has 10 fields but the header has 9 columns: check for an unquoted comma."),
        (5, "group_name", "", "group_name is empty; every link names a user and a group."),
    ]
    assert [(p.line, p.column, p.value) for p in report.errors[3:]] == [(5, "group_role", "")]
    assert report.errors[3].message.startswith("'' is not a TAO group role")
    assert where(report.warnings) == [(5, None)]
    assert records(report) == [{"group_name": "Class 4A", "user_username": "ana", "group_role": "TEST_TAKER"}]
    assert b"Pw-" in SHIFTED and "Pw-" not in repr(report) + json.dumps(report.to_dict())


# --- 7. a machine whose local time zone is not UTC -------------------------------------------------------------------

def test_dates_in_several_zones_are_utc_on_a_machine_in_new_york(new_york_clock: None) -> None:
    """Kills ``moment.astimezone(UTC)`` -> ``astimezone(None)`` in ``values.parse_datetime`` on every path: on a UTC
    machine only ``tzinfo is UTC`` in test_ingest_values sees it (the offset is zero); here every date comes out
    at New York's offset, the same moment but not in UTC."""
    assert parse_datetime("2027-03-16T12:00:00+01:00")[0].isoformat() == "2027-03-16T11:00:00+00:00"
    report = parse_file("sessions.csv", several_zones())
    assert report.errors == []
    assert dates_in_utc(report) == IN_UTC


def test_activity_times_are_utc_on_a_machine_in_new_york(new_york_clock: None) -> None:
    """Kills ``.astimezone(UTC)`` -> ``.astimezone(None)`` in ``assign._local_to_utc`` (an aware New York time,
    equal as a moment but not in UTC: the CLI's JSON would print -04:00), and the slip ``tzinfo=where or UTC`` ->
    ``tzinfo=where`` there (a zone-less session's times read on the machine's clock); both pass on a UTC machine."""
    report = mixed_activity(EXPORT_ROWS)
    assert report.errors == []
    assert activity_in_utc(report) == MIXED_IN_UTC
    assert all(moment is None or moment.utcoffset() == timedelta(0)
               for name in ("started_at", "finished_at") for moment in report.columns[name])


@pytest.mark.parametrize("clock", ["this-machine", "new-york"])
def test_local_scan_times_are_utc_and_key_their_batch_the_same_on_any_machine(clock: str,
                                                                             request: pytest.FixtureRequest) -> None:
    """The scan log's twin of the activity conversion (``scans.place_scans``). Kills ``.astimezone(UTC)`` ->
    ``.astimezone(None)`` there under New York's clock: a batch without batch_id is found again by the key its
    moment in UTC gives (``alternates``), so the same log imported on two machines would make two batches. And
    ``ZoneInfo(zone) if zone`` -> ``if not zone`` (``ZoneInfo(None)`` raises) on either clock. A local time keys
    its batch as it reads."""
    if clock == "new-york":
        request.getfixturevalue("new_york_clock")
    log = scans_csv({"session_name": "Paper UTC", "pages": "12", "received_at": "16/03/2027 11:00"},
                    {"session_name": "Paper NY", "pages": "8", "received_at": "16/03/2027 11:00"},
                    {"session_name": "Paper NY", "pages": "3", "received_at": "2027-03-16T11:00:00Z"})
    report = parse_file("scans.csv", log)
    place_scans(report, MIXED.sessions, {})
    assert report.errors == []
    assert list(zip(report.columns["session_name"], instants(report.columns["received_at"]),
                    report.columns["batch_key"], strict=True)) == [
        ("Paper UTC", "2027-03-16T11:00:00+00:00", "row:12|2027-03-16T11:00:00"),
        ("Paper NY", "2027-03-16T15:00:00+00:00", "row:8|2027-03-16T11:00:00"),
        ("Paper NY", "2027-03-16T11:00:00+00:00", "row:3|2027-03-16T11:00:00+00:00"),
    ]
    assert report.alternates == {2: "row:12|2027-03-16T11:00:00+00:00", 3: "row:8|2027-03-16T15:00:00+00:00",
                                 4: "row:3|2027-03-16T07:00:00"}  # 11:00Z is 07:00 in New York (EDT)
