"""Rules of TAO's session templates (sessions-with-delivery-in-existing/new-groups, battery variant).

Validates column by column, so a programme of 100,000 rows stays fast, and reports each failing row
at its physical line. Pure: no database (the store-level rule, a changed group, is in ``services``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from dashboard.ingest.reader import Table
from dashboard.ingest.report import FileReport
from dashboard.ingest.rows import clean_columns, map_header, require_columns
from dashboard.ingest.values import (
    clock_change,
    clock_change_warning,
    parse_bool,
    parse_datetime,
    parse_datetime_parts,
    parse_whole,
    parse_zone,
)
from dashboard.memo import Memo

DELIVERY, BATTERY = "session_deliveryId", "session_batteryId"
PAPER = "session_paperMode_isEnabled"
SHEETS, INTERACTIONS = "session_paperMode_sheetsPerInteraction", "session_paperMode_totalInteractions"
BOOKLET = "session_paperMode_bookletFilename"
SCAN_START, SCAN_END = "session_paperMode_scanUploadStartDate", "session_paperMode_scanUploadEndDate"
NEW_GROUP_COLUMNS = ("group_description", "group_active", "group_organizationId")

# Every column of the templates, in TAO's order, with the model field that keeps it.
FIELDS: dict[str, str] = {
    DELIVERY: "delivery_id", BATTERY: "delivery_id", "group_name": "group_name",
    "group_description": "group_description", "group_active": "group_active", "session_name": "session_name",
    "session_timezone": "timezone", "session_startDate": "start_date", "session_endDate": "end_date",
    "session_submissionDate": "submission_date", "session_waitingPageDate": "waiting_page_date",
    "session_securitySettings": "security_settings", "session_reviewSettings": "review_settings",
    "session_testRunnerAccessibilityPlugins": "accessibility_plugins",
    "session_testRunnerSessionPlugins": "session_plugins", "session_reportSettings": "report_settings",
    "session_readAloud": "read_aloud", "group_organizationId": "group_organization_id",
    PAPER: "paper_enabled", SHEETS: "sheets_per_interaction", INTERACTIONS: "total_interactions",
    BOOKLET: "booklet_filename", SCAN_START: "scan_upload_start", SCAN_END: "scan_upload_end",
}
COLUMN_OF = {field: column for column, field in FIELDS.items() if column != BATTERY}  # a field's CSV column
# The order of a session's dates: a column, the column it follows (strictly or not), and what is wrong otherwise.
DATE_ORDER = ((SCAN_END, SCAN_START, True, "The scan upload window must end after it starts ({other})."),
              ("session_endDate", "session_startDate", False, "The session cannot end before it starts ({other})."))
DATE_COLUMNS = ("session_startDate", "session_endDate", "session_submissionDate", "session_waitingPageDate",
                SCAN_START, SCAN_END)


@dataclass(slots=True)
class Upload:
    """What the files of one upload share: where each session name was first seen, as each file's names and the
    line each is first on (a dict per file, made in C, rather than a (file, line) pair per name)."""

    session_names: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    def first_seen(self, name: str) -> tuple[str, int] | None:
        """The file and line where ``name`` was first seen, if it was."""
        return next(((file, lines[name]) for file, lines in self.session_names if name in lines), None)


REQUIRED: list[str | tuple[str, ...]] = ["session_name", "group_name", (DELIVERY, BATTERY), PAPER]


def detect_template(columns: set[str]) -> str:
    """The TAO template a header comes from."""
    target = "battery" if BATTERY in columns and DELIVERY not in columns else "delivery"
    groups = "new" if columns & set(NEW_GROUP_COLUMNS) else "existing"
    return f"sessions-with-{target}-in-{groups}-groups"


def parse_sessions(table: Table, report: FileReport, *, max_field_length: int, upload: Upload) -> None:
    """Validate a session file into ``report``: its records are every row's (``parse_file`` drops those with an
    error, so that a sibling file can still rely on the valid ones)."""
    positions = map_header(table, report, list(FIELDS))
    require_columns(table, report, positions, REQUIRED)
    report.kind, report.template = "sessions", detect_template(set(positions))
    columns = clean_columns(table, report, positions, max_field_length=max_field_length)
    report.rows = table.count
    check = _Checker(table.lines, columns, report)
    check.not_empty("session_name")
    check.unique_names(upload)
    check.not_empty("group_name")
    delivery, kind = check.delivery()
    paper = check.each(PAPER, parse_bool, required=True)
    zones = check.each("session_timezone", parse_zone)
    distinct_zones = set(zones)
    dates = {column: check.dates(column, zones, distinct_zones) for column in DATE_COLUMNS}
    on = [flag is True for flag in paper]
    sheets = check.each(SHEETS, parse_whole, required=on, soft=[not flag for flag in on])
    interactions = check.each(INTERACTIONS, parse_whole, required=on, soft=[not flag for flag in on])
    check.given(BOOKLET, on)
    for column in (SCAN_START, SCAN_END):
        check.present(column, dates[column], on)
    if any(on):
        missing = [name for name in (SHEETS, INTERACTIONS, BOOKLET, SCAN_START, SCAN_END) if name not in positions]
        require_columns(table, report, positions, missing)
    for name, earlier, strictly, message in DATE_ORDER:
        check.after(name, earlier, dates, strictly=strictly, message=message)
    fields = ["session_name", "group_name", "delivery_id", "delivery_kind", "template", "paper_enabled"]
    fields += sorted({FIELDS[name] for name in positions if name in FIELDS} - set(fields))
    unknown = [name for name in positions if name not in FIELDS]
    if unknown:
        fields.append("extra")
    report.fields = tuple(fields)
    if any(problem.line in (None, table.header_line) for problem in report.errors):
        return  # a required column is missing or twice: no row can be read right
    parsed: dict[str, list[Any]] = {
        "delivery_id": delivery, "delivery_kind": kind, "paper_enabled": [flag is True for flag in paper],
        "sheets_per_interaction": sheets, "total_interactions": interactions,
        "template": [report.template] * table.count,
        **{FIELDS[column]: values for column, values in dates.items() if column in columns},
    }
    # The other columns as text, an empty value as None (each pass over a column of 100,000 values costs: the
    # columns parsed above are not looked through again).
    data: dict[str, list[Any]] = {FIELDS[name]: [value or None for value in values] if "" in values else values
                                  for name, values in columns.items() if name in FIELDS and FIELDS[name] not in parsed}
    data.update(parsed)
    if unknown:
        data["extra"] = [_extra(unknown, values) for values in zip(*(columns[name] for name in unknown), strict=True)]
    report.columns = {name: data[name] for name in fields}
    report.local = {FIELDS[column]: flags for column, flags in check.local.items()}
    report.lines = list(table.lines)


def _extra(names: list[str], values: tuple[str, ...]) -> str | None:
    """The non-empty values of the columns TAO does not know, as a JSON object (None when all are empty)."""
    kept = {name: value for name, value in zip(names, values, strict=True) if value}
    return orjson.dumps(kept).decode() if kept else None


class _Checker:
    """Column-wise checks over trimmed columns, writing problems into the report at each row's line."""

    def __init__(self, lines: list[int], columns: dict[str, list[str]], report: FileReport) -> None:
        self.lines, self.columns, self.report = lines, columns, report
        self.local: dict[str, list[bool]] = {}  # without a session_timezone column: the values read in UTC

    def column(self, name: str) -> list[str]:
        return self.columns[name] if name in self.columns else [""] * len(self.lines)

    def not_empty(self, name: str) -> None:
        if name not in self.columns or "" not in self.columns[name]:
            return
        for line, value in zip(self.lines, self.column(name), strict=True):
            if not value:
                self.report.error(line, name, value, f"{name} is empty; every session needs one.")

    def unique_names(self, upload: Upload) -> None:
        """A session name may appear once per upload: the second occurrence is the error."""
        names, file = self.column("session_name"), self.report.file
        lines = dict(zip(names, self.lines, strict=False))
        if len(lines) == len(names) and all(seen.keys().isdisjoint(lines) for _, seen in upload.session_names):
            lines.pop("", None)  # the usual case: every name once, none in an earlier file
            upload.session_names.append((file, lines))
            return
        lines = {}
        upload.session_names.append((file, lines))
        for line, name in zip(self.lines, names, strict=True):
            if not name:
                continue
            first = upload.first_seen(name)
            if first is None:
                lines[name] = line
                continue
            first_file, first_line = first
            where = f"line {first_line}" + ("" if first_file == file else f" of {first_file}")
            self.report.error(line, "session_name", name, f"The session {name!r} is already on {where}; "
                              "each session may appear once per import.")

    def delivery(self) -> tuple[list[str], list[str]]:
        """The delivery or battery id of each row, and which of the two it is."""
        deliveries, batteries = self.column(DELIVERY), self.column(BATTERY)
        present = [name for name in (DELIVERY, BATTERY) if name in self.columns]
        if present == [DELIVERY] and "" not in deliveries:  # the usual file: a delivery on every row
            return deliveries, ["delivery"] * len(deliveries)
        kinds: list[str] = []
        for line, d, b in zip(self.lines, deliveries, batteries, strict=True):
            kinds.append("battery" if b and not d else "delivery")
            if present and not d and not b:
                self.report.error(line, present[0], "", f"{' or '.join(present)} is empty; every session "
                                  "needs the delivery (or battery) it runs.")
            elif d and b:
                self.report.error(line, BATTERY, b, "A session has a delivery or a battery, not both.")
        return [d or b for d, b in zip(deliveries, batteries, strict=True)], kinds

    def each(self, name: str, parse: Callable[[str], Any], *, required: bool | list[bool] = False,
             soft: list[bool] | None = None) -> list[Any]:
        """Parse a column; empty values are None (an error where ``required``); a failure is an
        error, or a warning on the rows marked ``soft`` (paper columns of sessions not on paper).
        Each distinct value is parsed once; rows are visited one by one only where something failed."""
        if name not in self.columns:
            return [None] * len(self.lines)
        values = self.column(name)
        failed: dict[str, str] = {}

        def one(value: str) -> Any:
            if not value:
                return None
            try:
                return parse(value)
            except ValueError as exc:
                failed[value] = str(exc)
                return None

        parsed = Memo(one)
        out = list(map(parsed.__getitem__, values))
        if not failed and (required is False or "" not in parsed):
            return out  # the usual column: every value parsed, none missing
        needed = [required] * len(values) if isinstance(required, bool) else required
        why = "it is required" if isinstance(required, bool) else "paper mode is on"
        for i in [i for i, value in enumerate(values) if (not value and needed[i]) or value in failed]:
            value, line = values[i], self.lines[i]
            if not value:
                self.report.error(line, name, value, f"{name} is empty; it must be given when {why}.")
            elif soft is not None and soft[i]:
                self.report.warn(line, name, value, f"{value!r} {failed[value]} (ignored: paper mode is off).")
            else:
                self.report.error(line, name, value, f"{value!r} {failed[value]}.")
        return out

    def dates(self, name: str, zones: list[Any], distinct_zones: set[Any]) -> list[datetime | None]:
        """A date-time column in UTC; values without offset are read in the row's time zone (each distinct
        (value, zone) pair is parsed once: a programme's sessions share few moments). ``distinct_zones``: the
        set of ``zones``, made once for every date column."""
        if name not in self.columns:
            return [None] * len(self.lines)
        values = self.column(name)
        # Keys are (value, zone) pairs; with one zone for the whole file (the usual case), values alone.
        pairs: list[Any] = values if len(distinct_zones) == 1 else list(zip(values, zones, strict=True))
        single = next(iter(distinct_zones)) if len(distinct_zones) == 1 else None
        failed: dict[Any, str] = {}
        naive: set[Any] = set()
        changing: set[Any] = set()  # of those, the times a clock change in their zone skips or repeats

        def one(pair: Any) -> datetime | None:
            value, zone = (pair, single) if pairs is values else pair
            if not value:
                return None
            try:
                moment, had_offset = parse_datetime(value, zone or UTC)
            except ValueError as exc:
                failed[pair] = f"{value!r} {exc}."
                return None
            if not had_offset:
                naive.add(pair)
                if zone is not None and clock_change(parse_datetime_parts(value)[0].replace(tzinfo=zone)):
                    changing.add(pair)
            return moment

        out = list(map(Memo(one).__getitem__, pairs))
        for i in [i for i, pair in enumerate(pairs) if pair in failed] if failed else ():
            self.report.error(self.lines[i], name, values[i], failed[pairs[i]])
        if naive:
            rows = [i for i, pair in enumerate(pairs) if pair in naive]
            if "session_timezone" not in self.columns:  # the stored session's zone, if any, reads them again
                self.local[name] = [pair in naive for pair in pairs]
            self.report.warn(self.lines[rows[0]], name, values[rows[0]],
                             f"{len(rows):,} value(s) of {name} have no time zone (first here); they were "
                             "read in the session's time zone (UTC when it has none).")
            if changing:
                moved = [i for i in rows if pairs[i] in changing]
                self.report.warn(self.lines[moved[0]], name, values[moved[0]], clock_change_warning(len(moved)))
        return out

    def given(self, name: str, required: list[bool]) -> None:
        """``each`` of a text column kept as it is (an error where a value is empty and ``required``), without
        parsing its values: a programme's booklets are 100,000 distinct names."""
        if name not in self.columns or "" not in self.columns[name]:
            return
        for line, text, needed in zip(self.lines, self.column(name), required, strict=True):
            if needed and not text:
                self.report.error(line, name, "", f"{name} is empty; it must be given when paper mode is on.")

    def present(self, name: str, values: list[datetime | None], required: list[bool]) -> None:
        if name not in self.columns or "" not in self.columns[name]:
            return
        raw = self.column(name)
        for line, value, text, needed in zip(self.lines, values, raw, required, strict=True):
            if needed and value is None and not text:
                self.report.error(line, name, "", f"{name} is empty; it must be given when paper mode is on.")

    def after(self, name: str, earlier: str, dates: dict[str, list[datetime | None]], *,
              strictly: bool, message: str) -> None:
        """An error on ``name`` where its date is before (or, ``strictly``, at) the ``earlier`` column's. A row with
        one of the two dates local (no offset, in a file without session_timezone) waits for ``check_date_order``,
        once its session's zone is known: its two texts are kept in ``report.quoted`` for it."""
        ends, starts = dates[name], dates[earlier]
        raw, other = self.column(name), self.column(earlier)
        local = (_either(self.local.get(name), self.local.get(earlier), len(self.lines))
                 if name in self.local or earlier in self.local else None)  # None: no local date (the usual file)
        for i in [i for i, flag in enumerate(local) if flag] if local else ():
            line = self.lines[i]
            self.report.quoted[line, FIELDS[name]], self.report.quoted[line, FIELDS[earlier]] = raw[i], other[i]
        later: Callable[[Any, Any], bool] = operator.gt if strictly else operator.ge
        if None not in ends and None not in starts and all(map(later, ends, starts)):
            return  # the usual columns: every date given and in order, checked in one pass in C
        for i, (line, end, start, text, before) in enumerate(zip(self.lines, ends, starts, raw, other, strict=True)):
            if not (local and local[i]) and _out_of_order(end, start, strictly=strictly):
                self.report.error(line, name, text, message.format(other=before))


def _out_of_order(end: datetime | None, start: datetime | None, *, strictly: bool) -> bool:
    """Whether two given dates break ``DATE_ORDER``'s rule: the end before (or, ``strictly``, at) the start."""
    return end is not None and start is not None and (end < start or (strictly and end == start))


def _either(one: list[bool] | None, other: list[bool] | None, rows: int) -> list[bool]:
    """Row by row, whether either of two lists of ``rows`` flags says so (a missing list says no)."""
    if one is None or other is None:
        return one or other or [False] * rows
    return [a or b for a, b in zip(one, other, strict=True)]


def check_date_order(report: FileReport) -> None:
    """``DATE_ORDER`` on the rows ``_Checker.after`` left to it (a local date in a file without session_timezone),
    now that their dates are read in their session's zone (``services.checks``; UTC for a session not stored);
    the rows that break it are errors at their line, and dropped."""
    c = report.columns
    for name, earlier, strictly, message in DATE_ORDER:
        field, earlier_field = FIELDS[name], FIELDS[earlier]
        if field not in c or earlier_field not in c:
            continue
        local = _either(report.local.get(field), report.local.get(earlier_field), report.count)
        for i in [i for i in range(report.count) if local[i]]:
            line = report.lines[i]
            if _out_of_order(c[field][i], c[earlier_field][i], strictly=strictly):
                report.error(line, name, report.quoted.get((line, field), ""),
                             message.format(other=report.quoted.get((line, earlier_field), "")))
    report.drop_failed()
