"""Correctness at scale: a 200,000-row import lands whole, counts add up, sampled rows are exact, and a
re-import is idempotent (no timing asserts: speed is measured in bench/)."""

from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlmodel import Session

from dashboard import services
from dashboard.config import Settings
from models import ExamSession, GroupLink
from tests.factories import LINKS, NEW_GROUPS, csv_bytes, readiness_dicts, session

SESSIONS, PER_GROUP = 2_000, 100  # 2,000 sessions, 200,000 links


def programme() -> list[tuple[str, bytes]]:
    sessions = [session(f"Session {i:05d}", group=f"Group {i:05d}",
                        session_paperMode_totalInteractions=str(1 + i % 9)) for i in range(SESSIONS)]
    links = [{"user_username": f"user{i:05d}.{j:03d}", "group_name": f"Group {i:05d}",
              "group_role": "SCAN_UPLOADER" if j == 0 else "TEST_TAKER"}
             for i in range(SESSIONS) for j in range(PER_GROUP)]
    return [("sessions.csv", csv_bytes(NEW_GROUPS, sessions)), ("links.csv", csv_bytes(LINKS, links))]


def test_a_200k_row_import_is_whole_and_idempotent(engine):
    files = programme()
    with Session(engine) as db:
        first = services.import_files(files, db=db, settings=Settings())
        db.commit()
    assert first.by_kind["sessions"].created == SESSIONS
    assert first.by_kind["enrolments"].created == SESSIONS * PER_GROUP
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(ExamSession)) == SESSIONS
        assert db.scalar(select(func.count()).select_from(GroupLink)) == SESSIONS * PER_GROUP
        rows = {r["session_name"]: r for r in readiness_dicts(db)}
        for i in random.Random(3).sample(range(SESSIONS), 25):
            row = rows[f"Session {i:05d}"]
            assert (row["group_name"], row["test_takers"], row["scan_uploaders"], row["total_interactions"]) == (
                f"Group {i:05d}", PER_GROUP - 1, 1, 1 + i % 9)
        second = services.import_files(files, db=db, settings=Settings())
        db.commit()
    assert second.counts.to_dict() == {"created": 0, "updated": 0, "unchanged": SESSIONS * (PER_GROUP + 1),
                                        "removed": 0}
