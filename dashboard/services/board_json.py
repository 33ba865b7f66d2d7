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
from operator import itemgetter
from typing import Any, BinaryIO

import orjson

from dashboard.readiness import (
    STATUS_ORDER,
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
    deadline: State  # the launched item's state when no one has started
    unstarted: list[bytes]  # that item's JSON either side of the tally's lead
    warnings: bytes
    places: dict[Status, tuple[int, datetime]]  # the board's place of a session with these dates, by status


@dataclass(frozen=True, slots=True)
class _Counts:
    """A distinct set of counts, judged and encoded (the group's name left out)."""

    head: bytes  # "enrolled":…,"launched":…
    lead: bytes  # "expected_sheets":…,"started_sheets":…,"items":[ and the enrolment item up to the group's name
    between: bytes  # the enrolment item after the group's name, the roles item up to it
    tail: bytes  # the roles item after the group's name
    states: tuple[State, ...]
    launched: Item | None  # the launched item when someone started (else the dates' deadline decides it)
    launched_json: bytes
    launch_lead: bytes  # the lead's JSON text, when no one started
    warnings: bytes


def _item(item: Item) -> bytes:
    return orjson.dumps(item.to_dict())


def _around(item: Item) -> list[bytes]:
    """``item``'s JSON either side of ``_HOLE`` in its sentence."""
    return _item(item).split(orjson.dumps(_HOLE)[1:-1])


def _dates(values: tuple[Any, ...], as_of: datetime) -> _Dates:
    row = ReadinessRow._make(values)
    end, submission, scan_start, scan_end = map(stored_moment, (row.end_date, row.submission_date,
                                                                row.scan_upload_start, row.scan_upload_end))
    timing = evaluate_timing(row.timezone, end, submission, scan_start, scan_end, as_of)
    return _Dates(head=orjson.dumps({"submitted": timing.submitted, "window": timing.window})[1:-1],
                  items=b",".join(map(_item, timing.items)), states=tuple(i.state for i in timing.items),
                  deadline=timing.deadline.state, unstarted=_around(timing.deadline.after(_HOLE)),
                  warnings=orjson.dumps(timing.warnings)[1:-1],
                  places={status: board_place(status, scan_end, as_of) for status in STATUS_ORDER})


def _counts(values: tuple[Any, ...]) -> _Counts:
    row = ReadinessRow._make(values)
    tally = evaluate_tally(row.test_takers, row.scan_uploaders, row.started, row.with_activity,
                           row.total_interactions, row.sheets_per_interaction)
    enrolment, after_enrolment = _around(tally.enrolment.naming(_HOLE))
    roles, after_roles = _around(tally.roles.naming(_HOLE))
    sheets = orjson.dumps({"expected_sheets": tally.expected_sheets, "started_sheets": tally.started_sheets})
    return _Counts(head=orjson.dumps({"enrolled": row.test_takers, "launched": row.started})[1:-1],
                   lead=sheets[1:-1] + b',"items":[' + enrolment, between=after_enrolment + b"," + roles,
                   tail=after_roles, states=(tally.enrolment.state, tally.roles.state), launched=tally.launched,
                   launched_json=b"" if tally.launched is None else _item(tally.launched),
                   launch_lead=_text(tally.lead), warnings=orjson.dumps(tally.warnings)[1:-1])


def _columns(*names: str) -> itemgetter[Any]:
    """The values of ``names`` in a row in ``ReadinessRow``'s order of columns (a named tuple or the driver's own
    tuple), looked up as one tuple, made in C."""
    return itemgetter(*map(ReadinessRow._fields.index, names))


# The columns a row is judged by: its zone and dates, its counts; and its names.
_DATES_OF = _columns("timezone", "end_date", "submission_date", "scan_upload_start", "scan_upload_end")
_NAMES_OF = _columns("session_name", "group_name", "delivery_id")
_COUNTS_OF = _columns("test_takers", "scan_uploaders", "started", "with_activity", "total_interactions",
                      "sheets_per_interaction")
_NAME_OF = _columns("session_name")
# A row, its dates and counts, its launched item's JSON in three pieces (written one after the other: joining them
# per row took a sixth of the whole), and the JSON of its status and its warnings.
_Judged = tuple[tuple[Any, ...], _Dates, _Counts, bytes, bytes, bytes, bytes, bytes]


def write_board_json(rows: Iterable[tuple[Any, ...]], as_of: datetime, out: BinaryIO) -> dict[str, int]:
    """Write the board's JSON (``Board.to_dict``) of the store's readiness rows (``ReadinessRow``s, or the same
    values as plain tuples: ``store.readiness_values``) at ``as_of`` (aware, UTC) to ``out``; return how many
    sessions are in each status. Every session is judged before a byte is written.

    A session's launched item joins its counts and its dates (when no one started, the tally's lead and the
    deadline's clause), and its status all of its states: the distinct pairs number in the tens of thousands at
    programme scale, so neither is judged per pair. The item is put together from pieces, and the status is
    ``status_of`` once per distinct list of states (a few dozen)."""
    dates_of: dict[tuple[Any, ...], _Dates] = {}
    counts_of: dict[tuple[Any, ...], _Counts] = {}
    statuses: dict[tuple[Any, ...], Status] = {}
    status_json = {status: orjson.dumps(status) for status in STATUS_ORDER}
    # Visited by name, each place's list is in name order already (the board sorts by place, then name).
    places: defaultdict[tuple[int, datetime], list[_Judged]] = defaultdict(list)
    for row in sorted(rows, key=_NAME_OF):
        d = dates_of.get(key := _DATES_OF(row)) or dates_of.setdefault(key, _dates(row, as_of))
        c = counts_of.get(counted := _COUNTS_OF(row)) or counts_of.setdefault(counted, _counts(row))
        if c.launched is None:  # nobody started: the deadline's item around the tally's lead
            (before, after), lead, launched_state = d.unstarted, c.launch_lead, d.deadline
        else:
            before, lead, after, launched_state = c.launched_json, b"", b"", c.launched.state
        status = (statuses.get(states := (c.states, launched_state, d.states))
                  or statuses.setdefault(states, status_of((*c.states, launched_state, *d.states))))
        warnings = d.warnings + b"," + c.warnings if d.warnings and c.warnings else d.warnings or c.warnings
        places[d.places[status]].append((row, d, c, before, lead, after, status_json[status], warnings))
    order = sorted(places)
    out.write(b'{"as_of":%b,"sessions":[' % orjson.dumps(iso_utc(as_of)))
    _write_joined(out, (entry for place in order for entry in _entries(places[place])))
    out.write(b"]}")
    return {status: sum(len(places[place]) for place in order if place[0] == rank)
            for status, rank in STATUS_ORDER.items()}


def _entries(judged: list[_Judged]) -> Iterator[bytes]:
    """Each session's entry, in ``Checklist.to_dict``'s order of keys."""
    dumps, names = orjson.dumps, _NAMES_OF
    for row, d, c, before, lead, after, status, warnings in judged:
        name, group_name, delivery = names(row)
        group = dumps(group_name)[1:-1]
        yield (b'{"session_name":%b,"group_name":"%b","delivery_id":%b,"status":%b,%b,%b,%b%b%b%b%b,%b%b%b,%b],'
               b'"warnings":[%b]}' % (dumps(name), group, dumps(delivery), status, c.head, d.head, c.lead, group,
                                      c.between, group, c.tail, before, lead, after, d.items, warnings))


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
