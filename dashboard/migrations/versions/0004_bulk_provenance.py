"""Links and activity: import_id is provenance, no longer a foreign key checked row by row.

A million links carried a million foreign-key checks against import_record: on PostgreSQL they took
more than half of a bulk import (3.2 s of 5.9 s for 1,000,000 links, measured with COPY). The import_id
of these rows is written in the same transaction as its import record, and import records are never
deleted (an undo only marks them), so the reference cannot dangle. Sessions and the history keep theirs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 07:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's foreign keys have no name: batch mode finds them by this convention.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
TABLES = ("group_link", "activity")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint(_name(table), type_="foreignkey")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.create_foreign_key(_name(table), "import_record", ["import_id"], ["id"])


def _name(table: str) -> str:
    """The constraint's name: PostgreSQL's own for a store made by 0001, the convention's on SQLite."""
    if op.get_context().dialect.name == "postgresql":
        return f"{table}_import_id_fkey"
    return f"fk_{table}_import_id_import_record"
