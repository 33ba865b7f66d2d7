"""Limits with clear messages: file size (CLI and upload widget), rows per file, field length."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from dashboard.cli import main
from dashboard.config import Settings
from dashboard.ingest import parse_file
from tests.factories import PAPER, csv_bytes, session

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_refuses_a_file_over_the_size_limit_without_reading_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SCANREADY_MAX_FILE_MB", "1")
    big = tmp_path / "big.csv"
    big.write_bytes(csv_bytes(PAPER, [session("History 4A")]) + b"#" * 1_200_000)
    for command in (["validate", str(big), "--json"], ["import", str(big), "--db", f"sqlite:///{tmp_path}/s.db",
                                                       "--json"]):
        assert main(command) == 1
        out = json.loads(capsys.readouterr().out)
        assert out["valid"] is False
        error = out["files"][0]["errors"][0]
        assert (out["files"][0]["file"], error["line"], error["column"]) == ("big.csv", None, None)
        assert "larger than 1 MB" in error["message"]
    assert not (tmp_path / "s.db").exists()  # refused before the store was even opened


def test_the_upload_limit_of_the_server_covers_the_widgets():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] >= Settings().max_file_mb


def test_the_server_does_no_per_run_work_that_grows_with_the_cached_programme():
    """Measured decisions (docs/performance.md): no file watcher on the event loop, and no full garbage collection
    after each script run (0.2-0.3 s per rerun with 10,000 sessions' boards cached, the interpreter held for all)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False


def test_rows_beyond_the_limit_refuse_the_whole_file():
    data = csv_bytes(PAPER, [session(f"S{i}") for i in range(11)])
    report = parse_file("s.csv", data, max_rows=10)
    assert [(p.line, p.column) for p in report.errors] == [(None, None)]
    assert "more than 10 rows" in report.errors[0].message
    assert parse_file("s.csv", data, max_rows=11).valid


def test_a_field_over_the_length_limit_is_an_error_at_its_line_and_column():
    data = csv_bytes(PAPER, [session("History 4A"), session("History 4B", session_paperMode_bookletFilename="b" * 51)])
    report = parse_file("s.csv", data, max_field_length=50)
    assert [(p.line, p.column) for p in report.errors] == [(3, "session_paperMode_bookletFilename")]
    assert "51 characters long; the limit is 50" in report.errors[0].message
