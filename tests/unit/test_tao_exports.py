"""TAO's own activity exports, in files shaped like TAO's (tests/data/tao_*.csv): the Portal's session results
(Unix timestamps, score and item columns, no status), the open-source results table (UTF-8 with a BOM, CRLF,
d/m/Y dates with no offset, no status) and Data Explorer's delivery executions (microtime, status URIs). Then
which session each row belongs to: one, none, several, or the one a manager names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.ingest import FileReport, parse_file
from dashboard.ingest.assign import KnownSession, Roster, assign_activity
from tests.conftest import read
from tests.factories import records

HISTORY = "https://tao.example.org/delivery/history"
MATHS = "https://tao.example.org/delivery/maths"
UTC_0805 = datetime(2027, 3, 16, 8, 5, tzinfo=UTC)  # 09:05 in Paris


def parsed(name: str, **options: str) -> FileReport:
    return parse_file(name, read(name), **options)  # type: ignore[arg-type]


def raw(report: FileReport) -> list[tuple[object, ...]]:
    """The rows as read, before they are placed: (user, delivery, status, started_at, finished_at)."""
    c = report.columns
    return list(zip(c["user_username"], c["delivery_id"], c["status"], c["started_at"], c["finished_at"],
                    strict=True))


def roster(*sessions: KnownSession, **takers: set[str]) -> Roster:
    return Roster({s.name: s for s in sessions}, dict(takers))


HISTORY_4A = KnownSession("History 4A", "Class 4A", HISTORY, timezone="Europe/Paris")
MATHS_4A = KnownSession("Maths 4A", "Class 4A", MATHS, timezone="Europe/Paris")
HISTORY_4B = KnownSession("History 4B", "Class 4B", HISTORY, timezone="Europe/Paris")
CLASS_4A = roster(HISTORY_4A, MATHS_4A, ana={"Class 4A"}, bo={"Class 4A"}, cy={"Class 4A"})


def test_the_portals_session_results_export() -> None:
    report = parsed("tao_portal_results.csv")
    assert (report.kind, report.template, report.rows, report.errors, report.warnings) == (
        "activity", "tao-portal-session-results", 4, [], [])  # score, outcome and item columns: no warning
    assert raw(report) == [
        ("ana", "d-history", "finished", UTC_0805, datetime(2027, 3, 16, 9, 30, tzinfo=UTC)),
        ("bo", "d-history", "in_progress", datetime(2027, 3, 16, 8, 6, tzinfo=UTC), None),  # a start only
        ("cy", "d-history", "not_started", None, None),  # neither
        ("zoe", "d-history", "finished", UTC_0805, datetime(2027, 3, 16, 8, 33, 20, tzinfo=UTC)),
    ]
    assert report.columns["session_name"] == ["", "", "", ""]  # a row is placed later, by its login


def test_the_results_table_export_with_its_bom_and_european_dates() -> None:
    report = parsed("tao_results_table.csv")
    assert (report.kind, report.template, report.rows, report.errors, report.warnings) == (
        "activity", "tao-results-table", 3, [], [])
    assert raw(report) == [  # local times: no offset, read once the session (and its zone) is known
        ("ana", "", "finished", datetime(2027, 3, 16, 9, 5), datetime(2027, 3, 16, 10, 35)),
        ("bo", "", "in_progress", datetime(2027, 3, 16, 9, 6), None),
        ("cy", "", "not_started", None, None),
    ]
    assign_activity(report, CLASS_4A, session="History 4A")
    assert [(r["user_username"], r["started_at"]) for r in records(report)] == [
        ("ana", UTC_0805), ("bo", datetime(2027, 3, 16, 8, 6, tzinfo=UTC)), ("cy", None)]
    assert [(p.line, p.column, p.message) for p in report.warnings] == [
        (2, "Start Delivery Execution", "3 times have no time zone (first here); each was read in its session's "
                                        "time zone (session_timezone, UTC when it has none).")]


def test_the_results_table_without_a_login_column_uses_the_test_taker_id() -> None:
    data = read("tao_results_table.csv").replace(b",Login,", b",Identifier,")
    report = parse_file("results.csv", data)
    assert report.errors == []
    assert report.columns["user_username"][0] == "https://tao.example.org/tao.rdf#i16"


def test_data_explorers_delivery_executions_with_microtime_and_status_uris() -> None:
    report = parsed("tao_delivery_executions.csv")
    assert (report.kind, report.template, report.rows, report.errors, report.warnings) == (
        "activity", "tao-delivery-executions", 4, [], [])
    assert raw(report) == [
        ("ana", HISTORY, "finished", datetime(2027, 3, 16, 8, 5, 0, 454_033, tzinfo=UTC),
         datetime(2027, 3, 16, 9, 30, 0, 120_000, tzinfo=UTC)),
        ("bo", HISTORY, "in_progress", datetime(2027, 3, 16, 8, 6, tzinfo=UTC), None),
        ("cy", HISTORY, "not_started", None, None),
        ("ana", MATHS, "paused", datetime(2027, 3, 17, 8, 5, 0, 500_000, tzinfo=UTC), None),
    ]


def test_each_row_goes_to_the_one_paper_session_of_its_login_and_delivery() -> None:
    """Ana and Bo are test-takers of Class 4A, which sits History 4A and Maths 4A: the delivery decides."""
    report = parsed("tao_delivery_executions.csv")
    assign_activity(report, CLASS_4A)
    assert report.warnings == []
    assert [(r["session_name"], r["user_username"], r["status"]) for r in records(report)] == [
        ("History 4A", "ana", "finished"), ("History 4A", "bo", "in_progress"), ("History 4A", "cy", "not_started"),
        ("Maths 4A", "ana", "paused")]


def test_a_login_of_no_paper_session_is_a_warning_and_its_rows_are_skipped() -> None:
    """TAO's exports also list digital sessions and other people: Zoe is in no paper session's group."""
    report = parsed("tao_portal_results.csv")
    assign_activity(report, roster(KnownSession("History 4A", "Class 4A", "d-history"),
                                   ana={"Class 4A"}, bo={"Class 4A"}, cy={"Class 4A"}))
    assert [(p.line, p.column, p.value, p.message) for p in report.warnings] == [
        (5, "login", "zoe", "No paper session of delivery 'd-history' has 'zoe' as a test-taker; 1 row is skipped "
                            "(first here). TAO's exports also list digital sessions and other people; if this one is "
                            "missing, import its group's links.")]
    assert [r["user_username"] for r in records(report)] == ["ana", "bo", "cy"]


def test_a_session_off_paper_is_not_a_home_for_a_row() -> None:
    report = parsed("tao_portal_results.csv")
    assign_activity(report, roster(KnownSession("History 4A", "Class 4A", "d-history", paper=False),
                                   ana={"Class 4A"}))
    assert records(report) == []
    assert [p.value for p in report.warnings] == ["ana", "bo", "cy", "zoe"]


def test_a_login_of_several_paper_sessions_of_the_delivery_is_a_warning_naming_them() -> None:
    report = parsed("tao_delivery_executions.csv")
    assign_activity(report, roster(HISTORY_4A, HISTORY_4B, MATHS_4A, ana={"Class 4A", "Class 4B"},
                                   bo={"Class 4A"}, cy={"Class 4A"}))
    assert [(p.line, p.value, p.message) for p in report.warnings] == [
        (2, "ana", "'ana' is a test-taker of several paper sessions (History 4A and History 4B); 1 row is skipped "
                   "(first here): choose the session of this export.")]
    assert [(r["session_name"], r["user_username"]) for r in records(report)] == [
        ("History 4A", "bo"), ("History 4A", "cy"), ("Maths 4A", "ana")]


def test_the_session_a_manager_names_takes_every_row_of_the_export() -> None:
    report = parsed("tao_portal_results.csv")
    assign_activity(report, roster(HISTORY_4A, HISTORY_4B, ana={"Class 4A", "Class 4B"}), session="History 4B")
    assert report.warnings == []
    assert [(r["session_name"], r["user_username"]) for r in records(report)] == [
        ("History 4B", "ana"), ("History 4B", "bo"), ("History 4B", "cy"), ("History 4B", "zoe")]


def test_naming_a_session_that_does_not_exist_is_an_error_of_the_file() -> None:
    report = parsed("tao_portal_results.csv")
    assign_activity(report, CLASS_4A, session="History 9Z")
    assert [(p.line, p.column, p.value) for p in report.errors] == [(None, None, "History 9Z")]
    assert records(report) == []


@pytest.mark.parametrize("delivery,found", [
    ("https://tao.example.org/delivery/history", ["History 4A"]),
    ("history", ["History 4A"]),  # an id against the URI that ends with it
    ("https://tao.example.org/delivery/maths", ["Maths 4A"]),
    ("", ["History 4A", "Maths 4A"]),  # no delivery in the row: every paper session of the login
    ("https://tao.example.org/delivery/geography", []),
])
def test_the_delivery_narrows_a_logins_sessions(delivery: str, found: list[str]) -> None:
    assert CLASS_4A.paper_sessions_of("ana", delivery) == found


def test_a_battery_session_takes_the_rows_of_any_of_its_deliveries() -> None:
    battery = roster(KnownSession("Exam 4A", "Class 4A", "battery-1", battery=True), ana={"Class 4A"})
    assert battery.paper_sessions_of("ana", MATHS) == ["Exam 4A"]


def test_month_first_dates_are_read_so_when_nothing_else_fits_with_a_warning() -> None:
    data = read("tao_results_table.csv").replace(b"16/03/2027", b"03/16/2027")
    report = parse_file("results.csv", data)
    assert report.errors == []
    assert report.columns["started_at"][0] == datetime(2027, 3, 16, 9, 5)
    assert [(p.line, p.column) for p in report.warnings] == [(None, "Start Delivery Execution")]
    assert "read month first" in report.warnings[0].message


@pytest.mark.parametrize("order,day,month", [("dmy", 4, 3), ("mdy", 3, 4)])
def test_the_date_order_a_manager_chooses_decides_dates_either_order_could_read(order: str, day: int,
                                                                                month: int) -> None:
    data = read("tao_results_table.csv").replace(b"16/03/2027", b"04/03/2027")
    report = parse_file("results.csv", data, date_order=order)  # type: ignore[arg-type]
    assert report.columns["started_at"][0] == datetime(2027, month, day, 9, 5)
    assert report.warnings == []


def test_a_date_that_cannot_be_read_is_an_error_at_its_line_and_column() -> None:
    data = read("tao_results_table.csv").replace(b"16/03/2027 09:06:00", b"the 16th at nine")
    report = parse_file("results.csv", data)
    assert [(p.line, p.column, p.value) for p in report.errors] == [(3, "Start Delivery Execution",
                                                                      "the 16th at nine")]
    assert "16/03/2027 09:05:00, Unix seconds or milliseconds" in report.errors[0].message
