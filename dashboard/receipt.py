"""The receipt: the scanned pages received for each paper session against its target, at an explicit moment ``as_of``.

Owns: the receipt of one session (``evaluate_receipt``) and of many (``evaluate_receipts``), the review's order
(short sessions first), pages received per UTC day against the forecast (``receipt_days``),
and the CLI's JSON (``receipt_document``). A dimension of its own beside readiness, reusing its window states.

The rules (issue 15), with the choices made where the issue leaves room:
- Only pages received at or before ``as_of`` count. target: ``target_sheets``. missing = max(target - received, 0).
- state: ``over`` when received > target (a warning: pages scanned twice, or another session's booklet), else
  ``complete`` when equal (0 of 0 too: nothing to wait for), else ``none`` when nothing is received, else ``partial``.
- window: ``readiness.scan_window_state`` ([start, end): closed from its end on).
- pace (pages_per_day_needed), only with pages missing: in an open window, missing over the days left until its end,
  rounded up; an upcoming window counts its whole length, as nothing can be uploaded before it opens. Days are
  24-hour spans, at least one (in the last 24 hours the pace is all that is missing); exact integer arithmetic.
  None otherwise (nothing missing, or the window closed or without dates).
- at_risk, only with a pace: the pace exceeds ``capacity`` (pages a day, when given; equal is not at risk), or the
  window closes within 2 days of ``as_of`` (48 hours or less left). A closed window is never at risk: pages missing
  then are a ``problem``, said with the count and the closing moment in the session's zone.

Must not import: the database (sqlalchemy, sqlmodel, ``models``, ``dashboard.store``), streamlit,
``dashboard.services``, pandas or numpy (``scanready receipt`` loads neither: importing them took 0.4 s of its
run), or anything that reads the clock. Standard library, ``readiness``, ``wording``.
Records are named tuples: immutable, and five times quicker to make than frozen dataclasses, which counts at
100,000 sessions (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any, Literal, NamedTuple

from dashboard.readiness import WindowState, scan_window_state
from dashboard.wording import count, format_moment, iso_utc, span

ReceiptState = Literal["none", "partial", "complete", "over"]
AT_RISK_WITHIN = timedelta(days=2)  # a window closing this soon (or sooner) with pages missing is at risk
_DAY = timedelta(days=1)


class Receipt(NamedTuple):
    """One session's receipt at ``as_of`` and what it was judged from; its sentences are written when read."""

    target: int
    received: int
    missing: int
    state: ReceiptState
    window: WindowState
    opens_at: datetime | None
    closes_at: datetime | None
    zone: str | None
    as_of: datetime
    capacity: int | None
    pages_per_day_needed: int | None
    at_risk: bool

    @property
    def problem(self) -> str | None:
        """Pages still missing once the window has closed, with the count and the closing moment in the zone."""
        if self.window != "closed" or not self.missing:
            return None
        assert self.closes_at is not None  # for mypy: a closed window has its end
        return f"{_missing(self.missing)}: the scan upload window closed {format_moment(self.closes_at, self.zone)}."

    @property
    def warning(self) -> str | None:
        """More pages than the target: worth checking, never blocking."""
        if self.state != "over":
            return None
        extra, verb = self.received - self.target, "was" if self.received - self.target == 1 else "were"
        if self.target == 0:
            return (f"{_pages(self.received)} {verb} received, but none is expected: check the booklet they come "
                    "from and the session's imported activity.")
        return (f"{_pages(extra)} more than the {self.target:,} expected {verb} received: pages scanned twice, or "
                "pages of another session's booklet.")

    @property
    def detail(self) -> str:
        """One sentence for every state: the problem or the warning when there is one."""
        if (said := self.problem or self.warning) is not None:
            return said
        if self.missing:
            return _shortfall(self)
        if self.target == 0:
            return "No page is expected, and none has been received."
        return f"The {_pages(self.target)} expected {'has' if self.target == 1 else 'have'} been received."


class ReceiptSnapshot(NamedTuple):
    """What the store knows of one paper session for its receipt. Datetimes are aware."""

    session_name: str
    group_name: str
    target: int
    received: int
    scan_upload_start: datetime | None
    scan_upload_end: datetime | None
    timezone: str | None


class SessionReceipt(NamedTuple):
    """A session's receipt, with the names that identify it."""

    session_name: str
    group_name: str
    receipt: Receipt

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON entry for this session (JSON-safe: strings, ints, bools, None)."""
        r = self.receipt
        return {"session_name": self.session_name, "group_name": self.group_name, "target": r.target,
                "received": r.received, "missing": r.missing, "state": r.state, "window": r.window,
                "closes_at": _stamp(r.closes_at) if r.closes_at else None,
                "pages_per_day_needed": r.pages_per_day_needed, "at_risk": r.at_risk}


_stamp = lru_cache(maxsize=65_536)(iso_utc)  # sessions share few closing moments


def _require_aware(moment: datetime, name: str) -> None:
    if moment.utcoffset() is None:  # compared with stored (aware) dates, a naive one would fail midway
        raise ValueError(f"the receipt needs an aware {name}")


def _check(as_of: datetime, capacity: int | None) -> None:
    _require_aware(as_of, "as_of")
    if capacity is not None and capacity < 1:
        raise ValueError("a scanning capacity is at least 1 page a day")


def target_sheets(expected_sheets: int, started_sheets: int | None) -> int:
    """The started test-takers' sheets once activity is imported (not None, even 0), else the expected sheets."""
    return expected_sheets if started_sheets is None else started_sheets


def receipt_state(target: int, received: int) -> ReceiptState:
    """``over``, ``complete``, ``none`` or ``partial`` (see the module's rules; 0 of 0 is complete)."""
    if received > target:
        return "over"
    if received == target:
        return "complete"
    return "none" if received == 0 else "partial"


def pages_per_day(missing: int, time_left: timedelta) -> int:
    """``missing`` pages over ``time_left`` counted in 24-hour days (at least one), rounded up."""
    return -(-missing * _DAY // max(time_left, _DAY))  # timedelta // timedelta: exact, on whole microseconds


def _pages(number: int) -> str:
    return count(number, "page", "pages")


def _missing(number: int) -> str:
    return f"{_pages(number)} {'is' if number == 1 else 'are'} missing"


def _shortfall(r: Receipt) -> str:
    """The sentence of a session with pages missing and its window not closed."""
    short = (f"No page has been received of the {_pages(r.target)} expected" if r.received == 0
             else f"{_missing(r.missing)} ({r.received:,} of {r.target:,} received)")
    if r.opens_at is None or r.closes_at is None or r.pages_per_day_needed is None:
        return f"{short}; the scan upload window has no start or end date, so no pace can be worked out."
    closes, pace = format_moment(r.closes_at, r.zone), _pages(r.pages_per_day_needed)
    if r.window == "open":
        said = f"{short}: finishing before the scan upload window closes {closes} needs {pace} a day."
    else:
        said = (f"{short}; the scan upload window opens {format_moment(r.opens_at, r.zone)}, and finishing before "
                f"it closes {closes} needs {pace} a day.")
    risks = []
    if r.capacity is not None and r.pages_per_day_needed > r.capacity:
        risks.append(f"that is more than the scanning capacity of {_pages(r.capacity)} a day")
    if r.closes_at - r.as_of <= AT_RISK_WITHIN:
        risks.append(f"the window closes in {span(r.closes_at - r.as_of)}")
    return f"{said} At risk: {' and '.join(risks)}." if risks else said


def _judge(target: int, received: int, start: datetime | None, end: datetime | None, zone: str | None,
           as_of: datetime, capacity: int | None) -> Receipt:
    if target < 0 or received < 0:
        raise ValueError("target and received pages are 0 or more")
    window, missing = scan_window_state(start, end, as_of), max(target - received, 0)
    pace = None
    if missing and start is not None and end is not None and window in ("open", "upcoming"):
        pace = pages_per_day(missing, end - (as_of if window == "open" else start))
    return Receipt(target, received, missing, receipt_state(target, received), window, start, end, zone, as_of,
                   capacity, pace, _at_risk(pace, end, as_of, capacity))


def _at_risk(pace: int | None, end: datetime | None, as_of: datetime, capacity: int | None) -> bool:
    return pace is not None and end is not None and (
        (capacity is not None and pace > capacity) or end - as_of <= AT_RISK_WITHIN)


def evaluate_receipt(*, target: int, received: int, window_start: datetime | None, window_end: datetime | None,
                     zone: str | None, as_of: datetime, capacity: int | None) -> Receipt:
    """A session's receipt at ``as_of`` (aware): ``received`` pages (those at or before ``as_of``) against
    ``target``, its scan window shown in ``zone``, and a scanning ``capacity`` in pages a day (None: unknown)."""
    _check(as_of, capacity)
    return _judge(target, received, window_start, window_end, zone, as_of, capacity)


def evaluate_receipts(snapshots: Iterable[ReceiptSnapshot], *, as_of: datetime,
                      capacity: int | None) -> list[SessionReceipt]:
    """``evaluate_receipt`` of each session, in order (its arguments checked once); alike targets, counts, windows
    and zones are judged once."""
    _check(as_of, capacity)  # even when there is no session to judge
    judged: dict[tuple[Any, ...], Receipt] = {}
    out = []
    for s in snapshots:
        receipt = judged.get(key := _JUDGED_BY(s))
        if receipt is None:
            target, received, start, end, zone = key
            receipt = judged[key] = _judge(target, received, start, end, zone, as_of, capacity)
        out.append(SessionReceipt(s.session_name, s.group_name, receipt))
    return out


_JUDGED_BY = attrgetter("target", "received", "scan_upload_start", "scan_upload_end", "timezone")  # _judge's order


def at_capacity(receipts: Iterable[SessionReceipt], capacity: int | None) -> list[SessionReceipt]:
    """``receipts`` (of ``evaluate_receipts``, at any capacity) as ``evaluate_receipts`` judges them at ``capacity``,
    in ``order_receipts``'s order: only whether a session is at risk depends on it, so nothing is read again."""
    if capacity is not None and capacity < 1:
        raise ValueError("a scanning capacity is at least 1 page a day")
    judged: dict[Receipt, Receipt] = {}
    out = []
    for s in receipts:
        receipt = judged.get(s.receipt)
        if receipt is None:
            r = s.receipt
            receipt = judged[r] = r._replace(capacity=capacity,
                                             at_risk=_at_risk(r.pages_per_day_needed, r.closes_at, r.as_of, capacity))
        out.append(s._replace(receipt=receipt))
    return order_receipts(out)


def shortfall_rank(receipt: Receipt) -> int:
    """0: pages missing after the window closed (a problem); 1: at risk; 2: other sessions with pages missing;
    3: more pages than the target (a warning); 4: complete."""
    if receipt.window == "closed" and receipt.missing:
        return 0
    if receipt.at_risk:
        return 1
    if receipt.missing:
        return 2
    return 3 if receipt.state == "over" else 4


_EARLIEST = datetime.min.replace(tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_NO_CLOSING = (datetime.max.replace(tzinfo=UTC) - _EARLIEST) // _MICROSECOND  # after every closing moment; < 2**60
_NAMES = attrgetter("session_name", "group_name")


def order_receipts(receipts: Iterable[SessionReceipt]) -> list[SessionReceipt]:
    """Short sessions first: by ``shortfall_rank``, then the gap between received and target (largest first), then
    the closing moment (earliest first, sessions without one last), then session and group name.

    Sorted by name first, then (a stable sort) by one whole number holding the rank, the gap and the closing
    moment in microseconds: at 100,000 sessions, comparing tuples of all five took 0.19 s, this 0.08 s. A gap
    is below 2**62 and a moment in microseconds below 2**60, so the number orders as the tuple would."""
    micros: dict[datetime, int] = {}

    def key(s: SessionReceipt) -> int:
        r = s.receipt
        if (closes := r.closes_at) is None:
            at = _NO_CLOSING
        elif (known := micros.get(closes)) is not None:
            at = known
        else:
            at = micros[closes] = (closes - _EARLIEST) // _MICROSECOND
        return (((shortfall_rank(r) << 62) - abs(r.target - r.received)) << 60) + at

    by_name = sorted(receipts, key=_NAMES)
    by_name.sort(key=key)
    return by_name


class ReceiptDay(NamedTuple):
    """A UTC day of the receipt: the sheets forecast and the pages received that day (None after the as-of's day:
    not known yet, so a chart's line stops there rather than falling flat), and their running sums."""

    date: str  # ISO 8601
    forecast: int
    received: int | None
    cumulative_forecast: int
    cumulative_received: int | None


def receipt_days(forecast: Mapping[date, int], received: Mapping[date, int], as_of: datetime) -> list[ReceiptDay]:
    """Forecast against received per UTC day: every day from the first to the last of either, 0 on days without
    sheets. ``forecast``: the sheets expected per day (``spread.forecast_per_day``); ``received``: the pages received
    per day by ``as_of`` (``store.received_per_day``)."""
    _require_aware(as_of, "as_of")
    every = forecast.keys() | received.keys()
    if not every:
        return []
    first, last, known_until = min(every), max(every), as_of.astimezone(UTC).date()
    out, expected_so_far, received_so_far = [], 0, 0
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        expected, got = forecast.get(day, 0), received.get(day, 0)
        expected_so_far, received_so_far = expected_so_far + expected, received_so_far + got
        known = day <= known_until
        out.append(ReceiptDay(day.isoformat(), expected, got if known else None, expected_so_far,
                              received_so_far if known else None))
    return out


def received_by_date(days: Iterable[ReceiptDay]) -> dict[str, int]:
    """The pages received per UTC day (ISO date) of ``days``, on the days some were (``volume.with_received``)."""
    return {day.date: day.received for day in days if day.received}


def receipt_document(as_of: datetime, receipts: Iterable[SessionReceipt],
                     days: Iterable[ReceiptDay]) -> dict[str, Any]:
    """The CLI's JSON: as_of, the sessions (in the order given) and the days."""
    return {"as_of": _stamp(as_of), "sessions": [r.to_dict() for r in receipts], "days": [d._asdict() for d in days]}
