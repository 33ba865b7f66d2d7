"""Use cases the pages and the CLI share; the only layer below the pages that reads the clock.

    imports     validate_files, import_files (all or nothing), undo_import, recent_imports, the example
    checks      the rules of an upload that need the store (groups, deliveries, activity's sessions, rosters)
    readiness   readiness_board, readiness_csv, write_readiness_json, filter_board, session_detail,
                parse_as_of, review_report
    board_json  the board's JSON written at programme scale
    offload     validating and importing a large upload in a worker process (the page's)
    receipts    receipt_board, receipt_csv, the pages received per day, one session's batches
"""

from dashboard.services import offload
from dashboard.services.imports import (
    ImportOptions,
    ImportOutcome,
    Progress,
    UndoOutcome,
    Validation,
    example_programme,
    import_files,
    recent_imports,
    session_count,
    templates,
    undo_import,
    validate_files,
)
from dashboard.services.readiness import (
    CSV_COLUMNS,
    Board,
    Filters,
    SessionDetail,
    filter_board,
    paper_session_names,
    parse_as_of,
    readiness_board,
    readiness_csv,
    review_report,
    session_detail,
    write_readiness_json,
)
from dashboard.services.receipts import (
    ReceiptBoard,
    receipt_board,
    receipt_csv,
    received_frame,
    session_batches,
    with_received,
)

__all__ = [
    "CSV_COLUMNS", "Board", "Filters", "ImportOptions", "ImportOutcome", "Progress", "SessionDetail", "UndoOutcome",
    "Validation", "example_programme", "filter_board", "import_files", "paper_session_names", "parse_as_of",
    "readiness_board", "readiness_csv", "recent_imports", "review_report", "session_count", "session_detail",
    "offload", "templates", "undo_import", "validate_files", "write_readiness_json", "ReceiptBoard", "receipt_board",
    "receipt_csv", "received_frame", "session_batches", "with_received",
]
