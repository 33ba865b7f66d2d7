"""scanready's exceptions, in one tree.

    ScanreadyError            anything scanready raises on purpose; its message is for a manager
    ├── FileFormatError       a whole file cannot be read (missing, not text); row problems are data, not raised
    └── StoreError            the store cannot be opened, migrated or written

Row-level problems (line, column, value, message) are collected in reports, never raised; a usage error of the
CLI (a path that cannot be read) is the CLI's own subclass.
This module imports nothing of scanready.
"""

from __future__ import annotations


class ScanreadyError(Exception):
    """Base of every error scanready raises on purpose."""


class FileFormatError(ScanreadyError):
    """A whole file cannot be used: unreadable, empty, or not a TAO file we know."""


class StoreError(ScanreadyError):
    """The store cannot be opened, migrated or written."""

