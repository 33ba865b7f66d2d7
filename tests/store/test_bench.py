"""bench/run.py runs end to end at a small size, prints a row per comparison and cleans up after itself.
Its timings are not checked (speed is measured by running the benchmark, not by tests)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_prints_every_comparison_and_leaves_no_files(tmp_path):
    # SQLite only: the benchmark's PostgreSQL rows empty the schema of the server they are given.
    env = {key: value for key, value in os.environ.items() if key != "TEST_POSTGRES_URL"}
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sessions", "300", "--links", "3000",
                           "--repeat", "1", "--overview-sessions", "50", "--batches", "900"],
                          env=env, capture_output=True, text=True, timeout=600, check=False)

    assert done.returncode == 0, done.stderr
    table, fixed, charts, report, overview = done.stdout.strip().split("\n\n")
    header, *rows = table.splitlines()
    assert header.split() == ["task", "floor", "s", "scanready", "s", "ratio", "work", "ratio", "peak", "RSS", "MB"]
    tasks = [row.rsplit(None, 5)[0] for row in rows]
    assert tasks == ["import 300 sessions (SQLite)", "import 3,000 links (SQLite)", "re-import 3,000 links (SQLite)",
                     "readiness --json (SQLite)", "receipt --json, 900 batches (SQLite; floor: readiness --json)"]
    for row in rows:
        floor, ours, ratio, _work, peak = map(float, row.rsplit(None, 5)[1:])  # the work ratio: any number (on
        assert floor > 0 and ours > 0 and ratio > 0 and peak > 0  # files this small, start-up is nearly all)
    assert fixed.startswith("start-up of a command (readiness --json on an empty store): ")
    assert 'x python -c "import sqlmodel" (' in fixed and "target ≤ 1.6x); a bare interpreter " in fixed
    assert charts.startswith("charts page, 300 sessions / 3,000 links (AppTest): first run ")
    assert re.search(r"; its data parts \(board, timeline rows, volume frames\) [\d.]+ s: "
                     r"the first run is [\d.]+x them \(target ≤ 2x\)$", charts)
    assert re.fullmatch(r"report on 5 sessions: [\d.]+ s, readiness --json [\d.]+ s on the same store: [\d.]+x "
                        r"\(target ≤ 2x\); importing Altair and drawing the review's two charts with vl-convert, "
                        r"nothing else: [\d.]+ s, [\d.]+x readiness", report)
    assert overview.startswith("overview page, 50 sessions / 3,000 links (AppTest): first run ")
    assert list(tmp_path.iterdir()) == []  # the benchmark's folder (its files and stores) is gone


def test_the_comparison_with_an_earlier_commit_prints_each_step_and_removes_its_worktree(tmp_path):
    """bench/against.py at a small size, against this very commit (any revision of the repository would do)."""
    env = {key: value for key, value in os.environ.items() if key != "TEST_POSTGRES_URL"}
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "against.py"), "HEAD", "--repeat", "1",
                           "--sessions", "200", "--links", "2000"],
                          env=env, capture_output=True, text=True, timeout=600, check=False)

    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.strip().splitlines()
    assert header.split()[:3] == ["step", "HEAD", "s"] and "(median, min-max of 1)" in header
    assert [row[:18].strip() for row in rows] == ["import sessions", "import links", "readiness --json"]
    for row in rows:
        assert re.fullmatch(r".{18} +[\d.]+ \([\d.]+-[\d.]+\) +[\d.]+ \([\d.]+-[\d.]+\)  [\d.]+", row), row
    worktrees = subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True,
                               check=True).stdout
    assert str(tmp_path) not in worktrees and list(tmp_path.iterdir()) == []
