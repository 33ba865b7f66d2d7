"""The writes of an import: sessions, links and activity in bulk, inside the caller's transaction.

Records arrive column by column (``{field: [value, ...]}``) and go to the driver as tuples zipped from
those columns: no dict or object per row is built on the way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

import orjson
from sqlalchemy import Connection, Table, bindparam, select, tuple_, type_coerce, update
from sqlalchemy.types import NullType
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, SESSIONS, UNDO, Counts, _chunks
from dashboard.store.reads import session_ids

_UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
Columns = Mapping[str, Sequence[Any]]
"""Records column by column: ``columns[field][i]`` is record ``i``'s value of ``field``."""


def _rows(columns: Columns, indexes: Sequence[int]) -> dict[str, list[Any]]:
    """The records at ``indexes``, still column by column."""
    return {name: [values[i] for i in indexes] for name, values in columns.items()}


def upsert_sessions(*, db: Session, columns: Columns, fields: Sequence[str], import_id: int) -> Counts:
    """Create new sessions, update changed ones (only ``fields``, the columns the file had)."""
    counts = Counts()
    names = columns["session_name"]
    existing = session_ids(db=db, names=names).keys()
    if not existing:  # a first import: every record is new, and goes in as it is
        _bulk_insert(db, SESSIONS, columns, import_id=import_id)
        return Counts(created=len(names))
    positions = [i for i, name in enumerate(names) if name in existing]
    new = [i for i, name in enumerate(names) if name not in existing]
    # Compared as the database keeps them: the file's values through each column's bind processing (once per
    # distinct value), the stored ones as the driver returns them, a row at a time as one tuple.
    connection = db.connection()
    incoming = dict(zip([names[i] for i in positions], zip(*(
        _bound(connection, SESSIONS, name, [columns[name][i] for i in positions]) for name in fields),
        strict=True), strict=True))
    position = {names[i]: i for i in positions}
    stored_columns = [type_coerce(SESSIONS.c[name], NullType()) for name in fields]  # no result processing
    changed: list[dict[str, Any]] = []
    for chunk in _chunks(list(incoming)):
        rows = db.execute(select(SESSIONS.c.session_name, SESSIONS.c.id, *stored_columns)
                          .where(SESSIONS.c.session_name.in_(chunk))).fetchall()
        for name, row_id, *stored in rows:
            if tuple(stored) == incoming[name]:
                counts.unchanged += 1
                continue
            i = position[name]
            changed.append({**{f"b_{field}": columns[field][i] for field in fields}, "b_id": row_id,
                            "b_import_id": import_id})
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

    The link is the primary key and decides: INSERT OR IGNORE on SQLite; on PostgreSQL, COPY to a temporary table then
    INSERT ... ON CONFLICT DO NOTHING, or, when the table is empty and the file names each link once,
    COPY straight in. No link is read back into Python.
    """
    connection = db.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    links = [columns["group_name"], columns["user_username"], columns["group_role"]]
    count = len(links[0])
    names = "group_name, user_username, group_role, import_id"
    if connection.dialect.name == "postgresql":
        provenance = [str(import_id)] * count
        with raw.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM group_link)")
            row = cursor.fetchone()
            created = -1
            if row is not None and not row[0]:  # an empty table: straight in, unless the file repeats a link
                try:
                    with raw.transaction():  # a savepoint: a repeated link undoes this COPY only
                        _copy(cursor, f"group_link ({names})", [*links, provenance])
                    created = count
                except Exception as exc:
                    if getattr(exc, "sqlstate", None) != _UNIQUE_VIOLATION:
                        raise
            if created < 0:
                cursor.execute("CREATE TEMPORARY TABLE incoming_link (group_name text, user_username text, "
                               "group_role text, import_id integer) ON COMMIT DROP")
                _copy(cursor, "incoming_link", [*links, provenance])
                cursor.execute(f"INSERT INTO group_link ({names}) SELECT {names} FROM incoming_link "
                               "ON CONFLICT (group_name, user_username, group_role) DO NOTHING")
                created = cursor.rowcount
                cursor.execute("DROP TABLE incoming_link")
    else:
        before = raw.total_changes
        raw.executemany(f"INSERT OR IGNORE INTO group_link ({names}) VALUES (?, ?, ?, ?)",
                        zip(*links, repeat(import_id, count), strict=True))
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
    postgres = connection.dialect.name == "postgresql"
    values: list[Sequence[Any]] = []
    for name in names:
        column = _bound(connection, table, name, [constants[name]] if name in constants else columns[name])
        # COPY takes text: a timestamp's or a number's text is made once per distinct value. A column's values
        # share one type (SQLModel's string type does not say str), so its first value tells.
        if postgres and not isinstance(next((value for value in column if value is not None), ""), str):
            texts = {value: _copy_text(value) for value in set(column)}
            column = list(map(texts.__getitem__, column))
        values.append([column[0]] * count if name in constants else column)
    if postgres:
        with raw.cursor() as cursor:
            _copy(cursor, f"{table.name} ({', '.join(names)})", values)
    else:
        raw.executemany(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                        zip(*values, strict=True))


def _bound(connection: Connection, table: Table, name: str, values: Sequence[Any]) -> Sequence[Any]:
    """``values`` of column ``name`` as the driver receives them (UTC timestamps, booleans), each distinct
    value processed once: a programme's sessions share few moments."""
    process = table.c[name].type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    if process is None:
        return values
    converted = {value: process(value) for value in set(values) if value is not None}
    converted[None] = None
    return list(map(converted.__getitem__, values))


def _copy_text(value: Any) -> str | None:
    """A value as COPY reads it (None stays None, for NULL)."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat() if isinstance(value, datetime) else str(value)


# COPY's text format: a backslash starts an escape, a tab ends a field, a line end ends a row; \N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_BATCH = 50_000


def _copy(cursor: Any, target: str, columns: Sequence[Sequence[str | None]]) -> None:
    """COPY records given column by column (text or None) into ``target`` ("table (columns)").

    Rows are joined into COPY's text format in C (``str.join`` over zipped columns), in batches; a column
    is escaped value by value only when one of its values holds a backslash, tab or line end."""
    prepared = [_copy_column(column) for column in columns]
    count = len(prepared[0]) if prepared else 0
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for start in range(0, count, _COPY_BATCH):
            rows = zip(*(column[start : start + _COPY_BATCH] for column in prepared), strict=True)
            copy.write("\n".join(map("\t".join, rows)) + "\n")


def _copy_column(column: Sequence[str | None]) -> Sequence[str]:
    """A column in COPY's text format: special characters escaped, None as \\N."""
    has_null = None in column
    texts = [value for value in column if value is not None] if has_null else column
    joined = "".join(texts)  # type: ignore[arg-type]  # no None left
    if any(special in joined for special in "\\\t\n\r"):
        escaped: dict[str | None, str] = {value: value.translate(_COPY_ESCAPES) for value in set(texts) if value}
        escaped[None], escaped[""] = "\\N", ""
        return list(map(escaped.__getitem__, column))
    if has_null:
        return ["\\N" if value is None else value for value in column]
    return column  # type: ignore[return-value]  # no None in it
