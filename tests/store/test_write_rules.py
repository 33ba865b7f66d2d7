"""Rules of the import's writes that mutation testing found untested (docs/architecture.md, "Mutation testing").

On SQLite and PostgreSQL. Each test names the mutants of ``store.writes`` it kills. Among them: an activity row
re-imported with the same time and a new status, where the later import wins (of two rows of one test-taker the
later moment is their state, the later row on a tie: ``tao.latest_moment``), which kills
``latest_moment(new) >= latest_moment(old)`` -> ``>`` in ``upsert_activity`` (it keeps the old status silently).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from dashboard import services, store
from dashboard.config import Settings
from dashboard.services.imports import ImportOptions, ImportOutcome
from dashboard.store.base import CHUNK
from models import Activity, ExamSession, GroupLink
from tests.factories import LATER, activity_csv, links_csv, session, sessions_csv

NOW = datetime(2028, 1, 1, tzinfo=UTC)


def load(db: Session, *files: tuple[str, bytes], options: ImportOptions | None = None) -> ImportOutcome:
    outcome = services.import_files(list(files), db=db, settings=Settings(), options=options or ImportOptions(),
                                    now=NOW)
    assert outcome.validation.valid, outcome.validation.to_dict()
    db.commit()
    return outcome


def statuses(db: Session) -> dict[str, int]:
    detail = services.session_detail(db=db, name="History 4A", as_of=LATER)
    assert detail is not None
    return dict(detail.statuses)


def test_an_older_row_does_not_replace_one_that_has_only_started(db: Session) -> None:
    """The stored row's latest moment is its start when it has no end: an export from before that start (an
    earlier monitoring export imported again) leaves it. Kills ``latest_moment(old.started_at, old.finished_at)``
    -> ``latest_moment(None, old.finished_at)`` and -> ``latest_moment(old.finished_at)`` in ``upsert_activity``
    (the stored row would read as never active, and any row would replace it)."""
    load(db, ("sessions.csv", sessions_csv(session("History 4A", "Class 4A"))),
         ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"))),
         ("activity.csv", activity_csv(("History 4A", "ana", "paused", "2028-06-12T07:20:00Z", ""))))
    older = load(db, ("activity.csv", activity_csv(("History 4A", "ana", "in_progress", "2028-06-12T07:01:00Z", ""))))
    assert older.by_kind["activity"].to_dict() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 0}
    assert statuses(db) == {"paused": 1}


def test_each_row_keeps_the_import_that_last_wrote_it(db: Session) -> None:
    """Provenance: a row created or updated by an import carries its id; a row it left unchanged keeps the
    earlier one. Kills ``import_id=import_id`` -> ``None`` (or left out) in the bulk inserts of
    ``upsert_sessions`` (first import and later ones), ``upsert_activity`` and ``upsert_links`` on SQLite."""
    first = load(db, ("sessions.csv", sessions_csv(session("History 4A", "Class 4A"))),
                 ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"))),
                 ("activity.csv", activity_csv(("History 4A", "ana", "in_progress", "2028-06-12T07:01:00Z", ""))))
    two = sessions_csv(session("History 4A", "Class 4A"), session("History 4B", "Class 4B"))
    second = load(db, ("sessions.csv", two),
                  ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"), ("bea", "Class 4B", "TEST_TAKER"))),
                  ("activity.csv", activity_csv(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z",
                                                 "2028-06-12T08:00:00Z"),
                                                ("History 4B", "bea", "in_progress", "2028-06-12T07:02:00Z", ""))))
    assert first.import_id is not None and second.import_id is not None
    assert first.import_id != second.import_id
    sessions = {row.session_name: row.import_id for row in db.exec(select(ExamSession))}
    links = {row.user_username: row.import_id for row in db.exec(select(GroupLink))}
    activity = {row.user_username: row.import_id for row in db.exec(select(Activity))}
    assert sessions == {"History 4A": first.import_id, "History 4B": second.import_id}  # 4A unchanged
    assert links == {"ana": first.import_id, "bea": second.import_id}  # ana's link unchanged
    assert activity == {"ana": second.import_id, "bea": second.import_id}  # ana's row updated


def test_a_complete_roster_removes_exactly_the_links_it_leaves_out(db: Session) -> None:
    """The links of the roster's groups that it does not list are deleted, and counted; other groups' links stay.
    Kills the mutants of ``remove_links`` (which the mutation run's tests otherwise never reach): a removal that
    deletes nothing keeps a SCAN_UPLOADER who left, and the roles item stays green."""
    load(db, ("sessions.csv", sessions_csv(session("History 4A", "Class 4A"), session("History 4B", "Class 4B"))),
         ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"), ("sam", "Class 4A", "SCAN_UPLOADER"),
                                 ("bo", "Class 4A", "TEST_TAKER"), ("cy", "Class 4B", "SCAN_UPLOADER"))))
    synced = load(db, ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"))),
                  options=ImportOptions(sync_links=True))
    assert synced.by_kind["enrolments"].to_dict() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 2}
    links = {(row.group_name, row.user_username, row.group_role) for row in db.exec(select(GroupLink))}
    assert links == {("Class 4A", "ana", "TEST_TAKER"), ("Class 4B", "cy", "SCAN_UPLOADER")}
    detail = services.session_detail(db=db, name="History 4A", as_of=LATER)
    assert detail is not None and detail.roles == {"TEST_TAKER": 1}


def test_a_roster_removing_more_links_than_one_delete_takes_counts_them_all(db: Session) -> None:
    """``remove_links`` deletes in chunks of ``CHUNK // 3`` links; the count is of every chunk. Kills
    ``removed += result.rowcount`` -> ``removed = result.rowcount`` (the manager would read the last chunk's count)."""
    pupils = [(f"pupil{i:04d}", "Class 4A", "TEST_TAKER") for i in range(CHUNK // 3 + 10)]
    load(db, ("sessions.csv", sessions_csv(session("History 4A", "Class 4A"))), ("links.csv", links_csv(*pupils)))
    synced = load(db, ("links.csv", links_csv(pupils[0])), options=ImportOptions(sync_links=True))
    assert synced.by_kind["enrolments"].removed == len(pupils) - 1
    assert [row.user_username for row in db.exec(select(GroupLink))] == ["pupil0000"]


@pytest.mark.parametrize(
    "started,finished,first,second",
    [
        ("2028-06-12T07:01:00Z", "", "in_progress", "paused"),  # only a start: the tie is on it
        ("2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z", "finished", "terminated"),  # the tie is on the end
        ("", "", "paused", "in_progress"),  # no time at all: both are NEVER
    ],
)
def test_the_same_moment_with_a_new_status_updates_it(db: Session, started: str, finished: str, first: str,
                                                       second: str) -> None:
    load(db, ("sessions.csv", sessions_csv(session("History 4A", "Class 4A"))),
         ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"))),
         ("activity.csv", activity_csv(("History 4A", "ana", first, started, finished))))
    assert statuses(db) == {first: 1}
    again = load(db, ("activity.csv", activity_csv(("History 4A", "ana", second, started, finished))))
    assert again.by_kind["activity"].to_dict() == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}
    assert statuses(db) == {second: 1}


def test_the_same_row_again_is_unchanged(db: Session) -> None:
    """The tie alone is not a change: the same status at the same moment leaves the row as it was."""
    row = ("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")
    load(db, ("sessions.csv", sessions_csv(session("History 4A", "Class 4A"))),
         ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"))), ("activity.csv", activity_csv(row)))
    again = load(db, ("activity.csv", activity_csv(row)))
    assert again.by_kind["activity"].to_dict() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 0}
    assert statuses(db) == {"finished": 1}


def test_stored_sessions_by_one_pass_are_those_found_by_name_or_group(db: Session) -> None:
    """``store.stored_sessions`` reads by IN lists up to ``CHUNK`` names and groups, and by one pass over the table
    beyond: both find the sessions named or in the groups asked for, and only those."""
    load(db, ("s.csv", sessions_csv(*(session(f"History {i:02d}", group=f"Class {i % 5}") for i in range(40)))))
    names, groups = [f"History {i:02d}" for i in (1, 2, 3)], ["Class 4"]
    wanted = {f"History {i:02d}" for i in range(40) if i in (1, 2, 3) or i % 5 == 4}
    few = store.stored_sessions(db=db, names=names, groups=groups)
    many = store.stored_sessions(db=db, names=[*names, *(f"Nobody {i}" for i in range(CHUNK))], groups=groups)
    assert {s.session_name for s in few} == {s.session_name for s in many} == wanted
    assert sorted(few) == sorted(many)
