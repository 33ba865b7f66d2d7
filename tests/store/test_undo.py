"""Undo loses nothing: an import can be undone in any order, and what another import not undone holds stays, with
the values the imports left standing give it (on SQLite and PostgreSQL).

The interleavings the issue names are spelled out; a seeded generator then runs random histories of imports and
undos and compares the store with a fresh one into which only the imports not undone were imported, in order.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from dashboard import services, store
from dashboard.cli import main
from dashboard.config import Settings
from dashboard.db import make_engine, migrate
from dashboard.errors import ScanreadyError
from dashboard.services import ImportOptions
from tests.factories import ACTIVITY, LINKS, NEW_GROUPS, PAPER, csv_bytes, scans_csv, session, stored_session

NOW = datetime(2028, 1, 1, tzinfo=UTC)
SESSION_COLUMNS = ("session_name, group_name, delivery_id, timezone, start_date, submission_date, paper_enabled, "
                   "sheets_per_interaction, total_interactions, booklet_filename, group_description, extra")


def content(db: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Everything but the history and the provenance: sessions, links, activity and scanned batches as plain
    rows."""
    queries = {"sessions": f"SELECT {SESSION_COLUMNS} FROM exam_session ORDER BY session_name",
               "links": "SELECT group_name, user_username, group_role FROM group_link ORDER BY 1, 2, 3",
               "activity": "SELECT s.session_name, a.user_username, a.status, a.started_at, a.finished_at "
                           "FROM activity a JOIN exam_session s ON s.id = a.session_id ORDER BY 1, 2",
               "scans": "SELECT s.session_name, b.batch_key, b.pages, b.received_at, b.batch_id, b.source, b.file_name "
                        "FROM scan_batch b JOIN exam_session s ON s.id = b.session_id ORDER BY 1, 2"}
    return {name: [tuple(r) for r in db.execute(text(sql))] for name, sql in queries.items()}


def load(db: Session, *files: tuple[str, bytes], sync: bool = False, now: datetime = NOW) -> int:
    outcome = services.import_files(list(files), db=db, settings=Settings(), now=now,
                                    options=ImportOptions(sync_links=sync))
    assert outcome.validation.valid, outcome.validation.to_dict()
    assert outcome.import_id is not None, "the import changed nothing"
    db.commit()
    return outcome.import_id


def undo(db: Session, import_id: int | None = None) -> dict[str, dict[str, int]]:
    outcome = services.undo_import(db=db, import_id=import_id, now=NOW)
    db.commit()
    return {kind: counts.to_dict() for kind, counts in outcome.by_kind.items()}


def sessions_file(*rows: dict[str, str], columns: tuple[str, ...] = NEW_GROUPS) -> tuple[str, bytes]:
    return "s.csv", csv_bytes(columns, rows)


def links_file(*links: tuple[str, str, str]) -> tuple[str, bytes]:
    return "l.csv", csv_bytes(LINKS, [dict(zip(LINKS, link, strict=True)) for link in links])


def activity_file(*rows: tuple[str, str, str, str, str]) -> tuple[str, bytes]:
    return "a.csv", csv_bytes(ACTIVITY, [dict(zip(ACTIVITY, row, strict=True)) for row in rows])


def scan_log(*rows: tuple[str, str, str, str], name: str = "log.csv") -> tuple[str, bytes]:
    """A scanning centre's log: (session name, pages, received at, batch id)."""
    return name, scans_csv(*({"session_name": n, "pages": p, "received_at": at, "batch_id": b}
                             for n, p, at, b in rows))


EMPTY = {"sessions": [], "links": [], "activity": [], "scans": []}


def test_a_and_b_hold_the_same_rows_undo_a_keeps_them(db):
    """The issue's case: the same sessions imported twice (the second with one more link, so it is recorded);
    undoing the first loses nothing the second holds."""
    a = load(db, sessions_file(session("History 4A"), session("History 4B", group="Class 4B")),
             links_file(("ana", "Class 4A", "TEST_TAKER")))
    b = load(db, sessions_file(session("History 4A"), session("History 4B", group="Class 4B")),
             links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")))
    both = content(db)

    assert undo(db, a) == {"sessions": {"removed": 0, "restored": 0, "kept": 2},
                           "enrolments": {"removed": 0, "restored": 0, "kept": 1}}
    assert content(db) == both
    assert [(entry.id, entry.reverted_at is None) for entry in store.recent_imports(db=db)] == [(b, True), (a, False)]

    undo(db, b)
    assert content(db) == EMPTY


def test_a_then_b_changes_undo_a_keeps_what_b_changed_again(db):
    a = load(db, sessions_file(session("History 4A", session_paperMode_sheetsPerInteraction="1")),
             activity_file(("History 4A", "ana", "in_progress", "2028-06-12T07:01:00Z", "")))
    b = load(db, sessions_file(session("History 4A", session_paperMode_sheetsPerInteraction="3")),
             activity_file(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")))
    after_b = content(db)

    assert undo(db, a) == {"sessions": {"removed": 0, "restored": 0, "kept": 1},
                           "activity": {"removed": 0, "restored": 0, "kept": 1}}
    assert content(db) == after_b
    assert stored_session(db, "History 4A").sheets_per_interaction == 3
    del b


def test_undo_b_then_a_gives_back_each_store_before_it(db):
    a = load(db, sessions_file(session("History 4A"), session("History 4B", group="Class 4B")),
             links_file(("ana", "Class 4A", "TEST_TAKER")),
             activity_file(("History 4A", "ana", "in_progress", "2028-06-12T07:01:00Z", "")))
    after_a = content(db)
    version = store.data_version(db=db)
    b = load(db, sessions_file(session("History 4A", session_paperMode_sheetsPerInteraction="3",
                                       session_startDate="2028-06-12T06:00:00Z"), session("Maths 4A")),
             links_file(("bo", "Class 4A", "SCAN_UPLOADER")),
             activity_file(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z"),
                           ("Maths 4A", "ana", "finished", "2028-06-12T07:01:00Z", "")))
    assert content(db) != after_a

    assert undo(db) == {"sessions": {"removed": 1, "restored": 1, "kept": 0},  # Maths 4A; History 4A's values
                        "enrolments": {"removed": 1, "restored": 0, "kept": 0},  # bo
                        "activity": {"removed": 1, "restored": 1, "kept": 0}}  # Maths 4A's (with it); ana's
    assert content(db) == after_a
    assert store.data_version(db=db) not in (version, (0, 0))

    undo(db)  # the next one back is the first import
    assert content(db) == EMPTY
    assert [(entry.id, entry.reverted_at is not None) for entry in store.recent_imports(db=db)] == [(b, True),
                                                                                                (a, True)]


def test_undo_a_then_b_in_the_other_order_ends_empty_too(db):
    a = load(db, sessions_file(session("History 4A")), links_file(("ana", "Class 4A", "TEST_TAKER")))
    b = load(db, sessions_file(session("History 4A", session_paperMode_sheetsPerInteraction="2")),
             links_file(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER")))
    undo(db, a)
    assert [row[0] for row in content(db)["links"]] == ["Class 4A", "Class 4A"]  # b holds both links
    undo(db, b)
    assert content(db) == EMPTY


def test_a_later_import_with_fewer_columns_keeps_the_ones_it_does_not_give_after_an_undo(db):
    """Undoing the middle of three imports: the columns the last file did not have come from the first."""
    first = load(db, sessions_file(session("History 4A", group_description="first")))
    middle = load(db, sessions_file(session("History 4A", group_description="middle",
                                            session_paperMode_sheetsPerInteraction="2")))
    load(db, sessions_file(session("History 4A", session_paperMode_sheetsPerInteraction="4"), columns=PAPER))

    assert undo(db, middle)["sessions"] == {"removed": 0, "restored": 1, "kept": 0}
    stored = stored_session(db, "History 4A")
    assert (stored.group_description, stored.sheets_per_interaction) == ("first", 4)
    del first


def test_a_complete_roster_removes_links_and_undo_puts_them_back(db):
    load(db, sessions_file(session("History 4A")),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER"),
                    ("zed", "Class 4Z", "TEST_TAKER")))
    before = content(db)
    outcome = services.import_files([links_file(("ana", "Class 4A", "TEST_TAKER"))], db=db, settings=Settings(),
                                    now=NOW, options=ImportOptions(sync_links=True))
    db.commit()
    assert outcome.validation.roster is not None and outcome.validation.roster.losses == {"Class 4A": 1}
    assert outcome.by_kind["enrolments"].to_dict() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 1}
    assert outcome.to_dict()["imported"]["removed"] == 1
    assert content(db)["links"] == [("Class 4A", "ana", "TEST_TAKER"), ("Class 4Z", "zed", "TEST_TAKER")]

    assert undo(db)["enrolments"] == {"removed": 0, "restored": 1, "kept": 1}
    assert content(db) == before


def test_undoing_an_import_before_a_complete_roster_does_not_bring_back_what_the_roster_removed(db):
    a = load(db, links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")))
    load(db, links_file(("up", "Class 4A", "SCAN_UPLOADER"), ("new", "Class 4A", "TEST_TAKER")), sync=True)
    load(db, links_file(("ana", "Class 4A", "TEST_TAKER")))  # ana comes back later, by a third import
    undo(db, a)
    assert content(db)["links"] == [("Class 4A", "ana", "TEST_TAKER"), ("Class 4A", "new", "TEST_TAKER"),
                                    ("Class 4A", "up", "SCAN_UPLOADER")]


def test_a_complete_roster_that_came_later_still_holds_after_an_undo_of_an_earlier_import(db):
    load(db, links_file(("ana", "Class 4A", "TEST_TAKER")))
    b = load(db, links_file(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4B", "TEST_TAKER")))
    load(db, links_file(("up", "Class 4A", "SCAN_UPLOADER")), sync=True)  # Class 4A is up alone now
    assert undo(db, b)["enrolments"] == {"removed": 1, "restored": 0, "kept": 1}  # bo goes; ana stays out
    assert content(db)["links"] == [("Class 4A", "up", "SCAN_UPLOADER")]


def test_of_two_activity_rows_at_the_same_moment_the_later_import_still_wins_after_an_undo(db):
    load(db, sessions_file(session("History 4A")),
         activity_file(("History 4A", "ana", "in_progress", "2028-06-12T07:00:00Z", "")))
    load(db, activity_file(("History 4A", "ana", "finished", "2028-06-12T07:00:00Z", "")))
    third = load(db, activity_file(("History 4A", "ana", "finished", "2028-06-12T07:00:00Z", ""),
                                   ("History 4A", "bo", "finished", "2028-06-12T07:00:00Z", "")))
    assert undo(db, third)["activity"] == {"removed": 1, "restored": 0, "kept": 1}
    assert [row[1:3] for row in content(db)["activity"]] == [("ana", "finished")]


def test_activity_of_a_session_no_import_holds_goes_with_it(db):
    a = load(db, sessions_file(session("History 4A")))
    load(db, activity_file(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "")))
    assert undo(db, a) == {"sessions": {"removed": 1, "restored": 0, "kept": 0},
                           "activity": {"removed": 1, "restored": 0, "kept": 0}}
    assert content(db) == EMPTY


@pytest.mark.parametrize("case", ["nothing imported", "unknown number", "undone twice"])
def test_undo_refuses_what_cannot_be_undone(db, case):
    if case == "nothing imported":
        with pytest.raises(ScanreadyError, match="no import to undo"):
            services.undo_import(db=db)
        return
    ident = load(db, sessions_file(session("History 4A")))
    if case == "unknown number":
        with pytest.raises(ScanreadyError, match="no import number 99"):
            services.undo_import(db=db, import_id=99)
        return
    undo(db, ident)
    with pytest.raises(ScanreadyError, match="already undone on 1 Jan 2028 00:00 UTC"):
        services.undo_import(db=db, import_id=ident)


def test_the_cli_undoes_the_newest_import(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    files = [sessions_file(session("History 4A")), links_file(("ana", "Class 4A", "TEST_TAKER")),
             activity_file(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", ""))]
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    assert main(["import", *(str(tmp_path / n) for n, _ in files), "--db", url]) == 0
    capsys.readouterr()
    assert main(["undo", "--db", url, "--json"]) == 0
    out = capsys.readouterr().out
    assert '"import_id":1' in out and '"removed":3' in out and '"sessions":{"removed":1' in out
    assert main(["import", *(str(tmp_path / n) for n, _ in files), "--db", url]) == 0
    capsys.readouterr()
    assert main(["undo", "--db", url]) == 0
    assert re.fullmatch(r"Import 2 of \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC undone: 1 session removed; "
                        r"1 enrolment link removed; 1 activity row removed\.\n", capsys.readouterr().out)
    assert main(["undo", "--db", url]) == 2
    assert "There is no import to undo." in capsys.readouterr().err


# Random histories: each import is self-contained (its activity names only sessions of its own file), so that
# importing only the imports not undone, in order, is the store an undo must leave.
NAMES = ("History 4A", "History 4B", "Maths 4A")
GROUP = {"History 4A": "Class 4A", "History 4B": "Class 4B", "Maths 4A": "Class 4A"}
USERS = ("ana", "bo")
ROLES = ("TEST_TAKER", "SCAN_UPLOADER")
STATUSES = ("not_started", "in_progress", "finished", "terminated")


def random_import(rng: random.Random) -> tuple[list[tuple[str, bytes]], bool]:
    """One import: some sessions (full or short columns), some links (a complete roster or not), activity."""
    files: list[tuple[str, bytes]] = []
    names = rng.sample(NAMES, rng.randint(0, 3))
    if names:
        columns = rng.choice((NEW_GROUPS, PAPER))
        rows = [session(name, group=GROUP[name], session_paperMode_sheetsPerInteraction=str(rng.randint(1, 3)),
                        group_description=rng.choice(("", "pupils", "class")),
                        session_startDate=rng.choice(("2028-06-12T07:00:00Z", "2028-06-12T08:00:00Z")))
                for name in names]
        files.append(sessions_file(*rows, columns=columns))
    links = {(rng.choice(("Class 4A", "Class 4B")), rng.choice(USERS), rng.choice(ROLES))
             for _ in range(rng.randint(0, 4))}
    if links:
        files.append(links_file(*sorted(links)))
    if names and rng.random() < 0.6:
        hour = rng.randint(7, 8)  # few moments: ties between imports, where the later one wins
        rows = {(name, user): (name, user, rng.choice(STATUSES), f"2028-06-12T0{hour}:00:00Z",
                               rng.choice(("", f"2028-06-12T0{hour}:30:00Z")))
                for name in names for user in rng.sample(USERS, rng.randint(1, 2))}
        files.append(activity_file(*rows.values()))
    if names and rng.random() < 0.5:  # batches b1 and b2 again and again: a later log changes their pages and time
        batches = {(name, batch): (name, str(rng.randint(1, 9)), f"2028-06-1{rng.randint(3, 4)}T10:00:00Z", batch)
                   for name in names for batch in rng.sample(("b1", "b2"), rng.randint(1, 2))}
        files.append(scan_log(*batches.values(), name=rng.choice(("log.csv", "centre.csv"))))
    return files, bool(links) and rng.random() < 0.4


def fresh_store(url_of: Any) -> Engine:
    engine = make_engine(url_of())
    migrate(engine)
    return engine


def replayed(made: list[tuple[int, list[tuple[str, bytes]], bool]], undone: set[int], path: Any) -> dict[str, Any]:
    """The store that importing only the imports not undone, in order, into a store of their own makes (a SQLite
    file: the comparison is of values, whatever the store under test is)."""
    path.unlink(missing_ok=True)
    reference = fresh_store(lambda: f"sqlite:///{path}")
    with Session(reference) as other:
        for ident, files, sync in made:
            if ident not in undone:
                services.import_files(files, db=other, settings=Settings(), now=NOW,
                                      options=ImportOptions(sync_links=sync))
                other.commit()
        expected = content(other)
    reference.dispose()
    return _comparable(expected)


@pytest.mark.parametrize("seed", range(16))
def test_random_histories_of_imports_and_undos_lose_nothing(db, engine, seed, tmp_path):
    """After every undo, the store is what the imports not undone make of an empty one."""
    rng = random.Random(seed)
    made: list[tuple[int, list[tuple[str, bytes]], bool]] = []
    undone: set[int] = set()
    for step in range(12):
        active = [ident for ident, _, _ in made if ident not in undone]
        if active and rng.random() < 0.4:
            target = rng.choice(active)
            undo(db, target)
            undone.add(target)
            assert _comparable(content(db)) == replayed(made, undone, tmp_path / "reference.db"), (
                seed, step, [(i, i in undone) for i, _, _ in made])
            continue
        files, sync = random_import(rng)
        outcome = services.import_files(files, db=db, settings=Settings(), now=NOW + timedelta(minutes=step),
                                        options=ImportOptions(sync_links=sync))
        assert outcome.validation.valid, outcome.validation.to_dict()
        db.commit()
        if outcome.import_id is not None:
            made.append((outcome.import_id, files, sync))
    assert undone, "a history without an undo proves nothing"


def _comparable(found: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows with their timestamps and booleans as text, whichever store they come from."""
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == " ":
            return datetime.fromisoformat(value).isoformat(sep=" ")
        return int(value) if isinstance(value, bool) else value
    return {kind: [tuple(map(plain, row)) for row in rows] for kind, rows in found.items()}
