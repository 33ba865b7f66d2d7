"""Stores and servers for ``bench/browser.py``: programmes imported with the real CLI, ``streamlit run`` on a free
port over one of them, and the server's peak resident size.

The one place a process is started and waited for until it answers (``running``): the browser journeys in
``tests/e2e`` start their dashboards and their OIDC provider with it too (pytest puts ``bench/`` on the path)."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NoReturn

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


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _exit(message: str) -> NoReturn:
    sys.stderr.write(f"{message}\n")
    raise SystemExit(1)


@contextmanager
def running(command: Sequence[str], *, ready_url: str, log: Path, env: Mapping[str, str], cwd: Path = ROOT,
            fail: Callable[[str], NoReturn] = _exit) -> Iterator[int]:
    """Run ``command`` (its output in ``log``) until the block ends, yielding its pid once ``ready_url`` answers;
    ``fail`` gets the reason and the log when it exits or does not answer within ``START_TIMEOUT``."""
    with log.open("wb") as out:
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(ready_url):
            if process.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {process.returncode}" if process.poll() is not None else "did not answer"
                fail(f"{state} within {START_TIMEOUT:.0f} s: {' '.join(command)}\n"
                     f"--- log ---\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield process.pid
    finally:
        process.kill()
        process.wait(timeout=10)


def streamlit_command(script: str | Path, port: int) -> list[str]:
    """``streamlit run script`` on 127.0.0.1:``port``, headless, never reloading (others edit the sources
    meanwhile)."""
    return [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
            "--server.headless", "true", "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]


@contextmanager
def serve(script: str | Path, url: str, log: Path, *, cwd: Path = ROOT,
          fail: Callable[[str], NoReturn] = _exit) -> Iterator[Server]:
    """``streamlit run script`` on a free port over the store at ``url``, until the block ends."""
    port = free_port()
    env = {**os.environ, "SCANREADY_DATABASE_URL": url, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    base = f"http://127.0.0.1:{port}"
    with running(streamlit_command(script, port), ready_url=f"{base}/_stcore/health", log=log, env=env, cwd=cwd,
                 fail=fail) as pid:
        yield Server(base, pid, log)


def reset_peak(pid: int) -> None:
    """Start the process's peak resident size (VmHWM) afresh, so each round reads its own peak."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_mb(pid: int) -> float:
    """The process's peak resident size since the last ``reset_peak``, in MB (Streamlit serves from one process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")
