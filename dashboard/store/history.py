"""The import history: each import's record and files, the data version pages cache on, undo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, IMPORT_FILES, IMPORTS, LINKS, SESSIONS, UNDO, Counts, _chunks
from dashboard.store.writes import _bulk_insert
from models import ImportFile, ImportRecord, UTCDateTime


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
    names = ("file_name", "sha256", "kind", "template", "rows")
    _bulk_insert(db, IMPORT_FILES, {name: [file[n] for file in files] for n, name in enumerate(names)},
                 import_id=import_id)


def recent_imports(*, db: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The latest imports, newest first, each with its files."""
    records = db.execute(select(ImportRecord).order_by(ImportRecord.id.desc()).limit(limit)).scalars().all()  # type: ignore[union-attr]
    ids = [r.id for r in records]
    files: dict[int, list[ImportFile]] = {}
    if ids:
        for f in db.execute(select(ImportFile).where(ImportFile.import_id.in_(ids))).scalars():  # type: ignore[attr-defined]
            files.setdefault(f.import_id, []).append(f)
    return [{"id": r.id, "imported_at": r.imported_at, "created": r.created, "updated": r.updated,
             "unchanged": r.unchanged, "reverted_at": r.reverted_at,
             "files": [(f.file_name, f.sha256, f.kind, f.rows) for f in files.get(r.id or 0, [])]}
            for r in records]


def data_version(*, db: Session) -> int:
    """A number each import and each undo bumps (0 for an empty store)."""
    newest, reverted = db.execute(select(func.max(IMPORTS.c.id), func.count(IMPORTS.c.reverted_at))).one()
    return int(newest or 0) * 1_000_000 + int(reverted or 0)


def import_state(*, db: Session, import_id: int) -> tuple[datetime, datetime | None] | None:
    """When an import happened and when it was reverted (None when there is no such import)."""
    row = db.execute(select(IMPORTS.c.imported_at, IMPORTS.c.reverted_at).where(IMPORTS.c.id == import_id)).first()
    return None if row is None else (row[0], row[1])


def last_active_import(*, db: Session) -> int | None:
    """The newest import that has not been reverted."""
    newest = db.scalar(select(func.max(IMPORTS.c.id)).where(IMPORTS.c.reverted_at.is_(None)))
    return None if newest is None else int(newest)


def revert_import(*, db: Session, import_id: int, now: datetime) -> dict[str, int]:
    """Undo an import: rows it created are removed, rows it changed get their earlier values back. A row a
    later import changed again is kept as it is (counted as ``kept``). Returns the counts."""
    before = {(r.table_name, r.row_id): orjson.loads(r.before) for r in db.execute(
        select(UNDO.c.table_name, UNDO.c.row_id, UNDO.c.before).where(UNDO.c.import_id == import_id))}
    counts = {"removed": 0, "restored": 0, "kept": 0}
    for table in (ACTIVITY, SESSIONS):  # activity first: it refers to sessions
        ids = set(db.scalars(select(table.c.id).where(table.c.import_id == import_id)))
        snapshots = {row_id: values for (name, row_id), values in before.items() if name == table.name}
        removed = sorted(ids - snapshots.keys())
        for chunk in _chunks(removed):
            if table is SESSIONS:
                db.execute(delete(ACTIVITY).where(ACTIVITY.c.session_id.in_(chunk)))
            db.execute(delete(table).where(table.c.id.in_(chunk)))
        restored = [{"b_id": row_id, **{f"b_{k}": _decoded(table, k, v) for k, v in values.items()}}
                    for row_id, values in snapshots.items() if row_id in ids]
        if restored:
            names = [key[2:] for key in restored[0] if key != "b_id"]
            db.execute(update(table).where(table.c.id == bindparam("b_id"))
                       .values({name: bindparam(f"b_{name}") for name in names}), restored)
        counts["removed"] += len(removed)
        counts["restored"] += len(restored)
        counts["kept"] += len(snapshots) - len(restored)
    links = db.connection().execute(delete(LINKS).where(LINKS.c.import_id == import_id))
    counts["removed"] += links.rowcount or 0
    db.execute(update(IMPORTS).where(IMPORTS.c.id == import_id).values(reverted_at=now))
    return counts


def _decoded(table: Table, name: str, value: Any) -> Any:
    """A remembered value back in its column's type (timestamps were kept as ISO text)."""
    if value is not None and isinstance(table.c[name].type, UTCDateTime):
        return datetime.fromisoformat(value)
    return value
