"""CSV exports that a spreadsheet opens safely: formula-like cells are neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` unless
it is a number, so a session named ``=HYPERLINK(...)`` stays text in Excel. Imports pandas only, and only
in ``safe_csv``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV bytes with every text cell neutralised (headers too)."""
    import pandas as pd  # here: the CLI's readiness CSV and JSON never load pandas (safe_table needs none)

    safe = frame.rename(columns=lambda name: neutralise(str(name)))
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    return safe.to_csv(index=False).encode("utf-8")


def safe_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """Rows of text (already in the form the reader should see) as UTF-8 CSV bytes, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(name) for name in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8")
