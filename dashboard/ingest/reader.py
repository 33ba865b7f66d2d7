"""Bytes to a table of strings: encoding, delimiter, quoting, and the physical line of every record.

Whole-file problems raise ``FileFormatError``; everything else is returned as warnings.
Pure: no database, no pandas, no streamlit.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from dashboard.errors import FileFormatError
from dashboard.ingest.report import Problem

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(slots=True)
class Table:
    """A CSV file read as strings. ``lines[i]`` is the physical line where ``rows[i]`` starts."""

    header: list[str]
    header_line: int
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    delimiter: str = ","
    warnings: list[Problem] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, list[Problem]]:
    """Text of ``data``: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 with a warning."""
    if not data.strip():
        raise FileFormatError("The file is empty.")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileFormatError("The file starts like UTF-16 text but cannot be decoded.") from exc
        note = "The file is UTF-16; it was read, but TAO expects UTF-8: save it as 'CSV UTF-8'."
        return text, [Problem(None, None, "", note)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"The file is not text: byte 0x{data[utf8_error.start]:02x} at position {utf8_error.start} "
            "is neither UTF-8 nor Windows-1252."
        ) from exc
    note = (
        "The file is not UTF-8; it was read as Windows-1252. Check accented letters, "
        "and save it as 'CSV UTF-8' for TAO."
    )
    return text, [Problem(None, None, "", note)]


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first non-blank line: the most frequent of comma, semicolon and tab
    outside quotes (comma on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_table(data: bytes, *, max_rows: int) -> Table:
    """Read ``data`` into a table; blank lines are skipped, line numbers stay physical."""
    text, warnings = decode(data)
    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        warnings.append(
            Problem(1, None, DELIMITERS[delimiter], f"The file is separated by {DELIMITERS[delimiter]}s; "
                    "it was read, but TAO's import expects commas.")
        )
    csv.field_size_limit(1 << 30)  # long fields are reported by the row rules, not by the csv module
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: Table | None = None
    previous = 0
    try:
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if not any(value.strip() for value in fields):
                continue
            if table is None:
                table = Table([name.strip() for name in fields], start, delimiter=delimiter, warnings=warnings)
                continue
            if len(table.rows) >= max_rows:
                raise FileFormatError(f"The file has more than {max_rows:,} rows; split it into smaller files.")
            table.rows.append(fields)
            table.lines.append(start)
    except csv.Error as exc:
        raise FileFormatError(f"Line {previous + 1} cannot be read as CSV: {exc}.") from exc
    if table is None:
        raise FileFormatError("The file has only blank lines.")
    if not table.rows:
        raise FileFormatError("The file has a header but no data rows.")
    return table
