"""SQLModel tables of scanready: what is stored, nothing else.

This package owns the schema. It holds no queries, no pandas and no streamlit, and imports nothing
of ``dashboard``; Alembic migrations in ``dashboard/migrations`` must match it (a test compares them).
"""

from models.tables import (
    Activity,
    ExamSession,
    ExamSessionBase,
    GroupLink,
    ImportFile,
    ImportRecord,
    ScanBatch,
    SessionRemoval,
)
from models.types import UTCDateTime

__all__ = ["Activity", "ExamSession", "ExamSessionBase", "GroupLink", "ImportFile", "ImportRecord", "ScanBatch",
           "SessionRemoval", "UTCDateTime"]
