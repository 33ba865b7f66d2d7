"""The rules of an upload that need the store: a session's group and (once launched) delivery cannot change, links
to groups no session uses, which session each activity row and each scanned batch belongs to, and what a complete
roster removes.

Checks across files use the valid rows of every file of the upload, even of a file with errors elsewhere: no
warning may say a session or a group is unknown when a valid line of the same upload defines it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from dashboard import store
from dashboard.ingest import FileReport
from dashboard.ingest.assign import KnownSession, Roster, assign_activity
from dashboard.ingest.pdf import SessionMatcher
from dashboard.ingest.scans import place_pdfs, place_scans, refuse_repeated_batches
from dashboard.ingest.sessions import BATTERY, COLUMN_OF, DELIVERY, check_date_order
from dashboard.ingest.values import clock_change, clock_change_warning
from dashboard.tao import TEST_TAKER

Link = tuple[str, str, str]  # (group, user, role)


@dataclass(slots=True)
class RosterChange:
    """What "these files list everyone in their groups" does: the stored links each named group loses."""

    removed: dict[str, set[Link]] = field(default_factory=dict)

    @property
    def losses(self) -> dict[str, int]:
        """Links lost per group, for the groups that lose any, by group name."""
        return {group: len(links) for group, links in sorted(self.removed.items()) if links}

    @property
    def links(self) -> set[Link]:
        return set().union(*self.removed.values())


def check_against_store(reports: list[FileReport], *, db: Session, sessions: Mapping[str, str],
                        now: datetime) -> None:
    """Every rule that needs the store, written into the reports. ``sessions`` maps a TAO export's file name to
    the session a manager chose for all its rows; ``now`` is when the upload's PDFs are received."""
    read_local_dates(reports, db=db)
    _same_group(reports, db=db)
    _same_delivery_once_launched(reports, db=db)
    uploaded_groups = set().union(*(report.columns["group_name"] for report in _session_reports(reports)))
    _known_groups(reports, db=db, uploaded_groups=uploaded_groups)
    activity = [r for r in reports if r.kind == "activity" and r.count]
    scans = any(r.kind in ("scans", "scan_pdf") for r in reports)
    uploaded = _uploaded_sessions(reports, db=db) if activity or scans else {}  # only they place rows in sessions
    if activity:
        roster = _roster(reports, activity, db=db, uploaded=uploaded, chosen=sessions)
        for report in activity:
            assign_activity(report, roster, session=sessions.get(report.file))
    if scans:
        _place_scans(reports, db=db, uploaded=uploaded, now=now)


def _session_reports(reports: Iterable[FileReport]) -> list[FileReport]:
    return [r for r in reports if r.kind == "sessions" and r.count]


def read_local_dates(reports: list[FileReport], *, db: Session | None) -> None:
    """A session file without a session_timezone column leaves a stored session's zone as it is: its dates without
    an offset are read in that zone, as a local time always is (the ingest read them in UTC, knowing no zone). A
    session not stored yet has no zone (nor any without ``db``): UTC stands. Then the order of those rows' dates is
    checked (``check_date_order``), in the terms they are stored in."""
    for report in (r for r in _session_reports(reports) if r.local):
        c = report.columns
        names = {c["session_name"][i] for flags in report.local.values() for i, flag in enumerate(flags) if flag}
        zones = ({s.session_name: s.timezone for s in store.stored_sessions(db=db, names=names) if s.timezone}
                 if db is not None else {})
        for name, flags in report.local.items():
            values, moved = c[name], []  # the rows (and times as written) a clock change skips or repeats
            for i in [i for i, flag in enumerate(flags) if flag and c["session_name"][i] in zones]:
                wall = values[i].replace(tzinfo=None)  # the time as written: read in UTC, so its UTC is its text
                local = wall.replace(tzinfo=ZoneInfo(zones[c["session_name"][i]]))
                values[i] = local.astimezone(UTC)
                if clock_change(local):
                    moved.append((i, wall))
            if moved:
                line = report.lines[moved[0][0]]
                report.warn(line, COLUMN_OF[name], report.quoted.get((line, name), moved[0][1].isoformat()),
                            clock_change_warning(len(moved)))
        check_date_order(report)


def _uploaded_sessions(reports: list[FileReport], *, db: Session) -> dict[str, KnownSession]:
    """The sessions the valid rows of the upload's session files define; a session whose file has no
    session_timezone column keeps its stored zone."""
    out: dict[str, KnownSession] = {}
    zoneless: set[str] = set()
    for report in _session_reports(reports):
        c = report.columns
        zones = c.get("timezone", [None] * report.count)
        if "timezone" not in c:
            zoneless.update(c["session_name"])
        for i, name in enumerate(c["session_name"]):
            out[name] = KnownSession(name, c["group_name"][i], c["delivery_id"][i], c["delivery_kind"][i] == "battery",
                                     zones[i], c["paper_enabled"][i])
    for stored in store.stored_sessions(db=db, names=zoneless) if zoneless else ():
        out[stored.session_name] = replace(out[stored.session_name], timezone=stored.timezone)
    return out


def _known(db: Session, names: set[str]) -> dict[str, KnownSession]:
    """The stored sessions ``names`` as the checks know them."""
    return {s.session_name: KnownSession(s.session_name, s.group_name, s.delivery_id, s.delivery_kind == "battery",
                                         s.timezone, s.paper_enabled)
            for s in store.stored_sessions(db=db, names=names)} if names else {}


def _same_group(reports: list[FileReport], *, db: Session) -> None:
    """A stored session's group cannot change (TAO refuses it)."""
    for report in _session_reports(reports):
        names, groups = report.columns["session_name"], report.columns["group_name"]
        stored = store.session_groups(db=db, names=names)
        for i in [i for i, name in enumerate(names) if stored.get(name, groups[i]) != groups[i]] if stored else ():
            report.error(report.lines[i], "group_name", groups[i],
                         f"The session {names[i]!r} belongs to the group {stored[names[i]]!r}; TAO does "
                         "not let an import change a session's group.")
        report.drop_failed()


def _same_delivery_once_launched(reports: list[FileReport], *, db: Session) -> None:
    """A stored session's delivery (or battery) cannot change once a test-taker has launched it (TAO refuses it
    once a test execution has started)."""
    for report in _session_reports(reports):
        c = report.columns
        stored = {s.session_name: s for s in store.stored_sessions(db=db, names=c["session_name"])}
        changed = [i for i, name in enumerate(c["session_name"]) if name in stored
                   and (stored[name].delivery_id, stored[name].delivery_kind) != (c["delivery_id"][i],
                                                                                 c["delivery_kind"][i])
                   ] if stored else []  # none stored (a first import): no row to look at
        launched = store.launched_sessions(db=db, names=[c["session_name"][i] for i in changed]) if changed else set()
        for i in [i for i in changed if c["session_name"][i] in launched]:
            name, old = c["session_name"][i], stored[c["session_name"][i]]
            report.error(report.lines[i], BATTERY if c["delivery_kind"][i] == "battery" else DELIVERY,
                         c["delivery_id"][i], f"The session {name!r} has been launched (a test execution has "
                         f"started), so TAO does not let an import change its {old.delivery_kind} "
                         f"({old.delivery_id!r}).")
        report.drop_failed()


def _known_groups(reports: list[FileReport], *, db: Session, uploaded_groups: set[str]) -> None:
    """A warning on the first link to each group that no session uses, stored or in the upload."""
    for report in (r for r in reports if r.kind == "enrolments" and r.count):
        linked = set(report.columns["group_name"])
        unknown = linked - uploaded_groups - store.groups_with_sessions(db=db, groups=linked - uploaded_groups)
        first: dict[str, int] = {}
        for line, group in zip(report.lines, report.columns["group_name"], strict=True) if unknown else ():
            if group in unknown and group not in first:
                first[group] = line
        for group, line in sorted(first.items(), key=lambda item: item[1]):
            report.warn(line, "group_name", group, f"No session uses the group {group!r} yet; its links are kept "
                        "for sessions that may come in a later file.")


def _roster(reports: list[FileReport], activity: list[FileReport], *, db: Session, uploaded: dict[str, KnownSession],
            chosen: Mapping[str, str]) -> Roster:
    """The sessions and test-takers the upload's activity may name: the store's, overridden by the upload's."""
    logins = {user for r in activity if r.template != "activity" for user in r.columns["user_username"]}
    named = {name for r in activity for name in r.columns["session_name"] if name} | set(chosen.values())
    takers = store.test_taker_groups(db=db, users=logins) if logins else {}
    for report in (r for r in reports if r.kind == "enrolments" and r.count):
        c = report.columns
        for user, group, role in zip(c["user_username"], c["group_name"], c["group_role"], strict=True):
            if role == TEST_TAKER and user in logins:
                takers.setdefault(user, set()).add(group)
    groups = set().union(*takers.values()) if takers else set()
    in_groups = {s.session_name: s for s in store.stored_sessions(db=db, groups=groups)} if groups else {}
    known = {**_known(db, named - uploaded.keys()),
             **{name: KnownSession(s.session_name, s.group_name, s.delivery_id, s.delivery_kind == "battery",
                                   s.timezone, s.paper_enabled) for name, s in in_groups.items()}}
    return Roster({**known, **uploaded}, takers)


def roster_change(reports: list[FileReport], *, db: Session) -> RosterChange:
    """The stored links of every group the upload's link files name that none of those files lists."""
    incoming: set[Link] = set()
    for report in (r for r in reports if r.kind == "enrolments"):
        c = report.columns
        incoming.update(zip(c.get("group_name", ()), c.get("user_username", ()), c.get("group_role", ()), strict=True))
    groups = {group for group, _, _ in incoming}
    change = RosterChange({group: set() for group in groups})
    for link in store.links_of_groups(db=db, groups=groups) - incoming:
        change.removed[link[0]].add(link)
    return change


def _place_scans(reports: list[FileReport], *, db: Session, uploaded: dict[str, KnownSession],
                 now: datetime) -> None:
    """The session of each scanned batch: a log's row by name or booklet, a PDF by its file name."""
    logs = [r for r in reports if r.kind == "scans" and r.count]
    pairs = _booklets(reports, db=db)
    by_booklet: dict[str, list[str]] = {}
    for booklet, name in pairs:
        by_booklet.setdefault(booklet, []).append(name)
    named = {name for r in logs for name in r.columns["session_name"] if name}
    named |= {name for r in logs for booklet in r.columns["booklet_filename"] if booklet
              for name in by_booklet.get(booklet, ())}
    sessions = {**_known(db, named - uploaded.keys()), **uploaded}
    for report in logs:
        place_scans(report, sessions, by_booklet)
    refuse_repeated_batches(logs)
    pdfs = [r for r in reports if r.kind == "scan_pdf"]
    if pdfs:
        paper = {name for _, name in pairs} | {s.name for s in uploaded.values() if s.paper}
        place_pdfs(pdfs, SessionMatcher(pairs, paper | set(store.session_names(db=db))), now)


def _booklets(reports: list[FileReport], *, db: Session) -> list[tuple[str, str]]:
    """(booklet, session) of every paper session, stored or in the upload (the upload's booklet wins)."""
    uploaded: dict[str, str | None] = {}
    for report in _session_reports(reports):
        c = report.columns
        booklets = c.get("booklet_filename", [None] * report.count)
        for name, booklet, paper in zip(c["session_name"], booklets, c["paper_enabled"], strict=True):
            uploaded[name] = booklet if paper else None
    pairs = [(booklet, name) for booklet, name in store.booklets(db=db) if name not in uploaded]
    return pairs + [(booklet, name) for name, booklet in uploaded.items() if booklet]
