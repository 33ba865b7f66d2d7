"""Rules of TAO's link-existing-user-to-groups and link-new-user-to-groups files.

``user_password`` is blanked before any rule runs: it never reaches a record, a problem or a log.
Names and e-mails are not kept either (no page uses them). Pure.
"""

from __future__ import annotations

from dataclasses import replace

from dashboard.ingest.reader import Table
from dashboard.ingest.report import FileReport
from dashboard.ingest.rows import clean_columns, map_header, require_columns
from dashboard.tao import ROLES

EXISTING = ("user_username", "group_name", "group_role")
NEW = ("user_username", "user_name", "user_password", "user_email", "user_language", "user_active",
       "group_role", "group_name", "user_organizationId")
SECRET = "user_password"
_ROLES = frozenset(ROLES)


def parse_enrolments(table: Table, report: FileReport, *, max_field_length: int) -> None:
    """Validate a link file into ``report``: one (group_name, user_username, group_role) tuple per line."""
    positions = map_header(table, report, NEW)
    table, shifted = _without_passwords(table)
    require_columns(table, report, positions, list(EXISTING))
    report.kind = "enrolments"
    report.template = "link-new-user-to-groups" if SECRET in positions else "link-existing-user-to-groups"
    report.fields = ("group_name", "user_username", "group_role")
    # A row with too many fields is already an error; with a password column its values may be shifted
    # password fragments, so they are neither checked (no message quotes them) nor kept.
    columns = clean_columns(table, report, positions, max_field_length=max_field_length)
    report.rows = table.count
    if any(name not in positions for name in EXISTING):
        return
    users, groups, roles = (columns[name] for name in EXISTING)
    lines = table.lines
    for column, values in (("user_username", users), ("group_name", groups)):
        for i in [i for i, value in enumerate(values) if not value and i not in shifted] if "" in values else ():
            report.error(lines[i], column, "", f"{column} is empty; every link names a user and a group.")
    upper = roles if set(roles) <= _ROLES else list(map(str.upper, roles))  # TAO writes them in capitals
    unknown = set(upper) - _ROLES
    for i in [i for i, role in enumerate(upper) if role in unknown and i not in shifted] if unknown else ():
        report.error(lines[i], "group_role", roles[i], f"{roles[i]!r} is not a TAO group role; use one "
                     f"of {', '.join(ROLES)} (one role per line).")
    # One (group, user, role) link per line; a link given twice is stored once (the link is the store's key).
    report.columns = {"group_name": groups, "user_username": users, "group_role": upper}
    report.lines = lines


def _without_passwords(table: Table) -> tuple[Table, set[int]]:
    """A copy of ``table`` with every user_password value blanked (the caller's table is left as it was), and the
    rows with too many fields, in which an unquoted comma has shifted the values right: there the password may sit
    in any field from the first password column on, so all of those are blanked too."""
    secrets = [i for i, name in enumerate(table.header) if name.lower() == SECRET]  # a duplicate column too
    if not secrets:
        return table, set()
    width = len(table.header)
    shifted = {i for i, fields in table.ragged.items() if len(fields) > width}
    columns = [[""] * table.count if position in secrets else list(values)
               for position, values in enumerate(table.columns)]
    ragged = {i: list(fields) for i, fields in table.ragged.items()}
    for i in shifted:
        ragged[i][secrets[0]:] = [""] * (len(ragged[i]) - secrets[0])
        for position in range(secrets[0], width):
            columns[position][i] = ""
    return replace(table, columns=columns, ragged=ragged), shifted
