"""Undo that loses nothing: each import file keeps what it did (created, updated, unchanged, removed) and what it
held (``payload``: its validated records, compressed JSON), so undoing one import replays the others; the table of
rows as they were before an import (import_undo) goes.

An import made before this revision held what its rows still carry: for each import not undone, the rows whose
import_id is its own (as they are now) and the rows a later import changed (as import_undo kept them before that
change) become its files' payloads. Undoing it then replays the others over the same records, as for a new one.
The payload format is frozen here (``dashboard/store/payloads.py`` reads it): {"columns": {field: [values]},
"fields": [...], "synced": [], "removed": []}, zlib-compressed, dates as ISO 8601 with their offset.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:00:00
"""

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("created", "updated", "unchanged", "removed")
SESSION_COLUMNS = (
    "session_name", "group_name", "delivery_id", "delivery_kind", "template", "timezone", "start_date", "end_date",
    "submission_date", "waiting_page_date", "paper_enabled", "sheets_per_interaction", "total_interactions",
    "booklet_filename", "scan_upload_start", "scan_upload_end", "group_description", "group_active",
    "group_organization_id", "security_settings", "review_settings", "accessibility_plugins", "session_plugins",
    "report_settings", "read_aloud", "extra",
)
SESSION_DATES = {"start_date", "end_date", "submission_date", "waiting_page_date", "scan_upload_start",
                 "scan_upload_end"}
LINK_COLUMNS = ("group_name", "user_username", "group_role")
ACTIVITY_COLUMNS = ("session_name", "user_username", "status", "started_at", "finished_at")


def upgrade() -> None:
    with op.batch_alter_table("import_file") as batch_op:
        for name in COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("payload", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("import_file") as batch_op:  # the models declare no server default
        for name in COUNTS:
            batch_op.alter_column(name, server_default=None)
    _payloads_of_earlier_imports(op.get_bind())
    with op.batch_alter_table("import_undo") as batch_op:
        batch_op.drop_index("ix_import_undo_import_id")
    op.drop_table("import_undo")


def downgrade() -> None:
    op.create_table("import_undo",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("import_id", sa.Integer(), nullable=False),
                    sa.Column("table_name", sa.String(), nullable=False),
                    sa.Column("row_id", sa.Integer(), nullable=False),
                    sa.Column("before", sa.Text(), nullable=False),
                    sa.ForeignKeyConstraint(["import_id"], ["import_record.id"]),
                    sa.PrimaryKeyConstraint("id"))
    with op.batch_alter_table("import_undo") as batch_op:
        batch_op.create_index("ix_import_undo_import_id", ["import_id"], unique=False)
    with op.batch_alter_table("import_file") as batch_op:
        for name in (*COUNTS, "payload"):
            batch_op.drop_column(name)


def _moment(value: Any) -> str | None:
    """A stored timestamp (SQLite's naive UTC text, PostgreSQL's aware datetime, or undo's ISO text) as ISO 8601
    with its offset."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)).isoformat()


def _session(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _moment(values.get(name)) if name in SESSION_DATES else
            bool(values.get(name)) if name == "paper_enabled" else values.get(name) for name in SESSION_COLUMNS}


def _payloads_of_earlier_imports(connection: sa.Connection) -> None:
    active = [row[0] for row in connection.execute(sa.text(
        "SELECT id FROM import_record WHERE reverted_at IS NULL ORDER BY id"))]
    held: dict[tuple[int, str], list[dict[str, Any]]] = {}
    select_sessions = ", ".join(SESSION_COLUMNS)
    for row in connection.execute(sa.text(f"SELECT import_id, {select_sessions} FROM exam_session")):
        held.setdefault((row[0], "sessions"), []).append(_session(dict(zip(SESSION_COLUMNS, row[1:], strict=True))))
    for row in connection.execute(sa.text("SELECT import_id, group_name, user_username, group_role FROM group_link")):
        held.setdefault((row[0], "enrolments"), []).append(dict(zip(LINK_COLUMNS, row[1:], strict=True)))
    for row in connection.execute(sa.text(
            "SELECT a.import_id, s.session_name, a.user_username, a.status, a.started_at, a.finished_at "
            "FROM activity a JOIN exam_session s ON s.id = a.session_id")):
        held.setdefault((row[0], "activity"), []).append(
            {**dict(zip(ACTIVITY_COLUMNS[:3], row[1:4], strict=True)), "started_at": _moment(row[4]),
             "finished_at": _moment(row[5])})
    _before_later_changes(connection, held)
    first_file: dict[tuple[int, str], int] = {}
    for ident, import_id, kind in connection.execute(sa.text(
            "SELECT id, import_id, kind FROM import_file ORDER BY id")):
        first_file.setdefault((import_id, kind), ident)
    columns = {"sessions": SESSION_COLUMNS, "enrolments": LINK_COLUMNS, "activity": ACTIVITY_COLUMNS}
    for import_id in active:
        for kind, names in columns.items():
            rows, ident = held.get((import_id, kind)), first_file.get((import_id, kind))
            if not rows or ident is None:
                continue
            document = {"columns": {name: [row[name] for row in rows] for name in names},
                        "fields": list(SESSION_COLUMNS) if kind == "sessions" else [], "synced": [], "removed": []}
            connection.execute(sa.text("UPDATE import_file SET payload = :payload WHERE id = :id"),
                               {"payload": zlib.compress(orjson.dumps(document), 1), "id": ident})


def _before_later_changes(connection: sa.Connection, held: dict[tuple[int, str], list[dict[str, Any]]]) -> None:
    """A row a later import changed was held, as it was before that change, by the import that wrote it then."""
    names = {row[0]: row[1] for row in connection.execute(sa.text("SELECT id, session_name FROM exam_session"))}
    for table, _row, before in connection.execute(sa.text("SELECT table_name, row_id, before FROM import_undo "
                                                            "ORDER BY id")):
        values = orjson.loads(before)
        if table == "exam_session":
            held.setdefault((values.get("import_id"), "sessions"), []).append(_session(values))
        elif table == "activity" and values.get("session_id") in names:
            held.setdefault((values.get("import_id"), "activity"), []).append(
                {"session_name": names[values["session_id"]], "user_username": values["user_username"],
                 "status": values["status"], "started_at": _moment(values.get("started_at")),
                 "finished_at": _moment(values.get("finished_at"))})
