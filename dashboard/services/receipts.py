"""Use cases of the receipt: every paper session's scans received against its target at a moment, pages received
per day against the forecast, one session's batches, and the sheets per day with what was received.

Reads the clock (the default "as of") so nothing below does. Imports receipt, readiness's sheet arithmetic, spread
and store; not pandas (``scanready receipt`` does without it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from dashboard import receipt, store
from dashboard.export import safe_table
from dashboard.readiness import Checklist, expected_sheets
from dashboard.receipt import ReceiptDay, ReceiptSnapshot, SessionReceipt
from dashboard.services.collector import collector_paused
from dashboard.services.readiness import judged_moment
from dashboard.spread import forecast_per_day
from dashboard.store import ReceiptRow

RECEIPT_STATES = ("none", "partial", "complete", "over")
CSV_COLUMNS = ("session_name", "group_name", "target", "received", "missing", "state", "window", "closes_at",
               "pages_per_day_needed", "at_risk", "detail")


@dataclass(slots=True)
class ReceiptBoard:
    """Every paper session's receipt at ``as_of`` (short sessions first) and the pages per day against the
    forecast; ``any_scans`` says whether a scan was ever imported."""

    as_of: datetime
    capacity: int | None
    sessions: list[SessionReceipt]
    days: list[ReceiptDay]
    any_scans: bool

    def counts(self) -> dict[str, int]:
        """Sessions per receipt state, and how many are at risk."""
        out = dict.fromkeys((*RECEIPT_STATES, "at_risk"), 0)
        for entry in self.sessions:
            out[entry.receipt.state] += 1
            out["at_risk"] += entry.receipt.at_risk
        return out

    @property
    def short_after_closing(self) -> list[SessionReceipt]:
        """The sessions whose window has closed with pages missing (``--fail-on-missing``)."""
        return [entry for entry in self.sessions if entry.receipt.problem is not None]

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``receipt --json`` object (built with the collector paused: a dict per session)."""
        with collector_paused():
            return receipt.receipt_document(self.as_of, self.sessions, self.days)

    def by_name(self) -> dict[str, SessionReceipt]:
        return {entry.session_name: entry for entry in self.sessions}

    def received_per_day(self) -> dict[str, int]:
        """The pages received per UTC day (ISO date), on the days some were (``volume.with_received``)."""
        return receipt.received_by_date(self.days)


def _snapshots(rows: Sequence[ReceiptRow]) -> Iterator[tuple[ReceiptSnapshot, int]]:
    """Receipt snapshots from the store's rows, each with the session's expected sheets (its forecast): the target
    is the started test-takers' sheets once activity is imported for the session, else the enrolled ones' (the same
    arithmetic as the checklist's)."""
    moment = lru_cache(maxsize=None)(store.stored_moment)  # sessions share few windows: each read once
    for row in rows:
        start, end = moment(row.scan_upload_start), moment(row.scan_upload_end)
        expected = expected_sheets(row.test_takers, row.total_interactions, row.sheets_per_interaction)
        started = (expected_sheets(row.started, row.total_interactions, row.sheets_per_interaction)
                   if row.with_activity else None)
        yield (ReceiptSnapshot(row.session_name, row.group_name, receipt.target_sheets(expected, started),
                               row.received, start, end, row.timezone), expected)


def receipt_board(*, db: Session, as_of: datetime | None = None, capacity: int | None = None) -> ReceiptBoard:
    """Every paper session's receipt at ``as_of`` (default: now) with a scanning ``capacity`` in pages a day."""
    moment = judged_moment(as_of)
    with collector_paused():
        judged = list(_snapshots(store.receipt_rows(db=db, as_of=moment)))
        sessions = receipt.order_receipts(receipt.evaluate_receipts([s for s, _ in judged], as_of=moment,
                                                                    capacity=capacity))
        forecast = forecast_per_day([(s.scan_upload_start, s.scan_upload_end, expected) for s, expected in judged
                                     if s.scan_upload_start is not None and s.scan_upload_end is not None])
        received = store.received_per_day(db=db, as_of=moment)
    days = receipt.receipt_days(forecast, received, moment)
    return ReceiptBoard(moment, capacity, sessions, days, store.scans_received(db=db))


def receipt_at_capacity(board: ReceiptBoard, capacity: int | None) -> ReceiptBoard:
    """``board`` as ``receipt_board`` makes it at ``capacity``, from its receipts (``receipt.at_capacity``): the
    store is not read again."""
    return ReceiptBoard(board.as_of, capacity, receipt.at_capacity(board.sessions, capacity), board.days,
                        board.any_scans)


def session_receipt(*, db: Session, name: str, as_of: datetime) -> SessionReceipt | None:
    """One paper session's receipt at ``as_of`` (None when no such paper session is stored)."""
    rows = store.receipt_rows(db=db, as_of=as_of, names=[name])
    found = receipt.evaluate_receipts([s for s, _ in _snapshots(rows)], as_of=as_of, capacity=None)
    return found[0] if found else None


def received_per_day(*, db: Session, as_of: datetime) -> dict[str, int]:
    """Pages received per UTC day (ISO date) at or before ``as_of``, counted in SQL (``volume.with_received``)."""
    return {day.isoformat(): pages for day, pages in store.received_per_day(db=db, as_of=as_of).items()}


def received_days(*, db: Session, checklists: Sequence[Checklist], as_of: datetime,
                  whole: bool = False) -> list[ReceiptDay]:
    """``ReceiptBoard.days`` for a part of the programme (a filtered view): the forecast of the sessions of
    ``checklists`` and the pages they received per UTC day, nobody else's. ``whole``: ``checklists`` are every
    paper session, whose pages are counted without naming them (at 100,000 sessions, the receipt board these days
    were taken from before took 1.4 s; this, a tenth of it)."""
    moment = judged_moment(as_of)
    names = None if whole else {c.session.session_name for c in checklists}
    received = store.received_per_day(db=db, as_of=moment, names=names)
    forecast = forecast_per_day([(c.session.scan_upload_start, c.session.scan_upload_end, c.expected_sheets)
                                 for c in checklists
                                 if c.session.scan_upload_start is not None and c.session.scan_upload_end is not None])
    return receipt.receipt_days(forecast, received, moment)


def receipt_csv(board: ReceiptBoard) -> bytes:
    """The sessions' receipts as CSV (``CSV_COLUMNS``; the JSON's values, and the sentence), formulas neutralised."""
    rows = []
    for entry in board.sessions:
        values = {**entry.to_dict(), "detail": entry.receipt.detail}
        rows.append(tuple("" if values[c] is None else str(values[c]).lower() if isinstance(values[c], bool)
                          else str(values[c]) for c in CSV_COLUMNS))
    return safe_table(CSV_COLUMNS, rows)


def session_batches(*, db: Session, name: str, as_of: datetime | None = None) -> list[store.Batch]:
    """One session's batches in the order they came (those received by ``as_of`` when it is given)."""
    return [b for b in store.session_batches(db=db, name=name) if as_of is None or b.received_at <= as_of]
