"""DataFrames and labels for the pages' tables; user text made inert for Markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.ingest import FileReport
from dashboard.readiness import SessionSnapshot
from dashboard.services import Board
from dashboard.store import ImportEntry
from dashboard.wording import IMPORT_VERBS, format_moment, per_kind


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


STATE_ICON = {"ok": "✅", "pending": "⏳", "problem": "❌"}
STATUS_LABEL = {"ready": "✅ ready", "pending": "⏳ pending", "blocked": "❌ blocked"}
ITEM_LABEL = {"enrolment": "Test-takers enrolled", "roles": "Someone can upload scans",
              "launched": "Test launched at least once", "submitted": "Session submitted",
              "window": "Scan upload window open", "schedule": "Window after submission"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """User text made inert for st.markdown: every Markdown character escaped (HTML is never allowed)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def board_frame(shown: Board) -> pd.DataFrame:
    """One row per session: status, one icon column per checklist item, counts, when the window closes."""
    rows = []
    for checklist in shown.checklists:
        session = checklist.session
        row: dict[str, Any] = {"status": STATUS_LABEL[checklist.status], "session": session.session_name,
                               "group": session.group_name, "delivery": session.delivery_id}
        row.update({item.item: STATE_ICON[item.state] for item in checklist.items})
        row.update({"test-takers": session.test_takers, "started": session.launched,
                    "expected sheets": checklist.expected_sheets,
                    "window closes": format_moment(session.scan_upload_end, session.timezone)
                    if session.scan_upload_end else "missing",
                    "warnings": len(checklist.warnings)})
        rows.append(row)
    return pd.DataFrame(rows, columns=["status", "session", "group", "delivery", *ITEM_LABEL, "test-takers",
                                       "started", "expected sheets", "window closes", "warnings"])


def board_column_config() -> dict[str, Any]:
    config: dict[str, Any] = {item: st.column_config.TextColumn(item, help=label, width="small")
                              for item, label in ITEM_LABEL.items()}
    config["expected sheets"] = st.column_config.NumberColumn(format="localized")
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
