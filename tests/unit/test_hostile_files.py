"""Hostile and odd files against the rule "bad input gets a message naming file, line, column and value, and changes
nothing in the store": the services API (``validate_files``, ``import_files``) and the ``scanready`` CLI (exit 0
valid, 1 invalid and nothing stored, 2 usage; never a Python traceback).

Tests marked ``xfail(strict=True)`` pin a bug found while writing them: each says what should happen instead.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import available_timezones

import pytest
from sqlmodel import Session

from dashboard import services
from dashboard.cli import main
from dashboard.config import Settings
from dashboard.db import make_engine, migrate
from dashboard.ingest import FileReport, Problem
from tests.factories import ACTIVITY, PAPER, activity_csv, csv_bytes, links_csv, pdf_bytes, records, scans_csv, session

SCRIPT = Path(sys.executable).with_name("scanready")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "dashboard.cli"]
NOW = datetime(2028, 6, 20, tzinfo=UTC)
SHEETS = "session_paperMode_sheetsPerInteraction"
TABLES = ("exam_session", "group_link", "activity", "scan_batch", "import_record", "import_file")
LINKS_HEADER = b"user_username,group_name,group_role\n"


# --- helpers ------------------------------------------------------------------------------------------------------

def sessions_file(*rows: dict[str, str]) -> bytes:
    return csv_bytes(PAPER, rows or [session("History 4A")])


def validate(*files: tuple[str, bytes], db: Session | None = None) -> services.Validation:
    return services.validate_files(list(files), settings=Settings(), db=db, now=NOW)


def only_report(*files: tuple[str, bytes], db: Session | None = None) -> FileReport:
    validation = validate(*files, db=db)
    return validation.reports[-1]


def where(problems: list[Problem]) -> list[tuple[int | None, str | None, str]]:
    return [(p.line, p.column, p.value) for p in problems]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Session, Path]]:
    """A migrated SQLite store holding History 4A (Class 4A, Europe/Brussels) and Maths 4B (Class 4B,
    America/New_York), each with one test-taker."""
    path = tmp_path / "s.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as db:
        outcome = services.import_files([
            ("s.csv", sessions_file(session("History 4A"),
                                    session("Maths 4B", group="Class 4B", session_timezone="America/New_York"))),
            ("l.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4B", "TEST_TAKER"))),
        ], db=db, settings=Settings(), now=NOW)
        assert outcome.validation.valid, outcome.validation.to_dict()
        db.commit()
        yield db, path
    engine.dispose()


def counts(path: Path) -> dict[str, int]:
    """Rows per table of a SQLite store, read with sqlite3."""
    connection = sqlite3.connect(path)
    try:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
    finally:
        connection.close()


def cli(*args: str | Path) -> tuple[int | None, str, str, BaseException | None]:
    """``scanready`` in-process: exit code, stdout, stderr, and the exception that would be a traceback."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(arg) for arg in args])
    except Exception as exc:  # what the console script would print as a traceback
        return None, out.getvalue(), err.getvalue(), exc
    return code, out.getvalue(), err.getvalue(), None


def script(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SCANREADY_DATABASE_URL"}
    return subprocess.run([*COMMAND, *map(str, args)], cwd=cwd, env=environment, capture_output=True, text=True,
                          errors="replace", timeout=120, check=False)


# --- reading: encodings, line ends, delimiters ---------------------------------------------------------------------

GOOD = sessions_file(session("Histoire é"))


@pytest.mark.parametrize(("data", "warned"), [
    (codecs.BOM_UTF8 + GOOD, None),
    (GOOD.decode().encode("utf-16"), "UTF-16"),
    (codecs.BOM_UTF16_BE + GOOD.decode().encode("utf-16-be"), "UTF-16"),
    (GOOD.decode().encode("cp1252"), "Windows-1252"),
    (GOOD.replace(b"\n", b"\r"), None),
    (GOOD.replace(b"\n", b"\r\n", 1), None),
], ids=["utf8-bom", "utf16-le-bom", "utf16-be-bom", "cp1252", "lone-cr", "mixed-line-ends"])
def test_encodings_and_line_ends_are_read_without_mangling(data: bytes, warned: str | None) -> None:
    report = only_report(("s.csv", data))
    assert report.valid, report.to_dict()
    assert records(report)[0]["session_name"] == "Histoire é"
    assert [w.message for w in report.warnings if warned and warned in w.message] if warned else not report.warnings


@pytest.mark.parametrize(("delimiter", "word"), [(b";", "semicolon"), (b"\t", "tab")])
def test_semicolons_and_tabs_are_read_with_a_warning(delimiter: bytes, word: str) -> None:
    data = LINKS_HEADER.replace(b",", delimiter) + delimiter.join([b"ana", b"Class 4A", b"TEST_TAKER"]) + b"\n"
    report = only_report(("l.csv", data))
    assert report.valid and records(report) == [{"group_name": "Class 4A", "user_username": "ana",
                                                 "group_role": "TEST_TAKER"}]
    assert where(report.warnings) == [(1, None, word)]


def test_a_pipe_delimited_file_is_refused_on_its_header_line() -> None:
    report = only_report(("s.csv", GOOD.replace(b",", b"|")))
    assert not report.valid and report.count == 0
    assert {(p.line, p.column) for p in report.errors} >= {(1, "session_name"), (1, "group_name")}


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_a_quoted_newline_keeps_physical_line_numbers(newline: bytes) -> None:
    data = (LINKS_HEADER + b'"ana\nsecond line",Class 4A,TEST_TAKER\nbo,Class 4A,TEACHER\n').replace(b"\n", newline)
    report = only_report(("l.csv", data))
    assert where(report.errors) == [(4, "group_role", "TEACHER")]


def test_blank_lines_count_for_line_numbers() -> None:
    report = only_report(("l.csv", b"\n\n" + LINKS_HEADER + b"ana,Class 4A,TEST_TAKER\n\n   \nbo,Class 4A,BAD\n"))
    assert where(report.errors) == [(7, "group_role", "BAD")]


@pytest.mark.parametrize("data", [
    b"", b"\n\r\n  \t\n", GOOD.split(b"\n")[0], GOOD.split(b"\n")[0] + b"\n\n\n",
    b"label,login,password\nAna,ana,secret\n",  # TAO's test-taker export: valid TAO CSV of another kind
    b"\x81\x8d\x8f\x90\x9d",  # neither UTF-8 nor Windows-1252
    LINKS_HEADER.decode().encode("utf-16-le") + "ana,G,TEST_TAKER\n".encode("utf-16-le"),  # UTF-16 without a BOM
    b"PK\x03\x04" + bytes(64),
], ids=["empty", "blank-lines", "header-no-newline", "header-and-blanks", "unknown-kind",
        "not-text", "utf16-no-bom", "workbook"])
def test_whole_file_problems_are_one_error_and_nothing_kept(data: bytes) -> None:
    report = only_report(("x.csv", data))
    assert not report.valid and report.count == 0
    assert len(report.errors) == 1 and report.errors[0].line is None and report.errors[0].message


def test_an_invisible_character_in_a_header_name_is_caught_on_the_header() -> None:
    report = only_report(("s.csv", b"\xe2\x80\x8b" + GOOD))
    assert (1, "session_deliveryId", "") in where(report.errors)
    assert report.count == 0


def test_more_fields_is_an_error_fewer_is_a_warning() -> None:
    report = only_report(("l.csv", LINKS_HEADER + b"ana,Class 4A,TEST_TAKER,oops\nbo,Class 4A\n"))
    assert where(report.errors)[0] == (2, None, "oops")
    assert (3, None, "") in where(report.warnings)


def test_a_column_twice_in_another_case_is_an_error_on_the_header() -> None:
    report = only_report(("s.csv", GOOD.replace(b"group_name", b"group_name, Session_Name ", 1)))
    assert (1, "session_name", "session_name") in where(report.errors)
    assert report.count == 0


def test_a_nul_byte_is_an_error_at_its_line_and_column() -> None:
    report = only_report(("l.csv", LINKS_HEADER + b"ana,Class 4A,TEST_TAKER\nbo\x00,Class 4A,TEST_TAKER\n"))
    assert where(report.errors) == [(3, "user_username", "bo?")]


def test_formula_looking_values_are_kept_as_text() -> None:
    report = only_report(("l.csv", LINKS_HEADER + b"=cmd|' /C calc'!A0,Class 4A,TEST_TAKER\n+1,@G,TEST_TAKER\n"))
    assert report.valid
    assert [(r["user_username"], r["group_name"]) for r in records(report)] == [("=cmd|' /C calc'!A0", "Class 4A"),
                                                                              ("+1", "@G")]


# --- values --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "number"), [("2", 2), ("2.0", 2), (" 2 ", 2), ("+2", 2)])
def test_whole_numbers_accepted(text: str, number: int) -> None:
    report = only_report(("s.csv", sessions_file(session("History 4A", **{SHEETS: text}))))
    assert report.valid and records(report)[0]["sheets_per_interaction"] == number


@pytest.mark.parametrize("text", ["1e3", "-1", "0", "2.5", "0x10", "1_000", "²", "two"])
def test_whole_numbers_refused_at_line_column_value(text: str) -> None:
    report = only_report(("s.csv", sessions_file(session("History 4A", **{SHEETS: text}))))
    assert where(report.errors) == [(2, SHEETS, text)]


@pytest.mark.parametrize("text", ["٣", "１", "𝟐"], ids=["arabic-indic", "fullwidth", "math-bold"])
def test_non_ascii_digits_are_not_whole_numbers(text: str) -> None:
    report = only_report(("s.csv", sessions_file(session("History 4A", **{SHEETS: text}))))
    assert where(report.errors) == [(2, SHEETS, text)]


def test_non_ascii_digits_are_not_a_date() -> None:
    text = "٢٠٢٨-٠٦-١٢T07:00:00Z"
    report = only_report(("s.csv", sessions_file(session("History 4A", session_startDate=text))))
    assert where(report.errors) == [(2, "session_startDate", text)]


@pytest.mark.parametrize("text", [
    "2027-02-30T08:00:00Z", "2028-06-12T24:00:00Z", "2028-06-12T23:59:60Z", "10000-01-01T00:00:00Z", "1844589600",
    "2028-06-12T08:00:00+25:00", "2028-06-12t08:00:00Z", "12/06/2028 08:00", "2028-06-12", "0001-01-01T00:00:00+01:00",
])
def test_impossible_or_foreign_dates_are_refused(text: str) -> None:
    row = session("History 4A", session_startDate=text, session_endDate="", session_submissionDate="")
    report = only_report(("s.csv", sessions_file(row)))
    assert where(report.errors) == [(2, "session_startDate", text)]


@pytest.mark.parametrize(("text", "utc"), [
    ("2028-06-12T08:00:00+14:00", datetime(2028, 6, 11, 18, tzinfo=UTC)),
    ("2028-06-12T08:00:00-12:00", datetime(2028, 6, 12, 20, tzinfo=UTC)),
    ("2028-06-12T08:00:00z", datetime(2028, 6, 12, 8, tzinfo=UTC)),
])
def test_extreme_offsets_and_lowercase_z(text: str, utc: datetime) -> None:
    row = session("History 4A", session_startDate=text, session_endDate="", session_submissionDate="")
    report = only_report(("s.csv", sessions_file(row)))
    assert report.valid and records(report)[0]["start_date"] == utc


@pytest.mark.parametrize(("zone", "valid"), [("UTC", True), ("Etc/GMT+5", True), ("europe/paris", False),
                                             ("Europe/Paris/", False), ("../../etc/passwd", False), ("+01:00", False)])
def test_time_zones(zone: str, valid: bool) -> None:
    report = only_report(("s.csv", sessions_file(session("History 4A", session_timezone=zone))))
    assert report.valid is valid
    assert valid or where(report.errors) == [(2, "session_timezone", zone)]


@pytest.mark.skipif("localtime" not in available_timezones(), reason="no 'localtime' zone on this system")
def test_localtime_is_not_an_iana_zone() -> None:
    report = only_report(("s.csv", sessions_file(session("History 4A", session_timezone="localtime"))))
    assert where(report.errors) == [(2, "session_timezone", "localtime")]


# --- header fields escape the field rules --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["note\x00", "note\x1b[31m"], ids=["nul", "escape"])
def test_a_control_character_in_a_header_name_is_an_error(name: str) -> None:
    row = dict(session("History 4A"), **{name: "x"})
    report = only_report(("s.csv", csv_bytes([*PAPER, name], [row])))
    assert not report.valid
    assert report.errors[0].line == 1


def test_an_over_long_header_name_is_an_error() -> None:
    name = "n" * 20_000
    report = only_report(("s.csv", csv_bytes([*PAPER, name], [dict(session("History 4A"), **{name: "x"})])))
    assert not report.valid and report.errors[0].line == 1


def test_a_c1_control_character_is_an_error() -> None:
    report = only_report(("s.csv", sessions_file(session("History\u009b4A"))))
    assert (2, "session_name", "History?4A") in where(report.errors)


# --- PDFs ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"), (b"hello, this is text\n", "not a PDF"), (pdf_bytes(2)[:-40], "incomplete"),
    (pdf_bytes(1, password=""), "encrypted"), (pdf_bytes(0), "no pages"), (b"%PDF-1.7\n%%EOF\n", "damaged"),
    (sessions_file(), "not a PDF"),
], ids=["empty", "text", "cut-short", "encrypted", "no-pages", "no-body", "csv-named-pdf"])
def test_bad_pdfs_are_refused_and_nothing_is_stored(store, data: bytes, words: str) -> None:
    db, path = store
    before = counts(path)
    outcome = services.import_files([("booklet-history-4a.pdf", pdf_bytes(3)), ("booklet-maths-4b.pdf", data)],
                                    db=db, settings=Settings(), now=NOW)
    db.commit()
    report = outcome.validation.reports[1]
    assert outcome.import_id is None and not report.valid
    assert report.errors[0].line is None and words in report.errors[0].message
    assert counts(path) == before


def test_a_csv_mentioning_pdf_magic_is_still_a_csv() -> None:
    report = only_report(("s.csv", sessions_file(session("Report %PDF-2"))))
    assert report.kind == "sessions" and report.valid


# --- across files and against the store ----------------------------------------------------------------------------

def test_a_session_in_two_files_is_an_error_in_the_second() -> None:
    validation = validate(("a.csv", sessions_file()), ("b.csv", sessions_file(session("Maths 4B"),
                                                                               session("History 4A"))))
    assert validation.reports[0].valid
    assert where(validation.reports[1].errors) == [(3, "session_name", "History 4A")]


def test_one_batch_by_name_and_by_booklet_is_an_error(store) -> None:
    db, _ = store
    log = scans_csv({"session_name": "History 4A", "pages": "5", "received_at": "2028-06-14T10:00:00Z"},
                    {"booklet_filename": "booklet-history-4a", "pages": "5",
                     "received_at": "2028-06-14T12:00:00+02:00"})
    report = only_report(("log.csv", log), db=db)
    assert where(report.errors) == [(3, "batch_id", "")]


def test_a_refused_upload_of_several_kinds_changes_nothing(store, tmp_path) -> None:
    _, path = store
    files = {"s.csv": sessions_file(session("History 4A", **{SHEETS: "3"}), session("Art 4C", group="Class 4C")),
             "l.csv": links_csv(("cy", "Class 4C", "TEST_TAKER")),
             "a.csv": activity_csv(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")),
             "log.csv": scans_csv({"session_name": "History 4A", "pages": "4", "received_at": "2028-06-14T10:00:00Z"}),
             "bad.csv": csv_bytes(ACTIVITY, [{"session_name": "History 4A", "user_username": "ana",
                                              "status": "finished", "started_at": "2028-06-12T07:01:00Z",
                                              "finished_at": "2028-06-12T06:00:00Z"}])}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    before = counts(path)
    code, out, _, exc = cli("import", *(tmp_path / name for name in files), "--db", f"sqlite:///{path}", "--json")
    assert exc is None and code == 1
    assert counts(path) == before
    assert "imported" not in out


@pytest.mark.parametrize("kind", ["scans", "activity"])
def test_a_local_time_at_the_end_of_time_is_an_error(store, kind: str) -> None:
    db, _ = store
    text = "9999-12-31 23:59:00"
    if kind == "scans":
        data, column = scans_csv({"session_name": "Maths 4B", "pages": "3", "received_at": text}), "received_at"
    else:
        data, column = activity_csv(("Maths 4B", "bo", "finished", "2028-06-12 08:00", text)), "finished_at"
    report = only_report((f"{kind}.csv", data), db=db)
    assert where(report.errors) == [(2, column, text)]


def test_a_finish_before_its_start_in_local_time_quotes_the_files_value(store) -> None:
    db, _ = store
    data = activity_csv(("Maths 4B", "bo", "finished", "2028-06-12 10:00:00", "2028-06-12T09:00:00Z"))
    report = only_report(("a.csv", data), db=db)
    assert where(report.errors) == [(2, "finished_at", "2028-06-12T09:00:00Z")]  # as written, not in UTC
    assert "(2028-06-12 10:00:00) once read in the session's time zone" in report.errors[0].message


def test_the_quoted_times_follow_their_line_past_rows_already_refused(store) -> None:
    db, _ = store
    data = activity_csv(("Maths 4B", "ana", "no such status", "2028-06-12T08:00:00Z", ""),  # line 2: refused
                        ("Maths 4B", "bo", "finished", "2028-06-12 10:00:00", "2028-06-12T09:00:00Z"),
                        ("Maths 4B", "cy", "finished", "2028-06-12 07:00:00", "2028-06-12T09:30:00+02:00"))  # 11:00Z
    report = only_report(("a.csv", data), db=db)
    assert sorted(where(report.errors)) == [(2, "status", "no such status"), (3, "finished_at", "2028-06-12T09:00:00Z"),
                                            (4, "finished_at", "2028-06-12T09:30:00+02:00")]


@pytest.mark.parametrize("number", ["99999999999999999999", "9223372036854775808"])
def test_a_huge_page_count_is_refused_not_a_crash(store, number: str) -> None:
    db, path = store
    before = counts(path)
    log = scans_csv({"session_name": "History 4A", "pages": number, "received_at": "2028-06-14T10:00:00Z"})
    try:
        outcome = services.import_files([("log.csv", log)], db=db, settings=Settings(), now=NOW)
    finally:
        db.rollback()
    assert where(outcome.validation.reports[0].errors) == [(2, "pages", number)]
    assert counts(path) == before


def test_huge_but_storable_counts_do_not_break_later_commands(tmp_path) -> None:
    top = str(2**63 - 1)
    (tmp_path / "s.csv").write_bytes(sessions_file(session("History 4A", **{
        SHEETS: top, "session_paperMode_totalInteractions": top})))
    (tmp_path / "l.csv").write_bytes(links_csv(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER")))
    url = f"sqlite:///{tmp_path / 'big.db'}"
    code, out, _, exc = cli("import", tmp_path / "s.csv", tmp_path / "l.csv", "--db", url)
    assert exc is None and code == 1  # refused at its line: no later command meets them
    assert f"line 2, {SHEETS}: '{top}' must be at most 1,000,000" in out, out


def test_a_date_at_the_end_of_time_does_not_break_readiness(tmp_path) -> None:
    (tmp_path / "s.csv").write_bytes(sessions_file(session("History 4A", session_timezone="Asia/Tokyo",
                                                           session_paperMode_scanUploadEndDate="9999-12-31T23:59:59Z")))
    url = f"sqlite:///{tmp_path / 'y.db'}"
    code, out, _, exc = cli("import", tmp_path / "s.csv", "--db", url)
    assert exc is None and code == 1  # refused at its line: no later command meets it
    assert "is outside the range of years a date can be in (1900 to 2999)" in out, out


def test_a_long_scan_window_does_not_break_the_report(tmp_path) -> None:
    (tmp_path / "s.csv").write_bytes(sessions_file(session(
        "History 4A", session_paperMode_scanUploadEndDate="2042-06-27T18:00:00Z")))
    (tmp_path / "l.csv").write_bytes(links_csv(("ana", "Class 4A", "TEST_TAKER")))
    url = f"sqlite:///{tmp_path / 'w.db'}"
    code, _, _, exc = cli("import", tmp_path / "s.csv", tmp_path / "l.csv", "--db", url)
    assert exc is None and code == 0  # a long window is no error: a manager may mean it
    code, _, _, exc = cli("report", "--db", url, "--output", tmp_path / "r.html", "--as-of", "2028-06-20T00:00:00Z")
    assert exc is None and code == 0
    assert "<svg" in (tmp_path / "r.html").read_text(encoding="utf-8")


# --- the console script --------------------------------------------------------------------------------------------

HOSTILE = {
    "empty.csv": b"",
    "random.csv": random.Random(3).randbytes(2048),
    "nul.csv": LINKS_HEADER + b"ana\x00,Class 4A,TEST_TAKER\n",
    "quote.csv": LINKS_HEADER + b'"ana,Class 4A,TEST_TAKER\nbo,Class 4A,TEST_TAKER\n',
    "fake.pdf": b"%PDF-1.7\nnot really\n%%EOF\n",
    "dates.csv": sessions_file(session("History 4A", session_startDate="2028-02-30T08:00:00Z")),
}


def test_the_script_refuses_hostile_files_without_traceback(store, tmp_path) -> None:
    _, path = store
    for name, data in HOSTILE.items():
        (tmp_path / name).write_bytes(data)
    before = counts(path)
    for command in ("validate", "import"):
        result = script(command, *HOSTILE, "--db", f"sqlite:///{path}", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        for name in HOSTILE:
            assert name in result.stdout
    assert counts(path) == before


@pytest.mark.parametrize("command", [["validate", "--json"], ["import", "--db", "sqlite:///{tmp}/n.db"]],
                         ids=["validate-json", "import"])
def test_a_file_name_that_is_not_utf8_is_no_traceback(tmp_path, command: list[str]) -> None:
    name = os.fsdecode(b"bad\xff.csv")
    (tmp_path / name).write_bytes(sessions_file())
    code, _, _, exc = cli(command[0], tmp_path / name, *(arg.format(tmp=tmp_path) for arg in command[1:]))
    assert exc is None and code == 0


def test_the_service_never_raises_on_mutated_files(store) -> None:
    """A small seeded fuzz of every kind: validate_files returns a report for each file, never an exception."""
    db, _ = store
    seeds = [sessions_file(), links_csv(("ana", "Class 4A", "TEST_TAKER")),
             activity_csv(("History 4A", "ana", "finished", "12/06/2028 09:00", "2028-06-12T10:00:00Z")),
             b"login,sessionStartTime,sessionEndTime,deliveryId\nana,1844589600,0.5 1844599600,history\n",
             scans_csv({"booklet_filename": "booklet-history-4a", "pages": "2", "received_at": "1844589600123"})]
    tokens = ["", ",", ";", '"', "\n", "\r", "\x00", "٣", "-1", "1e3", "+25:00", "History 4A", "TEST_TAKER", "=1",
              "session_name", "pages", "\ufeff", "\xff", "31/12/2028 23:59"]
    rnd = random.Random(11)
    for _ in range(300):
        data = rnd.choice(seeds).decode()
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randint(0, len(data))
            data = data[:at] + rnd.choice(tokens) + data[at + rnd.randint(0, 6):]
        validation = validate(("f.csv", data.encode()), db=db)
        report = validation.reports[0]
        assert report.valid or report.errors[0].message
        db.rollback()
