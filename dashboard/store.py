"""Every SELECT and every write of scanready; bulk paths per dialect.

Functions take the database session keyword-only (``db``) and never commit: the caller's
``session_scope`` does, so an import is one transaction. Imports ``models`` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, case, func, select, tuple_, type_coerce, update
from sqlmodel import Session

from models import Activity, ExamSession, GroupLink, ImportFile, ImportRecord

CHUNK = 5_000  # bound parameters per IN (...) stay well under SQLite's limit
SESSIONS = cast(Table, ExamSession.__table__)  # type: ignore[attr-defined]
LINKS = cast(Table, GroupLink.__table__)  # type: ignore[attr-defined]
ACTIVITY = cast(Table, Activity.__table__)  # type: ignore[attr-defined]
IMPORTS = cast(Table, ImportRecord.__table__)  # type: ignore[attr-defined]
IMPORT_FILES = cast(Table, ImportFile.__table__)  # type: ignore[attr-defined]


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.created + other.created, self.updated + other.updated,
                      self.unchanged + other.unchanged)

    def to_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def session_groups(*, db: Session, names: Iterable[str]) -> dict[str, str]:
    """Stored session name -> its group, for the names given that are stored."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(names))):
        rows = db.execute(select(SESSIONS.c.session_name, SESSIONS.c.group_name)
                          .where(SESSIONS.c.session_name.in_(chunk)))
        found.update((key, value) for key, value in rows)
    return found


def session_ids(*, db: Session, names: Iterable[str]) -> dict[str, int]:
    """Stored session name -> id, for the names given that are stored."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(names))):
        rows = db.execute(select(SESSIONS.c.session_name, SESSIONS.c.id).where(SESSIONS.c.session_name.in_(chunk)))
        found.update((key, value) for key, value in rows)
    return found


def groups_with_sessions(*, db: Session, groups: Iterable[str]) -> set[str]:
    """Those of ``groups`` that at least one stored session uses."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(groups))):
        found.update(db.scalars(select(SESSIONS.c.group_name).where(SESSIONS.c.group_name.in_(chunk)).distinct()))
    return found


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
    _bulk_insert(db, IMPORT_FILES, [
        {"import_id": import_id, "file_name": name, "sha256": sha, "kind": kind, "template": template, "rows": rows}
        for name, sha, kind, template, rows in files])


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
        db.execute(update(ACTIVITY).where(ACTIVITY.c.id == bindparam("b_id"))
                   .values({f: bindparam(f"b_{f}") for f in (*fields, "import_id")}), changed)
    counts.created, counts.updated = len(new), len(changed)
    return counts


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
        process = table.c[name].type.bind_processor(connection.dialect)
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


def recent_imports(*, db: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The latest imports, newest first, each with its files."""
    records = db.execute(select(ImportRecord).order_by(ImportRecord.id.desc()).limit(limit)).scalars().all()  # type: ignore[union-attr]
    ids = [r.id for r in records]
    files: dict[int, list[ImportFile]] = {}
    if ids:
        for f in db.execute(select(ImportFile).where(ImportFile.import_id.in_(ids))).scalars():  # type: ignore[attr-defined]
            files.setdefault(f.import_id, []).append(f)
    return [{"id": r.id, "imported_at": r.imported_at, "created": r.created, "updated": r.updated,
             "unchanged": r.unchanged,
             "files": [(f.file_name, f.sha256, f.kind, f.rows) for f in files.get(r.id or 0, [])]}
            for r in records]


def count_sessions(*, db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(SESSIONS)) or 0)


def data_version(*, db: Session) -> int:
    """A number each import bumps: the newest import's id (0 for an empty store)."""
    return int(db.scalar(select(func.max(IMPORTS.c.id))) or 0)


def get_session(*, db: Session, name: str) -> ExamSession | None:
    return db.execute(select(ExamSession).where(SESSIONS.c.session_name == name)).scalars().first()


def _holders(role: str) -> Any:
    """How many links of a group carry ``role`` (a SUM over the group's rows)."""
    return func.sum(case((LINKS.c.group_role == role, 1), else_=0))


def _enrolment_counts() -> Any:
    """Per group: test-takers and scan uploaders (one GROUP BY over the links)."""
    return (select(LINKS.c.group_name, _holders("TEST_TAKER").label("test_takers"),
                   _holders("SCAN_UPLOADER").label("scan_uploaders"))
            .group_by(LINKS.c.group_name).subquery("enrolled"))


def _activity_counts() -> Any:
    """Per session: enrolled test-takers with any activity, and those who started."""
    started = func.sum(case((ACTIVITY.c.status != "not_started", 1), else_=0))
    owner = SESSIONS.alias("owner")
    return (select(ACTIVITY.c.session_id, func.count().label("with_activity"), started.label("launched"))
            .join(owner, owner.c.id == ACTIVITY.c.session_id)
            .join(LINKS, (LINKS.c.group_name == owner.c.group_name)
                  & (LINKS.c.user_username == ACTIVITY.c.user_username) & (LINKS.c.group_role == "TEST_TAKER"))
            .group_by(ACTIVITY.c.session_id).subquery("activity_counts"))


SNAPSHOT_COLUMNS = ("session_name", "group_name", "delivery_id", "timezone", "start_date", "end_date",
                    "submission_date", "scan_upload_start", "scan_upload_end", "sheets_per_interaction",
                    "total_interactions")


def paper_session_rows(*, db: Session, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every paper session (or those named) with its enrolment and activity counts, counted in SQL."""
    enrolled, activity = _enrolment_counts(), _activity_counts()
    statement = (
        select(*(type_coerce(SESSIONS.c[name], String).label(name) if name in _DATE_COLUMNS else SESSIONS.c[name]
                 for name in SNAPSHOT_COLUMNS),
               func.coalesce(enrolled.c.test_takers, 0).label("test_takers"),
               func.coalesce(enrolled.c.scan_uploaders, 0).label("scan_uploaders"),
               func.coalesce(activity.c.launched, 0).label("launched"),
               func.coalesce(activity.c.with_activity, 0).label("with_activity"))
        .outerjoin(enrolled, enrolled.c.group_name == SESSIONS.c.group_name)
        .outerjoin(activity, activity.c.session_id == SESSIONS.c.id)
        .where(SESSIONS.c.paper_enabled.is_(True))
        .order_by(SESSIONS.c.session_name)
    )
    if names is not None:
        statement = statement.where(SESSIONS.c.session_name.in_(list(names)))
    result = db.execute(statement)
    keys = list(result.keys())
    rows = [dict(zip(keys, row, strict=True)) for row in result]
    moments: dict[Any, datetime | None] = {None: None}
    for row in rows:  # dates as the driver gives them, each distinct one converted once
        for name in _DATE_COLUMNS:
            raw = row[name]
            row[name] = moments[raw] if raw in moments else moments.setdefault(raw, _utc(raw))
    return rows


_DATE_COLUMNS = frozenset({"start_date", "end_date", "submission_date", "scan_upload_start", "scan_upload_end"})


def _utc(raw: datetime | str) -> datetime:
    """A stored timestamp as an aware UTC datetime: PostgreSQL's driver gives datetimes, SQLite text in UTC."""
    if isinstance(raw, datetime):
        return raw.astimezone(UTC) if raw.tzinfo else raw.replace(tzinfo=UTC)
    return datetime.fromisoformat(raw).replace(tzinfo=UTC)


def role_counts(*, db: Session, group: str) -> dict[str, int]:
    """Users per role in one group."""
    rows = db.execute(select(LINKS.c.group_role, func.count()).where(LINKS.c.group_name == group)
                      .group_by(LINKS.c.group_role))
    return {role: int(n) for role, n in rows}


def status_counts(*, db: Session, session_name: str) -> dict[str, int]:
    """Test-takers per activity status in one session."""
    rows = db.execute(select(ACTIVITY.c.status, func.count())
                      .join(SESSIONS, SESSIONS.c.id == ACTIVITY.c.session_id)
                      .where(SESSIONS.c.session_name == session_name).group_by(ACTIVITY.c.status))
    return {status: int(n) for status, n in rows}


def session_names(*, db: Session) -> list[str]:
    """Names of all paper sessions, sorted."""
    return list(db.scalars(select(SESSIONS.c.session_name).where(SESSIONS.c.paper_enabled.is_(True))
                           .order_by(SESSIONS.c.session_name)))
