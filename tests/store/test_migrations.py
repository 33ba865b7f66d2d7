"""Alembic migrations on SQLite and PostgreSQL: a new store reaches head, an older one is upgraded,
migrating again changes nothing, and the migrated schema is exactly the SQLModel metadata."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from dashboard import services, store
from dashboard.config import Settings
from dashboard.db import MIGRATIONS, SCHEMA_REVISION, head_revision, make_engine, migrate, schema_revision
from dashboard.errors import StoreError
from tests.factories import readiness_dicts, session, sessions_csv

MODEL_TABLES = {"exam_session", "group_link", "activity", "import_record", "import_file"}


@pytest.fixture
def empty(store_url: str) -> Iterator[Engine]:
    """An engine on a store nobody has migrated yet."""
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


def _alembic(engine: Engine, action: str, revision: str) -> None:
    """Run an Alembic command (``downgrade``, ``stamp``) the way ``dashboard.db.migrate`` runs ``upgrade``."""
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_an_empty_store_is_migrated_to_head(empty):
    assert schema_revision(empty) is None
    assert _tables(empty) == set()

    migrate(empty)

    assert head_revision() is not None
    assert schema_revision(empty) == head_revision()
    assert _tables(empty) == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_the_fast_path_knows_the_newest_migration():
    """migrate() skips Alembic when the store is at SCHEMA_REVISION: it must be Alembic's head."""
    assert SCHEMA_REVISION == head_revision()


def test_migrating_twice_changes_nothing(empty):
    migrate(empty)
    with Session(empty) as db:
        services.import_files([("s.csv", sessions_csv(session("History 4A")))], db=db, settings=Settings())
        db.commit()

    migrate(empty)

    assert schema_revision(empty) == head_revision()
    with Session(empty) as db:
        assert store.count_sessions(db=db) == 1
        assert store.data_version(db=db) > (0, 0)
    assert _differences(empty) == []


def test_the_migrated_schema_matches_the_models(engine):
    assert _differences(engine) == []


def test_a_schema_drift_is_detected(engine):
    """The comparison above can fail: a table the migrations lack shows up as a difference."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE import_file")

    found = {(diff[0], diff[1].name) for diff in _differences(engine) if isinstance(diff, tuple)}
    assert found == {("add_table", "import_file"), ("add_index", "ix_import_file_import_id")}


@pytest.mark.parametrize("older", ["downgraded to base", "stamped at base"])
def test_an_older_store_is_upgraded(empty, older):
    if older == "downgraded to base":
        migrate(empty)
        _alembic(empty, "downgrade", "base")
        assert _tables(empty) == {"alembic_version"}
    else:
        _alembic(empty, "stamp", "base")
        assert _tables(empty) == {"alembic_version"}
    assert schema_revision(empty) is None

    migrate(empty)

    assert schema_revision(empty) == head_revision()
    assert _differences(empty) == []
    with Session(empty) as db:
        outcome = services.import_files([("s.csv", sessions_csv(session("History 4A")))], db=db,
                                        settings=Settings())
        db.commit()
    assert outcome.counts.created == 1


def test_a_store_of_the_first_release_keeps_its_data_through_the_upgrade(empty):
    """A store left at migration 0001 (with data in it) opens, upgrades to head and keeps every row."""
    _alembic(empty, "upgrade", "0001")
    with empty.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO exam_session (session_name, group_name, delivery_id, delivery_kind, template, paper_enabled)"
            " VALUES ('History 4A', 'Class 4A', 'd1', 'delivery', 'sessions-with-delivery-in-existing-groups', true)")
        connection.exec_driver_sql("INSERT INTO group_link (group_name, user_username, group_role) "
                                   "VALUES ('Class 4A', 'ana', 'TEST_TAKER')")
        connection.exec_driver_sql("INSERT INTO activity (session_id, user_username, status) "
                                   "SELECT id, 'ana', 'finished' FROM exam_session")
    assert schema_revision(empty) == "0001"
    assert "ix_group_link_group_name" in {i["name"] for i in inspect(empty).get_indexes("group_link")}

    migrate(empty)

    assert schema_revision(empty) == head_revision()
    assert _differences(empty) == []
    with Session(empty) as db:
        rows = readiness_dicts(db)
    assert [(r["session_name"], r["test_takers"], r["started"]) for r in rows] == [("History 4A", 1, 1)]


def test_replaying_every_migration_builds_what_a_new_store_gets(empty):
    """A new store is created from the models; replaying the migrations from nothing must build the same."""
    _alembic(empty, "upgrade", "head")
    assert schema_revision(empty) == head_revision()
    assert _tables(empty) == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert _differences(empty) == []
    if empty.dialect.name == "sqlite":  # the one difference Alembic does not compare: links keyed WITHOUT ROWID
        with empty.connect() as connection:
            sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'group_link'").scalar()
        assert "WITHOUT ROWID" in str(sql)


def test_a_new_store_is_created_without_replaying_the_migrations(empty, monkeypatch):
    import alembic.command

    def refuse(*_args: object) -> None:
        raise AssertionError("an empty store was built by replaying the migrations")

    monkeypatch.setattr(alembic.command, "upgrade", refuse)
    migrate(empty)
    assert schema_revision(empty) == head_revision()
    assert _differences(empty) == []


def test_foreign_keys_are_enforced_again_after_an_upgrade(empty):
    """SQLite's foreign keys are off while migrations run (0006 rebuilds a table activity refers to): the
    connection goes back to the pool enforcing them again."""
    _alembic(empty, "upgrade", "0005")

    migrate(empty)

    assert schema_revision(empty) == head_revision()
    with pytest.raises(IntegrityError), empty.begin() as connection:
        connection.exec_driver_sql("INSERT INTO activity (session_id, user_username, status) "
                                   "VALUES (999, 'ana', 'finished')")


def test_an_upgrade_that_leaves_a_row_without_its_session_is_not_committed(tmp_path):
    """A SQLite store holding an activity row whose session is gone (written by a tool with foreign keys off)
    is not upgraded: the references are checked before the migrations commit."""
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    _alembic(engine, "upgrade", "0005")
    engine.dispose()
    with closing(sqlite3.connect(path)) as raw, raw:  # foreign keys are off on a bare connection
        raw.execute("INSERT INTO activity (session_id, user_username, status) VALUES (999, 'ana', 'finished')")
    engine = make_engine(f"sqlite:///{path}")

    with pytest.raises(StoreError, match=r"was not upgraded: 1 row\(s\) .* activity row 1 names a missing "
                                         r"exam_session row"):
        migrate(engine)

    assert schema_revision(engine) == "0005"
    engine.dispose()


def test_imports_made_before_0007_can_still_be_undone_without_losing_what_others_hold(empty):
    """A store at 0006 with two imports (the second changed a session and added one; the old undo table kept the
    first's values): after the upgrade, undoing the second gives the first's values back, and undoing the first
    then leaves nothing."""
    _alembic(empty, "upgrade", "0006")
    sql = [
        "INSERT INTO import_record (id, imported_at, created, updated, unchanged) VALUES "
        "(1, '2028-01-01 00:00:00', 2, 0, 0), (2, '2028-01-02 00:00:00', 1, 1, 0)",
        "INSERT INTO import_file (import_id, file_name, sha256, kind, template, rows) VALUES "
        "(1, 's.csv', 'a', 'sessions', 'sessions-with-delivery-in-existing-groups', 1), "
        "(1, 'l.csv', 'b', 'enrolments', 'link-existing-user-to-groups', 1), "
        "(2, 's.csv', 'c', 'sessions', 'sessions-with-delivery-in-existing-groups', 2)",
        "INSERT INTO exam_session (id, session_name, group_name, delivery_id, delivery_kind, template, paper_enabled, "
        "sheets_per_interaction, start_date, import_id) VALUES "
        "(1, 'History 4A', 'Class 4A', 'd1', 'delivery', 'sessions-with-delivery-in-existing-groups', true, 3, "
        "'2028-06-12 07:00:00', 2), "
        "(2, 'Maths 4A', 'Class 4A', 'd1', 'delivery', 'sessions-with-delivery-in-existing-groups', true, 1, NULL, 2)",
        "INSERT INTO group_link (group_name, user_username, group_role, import_id) VALUES "
        "('Class 4A', 'ana', 'TEST_TAKER', 1)",
        "INSERT INTO import_undo (import_id, table_name, row_id, before) VALUES (2, 'exam_session', 1, "
        "'{\"session_name\": \"History 4A\", \"group_name\": \"Class 4A\", \"delivery_id\": \"d1\", "
        "\"delivery_kind\": \"delivery\", \"template\": \"sessions-with-delivery-in-existing-groups\", "
        "\"paper_enabled\": true, \"sheets_per_interaction\": 1, \"start_date\": \"2028-06-12T07:00:00+00:00\", "
        "\"import_id\": 1}')",
    ]
    with empty.begin() as connection:
        for statement in sql:
            connection.exec_driver_sql(statement)

    migrate(empty)

    assert _differences(empty) == []
    with Session(empty) as db:
        services.undo_import(db=db, import_id=2)
        db.commit()
        rows = [(r["session_name"], r["sheets_per_interaction"]) for r in readiness_dicts(db)]
        assert rows == [("History 4A", 1)]  # Maths 4A went; History 4A has the first import's values again
        services.undo_import(db=db, import_id=1)
        db.commit()
        assert (readiness_dicts(db), store.count_sessions(db=db)) == ([], 0)
        assert db.execute(text("SELECT count(*) FROM group_link")).scalar() == 0


def test_sessions_undone_before_0010_stay_removed_with_their_activity_after_the_upgrade(empty):
    """A store whose history removed a session by an undo before 0010 (which records such removals) gets the
    removal worked out from its history: undoing a later import of the removed session's activity then gives back
    the store before it, not the row the undo had removed. A session that was only imported again while it stood
    gets no removal."""
    from tests.store.test_interleaving_hunt import DELIVERIES, Upload, store_contents

    migrate(empty)
    day = datetime(2028, 6, 1, tzinfo=UTC)
    history_4a = Upload(session_rows=(("History 4A", DELIVERIES[0], 1, 6, "pupils"),
                                      ("Maths 4A", DELIVERIES[0], 1, 6, "pupils"))).files()
    maths_again = Upload(session_rows=(("Maths 4A", DELIVERIES[0], 2, 6, "pupils"),)).files()  # imported again
    launch = Upload(activity=(("History 4A", "ana", "in_progress", "2028-06-12T07:00:00Z", ""),)).files()
    finish = Upload(activity=(("History 4A", "ana", "finished", "2028-06-12T08:00:00Z", "2028-06-12T08:30:00Z"),))

    def load(files: list[tuple[str, bytes]], hour: int) -> int:
        outcome = services.import_files(files, db=db, settings=Settings(), now=day + timedelta(hours=hour))
        assert outcome.import_id is not None
        db.commit()
        return outcome.import_id

    with Session(empty) as db:
        first = load(history_4a, 1)
        load(launch, 2)
        load(maths_again, 3)
        services.undo_import(db=db, import_id=first, now=day + timedelta(hours=4))  # History 4A goes with ana's row
        db.commit()
        load(history_4a, 5)
        recorded = db.execute(text("SELECT session_name, through_import_id, removed_at, undo_of "
                                   "FROM session_removal")).all()
    assert [(name, through, undo_of) for name, through, _, undo_of in recorded] == [("History 4A", 3, first)]

    _alembic(empty, "downgrade", "0009")  # the store as a release before 0010 left it
    assert "session_removal" not in _tables(empty)
    migrate(empty)

    with Session(empty) as db:
        assert db.execute(text("SELECT session_name, through_import_id, removed_at, undo_of "
                               "FROM session_removal")).all() == recorded
        before = store_contents(db)
        assert before["activity"] == {}
        last = load(finish.files(), 6)
        services.undo_import(db=db, import_id=last, now=day + timedelta(hours=7))
        db.commit()
        assert store_contents(db) == before
