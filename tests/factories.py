"""CSV builders for tests: TAO session templates, link files and activity exports, as bytes.

Rows are dicts of column -> text; ``csv_bytes`` quotes what needs quoting (settings lists, commas,
newlines), so a test states values, not CSV syntax. Deterministic: no clock, no randomness.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from dashboard import store
from dashboard.ingest import FileReport
from models import ExamSession

# sessions-with-delivery-in-new-groups.csv, in TAO's order, plus the paper columns.
NEW_GROUPS = (
    "session_deliveryId", "group_name", "group_description", "group_active", "session_name", "session_timezone",
    "session_startDate", "session_endDate", "session_submissionDate", "session_waitingPageDate",
    "session_securitySettings", "session_reviewSettings", "session_testRunnerAccessibilityPlugins",
    "session_testRunnerSessionPlugins", "session_reportSettings", "session_readAloud", "group_organizationId",
    "session_paperMode_isEnabled", "session_paperMode_sheetsPerInteraction", "session_paperMode_totalInteractions",
    "session_paperMode_bookletFilename", "session_paperMode_scanUploadStartDate",
    "session_paperMode_scanUploadEndDate",
)
NEW_GROUP_ONLY = ("group_description", "group_active", "group_organizationId")
EXISTING_GROUPS = tuple(name for name in NEW_GROUPS if name not in NEW_GROUP_ONLY)
# The columns of the CLI contract's sample: a short existing-groups file.
PAPER = (
    "session_deliveryId", "group_name", "session_name", "session_timezone", "session_startDate", "session_endDate",
    "session_submissionDate", "session_paperMode_isEnabled", "session_paperMode_sheetsPerInteraction",
    "session_paperMode_totalInteractions", "session_paperMode_bookletFilename",
    "session_paperMode_scanUploadStartDate", "session_paperMode_scanUploadEndDate",
)
LINKS = ("user_username", "group_name", "group_role")
ACTIVITY = ("session_name", "user_username", "status", "started_at", "finished_at")


def session(name: str, group: str = "Class 4A", **values: str) -> dict[str, str]:
    """A valid paper session row; ``values`` override any column by its CSV name."""
    row = {
        "session_deliveryId": "https://tao.example.org/delivery/history",
        "group_name": group,
        "group_description": f"Pupils of {group}",
        "group_active": "TRUE",
        "session_name": name,
        "session_timezone": "Europe/Brussels",
        "session_startDate": "2028-06-12T07:00:00Z",
        "session_endDate": "2028-06-12T10:00:00Z",
        "session_submissionDate": "2028-06-12T11:00:00Z",
        "session_waitingPageDate": "2028-06-12T06:30:00Z",
        "session_securitySettings": "requireFullscreen,preventScreenshot",
        "session_reviewSettings": "",
        "session_testRunnerAccessibilityPlugins": "",
        "session_testRunnerSessionPlugins": "",
        "session_reportSettings": "",
        "session_readAloud": "",
        "group_organizationId": "",
        "session_paperMode_isEnabled": "1",
        "session_paperMode_sheetsPerInteraction": "1",
        "session_paperMode_totalInteractions": "6",
        "session_paperMode_bookletFilename": f"booklet-{name.lower().replace(' ', '-')}",
        "session_paperMode_scanUploadStartDate": "2028-06-13T06:00:00.000Z",
        "session_paperMode_scanUploadEndDate": "2028-06-27T18:00:00.000Z",
    }
    row.update(values)
    return row


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, str]], *, newline: str = "\n") -> bytes:
    """A CSV file with ``columns`` as header; a column a row lacks is written empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    return buffer.getvalue().encode()


def sessions_csv(*rows: Mapping[str, str], columns: Sequence[str] = NEW_GROUPS) -> bytes:
    return csv_bytes(columns, rows)


def links_csv(*links: tuple[str, str, str]) -> bytes:
    """A link-existing-user-to-groups file from (user, group, role) triples."""
    return csv_bytes(LINKS, (dict(zip(LINKS, link, strict=True)) for link in links))


def activity_csv(*rows: tuple[str, str, str, str, str]) -> bytes:
    """An activity export from (session, user, status, started_at, finished_at) tuples."""
    return csv_bytes(ACTIVITY, (dict(zip(ACTIVITY, row, strict=True)) for row in rows))


def readiness_store(folder: Path, sessions: list[dict[str, str]]) -> str:
    """A SQLite store in ``folder`` holding ``sessions`` (PAPER columns) and the links and activity the CLI tests
    share, imported by ``scanready import`` (its output swallowed): Class 4A has a test-taker who finished and a
    scan uploader, Class 4B two test-takers and nobody to upload. Returns the store's URL."""
    from dashboard.cli import main

    (folder / "s.csv").write_bytes(csv_bytes(PAPER, sessions))
    (folder / "l.csv").write_bytes(csv_bytes(LINKS, [
        {"user_username": u, "group_name": g, "group_role": r}
        for u, g, r in [("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER"),
                        ("bo", "Class 4B", "TEST_TAKER"), ("cy", "Class 4B", "TEST_TAKER")]]))
    (folder / "a.csv").write_bytes(csv_bytes(ACTIVITY, [
        {"session_name": "History 4A", "user_username": "ana", "status": "finished",
         "started_at": "2028-06-12T07:01:00Z", "finished_at": "2028-06-12T08:00:00Z"}]))
    url = f"sqlite:///{folder / 'store.db'}"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["import", *(str(folder / name) for name in ("s.csv", "l.csv", "a.csv")), "--db", url]) == 0
    return url


def records(report: FileReport) -> list[dict[str, Any]]:
    """Every validated record of ``report``, one dict each (tests read small files only)."""
    names = list(report.columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*report.columns.values(), strict=True)]


LATER = datetime(2100, 1, 1, tzinfo=UTC)


def at(text: str) -> datetime:
    """An aware UTC datetime from ISO text: with Z or an offset, or without one (then read as UTC)."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
"""An as-of after every test's dates: every recorded launch counts."""


def stored_session(db: Session, name: str) -> ExamSession | None:
    """The stored session ``name`` as a model object (tests read one row at a time)."""
    return db.execute(select(ExamSession).where(ExamSession.session_name == name)).scalars().first()


def readiness_dicts(db: Session, as_of: datetime = LATER) -> list[dict[str, Any]]:
    """The store's readiness rows at ``as_of`` as dicts, dates as aware datetimes."""
    dates = ("start_date", "end_date", "submission_date", "scan_upload_start", "scan_upload_end")
    return [{name: store.stored_moment(value) if name in dates else value for name, value in row._asdict().items()}
            for row in store.readiness_rows(db=db, as_of=as_of)]


SCANS = ("session_name", "booklet_filename", "pages", "received_at", "batch_id")


def scans_csv(*rows: Mapping[str, str]) -> bytes:
    """A scanning centre's log: session_name or booklet_filename, pages, received_at, batch_id."""
    return csv_bytes(SCANS, rows)


def pdf_bytes(pages: int, *, password: str | None = None) -> bytes:
    """A scanned PDF of ``pages`` blank A4 pages, written with pypdf (encrypted with ``password``)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def received_by_day(batches: Iterable[tuple[datetime, int]], as_of: datetime) -> dict[date, int]:
    """The reference the store's pages per UTC day are tested against (``store.received_per_day``, counted in
    SQL): from (received_at, pages) pairs, only those received at or before ``as_of``, the pages of each UTC day
    with a batch, in date order."""
    totals: dict[date, int] = {}
    for moment, pages in batches:
        if moment <= as_of:
            day = moment.astimezone(UTC).date()
            totals[day] = totals.get(day, 0) + pages
    return dict(sorted(totals.items()))
