"""``readiness --json`` at programme scale: the board's JSON written from pieces, without a Checklist per session.

It writes exactly ``orjson.dumps(Board.to_dict())`` (tests/unit/test_readiness_board.py compares them byte for
byte), from the same definitions: the items, their sentences and states come from ``readiness`` (``Timing``,
``Tally``), the status from ``readiness.status_of`` and the order from ``readiness.board_place``. Only the encoding
is its own: each distinct zone-and-dates and each distinct set of counts is judged and encoded once, and each
session's entry is put together from those bytes and its names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import orjson

from dashboard.readiness import (
    STATUS_ORDER,
    Deadline,
    GroupItem,
    Item,
    State,
    Status,
    board_place,
    evaluate_tally,
    evaluate_timing,
    status_of,
)
from dashboard.store import ReadinessRow, stored_moment
from dashboard.wording import iso_utc

_HOLE = "\x00"  # where the group's name goes in an item's sentence; JSON escapes it as \u0000


def _text(text: str) -> bytes:
    """A string's JSON, without its quotes (the escaping of a concatenation is the concatenation of escapings)."""
    return orjson.dumps(text)[1:-1]


@dataclass(frozen=True, slots=True)
class _Dates:
    """A distinct zone-and-dates, judged at as_of and encoded."""

    head: bytes  # "submitted":…,"window":…
    items: bytes  # submitted, window, schedule
    states: tuple[State, ...]
    deadline: Deadline
    warnings: tuple[str, ...]
    scan_upload_end: datetime | None


@dataclass(frozen=True, slots=True)
class _Counts:
    """A distinct set of counts, judged and encoded (the group's name left out)."""

    head: bytes  # "enrolled":…,"launched":…
    lead: bytes  # "expected_sheets":…,"started_sheets":…,"items":[ and the enrolment item up to the group's name
    between: bytes  # the enrolment item after the group's name, the roles item up to it
    tail: bytes  # the roles item after the group's name
    states: tuple[State, ...]
    launched: Item | None
    launch_lead: str
    warnings: tuple[str, ...]


def _item(item: Item) -> bytes:
    return orjson.dumps(item.to_dict())


def _around_group(item: GroupItem) -> list[bytes]:
    return orjson.dumps(item.naming(_HOLE).to_dict()).split(orjson.dumps(_HOLE)[1:-1])


def _dates(row: ReadinessRow, as_of: datetime) -> _Dates:
    end, submission, scan_start, scan_end = map(stored_moment, (row.end_date, row.submission_date,
                                                                row.scan_upload_start, row.scan_upload_end))
    timing = evaluate_timing(row.timezone, end, submission, scan_start, scan_end, as_of)
    return _Dates(head=orjson.dumps({"submitted": timing.submitted, "window": timing.window})[1:-1],
                  items=b",".join(map(_item, timing.items)), states=tuple(i.state for i in timing.items),
                  deadline=timing.deadline, warnings=timing.warnings, scan_upload_end=scan_end)


def _counts(row: ReadinessRow) -> _Counts:
    tally = evaluate_tally(row.test_takers, row.scan_uploaders, row.started, row.with_activity,
                           row.total_interactions, row.sheets_per_interaction)
    (enrolment, after_enrolment), (roles, after_roles) = _around_group(tally.enrolment), _around_group(tally.roles)
    sheets = orjson.dumps({"expected_sheets": tally.expected_sheets, "started_sheets": tally.started_sheets})
    return _Counts(head=orjson.dumps({"enrolled": row.test_takers, "launched": row.started})[1:-1],
                   lead=sheets[1:-1] + b',"items":[' + enrolment, between=after_enrolment + b"," + roles,
                   tail=after_roles, states=(tally.enrolment.state, tally.roles.state), launched=tally.launched,
                   launch_lead=tally.lead, warnings=tally.warnings)


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What a pair of (dates, counts) says: the launched item's JSON, the status's, the warnings'."""

    launched: bytes
    status: Status
    status_json: bytes
    warnings: bytes


def _verdict(dates: _Dates, counts: _Counts) -> _Verdict:
    launched = counts.launched or dates.deadline.after(counts.launch_lead)
    status = status_of((*counts.states, launched.state, *dates.states))
    return _Verdict(_item(launched), status, orjson.dumps(status),
                    orjson.dumps([*dates.warnings, *counts.warnings])[1:-1])


def write_board_json(rows: Iterable[ReadinessRow], as_of: datetime, out: BinaryIO) -> dict[str, int]:
    """Write the board's JSON (``Board.to_dict``) of the store's readiness rows at ``as_of`` (aware, UTC) to
    ``out``; return how many sessions are in each status. Every session is judged before a byte is written."""
    dates_of: dict[tuple[Any, ...], _Dates] = {}
    counts_of: dict[tuple[Any, ...], _Counts] = {}
    verdicts: dict[tuple[int, int], _Verdict] = {}
    # Visited by name, each place's list is in name order already (the board sorts by place, then name).
    places: defaultdict[tuple[int, datetime], list[tuple[ReadinessRow, _Dates, _Counts, _Verdict]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.session_name):
        key = (row.timezone, row.end_date, row.submission_date, row.scan_upload_start, row.scan_upload_end)
        d = dates_of.get(key) or dates_of.setdefault(key, _dates(row, as_of))
        counted = (row.test_takers, row.scan_uploaders, row.started, row.with_activity, row.total_interactions,
                   row.sheets_per_interaction)
        c = counts_of.get(counted) or counts_of.setdefault(counted, _counts(row))
        pair = (id(d), id(c))
        v = verdicts.get(pair) or verdicts.setdefault(pair, _verdict(d, c))
        places[board_place(v.status, d.scan_upload_end, as_of)].append((row, d, c, v))
    order = sorted(places)
    out.write(b'{"as_of":%b,"sessions":[' % orjson.dumps(iso_utc(as_of)))
    _write_joined(out, (entry for place in order for entry in _entries(places[place])))
    out.write(b"]}")
    return {status: sum(len(places[place]) for place in order if place[0] == rank)
            for status, rank in STATUS_ORDER.items()}


def _entries(judged: list[tuple[ReadinessRow, _Dates, _Counts, _Verdict]]) -> Iterator[bytes]:
    """Each session's entry, in ``Checklist.to_dict``'s order of keys."""
    dumps = orjson.dumps
    for row, d, c, v in judged:
        group = _text(row.group_name)
        yield (b'{"session_name":%b,"group_name":"%b","delivery_id":%b,"status":%b,%b,%b,%b%b%b%b%b,%b,%b],'
               b'"warnings":[%b]}' % (dumps(row.session_name), group, dumps(row.delivery_id), v.status_json,
                                      c.head, d.head, c.lead, group, c.between, group, c.tail, v.launched, d.items,
                                      v.warnings))


def _write_joined(out: BinaryIO, entries: Iterable[bytes], batch: int = 1_000) -> None:
    """``out.write(b",".join(entries))`` a thousand entries at a time: one 100 MB document costs more in memory
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
