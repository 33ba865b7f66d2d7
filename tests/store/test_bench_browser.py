"""bench/browser.py runs end to end at its smallest (the example store, one manager, one repeat): both servers start,
every interaction of the README's five steps is measured on the dashboard and on the naive page without an error,
the table says what it measured, and the work folder is gone afterwards. Its timings are not checked (speed is
measured by running the benchmark, not by tests)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
INTERACTIONS = ["load overview", "load charts", "load session", "as-of change", "status filter", "open a session",
                "capacity change", "review download"]
COLUMNS = ["interaction", "managers", "scanready p50 s", "scanready p95 s", "naive p50 s", "naive p95 s", "ratio",
           "of", "samples", "errors"]

pytestmark = pytest.mark.browser


@pytest.fixture
def work() -> Iterator[Path]:
    """A short temporary folder: Chromium puts its profile's socket under TMPDIR, and a socket's path may not be
    longer than 107 bytes (pytest's ``tmp_path`` grows past it as its runs are numbered)."""
    folder = Path(tempfile.mkdtemp(prefix="sr-bench-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_browser_benchmark_measures_every_step_on_both_apps_and_leaves_no_files(work: Path) -> None:
    if importlib.util.find_spec("playwright") is None:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    env = {**os.environ, "TMPDIR": str(work)}  # the benchmark's work folder goes there
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "browser.py"), "--store", "example", "--managers", "1",
                           "--repeat", "1"], env=env, capture_output=True, text=True, timeout=900, check=False)

    assert done.returncode == 0, done.stderr
    table, servers, notes = done.stdout.strip().split("\n\n")
    title, header, *rows = table.splitlines()
    assert title == "example store (example programme), 1 repeat(s) per manager:"
    assert re.split(r"\s{2,}", header) == COLUMNS
    cells = [dict(zip(COLUMNS, re.split(r"\s{2,}", row), strict=True)) for row in rows]
    assert [row["interaction"] for row in cells] == INTERACTIONS
    for row in cells:
        assert (row["managers"], row["of"], row["samples"], row["errors"]) == ("1", "p50", "1/1", "0/0"), row
        ours, naive, ratio = float(row["scanready p50 s"]), float(row["naive p50 s"]), float(row["ratio"])
        assert ours > 0 and naive > 0 and ratio > 0
        assert ratio == pytest.approx(ours / naive, rel=0.05, abs=0.01)  # of the unrounded times
        assert (row["scanready p95 s"], row["naive p95 s"]) == (row["scanready p50 s"], row["naive p50 s"])  # one time
    peak, first = servers.splitlines()
    assert re.fullmatch(r"peak RSS MB with 1 manager\(s\): scanready [1-9]\d*, naive [1-9]\d*", peak)
    assert re.fullmatch(r"first load after the server started: scanready \d+\.\d\d s, naive \d+\.\d\d s", first)
    assert notes.startswith("ratio: scanready / naive, of p50 with one manager")
    assert list(work.iterdir()) == []  # the stores, CSV files and server logs are gone


def test_the_memory_benchmark_imports_through_the_page_and_the_cli_and_leaves_no_files(work: Path) -> None:
    """bench/page_memory.py at a small size: the CLI's import and the page's both succeed, every line of its report
    is there with a number, no worker stays after the import, and its work folder is gone. Sizes are not checked."""
    if importlib.util.find_spec("playwright") is None:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    env = {**os.environ, "TMPDIR": str(work), "SCANREADY_OFFLOAD_MB": "0.1"}  # a 0.4 MB file goes to the worker
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "page_memory.py"), "--sessions", "2000"], env=env,
                          capture_output=True, text=True, timeout=900, check=False)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert re.fullmatch(r"2,000 sessions in one file of \d+ MB:", lines[0])
    labels = [re.split(r"\s{2,}", line.strip())[0] for line in lines[1:]]
    assert labels == ["scanready import (CLI)", "the page: verdict after", "the page: imported after",
                      "server's peak RSS", "the upload's worker, peak RSS", "server and worker together, peak",
                      "5 s after the import: server", "first overview", "the same overview again",
                      "server after the overviews"]
    assert "(Imported: 2,000 sessions created.)" in lines[3]
    assert re.search(r"MB, 0 worker\(s\) left$", lines[7])
    worker = float(re.split(r"\s+", lines[5].strip())[-2])
    assert worker > 50  # the upload went through a worker process, which the sampler saw
    assert list(work.iterdir()) == []
