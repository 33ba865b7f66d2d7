"""The readiness checklist: small pure rules of one session snapshot and an explicit moment ``as_of``.

Owns: the six checklist items (enrolment, roles, launched, submitted, window, schedule), one function each;
the session's overall status; the warnings (TAO's per-PDF limits, a window opening before submission); the
sheet arithmetic; and the manager's wording of moments (in the session's own time zone) and of relative phrases.

Must not import: the database (sqlalchemy, sqlmodel, ``models``, ``dashboard.store``), pandas, streamlit, or
anything that reads the clock. Standard library only; time is always the ``as_of`` argument, an aware datetime.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ItemName = Literal["enrolment", "roles", "launched", "submitted", "window", "schedule"]
State = Literal["ok", "pending", "problem"]
Status = Literal["ready", "pending", "blocked"]
WindowState = Literal["missing", "upcoming", "open", "closed"]
ITEMS: tuple[ItemName, ...] = ("enrolment", "roles", "launched", "submitted", "window", "schedule")

# TAO's limits per session PDF: beyond either, the booklet is split into several files.
MAX_TEST_TAKERS_PER_PDF = 100
MAX_PAGES_PER_PDF = 400

# Fixed English month names: strftime's %b follows the process locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# (unit, seconds in it, count at which the next unit takes over); beyond hours, days.
_UNITS = (("minute", 60, 60), ("hour", 3_600, 24))


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """One paper session, with counts computed in SQL by the store. Datetimes are aware (UTC)."""

    session_name: str
    group_name: str
    delivery_id: str
    timezone: str | None
    start_date: datetime | None
    end_date: datetime | None
    submission_date: datetime | None
    scan_upload_start: datetime | None
    scan_upload_end: datetime | None
    sheets_per_interaction: int | None
    total_interactions: int | None
    test_takers: int
    scan_uploaders: int
    launched: int
    with_activity: int = 0


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the checklist: its state and one sentence a programme manager understands."""

    item: ItemName
    state: State
    detail: str


@dataclass(frozen=True, slots=True)
class Checklist:
    """A session's checklist at one moment: the items in ``ITEMS`` order, the status, sheets and warnings."""

    session: SessionSnapshot
    items: tuple[Item, ...]
    status: Status
    window: WindowState
    submitted: bool
    expected_sheets: int
    started_sheets: int | None
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON entry for this session (JSON-safe: strings, ints, bools, None, lists)."""
        s = self.session
        return {"session_name": s.session_name, "group_name": s.group_name, "delivery_id": s.delivery_id,
                "status": self.status, "enrolled": s.test_takers, "launched": s.launched,
                "submitted": self.submitted, "window": self.window, "expected_sheets": self.expected_sheets,
                "started_sheets": self.started_sheets,
                "items": [{"item": i.item, "state": i.state, "detail": i.detail} for i in self.items],
                "warnings": list(self.warnings)}


def expected_sheets(test_takers: int, total_interactions: int | None, sheets_per_interaction: int | None) -> int:
    """TAO's page count: test-takers × interactions × sheets per interaction (0 when a factor is missing)."""
    if total_interactions is None or sheets_per_interaction is None:
        return 0
    return test_takers * total_interactions * sheets_per_interaction


def scan_window_state(start: datetime | None, end: datetime | None, as_of: datetime) -> WindowState:
    """Where ``as_of`` falls in the scan upload window [start, end): both ends are needed.

    The end is checked first, so a window that ends before it starts (the ingest refuses those) is never open.
    """
    if start is None or end is None:
        return "missing"
    if as_of >= end:
        return "closed"
    if as_of < start:
        return "upcoming"
    return "open"


def overall_status(items: Iterable[Item]) -> Status:
    """``blocked`` if any item is a problem, ``ready`` if all are ok (vacuously for none), else ``pending``."""
    states = {item.state for item in items}
    if "problem" in states:
        return "blocked"
    return "ready" if states <= {"ok"} else "pending"


def _zone(name: str | None) -> tuple[tzinfo, str]:
    """The zone to show a moment in, and its label; UTC for None or a name this system does not know."""
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass  # the ingest refuses unknown names; a stale one still shows a correct time, labelled UTC
    return UTC, "UTC"


@lru_cache(maxsize=65_536)  # a programme's sessions share few moments and zones: a big board formats each once
def format_moment(moment: datetime, zone: str | None) -> str:
    """``moment`` in the session's zone: "16 Mar 2027 07:00 Europe/Paris" (UTC when ``zone`` is None)."""
    if moment.utcoffset() is None:
        raise ValueError("format_moment needs an aware datetime")  # astimezone would guess the server's zone
    where, label = _zone(zone)
    local = moment.astimezone(where)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M} {label}"


def _count(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


@lru_cache(maxsize=65_536)
def _span(delta: timedelta) -> str:
    """A duration in the largest unit that rounds to at least one: "2 days" for 1 day 12 hours, "1 hour", "59 minutes".

    Rounded half up, and promoted when rounding reaches the next unit (59 min 30 s reads "1 hour", not "60 minutes").
    """
    seconds = int(abs(delta).total_seconds())
    if seconds < 30:
        return "less than a minute"
    for unit, size, limit in _UNITS:
        count = (seconds + size // 2) // size
        if count < limit:
            return _count(count, unit, f"{unit}s")
    return _count((seconds + 43_200) // 86_400, "day", "days")


@lru_cache(maxsize=65_536)
def format_relative(moment: datetime, as_of: datetime) -> str:
    """``moment`` seen from ``as_of``: "in 3 days", "2 hours ago", "in under a minute", "just now"."""
    delta = moment - as_of
    if delta > timedelta(0):
        return "in under a minute" if delta < timedelta(minutes=1) else f"in {_span(delta)}"
    return "just now" if -delta < timedelta(minutes=1) else f"{_span(delta)} ago"


def _when(moment: datetime, s: SessionSnapshot, as_of: datetime) -> str:
    return f"{format_moment(moment, s.timezone)}, {format_relative(moment, as_of)}"


def _enrolment(s: SessionSnapshot, as_of: datetime) -> Item:
    if s.test_takers >= 1:
        verb = "is" if s.test_takers == 1 else "are"
        return Item("enrolment", "ok", f"{_count(s.test_takers, 'test-taker', 'test-takers')} {verb} enrolled "
                                       f"in group {s.group_name}.")
    return Item("enrolment", "problem",
                f"No test-taker is enrolled in group {s.group_name}: add test-takers with the TEST_TAKER role.")


def _roles(s: SessionSnapshot, as_of: datetime) -> Item:
    if s.scan_uploaders >= 1:
        return Item("roles", "ok", f"{_count(s.scan_uploaders, 'person', 'people')} in group {s.group_name} "
                                   "can upload scans.")
    return Item("roles", "problem", f"No one in group {s.group_name} can upload scans: add a SCAN_UPLOADER.")


def _launched(s: SessionSnapshot, as_of: datetime) -> Item:
    """Ok once anyone started; without launches, late (a problem) from the submission date, else the end date.

    A session with neither date cannot be judged late, so it stays pending.
    """
    if s.launched >= 1:
        verb = "has" if s.launched == 1 else "have"
        enrolled = _count(s.test_takers, "enrolled test-taker", "enrolled test-takers")
        return Item("launched", "ok", f"{s.launched:,} of {enrolled} {verb} started the test.")
    lead = ("No test-taker has started the test" if s.with_activity
            else "No launch is recorded (no activity imported for this session)")
    deadline, label = (s.submission_date, "submission date") if s.submission_date else (s.end_date, "end date")
    if deadline is None:
        return Item("launched", "pending", f"{lead}; the session has no end or submission date to be late by.")
    if as_of >= deadline:
        return Item("launched", "problem", f"{lead}, and the session's {label} has passed: "
                                           f"{_when(deadline, s, as_of)}.")
    return Item("launched", "pending", f"{lead}; the session's {label} is {_when(deadline, s, as_of)}.")


def _submitted(s: SessionSnapshot, as_of: datetime) -> Item:
    if s.submission_date is None:
        return Item("submitted", "problem", "The session has no submission date, so open attempts are never "
                                            "submitted: set one in the session file.")
    if s.submission_date <= as_of:
        return Item("submitted", "ok", f"The session was submitted {_when(s.submission_date, s, as_of)}.")
    return Item("submitted", "pending", f"The session will be submitted {_when(s.submission_date, s, as_of)}.")


def _window(s: SessionSnapshot, as_of: datetime) -> Item:
    start, end = s.scan_upload_start, s.scan_upload_end
    state = scan_window_state(start, end, as_of)
    if state == "missing":
        which = "start or end date" if start is None and end is None else "start date" if start is None else "end date"
        return Item("window", "problem", f"The scan upload window has no {which}: set it in the session file.")
    assert start is not None and end is not None  # for mypy: "missing" covers both
    if state == "upcoming":
        return Item("window", "pending", f"The scan upload window opens {_when(start, s, as_of)}.")
    if state == "open":
        return Item("window", "ok", f"The scan upload window is open until {_when(end, s, as_of)}.")
    return Item("window", "problem",
                f"The scan upload window closed {_when(end, s, as_of)}: no more scans can be uploaded.")


def _schedule(s: SessionSnapshot, as_of: datetime) -> Item:
    """A problem when the window ends at or before submission: scans only come after it, so none ever could."""
    end, submission = s.scan_upload_end, s.submission_date
    if end is None or submission is None:
        return Item("schedule", "ok", "No schedule conflict to check until both the submission date "
                                      "and the scan window's end are set.")
    closes = f"The scan upload window closes {format_moment(end, s.timezone)}"
    if end > submission:
        return Item("schedule", "ok", f"{closes}, {_span(end - submission)} after the submission date.")
    gap = "at" if end == submission else f"{_span(submission - end)} before"
    return Item("schedule", "problem", f"{closes}, {gap} the submission date "
                                       f"({format_moment(submission, s.timezone)}), so no scan could ever be uploaded.")


_RULES: tuple[Callable[[SessionSnapshot, datetime], Item], ...] = (
    _enrolment, _roles, _launched, _submitted, _window, _schedule)


def _warnings(s: SessionSnapshot, pages: int) -> tuple[str, ...]:
    """Worth knowing, never blocking. An early window is not repeated when the schedule is already a problem."""
    found = []
    start, end, submission = s.scan_upload_start, s.scan_upload_end, s.submission_date
    if start and submission and start < submission and not (end and end <= submission):
        found.append(f"The scan upload window opens {_span(submission - start)} before the submission date "
                     f"({format_moment(submission, s.timezone)}): scans uploaded before then may miss open attempts.")
    if s.test_takers > MAX_TEST_TAKERS_PER_PDF:
        found.append(f"{s.test_takers:,} test-takers is more than TAO's {MAX_TEST_TAKERS_PER_PDF} per booklet PDF, "
                     "so the booklet will be split.")
    if pages > MAX_PAGES_PER_PDF:
        found.append(f"{pages:,} expected pages is more than TAO's {MAX_PAGES_PER_PDF} per booklet PDF, "
                     "so the booklet will be split.")
    return tuple(found)


def evaluate_checklist(snapshot: SessionSnapshot, as_of: datetime) -> Checklist:
    """The session's whole checklist at ``as_of`` (an aware datetime; nothing here reads the clock)."""
    if as_of.utcoffset() is None:
        raise ValueError("evaluate_checklist needs an aware as_of")
    s = snapshot
    items = tuple(rule(s, as_of) for rule in _RULES)
    pages = expected_sheets(s.test_takers, s.total_interactions, s.sheets_per_interaction)
    started = (expected_sheets(s.launched, s.total_interactions, s.sheets_per_interaction)
               if s.with_activity > 0 else None)
    return Checklist(session=s, items=items, status=overall_status(items),
                     window=scan_window_state(s.scan_upload_start, s.scan_upload_end, as_of),
                     submitted=s.submission_date is not None and s.submission_date <= as_of,
                     expected_sheets=pages, started_sheets=started, warnings=_warnings(s, pages))
