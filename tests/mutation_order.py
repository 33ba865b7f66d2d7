"""A pytest plugin for ``make mutation`` only (``-p tests.mutation_order`` in pyproject's ``[tool.mutmut]``).

mutmut runs the tests that reach a mutated function with ``-x``, in no particular order. Run the fastest first
(the durations of mutmut's own stats run, in ``mutmut-stats.json`` of the mutants/ folder it runs in), so that a
mutant a unit test kills is not first put through the store tests. Where the stats are missing, unit tests still
go before store tests. Ordering only: which tests run, and their verdict, are mutmut's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

STATS = Path("mutmut-stats.json")


def _durations() -> dict[str, float]:
    try:
        durations = json.loads(STATS.read_text())["duration_by_test"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {str(name): float(seconds) for name, seconds in durations.items()}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    durations = _durations()
    items.sort(key=lambda item: (item.nodeid.startswith("tests/store/"), durations.get(item.nodeid, 0.0)))
