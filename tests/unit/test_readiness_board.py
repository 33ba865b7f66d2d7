"""Readiness at programme scale: shared judgements and the pre-encoded JSON say exactly what one checklist at a
time says.

A seeded corpus varies every input a checklist reads (zones known, unknown and missing; each date missing or
not, some exactly at ``as_of``; counts across TAO's limits; names JSON must escape) and draws dates and counts
from small pools, so that many sessions share them, as in a real programme.
"""

from __future__ import annotations

import io
import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from dashboard.readiness import STATUS_ORDER, SessionSnapshot, evaluate_checklist, evaluate_checklists
from dashboard.services.board_json import write_board_json
from dashboard.services.readiness import Board
from dashboard.store import ReadinessRow

READINESS_COLUMNS = ReadinessRow._fields
DATES = ("start_date", "end_date", "submission_date", "scan_upload_start", "scan_upload_end")

AS_OF = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
ZONES = ("Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC", None, "", "Mars/Olympus_Mons")
# Names JSON must escape, or that look like the encoder's own markers and format codes.
NAMES = ("Class 4A", 'Klasse "4B"', "back\\slash", "tab\tand\nline", "bell\x07\x00nul", "élèves", "🎓 4C",
         "</script>", "%b %s %%", "\u2028 separator", "\\u0000", "Z last", "a first", "")


def corpus(size: int, seed: int) -> list[SessionSnapshot]:
    """``size`` sessions with unique names; few distinct dates and counts, so sessions share them."""
    rng = random.Random(seed)
    moments = [AS_OF + timedelta(minutes=rng.randrange(-40_000, 40_000)) for _ in range(6)] + [AS_OF, None]
    # A schedule: zone, start, end, submission, scan window start and end; a programme has few of them.
    schedules = [(rng.choice(ZONES), *(rng.choice(moments) for _ in range(5))) for _ in range(size // 15)]
    sessions = []
    for i in range(size):
        takers = rng.choice((0, 1, 2, 25, 100, 101, 2000))
        active = rng.choice((0, takers, rng.randint(0, takers)))
        sessions.append(SessionSnapshot(
            f"{rng.choice(NAMES)} {i}", rng.choice(NAMES), rng.choice(("https://tao.example.org/delivery/1", 'd"2')),
            *rng.choice(schedules), sheets_per_interaction=rng.choice((1, 2, None)),
            total_interactions=rng.choice((4, 5, 401, None)), test_takers=takers,
            scan_uploaders=rng.choice((0, 1, 3)), started=rng.randint(0, active), with_activity=active))
    return sessions


CORPUS = corpus(600, seed=20_271)


def sqlite_text(moment: Any) -> Any:
    """A moment as SQLite gives it back: naive UTC text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if moment else None


def row(session: SessionSnapshot, *, stored: bool = False) -> ReadinessRow:
    """The store's readiness row of ``session`` (dates as datetimes, or as SQLite text)."""
    values = {name: getattr(session, name) for name in READINESS_COLUMNS}
    return ReadinessRow(**{name: sqlite_text(value) if stored and name in DATES else value
                           for name, value in values.items()})


def written(rows: list[Any], as_of: datetime) -> tuple[bytes, dict[str, int]]:
    out = io.BytesIO()
    counts = write_board_json(rows, as_of, out)
    return out.getvalue(), counts


def board_json(sessions: list[SessionSnapshot], as_of: datetime) -> bytes:
    """The reference: one checklist at a time, in the board's order, through Board.to_dict."""
    checklists = sorted((evaluate_checklist(s, as_of) for s in sessions), key=lambda c: (
        STATUS_ORDER[c.status], c.session.scan_upload_end or as_of, c.session.session_name))
    return orjson.dumps(Board(as_of, checklists).to_dict())


def test_the_corpus_shares_dates_and_counts_and_reaches_every_status() -> None:
    dates = {(s.timezone, s.end_date, s.submission_date, s.scan_upload_start, s.scan_upload_end) for s in CORPUS}
    assert len(dates) < len(CORPUS) / 2  # else nothing is shared and the tests below prove little
    assert {c.status for c in (evaluate_checklist(s, AS_OF) for s in CORPUS)} == set(STATUS_ORDER)


@pytest.mark.parametrize("as_of", [AS_OF, AS_OF - timedelta(days=40), AS_OF + timedelta(days=40)])
def test_evaluate_checklists_is_evaluate_checklist_of_each(as_of: datetime) -> None:
    assert evaluate_checklists(CORPUS, as_of) == [evaluate_checklist(s, as_of) for s in CORPUS]


def test_sessions_with_the_same_dates_share_their_items() -> None:
    first, second = CORPUS[0], CORPUS[1]
    twin = SessionSnapshot(**{**{name: getattr(second, name) for name in READINESS_COLUMNS},
                              "timezone": first.timezone, "end_date": first.end_date,
                              "submission_date": first.submission_date, "scan_upload_start": first.scan_upload_start,
                              "scan_upload_end": first.scan_upload_end})
    a, b = evaluate_checklists([first, twin], AS_OF)
    assert all(x is y for x, y in zip(a.items[3:], b.items[3:], strict=True))  # submitted, window, schedule
    assert (b.items[0].detail, b.session) == (evaluate_checklist(twin, AS_OF).items[0].detail, twin)


def test_evaluate_checklists_refuses_a_naive_as_of_even_without_sessions() -> None:
    with pytest.raises(ValueError, match="aware"):
        evaluate_checklists([], datetime(2027, 3, 10, 12, 0))


@pytest.mark.parametrize("as_of", [AS_OF, AS_OF - timedelta(days=40), AS_OF + timedelta(days=40)])
@pytest.mark.parametrize("stored", [False, True], ids=["datetimes", "sqlite-text"])
@pytest.mark.parametrize("shape", [ReadinessRow._make, tuple], ids=["named", "driver-tuples"])
def test_write_board_json_is_the_board_json_byte_for_byte(as_of: datetime, stored: bool, shape: Any) -> None:
    # The rows as the store's readiness_rows gives them, or as readiness_values does (read by position)
    rows = [shape(row(s, stored=stored)) for s in reversed(CORPUS)]  # any order in: the board's order out
    document, counts = written(rows, as_of)
    assert document == board_json(CORPUS, as_of)
    assert counts == Board(as_of, [evaluate_checklist(s, as_of) for s in CORPUS]).counts()


@pytest.mark.parametrize("size", [999, 1_000, 1_001, 2_500])  # around the batches it is written in
def test_write_board_json_across_its_batches(size: int) -> None:
    sessions = corpus(size, seed=size)
    assert written([row(s) for s in sessions], AS_OF)[0] == board_json(sessions, AS_OF)


def test_write_board_json_orders_ties_by_name_and_a_missing_window_end_as_of_now() -> None:
    base = CORPUS[0]
    same = {"scan_upload_start": AS_OF - timedelta(days=1), "test_takers": 1, "scan_uploaders": 1}
    sessions = [SessionSnapshot(**{**{n: getattr(base, n) for n in READINESS_COLUMNS}, **same,
                                   "session_name": name, "scan_upload_end": end})
                for name, end in [("b", AS_OF), ("c", None), ("a", None), ("d", AS_OF)]]
    document = orjson.loads(written([row(s) for s in sessions], AS_OF)[0])
    assert [s["session_name"] for s in document["sessions"]] == ["a", "b", "c", "d"]
    assert document == orjson.loads(board_json(sessions, AS_OF))


def test_write_board_json_of_no_session() -> None:
    assert written([], AS_OF) == (b'{"as_of":"2027-03-10T12:00:00Z","sessions":[]}',
                                  {"blocked": 0, "pending": 0, "ready": 0})


def test_the_cli_writes_the_document_to_a_text_only_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import cli

    text = io.StringIO()  # no .buffer: the document is decoded once, at the end
    monkeypatch.setattr(sys, "stdout", text)
    with cli._binary_out() as out:
        out.write(b'{"sessions":["\xc3\xa9"]}')
        assert text.getvalue() == ""
    assert text.getvalue() == '{"sessions":["é"]}\n'


@pytest.mark.parametrize("document", [b'{"sessions":["\xc3\xa9"]}', b"name\r\n\xc3\xa9\r\n"], ids=["json", "csv"])
@pytest.mark.parametrize("binary", [True, False], ids=["stdout", "text-only-stdout"])
def test_the_cli_writes_an_encoded_document_as_it_is_ending_it_with_one_line_end(
        monkeypatch: pytest.MonkeyPatch, document: bytes, binary: bool) -> None:
    """``receipt --json`` and the CSVs: the bytes as encoded, a line end added only when there is none."""
    from dashboard import cli

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="") if binary else io.StringIO()
    monkeypatch.setattr(sys, "stdout", stream)
    stream.write("before ")  # text written earlier comes first
    cli._out_document(document)
    stream.flush()
    written = raw.getvalue() if binary else stream.getvalue().encode()
    assert written == b"before " + document + (b"" if document.endswith(b"\n") else b"\n")
