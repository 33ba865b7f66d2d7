"""The import history: each import's record and files (with what each did and held), the data version pages
cache on, and where an import stands. Undoing one is ``undo``'s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from dashboard.store.base import IMPORT_FILES, IMPORTS, Counts
from dashboard.store.reads import stored_moment
from models import ImportRecord

DataVersion = tuple[int, int]
"""(the newest import's id, how many imports were undone): changes with every import and every undo, so a cache
keyed by it is never stale; (0, 0) for an empty store."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A file of an import: its name, SHA-256, kind and template, rows read, what it did, and what it held
    (``payloads.encode``; None for a file of an import made before migration 0007 whose rows were all gone)."""

    file_name: str
    sha256: str
    kind: str
    template: str
    rows: int
    counts: Counts
    payload: bytes | None = None


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """One import of the history, its files in the order they were given."""

    id: int
    imported_at: datetime
    reverted_at: datetime | None
    files: tuple[FileEntry, ...]

    def by_kind(self) -> dict[str, Counts]:
        """What the import did, per kind of file (sessions, enrolments, activity), in that order."""
        out: dict[str, Counts] = {}
        for entry in sorted(self.files, key=lambda f: _KINDS.index(f.kind) if f.kind in _KINDS else len(_KINDS)):
            out[entry.kind] = out.get(entry.kind, Counts()) + entry.counts
        return out


_KINDS = ("sessions", "enrolments", "activity")


def start_import(*, db: Session, now: datetime) -> int:
    """A new import record (totals filled in by ``finish_import``); returns its id."""
    record = ImportRecord(imported_at=now)
    db.add(record)
    db.flush()
    assert record.id is not None
    return record.id


def finish_import(*, db: Session, import_id: int, files: Sequence[FileEntry]) -> None:
    """Store the import's totals and its files, with what each did and held."""
    total = sum((f.counts for f in files), Counts())
    db.execute(update(IMPORTS).where(IMPORTS.c.id == import_id)
               .values(created=total.created, updated=total.updated, unchanged=total.unchanged))
    # A few rows, some holding megabytes of payload: a plain INSERT (COPY's text format would spell bytes out).
    db.execute(insert(IMPORT_FILES), [
        {"import_id": import_id, "file_name": f.file_name, "sha256": f.sha256, "kind": f.kind, "template": f.template,
         "rows": f.rows, "payload": f.payload, **f.counts.to_dict()} for f in files])


def recent_imports(*, db: Session, limit: int = 20) -> list[ImportEntry]:
    """The latest imports, newest first, each with its files (payloads left out: they can be large)."""
    records = db.execute(select(IMPORTS.c.id, IMPORTS.c.imported_at, IMPORTS.c.reverted_at)
                         .order_by(IMPORTS.c.id.desc()).limit(limit)).fetchall()
    files: dict[int, list[FileEntry]] = {}
    names = ("file_name", "sha256", "kind", "template", "rows")
    counts = ("created", "updated", "unchanged", "removed")
    if records:
        rows = db.execute(select(IMPORT_FILES.c.import_id, *(IMPORT_FILES.c[n] for n in (*names, *counts)))
                          .where(IMPORT_FILES.c.import_id.in_([r.id for r in records]))
                          .order_by(IMPORT_FILES.c.id))
        for row in rows:
            files.setdefault(row.import_id, []).append(
                FileEntry(row.file_name, row.sha256, row.kind, row.template, row.rows,
                          Counts(*(row._mapping[n] for n in counts))))
    return [ImportEntry(r.id, _moment(r.imported_at), stored_moment(r.reverted_at), tuple(files.get(r.id, [])))
            for r in records]


def _moment(raw: datetime | str) -> datetime:
    moment = stored_moment(raw)
    assert moment is not None
    return moment


def data_version(*, db: Session) -> DataVersion:
    """A version each import and each undo changes (``DataVersion``)."""
    newest, reverted = db.execute(select(func.max(IMPORTS.c.id), func.count(IMPORTS.c.reverted_at))).one()
    return int(newest or 0), int(reverted or 0)


def import_state(*, db: Session, import_id: int) -> tuple[datetime, datetime | None] | None:
    """When an import happened and when it was reverted (None when there is no such import)."""
    row = db.execute(select(IMPORTS.c.imported_at, IMPORTS.c.reverted_at).where(IMPORTS.c.id == import_id)).first()
    return None if row is None else (_moment(row[0]), stored_moment(row[1]))


def last_active_import(*, db: Session) -> int | None:
    """The newest import that has not been reverted."""
    newest = db.scalar(select(func.max(IMPORTS.c.id)).where(IMPORTS.c.reverted_at.is_(None)))
    return None if newest is None else int(newest)
