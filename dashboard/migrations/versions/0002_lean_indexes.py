"""Lean indexes for bulk imports: keep the unique ones and exam_session.group_name, drop the rest.

A million links were inserted with three indexes to maintain; the unique (group, user, role) index
serves lookups by group, and the unique (session_id, user) index serves activity by session.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:23:43.502958
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_import_id'))
        batch_op.drop_index(batch_op.f('ix_activity_session_id'))

    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_session_delivery_id'))
        batch_op.drop_index(batch_op.f('ix_exam_session_import_id'))
        batch_op.drop_index(batch_op.f('ix_exam_session_paper_enabled'))

    with op.batch_alter_table('group_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_link_group_name'))
        batch_op.drop_index(batch_op.f('ix_group_link_import_id'))



def downgrade() -> None:
    with op.batch_alter_table('group_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_link_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_link_group_name'), ['group_name'], unique=False)

    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_session_paper_enabled'), ['paper_enabled'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_session_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_session_delivery_id'), ['delivery_id'], unique=False)

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_import_id'), ['import_id'], unique=False)

