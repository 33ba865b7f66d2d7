"""Rules of activity files: who launched or finished a paper session, and when.

Four sources, told apart by their header (other columns, such as scores and items, are ignored):

    activity                      scanready's own CSV: session_name, user_username, status, started_at, finished_at
    tao-portal-session-results    TAO Portal's "Export CSV" of one session: login, sessionStartTime,
                                  sessionEndTime, deliveryId (Unix timestamps, no status)
    tao-results-table             TAO's results table export: Login (else Test Taker ID), Start Delivery Execution,
                                  End Delivery Execution (d/m/Y H:i:s with no offset, no status)
    tao-delivery-executions       Data Explorer's delivery executions: Login, Delivery Id, Start Time, Finish Time,
                                  Status

``parse_activity`` checks each row on its own and keeps the valid ones. A row of a TAO export names no session:
``assign.assign_activity`` finds it later from the login's groups, reads times without an offset in that
session's zone and keeps each test-taker's latest row. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboard.ingest.reader import Table
from dashboard.ingest.report import FileReport
from dashboard.ingest.rows import clean_columns, map_header, require_columns
from dashboard.ingest.values import MOMENT_FORMATS, DateOrder, parse_moment, slash_order
from dashboard.tao import STATUSES

# TAO's words for an execution's state (its screens, its exports, and the last part of its status URIs), by what
# they mean here. Canceled, Awaiting and Authorized come from proctoring: the test-taker never began.
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(("not started", "not attempted", "canceled", "cancelled", "awaiting", "authorized",
                     "authorised", "authorized but not started", "authorised but not started"), "not_started"),
    **dict.fromkeys(("in progress", "active", "incomplete"), "in_progress"),
    "paused": "paused",
    **dict.fromkeys(("finished", "completed", "awaiting scoring"), "finished"),
    "terminated": "terminated",
}
_URI_STATUS = "deliveryexecutionstatus"  # ...TAODelivery.rdf#DeliveryExecutionStatusActive
COLUMNS = ("session_name", "user_username", "status", "started_at", "finished_at")
"""The fields of an activity record, as the store keeps them."""
FOLD = timedelta(hours=2)
"""The most a clock change turns clocks back (Antarctica/Troll's two hours; one hour nearly everywhere)."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where an activity file comes from, and which of its columns say what (None: it has no such column)."""

    template: str
    users: tuple[str, ...]  # the login column, in order of preference
    start: str
    finish: str
    status: str | None = None
    session: str | None = None
    delivery: str | None = None

    def columns(self) -> tuple[str, ...]:
        """Every column this source reads."""
        return tuple(c for c in (*self.users, self.start, self.finish, self.status, self.session, self.delivery)
                     if c)


SCANREADY = Source("activity", ("user_username",), "started_at", "finished_at", status="status",
                   session="session_name")
PORTAL = Source("tao-portal-session-results", ("login",), "sessionStartTime", "sessionEndTime",
                delivery="deliveryId")
RESULTS_TABLE = Source("tao-results-table", ("Login", "Test Taker ID"), "Start Delivery Execution",
                       "End Delivery Execution")
EXECUTIONS = Source("tao-delivery-executions", ("Login",), "Start Time", "Finish Time", status="Status",
                    delivery="Delivery Id")
SOURCES = (SCANREADY, PORTAL, RESULTS_TABLE, EXECUTIONS)


def detect_source(header: Sequence[str]) -> Source | None:
    """The activity source a header comes from, None when it is none of them (names compare case-insensitively)."""
    names = {name.strip().lower() for name in header}
    if "user_username" in names:  # scanready's file, unless it looks more like a link file
        own = len(names & {"session_name", "status", "started_at", "finished_at"})
        links = len(names & {"group_name", "group_role", "user_password", "user_name", "user_email"})
        return SCANREADY if own > links else None
    for source in (PORTAL, RESULTS_TABLE, EXECUTIONS):
        if source.start.lower() in names and any(user.lower() in names for user in source.users):
            return source
    return None


def normalise_status(text: str) -> str:
    """A status in any case or spelling (``In progress``, ``IN_PROGRESS``, ``in-progress``), or TAO's status URI,
    as one of ``STATUSES``; anything else raises ``ValueError``."""
    word = text.strip().rpartition("#")[2]  # a URI's last part
    if word.lower().startswith(_URI_STATUS):
        word = "".join(f" {c}" if c.isupper() else c for c in word[len(_URI_STATUS):])  # AwaitingScoring
    word = " ".join(word.lower().replace("-", " ").replace("_", " ").split())
    if word in STATUS_WORDS:
        return STATUS_WORDS[word]
    raise ValueError("is not a status; use Not started, In progress, Paused, Finished or Terminated "
                     "(TAO's other words and its status URIs are understood too)")


def status_from_times(started: bool, finished: bool) -> str:
    """The status of a row of an export that has none: a finish time means finished, a start time in progress."""
    return "finished" if finished else "in_progress" if started else "not_started"


def parse_activity(table: Table, report: FileReport, *, source: Source, max_field_length: int,
                   date_order: DateOrder | None = None) -> None:
    """Check every row into ``report``: its rows become columns (``COLUMNS`` and ``delivery_id``); the
    session is "" for a TAO export, and a time without an offset stays naive (read later in the session's zone)."""
    own = source is SCANREADY
    positions = map_header(table, report, source.columns(), ignore_unknown=not own)
    user = next((name for name in source.users if name in positions), source.users[0])
    required = ["session_name", "user_username", "status"] if own else [user, source.start]
    require_columns(table, report, positions, required)
    report.kind, report.template, report.fields = "activity", source.template, COLUMNS
    report.sources = {"user_username": user, "started_at": source.start, "finished_at": source.finish}
    texts = clean_columns(table, report, positions, max_field_length=max_field_length)
    report.rows = table.count
    if any(name not in positions for name in required):
        return
    empty = [""] * table.count

    def column(name: str | None) -> list[str]:
        return texts.get(name, empty) if name else empty

    order = date_order or slash_order([*column(source.start), *column(source.finish)]) or "dmy"
    if order == "mdy" and date_order is None:
        report.warn(None, source.start, "", "The dates were read month first (03/16/2027): no number above 12 is "
                    "in the first place and some are in the second. If that is wrong, choose the date order.")
    check = _Checker(report, table.lines)
    starts = check.moments(source.start, column(source.start), order)
    finishes = check.moments(source.finish, column(source.finish), order)
    statuses = (check.statuses(source.status, column(source.status)) if source.status else
                [status_from_times(s is not None, f is not None) for s, f in zip(starts, finishes, strict=True)])
    check.present(source.session, column(source.session))
    check.present(user, column(user))
    check.in_order(source, starts, finishes, column)
    report.columns = {"session_name": column(source.session), "user_username": column(user),
                      "delivery_id": column(source.delivery), "status": statuses, "started_at": starts,
                      "finished_at": finishes}
    report.lines = list(table.lines)


class _Checker:
    """Problems of an activity file's rows, at their line and column."""

    def __init__(self, report: FileReport, lines: list[int]) -> None:
        self.report, self.lines = report, lines

    def error(self, i: int, column: str, value: str, message: str) -> None:
        self.report.error(self.lines[i], column, value, message)

    def present(self, name: str | None, values: list[str]) -> None:
        """An error for each empty value of the column ``name`` (none when the file has no such column)."""
        if name is None or "" not in values:
            return
        for i in [i for i, value in enumerate(values) if not value]:
            self.error(i, name, "", f"{name} is empty; every row needs one.")

    def moments(self, name: str, values: list[str], order: DateOrder) -> list[datetime | None]:
        """Each value as a moment (None when empty); each distinct value is read once."""
        parsed: dict[str, datetime | None] = {"": None}
        for value in set(values) - {""}:
            try:
                parsed[value] = parse_moment(value, order)[0]
            except ValueError as exc:
                parsed[value] = None
                for i in [i for i, v in enumerate(values) if v == value]:
                    self.error(i, name, value, f"{value!r} {exc}.")
        return list(map(parsed.__getitem__, values))

    def statuses(self, name: str, values: list[str]) -> list[str]:
        parsed: dict[str, str] = {}
        for value in set(values):
            try:
                parsed[value] = normalise_status(value)
            except ValueError as exc:
                parsed[value] = ""
                for i in [i for i, v in enumerate(values) if v == value]:
                    self.error(i, name, value, f"{value!r} {exc}.")
        return list(map(parsed.__getitem__, values))

    def in_order(self, source: Source, starts: list[datetime | None], finishes: list[datetime | None],
                 column: Callable[[str | None], list[str]]) -> None:
        """A finish before its start is an error (when both are in the same terms: both local or both fixed). A row
        with one local time and one fixed is checked once placed in its session's zone, and so is a row whose two
        local times are at most ``FOLD`` the wrong way round (the finish may be the second of a time the autumn's
        clock change repeats): their two texts are kept in ``report.quoted`` for that check to quote."""
        for i, (start, finish) in enumerate(zip(starts, finishes, strict=True)):
            if start is None or finish is None:
                continue
            local = start.tzinfo is None
            if local != (finish.tzinfo is None) or (local and start - FOLD <= finish < start):
                line = self.lines[i]
                self.report.quoted[line, "started_at"] = column(source.start)[i]
                self.report.quoted[line, "finished_at"] = column(source.finish)[i]
            elif finish < start:
                self.error(i, source.finish, column(source.finish)[i],
                           f"{source.finish} is before {source.start} ({column(source.start)[i]}).")


__all__ = ["COLUMNS", "MOMENT_FORMATS", "SOURCES", "STATUSES", "STATUS_WORDS", "Source", "detect_source",
           "normalise_status", "parse_activity", "status_from_times"]
