"""Readiness counts computed in SQL, on SQLite and PostgreSQL, and the board built from them."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import partial

import orjson

from dashboard import services
from dashboard.config import Settings
from dashboard.services import ImportOptions
from tests.factories import ACTIVITY, LATER, LINKS, NEW_GROUPS, csv_bytes, readiness_dicts, session

SETTINGS = Settings()


def load(db, *files, options=None):
    outcome = services.import_files(list(files), db=db, settings=SETTINGS, now=datetime(2028, 1, 1, tzinfo=UTC),
                                    options=options or ImportOptions())
    assert outcome.validation.valid, outcome.validation.to_dict()
    db.commit()
    return outcome


def links(*rows):
    return ("links.csv", csv_bytes(LINKS, [dict(zip(LINKS, row, strict=True)) for row in rows]))


def activity(*rows):
    return ("activity.csv", csv_bytes(ACTIVITY, [dict(zip(ACTIVITY, row, strict=True)) for row in rows]))


def sessions(*rows):
    return ("sessions.csv", csv_bytes(NEW_GROUPS, rows))


def test_counts_per_session_come_from_links_and_activity(db):
    load(db, sessions(session("History 4A", "Class 4A"), session("History 4B", "Class 4B"),
                      session("Online 4C", "Class 4C", session_paperMode_isEnabled="0")),
         links(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"),
               ("bo", "Class 4A", "SCAN_UPLOADER"),  # a user with two roles counts in both
               ("ana", "Class 4A", "test_taker"),  # the same link twice (role in another case) is one link
               ("cy", "Class 4B", "SCAN_UPLOADER"), ("dee", "Class 4C", "TEST_TAKER")),
         activity(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z"),
                  ("History 4A", "bo", "not_started", "", ""),
                  ("History 4A", "zed", "finished", "2028-06-12T07:01:00Z", ""),  # not enrolled: not counted
                  ("History 4B", "cy", "in_progress", "2028-06-12T07:05:00Z", "")))  # an uploader, not a taker
    rows = {row["session_name"]: row for row in readiness_dicts(db)}
    assert sorted(rows) == ["History 4A", "History 4B"]  # paper mode off is not listed
    counts = ("test_takers", "scan_uploaders", "started", "with_activity")
    assert {name: tuple(row[c] for c in counts) for name, row in rows.items()} == {
        "History 4A": (2, 1, 1, 2),
        "History 4B": (0, 1, 0, 0),
    }


def test_readiness_and_receipt_rows_read_the_drivers_values_as_sqlalchemy_would_give_them(db):
    """``readiness_rows`` and ``receipt_rows`` read the driver's tuples, not SQLAlchemy's rows (``driver_rows``):
    right only while no column of their statements has a type that converts what it reads (a Boolean on SQLite, a
    custom type). Every kind of value is here: text, no text, dates (text on SQLite, datetimes on PostgreSQL),
    counts, no count, pages received."""
    from dashboard import store
    from dashboard.store.reads import ReadinessRow, readiness_statement
    from dashboard.store.scans import ReceiptRow, receipt_statement
    from tests.factories import scans_csv

    load(db, sessions(session("History 4A", "Class 4A"), session("History 4B", "Class 4B", session_timezone="")),
         links(("ana", "Class 4A", "TEST_TAKER"), ("cy", "Class 4A", "SCAN_UPLOADER")),
         activity(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")),
         ("scans.csv", scans_csv({"session_name": "History 4A", "booklet_filename": "", "pages": "3",
                                  "received_at": "2028-06-13T09:00:00Z", "batch_id": "b1"})))
    as_of = datetime(2028, 6, 14, tzinfo=UTC)
    dialect = db.get_bind().dialect.name
    for read_rows, statement, row_type in ((store.readiness_rows, readiness_statement, ReadinessRow),
                                           (store.receipt_rows, partial(receipt_statement, dialect=dialect),
                                            ReceiptRow)):
        for names in (None, ["History 4B"]):
            read = read_rows(db=db, as_of=as_of, names=names)
            processed = [row_type._make(row) for row in db.execute(statement(as_of, names)).fetchall()]
            assert read == processed and read
            assert [[type(value) for value in row] for row in read] == [[type(value) for value in row]
                                                                        for row in processed]
        assert read[0].timezone is None and read[0].test_takers == 0
    assert store.receipt_rows(db=db, as_of=as_of)[0].received == 3
    # readiness --json reads the same values by position
    named = store.readiness_rows(db=db, as_of=as_of)
    assert list(store.readiness_values(db=db, as_of=as_of)) == list(map(tuple, named))
    assert [(row.test_takers, row.scan_uploaders) for row in named] == [(1, 1), (0, 0)]


def test_re_importing_links_keeps_counts(db):
    files = [sessions(session("History 4A", "Class 4A")), links(("ana", "Class 4A", "TEST_TAKER"))]
    load(db, *files)
    second = load(db, *files)
    assert second.by_kind["enrolments"].to_dict() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 0}
    assert readiness_dicts(db)[0]["test_takers"] == 1


def test_board_statuses_on_exam_day(db):
    load(db, sessions(session("Ready 4A", "Class 4A"), session("Blocked 4B", "Class 4B")),
         links(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER"),
               ("bo", "Class 4B", "TEST_TAKER")),
         activity(("Ready 4A", "ana", "Finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")))
    board = services.readiness_board(db=db, as_of=datetime(2028, 6, 14, tzinfo=UTC))
    assert [(c.session.session_name, c.status) for c in board.checklists] == [
        ("Blocked 4B", "blocked"), ("Ready 4A", "ready")]
    blocked = board.to_dict()["sessions"][0]
    assert blocked["enrolled"] == 1 and blocked["launched"] == 0 and blocked["window"] == "open"
    assert {i["item"]: i["state"] for i in blocked["items"]} == {
        "enrolment": "ok", "roles": "problem", "launched": "problem", "submitted": "ok", "window": "ok",
        "schedule": "ok"}
    assert board.to_dict()["as_of"] == "2028-06-14T00:00:00Z"
    ready = board.checklists[1]
    assert (ready.expected_sheets, ready.started_sheets) == (6, 6)


def test_session_detail_counts_roles_and_statuses(db):
    load(db, sessions(session("History 4A", "Class 4A")),
         links(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "GRADER")),
         activity(("History 4A", "ana", "in progress", "2028-06-12T07:01:00Z", ""),
                  ("History 4A", "bo", "paused", "1781247660", "")))
    detail = services.session_detail(db=db, name="History 4A", as_of=datetime(2028, 6, 12, 8, tzinfo=UTC))
    assert detail is not None
    assert detail.roles == {"GRADER": 1, "TEST_TAKER": 2}
    assert detail.statuses == {"in_progress": 1, "paused": 1}
    assert services.session_detail(db=db, name="Nope") is None


def test_a_member_removed_from_the_roster_leaves_the_sessions_activity_by_status(db):
    # The checklist counts enrolled test-takers only; the session page's activity by status counted every row of
    # the session's activity, so after a complete roster dropped bo it showed 2 test-takers to the checklist's 1.
    load(db, sessions(session("History 4A", "Class 4A")),
         links(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"), ("cy", "Class 4A", "GRADER")),
         activity(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z"),
                  ("History 4A", "bo", "in progress", "2028-06-12T07:02:00Z", ""),
                  ("History 4A", "cy", "in progress", "2028-06-12T07:03:00Z", "")))  # not a test-taker
    detail = services.session_detail(db=db, name="History 4A", as_of=LATER)
    assert detail is not None
    assert (detail.statuses, detail.unenrolled, detail.checklist.session.started) == (
        {"finished": 1, "in_progress": 1}, 1, 2)
    load(db, links(("ana", "Class 4A", "TEST_TAKER"), ("cy", "Class 4A", "GRADER")),
         options=ImportOptions(sync_links=True))
    detail = services.session_detail(db=db, name="History 4A", as_of=LATER)
    assert detail is not None
    assert (detail.statuses, detail.unenrolled, detail.checklist.session.started) == ({"finished": 1}, 2, 1)
    assert sum(detail.statuses.values()) == detail.checklist.session.started  # the page's two counts agree


def test_an_older_activity_export_does_not_undo_a_newer_one(db):
    load(db, sessions(session("History 4A", "Class 4A")), links(("ana", "Class 4A", "TEST_TAKER")),
         activity(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")))
    older = load(db, activity(("History 4A", "ana", "in_progress", "2028-06-12T07:01:00Z", "")))
    assert older.by_kind["activity"].to_dict() == {"created": 0, "updated": 0, "unchanged": 1, "removed": 0}
    assert services.session_detail(db=db, name="History 4A", as_of=LATER).statuses == {"finished": 1}
    newer = load(db, activity(("History 4A", "ana", "terminated", "2028-06-12T07:01:00Z", "2028-06-12T09:00:00Z")))
    assert newer.by_kind["activity"].to_dict() == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}
    assert services.session_detail(db=db, name="History 4A", as_of=LATER).statuses == {"terminated": 1}


def test_a_verdict_is_the_one_at_the_moment_printed_beside_it(db):
    # readiness --json wrote its as_of to the second and judged at the exact moment: a launch 0.3 s after the
    # second printed counted, and the same command at the printed as_of said no one had started.
    load(db, sessions(session("History 4A", "Class 4A")), links(("ana", "Class 4A", "TEST_TAKER")),
         activity(("History 4A", "ana", "in progress", "2028-06-12T07:00:00.300Z", "")))
    exact = datetime(2028, 6, 12, 7, 0, 0, 500_000, tzinfo=UTC)
    out = io.BytesIO()
    services.write_readiness_json(db=db, out=out, as_of=exact)
    printed = orjson.loads(out.getvalue())
    assert printed["as_of"] == "2028-06-12T07:00:00Z"
    board = services.readiness_board(db=db, as_of=exact)
    again = services.readiness_board(db=db, as_of=services.parse_as_of(printed["as_of"]))
    assert board.to_dict() == again.to_dict() == printed
    assert board.checklists[0].session.started == 0  # ana began after the moment printed
    later = services.readiness_board(db=db, as_of=datetime(2028, 6, 12, 7, 0, 1, tzinfo=UTC))
    assert later.checklists[0].session.started == 1
    receipts = services.receipt_board(db=db, as_of=exact)
    assert receipts.as_of == board.as_of
