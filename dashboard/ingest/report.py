"""What validating a file produces: problems (line, column, value, message) and the parsed records.

A report is data: the upload page and the CLI show the same one. Imports nothing of scanready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["sessions", "enrolments", "activity", "scans", "scan_pdf"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth knowing) about a file.

    ``line`` is the physical line where the record starts (the header is line 1); ``line`` and
    ``column`` are None for problems of the whole file.
    """

    line: int | None
    column: str | None
    value: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "value": self.value, "message": self.message}


@dataclass(slots=True)
class FileReport:
    """One file's verdict and, when it is valid, its records ready to store."""

    file: str
    sha256: str
    kind: Kind | None = None
    template: str | None = None
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Validated records, column by column (a million links stay a few lists, not a million objects):
    # ``columns[name][i]`` is record ``i``'s value of the model field ``name``; ``lines[i]`` is its start line.
    columns: dict[str, list[Any]] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    # The fields ``columns`` holds, which the store's write and an undo's payload read; for a session file, the
    # model fields whose CSV column is in the header (an update sets these and leaves the others).
    fields: tuple[str, ...] = ()
    # The file's own name of a field's column where it differs (an export's "Login" for user_username), so that a
    # later check names the column the manager sees.
    sources: dict[str, str] = field(default_factory=dict)
    # A session file without a session_timezone column: for each date field, whether each record's value had no
    # offset. Read in UTC here, it is read again in the session's stored zone once the store is known
    # (``services.checks``), as a local time is read in the session's zone.
    local: dict[str, list[bool]] = field(default_factory=dict)
    header_line: int = 1
    # The file's text of values a later check may quote, by (line, field): an activity row's two times when one is
    # local and the other fixed (their order is checked once the local one is read in its session's zone).
    quoted: dict[tuple[int, str], str] = field(default_factory=dict)
    # A scan log's row without a batch_id, by line: the key a stored batch of it may have been given instead (its
    # time read the other way: as UTC where the log gives a local time, or as a local time where it gives an
    # offset), so that the same batch logged either way, or before its key was made so, is found
    # (``store.upsert_scans``).
    alternates: dict[int, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def count(self) -> int:
        """How many validated records the report holds (none when the file has an error)."""
        return len(self.lines)

    def keep(self, rows: list[int]) -> None:
        """Keep only the records at indexes ``rows``, in that order (the valid ones, or those a later check lets
        through): a file with errors keeps its valid records, which the checks across files rely on."""
        self.columns = {name: [column[i] for i in rows] for name, column in self.columns.items()}
        self.local = {name: [flags[i] for i in rows] for name, flags in self.local.items()}
        self.lines = [self.lines[i] for i in rows]

    def drop_failed(self) -> None:
        """Keep the records whose line has no error; none when the whole file or its header has one (a column is
        missing or twice, so no row can be read right)."""
        failed = {problem.line for problem in self.errors}
        if not failed:
            return
        if None in failed or self.header_line in failed:
            self.keep([])
        else:
            self.keep([i for i, line in enumerate(self.lines) if line not in failed])

    def error(self, line: int | None, column: str | None, value: str, message: str) -> None:
        self.errors.append(Problem(line, column, value, message))

    def warn(self, line: int | None, column: str | None, value: str, message: str) -> None:
        self.warnings.append(Problem(line, column, value, message))

    def to_dict(self) -> dict[str, Any]:
        """The file entry of the CLI's ``--json`` contract."""
        return {
            "file": self.file,
            "kind": self.kind,
            "template": self.template,
            "rows": self.rows,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }
