"""Bytes to reports: decoding, dialect, header, and the row rules of each kind of file.

``parse_files`` is the entry: it detects each file's kind from its header, applies that kind's rules
and the rules across files of one upload (a session name once). Pure: no database, no pandas,
no streamlit; the rules that need the store are in ``services``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from dashboard.errors import FileFormatError
from dashboard.ingest.activity import parse_activity
from dashboard.ingest.enrolments import parse_enrolments
from dashboard.ingest.reader import read_table
from dashboard.ingest.report import FileReport, Kind, Problem
from dashboard.ingest.sessions import Upload, parse_sessions

__all__ = ["KIND_ORDER", "FileReport", "Kind", "Problem", "Upload", "detect_kind", "parse_file", "parse_files"]

# Files of one upload are applied in this order, so an activity row may name a session of the same upload.
KIND_ORDER: dict[Kind | None, int] = {"sessions": 0, "enrolments": 1, "activity": 2, None: 3}


def detect_kind(header: Sequence[str]) -> Kind:
    """The kind of file a header belongs to, or FileFormatError naming what was expected."""
    names = {name.strip().lower() for name in header}
    if "user_username" in names:  # a user per line: a link file or an activity export, whichever it resembles
        activity = len(names & {"session_name", "status", "started_at", "finished_at"})
        links = len(names & {"group_name", "group_role", "user_password", "user_name", "user_email"})
        return "activity" if activity > links else "enrolments"
    if any(name.startswith("session_") for name in names):
        return "sessions"
    # Two names at most: a link-new-user file without its header starts with username, name, password.
    shown = ", ".join(name for name in header[:2] if name)[:200]
    raise FileFormatError(
        "This is not a file scanready knows. Expected one of TAO's session templates, a "
        "link-user-to-groups file or an activity export; the header starts with: " + (shown or "(nothing)")
    )


def parse_file(name: str, data: bytes, *, max_field_length: int = 10_000, max_rows: int = 2_000_000,
               upload: Upload | None = None) -> FileReport:
    """One file's report; whole-file problems become its only error (line and column None)."""
    report = FileReport(file=name, sha256=hashlib.sha256(data).hexdigest())
    try:
        table = read_table(data, max_rows=max_rows)
        report.warnings.extend(table.warnings)
        kind = detect_kind(table.header)
    except FileFormatError as exc:
        report.error(None, None, "", str(exc))
        return report
    upload = upload or Upload()
    if kind == "sessions":
        parse_sessions(table, report, max_field_length=max_field_length, upload=upload)
    elif kind == "enrolments":
        parse_enrolments(table, report, max_field_length=max_field_length)
    else:
        parse_activity(table, report, max_field_length=max_field_length)
    report.errors.sort(key=_order)
    report.warnings.sort(key=_order)
    return report


def parse_files(files: Sequence[tuple[str, bytes]], *, max_field_length: int = 10_000,
                max_rows: int = 2_000_000, before_each: Callable[[str, float], None] | None = None
                ) -> list[FileReport]:
    """Reports for every file of one upload; a session name may appear once in the whole upload.
    ``before_each(name, done)`` hears of each file before it is read, with the share of bytes already read."""
    upload, reports, done = Upload(), [], 0
    total = sum(len(data) for _, data in files) or 1
    for name, data in files:
        if before_each is not None:
            before_each(name, done / total)
        reports.append(parse_file(name, data, max_field_length=max_field_length, max_rows=max_rows, upload=upload))
        done += len(data)
    return reports


def _order(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, 0 if problem.column is None else 1)

