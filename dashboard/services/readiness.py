"""Use cases of readiness: the board of every paper session at a moment, its filters, one session, the report,
and its JSON written at programme scale (``board_json``).

Reads the clock (the default "as of") so nothing below does. Imports readiness, store and ingest's date parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlmodel import Session

from dashboard import store
from dashboard.errors import ScanreadyError
from dashboard.export import safe_table
from dashboard.ingest.values import FIRST_YEAR, LAST_YEAR, parse_datetime
from dashboard.readiness import ITEMS, STATUS_ORDER, Checklist, SessionSnapshot, board_place, evaluate_checklists
from dashboard.services.board_json import write_board_json
from dashboard.services.collector import collector_paused
from dashboard.store import Batch, ReadinessRow
from dashboard.wording import iso_utc

if TYPE_CHECKING:  # the receipt's modules load pandas: imported where a session's detail needs them
    from dashboard.receipt import ReceiptDay, SessionReceipt
    from dashboard.report import Drawn, Frames, Render
    from dashboard.services.receipts import ReceiptBoard


@dataclass(slots=True)
class Board:
    """The readiness of every paper session at ``as_of``, problems first, and when activity was last imported."""

    as_of: datetime
    checklists: list[Checklist]
    activity_imported_at: datetime | None = None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(STATUS_ORDER, 0)
        for checklist in self.checklists:
            out[checklist.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``readiness --json`` object."""
        return {"as_of": iso_utc(self.as_of), "sessions": [checklist.to_dict() for checklist in self.checklists]}


CSV_COLUMNS = ("session_name", "group_name", "delivery_id", "status", "enrolled", "launched", "submitted", "window",
               "expected_sheets", "started_sheets",
               *(f"{item}_{part}" for item in ITEMS for part in ("state", "detail")), "warnings")
"""``readiness --csv`` and every readiness CSV download: the JSON's values, one column each; each item's state
and sentence in two columns of their own; the warnings joined by "; "."""


def csv_rows(board: Board) -> Iterator[tuple[str, ...]]:
    """The board's rows as the text of ``CSV_COLUMNS``: counts and sheets as whole numbers (empty for no
    started sheets), ``submitted`` true or false, the window's state as in the JSON."""
    for checklist in board.checklists:
        entry = checklist.to_dict()
        items = {item["item"]: item for item in entry["items"]}
        values: dict[str, Any] = {**entry, "submitted": "true" if entry["submitted"] else "false",
                                  "warnings": "; ".join(entry["warnings"])}
        for name in ITEMS:
            values[f"{name}_state"], values[f"{name}_detail"] = items[name]["state"], items[name]["detail"]
        yield tuple("" if values[c] is None else str(values[c]) for c in CSV_COLUMNS)


def readiness_csv(board: Board) -> bytes:
    """The board as CSV (``CSV_COLUMNS``), spreadsheet formulas neutralised."""
    return safe_table(CSV_COLUMNS, csv_rows(board))


def judged_moment(as_of: datetime | None) -> datetime:
    """The moment a board is judged at: ``as_of`` (default: now) in UTC, to the second, as every output writes it
    (``wording.iso_utc``): a verdict read back at the moment printed beside it is the same verdict."""
    return (as_of or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def readiness_board(*, db: Session, as_of: datetime | None = None, names: Sequence[str] | None = None) -> Board:
    """Every paper session's checklist at ``as_of`` (``judged_moment``), blocked first, then pending, then ready."""
    moment = judged_moment(as_of)
    with collector_paused():
        rows = store.readiness_rows(db=db, as_of=moment, names=names)
        checklists = evaluate_checklists(_snapshots(rows), moment)
    checklists.sort(key=lambda c: (*board_place(c.status, c.session.scan_upload_end, moment), c.session.session_name))
    return Board(moment, checklists, store.activity_imported_at(db=db))


def _snapshots(rows: Iterable[ReadinessRow]) -> Iterator[SessionSnapshot]:
    """Sessions from the store's readiness rows, each distinct set of dates converted once."""
    known: dict[tuple[Any, ...], tuple[datetime | None, ...]] = {}
    for row in rows:
        raw = (row.start_date, row.end_date, row.submission_date, row.scan_upload_start, row.scan_upload_end)
        start, end, submission, scan_start, scan_end = (
            known.get(raw) or known.setdefault(raw, tuple(map(store.stored_moment, raw))))
        yield SessionSnapshot(
            session_name=row.session_name, group_name=row.group_name, delivery_id=row.delivery_id,
            timezone=row.timezone, start_date=start, end_date=end, submission_date=submission,
            scan_upload_start=scan_start, scan_upload_end=scan_end, sheets_per_interaction=row.sheets_per_interaction,
            total_interactions=row.total_interactions, test_takers=row.test_takers, scan_uploaders=row.scan_uploaders,
            started=row.started, with_activity=row.with_activity)


@dataclass(slots=True)
class SessionDetail:
    """One session's page: its checklist plus enrolment counts by role and its test-takers' activity by status."""

    checklist: Checklist
    roles: dict[str, int]
    statuses: dict[str, int]  # as they stood at the board's as-of
    activity_imported_at: datetime | None
    receipt: SessionReceipt | None = None
    batches: list[Batch] = field(default_factory=list)  # received by the as-of
    unenrolled: int = 0  # activity rows of users not test-takers of the group: in no count


def session_detail(*, db: Session, name: str, as_of: datetime | None = None) -> SessionDetail | None:
    from dashboard.services.receipts import session_batches, session_receipt

    board = readiness_board(db=db, as_of=as_of, names=[name])
    if not board.checklists:
        return None
    checklist = board.checklists[0]
    return SessionDetail(checklist, store.role_counts(db=db, group=checklist.session.group_name),
                         store.status_counts(db=db, session_name=name, as_of=board.as_of), board.activity_imported_at,
                         session_receipt(db=db, name=name, as_of=board.as_of),
                         session_batches(db=db, name=name, as_of=board.as_of),
                         store.unenrolled_activity(db=db, session_name=name))


# The moments an "as of" may be: the years a file's dates may be in (``ingest.values``), in UTC, so that a moment
# shown in any zone, or a few years after it (sessions closing within N days), stays a date Python can write.
AS_OF_EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
AS_OF_LATEST = datetime(LAST_YEAR, 12, 31, 23, 59, tzinfo=UTC)


def parse_as_of(text: str) -> datetime:
    """An "as of" moment from ISO 8601 text (a date alone means its start, UTC), from ``AS_OF_EARLIEST`` to
    ``AS_OF_LATEST``."""
    value = text.strip()
    if len(value) == 10:
        value += "T00:00:00Z"
    try:
        moment = parse_datetime(value)[0]
    except ValueError as exc:
        raise ScanreadyError(f"The date {text!r} {exc}.") from exc
    if not AS_OF_EARLIEST <= moment <= AS_OF_LATEST:
        raise ScanreadyError(f"The date {text!r} is outside the years an as-of can be ({FIRST_YEAR} to {LAST_YEAR}).")
    return moment


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
    """The sessions of ``board`` that pass every filter (an empty filter passes everything). A session starts on
    the day its own zone gives (as its page shows its dates); it closes within N days when its window is still open
    at the as-of (it is [start, end)) and ends no later than N 24-hour days after it."""
    horizon = board.as_of + timedelta(days=filters.closing_within_days or 0)

    def keep(checklist: Checklist) -> bool:
        session = checklist.session
        start = _local_day(session.start_date, session.timezone) if session.start_date else None
        closes = session.scan_upload_end
        return ((not filters.statuses or checklist.status in filters.statuses)
                and (not filters.groups or session.group_name in filters.groups)
                and (not filters.deliveries or session.delivery_id in filters.deliveries)
                and (filters.starts_from is None or (start is not None and start >= filters.starts_from))
                and (filters.starts_to is None or (start is not None and start <= filters.starts_to))
                and (filters.closing_within_days is None
                     or (checklist.status == "blocked" and closes is not None and board.as_of < closes <= horizon)))

    return Board(board.as_of, [c for c in board.checklists if keep(c)], board.activity_imported_at)


@lru_cache(maxsize=4_096)  # sessions share few starts and zones
def _local_day(moment: datetime, zone: str | None) -> date:
    return moment.astimezone(ZoneInfo(zone) if zone else UTC).date()


def review_report(board: Board, *, capacity: int | None = None, scope: str | None = None,
                  now: datetime | None = None, receipts: ReceiptBoard | None = None,
                  frames: Frames | None = None, days: Sequence[ReceiptDay] | None = None,
                  drawn: Drawn | None = None, render: Render | None = None) -> str:
    """The readiness review of ``board`` as one self-contained HTML page, stamped ``now`` (default: the clock); with
    ``receipts`` (of the same moment), the scans received when any was imported, per day ``days`` when ``board``
    is a part of the programme (``services.received_days``; default: the receipts' own, the whole programme's);
    ``frames``: what it draws, and ``drawn`` (``report.drawn_parts`` of ``board``), when the caller has them already;
    ``render``: what draws its charts (default: ``report.chart_svg``, here)."""
    from dashboard.report import review_html

    shown = board.checklists
    scans = receipts if receipts is not None and receipts.any_scans else None
    names = {c.session.session_name for c in shown}
    return review_html(shown, as_of=board.as_of, generated_at=now or datetime.now(UTC), capacity=capacity,
                       scope=scope, activity_imported_at=board.activity_imported_at,
                       receipts=None if scans is None else [e for e in scans.sessions if e.session_name in names],
                       received=None if scans is None else days if days is not None else scans.days, frames=frames,
                       drawn=drawn, **({} if render is None else {"render": render}))


def write_readiness_json(*, db: Session, out: BinaryIO, as_of: datetime | None = None) -> dict[str, int]:
    """Write ``orjson.dumps(readiness_board(...).to_dict())`` to ``out``, byte for byte, without building a
    Checklist per session (``board_json``); return how many sessions are in each status."""
    moment = judged_moment(as_of)
    with collector_paused():
        return write_board_json(store.readiness_values(db=db, as_of=moment), moment, out)
