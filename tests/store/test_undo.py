"""Undo: an import can be reverted from the history, giving back what it created or changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from dashboard import services, store
from dashboard.cli import main
from dashboard.config import Settings
from dashboard.errors import ScanreadyError
from tests.factories import ACTIVITY, LINKS, NEW_GROUPS, csv_bytes, session

NOW = datetime(2028, 1, 1, tzinfo=UTC)


def content(db) -> dict[str, list[tuple]]:
    """Everything but the history: sessions, links and activity as plain rows."""
    queries = {"sessions": "SELECT session_name, group_name, sheets_per_interaction, start_date, import_id "
                           "FROM exam_session ORDER BY session_name",
               "links": "SELECT group_name, user_username, group_role FROM group_link ORDER BY 1, 2, 3",
               "activity": "SELECT user_username, status, started_at, finished_at FROM activity ORDER BY 1"}
    return {name: [tuple(r) for r in db.execute(text(sql))] for name, sql in queries.items()}


def load(db, *files):
    outcome = services.import_files(list(files), db=db, settings=Settings(), now=NOW)
    assert outcome.import_id is not None, outcome.validation.to_dict()
    db.commit()
    return outcome.import_id


def link(user: str, role: str) -> dict[str, str]:
    return {"user_username": user, "group_name": "Class 4A", "group_role": role}


def first_files():
    return [("s.csv", csv_bytes(NEW_GROUPS, [session("History 4A"), session("History 4B", group="Class 4B")])),
            ("l.csv", csv_bytes(LINKS, [link("ana", "TEST_TAKER")])),
            ("a.csv", csv_bytes(ACTIVITY, [{"session_name": "History 4A", "user_username": "ana",
                                            "status": "in_progress", "started_at": "2028-06-12T07:01:00Z"}]))]


def second_files():
    return [("s.csv", csv_bytes(NEW_GROUPS, [session("History 4A", session_paperMode_sheetsPerInteraction="3",
                                                     session_startDate="2028-06-12T06:00:00Z"),
                                             session("Maths 4A")])),
            ("l.csv", csv_bytes(LINKS, [link("bo", "SCAN_UPLOADER")])),
            ("a.csv", csv_bytes(ACTIVITY, [{"session_name": "History 4A", "user_username": "ana", "status": "finished",
                                            "started_at": "2028-06-12T07:01:00Z",
                                            "finished_at": "2028-06-12T08:00:00Z"},
                                           {"session_name": "Maths 4A", "user_username": "ana",
                                            "status": "finished", "started_at": "2028-06-12T07:01:00Z"}]))]


def test_undoing_the_last_import_gives_back_the_store_before_it(db):
    first = load(db, *first_files())
    after_first = content(db)
    version = store.data_version(db=db)
    second = load(db, *second_files())
    assert content(db) != after_first

    outcome = services.undo_import(db=db, now=NOW)
    db.commit()
    assert outcome.import_id == second
    assert outcome.counts == {"removed": 3, "restored": 2, "kept": 0}  # Maths 4A, its activity, bo's link
    assert content(db) == after_first
    assert store.data_version(db=db) not in (version, 0)

    again = services.undo_import(db=db, now=NOW)  # the next one back is the first import
    db.commit()
    assert again.import_id == first
    assert content(db) == {"sessions": [], "links": [], "activity": []}
    history = store.recent_imports(db=db)
    assert [(h["id"], h["reverted_at"] is not None) for h in history] == [(second, True), (first, True)]


def test_a_row_a_later_import_changed_again_is_kept(db):
    first = load(db, *first_files()[:1])
    load(db, ("s.csv", csv_bytes(NEW_GROUPS, [session("History 4A", session_paperMode_sheetsPerInteraction="2")])))
    load(db, ("s.csv", csv_bytes(NEW_GROUPS, [session("History 4A", session_paperMode_sheetsPerInteraction="4")])))
    middle = first + 1
    outcome = services.undo_import(db=db, import_id=middle, now=NOW)
    db.commit()
    assert outcome.counts == {"removed": 0, "restored": 0, "kept": 1}
    assert store.get_session(db=db, name="History 4A").sheets_per_interaction == 4


@pytest.mark.parametrize("case", ["nothing imported", "unknown number", "undone twice"])
def test_undo_refuses_what_cannot_be_undone(db, case):
    if case == "nothing imported":
        with pytest.raises(ScanreadyError, match="no import to undo"):
            services.undo_import(db=db)
        return
    ident = load(db, *first_files())
    if case == "unknown number":
        with pytest.raises(ScanreadyError, match="no import number 99"):
            services.undo_import(db=db, import_id=99)
        return
    services.undo_import(db=db, import_id=ident, now=NOW)
    db.commit()
    with pytest.raises(ScanreadyError, match="already undone"):
        services.undo_import(db=db, import_id=ident)


def test_the_cli_undoes_the_newest_import(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    for name, data in first_files():
        (tmp_path / name).write_bytes(data)
    assert main(["import", *(str(tmp_path / n) for n, _ in first_files()), "--db", url]) == 0
    capsys.readouterr()
    assert main(["undo", "--db", url, "--json"]) == 0
    out = capsys.readouterr().out
    assert '"import_id":1' in out and '"removed":4' in out
    assert main(["undo", "--db", url]) == 2
    assert "There is no import to undo." in capsys.readouterr().err
