"""Scans received: a batch of a scanning centre's log, or a scanned PDF, per session (issue 15).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("scan_batch",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("session_id", sa.Integer(), nullable=False),
                    sa.Column("batch_key", sa.String(), nullable=False),
                    sa.Column("pages", sa.Integer(), nullable=False),
                    sa.Column("received_at", UTCDateTime(), nullable=False),
                    sa.Column("batch_id", sa.String(), nullable=True),
                    sa.Column("source", sa.String(), nullable=False),
                    sa.Column("file_name", sa.String(), nullable=True),
                    sa.Column("import_id", sa.Integer(), nullable=True),
                    sa.ForeignKeyConstraint(["session_id"], ["exam_session.id"]),
                    sa.PrimaryKeyConstraint("id"),
                    sa.UniqueConstraint("session_id", "batch_key"))


def downgrade() -> None:
    op.drop_table("scan_batch")
