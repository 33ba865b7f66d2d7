"""Bytes to reports: decoding, dialect, header, and the row rules of each kind of file.

``parse_files`` is the entry: it detects each file's kind from its header, applies that kind's rules
and the rules across files of one upload (a session name once). Pure: no database, no pandas,
no streamlit; the rules that need the store are in ``services``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from dashboard.config import MAX_FIELD_LENGTH, MAX_ROWS
from dashboard.errors import FileFormatError
from dashboard.ingest.activity import detect_source, parse_activity
from dashboard.ingest.enrolments import parse_enrolments
from dashboard.ingest.reader import read_table
from dashboard.ingest.report import FileReport, Kind, Problem
from dashboard.ingest.scans import is_pdf, looks_like_scan_log, parse_pdf, parse_scans
from dashboard.ingest.sessions import Upload, parse_sessions
from dashboard.ingest.values import DateOrder

__all__ = ["KIND_ORDER", "DateOrder", "FileReport", "Kind", "Problem", "Upload", "detect_kind", "parse_file",
           "parse_files"]

# Files of one upload are applied in this order, so an activity row or a scan may name a session of the same upload.
KIND_ORDER: dict[Kind | None, int] = {"sessions": 0, "enrolments": 1, "activity": 2, "scans": 3, "scan_pdf": 4,
                                      None: 5}


def detect_kind(header: Sequence[str]) -> Kind:
    """The kind of file a header belongs to, or FileFormatError naming what was expected."""
    if detect_source(header) is not None:
        return "activity"
    if looks_like_scan_log(header):
        return "scans"
    names = {name.strip().lower() for name in header}
    if "user_username" in names:
        return "enrolments"
    if any(name.startswith("session_") for name in names):
        return "sessions"
    # Two names at most: a link-new-user file without its header starts with username, name, password.
    shown = ", ".join(name for name in header[:2] if name)[:200]
    raise FileFormatError(
        "This is not a file scanready knows. Expected one of TAO's session templates, a link-user-to-groups "
        "file, TAO's activity exports (the Portal's session results, the results table, Data Explorer's delivery "
        "executions), scanready's activity file or a scan log; the header starts with: " + (shown or "(nothing)")
    )


def parse_file(name: str, data: bytes, *, max_field_length: int = MAX_FIELD_LENGTH, max_rows: int = MAX_ROWS,
               upload: Upload | None = None,
               date_order: DateOrder | None = None) -> FileReport:
    """One file's report; whole-file problems become its only error (line and column None). A file with errors
    keeps its valid records (``FileReport.drop_failed``) for the checks across files."""
    report = FileReport(file=name, sha256=hashlib.sha256(data).hexdigest())
    if is_pdf(name, data):
        parse_pdf(name, data, report)
        return report
    try:
        table = read_table(data, max_rows=max_rows)
        report.warnings.extend(table.warnings)
        report.header_line = table.header_line
        kind = detect_kind(table.header)
    except FileFormatError as exc:
        report.error(None, None, "", str(exc))
        return report
    if kind == "sessions":
        parse_sessions(table, report, max_field_length=max_field_length, upload=upload or Upload())
    elif kind == "enrolments":
        parse_enrolments(table, report, max_field_length=max_field_length)
    elif kind == "scans":
        parse_scans(table, report, max_field_length=max_field_length, date_order=date_order)
    else:
        source = detect_source(table.header)
        assert source is not None  # detect_kind said activity
        parse_activity(table, report, source=source, max_field_length=max_field_length, date_order=date_order)
    report.drop_failed()
    report.errors.sort(key=_order)
    report.warnings.sort(key=_order)
    return report


def parse_files(files: Sequence[tuple[str, bytes]], *, max_field_length: int = MAX_FIELD_LENGTH,
                max_rows: int = MAX_ROWS,
                date_order: DateOrder | None = None, before_each: Callable[[str, float], None] | None = None
                ) -> list[FileReport]:
    """Reports for every file of one upload; a session name may appear once in the whole upload.
    ``before_each(name, done)`` hears of each file before it is read, with the share of bytes already read."""
    upload, reports, done = Upload(), [], 0
    total = sum(len(data) for _, data in files) or 1
    for name, data in files:
        if before_each is not None:
            before_each(name, done / total)
        reports.append(parse_file(name, data, max_field_length=max_field_length, max_rows=max_rows, upload=upload,
                                  date_order=date_order))
        done += len(data)
    return reports


def _order(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, 0 if problem.column is None else 1)

