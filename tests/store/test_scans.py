"""Scans received (issue 15), on SQLite and PostgreSQL: the scanning centre's log and the scanned PDFs imported,
matched to their sessions, idempotent, undone; each receipt state and boundary; the CLI's receipt and volume."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from dashboard import services, store, volume
from dashboard.cli import main
from dashboard.config import Settings
from dashboard.store.base import SCANS
from tests.factories import ACTIVITY, LINKS, NEW_GROUPS, csv_bytes, pdf_bytes, received_by_day, scans_csv, session

OPENS, CLOSES = datetime(2027, 3, 17, 6, tzinfo=UTC), datetime(2027, 3, 31, 16, tzinfo=UTC)  # 18:00 in Paris
NOW = datetime(2027, 3, 20, 12, tzinfo=UTC)


def exam(name: str, group: str, booklet: str) -> dict[str, str]:
    """A session of 2 test-takers × 6 interactions × 1 sheet (12 pages), its window 17 to 31 March."""
    return session(name, group, **{"session_timezone": "Europe/Paris", "session_paperMode_bookletFilename": booklet,
                                   "session_startDate": "2027-03-16T08:00:00Z",
                                   "session_endDate": "2027-03-16T10:00:00Z",
                                   "session_submissionDate": "2027-03-16T11:00:00Z",
                                   "session_paperMode_scanUploadStartDate": "2027-03-17T06:00:00Z",
                                   "session_paperMode_scanUploadEndDate": "2027-03-31T16:00:00Z"})


PROGRAMME = [
    ("s.csv", csv_bytes(NEW_GROUPS, [exam("History 4A", "Class 4A", "history-4a"),
                                     exam("History 4AB", "Class 4B", "history-4a-b"),
                                     exam("Maths 4C", "Class 4C", "maths-4c")])),
    ("l.csv", csv_bytes(LINKS, [{"user_username": u, "group_name": g, "group_role": "TEST_TAKER"}
                                for g in ("Class 4A", "Class 4B", "Class 4C") for u in ("ana", "bo")])),
]


def load(db, *files, now: datetime = NOW):
    outcome = services.import_files(list(files), db=db, settings=Settings(), now=now)
    assert outcome.validation.valid, outcome.validation.to_dict()
    db.commit()
    return outcome


def received(db, as_of: datetime = NOW) -> dict[str, tuple[int, int, str]]:
    board = services.receipt_board(db=db, as_of=as_of)
    return {e.session_name: (e.receipt.received, e.receipt.target, e.receipt.state) for e in board.sessions}


def test_a_scan_log_by_session_name_and_by_booklet(db):
    load(db, *PROGRAMME)
    outcome = load(db, ("log.csv", scans_csv(
        {"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00Z", "batch_id": "b1"},
        {"booklet_filename": "maths-4c", "pages": "12", "received_at": "2027-03-18T11:00:00", "batch_id": ""})))
    assert outcome.by_kind["scans"].created == 2
    assert [(p.column, p.message) for p in outcome.validation.reports[0].warnings] == [
        ("received_at", "1 time has no time zone; each was read in its session's time zone (session_timezone, UTC "
                        "when it has none).")]
    assert received(db) == {"History 4A": (5, 12, "partial"), "Maths 4C": (12, 12, "complete"),
                            "History 4AB": (0, 12, "none")}
    batches = services.session_batches(db=db, name="Maths 4C")
    assert [(b.received_at, b.pages, b.source, b.file_name) for b in batches] == [
        (datetime(2027, 3, 18, 10, tzinfo=UTC), 12, "log", "log.csv")]  # 11:00 in Paris


@pytest.mark.parametrize("row,column,message", [
    ({"session_name": "History 9Z", "pages": "3", "received_at": "2027-03-18T10:00:00Z"}, "session_name",
     "No session is named 'History 9Z'"),
    ({"booklet_filename": "nope", "pages": "3", "received_at": "2027-03-18T10:00:00Z"}, "booklet_filename",
     "No paper session has the booklet 'nope'."),
    ({"session_name": "History 4A", "pages": "0", "received_at": "2027-03-18T10:00:00Z"}, "pages", "'0' must be"),
    ({"session_name": "History 4A", "pages": "3", "received_at": "yesterday"}, "received_at", "'yesterday' is not"),
    ({"pages": "3", "received_at": "2027-03-18T10:00:00Z"}, "session_name", "The row names no session"),
])
def test_a_bad_row_of_a_scan_log_is_an_error_at_its_line_and_column_and_nothing_is_stored(db, row, column, message):
    load(db, *PROGRAMME)
    good = {"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00Z"}
    outcome = services.import_files([("log.csv", scans_csv(good, row))], db=db, settings=Settings(), now=NOW)
    errors = outcome.validation.reports[0].errors
    assert [(p.line, p.column) for p in errors] == [(3, column)] and errors[0].message.startswith(message)
    assert outcome.import_id is None
    db.rollback()
    assert received(db)["History 4A"][0] == 0


def test_re_importing_the_same_log_changes_nothing_and_a_batch_id_can_be_corrected(db):
    load(db, *PROGRAMME)
    log = ("log.csv", scans_csv({"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00Z",
                                 "batch_id": "b1"},
                                {"session_name": "History 4A", "pages": "2", "received_at": "2027-03-18T12:00:00Z"}))
    load(db, log)
    again = services.import_files([log], db=db, settings=Settings(), now=NOW)
    assert (again.import_id, again.by_kind["scans"].unchanged) == (None, 2)  # not recorded: nothing changed
    db.rollback()
    corrected = load(db, ("fix.csv", scans_csv({"session_name": "History 4A", "pages": "6",
                                                "received_at": "2027-03-18T10:00:00Z", "batch_id": "b1"})))
    assert corrected.by_kind["scans"].to_dict() == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}
    assert received(db)["History 4A"][0] == 8


def test_scanned_pdfs_are_counted_matched_by_booklet_or_name_and_kept_once(db):
    load(db, *PROGRAMME)
    files = [("HISTORY-4A-B-scan-01.pdf", pdf_bytes(3)),  # the longest booklet wins over history-4a, any case
             ("history-4a_2027-03-18.pdf", pdf_bytes(4)), ("Maths 4C.pdf", pdf_bytes(2))]  # by name
    outcome = load(db, *files, now=datetime(2027, 3, 19, 9, tzinfo=UTC))
    assert [r.kind for r in outcome.validation.reports] == ["scan_pdf"] * 3
    assert outcome.by_kind["scan_pdf"].created == 3
    assert received(db) == {"History 4A": (4, 12, "partial"), "History 4AB": (3, 12, "partial"),
                            "Maths 4C": (2, 12, "partial")}
    assert received(db, datetime(2027, 3, 19, 8, 59, tzinfo=UTC))["History 4A"][0] == 0  # received at the import
    again = services.import_files(files, db=db, settings=Settings(), now=datetime(2027, 3, 20, tzinfo=UTC))
    assert (again.import_id, again.counts.unchanged) == (None, 3)  # the same files (SHA-256): nothing new


@pytest.mark.parametrize("name,data,message", [
    ("history-4a.pdf", pdf_bytes(2, password=""), "The PDF is encrypted"),
    ("history-4a.pdf", pdf_bytes(2)[:-40], "The PDF is incomplete"),
    ("history-4a.pdf", b"not a pdf at all", "The file is not a PDF"),
    ("geography-9z.pdf", pdf_bytes(2), 'No session matches "geography-9z.pdf"'),
])
def test_a_pdf_that_cannot_count_is_an_error_of_its_file_and_nothing_of_the_import_is_stored(db, name, data,
                                                                                              message):
    load(db, *PROGRAMME)
    log = ("log.csv", scans_csv({"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00Z"}))
    outcome = services.import_files([log, (name, data)], db=db, settings=Settings(), now=NOW)
    report = outcome.validation.reports[1]
    assert [(p.line, p.column) for p in report.errors] == [(None, None)]
    assert message in report.errors[0].message
    assert outcome.import_id is None
    db.rollback()
    assert received(db)["History 4A"][0] == 0


def test_a_pdf_above_taos_limit_is_a_warning(db):
    load(db, *PROGRAMME)
    outcome = load(db, ("maths-4c.pdf", pdf_bytes(401)))
    assert [p.message for p in outcome.validation.reports[0].warnings] == [
        "The PDF has 401 pages, more than TAO's 400 per session PDF: TAO may refuse it, so ask the scanning centre "
        "to split it."]


def test_undoing_a_scan_import_removes_its_batches_and_a_session_takes_its_batches_with_it(db):
    first = load(db, *PROGRAMME)
    scans = load(db, ("log.csv", scans_csv({"session_name": "History 4A", "pages": "5",
                                            "received_at": "2027-03-18T10:00:00Z"})))
    undone = services.undo_import(db=db, import_id=scans.import_id, now=NOW)
    db.commit()
    assert undone.by_kind["scans"].to_dict() == {"removed": 1, "restored": 0, "kept": 0}
    load(db, ("log.csv", scans_csv({"session_name": "History 4A", "pages": "7",
                                    "received_at": "2027-03-18T10:00:00Z"})))
    gone = services.undo_import(db=db, import_id=first.import_id, now=NOW)
    db.commit()
    assert gone.by_kind["scans"].removed == 1 and gone.by_kind["sessions"].removed == 3
    assert received(db) == {}



def test_undoing_a_later_log_gives_a_batch_its_earlier_pages_and_time_back(db):
    """The later log changed a batch's pages and time; undoing it replays the earlier log's record, whose time
    comes back from the stored payload as a moment (it came back as text, and the undo failed)."""
    load(db, *PROGRAMME)
    load(db, ("a.csv", scans_csv({"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00Z",
                                  "batch_id": "b1"})))
    later = load(db, ("b.csv", scans_csv({"session_name": "History 4A", "pages": "7",
                                          "received_at": "2027-03-19T10:00:00Z", "batch_id": "b1"})))
    assert [(b.pages, b.received_at) for b in store.session_batches(db=db, name="History 4A")] == [
        (7, datetime(2027, 3, 19, 10, tzinfo=UTC))]
    undone = services.undo_import(db=db, import_id=later.import_id, now=NOW)
    db.commit()
    assert undone.by_kind["scans"].to_dict() == {"removed": 0, "restored": 1, "kept": 0}
    assert [(b.pages, b.received_at) for b in store.session_batches(db=db, name="History 4A")] == [
        (5, datetime(2027, 3, 18, 10, tzinfo=UTC))]
    assert received(db)["History 4A"] == (5, 12, "partial")



def test_what_an_import_keeps_for_undo_reads_back_as_its_files_held_it(db):
    """Every kind of file's payload (sessions, links, activity, a scan log) decodes to the records validated, with
    the same types: a date of any kind's columns read back as text would be replayed as text by an undo."""
    from sqlalchemy import select

    from dashboard.store.base import IMPORT_FILES
    from dashboard.store.payloads import decode

    outcome = load(db, *PROGRAMME, ("a.csv", csv_bytes(ACTIVITY, [
        {"session_name": "History 4A", "user_username": "ana", "status": "finished",
         "started_at": "2027-03-16T08:05:00Z", "finished_at": "2027-03-16T09:00:00Z"}])),
        ("log.csv", scans_csv({"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00Z",
                               "batch_id": "b1"})))
    stored = dict(db.execute(select(IMPORT_FILES.c.file_name, IMPORT_FILES.c.payload)).all())
    assert set(stored) == {"s.csv", "l.csv", "a.csv", "log.csv"}
    for report in outcome.validation.reports:
        columns = decode(stored[report.file]).columns
        for name, values in columns.items():
            assert values == report.columns[name], (report.file, name)
            assert [type(v) for v in values] == [type(v) for v in report.columns[name]], (report.file, name)



@pytest.mark.parametrize(("batch_id", "again"), [("b1", "2027-03-18T10:00:00Z"), ("", "2027-03-18T10:00:00Z"),
                                                 ("", "2027-03-18T11:00:00")])  # the same moment in Paris time
def test_two_logs_of_one_upload_naming_the_same_batch_are_refused_at_the_later_line(db, batch_id, again):
    """Which of the two files a manager meant cannot be told (the later one won, without a word): an error at the
    second file's row, and nothing stored."""
    load(db, *PROGRAMME)
    row = {"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00Z", "batch_id": batch_id}
    other = {"session_name": "Maths 4C", "pages": "2", "received_at": "2027-03-18T10:00:00Z", "batch_id": batch_id}
    outcome = services.import_files([("a.csv", scans_csv(row)), ("b.csv", scans_csv(other, {**row, "pages": "7"}
                                                                                    if batch_id else
                                                                                    {**row, "received_at": again}))],
                                    db=db, settings=Settings(), now=NOW)
    db.rollback()
    assert not outcome.validation.valid and outcome.import_id is None
    first, second = outcome.validation.reports
    assert first.valid
    message = ("Batch 'b1' of session 'History 4A' is already on a.csv, line 2: list each batch once." if batch_id
               else "This row repeats a.csv, line 2: the same session ('History 4A'), pages and received_at, without "
               "a batch_id. List each batch once, or give the two batches their batch_id.")
    assert [(p.line, p.column, p.value, p.message) for p in second.errors] == [(3, "batch_id", batch_id, message)]
    assert {name: got for name, (got, _, _) in received(db).items()} == dict.fromkeys(
        ("History 4A", "History 4AB", "Maths 4C"), 0)


T = OPENS + timedelta(days=1)


@pytest.mark.parametrize("batches,as_of,activity,expected", [
    # T before and after a batch: only what was received by then counts.
    ([("2027-03-18T10:00:00Z", "12")], datetime(2027, 3, 18, 9, 59, tzinfo=UTC), False, (0, 12, "none", "open")),
    ([("2027-03-18T10:00:00Z", "12")], datetime(2027, 3, 18, 10, tzinfo=UTC), False, (12, 12, "complete", "open")),
    ([("2027-03-18T10:00:00Z", "5")], T, False, (0, 12, "none", "open")),
    ([("2027-03-18T10:00:00Z", "5")], NOW, False, (5, 12, "partial", "open")),
    ([("2027-03-18T10:00:00Z", "20")], NOW, False, (20, 12, "over", "open")),
    # The window closed with pages missing.
    ([("2027-03-18T10:00:00Z", "5")], CLOSES, False, (5, 12, "partial", "closed")),
    # With activity imported, the target is the sheets of those who started (Ana alone: 6 pages).
    ([("2027-03-18T10:00:00Z", "6")], NOW, True, (6, 6, "complete", "open")),
])
def test_each_receipt_state_at_its_boundaries(db, batches, as_of, activity, expected):
    load(db, *PROGRAMME)
    if activity:
        load(db, ("a.csv", csv_bytes(ACTIVITY, [{"session_name": "History 4A", "user_username": "ana",
                                                 "status": "finished", "started_at": "2027-03-16T08:05:00Z"}])))
    load(db, ("log.csv", scans_csv(*({"session_name": "History 4A", "pages": pages, "received_at": at}
                                     for at, pages in batches))))
    entry = services.receipt_board(db=db, as_of=as_of).by_name()["History 4A"]
    r = entry.receipt
    assert (r.received, r.target, r.state, r.window) == expected
    if r.window == "closed":
        assert r.problem == "7 pages are missing: the scan upload window closed 31 Mar 2027 18:00 Europe/Paris."


def test_the_cli_receipt_and_volume_as_a_nightly_job_reads_them(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    files = [*PROGRAMME, ("log.csv", scans_csv({"session_name": "History 4A", "pages": "5",
                                                "received_at": "2027-03-18T10:00:00Z"}))]
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    assert main(["import", *(str(tmp_path / n) for n, _ in files), "--db", url]) == 0
    capsys.readouterr()
    assert main(["receipt", "--db", url, "--as-of", "2027-03-20T12:00:00Z", "--json", "--fail-on-missing"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"as_of", "sessions", "days"}
    assert set(document["sessions"][0]) == {"session_name", "group_name", "target", "received", "missing", "state",
                                            "window", "closes_at", "pages_per_day_needed", "at_risk"}
    day = next(d for d in document["days"] if d["date"] == "2027-03-18")
    assert (day["received"], day["cumulative_received"]) == (5, 5)
    assert set(document["days"][0]) == {"date", "forecast", "received", "cumulative_forecast", "cumulative_received"}
    # After every window closed with pages missing: exit 3 for the nightly job.
    assert main(["receipt", "--db", url, "--as-of", "2027-04-01T00:00:00Z", "--fail-on-missing"]) == 3
    assert "7 pages are missing: the scan upload window closed 31 Mar 2027 18:00 Europe/Paris." in \
        capsys.readouterr().out
    assert main(["volume", "--db", url, "--as-of", "2027-03-20T12:00:00Z", "--json"]) == 0
    days = {row["date"]: row for row in json.loads(capsys.readouterr().out)}
    assert days["2027-03-18"]["received"] == 5 and days["2027-03-19"]["received"] == 0


def test_pages_per_utc_day_are_counted_in_sql_as_the_reference_counts_them(db):
    """``store.received_per_day`` (SQL on either store) against ``tests.factories.received_by_day``: moments given
    in Paris time fall on their UTC day, and a batch after the as-of is not counted."""
    load(db, *PROGRAMME)
    rows = [("2027-03-16T23:30:00+01:00", 10),  # 22:30 UTC: the 16th
            ("2027-03-17T00:30:00+01:00", 5),  # still the 16th in UTC
            ("2027-03-17T01:30:00+01:00", 7),  # 00:30 UTC: the 17th
            ("2027-03-15T08:00:00Z", 3),
            ("2027-03-20T12:00:00Z", 99)]  # after the as-of: not counted
    load(db, ("log.csv", scans_csv(*({"session_name": "History 4A", "pages": str(pages), "received_at": moment}
                                     for moment, pages in rows))))
    as_of = datetime(2027, 3, 20, 11, 59, 59, tzinfo=UTC)
    counted = store.received_per_day(db=db, as_of=as_of)
    reference = received_by_day([(datetime.fromisoformat(moment), pages) for moment, pages in rows], as_of)
    assert list(counted.items()) == list(reference.items()) == [
        (date(2027, 3, 15), 3), (date(2027, 3, 16), 15), (date(2027, 3, 17), 7)]
    assert services.received_per_day(db=db, as_of=as_of) == {"2027-03-15": 3, "2027-03-16": 15, "2027-03-17": 7}


def test_the_charts_page_and_the_cli_add_the_same_received_pages_to_the_volume(db):
    """The charts page's volume CSV takes the received pages from the receipt's days (unknown after the as-of), the
    CLI's ``volume`` from ``services.received_per_day``: ``with_received`` gives both the same column, 0 where
    nothing came or nothing is known yet, and all 0 before any scan."""
    load(db, *PROGRAMME)
    as_of = datetime(2027, 3, 19, 12, tzinfo=UTC)
    series = volume.daily_series(services.readiness_board(db=db, as_of=as_of).checklists, capacity=None)
    assert volume.with_received(series, None)["received"].tolist() == [0] * len(series)
    load(db, ("log.csv", scans_csv({"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00Z"},
                                   {"session_name": "Maths 4C", "pages": "4", "received_at": "2027-03-21T10:00:00Z"})))
    from_days = volume.with_received(series, services.receipt_board(db=db, as_of=as_of).received_per_day())
    from_sql = volume.with_received(series, services.received_per_day(db=db, as_of=as_of))
    assert from_days.equals(from_sql)
    assert dict(zip(from_sql["date"], from_sql["received"], strict=True)) == {
        day: 5 if day == "2027-03-18" else 0 for day in series["date"]}


def test_a_part_of_the_programme_has_its_own_pages_and_forecast_per_day(db):
    """``services.received_days`` for the sessions of a filtered view: the pages only they received per UTC day (Paris
    times on their UTC day, a batch after the as-of not counted) against their own forecast; for every session it
    is the receipt board's days."""
    load(db, *PROGRAMME)
    batches = [("History 4A", "5", "2027-03-18T00:30:00+01:00"), ("History 4A", "2", "2027-03-18T10:00:00Z"),
               ("Maths 4C", "4", "2027-03-18T10:00:00Z"), ("History 4A", "9", "2027-03-21T10:00:00Z")]
    load(db, ("log.csv", scans_csv(*({"session_name": name, "pages": pages, "received_at": moment}
                                     for name, pages, moment in batches))))
    as_of = datetime(2027, 3, 19, 12, 0, 0, 700_000, tzinfo=UTC)
    assert store.received_per_day(db=db, as_of=as_of, names={"History 4A", "Maths 4C"}) == {
        date(2027, 3, 17): 5, date(2027, 3, 18): 6}
    assert store.received_per_day(db=db, as_of=as_of, names=set()) == {}
    checklists = services.readiness_board(db=db, as_of=as_of).checklists
    history = [c for c in checklists if c.session.session_name == "History 4A"]
    days = services.received_days(db=db, checklists=history, as_of=as_of)
    assert [(d.date, d.received) for d in days if d.received] == [("2027-03-17", 5), ("2027-03-18", 2)]
    assert sum(d.forecast for d in days) == history[0].expected_sheets == 12  # its own sheets, not the programme's
    assert all(d.received is None for d in days if d.date > "2027-03-19")  # not known after the as-of's day
    board = services.receipt_board(db=db, as_of=as_of)
    assert services.received_days(db=db, checklists=checklists, as_of=as_of) == board.days
    assert services.received_days(db=db, checklists=checklists, as_of=as_of, whole=True) == board.days



def _batches(db) -> list[tuple[str, int, datetime]]:
    """Every stored batch: its key, pages and moment."""
    return sorted(tuple(row) for row in db.execute(select(SCANS.c.batch_key, SCANS.c.pages, SCANS.c.received_at)))


def _in_zone(zone: str) -> tuple[str, bytes]:
    row = {**exam("History 4A", "Class 4A", "history-4a"), "session_timezone": zone}
    return "s.csv", csv_bytes(NEW_GROUPS, [row])


LOCAL_LOG = ("log.csv", scans_csv({"session_name": "History 4A", "pages": "5", "received_at": "2027-03-18T10:00:00"}))


def test_a_batch_logged_in_local_time_stays_one_batch_when_its_sessions_zone_is_corrected(db):
    """Found: a log without batch_ids, in local times, imported again after the session's zone was corrected, was
    counted twice (its rows were keyed by their moment in UTC, which the zone had moved). Now keyed as they read, the
    batch is the same one, its moment read again in the new zone; undoing that import gives the old moment back."""
    load(db, *PROGRAMME)
    load(db, LOCAL_LOG)  # 10:00 in Paris: 09:00Z
    assert _batches(db) == [("row:5|2027-03-18T10:00:00", 5, datetime(2027, 3, 18, 9, tzinfo=UTC))]
    load(db, _in_zone("Europe/London"))
    again = load(db, LOCAL_LOG)  # 10:00 in London: 10:00Z, the same batch
    assert again.by_kind["scans"].to_dict() == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}
    assert _batches(db) == [("row:5|2027-03-18T10:00:00", 5, datetime(2027, 3, 18, 10, tzinfo=UTC))]
    assert received(db)["History 4A"][0] == 5
    services.undo_import(db=db, import_id=again.import_id)
    db.commit()
    assert _batches(db) == [("row:5|2027-03-18T10:00:00", 5, datetime(2027, 3, 18, 9, tzinfo=UTC))]


def test_a_batch_stored_under_its_moment_in_utc_is_found_again_from_its_local_time(db):
    """A batch stored before local times were keyed as they read (its key the moment in UTC), or logged with an
    offset, is the same batch when a log gives its local time: kept under its key, not created again; and the
    other way round."""
    load(db, *PROGRAMME)
    load(db, LOCAL_LOG)
    db.execute(update(SCANS).values(batch_key="row:5|2027-03-18T09:00:00+00:00"))  # as an older release keyed it
    db.commit()
    assert load(db, LOCAL_LOG).by_kind["scans"].to_dict()["unchanged"] == 1
    assert _batches(db) == [("row:5|2027-03-18T09:00:00+00:00", 5, datetime(2027, 3, 18, 9, tzinfo=UTC))]

    fixed = ("fixed.csv", scans_csv({"session_name": "History 4AB", "pages": "3",
                                     "received_at": "2027-03-19T09:00:00Z"}))
    local = ("local.csv", scans_csv({"session_name": "History 4AB", "pages": "3",
                                     "received_at": "2027-03-19T10:00:00"}))  # 10:00 in Paris: the same moment
    load(db, fixed)
    assert load(db, local).by_kind["scans"].to_dict()["unchanged"] == 1
    assert received(db, as_of=datetime(2027, 3, 20, tzinfo=UTC))["History 4AB"][0] == 3
