"""The tables: exam sessions, group links (enrolments and roles), activity, the import history.

One family per entity: ``ExamSessionBase`` holds the fields a session CSV row carries,
``ExamSession`` is the stored row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Column, Field, LargeBinary, SQLModel, Text, UniqueConstraint

from models.types import UTCDateTime


class ExamSessionBase(SQLModel):
    """One TAO session as the manager sent it: every column kept, dates in UTC."""

    session_name: str = Field(unique=True, index=True)
    group_name: str = Field(index=True)
    delivery_id: str
    # "delivery" for session_deliveryId, "battery" for session_batteryId
    delivery_kind: str = Field(default="delivery")
    template: str
    timezone: str | None = Field(default=None)
    start_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submission_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    waiting_page_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paper_enabled: bool = False
    sheets_per_interaction: int | None = None
    total_interactions: int | None = None
    booklet_filename: str | None = Field(default=None)
    scan_upload_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    scan_upload_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    group_description: str | None = Field(default=None, sa_column=Column(Text))
    group_active: str | None = Field(default=None)
    group_organization_id: str | None = Field(default=None)
    security_settings: str | None = Field(default=None, sa_column=Column(Text))
    review_settings: str | None = Field(default=None, sa_column=Column(Text))
    accessibility_plugins: str | None = Field(default=None, sa_column=Column(Text))
    session_plugins: str | None = Field(default=None, sa_column=Column(Text))
    report_settings: str | None = Field(default=None, sa_column=Column(Text))
    read_aloud: str | None = Field(default=None, sa_column=Column(Text))
    # Columns the templates do not know, as a JSON object {column: value}: kept so nothing is lost.
    extra: str | None = Field(default=None, sa_column=Column(Text))


class ExamSession(ExamSessionBase, table=True):
    __tablename__ = "exam_session"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int | None = None  # provenance, not a foreign key, as in GroupLink (migration 0006)


class ImportRecord(SQLModel, table=True):
    """One click on Import (or one ``scanready import``) that changed the store: when, and its totals."""

    __tablename__ = "import_record"

    id: int | None = Field(default=None, primary_key=True)
    imported_at: datetime = Field(sa_type=UTCDateTime)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reverted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ImportFile(SQLModel, table=True):
    """A file of an import, identified by name and SHA-256 of its bytes, with what it did to the store and what
    it held: ``payload`` is its validated records (compressed JSON, never a password), so that undoing any import
    can replay the others (migration 0007)."""

    __tablename__ = "import_file"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="import_record.id", index=True)
    file_name: str
    sha256: str
    kind: str
    template: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    payload: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


class SessionRemoval(SQLModel, table=True):
    """A session an undo removed, with its activity and scanned batches, because no import left held it
    (migration 0010). Those records stay removed for good: the imports up to ``through_import_id`` (the newest one
    when the undo ran) that still hold some of them no longer count for that session, so neither importing the
    session again nor undoing a later import brings them back."""

    __tablename__ = "session_removal"

    id: int | None = Field(default=None, primary_key=True)
    session_name: str = Field(index=True)
    through_import_id: int
    removed_at: datetime = Field(sa_type=UTCDateTime)
    undo_of: int  # the import whose undo removed it (provenance, as in GroupLink)


class GroupLink(SQLModel, table=True):
    """A user's role in a group, from TAO's link-*-user-to-groups files (passwords are never kept).

    The link itself is the key (migration 0005): one B-tree on SQLite (WITHOUT ROWID), which also serves
    lookups and counts by group; nothing to maintain beside it while a million links are inserted.
    """

    __tablename__ = "group_link"
    __table_args__ = {"sqlite_with_rowid": False}

    group_name: str = Field(primary_key=True)
    user_username: str = Field(primary_key=True)
    group_role: str = Field(primary_key=True)
    # Provenance, not a foreign key: the import writes it with its record, and records are never deleted;
    # a key checked on each of a million rows would cost more than the rows (migration 0004).
    import_id: int | None = None


class Activity(SQLModel, table=True):
    """A test-taker's latest state in a session, from the session's monitoring export."""

    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("session_id", "user_username"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id")  # served by the unique (session_id, user) index
    user_username: str
    status: str
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    import_id: int | None = None  # provenance, as in GroupLink


class ScanBatch(SQLModel, table=True):
    """Scanned pages received for a session: a batch of a scanning centre's log, or a scanned PDF (migration 0008).

    ``batch_key`` identifies it within its session (its batch_id, the SHA-256 of its PDF, or the whole row), so the
    same batch imported again changes nothing.
    """

    __tablename__ = "scan_batch"
    # The receipt sums each session's pages received by an as-of from the second index alone (migration 0009).
    __table_args__ = (UniqueConstraint("session_id", "batch_key"),
                      Index("ix_scan_batch_receipt", "session_id", "received_at", "pages"))

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id")  # served by both indexes
    batch_key: str
    pages: int
    received_at: datetime = Field(sa_type=UTCDateTime)
    batch_id: str | None = None
    source: str  # "log" or "pdf"
    file_name: str | None = None
    import_id: int | None = None  # provenance, as in GroupLink
