"""What the CLI prints as plain text: a validation or import report, the readiness board, sheets per day, an
undone import. Pure (dicts and boards in, text out); only ``cli.py`` imports it. JSON and CSV output are the
services' own ``to_dict`` and ``safe_csv``, not written here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

STATE_MARK = {"ok": "ok     ", "pending": "pending", "problem": "PROBLEM"}


def report_text(result: dict[str, Any]) -> str:
    """A validation (or import) report: each file's verdict, its errors and warnings by line and column."""
    lines = []
    for entry in result["files"]:
        verdict = "valid" if not entry["errors"] else f"{len(entry['errors'])} error(s)"
        lines.append(f"{entry['file']}: {entry['kind'] or 'unknown kind'} ({entry['template'] or '-'}), "
                     f"{entry['rows']} rows: {verdict}")
        for label, problems in (("error", entry["errors"]), ("warning", entry["warnings"])):
            for p in problems:
                where = "whole file" if p["line"] is None else f"line {p['line']}"
                if p["column"]:
                    where += f", {p['column']}"
                lines.append(f"  {label}: {where}: {p['message']}")
    if "imported" in result:
        counts = result["imported"]
        lines.append(f"Imported: {counts['created']} created, {counts['updated']} updated, "
                     f"{counts['unchanged']} unchanged.")
    elif not result["valid"]:
        lines.append("Nothing was stored: fix the errors above and run again.")
    return "\n".join(lines)


def board_text(board: Any) -> str:
    """The readiness board: the counts, then each session with the checklist items that are not ok."""
    counts = board.counts()
    sheets = sum(c.expected_sheets for c in board.checklists)
    lines = [f"Readiness as of {board.to_dict()['as_of']}: {counts['ready']} ready, {counts['pending']} pending, "
             f"{counts['blocked']} blocked; {sheets:,} sheets expected."]
    for checklist in board.checklists:
        session = checklist.session
        lines.append(f"{checklist.status.upper():8} {session.session_name} (group {session.group_name}), "
                     f"{checklist.expected_sheets:,} sheets expected")
        lines += [f"    {STATE_MARK[item.state]} {item.item}: {item.detail}" for item in checklist.items
                  if item.state != "ok"]
        lines += [f"    warning {text}" for text in checklist.warnings]
    return "\n".join(lines)


def volume_text(days: Sequence[dict[str, Any]], unscheduled: tuple[int, int]) -> str:
    """Sheets per day (``series_records``), and the sheets of the ``(sessions, sheets)`` on no day."""
    lines = [f"{row['date']}  {row['expected_sheets']:>8,} sheets  (blocked {row['blocked']:,}, pending "
             f"{row['pending']:,}, ready {row['ready']:,}; {row['sessions']:,} sessions)"
             + ("  OVER CAPACITY" if row.get("over_capacity") else "") for row in days]
    sessions, sheets = unscheduled
    if sessions:
        lines.append(f"{sheets:,} sheets of {sessions:,} sessions without a complete scan window are on no day.")
    return "\n".join(lines) or "No sheets are expected on any day."


def undo_text(outcome: Any) -> str:
    """One line: which import was undone, and how many rows were removed, restored and kept."""
    counts = outcome.counts
    return (f"Import {outcome.import_id} of {outcome.imported_at:%d %b %Y %H:%M} UTC undone: {counts['removed']:,} "
            f"rows removed, {counts['restored']:,} restored, {counts['kept']:,} kept (changed by a later import).")
