"""A hunt for false greens and false reds: the verdict of real stores (SQLite, and PostgreSQL when it is there)
at every date boundary, after complete rosters, re-imports and undos, through the CLI's JSON and the session page,
and against a small reference model of the rules written here from the README's table.

The reference (``reference_status``) is deliberately naive: one loop per session over plain tuples, no SQL.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlmodel import Session

from dashboard import services, store
from dashboard.cli import main
from dashboard.config import Settings
from dashboard.readiness import STATUS_ORDER
from dashboard.services import ImportOptions
from tests.factories import ACTIVITY, EXISTING_GROUPS, LINKS, NEW_GROUPS, csv_bytes, session

NOW = datetime(2028, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
HISTORY = "https://tao.example.org/delivery/history"
MATHS = "https://tao.example.org/delivery/maths"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def load(db: Session, *files: tuple[str, bytes], sync: bool = False, **options: Any) -> int | None:
    outcome = services.import_files(list(files), db=db, settings=Settings(), now=NOW,
                                    options=ImportOptions(sync_links=sync, **options))
    assert outcome.validation.valid, outcome.validation.to_dict()
    db.commit()
    return outcome.import_id


def undo(db: Session, import_id: int) -> None:
    services.undo_import(db=db, import_id=import_id, now=NOW)
    db.commit()


def sessions_file(*rows: dict[str, str], columns: tuple[str, ...] = NEW_GROUPS) -> tuple[str, bytes]:
    return "s.csv", csv_bytes(columns, rows)


def links_file(*links: tuple[str, str, str], name: str = "l.csv") -> tuple[str, bytes]:
    return name, csv_bytes(LINKS, [dict(zip(LINKS, link, strict=True)) for link in links])


def activity_file(*rows: tuple[str, str, str, str, str], name: str = "a.csv") -> tuple[str, bytes]:
    return name, csv_bytes(ACTIVITY, [dict(zip(ACTIVITY, row, strict=True)) for row in rows])


def verdict(db: Session, name: str, as_of: datetime) -> dict[str, Any]:
    """The board's entry of ``name`` at ``as_of``: status, counts and item states."""
    board = services.readiness_board(db=db, as_of=as_of)
    (entry,) = [c.to_dict() for c in board.checklists if c.session.session_name == name]
    return {"status": entry["status"], "enrolled": entry["enrolled"], "launched": entry["launched"],
            **{item["item"]: item["state"] for item in entry["items"]}}


def states(db: Session, name: str, as_of: datetime, *items: str) -> tuple[str, ...]:
    found = verdict(db, name, as_of)
    return tuple(found[item] for item in items)


# The session of ``factories.session``: submission 2028-06-12 11:00Z, window 2028-06-13 06:00Z to 06-27 18:00Z.
SUBMISSION, WINDOW_START = at("2028-06-12T11:00:00Z"), at("2028-06-13T06:00:00Z")
WINDOW_END = at("2028-06-27T18:00:00Z")
LAUNCH = at("2028-06-12T07:01:00Z")


def ready_programme(db: Session, **values: str) -> None:
    load(db, sessions_file(session("History 4A", **values)),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")),
         activity_file(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")))


# --- the as-of at each boundary, exactly -------------------------------------------------------------------------

@pytest.mark.parametrize(("moment", "expected"), [
    (SUBMISSION - SECOND, ("pending", "upcoming", "pending")),
    (SUBMISSION, ("ok", "upcoming", "pending")),
    (WINDOW_START - SECOND, ("ok", "upcoming", "pending")),
    (WINDOW_START, ("ok", "open", "ready")),
    (WINDOW_END - SECOND, ("ok", "open", "ready")),
    (WINDOW_END, ("ok", "closed", "blocked")),
])
def test_submission_and_window_flip_exactly_at_their_moments(db, moment, expected):
    ready_programme(db)
    found = verdict(db, "History 4A", moment)
    board = services.readiness_board(db=db, as_of=moment).checklists[0]
    assert (found["submitted"], board.window, found["status"]) == expected
    assert found["launched"] == "ok" and found["window"] == {"upcoming": "pending", "open": "ok",
                                                             "closed": "problem"}[board.window]


@pytest.mark.parametrize("row", [
    ("History 4A", "ana", "in_progress", "2028-06-12T07:01:00Z", ""),
    ("History 4A", "ana", "Finished", "", "2028-06-12T07:01:00Z"),  # only a finish: it began by then
    ("History 4A", "ana", "finished", "2028-06-12T09:01:00+02:00", "2028-06-12T10:00:00+02:00"),  # an offset
], ids=["start", "finish-only", "offset"])
def test_a_launch_counts_from_the_moment_it_began_exactly(db, row):
    load(db, sessions_file(session("History 4A")), links_file(("ana", "Class 4A", "TEST_TAKER")), activity_file(row))
    assert (verdict(db, "History 4A", LAUNCH - SECOND)["launched"],
            verdict(db, "History 4A", LAUNCH)["launched"]) == ("pending", "ok")
    assert services.readiness_board(db=db, as_of=LAUNCH - timedelta(microseconds=1)).checklists[0].session.started == 0
    assert services.readiness_board(db=db, as_of=LAUNCH).checklists[0].session.started == 1


def test_a_launch_with_a_fraction_of_a_second_counts_from_the_next_whole_second(db):
    # A board is judged at its as-of to the second, the moment every output prints (services.judged_moment): a
    # launch within a second counts from the next whole second, whatever fraction the as-of asked for.
    load(db, sessions_file(session("History 4A")), links_file(("ana", "Class 4A", "TEST_TAKER")),
         activity_file(("History 4A", "ana", "active", "2028-06-12T07:01:00.454033Z", "")))
    moment = at("2028-06-12T07:01:00.454033Z")
    started = [services.readiness_board(db=db, as_of=m).checklists[0].session.started
               for m in (moment, at("2028-06-12T07:01:00.999999Z"), at("2028-06-12T07:01:01Z"))]
    assert started == [0, 0, 1]


def test_a_launch_without_any_time_counts_at_every_moment_but_not_started_never(db):
    load(db, sessions_file(session("History 4A")),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER")),
         activity_file(("History 4A", "ana", "Terminated", "", ""),
                       ("History 4A", "bo", "Not started", "2028-06-12T07:00:00Z", "")))
    early = services.readiness_board(db=db, as_of=at("2000-01-01T00:00:00Z")).checklists[0].session
    late = services.readiness_board(db=db, as_of=at("2100-01-01T00:00:00Z")).checklists[0].session
    assert (early.started, early.with_activity, late.started) == (1, 2, 1)


@pytest.mark.parametrize(("submission", "end", "deadline"), [
    ("2028-06-12T11:00:00Z", "2028-06-12T10:00:00Z", SUBMISSION),
    ("", "2028-06-12T10:00:00Z", at("2028-06-12T10:00:00Z")),  # no submission: the end date decides
])
def test_without_launches_the_launched_item_turns_a_problem_exactly_at_its_deadline(db, submission, end, deadline):
    load(db, sessions_file(session("History 4A", session_submissionDate=submission, session_endDate=end)),
         links_file(("ana", "Class 4A", "TEST_TAKER")))
    assert states(db, "History 4A", deadline - SECOND, "launched") == ("pending",)
    assert states(db, "History 4A", deadline, "launched") == ("problem",)


def test_a_session_with_neither_end_nor_submission_stays_pending_on_launch_and_blocked_on_submission(db):
    load(db, sessions_file(session("History 4A", session_submissionDate="", session_endDate="")),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")))
    found = verdict(db, "History 4A", at("2100-01-01T00:00:00Z"))
    assert (found["launched"], found["submitted"], found["schedule"], found["status"]) == (
        "pending", "problem", "ok", "blocked")


def test_a_session_without_a_zone_reads_dates_without_offset_in_utc(db):
    ready_programme(db, session_timezone="", session_submissionDate="2028-06-12T11:00:00",
                    session_paperMode_scanUploadStartDate="2028-06-13T06:00:00")
    assert states(db, "History 4A", SUBMISSION - SECOND, "submitted") == ("pending",)
    assert states(db, "History 4A", SUBMISSION, "submitted") == ("ok",)
    assert [verdict(db, "History 4A", m)["window"] for m in (WINDOW_START - SECOND, WINDOW_START)] == ["pending", "ok"]


@pytest.mark.parametrize(("local", "utc"), [
    ("2028-03-26T01:30:00", "2028-03-26T00:30:00Z"),  # Brussels: CET, just before clocks go forward
    ("2028-03-26T03:30:00", "2028-03-26T01:30:00Z"),  # CEST, just after
    ("2028-10-29T01:30:00", "2028-10-28T23:30:00Z"),  # CEST, before clocks go back
    ("2028-10-29T03:30:00", "2028-10-29T02:30:00Z"),  # CET, after
])
def test_a_submission_without_offset_across_dst_flips_at_its_utc_moment(db, local, utc):
    ready_programme(db, session_submissionDate=local, session_startDate="2028-03-01T07:00:00Z",
                    session_endDate="2028-03-01T10:00:00Z")
    moment = at(utc)
    assert [verdict(db, "History 4A", m)["submitted"] for m in (moment - SECOND, moment)] == ["pending", "ok"]


def test_an_activity_time_without_offset_on_the_dst_day_is_read_in_the_sessions_zone(db):
    load(db, sessions_file(session("History 4A", session_startDate="2028-03-26T06:00:00Z",
                                   session_endDate="2028-03-26T10:00:00Z",
                                   session_submissionDate="2028-03-26T11:00:00Z")),
         links_file(("ana", "Class 4A", "TEST_TAKER")),
         activity_file(("History 4A", "ana", "in progress", "2028-03-26T09:00:00", "")))  # 07:00Z in CEST
    began = at("2028-03-26T07:00:00Z")
    assert [services.readiness_board(db=db, as_of=m).checklists[0].session.started
            for m in (began - SECOND, began)] == [0, 1]


def test_a_later_file_without_a_zone_column_reads_dates_in_the_stored_sessions_zone(db):
    """It read them in UTC, two hours late in Brussels' summer: 'submitted' stayed pending until 13:00Z."""
    ready_programme(db)  # Europe/Brussels
    columns = tuple(c for c in EXISTING_GROUPS if c != "session_timezone")
    load(db, sessions_file(session("History 4A", session_submissionDate="2028-06-12T13:00:00"), columns=columns))
    assert services.readiness_board(db=db, as_of=NOW).checklists[0].session.timezone == "Europe/Brussels"
    submitted = at("2028-06-12T11:00:00Z")  # 13:00 in Brussels (CEST)
    assert [verdict(db, "History 4A", m)["submitted"] for m in (submitted - SECOND, submitted)] == ["pending", "ok"]



def test_without_a_zone_column_a_new_session_reads_in_utc_and_an_offset_stands(db):
    """In the same zoneless file: a stored session's local dates move to its zone; a session not stored yet has no
    zone (UTC); a date with its own offset is not read again."""
    ready_programme(db)  # History 4A, Europe/Brussels
    columns = tuple(c for c in EXISTING_GROUPS if c != "session_timezone")
    load(db, sessions_file(session("History 4A", session_submissionDate="2028-06-12T13:00:00",
                                   session_endDate="2028-06-12T12:00:00+02:00"),
                           session("History 4B", session_submissionDate="2028-06-12T13:00:00"), columns=columns))
    found = {c.session.session_name: c.session for c in services.readiness_board(db=db, as_of=NOW).checklists}
    assert (found["History 4A"].timezone, found["History 4A"].submission_date, found["History 4A"].end_date) == (
        "Europe/Brussels", at("2028-06-12T11:00:00Z"), at("2028-06-12T10:00:00Z"))
    assert (found["History 4B"].timezone, found["History 4B"].submission_date) == (None, at("2028-06-12T13:00:00Z"))

# --- rosters, re-imports and undos ---------------------------------------------------------------------------------

def test_a_complete_roster_that_drops_the_only_starter_and_uploader_blocks_until_undone(db):
    ready_programme(db)
    after = WINDOW_START
    assert verdict(db, "History 4A", after)["status"] == "ready"
    synced = load(db, links_file(("bo", "Class 4A", "TEST_TAKER")), sync=True)
    assert synced is not None
    found = verdict(db, "History 4A", after)
    assert (found["enrolled"], found["launched"], found["roles"], found["status"]) == (1, "problem", "problem",
                                                                                        "blocked")
    assert found["launched"] == "problem"  # ana's activity stays stored but she is no longer enrolled
    undo(db, synced)
    found = verdict(db, "History 4A", after)
    assert (found["enrolled"], found["launched"], found["status"]) == (1, "ok", "ready")


def test_re_importing_a_dropped_starter_brings_her_launch_back(db):
    ready_programme(db)
    load(db, links_file(("bo", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")), sync=True)
    assert verdict(db, "History 4A", WINDOW_START)["launched"] == "problem"
    load(db, links_file(("ana", "Class 4A", "test_taker")))
    found = verdict(db, "History 4A", WINDOW_START)
    assert (found["enrolled"], found["launched"], found["status"]) == (2, "ok", "ready")


def test_undoing_the_import_that_created_a_link_keeps_it_when_a_complete_roster_lists_it_again(db):
    load(db, sessions_file(session("History 4A")))
    first = load(db, links_file(("up", "Class 4A", "SCAN_UPLOADER")))
    load(db, links_file(("up", "Class 4A", "SCAN_UPLOADER"), ("ana", "Class 4A", "TEST_TAKER")), sync=True)
    assert first is not None
    undo(db, first)
    assert store.role_counts(db=db, group="Class 4A") == {"SCAN_UPLOADER": 1, "TEST_TAKER": 1}


def test_a_complete_roster_in_two_files_keeps_both_after_an_undo_of_an_earlier_import(db):
    """The undo replayed the roster's two files one at a time: each file's group lost what the other file listed
    (the scan uploader went, and the session was blocked)."""
    load(db, sessions_file(session("History 4A")),
         activity_file(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")),
         links_file(("ana", "Class 4A", "TEST_TAKER")))
    first = load(db, links_file(("up", "Class 4A", "SCAN_UPLOADER")))
    # One complete roster, staff and test-takers in two files (the import applies their union); bo is new, so the
    # import changes something and is recorded (an import that changes nothing holds nothing).
    roster = load(db, links_file(("up", "Class 4A", "SCAN_UPLOADER"), name="staff.csv"),
                  links_file(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"), name="takers.csv"),
                  sync=True)
    assert roster is not None and first is not None
    assert verdict(db, "History 4A", WINDOW_START)["status"] == "ready"
    undo(db, first)  # the roster still standing lists 'up': nothing changes
    assert store.role_counts(db=db, group="Class 4A") == {"SCAN_UPLOADER": 1, "TEST_TAKER": 2}
    assert verdict(db, "History 4A", WINDOW_START)["status"] == "ready"


def test_an_import_that_changed_nothing_holds_nothing_for_an_undo(db):
    """Documented (csv-rules, Undo): an import that changes nothing is not recorded, so a roster that only listed
    what was stored does not keep a link once the import that created it is undone."""
    load(db, sessions_file(session("History 4A")), links_file(("ana", "Class 4A", "TEST_TAKER")))
    first = load(db, links_file(("up", "Class 4A", "SCAN_UPLOADER")))
    assert load(db, links_file(("up", "Class 4A", "SCAN_UPLOADER"), ("ana", "Class 4A", "TEST_TAKER")),
                sync=True) is None
    assert first is not None
    undo(db, first)
    assert store.role_counts(db=db, group="Class 4A") == {"TEST_TAKER": 1}


def test_undoing_the_activity_import_takes_the_launch_back_and_a_re_import_restores_it(db):
    load(db, sessions_file(session("History 4A")),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")))
    row = ("History 4A", "ana", "http://www.tao.lu/Ontologies/TAODelivery.rdf#DeliveryExecutionStatusActive",
           "2028-06-12T07:01:00Z", "")
    imported = load(db, activity_file(row))
    assert verdict(db, "History 4A", WINDOW_START)["status"] == "ready"
    assert imported is not None
    undo(db, imported)
    assert verdict(db, "History 4A", WINDOW_START)["launched"] == "problem"
    load(db, activity_file(row))
    assert verdict(db, "History 4A", WINDOW_START)["status"] == "ready"


def test_an_older_export_imported_later_does_not_take_a_launch_back(db):
    ready_programme(db)
    load(db, activity_file(("History 4A", "ana", "Not started", "", "")))  # an export from before exam day
    assert verdict(db, "History 4A", WINDOW_START)["launched"] == "ok"


def test_one_user_with_two_roles_counts_once_in_each(db):
    load(db, sessions_file(session("History 4A")),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("ana", "Class 4A", "SCAN_UPLOADER"),
                    ("ana", "Class 4A", "GRADER")),
         activity_file(("History 4A", "ana", "COMPLETED", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")))
    entry = services.readiness_board(db=db, as_of=WINDOW_START).checklists[0]
    assert (entry.session.test_takers, entry.session.scan_uploaders, entry.session.started, entry.status) == (
        1, 1, 1, "ready")


def test_a_group_shared_by_two_sessions_keeps_each_sessions_launches_its_own(db):
    load(db, sessions_file(session("History 4A"), session("Maths 4A", session_deliveryId=MATHS)),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"),
                    ("up", "Class 4A", "SCAN_UPLOADER")),
         activity_file(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")))
    board = {c.session.session_name: c for c in services.readiness_board(db=db, as_of=WINDOW_START).checklists}
    assert {n: (c.session.test_takers, c.session.started, c.status) for n, c in board.items()} == {
        "History 4A": (2, 1, "ready"), "Maths 4A": (2, 0, "blocked")}


def test_a_tao_export_of_another_sessions_delivery_goes_to_that_session(db):
    load(db, sessions_file(session("History 4A"), session("Maths 4A", session_deliveryId=MATHS)),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")))
    portal = csv_bytes(("login", "sessionStartTime", "sessionEndTime", "deliveryId"), [
        {"login": "ana", "sessionStartTime": str(int(LAUNCH.timestamp())), "sessionEndTime": "",
         "deliveryId": "maths"},  # the last part of the Maths session's delivery URI
        {"login": "zed", "sessionStartTime": str(int(LAUNCH.timestamp())), "sessionEndTime": "",
         "deliveryId": "history"}])  # not enrolled anywhere: skipped with a warning
    outcome = services.import_files([("portal.csv", portal)], db=db, settings=Settings(), now=NOW)
    assert outcome.validation.valid and len(outcome.validation.reports[0].warnings) == 1
    db.commit()
    board = {c.session.session_name: c for c in services.readiness_board(db=db, as_of=WINDOW_START).checklists}
    assert {n: (c.session.started, c.status) for n, c in board.items()} == {
        "History 4A": (0, "blocked"), "Maths 4A": (1, "ready")}


def test_activity_of_users_not_enrolled_as_test_takers_launches_nothing(db):
    load(db, sessions_file(session("History 4A")),
         links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")),
         activity_file(("History 4A", "up", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z"),
                       ("History 4A", "zed", "Paused", "2028-06-12T07:01:00Z", "")))
    entry = services.readiness_board(db=db, as_of=WINDOW_START).checklists[0]
    assert (entry.session.started, entry.session.with_activity, entry.status) == (0, 0, "blocked")
    assert entry.items[2].detail.startswith("No activity is imported for this session yet")


# --- the CLI's JSON, the board and the session page agree ----------------------------------------------------------

def mixed_programme(db: Session) -> None:
    load(db, sessions_file(
        session("History 4A"), session("Maths 4A", session_deliveryId=MATHS),
        session("History 4B", "Class 4B", session_timezone="", session_submissionDate=""),
        session("Late 4C", "Class 4C", session_paperMode_scanUploadEndDate="2028-06-12T11:00:00Z",
                session_paperMode_scanUploadStartDate="2028-06-12T09:00:00Z"),
        session("Online 4D", "Class 4D", session_paperMode_isEnabled="0")),
        links_file(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER"),
                   ("bo", "Class 4B", "TEST_TAKER"), ("cy", "Class 4C", "TEST_TAKER"),
                   ("up", "Class 4C", "SCAN_UPLOADER")),
        activity_file(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z"),
                      ("History 4B", "bo", "in progress", "2028-06-12T11:00:00Z", ""),
                      ("Late 4C", "cy", "paused", "", "")))


MOMENTS = ["2028-06-12T07:01:00Z", "2028-06-12T11:00:00Z", "2028-06-13T06:00:00Z", "2028-06-27T18:00:00Z",
           "2028-06-12T13:00:00+02:00", "2028-06-12"]


def test_the_clis_json_is_the_boards_dict_at_each_moment(db, store_url, capsys):
    mixed_programme(db)
    for text in MOMENTS:
        assert main(["readiness", "--json", "--db", store_url, "--as-of", text]) == 0
        printed = orjson.loads(capsys.readouterr().out)
        board = services.readiness_board(db=db, as_of=services.parse_as_of(text))
        assert printed == board.to_dict()
        assert [s["session_name"] for s in printed["sessions"]] == sorted(
            (c.session.session_name for c in board.checklists),
            key=lambda n: next((STATUS_ORDER[c.status], c.session.scan_upload_end, n)
                               for c in board.checklists if c.session.session_name == n))
    assert "Online 4D" not in {s["session_name"] for s in printed["sessions"]}


def test_the_clis_json_fails_on_blocked_as_the_board_counts(db, store_url, capsys):
    mixed_programme(db)
    board = services.readiness_board(db=db, as_of=WINDOW_START)
    assert board.counts()["blocked"] >= 1
    assert main(["readiness", "--json", "--fail-on-blocked", "--db", store_url, "--as-of",
                 "2028-06-13T06:00:00Z"]) == 3
    assert orjson.loads(capsys.readouterr().out) == board.to_dict()


def test_the_json_written_in_pieces_equals_the_board_byte_for_byte_on_a_real_store(db):
    import io

    mixed_programme(db)
    for text in MOMENTS:
        moment = services.parse_as_of(text)
        out = io.BytesIO()
        counts = services.write_readiness_json(db=db, out=out, as_of=moment)
        board = services.readiness_board(db=db, as_of=moment)
        assert out.getvalue() == orjson.dumps(board.to_dict())
        assert counts == board.counts()


def test_each_session_page_says_what_the_board_says(db):
    mixed_programme(db)
    for text in MOMENTS:
        moment = services.parse_as_of(text)
        board = services.readiness_board(db=db, as_of=moment)
        for checklist in board.checklists:
            detail = services.session_detail(db=db, name=checklist.session.session_name, as_of=moment)
            assert detail is not None
            assert detail.checklist.to_dict() == checklist.to_dict()
            assert detail.roles.get("TEST_TAKER", 0) == checklist.session.test_takers
    assert services.session_detail(db=db, name="Online 4D", as_of=NOW) is None


def test_the_session_pages_statuses_as_of_before_and_after_a_launch(db):
    mixed_programme(db)
    before = services.session_detail(db=db, name="History 4A", as_of=LAUNCH - SECOND)
    during = services.session_detail(db=db, name="History 4A", as_of=LAUNCH)
    after = services.session_detail(db=db, name="History 4A", as_of=at("2028-06-12T08:00:00Z"))
    assert before is not None and during is not None and after is not None
    assert (before.statuses, during.statuses, after.statuses) == (
        {"not_started": 1}, {"in_progress": 1}, {"finished": 1})
    assert (before.checklist.session.started, during.checklist.session.started) == (0, 1)


# --- an independent reference --------------------------------------------------------------------------------------

BASE = at("2028-06-12T00:00:00Z")
POOL = [BASE + timedelta(hours=h) for h in range(0, 48, 6)]
WORDS = {"Not started": False, "not_attempted": False, "CANCELED": False, "Authorized": False, "Awaiting": False,
         "Active": True, "in progress": True, "INCOMPLETE": True, "paused": True, "Finished": True,
         "completed": True, "Awaiting scoring": True, "terminated": True,
         "http://www.tao.lu/Ontologies/TAODelivery.rdf#DeliveryExecutionStatusFinished": True,
         "http://www.tao.lu/Ontologies/TAODelivery.rdf#DeliveryExecutionStatusAuthorized": False}
ROLES = ("TEST_TAKER", "test_taker", "SCAN_UPLOADER", "Scan_Uploader", "GRADER", "BOOKLET_PUBLISHER")


def iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def programme(rng: random.Random, prefix: str) -> tuple[list[dict[str, str]], list[tuple[str, str, str]],
                                                           list[tuple[str, str, str, str, str]], dict[str, Any]]:
    """Random sessions, links and activity of a small programme, and the plain facts the reference reads."""
    groups = [f"{prefix}G{i}" for i in range(rng.randint(1, 3))]
    users = [f"{prefix}u{i}" for i in range(5)]
    sessions, facts = [], {}
    for i in range(rng.randint(1, 4)):
        name, group = f"{prefix}S{i}", rng.choice(groups)
        window = sorted(rng.sample(POOL, 2))
        submission = rng.choice([*POOL[:4], None]) if rng.random() < 0.9 else rng.choice(POOL)
        end = rng.choice([*POOL, None])
        sessions.append(session(name, group, session_deliveryId=f"https://tao.example.org/delivery/{prefix}{i}",
                                session_timezone=rng.choice(["", "UTC", "Europe/Brussels", "America/New_York"]),
                                session_startDate=iso(BASE - timedelta(days=1)), session_endDate=iso(end),
                                session_submissionDate=iso(submission),
                                session_paperMode_scanUploadStartDate=iso(window[0]),
                                session_paperMode_scanUploadEndDate=iso(window[1])))
        facts[name] = {"group": group, "end": end, "submission": submission, "window": window, "activity": []}
    links = {(rng.choice(users), rng.choice(groups), rng.choice(ROLES)) for _ in range(rng.randint(0, 8))}
    links |= {(rng.choice(users), group, rng.choice(ROLES[:4])) for group in groups for _ in range(3)
              if rng.random() < 0.8}
    links |= {(users[0], group, "TEST_TAKER") for group in groups if rng.random() < 0.8}
    activity = []
    links = sorted(links)
    for name in facts:
        for user in sorted({*rng.sample(users, rng.randint(0, 3)), *users[:1 if rng.random() < 0.6 else 0]}):
            word = rng.choice(list(WORDS))
            started = rng.choice([*POOL, None])
            finished = rng.choice([None, *(m for m in POOL if started is None or m >= started)])
            activity.append((name, user, word, iso(started), iso(finished)))
            facts[name]["activity"].append((user, WORDS[word], started or finished))
    facts["links"] = {(group, user, role.upper()) for user, group, role in links}
    return sessions, links, activity, facts


def reference_status(facts: dict[str, Any], name: str, as_of: datetime) -> tuple[str, dict[str, str]]:
    """The README's six rules, written out plainly."""
    s, links = facts[name], facts["links"]
    takers = {u for g, u, r in links if g == s["group"] and r == "TEST_TAKER"}
    uploaders = {u for g, u, r in links if g == s["group"] and r == "SCAN_UPLOADER"}
    launched = any(user in takers and launch and (began is None or began <= as_of)
                   for user, launch, began in s["activity"])
    deadline = s["submission"] or s["end"]
    start, end = s["window"]
    items = {
        "enrolment": "ok" if takers else "problem",
        "roles": "ok" if uploaders else "problem",
        "launched": "ok" if launched else "pending" if deadline is None or as_of < deadline else "problem",
        "submitted": ("problem" if s["submission"] is None else "ok" if s["submission"] <= as_of else "pending"),
        "window": "pending" if as_of < start else "ok" if as_of < end else "problem",
        "schedule": "problem" if s["submission"] is not None and end <= s["submission"] else "ok",
    }
    values = set(items.values())
    return ("blocked" if "problem" in values else "ready" if values == {"ok"} else "pending"), items


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_the_board_agrees_with_a_plain_reference_on_random_programmes(db, seed):
    rng = random.Random(seed)
    sessions, links, activity, facts = [], [], [], {"links": set()}
    for p in range(8):
        s, lk, ac, f = programme(rng, f"p{p}")
        sessions += s
        links += lk
        activity += ac
        facts["links"] |= f.pop("links")
        facts.update(f)
    files = [sessions_file(*sessions)]
    if links:
        files.append(links_file(*links))
    if activity:
        files.append(activity_file(*activity))
    load(db, *files)
    moments = sorted({*POOL, *(m - SECOND for m in POOL), *(m + SECOND for m in POOL)})
    compared = 0
    for moment in moments:
        board = services.readiness_board(db=db, as_of=moment)
        assert len(board.checklists) == len(sessions)
        for checklist in board.checklists:
            status, items = reference_status(facts, checklist.session.session_name, moment)
            found = {item.item: item.state for item in checklist.items}
            assert (checklist.status, found) == (status, items), (checklist.session.session_name, moment)
            compared += 1
    assert compared >= 300
    assert {c.status for m in POOL for c in services.readiness_board(db=db, as_of=m).checklists} == set(STATUS_ORDER)
