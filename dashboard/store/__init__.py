"""Every SELECT and every write of scanready; bulk paths per dialect.

Functions take the database session keyword-only (``db``) and never commit: the caller's ``session_scope``
does, so an import is one transaction. Imports ``models`` and ``tao`` only.

    base       the tables, Counts, chunking
    bulk       records column by column into executemany (SQLite) or COPY (PostgreSQL)
    scans      what sessions received at a moment, pages per day, one session's batches, booklets
    reads      sessions by name, readiness rows with counts aggregated in SQL at a moment, what checks need
    writes     upserts of sessions, links and activity; a complete roster's removals
    payloads   what an import's files held, compressed, for undo
    history    import records and files, the data version
    undo       undoing an import by replaying the others (undo_rows: links, activity, scans)
"""

from dashboard.store.base import CHUNK, Counts
from dashboard.store.history import (
    DataVersion,
    FileEntry,
    ImportEntry,
    data_version,
    finish_import,
    import_state,
    last_active_import,
    recent_imports,
    start_import,
)
from dashboard.store.payloads import Payload, encode, payload_of
from dashboard.store.reads import (
    ReadinessRow,
    StoredSession,
    activity_imported_at,
    count_sessions,
    groups_with_sessions,
    launched_sessions,
    links_of_groups,
    readiness_rows,
    readiness_values,
    role_counts,
    session_groups,
    session_ids,
    session_names,
    status_counts,
    stored_moment,
    stored_sessions,
    test_taker_groups,
    unenrolled_activity,
)
from dashboard.store.scans import (
    Batch,
    ReceiptRow,
    booklets,
    receipt_rows,
    received_per_day,
    scans_received,
    session_batches,
)
from dashboard.store.undo import revert_import
from dashboard.store.undo_rows import Reverted
from dashboard.store.writes import remove_links, upsert_activity, upsert_links, upsert_scans, upsert_sessions

__all__ = [
    "Batch", "CHUNK", "Counts", "ReceiptRow", "booklets", "receipt_rows", "received_per_day", "scans_received",
    "session_batches", "DataVersion", "FileEntry", "ImportEntry", "Payload", "ReadinessRow", "Reverted",
    "StoredSession", "activity_imported_at", "count_sessions", "data_version", "encode", "finish_import",
    "groups_with_sessions", "import_state", "last_active_import", "launched_sessions", "links_of_groups", "payload_of",
    "readiness_rows", "readiness_values", "recent_imports", "remove_links", "revert_import", "role_counts",
    "session_groups", "session_ids", "session_names", "start_import", "status_counts", "stored_moment",
    "stored_sessions", "test_taker_groups", "unenrolled_activity", "upsert_activity", "upsert_links", "upsert_scans",
    "upsert_sessions",
]
