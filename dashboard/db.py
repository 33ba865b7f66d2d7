"""The database handle: engines per URL, Alembic migrations, the unit-of-work scope.

Owns connection settings (SQLite pragmas, PostgreSQL driver). Imports ``models`` and ``errors`` only;
queries live in the ``store`` package.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from dashboard.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration. A store already there is opened without loading Alembic (a CLI call stays fast);
# tests/store/test_migrations.py checks that this is Alembic's head.
SCHEMA_REVISION = "0010"


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, WAL and a busy timeout are set."""
    url = normalise_url(url)
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:  # an unknown dialect, or its driver is not installed
            raise StoreError(f"Cannot use the database URL {parsed.render_as_string()!r}: {exc}") from exc
    database = parsed.database or ""
    if database in ("", ":memory:"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder of the store {database!r}: {exc.strerror or exc}.") from exc
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _parse(url: str) -> URL:
    try:
        return make_url(normalise_url(url))
    except ArgumentError as exc:
        raise StoreError(f"The database URL {url!r} is not a valid URL.") from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off: SQLAlchemy's "begin" event below says BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """A writer takes SQLite's write lock when it begins (BEGIN IMMEDIATE), so two imports queue behind the
    busy timeout instead of both reading, then failing to upgrade their locks with "database is locked"."""
    immediate = connection.get_execution_options().get("write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> bool:
    """Bring the store's schema to the newest migration: an empty store is created from the models and
    stamped at the newest revision (Alembic's way to build a store from scratch, instead of replaying every
    migration), an older one is upgraded by Alembic. True when the store was empty and has been created."""
    if _stored_revision(engine) == SCHEMA_REVISION:
        return False
    try:
        with engine.connect() as connection, _sqlite_foreign_keys_off(connection), \
                connection.execution_options(write=True).begin():
            if connection.dialect.name == "postgresql":  # replicas starting together migrate one at a time
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7226373)")
            if not inspect(connection).get_table_names():
                _create(connection)
                return True
            from alembic import command

            command.upgrade(_alembic_config(connection), "head")
            _check_references(connection)
            return False
    except DBAPIError as exc:  # unreachable server, or a file that is not a database
        raise StoreError(f"Cannot open the store at {engine.url!r}: {exc.orig}") from exc


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off while migrations run, on again after: a table others refer to can then be
    rebuilt, as SQLite's ALTER TABLE procedure asks (``_check_references`` checks them before the commit).
    SQLite ignores the switch inside a transaction, so it is set before the migration's begins."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver: Any = connection.connection.driver_connection  # no transaction yet: the pragma takes effect
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        try:
            driver.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error:  # a broken connection: dropped, never pooled without its foreign keys
            connection.invalidate()


def _check_references(connection: Connection) -> None:
    """SQLite checked no foreign key while the migrations ran: every reference is checked before they commit."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, row, parent, _ = broken[0]
        raise StoreError(f"The store at {connection.engine.url!r} was not upgraded: {len(broken)} row(s) refer to "
                         f"rows that are not there (first: {table} row {row} names a missing {parent} row).")


def _create(connection: Connection) -> None:
    """The newest schema in an empty store, as the models declare it (tests/store/test_migrations.py checks
    that the migrations build the same), recorded at SCHEMA_REVISION as ``alembic stamp`` would."""
    SQLModel.metadata.create_all(connection)
    connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                               "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
    connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:revision)"),
                       {"revision": SCHEMA_REVISION})


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the store, or None when it has none (or cannot be read)."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def schema_revision(engine: Engine) -> str | None:
    """The store's current Alembic revision (None for an empty store)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration this code knows (Alembic's head)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def open_existing(url: str) -> Engine:
    """An engine on a store that already exists at the newest schema; nothing is created or migrated."""
    parsed = _parse(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not Path(database).is_file():
        raise StoreError(f"There is no store at {database!r}.")
    engine = make_engine(url)
    try:
        revision = schema_revision(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise StoreError(f"Cannot open the store at {engine.url!r}: {exc.orig}") from exc
    if revision != SCHEMA_REVISION:
        engine.dispose()
        raise StoreError(f"The store at {engine.url!r} is at schema {revision or 'none'}, not "
                         f"{SCHEMA_REVISION}: run `scanready migrate` on it first.")
    return engine


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back entirely when it raises.

    ``write`` marks an import (or an undo): writers queue behind each other, SQLite's with BEGIN IMMEDIATE
    and its busy timeout, PostgreSQL's with a transaction-scoped advisory lock, so two imports never mix.
    A conflict that still happens (a writer that is not scanready) becomes a StoreError: this unit of work
    is rolled back whole and can simply be run again.
    """
    bind = engine.execution_options(write=True) if write else engine
    driver = getattr(engine.dialect, "loaded_dbapi", None)
    conflicts: tuple[type[BaseException], ...] = (IntegrityError,) + ((driver.IntegrityError,) if driver else ())
    with Session(bind, expire_on_commit=False) as db:
        try:
            if write and engine.dialect.name == "postgresql":
                db.execute(text("SELECT pg_advisory_xact_lock(7226374)"))
            yield db
            db.commit()
        except conflicts as exc:
            db.rollback()
            raise StoreError("Another import changed the same records at the same time; nothing of this one "
                             "was stored. Run it again.") from exc
        except OperationalError as exc:
            db.rollback()
            if "locked" not in str(exc.orig):
                raise
            raise StoreError("The store stayed busy with another import for 30 seconds; nothing of this one "
                             "was stored. Run it again.") from exc
        except BaseException:
            db.rollback()
            raise
