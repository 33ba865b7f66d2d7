"""Use cases of importing: validate files, import them all or nothing, undo an import, the history.

Reads the clock (an import's time) so nothing below does. Imports ingest, store and config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session

from dashboard import store
from dashboard.config import Settings
from dashboard.errors import ScanreadyError
from dashboard.ingest import KIND_ORDER, DateOrder, FileReport, parse_files
from dashboard.ingest.activity import COLUMNS as ACTIVITY_COLUMNS
from dashboard.ingest.scans import FIELDS as SCAN_FIELDS
from dashboard.services.checks import RosterChange, check_against_store, read_local_dates, roster_change
from dashboard.services.collector import collector_paused
from dashboard.store import Counts, FileEntry, ImportEntry, Reverted
from dashboard.store.base import IMPORTS
from dashboard.wording import format_moment, iso_utc


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What a manager says of an upload beside its files."""

    date_order: DateOrder | None = None  # slashed dates: None reads day first unless only month first fits
    sync_links: bool = False  # the link files list everyone in their groups: links they leave out are removed
    sessions: Mapping[str, str] = field(default_factory=dict)  # a TAO export's file name -> its rows' session


@dataclass(slots=True)
class Validation:
    """The verdict on one upload: a report per file, and what a complete roster would remove."""

    reports: list[FileReport]
    roster: RosterChange | None = None

    @property
    def valid(self) -> bool:
        return all(report.valid for report in self.reports)

    @property
    def error_count(self) -> int:
        return sum(len(report.errors) for report in self.reports)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"valid": self.valid, "files": [report.to_dict() for report in self.reports]}
        if self.roster is not None:
            out["links_removed_by_group"] = self.roster.losses
        return out


@dataclass(slots=True)
class ImportOutcome:
    """What an import did: the validation and, when the files were valid, the counts per kind. ``import_id`` is
    None when nothing was stored: the files had errors, or they changed nothing (then it is not recorded)."""

    validation: Validation
    import_id: int | None = None
    by_kind: dict[str, Counts] = field(default_factory=dict)

    @property
    def counts(self) -> Counts:
        return sum(self.by_kind.values(), Counts())

    @property
    def changed_nothing(self) -> bool:
        return self.validation.valid and self.import_id is None

    def to_dict(self) -> dict[str, Any]:
        out = self.validation.to_dict()
        if self.validation.valid:
            out["imported"] = {**self.counts.to_dict(), "import_id": self.import_id,
                               **{kind: counts.to_dict() for kind, counts in self.by_kind.items()}}
        return out


Progress = Callable[[float, str], None]
"""Told how far an import is (0 to 1) and what it is doing, in a manager's words."""


def _silent(_fraction: float, _doing: str) -> None:
    return None


def validate_files(files: Sequence[tuple[str, bytes]], *, settings: Settings, db: Session | None = None,
                   options: ImportOptions = ImportOptions(), now: datetime | None = None,
                   progress: Progress = _silent) -> Validation:
    """Every rule of every file; with ``db``, also the rules that need the store (a session's group and, once
    launched, its delivery cannot change; links to groups no session uses; which session each activity row
    belongs to, and each scanned batch; a PDF is received ``now``) and, with ``options.sync_links``, the links a
    complete roster removes."""
    with collector_paused():
        reports = parse_files(files, max_field_length=settings.max_field_length, max_rows=settings.max_rows,
                              date_order=options.date_order,
                              before_each=lambda name, done: progress(done, f"Checking {name}"))
        progress(1.0, "Checked every file")
        roster = None
        if db is not None:
            check_against_store(reports, db=db, sessions=options.sessions, now=now or datetime.now(UTC))
            roster = roster_change(reports, db=db) if options.sync_links else None
        else:
            read_local_dates(reports, db=None)  # local dates stay in UTC: their order is checked as such
    return Validation(reports, roster)


def import_files(files: Sequence[tuple[str, bytes]], *, db: Session, settings: Settings,
                 options: ImportOptions = ImportOptions(), now: datetime | None = None,
                 progress: Progress = _silent) -> ImportOutcome:
    """Validate every file, then store all of them in ``db``'s transaction, or nothing when any has an error. An
    import that changes nothing is not recorded. The caller commits (``db.session_scope``); an exception leaves the
    store as it was. ``progress`` hears of each step: checking takes the first half, storing the second."""
    moment = now or datetime.now(UTC)
    validation = validate_files(files, settings=settings, db=db, options=options, now=moment,
                                progress=lambda f, doing: progress(f / 2, doing))
    outcome = ImportOutcome(validation)
    if not validation.valid:
        return outcome
    with collector_paused():
        _store(outcome, db=db, now=moment, progress=progress)
    return outcome


def _store(outcome: ImportOutcome, *, db: Session, now: datetime, progress: Progress) -> None:
    """Write every report (sessions, then links and a complete roster's removals, then activity) and the record of
    the import with what each file held; the record is dropped again when nothing changed."""
    import_id = store.start_import(db=db, now=now)
    reports = sorted(outcome.validation.reports, key=lambda r: KIND_ORDER[r.kind])
    roster = outcome.validation.roster
    removed = _removals(roster, reports)
    total, done = sum(r.rows for r in reports) or 1, 0
    entries: dict[int, FileEntry] = {}
    for report in reports:
        progress(0.5 + done / total / 2, f"Storing {report.file}")
        done += report.rows
        counts = _apply(report, db=db, import_id=import_id)
        losses = removed.get(id(report), set())
        counts.removed = store.remove_links(db=db, links=losses) if losses else 0
        complete = roster is not None and report.kind == "enrolments"  # the groups this link file makes complete
        synced = sorted(set(report.columns["group_name"])) if complete else []
        entries[id(report)] = FileEntry(report.file, report.sha256, report.kind or "", report.template or "",
                                        report.rows, counts, _payload(report, synced, sorted(losses)))
        outcome.by_kind[report.kind or ""] = outcome.by_kind.get(report.kind or "", Counts()) + counts
    if not outcome.counts.changed:
        db.execute(delete(IMPORTS).where(IMPORTS.c.id == import_id))  # nothing changed: no import to record
        progress(1.0, "Nothing to change")
        return
    store.finish_import(db=db, import_id=import_id, files=[entries[id(r)] for r in outcome.validation.reports])
    progress(1.0, "Stored")
    outcome.import_id = import_id


def _removals(roster: RosterChange | None, reports: list[FileReport]) -> dict[int, set[tuple[str, str, str]]]:
    """The links a complete roster removes, each given to the first link file naming its group."""
    if roster is None:
        return {}
    out: dict[int, set[tuple[str, str, str]]] = {}
    owners: dict[str, int] = {}
    for report in (r for r in reports if r.kind == "enrolments"):
        for group in report.columns.get("group_name", ()):
            owners.setdefault(group, id(report))
    for group, links in roster.removed.items():
        out.setdefault(owners[group], set()).update(links)
    return out


def _payload(report: FileReport, synced: list[str], removed: list[tuple[str, str, str]]) -> bytes:
    """What the file held, for a later undo of another import (``store.payloads``)."""
    fields = report.fields if report.kind == "sessions" else ()  # the session columns the file gave
    return store.encode(store.payload_of(report.columns, report.fields, fields=fields, synced=tuple(synced),
                                         removed=removed))


def _apply(report: FileReport, *, db: Session, import_id: int) -> Counts:
    if report.kind == "sessions":
        return store.upsert_sessions(db=db, columns=report.columns, fields=report.fields, import_id=import_id)
    if report.kind == "enrolments":
        return store.upsert_links(db=db, columns=report.columns, import_id=import_id)
    names = report.columns["session_name"]
    ids = store.session_ids(db=db, names=set(names))
    fields = ACTIVITY_COLUMNS if report.kind == "activity" else SCAN_FIELDS
    columns = {"session_id": list(map(ids.__getitem__, names)), **{name: report.columns[name] for name in fields[1:]}}
    if report.kind == "activity":
        return store.upsert_activity(db=db, columns=columns, import_id=import_id)
    # A batch without batch_id stored under the key its time gives read the other way (logged with an offset, or
    # before local times were keyed as they read) keeps that key: it is the same batch.
    alternates = {i: report.alternates[line] for i, line in enumerate(report.lines) if line in report.alternates}
    return store.upsert_scans(db=db, columns=columns, import_id=import_id, alternates=alternates)


def recent_imports(*, db: Session, limit: int = 20) -> list[ImportEntry]:
    return store.recent_imports(db=db, limit=limit)


def example_programme(now: datetime | None = None) -> list[tuple[str, bytes]]:
    """The bundled example programme's files, dated around ``now`` so every readiness state shows."""
    from dashboard.example import example_files

    return example_files(now or datetime.now(UTC))


def templates() -> dict[str, bytes]:
    """TAO's two session templates, for download."""
    from dashboard.example import template_files

    return template_files()


def session_count(*, db: Session) -> int:
    return store.count_sessions(db=db)


@dataclass(slots=True)
class UndoOutcome:
    """What undoing an import did, per kind of file: rows removed, given back, or kept as they were."""

    import_id: int
    imported_at: datetime
    by_kind: dict[str, Reverted]

    @property
    def totals(self) -> Reverted:
        out = Reverted()
        for counts in self.by_kind.values():
            out.removed, out.restored, out.kept = (out.removed + counts.removed, out.restored + counts.restored,
                                                   out.kept + counts.kept)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"import_id": self.import_id, "imported_at": iso_utc(self.imported_at), **self.totals.to_dict(),
                **{kind: counts.to_dict() for kind, counts in self.by_kind.items()}}


def undo_import(*, db: Session, import_id: int | None = None, now: datetime | None = None) -> UndoOutcome:
    """Revert ``import_id`` (default: the newest import not yet undone) in ``db``'s transaction: what it held is
    replayed from the other imports not undone, so nothing they hold is lost."""
    target = store.last_active_import(db=db) if import_id is None else import_id
    if target is None:
        raise ScanreadyError("There is no import to undo.")
    state = store.import_state(db=db, import_id=target)
    if state is None:
        raise ScanreadyError(f"There is no import number {target}.")
    if state[1] is not None:
        raise ScanreadyError(f"Import {target} was already undone on {format_moment(state[1], None)}.")
    counts = store.revert_import(db=db, import_id=target, now=now or datetime.now(UTC))
    return UndoOutcome(target, state[0], counts)
