"""A hunt on time: daylight-saving changes (the spring gap, the autumn fold), local times of session files, activity
exports and scan logs, "as of" and filter boundaries, and relative wording across 23- and 25-hour days, on real
stores (SQLite, and PostgreSQL when it is there).

The tests hold and cover what the rest of the suite does not, seven of them since their bugs were fixed: the
start-date filter's day, "closing within" at the window's end, a zoneless file's window read in the stored zone, a
local time in the clock change's gap or fold now said in a warning, an as-of in the fold on the page, which kept its
moment only until the next rerun, a finish refused across the autumn fold, and two moments of the fold worded
alike.

Europe/Paris in 2027: clocks go forward on 28 March at 02:00 (01:00Z: 02:00 to 02:59 local do not exist) and back
on 31 October at 03:00 (01:00Z: 02:00 to 02:59 local happen twice, first at +02:00 then at +01:00).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from dashboard import services, store
from dashboard.config import Settings
from dashboard.db import make_engine, migrate
from dashboard.ingest.values import clock_change_warning
from dashboard.services import Filters, ImportOptions
from dashboard.ui.tables import dates_line
from tests.factories import ACTIVITY, EXISTING_GROUPS, LINKS, NEW_GROUPS, csv_bytes, scans_csv, session

NOW = datetime(2027, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
PARIS = "Europe/Paris"
ZONELESS = tuple(c for c in EXISTING_GROUPS if c != "session_timezone")

File = tuple[str, bytes]


def at(text_: str) -> datetime:
    return datetime.fromisoformat(text_.replace("Z", "+00:00")).astimezone(UTC)


def load(db: Session, *files: File) -> None:
    outcome = services.import_files(list(files), db=db, settings=Settings(), now=NOW, options=ImportOptions())
    assert outcome.validation.valid, outcome.validation.to_dict()
    db.commit()


def validate(db: Session, *files: File) -> services.Validation:
    return services.validate_files(list(files), db=db, settings=Settings(), now=NOW)


def sessions(*rows: dict[str, str], columns: tuple[str, ...] = NEW_GROUPS) -> File:
    return "s.csv", csv_bytes(columns, rows)


def links(*rows: tuple[str, str, str]) -> File:
    return "l.csv", csv_bytes(LINKS, [dict(zip(LINKS, row, strict=True)) for row in rows])


def activity(*rows: tuple[str, str, str, str, str]) -> File:
    return "a.csv", csv_bytes(ACTIVITY, [dict(zip(ACTIVITY, row, strict=True)) for row in rows])


def paris(name: str, group: str = "Class 4A", **values: str) -> dict[str, str]:
    """A paper session in Paris around the autumn change: exam on Saturday 30 October, window open for weeks."""
    return session(name, group, **{"session_timezone": PARIS, "session_startDate": "2027-10-30T07:00:00Z",
                                   "session_endDate": "2027-10-30T10:00:00Z",
                                   "session_submissionDate": "2027-10-30T11:00:00Z",
                                   "session_paperMode_scanUploadStartDate": "2027-10-30T12:00:00Z",
                                   "session_paperMode_scanUploadEndDate": "2027-11-20T17:00:00Z", **values})


def warnings(validation: services.Validation) -> list[tuple[str, str | None, str]]:
    """Every warning's file, column and message (not its value: the value is the text of the file)."""
    return sorted((r.file, p.column, p.message) for r in validation.reports for p in r.warnings)


def errors(validation: services.Validation) -> list[tuple[int | None, str | None, str]]:
    return sorted((p.line, p.column, p.message) for r in validation.reports for p in r.errors)


def checklist_item(db: Session, name: str, as_of: datetime, item: str) -> tuple[str, str]:
    board = services.readiness_board(db=db, as_of=as_of, names=[name])
    found = next(i for i in board.checklists[0].items if i.item == item)
    return found.state, found.detail


# --- local times the clock change skips or repeats ----------------------------------------------------------------

def _session_with(value: str) -> list[File]:
    return [sessions(paris("History 4A", session_submissionDate=value))]


def _activity_with(value: str) -> list[File]:
    return [sessions(paris("History 4A")), links(("ana", "Class 4A", "TEST_TAKER")),
            activity(("History 4A", "ana", "in progress", value, ""))]


def _scans_with(value: str) -> list[File]:
    return [sessions(paris("History 4A")), ("log.csv", scans_csv({"session_name": "History 4A", "pages": "6",
                                                                   "received_at": value}))]


@pytest.mark.parametrize(("build", "value"), [
    # 02:30 does not exist on 28 March: stored as 01:30Z, and the checklist then says "03:30", a time the file never
    # gave; the only warning is the usual "have no time zone".
    (_session_with, "2027-03-28T02:30:00"),
    # 02:30 happens twice on 31 October: the first (00:30Z) is taken. A submission meant at the second is "ok" an
    # hour early: a false green between 00:30Z and 01:30Z.
    (_session_with, "2027-10-31T02:30:00"),
    # A launch at 02:30 on the autumn night counts from 00:30Z: the board at 01:00Z says launched, maybe too early.
    (_activity_with, "2027-10-31T02:30:00"),
    # A night batch of the scanning centre at 02:30: its pages count an hour before they may have come.
    (_scans_with, "2027-10-31T02:30:00"),
], ids=["session-spring-gap", "session-autumn-fold", "activity-autumn-fold", "scans-autumn-fold"])
def test_a_local_time_the_clock_change_skips_or_repeats_is_said(db, build: Callable[[str], list[File]], value: str):
    ordinary = value.replace("T02:30", "T04:30")  # the same day, an hour that happens once
    assert warnings(validate(db, *build(value))) != warnings(validate(db, *build(ordinary)))


def test_a_finish_after_a_start_only_across_the_autumn_fold_is_not_refused(db):
    # 02:30 CEST (00:30Z) to 02:10 CET (01:10Z): a 40-minute test, and the only reading in which the row is possible.
    # Found: refused as "finished_at is before started_at", and the whole import with it (fixed in session 24).
    files = (sessions(paris("History 4A")), links(("ana", "Class 4A", "TEST_TAKER")),
             activity(("History 4A", "ana", "finished", "2027-10-31T02:30:00", "2027-10-31T02:10:00")))
    assert errors(validate(db, *files)) == []
    load(db, *files)
    stored = db.execute(text("SELECT started_at, finished_at FROM activity")).one()
    assert [str(moment)[:19] for moment in stored] == ["2027-10-31 00:30:00", "2027-10-31 01:10:00"]


@pytest.mark.parametrize(("start", "finish"), [
    ("2027-10-24T02:30:00", "2027-10-24T02:10:00"),  # a week before: 02:10 happens once
    ("2027-10-31T02:30:00", "2027-10-31T01:50:00"),  # the autumn night, but 01:50 happens once
])
def test_a_finish_before_its_start_outside_the_fold_is_still_refused(db, start, finish):
    """No reading puts these finishes after their starts: refused once both are placed in the session's zone."""
    found = errors(validate(db, sessions(paris("History 4A")), links(("ana", "Class 4A", "TEST_TAKER")),
                            activity(("History 4A", "ana", "finished", start, finish))))
    assert [(column, message) for _, column, message in found] == [
        ("finished_at", f"finished_at is before started_at ({start}) once read in the session's time zone.")]


# --- a file without session_timezone, read in the stored session's zone -------------------------------------------

@pytest.mark.parametrize(("zone", "opens", "closes"), [
    # New York (-4 in late March): opens 20:00 local = 00:00Z on the 18th, after its end 23:00Z on the 17th. Read in
    # UTC the file looked right, so it is stored: "opens in 2 hours", then "closed" without ever opening.
    ("America/New_York", "2027-03-17T20:00:00", "2027-03-17T23:00:00Z"),
    # Tokyo (+9): opens 08:00 local = 23:00Z on the 16th, closes 02:00Z on the 17th (11:00 local): a valid window,
    # refused as "must end after it starts" because 08:00 was read as 08:00Z.
    ("Asia/Tokyo", "2027-03-17T08:00:00", "2027-03-17T02:00:00Z"),
], ids=["stored-backwards", "refused-valid"])
def test_a_zoneless_files_window_is_checked_in_the_stored_zone_as_a_zoned_file_is(db, zone, opens, closes):
    dates = {"session_startDate": "2027-03-16T12:00:00Z", "session_endDate": "2027-03-16T14:00:00Z",
             "session_submissionDate": "2027-03-16T15:00:00Z"}
    load(db, sessions(session("History 4A", session_timezone=zone, **dates)))
    row = session("History 4A", session_timezone=zone, session_paperMode_scanUploadStartDate=opens,
                  session_paperMode_scanUploadEndDate=closes, **dates)
    zoned = validate(db, sessions(row, columns=EXISTING_GROUPS))
    zoneless = validate(db, sessions(row, columns=ZONELESS))
    assert errors(zoneless) == errors(zoned)


def test_a_zoneless_files_time_in_the_stored_zones_fold_is_said_at_its_line(db):
    load(db, sessions(paris("History 4A"), paris("History 4B", "Class 4B")))
    fold = paris("History 4B", "Class 4B", session_submissionDate="2027-10-31T02:30:00")
    validation = validate(db, sessions(paris("History 4A"), fold, columns=ZONELESS))
    said = [(p.line, p.column, p.value, p.message) for p in validation.reports[0].warnings
            if "clock change" in p.message]
    assert said == [(3, "session_submissionDate", "2027-10-31T02:30:00", clock_change_warning(1))]  # as in the file
    assert validation.valid


# --- the overview's filters -----------------------------------------------------------------------------------------

def test_the_start_date_filter_reads_each_start_on_the_day_its_session_shows(db):
    load(db, sessions(
        session("Early Paris", "Class 4A", session_timezone=PARIS, session_startDate="2027-03-16T00:30:00",
                session_endDate="2027-03-16T03:00:00"),  # 15 Mar 23:30Z
        session("Morning Paris", "Class 4B", session_timezone=PARIS, session_startDate="2027-03-16T09:00:00",
                session_endDate="2027-03-16T11:00:00"),
        session("Evening LA", "Class 4C", session_timezone="America/Los_Angeles",
                session_startDate="2027-03-15T18:00:00", session_endDate="2027-03-15T20:00:00")))  # 16 Mar 01:00Z
    board = services.readiness_board(db=db, as_of=at("2027-03-20T00:00:00Z"))
    early = next(c.session for c in board.checklists if c.session.session_name == "Early Paris")
    assert dates_line(early).startswith("starts 16 Mar 2027 00:30 Europe/Paris")  # what its session page shows
    day = date(2027, 3, 16)
    found = services.filter_board(board, Filters(starts_from=day, starts_to=day))
    assert sorted(c.session.session_name for c in found.checklists) == ["Early Paris", "Morning Paris"]


def _blocked_closing(db: Session) -> datetime:
    """A session blocked (nobody can upload) whose window closes 20 Nov 2027 17:00Z; returns that moment."""
    load(db, sessions(paris("History 4A")), links(("ana", "Class 4A", "TEST_TAKER")),
         activity(("History 4A", "ana", "finished", "2027-10-30T07:05:00Z", "2027-10-30T08:00:00Z")))
    return at("2027-11-20T17:00:00Z")


def _closing(db: Session, as_of: datetime, days: int) -> list[str]:
    board = services.readiness_board(db=db, as_of=as_of)
    return [c.session.session_name for c in services.filter_board(board, Filters(closing_within_days=days)).checklists]


def test_closing_within_n_days_reaches_exactly_n_24_hour_days_ahead(db):
    closes = _blocked_closing(db)
    assert _closing(db, closes - timedelta(days=3), 3) == ["History 4A"]  # the horizon is inclusive
    assert _closing(db, closes - timedelta(days=3) - SECOND, 3) == []
    assert _closing(db, closes - SECOND, 1) == ["History 4A"]  # the last second of the window


def test_a_window_that_closed_at_the_as_of_is_not_closing_within_n_days(db):
    closes = _blocked_closing(db)
    assert checklist_item(db, "History 4A", closes, "window")[0] == "problem"  # closed, by the checklist
    assert _closing(db, closes, 3) == []


# --- the as-of picked in a zone ------------------------------------------------------------------------------------

def _overview_in_the_fold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The overview at the second 02:30 in Paris (01:30Z) of a store whose History 4A is submitted at 01:00Z: its
    submission pending at 00:30Z (the first 02:30), ok at 01:30Z; run once."""
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("SCANREADY_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as db:
        load(db, sessions(paris("History 4A", session_submissionDate="2027-10-31T01:00:00Z")))
    engine.dispose()
    app = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py"), default_timeout=60)
    app._page_hash = calc_hash("overview")
    app.query_params.update({"as_of": "2027-10-31T01:30Z", "zone": PARIS})
    return app.run()


def test_an_as_of_in_the_autumn_fold_keeps_its_moment_when_a_filter_changes(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch):
    app = _overview_in_the_fold(tmp_path, monkeypatch)
    assert app.dataframe[0].value["submitted"].tolist() == ["ok"]
    app.multiselect(key="status").select("blocked").run()
    assert (app.query_params["as_of"], app.dataframe[0].value["submitted"].tolist()) == ("2027-10-31T01:30Z", ["ok"])


def test_an_as_of_in_the_autumn_fold_keeps_its_moment_in_another_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The second 02:30 in Paris (01:30Z), shown in UTC after the manager picks that zone: 01:30, not 00:30."""
    app = _overview_in_the_fold(tmp_path, monkeypatch)
    app.multiselect(key="status").select("blocked").run()  # a rerun: the widget's value comes back without its fold
    app.selectbox(key="as_of_zone").select("UTC").run()
    assert app.query_params["as_of"] == "2027-10-31T01:30Z"
    assert app.session_state["as_of"] == datetime(2027, 10, 31, 1, 30)
    assert app.dataframe[0].value["submitted"].tolist() == ["ok"]


# --- wording across the change ------------------------------------------------------------------------------------

def test_the_schedules_two_moments_in_the_autumn_fold_read_differently(db):
    """Found: the schedule's problem said the window closes "02:30, 1 hour before the submission date (02:30)": a
    local time was written without its offset (fixed in session 24: a repeated time says which it is)."""
    load(db, sessions(paris("History 4A", session_submissionDate="2027-10-31T01:30:00Z",  # the second 02:30
                            session_paperMode_scanUploadStartDate="2027-10-30T12:00:00Z",
                            session_paperMode_scanUploadEndDate="2027-10-31T00:30:00Z")))  # the first 02:30
    state, detail = checklist_item(db, "History 4A", at("2027-10-30T12:00:00Z"), "schedule")
    assert state == "problem" and "1 hour before the submission date" in detail
    assert "31 Oct 2027 02:30 (UTC+02:00) Europe/Paris" in detail, detail  # the window's end, the first 02:30
    assert "31 Oct 2027 02:30 (UTC+01:00) Europe/Paris" in detail, detail  # the submission date, the second


@pytest.mark.parametrize(("as_of", "opens", "said"), [
    # Saturday 08:00 CET to Tuesday 08:00 CEST: 71 hours, three days on the calendar.
    ("2027-03-27T07:00:00Z", "2027-03-30T08:00:00", "30 Mar 2027 08:00 Europe/Paris, in 3 days."),
    # Saturday 08:00 CEST to Tuesday 08:00 CET: 73 hours.
    ("2027-10-30T06:00:00Z", "2027-11-02T08:00:00", "2 Nov 2027 08:00 Europe/Paris, in 3 days."),
    # Saturday 08:00 to Sunday 08:00 across the spring change: 23 hours, said in hours, not "in 1 day".
    ("2027-03-27T07:00:00Z", "2027-03-28T08:00:00", "28 Mar 2027 08:00 Europe/Paris, in 23 hours."),
])
def test_a_window_opening_days_ahead_across_a_change_reads_in_calendar_days(db, as_of, opens, said):
    load(db, sessions(paris("History 4A", session_startDate="2027-03-01T07:00:00Z",
                            session_endDate="2027-03-01T10:00:00Z", session_submissionDate="2027-03-01T11:00:00Z",
                            session_paperMode_scanUploadStartDate=opens,
                            session_paperMode_scanUploadEndDate="2027-12-01T00:00:00Z")))
    assert checklist_item(db, "History 4A", at(as_of), "window") == (
        "pending", f"The scan upload window opens {said}")


# --- local scan times and the store's own zone ----------------------------------------------------------------------

def test_a_scan_logs_local_time_on_the_spring_night_counts_from_its_utc_moment_and_day(db):
    load(db, sessions(paris("History 4A", session_submissionDate="2027-03-27T11:00:00Z",
                            session_startDate="2027-03-27T07:00:00Z", session_endDate="2027-03-27T10:00:00Z",
                            session_paperMode_scanUploadStartDate="2027-03-27T12:00:00Z",
                            session_paperMode_scanUploadEndDate="2027-04-20T17:00:00Z")),
         ("log.csv", scans_csv({"session_name": "History 4A", "pages": "6", "received_at": "2027-03-28T03:30:00"},
                               {"session_name": "History 4A", "pages": "2", "received_at": "2027-03-28T01:30:00"})))
    # 01:30 CET = 00:30Z; 03:30 CEST = 01:30Z: an hour apart, on the same UTC day.
    came = at("2027-03-28T01:30:00Z")
    before, after = (services.receipt_board(db=db, as_of=m).by_name()["History 4A"].receipt.received
                     for m in (came - SECOND, came))
    assert (before, after) == (2, 8)
    assert store.received_per_day(db=db, as_of=came) == {date(2027, 3, 28): 8}


def test_the_connections_own_time_zone_moves_no_verdict_and_no_day(db):
    """PostgreSQL gives timestamptz in the connection's TimeZone; a server set to +14 must change nothing."""
    load(db, sessions(paris("History 4A", session_submissionDate="2027-10-31T01:00:00Z")),
         links(("ana", "Class 4A", "TEST_TAKER")),
         activity(("History 4A", "ana", "in progress", "2027-10-30T23:30:00Z", "")),
         ("log.csv", scans_csv({"session_name": "History 4A", "pages": "3", "received_at": "2027-10-31T23:59:59Z"},
                               {"session_name": "History 4A", "pages": "4", "received_at": "2027-11-01T00:00:00Z"})))
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET TIME ZONE 'Pacific/Kiritimati'"))
    submitted = at("2027-10-31T01:00:00Z")
    assert [checklist_item(db, "History 4A", m, "submitted")[0] for m in (submitted - SECOND, submitted)] == [
        "pending", "ok"]
    launch = at("2027-10-30T23:30:00Z")
    assert [services.readiness_board(db=db, as_of=m).checklists[0].session.started
            for m in (launch - SECOND, launch)] == [0, 1]
    assert store.received_per_day(db=db, as_of=at("2027-11-02T00:00:00Z")) == {
        date(2027, 10, 31): 3, date(2027, 11, 1): 4}
    batches = services.session_batches(db=db, name="History 4A")
    assert [b.received_at for b in batches] == [at("2027-10-31T23:59:59Z"), at("2027-11-01T00:00:00Z")]
    assert all(b.received_at.utcoffset() == timedelta(0) for b in batches)
