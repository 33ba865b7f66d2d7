"""Stores and servers for ``bench/browser.py``: programmes imported with the real CLI, ``streamlit run`` on a free
port over one of them, and the server's peak resident size."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from run import generate  # bench/run.py, beside this file: the same programme as `make bench`

from dashboard.services import example_programme

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("scanready"))
START_TIMEOUT = 60.0  # seconds for a server to answer its health check


@dataclass(frozen=True, slots=True)
class Store:
    name: str
    description: str
    url: str
    session: str  # the session whose page is opened directly


def example_store(folder: Path, anchor: datetime) -> Store:
    """The example programme around ``anchor``, imported with the CLI."""
    folder.mkdir()
    paths = []
    for name, data in example_programme(anchor):
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    url = f"sqlite:///{folder / 'store.db'}"
    _import(url, paths)
    return Store("example", "example programme", url, _first_paper_session(paths[0]))


def generated_store(folder: Path, sessions: int, links: int) -> Store:
    """``bench/run.py``'s programme of ``sessions`` sessions and ``links`` links, imported with the CLI."""
    folder.mkdir()
    session_file, link_file = generate(folder, sessions, links)
    url = f"sqlite:///{folder / 'store.db'}"
    _import(url, [session_file])
    _import(url, [link_file])  # as `make bench` does: links after the groups their sessions created
    return Store("generated", f"{sessions:,} sessions, {links:,} links", url, _first_paper_session(session_file))


def _import(url: str, paths: Sequence[Path]) -> None:
    done = subprocess.run([CLI, "import", *map(str, paths), "--db", url], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"scanready import failed:\n{done.stdout}{done.stderr}")


def _first_paper_session(path: Path) -> str:
    with path.open(newline="", encoding="utf-8") as rows:
        return next(row["session_name"] for row in csv.DictReader(rows)
                    if row["session_paperMode_isEnabled"] in ("1", "true"))


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    pid: int
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def serve(script: str, store: Store, log: Path) -> Iterator[Server]:
    """``streamlit run script`` on a free port over ``store``; exits with its log when it does not start."""
    port = _free_port()
    env = {**os.environ, "SCANREADY_DATABASE_URL": store.url, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none"]  # others edit the sources meanwhile: never reload
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process.pid, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(server.url):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.stderr.write(f"{' '.join(command)} did not start\n--- server log ---\n{log.read_text()}\n")
                raise SystemExit(1)
            time.sleep(0.1)
        yield server
    finally:
        process.kill()
        process.wait(timeout=10)


def reset_peak(pid: int) -> None:
    """Start the process's peak resident size (VmHWM) afresh, so each round reads its own peak."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_mb(pid: int) -> float:
    """The process's peak resident size since the last ``reset_peak``, in MB (Streamlit serves from one process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")
