"""Use cases of readiness: the board of every paper session at a moment, its filters, one session, the report.

Reads the clock (the default "as of") so nothing below does. Imports readiness, store and ingest's date parser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from dashboard import store
from dashboard.errors import ScanreadyError
from dashboard.ingest.values import parse_datetime
from dashboard.readiness import Checklist, SessionSnapshot, evaluate_checklist

STATUS_ORDER = {"blocked": 0, "pending": 1, "ready": 2}


@dataclass(slots=True)
class Board:
    """The readiness of every paper session at ``as_of``: problems first."""

    as_of: datetime
    checklists: list[Checklist]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUS_ORDER, 0)
        for checklist in self.checklists:
            out[checklist.status] += 1
        return out

    def flat_rows(self) -> list[dict[str, Any]]:
        """One flat row per session (``readiness --csv`` and the overview's download)."""
        rows = []
        for checklist in self.checklists:
            entry = checklist.to_dict()
            items = entry.pop("items")
            entry["warnings"] = "; ".join(entry["warnings"])
            for item in items:
                entry[item["item"]] = item["state"]
                entry[f"{item['item']}_detail"] = item["detail"]
            rows.append(entry)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``readiness --json`` object."""
        return {"as_of": self.as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "sessions": [checklist.to_dict() for checklist in self.checklists]}


def readiness_board(*, db: Session, as_of: datetime | None = None, names: Sequence[str] | None = None) -> Board:
    """Every paper session's checklist at ``as_of`` (default: now), blocked first, then pending, then ready."""
    moment = (as_of or datetime.now(UTC)).astimezone(UTC)
    checklists = [evaluate_checklist(SessionSnapshot(**row), moment)
                  for row in store.paper_session_rows(db=db, names=names)]
    checklists.sort(key=lambda c: (STATUS_ORDER[c.status], c.session.scan_upload_end or moment, c.session.session_name))
    return Board(moment, checklists)


@dataclass(slots=True)
class SessionDetail:
    """One session's page: its checklist plus enrolment counts by role and activity counts by status."""

    checklist: Checklist
    roles: dict[str, int]
    statuses: dict[str, int]


def session_detail(*, db: Session, name: str, as_of: datetime | None = None) -> SessionDetail | None:
    board = readiness_board(db=db, as_of=as_of, names=[name])
    if not board.checklists:
        return None
    checklist = board.checklists[0]
    return SessionDetail(checklist, store.role_counts(db=db, group=checklist.session.group_name),
                         store.status_counts(db=db, session_name=name))


def parse_as_of(text: str) -> datetime:
    """An "as of" moment from ISO 8601 text (a date alone means its start, UTC)."""
    value = text.strip()
    if len(value) == 10:
        value += "T00:00:00Z"
    try:
        return parse_datetime(value)[0]
    except ValueError as exc:
        raise ScanreadyError(f"The date {text!r} {exc}.") from exc


def paper_session_names(*, db: Session) -> list[str]:
    return store.session_names(db=db)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the overview shows: statuses, groups, deliveries, a start-date range, sessions closing soon."""

    statuses: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    deliveries: tuple[str, ...] = ()
    starts_from: date | None = None
    starts_to: date | None = None
    closing_within_days: int | None = None  # scan window closes within N days of as_of, with a problem


def filter_board(board: Board, filters: Filters) -> Board:
    """The sessions of ``board`` that pass every filter (an empty filter passes everything)."""
    horizon = board.as_of + timedelta(days=filters.closing_within_days or 0)

    def keep(checklist: Checklist) -> bool:
        session = checklist.session
        start = session.start_date.date() if session.start_date else None
        closes = session.scan_upload_end
        return ((not filters.statuses or checklist.status in filters.statuses)
                and (not filters.groups or session.group_name in filters.groups)
                and (not filters.deliveries or session.delivery_id in filters.deliveries)
                and (filters.starts_from is None or (start is not None and start >= filters.starts_from))
                and (filters.starts_to is None or (start is not None and start <= filters.starts_to))
                and (filters.closing_within_days is None
                     or (checklist.status == "blocked" and closes is not None and board.as_of <= closes <= horizon)))

    return Board(board.as_of, [c for c in board.checklists if keep(c)])


def review_report(board: Board, *, capacity: int | None = None, scope: str | None = None,
                  now: datetime | None = None) -> str:
    """The readiness review of ``board`` as one self-contained HTML page, stamped ``now`` (default: the clock)."""
    from dashboard.report import review_html

    return review_html(board.checklists, as_of=board.as_of, generated_at=now or datetime.now(UTC),
                       capacity=capacity, scope=scope)
