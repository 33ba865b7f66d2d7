"""Undo: the import record says when it was reverted; import_undo keeps rows as they were before an import.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 03:50:29.958076
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('import_undo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['import_record.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('import_undo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_undo_import_id'), ['import_id'], unique=False)

    with op.batch_alter_table('import_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverted_at', UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('import_record', schema=None) as batch_op:
        batch_op.drop_column('reverted_at')

    with op.batch_alter_table('import_undo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_undo_import_id'))

    op.drop_table('import_undo')
