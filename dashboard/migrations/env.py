"""Alembic environment: runs on the connection that ``dashboard.db.migrate`` hands over."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through dashboard.db.migrate
    raise RuntimeError("Run migrations through dashboard.db.migrate(engine).")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
