"""Whatever a manager drops on the page, the ingest core answers with a report, never a traceback.

Two properties over generated input: arbitrary bytes, and CSV-shaped text whose header mixes the
columns of every kind of file and whose cells mix noise with values at the edges of each rule.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys

from hypothesis import given, settings, strategies as st

from dashboard.ingest import FileReport, parse_file
from dashboard.ingest.activity import COLUMNS as ACTIVITY
from dashboard.ingest.enrolments import NEW as LINKS
from dashboard.ingest.sessions import FIELDS

COLUMNS = sorted({*FIELDS, *LINKS, *ACTIVITY, "notes", "", "Session_Name"})
EDGES = [
    "", " ", "0", "1", "-1", "1.0", "2.5", "true", "FALSE", "yes", "1" * 400 + ".0", "9" * 5000,
    "2027-03-16T08:00:00Z", "2024-1-31T12:00:00Z", "2027-03-16T08:00:00", "2027-03-16T09:00:00.123+01:00",
    "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59",
    "2027-02-30T08:00:00Z", "16/03/2027 08:00", "1805184300", "99999999999", "999999999.5",
    "Europe/Paris", "Paris", "TEST_TAKER", "proctor", "Not started", "In progress", "finished",
    "a,b", 'quote"inside', "line\nbreak", "nul\x00byte", "é", "\ufeff",
]
SETTINGS = settings(max_examples=200, deadline=None, database=None)


def check(report: FileReport, text: str | None = None) -> None:
    """What every report must be, whatever the input."""
    assert isinstance(report, FileReport)
    # A file with an error keeps only the records of lines without one (for the checks across files; an import
    # stores nothing of it), and none at all when the whole file or its header is wrong.
    failed = {problem.line for problem in report.errors}
    assert not failed & set(report.lines)
    assert not ({None, report.header_line} & failed and report.lines)
    assert all(len(column) == len(report.lines) for column in report.columns.values())
    json.dumps(report.to_dict())  # the CLI can always print it
    for problem in report.errors + report.warnings:
        assert problem.line is None or problem.line >= 1
        if problem.line is None:
            assert problem.column is None or problem.column == "started_at"
        if text is not None and problem.line is not None:
            assert problem.line <= len(re.findall(r"\r\n|\r|\n", text)) + 1  # CR alone ends a line too


@SETTINGS
@given(st.binary(max_size=2_000))
def test_any_bytes_give_a_report(data: bytes) -> None:
    check(parse_file("any.bin", data))


cells = st.one_of(st.sampled_from(EDGES), st.text(alphabet=st.characters(codec="utf-8"), max_size=12))


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=12))
    width = len(header)
    rows = draw(st.lists(st.lists(cells, min_size=max(0, width - 2), max_size=width + 2), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text, text.encode(encoding, errors="replace")


@SETTINGS
@given(csv_files(), st.sampled_from([10_000, 8]))
def test_any_csv_shaped_text_gives_a_report(file: tuple[str, bytes], limit: int) -> None:
    text, data = file
    check(parse_file("any.csv", data, max_field_length=limit), text)


unquoted = st.text(alphabet=st.sampled_from(list("ab ,;\t\r\n\x00é\xa0\u3000")), max_size=60)


@st.composite
def regular_text(draw: st.DrawFn) -> str:
    """Text in the usual shape: every line as wide as the header, the cells free of quotes and line ends."""
    width = draw(st.integers(1, 4))
    cell = st.text(alphabet=st.sampled_from(list("ab \x00é;\t\x1f\xa0\u2028")), max_size=4)
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=5))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(",".join(row) for row in rows) + draw(st.sampled_from(["", newline]))


@SETTINGS
@given(st.one_of(unquoted, regular_text()), st.sampled_from([",", ";", "\t"]))
def test_the_fast_reader_reads_as_the_csv_module_does(text: str, delimiter: str) -> None:
    """Where the str-method reader takes a file, its table is the one the csv module's reader makes, its values
    trimmed (it trims as it reads; the row rules trim the csv module's, which says they may need it)."""
    from dashboard.errors import FileFormatError
    from dashboard.ingest.reader import _plain_table, _quoted_table

    fast = _plain_table(text, delimiter)
    if fast is None:
        return
    try:
        slow = _quoted_table(text, delimiter)
    except FileFormatError:  # pragma: no cover - the fast reader must not accept what the csv module refuses
        raise AssertionError(f"the fast reader took a file the csv module refuses: {text!r}") from None
    trimmed = [[value.strip() for value in column] for column in slow.columns]
    assert (fast.header, fast.header_line, fast.columns, fast.lines, fast.ragged) == \
           (slow.header, slow.header_line, trimmed, slow.lines, slow.ragged)
    # Its hints hold: no field longer than ``longest``; when not ``padded``, no field to trim.
    fields = [value for column in fast.columns for value in column]
    assert fast.longest is not None and fast.longest >= max(map(len, fields))
    assert fast.padded or all(value == value.strip() for value in fields)


def test_whitespace_is_every_character_strip_removes() -> None:
    from dashboard.ingest.reader import WHITESPACE

    assert set(WHITESPACE) == {char for char in map(chr, range(sys.maxunicode + 1)) if char.isspace()}


def test_the_fast_reader_takes_the_usual_file_and_leaves_the_others() -> None:
    from dashboard.ingest.reader import _plain_table

    usual = _plain_table("a,b\r\n1,2\r\n3,4\r\n", ",")
    assert usual is not None and usual.columns == [["1", "3"], ["2", "4"]] and usual.lines == [2, 3]
    assert (usual.longest, usual.padded) == (3, False)
    spaced = _plain_table("a,b\n1,\u3000two \n", ",")  # trimmed as read, of any whitespace strip() knows
    assert spaced is not None and spaced.columns == [["1"], ["two"]] and not spaced.padded
    for other in ('a,b\n"1",2\n', "a,b\n\n1,2\n", "a,b\n1,2,3\n", "a,b\r1,2\r", "a,b\n", "a,b\n1,2\n\n",
                  "a,b\r\n1\r,2\r\n"):
        assert _plain_table(other, ",") is None, other


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab,\n\r\t\x00\x01\x1f\x7f\x80éü€")), max_size=30),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_control_characters_are_found_in_the_bytes_as_in_the_text(text: str, encoding: str) -> None:
    from dashboard.errors import FileFormatError
    from dashboard.ingest.reader import CONTROL, _has_control, decode

    data = text.encode(encoding, errors="replace")
    try:
        decoded, _ = decode(data)
    except FileFormatError:  # an empty file: nothing to scan
        return
    assert _has_control(data, decoded) == (CONTROL.search(decoded) is not None)
