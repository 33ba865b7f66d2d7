"""Bytes to a table of strings: encoding, delimiter, quoting, and the physical line of every record.

Whole-file problems raise ``FileFormatError``; everything else is returned as warnings.
Pure: no database, no pandas, no streamlit.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

from dashboard.errors import FileFormatError
from dashboard.ingest.report import Problem

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# Control characters other than tab, CR and LF, and the C1 controls (U+0080 to U+009F, a terminal's CSI among them):
# a field holding one comes from a corrupt file.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UTF8_C1 = re.compile(rb"\xc2[\x80-\x9f]")  # a C1 control in UTF-8 (in Windows-1252, 0x80 to 0x9f are letters)
# Long fields are reported by the row rules, not refused by the csv module: its field limit is raised once, here
# (a process-wide setting; nothing else in scanready reads CSV with the csv module's default limit in mind).
csv.field_size_limit(1 << 30)
# Every byte but the C0 controls and DEL, which keep their code in UTF-8 and Windows-1252.
_NOT_CONTROL = bytes(byte for byte in range(256) if not _C0.match(chr(byte)))
# Every character str.strip() removes (str.isspace), listed rather than found among 1.1M code points at start-up.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


@dataclass(slots=True)
class Table:
    """A CSV file read as strings, column by column: ``columns[p][i]`` is the value at header position ``p``
    of data row ``i``, and ``lines[i]`` the physical line where that row starts. A row with more or fewer
    fields than the header is cut or padded with empty values; its fields as read are in ``ragged[i]``."""

    header: list[str]
    header_line: int
    columns: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    ragged: dict[int, list[str]] = field(default_factory=dict)
    delimiter: str = ","
    warnings: list[Problem] = field(default_factory=list)
    # Whether the text holds a control character anywhere: when not, no field needs checking for one.
    has_control: bool = True
    # What the reader learnt on the way, so the row rules can skip a pass over every value: an upper bound
    # of any field's length (None: unknown), and whether a field may still need trimming (the plain reader
    # trims the values itself, as it reads them).
    longest: int | None = None
    padded: bool = True

    @property
    def count(self) -> int:
        """How many data rows the table has."""
        return len(self.lines)


# How workbooks saved under a .csv name begin: a ZIP archive (.xlsx, .ods) or an OLE2 compound file (.xls).
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def decode(data: bytes) -> tuple[str, list[Problem]]:
    """Text of ``data``: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 with a warning; a workbook
    saved under a .csv name is refused as such."""
    if not data or data.isspace():  # isspace stops at the first other byte: no copy of a big file
        raise FileFormatError("The file is empty.")
    if data.startswith(WORKBOOK_SIGNATURES):
        raise FileFormatError("The file is a spreadsheet workbook (such as Excel's .xlsx or .xls), not CSV: open "
                              "it in the spreadsheet and save it as 'CSV UTF-8 (Comma delimited)'.")
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
    first = _first_line(text)
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    """The first non-blank line of ``text``, found in a growing head of it rather than by splitting it all."""
    size = 1 << 16
    while True:
        head = text[:size]
        lines = head.splitlines()
        whole = len(head) == len(text)
        first = next((line for line in (lines if whole else lines[:-1]) if line.strip()), None)
        if first is not None or whole:
            return first or ""
        size *= 4


def read_table(data: bytes, *, max_rows: int) -> Table:
    """Read ``data`` into a table; blank lines are skipped, line numbers stay physical."""
    text, warnings = decode(data)
    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        warnings.append(
            Problem(1, None, DELIMITERS[delimiter], f"The file is separated by {DELIMITERS[delimiter]}s; "
                    "it was read, but TAO's import expects commas.")
        )
    table = _plain_table(text, delimiter) or _quoted_table(text, delimiter)
    table.warnings, table.has_control = warnings, _has_control(data, text)
    if table.count > max_rows:
        raise FileFormatError(f"The file has more than {max_rows:,} rows; split it into smaller files.")
    if not table.count:
        raise FileFormatError("The file has a header but no data rows.")
    return table


def _has_control(data: bytes, text: str) -> bool:
    """Whether the file holds a control character: a scan of the bytes in C, or of the text when UTF-16."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return CONTROL.search(text) is not None
    return bool(data.translate(None, _NOT_CONTROL)) or (b"\xc2" in data and _UTF8_C1.search(data) is not None)


def _plain_table(text: str, delimiter: str) -> Table | None:
    """The table of a file in the shape most files have (no quote, no blank line, every line as wide as the
    header), split by ``str`` methods alone, which is several times faster than the csv module; None when
    the file is in any other shape (the csv module then reads it)."""
    if '"' in text:
        return None
    if "\r" not in text:
        lines = text.split("\n")
    else:  # Windows line ends, each CR with its LF; other mixes (old Mac line ends) are the csv module's to read
        lines = text.split("\r\n")
        if not text.count("\r") == text.count("\n") == len(lines) - 1:
            return None
    if not lines[-1]:
        lines.pop()  # the line end of the last line, not a line of its own
    # A blank line somewhere (whitespace and delimiters only): looked for at each line's ends, not in the whole text.
    if len(lines) < 2 or "" in map(str.strip, lines, repeat(WHITESPACE + delimiter)):
        return None
    header = lines[0].split(delimiter)
    if set(map(str.count, lines, repeat(delimiter))) != {len(header) - 1}:
        return None
    longest = max(map(len, lines))
    width = len(header)
    values = delimiter.join(lines[1:]).split(delimiter)  # row after row: each line is one row of ``width`` values
    del lines
    # A value may need trimming when the text holds whitespace other than the line ends and delimiter (each
    # character found by one scan in C, none at all for one wider than the text's widest). The values are then
    # trimmed here, in the order they were read: the same work over each column's scattered values took 2.5x as
    # long (100,000 sessions: 0.026 s against 0.068 s).
    if any(space in text for space in WHITESPACE if space not in ("\r", "\n", delimiter)):
        values = list(map(str.strip, values))
    columns = [values[position::width] for position in range(width)]
    del values
    return Table([name.strip() for name in header], 1, columns, list(range(2, len(columns[0]) + 2)),
                 delimiter=delimiter, longest=longest, padded=False)


def _quoted_table(text: str, delimiter: str) -> Table:
    """The table of any other file, read by the csv module (quoted fields, blank lines, ragged rows)."""
    records, starts = _records(text, delimiter)
    kept = [i for i, fields in enumerate(records) if fields and "".join(fields).strip()]
    if not kept:
        raise FileFormatError("The file has only blank lines.")
    header = records[kept[0]]
    width = len(header)
    rows = [records[i] for i in kept[1:]]
    ragged: dict[int, list[str]] = {}
    for i in [i for i, fields in enumerate(rows) if len(fields) != width]:
        ragged[i] = rows[i]
        rows[i] = rows[i][:width] + [""] * (width - len(rows[i]))
    columns = [list(map(itemgetter(position), rows)) for position in range(width)]
    return Table([name.strip() for name in header], starts(kept[0]), columns, [starts(i) for i in kept[1:]],
                 ragged, delimiter=delimiter)


def _records(text: str, delimiter: str) -> tuple[list[list[str]], Callable[[int], int]]:
    """Every record of ``text`` and a function from a record's index to the physical line it starts on.

    The whole file is parsed by the csv module in one call; only when a quoted field spans several lines
    (records and lines then differ in number) is it parsed again, record by record, to follow the lines.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FileFormatError(f"Line {reader.line_num} cannot be read as CSV: {exc}.") from exc
    if reader.line_num == len(records):
        return records, lambda index: index + 1
    starts: list[int] = []
    again = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    for _ in again:
        starts.append(previous + 1)
        previous = again.line_num
    return records, starts.__getitem__
