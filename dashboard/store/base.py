"""What every store module shares: the tables, the counts of an import, chunking of IN (...) lists, reading a
statement's rows as the driver gives them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlmodel import Session

from models import Activity, ExamSession, GroupLink, ImportFile, ImportRecord, ScanBatch, SessionRemoval

CHUNK = 5_000  # bound parameters per IN (...) stay well under SQLite's limit
SESSIONS = cast(Table, ExamSession.__table__)  # type: ignore[attr-defined]
LINKS = cast(Table, GroupLink.__table__)  # type: ignore[attr-defined]
ACTIVITY = cast(Table, Activity.__table__)  # type: ignore[attr-defined]
IMPORTS = cast(Table, ImportRecord.__table__)  # type: ignore[attr-defined]
IMPORT_FILES = cast(Table, ImportFile.__table__)  # type: ignore[attr-defined]
SCANS = cast(Table, ScanBatch.__table__)  # type: ignore[attr-defined]
REMOVALS = cast(Table, SessionRemoval.__table__)  # type: ignore[attr-defined]


@dataclass(slots=True)
class Counts:
    """What writing records did: rows created, updated, found unchanged, and removed (a group's links that a
    complete roster no longer lists)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.created + other.created, self.updated + other.updated,
                      self.unchanged + other.unchanged, self.removed + other.removed)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def to_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed}


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``values`` in slices of ``size``: one IN (...) list each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def driver_rows(db: Session, statement: Any) -> Sequence[Any]:
    """The rows of ``statement`` (run by SQLAlchemy, which binds its values) as the driver's own tuples, fetched at
    once, for a statement none of whose columns has a type that converts what it reads: at 100,000 rows, turning
    SQLAlchemy's rows into named tuples took a fifth of the read (``ReadinessRow._make`` iterates each ``Row``)."""
    result = cast(CursorResult[Any], db.execute(statement))
    try:
        return result.cursor.fetchall()
    finally:
        result.close()
