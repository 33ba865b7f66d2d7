"""The rules of TAO's session templates, row by row: one parametrized case per rule and boundary.

Most cases change one value of a valid row (``BASE``) and state the exact (line, column) of every error;
the files in tests/data/ cover whole templates and one file breaking every rule once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest

from dashboard.ingest import FileReport, Problem, parse_file, parse_files
from tests.conftest import read
from tests.factories import records

DELIVERY, BATTERY = "session_deliveryId", "session_batteryId"
ZONE, START, END, SUBMIT = "session_timezone", "session_startDate", "session_endDate", "session_submissionDate"
PAPER = "session_paperMode_isEnabled"
SHEETS, TOTAL = "session_paperMode_sheetsPerInteraction", "session_paperMode_totalInteractions"
BOOKLET = "session_paperMode_bookletFilename"
SCAN_START, SCAN_END = "session_paperMode_scanUploadStartDate", "session_paperMode_scanUploadEndDate"
PAPER_COLUMNS = (SHEETS, TOTAL, BOOKLET, SCAN_START, SCAN_END)

BASE = {
    DELIVERY: "https://tao.example.org/delivery/history",
    "group_name": "Class 4A",
    "session_name": "History 4A",
    ZONE: "Europe/Paris",
    START: "2027-03-16T08:00:00Z",
    END: "2027-03-16T10:00:00Z",
    SUBMIT: "",
    PAPER: "1",
    SHEETS: "1",
    TOTAL: "4",
    BOOKLET: "history-4a.pdf",
    SCAN_START: "2027-03-17T08:00:00Z",
    SCAN_END: "2027-03-31T18:00:00Z",
}


def where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


def sessions(*rows: Mapping[str, str], columns: tuple[str, ...] = tuple(BASE)) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(name, "") for name in columns] for row in rows)
    return buffer.getvalue().encode()


def one_row(values: Mapping[str, str], columns: tuple[str, ...] = tuple(BASE)) -> FileReport:
    """The report of a file whose only row (line 2) is ``BASE`` changed by ``values``."""
    return parse_file("sessions.csv", sessions({**BASE, **values}, columns=columns))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_base_row_is_valid() -> None:
    report = one_row({})
    assert (report.errors, report.warnings, report.lines) == ([], [], [2])
    (record,) = records(report)
    assert {key: record[key] for key in ("session_name", "group_name", "delivery_id", "delivery_kind",
                                         "paper_enabled", "sheets_per_interaction", "total_interactions",
                                         "booklet_filename", "timezone", "submission_date")} == {
        "session_name": "History 4A", "group_name": "Class 4A",
        "delivery_id": "https://tao.example.org/delivery/history", "delivery_kind": "delivery",
        "paper_enabled": True, "sheets_per_interaction": 1, "total_interactions": 4,
        "booklet_filename": "history-4a.pdf", "timezone": "Europe/Paris", "submission_date": None,
    }
    assert (record["start_date"], record["scan_upload_end"]) == (utc("2027-03-16T08:00:00+00:00"),
                                                                  utc("2027-03-31T18:00:00+00:00"))


# --- not empty ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "values,errors",
    [
        ({"session_name": ""}, [(2, "session_name")]),
        ({"session_name": "   "}, [(2, "session_name")]),
        ({"group_name": ""}, [(2, "group_name")]),
        ({DELIVERY: ""}, [(2, DELIVERY)]),
        ({"session_name": "", "group_name": "", DELIVERY: ""}, [(2, "session_name"), (2, "group_name"),
                                                                (2, DELIVERY)]),
    ],
)
def test_names_and_delivery_are_not_empty(values: dict[str, str], errors: list[tuple[int, str]]) -> None:
    report = one_row(values)
    assert where(report.errors) == errors
    assert records(report) == []


@pytest.mark.parametrize(
    "columns,values,errors,kind",
    [
        ((BATTERY, "group_name", "session_name", PAPER), {BATTERY: "battery-1"}, [], "battery"),
        ((BATTERY, "group_name", "session_name", PAPER), {BATTERY: ""}, [(2, BATTERY)], None),
        ((DELIVERY, BATTERY, "group_name", "session_name", PAPER), {BATTERY: "battery-1", DELIVERY: ""}, [],
         "battery"),
        ((DELIVERY, BATTERY, "group_name", "session_name", PAPER), {BATTERY: "", DELIVERY: "d1"}, [], "delivery"),
        ((DELIVERY, BATTERY, "group_name", "session_name", PAPER), {BATTERY: "", DELIVERY: ""}, [(2, DELIVERY)],
         None),
        ((DELIVERY, BATTERY, "group_name", "session_name", PAPER), {BATTERY: "battery-1", DELIVERY: "d1"},
         [(2, BATTERY)], None),
    ],
)
def test_a_session_runs_a_delivery_or_a_battery(columns: tuple[str, ...], values: dict[str, str],
                                                errors: list[tuple[int, str]], kind: str | None) -> None:
    report = one_row({PAPER: "0", **values}, columns)
    assert where(report.errors) == errors
    assert [r["delivery_kind"] for r in records(report)] == ([kind] if kind else [])


# --- header -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("missing", ["session_name", "group_name", DELIVERY, PAPER])
def test_each_mandatory_column_missing_is_an_error_on_line_1(missing: str) -> None:
    columns = tuple(name for name in BASE if name != missing)
    report = one_row({}, columns)
    assert where(report.errors) == [(1, missing)]
    assert missing in report.errors[0].message


def test_a_battery_column_stands_for_the_delivery_column() -> None:
    columns = tuple(BATTERY if name == DELIVERY else name for name in BASE)
    report = one_row({BATTERY: "battery-1"}, columns)
    assert report.errors == []
    assert report.template == "sessions-with-battery-in-existing-groups"


@pytest.mark.parametrize("missing", PAPER_COLUMNS)
def test_a_paper_column_missing_is_an_error_when_a_session_is_on_paper(missing: str) -> None:
    columns = tuple(name for name in BASE if name != missing)
    assert where(one_row({}, columns).errors) == [(1, missing)]
    assert one_row({PAPER: "0"}, columns).errors == []


# --- paper mode -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "flag,expected",
    [("1", True), ("0", False), ("true", True), ("false", False), ("TRUE", True), ("FALSE", False),
     ("True", True), (" 1 ", True)],
)
def test_paper_mode_flag(flag: str, expected: bool) -> None:
    report = one_row({PAPER: flag})
    assert report.errors == []
    assert records(report)[0]["paper_enabled"] is expected


@pytest.mark.parametrize("flag", ["", "yes", "no", "2", "-1", "on", "1.0", "vrai"])
def test_paper_mode_flag_errors(flag: str) -> None:
    report = one_row({PAPER: flag})
    assert where(report.errors) == [(2, PAPER)]
    assert report.errors[0].value == flag.strip()


@pytest.mark.parametrize(
    "values,errors",
    [
        ({SHEETS: "2"}, []),
        ({SHEETS: "1.0"}, []),
        ({SHEETS: "0"}, [(2, SHEETS)]),
        ({SHEETS: "-1"}, [(2, SHEETS)]),
        ({SHEETS: "1.5"}, [(2, SHEETS)]),
        ({SHEETS: "two"}, [(2, SHEETS)]),
        ({SHEETS: ""}, [(2, SHEETS)]),
        ({TOTAL: "1"}, []),
        ({TOTAL: "0"}, [(2, TOTAL)]),
        ({TOTAL: "2.5"}, [(2, TOTAL)]),
        ({TOTAL: ""}, [(2, TOTAL)]),
        ({BOOKLET: ""}, [(2, BOOKLET)]),
        ({BOOKLET: "  "}, [(2, BOOKLET)]),
        ({SCAN_START: ""}, [(2, SCAN_START)]),
        ({SCAN_END: ""}, [(2, SCAN_END)]),
        ({SCAN_START: "", SCAN_END: ""}, [(2, SCAN_START), (2, SCAN_END)]),
        ({PAPER: "true", SHEETS: "", TOTAL: "", BOOKLET: "", SCAN_START: "", SCAN_END: ""},
         [(2, SHEETS), (2, TOTAL), (2, BOOKLET), (2, SCAN_START), (2, SCAN_END)]),
    ],
)
def test_paper_columns_when_paper_mode_is_on(values: dict[str, str], errors: list[tuple[int, str]]) -> None:
    assert where(one_row(values).errors) == errors


def test_paper_numbers_are_stored_as_whole_numbers() -> None:
    (record,) = records(one_row({SHEETS: "2", TOTAL: "12.0"}))
    assert (record["sheets_per_interaction"], record["total_interactions"]) == (2, 12)


def test_paper_columns_may_be_empty_when_paper_mode_is_off() -> None:
    report = one_row({PAPER: "0", SHEETS: "", TOTAL: "", BOOKLET: "", SCAN_START: "", SCAN_END: ""})
    assert (report.errors, report.warnings) == ([], [])
    (record,) = records(report)
    assert record["paper_enabled"] is False
    assert [record[key] for key in ("sheets_per_interaction", "total_interactions", "booklet_filename",
                                    "scan_upload_start", "scan_upload_end")] == [None] * 5


def test_a_bad_paper_number_is_only_a_warning_when_paper_mode_is_off() -> None:
    report = one_row({PAPER: "0", SHEETS: "two"})
    assert (report.errors, where(report.warnings)) == ([], [(2, SHEETS)])
    assert records(report)[0]["sheets_per_interaction"] is None


# --- date-times -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "zone,value,stored,warnings",
    [
        ("Europe/Paris", "2027-03-16T12:00:00Z", "2027-03-16T12:00:00+00:00", []),
        ("Europe/Paris", "2027-03-16T12:00:00.000Z", "2027-03-16T12:00:00+00:00", []),
        ("Europe/Paris", "2027-03-16T12:00:00.250Z", "2027-03-16T12:00:00.250000+00:00", []),
        ("Europe/Paris", "2027-03-16T13:00:00+01:00", "2027-03-16T12:00:00+00:00", []),
        ("Europe/Paris", "2027-03-16T07:00:00-05:00", "2027-03-16T12:00:00+00:00", []),
        ("Europe/Paris", "2027-3-6T12:00:00Z", "2027-03-06T12:00:00+00:00", []),
        ("Europe/Paris", "2027-03-16T12:00:00", "2027-03-16T11:00:00+00:00", [(2, SUBMIT)]),
        ("Europe/Paris", "2027-07-16T12:00:00", "2027-07-16T10:00:00+00:00", [(2, SUBMIT)]),
        ("America/New_York", "2027-03-16T12:00:00", "2027-03-16T16:00:00+00:00", [(2, SUBMIT)]),
        ("", "2027-03-16T12:00:00", "2027-03-16T12:00:00+00:00", [(2, SUBMIT)]),
    ],
)
def test_date_times_are_stored_in_utc(zone: str, value: str, stored: str, warnings: list[tuple[int, str]]) -> None:
    report = one_row({ZONE: zone, SUBMIT: value})
    assert report.errors == []
    assert where(report.warnings) == warnings
    assert records(report)[0]["submission_date"] == utc(stored)
    assert records(report)[0]["submission_date"].utcoffset().total_seconds() == 0


def test_a_date_time_without_offset_is_warned_once_per_column() -> None:
    rows = [{**BASE, "session_name": f"History {n}", SUBMIT: "2027-03-16T12:00:00"} for n in range(3)]
    report = parse_file("naive.csv", sessions(*rows))
    assert where(report.warnings) == [(2, SUBMIT)]
    assert report.warnings[0].message.startswith("3 value(s)")


@pytest.mark.parametrize("column", [START, END, SUBMIT, SCAN_START, SCAN_END])
@pytest.mark.parametrize("value", ["16/03/2027 08:00", "2027-03-16", "2027-02-30T08:00:00Z", "soon"])
def test_a_date_time_in_another_format_is_an_error_in_its_column(column: str, value: str) -> None:
    report = one_row({column: value})
    assert where(report.errors) == [(2, column)]
    assert report.errors[0].value == value
    assert "2027-03-16T08:00:00Z" in report.errors[0].message or "real date" in report.errors[0].message


@pytest.mark.parametrize(
    "values,errors",
    [
        ({SCAN_START: "2027-03-17T08:00:00Z", SCAN_END: "2027-03-17T08:00:01Z"}, []),
        ({SCAN_START: "2027-03-17T08:00:00Z", SCAN_END: "2027-03-17T08:00:00Z"}, [(2, SCAN_END)]),
        ({SCAN_START: "2027-03-17T08:00:00Z", SCAN_END: "2027-03-17T09:00:00+01:00"}, [(2, SCAN_END)]),
        ({SCAN_START: "2027-03-17T08:00:00Z", SCAN_END: "2027-03-16T08:00:00Z"}, [(2, SCAN_END)]),
        ({SCAN_START: "2027-03-17T08:00:00Z", SCAN_END: "2027-03-17T08:30:00"}, [(2, SCAN_END)]),  # 07:30Z
        ({START: "2027-03-16T08:00:00Z", END: "2027-03-16T08:00:00Z"}, []),  # equal is fine
        ({START: "2027-03-16T09:00:00+01:00", END: "2027-03-16T08:00:00Z"}, []),
        ({START: "2027-03-16T08:00:00Z", END: "2027-03-16T07:59:59Z"}, [(2, END)]),
        ({START: "2027-03-16T08:00:00", END: "2027-03-16T07:30:00Z"}, []),  # start is 07:00Z in Paris
        ({START: "2027-03-16T08:00:00", END: "2027-03-16T06:59:00Z"}, [(2, END)]),
        ({START: "", END: "2027-03-16T06:59:00Z"}, []),
        ({START: "2027-03-16T08:00:00Z", END: ""}, []),
    ],
)
def test_a_window_ends_after_it_starts(values: dict[str, str], errors: list[tuple[int, str]]) -> None:
    assert where(one_row(values).errors) == errors


def test_a_scan_window_that_is_not_after_its_start_is_reported_on_the_end_value() -> None:
    report = one_row({SCAN_END: "2027-03-17T08:00:00Z"})
    assert report.errors[0].value == "2027-03-17T08:00:00Z"
    assert "2027-03-17T08:00:00Z" in report.errors[0].message


@pytest.mark.parametrize(
    "zone,errors,stored",
    [
        ("Europe/Paris", [], "Europe/Paris"),
        ("Europe/Warsaw", [], "Europe/Warsaw"),
        ("UTC", [], "UTC"),
        ("", [], None),
        ("Paris", [(2, ZONE)], None),
        ("europe/paris", [(2, ZONE)], None),
        ("Europe/Atlantis", [(2, ZONE)], None),
        ("+01:00", [(2, ZONE)], None),
    ],
)
def test_the_time_zone_is_an_iana_name(zone: str, errors: list[tuple[int, str]], stored: str | None) -> None:
    report = one_row({ZONE: zone})
    assert where(report.errors) == errors
    assert [r["timezone"] for r in records(report)] == ([] if errors else [stored])


# --- unique names ---------------------------------------------------------------------------------------------------

def test_a_session_name_twice_in_a_file_is_an_error_on_the_second() -> None:
    rows = [BASE, {**BASE, "session_name": "History 4B"}, {**BASE, "group_name": "Class 4C"}]
    report = parse_file("twice.csv", sessions(*rows))
    assert where(report.errors) == [(4, "session_name")]
    assert "line 2" in report.errors[0].message


def test_a_session_name_twice_in_one_upload_is_an_error_on_the_second_file() -> None:
    first, second = ("sessions_existing_groups.csv", read("sessions_existing_groups.csv")), \
        ("sessions_second_file.csv", read("sessions_second_file.csv"))
    a, b = parse_files([first, second])
    assert (a.errors, where(b.errors)) == ([], [(3, "session_name")])
    assert "sessions_existing_groups.csv" in b.errors[0].message
    b, a = parse_files([second, first])
    assert (b.errors, where(a.errors)) == ([], [(2, "session_name")])
    assert [parse_file(*first).errors, parse_file(*second).errors] == [[], []]  # separate calls are separate uploads


# --- whole files ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "name,template,kinds",
    [
        ("sessions_valid_new_groups.csv", "sessions-with-delivery-in-new-groups", ["delivery"] * 3),
        ("sessions_existing_groups.csv", "sessions-with-delivery-in-existing-groups", ["delivery"] * 2),
        ("sessions_battery.csv", "sessions-with-battery-in-existing-groups", ["battery"]),
    ],
)
def test_the_template_comes_from_the_header(name: str, template: str, kinds: list[str]) -> None:
    report = parse_file(name, read(name))
    assert (report.errors, report.warnings) == ([], [])
    assert (report.kind, report.template) == ("sessions", template)
    assert [r["delivery_kind"] for r in records(report)] == kinds
    assert {r["template"] for r in records(report)} == {template}


def test_a_battery_in_new_groups() -> None:
    columns = (BATTERY, "group_name", "group_description", "session_name", PAPER)
    report = one_row({BATTERY: "battery-1", "group_description": "Pupils", PAPER: "0"}, columns)
    assert report.template == "sessions-with-battery-in-new-groups"


def test_the_new_groups_template_keeps_every_value() -> None:
    report = parse_file("new.csv", read("sessions_valid_new_groups.csv"))
    first, second, third = records(report)
    assert {key: first[key] for key in ("group_description", "group_active", "group_organization_id",
                                        "security_settings", "review_settings", "waiting_page_date")} == {
        "group_description": "Pupils of Class 4A", "group_active": "TRUE", "group_organization_id": "org-1",
        "security_settings": "requireFullscreen,preventScreenshot", "review_settings": None,
        "waiting_page_date": utc("2027-03-16T07:45:00+00:00"),
    }
    # TAO's unpadded sample and an offset; a third session off paper, ending when it starts.
    assert (second["start_date"], second["scan_upload_start"]) == (utc("2024-01-31T12:00:00+00:00"),
                                                                    utc("2024-02-01T07:00:00+00:00"))
    assert (second["paper_enabled"], second["sheets_per_interaction"], second["group_active"]) == (True, 2, "FALSE")
    assert (third["paper_enabled"], third["timezone"], third["booklet_filename"]) == (False, None, None)


def test_a_file_breaking_every_row_rule_once() -> None:
    report = parse_file("bad.csv", read("sessions_bad_rows.csv"))
    assert where(report.errors) == [
        (3, "session_name"),
        (4, "group_name"),
        (5, DELIVERY),
        (6, PAPER),
        (7, PAPER),
        (8, SHEETS),
        (9, TOTAL),
        (10, BOOKLET),
        (11, SCAN_START),
        (12, SCAN_END),
        (13, START),
        (14, SCAN_END),
        (15, END),
        (16, ZONE),
        (17, "session_name"),
    ]
    assert [p.value for p in report.errors] == [
        "", "", "", "yes", "", "0", "2.5", "", "", "", "16/03/2027 08:00", "2027-03-17T09:00:00+01:00",
        "2027-03-16T07:59:59Z", "Paris", "Valid 1",
    ]
    assert all(p.message.endswith(".") for p in report.errors)
    assert (report.rows, report.lines) == (17, [2, 18])  # the two valid rows stay, for the checks across files
    assert [r["session_name"] for r in records(report)] == ["Valid 1", "Paper off"]


def test_the_report_is_the_cli_contract() -> None:
    report = one_row({SHEETS: "0"})
    document: dict[str, Any] = report.to_dict()
    assert set(document) == {"file", "kind", "template", "rows", "errors", "warnings"}
    assert document["errors"] == [{"line": 2, "column": SHEETS, "value": "0", "message": "'0' must be at least 1."}]


@pytest.mark.parametrize(
    "values,errors",
    [
        ({START: "0001-01-01T00:00:00+01:00"}, [(2, START)]),  # these raised OverflowError out of parse_file
        ({ZONE: "Europe/Paris", SUBMIT: "0001-01-01T00:00:00"}, [(2, SUBMIT)]),
        ({SCAN_END: "9999-12-31T23:59:59-01:00"}, [(2, SCAN_END)]),
        ({SHEETS: "1" * 400 + ".0"}, [(2, SHEETS)]),  # no crash: an error, more than a count can be
    ],
)
def test_values_at_the_edges_are_reported_not_raised(values: dict[str, str], errors: list[tuple[int, str]]) -> None:
    assert where(one_row(values).errors) == errors


def test_without_a_store_a_zoneless_files_local_window_is_checked_in_utc() -> None:
    # Its local dates wait for their session's stored zone (services.checks); with no store to ask, UTC stands and
    # their order is still checked, quoting the file's texts.
    from dashboard.config import Settings
    from dashboard.services import validate_files

    zoneless = tuple(name for name in BASE if name != ZONE)
    bad = {**BASE, SCAN_START: "2027-03-17 20:00", SCAN_END: "2027-03-17T19:00:00Z"}
    validation = validate_files([("s.csv", sessions(BASE, {**bad, "session_name": "History 4B"}, columns=zoneless))],
                                settings=Settings())
    report = validation.reports[0]
    assert [(p.line, p.column, p.value, p.message) for p in report.errors] == [
        (3, SCAN_END, "2027-03-17T19:00:00Z", "The scan upload window must end after it starts (2027-03-17 20:00).")]
    assert report.columns["session_name"] == ["History 4A"]  # the row in error is dropped, the other kept
