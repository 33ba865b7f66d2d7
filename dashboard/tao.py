"""TAO's vocabulary and fixed rules that several layers share: group roles, execution statuses, the limits of a
booklet PDF, and which of a test-taker's activity rows is the latest.

A leaf: standard library only, imports nothing of scanready (ingest, store and readiness all read it).
"""

from __future__ import annotations

from datetime import UTC, datetime

TEST_TAKER, SCAN_UPLOADER = "TEST_TAKER", "SCAN_UPLOADER"
ROLES = (TEST_TAKER, SCAN_UPLOADER, "BOOKLET_PUBLISHER", "GRADER", "GROUP_MANAGER", "DATA_EXPLORER")
"""The group roles TAO assigns. The checklist counts test-takers and scan uploaders; the others count for nothing
(a Data Explorer viewer, for one, only reads)."""

NOT_STARTED = "not_started"
STATUSES = (NOT_STARTED, "in_progress", "paused", "finished", "terminated")
"""A test-taker's execution state, as stored. Any state but ``not_started`` is a launch."""

MAX_TEST_TAKERS_PER_PDF = 100
MAX_PAGES_PER_PDF = 400
"""TAO's limits per session PDF: beyond either, the booklet is split into several files."""

NEVER = datetime.min.replace(tzinfo=UTC)
"""Earlier than any moment: the time of an activity row that has none."""


def latest_moment(*moments: datetime | None) -> datetime:
    """The latest of an activity row's times, ``NEVER`` when it has none: of two rows of one test-taker, the one
    with the later moment is their state (the later row on a tie)."""
    return max((moment for moment in moments if moment is not None), default=NEVER)
