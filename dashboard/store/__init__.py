"""Every SELECT and every write of scanready; bulk paths per dialect.

Functions take the database session keyword-only (``db``) and never commit: the caller's ``session_scope``
does, so an import is one transaction. Imports ``models`` only.

    base      the tables, Counts, chunking
    writes    bulk upserts of sessions, links and activity (executemany on SQLite, COPY on PostgreSQL)
    reads     sessions by name; readiness rows with counts aggregated in SQL
    history   import records and files, the data version, undo
"""

from dashboard.store.base import CHUNK, Counts
from dashboard.store.history import (
    data_version,
    finish_import,
    import_state,
    last_active_import,
    recent_imports,
    revert_import,
    start_import,
)
from dashboard.store.reads import (
    SNAPSHOT_COLUMNS,
    count_sessions,
    get_session,
    groups_with_sessions,
    paper_session_rows,
    readiness_rows,
    role_counts,
    session_groups,
    session_ids,
    session_names,
    status_counts,
    stored_moment,
)
from dashboard.store.writes import upsert_activity, upsert_links, upsert_sessions

__all__ = [
    "CHUNK", "Counts", "SNAPSHOT_COLUMNS", "count_sessions", "data_version", "finish_import", "get_session",
    "groups_with_sessions", "import_state", "last_active_import", "paper_session_rows", "readiness_rows",
    "recent_imports", "revert_import", "role_counts", "session_groups", "session_ids", "session_names",
    "start_import", "status_counts", "stored_moment", "upsert_activity", "upsert_links", "upsert_sessions",
]
