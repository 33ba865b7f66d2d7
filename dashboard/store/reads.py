"""The reads: sessions by name, the readiness rows with their counts aggregated in SQL at a moment, what the
checks of an import need (groups, test-takers, launches), and one session's counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import String, and_, case, func, literal, or_, select, type_coerce
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, IMPORT_FILES, IMPORTS, LINKS, SESSIONS, chunks, driver_rows
from dashboard.tao import NOT_STARTED, SCAN_UPLOADER, TEST_TAKER
from models import UTCDateTime


def session_groups(*, db: Session, names: Iterable[str]) -> dict[str, str]:
    """Stored session name -> its group, for the names given that are stored."""
    return _by_name(db, SESSIONS.c.group_name, names)


def session_ids(*, db: Session, names: Iterable[str]) -> dict[str, int]:
    """Stored session name -> id, for the names given that are stored."""
    return _by_name(db, SESSIONS.c.id, names)


def _by_name(db: Session, column: Any, names: Iterable[str]) -> dict[str, Any]:
    """Stored session name -> ``column``, for ``names``: by IN (...) for a few, by one scan for many."""
    wanted = set(names)
    if not wanted:
        return {}
    if len(wanted) > CHUNK:  # every stored session, fetched in one call
        return {name: value for name, value in db.execute(select(SESSIONS.c.session_name, column)).fetchall()
                if name in wanted}
    rows = db.execute(select(SESSIONS.c.session_name, column).where(SESSIONS.c.session_name.in_(wanted)))
    return {name: value for name, value in rows}  # noqa: C416 (rows are Row objects, not pairs to mypy)


def groups_with_sessions(*, db: Session, groups: Iterable[str]) -> set[str]:
    """Those of ``groups`` that at least one stored session uses: by IN (...) for a few, by one scan for many."""
    wanted = set(groups)
    if len(wanted) > CHUNK:  # every stored group, fetched in one call
        return {group for (group,) in db.execute(select(SESSIONS.c.group_name).distinct()).fetchall()} & wanted
    if not wanted:
        return set()
    return set(db.scalars(select(SESSIONS.c.group_name).where(SESSIONS.c.group_name.in_(wanted)).distinct()))


class StoredSession(NamedTuple):
    """What the checks of an import need of a stored session."""

    session_name: str
    group_name: str
    delivery_id: str
    delivery_kind: str
    timezone: str | None
    paper_enabled: bool


def stored_sessions(*, db: Session, names: Iterable[str] = (), groups: Iterable[str] = ()) -> list[StoredSession]:
    """The stored sessions named ``names`` or in ``groups``: by IN (...) for a few, by one scan for many (a file
    of 100,000 sessions: one pass over the table instead of IN lists of thousands of names)."""
    wanted_names, wanted_groups = set(names), set(groups)
    columns = [SESSIONS.c[name] for name in StoredSession._fields]
    found: dict[str, StoredSession] = {}
    if len(wanted_names) + len(wanted_groups) > CHUNK:
        every = map(StoredSession._make, db.execute(select(*columns)).fetchall())
        return [s for s in every if s.session_name in wanted_names or s.group_name in wanted_groups]
    for column, wanted in ((SESSIONS.c.session_name, wanted_names), (SESSIONS.c.group_name, wanted_groups)):
        for chunk in chunks(sorted(wanted)):
            for row in db.execute(select(*columns).where(column.in_(chunk))).fetchall():
                found[row[0]] = StoredSession(*row)
    return list(found.values())


def test_taker_groups(*, db: Session, users: Iterable[str]) -> dict[str, set[str]]:
    """login -> the groups in which it has the TEST_TAKER role, for the ``users`` given."""
    out: dict[str, set[str]] = {}
    for chunk in chunks(sorted(set(users))):
        rows = db.execute(select(LINKS.c.user_username, LINKS.c.group_name)
                          .where(LINKS.c.group_role == TEST_TAKER, LINKS.c.user_username.in_(chunk)))
        for user, group in rows:
            out.setdefault(user, set()).add(group)
    return out


def links_of_groups(*, db: Session, groups: Iterable[str]) -> set[tuple[str, str, str]]:
    """Every stored (group, user, role) link of ``groups``."""
    out: set[tuple[str, str, str]] = set()
    for chunk in chunks(sorted(set(groups))):
        rows = db.execute(select(LINKS.c.group_name, LINKS.c.user_username, LINKS.c.group_role)
                          .where(LINKS.c.group_name.in_(chunk)))
        out.update((group, user, role) for group, user, role in rows)
    return out


def launched_sessions(*, db: Session, names: Iterable[str]) -> set[str]:
    """Those of the stored sessions ``names`` for which any test-taker's launch is recorded (at any time)."""
    out: set[str] = set()
    for chunk in chunks(sorted(set(names))):
        out.update(db.scalars(select(SESSIONS.c.session_name).distinct()
                              .join(ACTIVITY, ACTIVITY.c.session_id == SESSIONS.c.id)
                              .where(SESSIONS.c.session_name.in_(chunk), ACTIVITY.c.status != NOT_STARTED)))
    return out


def count_sessions(*, db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(SESSIONS)) or 0)


def _holders(role: str) -> Any:
    """How many links of a group carry ``role``: a COUNT of the group's rows with a FILTER (on SQLite, a tenth faster
    over a million links than a SUM of a CASE)."""
    return func.count().filter(LINKS.c.group_role == role)


def enrolment_counts(groups: Any = None) -> Any:
    """Per group: test-takers and scan uploaders (one GROUP BY over the links; of ``groups`` only, a subquery of
    group names, when given: one session's page need not count a million links)."""
    statement = select(LINKS.c.group_name, _holders(TEST_TAKER).label("test_takers"),
                       _holders(SCAN_UPLOADER).label("scan_uploaders"))
    if groups is not None:
        statement = statement.where(LINKS.c.group_name.in_(groups))
    return statement.group_by(LINKS.c.group_name).subquery("enrolled")


def launched_by(as_of: datetime) -> Any:
    """Whether an activity row is a launch at ``as_of``: a state other than not started, begun at or before it.
    The start is its start time, else its finish time; a row with neither counts at every moment (its export said
    the test began and not when)."""
    began = func.coalesce(ACTIVITY.c.started_at, ACTIVITY.c.finished_at)
    moment = literal(as_of, UTCDateTime)
    return and_(ACTIVITY.c.status != NOT_STARTED, or_(began.is_(None), began <= moment))


def activity_counts(as_of: datetime, sessions: Any = None) -> Any:
    """Per session: enrolled test-takers with any activity imported, and those who had launched at ``as_of`` (of
    ``sessions`` only, a subquery of session ids, when given)."""
    started = func.sum(case((launched_by(as_of), 1), else_=0))
    owner = SESSIONS.alias("owner")
    statement = (select(ACTIVITY.c.session_id, func.count().label("with_activity"), started.label("started"))
                 .join(owner, owner.c.id == ACTIVITY.c.session_id)
                 .join(LINKS, (LINKS.c.group_name == owner.c.group_name)
                       & (LINKS.c.user_username == ACTIVITY.c.user_username) & (LINKS.c.group_role == TEST_TAKER)))
    if sessions is not None:
        statement = statement.where(ACTIVITY.c.session_id.in_(sessions))
    return statement.group_by(ACTIVITY.c.session_id).subquery("activity_counts")


def session_counts(as_of: datetime, names: Sequence[str] | None = None) -> tuple[Any, Any]:
    """The enrolment and activity counts per session at ``as_of`` (subqueries): of every session, or, with
    ``names``, of only their groups' links and their activity."""
    if names is None:
        return enrolment_counts(), activity_counts(as_of)
    chosen = SESSIONS.c.session_name.in_(list(names))
    return (enrolment_counts(select(SESSIONS.c.group_name).where(chosen).scalar_subquery()),
            activity_counts(as_of, select(SESSIONS.c.id).where(chosen).scalar_subquery()))


class ReadinessRow(NamedTuple):
    """A paper session as the checklist reads it, its counts made in SQL. Dates are as the driver gives them
    (text on SQLite, datetimes on PostgreSQL): ``stored_moment`` reads one, once per distinct value."""

    session_name: str
    group_name: str
    delivery_id: str
    timezone: str | None
    start_date: Any
    end_date: Any
    submission_date: Any
    scan_upload_start: Any
    scan_upload_end: Any
    sheets_per_interaction: int | None
    total_interactions: int | None
    test_takers: int
    scan_uploaders: int
    started: int
    with_activity: int


_DATES = frozenset({"start_date", "end_date", "submission_date", "scan_upload_start", "scan_upload_end"})
_COUNTS = ("test_takers", "scan_uploaders", "started", "with_activity")


def readiness_rows(*, db: Session, as_of: datetime, names: Sequence[str] | None = None) -> list[ReadinessRow]:
    """Every paper session (or those named) at ``as_of``, by name: launches count only once begun by then. With
    ``names``, only their groups' links and their activity are counted."""
    return list(map(ReadinessRow._make, readiness_values(db=db, as_of=as_of, names=names)))


def readiness_values(*, db: Session, as_of: datetime,
                     names: Sequence[str] | None = None) -> Sequence[tuple[Any, ...]]:
    """``readiness_rows`` as the driver's plain tuples, in ``ReadinessRow``'s order of columns, for a reader by
    position (``readiness --json``: making 100,000 named tuples took a tenth of its work)."""
    return driver_rows(db, readiness_statement(as_of, names))


def readiness_statement(as_of: datetime, names: Sequence[str] | None = None) -> Any:
    """``readiness_rows``'s SELECT, its columns in ``ReadinessRow``'s order; no column's type converts what it reads
    (``driver_rows``)."""
    enrolled, activity = session_counts(as_of, names)
    counts = {**enrolled.c, **activity.c}
    statement = (
        select(*(type_coerce(SESSIONS.c[name], String).label(name) if name in _DATES else SESSIONS.c[name]
                 for name in ReadinessRow._fields[:-len(_COUNTS)]),
               *(func.coalesce(counts[name], 0).label(name) for name in _COUNTS))
        .outerjoin(enrolled, enrolled.c.group_name == SESSIONS.c.group_name)
        .outerjoin(activity, activity.c.session_id == SESSIONS.c.id)
        .where(SESSIONS.c.paper_enabled.is_(True))
        .order_by(SESSIONS.c.session_name)
    )
    if names is not None:
        statement = statement.where(SESSIONS.c.session_name.in_(list(names)))
    return statement


def stored_moment(raw: datetime | str | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime: PostgreSQL's driver gives datetimes, SQLite text in UTC."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.astimezone(UTC) if raw.tzinfo else raw.replace(tzinfo=UTC)
    return datetime.fromisoformat(raw).replace(tzinfo=UTC)


def role_counts(*, db: Session, group: str) -> dict[str, int]:
    """Users per role in one group."""
    rows = db.execute(select(LINKS.c.group_role, func.count()).where(LINKS.c.group_name == group)
                      .group_by(LINKS.c.group_role))
    return {role: int(n) for role, n in rows}


def _enrolled_test_taker() -> Any:
    """An activity row's user is a test-taker of its session's group (``SESSIONS`` joined on the session): the
    checklist's counts read only these."""
    return and_(LINKS.c.group_name == SESSIONS.c.group_name, LINKS.c.user_username == ACTIVITY.c.user_username,
                LINKS.c.group_role == TEST_TAKER)


def status_counts(*, db: Session, session_name: str, as_of: datetime) -> dict[str, int]:
    """The session's enrolled test-takers per activity status, as they stood at ``as_of``: one who had not begun by
    then is not started, one who finished later was still in progress. Activity of users who are not test-takers
    of the group (removed from it since, or never in it) is left out, as the checklist leaves it out."""
    moment = literal(as_of, UTCDateTime)
    began = func.coalesce(ACTIVITY.c.started_at, ACTIVITY.c.finished_at)
    status = case((~launched_by(as_of), NOT_STARTED),
                  (and_(ACTIVITY.c.finished_at.is_not(None), ACTIVITY.c.finished_at > moment, began <= moment),
                   "in_progress"),
                  else_=ACTIVITY.c.status)
    rows = db.execute(select(status, func.count()).join(SESSIONS, SESSIONS.c.id == ACTIVITY.c.session_id)
                      .join(LINKS, _enrolled_test_taker())
                      .where(SESSIONS.c.session_name == session_name).group_by(status))
    return {str(name): int(n) for name, n in rows}


def unenrolled_activity(*, db: Session, session_name: str) -> int:
    """The session's activity rows of users who are not test-takers of its group (``status_counts`` leaves them
    out): a roster that lost a member, or an export that listed someone else."""
    return int(db.scalar(select(func.count()).select_from(ACTIVITY)
                         .join(SESSIONS, SESSIONS.c.id == ACTIVITY.c.session_id)
                         .outerjoin(LINKS, _enrolled_test_taker())
                         .where(SESSIONS.c.session_name == session_name, LINKS.c.user_username.is_(None))) or 0)


def session_names(*, db: Session) -> list[str]:
    """Names of all paper sessions, sorted."""
    return list(db.scalars(select(SESSIONS.c.session_name).where(SESSIONS.c.paper_enabled.is_(True))
                           .order_by(SESSIONS.c.session_name)))


def activity_imported_at(*, db: Session) -> datetime | None:
    """When activity was last imported (an import not undone with an activity file), None when never."""
    moment = db.scalar(select(func.max(IMPORTS.c.imported_at))
                       .join(IMPORT_FILES, IMPORT_FILES.c.import_id == IMPORTS.c.id)
                       .where(IMPORT_FILES.c.kind == "activity", IMPORTS.c.reverted_at.is_(None)))
    return stored_moment(moment)


__all__ = ["ReadinessRow", "StoredSession", "activity_imported_at", "count_sessions", "groups_with_sessions",
           "launched_by", "launched_sessions", "links_of_groups", "readiness_rows", "readiness_values",
           "role_counts", "session_groups", "session_ids", "session_names", "status_counts", "stored_moment",
           "stored_sessions", "test_taker_groups", "unenrolled_activity"]
