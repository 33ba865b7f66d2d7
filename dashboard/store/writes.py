"""The writes of an import: sessions, links and activity in bulk, inside the caller's transaction.

Records arrive column by column (``{field: [value, ...]}``) and go to the driver as tuples zipped from
those columns: no dict or object per row is built on the way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import islice, repeat
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, select, tuple_, update
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, SESSIONS, UNDO, Counts, _chunks

Columns = Mapping[str, Sequence[Any]]
"""Records column by column: ``columns[field][i]`` is record ``i``'s value of ``field``."""


def _stored_names(db: Session, names: Sequence[str]) -> set[str]:
    """Those of ``names`` already stored: by IN (...) for a few, by one scan of the names for many."""
    if len(names) <= CHUNK:
        return set(db.scalars(select(SESSIONS.c.session_name).where(SESSIONS.c.session_name.in_(names))))
    return set(db.scalars(select(SESSIONS.c.session_name))) & set(names)


def _rows(columns: Columns, indexes: Sequence[int]) -> dict[str, list[Any]]:
    """The records at ``indexes``, still column by column."""
    return {name: [values[i] for i in indexes] for name, values in columns.items()}


def upsert_sessions(*, db: Session, columns: Columns, fields: Sequence[str], import_id: int) -> Counts:
    """Create new sessions, update changed ones (only ``fields``, the columns the file had)."""
    counts = Counts()
    names = columns["session_name"]
    existing = _stored_names(db, names)
    if not existing:  # a first import: every record is new, and goes in as it is
        _bulk_insert(db, SESSIONS, columns, import_id=import_id)
        return Counts(created=len(names))
    positions = [i for i, name in enumerate(names) if name in existing]
    new = [i for i, name in enumerate(names) if name not in existing]
    table_columns = [SESSIONS.c[name] for name in fields]
    changed: list[dict[str, Any]] = []
    for chunk in _chunks(positions):
        stored = {row.session_name: row for row in db.execute(
            select(SESSIONS.c.id, *table_columns).where(SESSIONS.c.session_name.in_([names[i] for i in chunk])))}
        for i in chunk:
            old = stored[names[i]]
            if any(getattr(old, name) != columns[name][i] for name in fields):
                changed.append({**{f"b_{name}": columns[name][i] for name in fields}, "b_id": old.id,
                                "b_import_id": import_id})
            else:
                counts.unchanged += 1
    _bulk_insert(db, SESSIONS, _rows(columns, new), import_id=import_id)
    if changed:
        _remember(db, SESSIONS, [c["b_id"] for c in changed], import_id)
        statement = (update(SESSIONS).where(SESSIONS.c.id == bindparam("b_id"))
                     .values({name: bindparam(f"b_{name}") for name in [*fields, "import_id"]}))
        db.execute(statement, changed)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def upsert_links(*, db: Session, columns: Columns, import_id: int) -> Counts:
    """Add the (group, user, role) links not stored yet; a link already stored is unchanged.

    The unique index decides: INSERT OR IGNORE on SQLite; on PostgreSQL, COPY to a temporary table then
    INSERT ... ON CONFLICT DO NOTHING, or, into an empty table, COPY of the distinct links straight in.
    No link is read back into Python.
    """
    connection = db.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    count = len(columns["group_name"])
    links = (columns["group_name"], columns["user_username"], columns["group_role"], repeat(import_id, count))
    names = "group_name, user_username, group_role, import_id"
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM group_link)")
            row = cursor.fetchone()
            if row is not None and not row[0]:
                distinct = list(dict.fromkeys(zip(*links[:3], strict=True)))
                _copy(cursor, f"group_link ({names})", (link + (import_id,) for link in distinct),
                      not_null="group_name, user_username, group_role")
                created = len(distinct)
            else:
                cursor.execute("CREATE TEMPORARY TABLE incoming_link (group_name text, user_username text, "
                               "group_role text, import_id integer) ON COMMIT DROP")
                _copy(cursor, "incoming_link", zip(*links, strict=True),
                      not_null="group_name, user_username, group_role")
                cursor.execute(f"INSERT INTO group_link ({names}) SELECT {names} FROM incoming_link "
                               "ON CONFLICT (group_name, user_username, group_role) DO NOTHING")
                created = cursor.rowcount
                cursor.execute("DROP TABLE incoming_link")
    else:
        before = raw.total_changes
        raw.executemany(f"INSERT OR IGNORE INTO group_link ({names}) VALUES (?, ?, ?, ?)", zip(*links, strict=True))
        created = raw.total_changes - before
    return Counts(created=created, unchanged=count - created)


def upsert_activity(*, db: Session, columns: Columns, import_id: int) -> Counts:
    """Each (session_id, user) keeps its latest state: new pairs are created, changed ones updated; a row
    older than what is stored (an earlier export imported again) leaves it unchanged."""
    counts = Counts()
    fields = ("status", "started_at", "finished_at")
    key = tuple_(ACTIVITY.c.session_id, ACTIVITY.c.user_username)
    sessions, users = columns["session_id"], columns["user_username"]
    new: list[int] = []
    changed: list[dict[str, Any]] = []
    for chunk in _chunks(range(len(sessions)), CHUNK // 2):
        stored = {(row.session_id, row.user_username): row for row in db.execute(
            select(ACTIVITY.c.id, ACTIVITY.c.session_id, ACTIVITY.c.user_username, *(ACTIVITY.c[f] for f in fields))
            .where(key.in_([(sessions[i], users[i]) for i in chunk])))}
        for i in chunk:
            old = stored.get((sessions[i], users[i]))
            record = {f: columns[f][i] for f in fields}
            if old is None:
                new.append(i)
            elif _moment(record["started_at"], record["finished_at"]) >= _moment(old.started_at, old.finished_at) \
                    and any(getattr(old, f) != record[f] for f in fields):
                changed.append({"b_id": old.id, "b_import_id": import_id, **{f"b_{f}": record[f] for f in fields}})
            else:
                counts.unchanged += 1
    _bulk_insert(db, ACTIVITY, _rows(columns, new), import_id=import_id)
    if changed:
        _remember(db, ACTIVITY, [c["b_id"] for c in changed], import_id)
        db.execute(update(ACTIVITY).where(ACTIVITY.c.id == bindparam("b_id"))
                   .values({f: bindparam(f"b_{f}") for f in (*fields, "import_id")}), changed)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def _remember(db: Session, table: Table, ids: Sequence[int], import_id: int) -> None:
    """Keep rows ``ids`` of ``table`` as they are before ``import_id`` changes them, so it can be undone."""
    row_ids: list[int] = []
    befores: list[str] = []
    for chunk in _chunks(ids):
        for row in db.execute(select(table).where(table.c.id.in_(chunk))).mappings():
            before = {name: value.isoformat() if isinstance(value, datetime) else value
                      for name, value in row.items() if name != "id"}
            row_ids.append(row["id"])
            befores.append(orjson.dumps(before).decode())
    _bulk_insert(db, UNDO, {"row_id": row_ids, "before": befores}, import_id=import_id, table_name=table.name)


def _moment(*stamps: datetime | None) -> datetime:
    """The latest of an activity row's times (the earliest possible moment when it has none)."""
    return max((stamp for stamp in stamps if stamp is not None), default=_NEVER)


_NEVER = datetime.min.replace(tzinfo=UTC)


def _bulk_insert(db: Session, table: Table, columns: Columns, **constants: Any) -> None:
    """Insert the records of ``columns``, each also given the ``constants``, in the current transaction:
    COPY on PostgreSQL, the driver's executemany on SQLite.

    Values go through each column's own bind processing (UTC timestamps, booleans), once per distinct value:
    a programme's sessions share few moments, so 100,000 rows cost a few thousand conversions.
    """
    count = len(next(iter(columns.values()), ()))
    if not count:
        return
    connection = db.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    names = [column.name for column in table.columns if column.name in columns or column.name in constants]
    values: list[Iterable[Any]] = []
    for name in names:
        process = table.c[name].type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        if name in constants:
            values.append(repeat(constants[name] if process is None else process(constants[name]), count))
            continue
        column = columns[name]
        if process is not None:
            converted = {value: process(value) for value in set(column) if value is not None}
            converted[None] = None
            column = list(map(converted.__getitem__, column))
        values.append(column)
    if connection.dialect.name == "postgresql":
        not_null = ", ".join(c.name for c in table.columns
                             if c.name in names and not c.nullable and c.type.python_type is str)
        with raw.cursor() as cursor:
            _copy(cursor, f"{table.name} ({', '.join(names)})", zip(*values, strict=True), not_null=not_null)
    else:
        raw.executemany(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                        zip(*values, strict=True))


def _copy(cursor: Any, target: str, rows: Iterable[Sequence[Any]], *, not_null: str) -> None:
    """COPY ``rows`` into ``target`` ("table (columns)") as CSV text written by the csv module in batches.

    In that CSV an empty field is NULL; the ``not_null`` columns (comma-separated) read it as an empty string.
    """
    options = f", FORCE_NOT_NULL ({not_null})" if not_null else ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = iter(rows)
    with cursor.copy(f"COPY {target} FROM STDIN (FORMAT csv{options})") as copy:
        while batch := list(islice(rows, 20_000)):
            writer.writerows(batch)
            copy.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
