"""Undo with scanned PDFs and scan logs interleaved with sessions and activity (on SQLite and PostgreSQL).

A PDF is one batch keyed "pdf:<sha256>" within the session its file name matches (the longest booklet file name it
starts with, else a session's name), received at the moment of its import, and never changed by a later import of
the same file; a log's batch is keyed by its batch_id (else the whole row) and a later log changes its pages and time.
Undoing an import makes every batch it held what the other imports not undone, replayed in order, make of it.

A seeded generator runs random histories and, after every undo, compares the store with a fresh one into which only
the imports not undone were imported, in order, each at its own moment; hand-written interleavings follow.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from dashboard import services
from dashboard.config import Settings
from dashboard.services import ImportOptions
from tests.factories import ACTIVITY, NEW_GROUPS, PAPER, csv_bytes, pdf_bytes, scans_csv, session
from tests.store.test_undo import _comparable, content, fresh_store

NOW = datetime(2028, 1, 1, tzinfo=UTC)
PDFS = {pages: pdf_bytes(pages) for pages in (1, 2, 3)}  # the same bytes every time: the same SHA-256
Made = tuple[int, list[tuple[str, bytes]], datetime]  # an import's id, its files and its moment


def load(db: Session, *files: tuple[str, bytes], now: datetime = NOW) -> int:
    outcome = services.import_files(list(files), db=db, settings=Settings(), now=now, options=ImportOptions())
    assert outcome.validation.valid, outcome.validation.to_dict()
    assert outcome.import_id is not None, "the import changed nothing"
    db.commit()
    return outcome.import_id


def undo(db: Session, import_id: int) -> dict[str, dict[str, int]]:
    outcome = services.undo_import(db=db, import_id=import_id, now=NOW + timedelta(days=1))
    db.commit()
    return {kind: counts.to_dict() for kind, counts in outcome.by_kind.items()}


def sessions_file(*rows: dict[str, str], columns: tuple[str, ...] = NEW_GROUPS) -> tuple[str, bytes]:
    return "s.csv", csv_bytes(columns, rows)


def log(*rows: dict[str, str], name: str = "log.csv") -> tuple[str, bytes]:
    return name, scans_csv(*rows)


def activity_file(*rows: tuple[str, str, str, str, str]) -> tuple[str, bytes]:
    return "a.csv", csv_bytes(ACTIVITY, [dict(zip(ACTIVITY, row, strict=True)) for row in rows])


def batches(db: Session) -> list[tuple[Any, ...]]:
    """(session, batch key, pages, received_at, batch_id, source, file_name) of every batch, comparable."""
    return _comparable(content(db))["scans"]


def at(moment: datetime) -> str:
    return _comparable({"x": [(moment,)]})["x"][0][0]


def sha(data: bytes) -> str:
    import hashlib

    return "pdf:" + hashlib.sha256(data).hexdigest()


def reference(made: list[Made], undone: set[int], path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The store that importing only the imports not undone, in order and each at its own moment, makes."""
    path.unlink(missing_ok=True)
    engine = fresh_store(lambda: f"sqlite:///{path}")
    with Session(engine) as other:
        for ident, files, moment in made:
            if ident not in undone:
                outcome = services.import_files(files, db=other, settings=Settings(), now=moment,
                                                options=ImportOptions())
                assert outcome.validation.valid, outcome.validation.to_dict()
                other.commit()
        expected = content(other)
    engine.dispose()
    return _compared(_comparable(expected))


def _compared(found: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The contents compared. A batch without batch_id has two keys a log can give it (its time as it reads, local
    or fixed, and the same time read the other way): which one it is stored under depends on which form came first,
    so the batch itself (session, pages, moment, source, file) is compared, not that key."""
    out = {kind: rows for kind, rows in found.items() if kind in ("sessions", "activity", "scans")}
    out["scans"] = sorted((row[0], "row", *row[2:]) if str(row[1]).startswith("row:") else row
                          for row in out.get("scans", []))
    return out


# --- Random histories --------------------------------------------------------------------------------------------
# Each import is self-contained: its logs, PDFs and activity name only sessions of its own session file, and every
# session's booklet file names are its own (none is a prefix of another's), so a PDF matches the same session in
# the store under test and in the reference.
NAMES = ("History 4A", "History 4B", "Maths 4A")
GROUP = {"History 4A": "Class 4A", "History 4B": "Class 4B", "Maths 4A": "Class 4A"}
BOOKLETS = {"History 4A": ("hist-4a-v1", "hist-4a-v2"), "History 4B": ("hist-4b-v1", "hist-4b-v2"),
            "Maths 4A": ("maths-4a-v1", "maths-4a-v2")}
ZONES = ("Europe/Brussels", "America/New_York", "")
USERS = ("ana", "bo")
STATUSES = ("not_started", "in_progress", "finished", "terminated")


def random_import(rng: random.Random) -> list[tuple[str, bytes]]:
    """One import: sessions (some re-imported with other values: sheets, booklet, zone), and for some of them
    activity, a scan log (by batch_id, by whole row, by name or by booklet, some times local) and scanned PDFs."""
    files: list[tuple[str, bytes]] = []
    names = rng.sample(NAMES, rng.randint(1, 3))
    booklet = {name: rng.choice(BOOKLETS[name]) for name in names}
    zone = {name: rng.choice(ZONES) for name in names}
    rows = [session(name, group=GROUP[name], session_paperMode_sheetsPerInteraction=str(rng.randint(1, 3)),
                    session_paperMode_bookletFilename=booklet[name], session_timezone=zone[name],
                    group_description=rng.choice(("", "pupils")))
            for name in names]
    files.append(sessions_file(*rows, columns=rng.choice((NEW_GROUPS, PAPER))))
    if rng.random() < 0.4:
        hour = rng.randint(7, 8)
        activity = {(name, user): (name, user, rng.choice(STATUSES), f"2028-06-12T0{hour}:00:00Z", "")
                    for name in names for user in rng.sample(USERS, rng.randint(1, 2))}
        files.append(activity_file(*activity.values()))
    if rng.random() < 0.6:
        entries: dict[tuple[str, str], dict[str, str]] = {}
        for name in names:
            for batch in rng.sample(("b1", "b2", "", ""), rng.randint(1, 3)):
                pages = str(rng.randint(1, 3))
                day = f"2028-06-1{rng.randint(3, 4)}T10:00:00"
                row = {"pages": pages, "received_at": day + rng.choice(("Z", "")), "batch_id": batch}  # or local
                row |= ({"session_name": name} if rng.random() < 0.6 else {"booklet_filename": booklet[name]})
                entries[(name, batch or f"{pages}|{day}")] = row  # one row per batch key in a file (UTC is local
                # in a session without a zone): a batch twice in one log is refused (see the last test)
        files.append(log(*entries.values(), name=rng.choice(("log.csv", "centre.csv"))))
    used: set[str] = set()
    for name in names:
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            file_name = rng.choice((f"{booklet[name]}.pdf", f"{booklet[name].upper()}_scan.pdf",
                                    f"{booklet[name]}-{rng.randint(1, 2)}.pdf", f"{name}.pdf"))
            if file_name not in used:
                used.add(file_name)
                files.append((file_name, PDFS[rng.choice(tuple(PDFS))]))
    return files


@pytest.mark.parametrize("seed", range(16))
def test_random_histories_with_pdfs_and_logs_lose_nothing(db, seed, tmp_path):
    """After every undo, the sessions, activity and batches are what the imports not undone make of an empty
    store."""
    rng = random.Random(seed)
    made: list[Made] = []
    undone: set[int] = set()
    undos = 0
    for step in range(12):
        active = [ident for ident, _, _ in made if ident not in undone]
        if len(active) > 1 and rng.random() < 0.4 or len(active) > 3:
            target = rng.choice(active)
            undo(db, target)
            undone.add(target)
            undos += 1
            assert _compared(_comparable(content(db))) == reference(made, undone, tmp_path / "reference.db"), (
                seed, step, [(i, i in undone) for i, _, _ in made])
            continue
        files = random_import(rng)
        moment = NOW + timedelta(minutes=step)
        outcome = services.import_files(files, db=db, settings=Settings(), now=moment, options=ImportOptions())
        assert outcome.validation.valid, (seed, step, outcome.validation.to_dict())
        db.commit()
        if outcome.import_id is not None:
            made.append((outcome.import_id, files, moment))
    assert undos >= 2, "a history without undos proves nothing"
    assert any(files for _, files, _ in made if any(name.endswith(".pdf") for name, _ in files))


# --- Hand-written interleavings ----------------------------------------------------------------------------------
T1, T2, T3 = NOW, NOW + timedelta(hours=1), NOW + timedelta(hours=2)
HIST = "History 4A"


def hist(**values: str) -> tuple[str, bytes]:
    return sessions_file(session(HIST, **{"session_paperMode_bookletFilename": "hist-4a", **values}))


def test_the_same_pdf_in_two_imports_then_the_first_undone_keeps_the_batch_as_the_second_brought_it(db):
    a = load(db, hist(), ("hist-4a.pdf", PDFS[2]), now=T1)
    b = load(db, hist(session_paperMode_sheetsPerInteraction="2"), ("HIST-4A_rescan.pdf", PDFS[2]), now=T2)
    assert batches(db) == [(HIST, sha(PDFS[2]), 2, at(T1), None, "pdf", "hist-4a.pdf")]  # the same file: unchanged

    assert undo(db, a)["scans"] == {"removed": 0, "restored": 1, "kept": 0}
    assert batches(db) == [(HIST, sha(PDFS[2]), 2, at(T2), None, "pdf", "HIST-4A_rescan.pdf")]
    undo(db, b)
    assert content(db)["scans"] == [] and content(db)["sessions"] == []


def test_the_same_pdf_in_two_imports_then_the_second_undone_keeps_the_first(db):
    load(db, hist(), ("hist-4a.pdf", PDFS[2]), now=T1)
    b = load(db, hist(session_paperMode_sheetsPerInteraction="2"), ("HIST-4A_rescan.pdf", PDFS[2]), now=T2)
    assert undo(db, b)["scans"] == {"removed": 0, "restored": 0, "kept": 1}
    assert batches(db) == [(HIST, sha(PDFS[2]), 2, at(T1), None, "pdf", "hist-4a.pdf")]


def test_a_pdf_then_a_session_re_import_changing_the_booklet_then_undo(db):
    load(db, hist())
    b = load(db, ("hist-4a_scan.pdf", PDFS[3]), now=T2)  # matched by the booklet A gave
    c = load(db, hist(session_paperMode_bookletFilename="history-four-a"), now=T3)
    assert undo(db, c) == {"sessions": {"removed": 0, "restored": 1, "kept": 0}}
    assert batches(db) == [(HIST, sha(PDFS[3]), 3, at(T2), None, "pdf", "hist-4a_scan.pdf")]
    # The old booklet is back: a new PDF named after it is matched again, and the batch B brought is kept.
    load(db, ("hist-4a_scan2.pdf", PDFS[1]), now=T3)
    assert [row[1] for row in batches(db)] == sorted([sha(PDFS[3]), sha(PDFS[1])])
    assert undo(db, b)["scans"] == {"removed": 1, "restored": 0, "kept": 0}
    assert batches(db) == [(HIST, sha(PDFS[1]), 1, at(T3), None, "pdf", "hist-4a_scan2.pdf")]


def test_pdfs_matched_under_two_booklets_each_go_with_the_import_that_brought_it(db):
    a = load(db, hist(), ("hist-4a.pdf", PDFS[1]), now=T1)
    b = load(db, hist(session_paperMode_bookletFilename="history-four-a"), ("history-four-a.pdf", PDFS[2]), now=T2)
    both = batches(db)
    assert [row[1] for row in both] == sorted([sha(PDFS[1]), sha(PDFS[2])])
    assert undo(db, a) == {"sessions": {"removed": 0, "restored": 0, "kept": 1},
                           "scans": {"removed": 1, "restored": 0, "kept": 0}}
    assert batches(db) == [(HIST, sha(PDFS[2]), 2, at(T2), None, "pdf", "history-four-a.pdf")]
    undo(db, b)
    assert content(db)["sessions"] == [] and content(db)["scans"] == []


def test_a_session_removed_by_undo_takes_the_batches_another_import_holds_and_undoing_that_one_is_safe(db):
    """Documented: a session no import holds any more goes with its scans, even those of another import."""
    a = load(db, hist(), now=T1)
    b = load(db, log({"session_name": HIST, "pages": "4", "received_at": "2028-06-13T10:00:00Z", "batch_id": "b1"}),
             ("hist-4a.pdf", PDFS[2]), now=T2)
    assert len(batches(db)) == 2
    assert undo(db, a) == {"sessions": {"removed": 1, "restored": 0, "kept": 0},
                           "scans": {"removed": 2, "restored": 0, "kept": 0}}
    assert content(db)["scans"] == [] and content(db)["sessions"] == []
    # The session comes back by a third import: B's batches stay gone, and undoing B changes nothing.
    c = load(db, hist(), now=T3)
    assert undo(db, b) == {"scans": {"removed": 0, "restored": 0, "kept": 0}}
    assert batches(db) == [] and [row[0] for row in content(db)["sessions"]] == [HIST]
    undo(db, c)
    assert content(db)["sessions"] == []


def test_a_session_kept_by_another_import_keeps_the_batches_of_a_third(db):
    a = load(db, hist(), now=T1)
    load(db, log({"session_name": HIST, "pages": "4", "received_at": "2028-06-13T10:00:00Z", "batch_id": "b1"}),
         ("hist-4a.pdf", PDFS[2]), now=T2)
    load(db, hist(session_paperMode_sheetsPerInteraction="3"), now=T3)
    before = batches(db)
    assert undo(db, a) == {"sessions": {"removed": 0, "restored": 0, "kept": 1}}
    assert batches(db) == before and len(before) == 2


def test_undoing_an_import_holding_a_log_and_pdfs_replays_both_from_a_later_one(db):
    two = sessions_file(session(HIST, session_paperMode_bookletFilename="hist-4a"),
                        session("Maths 4A", session_paperMode_bookletFilename="maths-4a"))
    a = load(db, two, log({"session_name": HIST, "pages": "4", "received_at": "2028-06-13T10:00:00Z",
                           "batch_id": "b1"},
                          {"booklet_filename": "maths-4a", "pages": "2", "received_at": "2028-06-13T11:00:00Z",
                           "batch_id": ""}),
             ("hist-4a.pdf", PDFS[1]), ("maths-4a.pdf", PDFS[2]), now=T1)
    b = load(db, hist(), log({"session_name": HIST, "pages": "6", "received_at": "2028-06-14T10:00:00Z",
                              "batch_id": "b1"}, name="centre.csv"),
             ("hist-4a-again.pdf", PDFS[1]), ("History 4A.pdf", PDFS[3]), now=T2)
    assert sorted(row[:4] + row[6:] for row in batches(db)) == sorted([
        (HIST, "batch:b1", 6, "2028-06-14 10:00:00", "log.csv"),  # B changed its pages and time, not its file
        (HIST, sha(PDFS[1]), 1, at(T1), "hist-4a.pdf"), (HIST, sha(PDFS[3]), 3, at(T2), "History 4A.pdf"),
        ("Maths 4A", "row:2|2028-06-13T11:00:00+00:00", 2, "2028-06-13 11:00:00", "log.csv"),
        ("Maths 4A", sha(PDFS[2]), 2, at(T1), "maths-4a.pdf")])

    assert undo(db, a) == {"sessions": {"removed": 1, "restored": 0, "kept": 1},
                           "scans": {"removed": 2, "restored": 2, "kept": 0}}
    assert sorted(row[:4] + row[6:] for row in batches(db)) == sorted([
        (HIST, "batch:b1", 6, "2028-06-14 10:00:00", "centre.csv"),
        (HIST, sha(PDFS[1]), 1, at(T2), "hist-4a-again.pdf"), (HIST, sha(PDFS[3]), 3, at(T2), "History 4A.pdf")])
    undo(db, b)
    assert content(db)["sessions"] == [] and content(db)["scans"] == []


def test_undoing_the_later_of_two_imports_holding_a_log_and_a_pdf_gives_the_earlier_batches_back(db):
    load(db, hist(), log({"session_name": HIST, "pages": "4", "received_at": "2028-06-13T10:00:00Z",
                          "batch_id": "b1"}), ("hist-4a.pdf", PDFS[1]), now=T1)
    after_a = batches(db)
    b = load(db, hist(session_paperMode_sheetsPerInteraction="2"),
             log({"session_name": HIST, "pages": "6", "received_at": "2028-06-14T10:00:00Z", "batch_id": "b1"},
                 {"session_name": HIST, "pages": "1", "received_at": "2028-06-14T11:00:00Z", "batch_id": "b2"}),
             ("hist-4a.pdf", PDFS[1]), ("hist-4a-2.pdf", PDFS[2]), now=T2)
    assert undo(db, b) == {"sessions": {"removed": 0, "restored": 1, "kept": 0},
                           "scans": {"removed": 2, "restored": 1, "kept": 1}}
    assert batches(db) == after_a


def test_a_log_row_in_local_time_comes_back_in_the_zone_it_was_read_in(db):
    """A batch whose time was local is keyed and stored in UTC by the session's zone of its import; a later
    import changing the zone and the batch, undone, gives the earlier UTC time back."""
    load(db, hist(session_timezone="Europe/Brussels"),
         log({"session_name": HIST, "pages": "4", "received_at": "2028-06-13T10:00:00", "batch_id": "b1"}), now=T1)
    assert batches(db)[0][3] == "2028-06-13 08:00:00"
    b = load(db, hist(session_timezone="America/New_York"),
             log({"session_name": HIST, "pages": "4", "received_at": "2028-06-13T10:00:00", "batch_id": "b1"}), now=T2)
    assert batches(db)[0][3] == "2028-06-13 14:00:00"
    assert undo(db, b)["scans"] == {"removed": 0, "restored": 1, "kept": 0}
    assert batches(db)[0][3] == "2028-06-13 08:00:00"


@pytest.mark.parametrize(("second", "column_value", "message"), [
    ({"session_name": HIST, "batch_id": "b1"}, "b1", "Batch 'b1' of session 'History 4A' is already on line 2: list "
                                                     "each batch once."),
    ({"booklet_filename": "hist-4a", "batch_id": "b1"}, "b1", "Batch 'b1' of session 'History 4A' is already on "
                                                              "line 2: list each batch once."),
    ({"session_name": HIST, "batch_id": ""}, "", "This row repeats line 2: the same session ('History 4A'), pages "
                                                 "and received_at, without a batch_id. List each batch once, or give "
                                                 "the two batches their batch_id."),
])
def test_a_log_naming_the_same_batch_twice_is_refused_at_its_line(db, second, column_value, message):
    """The same batch (its batch_id, or without one the whole row) twice in one log, by name or by booklet: an
    error at the second row (it crashed the import with a unique-key violation), and nothing stored."""
    load(db, hist())
    first = {"session_name": HIST, "pages": "5", "received_at": "2028-06-13T10:00:00Z",
             "batch_id": second["batch_id"]}
    outcome = services.import_files([log(first, {"pages": "5", "received_at": "2028-06-13T10:00:00Z", **second})],
                                    db=db, settings=Settings(), now=T2)
    db.rollback()
    assert not outcome.validation.valid and outcome.import_id is None
    [report] = outcome.validation.reports
    assert [(p.line, p.column, p.value, p.message) for p in report.errors] == [(3, "batch_id", column_value, message)]
    assert batches(db) == []
