"""``Memo``: a column's values turned into others once per distinct value, in one pass.

Pure; imports nothing of scanready (the ingest's rules, the store's bind processing and payloads use it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Memo(dict[Any, Any]):
    """A dict that computes a key's value (``compute(key)``) the first time the key is looked up, and keeps it.

    A column mapped through its ``__getitem__`` (``list(map(memo.__getitem__, column))``) is one pass in C with a
    call per distinct value; making the set of distinct values first took a second pass over the column, about
    4 ms per 100,000 values, and a programme's sessions share few moments, zones and counts."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.compute(key)
        return value
