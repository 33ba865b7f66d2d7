"""The writes of an import: sessions, links and activity in bulk, inside the caller's transaction.

Records arrive column by column (``{field: [value, ...]}``, ``bulk.Columns``); new ones go in through ``bulk``.
What an import held is kept by ``history`` (its files' payloads), so nothing here remembers old values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, tuple_, type_coerce, update
from sqlalchemy.types import NullType
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, LINKS, SCANS, SESSIONS, Counts, chunks
from dashboard.store.bulk import Columns, bound, bulk_insert, copy_rows
from dashboard.store.reads import session_ids
from dashboard.store.scans import batch_ids
from dashboard.tao import latest_moment

_UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


def _rows(columns: Columns, indexes: Sequence[int]) -> dict[str, list[Any]]:
    """The records at ``indexes``, still column by column."""
    return {name: [values[i] for i in indexes] for name, values in columns.items()}


def upsert_sessions(*, db: Session, columns: Columns, fields: Sequence[str], import_id: int) -> Counts:
    """Create new sessions, update changed ones (only ``fields``, the columns the file had)."""
    counts = Counts()
    names = columns["session_name"]
    existing = session_ids(db=db, names=names).keys()
    if not existing:  # a first import: every record is new, and goes in as it is
        bulk_insert(db, SESSIONS, columns, import_id=import_id)
        return Counts(created=len(names))
    positions = [i for i, name in enumerate(names) if name in existing]
    new = [i for i, name in enumerate(names) if name not in existing]
    # Compared as the database keeps them: the file's values through each column's bind processing (once per
    # distinct value), the stored ones as the driver returns them, a row at a time as one tuple.
    connection = db.connection()
    incoming = dict(zip([names[i] for i in positions], zip(*(
        bound(connection, SESSIONS, name, [columns[name][i] for i in positions]) for name in fields),
        strict=True), strict=True))
    position = {names[i]: i for i in positions}
    stored_columns = [type_coerce(SESSIONS.c[name], NullType()) for name in fields]  # no result processing
    changed: list[dict[str, Any]] = []
    for chunk in chunks(list(incoming)):
        rows = db.execute(select(SESSIONS.c.session_name, SESSIONS.c.id, *stored_columns)
                          .where(SESSIONS.c.session_name.in_(chunk))).fetchall()
        for name, row_id, *stored in rows:
            if tuple(stored) == incoming[name]:
                counts.unchanged += 1
                continue
            i = position[name]
            changed.append({**{f"b_{field}": columns[field][i] for field in fields}, "b_id": row_id,
                            "b_import_id": import_id})
    bulk_insert(db, SESSIONS, _rows(columns, new), import_id=import_id)
    if changed:
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
                        copy_rows(cursor, f"group_link ({names})", [*links, provenance])
                    created = count
                except Exception as exc:
                    if getattr(exc, "sqlstate", None) != _UNIQUE_VIOLATION:
                        raise
            if created < 0:
                cursor.execute("CREATE TEMPORARY TABLE incoming_link (group_name text, user_username text, "
                               "group_role text, import_id integer) ON COMMIT DROP")
                copy_rows(cursor, "incoming_link", [*links, provenance])
                cursor.execute(f"INSERT INTO group_link ({names}) SELECT {names} FROM incoming_link "
                               "ON CONFLICT (group_name, user_username, group_role) DO NOTHING")
                created = cursor.rowcount
                cursor.execute("DROP TABLE incoming_link")
    else:
        before = raw.total_changes
        # The import's number, the same on every link, is written once into the statement, not bound per row.
        raw.executemany(f"INSERT OR IGNORE INTO group_link ({names}) VALUES (?, ?, ?, {int(import_id)})",
                        zip(*links, strict=True))
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
    for chunk in chunks(range(len(sessions)), CHUNK // 2):
        stored = {(row.session_id, row.user_username): row for row in db.execute(
            select(ACTIVITY.c.id, ACTIVITY.c.session_id, ACTIVITY.c.user_username, *(ACTIVITY.c[f] for f in fields))
            .where(key.in_([(sessions[i], users[i]) for i in chunk])))}
        for i in chunk:
            old = stored.get((sessions[i], users[i]))
            record = {f: columns[f][i] for f in fields}
            if old is None:
                new.append(i)
            elif latest_moment(record["started_at"], record["finished_at"]) >= latest_moment(old.started_at,
                                                                                             old.finished_at) \
                    and any(getattr(old, f) != record[f] for f in fields):
                changed.append({"b_id": old.id, "b_import_id": import_id, **{f"b_{f}": record[f] for f in fields}})
            else:
                counts.unchanged += 1
    bulk_insert(db, ACTIVITY, _rows(columns, new), import_id=import_id)
    if changed:
        db.execute(update(ACTIVITY).where(ACTIVITY.c.id == bindparam("b_id"))
                   .values({f: bindparam(f"b_{f}") for f in (*fields, "import_id")}), changed)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def upsert_scans(*, db: Session, columns: Columns, import_id: int, alternates: Mapping[int, str] | None = None
                 ) -> Counts:
    """New batches are created; a batch of a log whose pages or time changed is updated; the same batch again (a PDF
    by its SHA-256, always) is unchanged. ``columns`` hold ``session_id`` and the batch fields. ``alternates``: for
    records at those indexes, another key their batch may be stored under (its time read the other way); a record
    whose own key is not stored but whose alternate is takes that key, in ``columns["batch_key"]`` itself (so what
    the import keeps for undo names the batch it wrote)."""
    counts = Counts()
    sessions, keys = columns["session_id"], columns["batch_key"]
    new: list[int] = []
    changed: list[dict[str, Any]] = []
    other = alternates or {}
    ids = batch_ids(db=db, pairs={*zip(sessions, keys, strict=True),
                                  *((sessions[i], key) for i, key in other.items())})
    for i, key in other.items():
        if (sessions[i], keys[i]) not in ids and (sessions[i], key) in ids:
            keys[i] = key  # type: ignore[index]  # the caller's list, changed in place
    found = {row.id: row for chunk in chunks(sorted(ids.values())) for row in db.execute(
        select(SCANS.c.id, SCANS.c.pages, SCANS.c.received_at).where(SCANS.c.id.in_(chunk)))}
    stored = {pair: found[ident] for pair, ident in ids.items()}
    for i in range(len(sessions)):
        old = stored.get((sessions[i], keys[i]))
        if old is None:
            new.append(i)
        elif not keys[i].startswith("pdf:") and (old.pages, old.received_at) != (columns["pages"][i],
                                                                                columns["received_at"][i]):
            changed.append({"b_id": old.id, "b_pages": columns["pages"][i],
                            "b_received_at": columns["received_at"][i], "b_import_id": import_id})
        else:
            counts.unchanged += 1
    bulk_insert(db, SCANS, _rows(columns, new), import_id=import_id)
    if changed:
        db.execute(update(SCANS).where(SCANS.c.id == bindparam("b_id"))
                   .values(pages=bindparam("b_pages"), received_at=bindparam("b_received_at"),
                           import_id=bindparam("b_import_id")), changed)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def remove_links(*, db: Session, links: Collection[tuple[str, str, str]]) -> int:
    """Delete the (group, user, role) links given; returns how many were there."""
    removed = 0
    for chunk in chunks(sorted(links), CHUNK // 3):
        result = db.connection().execute(delete(LINKS).where(
            tuple_(LINKS.c.group_name, LINKS.c.user_username, LINKS.c.group_role).in_(chunk)))
        removed += result.rowcount or 0
    return removed
