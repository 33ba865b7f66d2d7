"""Validating and importing a large upload in a worker process, so that the dashboard stays responsive for every
other manager while the files are read (a 150 MB file is seconds of CPU that would otherwise hold the server's
interpreter), and the parsed columns never sit in the server's memory.

The page writes the uploaded files to a folder and hands their paths here; the worker reads them, validates or
imports them on its own connection, writes its progress to a small file the page reads, and returns the verdict
without the parsed records beyond a preview. Runs in the worker; imports services and the store, no streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from dashboard.config import load_settings
from dashboard.db import make_engine, session_scope
from dashboard.ingest import FileReport
from dashboard.services.imports import ImportOptions, ImportOutcome, Progress, Validation, import_files, validate_files

PREVIEW_ROWS = 100  # records of each file kept for the page's preview


def light(validation: Validation) -> Validation:
    """``validation`` without the records beyond each file's preview (a big file's columns stay where they were)."""
    return Validation([_light(report) for report in validation.reports], validation.roster)


def _light(report: FileReport) -> FileReport:
    return replace(report, columns={name: values[:PREVIEW_ROWS] for name, values in report.columns.items()},
                   lines=report.lines[:PREVIEW_ROWS])


@cache
def _engine(url: str) -> Engine:
    return make_engine(url)  # the store is migrated already: the dashboard opened it


def _files(paths: Sequence[tuple[str, str]]) -> list[tuple[str, bytes]]:
    return [(name, Path(path).read_bytes()) for name, path in paths]


def _progress_to(path: str | None) -> Progress:
    """Progress written to ``path`` as "fraction<TAB>what", replaced whole each time (the page polls it)."""
    def write(fraction: float, doing: str) -> None:
        if path is None:
            return
        partial = f"{path}.part"
        Path(partial).write_text(f"{fraction:.4f}\t{doing}", encoding="utf-8")
        os.replace(partial, path)
    return write


def read_progress(path: str) -> tuple[float, str] | None:
    """The last progress a worker wrote to ``path`` (None before the first)."""
    try:
        fraction, _, doing = Path(path).read_text(encoding="utf-8").partition("\t")
        return float(fraction), doing
    except (OSError, ValueError):
        return None


def validate_at(url: str, paths: Sequence[tuple[str, str]], options: ImportOptions,
                progress_path: str | None = None) -> Validation:
    """``validate_files`` of the files at ``paths`` ((name, path) pairs) against the store at ``url``."""
    with session_scope(_engine(url)) as db:
        validation = validate_files(_files(paths), settings=load_settings(url), db=db, options=options,
                                    progress=_progress_to(progress_path))
        db.rollback()
    return light(validation)


def import_at(url: str, paths: Sequence[tuple[str, str]], options: ImportOptions, now: datetime,
              progress_path: str | None = None) -> ImportOutcome:
    """``import_files`` of the files at ``paths`` into the store at ``url``, in one transaction of its own."""
    with session_scope(_engine(url), write=True) as db:
        outcome = import_files(_files(paths), db=db, settings=load_settings(url), options=options, now=now,
                               progress=_progress_to(progress_path))
        if outcome.import_id is None:
            db.rollback()
    outcome.validation = light(outcome.validation)
    return outcome
