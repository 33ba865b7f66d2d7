"""What the CLI prints as plain text: a validation or an import, the readiness board, sheets per day, an undone
import. Pure (the services' results in, text out); only ``cli.py`` imports it. JSON and CSV output are the
services' own ``to_dict`` and CSV writers, not written here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from dashboard.wording import IMPORT_VERBS, UNDO_VERBS, count, format_moment, iso_utc, per_kind

if TYPE_CHECKING:  # annotations only: importing them would load pandas for every command (the receipts)
    from dashboard.ingest import FileReport
    from dashboard.services import Board, ImportOutcome, ReceiptBoard, UndoOutcome, Validation

STATE_MARK = {"ok": "ok     ", "pending": "pending", "problem": "PROBLEM"}


def _file_lines(report: FileReport) -> list[str]:
    verdict = "valid" if report.valid else count(len(report.errors), "error", "errors")
    lines = [f"{report.file}: {report.kind or 'unknown kind'} ({report.template or '-'}), "
             f"{count(report.rows, 'row', 'rows')}: {verdict}"]
    for label, problems in (("error", report.errors), ("warning", report.warnings)):
        for p in problems:
            where = "whole file" if p.line is None else f"line {p.line}"
            if p.column:
                where += f", {p.column}"
            lines.append(f"  {label}: {where}: {p.message}")
    return lines


def validation_text(validation: Validation, *, command: Literal["validate", "import"]) -> str:
    """Each file's verdict with its errors and warnings by line and column, what a complete roster would remove,
    and what happens next."""
    lines = [line for report in validation.reports for line in _file_lines(report)]
    if validation.roster is not None:
        losses = validation.roster.losses
        lines += [f"Complete rosters: group {group!r} loses {count(n, 'link', 'links')}."
                  for group, n in losses.items()]
        lines += [] if losses else ["Complete rosters: no group loses a link."]
    if not validation.valid:
        lines.append("Nothing was stored: fix the errors above and run again." if command == "import"
                     else "Fix the errors above, then validate again (validate checks only; it never stores).")
    elif command == "validate":
        lines.append(f"All {count(len(validation.reports), 'file is', 'files are')} valid "
                     "(validate checks only; it never stores).")
    return "\n".join(lines)


def import_text(outcome: ImportOutcome) -> str:
    """The validation, then what the import did per kind of file, or that it changed nothing."""
    lines = [validation_text(outcome.validation, command="import")]
    if outcome.import_id is not None:
        done = per_kind({kind: counts.to_dict() for kind, counts in outcome.by_kind.items()}, IMPORT_VERBS)
        lines.append(f"Imported (import {outcome.import_id}): {done}.")
    elif outcome.changed_nothing:
        lines.append("Nothing changed: the store already holds every record as these files give it, so no import "
                     "was recorded.")
    return "\n".join(lines)


def board_text(board: Board) -> str:
    """The readiness board: the counts, then each session with the checklist items that are not ok."""
    counts = board.counts()
    sheets = sum(c.expected_sheets for c in board.checklists)
    activity = (f"activity last imported {format_moment(board.activity_imported_at, None)}"
                if board.activity_imported_at else "no activity imported yet")
    lines = [f"Readiness as of {iso_utc(board.as_of)}: {counts['ready']:,} ready, {counts['pending']:,} pending, "
             f"{counts['blocked']:,} blocked; {count(sheets, 'sheet', 'sheets')} expected; {activity}."]
    for checklist in board.checklists:
        session = checklist.session
        lines.append(f"{checklist.status.upper():8} {session.session_name} (group {session.group_name}), "
                     f"{count(checklist.expected_sheets, 'sheet', 'sheets')} expected")
        lines += [f"    {STATE_MARK[item.state]} {item.item}: {item.detail}" for item in checklist.items
                  if item.state != "ok"]
        lines += [f"    warning {text}" for text in checklist.warnings]
    return "\n".join(lines)


def volume_text(days: Sequence[Mapping[str, Any]], unscheduled: tuple[int, int]) -> str:
    """Sheets per day (``volume.series_records``, with the pages received), and the sheets of the
    ``(sessions, sheets)`` on no day."""
    lines = [f"{row['date']}  {row['expected_sheets']:>8,} sheets  (blocked {row['blocked']:,}, pending "
             f"{row['pending']:,}, ready {row['ready']:,}; {count(row['sessions'], 'session', 'sessions')}); "
             f"{row['received']:,} received" + ("  OVER CAPACITY" if row.get("over_capacity") else "")
             for row in days]
    sessions, sheets = unscheduled
    if sessions:
        lines.append(f"{count(sheets, 'sheet', 'sheets')} of {count(sessions, 'session', 'sessions')} without a "
                     "complete scan window are on no day.")
    return "\n".join(lines) or "No sheets are expected on any day."


def undo_text(outcome: UndoOutcome) -> str:
    """Which import was undone, and what that did per kind of file."""
    done = per_kind({kind: counts.to_dict() for kind, counts in outcome.by_kind.items()}, UNDO_VERBS)
    return f"Import {outcome.import_id} of {format_moment(outcome.imported_at, None)} undone: {done}."


def receipt_text(board: ReceiptBoard) -> str:
    """The receipt: the counts, then each session that is not complete with its sentence, short ones first."""
    counts = board.counts()
    lines = [f"Scans received as of {iso_utc(board.as_of)}: {counts['complete']:,} complete, {counts['partial']:,} "
             f"partial, {counts['none']:,} with none, {counts['over']:,} over; {counts['at_risk']:,} at risk."]
    if not board.any_scans:
        lines.append("No scan has been imported yet: import the scanning centre's log or the session PDFs.")
    for entry in board.sessions:
        r = entry.receipt
        if r.state == "complete":
            continue
        risk = "  AT RISK" if r.at_risk else ""
        lines.append(f"{r.state.upper():8} {entry.session_name} (group {entry.group_name}): {r.received:,} of "
                     f"{r.target:,} pages{risk}")
        lines.append(f"    {r.detail}")
    return "\n".join(lines)
