"""Replaying the records of an undone import, kind by kind: links, activity and scanned batches (``undo`` does the
sessions and the order). Each ``fold_*`` says what a record is after the imports of a history, in order, as an import
writes it; each ``apply_*`` makes the store so and counts what that changed. Inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, tuple_, update
from sqlmodel import Session

from dashboard.store.base import ACTIVITY, CHUNK, LINKS, SCANS, chunks
from dashboard.store.bulk import bulk_insert
from dashboard.store.payloads import Payload
from dashboard.store.reads import session_ids
from dashboard.tao import latest_moment

LINK = ("group_name", "user_username", "group_role")
ACTIVITY_FIELDS = ("status", "started_at", "finished_at")
SCAN_FIELDS = ("pages", "received_at", "batch_id", "source", "file_name")
History = list[tuple[int, Payload]]
"""Payloads of one kind of file, with their import's id, in the order the imports were made."""


@dataclass(slots=True)
class Reverted:
    """What undoing did to one kind of record: removed, given back (values, or a link a roster had removed), or
    kept as it was (another import holds it as it is)."""

    removed: int = 0
    restored: int = 0
    kept: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"removed": self.removed, "restored": self.restored, "kept": self.kept}


Link = tuple[str, str, str]  # (group, user, role)


def fold_links(keys: set[Link], history: History) -> dict[Link, int | None]:
    """Each link's presence after the history: the import that last listed it, None when absent. An import's link
    files count as one, as the import applied them: a complete roster split over several files (staff in one,
    test-takers in another) is their union, and each file's groups lose only the links none of them lists."""
    state: dict[Link, int | None] = dict.fromkeys(keys)
    by_group: dict[str, list[Link]] = {}
    for key in keys:
        by_group.setdefault(key[0], []).append(key)
    for ident, entries in groupby(history, key=itemgetter(0)):  # the history is in import order, file by file
        payloads = [payload for _, payload in entries]
        listed = set().union(*(payload.rows(LINK) for payload in payloads)) & keys
        for group in {group for payload in payloads for group in payload.synced}:
            for key in by_group.get(group, ()):
                if key not in listed:
                    state[key] = None
        for key in listed:
            if state[key] is None:
                state[key] = ident
    return state


def apply_links(db: Session, desired: dict[Link, int | None]) -> Reverted:
    counts = Reverted()
    present: set[Link] = set()
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


Written = tuple[tuple[Any, ...], int]  # a record's values, and the import that wrote them


def fold_activity(keys: set[ActivityKey], history: History,
                  removed: dict[str, int]) -> dict[ActivityKey, Written | None]:
    """Each test-taker's (status, started_at, finished_at) after the history, with the import that wrote it: the
    row of the latest moment, the later import on a tie (as ``writes.upsert_activity``). ``removed``: per session,
    the newest import when an undo removed it (the imports up to it no longer count for it)."""
    def later(key: ActivityKey, record: tuple[Any, ...], before: tuple[Any, ...]) -> tuple[Any, ...] | None:
        changed = record != before and latest_moment(*record[1:]) >= latest_moment(*before[1:])
        return record if changed else None

    return _fold(keys, history, "user_username", ACTIVITY_FIELDS, later, removed)


Rule = Callable[[tuple[str, str], tuple[Any, ...], tuple[Any, ...]], tuple[Any, ...] | None]
"""What a later record makes of a key's record before it: the record it becomes, or None when it stays."""


def _fold(keys: set[tuple[str, str]], history: History, second: str, fields: Sequence[str],
          rule: Rule, removed: dict[str, int]) -> dict[tuple[str, str], Written | None]:
    """Each (session, ``second``) key's record of ``fields`` after the imports of ``history`` in order, with the
    import that wrote it: the first import creates it; ``rule`` says what each later one makes of it. An import
    up to ``removed[session]`` counts for nothing of that session (an undo removed the session after it)."""
    state: dict[tuple[str, str], Written | None] = dict.fromkeys(keys)
    for ident, payload in history:
        names, seconds = payload.columns["session_name"], payload.columns[second]
        for i in (i for i, key in enumerate(zip(names, seconds, strict=True))
                  if key in keys and ident > removed.get(key[0], 0)):
            record = tuple(payload.columns[f][i] for f in fields)
            key = (names[i], seconds[i])
            before = state[key]
            after = record if before is None else rule(key, record, before[0])
            if after is not None:
                state[key] = (after, ident)
    return state


def apply_activity(db: Session, desired: dict[ActivityKey, Written | None]) -> Reverted:
    """Make the activity of ``desired`` so (a record whose session is gone is not given back)."""
    return _apply_per_session(db, ACTIVITY, "user_username", ACTIVITY_FIELDS, desired)


def _apply_per_session(db: Session, table: Table, second: str, fields: tuple[str, ...],
                       desired: dict[tuple[str, str], Written | None]) -> Reverted:
    """Make the rows of ``table`` keyed by (session name, ``second``) so: absent, or ``fields`` as written by an
    import. A row whose session is gone is not given back."""
    counts = Reverted()
    ids = session_ids(db=db, names={name for name, _ in desired})
    keyed = {(ids[name], other): (name, other) for name, other in desired if name in ids}
    current: dict[tuple[int, str], tuple[int, tuple[Any, ...]]] = {}
    for chunk in chunks(sorted(keyed), CHUNK // 2):
        rows = db.execute(select(table.c.id, table.c.session_id, table.c[second], *(table.c[f] for f in fields))
                          .where(tuple_(table.c.session_id, table.c[second]).in_(chunk)))
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
                            **{f"b_{f}": v for f, v in zip(fields, wanted[0], strict=True)}})
        else:
            counts.kept += 1
    delete_ids(db, table, removed)
    if changed:
        db.execute(update(table).where(table.c.id == bindparam("b_id"))
                   .values({f: bindparam(f"b_{f}") for f in (*fields, "import_id")}), changed)
    bulk_insert(db, table, {"session_id": [pair[0] for pair, _ in added], second: [pair[1] for pair, _ in added],
                            **{f: [w[0][n] for _, w in added] for n, f in enumerate(fields)},
                            "import_id": [w[1] for _, w in added]})
    counts.removed, counts.restored = len(removed), len(changed) + len(added)
    return counts


def delete_ids(db: Session, table: Table, ids: Iterable[int]) -> None:
    for chunk in chunks(sorted(ids)):
        db.execute(delete(table).where(table.c.id.in_(chunk)))


ScanKey = tuple[str, str]  # (session name, batch key)


def fold_scans(keys: set[ScanKey], history: History, removed: dict[str, int]) -> dict[ScanKey, Written | None]:
    """Each batch's (pages, received_at, batch_id, source, file_name) after the history, with the import that wrote
    it: the first import creates it; a later one changes its pages and time (a PDF, by its SHA-256, never).
    ``removed`` as in ``fold_activity``."""
    def changed(key: ScanKey, record: tuple[Any, ...], before: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return (*record[:2], *before[2:]) if not key[1].startswith("pdf:") and record[:2] != before[:2] else None

    return _fold(keys, history, "batch_key", SCAN_FIELDS, changed, removed)


def apply_scans(db: Session, desired: dict[ScanKey, Written | None]) -> Reverted:
    """Make the batches of ``desired`` so (a batch whose session is gone is not given back)."""
    return _apply_per_session(db, SCANS, "batch_key", SCAN_FIELDS, desired)
