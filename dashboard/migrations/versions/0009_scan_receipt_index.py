"""The receipt's index: each session's batches by moment with their pages, so the pages received by an as-of are
summed from the index alone (issue 15's benchmark: at 1,000,000 batches the sum read the whole table).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_scan_batch_receipt", "scan_batch", ["session_id", "received_at", "pages"])


def downgrade() -> None:
    op.drop_index("ix_scan_batch_receipt", table_name="scan_batch")
