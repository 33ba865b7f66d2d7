"""Use cases of importing: validate files, import them all or nothing, undo an import, the history.

Reads the clock (an import's time) so nothing below does. Imports ingest, store and config.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from dashboard import store
from dashboard.config import Settings
from dashboard.errors import ScanreadyError
from dashboard.ingest import KIND_ORDER, FileReport, parse_files
from dashboard.services.collector import collector_paused
from dashboard.store import Counts


@dataclass(slots=True)
class Validation:
    """The verdict on one upload: a report per file."""

    reports: list[FileReport]

    @property
    def valid(self) -> bool:
        return all(report.valid for report in self.reports)

    @property
    def error_count(self) -> int:
        return sum(len(report.errors) for report in self.reports)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "files": [report.to_dict() for report in self.reports]}


@dataclass(slots=True)
class ImportOutcome:
    """What an import did: the validation and, when it stored anything, the counts per kind."""

    validation: Validation
    import_id: int | None = None
    by_kind: dict[str, Counts] = field(default_factory=dict)

    @property
    def counts(self) -> Counts:
        return sum(self.by_kind.values(), Counts())

    def to_dict(self) -> dict[str, Any]:
        out = self.validation.to_dict()
        if self.import_id is not None:
            out["imported"] = {**self.counts.to_dict(),
                               **{kind: counts.to_dict() for kind, counts in self.by_kind.items()}}
        return out


Progress = Callable[[float, str], None]
"""Told how far an import is (0 to 1) and what it is doing, in a manager's words."""


def _silent(_fraction: float, _doing: str) -> None:
    return None


def validate_files(files: Sequence[tuple[str, bytes]], *, settings: Settings, db: Session | None = None,
                   progress: Progress = _silent) -> Validation:
    """Every rule of every file; with ``db``, also the rules that need the store (a session's group
    cannot change, links to groups no session uses, activity for sessions that do not exist)."""
    with collector_paused():
        reports = parse_files(files, max_field_length=settings.max_field_length, max_rows=settings.max_rows,
                              before_each=lambda name, done: progress(done, f"Checking {name}"))
        progress(1.0, "Checked every file")
        if db is not None:
            _check_against_store(reports, db=db)
    return Validation(reports)


def _check_against_store(reports: list[FileReport], *, db: Session) -> None:
    sessions = [r for r in reports if r.kind == "sessions"]
    uploaded: dict[str, str] = {}
    for report in sessions:
        uploaded.update(zip(report.columns.get("session_name", ()), report.columns.get("group_name", ()),
                            strict=True))
    stored = store.session_groups(db=db, names=uploaded)
    for report in [r for r in sessions if r.count] if stored else ():
        names, groups = report.columns["session_name"], report.columns["group_name"]
        for i in [i for i, name in enumerate(names) if stored.get(name, groups[i]) != groups[i]]:
            report.error(report.lines[i], "group_name", groups[i],
                         f"The session {names[i]!r} belongs to the group {stored[names[i]]!r}; TAO does "
                         "not let an import change a session's group.")
        if report.errors:
            report.keep([])
    uploaded_groups = set(uploaded.values())
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
    for report in (r for r in reports if r.kind == "activity" and r.count):
        names = report.columns["session_name"]
        known_names = set(uploaded) | set(store.session_ids(db=db, names=set(names) - set(uploaded)))
        for i in [i for i, name in enumerate(names) if name not in known_names]:
            report.warn(report.lines[i], "session_name", names[i],
                        f"No session is named {names[i]!r}; this row is skipped.")
        report.keep([i for i, name in enumerate(names) if name in known_names])


def import_files(files: Sequence[tuple[str, bytes]], *, db: Session, settings: Settings,
                 now: datetime | None = None, progress: Progress = _silent) -> ImportOutcome:
    """Validate every file, then store all of them in ``db``'s transaction, or nothing when any has an
    error. The caller commits (``db.session_scope``); an exception leaves the store as it was.
    ``progress`` hears of each step: checking takes the first half, storing the second."""
    validation = validate_files(files, settings=settings, db=db, progress=lambda f, doing: progress(f / 2, doing))
    outcome = ImportOutcome(validation)
    if not validation.valid:
        return outcome
    with collector_paused():
        _store(validation, outcome, db=db, now=now, progress=progress)
    return outcome


def _store(validation: Validation, outcome: ImportOutcome, *, db: Session, now: datetime | None,
           progress: Progress) -> None:
    import_id = store.start_import(db=db, now=now or datetime.now(UTC))
    ordered = sorted(validation.reports, key=lambda r: KIND_ORDER[r.kind])
    total = sum(r.rows for r in ordered) or 1
    done = 0
    for report in ordered:
        progress(0.5 + done / total / 2, f"Storing {report.file}")
        done += report.rows
        counts = _apply(report, db=db, import_id=import_id)
        outcome.by_kind[report.kind or ""] = outcome.by_kind.get(report.kind or "", Counts()) + counts
    store.finish_import(db=db, import_id=import_id, counts=outcome.counts, files=[
        (r.file, r.sha256, r.kind or "", r.template or "", r.rows) for r in validation.reports])
    progress(1.0, "Stored")
    outcome.import_id = import_id


def _apply(report: FileReport, *, db: Session, import_id: int) -> Counts:
    if report.kind == "sessions":
        return store.upsert_sessions(db=db, columns=report.columns, fields=report.fields, import_id=import_id)
    if report.kind == "enrolments":
        return store.upsert_links(db=db, columns=report.columns, import_id=import_id)
    names = report.columns["session_name"]
    ids = store.session_ids(db=db, names=set(names))
    columns = {"session_id": list(map(ids.__getitem__, names)),
               **{name: report.columns[name] for name in ("user_username", "status", "started_at", "finished_at")}}
    return store.upsert_activity(db=db, columns=columns, import_id=import_id)


def recent_imports(*, db: Session, limit: int = 20) -> list[dict[str, Any]]:
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
    """What undoing an import did: rows removed, rows given back their earlier values, rows kept."""

    import_id: int
    imported_at: datetime
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"import_id": self.import_id, "imported_at": self.imported_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                **self.counts}


def undo_import(*, db: Session, import_id: int | None = None, now: datetime | None = None) -> UndoOutcome:
    """Revert ``import_id`` (default: the newest import not yet undone) in ``db``'s transaction."""
    target = store.last_active_import(db=db) if import_id is None else import_id
    if target is None:
        raise ScanreadyError("There is no import to undo.")
    state = store.import_state(db=db, import_id=target)
    if state is None:
        raise ScanreadyError(f"There is no import number {target}.")
    if state[1] is not None:
        raise ScanreadyError(f"Import {target} was already undone on {state[1]:%d %b %Y %H:%M} UTC.")
    counts = store.revert_import(db=db, import_id=target, now=now or datetime.now(UTC))
    return UndoOutcome(target, state[0], counts)
