"""The receipt on the overview and the session page: the counts of the scans received, a filter on the receipt's
state kept in the URL, and one session's batches with its pace."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard.receipt import SessionReceipt
from dashboard.services import Board, ReceiptBoard
from dashboard.store import Batch
from dashboard.ui.filters import query_default
from dashboard.wording import format_moment

RECEIPT_CHOICES = {"none": "nothing received", "partial": "partial", "complete": "complete", "over": "over",
                   "at risk": "at risk"}


def receipt_metrics(receipts: ReceiptBoard, shown: Board) -> None:
    """The shown sessions' receipts counted: complete, partial, nothing yet, over, at risk."""
    found = receipts.by_name()
    entries = [found[c.session.session_name] for c in shown.checklists if c.session.session_name in found]
    states = [e.receipt.state for e in entries]
    columns = st.container(key="receipt_counts").columns(5)
    for column, (label, value) in zip(columns, [
            ("Complete", states.count("complete")), ("Partial", states.count("partial")),
            ("Nothing received", states.count("none")), ("Over", states.count("over")),
            ("At risk", sum(e.receipt.at_risk for e in entries))], strict=True):
        column.metric(label, f"{value:,}")


def receipt_filter() -> list[str]:
    """The receipt states to show (all when none is chosen), kept in the URL as ``?receipt=``."""
    query_default("receipt", lambda v: [s for s in v if s in RECEIPT_CHOICES], [])
    chosen: list[str] = st.multiselect("Scans received", list(RECEIPT_CHOICES), key="receipt",
                                       format_func=RECEIPT_CHOICES.__getitem__)
    if chosen:
        st.query_params["receipt"] = chosen
    else:
        st.query_params.pop("receipt", None)
    return chosen


def by_receipt(shown: Board, positions: list[int] | None, receipts: ReceiptBoard | None,
               chosen: Sequence[str]) -> tuple[Board, list[int] | None]:
    """The sessions of ``shown`` (at ``positions`` of the cached table) whose receipt is in ``chosen``."""
    if not chosen or receipts is None:
        return shown, positions
    found = receipts.by_name()
    keep = [i for i, c in enumerate(shown.checklists) if _matches(found.get(c.session.session_name), chosen)]
    narrowed = Board(shown.as_of, [shown.checklists[i] for i in keep], shown.activity_imported_at)
    return narrowed, [positions[i] for i in keep] if positions is not None else keep


def _matches(entry: SessionReceipt | None, chosen: Sequence[str]) -> bool:
    return entry is not None and (entry.receipt.state in chosen or ("at risk" in chosen and entry.receipt.at_risk))


def session_receipt(entry: SessionReceipt | None, batches: Sequence[Batch], zone: str | None) -> None:
    """One session's receipt: its sentence, and the batches and PDFs received (when, how many pages, from where)."""
    st.subheader("Scans received")
    if entry is None:
        return
    r = entry.receipt
    say = st.warning if r.problem or r.at_risk or r.state == "over" else st.info
    say(f"{r.received:,} of {r.target:,} pages received ({r.state}). {r.detail}",
        icon=":material/document_scanner:")
    if not batches:
        st.caption("No scanned batch or PDF has been imported for this session.")
        return
    st.dataframe(pd.DataFrame({
        "received": [format_moment(b.received_at, zone) for b in batches], "pages": [b.pages for b in batches],
        "from": ["PDF" if b.source == "pdf" else "scan log" for b in batches],
        "file": [b.file_name or "" for b in batches], "batch": [b.batch_id or "" for b in batches]}),
        hide_index=True)
