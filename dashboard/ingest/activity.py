"""Rules of an activity export: who launched or finished which session, and when.

``session_name,user_username,status,started_at,finished_at``. Pure: whether the session exists is
checked by ``services`` against the store and the same upload.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dashboard.ingest.reader import Table
from dashboard.ingest.report import FileReport
from dashboard.ingest.rows import clean_rows, map_header, require_columns
from dashboard.ingest.values import parse_unix_or_datetime

COLUMNS = ("session_name", "user_username", "status", "started_at", "finished_at")
STATUSES = ("not_started", "in_progress", "paused", "finished", "terminated")
_EPOCH = datetime.min.replace(tzinfo=UTC)


def normalise_status(text: str) -> str:
    """``In progress``, ``IN_PROGRESS`` and ``in-progress`` all mean ``in_progress``."""
    word = "_".join(text.lower().replace("-", " ").split())
    if word not in STATUSES:
        raise ValueError(f"is not a status; use one of {', '.join(STATUSES)}")
    return word


def parse_activity(table: Table, report: FileReport, *, max_field_length: int) -> None:
    """Validate an activity file; of several rows for one (session, user), the latest wins."""
    positions = map_header(table, report, COLUMNS)
    require_columns(table, report, positions, list(COLUMNS[:3]))
    report.kind, report.template = "activity", "activity"
    report.fields = COLUMNS
    rows = clean_rows(table, report, positions, max_field_length=max_field_length)
    report.rows = len(rows)
    if any(name not in positions for name in COLUMNS[:3]):
        return
    latest: dict[tuple[str, str], tuple[datetime, int, dict[str, Any]]] = {}
    naive: list[tuple[int, str, str]] = []  # (line, column, value) of date-times without an offset
    for order, (line, row) in enumerate(zip(table.lines, rows, strict=True)):
        value = dict(zip(COLUMNS, (row[positions[c]] if c in positions else "" for c in COLUMNS),
                         strict=True))
        for column in ("session_name", "user_username"):
            if not value[column]:
                report.error(line, column, "", f"{column} is empty.")
        try:
            status = normalise_status(value["status"])
        except ValueError as exc:
            report.error(line, "status", value["status"], f"{value['status']!r} {exc}.")
            status = ""
        moments: dict[str, datetime | None] = {}
        for column in ("started_at", "finished_at"):
            moments[column] = None
            if value[column]:
                try:
                    moments[column], had_offset = parse_unix_or_datetime(value[column])
                    if not had_offset:
                        naive.append((line, column, value[column]))
                except ValueError as exc:
                    report.error(line, column, value[column], f"{value[column]!r} {exc}, or Unix seconds.")
        started, finished = moments["started_at"], moments["finished_at"]
        if started and finished and finished < started:
            report.error(line, "finished_at", value["finished_at"],
                         f"finished_at is before started_at ({value['started_at']}).")
        record: dict[str, Any] = {"session_name": value["session_name"], "user_username": value["user_username"],
                                  "status": status, "started_at": started, "finished_at": finished, "line": line}
        key = (value["session_name"], value["user_username"])
        stamp = max(finished or _EPOCH, started or _EPOCH)
        if key not in latest or (stamp, order) >= latest[key][:2]:
            latest[key] = (stamp, order, record)
    if naive:
        first_line, first_column, first_value = naive[0]
        report.warn(first_line, first_column, first_value,
                    f"{len(naive):,} date-time(s) have no time zone (first here); they were read as UTC.")
    if report.errors:
        return
    kept = [record for _, _, record in sorted(latest.values(), key=lambda item: item[1])]
    report.lines = [record.pop("line") for record in kept]
    report.columns = {name: [record[name] for record in kept] for name in COLUMNS}
