"""What an import's file held, kept with it so that undoing any import can replay the others.

A payload is the file's validated records, column by column, as compressed JSON: the fields it set (sessions: only
the columns its file had), the links a complete roster removed and the groups it made complete. Never a password:
the link files' passwords are blanked when read, long before. Dates are UTC and read back as aware datetimes.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from dashboard.store.base import ACTIVITY, SESSIONS
from models import UTCDateTime

_LEVEL = 1  # zlib's fastest: a million links compress to a few megabytes in about a tenth of a second
_DATES = frozenset(column.name for table in (SESSIONS, ACTIVITY) for column in table.columns
                   if isinstance(column.type, UTCDateTime))


@dataclass(slots=True)
class Payload:
    """One file's records (``columns[field][i]``), the fields it set, and for a link file of a complete roster
    the groups it made complete and the links that removed."""

    columns: dict[str, list[Any]]
    fields: tuple[str, ...] = ()
    synced: tuple[str, ...] = ()
    removed: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    def rows(self, names: Sequence[str]) -> list[tuple[Any, ...]]:
        """The records as tuples of the ``names`` columns."""
        return list(zip(*(self.columns[name] for name in names), strict=True))


def encode(payload: Payload) -> bytes:
    """The payload as compressed JSON (orjson writes aware datetimes in ISO 8601)."""
    document = {"columns": payload.columns, "fields": payload.fields, "synced": payload.synced,
                "removed": payload.removed}
    return zlib.compress(orjson.dumps(document), _LEVEL)


def decode(data: bytes) -> Payload:
    """A payload read back: date columns as aware UTC datetimes (each distinct text parsed once)."""
    document = orjson.loads(zlib.decompress(data))
    columns: dict[str, list[Any]] = document["columns"]
    for name in _DATES & columns.keys():
        moments: dict[str | None, datetime | None] = {None: None}
        values = columns[name]
        for text in set(values) - {None}:
            moments[text] = datetime.fromisoformat(text)
        columns[name] = list(map(moments.__getitem__, values))
    return Payload(columns, tuple(document["fields"]), tuple(document["synced"]),
                   [tuple(link) for link in document["removed"]])


def payload_of(columns: Mapping[str, Sequence[Any]], names: Sequence[str], **extra: Any) -> Payload:
    """A payload of the ``names`` columns of ``columns`` (lists copied: the caller's may change later)."""
    return Payload({name: list(columns[name]) for name in names}, **extra)
