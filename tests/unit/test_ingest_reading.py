"""Reading a file, whatever its kind: encoding, delimiter, line endings, quoting, physical line numbers,
header names, row width, control characters, field length, and kind detection.

Files are in tests/data/; each test states the exact (line, column) of every problem it expects.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from dashboard.errors import FileFormatError
from dashboard.ingest import FileReport, Problem, detect_kind, parse_file
from tests.conftest import read
from tests.factories import records

PAPER = "session_paperMode_isEnabled"
SHEETS = "session_paperMode_sheetsPerInteraction"


def where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


def parse(name: str) -> FileReport:
    return parse_file(name, read(name))


# --- encoding, delimiter, line endings -------------------------------------------------------------------------

# The same two sessions (accented names, a quoted settings list) written five ways.
@pytest.mark.parametrize(
    "name,warnings,value",
    [
        ("sessions_existing_groups.csv", [], None),  # UTF-8, no BOM, LF, commas
        ("sessions_crlf_bom.csv", [], None),  # UTF-8 with BOM, CRLF
        ("sessions_cp1252.csv", [(None, None)], ""),  # Windows-1252 bytes: read, with a warning
        ("sessions_semicolon.csv", [(1, None)], "semicolon"),
        ("sessions_tab.csv", [(1, None)], "tab"),  # tabs and CRLF
    ],
)
def test_encodings_and_delimiters_read_the_same_sessions(name: str, warnings: list[tuple[None, None]],
                                                         value: str | None) -> None:
    expected = parse("sessions_existing_groups.csv")
    report = parse(name)
    assert report.errors == []
    assert where(report.warnings) == warnings
    if value is not None:
        assert report.warnings[0].value == value
    assert (report.kind, report.rows, report.lines) == ("sessions", 2, [2, 3])
    assert records(report) == records(expected)
    assert [r["session_name"] for r in records(report)] == ["Histoire Première A", "Maths Première B"]
    assert records(report)[0]["security_settings"] == "requireFullscreen,preventScreenshot"


def test_the_warnings_say_what_was_read() -> None:
    assert "Windows-1252" in parse("sessions_cp1252.csv").warnings[0].message
    assert "semicolons" in parse("sessions_semicolon.csv").warnings[0].message
    assert "tabs" in parse("sessions_tab.csv").warnings[0].message


def test_utf16_with_a_bom_is_read_with_a_warning() -> None:
    data = read("sessions_existing_groups.csv").decode().encode("utf-16")
    report = parse_file("utf16.csv", data)
    assert (report.errors, where(report.warnings)) == ([], [(None, None)])
    assert records(report) == records(parse("sessions_existing_groups.csv"))


def _xlsx() -> bytes:
    """A workbook as Excel zips one (its parts' names), renamed to .csv by a hurried manager."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row><c><v>1</v></c></row>" * 50 + "</worksheet>")
    return buffer.getvalue()


XLSX = _xlsx()


@pytest.mark.parametrize(
    "name,data,words",
    [
        ("sessions_empty.csv", None, "empty"),
        ("only_spaces.csv", b"  \r\n\t\n", "empty"),
        ("sessions_blank_lines.csv", None, "blank"),
        ("only_bom.csv", b"\xef\xbb\xbf", "blank"),
        ("sessions_header_only.csv", None, "no data rows"),
        ("sessions_undecodable.csv", None, "0x81"),
        ("unknown_kind.csv", None, "name, email"),
        ("sessions.csv", XLSX, "spreadsheet workbook"),
        ("sessions.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "save it as 'CSV UTF-8"),
    ],
)
def test_whole_file_problems_are_one_error_without_line_or_column(name: str, data: bytes | None,
                                                                   words: str) -> None:
    report = parse_file(name, read(name) if data is None else data)
    assert where(report.errors) == [(None, None)]
    assert words in report.errors[0].message
    assert (report.kind, records(report), report.valid) == (None, [], False)
    assert report.to_dict()["errors"][0]["line"] is None
    assert report.to_dict()["errors"][0]["column"] is None


# --- quoting and physical line numbers -------------------------------------------------------------------------

def test_a_record_is_reported_at_the_physical_line_where_it_starts() -> None:
    # Line 1 header; 2-3 one record (quoted newline); 4 blank; 5-7 a record with a blank line inside quotes.
    report = parse("sessions_quoted_newline.csv")
    assert where(report.errors) == [(8, SHEETS)]
    assert report.errors[0].value == "zero"


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_quoted_commas_and_newlines_are_values(newline: bytes) -> None:
    data = read("sessions_quoted_newline.csv").replace(b",zero,", b",1,").replace(b"\n", newline)
    report = parse_file("quoted.csv", data)
    assert (report.errors, report.warnings) == ([], [])
    assert report.lines == [2, 5, 8]
    first, second, _ = records(report)
    assert first["group_description"] == "Morning group, room 12" + newline.decode() + "bring two pencils"
    assert first["booklet_filename"] == "history, part 1.pdf"
    assert second["group_description"] == "Line one" + 2 * newline.decode() + "line three"


def test_values_and_column_names_are_trimmed() -> None:
    report = parse("sessions_trimmed.csv")
    assert (report.errors, report.warnings) == ([], [])
    (record,) = records(report)
    assert {key: record[key] for key in ("delivery_id", "group_name", "session_name", "paper_enabled",
                                         "sheets_per_interaction", "total_interactions", "booklet_filename")} == {
        "delivery_id": "d1", "group_name": "Class 4A", "session_name": "History 4A", "paper_enabled": True,
        "sheets_per_interaction": 2, "total_interactions": 4, "booklet_filename": "history-4a.pdf",
    }
    assert record["scan_upload_end"].isoformat() == "2027-03-31T18:00:00+00:00"


# --- header ------------------------------------------------------------------------------------------------------

def test_unknown_columns_are_warnings_and_their_values_are_kept_aside() -> None:
    report = parse("sessions_unknown_column.csv")
    assert report.errors == []
    assert where(report.warnings) == [(1, "room"), (1, "notes")]
    assert [json.loads(r["extra"]) if r["extra"] else None for r in records(report)] == [
        {"room": "12", "notes": "bring pencils, and erasers"},
        None,
    ]
    assert "extra" in report.fields


@pytest.mark.parametrize(
    "header,column",
    [
        ("session_deliveryId,group_name,session_name,session_paperMode_isEnabled,group_name", "group_name"),
        ("session_deliveryId,group_name,session_name,session_paperMode_isEnabled,Session_Name", "session_name"),
        ("session_deliveryId,group_name,session_name,session_paperMode_isEnabled,room,room", "room"),
    ],
)
def test_a_column_named_twice_is_an_error_on_line_1_naming_it(header: str, column: str) -> None:
    width = header.count(",") + 1
    data = f"{header}\nd1,Class 1,History 1,0{',x' * (width - 4)}\n".encode()
    report = parse_file("twice.csv", data)
    assert [(p.line, p.column) for p in report.errors] == [(1, column)]
    assert column in report.errors[0].message and "twice" in report.errors[0].message


def test_the_platforms_sample_with_a_column_named_twice_is_rejected() -> None:
    report = parse("sessions_bad_header.csv")
    assert where(report.errors) == [(1, "session_name")]
    assert where(report.warnings) == [(1, "room")]
    assert records(report) == []


# --- rows ----------------------------------------------------------------------------------------------------------

def test_a_row_with_more_fields_than_the_header_is_an_error_on_its_line() -> None:
    report = parse("sessions_bad_width.csv")
    # Line 3: an unquoted comma (and the shifted value lands in the paper column); line 4: one field short.
    assert where(report.errors) == [(3, None), (3, PAPER), (4, PAPER)]
    assert "5 fields" in report.errors[0].message
    assert where(report.warnings) == [(4, None)]


def test_a_control_character_is_an_error_at_its_line_and_column() -> None:
    report = parse("sessions_bad_control.csv")
    assert where(report.errors) == [(3, "session_name")]
    assert report.errors[0].value == "History?4B"


@pytest.mark.parametrize(
    "booklet,errors",
    [
        ("b" * 19, []),
        ("b" * 20, []),
        ("b" * 21, [(2, "session_paperMode_bookletFilename")]),
        (" " + "b" * 20 + " ", []),  # measured after trimming
    ],
)
def test_a_field_longer_than_the_limit_is_an_error(booklet: str, errors: list[tuple[int, str]]) -> None:
    data = (
        "session_deliveryId,group_name,session_name,session_paperMode_isEnabled,"
        "session_paperMode_bookletFilename\n"
        f"d1,Class 1,History 1,0,{booklet}\n"
    ).encode()
    assert where(parse_file("long.csv", data, max_field_length=20).errors) == errors


def test_the_default_field_limit_is_ten_thousand_characters() -> None:
    row = "d1,Class 1,History {},0,{}\n"
    data = ("session_deliveryId,group_name,session_name,session_paperMode_isEnabled,notes\n"
            + row.format(1, "n" * 10_000) + row.format(2, "n" * 10_001)).encode()
    report = parse_file("long.csv", data)
    assert where(report.errors) == [(3, "notes")]
    assert "10,001" in report.errors[0].message


# --- kind ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "header,kind",
    [
        (["session_deliveryId", "group_name", "session_name", "session_paperMode_isEnabled"], "sessions"),
        (["session_batteryId", "group_name", "session_name"], "sessions"),
        (["user_username", "group_name", "group_role"], "enrolments"),
        (["user_username", "user_name", "user_password", "user_email", "user_language", "user_active",
          "group_role", "group_name", "user_organizationId"], "enrolments"),
        (["session_name", "user_username", "status", "started_at", "finished_at"], "activity"),
        (["Session_Name", "USER_USERNAME", "Status"], "activity"),
    ],
)
def test_the_kind_of_file_comes_from_its_header(header: list[str], kind: str) -> None:
    assert detect_kind(header) == kind


@pytest.mark.parametrize("header", [["name", "email", "phone"], [""], []])
def test_an_unknown_header_is_a_file_format_error(header: list[str]) -> None:
    with pytest.raises(FileFormatError, match="not a file scanready knows"):
        detect_kind(header)


@pytest.mark.parametrize(("header", "kind", "missing"), [
    ("user_username,group_name", "enrolments", "group_role"),
    ("user_username,group_role", "enrolments", "group_name"),
    ("user_username,status,started_at", "activity", "session_name"),
    ("session_name,user_username,started_at", "activity", "status"),
])
def test_a_partial_header_is_recognised_and_its_missing_column_named(header: str, kind: str, missing: str) -> None:
    report = parse_file("f.csv", f"{header}\n{','.join('x' for _ in header.split(','))}\n".encode())
    assert report.kind == kind
    assert (1, missing) in [(p.line, p.column) for p in report.errors]


@pytest.mark.parametrize(("text", "first"), [
    ("", ""), ("\n\n  \na,b\nc", "a,b"), ("x" * 200_000 + "\nb", "x" * 200_000), ("\n" * 300_000 + "a;b", "a;b"),
    ("a\rb", "a"), (" \n", ""),
])
def test_the_first_line_is_found_without_splitting_the_whole_file(text: str, first: str) -> None:
    from dashboard.ingest.reader import _first_line

    assert _first_line(text) == first
