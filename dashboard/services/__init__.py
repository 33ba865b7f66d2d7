"""Use cases the pages and the CLI share; the only layer below the pages that reads the clock.

    imports     validate_files, import_files (all or nothing), undo_import, recent_imports, the example
    checks      the rules of an upload that need the store (groups, deliveries, activity's sessions, rosters)
    readiness   readiness_board, readiness_csv, write_readiness_json, filter_board, session_detail,
                parse_as_of, review_report
    board_json  the board's JSON written at programme scale
    offload     validating and importing a large upload in a worker process (the page's)
    receipts    receipt_board (receipt_at_capacity), receipt_csv, the pages received per day, one session's batches

Importing the package costs nothing: each name is imported from its module on first use (PEP 562), so a command
loads only what it uses (``readiness --json`` neither pandas nor PDFs). ``_HOMES`` says where each name lives; the
type checker reads the same names from the imports under ``TYPE_CHECKING`` (a test keeps the two equal).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard.services import offload as offload
    from dashboard.services.imports import (
        ImportOptions as ImportOptions,
        ImportOutcome as ImportOutcome,
        Progress as Progress,
        UndoOutcome as UndoOutcome,
        Validation as Validation,
        example_programme as example_programme,
        import_files as import_files,
        recent_imports as recent_imports,
        session_count as session_count,
        templates as templates,
        undo_import as undo_import,
        validate_files as validate_files,
    )
    from dashboard.services.readiness import (
        AS_OF_EARLIEST as AS_OF_EARLIEST,
        AS_OF_LATEST as AS_OF_LATEST,
        CSV_COLUMNS as CSV_COLUMNS,
        Board as Board,
        Filters as Filters,
        SessionDetail as SessionDetail,
        filter_board as filter_board,
        paper_session_names as paper_session_names,
        parse_as_of as parse_as_of,
        readiness_board as readiness_board,
        readiness_csv as readiness_csv,
        review_report as review_report,
        session_detail as session_detail,
        write_readiness_json as write_readiness_json,
    )
    from dashboard.services.receipts import (
        ReceiptBoard as ReceiptBoard,
        receipt_at_capacity as receipt_at_capacity,
        receipt_board as receipt_board,
        receipt_csv as receipt_csv,
        received_days as received_days,
        received_per_day as received_per_day,
        session_batches as session_batches,
    )

_HOMES: dict[str, tuple[str, ...]] = {
    "imports": ("ImportOptions", "ImportOutcome", "Progress", "UndoOutcome", "Validation", "example_programme",
        "import_files", "recent_imports", "session_count", "templates", "undo_import", "validate_files",),
    "readiness": ("AS_OF_EARLIEST", "AS_OF_LATEST", "CSV_COLUMNS", "Board", "Filters", "SessionDetail",
        "filter_board", "paper_session_names", "parse_as_of", "readiness_board", "readiness_csv", "review_report",
        "session_detail", "write_readiness_json",),
    "receipts": ("ReceiptBoard", "receipt_at_capacity", "receipt_board", "receipt_csv", "received_days",
        "received_per_day", "session_batches",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = ["offload", *_HOME_OF]


def __getattr__(name: str) -> Any:
    """``name`` imported from its module the first time it is asked for, then kept here."""
    if name == "offload":
        module = importlib.import_module("dashboard.services.offload")
        globals()[name] = module
        return module
    if name not in _HOME_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"dashboard.services.{_HOME_OF[name]}"), name)
    globals()[name] = value
    return value
