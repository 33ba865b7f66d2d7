"""``scanready readiness``: the JSON contract, the flat CSV, --as-of, --fail-on-blocked's exit 3."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from dashboard.cli import main
from dashboard.services import CSV_COLUMNS
from tests.factories import readiness_store, session

SESSION_KEYS = {"session_name", "group_name", "delivery_id", "status", "enrolled", "launched", "submitted", "window",
                "expected_sheets", "items", "warnings"}


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A store with a session that is ready after the exam and one that is blocked (nobody can upload)."""
    return readiness_store(tmp_path, [
        session("History 4A", session_name="History 4A"),
        session("History 4B", group="Class 4B", session_paperMode_sheetsPerInteraction="2"),
        session("=HYPERLINK(1)", group="Class 4C")])


def test_json_lists_paper_sessions_with_the_contract_fields(store, capsys):
    assert main(["readiness", "--db", store, "--as-of", "2028-06-14T00:00:00Z", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2028-06-14T00:00:00Z"
    by_name = {s["session_name"]: s for s in out["sessions"]}
    assert all(SESSION_KEYS <= set(s) for s in out["sessions"])
    ready, blocked = by_name["History 4A"], by_name["History 4B"]
    assert (ready["status"], ready["enrolled"], ready["launched"], ready["submitted"], ready["window"]) == (
        "ready", 1, 1, True, "open")
    assert (blocked["status"], blocked["enrolled"], blocked["expected_sheets"]) == ("blocked", 2, 24)
    assert {i["item"]: i["state"] for i in blocked["items"]}["roles"] == "problem"
    assert [s["status"] for s in out["sessions"]] == sorted((s["status"] for s in out["sessions"]),
                                                            key=["blocked", "pending", "ready"].index)


def test_before_the_exam_sessions_are_pending_not_blocked_for_launches(store, capsys):
    main(["readiness", "--db", store, "--as-of", "2028-06-01", "--json"])
    out = json.loads(capsys.readouterr().out)
    states = {s["session_name"]: {i["item"]: i["state"] for i in s["items"]} for s in out["sessions"]}
    assert states["History 4B"]["launched"] == "pending"
    assert states["History 4A"]["window"] == "pending"
    assert out["as_of"] == "2028-06-01T00:00:00Z"


def test_fail_on_blocked_exits_3_for_a_nightly_job(store, capsys):
    assert main(["readiness", "--db", store, "--as-of", "2028-06-14T00:00:00Z", "--fail-on-blocked"]) == 3
    text = capsys.readouterr().out
    assert "BLOCKED  History 4B (group Class 4B)" in text
    assert "roles: No one in group Class 4B can upload scans" in text


def test_fail_on_blocked_exits_0_when_nothing_is_blocked(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["readiness", "--db", url, "--fail-on-blocked", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sessions"] == []


def test_csv_is_one_flat_row_per_session_with_formulas_neutralised(store, capsys):
    assert main(["readiness", "--db", store, "--as-of", "2028-06-14T00:00:00Z", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["session_name"] for r in rows} == {"History 4A", "History 4B", "'=HYPERLINK(1)"}
    row = next(r for r in rows if r["session_name"] == "History 4B")
    assert (row["status"], row["roles_state"], row["enrolled"]) == ("blocked", "problem", "2")
    assert row["roles_detail"].startswith("No one in group Class 4B")


@pytest.mark.parametrize("as_of", ["2028-06-01T00:00:00Z", "2028-06-14T00:00:00Z", "2028-08-01T00:00:00Z"])
def test_csv_carries_the_json_contracts_values(store, capsys, as_of):
    """launched a count, submitted true/false, window as in the JSON, sheets whole numbers (started_sheets empty
    without activity); every item's state and sentence in columns of their own."""
    assert main(["readiness", "--db", store, "--as-of", as_of, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert main(["readiness", "--db", store, "--as-of", as_of, "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    for entry, row in zip(document["sessions"], rows, strict=True):
        started = "" if entry["started_sheets"] is None else str(entry["started_sheets"])
        assert (row["launched"], row["submitted"], row["window"], row["expected_sheets"], row["started_sheets"]) == (
            str(entry["launched"]), "true" if entry["submitted"] else "false", entry["window"],
            str(entry["expected_sheets"]), started)
        assert [(row[f"{i['item']}_state"], row[f"{i['item']}_detail"]) for i in entry["items"]] == [
            (i["state"], i["detail"]) for i in entry["items"]]
    assert "" in {r["started_sheets"] for r in rows}  # a session without activity
    assert all(r["started_sheets"] == "" or r["started_sheets"].isdigit() for r in rows)  # never "6.0"


@pytest.mark.parametrize("flags", [["--as-of", "16/03/2027"], ["--json", "--csv"], ["--as-of"]])
def test_bad_flags_are_usage_errors(store, capsys, flags):
    with pytest.raises(SystemExit) as exit_info:
        code = main(["readiness", "--db", store, *flags])
        raise SystemExit(code)
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("as_of", ["2028-06-01T00:00:00Z", "2028-06-14T00:00:00Z", "2028-08-01T00:00:00Z"])
def test_json_is_the_board_byte_for_byte(store, capsys, as_of):
    from dashboard import services
    from dashboard.cli import _database

    with _database(store) as db:
        board = services.readiness_board(db=db, as_of=services.parse_as_of(as_of))
    blocked = board.counts()["blocked"]
    assert main(["readiness", "--db", store, "--as-of", as_of, "--json", "--fail-on-blocked"]) == (3 if blocked else 0)
    assert capsys.readouterr().out.encode() == orjson.dumps(board.to_dict()) + b"\n"


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """``scanready readiness --json | head``: the closed pipe ends the command with the status a shell gives
    a tool SIGPIPE stopped (141), and no traceback."""
    sessions = [session(f"History {i:04d}", group=f"Class {i:04d}") for i in range(2_500)]
    url = readiness_store(tmp_path, sessions)
    script = Path(sys.executable).with_name("scanready")
    with subprocess.Popen([str(script), "readiness", "--db", url, "--as-of", "2028-06-14T00:00:00Z", "--json"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(10) == b'{"as_of":"'
        process.stdout.close()  # the reader stops, as head does
        error = process.stderr.read().decode()
        assert process.wait(timeout=120) == 141, error
    assert error == ""
