"""``evaluate_checklists`` shares a judgement only between sessions that have the same dates, or the same counts.

A few sessions, so that mutation testing can run it for every mutant (the programme-scale comparison of
test_readiness_board.py is too slow for that). Kills ``dates = None`` and ``timings.setdefault(None, ...)`` in
``evaluate_checklists``, by which every session would be judged by the first session's dates: a session whose
window has closed would read as ready because an earlier one's is open.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.readiness import SessionSnapshot, evaluate_checklist, evaluate_checklists

AS_OF = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
OPEN = SessionSnapshot(
    session_name="Maths 4A", group_name="Class 4A", delivery_id="https://tao.example.org/delivery/maths",
    timezone="Europe/Paris", start_date=AS_OF - timedelta(days=9), end_date=AS_OF - timedelta(days=9, hours=-3),
    submission_date=AS_OF - timedelta(days=9, hours=-4), scan_upload_start=AS_OF - timedelta(days=8),
    scan_upload_end=AS_OF + timedelta(days=10), sheets_per_interaction=1, total_interactions=4,
    test_takers=25, scan_uploaders=2, started=20, with_activity=25,
)
CLOSED = replace(OPEN, session_name="Maths 4B", scan_upload_end=AS_OF - timedelta(days=1))
UPCOMING = replace(OPEN, session_name="Maths 4C", timezone="America/New_York",
                   scan_upload_start=AS_OF + timedelta(days=2))
EMPTY = replace(OPEN, session_name="Maths 4D", test_takers=0, started=0, with_activity=0)


@pytest.mark.parametrize("sessions", [
    [OPEN, CLOSED, UPCOMING, EMPTY],
    [CLOSED, OPEN, EMPTY, UPCOMING],
    [EMPTY, UPCOMING, CLOSED, OPEN],
], ids=["open-first", "closed-first", "empty-first"])
def test_each_session_is_judged_by_its_own_dates_and_counts(sessions: list[SessionSnapshot]) -> None:
    together = evaluate_checklists(sessions, AS_OF)
    assert together == [evaluate_checklist(s, AS_OF) for s in sessions]
    assert {c.session.session_name: (c.status, c.window) for c in together} == {
        "Maths 4A": ("ready", "open"), "Maths 4B": ("blocked", "closed"), "Maths 4C": ("pending", "upcoming"),
        "Maths 4D": ("blocked", "open"),
    }
