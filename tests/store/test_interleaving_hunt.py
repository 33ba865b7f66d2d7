"""An adversarial hunt for lost (or invented) data in interleavings of imports, complete rosters, re-imports, scan
logs, PDFs and undos, against a small plain-Python model of what the store shows (on SQLite and PostgreSQL).

The model keeps the visible contents (sessions and their values, group links, activity rows, scanned batches) and
the import history (which imports are recorded, which are undone, what each held), and applies the README's rules
itself:

- a session file creates new sessions and sets, on stored ones, only the columns it has; identical rows are
  unchanged; a stored session's delivery cannot change once a test-taker has launched it (the upload is refused);
- link files only add; with "these files list everyone in their groups" (sync) the links of the groups they name
  that they leave out are removed;
- an activity row naming no known session is skipped; a test-taker's latest row wins (the later import on a tie);
- a scan log's row naming no known session (by name or booklet) refuses the upload; a batch is keyed by its
  batch_id (else the whole row) and a later log changes its pages and time; a PDF is keyed by its SHA-256 and never
  changes;
- an import that changes nothing is not recorded;
- undoing an import makes each record it held what the other imports not undone, replayed in order, make of it; a
  session no import holds any more goes, with its activity and scans, for good: what the imports made by then hold
  for it counts no more (importing the session again, or undoing a later import, brings none of it back).

Invariants after every step: the store's contents and import history equal the model's, the readiness verdicts and
the pages received (services, and the CLI's ``readiness --json``) equal those derived from the model; undoing the
newest import right after it (last in, first out) gives back the store as it was before it; undoing everything in
reverse order leaves the store empty.

Bugs found are pinned by plain regression tests at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import Engine, delete, select
from sqlmodel import Session, SQLModel

from dashboard import services, store
from dashboard.cli import main
from dashboard.config import Settings
from dashboard.errors import ScanreadyError
from dashboard.services import ImportOptions
from dashboard.store.base import ACTIVITY, LINKS, SCANS, SESSIONS
from tests.factories import (
    ACTIVITY as ACTIVITY_COLUMNS,
    LINKS as LINK_COLUMNS,
    NEW_GROUPS,
    PAPER,
    csv_bytes,
    pdf_bytes,
    scans_csv,
    session,
)

# ---------------------------------------------------------------------------------------------------------------
# The universe: few names, so that imports collide.

GROUP = {"History 4A": "Class 4A", "Maths 4A": "Class 4A", "History 4B": "Class 4B"}
NAMES = tuple(GROUP)
BOOKLET = {name: f"booklet-{name.lower().replace(' ', '-')}" for name in NAMES}  # the factory's booklet names
DELIVERIES = ("https://tao.example.org/delivery/history", "https://tao.example.org/delivery/other")
USERS = ("ana", "bo", "up")
ROLES = ("TEST_TAKER", "SCAN_UPLOADER")
LINK_GROUPS = ("Class 4A", "Class 4B", "Class 4Z")  # Class 4Z: no session uses it (a warning, links kept)
STATUSES = ("not_started", "in_progress", "finished")
STARTS = ("2028-06-12T07:00:00Z", "2028-06-12T08:00:00Z", "2028-06-25T07:00:00Z", "")  # one after AS_OF, one none
RECEIVED = ("2028-06-14T10:00:00Z", "2028-06-15T10:00:00Z", "2028-06-22T10:00:00Z")  # the last after AS_OF
AS_OF = datetime(2028, 6, 20, tzinfo=UTC)  # after every submission date, every scan window open
IMPORTED_FROM = datetime(2028, 6, 16, tzinfo=UTC)  # imports happen a minute apart from here (PDFs arrive then)
UNDONE_AT = datetime(2028, 7, 1, tzinfo=UTC)
PDF_BYTES = {pages: pdf_bytes(pages) for pages in (1, 2)}
NOT_STARTED = "not_started"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def latest(start: datetime | None, finish: datetime | None) -> datetime:
    return max((m for m in (start, finish) if m is not None), default=datetime.min.replace(tzinfo=UTC))


# ---------------------------------------------------------------------------------------------------------------
# An upload, as plain data (hashable: a re-import sends the very same bytes again).

SessionRow = tuple[str, str, int, int, str]  # name, delivery, sheets per interaction, total interactions, description
ActivityRow = tuple[str, str, str, str, str]  # session, user, status, started_at, finished_at (texts; "" for none)
ScanRow = tuple[str, bool, int, str, str]  # session, named by booklet?, pages, received_at, batch_id ("" for none)


@dataclass(frozen=True)
class Upload:
    session_rows: tuple[SessionRow, ...] = ()
    rich: bool = True  # sessions-with-delivery-in-new-groups (every column) rather than the short PAPER columns
    links: tuple[tuple[str, str, str], ...] = ()  # (user, group, role)
    sync: bool = False
    activity: tuple[ActivityRow, ...] = ()
    scans: tuple[ScanRow, ...] = ()
    log_name: str = "log.csv"
    pdf: tuple[str, int] | None = None  # (session whose booklet names the file, pages)
    split_links: bool = False  # the links in two files (staff and test-takers apart), one import: one roster

    def files(self) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        if self.session_rows:
            rows = [session(name, group=GROUP[name], session_deliveryId=delivery,
                            session_paperMode_sheetsPerInteraction=str(sheets),
                            session_paperMode_totalInteractions=str(total), group_description=description)
                    for name, delivery, sheets, total, description in self.session_rows]
            out.append(("s.csv", csv_bytes(NEW_GROUPS if self.rich else PAPER, rows)))
        if self.links:
            parts = ([[link for link in self.links if link[2] != "TEST_TAKER"],
                      [link for link in self.links if link[2] == "TEST_TAKER"]] if self.split_links else [self.links])
            for n, part in enumerate(p for p in parts if p):
                out.append((f"l{n}.csv", csv_bytes(LINK_COLUMNS, [dict(zip(LINK_COLUMNS, link, strict=True))
                                                                   for link in part])))
        if self.activity:
            out.append(("a.csv", csv_bytes(ACTIVITY_COLUMNS, [dict(zip(ACTIVITY_COLUMNS, row, strict=True))
                                                              for row in self.activity])))
        if self.scans:
            out.append((self.log_name, scans_csv(*(
                {"session_name": "" if by_booklet else name, "booklet_filename": BOOKLET[name] if by_booklet else "",
                 "pages": str(pages), "received_at": received, "batch_id": batch}
                for name, by_booklet, pages, received, batch in self.scans))))
        if self.pdf is not None:
            name, pages = self.pdf
            out.append((f"{BOOKLET[name]}.pdf", PDF_BYTES[pages]))
        return out


def _scan_key(batch: str, pages: int, received: datetime) -> str:
    return f"batch:{batch}" if batch else f"row:{pages}|{received.isoformat()}"


@st.composite
def uploads(draw: st.DrawFn, *, links_only: bool = False) -> Upload:
    session_rows: tuple[SessionRow, ...] = ()
    activity: list[ActivityRow] = []
    scans: dict[tuple[str, str], ScanRow] = {}
    pdf = None
    if not links_only and draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
        session_rows = tuple((name, draw(st.sampled_from(DELIVERIES)), draw(st.integers(1, 3)),
                              draw(st.sampled_from((5, 6))), draw(st.sampled_from(("pupils", "class", ""))))
                             for name in names)
    links = tuple(sorted(draw(st.sets(st.tuples(st.sampled_from(USERS), st.sampled_from(LINK_GROUPS),
                                                st.sampled_from(ROLES)),
                                      min_size=1 if links_only else 0, max_size=4))))
    if not links_only:
        for _ in range(draw(st.integers(0, 3))):  # a test-taker may come twice: the latest row (the later on a tie)
            name, user = draw(st.sampled_from(NAMES)), draw(st.sampled_from(USERS))
            start = draw(st.sampled_from(STARTS))
            finish = draw(st.sampled_from(("", (moment(start) + timedelta(minutes=30)).isoformat()))) if start else ""
            activity.append((name, user, draw(st.sampled_from(STATUSES)), start, finish))
        for _ in range(draw(st.integers(0, 2))):
            name, pages = draw(st.sampled_from(NAMES)), draw(st.integers(1, 9))
            received, batch = draw(st.sampled_from(RECEIVED)), draw(st.sampled_from(("b1", "b2", "")))
            scans.setdefault((name, _scan_key(batch, pages, moment(received))),
                             (name, draw(st.booleans()), pages, received, batch))
        if draw(st.integers(0, 4)) == 0:
            pdf = (draw(st.sampled_from(NAMES)), draw(st.sampled_from((1, 2))))
    return Upload(session_rows, draw(st.booleans()), links, bool(links) and draw(st.booleans()),
                  tuple(activity), tuple(scans.values()), draw(st.sampled_from(("log.csv", "centre.csv"))),
                  pdf, draw(st.booleans()))


# ---------------------------------------------------------------------------------------------------------------
# The model.

Values = dict[str, Any]  # a session: group, delivery, sheets, total, description, template, rich
Link = tuple[str, str, str]  # (group, user, role), as the store keys it
ActivityRecord = tuple[str, datetime | None, datetime | None]
ScanRecord = tuple[int, datetime, str | None, str, str]  # pages, received_at, batch_id, source, file_name
DEFAULTS: Values = {"description": None, "rich": False}  # the columns a short (PAPER) file leaves as they are


@dataclass
class Held:
    """What a recorded import held (its payloads), as the model keeps it."""

    ident: int
    sessions: dict[str, Values] = field(default_factory=dict)  # name -> the columns its file set
    links: set[Link] = field(default_factory=set)
    synced: set[str] = field(default_factory=set)
    removed: set[Link] = field(default_factory=set)
    activity: dict[tuple[str, str], ActivityRecord] = field(default_factory=dict)
    scans: dict[tuple[str, str], ScanRecord] = field(default_factory=dict)
    undone: bool = False


@dataclass
class Contents:
    sessions: dict[str, Values] = field(default_factory=dict)
    links: set[Link] = field(default_factory=set)
    activity: dict[tuple[str, str], ActivityRecord] = field(default_factory=dict)
    scans: dict[tuple[str, str], ScanRecord] = field(default_factory=dict)

    def copy(self) -> Contents:
        return Contents({k: dict(v) for k, v in self.sessions.items()}, set(self.links), dict(self.activity),
                        dict(self.scans))

    def plain(self) -> dict[str, Any]:
        return {"sessions": dict(sorted(self.sessions.items())), "links": sorted(self.links),
                "activity": dict(sorted(self.activity.items())), "scans": dict(sorted(self.scans.items()))}


Counted = dict[str, dict[str, int]]  # per kind of file: created, updated, unchanged, removed


def _counts() -> dict[str, int]:
    return {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}


@dataclass
class Model:
    now: Contents = field(default_factory=Contents)
    history: list[Held] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)  # session -> the newest import when an undo removed it

    def launched(self, name: str) -> bool:
        return any(key[0] == name and record[0] != NOT_STARTED for key, record in self.now.activity.items())

    def apply(self, upload: Upload, ident: int, at: datetime) -> tuple[bool, Counted, Held | None]:
        """Import ``upload`` as import ``ident`` at ``at``: (valid, counts per kind, what it held when recorded)."""
        c = self.now
        # Validation: a launched session's delivery cannot change; a batch must name a known session.
        for name, delivery, *_ in upload.session_rows:
            if name in c.sessions and c.sessions[name]["delivery"] != delivery and self.launched(name):
                return False, {}, None
        known = set(c.sessions) | {row[0] for row in upload.session_rows}
        if any(row[0] not in known for row in upload.scans):
            return False, {}, None
        if upload.pdf is not None and upload.pdf[0] not in known:
            return False, {}, None
        after = c.copy()
        held = Held(ident)
        counted: Counted = {}
        if upload.session_rows:
            counts = counted["sessions"] = _counts()
            for name, delivery, sheets, total, description in upload.session_rows:
                given: Values = {"group": GROUP[name], "delivery": delivery, "sheets": sheets, "total": total,
                                 "template": "new" if upload.rich else "existing"}
                if upload.rich:
                    given |= {"description": description or None, "rich": True}
                held.sessions[name] = given
                before = after.sessions.get(name)
                values = {**(before if before is not None else DEFAULTS), **given}
                counts["created" if before is None else "updated" if values != before else "unchanged"] += 1
                after.sessions[name] = values
        if upload.links:
            counts = counted["enrolments"] = _counts()
            incoming = {(group, user, role) for user, group, role in upload.links}
            held.links = incoming
            counts["created"] = len(incoming - after.links)
            counts["unchanged"] = len(incoming) - counts["created"]
            if upload.sync:
                held.synced = {group for group, _, _ in incoming}
                held.removed = {link for link in after.links if link[0] in held.synced and link not in incoming}
                counts["removed"] = len(held.removed)
            after.links = (after.links | incoming) - held.removed
        if upload.activity:
            counts = counted["activity"] = _counts()
            kept: dict[tuple[str, str], ActivityRecord] = {}  # of a file's rows, each test-taker's latest
            for name, user, status, start, finish in upload.activity:
                if name not in after.sessions:
                    continue  # a warning: no such session; the row is skipped
                record = (status, moment(start) if start else None, moment(finish) if finish else None)
                if (name, user) not in kept or latest(*record[1:]) >= latest(*kept[(name, user)][1:]):
                    kept[(name, user)] = record
            held.activity = kept
            for (name, user), record in kept.items():
                old = after.activity.get((name, user))
                if old is None:
                    counts["created"] += 1
                elif latest(*record[1:]) >= latest(*old[1:]) and record != old:
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
                    continue
                after.activity[(name, user)] = record
        batches = [((name, _scan_key(batch, pages, moment(received))),
                    (pages, moment(received), batch or None, "log", upload.log_name), "scans")
                   for name, _, pages, received, batch in upload.scans]
        if upload.pdf is not None:
            name, pages = upload.pdf
            sha = "pdf:" + hashlib.sha256(PDF_BYTES[pages]).hexdigest()
            batches.append(((name, sha), (pages, at, None, "pdf", f"{BOOKLET[name]}.pdf"), "scan_pdf"))
        for batch_key, batch, kind in batches:
            tally = counted.setdefault(kind, _counts())
            held.scans[batch_key] = batch
            stored = after.scans.get(batch_key)
            if stored is None:
                tally["created"] += 1
                after.scans[batch_key] = batch
            elif kind == "scans" and stored[:2] != batch[:2]:
                tally["updated"] += 1
                after.scans[batch_key] = (*batch[:2], *stored[2:])
            else:
                tally["unchanged"] += 1
        changed = any(n["created"] or n["updated"] or n["removed"] for n in counted.values())
        if not changed:
            return True, counted, None
        self.now = after
        self.history.append(held)
        return True, counted, held

    def undo(self, ident: int) -> set[str]:
        """Undo import ``ident``: each record it held is replayed from the imports not undone. Returns the sessions
        removed."""
        mine = next(h for h in self.history if h.ident == ident)
        others = [h for h in self.history if not h.undone and h.ident != ident]
        c = self.now
        gone: set[str] = set()
        for name in mine.sessions:
            values: Values | None = None
            for h in others:
                if name in h.sessions:
                    values = {**(values if values is not None else DEFAULTS), **h.sessions[name]}
            if values is None:
                gone.add(name)
                c.sessions.pop(name, None)
            else:
                c.sessions[name] = values
        listed = {link for h in others for link in h.links if link[0] in mine.synced}
        for link in mine.links | mine.removed | listed:
            present = False
            for h in others:
                if link in h.links:
                    present = True
                elif link[0] in h.synced:
                    present = False
            (c.links.add if present else c.links.discard)(link)
        newest = max(h.ident for h in self.history)
        self.removed |= dict.fromkeys(gone, newest)
        for key in mine.activity:
            if key[0] in gone:
                continue
            record: ActivityRecord | None = None
            for h in others:
                if key in h.activity and h.ident > self.removed.get(key[0], 0):
                    new = h.activity[key]
                    if record is None or (new != record and latest(*new[1:]) >= latest(*record[1:])):
                        record = new
            if record is None:
                c.activity.pop(key, None)
            elif key[0] in c.sessions:
                c.activity[key] = record
        for key in mine.scans:
            if key[0] in gone:
                continue
            batch: ScanRecord | None = None
            for h in others:
                if key in h.scans and h.ident > self.removed.get(key[0], 0):
                    new_batch = h.scans[key]
                    if batch is None:
                        batch = new_batch
                    elif not key[1].startswith("pdf:"):
                        batch = (*new_batch[:2], *batch[2:])
            if batch is None:
                c.scans.pop(key, None)
            elif key[0] in c.sessions:
                c.scans[key] = batch
        c.activity = {k: v for k, v in c.activity.items() if k[0] not in gone}
        c.scans = {k: v for k, v in c.scans.items() if k[0] not in gone}
        mine.undone = True
        return gone

    def readiness(self) -> dict[str, dict[str, Any]]:
        """The verdict of every (paper) session at AS_OF: dates never decide here (submitted, window open)."""
        out = {}
        for name, values in self.now.sessions.items():
            group = values["group"]
            takers = {user for g, user, role in self.now.links if g == group and role == "TEST_TAKER"}
            uploaders = {user for g, user, role in self.now.links if g == group and role == "SCAN_UPLOADER"}
            rows = [record for (session_name, user), record in self.now.activity.items()
                    if session_name == name and user in takers]
            began = [start or finish for status, start, finish in rows if status != NOT_STARTED]
            started = sum(1 for moment_ in began if moment_ is None or moment_ <= AS_OF)
            per_taker = values["total"] * values["sheets"]
            out[name] = {"status": "ready" if takers and uploaders and started else "blocked",
                         "enrolled": len(takers), "launched": started, "expected_sheets": len(takers) * per_taker,
                         "started_sheets": started * per_taker if rows else None}
        return out

    def received(self) -> dict[str, int]:
        return {name: sum(record[0] for (n, _), record in self.now.scans.items() if n == name and record[1] <= AS_OF)
                for name in self.now.sessions}


# ---------------------------------------------------------------------------------------------------------------
# The store, read the same way.


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def store_contents(db: Session) -> dict[str, Any]:
    names = dict(db.execute(select(SESSIONS.c.id, SESSIONS.c.session_name)).all())
    sessions = {row.session_name: {"group": row.group_name, "delivery": row.delivery_id,
                                   "sheets": row.sheets_per_interaction, "total": row.total_interactions,
                                   "description": row.group_description,
                                   "template": "new" if "new-groups" in row.template else "existing",
                                   "rich": row.waiting_page_date is not None}
                for row in db.execute(select(SESSIONS))}
    links = sorted(tuple(row) for row in db.execute(select(LINKS.c.group_name, LINKS.c.user_username,
                                                           LINKS.c.group_role)))
    activity = {(names[row.session_id], row.user_username): (row.status, _utc(row.started_at), _utc(row.finished_at))
                for row in db.execute(select(ACTIVITY))}
    scans = {(names[row.session_id], row.batch_key): (row.pages, _utc(row.received_at), row.batch_id, row.source,
                                                      row.file_name)
             for row in db.execute(select(SCANS))}
    return {"sessions": dict(sorted(sessions.items())), "links": links, "activity": dict(sorted(activity.items())),
            "scans": dict(sorted(scans.items()))}


def history(db: Session) -> list[tuple[int, bool]]:
    return [(entry.id, entry.reverted_at is not None) for entry in reversed(store.recent_imports(db=db, limit=10_000))]


def readiness_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["session_name"]: {key: entry[key] for key in ("status", "enrolled", "launched", "expected_sheets",
                                                                 "started_sheets")}
            for entry in document["sessions"]}


def clear(engine: Engine) -> None:
    """Empty every table (a table forgotten here would carry one example's history into the next)."""
    with Session(engine) as db:
        for table in reversed(SQLModel.metadata.sorted_tables):
            db.execute(delete(table))
        db.commit()


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
        out.flush()
    return code, out.buffer.getvalue().decode()


# ---------------------------------------------------------------------------------------------------------------
# The machine.


class Hunt(RuleBasedStateMachine):
    url: ClassVar[str]
    engine: ClassVar[Engine]

    def __init__(self) -> None:
        super().__init__()
        clear(self.engine)
        self.db = Session(self.engine, expire_on_commit=False)
        self.model = Model()
        self.seen: list[Upload] = []
        self.clock = 0
        self.lifo: list[tuple[int, dict[str, Any] | None]] = []  # recorded imports, the store before each

    def teardown(self) -> None:
        try:
            self._undo_everything()
        finally:
            self.db.close()

    # -- the steps -----------------------------------------------------------------------------------------------

    def _import(self, upload: Upload) -> None:
        files = upload.files()
        if not files:
            return
        self.clock += 1
        at = IMPORTED_FROM + timedelta(minutes=self.clock)
        before = store_contents(self.db)
        outcome = services.import_files(files, db=self.db, settings=Settings(), now=at,
                                        options=ImportOptions(sync_links=upload.sync))
        self.db.commit()
        expected_ident = (max((h.ident for h in self.model.history), default=0) + 1 if outcome.import_id is None
                          else outcome.import_id)
        valid, counted, held = self.model.apply(upload, expected_ident, at)
        assert outcome.validation.valid == valid, (upload, outcome.validation.to_dict())
        self.seen.append(upload)
        if not valid:
            assert outcome.import_id is None
            return
        assert {kind: counts.to_dict() for kind, counts in outcome.by_kind.items()} == counted, upload
        assert (outcome.import_id is None) == (held is None), (upload, counted)
        if held is not None:
            self.lifo.append((held.ident, before))

    @rule(upload=uploads())
    def import_upload(self, upload: Upload) -> None:
        self._import(upload)

    @rule(upload=uploads(links_only=True))
    def import_links(self, upload: Upload) -> None:
        self._import(upload)

    @precondition(lambda self: self.seen)
    @rule(which=st.integers(min_value=0))
    def reimport(self, which: int) -> None:
        self._import(self.seen[which % len(self.seen)])

    def _active(self) -> list[int]:
        return [h.ident for h in self.model.history if not h.undone]

    def _undo(self, ident: int | None, *, cli: bool = False) -> None:
        target = self._active()[-1] if ident is None else ident
        if cli:
            self.db.close()
            code, out = run_cli("undo", *([] if ident is None else [str(ident)]), "--db", self.url, "--json")
            assert code == 0 and json.loads(out)["import_id"] == target, out
        else:
            outcome = services.undo_import(db=self.db, import_id=ident, now=UNDONE_AT)
            self.db.commit()
            assert outcome.import_id == target
        self.model.undo(target)
        position = next(i for i, (i_d, _) in enumerate(self.lifo) if i_d == target)
        _, before = self.lifo.pop(position)
        if position == len(self.lifo) and before is not None:  # it was the newest: the store is as before it
            assert store_contents(self.db) == before, f"undoing import {target} did not give back the store"
        else:  # an undo out of order: the imports after it no longer know the store before them
            self.lifo[position:] = [(i_d, None) for i_d, _ in self.lifo[position:]]

    @precondition(lambda self: self._active())
    @rule()
    def undo_newest(self) -> None:
        self._undo(None)

    @precondition(lambda self: self._active())
    @rule(which=st.integers(min_value=0))
    def undo_any(self, which: int) -> None:
        active = self._active()
        self._undo(active[which % len(active)])

    @precondition(lambda self: self._active())
    @rule(newest=st.booleans(), which=st.integers(min_value=0))
    def undo_with_the_cli(self, newest: bool, which: int) -> None:
        active = self._active()
        self._undo(None if newest else active[which % len(active)], cli=True)

    @precondition(lambda self: any(h.undone for h in self.model.history))
    @rule(which=st.integers(min_value=0))
    def undo_an_undone_import_again_is_refused(self, which: int) -> None:
        undone = [h.ident for h in self.model.history if h.undone]
        before = store_contents(self.db)
        with pytest.raises(ScanreadyError, match="already undone"):
            services.undo_import(db=self.db, import_id=undone[which % len(undone)], now=UNDONE_AT)
        self.db.rollback()
        assert store_contents(self.db) == before

    def _undo_everything(self) -> None:
        for ident in reversed(self._active()):
            self._undo(ident)
        assert store_contents(self.db) == Contents().plain(), "undoing every import did not empty the store"

    @precondition(lambda self: self._active())
    @rule()
    def undo_everything_in_reverse_order(self) -> None:
        self._undo_everything()

    @rule()
    def readiness_by_the_cli(self) -> None:
        self.db.close()
        code, out = run_cli("readiness", "--db", self.url, "--as-of", AS_OF.isoformat(), "--json")
        assert code == 0, out
        assert readiness_of(json.loads(out)) == self.model.readiness()

    # -- the invariants -------------------------------------------------------------------------------------------

    @invariant()
    def contents_are_the_models(self) -> None:
        assert store_contents(self.db) == self.model.now.plain()

    @invariant()
    def history_is_the_models(self) -> None:
        assert history(self.db) == [(h.ident, h.undone) for h in self.model.history]

    @invariant()
    def verdicts_and_receipts_are_the_models(self) -> None:
        out = io.BytesIO()
        services.write_readiness_json(db=self.db, out=out, as_of=AS_OF)
        assert readiness_of(json.loads(out.getvalue())) == self.model.readiness()
        board = services.receipt_board(db=self.db, as_of=AS_OF)
        assert {entry.session_name: entry.receipt.received for entry in board.sessions} == self.model.received()
        self.db.rollback()  # no read transaction left open (SQLite: the CLI writes beside this session)


HUNT = settings(max_examples=100, stateful_step_count=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture
def hunt_engine(engine: Engine, store_url: str) -> Iterator[Engine]:
    Hunt.url, Hunt.engine = store_url, engine
    yield engine


def test_interleavings_of_imports_rosters_scans_and_undos_lose_nothing(hunt_engine: Engine) -> None:
    run_state_machine_as_test(Hunt, settings=HUNT)


# ---------------------------------------------------------------------------------------------------------------
# Bugs found by the machine, minimised.


def _load(db: Session, files: list[tuple[str, bytes]], minute: int, *, sync: bool = False) -> int:
    outcome = services.import_files(files, db=db, settings=Settings(), now=IMPORTED_FROM + timedelta(minutes=minute),
                                    options=ImportOptions(sync_links=sync))
    assert outcome.validation.valid, outcome.validation.to_dict()
    assert outcome.import_id is not None, "the import changed nothing"
    db.commit()
    return outcome.import_id


def _undone(db: Session, import_id: int) -> None:
    services.undo_import(db=db, import_id=import_id, now=UNDONE_AT)
    db.commit()


def test_undoing_the_newest_import_brings_back_activity_cascaded_away_with_its_session(db: Session) -> None:
    history_4a = Upload(session_rows=(("History 4A", DELIVERIES[0], 1, 6, "pupils"),)).files()
    a = _load(db, history_4a, 1)
    _load(db, Upload(activity=(("History 4A", "ana", "in_progress", "2028-06-12T07:00:00Z", ""),)).files(), 2)
    _undone(db, a)  # History 4A goes, and ana's row with it (B still holds that row)
    assert store_contents(db)["activity"] == {}
    _load(db, history_4a, 3)  # History 4A again: no activity
    before = store_contents(db)
    d = _load(db, Upload(activity=(("History 4A", "ana", "finished", "2028-06-12T08:00:00Z",
                                    "2028-06-12T08:30:00Z"),)).files(), 4)
    _undone(db, d)
    # Found before migration 0010: {("History 4A", "ana"): ("in_progress", 2028-06-12 07:00, None)}: B's row,
    # gone since A's undo.
    assert store_contents(db) == before


def test_undoing_the_newest_import_brings_back_a_batch_cascaded_away_with_its_session(db: Session) -> None:
    history_4a = Upload(session_rows=(("History 4A", DELIVERIES[0], 1, 6, "pupils"),)).files()
    a = _load(db, history_4a, 1)
    _load(db, Upload(scans=(("History 4A", False, 3, RECEIVED[0], "b1"),)).files(), 2)
    _undone(db, a)  # History 4A goes, and batch b1 with it (B still holds that batch)
    assert store_contents(db)["scans"] == {}
    _load(db, history_4a, 3)
    before = store_contents(db)
    d = _load(db, Upload(scans=(("History 4A", False, 5, RECEIVED[1], "b1"),)).files(), 4)
    _undone(db, d)
    board = services.receipt_board(db=db, as_of=AS_OF)
    # Found before migration 0010: batch b1 of 3 pages (B's) received, where the store before D had none.
    assert {entry.session_name: entry.receipt.received for entry in board.sessions} == {"History 4A": 0}
    assert store_contents(db) == before


def test_the_same_history_without_the_earlier_undo_gives_back_the_store_before_the_newest_import(db: Session) -> None:
    """The control of the two above: when History 4A was never removed, undoing D gives back B's row, as the store
    held it before D (so the two above hold for the cascaded removal, not for the replay itself)."""
    history_4a = Upload(session_rows=(("History 4A", DELIVERIES[0], 1, 6, "pupils"),)).files()
    _load(db, history_4a, 1)
    _load(db, Upload(activity=(("History 4A", "ana", "in_progress", "2028-06-12T07:00:00Z", ""),),
                     scans=(("History 4A", False, 3, RECEIVED[0], "b1"),)).files(), 2)
    before = store_contents(db)
    d = _load(db, Upload(activity=(("History 4A", "ana", "finished", "2028-06-12T08:00:00Z", "2028-06-12T08:30:00Z"),),
                         scans=(("History 4A", False, 5, RECEIVED[1], "b1"),)).files(), 3)
    assert store_contents(db) != before
    _undone(db, d)
    assert store_contents(db) == before
    assert list(store_contents(db)["activity"].values())[0][0] == "in_progress"


def test_undoing_two_complete_rosters_out_of_order_gives_back_the_links_the_first_removed(db: Session) -> None:
    """Found by the machine: roster C (complete for Class 4B) removed two links; roster D (complete for it too) found
    them gone already, so its own removals did not list them. Undoing C, then D, left them out: what A and B hold
    was lost, and undoing B then did not give back the store before it."""
    def links(*entries: tuple[str, str, str]) -> list[tuple[str, bytes]]:
        return Upload(links=entries).files()

    _load(db, links(("up", "Class 4B", "SCAN_UPLOADER")), 1)
    before_b = store_contents(db)
    b = _load(db, links(("ana", "Class 4B", "SCAN_UPLOADER"), ("ana", "Class 4B", "TEST_TAKER")), 2)
    c = _load(db, links(("ana", "Class 4B", "TEST_TAKER")), 3, sync=True)
    d = _load(db, links(("bo", "Class 4B", "TEST_TAKER")), 4, sync=True)
    _undone(db, c)  # D still makes the group complete without them: nothing comes back yet
    assert store_contents(db)["links"] == [("Class 4B", "bo", "TEST_TAKER")]
    _undone(db, d)  # what A and B listed, as before C
    assert store_contents(db)["links"] == [("Class 4B", "ana", "SCAN_UPLOADER"), ("Class 4B", "ana", "TEST_TAKER"),
                                           ("Class 4B", "up", "SCAN_UPLOADER")]
    _undone(db, b)
    assert store_contents(db) == before_b
