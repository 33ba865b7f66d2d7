"""The reads: sessions by name, and the readiness rows with their counts aggregated in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, case, func, select, type_coerce
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, LINKS, SESSIONS, _chunks
from models import ExamSession


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
