"""Scans received: a scanning centre's batch log (CSV) and the scanned session PDFs themselves.

    scans      session_name or booklet_filename (one of them), pages (whole, at least 1), received_at, optional
               batch_id: a batch of scanned pages of one session
    scan_pdf   a session's PDF: its pages counted (``pdf.pdf_pages``), its session found by its file name
               (``pdf.SessionMatcher``), received at the moment of the import

A batch is keyed within its session by its batch_id, by the SHA-256 of its PDF, or, without either, by the whole row:
re-importing the same rows or the same file changes nothing. ``parse_scans`` and ``parse_pdf`` check a file on its
own; ``place_scans`` and ``place_pdfs`` find the sessions (stored or in the same upload, which ``services`` gathers)
and read local times in the session's zone; ``refuse_repeated_batches`` finds a batch listed twice in an upload's
logs. Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dashboard.errors import FileFormatError
from dashboard.ingest.assign import KnownSession
from dashboard.ingest.pdf import SessionMatcher, page_limit_warning, pdf_pages
from dashboard.ingest.reader import Table
from dashboard.ingest.report import FileReport
from dashboard.ingest.rows import clean_columns, map_header, require_columns
from dashboard.ingest.values import (
    DateOrder,
    clock_change,
    clock_change_warning,
    parse_moment,
    parse_whole,
    slash_order,
)
from dashboard.wording import count, listing

COLUMNS = ("session_name", "booklet_filename", "pages", "received_at", "batch_id")
FIELDS = ("session_name", "batch_key", "pages", "received_at", "batch_id", "source", "file_name")
"""A stored batch: its session, its key within the session, pages, when received, and where it comes from."""
PDF_MAGIC = b"%PDF-"


def looks_like_scan_log(header: Sequence[str]) -> bool:
    names = {name.strip().lower() for name in header}
    return {"pages", "received_at"} <= names and bool(names & {"session_name", "booklet_filename"})


def is_pdf(name: str, data: bytes) -> bool:
    """A PDF by its name (an empty or broken one too), or by its first bytes: a file that starts with the marker
    (PDF readers accept it anywhere in the first KiB, but so would a CSV naming "%PDF-" in its first rows)."""
    return name.casefold().endswith(".pdf") or data[:1_024].lstrip()[:5] == PDF_MAGIC


def batch_key(batch_id: str, pages: int, received_at: datetime | None) -> str:
    """A batch's key within its session: its batch_id, else the whole row, its time as the log gives it: a local
    time (naive) as it reads on the wall, whatever the session's zone (so a corrected zone does not make the same
    batch another), a moment with an offset in UTC."""
    if batch_id:
        return f"batch:{batch_id}"
    moment = received_at.isoformat() if received_at is not None else ""
    return f"row:{pages}|{moment}"


def parse_scans(table: Table, report: FileReport, *, max_field_length: int, date_order: DateOrder | None) -> None:
    """Check each row of a scan log into ``report.columns`` (``COLUMNS``; received_at naive when local)."""
    positions = map_header(table, report, COLUMNS)
    require_columns(table, report, positions, [("session_name", "booklet_filename"), "pages", "received_at"])
    report.kind, report.template, report.fields = "scans", "scan-log", FIELDS
    texts = clean_columns(table, report, positions, max_field_length=max_field_length)
    report.rows = table.count
    if any(problem.line == table.header_line for problem in report.errors):
        return
    empty = [""] * table.count
    names, booklets = texts.get("session_name", empty), texts.get("booklet_filename", empty)
    pages: list[int | None] = []
    for i, value in enumerate(texts["pages"]):
        try:
            pages.append(parse_whole(value))
        except ValueError as exc:
            pages.append(None)
            report.error(table.lines[i], "pages", value, f"{value!r} {exc}: a batch has a whole number of pages.")
    order = date_order or slash_order(texts["received_at"]) or "dmy"
    moments: list[datetime | None] = []
    for i, value in enumerate(texts["received_at"]):
        try:
            moments.append(parse_moment(value, order)[0] if value else None)
        except ValueError as exc:
            moments.append(None)
            report.error(table.lines[i], "received_at", value, f"{value!r} {exc}.")
        if not value:
            report.error(table.lines[i], "received_at", "", "received_at is empty; every batch says when it came.")
    for i in [i for i, (name, booklet) in enumerate(zip(names, booklets, strict=True)) if not name and not booklet]:
        column = "session_name" if "session_name" in positions else "booklet_filename"
        report.error(table.lines[i], column, "", "The row names no session: give its session_name or its "
                     "booklet_filename.")
    report.columns = {"session_name": list(names), "booklet_filename": list(booklets), "pages": pages,
                      "received_at": moments, "batch_id": list(texts.get("batch_id", empty))}
    report.lines = list(table.lines)


def parse_pdf(name: str, data: bytes, report: FileReport) -> None:
    """A scanned PDF: one batch of its page count (the session and the moment are set when it is placed)."""
    report.kind, report.template, report.fields, report.rows = "scan_pdf", "scanned-pdf", FIELDS, 1
    try:
        pages = pdf_pages(data)
    except FileFormatError as exc:
        report.error(None, None, "", str(exc))
        return
    if (warning := page_limit_warning(pages)) is not None:
        report.warn(None, None, str(pages), warning)
    report.columns = {"pages": [pages], "file_name": [name]}
    report.lines = [1]


def place_scans(report: FileReport, sessions: Mapping[str, KnownSession],
                booklets: Mapping[str, Sequence[str]]) -> None:
    """Give each row of a valid scan log its session (by name, else by booklet: an unknown one is an error at its
    line and column), read local times in that session's zone, and key each batch."""
    c = report.columns
    names: list[str] = []
    for i, (name, booklet) in enumerate(zip(c["session_name"], c["booklet_filename"], strict=True)):
        names.append(_session_of(report, i, name, booklet, sessions, booklets))
    local, moved = 0, []
    keys: list[str] = []
    for i, (moment, batch, pages) in enumerate(zip(c["received_at"], c["batch_id"], c["pages"], strict=True)):
        keys.append(batch_key(batch, pages or 0, moment))
        if not names[i] or moment is None:
            continue
        zone_name = sessions[names[i]].timezone
        zone = ZoneInfo(zone_name) if zone_name else UTC
        if moment.tzinfo is None:
            local += 1
            in_zone = moment.replace(tzinfo=zone)
            c["received_at"][i] = in_zone.astimezone(UTC)
            if clock_change(in_zone):
                moved.append(i)
            other = c["received_at"][i]
        else:
            other = moment.astimezone(zone).replace(tzinfo=None)
        if not batch:
            report.alternates[report.lines[i]] = batch_key(batch, pages or 0, other)
    if local:
        report.warn(None, "received_at", "", f"{count(local, 'time has', 'times have')} no time zone; each was read "
                    "in its session's time zone (session_timezone, UTC when it has none).")
    if moved:
        report.warn(report.lines[moved[0]], "received_at", "", clock_change_warning(len(moved)))
    report.columns = {"session_name": names, "batch_key": keys, "pages": c["pages"], "received_at": c["received_at"],
                      "batch_id": [b or None for b in c["batch_id"]], "source": ["log"] * len(names),
                      "file_name": [report.file] * len(names)}
    report.drop_failed()


def refuse_repeated_batches(logs: Sequence[FileReport]) -> None:
    """A batch is listed once in an upload's logs (placed by ``place_scans``): a later row of the same session with
    the same batch_id, or without one the same pages and time, in the same log or another, is an error at its line.
    Two such rows cannot be told apart (one batch logged twice would count its pages twice, two batches made one
    would lose some; of two files, which is right), so the manager says which."""
    first: dict[tuple[str, str], tuple[FileReport, int]] = {}
    for report in logs:
        c = report.columns
        for i, key in enumerate(zip(c["session_name"], c["batch_key"], strict=True)):
            here = (report, report.lines[i])
            other = report.alternates.get(report.lines[i])  # the same time read the other way (local or fixed)
            seen, line = first.get(key) or (first.get((key[0], other)) if other else None) or here
            first.setdefault(key, here)
            if other:
                first.setdefault((key[0], other), here)
            if line == report.lines[i] and seen is report:
                continue
            where = f"line {line}" if seen is report else f"{seen.file}, line {line}"
            batch = c["batch_id"][i] or ""
            if batch:
                message = f"Batch {batch!r} of session {key[0]!r} is already on {where}: list each batch once."
            else:
                message = (f"This row repeats {where}: the same session ({key[0]!r}), pages and received_at, without "
                           "a batch_id. List each batch once, or give the two batches their batch_id.")
            report.error(report.lines[i], "batch_id", batch, message)


def _session_of(report: FileReport, i: int, name: str, booklet: str, sessions: Mapping[str, KnownSession],
                booklets: Mapping[str, Sequence[str]]) -> str:
    line = report.lines[i]
    if name:
        if name in sessions and sessions[name].paper:
            return name
        report.error(line, "session_name", name, f"The session {name!r} is not on paper (its "
                     "session_paperMode_isEnabled is off): it has no sheets to scan. Correct the name, or import "
                     "its session file with paper mode on first." if name in sessions else
                     f"No session is named {name!r}: import its session file first, or correct the name.")
        return ""
    found = booklets.get(booklet, ())
    if len(found) == 1:
        return found[0]
    message = (f"No paper session has the booklet {booklet!r}." if not found else
               f"The booklet {booklet!r} is the booklet of several sessions ({listing(sorted(found))}): give the "
               "row's session_name instead.")
    report.error(line, "booklet_filename", booklet, message)
    return ""


def place_pdfs(reports: Sequence[FileReport], matcher: SessionMatcher, received_at: datetime) -> None:
    """Give each valid PDF its session by its file name (an error naming the file when none or several match), the
    moment of the import, and its key (the file's SHA-256)."""
    for report in reports:
        if not report.valid:
            continue
        match = matcher.match(report.file)
        if match.session is None:
            report.error(None, None, report.file, match.message() or "")
            report.keep([])
            continue
        report.columns = {"session_name": [match.session], "batch_key": [f"pdf:{report.sha256}"],
                          "pages": report.columns["pages"], "received_at": [received_at], "batch_id": [None],
                          "source": ["pdf"], "file_name": [report.file]}
