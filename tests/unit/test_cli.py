"""The ``scanready`` console script: exit codes, the --json contract, the readable report, the store URL.

Most tests run the installed script in a subprocess, as automation does; a few call ``main`` in-process.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dashboard.cli import main
from tests.factories import PAPER, csv_bytes, links_csv, session

SCRIPT = Path(sys.executable).with_name("scanready")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "dashboard.cli"]
SHEETS = "session_paperMode_sheetsPerInteraction"
FILE_KEYS = {"file", "kind", "template", "rows", "errors", "warnings"}
PROBLEM_KEYS = {"line", "column", "value", "message"}


def _good() -> bytes:
    return csv_bytes(PAPER, [session("History 4A"), session("History 4B", group="Class 4B",
                                                            session_paperMode_sheetsPerInteraction="2")])


def _bad() -> bytes:
    return csv_bytes(PAPER, [session("History 4A"), session("History 4B", group="Class 4B",
                                                            session_paperMode_sheetsPerInteraction="none")])


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A good session file, a bad one (line 3, sheets per interaction), and a link file."""
    paths = {"good": tmp_path / "good.csv", "bad": tmp_path / "bad.csv", "links": tmp_path / "links.csv"}
    paths["good"].write_bytes(_good())
    paths["bad"].write_bytes(_bad())
    paths["links"].write_bytes(links_csv(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "SCAN_UPLOADER")))
    return paths


class Run:
    def __init__(self, process: subprocess.CompletedProcess[str]) -> None:
        self.code, self.stdout, self.stderr = process.returncode, process.stdout, process.stderr

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """The console script with ``args``; SCANREADY_DATABASE_URL only when ``env`` sets it."""
    environment = {k: v for k, v in os.environ.items() if k != "SCANREADY_DATABASE_URL"}
    environment.update(env or {})
    process = subprocess.run([*COMMAND, *map(str, args)], cwd=cwd, env=environment, capture_output=True,
                             text=True, timeout=300, check=False)
    return Run(process)


def stored_sessions(path: Path) -> list[tuple[str, str, int | None]]:
    """(name, group, sheets per interaction) of every session in a SQLite store, read with sqlite3."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT session_name, group_name, sheets_per_interaction FROM exam_session "
                                  "ORDER BY session_name").fetchall()
    connection.close()
    return rows


def test_validate_a_good_file(files, tmp_path):
    result = run("validate", files["good"], "--json", cwd=tmp_path)

    assert result.code == 0, result
    out = result.json
    assert set(out) == {"valid", "files"}
    assert out["valid"] is True
    assert [set(entry) for entry in out["files"]] == [FILE_KEYS]
    assert {k: v for k, v in out["files"][0].items() if k != "warnings"} == {
        "file": "good.csv", "kind": "sessions", "template": "sessions-with-delivery-in-existing-groups", "rows": 2,
        "errors": []}
    assert result.stderr == ""
    assert not (tmp_path / "data").exists(), "validate must write nothing"


def test_validate_a_bad_file(files, tmp_path):
    result = run("validate", files["bad"], "--json", cwd=tmp_path)

    assert result.code == 1, result
    out = result.json
    assert out["valid"] is False
    assert [(entry["file"], entry["rows"]) for entry in out["files"]] == [("bad.csv", 2)]
    [error] = out["files"][0]["errors"]
    assert set(error) == PROBLEM_KEYS
    assert (error["line"], error["column"], error["value"]) == (3, SHEETS, "none")
    assert error["message"]
    assert "Traceback" not in result.stderr


def test_the_readable_report_names_line_and_column(files, tmp_path):
    result = run("validate", files["bad"], cwd=tmp_path)

    assert result.code == 1, result
    with pytest.raises(ValueError):
        json.loads(result.stdout)
    [line] = [text for text in result.stdout.splitlines() if "error" in text and SHEETS in text]
    assert "line 3" in line
    assert "bad.csv" in result.stdout


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_a_missing_path_is_a_usage_error(files, tmp_path, as_json):
    missing = tmp_path / "missing.csv"

    result = run("validate", files["good"], missing, *(["--json"] if as_json else []), cwd=tmp_path)

    assert result.code == 2, result
    assert "Traceback" not in result.stderr
    assert "missing.csv" in result.stderr
    if as_json:
        assert result.json["valid"] is False


@pytest.mark.parametrize("args", [[], ["validate"], ["frobnicate", "x.csv"], ["import", "--nope", "x.csv"]],
                         ids=["no command", "no file", "unknown command", "unknown flag"])
def test_usage_errors_exit_2(tmp_path, args):
    result = run(*args, cwd=tmp_path)

    assert result.code == 2, result
    assert "usage: scanready" in result.stderr
    assert "Traceback" not in result.stderr


def test_import_then_import_again(files, tmp_path):
    store = tmp_path / "store.db"
    url = f"sqlite:///{store}"

    first = run("import", files["good"], files["links"], "--db", url, "--json", cwd=tmp_path)
    second = run("import", files["good"], files["links"], "--db", url, "--json", cwd=tmp_path)

    assert first.code == 0, first
    assert first.json["valid"] is True
    assert {k: first.json["imported"][k] for k in ("created", "updated", "unchanged", "removed", "import_id")} == {
        "created": 4, "updated": 0, "unchanged": 0, "removed": 0, "import_id": 1}
    assert second.code == 0, second
    # The same files again change nothing: the counts say so and no import is recorded.
    assert {k: second.json["imported"][k] for k in ("created", "updated", "unchanged", "removed", "import_id")} == {
        "created": 0, "updated": 0, "unchanged": 4, "removed": 0, "import_id": None}
    assert stored_sessions(store) == [("History 4A", "Class 4A", 1), ("History 4B", "Class 4B", 2)]


def test_an_import_with_an_invalid_file_stores_nothing(files, tmp_path):
    store = tmp_path / "store.db"
    url = f"sqlite:///{store}"

    result = run("import", files["good"], files["bad"], "--db", url, "--json", cwd=tmp_path)

    assert result.code == 1, result
    assert result.json["valid"] is False
    assert "imported" not in result.json
    assert stored_sessions(store) == []
    assert run("import", files["good"], "--db", url, cwd=tmp_path).code == 0
    assert [name for name, _, _ in stored_sessions(store)] == ["History 4A", "History 4B"]


def test_a_changed_group_is_refused_at_its_line(files, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert run("import", files["good"], "--db", url, cwd=tmp_path).code == 0
    moved = tmp_path / "moved.csv"
    moved.write_bytes(csv_bytes(PAPER, [session("History 4B", group="Class 4C")]))

    checked = run("validate", moved, "--db", url, "--json", cwd=tmp_path)
    imported = run("import", moved, "--db", url, "--json", cwd=tmp_path)

    for result in (checked, imported):
        assert result.code == 1, result
        assert [(e["line"], e["column"]) for e in result.json["files"][0]["errors"]] == [(2, "group_name")]
    assert ("History 4B", "Class 4B", 2) in stored_sessions(tmp_path / "store.db")


@pytest.mark.parametrize("data", [b"", b"  \r\n\n", b"\x81\x8d\x90 not text \x9d"],
                         ids=["empty", "blank lines", "undecodable"])
@pytest.mark.parametrize("command", ["validate", "import"])
def test_a_whole_file_problem_has_no_line_or_column(tmp_path, data, command):
    path = tmp_path / "broken.csv"
    path.write_bytes(data)
    extra = ["--db", f"sqlite:///{tmp_path / 'store.db'}"] if command == "import" else []

    result = run(command, path, *extra, "--json", cwd=tmp_path)

    assert result.code == 1, result
    [entry] = result.json["files"]
    [error] = entry["errors"]
    assert (error["line"], error["column"]) == (None, None)
    assert error["message"]
    assert "Traceback" not in result.stderr


def test_the_readable_report_of_a_whole_file_problem(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    result = run("validate", path, cwd=tmp_path)

    assert result.code == 1, result
    assert "empty.csv" in result.stdout
    assert "whole file" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("flag", "env", "expected"), [
    ("flag.db", "env.db", "flag.db"),
    (None, "env.db", "env.db"),
    (None, None, "data/scanready.db"),
], ids=["flag beats environment", "environment beats default", "default"])
def test_where_the_store_is(files, tmp_path, flag, env, expected):
    args = ["--db", f"sqlite:///{tmp_path / flag}"] if flag else []
    environment = {"SCANREADY_DATABASE_URL": f"sqlite:///{tmp_path / env}"} if env else {}

    result = run("import", files["good"], *args, cwd=tmp_path, env=environment)

    assert result.code == 0, result
    assert [name for name, _, _ in stored_sessions(tmp_path / expected)] == ["History 4A", "History 4B"]
    for other in {"flag.db", "env.db", "data/scanready.db"} - {expected}:
        assert not (tmp_path / other).exists(), other


@pytest.mark.parametrize("store", ["not a database", "folder under a file", "unknown dialect", "not a URL"])
@pytest.mark.parametrize("command", ["import", "validate", "migrate"])
def test_a_store_that_cannot_be_opened_is_a_usage_error(files, tmp_path, store, command):
    blocker = tmp_path / "plain.txt"
    blocker.write_text("not a folder")
    url = {"not a database": f"sqlite:///{files['links']}", "folder under a file": f"sqlite:///{blocker}/sub/x.db",
           "unknown dialect": "nosuchdb://host/name", "not a URL": "::"}[store]
    args = [] if command == "migrate" else [files["good"]]

    result = run(command, *args, "--db", url, cwd=tmp_path)

    assert result.code == 2, result
    assert result.stderr.startswith("scanready: "), result
    assert "Traceback" not in result.stderr
    assert files["links"].read_bytes().startswith(b"user_username,")


def test_migrate_creates_the_store(tmp_path):
    result = run("migrate", "--db", f"sqlite:///{tmp_path / 'store.db'}", cwd=tmp_path)

    assert result.code == 0, result
    assert stored_sessions(tmp_path / "store.db") == []


@pytest.mark.parametrize("command", [["readiness", "--json"], ["volume"], ["report", "--output", "review.html"]])
def test_a_reading_command_on_a_new_path_says_it_created_an_empty_store(tmp_path, command, capsys, no_env_store):
    url = f"sqlite:///{tmp_path / 'typo' / 'store.db'}"
    command = [str(tmp_path / part) if part.endswith(".html") else part for part in command]

    first = main([*command, "--db", url])
    note = capsys.readouterr().err
    again = main([*command, "--db", url])

    assert (first, again) == (0, 0)  # an empty programme, as before: only stderr tells the manager
    assert note == (f"scanready: there was no store at {url}; an empty one was created. Check --db (or "
                    "SCANREADY_DATABASE_URL), or import files first.\n")
    assert capsys.readouterr().err == ""  # the store is there now


@pytest.mark.parametrize("command", ["import", "migrate"])
def test_commands_that_create_the_store_do_so_quietly(files, tmp_path, command, capsys, no_env_store):
    args = [command, str(files["good"])] if command == "import" else [command]

    assert main([*args, "--db", f"sqlite:///{tmp_path / 'new.db'}"]) == 0
    assert capsys.readouterr().err == ""


# In-process: the same entry point, faster.


@pytest.fixture
def no_env_store(monkeypatch):
    monkeypatch.delenv("SCANREADY_DATABASE_URL", raising=False)


def test_main_validates_in_process(files, capsys, no_env_store):
    code = main(["validate", str(files["bad"]), "--json"])

    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(e["line"], e["column"]) for e in out["files"][0]["errors"]] == [(3, SHEETS)]


def test_main_imports_in_process(files, tmp_path, capsys, no_env_store):
    url = f"sqlite:///{tmp_path / 'store.db'}"

    first = main(["import", str(files["good"]), str(files["links"]), "--db", url])
    text = capsys.readouterr().out
    second = main(["import", str(files["good"]), "--db", url, "--json"])
    out = json.loads(capsys.readouterr().out)
    third = main(["import", str(files["good"]), "--db", url])
    again = capsys.readouterr().out

    assert (first, second, third) == (0, 0, 0)
    assert text.splitlines() == [
        "good.csv: sessions (sessions-with-delivery-in-existing-groups), 2 rows: valid",
        "links.csv: enrolments (link-existing-user-to-groups), 2 rows: valid",
        "Imported (import 1): 2 sessions created; 2 enrolment links created."]  # counts per kind, never mixed
    assert (out["imported"]["unchanged"], out["imported"]["import_id"]) == (2, None)
    assert again.splitlines()[-1] == ("Nothing changed: the store already holds every record as these files give "
                                      "it, so no import was recorded.")


def test_validate_says_it_never_stores(files, tmp_path, capsys, no_env_store):
    assert main(["validate", str(files["bad"])]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Fix the errors above, then validate again (validate checks only; it never stores).")
    assert main(["validate", str(files["good"]), str(files["links"])]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "All 2 files are valid (validate checks only; it never stores)."


def test_main_reports_a_missing_path(tmp_path, capsys, no_env_store):
    code = main(["validate", str(tmp_path / "missing.csv")])

    captured = capsys.readouterr()
    assert code == 2
    assert "missing.csv" in captured.err
    assert captured.out == ""


def test_main_rejects_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate"])

    assert exit_info.value.code == 2
    assert "usage: scanready" in capsys.readouterr().err


def test_import_options_as_a_new_user_gives_them(tmp_path):
    """--session names the session of a TAO export, --date-order reads its slashed dates, --sync-links makes the
    link files complete (validate --db shows what that removes before import stores it)."""
    from tests.conftest import read

    url = f"sqlite:///{tmp_path / 'store.db'}"
    (tmp_path / "s.csv").write_bytes(_good())
    (tmp_path / "l.csv").write_bytes(links_csv(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")))
    (tmp_path / "portal.csv").write_bytes(read("tao_portal_results.csv"))
    (tmp_path / "table.csv").write_bytes(read("tao_results_table.csv").replace(b"16/03/2027", b"04/03/2027"))
    (tmp_path / "only-ana.csv").write_bytes(links_csv(("ana", "Class 4A", "TEST_TAKER")))
    assert run("import", tmp_path / "s.csv", tmp_path / "l.csv", "--db", url, cwd=tmp_path).code == 0

    placed = run("import", tmp_path / "portal.csv", "--session", "History 4A", "--db", url, "--json", cwd=tmp_path)
    assert placed.code == 0, placed
    assert placed.json["imported"]["activity"]["created"] == 4  # every row, Zoe's too: the manager said so

    unknown = run("import", tmp_path / "portal.csv", "--session", "History 9Z", "--db", url, "--json", cwd=tmp_path)
    assert unknown.code == 1 and "No session is named 'History 9Z'" in unknown.stdout

    month_first = run("validate", tmp_path / "table.csv", "--date-order", "mdy", "--json", cwd=tmp_path)
    assert month_first.code == 0 and month_first.json["files"][0]["warnings"] == []
    bad_order = run("validate", tmp_path / "table.csv", "--date-order", "ymd", cwd=tmp_path)
    assert bad_order.code == 2 and "invalid choice" in bad_order.stderr

    preview = run("validate", tmp_path / "only-ana.csv", "--sync-links", "--db", url, cwd=tmp_path)
    assert "Complete rosters: group 'Class 4A' loses 1 link." in preview.stdout.splitlines()
    synced = run("import", tmp_path / "only-ana.csv", "--sync-links", "--db", url, cwd=tmp_path)
    assert synced.stdout.splitlines()[-1] == "Imported (import 3): 1 enrolment link removed, 1 unchanged."


def test_main_leaves_the_collector_as_it_found_it_and_the_command_turns_it_off(files, tmp_path):
    """``main`` runs in processes that live on (these tests): its bulk steps pause the cyclic collector and turn it
    back on. The ``scanready`` command, a process of its own, keeps it off (``cli.run``), and ends through
    ``os._exit`` once the store is closed (SQLite's write-ahead log checkpointed and removed: no -wal file left)
    and its output flushed (stdout is a pipe here, so nothing unflushed would arrive)."""
    import gc

    assert gc.isenabled()
    assert main(["import", str(files["good"]), "--db", f"sqlite:///{tmp_path / 'in-process.db'}"]) == 0
    assert gc.isenabled()
    probe = ("import gc, os, sys; from dashboard.cli import run; real_exit = os._exit; "
             "os._exit = lambda code: (sys.stderr.write(f'collector on: {gc.isenabled()}, exit {code}'), "
             "sys.stderr.flush(), real_exit(code)); "
             f"sys.argv = ['scanready', 'import', {str(files['good'])!r}, '--db', "
             f"{'sqlite:///' + str(tmp_path / 'command.db')!r}]; run()")
    process = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                             timeout=300, check=False)
    assert process.returncode == 0, process.stderr
    assert process.stderr.endswith("collector on: False, exit 0")
    assert "Imported (import 1): 2 sessions created." in process.stdout, process.stdout
    assert (tmp_path / "command.db").exists() and not (tmp_path / "command.db-wal").exists()
