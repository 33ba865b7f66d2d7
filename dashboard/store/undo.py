"""Undoing an import: every record it held becomes what the other imports not undone, replayed in order, make
of it. Nothing another import holds is lost, and what a later import changed again stays as that one left it.

Each import keeps what its files held (``payloads``): sessions with the columns their file had, links, the links a
complete roster removed, activity. Replaying is done for the records the undone import held only:

    sessions   created by the first import that holds it, each later one sets the columns its file had
    links      present after an import that lists it, absent after one that made its group complete without it
    activity   a test-taker's latest row wins (the later import on a tie), as an import writes it

A session no import holds any more goes, with its activity. Inside the caller's transaction; nothing commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import Table, bindparam, delete, select, tuple_, update
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, IMPORT_FILES, IMPORTS, LINKS, SESSIONS, chunks
from dashboard.store.bulk import bulk_insert
from dashboard.store.payloads import Payload, decode
from dashboard.store.reads import session_ids
from dashboard.tao import latest_moment
from models import ExamSessionBase

LINK = ("group_name", "user_username", "group_role")
ACTIVITY_FIELDS = ("status", "started_at", "finished_at")
# A session's columns before any file sets them: the model's defaults (None where it has none).
SESSION_DEFAULTS: dict[str, Any] = {name: None if info.default is PydanticUndefined else info.default
                                    for name, info in ExamSessionBase.model_fields.items()}


@dataclass(slots=True)
class Reverted:
    """What undoing did to one kind of record: removed, given back (values, or a link a roster had removed), or
    kept as it was (another import holds it as it is)."""

    removed: int = 0
    restored: int = 0
    kept: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"removed": self.removed, "restored": self.restored, "kept": self.kept}


History = list[tuple[int, Payload]]
"""Payloads of one kind of file, with their import's id, in the order the imports were made."""


def revert_import(*, db: Session, import_id: int, now: datetime) -> dict[str, Reverted]:
    """Undo ``import_id`` (which must exist and not be undone): the records it held are replayed from the other
    imports not undone. Returns what changed, per kind of file."""
    mine = {kind: [payload for _, payload in history] for kind, history in _histories(db, [import_id]).items()}
    others = [i for i in db.scalars(select(IMPORTS.c.id).where(IMPORTS.c.reverted_at.is_(None))
                                    .order_by(IMPORTS.c.id)) if i != import_id]
    histories = _histories(db, others, kinds=set(mine))
    out: dict[str, Reverted] = {}
    gone: set[str] = set()
    cascaded = 0  # activity rows removed with their sessions
    if "sessions" in mine:
        names = {name for payload in mine["sessions"] for name in payload.columns["session_name"]}
        out["sessions"], gone, cascaded = _sessions(db, _fold_sessions(names, histories.get("sessions", [])))
    if "enrolments" in mine:
        keys = {link for payload in mine["enrolments"] for link in [*payload.rows(LINK), *payload.removed]}
        out["enrolments"] = _links(db, _fold_links(keys, histories.get("enrolments", [])))
    if "activity" in mine or cascaded:
        keys = {key for payload in mine.get("activity", []) for key in payload.rows(("session_name", "user_username"))}
        out["activity"] = _activity(db, _fold_activity({k for k in keys if k[0] not in gone},
                                                       histories.get("activity", [])))
        out["activity"].removed += cascaded
    db.execute(update(IMPORTS).where(IMPORTS.c.id == import_id).values(reverted_at=now))
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
              ) -> tuple[Reverted, set[str], int]:
    """Make the sessions of ``desired`` so; returns the counts, the names of the sessions removed and how many
    activity rows went with them."""
    counts, changed, gone = Reverted(), [], set()
    names = sorted(desired)
    fields = list(SESSION_DEFAULTS)
    for chunk in chunks(names):
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
    cascaded = 0
    connection = db.connection()
    for chunk in chunks(sorted(gone)):
        ids = select(SESSIONS.c.id).where(SESSIONS.c.session_name.in_(chunk)).scalar_subquery()
        cascaded += connection.execute(delete(ACTIVITY).where(ACTIVITY.c.session_id.in_(ids))).rowcount or 0
        connection.execute(delete(SESSIONS).where(SESSIONS.c.session_name.in_(chunk)))
    counts.removed, counts.restored = len(gone), len(changed)
    return counts, gone, cascaded


def _fold_links(keys: set[tuple[str, str, str]], history: History) -> dict[tuple[str, str, str], int | None]:
    """Each link's presence after the history: the import that last listed it, None when absent."""
    state: dict[tuple[str, str, str], int | None] = dict.fromkeys(keys)
    by_group: dict[str, list[tuple[str, str, str]]] = {}
    for key in keys:
        by_group.setdefault(key[0], []).append(key)
    for ident, payload in history:
        listed = set(payload.rows(LINK)) & keys
        for group in payload.synced:
            for key in by_group.get(group, ()):
                if key not in listed:
                    state[key] = None
        for key in listed:
            if state[key] is None:
                state[key] = ident
    return state


def _links(db: Session, desired: dict[tuple[str, str, str], int | None]) -> Reverted:
    counts = Reverted()
    present: set[tuple[str, str, str]] = set()
    for chunk in chunks(sorted(desired), CHUNK // 3):
        rows = db.execute(select(*(LINKS.c[f] for f in LINK)).where(tuple_(*(LINKS.c[f] for f in LINK)).in_(chunk)))
        present.update((group, user, role) for group, user, role in rows)
    absent = sorted(key for key in present if desired[key] is None)
    added = sorted(key for key, ident in desired.items() if ident is not None and key not in present)
    for chunk in chunks(absent, CHUNK // 3):
        db.execute(delete(LINKS).where(tuple_(*(LINKS.c[f] for f in LINK)).in_(chunk)))
    bulk_insert(db, LINKS, {**{f: [key[n] for key in added] for n, f in enumerate(LINK)},
                            "import_id": [desired[key] for key in added]})
    counts.removed, counts.restored = len(absent), len(added)
    counts.kept = len(desired) - counts.removed - counts.restored
    return counts


ActivityKey = tuple[str, str]  # (session name, user)


def _fold_activity(keys: set[ActivityKey], history: History) -> dict[ActivityKey, tuple[tuple[Any, ...], int] | None]:
    """Each test-taker's (status, started_at, finished_at) after the history, with the import that wrote it."""
    state: dict[ActivityKey, tuple[tuple[Any, ...], int] | None] = dict.fromkeys(keys)
    for ident, payload in history:
        names, users = payload.columns["session_name"], payload.columns["user_username"]
        for i in (i for i, key in enumerate(zip(names, users, strict=True)) if key in keys):
            record = tuple(payload.columns[f][i] for f in ACTIVITY_FIELDS)
            key = (names[i], users[i])
            before = state[key]
            if before is None or (latest_moment(*record[1:]) >= latest_moment(*before[0][1:]) and record != before[0]):
                state[key] = (record, ident)
    return state


def _activity(db: Session, desired: dict[ActivityKey, tuple[tuple[Any, ...], int] | None]) -> Reverted:
    """Make the activity of ``desired`` so (a record whose session is gone is not given back)."""
    counts = Reverted()
    ids = session_ids(db=db, names={name for name, _ in desired})
    keyed = {(ids[name], user): key for key in desired for name, user in [key] if name in ids}
    current: dict[tuple[int, str], tuple[int, tuple[Any, ...]]] = {}
    for chunk in chunks(sorted(keyed), CHUNK // 2):
        rows = db.execute(select(ACTIVITY.c.id, ACTIVITY.c.session_id, ACTIVITY.c.user_username,
                                 *(ACTIVITY.c[f] for f in ACTIVITY_FIELDS))
                          .where(tuple_(ACTIVITY.c.session_id, ACTIVITY.c.user_username).in_(chunk)))
        current.update({(row[1], row[2]): (row[0], tuple(row[3:])) for row in rows})
    removed = [row_id for pair, (row_id, _) in current.items() if desired[keyed[pair]] is None]
    changed, added = [], []
    for pair, key in keyed.items():
        wanted, found = desired[key], current.get(pair)
        if wanted is None:
            continue
        if found is None:
            added.append((pair, wanted))
        elif found[1] != wanted[0]:
            changed.append({"b_id": found[0], "b_import_id": wanted[1],
                            **{f"b_{f}": v for f, v in zip(ACTIVITY_FIELDS, wanted[0], strict=True)}})
        else:
            counts.kept += 1
    _delete_ids(db, ACTIVITY, removed)
    if changed:
        db.execute(update(ACTIVITY).where(ACTIVITY.c.id == bindparam("b_id"))
                   .values({f: bindparam(f"b_{f}") for f in (*ACTIVITY_FIELDS, "import_id")}), changed)
    bulk_insert(db, ACTIVITY, {"session_id": [pair[0] for pair, _ in added],
                               "user_username": [pair[1] for pair, _ in added],
                               **{f: [w[0][n] for _, w in added] for n, f in enumerate(ACTIVITY_FIELDS)},
                               "import_id": [w[1] for _, w in added]})
    counts.removed += len(removed)
    counts.restored = len(changed) + len(added)
    return counts


def _delete_ids(db: Session, table: Table, ids: Iterable[int]) -> None:
    for chunk in chunks(sorted(ids)):
        db.execute(delete(table).where(table.c.id.in_(chunk)))
