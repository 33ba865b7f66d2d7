"""The reads of scans received: what each session has received at a moment (beside the counts its target comes
from), pages per UTC day, one session's batches, and the booklets PDFs are matched by."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Date, String, cast, exists, func, literal, select, type_coerce
from sqlmodel import Session

from dashboard.store.base import SCANS, SESSIONS, chunks, driver_rows
from dashboard.store.reads import session_counts, stored_moment
from models import UTCDateTime


class ReceiptRow(NamedTuple):
    """A paper session as its receipt reads it: names, window, what its target is counted from, pages received.
    Dates as the driver gives them (``stored_moment`` reads one)."""

    session_name: str
    group_name: str
    timezone: str | None
    scan_upload_start: Any
    scan_upload_end: Any
    sheets_per_interaction: int | None
    total_interactions: int | None
    test_takers: int
    started: int
    with_activity: int
    received: int


def _received(as_of: datetime, dialect: str) -> tuple[Any, Any]:
    """The pages each session received at or before ``as_of``, as a column of ``receipt_statement``, and what it
    is joined from (None: nothing). On SQLite, a subquery per session reads its batches where they stand in the
    receipt's index (session, time, pages): 0.47 s at 1,000,000 batches, against 0.53 s for grouping every
    batch and indexing the groups again to join them. On PostgreSQL the same subquery takes twice the join's time."""
    moment = literal(as_of, UTCDateTime)
    if dialect == "sqlite":
        pages = (select(func.sum(SCANS.c.pages))
                 .where(SCANS.c.session_id == SESSIONS.c.id, SCANS.c.received_at <= moment).scalar_subquery())
        return pages, None
    received = (select(SCANS.c.session_id, func.sum(SCANS.c.pages).label("received"))
                .where(SCANS.c.received_at <= moment).group_by(SCANS.c.session_id).subquery("received"))
    return received.c.received, received


def receipt_rows(*, db: Session, as_of: datetime, names: Sequence[str] | None = None) -> list[ReceiptRow]:
    """Every paper session (or those named) at ``as_of``, by name: its counts (launches begun by then) and its
    pages received."""
    statement = receipt_statement(as_of, names, dialect=db.get_bind().dialect.name)
    return list(map(ReceiptRow._make, driver_rows(db, statement)))


def receipt_statement(as_of: datetime, names: Sequence[str] | None = None, *, dialect: str) -> Any:
    """``receipt_rows``'s SELECT for a store of ``dialect``, its columns in ``ReceiptRow``'s order; no column's type
    converts what it reads (``driver_rows``)."""
    enrolled, activity = session_counts(as_of, names)
    pages, received = _received(as_of, dialect)
    dates = {"scan_upload_start", "scan_upload_end"}
    fields = ("session_name", "group_name", "timezone", "scan_upload_start", "scan_upload_end",
              "sheets_per_interaction", "total_interactions")
    statement = (
        select(*(type_coerce(SESSIONS.c[f], String).label(f) if f in dates else SESSIONS.c[f] for f in fields),
               func.coalesce(enrolled.c.test_takers, 0), func.coalesce(activity.c.started, 0),
               func.coalesce(activity.c.with_activity, 0), func.coalesce(pages, 0))
        .outerjoin(enrolled, enrolled.c.group_name == SESSIONS.c.group_name)
        .outerjoin(activity, activity.c.session_id == SESSIONS.c.id)
        .where(SESSIONS.c.paper_enabled.is_(True)).order_by(SESSIONS.c.session_name))
    if received is not None:
        statement = statement.outerjoin(received, received.c.session_id == SESSIONS.c.id)
    if names is not None:
        statement = statement.where(SESSIONS.c.session_name.in_(list(names)))
    return statement


def _utc_day(db: Session) -> Any:
    """A batch's UTC day of receipt, in SQL."""
    if db.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", SCANS.c.received_at), Date)
    return func.substr(type_coerce(SCANS.c.received_at, String), 1, 10)  # SQLite keeps UTC text: its day comes first


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def received_per_day(*, db: Session, as_of: datetime, names: Collection[str] | None = None) -> dict[date, int]:
    """Pages received per UTC day by paper sessions, at or before ``as_of``, in date order (counted in SQL), as
    ``receipt_rows`` counts them per session (a session whose paper mode was turned off since keeps its batches
    and counts in neither); with ``names``, by those sessions only (a part of the programme: asked ``CHUNK`` names
    at a time, under SQLite's limit of bound values)."""
    day = _utc_day(db)
    counted = (select(day.label("day"), func.sum(SCANS.c.pages))
               .where(SCANS.c.received_at <= literal(as_of, UTCDateTime)).group_by(day))
    paper = counted.join(SESSIONS, SESSIONS.c.id == SCANS.c.session_id).where(SESSIONS.c.paper_enabled.is_(True))
    if names is None:  # the sessions' table joined only when a session off paper has batches (a tenth more time)
        off_paper = db.execute(select(SESSIONS.c.id).where(SESSIONS.c.paper_enabled.is_(False), exists().where(
            SCANS.c.session_id == SESSIONS.c.id)).limit(1)).first()
        return {_day(value): int(pages) for value, pages in db.execute((paper if off_paper else counted)
                                                                      .order_by(day))}
    totals: dict[date, int] = {}
    for chunk in chunks(sorted(names)):
        rows = db.execute(paper.where(SESSIONS.c.session_name.in_(chunk)))
        for value, pages in rows:
            totals[_day(value)] = totals.get(_day(value), 0) + int(pages)
    return dict(sorted(totals.items()))


class Batch(NamedTuple):
    """A batch received for a session: when, how many pages, where from (a log's batch, or a PDF)."""

    received_at: datetime
    pages: int
    source: str
    file_name: str | None
    batch_id: str | None


def session_batches(*, db: Session, name: str) -> list[Batch]:
    """The batches of one session, in the order they came."""
    rows = db.execute(select(SCANS.c.received_at, SCANS.c.pages, SCANS.c.source, SCANS.c.file_name,
                             SCANS.c.batch_id).join(SESSIONS, SESSIONS.c.id == SCANS.c.session_id)
                      .where(SESSIONS.c.session_name == name).order_by(SCANS.c.received_at, SCANS.c.id))
    return [Batch(*row) for row in rows]


def batch_ids(*, db: Session, pairs: Collection[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The id of the stored batch of each (session id, batch key) of ``pairs`` that has one. Read by session (an IN
    list of integers) and matched here: matching the pairs in SQL, as SQLAlchemy expands a list of tuples, took 17 s
    of the 19 s a log of 300,000 batches took to import into a store of a million (6.9 s since)."""
    wanted = set(pairs)
    out: dict[tuple[int, str], int] = {}
    for chunk in chunks(sorted({session for session, _ in wanted})):
        for session, key, ident in db.execute(select(SCANS.c.session_id, SCANS.c.batch_key, SCANS.c.id)
                                              .where(SCANS.c.session_id.in_(chunk))).fetchall():
            if (session, key) in wanted:
                out[session, key] = ident
    return out


def scans_received(*, db: Session) -> bool:
    """Whether any scan has been imported."""
    return db.scalar(select(SCANS.c.id).limit(1)) is not None


def booklets(*, db: Session) -> list[tuple[str, str]]:
    """(booklet file name, session name) of every stored paper session that has one."""
    rows = db.execute(select(SESSIONS.c.booklet_filename, SESSIONS.c.session_name)
                      .where(SESSIONS.c.paper_enabled.is_(True), SESSIONS.c.booklet_filename.is_not(None)))
    return [(booklet, name) for booklet, name in rows]


__all__ = ["Batch", "ReceiptRow", "booklets", "receipt_rows", "received_per_day", "scans_received",
           "batch_ids", "session_batches", "stored_moment"]
