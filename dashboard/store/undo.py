"""Undoing an import: every record it held becomes what the other imports not undone, replayed in order, make
of it. Nothing another import holds is lost, and what a later import changed again stays as that one left it.

Each import keeps what its files held (``payloads``): sessions with the columns their file had, links, the links a
complete roster removed, activity, scanned batches. Replaying is done for the records the undone import held only
(``undo_rows`` for all but sessions):

    sessions   created by the first import that holds it, each later one sets the columns its file had
    links      present after an import that lists it, absent after one that made its group complete without it
    activity   a test-taker's latest row wins (the later import on a tie), as an import writes it
    scans      created by the first import that holds it; a later log changes its pages and time (a PDF never)

A session no import holds any more goes, with its activity and its scans, for good: the removal is recorded
(``session_removal``), and what the imports made by then still hold for it counts no more, so neither importing the
session again nor undoing a later import brings it back. Inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam, delete, func, select, update
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, IMPORT_FILES, IMPORTS, REMOVALS, SCANS, SESSIONS, chunks
from dashboard.store.bulk import bulk_insert
from dashboard.store.payloads import Payload, decode
from dashboard.store.undo_rows import (
    LINK,
    History,
    Reverted,
    apply_activity,
    apply_links,
    apply_scans,
    fold_activity,
    fold_links,
    fold_scans,
)
from models import ExamSessionBase

# A session's columns before any file sets them: the model's defaults (None where it has none).
SESSION_DEFAULTS: dict[str, Any] = {name: None if info.default is PydanticUndefined else info.default
                                    for name, info in ExamSessionBase.model_fields.items()}
SCAN_KINDS = ("scans", "scan_pdf")  # two kinds of file, one kind of record: a scanned batch


def revert_import(*, db: Session, import_id: int, now: datetime) -> dict[str, Reverted]:
    """Undo ``import_id`` (which must exist and not be undone): the records it held are replayed from the other
    imports not undone. Returns what changed, per kind of record (sessions, enrolments, activity, scans)."""
    mine = {kind: [payload for _, payload in history] for kind, history in _histories(db, [import_id]).items()}
    others = [i for i in db.scalars(select(IMPORTS.c.id).where(IMPORTS.c.reverted_at.is_(None))
                                    .order_by(IMPORTS.c.id)) if i != import_id]
    kinds = set(mine) | (set(SCAN_KINDS) if mine.keys() & set(SCAN_KINDS) else set())  # one history of batches
    histories = _histories(db, others, kinds=kinds)
    out: dict[str, Reverted] = {}
    gone: set[str] = set()
    cascaded = {"activity": 0, "scans": 0}  # rows removed with their sessions
    if "sessions" in mine:
        names = {name for payload in mine["sessions"] for name in payload.columns["session_name"]}
        out["sessions"], gone, cascaded = _sessions(db, _fold_sessions(names, histories.get("sessions", [])))
        _record_removals(db, gone, import_id, now)
    if "enrolments" in mine:
        others_links = histories.get("enrolments", [])
        # Every link of a group it made complete, too: a later complete roster may have found one already gone (this
        # import removed it) and so not recorded it as its own removal; without this one it comes back.
        synced = {group for payload in mine["enrolments"] for group in payload.synced}
        keys = {link for payload in mine["enrolments"] for link in [*payload.rows(LINK), *payload.removed]}
        keys |= {link for _, payload in others_links for link in payload.rows(LINK) if link[0] in synced}
        out["enrolments"] = apply_links(db, fold_links(keys, others_links))
    if "activity" in mine or cascaded["activity"]:
        keys = {key for payload in mine.get("activity", []) for key in payload.rows(("session_name", "user_username"))
                if key[0] not in gone}
        out["activity"] = apply_activity(db, fold_activity(keys, histories.get("activity", []),
                                                           _removed_through(db, keys)))
        out["activity"].removed += cascaded["activity"]
    if any(kind in mine for kind in SCAN_KINDS) or cascaded["scans"]:
        keys = {key for kind in SCAN_KINDS for payload in mine.get(kind, [])
                for key in payload.rows(("session_name", "batch_key")) if key[0] not in gone}
        history = sorted((entry for kind in SCAN_KINDS for entry in histories.get(kind, [])), key=lambda e: e[0])
        out["scans"] = apply_scans(db, fold_scans(keys, history, _removed_through(db, keys)))
        out["scans"].removed += cascaded["scans"]
    db.execute(update(IMPORTS).where(IMPORTS.c.id == import_id).values(reverted_at=now))
    return out


def _record_removals(db: Session, names: set[str], import_id: int, now: datetime) -> None:
    """Record that undoing ``import_id`` removed the sessions ``names``, through the newest import made so far."""
    if not names:
        return
    through = db.scalar(select(func.max(IMPORTS.c.id)))
    bulk_insert(db, REMOVALS, {"session_name": sorted(names)}, through_import_id=through, removed_at=now,
                undo_of=import_id)


def _removed_through(db: Session, keys: set[tuple[str, str]]) -> dict[str, int]:
    """For each session of ``keys`` an undo once removed, the newest import made by then: what the imports up to it
    hold for the session counts no more."""
    out: dict[str, int] = {}
    for chunk in chunks(sorted({name for name, _ in keys})):
        out.update(db.execute(select(REMOVALS.c.session_name, func.max(REMOVALS.c.through_import_id))
                              .where(REMOVALS.c.session_name.in_(chunk)).group_by(REMOVALS.c.session_name)).all())
    return out


def _histories(db: Session, import_ids: list[int], kinds: set[str] | None = None) -> dict[str, History]:
    """The payloads of ``import_ids``' files by kind, in import order (files without one hold nothing)."""
    out: dict[str, History] = {}
    if kinds is not None and not kinds:
        return out
    for chunk in chunks(import_ids, CHUNK):
        statement = (select(IMPORT_FILES.c.import_id, IMPORT_FILES.c.kind, IMPORT_FILES.c.payload)
                     .where(IMPORT_FILES.c.import_id.in_(chunk), IMPORT_FILES.c.payload.is_not(None))
                     .order_by(IMPORT_FILES.c.import_id, IMPORT_FILES.c.id))
        if kinds is not None:
            statement = statement.where(IMPORT_FILES.c.kind.in_(sorted(kinds)))
        for ident, kind, data in db.execute(statement):
            out.setdefault(kind, []).append((ident, decode(data)))
    return out


def _matching(payload: Payload, column: str, wanted: set[Any]) -> Iterator[int]:
    """The indexes of ``payload``'s records whose ``column`` is in ``wanted``."""
    return (i for i, value in enumerate(payload.columns[column]) if value in wanted)


def _fold_sessions(names: set[str], history: History) -> dict[str, tuple[dict[str, Any], int] | None]:
    """Each session's columns (and the import that last changed them) after the history, None when none holds it."""
    state: dict[str, tuple[dict[str, Any], int] | None] = dict.fromkeys(names)
    for ident, payload in history:
        for i in _matching(payload, "session_name", names):
            name = payload.columns["session_name"][i]
            before = state[name]
            values = {**(before[0] if before else SESSION_DEFAULTS),
                      **{field: payload.columns[field][i] for field in payload.fields}}
            if before is None or values != before[0]:
                state[name] = (values, ident)
    return state


def _sessions(db: Session, desired: dict[str, tuple[dict[str, Any], int] | None]
              ) -> tuple[Reverted, set[str], dict[str, int]]:
    """Make the sessions of ``desired`` so; returns the counts, the names of the sessions removed and how many
    activity rows and scanned batches went with them."""
    counts, changed, gone = Reverted(), [], set()
    fields = list(SESSION_DEFAULTS)
    for chunk in chunks(sorted(desired)):
        for row in db.execute(select(SESSIONS.c.id, *(SESSIONS.c[f] for f in fields))
                              .where(SESSIONS.c.session_name.in_(chunk))).fetchall():
            current = dict(zip(fields, row[1:], strict=True))
            wanted = desired[current["session_name"]]
            if wanted is None:
                gone.add(current["session_name"])
            elif wanted[0] == current:
                counts.kept += 1
            else:
                changed.append({**{f"b_{f}": wanted[0][f] for f in fields}, "b_id": row[0], "b_import_id": wanted[1]})
    if changed:
        db.execute(update(SESSIONS).where(SESSIONS.c.id == bindparam("b_id"))
                   .values({f: bindparam(f"b_{f}") for f in [*fields, "import_id"]}), changed)
    cascaded = {"activity": 0, "scans": 0}
    connection = db.connection()
    for chunk in chunks(sorted(gone)):
        ids = select(SESSIONS.c.id).where(SESSIONS.c.session_name.in_(chunk)).scalar_subquery()
        for kind, table in (("activity", ACTIVITY), ("scans", SCANS)):
            cascaded[kind] += connection.execute(delete(table).where(table.c.session_id.in_(ids))).rowcount or 0
        connection.execute(delete(SESSIONS).where(SESSIONS.c.session_name.in_(chunk)))
    counts.removed, counts.restored = len(gone), len(changed)
    return counts, gone, cascaded
