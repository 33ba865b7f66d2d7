"""An activity row re-imported with the same time and a new status: the later import wins (issue 16).

Of two rows of one test-taker the later moment is their state, the later row on a tie (``tao.latest_moment``).
Kills ``latest_moment(new) >= latest_moment(old)`` -> ``>`` in ``store.writes.upsert_activity``, which keeps
the old status silently. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from dashboard import services
from dashboard.config import Settings
from dashboard.services.imports import ImportOutcome
from tests.factories import LATER, activity_csv, links_csv, session, sessions_csv

NOW = datetime(2028, 1, 1, tzinfo=UTC)


def load(db: Session, *files: tuple[str, bytes]) -> ImportOutcome:
    outcome = services.import_files(list(files), db=db, settings=Settings(), now=NOW)
    assert outcome.validation.valid, outcome.validation.to_dict()
    db.commit()
    return outcome


def statuses(db: Session) -> dict[str, int]:
    detail = services.session_detail(db=db, name="History 4A", as_of=LATER)
    assert detail is not None
    return dict(detail.statuses)


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
