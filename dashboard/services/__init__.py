"""Use cases the pages and the CLI share; the only layer below the pages that reads the clock.

    imports     validate_files, import_files (all or nothing), undo_import, recent_imports, the example
    readiness   readiness_board, write_readiness_json, filter_board, session_detail, parse_as_of,
                review_report
"""

from dashboard.services.imports import (
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
    STATUS_ORDER,
    Board,
    Filters,
    SessionDetail,
    filter_board,
    paper_session_names,
    parse_as_of,
    readiness_board,
    review_report,
    session_detail,
    write_readiness_json,
)

__all__ = [
    "STATUS_ORDER", "Board", "Filters", "ImportOutcome", "Progress", "SessionDetail", "UndoOutcome", "Validation",
    "example_programme", "filter_board", "import_files", "paper_session_names", "parse_as_of", "readiness_board",
    "recent_imports", "review_report", "session_count", "session_detail", "templates", "undo_import",
    "validate_files", "write_readiness_json",
]
