"""The reads: sessions by name, and the readiness rows with their counts aggregated in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, case, func, select, type_coerce
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, LINKS, SESSIONS
from models import ExamSession


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


def count_sessions(*, db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(SESSIONS)) or 0)


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


# The readiness row, in ``SessionSnapshot``'s field order: names, zone and dates, then counts.
READINESS_COLUMNS = ("session_name", "group_name", "delivery_id", "timezone", "start_date", "end_date",
                     "submission_date", "scan_upload_start", "scan_upload_end", "sheets_per_interaction",
                     "total_interactions", "test_takers", "scan_uploaders", "launched", "with_activity")
SNAPSHOT_COLUMNS = READINESS_COLUMNS[:11]
_DATE_COLUMNS = frozenset({"start_date", "end_date", "submission_date", "scan_upload_start", "scan_upload_end"})


def readiness_rows(*, db: Session, names: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
    """Every paper session (or those named) with its enrolment and activity counts, counted in SQL, by name.

    Plain tuples in ``READINESS_COLUMNS`` order, dates as the driver gives them (text on SQLite, datetimes on
    PostgreSQL): ``stored_moment`` reads one. Sessions share few dates, so callers convert each distinct one once.
    """
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
    return list(map(tuple, db.execute(statement).fetchall()))  # fetched at once: no per-row round of the result


def paper_session_rows(*, db: Session, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """``readiness_rows`` as dicts keyed by column, dates as aware UTC datetimes."""
    moments: dict[Any, datetime | None] = {}
    rows = []
    for values in readiness_rows(db=db, names=names):
        row = dict(zip(READINESS_COLUMNS, values, strict=True))
        for name in _DATE_COLUMNS:  # each distinct date converted once
            raw = row[name]
            row[name] = moments[raw] if raw in moments else moments.setdefault(raw, stored_moment(raw))
        rows.append(row)
    return rows


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
