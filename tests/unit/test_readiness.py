"""The readiness checklist: every state of every item, each boundary exactly, the wording a manager reads.

Tables of inputs and literal expected outputs. One base session is ready at ``AS_OF``; each case changes
only what it is about (``snap(...)``), so a case that passes for the wrong reason shows up in its detail text.
"""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dashboard import readiness, tao, wording
from dashboard.readiness import (
    ITEMS,
    Checklist,
    Item,
    SessionSnapshot,
    State,
    evaluate_checklist,
    expected_sheets,
    overall_status,
    scan_window_state,
)
from dashboard.wording import format_moment, format_relative
from tests.factories import at

SECOND = timedelta(seconds=1)
# Early March 2027: Paris is on CET (UTC+1). Every date below is UTC; details show Paris time.
START = at("2027-03-01T07:00:00Z")  # 08:00 Paris
END = at("2027-03-01T10:00:00Z")  # 11:00 Paris
SUBMISSION = at("2027-03-01T11:00:00Z")  # 12:00 Paris
SCAN_START = at("2027-03-02T06:00:00Z")  # 07:00 Paris, after the submission: no warning
SCAN_END = at("2027-03-20T18:00:00Z")  # 19:00 Paris
AS_OF = at("2027-03-10T12:00:00Z")  # window open, session submitted: the base session is ready

BASE = SessionSnapshot(
    session_name="Maths 4A", group_name="Class 4A", delivery_id="https://tao.example.org/delivery/maths",
    timezone="Europe/Paris", start_date=START, end_date=END, submission_date=SUBMISSION,
    scan_upload_start=SCAN_START, scan_upload_end=SCAN_END, sheets_per_interaction=1, total_interactions=4,
    test_takers=25, scan_uploaders=2, started=20, with_activity=25,
)


def snap(**changes: Any) -> SessionSnapshot:
    return replace(BASE, **changes)


def item(checklist: Checklist, name: str) -> Item:
    (found,) = [i for i in checklist.items if i.item == name]
    return found


def states(checklist: Checklist) -> dict[str, str]:
    return {i.item: i.state for i in checklist.items}


def test_base_session_is_ready_with_every_item_ok() -> None:
    checklist = evaluate_checklist(BASE, AS_OF)
    assert checklist.status == "ready"
    assert states(checklist) == dict.fromkeys(ITEMS, "ok")
    assert checklist.warnings == ()


@pytest.mark.parametrize("snapshot", [BASE, snap(timezone=None, start_date=None, end_date=None, submission_date=None,
                                                 scan_upload_start=None, scan_upload_end=None, test_takers=0,
                                                 scan_uploaders=0, started=0, with_activity=0)])
def test_items_come_in_items_order(snapshot: SessionSnapshot) -> None:
    assert [i.item for i in evaluate_checklist(snapshot, AS_OF).items] == list(ITEMS)
    assert ITEMS == ("enrolment", "roles", "launched", "submitted", "window", "schedule")


@pytest.mark.parametrize("test_takers,state,detail", [
    (0, "problem", "No test-taker is enrolled in group Class 4A: add test-takers with the TEST_TAKER role."),
    (1, "ok", "1 test-taker is enrolled in group Class 4A."),
    (25, "ok", "25 test-takers are enrolled in group Class 4A."),
    (1234, "ok", "1,234 test-takers are enrolled in group Class 4A."),
])
def test_enrolment(test_takers: int, state: str, detail: str) -> None:
    launched = min(BASE.started, test_takers)
    found = item(evaluate_checklist(snap(test_takers=test_takers, started=launched), AS_OF), "enrolment")
    assert (found.state, found.detail) == (state, detail)


@pytest.mark.parametrize("scan_uploaders,state,detail", [
    (0, "problem", "No one in group Class 4A can upload scans: add a SCAN_UPLOADER."),
    (1, "ok", "1 person in group Class 4A can upload scans."),
    (3, "ok", "3 people in group Class 4A can upload scans."),
])
def test_roles(scan_uploaders: int, state: str, detail: str) -> None:
    found = item(evaluate_checklist(snap(scan_uploaders=scan_uploaders), AS_OF), "roles")
    assert (found.state, found.detail) == (state, detail)


NO_LAUNCH = "None of the 25 enrolled test-takers has started the test"
NO_ACTIVITY = "No activity is imported for this session yet"


@pytest.mark.parametrize("changes,as_of,state,detail", [
    ({}, AS_OF, "ok", "20 of 25 enrolled test-takers have started the test."),
    ({"started": 1}, AS_OF, "ok", "1 of 25 enrolled test-takers has started the test."),
    ({"started": 1, "test_takers": 1}, AS_OF, "ok", "1 of 1 enrolled test-taker has started the test."),
    # A launch is ok whatever the dates, even long after the deadline or with none.
    ({"started": 1, "submission_date": None, "end_date": None}, at("2099-01-01T00:00:00Z"), "ok",
     "1 of 25 enrolled test-takers has started the test."),
    # No launch: pending before the submission date, a problem from it (exactly at it, too).
    ({"started": 0}, SUBMISSION - 2 * SECOND, "pending",
     f"{NO_LAUNCH}; the session's submission date is 1 Mar 2027 12:00 Europe/Paris, in under a minute."),
    ({"started": 0}, SUBMISSION - timedelta(days=3), "pending",
     f"{NO_LAUNCH}; the session's submission date is 1 Mar 2027 12:00 Europe/Paris, in 3 days."),
    ({"started": 0}, SUBMISSION, "problem",
     f"{NO_LAUNCH}, and the session's submission date has passed: 1 Mar 2027 12:00 Europe/Paris, just now."),
    ({"started": 0}, AS_OF, "problem",
     f"{NO_LAUNCH}, and the session's submission date has passed: 1 Mar 2027 12:00 Europe/Paris, 9 days ago."),
    # The submission date wins over the end date: after the end but before submission is still pending.
    ({"started": 0}, END + timedelta(minutes=30), "pending",
     f"{NO_LAUNCH}; the session's submission date is 1 Mar 2027 12:00 Europe/Paris, in 30 minutes."),
    # Without a submission date, the end date is the deadline.
    ({"started": 0, "submission_date": None}, END - SECOND, "pending",
     f"{NO_LAUNCH}; the session's end date is 1 Mar 2027 11:00 Europe/Paris, in under a minute."),
    ({"started": 0, "submission_date": None}, END, "problem",
     f"{NO_LAUNCH}, and the session's end date has passed: 1 Mar 2027 11:00 Europe/Paris, just now."),
    # Neither date: the session cannot be late, so it stays pending, even decades on.
    ({"started": 0, "submission_date": None, "end_date": None}, at("2099-01-01T00:00:00Z"), "pending",
     f"{NO_LAUNCH}; the session has no end or submission date to be late by."),
    # No activity imported at all reads differently from activity without launches; the rule is the same.
    ({"started": 0, "with_activity": 0}, SUBMISSION - timedelta(hours=2), "pending",
     f"{NO_ACTIVITY}; the session's submission date is 1 Mar 2027 12:00 Europe/Paris, in 2 hours."),
    ({"started": 0, "with_activity": 0}, SUBMISSION, "problem",
     f"{NO_ACTIVITY}, and the session's submission date has passed: 1 Mar 2027 12:00 Europe/Paris, just now."),
    # The lead says how many are enrolled, or that nobody is.
    ({"started": 0, "test_takers": 1}, SUBMISSION - timedelta(hours=2), "pending",
     "The one enrolled test-taker has not started the test; the session's submission date is 1 Mar 2027 12:00 "
     "Europe/Paris, in 2 hours."),
    ({"started": 0, "test_takers": 0}, SUBMISSION - timedelta(hours=2), "pending",
     "No test-taker has started the test; the session's submission date is 1 Mar 2027 12:00 Europe/Paris, in 2 hours."),
])
def test_launched(changes: dict[str, Any], as_of: datetime, state: str, detail: str) -> None:
    found = item(evaluate_checklist(snap(**changes), as_of), "launched")
    assert (found.state, found.detail) == (state, detail)


@pytest.mark.parametrize("submission,as_of,state,submitted,detail", [
    (None, AS_OF, "problem", False,
     "The session has no submission date, so open attempts are never submitted: set one in the session file."),
    (SUBMISSION, SUBMISSION - SECOND, "pending", False,
     "The session will be submitted 1 Mar 2027 12:00 Europe/Paris, in under a minute."),
    (SUBMISSION, SUBMISSION - timedelta(hours=5), "pending", False,
     "The session will be submitted 1 Mar 2027 12:00 Europe/Paris, in 5 hours."),
    (SUBMISSION, SUBMISSION, "ok", True, "The session was submitted 1 Mar 2027 12:00 Europe/Paris, just now."),
    (SUBMISSION, AS_OF, "ok", True, "The session was submitted 1 Mar 2027 12:00 Europe/Paris, 9 days ago."),
])
def test_submitted(submission: datetime | None, as_of: datetime, state: str, submitted: bool, detail: str) -> None:
    checklist = evaluate_checklist(snap(submission_date=submission), as_of)
    found = item(checklist, "submitted")
    assert (found.state, found.detail, checklist.submitted) == (state, detail, submitted)


@pytest.mark.parametrize("start,end,as_of,window,state,detail", [
    (None, SCAN_END, AS_OF, "missing", "problem",
     "The scan upload window has no start date: set it in the session file."),
    (SCAN_START, None, AS_OF, "missing", "problem",
     "The scan upload window has no end date: set it in the session file."),
    (None, None, AS_OF, "missing", "problem",
     "The scan upload window has no start or end date: set it in the session file."),
    (SCAN_START, SCAN_END, SCAN_START - timedelta(days=3), "upcoming", "pending",
     "The scan upload window opens 2 Mar 2027 07:00 Europe/Paris, in 3 days."),
    (SCAN_START, SCAN_END, SCAN_START - SECOND, "upcoming", "pending",
     "The scan upload window opens 2 Mar 2027 07:00 Europe/Paris, in under a minute."),
    (SCAN_START, SCAN_END, SCAN_START, "open", "ok",
     "The scan upload window is open until 20 Mar 2027 19:00 Europe/Paris, in 19 days."),
    (SCAN_START, SCAN_END, AS_OF, "open", "ok",
     "The scan upload window is open until 20 Mar 2027 19:00 Europe/Paris, in 10 days."),
    (SCAN_START, SCAN_END, SCAN_END - SECOND, "open", "ok",
     "The scan upload window is open until 20 Mar 2027 19:00 Europe/Paris, in under a minute."),
    (SCAN_START, SCAN_END, SCAN_END, "closed", "problem",
     "The scan upload window closed 20 Mar 2027 19:00 Europe/Paris, just now: no more scans can be uploaded."),
    (SCAN_START, SCAN_END, SCAN_END + timedelta(hours=2), "closed", "problem",
     "The scan upload window closed 20 Mar 2027 19:00 Europe/Paris, 2 hours ago: no more scans can be uploaded."),
])
def test_window(start: datetime | None, end: datetime | None, as_of: datetime, window: str, state: str,
                detail: str) -> None:
    checklist = evaluate_checklist(snap(scan_upload_start=start, scan_upload_end=end), as_of)
    found = item(checklist, "window")
    assert (checklist.window, found.state, found.detail) == (window, state, detail)


@pytest.mark.parametrize("start,end,as_of,expected", [
    (None, None, AS_OF, "missing"),
    (None, SCAN_END, AS_OF, "missing"),
    (SCAN_START, None, AS_OF, "missing"),
    (SCAN_START, SCAN_END, SCAN_START - SECOND, "upcoming"),
    (SCAN_START, SCAN_END, SCAN_START, "open"),
    (SCAN_START, SCAN_END, SCAN_END - SECOND, "open"),
    (SCAN_START, SCAN_END, SCAN_END, "closed"),
    (SCAN_START, SCAN_END, SCAN_END + timedelta(days=400), "closed"),
    # A window ending before it starts (the ingest refuses it) is never open.
    (SCAN_END, SCAN_START, SCAN_START - SECOND, "upcoming"),
    (SCAN_END, SCAN_START, SCAN_START, "closed"),
    (SCAN_END, SCAN_START, SCAN_END, "closed"),
    # An empty window: closed from the moment it would open.
    (SCAN_START, SCAN_START, SCAN_START, "closed"),
])
def test_scan_window_state(start: datetime | None, end: datetime | None, as_of: datetime, expected: str) -> None:
    assert scan_window_state(start, end, as_of) == expected


@pytest.mark.parametrize("end,submission,state,detail", [
    (SCAN_END, SUBMISSION, "ok",
     "The scan upload window closes 20 Mar 2027 19:00 Europe/Paris, 19 days after the submission date."),
    (SUBMISSION + timedelta(minutes=1), SUBMISSION, "ok",
     "The scan upload window closes 1 Mar 2027 12:01 Europe/Paris, 1 minute after the submission date."),
    (SUBMISSION, SUBMISSION, "problem",
     "The scan upload window closes 1 Mar 2027 12:00 Europe/Paris, at the submission date "
     "(1 Mar 2027 12:00 Europe/Paris), so no scan could ever be uploaded."),
    (SUBMISSION - timedelta(days=2), SUBMISSION, "problem",
     "The scan upload window closes 27 Feb 2027 12:00 Europe/Paris, 2 days before the submission date "
     "(1 Mar 2027 12:00 Europe/Paris), so no scan could ever be uploaded."),
    (None, SUBMISSION, "ok",
     "No schedule conflict to check until both the submission date and the scan window's end are set."),
    (SCAN_END, None, "ok",
     "No schedule conflict to check until both the submission date and the scan window's end are set."),
])
@pytest.mark.parametrize("as_of", [START - timedelta(days=30), AS_OF, SCAN_END + timedelta(days=30)])
def test_schedule_does_not_depend_on_as_of(end: datetime | None, submission: datetime | None, state: str,
                                           detail: str, as_of: datetime) -> None:
    found = item(evaluate_checklist(snap(scan_upload_start=None, scan_upload_end=end, submission_date=submission),
                                    as_of), "schedule")
    assert (found.state, found.detail) == (state, detail)


EARLY = ("The scan upload window opens 2 days before the submission date (1 Mar 2027 12:00 Europe/Paris): "
         "scans uploaded before then may miss open attempts.")
SPLIT_TAKERS = "{} test-takers is more than TAO's 100 per booklet PDF, so the booklet will be split."
SPLIT_PAGES = "{} expected pages is more than TAO's 400 per booklet PDF, so the booklet will be split."


@pytest.mark.parametrize("changes,warnings,status", [
    ({}, (), "ready"),
    # The window opening before the submission date: a warning, not a problem.
    ({"scan_upload_start": SUBMISSION - timedelta(days=2)}, (EARLY,), "ready"),
    ({"scan_upload_start": SUBMISSION}, (), "ready"),
    ({"scan_upload_start": SUBMISSION - timedelta(days=2), "submission_date": None}, (), "blocked"),
    ({"scan_upload_start": None, "scan_upload_end": None}, (), "blocked"),
    # Not repeated when the window also ends by the submission date (the schedule item is then a problem).
    ({"scan_upload_start": SUBMISSION - timedelta(days=2), "scan_upload_end": SUBMISSION}, (), "blocked"),
    # TAO's limits per booklet PDF: 100 test-takers, 400 pages (exactly at the limit is fine).
    ({"test_takers": 100, "total_interactions": 1}, (), "ready"),
    ({"test_takers": 101, "total_interactions": 1}, (SPLIT_TAKERS.format(101),), "ready"),
    ({"test_takers": 100, "total_interactions": 4, "sheets_per_interaction": 1}, (), "ready"),
    ({"test_takers": 1, "started": 1, "total_interactions": 401}, (SPLIT_PAGES.format(401),), "ready"),
    ({"test_takers": 100, "total_interactions": 2, "sheets_per_interaction": 2}, (), "ready"),
    ({"test_takers": 67, "total_interactions": 3, "sheets_per_interaction": 2}, (SPLIT_PAGES.format(402),), "ready"),
    ({"test_takers": 2000, "total_interactions": 4},
     (SPLIT_TAKERS.format("2,000"), SPLIT_PAGES.format("8,000")), "ready"),
    ({"test_takers": 101, "total_interactions": None}, (SPLIT_TAKERS.format(101),), "ready"),
    ({"scan_upload_start": SUBMISSION - timedelta(days=2), "test_takers": 101},
     (EARLY, SPLIT_TAKERS.format(101), SPLIT_PAGES.format(404)), "ready"),
])
def test_warnings(changes: dict[str, Any], warnings: tuple[str, ...], status: str) -> None:
    checklist = evaluate_checklist(snap(**changes), AS_OF)
    assert (checklist.warnings, checklist.status) == (warnings, status)


@pytest.mark.parametrize("test_takers,total,sheets,expected", [
    (25, 4, 1, 100),
    (100, 4, 1, 400),  # TAO's own example
    (3, 5, 2, 30),
    (1, 1, 1, 1),
    (0, 4, 1, 0),
    (25, 0, 2, 0),
    (25, None, 1, 0),
    (25, 4, None, 0),
    (25, None, None, 0),
])
def test_expected_sheets(test_takers: int, total: int | None, sheets: int | None, expected: int) -> None:
    assert expected_sheets(test_takers, total, sheets) == expected


@pytest.mark.parametrize("changes,expected,started", [
    ({}, 100, 80),
    ({"sheets_per_interaction": 2}, 200, 160),
    ({"started": 0}, 100, 0),
    ({"with_activity": 0, "started": 0}, 100, None),  # no activity imported: nothing to say about who started
    ({"total_interactions": None}, 0, 0),
    ({"total_interactions": None, "with_activity": 0, "started": 0}, 0, None),
    ({"test_takers": 0, "started": 0, "with_activity": 0}, 0, None),
])
def test_checklist_sheets(changes: dict[str, Any], expected: int, started: int | None) -> None:
    checklist = evaluate_checklist(snap(**changes), AS_OF)
    assert (checklist.expected_sheets, checklist.started_sheets) == (expected, started)


def _items(*states: State) -> list[Item]:
    return [Item(name, state, "") for name, state in zip(ITEMS, states, strict=False)]


@pytest.mark.parametrize("states_,expected", [
    (("ok",) * 6, "ready"),
    (("ok", "ok", "ok", "ok", "ok", "pending"), "pending"),
    (("pending",) * 6, "pending"),
    (("ok", "ok", "ok", "ok", "ok", "problem"), "blocked"),
    (("problem", "ok", "ok", "ok", "ok", "ok"), "blocked"),
    (("pending", "problem", "pending", "pending", "pending", "pending"), "blocked"),
    (("problem",) * 6, "blocked"),
    ((), "ready"),  # nothing to check: nothing missing
])
def test_overall_status(states_: tuple[State, ...], expected: str) -> None:
    assert overall_status(_items(*states_)) == expected
    assert overall_status(iter(_items(*states_))) == expected  # any iterable, consumed once


@pytest.mark.parametrize("changes,as_of,status", [
    ({}, AS_OF, "ready"),
    ({}, SCAN_START - SECOND, "pending"),  # window upcoming, all else ok
    ({"started": 0}, SUBMISSION - SECOND, "pending"),  # not launched yet, not submitted yet, window upcoming
    ({}, SCAN_END, "blocked"),  # window closed
    ({"scan_uploaders": 0}, AS_OF, "blocked"),
    ({"test_takers": 0, "started": 0}, AS_OF, "blocked"),
    ({"submission_date": None}, AS_OF, "blocked"),
    ({"scan_upload_end": SUBMISSION, "scan_upload_start": START}, START, "blocked"),  # schedule problem only
])
def test_status_of_a_checklist(changes: dict[str, Any], as_of: datetime, status: str) -> None:
    checklist = evaluate_checklist(snap(**changes), as_of)
    assert checklist.status == status
    assert checklist.status == overall_status(checklist.items)


def test_to_dict_is_the_cli_json_entry() -> None:
    entry = evaluate_checklist(snap(started=0), AS_OF).to_dict()
    assert entry == {
        "session_name": "Maths 4A", "group_name": "Class 4A", "delivery_id": "https://tao.example.org/delivery/maths",
        "status": "blocked", "enrolled": 25, "launched": 0, "submitted": True, "window": "open",
        "expected_sheets": 100, "started_sheets": 0,
        "items": [
            {"item": "enrolment", "state": "ok", "detail": "25 test-takers are enrolled in group Class 4A."},
            {"item": "roles", "state": "ok", "detail": "2 people in group Class 4A can upload scans."},
            {"item": "launched", "state": "problem",
             "detail": f"{NO_LAUNCH}, and the session's submission date has passed: 1 Mar 2027 12:00 Europe/Paris, "
                       "9 days ago."},
            {"item": "submitted", "state": "ok",
             "detail": "The session was submitted 1 Mar 2027 12:00 Europe/Paris, 9 days ago."},
            {"item": "window", "state": "ok",
             "detail": "The scan upload window is open until 20 Mar 2027 19:00 Europe/Paris, in 10 days."},
            {"item": "schedule", "state": "ok", "detail": "The scan upload window closes 20 Mar 2027 19:00 "
                                                          "Europe/Paris, 19 days after the submission date."},
        ],
        "warnings": [],
    }
    assert list(entry) == ["session_name", "group_name", "delivery_id", "status", "enrolled", "launched", "submitted",
                           "window", "expected_sheets", "started_sheets", "items", "warnings"]


@pytest.mark.parametrize("snapshot", [
    BASE,
    snap(timezone=None, start_date=None, end_date=None, submission_date=None, scan_upload_start=None,
         scan_upload_end=None, sheets_per_interaction=None, total_interactions=None, test_takers=0, scan_uploaders=0,
         started=0, with_activity=0),
    snap(test_takers=101, scan_upload_start=SUBMISSION - timedelta(days=2)),
])
def test_to_dict_survives_a_json_round_trip(snapshot: SessionSnapshot) -> None:
    entry = evaluate_checklist(snapshot, AS_OF).to_dict()
    assert json.loads(json.dumps(entry)) == entry
    assert {i["item"] for i in entry["items"]} == set(ITEMS)


def test_to_dict_of_a_session_without_anything() -> None:
    empty = snap(timezone=None, start_date=None, end_date=None, submission_date=None, scan_upload_start=None,
                 scan_upload_end=None, sheets_per_interaction=None, total_interactions=None, test_takers=0,
                 scan_uploaders=0, started=0, with_activity=0)
    entry = evaluate_checklist(empty, AS_OF).to_dict()
    assert {k: entry[k] for k in ("status", "enrolled", "launched", "submitted", "window", "expected_sheets",
                                  "started_sheets", "warnings")} == {
        "status": "blocked", "enrolled": 0, "launched": 0, "submitted": False, "window": "missing",
        "expected_sheets": 0, "started_sheets": None, "warnings": []}
    assert [(i["item"], i["state"]) for i in entry["items"]] == [
        ("enrolment", "problem"), ("roles", "problem"), ("launched", "pending"), ("submitted", "problem"),
        ("window", "problem"), ("schedule", "ok")]


def test_evaluate_checklist_refuses_a_naive_as_of() -> None:
    with pytest.raises(ValueError, match="aware"):
        evaluate_checklist(BASE, datetime(2027, 3, 10, 12, 0))


def test_evaluate_checklist_accepts_any_aware_as_of() -> None:
    paris_noon = datetime(2027, 3, 10, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert evaluate_checklist(BASE, paris_noon) == evaluate_checklist(BASE, AS_OF)


@pytest.mark.parametrize("moment,zone,expected", [
    (at("2027-03-16T06:00:00Z"), "Europe/Paris", "16 Mar 2027 07:00 Europe/Paris"),  # winter, UTC+1
    (at("2027-07-01T05:00:00Z"), "Europe/Paris", "1 Jul 2027 07:00 Europe/Paris"),  # summer, UTC+2
    (at("2027-03-28T00:59:00Z"), "Europe/Paris", "28 Mar 2027 01:59 Europe/Paris"),  # last minute of CET
    (at("2027-03-28T01:00:00Z"), "Europe/Paris", "28 Mar 2027 03:00 Europe/Paris"),  # clocks go forward
    (at("2027-10-31T00:30:00Z"), "Europe/Paris", "31 Oct 2027 02:30 (UTC+02:00) Europe/Paris"),  # 02:30 CEST...
    (at("2027-10-31T01:30:00Z"), "Europe/Paris", "31 Oct 2027 02:30 (UTC+01:00) Europe/Paris"),  # ...02:30 CET
    (at("2027-10-31T00:59:00Z"), "Europe/Paris", "31 Oct 2027 02:59 (UTC+02:00) Europe/Paris"),  # repeated too
    (at("2027-10-31T01:59:00Z"), "Europe/Paris", "31 Oct 2027 02:59 (UTC+01:00) Europe/Paris"),
    (at("2027-10-31T02:00:00Z"), "Europe/Paris", "31 Oct 2027 03:00 Europe/Paris"),  # once only
    (at("2027-10-30T23:59:00Z"), "Europe/Paris", "31 Oct 2027 01:59 Europe/Paris"),
    (at("2027-11-07T06:30:00Z"), "America/New_York", "7 Nov 2027 01:30 (UTC-05:00) America/New_York"),
    (at("2027-12-31T23:30:00Z"), "Europe/Paris", "1 Jan 2028 00:30 Europe/Paris"),  # the local date moves on
    (at("2027-01-15T12:00:00Z"), "America/New_York", "15 Jan 2027 07:00 America/New_York"),
    (at("2027-03-16T06:00:00Z"), "Asia/Kolkata", "16 Mar 2027 11:30 Asia/Kolkata"),
    (at("2027-03-16T06:00:00Z"), "UTC", "16 Mar 2027 06:00 UTC"),
    (at("2027-03-16T06:00:00Z"), None, "16 Mar 2027 06:00 UTC"),
    (at("2027-03-16T06:00:00Z"), "", "16 Mar 2027 06:00 UTC"),
    (at("2027-03-16T06:00:00Z"), "Mars/Olympus_Mons", "16 Mar 2027 06:00 UTC"),  # unknown: UTC, labelled so
    (datetime(2027, 3, 16, 11, 0, tzinfo=timezone(timedelta(hours=5))), "Europe/Paris",
     "16 Mar 2027 07:00 Europe/Paris"),  # any aware input, converted
    (datetime(2027, 3, 16, 11, 0, tzinfo=timezone(timedelta(hours=5))), None, "16 Mar 2027 06:00 UTC"),
])
def test_format_moment(moment: datetime, zone: str | None, expected: str) -> None:
    assert format_moment(moment, zone) == expected


def test_format_moment_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_moment(datetime(2027, 3, 16, 6, 0), "Europe/Paris")


@pytest.mark.parametrize("offset,expected", [
    (timedelta(0), "just now"),
    (SECOND, "in under a minute"),
    (timedelta(seconds=59), "in under a minute"),
    (-timedelta(seconds=59), "just now"),
    (timedelta(minutes=1), "in 1 minute"),
    (-timedelta(minutes=1), "1 minute ago"),
    (timedelta(seconds=89), "in 1 minute"),
    (-timedelta(seconds=90), "2 minutes ago"),  # rounded half up
    (timedelta(minutes=30), "in 30 minutes"),
    (timedelta(minutes=59, seconds=29), "in 59 minutes"),
    (timedelta(minutes=59, seconds=30), "in 1 hour"),  # never "60 minutes"
    (-timedelta(hours=2), "2 hours ago"),
    (timedelta(hours=1, minutes=29), "in 1 hour"),
    (timedelta(hours=1, minutes=30), "in 2 hours"),
    (timedelta(hours=23, minutes=29), "in 23 hours"),
    (timedelta(hours=23, minutes=30), "in 1 day"),  # never "24 hours"
    (timedelta(days=1, hours=11, minutes=59), "in 1 day"),
    (timedelta(days=1, hours=12), "in 2 days"),  # 1 day 12 hours is closer to 2 days
    (timedelta(days=1, hours=23), "in 2 days"),
    (timedelta(days=3), "in 3 days"),
    (-timedelta(days=3), "3 days ago"),
    (timedelta(days=1200), "in 1,200 days"),
])
def test_format_relative(offset: timedelta, expected: str) -> None:
    assert format_relative(AS_OF + offset, AS_OF) == expected


def test_format_relative_compares_instants_not_wall_clocks() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_relative(datetime(2027, 3, 10, 15, 0, tzinfo=paris), AS_OF) == "in 2 hours"


ALLOWED_IMPORTS = {"__future__", "collections.abc", "dataclasses", "datetime", "functools", "typing", "zoneinfo",
                   "dashboard.wording", "dashboard.tao"}
PURE = [readiness, wording, tao]


@pytest.mark.parametrize("module", PURE, ids=lambda module: module.__name__)
def test_the_rules_and_their_wording_import_only_the_standard_library(module: ModuleType) -> None:
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= ALLOWED_IMPORTS


@pytest.mark.parametrize("module", PURE, ids=lambda module: module.__name__)
def test_the_rules_and_their_wording_never_read_the_clock(module: ModuleType) -> None:
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    for call in ("now(", "utcnow(", "today(", "time.time"):
        assert call not in source
