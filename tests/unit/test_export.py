"""CSV exports neutralise spreadsheet formulas: a cell starting with =, +, -, @, tab or CR gets a leading quote,
unless it is a number."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard.export import neutralise, safe_csv


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("-5", "-5"),
    ("+1.5", "+1.5"),
    ("-1e3", "-1e3"),
    ("History 4A", "History 4A"),
    ("", ""),
    (12, 12),
    (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_safe_csv_neutralises_cells_and_headers_but_not_numbers():
    frame = pd.DataFrame({"=name": ["=1+1", "ok"], "sheets": [-3, 4]})
    text = safe_csv(frame).decode()
    back = pd.read_csv(io.StringIO(text), dtype=str)
    assert list(back.columns) == ["'=name", "sheets"]
    assert list(back["'=name"]) == ["'=1+1", "ok"]
    assert list(back["sheets"]) == ["-3", "4"]
