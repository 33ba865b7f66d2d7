"""Real TAO data in, verdicts a manager can trust (SQLite and PostgreSQL): TAO's exports imported end to end, a
time-true as-of, complete rosters, the delivery of a launched session, TAO's roles, and the checks across the
files of one upload."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard import services
from dashboard.cli import main
from dashboard.config import Settings
from dashboard.services import ImportOptions
from tests.conftest import read
from tests.factories import ACTIVITY, LATER, LINKS, NEW_GROUPS, csv_bytes, session

HISTORY = "https://tao.example.org/delivery/history"
MONDAY, TUESDAY_9, TUESDAY_10 = (datetime(2027, 3, 15, 12, tzinfo=UTC), datetime(2027, 3, 16, 9, tzinfo=UTC),
                                 datetime(2027, 3, 16, 10, tzinfo=UTC))


def sessions(*rows: dict[str, str]) -> tuple[str, bytes]:
    return "sessions.csv", csv_bytes(NEW_GROUPS, rows)


def links(*rows: tuple[str, str, str], name: str = "links.csv") -> tuple[str, bytes]:
    return name, csv_bytes(LINKS, [dict(zip(LINKS, row, strict=True)) for row in rows])


def activity(*rows: tuple[str, str, str, str, str]) -> tuple[str, bytes]:
    return "activity.csv", csv_bytes(ACTIVITY, [dict(zip(ACTIVITY, row, strict=True)) for row in rows])


def exam(name: str, group: str = "Class 4A", **values: str) -> dict[str, str]:
    """A paper session of the History delivery on Tuesday 16 March 2027, submitted at 11:00 UTC."""
    return session(name, group, **{
        "session_deliveryId": HISTORY, "session_timezone": "Europe/Paris",
        "session_startDate": "2027-03-16T08:00:00Z", "session_endDate": "2027-03-16T10:00:00Z",
        "session_submissionDate": "2027-03-16T11:00:00Z",
        "session_paperMode_scanUploadStartDate": "2027-03-17T06:00:00Z",
        "session_paperMode_scanUploadEndDate": "2027-03-31T18:00:00Z", **values})


def load(db, *files, options: ImportOptions | None = None):
    outcome = services.import_files(list(files), db=db, settings=Settings(), options=options or ImportOptions(),
                                    now=datetime(2027, 3, 1, tzinfo=UTC))
    assert outcome.validation.valid, outcome.validation.to_dict()
    db.commit()
    return outcome


CLASS_4A = links(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"), ("cy", "Class 4A", "TEST_TAKER"),
                 ("up", "Class 4A", "SCAN_UPLOADER"))


def launched(db, as_of: datetime) -> dict[str, tuple[int, str]]:
    board = services.readiness_board(db=db, as_of=as_of)
    return {c.session.session_name: (c.session.started, next(i.state for i in c.items if i.item == "launched"))
            for c in board.checklists}


@pytest.mark.parametrize("export", ["tao_portal_results.csv", "tao_delivery_executions.csv"])
def test_an_export_of_tao_imported_with_its_sessions_and_links_shows_who_launched(db, export):
    """Rows are placed by login (and delivery id): Ana finished, Bo started, Cy did not; Zoe (a digital
    session's test-taker in the Portal's file) is skipped with a warning."""
    delivery = "d-history" if export == "tao_portal_results.csv" else HISTORY
    outcome = load(db, sessions(exam("History 4A", session_deliveryId=delivery)), CLASS_4A,
                   (export, read(export)))
    report = outcome.validation.reports[2]
    assert report.template in ("tao-portal-session-results", "tao-delivery-executions")
    assert outcome.by_kind["activity"].created == 3
    assert launched(db, LATER) == {"History 4A": (2, "ok")}
    detail = services.session_detail(db=db, name="History 4A", as_of=LATER)
    assert detail is not None
    assert detail.statuses == {"finished": 1, "in_progress": 1, "not_started": 1}
    assert detail.activity_imported_at == datetime(2027, 3, 1, tzinfo=UTC)


def test_the_results_table_is_read_in_the_sessions_zone(db):
    """09:05 in Paris is 08:05 UTC: at 08:04 UTC nobody had begun, at 08:05 Ana had."""
    load(db, sessions(exam("History 4A")), CLASS_4A)
    load(db, ("results.csv", read("tao_results_table.csv")),
         options=ImportOptions(sessions={"results.csv": "History 4A"}))
    assert launched(db, datetime(2027, 3, 16, 8, 4, tzinfo=UTC))["History 4A"][0] == 0
    assert launched(db, datetime(2027, 3, 16, 8, 5, tzinfo=UTC))["History 4A"][0] == 1


def test_looking_back_at_monday_shows_monday(db):
    """A launch counts only once it has begun: Monday's board does not know Tuesday's launches, and neither does
    the session page's activity by status."""
    load(db, sessions(exam("History 4A")), CLASS_4A,
         activity(("History 4A", "ana", "finished", "2027-03-16T08:05:00Z", "2027-03-16T09:30:00Z"),
                  ("History 4A", "bo", "in_progress", "2027-03-16T09:30:00Z", ""),
                  ("History 4A", "cy", "Not started", "", "")))
    assert launched(db, MONDAY) == {"History 4A": (0, "pending")}
    assert launched(db, TUESDAY_9) == {"History 4A": (1, "ok")}
    assert launched(db, TUESDAY_10) == {"History 4A": (2, "ok")}
    board = services.readiness_board(db=db, as_of=MONDAY)
    assert board.checklists[0].started_sheets == 0
    detail = services.session_detail(db=db, name="History 4A", as_of=TUESDAY_9)
    assert detail is not None
    assert detail.statuses == {"in_progress": 1, "not_started": 2}  # Ana had not finished yet, Bo not begun


def test_the_json_of_a_day_before_is_the_board_of_that_day(db, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    files = [sessions(exam("History 4A")), CLASS_4A,
             activity(("History 4A", "ana", "finished", "2027-03-16T08:05:00Z", "2027-03-16T09:30:00Z"))]
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    assert main(["import", *(str(tmp_path / n) for n, _ in files), "--db", url]) == 0
    capsys.readouterr()
    assert main(["readiness", "--db", url, "--as-of", "2027-03-15T12:00:00Z", "--json"]) == 0
    assert '"launched":0' in capsys.readouterr().out
    assert main(["readiness", "--db", url, "--as-of", "2027-03-16T12:00:00Z", "--json"]) == 0
    assert '"launched":1' in capsys.readouterr().out


def test_no_activity_imported_reads_apart_from_none_started(db):
    load(db, sessions(exam("History 4A"), exam("History 4B", group="Class 4B")), CLASS_4A,
         links(("dee", "Class 4B", "TEST_TAKER"), name="b.csv"))
    details = {c.session.session_name: next(i.detail for i in c.items if i.item == "launched")
               for c in services.readiness_board(db=db, as_of=TUESDAY_9).checklists}
    assert details["History 4A"].startswith("No activity is imported for this session yet;")
    load(db, activity(("History 4A", "ana", "Not started", "", "")))
    details = {c.session.session_name: next(i.detail for i in c.items if i.item == "launched")
               for c in services.readiness_board(db=db, as_of=TUESDAY_9).checklists}
    assert details["History 4A"].startswith("None of the 3 enrolled test-takers has started the test;")


def test_a_complete_roster_removes_the_only_scan_uploader_and_the_check_turns_red(db):
    """The issue's false green: re-importing a link file without the only SCAN_UPLOADER line must take it off."""
    load(db, sessions(exam("History 4A")), CLASS_4A)
    without = links(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"),
                    ("cy", "Class 4A", "TEST_TAKER"))
    plain = load(db, without)
    assert plain.import_id is None  # links only add: nothing changed
    roles = {c.session.session_name: next(i.state for i in c.items if i.item == "roles")
             for c in services.readiness_board(db=db, as_of=TUESDAY_9).checklists}
    assert roles == {"History 4A": "ok"}

    preview = services.validate_files([without], settings=Settings(), db=db, options=ImportOptions(sync_links=True))
    assert preview.roster is not None and preview.roster.losses == {"Class 4A": 1}
    assert preview.to_dict()["links_removed_by_group"] == {"Class 4A": 1}
    db.rollback()
    synced = load(db, without, options=ImportOptions(sync_links=True))
    assert synced.to_dict()["imported"]["enrolments"]["removed"] == 1
    roles = {c.session.session_name: next(i.state for i in c.items if i.item == "roles")
             for c in services.readiness_board(db=db, as_of=TUESDAY_9).checklists}
    assert roles == {"History 4A": "problem"}


def test_a_launched_sessions_delivery_cannot_change(db):
    load(db, sessions(exam("History 4A"), exam("History 4B", group="Class 4B")), CLASS_4A,
         activity(("History 4A", "ana", "finished", "2027-03-16T08:05:00Z", "")))
    moved = sessions(exam("History 4A", session_deliveryId="https://tao.example.org/delivery/maths"),
                     exam("History 4B", group="Class 4B", session_deliveryId="https://tao.example.org/delivery/maths"))
    outcome = services.import_files([moved], db=db, settings=Settings())
    assert [(p.line, p.column, p.value) for p in outcome.validation.reports[0].errors] == [
        (2, "session_deliveryId", "https://tao.example.org/delivery/maths")]
    assert "has been launched" in outcome.validation.reports[0].errors[0].message
    assert outcome.import_id is None
    db.rollback()
    # History 4B has not been launched: its delivery may change (alone).
    load(db, sessions(exam("History 4B", group="Class 4B", session_deliveryId="https://tao.example.org/delivery/maths")))


def test_a_data_explorer_viewer_is_kept_and_counts_for_nothing(db):
    outcome = load(db, sessions(exam("History 4A")),
                   links(("ana", "Class 4A", "TEST_TAKER"), ("viewer", "Class 4A", "DATA_EXPLORER"),
                         ("boss", "Class 4A", "data_explorer")))
    assert outcome.by_kind["enrolments"].created == 3
    detail = services.session_detail(db=db, name="History 4A", as_of=TUESDAY_9)
    assert detail is not None
    assert detail.roles == {"DATA_EXPLORER": 2, "TEST_TAKER": 1}
    assert (detail.checklist.session.test_takers, detail.checklist.session.scan_uploaders) == (1, 0)


def test_checks_across_files_use_the_valid_rows_of_a_file_with_an_error(db):
    """The issue's false warning: a session file with one bad line next to good link and activity files."""
    bad = sessions(exam("History 4A"), exam("History 4B", group="Class 4B", session_paperMode_sheetsPerInteraction="0"))
    validation = services.validate_files(
        [bad, CLASS_4A, activity(("History 4A", "ana", "finished", "2027-03-16T08:05:00Z", ""))],
        settings=Settings(), db=db)
    sessions_report, links_report, activity_report = validation.reports
    assert [(p.line, p.column) for p in sessions_report.errors] == [(3, "session_paperMode_sheetsPerInteraction")]
    assert links_report.warnings == [] and activity_report.warnings == []  # History 4A and Class 4A are known
    assert not validation.valid
