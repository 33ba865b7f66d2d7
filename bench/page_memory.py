"""Memory of a large import through the page, against the CLI on the same file, and the first overview after it.

    python bench/page_memory.py [--sessions 700000] [--keep]                      (or: make bench-memory)

Generates ``bench/run.py``'s programme of --sessions paper sessions (one session file, about 205 bytes a
session), then:

1. imports it with ``scanready import`` into a store of its own and reads that process's peak resident size
   (``wait4``'s ``ru_maxrss``);
2. serves ``streamlit run dashboard/app.py`` on another empty store and, in Debian's Chromium, drops the same file
   on the import page, waits for the verdict, clicks Import and waits for the page to say what it imported, while
   sampling every 0.2 s the resident size of the server and of every process under it (the upload's worker);
3. waits 5 s, reads what the server then holds and which processes remain under it;
4. opens the overview of the new programme twice (the first builds the board, the second finds it cached) and
   reads the server's resident size after each.

Prints the peaks, their ratio to the CLI's (the issue's target: the server within 1.5x of the CLI's peak), what
stays afterwards and the overview's two loads (in the page's clock). Times on a shared 2-core machine are noisy;
memory much less so. With --keep, the work folder keeps the stores, the file and the server's log.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from run import generate
from serving import CLI, ROOT, Store, reset_peak, serve

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # the dev extra is not installed: main() says so
    sync_playwright = None  # type: ignore[assignment]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IDLE = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
LOADED = """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") !== null
    && document.querySelectorAll("[data-testid='stMetricValue']").length >= 4
    && document.querySelectorAll("[data-testid='stDataFrame']").length >= 1 && performance.now()"""
AS_OF = "2027-03-20T12:00Z"  # the generated programme runs from 1 Mar 2027
TIMEOUT = 1_800_000  # ms: a step on hundreds of thousands of sessions on 2 busy cores
SAMPLE = 0.2  # seconds between two readings of /proc


def rss_mb(pid: int, field_name: str = "VmRSS") -> float | None:
    """The process's resident size (or its peak, ``VmHWM``) in MB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (its children, theirs, and so on)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


class Sampler(threading.Thread):
    """Reads the server's and its descendants' resident sizes until stopped: the peak of each and of their sum."""

    def __init__(self, server: int) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.peaks: dict[int, float] = {}  # pid -> peak RSS seen (the server's included)
        self.together = 0.0  # the largest sum of the server and its descendants at one reading
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = 0.0
            for pid in [self.server, *descendants(self.server)]:
                size = rss_mb(pid)
                if size is not None:
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), size)
                    total += size
            self.together = max(self.together, total)
            time.sleep(SAMPLE)

    def stop(self) -> None:
        self.done.set()
        self.join()


def cli_peak(path: Path, url: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of ``scanready import path --db url``."""
    subprocess.run([CLI, "migrate", "--db", url], check=True, capture_output=True)
    start = time.perf_counter()
    process = subprocess.Popen([CLI, "import", str(path), "--db", url], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if (code := os.waitstatus_to_exitcode(status)) != 0:
        raise SystemExit(f"scanready import exited with {code}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def overview_seconds(page: Page, url: str) -> float:
    """Seconds from the navigation's start until the overview is idle with its counts and table (page's clock)."""
    page.goto(f"{url}/?as_of={AS_OF}&zone=UTC")
    done = page.wait_for_function(LOADED, timeout=TIMEOUT, polling=200)
    return float(done.json_value()) / 1000


@dataclass
class PageRun:
    verdict_s: float
    import_s: float
    server_peak: float
    worker_peak: float
    together: float
    server_after: float
    left_after: int
    overview_first_s: float
    overview_warm_s: float
    server_after_overview: float
    message: str


def page_import(path: Path, store: Store, folder: Path) -> PageRun:
    """Drop ``path`` on the import page of a server over ``store``, import it, then open the overview twice."""
    with serve("dashboard/app.py", store.url, folder / "server.log") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{server.url}/import")
        page.wait_for_selector("input[type='file']", state="attached")
        page.wait_for_selector(IDLE)
        reset_peak(server.pid)
        sampler = Sampler(server.pid)
        sampler.start()
        start = time.perf_counter()
        page.locator("input[type='file']").set_input_files(str(path))
        page.get_by_text("All 1 file(s) are valid.").wait_for()
        verdict = time.perf_counter() - start
        page.wait_for_selector(IDLE)
        start = time.perf_counter()
        page.get_by_role("button", name="Import", exact=True).click()
        shown = page.get_by_text("Imported: ").first
        shown.wait_for()
        imported = time.perf_counter() - start
        message = shown.inner_text()
        time.sleep(5)
        sampler.stop()
        server_peak = max(sampler.peaks.get(server.pid, 0.0), rss_mb(server.pid, "VmHWM") or 0.0)
        workers = [size for pid, size in sampler.peaks.items() if pid != server.pid]
        after = rss_mb(server.pid) or 0.0
        left = [pid for pid in descendants(server.pid) if (rss_mb(pid) or 0.0) > 50]  # not the resource tracker
        first = overview_seconds(page, server.url)
        warm = overview_seconds(page, server.url)
        after_overview = rss_mb(server.pid) or 0.0
        browser.close()
    return PageRun(verdict, imported, server_peak, max(workers, default=0.0), sampler.together, after, len(left),
                   first, warm, after_overview, message)


def report(sessions: int, size_mb: float, cli: tuple[float, float], run: PageRun) -> str:
    cli_s, cli_mb = cli
    lines = [
        f"{sessions:,} sessions in one file of {size_mb:.0f} MB:",
        f"  scanready import (CLI)            {cli_s:7.1f} s   peak RSS {cli_mb:7.0f} MB",
        f"  the page: verdict after           {run.verdict_s:7.1f} s",
        f"  the page: imported after          {run.import_s:7.1f} s   ({run.message.strip()})",
        f"  server's peak RSS                 {run.server_peak:7.0f} MB   {run.server_peak / cli_mb:.2f}x the CLI's",
        f"  the upload's worker, peak RSS     {run.worker_peak:7.0f} MB",
        f"  server and worker together, peak  {run.together:7.0f} MB   {run.together / cli_mb:.2f}x the CLI's",
        f"  5 s after the import: server      {run.server_after:7.0f} MB, {run.left_after} worker(s) left",
        f"  first overview                    {run.overview_first_s:7.1f} s   (page's clock)",
        f"  the same overview again           {run.overview_warm_s:7.1f} s",
        f"  server after the overviews        {run.server_after_overview:7.0f} MB",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=700_000)
    parser.add_argument("--keep", action="store_true", help="keep the work folder and say where it is")
    args = parser.parse_args()
    if sync_playwright is None:
        sys.stderr.write("playwright is not installed: pip install -e '.[dev]'\n")
        return 2
    if not Path(CHROMIUM).exists():
        sys.stderr.write(f"{CHROMIUM} is missing (apt-get install chromium)\n")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="scanready-memory-"))
    try:
        sessions, _ = generate(folder, args.sessions, 0)
        cli = cli_peak(sessions, f"sqlite:///{folder / 'cli.db'}")
        page_url = f"sqlite:///{folder / 'page.db'}"
        subprocess.run([CLI, "migrate", "--db", page_url], check=True, capture_output=True)
        run = page_import(sessions, Store("page", "an empty store", page_url, ""), folder)
        print(report(args.sessions, sessions.stat().st_size / 1e6, cli, run))
    finally:
        if args.keep:
            print(f"\nwork folder kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
