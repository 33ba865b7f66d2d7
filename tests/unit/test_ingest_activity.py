"""Activity files: scanready's own and TAO's exports. Each row is checked on its own (statuses in TAO's words and
URIs, its renderings of dates, a finish before its start), then placed in its session: by name, by the login's
group and the row's delivery, or by the manager's choice for a whole export; local times are read in that
session's zone, and each test-taker's latest row wins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.ingest import FileReport, Problem, parse_file
from dashboard.ingest.activity import normalise_status
from dashboard.ingest.assign import KnownSession, Roster, assign_activity
from tests.conftest import read
from tests.factories import records

HEADER = "session_name,user_username,status,started_at,finished_at"
URI = "http://www.tao.lu/Ontologies/TAODelivery.rdf#DeliveryExecutionStatus"
ROSTER = Roster({"History 4A": KnownSession("History 4A", "Class 4A", "d-history", timezone=None),
                 "History 4B": KnownSession("History 4B", "Class 4B", "d-history", timezone="Europe/Paris"),
                 "S": KnownSession("S", "Class S", "d-s"), "T": KnownSession("T", "Class T", "d-t")},
                {"ana": {"Class 4A", "Class 4B"}, "bo": {"Class 4A"}})


def where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


def activity(*rows: str) -> FileReport:
    return parse_file("activity.csv", "\n".join([HEADER, *rows, ""]).encode())


def settled(report: FileReport, roster: Roster = ROSTER, session: str | None = None) -> FileReport:
    assign_activity(report, roster, session=session)
    return report


def at(hour: int, minute: int, day: int = 16) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


def test_an_export_keeps_the_latest_row_of_each_test_taker() -> None:
    report = settled(parse_file("activity.csv", read("activity.csv")))
    assert report.errors == []
    # History 4B / ana (line 9) has no offset: read in History 4B's zone, Paris (UTC+1 in March).
    assert [(p.line, p.column, p.message) for p in report.warnings] == [
        (9, "started_at", "1 time has no time zone (first here); each was read in its session's time zone "
                          "(session_timezone, UTC when it has none).")]
    assert (report.kind, report.template, report.rows) == ("activity", "activity", 12)
    assert [tuple(r.values()) for r in records(report)] == [
        ("History 4A", "bo", "in_progress", at(8, 5), None),  # its later line 8 has no dates
        ("History 4A", "cy", "finished", at(8, 5), at(9, 30)),  # Unix seconds
        ("History 4A", "dee", "paused", at(7, 5), None),
        ("History 4A", "ed", "terminated", at(8, 5), at(8, 45)),
        ("History 4A", "ana", "finished", at(8, 2), at(9, 30)),  # line 7 beats "Not started" on line 2
        ("History 4B", "ana", "in_progress", at(7, 0, day=17), None),
        ("History 4A", "fay", "finished", at(8, 10), at(9, 0)),  # the older row after it does not win
        ("History 4A", "gus", "paused", None, None),  # no dates: the later line wins
    ]
    assert list(records(report)[0]) == ["session_name", "user_username", "status", "started_at", "finished_at"]
    assert report.lines == [3, 4, 5, 6, 7, 9, 10, 13]


def test_errors_at_their_line_and_column() -> None:
    report = parse_file("activity_bad.csv", read("activity_bad.csv"))
    assert where(report.errors) == [(2, "finished_at"), (3, "status"), (4, "started_at"), (5, "session_name"),
                                    (6, "user_username"), (7, "finished_at")]
    assert [p.value for p in report.errors] == ["2027-03-16T07:59:00Z", "done", "16.03.2027 08:00", "", "",
                                                "1805184299"]
    assert report.lines == [8]  # the one valid row stays, for the checks across the files of an upload


STATUS_WORDS = [
    # scanready's words, in any case or spelling
    ("not_started", "not_started"), ("in_progress", "in_progress"), ("paused", "paused"), ("finished", "finished"),
    ("terminated", "terminated"), ("NOT_STARTED", "not_started"), ("in-progress", "in_progress"),
    ("  Paused ", "paused"),
    # TAO's screens
    ("Not started", "not_started"), ("In progress", "in_progress"), ("Finished", "finished"),
    ("Terminated", "terminated"), ("Active", "in_progress"), ("Completed", "finished"),
    ("Canceled", "not_started"), ("Cancelled", "not_started"), ("Awaiting", "not_started"),
    ("Authorized", "not_started"), ("Authorized but not started", "not_started"), ("Incomplete", "in_progress"),
    ("Not attempted", "not_started"), ("Awaiting scoring", "finished"), ("COMPLETED", "finished"),
    # TAO's status URIs, by their last part
    (f"{URI}Active", "in_progress"), (f"{URI}Paused", "paused"), (f"{URI}Finished", "finished"),
    (f"{URI}Terminated", "terminated"), (f"{URI}Awaiting", "not_started"), (f"{URI}Authorized", "not_started"),
    (f"{URI}Canceled", "not_started"), (f"{URI}AwaitingScoring", "finished"),
]


@pytest.mark.parametrize("label,status", STATUS_WORDS)
def test_statuses(label: str, status: str) -> None:
    assert normalise_status(label) == status
    report = activity(f'History 4A,ana,"{label}",,')
    assert report.errors == []
    assert report.columns["status"] == [status]


@pytest.mark.parametrize("label", ["done", "started", "", "not started yet", "in_progress,finished", "1",
                                   f"{URI}Exploded", "http://www.tao.lu/Ontologies/TAODelivery.rdf#"])
def test_what_is_not_a_status_is_an_error_at_its_line_and_column(label: str) -> None:
    report = activity("History 4A,bo,finished,,", f'History 4A,ana,"{label}",,')
    assert where(report.errors) == [(3, "status")]
    assert report.columns["user_username"] == ["bo"]  # one bad row does not reject the others' checks


@pytest.mark.parametrize(
    "started,finished,errors",
    [
        ("2027-03-16T08:00:00Z", "2027-03-16T09:00:00Z", []),
        ("2027-03-16T08:00:00Z", "2027-03-16T08:00:00Z", []),  # equal is fine
        ("2027-03-16T08:00:00Z", "2027-03-16T07:59:59Z", [(2, "finished_at")]),
        ("2027-03-16T09:00:00+01:00", "2027-03-16T08:00:00Z", []),
        ("2027-03-16T09:00:00+01:00", "2027-03-16T07:59:00Z", [(2, "finished_at")]),
        ("1805184300", "1805184300", []),
        ("1805184300", "1805184299", [(2, "finished_at")]),
        ("1805184300", "2027-03-16T08:04:00Z", [(2, "finished_at")]),
        # Both local, further apart than any clock change turns clocks back: compared as they are.
        ("16/03/2027 08:00", "16/03/2027 05:59", [(2, "finished_at")]),
        # Within that: checked once placed in the session's zone (the finish may be the second of a repeated time).
        ("16/03/2027 08:00", "16/03/2027 07:00", []),
        ("", "2027-03-16T08:04:00Z", []),
        ("16.03.2027 08:00", "", [(2, "started_at")]),
        ("2027-03-16T08:00:00Z", "yesterday", [(2, "finished_at")]),
    ],
)
def test_finished_is_not_before_started(started: str, finished: str, errors: list[tuple[int, str]]) -> None:
    assert where(activity(f"History 4A,ana,finished,{started},{finished}").errors) == errors


def test_a_local_finish_before_a_fixed_start_is_found_once_the_zone_is_known() -> None:
    # 09:10 in Paris is 08:10 UTC: before the start at 08:30 UTC. Only the session's zone tells.
    report = settled(activity("History 4B,ana,finished,2027-03-16T08:30:00Z,2027-03-16T09:10:00"))
    assert where(report.errors) == [(2, "finished_at")]


@pytest.mark.parametrize(
    "rows,winner",
    [
        (["S,ana,in_progress,2027-03-16T08:00:00Z,", "S,ana,finished,2027-03-16T08:00:00Z,2027-03-16T09:00:00Z"],
         "finished"),
        (["S,ana,finished,2027-03-16T08:00:00Z,2027-03-16T09:00:00Z", "S,ana,in_progress,2027-03-16T08:00:00Z,"],
         "finished"),
        (["S,ana,paused,2027-03-16T08:30:00Z,", "S,ana,in_progress,2027-03-16T08:00:00Z,"], "paused"),
        (["S,ana,in_progress,1805184300,", "S,ana,terminated,1805184300,"], "terminated"),  # a tie: later line
        (["S,ana,Not started,,", "S,ana,In progress,,"], "in_progress"),
        (["S,ana,In progress,,", "S,ana,Not started,,"], "not_started"),
    ],
)
def test_the_latest_row_for_a_session_and_user_wins(rows: list[str], winner: str) -> None:
    report = settled(activity(*rows))
    assert [r["status"] for r in records(report)] == [winner]


def test_rows_of_other_users_or_sessions_do_not_compete() -> None:
    report = settled(activity("S,ana,finished,,", "S,bo,paused,,", "T,ana,in_progress,,"))
    assert [(r["session_name"], r["user_username"], r["status"]) for r in records(report)] == [
        ("S", "ana", "finished"), ("S", "bo", "paused"), ("T", "ana", "in_progress")]
    assert report.lines == [2, 3, 4]


def test_a_row_naming_an_unknown_session_is_a_warning_and_skipped() -> None:
    report = settled(activity("S,ana,finished,,", "Nope,ana,finished,,", "Nope,bo,finished,,"))
    assert [(p.line, p.column, p.value, p.message) for p in report.warnings] == [
        (3, "session_name", "Nope", "No session is named 'Nope'; 2 rows are skipped (first here).")]
    assert report.errors == [] and report.lines == [2]


def test_scanready_activity_without_session_names_is_an_error_on_line_1() -> None:
    report = parse_file("activity.csv", b"user_username,status,started_at,finished_at\nana,finished,,\n")
    assert report.kind == "activity"
    assert where(report.errors) == [(1, "session_name")]


def test_the_dates_are_optional_columns() -> None:
    report = settled(parse_file("activity.csv", b"session_name,user_username,status\nS,ana,Finished\n"))
    assert report.errors == []
    assert records(report) == [{"session_name": "S", "user_username": "ana", "status": "finished",
                               "started_at": None, "finished_at": None}]
