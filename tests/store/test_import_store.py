"""Importing into the store, on SQLite and PostgreSQL: counts, updates, atomicity, what is kept."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from dashboard import services, store
from dashboard.config import Settings
from dashboard.db import session_scope
from models import Activity, ExamSession, GroupLink, ImportFile, ImportRecord
from tests.factories import (
    EXISTING_GROUPS,
    LATER,
    NEW_GROUPS,
    activity_csv,
    links_csv,
    session,
    sessions_csv,
    stored_session,
)

NOW = datetime(2028, 6, 1, 8, 0, tzinfo=UTC)
TABLES: tuple[type[SQLModel], ...] = (ExamSession, GroupLink, Activity, ImportRecord, ImportFile)


def _import(db: Session, *files: tuple[str, bytes], now: datetime = NOW) -> services.ImportOutcome:
    """Import ``files`` and commit, as the page and the CLI do."""
    outcome = services.import_files(list(files), db=db, settings=Settings(), now=now)
    db.commit()
    return outcome


def _counts(engine: Engine) -> dict[str, int]:
    """Rows per table, read on a connection of its own."""
    with Session(engine) as db:
        return {table.__name__: db.scalar(select(func.count()).select_from(table)) for table in TABLES}


def _stored(engine: Engine, name: str) -> ExamSession:
    """A session as a fresh session reads it back from the store."""
    with Session(engine) as db:
        found = stored_session(db, name)
    assert found is not None, f"{name!r} is not stored"
    return found


def _errors(outcome: services.ImportOutcome) -> list[tuple[str, int | None, str | None]]:
    return [(r.file, p.line, p.column) for r in outcome.validation.reports for p in r.errors]


def test_counts_created_updated_unchanged(db, engine):
    first = _import(db, ("s.csv", sessions_csv(session("History 4A"), session("History 4B"), session("Maths 4A"))))
    assert first.counts.to_dict() == {"created": 3, "updated": 0, "unchanged": 0, "removed": 0}

    second = _import(db, ("s.csv", sessions_csv(
        session("History 4A"),
        session("History 4B", session_paperMode_sheetsPerInteraction="2"),
        session("Science 4A"),
    )))

    assert second.validation.valid
    assert second.counts.to_dict() == {"created": 1, "updated": 1, "unchanged": 1, "removed": 0}
    assert second.to_dict()["imported"]["sessions"] == {"created": 1, "updated": 1, "unchanged": 1, "removed": 0}
    assert _counts(engine)["ExamSession"] == 4


def test_reimport_of_identical_file_is_unchanged(db, engine):
    data = sessions_csv(session("History 4A"), session("History 4B", group="Class 4B"))
    _import(db, ("s.csv", data))
    before = _stored(engine, "History 4B")

    again = _import(db, ("s.csv", data))

    assert again.counts.to_dict() == {"created": 0, "updated": 0, "unchanged": 2, "removed": 0}
    assert _stored(engine, "History 4B").model_dump() == before.model_dump()


@pytest.mark.parametrize(("column", "value"), [
    ("session_submissionDate", "2028-06-12T11:00:01Z"),  # a timestamp, one second later
    ("session_paperMode_isEnabled", "0"),  # a boolean
    ("session_paperMode_totalInteractions", "7"),  # a number
    ("session_reviewSettings", "showCorrect"),  # an empty (NULL) text given a value
    ("session_securitySettings", ""),  # a text emptied
])
def test_a_change_of_any_kind_of_value_is_an_update_and_the_same_value_is_not(db, column, value):
    """Stored and incoming values are compared as the database keeps them: each kind must still compare."""
    _import(db, ("s.csv", sessions_csv(session("History 4A"), session("History 4B"))))

    outcome = _import(db, ("s.csv", sessions_csv(session("History 4A", **{column: value}), session("History 4B"))))

    assert outcome.counts.to_dict() == {"created": 0, "updated": 1, "unchanged": 1, "removed": 0}


def test_changed_value_is_updated_and_stored(db, engine):
    _import(db, ("s.csv", sessions_csv(session("History 4A"))))

    outcome = _import(db, ("s.csv", sessions_csv(session(
        "History 4A", session_paperMode_sheetsPerInteraction="2",
        session_paperMode_scanUploadEndDate="2028-06-30T18:00:00+02:00", session_securitySettings="requireFullscreen",
    ))))

    assert outcome.counts.to_dict() == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}
    stored = _stored(engine, "History 4A")
    assert stored.sheets_per_interaction == 2
    assert stored.scan_upload_end == datetime(2028, 6, 30, 16, 0, tzinfo=UTC)
    assert stored.security_settings == "requireFullscreen"
    assert stored.import_id == outcome.import_id


def test_update_from_a_file_without_some_columns_keeps_their_stored_values(db, engine):
    _import(db, ("new.csv", sessions_csv(session(
        "History 4A", group_description="Pupils of 4A, second floor", group_organizationId="org-7",
        session_readAloud="enabled", extra_note="bring pencils",
    ), columns=(*NEW_GROUPS, "extra_note"))))
    narrow = [name for name in EXISTING_GROUPS
              if name not in ("session_securitySettings", "session_waitingPageDate", "session_readAloud")]

    outcome = _import(db, ("existing.csv", sessions_csv(
        session("History 4A", session_paperMode_totalInteractions="8"), columns=narrow)))

    assert outcome.counts.to_dict() == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}
    stored = _stored(engine, "History 4A")
    assert stored.total_interactions == 8
    assert stored.template == "sessions-with-delivery-in-existing-groups"
    assert stored.group_description == "Pupils of 4A, second floor"
    assert stored.group_organization_id == "org-7"
    assert stored.group_active == "TRUE"
    assert stored.security_settings == "requireFullscreen,preventScreenshot"
    assert stored.waiting_page_date == datetime(2028, 6, 12, 6, 30, tzinfo=UTC)
    assert stored.read_aloud == "enabled"
    assert orjson.loads(stored.extra or "null") == {"extra_note": "bring pencils"}


def test_a_file_without_some_columns_that_changes_nothing_is_unchanged(db):
    _import(db, ("new.csv", sessions_csv(session("History 4A"), columns=EXISTING_GROUPS)))

    outcome = _import(db, ("narrow.csv", sessions_csv(
        session("History 4A"), columns=[n for n in EXISTING_GROUPS if n != "session_securitySettings"])))

    assert outcome.counts.to_dict() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 0}


def test_a_new_group_for_a_stored_session_is_an_error_and_nothing_is_stored(db, engine):
    _import(db, ("s.csv", sessions_csv(session("History 4A", group="Class 4A"))))
    before = _counts(engine)

    outcome = _import(db, ("moved.csv", sessions_csv(
        session("Maths 4B", group="Class 4B"), session("History 4A", group="Class 4B"))))

    assert not outcome.validation.valid
    assert outcome.import_id is None
    assert "imported" not in outcome.to_dict()
    assert _errors(outcome) == [("moved.csv", 3, "group_name")]
    problem = outcome.validation.reports[0].errors[0]
    assert problem.value == "Class 4B"
    assert "Class 4A" in problem.message
    assert _counts(engine) == before
    assert _stored(engine, "History 4A").group_name == "Class 4A"


def test_validation_against_the_store_reports_the_group_change_without_writing(db, engine):
    _import(db, ("s.csv", sessions_csv(session("History 4A", group="Class 4A"))))
    before = _counts(engine)

    validation = services.validate_files([("moved.csv", sessions_csv(session("History 4A", group="Class 9Z")))],
                                         settings=Settings(), db=db)
    db.commit()

    assert [(p.line, p.column) for p in validation.reports[0].errors] == [(2, "group_name")]
    assert _counts(engine) == before


def test_one_invalid_file_of_an_upload_stores_nothing(db, engine):
    _import(db, ("first.csv", sessions_csv(session("History 4A"))))
    before = _counts(engine)
    good = sessions_csv(session("History 4A", session_paperMode_sheetsPerInteraction="2"), session("Maths 4A"))
    bad = sessions_csv(session("Science 4A"), session("Science 4B", session_paperMode_sheetsPerInteraction="none"))

    outcome = _import(db, ("good.csv", good), ("bad.csv", bad), ("links.csv", links_csv(("ana", "Class 4A",
                                                                                            "TEST_TAKER"))))

    assert not outcome.validation.valid
    assert _errors(outcome) == [("bad.csv", 3, "session_paperMode_sheetsPerInteraction")]
    assert outcome.import_id is None
    assert _counts(engine) == before
    assert _stored(engine, "History 4A").sheets_per_interaction == 1


def test_an_exception_midway_leaves_the_store_as_it_was(engine, monkeypatch):
    with session_scope(engine) as db:
        services.import_files([("s.csv", sessions_csv(session("History 4A")))], db=db, settings=Settings(), now=NOW)
    before = _counts(engine)
    seen: list[int] = []

    def explode(*, db, columns, import_id):
        # Sessions were written in this transaction before links: the failure is truly midway.
        seen.append(store.count_sessions(db=db))
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "upsert_links", explode)
    files = [("s.csv", sessions_csv(session("History 4A", session_paperMode_sheetsPerInteraction="3"),
                                    session("Maths 4A"))),
             ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER")))]
    with pytest.raises(RuntimeError, match="disk full"), session_scope(engine) as db:
        services.import_files(files, db=db, settings=Settings(), now=NOW)

    assert seen == [2]
    assert _counts(engine) == before
    assert _stored(engine, "History 4A").sheets_per_interaction == 1


def test_timestamps_come_back_timezone_aware_in_utc(db, engine):
    at = datetime(2028, 6, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))  # a caller's local clock
    outcome = _import(db, ("s.csv", sessions_csv(session(
        "History 4A", session_startDate="2028-06-12T09:00:00+02:00", session_endDate="2028-6-12T12:00:00",
        session_paperMode_scanUploadStartDate="2028-06-13T06:00:00.250Z",
    ))), ("a.csv", activity_csv(("History 4A", "ana", "in_progress", "2028-06-12T09:15:00+02:00", ""))), now=at)

    stored = _stored(engine, "History 4A")
    moments = {
        "start_date": (stored.start_date, datetime(2028, 6, 12, 7, 0, tzinfo=UTC)),
        # no offset: read in the session's zone (Brussels, UTC+2 in June)
        "end_date": (stored.end_date, datetime(2028, 6, 12, 10, 0, tzinfo=UTC)),
        "scan_upload_start": (stored.scan_upload_start, datetime(2028, 6, 13, 6, 0, 0, 250_000, tzinfo=UTC)),
    }
    with Session(engine) as fresh:
        record = fresh.get(ImportRecord, outcome.import_id)
        activity = fresh.exec(select(Activity)).one()
    assert record is not None
    moments["imported_at"] = (record.imported_at, datetime(2028, 6, 1, 10, 30, tzinfo=UTC))
    moments["started_at"] = (activity.started_at, datetime(2028, 6, 12, 7, 15, tzinfo=UTC))
    for name, (value, expected) in moments.items():
        assert value == expected, name
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0), name


def test_every_column_value_is_kept(db, engine):
    columns = (*NEW_GROUPS, "session_proctoring", "custom_note")
    row = session(
        "History 4A",
        group_description='Pupils of 4A, "blue" wing\nsecond floor',
        group_active="FALSE",
        group_organizationId="org-42",
        session_timezone="Europe/Warsaw",
        session_securitySettings="requireFullscreen,preventScreenshot",
        session_reviewSettings="allowReview,showCorrect",
        session_testRunnerAccessibilityPlugins="zoom,highlighter",
        session_testRunnerSessionPlugins="timer",
        session_reportSettings="showScore",
        session_readAloud="enabled",
        session_paperMode_sheetsPerInteraction="2",
        session_paperMode_totalInteractions="4",
        session_paperMode_bookletFilename="history 4A booklet",
        session_proctoring="remote",
        custom_note="ask Anna, room 12",
    )

    outcome = _import(db, ("s.csv", sessions_csv(row, columns=columns)))

    assert outcome.validation.valid
    stored = _stored(engine, "History 4A")
    assert stored.model_dump(exclude={"id", "import_id"}) == {
        "session_name": "History 4A",
        "group_name": "Class 4A",
        "delivery_id": "https://tao.example.org/delivery/history",
        "delivery_kind": "delivery",
        "template": "sessions-with-delivery-in-new-groups",
        "timezone": "Europe/Warsaw",
        "start_date": datetime(2028, 6, 12, 7, 0, tzinfo=UTC),
        "end_date": datetime(2028, 6, 12, 10, 0, tzinfo=UTC),
        "submission_date": datetime(2028, 6, 12, 11, 0, tzinfo=UTC),
        "waiting_page_date": datetime(2028, 6, 12, 6, 30, tzinfo=UTC),
        "paper_enabled": True,
        "sheets_per_interaction": 2,
        "total_interactions": 4,
        "booklet_filename": "history 4A booklet",
        "scan_upload_start": datetime(2028, 6, 13, 6, 0, tzinfo=UTC),
        "scan_upload_end": datetime(2028, 6, 27, 18, 0, tzinfo=UTC),
        "group_description": 'Pupils of 4A, "blue" wing\nsecond floor',
        "group_active": "FALSE",
        "group_organization_id": "org-42",
        "security_settings": "requireFullscreen,preventScreenshot",
        "review_settings": "allowReview,showCorrect",
        "accessibility_plugins": "zoom,highlighter",
        "session_plugins": "timer",
        "report_settings": "showScore",
        "read_aloud": "enabled",
        "extra": stored.extra,
    }
    assert orjson.loads(stored.extra or "null") == {"session_proctoring": "remote", "custom_note": "ask Anna, room 12"}


def test_battery_sessions_and_sessions_off_paper_are_stored(db, engine):
    columns = ["session_batteryId" if name == "session_deliveryId" else name for name in EXISTING_GROUPS]
    off = session("Oral 4A", session_batteryId="battery-9", session_paperMode_isEnabled="false",
                  session_paperMode_sheetsPerInteraction="", session_paperMode_totalInteractions="",
                  session_paperMode_bookletFilename="", session_paperMode_scanUploadStartDate="",
                  session_paperMode_scanUploadEndDate="")

    outcome = _import(db, ("b.csv", sessions_csv(off, columns=columns)))

    assert outcome.counts.created == 1
    stored = _stored(engine, "Oral 4A")
    assert (stored.delivery_id, stored.delivery_kind, stored.template) == (
        "battery-9", "battery", "sessions-with-battery-in-existing-groups")
    assert stored.paper_enabled is False
    assert (stored.sheets_per_interaction, stored.scan_upload_start) == (None, None)


def test_each_import_is_recorded_with_its_files(db, engine):
    sessions = sessions_csv(session("History 4A"), session("Maths 4A"))
    links = links_csv(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "SCAN_UPLOADER"),
                      ("cy", "Class 4A", "TEST_TAKER"))
    more = sessions_csv(session("History 4A"), session("Maths 4A"), session("Science 4A"))
    first = _import(db, ("sessions.csv", sessions), ("links.csv", links))
    same = _import(db, ("sessions.csv", sessions), now=NOW + timedelta(minutes=30))
    second = _import(db, ("sessions.csv", more), now=NOW + timedelta(hours=1))

    assert (same.import_id, same.changed_nothing, same.counts.unchanged) == (None, True, 2)  # not recorded
    with Session(engine) as fresh:
        records = fresh.exec(select(ImportRecord).order_by(ImportRecord.id)).all()
        files = fresh.exec(select(ImportFile).order_by(ImportFile.id)).all()
    assert [(r.id, r.imported_at, r.created, r.updated, r.unchanged) for r in records] == [
        (first.import_id, NOW, 5, 0, 0),
        (second.import_id, NOW + timedelta(hours=1), 1, 0, 2),
    ]
    assert [(f.import_id, f.file_name, f.sha256, f.kind, f.template, f.rows) for f in files] == [
        (first.import_id, "sessions.csv", hashlib.sha256(sessions).hexdigest(), "sessions",
         "sessions-with-delivery-in-new-groups", 2),
        (first.import_id, "links.csv", hashlib.sha256(links).hexdigest(), "enrolments",
         "link-existing-user-to-groups", 3),
        (second.import_id, "sessions.csv", hashlib.sha256(more).hexdigest(), "sessions",
         "sessions-with-delivery-in-new-groups", 3),
    ]
    assert [(f.created, f.updated, f.unchanged, f.removed) for f in files] == [(2, 0, 0, 0), (3, 0, 0, 0),
                                                                              (1, 0, 2, 0)]
    assert [r.id for r in store.recent_imports(db=db)] == [second.import_id, first.import_id]


def test_an_invalid_upload_is_not_recorded(db, engine):
    outcome = _import(db, ("bad.csv", b""))

    assert not outcome.validation.valid
    assert _counts(engine) == dict.fromkeys(_counts(engine), 0)


def test_enrolment_links_are_idempotent(db, engine):
    sessions = ("s.csv", sessions_csv(session("History 4A")))
    links = ("links.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"), ("ana", "Class 4A", "GRADER"),
                                    ("bo", "Class 4A", "SCAN_UPLOADER"), ("ana", "Class 4A", "TEST_TAKER")))

    first = _import(db, sessions, links)
    second = _import(db, links)
    third = _import(db, ("more.csv", links_csv(("bo", "Class 4A", "SCAN_UPLOADER"), ("cy", "Class 4A", "TEST_TAKER"))))

    # a repeated line
    assert first.by_kind["enrolments"].to_dict() == {"created": 3, "updated": 0, "unchanged": 1, "removed": 0}
    assert second.counts.to_dict() == {"created": 0, "updated": 0, "unchanged": 4, "removed": 0}  # nothing new
    assert third.counts.to_dict() == {"created": 1, "updated": 0, "unchanged": 1, "removed": 0}
    with Session(engine) as fresh:
        stored = fresh.exec(select(GroupLink.group_name, GroupLink.user_username, GroupLink.group_role)).all()
    assert sorted(map(tuple, stored)) == [("Class 4A", "ana", "GRADER"), ("Class 4A", "ana", "TEST_TAKER"),
                                         ("Class 4A", "bo", "SCAN_UPLOADER"), ("Class 4A", "cy", "TEST_TAKER")]
    assert store.role_counts(db=db, group="Class 4A") == {"GRADER": 1, "SCAN_UPLOADER": 1, "TEST_TAKER": 2}


def test_links_to_a_group_no_session_uses_are_kept_with_a_warning(db, engine):
    outcome = _import(db, ("links.csv", links_csv(("ana", "Class 9Z", "TEST_TAKER"))))

    assert outcome.validation.valid
    assert [(p.line, p.column) for p in outcome.validation.reports[0].warnings] == [(2, "group_name")]
    assert _counts(engine)["GroupLink"] == 1


def _activity(engine: Engine) -> list[tuple[str, str, datetime | None, datetime | None]]:
    with Session(engine) as fresh:
        rows = fresh.exec(select(Activity.user_username, Activity.status, Activity.started_at,
                                    Activity.finished_at).order_by(Activity.user_username)).all()
    return [tuple(row) for row in rows]


def test_activity_keeps_the_latest_row_and_reimport_updates(db, engine):
    _import(db, ("s.csv", sessions_csv(session("History 4A"))))
    # The later state comes first in the file: the latest moment wins, not the last line.
    export = activity_csv(("History 4A", "ana", "finished", "2028-06-12T07:05:00Z", "2028-06-12T08:00:00Z"),
                          ("History 4A", "ana", "in_progress", "2028-06-12T07:05:00Z", ""),
                          ("History 4A", "bo", "not_started", "", ""))

    first = _import(db, ("a.csv", export))
    again = _import(db, ("a.csv", export))
    later = _import(db, ("b.csv", activity_csv(
        ("History 4A", "bo", "In progress", "2028-06-12T07:10:00Z", ""),
        ("History 4A", "ana", "finished", "2028-06-12T07:05:00Z", "2028-06-12T08:00:00Z"))))

    assert first.counts.to_dict() == {"created": 2, "updated": 0, "unchanged": 0, "removed": 0}
    assert again.counts.to_dict() == {"created": 0, "updated": 0, "unchanged": 2, "removed": 0}
    assert later.counts.to_dict() == {"created": 0, "updated": 1, "unchanged": 1, "removed": 0}
    started, finished = datetime(2028, 6, 12, 7, 5, tzinfo=UTC), datetime(2028, 6, 12, 8, 0, tzinfo=UTC)
    assert _activity(engine) == [("ana", "finished", started, finished),
                                 ("bo", "in_progress", datetime(2028, 6, 12, 7, 10, tzinfo=UTC), None)]


def test_activity_for_an_unknown_session_is_skipped_with_a_warning(db, engine):
    _import(db, ("s.csv", sessions_csv(session("History 4A"))))

    outcome = _import(db, ("a.csv", activity_csv(("Nowhere 1", "ana", "finished", "", ""),
                                                 ("History 4A", "bo", "in_progress", "", ""))))

    assert outcome.validation.valid
    assert [(p.line, p.column, p.value) for p in outcome.validation.reports[0].warnings] == [
        (2, "session_name", "Nowhere 1")]
    assert outcome.counts.to_dict() == {"created": 1, "updated": 0, "unchanged": 0, "removed": 0}
    assert [row[:2] for row in _activity(engine)] == [("bo", "in_progress")]


def test_files_of_one_upload_apply_sessions_then_links_then_activity(db, engine):
    files = [
        ("activity.csv", activity_csv(("Maths 4B", "ana", "finished", "2028-06-12T07:00:00Z",
                                       "2028-06-12T07:50:00Z"))),
        ("links.csv", links_csv(("ana", "Class 4B", "TEST_TAKER"), ("bo", "Class 4B", "SCAN_UPLOADER"))),
        ("sessions.csv", sessions_csv(session("Maths 4B", group="Class 4B"))),
    ]

    outcome = _import(db, *files)

    assert outcome.validation.valid
    assert [p for r in outcome.validation.reports for p in r.warnings] == []
    assert {kind: c.to_dict() for kind, c in outcome.by_kind.items()} == {
        "sessions": {"created": 1, "updated": 0, "unchanged": 0, "removed": 0},
        "enrolments": {"created": 2, "updated": 0, "unchanged": 0, "removed": 0},
        "activity": {"created": 1, "updated": 0, "unchanged": 0, "removed": 0},
    }
    stored = _stored(engine, "Maths 4B")
    with Session(engine) as fresh:
        activity = fresh.exec(select(Activity)).one()
    assert (activity.session_id, activity.user_username, activity.status) == (stored.id, "ana", "finished")
    assert store.status_counts(db=db, session_name="Maths 4B", as_of=LATER) == {"finished": 1}
    # The import file list keeps the order the manager gave.
    with Session(engine) as fresh:
        names = fresh.exec(select(ImportFile.file_name).order_by(ImportFile.id)).all()
    assert names == ["activity.csv", "links.csv", "sessions.csv"]


AWKWARD = ["a\tb", "line\nbreak", "back\\slash", "\\N", "\\\\N", 'quote"s', "comma, too", "é ✓"]


def test_awkward_text_is_stored_exactly_by_the_bulk_paths(db, engine):
    """Tabs, line ends, backslashes and a literal \\N survive executemany and COPY as they were written."""
    sessions = [session(f"S{i} {text}", group=f"G {text}", session_paperMode_bookletFilename=text,
                        session_securitySettings=text) for i, text in enumerate(AWKWARD)]
    links = [(f"user {text}", f"G {text}", "TEST_TAKER") for text in AWKWARD]
    outcome = _import(db, ("s.csv", sessions_csv(*sessions)), ("l.csv", links_csv(*links)))
    assert outcome.validation.valid, outcome.to_dict()
    for i, text in enumerate(AWKWARD):
        stored = _stored(engine, f"S{i} {text}")
        assert (stored.group_name, stored.booklet_filename, stored.security_settings) == (f"G {text}", text, text)
        assert stored.review_settings is None  # an empty cell is NULL, not the text "\N"
    with Session(engine) as db2:
        stored_links = set(db2.exec(select(GroupLink.group_name, GroupLink.user_username)).all())
    assert stored_links == {(f"G {text}", f"user {text}") for text in AWKWARD}


def test_a_value_every_row_shares_is_stored_exactly_when_written_into_the_statement(db, engine):
    """On SQLite a column with one value for every record goes into the INSERT as a literal: quotes doubled, and
    text that looks like SQL or a parameter stays text; a shared empty cell is NULL; a NUL stays a bound value."""
    from dashboard.store.bulk import _sql_literal

    shared = "it's a \"test\" ?, ?1 :x -- ); DROP TABLE exam_session; é ✓"
    sessions = [session(f"S{i}", group=f"G{i}", session_paperMode_bookletFilename=shared,
                        session_securitySettings=shared, session_reviewSettings="") for i in range(3)]
    outcome = _import(db, ("s.csv", sessions_csv(*sessions)))
    assert outcome.validation.valid and outcome.counts.created == 3, outcome.to_dict()
    for i in range(3):
        stored = _stored(engine, f"S{i}")
        assert (stored.booklet_filename, stored.security_settings, stored.review_settings) == (shared, shared, None)
        assert stored.paper_enabled is True and stored.import_id == outcome.import_id
    assert [_sql_literal(value) for value in (None, 7, "o'k", True, 1.5, "a\x00b")] == \
        ["NULL", "7", "'o''k'", None, None, None]


def test_a_link_repeated_in_a_first_link_file_is_stored_once(db, engine):
    """Into an empty link table PostgreSQL copies straight in; a repeated link falls back to the checked path."""
    _import(db, ("s.csv", sessions_csv(session("History 4A"))))
    outcome = _import(db, ("l.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"),
                                              ("ana", "Class 4A", "TEST_TAKER"))))
    assert outcome.counts.to_dict() == {"created": 2, "updated": 0, "unchanged": 1, "removed": 0}
    assert _counts(engine)["GroupLink"] == 2
    again = _import(db, ("l.csv", links_csv(("ana", "Class 4A", "TEST_TAKER"), ("cy", "Class 4A", "TEST_TAKER"))))
    assert again.counts.to_dict() == {"created": 1, "updated": 0, "unchanged": 1, "removed": 0}
    assert _counts(engine)["GroupLink"] == 3
