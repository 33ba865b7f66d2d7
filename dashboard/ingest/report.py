"""What validating a file produces: problems (line, column, value, message) and the parsed records.

A report is data: the upload page and the CLI show the same one. Imports nothing of scanready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["sessions", "enrolments", "activity"]


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
    # Validated records: dicts keyed by model field (sessions, activity) or tuples in ``fields`` order
    # (enrolment links, a million of which must stay light); ``lines[i]`` is the start line of ``records[i]``.
    records: list[Any] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    # Model fields whose CSV column is in the header: an update sets these and leaves the others.
    fields: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors

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
