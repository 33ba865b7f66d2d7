"""Rules every kind of file shares: header names, row width, control characters, field length.

Pure; imports only the reader and the report.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.ingest.reader import CONTROL, DELIMITERS, Table
from dashboard.ingest.report import FileReport


def map_header(table: Table, report: FileReport, known: Sequence[str], *, ignore_unknown: bool = False
               ) -> dict[str, int]:
    """Column name -> position. Names match ``known`` case-insensitively; a known name twice is an error on the
    header line. Unknown names are warnings (their values are kept aside), or, with ``ignore_unknown`` (TAO's
    exports, with their score and item columns), passed over in silence."""
    canonical = {name.lower(): name for name in known}
    positions: dict[str, int] = {}
    line = table.header_line
    for position, raw in enumerate(table.header):
        name = canonical.get(raw.lower(), raw)
        if ignore_unknown and name not in known:
            continue
        if not raw:
            report.warn(line, None, "", f"Column {position + 1} has no name; its values are ignored.")
            continue
        if name in positions:
            report.error(line, name, raw, f"The column {name} appears twice (columns {positions[name] + 1} "
                         f"and {position + 1}); keep one.")
            continue
        positions[name] = position
        if name not in known:
            report.warn(line, name, raw, f"{name} is not a column of this TAO template; its values are "
                        "kept aside and not used.")
        elif name != raw and not ignore_unknown:
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


NAME_LIMIT = 1_000  # characters of a column's name: TAO's longest is a few dozen


def clean_columns(table: Table, report: FileReport, positions: dict[str, int], *,
                  max_field_length: int) -> dict[str, list[str]]:
    """The named columns' values, trimmed, column by column. A row with too many fields is an error at its
    line, one with too few a warning (the reader padded it); control characters and over-long fields are
    errors at their line and column. Rows are visited one by one only where a whole column says a problem
    is there, so a million clean rows cost a few passes in C over each column."""
    width = len(table.header)
    lines = table.lines
    for position, title in enumerate(table.header):  # a column's name is kept too (an unknown one, with its values)
        if len(title) > NAME_LIMIT:
            report.error(table.header_line, None, title[:80] + "…", f"Column {position + 1}'s name is "
                         f"{len(title):,} characters long; a column's name has at most {NAME_LIMIT:,}.")
        if CONTROL.search(title):
            report.error(table.header_line, None, CONTROL.sub("?", title)[:80], f"Column {position + 1}'s name "
                         "contains a control character (such as a NUL byte): the file looks corrupt.")
    for i, fields in table.ragged.items():
        if len(fields) > width:
            extra = table.delimiter.join(fields[width:])
            report.error(lines[i], None, extra[:200], f"The row has {len(fields)} fields but the header has "
                         f"{width} columns: check for an unquoted {DELIMITERS[table.delimiter]}.")
        else:
            report.warn(lines[i], None, "", f"The row has {len(fields)} fields but the header has {width} "
                        "columns; the missing ones are read as empty.")
    names = {position: name for name, position in positions.items()}
    columns: dict[str, list[str]] = {}
    # The reader's hints spare a pass over every value: no line longer than the limit, no value to trim.
    long = table.longest is None or table.longest > max_field_length
    for position, raw in enumerate(table.columns):
        name = names.get(position)
        if name is None and not table.has_control and not (long and max(map(len, raw)) > max_field_length):
            continue  # an unnamed column is only checked, never kept
        values = list(map(str.strip, raw)) if table.padded else raw
        column = name or f"column {position + 1}"
        if long and max(map(len, values)) > max_field_length:
            for i in [i for i, value in enumerate(values) if len(value) > max_field_length]:
                report.error(lines[i], column, values[i][:80] + "…", f"The value is {len(values[i]):,} characters "
                             f"long; the limit is {max_field_length:,}.")
        if table.has_control:
            for i in [i for i, value in enumerate(values) if CONTROL.search(value)]:
                report.error(lines[i], column, CONTROL.sub("?", values[i])[:80], "The value contains a control "
                             "character (such as a NUL byte): the file looks corrupt.")
        if name is not None:
            columns[name] = values
    return columns

