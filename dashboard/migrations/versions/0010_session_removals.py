"""Sessions an undo removed: undoing an import that was the last to hold a session removes it with its activity and
scanned batches, and those stay removed. Imports made before the removal that still hold some of those records no
longer count for that session: before this revision, importing the session again and then undoing a later import
of the same record brought the removed one back (a launch, pages received, that the store had dropped).

The removals of a store made before this revision are worked out from its history: its imports' sessions (what the
payloads of migration 0007 and later hold) and the moments they were made and undone, in order. An import undone
before 0007 has no payload and removed nothing that can come back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:00:00
"""

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

import orjson
import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ZSTD_FRAME = b"\x28\xb5\x2f\xfd"


def upgrade() -> None:
    removals = op.create_table("session_removal",
                               sa.Column("id", sa.Integer(), nullable=False),
                               sa.Column("session_name", sa.String(), nullable=False),
                               sa.Column("through_import_id", sa.Integer(), nullable=False),
                               sa.Column("removed_at", UTCDateTime(), nullable=False),
                               sa.Column("undo_of", sa.Integer(), nullable=False),
                               sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_session_removal_session_name", "session_removal", ["session_name"])
    rows = _past_removals(op.get_bind())
    if rows:
        op.bulk_insert(removals, rows)


def downgrade() -> None:
    op.drop_index("ix_session_removal_session_name", table_name="session_removal")
    op.drop_table("session_removal")


def _past_removals(connection: sa.Connection) -> list[dict[str, object]]:
    """Replay the history: imports and undos in the order of their moments; an undo that leaves a session held by
    no import removed it, through the newest import made by then."""
    held: dict[int, set[str]] = {}
    for import_id, data in connection.execute(sa.text(
            "SELECT import_id, payload FROM import_file WHERE kind = 'sessions' AND payload IS NOT NULL")):
        held.setdefault(import_id, set()).update(_names(bytes(data)))
    events = []
    for import_id, imported_at, reverted_at in connection.execute(sa.text(
            "SELECT id, imported_at, reverted_at FROM import_record")):
        events.append((_utc(imported_at), import_id, 0))
        if reverted_at is not None:
            events.append((_utc(reverted_at), import_id, 1))
    holders: dict[str, set[int]] = {}
    newest, out = 0, []
    for at, import_id, undo in sorted(events):
        names = held.get(import_id, set())
        if not undo:
            newest = max(newest, import_id)
            for name in names:
                holders.setdefault(name, set()).add(import_id)
            continue
        for name in sorted(names):
            holders[name].discard(import_id)
            if not holders[name]:
                out.append({"session_name": name, "through_import_id": newest, "removed_at": at,
                            "undo_of": import_id})
    return out


def _names(data: bytes) -> list[str]:
    if data[:4] == _ZSTD_FRAME:
        import zstandard

        text = zstandard.ZstdDecompressor().decompress(data)
    else:
        text = zlib.decompress(data)
    return list(orjson.loads(text)["columns"]["session_name"])


def _utc(value: datetime | str) -> datetime:
    """A moment as the driver gives it (SQLite: text, naive UTC; PostgreSQL: aware)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
