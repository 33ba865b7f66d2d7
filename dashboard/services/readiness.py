"""Use cases of readiness: the board of every paper session at a moment, its filters, one session, the report.

Reads the clock (the default "as of") so nothing below does. Imports readiness, store and ingest's date parser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, BinaryIO

import orjson
from sqlmodel import Session

from dashboard import store
from dashboard.errors import ScanreadyError
from dashboard.ingest.values import parse_datetime
from dashboard.readiness import (
    Checklist,
    GroupItem,
    Item,
    SessionSnapshot,
    evaluate_checklists,
    evaluate_tally,
    evaluate_timing,
)
from dashboard.services.collector import collector_paused

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
        return {"as_of": _stamp(self.as_of), "sessions": [checklist.to_dict() for checklist in self.checklists]}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def readiness_board(*, db: Session, as_of: datetime | None = None, names: Sequence[str] | None = None) -> Board:
    """Every paper session's checklist at ``as_of`` (default: now), blocked first, then pending, then ready."""
    moment = (as_of or datetime.now(UTC)).astimezone(UTC)
    with collector_paused():
        checklists = evaluate_checklists(_snapshots(store.readiness_rows(db=db, names=names)), moment)
    checklists.sort(key=lambda c: (STATUS_ORDER[c.status], c.session.scan_upload_end or moment, c.session.session_name))
    return Board(moment, checklists)


def _snapshots(rows: Iterable[tuple[Any, ...]]) -> Iterator[SessionSnapshot]:
    """Sessions from the store's readiness rows, each distinct zone and dates converted once."""
    known: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        raw = row[3:9]
        dates = known.get(raw) or known.setdefault(raw, (raw[0], *map(store.stored_moment, raw[1:])))
        yield SessionSnapshot(*row[:3], *dates, *row[9:])


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


def write_readiness_json(*, db: Session, out: BinaryIO, as_of: datetime | None = None) -> dict[str, int]:
    """Write ``orjson.dumps(readiness_board(...).to_dict())`` to ``out``, byte for byte, without building a
    Checklist per session (``write_board_json``); return how many sessions are in each status."""
    with collector_paused():
        return write_board_json(store.readiness_rows(db=db), (as_of or datetime.now(UTC)).astimezone(UTC), out)


# The board's JSON at programme scale: each session's entry is put together from pieces encoded once per distinct
# zone-and-dates and per distinct counts. It mirrors Checklist.to_dict and Board.to_dict: test_readiness_board.py
# compares them byte for byte.
_ENTRY = (b'{"session_name":%b,"group_name":%b,"delivery_id":%b,"status":%b,'
          b'%b,%b,'  # "enrolled" and "launched" (counts), "submitted" and "window" (dates)
          b'%b%b%b%b%b,'  # "expected_sheets", "started_sheets", "items":[ enrolment and roles around the group's name
          b'%b,%b],'  # launched (counts, or dates when no one started), submitted, window and schedule (dates)
          b'"warnings":[%b]}')
_STATUS_JSON = {rank: orjson.dumps(status) for status, rank in STATUS_ORDER.items()}
_RANK = {"problem": STATUS_ORDER["blocked"], "pending": STATUS_ORDER["pending"], "ok": STATUS_ORDER["ready"]}
_HOLE = "\x00"  # where the group's name goes in an item's sentence; JSON escapes it as \u0000


@dataclass(frozen=True, slots=True)
class _TimingJson:
    head: bytes  # "submitted":…,"window":…
    items: bytes  # submitted, window, schedule
    not_launched: tuple[tuple[bytes, int], tuple[bytes, int]]  # launched item and its rank: no activity, some
    rank: int  # the worst rank of its items, as in STATUS_ORDER
    warnings: bytes
    places: tuple[tuple[int, datetime], ...]  # the board's sort key for each status rank


@dataclass(frozen=True, slots=True)
class _TallyJson:
    head: bytes  # "enrolled":…,"launched":…
    lead: bytes  # "expected_sheets":…,"started_sheets":…,"items":[ and the enrolment item up to the group's name
    between: bytes  # the enrolment item after the group's name, the roles item up to it
    tail: bytes  # the roles item after the group's name
    launched: tuple[bytes, int] | None
    active: bool
    rank: int
    warnings: bytes


def _item_json(item: Item) -> tuple[bytes, int]:
    return orjson.dumps(item.to_dict()), _RANK[item.state]


def _around_group(item: GroupItem) -> list[bytes]:
    return orjson.dumps(item.naming(_HOLE).to_dict()).split(orjson.dumps(_HOLE)[1:-1])


def _warnings_json(warnings: tuple[str, ...]) -> bytes:
    return orjson.dumps(warnings)[1:-1]


def _encode_timing(raw: tuple[Any, ...], as_of: datetime) -> _TimingJson:
    zone, _start, end, submission, scan_start, scan_end = raw[0], *map(store.stored_moment, raw[1:])
    timing = evaluate_timing(zone, end, submission, scan_start, scan_end, as_of)
    items = [_item_json(item) for item in timing.items]
    return _TimingJson(
        head=orjson.dumps({"submitted": timing.submitted, "window": timing.window})[1:-1],
        items=b",".join(encoded for encoded, _ in items), not_launched=(
            _item_json(timing.not_launched[False]), _item_json(timing.not_launched[True])),
        rank=min(rank for _, rank in items), warnings=_warnings_json(timing.warnings),
        places=tuple((rank, scan_end or as_of) for rank in range(len(STATUS_ORDER))))


def _encode_tally(counts: tuple[Any, ...]) -> _TallyJson:
    sheets, total, takers, uploaders, launched, with_activity = counts
    tally = evaluate_tally(takers, uploaders, launched, with_activity, total, sheets)
    (enrolment, after_enrolment), (roles, after_roles) = _around_group(tally.enrolment), _around_group(tally.roles)
    pages = orjson.dumps({"expected_sheets": tally.expected_sheets, "started_sheets": tally.started_sheets})
    return _TallyJson(
        head=orjson.dumps({"enrolled": takers, "launched": launched})[1:-1],
        lead=pages[1:-1] + b',"items":[' + enrolment, between=after_enrolment + b"," + roles, tail=after_roles,
        launched=_item_json(tally.launched) if tally.launched else None, active=tally.active,
        rank=min(_RANK[tally.enrolment.state], _RANK[tally.roles.state]), warnings=_warnings_json(tally.warnings))


_Judged = tuple[tuple[Any, ...], _TimingJson, _TallyJson, bytes]  # a row, its dates' and counts' JSON, launched


def write_board_json(rows: Iterable[tuple[Any, ...]], as_of: datetime, out: BinaryIO) -> dict[str, int]:
    """Write the board's JSON from the store's readiness rows (``READINESS_COLUMNS``) at ``as_of`` (aware, UTC)
    to ``out``; return how many sessions are in each status. Every session is judged before a byte is written."""
    timings: dict[tuple[Any, ...], _TimingJson] = {}
    tallies: dict[tuple[Any, ...], _TallyJson] = {}
    # The board's order: by status, then the scan window's end, then name. Visited by name, each place's list
    # is in name order already.
    places: defaultdict[tuple[int, datetime], list[_Judged]] = defaultdict(list)
    for row in sorted(rows, key=itemgetter(0)):
        t = timings.get(raw := row[3:9]) or timings.setdefault(raw, _encode_timing(raw, as_of))
        c = tallies.get(counts := row[9:]) or tallies.setdefault(counts, _encode_tally(counts))
        launched, launched_rank = c.launched or t.not_launched[c.active]
        places[t.places[min(t.rank, c.rank, launched_rank)]].append((row, t, c, launched))
    order = sorted(places)
    out.write(b'{"as_of":%b,"sessions":[' % orjson.dumps(_stamp(as_of)))
    _write_joined(out, (entry for place in order for entry in _entries(_STATUS_JSON[place[0]], places[place])))
    out.write(b"]}")
    return {status: sum(len(places[place]) for place in order if place[0] == rank)
            for status, rank in STATUS_ORDER.items()}


def _entries(status: bytes, judged: list[_Judged]) -> Iterator[bytes]:
    dumps = orjson.dumps
    for row, t, c, launched in judged:
        group = dumps(row[1])
        inner = group[1:-1]
        warnings = t.warnings + b"," + c.warnings if t.warnings and c.warnings else t.warnings or c.warnings
        yield _ENTRY % (dumps(row[0]), group, dumps(row[2]), status, c.head, t.head, c.lead, inner, c.between,
                        inner, c.tail, launched, t.items, warnings)


def _write_joined(out: BinaryIO, entries: Iterable[bytes], batch: int = 1_000) -> None:
    """``out.write(b",".join(entries))`` a megabyte at a time: one 100 MB document costs more in memory
    (and its page faults) than its encoding."""
    pending: list[bytes] = []
    separator = b""
    for entry in entries:
        pending.append(entry)
        if len(pending) == batch:
            out.write(separator)
            out.write(b",".join(pending))
            pending.clear()
            separator = b","
    if pending:
        out.write(separator)
        out.write(b",".join(pending))
