"""The readiness checklist: small pure rules of one session snapshot and an explicit moment ``as_of``.

Owns: the six checklist items (enrolment, roles, launched, submitted, window, schedule), one function each and
each item's sentence; the session's overall status and its place on the board; the warnings (TAO's per-PDF
limits, a window opening before submission); the sheet arithmetic. How moments and counts read is ``wording``'s.
A checklist is assembled from two halves that many sessions share: what its zone and dates say (``Timing``) and
what its counts say (``Tally``); only the group's name is the session's own. ``evaluate_checklists`` judges each
distinct half once: a programme has far fewer distinct schedules and counts than sessions. The launched item of a
session nobody has started joins the two: the tally's lead ("None of the 25 enrolled test-takers has started the
test") and the timing's deadline (pending until the submission date, a problem after it).

Must not import: the database (sqlalchemy, sqlmodel, ``models``, ``dashboard.store``), pandas, streamlit, or
anything that reads the clock. Standard library, ``tao`` and ``wording`` only; time is always the ``as_of``
argument, an aware datetime.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from dashboard.tao import MAX_PAGES_PER_PDF, MAX_TEST_TAKERS_PER_PDF
from dashboard.wording import count, format_moment, format_relative, span

ItemName = Literal["enrolment", "roles", "launched", "submitted", "window", "schedule"]
State = Literal["ok", "pending", "problem"]
Status = Literal["ready", "pending", "blocked"]
WindowState = Literal["missing", "upcoming", "open", "closed"]
ITEMS: tuple[ItemName, ...] = ("enrolment", "roles", "launched", "submitted", "window", "schedule")
STATUS_ORDER: dict[Status, int] = {"blocked": 0, "pending": 1, "ready": 2}
"""The board's order of statuses: problems first."""
_STATE_STATUS: dict[State, Status] = {"problem": "blocked", "pending": "pending", "ok": "ready"}


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
    started: int  # enrolled test-takers who had started (launched the test) by the as-of
    with_activity: int = 0


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the checklist: its state and one sentence a programme manager understands."""

    item: ItemName
    state: State
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"item": self.item, "state": self.state, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class GroupItem:
    """An item whose sentence names the session's group: its state and the text either side of the name."""

    item: ItemName
    state: State
    before: str
    after: str

    def naming(self, group: str) -> Item:
        return Item(self.item, self.state, f"{self.before}{group}{self.after}")


@dataclass(frozen=True, slots=True)
class Deadline:
    """The launched item of a session nobody has started, as its dates decide: its state, and the end of its
    sentence after the tally's lead (``Tally.lead``)."""

    state: State
    clause: str

    def after(self, lead: str) -> Item:
        return Item("launched", self.state, lead + self.clause)


@dataclass(frozen=True, slots=True)
class Timing:
    """What a checklist says from a session's zone and dates alone, at one ``as_of``."""

    items: tuple[Item, Item, Item]  # submitted, window, schedule
    deadline: Deadline  # the launched item's state and its end when no one has started
    window: WindowState
    submitted: bool
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Tally:
    """What a checklist says from a session's counts alone (the group's name left out)."""

    enrolment: GroupItem
    roles: GroupItem
    launched: Item | None  # None when no one started: then the dates decide (``Timing.deadline``)
    lead: str  # the launched item's sentence up to its deadline, when no one started
    expected_sheets: int
    started_sheets: int | None
    warnings: tuple[str, ...]


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
                "status": self.status, "enrolled": s.test_takers, "launched": s.started,
                "submitted": self.submitted, "window": self.window, "expected_sheets": self.expected_sheets,
                "started_sheets": self.started_sheets,
                "items": [item.to_dict() for item in self.items],
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


def status_of(states: Iterable[State]) -> Status:
    """``blocked`` if any state is a problem, ``ready`` if all are ok (vacuously for none), else ``pending``."""
    return min((_STATE_STATUS[state] for state in states), key=STATUS_ORDER.__getitem__, default="ready")


def overall_status(items: Iterable[Item]) -> Status:
    """The status of a checklist's items (``status_of`` their states)."""
    return status_of(item.state for item in items)


def board_place(status: Status, scan_upload_end: datetime | None, as_of: datetime) -> tuple[int, datetime]:
    """Where a session stands on the board: blocked first, then pending, then ready; within a status, the window
    closing soonest first (``as_of`` for a window without an end); by name within a place."""
    return STATUS_ORDER[status], scan_upload_end or as_of


def _when(moment: datetime, zone: str | None, as_of: datetime) -> str:
    return f"{format_moment(moment, zone)}, {format_relative(moment, as_of)}"


def _enrolment(test_takers: int) -> GroupItem:
    if test_takers >= 1:
        verb = "is" if test_takers == 1 else "are"
        return GroupItem("enrolment", "ok", f"{count(test_takers, 'test-taker', 'test-takers')} {verb} enrolled "
                                            "in group ", ".")
    return GroupItem("enrolment", "problem", "No test-taker is enrolled in group ",
                     ": add test-takers with the TEST_TAKER role.")


def _roles(scan_uploaders: int) -> GroupItem:
    if scan_uploaders >= 1:
        return GroupItem("roles", "ok", f"{count(scan_uploaders, 'person', 'people')} in group ", " can upload scans.")
    return GroupItem("roles", "problem", "No one in group ", " can upload scans: add a SCAN_UPLOADER.")


def _launched(started: int, test_takers: int) -> Item:
    verb = "has" if started == 1 else "have"
    enrolled = count(test_takers, "enrolled test-taker", "enrolled test-takers")
    return Item("launched", "ok", f"{started:,} of {enrolled} {verb} started the test.")


def _lead(test_takers: int, active: bool) -> str:
    """The launched item's sentence before its deadline, when no one has started (by ``as_of``)."""
    if not active:
        return "No activity is imported for this session yet"
    if test_takers == 0:
        return "No test-taker has started the test"
    if test_takers == 1:
        return "The one enrolled test-taker has not started the test"
    return f"None of the {test_takers:,} enrolled test-takers has started the test"


def _deadline(end: datetime | None, submission: datetime | None, zone: str | None, as_of: datetime) -> Deadline:
    """Without launches, late (a problem) from the submission date, else the end date.

    A session with neither date cannot be judged late, so it stays pending.
    """
    deadline, label = (submission, "submission date") if submission else (end, "end date")
    if deadline is None:
        return Deadline("pending", "; the session has no end or submission date to be late by.")
    if as_of >= deadline:
        return Deadline("problem", f", and the session's {label} has passed: {_when(deadline, zone, as_of)}.")
    return Deadline("pending", f"; the session's {label} is {_when(deadline, zone, as_of)}.")


def _submitted(submission: datetime | None, zone: str | None, as_of: datetime) -> Item:
    if submission is None:
        return Item("submitted", "problem", "The session has no submission date, so open attempts are never "
                                            "submitted: set one in the session file.")
    if submission <= as_of:
        return Item("submitted", "ok", f"The session was submitted {_when(submission, zone, as_of)}.")
    return Item("submitted", "pending", f"The session will be submitted {_when(submission, zone, as_of)}.")


def _window(start: datetime | None, end: datetime | None, zone: str | None, as_of: datetime) -> Item:
    state = scan_window_state(start, end, as_of)
    if state == "missing":
        which = "start or end date" if start is None and end is None else "start date" if start is None else "end date"
        return Item("window", "problem", f"The scan upload window has no {which}: set it in the session file.")
    assert start is not None and end is not None  # for mypy: "missing" covers both
    if state == "upcoming":
        return Item("window", "pending", f"The scan upload window opens {_when(start, zone, as_of)}.")
    if state == "open":
        return Item("window", "ok", f"The scan upload window is open until {_when(end, zone, as_of)}.")
    return Item("window", "problem",
                f"The scan upload window closed {_when(end, zone, as_of)}: no more scans can be uploaded.")


def _schedule(end: datetime | None, submission: datetime | None, zone: str | None) -> Item:
    """A problem when the window ends at or before submission: scans only come after it, so none ever could."""
    if end is None or submission is None:
        return Item("schedule", "ok", "No schedule conflict to check until both the submission date "
                                      "and the scan window's end are set.")
    closes = f"The scan upload window closes {format_moment(end, zone)}"
    if end > submission:
        return Item("schedule", "ok", f"{closes}, {span(end - submission)} after the submission date.")
    gap = "at" if end == submission else f"{span(submission - end)} before"
    return Item("schedule", "problem", f"{closes}, {gap} the submission date "
                                       f"({format_moment(submission, zone)}), so no scan could ever be uploaded.")


def _early_window(start: datetime | None, end: datetime | None, submission: datetime | None,
                  zone: str | None) -> tuple[str, ...]:
    """Worth knowing, never blocking; not repeated when the schedule is already a problem."""
    if start and submission and start < submission and not (end and end <= submission):
        return (f"The scan upload window opens {span(submission - start)} before the submission date "
                f"({format_moment(submission, zone)}): scans uploaded before then may miss open attempts.",)
    return ()


def _size_warnings(test_takers: int, sheets: int) -> tuple[str, ...]:
    """TAO's limits per booklet PDF (a sheet is a page of the booklet)."""
    found = []
    if test_takers > MAX_TEST_TAKERS_PER_PDF:
        found.append(f"{test_takers:,} test-takers is more than TAO's {MAX_TEST_TAKERS_PER_PDF} per booklet PDF, "
                     "so the booklet will be split.")
    if sheets > MAX_PAGES_PER_PDF:
        found.append(f"{sheets:,} expected pages is more than TAO's {MAX_PAGES_PER_PDF} per booklet PDF, "
                     "so the booklet will be split.")
    return tuple(found)


def _require_aware(as_of: datetime) -> None:
    if as_of.utcoffset() is None:  # compared with the stored (aware) dates, a naive one would fail midway
        raise ValueError("evaluate_checklist needs an aware as_of")


def evaluate_timing(timezone: str | None, end_date: datetime | None, submission_date: datetime | None,
                    scan_upload_start: datetime | None, scan_upload_end: datetime | None, as_of: datetime) -> Timing:
    """The half of a checklist that a session's zone and dates decide at ``as_of`` (an aware datetime)."""
    _require_aware(as_of)
    start, end, submission, zone = scan_upload_start, scan_upload_end, submission_date, timezone
    return Timing(
        items=(_submitted(submission, zone, as_of), _window(start, end, zone, as_of), _schedule(end, submission, zone)),
        deadline=_deadline(end_date, submission, zone, as_of),
        window=scan_window_state(start, end, as_of), submitted=submission is not None and submission <= as_of,
        warnings=_early_window(start, end, submission, zone))


def evaluate_tally(test_takers: int, scan_uploaders: int, started: int, with_activity: int,
                   total_interactions: int | None, sheets_per_interaction: int | None) -> Tally:
    """The half of a checklist that a session's counts decide (whatever the moment)."""
    sheets = expected_sheets(test_takers, total_interactions, sheets_per_interaction)
    return Tally(enrolment=_enrolment(test_takers), roles=_roles(scan_uploaders),
                 launched=_launched(started, test_takers) if started >= 1 else None,
                 lead=_lead(test_takers, bool(with_activity)),
                 expected_sheets=sheets,
                 started_sheets=(expected_sheets(started, total_interactions, sheets_per_interaction)
                                 if with_activity > 0 else None),
                 warnings=_size_warnings(test_takers, sheets))


def assemble_checklist(snapshot: SessionSnapshot, timing: Timing, tally: Tally) -> Checklist:
    """The checklist of ``snapshot`` from the halves its dates and its counts decide."""
    launched = tally.launched or timing.deadline.after(tally.lead)
    items = (tally.enrolment.naming(snapshot.group_name), tally.roles.naming(snapshot.group_name), launched,
             *timing.items)
    return Checklist(session=snapshot, items=items, status=overall_status(items), window=timing.window,
                     submitted=timing.submitted, expected_sheets=tally.expected_sheets,
                     started_sheets=tally.started_sheets, warnings=timing.warnings + tally.warnings)


def _timing_of(s: SessionSnapshot, as_of: datetime) -> Timing:
    return evaluate_timing(s.timezone, s.end_date, s.submission_date, s.scan_upload_start, s.scan_upload_end, as_of)


def _tally_of(s: SessionSnapshot) -> Tally:
    return evaluate_tally(s.test_takers, s.scan_uploaders, s.started, s.with_activity, s.total_interactions,
                          s.sheets_per_interaction)


def evaluate_checklist(snapshot: SessionSnapshot, as_of: datetime) -> Checklist:
    """The session's whole checklist at ``as_of`` (an aware datetime; nothing here reads the clock)."""
    return assemble_checklist(snapshot, _timing_of(snapshot, as_of), _tally_of(snapshot))


def evaluate_checklists(snapshots: Iterable[SessionSnapshot], as_of: datetime) -> list[Checklist]:
    """``evaluate_checklist`` of each session, in order; sessions with the same zone and dates, or the same counts,
    share one judgement of them (and its Items)."""
    _require_aware(as_of)
    timings: dict[tuple[Any, ...], Timing] = {}
    tallies: dict[tuple[int | None, ...], Tally] = {}
    out = []
    for s in snapshots:
        dates = (s.timezone, s.end_date, s.submission_date, s.scan_upload_start, s.scan_upload_end)
        timing = timings.get(dates) or timings.setdefault(dates, _timing_of(s, as_of))
        counts = (s.test_takers, s.scan_uploaders, s.started, s.with_activity, s.total_interactions,
                  s.sheets_per_interaction)
        tally = tallies.get(counts) or tallies.setdefault(counts, _tally_of(s))
        out.append(assemble_checklist(s, timing, tally))
    return out
