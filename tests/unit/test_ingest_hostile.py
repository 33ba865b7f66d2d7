"""A named corpus of hostile and odd files: each gets a report (errors or a whole-file error), never a crash."""

from __future__ import annotations

import codecs
import random

import pytest

from dashboard.ingest import parse_file

HEADER = b"session_deliveryId,group_name,session_name,session_paperMode_isEnabled\n"


def _random_bytes() -> bytes:
    return random.Random(7).randbytes(4096)


CORPUS = {
    "random bytes": _random_bytes(),
    "a PDF renamed .csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n%%EOF\n",
    "an unterminated quote": HEADER + b'd1,Class 4A,"History 4A,0\nd2,Class 4B,History 4B,0\n',
    "NUL bytes": HEADER + b"d1,Class\x004A,History 4A,0\n",
    "a 2 MB field": HEADER + b"d1,Class 4A," + b"x" * 2_000_000 + b",0\n",
    "only blank lines": b"\n\n   \n\r\n\t\n",
    "UTF-16 with BOM": codecs.BOM_UTF16_LE + (HEADER + b"d1,Class 4A,History 4A,0\n").decode().encode("utf-16-le"),
    "10,000 columns": b",".join(b"c%d" % i for i in range(10_000)) + b"\n" + b"," * 9_999 + b"\n",
    "a very long line": HEADER + b"d1,Class 4A,History 4A,0" + b",extra" * 200_000 + b"\n",
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_files_get_a_report(name: str) -> None:
    report = parse_file(f"{name}.csv", CORPUS[name])
    assert report.errors or name == "UTF-16 with BOM"
    assert report.count == 0 or report.valid
    for problem in report.errors:
        assert problem.message
        assert len(problem.value) <= 300  # a huge value is shown cut, not whole


@pytest.mark.parametrize(("name", "expected"), [
    ("a PDF renamed .csv", [(None, None)]),
    ("only blank lines", [(None, None)]),
    ("NUL bytes", [(2, "group_name")]),
    ("a 2 MB field", [(2, "session_name")]),
    ("a very long line", [(2, None)]),
])
def test_where_the_hostile_files_fail(name: str, expected: list[tuple[int | None, str | None]]) -> None:
    report = parse_file(f"{name}.csv", CORPUS[name])
    assert [(p.line, p.column) for p in report.errors][: len(expected)] == expected


def test_utf16_with_bom_is_read_with_a_warning() -> None:
    report = parse_file("utf16.csv", CORPUS["UTF-16 with BOM"])
    assert report.valid
    assert report.kind == "sessions"
    assert any("UTF-16" in w.message for w in report.warnings)
