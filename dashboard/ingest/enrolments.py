"""Rules of TAO's link-existing-user-to-groups and link-new-user-to-groups files.

``user_password`` is blanked before any rule runs: it never reaches a record, a problem or a log.
Names and e-mails are not kept either (no page uses them). Pure.
"""

from __future__ import annotations

from dashboard.ingest.reader import Table
from dashboard.ingest.report import FileReport
from dashboard.ingest.rows import clean_rows, map_header, require_columns

ROLES = ("TEST_TAKER", "SCAN_UPLOADER", "BOOKLET_PUBLISHER", "GRADER", "GROUP_MANAGER")
EXISTING = ("user_username", "group_name", "group_role")
NEW = ("user_username", "user_name", "user_password", "user_email", "user_language", "user_active",
       "group_role", "group_name", "user_organizationId")
SECRET = "user_password"


def parse_enrolments(table: Table, report: FileReport, *, max_field_length: int) -> None:
    """Validate a link file into ``report``: one (group, user, role) record per distinct line."""
    positions = map_header(table, report, NEW)
    secret = positions.get(SECRET)
    # Every user_password column (a duplicate too); in a row with too many fields an unquoted comma has
    # shifted the values right, so the password may sit in any field from the first such column on.
    secrets = [i for i, name in enumerate(table.header) if name.lower() == SECRET]
    width = len(table.header)
    for row in table.rows if secrets else ():
        for i in range(len(row)):
            if i in secrets or (len(row) > width and i >= secrets[0]):
                row[i] = ""
    require_columns(table, report, positions, list(EXISTING))
    report.kind = "enrolments"
    report.template = "link-new-user-to-groups" if secret is not None else "link-existing-user-to-groups"
    report.fields = EXISTING
    rows = clean_rows(table, report, positions, max_field_length=max_field_length)
    report.rows = len(rows)
    if any(name not in positions for name in EXISTING):
        return
    user, group, role = (positions[name] for name in EXISTING)
    seen: set[tuple[str, str, str]] = set()
    for line, row, raw in zip(table.lines, rows, table.rows, strict=True):
        if secrets and len(raw) > width:
            continue  # already an error (too many fields): its shifted values are not checked or kept
        for column, position in (("user_username", user), ("group_name", group)):
            if not row[position]:
                report.error(line, column, "", f"{column} is empty; every link names a user and a group.")
        name = row[role].upper()
        if name not in ROLES:
            report.error(line, "group_role", row[role], f"{row[role]!r} is not a TAO group role; use one "
                         f"of {', '.join(ROLES)} (one role per line).")
        key = (row[group], row[user], name)
        if key not in seen:
            seen.add(key)
            report.records.append({"group_name": key[0], "user_username": key[1], "group_role": key[2]})
            report.lines.append(line)
    if report.errors:
        report.records.clear()
        report.lines.clear()
