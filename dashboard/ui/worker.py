"""The worker process of the import page: a large upload is validated and imported there (``services.offload``),
with a progress bar fed from the worker's progress file, while the server goes on serving every other manager.

Each task gets a process of its own, started for it and gone when it ends, so a big file's memory goes with it and
no idle worker holds memory between uploads; at most two run at once per server (a third upload waits its turn).
"""

from __future__ import annotations

import multiprocessing
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from dashboard.services import offload
from dashboard.ui.data import settings

T = TypeVar("T")
_POLL = 0.2  # seconds between two looks at the worker's progress


@st.cache_resource(show_spinner=False)
def _turns() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(2)  # workers at once, per server


def large(files: Sequence[tuple[str, bytes]]) -> bool:
    """Whether ``files`` are worth a worker (``Settings.offload_mb``, all files together)."""
    return sum(len(data) for _, data in files) > settings().offload_mb * 1_000_000


def run(task: Callable[..., T], files: Sequence[tuple[str, bytes]], *args: Any, doing: str) -> T:
    """``task(url, paths, *args, progress_path)`` in a worker, over ``files`` written to a folder of their own, with
    a progress bar; its result (or its error, such as a store kept busy) comes back here."""
    bar = st.progress(0.0, text=f"{doing}…")
    with tempfile.TemporaryDirectory(prefix="scanready-upload-") as folder:
        paths = []
        for number, (name, data) in enumerate(files):
            path = Path(folder) / f"{number:04d}.upload"
            path.write_bytes(data)
            paths.append((name, str(path)))
        progress = str(Path(folder) / "progress")
        # Spawned, not forked: the server runs threads (forking one copies its locks).
        with _turns(), ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            future = pool.submit(task, settings().database_url, paths, *args, progress)
            while not future.done():
                time.sleep(_POLL)
                if (seen := offload.read_progress(progress)) is not None:
                    bar.progress(min(seen[0], 1.0), text=f"{seen[1]}…")
            result = future.result()
    bar.empty()
    return result
