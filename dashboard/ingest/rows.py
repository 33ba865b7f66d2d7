"""Rules every kind of file shares: header names, row width, control characters, field length.

Pure; imports only the reader and the report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dashboard.ingest.reader import Table
from dashboard.ingest.report import FileReport

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def map_header(table: Table, report: FileReport, known: Sequence[str]) -> dict[str, int]:
    """Column name -> position. Names match TAO's case-insensitively; a name twice is an error on
    the header line; unknown names are warnings (their values are kept aside)."""
    canonical = {name.lower(): name for name in known}
    positions: dict[str, int] = {}
    line = table.header_line
    for position, raw in enumerate(table.header):
        if not raw:
            report.warn(line, None, "", f"Column {position + 1} has no name; its values are ignored.")
            continue
        name = canonical.get(raw.lower(), raw)
        if name in positions:
            report.error(line, name, raw, f"The column {name} appears twice (columns {positions[name] + 1} "
                         f"and {position + 1}); keep one.")
            continue
        positions[name] = position
        if name not in known:
            report.warn(line, name, raw, f"{name} is not a column of this TAO template; its values are "
                        "kept aside and not used.")
        elif name != raw:
            report.warn(line, name, raw, f"The column is written {raw}; TAO expects {name}.")
    return positions


def require_columns(table: Table, report: FileReport, positions: dict[str, int],
                    required: Sequence[str | tuple[str, ...]]) -> None:
    """An error on the header line for each required column (or group of alternatives) not present."""
    for need in required:
        options = (need,) if isinstance(need, str) else need
        if not any(name in positions for name in options):
            report.error(table.header_line, options[0], "",
                         f"The column {' or '.join(options)} is missing from the header; it is required.")


def clean_rows(table: Table, report: FileReport, positions: dict[str, int], *,
               max_field_length: int) -> list[list[str]]:
    """Rows trimmed and padded to the header's width; too many fields, control characters and
    over-long fields are errors at their line (and column)."""
    width = len(table.header)
    names = {position: name for name, position in positions.items()}
    cleaned: list[list[str]] = []
    for line, fields in zip(table.lines, table.rows, strict=True):
        if len(fields) > width:
            extra = table.delimiter.join(fields[width:])
            report.error(line, None, extra[:200], f"The row has {len(fields)} fields but the header has "
                         f"{width} columns: check for an unquoted {_delimiter_word(table.delimiter)}.")
        elif len(fields) < width:
            report.warn(line, None, "", f"The row has {len(fields)} fields but the header has {width} "
                        "columns; the missing ones are read as empty.")
        row = [value.strip() for value in fields[:width]]
        row.extend([""] * (width - len(row)))
        for position, value in enumerate(row):
            column = names.get(position) or f"column {position + 1}"
            if len(value) > max_field_length:
                report.error(line, column, value[:80] + "…", f"The value is {len(value):,} characters long; "
                             f"the limit is {max_field_length:,}.")
                row[position] = ""
            elif _CONTROL.search(value):
                report.error(line, column, _CONTROL.sub("?", value)[:80], "The value contains a control "
                             "character (such as a NUL byte): the file looks corrupt.")
        cleaned.append(row)
    return cleaned


def _delimiter_word(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]
