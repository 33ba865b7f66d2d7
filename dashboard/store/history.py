"""The import history: each import's record and files, the data version pages cache on, undo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from dashboard.store.base import IMPORT_FILES, IMPORTS, Counts
from dashboard.store.writes import _bulk_insert
from models import ImportFile, ImportRecord


def start_import(*, db: Session, now: datetime) -> int:
    """A new import record (counts filled in by ``finish_import``); returns its id."""
    record = ImportRecord(imported_at=now)
    db.add(record)
    db.flush()
    assert record.id is not None
    return record.id


def finish_import(*, db: Session, import_id: int, counts: Counts,
                  files: Sequence[tuple[str, str, str, str, int]]) -> None:
    """Store the import's totals and its files as (name, sha256, kind, template, rows)."""
    db.execute(update(IMPORTS).where(IMPORTS.c.id == import_id).values(**counts.to_dict()))
    _bulk_insert(db, IMPORT_FILES, [
        {"import_id": import_id, "file_name": name, "sha256": sha, "kind": kind, "template": template, "rows": rows}
        for name, sha, kind, template, rows in files])


def recent_imports(*, db: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The latest imports, newest first, each with its files."""
    records = db.execute(select(ImportRecord).order_by(ImportRecord.id.desc()).limit(limit)).scalars().all()  # type: ignore[union-attr]
    ids = [r.id for r in records]
    files: dict[int, list[ImportFile]] = {}
    if ids:
        for f in db.execute(select(ImportFile).where(ImportFile.import_id.in_(ids))).scalars():  # type: ignore[attr-defined]
            files.setdefault(f.import_id, []).append(f)
    return [{"id": r.id, "imported_at": r.imported_at, "created": r.created, "updated": r.updated,
             "unchanged": r.unchanged,
             "files": [(f.file_name, f.sha256, f.kind, f.rows) for f in files.get(r.id or 0, [])]}
            for r in records]


def data_version(*, db: Session) -> int:
    """A number each import bumps: the newest import's id (0 for an empty store)."""
    return int(db.scalar(select(func.max(IMPORTS.c.id))) or 0)
