"""Sessions: import_id is provenance, as 0004 made it for links and activity, no longer a foreign key.

The key cost one check against import_record per session: the server's COPY of 100,000 sessions into
exam_session took 0.94 s with it and 0.54 s without (psql's \\timing), and ``scanready import`` of those
sessions on PostgreSQL went from 2.4-2.5 s to 2.0-2.4 s. As for links, the import_id is written in the same
transaction as its import record, and records are never deleted (an undo only marks them), so it cannot
dangle. The history's own tables (import_file, import_undo) keep theirs.

SQLite cannot drop a constraint: batch mode rebuilds the table, and activity refers to sessions, so the old
table cannot be dropped while foreign keys are enforced: ``dashboard.db.migrate`` runs migrations with
SQLite's foreign keys off, then checks every reference before it commits.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's foreign keys have no name: batch mode finds them by this convention (as in 0004).
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    with op.batch_alter_table("exam_session", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(_name(), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("exam_session", naming_convention=NAMING) as batch_op:
        batch_op.create_foreign_key(_name(), "import_record", ["import_id"], ["id"])


def _name() -> str:
    """The constraint's name: PostgreSQL's own for a store made by 0001, the convention's on SQLite."""
    if op.get_context().dialect.name == "postgresql":
        return "exam_session_import_id_fkey"
    return "fk_exam_session_import_id_import_record"

