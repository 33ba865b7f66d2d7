"""Whatever a manager drops on the page, the ingest core answers with a report, never a traceback.

Two properties over generated input: arbitrary bytes, and CSV-shaped text whose header mixes the
columns of every kind of file and whose cells mix noise with values at the edges of each rule.
"""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert not (report.errors and report.records)  # a file with an error stores nothing
    assert len(report.lines) == len(report.records)
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
