"""The writes of an import: sessions, links and activity in bulk, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, select, tuple_, update
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, SESSIONS, UNDO, Counts, _chunks


def _stored_names(db: Session, names: Sequence[str]) -> set[str]:
    """Those of ``names`` already stored: by IN (...) for a few, by one scan of the names for many."""
    if len(names) <= CHUNK:
        return set(db.scalars(select(SESSIONS.c.session_name).where(SESSIONS.c.session_name.in_(names))))
    return set(db.scalars(select(SESSIONS.c.session_name))) & set(names)


def upsert_sessions(*, db: Session, records: Sequence[dict[str, Any]], fields: Sequence[str],
                    import_id: int) -> Counts:
    """Create new sessions, update changed ones (only ``fields``, the columns the file had)."""
    counts = Counts()
    columns = [SESSIONS.c[name] for name in fields]
    existing = _stored_names(db, [r["session_name"] for r in records])
    new = [{**r, "import_id": import_id} for r in records if r["session_name"] not in existing]
    changed: list[dict[str, Any]] = []
    for chunk in _chunks([r for r in records if r["session_name"] in existing]):
        stored = {row.session_name: row for row in db.execute(
            select(SESSIONS.c.id, *columns).where(SESSIONS.c.session_name.in_([r["session_name"] for r in chunk])))}
        for record in chunk:
            old = stored[record["session_name"]]
            if any(getattr(old, name) != record.get(name) for name in fields):
                changed.append({**{f"b_{name}": record.get(name) for name in fields}, "b_id": old.id,
                                "b_import_id": import_id})
            else:
                counts.unchanged += 1
    _bulk_insert(db, SESSIONS, new)
    if changed:
        _remember(db, SESSIONS, [c["b_id"] for c in changed], import_id)
        statement = (update(SESSIONS).where(SESSIONS.c.id == bindparam("b_id"))
                     .values({name: bindparam(f"b_{name}") for name in [*fields, "import_id"]}))
        db.execute(statement, changed)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def upsert_links(*, db: Session, links: Sequence[tuple[str, str, str]], import_id: int) -> Counts:
    """Add the (group, user, role) links not stored yet; a link already stored is unchanged.

    The unique index decides: INSERT OR IGNORE on SQLite, COPY to a temporary table then
    INSERT ... ON CONFLICT DO NOTHING on PostgreSQL. No link is read back into Python.
    """
    connection = db.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    rows = ((group, user, role, import_id) for group, user, role in links)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE incoming_link (group_name text, user_username text, "
                           "group_role text, import_id integer) ON COMMIT DROP")
            with cursor.copy("COPY incoming_link FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute("INSERT INTO group_link (group_name, user_username, group_role, import_id) "
                           "SELECT group_name, user_username, group_role, import_id FROM incoming_link "
                           "ON CONFLICT (group_name, user_username, group_role) DO NOTHING")
            created = cursor.rowcount
            cursor.execute("DROP TABLE incoming_link")
    else:
        before = raw.total_changes
        raw.executemany("INSERT OR IGNORE INTO group_link (group_name, user_username, group_role, import_id) "
                        "VALUES (?, ?, ?, ?)", rows)
        created = raw.total_changes - before
    return Counts(created=created, unchanged=len(links) - created)


def upsert_activity(*, db: Session, records: Sequence[dict[str, Any]], import_id: int) -> Counts:
    """Each (session_id, user) keeps its latest state: new pairs are created, changed ones updated; a row
    older than what is stored (an earlier export imported again) leaves it unchanged."""
    counts = Counts()
    fields = ("status", "started_at", "finished_at")
    key = tuple_(ACTIVITY.c.session_id, ACTIVITY.c.user_username)
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for chunk in _chunks(records, CHUNK // 2):
        stored = {(row.session_id, row.user_username): row for row in db.execute(
            select(ACTIVITY.c.id, ACTIVITY.c.session_id, ACTIVITY.c.user_username, *(ACTIVITY.c[f] for f in fields))
            .where(key.in_([(r["session_id"], r["user_username"]) for r in chunk])))}
        for record in chunk:
            old = stored.get((record["session_id"], record["user_username"]))
            if old is None:
                new.append({**record, "import_id": import_id})
            elif _moment(record["started_at"], record["finished_at"]) >= _moment(old.started_at, old.finished_at) \
                    and any(getattr(old, f) != record[f] for f in fields):
                changed.append({"b_id": old.id, "b_import_id": import_id, **{f"b_{f}": record[f] for f in fields}})
            else:
                counts.unchanged += 1
    _bulk_insert(db, ACTIVITY, new)
    if changed:
        _remember(db, ACTIVITY, [c["b_id"] for c in changed], import_id)
        db.execute(update(ACTIVITY).where(ACTIVITY.c.id == bindparam("b_id"))
                   .values({f: bindparam(f"b_{f}") for f in (*fields, "import_id")}), changed)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def _remember(db: Session, table: Table, ids: Sequence[int], import_id: int) -> None:
    """Keep rows ``ids`` of ``table`` as they are before ``import_id`` changes them, so it can be undone."""
    entries = []
    for chunk in _chunks(ids):
        for row in db.execute(select(table).where(table.c.id.in_(chunk))).mappings():
            before = {name: value.isoformat() if isinstance(value, datetime) else value
                      for name, value in row.items() if name != "id"}
            entries.append({"import_id": import_id, "table_name": table.name, "row_id": row["id"],
                            "before": orjson.dumps(before).decode()})
    _bulk_insert(db, UNDO, entries)


def _moment(*stamps: datetime | None) -> datetime:
    """The latest of an activity row's times (the earliest possible moment when it has none)."""
    return max((stamp for stamp in stamps if stamp is not None), default=_NEVER)


_NEVER = datetime.min.replace(tzinfo=UTC)


def _bulk_insert(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in the current transaction: COPY on PostgreSQL, the driver's executemany on SQLite.

    Values go through each column's own bind processing (UTC timestamps, booleans), once per distinct value:
    a programme's sessions share few moments, so 100,000 rows cost a few thousand conversions.
    """
    if not rows:
        return
    connection = db.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    names = [column.name for column in table.columns if column.name in rows[0]]
    columns = []
    for name in names:
        values = [row.get(name) for row in rows]
        process = table.c[name].type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        if process is not None:
            converted = {value: process(value) for value in set(values) if value is not None}
            values = [None if value is None else converted[value] for value in values]
        columns.append(values)
    tuples = zip(*columns, strict=True)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for values in tuples:
                copy.write_row(values)
    else:
        raw.executemany(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                        tuples)
