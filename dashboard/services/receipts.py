"""Use cases of the receipt: every paper session's scans received against its target at a moment, pages received
per day against the forecast, one session's batches, and the sheets per day with what was received.

Reads the clock (the default "as of") so nothing below does. Imports receipt, readiness's sheet arithmetic, volume
and store.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session

from dashboard import receipt, store
from dashboard.export import safe_table
from dashboard.readiness import expected_sheets
from dashboard.receipt import ReceiptSnapshot, SessionReceipt
from dashboard.services.collector import collector_paused
from dashboard.store import ReceiptRow
from dashboard.volume import forecast_per_day

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
    days: pd.DataFrame
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
        """The CLI's ``receipt --json`` object."""
        return receipt.receipt_document(self.as_of, self.sessions, self.days)

    def by_name(self) -> dict[str, SessionReceipt]:
        return {entry.session_name: entry for entry in self.sessions}


def _snapshots(rows: Sequence[ReceiptRow]) -> Iterator[ReceiptSnapshot]:
    """Receipt snapshots from the store's rows: the target is the started test-takers' sheets once activity is
    imported for the session, else the enrolled ones' (the same arithmetic as the checklist's)."""
    moments: dict[Any, datetime | None] = {}
    for row in rows:
        start, end = (moments[raw] if raw in moments else moments.setdefault(raw, store.stored_moment(raw))
                      for raw in (row.scan_upload_start, row.scan_upload_end))
        expected = expected_sheets(row.test_takers, row.total_interactions, row.sheets_per_interaction)
        started = (expected_sheets(row.started, row.total_interactions, row.sheets_per_interaction)
                   if row.with_activity else None)
        yield ReceiptSnapshot(row.session_name, row.group_name, receipt.target_sheets(expected, started),
                              row.received, start, end, row.timezone)


def receipt_board(*, db: Session, as_of: datetime | None = None, capacity: int | None = None) -> ReceiptBoard:
    """Every paper session's receipt at ``as_of`` (default: now) with a scanning ``capacity`` in pages a day."""
    moment = (as_of or datetime.now(UTC)).astimezone(UTC)
    with collector_paused():
        rows = store.receipt_rows(db=db, as_of=moment)
        snapshots = list(_snapshots(rows))
        sessions = receipt.order_receipts(receipt.evaluate_receipts(snapshots, as_of=moment, capacity=capacity))
        forecast = forecast_per_day([
            (s.scan_upload_start, s.scan_upload_end,
             expected_sheets(r.test_takers, r.total_interactions, r.sheets_per_interaction))
            for s, r in zip(snapshots, rows, strict=True)
            if s.scan_upload_start is not None and s.scan_upload_end is not None])
        received = received_frame(db=db, as_of=moment)
    days = receipt.receipt_days(forecast, received, moment)
    return ReceiptBoard(moment, capacity, sessions, days, store.scans_received(db=db))


def session_receipt(*, db: Session, name: str, as_of: datetime) -> SessionReceipt | None:
    """One paper session's receipt at ``as_of`` (None when no such paper session is stored)."""
    rows = store.receipt_rows(db=db, as_of=as_of, names=[name])
    found = receipt.evaluate_receipts(_snapshots(rows), as_of=as_of, capacity=None)
    return found[0] if found else None


def received_frame(*, db: Session, as_of: datetime) -> pd.DataFrame:
    """Pages received per UTC day at or before ``as_of`` (date, received), counted in SQL."""
    rows = store.received_per_day(db=db, as_of=as_of)
    return pd.DataFrame({"date": pd.Series([day.isoformat() for day, _ in rows], dtype=object),
                         "received": pd.Series([pages for _, pages in rows], dtype="int64")})


def with_received(series: pd.DataFrame, received: pd.DataFrame | None) -> pd.DataFrame:
    """``volume.daily_series`` with a ``received`` column: the pages received each of its days (0 when none, and
    on days not known yet). ``received``: ``received_frame``, or a ``ReceiptBoard``'s days (``<NA>`` after the
    as-of); None while no scan was ever imported."""
    pages = {} if received is None else dict(zip(received["date"], received["received"].fillna(0), strict=True))
    return series.assign(received=[int(pages.get(day, 0)) for day in series["date"]])


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
