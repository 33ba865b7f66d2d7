"""DataFrames and labels for the pages' tables, states and statuses as words and Streamlit's Material icons (never
emoji, which need a font the viewer may not have); user text made inert for Markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from dashboard.ingest import FileReport
from dashboard.readiness import Checklist, SessionSnapshot
from dashboard.services import Board, ReceiptBoard
from dashboard.store import ImportEntry
from dashboard.wording import IMPORT_VERBS, ITEM_RULES, ITEM_TITLES, format_moment, per_kind, short_id


def summary_frame(reports: Sequence[FileReport]) -> pd.DataFrame:
    """One row per file: kind, template, rows, errors, warnings."""
    return pd.DataFrame(
        [{"file": r.file, "kind": r.kind or "unknown", "template": r.template or "", "rows": r.rows,
          "errors": len(r.errors), "warnings": len(r.warnings)} for r in reports],
        columns=["file", "kind", "template", "rows", "errors", "warnings"],
    )


def problems_frame(reports: Sequence[FileReport], *, errors_only: bool = False) -> pd.DataFrame:
    """Every problem of every file, errors first, with file, line, column, value and message."""
    rows = [{"severity": severity, "file": r.file, "line": p.line, "column": p.column or "", "value": p.value,
             "message": p.message}
            for r in reports
            for severity, problems in (("error", r.errors), ("warning", [] if errors_only else r.warnings))
            for p in problems]
    frame = pd.DataFrame(rows, columns=["severity", "file", "line", "column", "value", "message"])
    return frame.astype({"line": "Int64"})


PROBLEM_ROW_HEIGHT = 72
"""px: rows of three lines; only rows taller than 4 rem let the grid wrap a long message instead of cutting it."""


def problems_column_config() -> dict[str, Any]:
    """The problems table's columns: file names and values whole, messages wrapped over the row's three lines."""
    return {"file": st.column_config.TextColumn(width="medium"),
            "value": st.column_config.TextColumn(width="medium"),
            "message": st.column_config.TextColumn(width="large")}


def preview_frame(report: FileReport, limit: int = 100) -> pd.DataFrame:
    """The first parsed records of a valid file, one column per model field."""
    return pd.DataFrame({name: values[:limit] for name, values in report.columns.items()})


def history_frame(imports: Sequence[ImportEntry]) -> pd.DataFrame:
    """The import history: when, what each import did per kind, and which files (with a short SHA-256)."""
    rows = [{"import": f"#{entry.id}", "imported at": format_moment(entry.imported_at, None),
             "changes": per_kind({kind: c.to_dict() for kind, c in entry.by_kind().items()}, IMPORT_VERBS),
             "undone": format_moment(entry.reverted_at, None) if entry.reverted_at else "",
             "files": ", ".join(f"{f.file_name} ({f.kind}, {f.rows:,} rows, sha256 {f.sha256[:12]})"
                                for f in entry.files)}
            for entry in imports]
    return pd.DataFrame(rows, columns=["import", "files", "changes", "imported at", "undone"])


STATUS_CHOICES = ("ready", "pending", "blocked")
"""The Status filter's choices: the statuses as words (they read in any font: no emoji), ready first."""
STATE_ICON = {"ok": ":green[:material/check_circle: ok]", "pending": ":orange[:material/schedule: pending]",
              "problem": ":red[:material/cancel: problem]"}
"""An item's state in Markdown: one of Streamlit's own Material icons (a font the app serves) and its word."""
STATUS_ICON = {"ready": ":green[:material/check_circle: **ready**]",
               "pending": ":orange[:material/schedule: **pending**]", "blocked": ":red[:material/block: **blocked**]"}
"""A session's status in Markdown, as ``STATE_ICON`` writes a state."""
BOARD_COLUMNS = ["status", "session", *ITEM_TITLES, "window closes", "reason", "group", "delivery", "test-takers",
                 "started", "expected sheets", "warnings"]
"""The overview's columns: what a glance needs first (they fit a 1400 px window), then why, then the rest."""
MOMENT_FORMAT = "D MMM YYYY HH:mm"
"""How the grid writes a moment (moment.js tokens): "28 Mar 2027 09:00", as ``wording.format_moment`` does."""
SESSION_LINK = r"[?&]session=([^&]*)"
"""What a session's link shows: the name its URL carries (the grid decodes what this captures)."""
_ITEM_HEADER = {"enrolment": "enrolled", "roles": "uploader", "launched": "launched", "submitted": "submitted",
                "window": "window", "schedule": "schedule"}
_REPEATED = ("status", *ITEM_TITLES, "reason", "delivery")  # sent as dictionaries (``_dictionary``)
# Every ASCII punctuation character but "/" (no Markdown starts with it; zones and paths stay readable), each of
# which a backslash makes literal in CommonMark: "=" or "-" under a line makes a heading, "&amp;" an entity, "@" an
# e-mail link, ":red[...]" and ":material/...:" Streamlit's own syntax.
_MARKDOWN_SPECIAL = re.compile(r"([!-.:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def plain(text: str) -> str:
    """User text made inert for st.markdown: on one line, every ASCII punctuation character escaped (HTML is never
    allowed)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))


@lru_cache(maxsize=65_536)  # names come back at every as-of: quote each once
def _quoted(name: str) -> str:
    return quote(name, safe="")


def session_link(name: str, as_of: str) -> str:
    """The session page of ``name`` at ``as_of`` (as the URL writes it), relative to the app's pages."""
    return f"session?session={_quoted(name)}&as_of={as_of}"


def reason(checklist: Checklist) -> str:
    """Why a session is not ready: its first problem's sentence, else its first pending item's; "" when ready."""
    for state in ("problem", "pending"):
        for item in checklist.items:
            if item.state == state:
                return item.detail
    return ""


def board_frame(shown: Board) -> pd.DataFrame:
    """One row per session, for a glance: status, its name linking to its page, one word per checklist item and when
    its window closes (UTC; shown in the as-of's zone), then why it is not ready, its group, its delivery (the id's
    last part) and counts. Built column by column."""
    checklists = shown.checklists
    sessions = [c.session for c in checklists]
    as_of = shown.as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    columns: dict[str, Any] = {"status": [c.status for c in checklists],
                               "session": [session_link(s.session_name, as_of) for s in sessions]}
    for index, item in enumerate(ITEM_TITLES):  # a checklist's items are in this order (readiness.ITEMS)
        columns[item] = [c.items[index].state for c in checklists]
    columns.update({
        "window closes": pd.Series([s.scan_upload_end for s in sessions], dtype="datetime64[us, UTC]"),
        "reason": [reason(c) for c in checklists],
        "group": [s.group_name for s in sessions],
        "delivery": [short_id(s.delivery_id) for s in sessions],
        "test-takers": [s.test_takers for s in sessions], "started": [s.started for s in sessions],
        "expected sheets": [c.expected_sheets for c in checklists],
        "warnings": [len(c.warnings) for c in checklists]})
    for name in _REPEATED:
        columns[name] = _dictionary(columns[name])
    return pd.DataFrame(columns, columns=BOARD_COLUMNS)


RECEIPT_COLUMNS = ["received", "scans"]
"""The overview's receipt columns, after the reason once any scan was imported (the glance before them stays in
a 1400 px window)."""


def with_receipts(frame: pd.DataFrame, shown: Board, receipts: ReceiptBoard) -> pd.DataFrame:
    """``board_frame``'s table with each session's pages received against its target and its receipt state (and
    "at risk"), after the reason; the table as it is when no scan was ever imported."""
    if not receipts.any_scans:
        return frame
    found = receipts.by_name()
    entries = [found.get(c.session.session_name) for c in shown.checklists]
    received = [f"{e.receipt.received:,} / {e.receipt.target:,}" if e else "" for e in entries]
    states = [(e.receipt.state + (", at risk" if e.receipt.at_risk else "")) if e else "" for e in entries]
    at = list(frame.columns).index("reason") + 1
    out = frame.copy()
    out.insert(at, "received", received)
    out.insert(at + 1, "scans", pd.Series(_dictionary(states), index=out.index))
    return out


def _dictionary(values: list[str]) -> pd.Categorical:
    """``values`` as a categorical, which the browser receives as each distinct text once (Arrow's dictionary):
    a board repeats its states, reasons and deliveries in row after row."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return pd.Categorical.from_codes(codes, categories=uniques)


def board_column_config(zone: str) -> dict[str, Any]:
    """The overview's columns: the session's name links to its page, each item says its rule, moments read in
    ``zone`` (the as-of's)."""
    config: dict[str, Any] = {
        item: st.column_config.TextColumn(_ITEM_HEADER[item], help=f"**{title}**: {ITEM_RULES[item]}")
        for item, title in ITEM_TITLES.items()}
    config.update({
        "status": st.column_config.TextColumn(width="small", help="Blocked when an item is a problem, ready when "
                                                                  "all are ok, pending otherwise."),
        "session": st.column_config.LinkColumn(display_text=SESSION_LINK,
                                               help="Click a name to open the session's checklist in a new tab."),
        "window closes": st.column_config.DatetimeColumn(
            format=MOMENT_FORMAT, timezone=zone,
            help=f"When the scan upload window closes, in {zone} (the as-of's zone); the session page gives it in "
                 "the session's own zone."),
        "reason": st.column_config.TextColumn(width="large", help="Why the session is not ready: the checklist's "
                                                                  "first problem, else its first pending item."),
        "delivery": st.column_config.TextColumn(help="The last part of the delivery's id; the session page shows "
                                                     "it in full."),
        "expected sheets": st.column_config.NumberColumn(format="localized"),
        "received": st.column_config.TextColumn(help="Pages received by the as-of moment, against the target: the "
                                                     "sheets of those who started once activity is imported, else "
                                                     "the expected sheets."),
        "scans": st.column_config.TextColumn(help="The receipt: none, partial, complete, or over (more pages than "
                                                  "the target); at risk when the pace needed is above the scanner's "
                                                  "capacity or the window closes within 2 days with pages missing."),
    })
    return config


def dates_line(session: SessionSnapshot) -> str:
    """The session's dates on one line, in its own time zone."""
    parts = [("starts", session.start_date), ("ends", session.end_date), ("submitted", session.submission_date),
             ("scan window opens", session.scan_upload_start), ("closes", session.scan_upload_end)]
    text = " · ".join(f"{label} {format_moment(moment, session.timezone) if moment else 'not set'}"
                      for label, moment in parts)
    return text


def counts_frame(counts: dict[str, int], label: str, unit: str) -> pd.DataFrame:
    return pd.DataFrame(sorted(counts.items()), columns=[label, unit])
