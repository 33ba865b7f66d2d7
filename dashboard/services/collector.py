"""Bulk steps pause Python's cyclic garbage collector (imports, the readiness board)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk step. Its passes visit every item of every live
    list, so with a file's columns (millions of values) in memory each pass costs more than the work between
    passes; the step's objects form no cycles, and reference counting still frees them. Another thread's
    step may overlap: the collector runs again once the first step that paused it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
