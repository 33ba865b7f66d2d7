"""Which session each activity row belongs to, its times in that session's zone, and each test-taker's latest row.

TAO's exports name no session: a row belongs to the paper session whose group holds its login as a test-taker,
narrowed to the row's delivery when the export gives one. Exactly one such session: that one. None (TAO's exports
also list digital sessions and other people) or several: a warning naming the login, and its rows are skipped.
A manager can name the session of a whole export instead (TAO's Portal exports one session per file).

Pure: the ``Roster`` (sessions and test-takers, stored or in the same upload) is gathered by ``services``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dashboard.ingest.activity import COLUMNS
from dashboard.ingest.report import FileReport
from dashboard.ingest.values import clock_change, clock_change_warning
from dashboard.tao import latest_moment
from dashboard.wording import count, listing


@dataclass(frozen=True, slots=True)
class KnownSession:
    """A session an activity row may belong to (stored, or a valid row of the same upload)."""

    name: str
    group: str
    delivery_id: str
    battery: bool = False  # its id is a battery's: an export names the battery's deliveries, never the battery
    timezone: str | None = None
    paper: bool = True


@dataclass(slots=True)
class Roster:
    """The sessions an upload's activity may name, and the groups in which each login is a test-taker."""

    sessions: dict[str, KnownSession] = field(default_factory=dict)
    takers: dict[str, set[str]] = field(default_factory=dict)  # login -> groups where it has TEST_TAKER

    def paper_sessions_of(self, login: str, delivery: str) -> list[str]:
        """The paper sessions whose group holds ``login`` as a test-taker, of ``delivery`` when it is given."""
        groups = self.takers.get(login, set())
        return sorted(s.name for s in self.sessions.values()
                      if s.paper and s.group in groups and (not delivery or s.battery or same_delivery(s, delivery)))


def same_delivery(session: KnownSession, delivery: str) -> bool:
    """Whether an export's delivery id is the session's: equal, or equal in their last part (an id against the
    URI that ends with it)."""
    ours = session.delivery_id
    return ours == delivery or _last_part(ours) == _last_part(delivery)


def _last_part(identifier: str) -> str:
    return identifier.rstrip("/").rpartition("#")[2].rpartition("/")[2]


def assign_activity(report: FileReport, roster: Roster, *, session: str | None = None) -> None:
    """Give each row of ``report`` (a valid activity file) its session, read its local times in that session's
    zone and keep the latest row of each (session, test-taker). ``session`` names the session of every row of a
    TAO export (it is an error when no such session is known); rows that belong nowhere are warnings."""
    columns, lines = report.columns, report.lines
    names = list(columns["session_name"])
    login = report.sources.get("user_username", "user_username")
    if report.template == "activity":
        _check_named(report, roster, names)
    elif session is not None:
        if session not in roster.sessions:
            report.error(None, None, session, f"No session is named {session!r}: choose one that is stored or "
                         "in the same import as the session of this export.")
            report.keep([])
            return
        names = [session] * len(lines)
    else:
        names = _placed(report, roster, login)
    columns["session_name"] = names
    mixed = _local_to_utc(report, roster, names)
    _finished_after_started(report, mixed)
    report.keep(_latest(report))
    report.columns = {name: report.columns[name] for name in COLUMNS}


def _check_named(report: FileReport, roster: Roster, names: list[str]) -> None:
    """Rows naming a session that is neither stored nor in the upload: one warning per name, rows skipped."""
    unknown: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        if name not in roster.sessions:
            unknown[name].append(i)
    for name, rows in unknown.items():
        report.warn(report.lines[rows[0]], "session_name", name, f"No session is named {name!r}; "
                    f"{count(len(rows), 'row is', 'rows are')} skipped (first here).")
        for i in rows:
            names[i] = ""


def _placed(report: FileReport, roster: Roster, login_column: str) -> list[str]:
    """The session of each row of a TAO export, "" for rows that belong to none or to several."""
    logins, deliveries = report.columns["user_username"], report.columns["delivery_id"]
    cache: dict[tuple[str, str], list[str]] = {}
    skipped: dict[str, list[int]] = defaultdict(list)
    names: list[str] = []
    for i, (login, delivery) in enumerate(zip(logins, deliveries, strict=True)):
        key = (login, delivery)
        found = cache[key] if key in cache else cache.setdefault(key, roster.paper_sessions_of(login, delivery))
        names.append(found[0] if len(found) == 1 else "")
        if len(found) != 1:
            skipped[login].append(i)
    for login, rows in skipped.items():
        found = cache[(login, deliveries[rows[0]])]
        lost = f"{count(len(rows), 'row is', 'rows are')} skipped (first here)"
        if found:
            message = (f"{login!r} is a test-taker of several paper sessions ({listing(found)}); {lost}: choose "
                       "the session of this export.")
        else:
            delivery = f" of delivery {deliveries[rows[0]]!r}" if deliveries[rows[0]] else ""
            message = (f"No paper session{delivery} has {login!r} as a test-taker; {lost}. TAO's exports also list "
                       "digital sessions and other people; if this one is missing, import its group's links.")
        report.warn(report.lines[rows[0]], login_column, login, message)
    return names


def _local_to_utc(report: FileReport, roster: Roster, names: list[str]) -> set[int]:
    """Times without an offset are read in their session's zone (UTC when it has none); one warning says so. A
    local time the autumn's clock change repeats is its first, but a finish that would then come before its local
    start is its second (the only reading in which the row can be right). Returns the rows whose order could not be
    checked before: one local time and one fixed, or two local times the wrong way round on the wall clock."""
    naive: list[tuple[int, str]] = []
    moved: list[tuple[int, str]] = []  # of those, the times a clock change skips or repeats
    zones: dict[str, ZoneInfo | None] = {}
    wall_starts = {i: moment for i, moment in enumerate(report.columns["started_at"])
                   if moment is not None and moment.tzinfo is None}
    backwards: set[int] = set()  # two local times, the finish before the start on the wall clock
    for column in ("started_at", "finished_at"):
        moments = report.columns[column]
        for i, moment in enumerate(moments):
            if moment is None or moment.tzinfo is not None or not names[i]:
                continue
            naive.append((i, column))
            zone = roster.sessions[names[i]].timezone
            where = zones[zone or ""] if (zone or "") in zones else zones.setdefault(zone or "", _zone(zone))
            local = moment.replace(tzinfo=where or UTC)
            if column == "finished_at" and i in wall_starts and moment < wall_starts[i]:
                backwards.add(i)
                local = local.replace(fold=1)  # the second of a repeated time; any other time is the same moment
            moments[i] = local.astimezone(UTC)
            if clock_change(local):
                moved.append((i, column))
    if naive:
        i, column = min(naive, key=lambda row: (row[0], row[1] != "started_at"))  # the first, start first
        report.warn(report.lines[i], report.sources.get(column, column), "",
                    f"{count(len(naive), 'time has', 'times have')} no time zone (first here); each was read in "
                    "its session's time zone (session_timezone, UTC when it has none).")
    if moved:
        i, column = min(moved, key=lambda row: (row[0], row[1] != "started_at"))
        report.warn(report.lines[i], report.sources.get(column, column), "", clock_change_warning(len(moved)))
    local = Counter(i for i, _ in naive)
    return {i for i, times in local.items() if times == 1} | backwards


def _finished_after_started(report: FileReport, rows: set[int]) -> None:
    """The finish of each of ``rows`` is not before its start, now that both are in UTC."""
    starts, finishes = report.columns["started_at"], report.columns["finished_at"]
    late = [i for i in sorted(rows) if starts[i] is not None and finishes[i] is not None and finishes[i] < starts[i]]
    start, finish = report.sources.get("started_at", "started_at"), report.sources.get("finished_at", "finished_at")
    for i in late:
        line = report.lines[i]
        said_start = report.quoted.get((line, "started_at"), starts[i].isoformat())
        report.error(line, finish, report.quoted.get((line, "finished_at"), finishes[i].isoformat()),
                     f"{finish} is before {start} ({said_start}) once read in the session's time zone.")
    if late:
        report.keep([i for i in range(len(report.lines)) if i not in set(late)])

def _zone(name: str | None) -> ZoneInfo | None:
    return ZoneInfo(name) if name else None


def _latest(report: FileReport) -> list[int]:
    """The rows to keep: of those with a session, each (session, test-taker)'s latest (the later row on a tie)."""
    columns = report.columns
    latest: dict[tuple[str, str], tuple[datetime, int]] = {}
    for i, (name, user) in enumerate(zip(columns["session_name"], columns["user_username"], strict=True)):
        if not name:
            continue
        stamp = latest_moment(columns["started_at"][i], columns["finished_at"][i])
        key = (name, user)
        if key not in latest or stamp >= latest[key][0]:
            latest[key] = (stamp, i)
    return sorted(i for _, i in latest.values())
