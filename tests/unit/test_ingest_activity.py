"""Activity exports: statuses (TAO's labels too), Unix seconds or date-times, finished before started,
and which row wins for a (session, user)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.ingest import FileReport, Problem, parse_file
from dashboard.ingest.activity import normalise_status
from tests.conftest import read
from tests.factories import records

HEADER = "session_name,user_username,status,started_at,finished_at"


def where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


def activity(*rows: str) -> FileReport:
    return parse_file("activity.csv", "\n".join([HEADER, *rows, ""]).encode())


def at(hour: int, minute: int, day: int = 16) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


def test_an_export_keeps_the_latest_row_of_each_test_taker() -> None:
    report = parse_file("activity.csv", read("activity.csv"))
    assert report.errors == []
    assert where(report.warnings) == [(9, "started_at")]  # History 4B / ana (line 9) has no offset: read as UTC
    assert (report.kind, report.template, report.rows) == ("activity", "activity", 12)
    assert [tuple(r.values()) for r in records(report)] == [
        ("History 4A", "bo", "in_progress", at(8, 5), None),  # its later line 8 has no dates
        ("History 4A", "cy", "finished", at(8, 5), at(9, 30)),  # Unix seconds
        ("History 4A", "dee", "paused", at(7, 5), None),
        ("History 4A", "ed", "terminated", at(8, 5), at(8, 45)),
        ("History 4A", "ana", "finished", at(8, 2), at(9, 30)),  # line 7 beats "Not started" on line 2
        ("History 4B", "ana", "in_progress", at(8, 0, day=17), None),
        ("History 4A", "fay", "finished", at(8, 10), at(9, 0)),  # the older row after it does not win
        ("History 4A", "gus", "paused", None, None),  # no dates: the later line wins
    ]
    assert list(records(report)[0]) == ["session_name", "user_username", "status", "started_at", "finished_at"]
    assert report.lines == [3, 4, 5, 6, 7, 9, 10, 13]


def test_errors_at_their_line_and_column() -> None:
    report = parse_file("activity_bad.csv", read("activity_bad.csv"))
    assert where(report.errors) == [(2, "finished_at"), (3, "status"), (4, "started_at"), (5, "session_name"),
                                    (6, "user_username"), (7, "finished_at")]
    assert [p.value for p in report.errors] == ["2027-03-16T07:59:00Z", "done", "16/03/2027 08:00", "", "",
                                                "1805184299"]
    assert records(report) == []


@pytest.mark.parametrize(
    "label,status",
    [
        ("not_started", "not_started"), ("in_progress", "in_progress"), ("paused", "paused"),
        ("finished", "finished"), ("terminated", "terminated"),
        ("Not started", "not_started"), ("In progress", "in_progress"), ("Finished", "finished"),
        ("NOT_STARTED", "not_started"), ("in-progress", "in_progress"), ("  Paused ", "paused"),
        ("Terminated", "terminated"),
    ],
)
def test_statuses(label: str, status: str) -> None:
    assert normalise_status(label) == status
    report = activity(f"History 4A,ana,{label},,")
    assert report.errors == []
    assert records(report)[0]["status"] == status


@pytest.mark.parametrize("label", ["done", "started", "", "not started yet", "in_progress,finished", "1"])
def test_what_is_not_a_status(label: str) -> None:
    report = activity(f'History 4A,ana,"{label}",,')
    assert where(report.errors) == [(2, "status")]


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
        ("", "2027-03-16T08:04:00Z", []),
        ("16/03/2027 08:00", "", [(2, "started_at")]),
        ("2027-03-16T08:00:00Z", "yesterday", [(2, "finished_at")]),
    ],
)
def test_finished_is_not_before_started(started: str, finished: str, errors: list[tuple[int, str]]) -> None:
    assert where(activity(f"History 4A,ana,finished,{started},{finished}").errors) == errors


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
    report = activity(*rows)
    assert [r["status"] for r in records(report)] == [winner]


def test_rows_of_other_users_or_sessions_do_not_compete() -> None:
    report = activity("S,ana,finished,,", "S,bo,paused,,", "T,ana,in_progress,,")
    assert [(r["session_name"], r["user_username"], r["status"]) for r in records(report)] == [
        ("S", "ana", "finished"), ("S", "bo", "paused"), ("T", "ana", "in_progress")]
    assert report.lines == [2, 3, 4]


def test_an_export_without_session_names_is_an_error_on_line_1() -> None:
    # (Without user_username or status the header is no longer an activity export's: see kind detection.)
    report = parse_file("activity.csv", b"user_username,status,started_at,finished_at\nana,finished,,\n")
    assert report.kind == "activity"
    assert where(report.errors) == [(1, "session_name")]


def test_the_dates_are_optional_columns() -> None:
    report = parse_file("activity.csv", b"session_name,user_username,status\nS,ana,Finished\n")
    assert report.errors == []
    assert records(report) == [{"session_name": "S", "user_username": "ana", "status": "finished",
                               "started_at": None, "finished_at": None}]
