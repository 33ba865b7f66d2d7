"""The receipt: every state and boundary of one session's receipt, its sentences, many sessions and their order,
and the days of forecast against received.

Tables of inputs and literal expected outputs. One base session (352 pages expected, 40 received) is judged at
moments around its scan window; each case changes only what it is about (``judge(...)``).
"""

from __future__ import annotations

import ast
import json
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from dashboard import receipt as receipt_module
from dashboard.receipt import (
    Receipt,
    ReceiptDay,
    ReceiptSnapshot,
    SessionReceipt,
    at_capacity,
    evaluate_receipt,
    evaluate_receipts,
    order_receipts,
    pages_per_day,
    receipt_days,
    receipt_document,
    receipt_state,
    shortfall_rank,
    target_sheets,
)
from tests.factories import at, received_by_day

MICRO = timedelta(microseconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Paris leaves CET (UTC+1) for CEST (UTC+2) on 28 Mar 2027: the window opens in winter time, closes in summer time.
START = at("2027-03-16T06:00:00Z")  # 07:00 Paris
END = at("2027-03-30T16:00:00Z")  # 18:00 Paris
OPEN = at("2027-03-27T16:00:00Z")  # 3 days before the end
PARIS = "Europe/Paris"
CLOSES = "closes 30 Mar 2027 18:00 Europe/Paris"


def judge(target: int = 352, received: int = 40, *, start: datetime | None = START, end: datetime | None = END,
          zone: str | None = PARIS, as_of: datetime = OPEN, capacity: int | None = None) -> Receipt:
    return evaluate_receipt(target=target, received=received, window_start=start, window_end=end, zone=zone,
                            as_of=as_of, capacity=capacity)


@pytest.mark.parametrize(("expected", "started", "target"), [
    (100, None, 100),  # no activity imported: every enrolled test-taker's sheets
    (100, 60, 60),  # activity imported: the sheets of those who started
    (100, 0, 0),  # activity imported and no one started
    (0, None, 0),
])
def test_target_sheets(expected: int, started: int | None, target: int) -> None:
    assert target_sheets(expected, started) == target


@pytest.mark.parametrize(("target", "received", "state", "missing"), [
    (352, 0, "none", 352),
    (1, 0, "none", 1),
    (352, 40, "partial", 312),
    (352, 351, "partial", 1),
    (352, 352, "complete", 0),
    (0, 0, "complete", 0),  # nothing to wait for
    (352, 353, "over", 0),
    (0, 5, "over", 0),
])
def test_state_and_missing(target: int, received: int, state: str, missing: int) -> None:
    assert receipt_state(target, received) == state
    result = judge(target, received)
    assert (result.state, result.missing, result.target, result.received) == (state, missing, target, received)


@pytest.mark.parametrize(("missing", "left", "pace"), [
    (0, 3 * DAY, 0),
    (1, 10 * DAY, 1),  # rounded up
    (312, 3 * DAY, 104),
    (313, 3 * DAY, 105),
    (300, 2 * DAY + 12 * HOUR, 120),  # fractional days count as such
    (7, 2 * DAY + MICRO, 4),  # exact arithmetic: 3.4999... rounds up to 4
    (312, DAY, 312),
    (312, 12 * HOUR, 312),  # the last 24 hours: everything missing, today
    (312, MICRO, 312),
])
def test_pages_per_day(missing: int, left: timedelta, pace: int) -> None:
    assert pages_per_day(missing, left) == pace


@pytest.mark.parametrize(("changes", "window", "pace", "at_risk"), [
    ({"start": None}, "missing", None, False),
    ({"end": None}, "missing", None, False),
    ({"start": None, "end": None}, "missing", None, False),
    ({"as_of": START - MICRO}, "upcoming", 22, False),  # 312 over the whole window's 14 days 10 hours
    ({"as_of": START}, "open", 22, False),  # the window opens at its start
    ({"as_of": OPEN}, "open", 104, False),
    ({"as_of": END - 2 * DAY - MICRO}, "open", 156, False),  # more than 48 hours left
    ({"as_of": END - 2 * DAY}, "open", 156, True),  # 48 hours left: within 2 days
    ({"as_of": END - HOUR}, "open", 312, True),
    ({"as_of": END - MICRO}, "open", 312, True),
    ({"as_of": END}, "closed", None, False),  # the window closes at its end: a problem, not a risk
    ({"as_of": END + 30 * DAY}, "closed", None, False),
    ({"capacity": 104}, "open", 104, False),  # exactly the capacity is enough
    ({"capacity": 103}, "open", 104, True),
    ({"as_of": START - DAY, "capacity": 22}, "upcoming", 22, False),
    ({"as_of": START - DAY, "capacity": 21}, "upcoming", 22, True),
    ({"as_of": START - HOUR, "end": START + DAY}, "upcoming", 312, True),  # an upcoming window closing soon
    ({"received": 352, "as_of": END - HOUR}, "open", None, False),  # nothing missing: no pace, no risk
    ({"received": 400, "as_of": END - HOUR, "capacity": 1}, "open", None, False),
    ({"target": 0, "received": 0, "as_of": END - HOUR}, "open", None, False),
])
def test_window_pace_and_risk(changes: dict[str, Any], window: str, pace: int | None, at_risk: bool) -> None:
    result = judge(**changes)
    assert (result.window, result.pages_per_day_needed, result.at_risk) == (window, pace, at_risk)
    assert result.closes_at == changes.get("end", END)


CLOSED = "the scan upload window closed 30 Mar 2027 18:00 Europe/Paris."
FINISH = f"finishing before the scan upload window {CLOSES} needs"
OVER = "pages scanned twice, or pages of another session's booklet."


@pytest.mark.parametrize(("changes", "detail", "kind"), [
    ({"as_of": END}, f"312 pages are missing: {CLOSED}", "problem"),
    ({"received": 351, "as_of": END}, f"1 page is missing: {CLOSED}", "problem"),
    ({"received": 0, "as_of": END + DAY}, f"352 pages are missing: {CLOSED}", "problem"),
    ({"as_of": END, "zone": None}, "312 pages are missing: the scan upload window closed 30 Mar 2027 16:00 UTC.",
     "problem"),
    ({"target": 1_234, "received": 0, "as_of": END, "zone": "America/New_York"},
     "1,234 pages are missing: the scan upload window closed 30 Mar 2027 12:00 America/New_York.", "problem"),
    ({}, f"312 pages are missing (40 of 352 received): {FINISH} 104 pages a day.", None),
    ({"received": 0}, f"No page has been received of the 352 pages expected: {FINISH} 118 pages a day.", None),
    ({"target": 1, "received": 0}, f"No page has been received of the 1 page expected: {FINISH} 1 page a day.",
     None),
    ({"capacity": 100}, f"312 pages are missing (40 of 352 received): {FINISH} 104 pages a day. At risk: that is "
                        "more than the scanning capacity of 100 pages a day.", None),
    ({"as_of": END - 2 * DAY, "capacity": 100},
     f"312 pages are missing (40 of 352 received): {FINISH} 156 pages a day. At risk: that is more than the "
     "scanning capacity of 100 pages a day and the window closes in 2 days.", None),
    ({"as_of": END - 5 * HOUR, "capacity": 1_000},
     f"312 pages are missing (40 of 352 received): {FINISH} 312 pages a day. At risk: the window closes in "
     "5 hours.", None),
    ({"as_of": START - DAY}, "312 pages are missing (40 of 352 received); the scan upload window opens 16 Mar 2027 "
                             f"07:00 Europe/Paris, and finishing before it {CLOSES} needs 22 pages a day.", None),
    ({"start": None}, "312 pages are missing (40 of 352 received); the scan upload window has no start or end date, "
                      "so no pace can be worked out.", None),
    ({"received": 352}, "The 352 pages expected have been received.", None),
    ({"target": 1, "received": 1, "as_of": END}, "The 1 page expected has been received.", None),
    ({"target": 0, "received": 0}, "No page is expected, and none has been received.", None),
    ({"received": 353}, f"1 page more than the 352 expected was received: {OVER}", "warning"),
    ({"received": 364, "as_of": END}, f"12 pages more than the 352 expected were received: {OVER}", "warning"),
    ({"target": 0, "received": 5}, "5 pages were received, but none is expected: check the booklet they come from "
                                   "and the session's imported activity.", "warning"),
])
def test_sentences(changes: dict[str, Any], detail: str, kind: str | None) -> None:
    result = judge(**changes)
    assert result.detail == detail
    assert result.problem == (detail if kind == "problem" else None)
    assert result.warning == (detail if kind == "warning" else None)


@pytest.mark.parametrize(("batches", "as_of", "state", "received"), [
    ([], at("2027-03-20T10:00:00Z"), "none", 0),
    ([("2027-03-20T10:00:00Z", 40)], at("2027-03-20T09:59:59Z"), "none", 0),  # T before the batch
    ([("2027-03-20T10:00:00Z", 40)], at("2027-03-20T10:00:00Z"), "partial", 40),  # received exactly at T
    ([("2027-03-20T10:00:00Z", 40)], at("2027-03-20T10:00:01Z"), "partial", 40),  # T after the batch
    ([("2027-03-20T10:00:00Z", 40), ("2027-03-21T10:00:00Z", 312)], at("2027-03-21T09:00:00Z"), "partial", 40),
    ([("2027-03-20T10:00:00Z", 40), ("2027-03-21T10:00:00Z", 312)], at("2027-03-21T10:00:00Z"), "complete", 352),
])
def test_only_pages_received_by_t_count(batches: list[tuple[str, int]], as_of: datetime, state: str,
                                        received: int) -> None:
    per_day = received_by_day([(at(moment), pages) for moment, pages in batches], as_of)
    total = sum(per_day.values())
    result = judge(received=total, as_of=as_of)
    assert (result.received, result.state) == (received, state)


FORECAST = {date(2027, 3, 16): 100, date(2027, 3, 17): 100, date(2027, 3, 18): 100, date(2027, 3, 19): 52}
FIRST_TWO = dict(list(FORECAST.items())[:2])


def columns(days: list[ReceiptDay]) -> dict[str, list[Any]]:
    return {name: [getattr(day, name) for day in days] for name in ReceiptDay._fields}


def test_receipt_days_on_a_small_example() -> None:
    received = {date(2027, 3, 15): 3, date(2027, 3, 17): 40}
    days = receipt_days(FORECAST, received, at("2027-03-17T12:00:00Z"))
    assert ReceiptDay._fields == ("date", "forecast", "received", "cumulative_forecast", "cumulative_received")
    assert columns(days) == {
        "date": ["2027-03-15", "2027-03-16", "2027-03-17", "2027-03-18", "2027-03-19"],
        "forecast": [0, 100, 100, 100, 52],
        "received": [3, 0, 40, None, None],  # nothing known after T's UTC day
        "cumulative_forecast": [0, 100, 200, 300, 352],
        "cumulative_received": [3, 3, 43, None, None],
    }


def test_receipt_days_reach_received_days_beyond_the_forecast() -> None:
    days = receipt_days(FIRST_TWO, {date(2027, 3, 21): 352}, at("2027-04-01T00:00:00Z"))
    assert columns(days) == {"date": ["2027-03-16", "2027-03-17", "2027-03-18", "2027-03-19", "2027-03-20",
                                      "2027-03-21"],
                             "forecast": [100, 100, 0, 0, 0, 0], "received": [0, 0, 0, 0, 0, 352],
                             "cumulative_forecast": [100, 200, 200, 200, 200, 200],
                             "cumulative_received": [0, 0, 0, 0, 0, 352]}


def test_receipt_days_empty() -> None:
    assert receipt_days({}, received_by_day([], OPEN), OPEN) == []


SNAPSHOTS = [
    ReceiptSnapshot("Maths 4A", "Class 4A", 352, 40, START, END, PARIS),  # open, 312 missing
    ReceiptSnapshot("Maths 4B", "Class 4B", 352, 40, START, END, PARIS),  # alike: judged once
    ReceiptSnapshot("Physics 4A", "Class 4A", 100, 0, START, OPEN - DAY, PARIS),  # closed: a problem
    ReceiptSnapshot("Physics 4B", "Class 4B", 400, 0, START, OPEN - DAY, PARIS),  # a bigger problem
    ReceiptSnapshot("History 4A", "Class 4A", 100, 100, START, END, PARIS),  # complete
    ReceiptSnapshot("History 4B", "Class 4B", 100, 110, START, END, PARIS),  # over
    ReceiptSnapshot("Art 4A", "Class 4A", 100, 50, START, OPEN + DAY, PARIS),  # at risk: closes within 2 days
    ReceiptSnapshot("Art 4B", "Class 4B", 100, 90, None, None, PARIS),  # no window, 10 missing
    ReceiptSnapshot("Music 4A", "Class 4A", 0, 0, None, None, None),  # complete, nothing expected
]


def test_evaluate_receipts_is_evaluate_receipt_of_each() -> None:
    receipts = evaluate_receipts(SNAPSHOTS, as_of=OPEN, capacity=150)
    assert [(r.session_name, r.group_name) for r in receipts] == [(s.session_name, s.group_name) for s in SNAPSHOTS]
    for s, r in zip(SNAPSHOTS, receipts, strict=True):
        assert r.receipt == evaluate_receipt(target=s.target, received=s.received, window_start=s.scan_upload_start,
                                             window_end=s.scan_upload_end, zone=s.timezone, as_of=OPEN, capacity=150)
    assert receipts[0].receipt is receipts[1].receipt


def test_order_puts_short_sessions_first() -> None:
    ordered = order_receipts(evaluate_receipts(SNAPSHOTS, as_of=OPEN, capacity=150))
    assert [(r.session_name, shortfall_rank(r.receipt)) for r in ordered] == [
        ("Physics 4B", 0), ("Physics 4A", 0),  # window closed with pages missing, the biggest gap first
        ("Art 4A", 1),  # at risk
        ("Maths 4A", 2), ("Maths 4B", 2), ("Art 4B", 2),  # missing; alike by name, then the window-less last
        ("History 4B", 3),  # over
        ("History 4A", 4), ("Music 4A", 4),  # complete: the one with a window first
    ]


def test_order_within_a_rank_by_gap_then_closing_moment() -> None:
    receipts = evaluate_receipts([ReceiptSnapshot("B", "G", 100, 0, START, END, PARIS),
                                  ReceiptSnapshot("A", "G", 100, 0, START, END + DAY, PARIS),
                                  ReceiptSnapshot("C", "G", 100, 50, START, END - 12 * HOUR, PARIS)], as_of=OPEN,
                                 capacity=None)
    assert [r.session_name for r in order_receipts(receipts)] == ["B", "A", "C"]


def documented_order(receipts: list[SessionReceipt]) -> list[SessionReceipt]:
    """``order_receipts`` as its docstring says it, one tuple per receipt."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(receipts, key=lambda s: (shortfall_rank(s.receipt), -abs(s.receipt.target - s.receipt.received),
                                           s.receipt.closes_at or far, s.session_name, s.group_name))


# Windows ending at any moment TAO can hold, from the first to the last microsecond a datetime can say.
moment_st = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC))
sortable_st = st.builds(
    ReceiptSnapshot, session_name=st.sampled_from(["A", "B", "a", "é", ""]), group_name=st.sampled_from(["G", "H"]),
    target=st.integers(min_value=0, max_value=10**9), received=st.integers(min_value=0, max_value=10**9),
    scan_upload_start=st.none() | st.just(START), scan_upload_end=st.none() | st.sampled_from([END, OPEN]) | moment_st,
    timezone=st.just(PARIS))


@settings(max_examples=300, deadline=None)
@given(snapshots=st.lists(sortable_st, max_size=12), capacity=st.none() | st.integers(1, 500))
def test_order_receipts_is_its_documented_order(snapshots: list[ReceiptSnapshot], capacity: int | None) -> None:
    """The order is one whole number per receipt and a sort by name before it: the same as the tuple it stands for,
    whatever the gap (up to a billion pages) and the closing moment, ties and duplicate names included."""
    receipts = evaluate_receipts(snapshots, as_of=OPEN, capacity=capacity)
    assert order_receipts(receipts) == documented_order(receipts)
    backwards = receipts[::-1]  # receipts alike in every key stay in the order given, as a stable sort keeps them
    assert order_receipts(iter(backwards)) == documented_order(backwards)


def test_json_document() -> None:
    receipts = evaluate_receipts(SNAPSHOTS[2:3] + SNAPSHOTS[7:8], as_of=OPEN, capacity=None)
    days = receipt_days(FIRST_TWO, {date(2027, 3, 16): 7}, at("2027-03-16T20:00:00Z"))
    document = receipt_document(at("2027-03-16T21:00:00+01:00"), receipts, days)
    assert json.loads(json.dumps(document)) == {
        "as_of": "2027-03-16T20:00:00Z",
        "sessions": [
            {"session_name": "Physics 4A", "group_name": "Class 4A", "target": 100, "received": 0, "missing": 100,
             "state": "none", "window": "closed", "closes_at": "2027-03-26T16:00:00Z", "pages_per_day_needed": None,
             "at_risk": False},
            {"session_name": "Art 4B", "group_name": "Class 4B", "target": 100, "received": 90, "missing": 10,
             "state": "partial", "window": "missing", "closes_at": None, "pages_per_day_needed": None,
             "at_risk": False},
        ],
        "days": [
            {"date": "2027-03-16", "forecast": 100, "received": 7, "cumulative_forecast": 100,
             "cumulative_received": 7},
            {"date": "2027-03-17", "forecast": 100, "received": None, "cumulative_forecast": 200,
             "cumulative_received": None},
        ],
    }
    assert all(type(value) is int for value in document["days"][0].values() if value != "2027-03-16")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: judge(as_of=datetime(2027, 3, 20)), "aware as_of"),
    (lambda: judge(capacity=0), "capacity"),
    (lambda: judge(target=-1), "0 or more"),
    (lambda: judge(received=-1), "0 or more"),
    (lambda: evaluate_receipts([SNAPSHOTS[0]._replace(received=-3)], as_of=OPEN, capacity=None), "0 or more"),
])
def test_invalid_arguments_are_refused(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --- Properties ---------------------------------------------------------------------------------------------------

BASE_DAY = date(2027, 3, 1)
days_st = st.integers(min_value=0, max_value=40)


@settings(max_examples=150, deadline=None)
@given(forecast=st.dictionaries(days_st, st.integers(min_value=0, max_value=10_000), max_size=20),
       batches=st.lists(st.tuples(st.integers(min_value=0, max_value=41 * 86_400 - 1),
                                  st.integers(min_value=0, max_value=500)), max_size=30),
       t=st.integers(min_value=-86_400, max_value=43 * 86_400))
def test_days_are_running_sums_of_what_was_received_by_t(forecast: dict[int, int], batches: list[tuple[int, int]],
                                                         t: int) -> None:
    origin = datetime(2027, 3, 1, tzinfo=UTC)
    as_of = origin + timedelta(seconds=t)
    expected = {BASE_DAY + timedelta(days=d): sheets for d, sheets in forecast.items()}
    received = received_by_day([(origin + timedelta(seconds=s), p) for s, p in batches], as_of)
    days = receipt_days(expected, received, as_of)
    counted = [(s // 86_400, p) for s, p in batches if s <= t]
    wanted = sorted(set(forecast) | {d for d, _ in counted})
    if not wanted:
        assert len(days) == 0
        return
    span = range(wanted[0], wanted[-1] + 1)
    got = columns(days)
    assert got["date"] == [(BASE_DAY + timedelta(days=d)).isoformat() for d in span]
    assert got["forecast"] == [forecast.get(d, 0) for d in span]
    assert got["cumulative_forecast"] == list(accumulate(got["forecast"]))
    t_day = (as_of.date() - BASE_DAY).days
    known = [d <= t_day for d in span]
    assert [value is not None for value in got["received"]] == known
    assert [value is not None for value in got["cumulative_received"]] == known
    received_known = [value for value in got["received"] if value is not None]
    assert [value for value in got["cumulative_received"] if value is not None] == list(accumulate(received_known))
    assert sum(received_known) == sum(p for _, p in counted)


@settings(max_examples=200, deadline=None)
@given(target=st.integers(min_value=0, max_value=5_000), received=st.integers(min_value=0, max_value=5_000),
       offset=st.integers(min_value=-20 * 86_400, max_value=20 * 86_400), capacity=st.none() | st.integers(1, 500))
def test_missing_and_state_follow_target_and_received(target: int, received: int, offset: int,
                                                      capacity: int | None) -> None:
    result = judge(target, received, as_of=OPEN + timedelta(seconds=offset), capacity=capacity)
    assert result.missing == max(target - received, 0)
    assert result.state == ("over" if received > target else "complete" if received == target
                            else "none" if received == 0 else "partial")
    assert (result.pages_per_day_needed is not None) == (result.missing > 0 and result.window in ("open", "upcoming"))
    assert result.at_risk <= (result.pages_per_day_needed is not None)
    assert (result.problem is not None) == (result.window == "closed" and result.missing > 0)
    assert result.at_risk == ("At risk:" in result.detail)  # the sentence gives the same reasons as the flag


snapshot_st = st.builds(
    ReceiptSnapshot, session_name=st.sampled_from(["A", "B", "C", "D", "E"]), group_name=st.just("G"),
    target=st.integers(min_value=0, max_value=3_000), received=st.integers(min_value=0, max_value=3_000),
    scan_upload_start=st.none() | st.just(START), scan_upload_end=st.none() | st.sampled_from([END, OPEN + DAY]),
    timezone=st.just(PARIS))


@settings(max_examples=200, deadline=None)
@given(snapshots=st.lists(snapshot_st, max_size=8, unique_by=lambda s: s.session_name),
       offset=st.integers(min_value=-20 * 86_400, max_value=20 * 86_400),
       first=st.none() | st.integers(1, 500), then=st.none() | st.integers(1, 500))
def test_a_board_judged_again_at_another_capacity_is_the_board_judged_at_it(
        snapshots: list[ReceiptSnapshot], offset: int, first: int | None, then: int | None) -> None:
    """The dashboard reads the receipts once and judges them again at each capacity a manager types."""
    as_of = OPEN + timedelta(seconds=offset)
    board = order_receipts(evaluate_receipts(snapshots, as_of=as_of, capacity=first))
    assert at_capacity(board, then) == order_receipts(evaluate_receipts(snapshots, as_of=as_of, capacity=then))


def test_at_capacity_refuses_what_evaluate_receipts_refuses() -> None:
    with pytest.raises(ValueError, match="at least 1 page a day"):
        at_capacity(evaluate_receipts(SNAPSHOTS, as_of=OPEN, capacity=None), 0)


# --- What the module may import ------------------------------------------------------------------------------------

ALLOWED = {"__future__", "collections.abc", "datetime", "functools", "operator", "typing", "dashboard.readiness",
           "dashboard.wording"}


def test_module_imports_only_what_its_docstring_allows_and_never_reads_the_clock() -> None:
    source = Path(str(receipt_module.__file__)).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= ALLOWED
    for call in ("now(", "utcnow(", "today(", "time.time"):
        assert call not in source


def test_session_receipt_to_dict_keys_are_the_cli_contract() -> None:
    entry = SessionReceipt("S", "G", judge()).to_dict()
    assert list(entry) == ["session_name", "group_name", "target", "received", "missing", "state", "window",
                           "closes_at", "pages_per_day_needed", "at_risk"]
