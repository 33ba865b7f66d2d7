"""What an import's file held, kept with it so that undoing any import can replay the others.

A payload is the file's validated records, column by column, as compressed JSON: the fields it set (sessions: only
the columns its file had), the links a complete roster removed and the groups it made complete. Never a password:
the link files' passwords are blanked when read, long before. Dates are UTC and read back as aware datetimes.

Compressed with Zstandard at level 1: 100,000 sessions' 31 MB of JSON in 0.02 s to 1.2 MB, where zlib's fastest level
took 0.08 s to 2.6 MB (and reads back three times slower). Payloads written before it (migration 0007 and imports
until then) are zlib streams, told apart by their first bytes, and read as they are.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from dashboard.memo import Memo
from dashboard.store.base import ACTIVITY, SCANS, SESSIONS
from models import UTCDateTime

_LEVEL = 1  # Zstandard's fastest standard level
_ZSTD_FRAME = b"\x28\xb5\x2f\xfd"  # a Zstandard frame's magic number; a zlib stream starts with 0x78
# The date columns of every table a payload holds records of (links have none): read back as moments, not text.
_DATES = frozenset(column.name for table in (SESSIONS, ACTIVITY, SCANS) for column in table.columns
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
    """The payload as compressed JSON, dates in ISO 8601 with their offset. Each distinct date is written once and
    handed to orjson as text: orjson takes three times longer over aware datetimes than over their text (100,000
    sessions' date columns: 0.055 s against 0.027 s with the conversion)."""
    columns = {name: _iso_texts(values) if name in _DATES else values for name, values in payload.columns.items()}
    document = {"columns": columns, "fields": payload.fields, "synced": payload.synced, "removed": payload.removed}
    import zstandard  # here, not at the top: every command imports the store, few write a payload

    return zstandard.ZstdCompressor(level=_LEVEL).compress(orjson.dumps(document))


def decode(data: bytes) -> Payload:
    """A payload read back: date columns as aware UTC datetimes (each distinct text parsed once)."""
    document = orjson.loads(_decompress(data))
    columns: dict[str, list[Any]] = document["columns"]
    for name in _DATES & columns.keys():
        moments: dict[str | None, datetime | None] = {None: None}
        values = columns[name]
        for text in set(values) - {None}:
            moments[text] = datetime.fromisoformat(text)
        columns[name] = list(map(moments.__getitem__, values))
    return Payload(columns, tuple(document["fields"]), tuple(document["synced"]),
                   [tuple(link) for link in document["removed"]])


def _iso_texts(values: list[Any]) -> list[str | None]:
    return list(map(Memo(lambda moment: None if moment is None else moment.isoformat()).__getitem__, values))


def _decompress(data: bytes) -> bytes:
    if data[:4] != _ZSTD_FRAME:
        return zlib.decompress(data)  # written before payloads were Zstandard frames
    import zstandard

    return zstandard.ZstdDecompressor().decompress(data)  # the frame records its size: read in one piece


def payload_of(columns: Mapping[str, list[Any]], names: Sequence[str], **extra: Any) -> Payload:
    """A payload of the ``names`` columns of ``columns``, sharing the caller's lists (not copied: a million links'
    columns took 0.03 s to copy): encode it before they change."""
    return Payload({name: columns[name] for name in names}, **extra)
