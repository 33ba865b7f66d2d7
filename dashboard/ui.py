"""Streamlit glue shared by the pages: the cached engine, cached reads, tables of problems.

With ``app.py`` the only module that imports streamlit. Pages call these and the services; nothing here
holds business rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard import store
from dashboard.config import Settings, load_settings
from dashboard.db import make_engine, migrate, session_scope
from dashboard.ingest import FileReport


def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner="Opening the store…")
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def engine() -> Engine:
    """The store's engine (migrated once per URL and process)."""
    return _engine_for(settings().database_url)


@contextmanager
def database() -> Iterator[Session]:
    """A unit of work on the store: committed at the end of the block, rolled back on error."""
    with session_scope(engine()) as db:
        yield db


def data_version() -> int:
    """Bumped by every import; cached reads take it as an argument so an import invalidates them."""
    with Session(engine()) as db:
        return store.data_version(db=db)


def summary_frame(reports: Sequence[FileReport]) -> pd.DataFrame:
    """One row per file: kind, template, rows, errors, warnings."""
    return pd.DataFrame(
        [{"file": r.file, "kind": r.kind or "unknown", "template": r.template or "", "rows": r.rows,
          "errors": len(r.errors), "warnings": len(r.warnings)} for r in reports],
        columns=["file", "kind", "template", "rows", "errors", "warnings"],
    )


def problems_frame(reports: Sequence[FileReport], *, errors_only: bool = False) -> pd.DataFrame:
    """Every problem of every file, errors first, with file, line, column, value and message."""
    rows = [{"severity": severity, "file": r.file, "line": p.line, "column": p.column or "", "value": p.value,
             "message": p.message}
            for r in reports
            for severity, problems in (("error", r.errors), ("warning", [] if errors_only else r.warnings))
            for p in problems]
    frame = pd.DataFrame(rows, columns=["severity", "file", "line", "column", "value", "message"])
    return frame.astype({"line": "Int64"})


def preview_frame(report: FileReport, limit: int = 100) -> pd.DataFrame:
    """The first parsed records of a valid file."""
    return pd.DataFrame(report.records[:limit])


def history_frame(imports: Sequence[dict[str, object]]) -> pd.DataFrame:
    """The import history: when, which files (with a short SHA-256), and the counts."""
    rows = []
    for record in imports:
        files = record["files"]
        assert isinstance(files, list)
        rows.append({"imported at (UTC)": record["imported_at"],
                     "files": ", ".join(f"{name} ({kind}, {rows:,} rows, sha256 {sha[:12]})"
                                        for name, sha, kind, rows in files),
                     "created": record["created"], "updated": record["updated"], "unchanged": record["unchanged"]})
    return pd.DataFrame(rows)
