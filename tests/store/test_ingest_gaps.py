"""The ingest gaps of tests/unit/test_ingest_gaps.py, through an import into the store: dates and activity times in
several time zones are stored as the same UTC instants the ingest read, and the password of a row with too many
fields never reaches the store. Each test names the mutant it kills, applied by hand to see it fail."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from dashboard import services
from dashboard.config import Settings
from models import Activity, ExamSession, GroupLink, ImportRecord
from tests.factories import links_csv, session, sessions_csv, stored_session
from tests.unit.test_ingest_gaps import (
    DATES,
    EXPORT_HEADER,
    EXPORT_ROWS,
    IN_UTC,
    SHIFTED,
    instants,
    several_zones,
)


def _import(db: Session, *files: tuple[str, bytes]) -> services.ImportOutcome:
    """Import ``files`` and commit, as the page and the CLI do."""
    outcome = services.import_files(list(files), db=db, settings=Settings())
    db.commit()
    return outcome


def test_dates_of_sessions_in_several_zones_are_stored_as_utc_instants(db: Session, engine: Engine) -> None:
    """Kills, in ``sessions._Checker.dates``, ``len(distinct_zones) == 1`` -> ``!= 1`` (every naive date read as
    UTC), as the unit test does, here as the store keeps them: read back by a fresh session, each row's dates are
    the instants of its own zone, in UTC."""
    outcome = _import(db, ("sessions.csv", several_zones()))
    assert outcome.validation.valid
    assert outcome.counts.to_dict() == {"created": 4, "updated": 0, "unchanged": 0, "removed": 0}
    with Session(engine) as fresh:
        stored = {name: stored_session(fresh, name) for name in IN_UTC}
    assert {name: tuple(instants([getattr(row, field) for field in DATES])) for name, row in stored.items()
            if row is not None} == IN_UTC


def test_activity_of_sessions_with_and_without_a_zone_is_stored_in_utc(db: Session, engine: Engine) -> None:
    """Kills ``where or UTC`` -> ``where and UTC`` in ``assign._local_to_utc`` and ``_zone``'s ``if name`` -> ``if
    not name`` (a crash on the zone-less session) through the import: sessions (one without a zone), the links that
    put each login in its session's group, and TAO's results table with local times, in one upload."""
    sessions = sessions_csv(session("Paper UTC", "Class U", session_timezone=""),
                            session("Paper NY", "Class NY", session_timezone="America/New_York"),
                            session("Paper Tokyo", "Class T", session_timezone="Asia/Tokyo"))
    links = links_csv(*((login, group, "TEST_TAKER") for login, group in (
        ("utc", "Class U"), ("utc2", "Class U"), ("ny", "Class NY"), ("ny2", "Class NY"), ("tokyo", "Class T"))))
    export = "\n".join([EXPORT_HEADER, *EXPORT_ROWS, ""]).encode()
    outcome = _import(db, ("results.csv", export), ("links.csv", links), ("sessions.csv", sessions))
    assert outcome.validation.valid
    with Session(engine) as fresh:
        rows = fresh.exec(select(ExamSession.session_name, Activity)
                          .join(ExamSession, ExamSession.id == Activity.session_id)  # type: ignore[arg-type]
                          .order_by(Activity.user_username)).all()
    # As ISO text, the offset included: "+00:00" says each is in UTC (equal moments in other zones compare equal).
    assert [(name, a.user_username, a.status, *instants([a.started_at, a.finished_at])) for name, a in rows] == [
        ("Paper NY", "ny", "finished", "2027-03-16T13:05:00+00:00", "2027-03-16T14:35:00+00:00"),
        ("Paper NY", "ny2", "in_progress", "2027-03-16T15:00:00+00:00", None),
        ("Paper Tokyo", "tokyo", "finished", "2027-03-16T00:05:00+00:00", "2027-03-16T01:35:00+00:00"),
        ("Paper UTC", "utc", "finished", "2027-03-16T09:05:00+00:00", "2027-03-16T10:35:00+00:00"),
        ("Paper UTC", "utc2", "in_progress", "2027-03-16T11:00:00+00:00", None),
    ]


def test_a_shifted_rows_password_is_never_stored(db: Session, engine: Engine, store_url: str) -> None:
    """Kills ``columns[position][i] = ""`` dropped in ``enrolments._without_passwords``: the shifted fragments would
    be quoted by the errors of the outcome the page and the CLI show. The file has errors, so nothing is stored; no
    fragment is in the outcome, nor (on SQLite) in the database files."""
    outcome = _import(db, ("link-new-user-to-groups.csv", SHIFTED))
    assert not outcome.validation.valid
    assert [(p.line, p.column) for p in outcome.validation.reports[0].errors] == [
        (3, None), (4, None), (5, "group_name"), (5, "group_role")]
    assert "Pw-" not in repr(outcome.to_dict())
    with Session(engine) as fresh:
        assert [fresh.scalar(select(func.count()).select_from(table)) for table in (GroupLink, ImportRecord)] == [0, 0]
    if store_url.startswith("sqlite"):
        engine.dispose()
        database = Path(store_url.removeprefix("sqlite:///"))
        for path in database.parent.glob(database.name + "*"):  # the file, its -wal and -shm
            assert b"Pw-" not in path.read_bytes(), path
