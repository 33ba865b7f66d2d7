"""TAO's link-existing-user-to-groups and link-new-user-to-groups files: roles, empty values,
duplicate links, and the password that must never reach a report, however broken the row."""

from __future__ import annotations

import json

import pytest

from dashboard.ingest import FileReport, Problem, parse_file
from tests.conftest import read

NEW_HEADER = ("user_username,user_name,user_password,user_email,user_language,user_active,group_role,group_name,"
              "user_organizationId")
# Every password in the link files of tests/data starts with this marker.
SECRET = "Xq7"


def where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


def everything(report: FileReport) -> str:
    """All a report holds, as text: records (in its repr), problems, the CLI's JSON."""
    return repr(report) + json.dumps(report.to_dict())


def links(report: FileReport) -> list[tuple[str, ...]]:
    """The report's links as (group, user, role) tuples."""
    return list(zip(*(report.columns[name] for name in ("group_name", "user_username", "group_role")),
                    strict=True)) if report.columns else []


def test_existing_user_links_one_record_per_line_roles_in_capitals() -> None:
    report = parse_file("links.csv", read("links_existing.csv"))
    assert (report.errors, report.warnings) == ([], [])
    assert (report.kind, report.template, report.rows) == ("enrolments", "link-existing-user-to-groups", 8)
    assert links(report) == [
        ("Class 4A", "ana", "TEST_TAKER"),
        ("Class 4A", "ana", "TEST_TAKER"),  # line 3 (lower case) and line 8 repeat line 2: the store keeps one
        ("Class 4A", "bo", "SCAN_UPLOADER"),
        ("Class 4A", "bo", "GRADER"),  # a user may hold several roles
        ("Class 4A", "cy", "BOOKLET_PUBLISHER"),
        ("Class 4A", "dee", "GROUP_MANAGER"),
        ("Class 4A", "ana", "TEST_TAKER"),
        ("Class 4B", "ana", "TEST_TAKER"),
    ]
    assert len(set(links(report))) == 6
    assert report.lines == [2, 3, 4, 5, 6, 7, 8, 9]


def test_new_user_links_keep_no_password() -> None:
    report = parse_file("links_new.csv", read("links_new.csv"))
    assert (report.errors, report.warnings) == ([], [])
    assert report.template == "link-new-user-to-groups"
    assert links(report) == [
        ("Class 4A", "ana", "TEST_TAKER"),
        ("Class 4A", "bo", "SCAN_UPLOADER"),
        ("Class 4B", "bo", "TEST_TAKER"),
    ]
    assert SECRET in read("links_new.csv").decode()
    assert SECRET not in everything(report)


@pytest.mark.parametrize(
    "role,stored",
    [
        ("TEST_TAKER", "TEST_TAKER"),
        ("test_taker", "TEST_TAKER"),
        ("Scan_Uploader", "SCAN_UPLOADER"),
        ("booklet_publisher", "BOOKLET_PUBLISHER"),
        (" GRADER ", "GRADER"),
        ("group_manager", "GROUP_MANAGER"),
        ("PROCTOR", None),
        ("TEST TAKER", None),
        ("TEST_TAKER,GRADER", None),
        ("", None),
    ],
)
def test_roles(role: str, stored: str | None) -> None:
    report = parse_file("links.csv", f'user_username,group_name,group_role\nana,Class 4A,"{role}"\n'.encode())
    assert where(report.errors) == ([] if stored else [(2, "group_role")])
    assert [role for _, _, role in links(report)] == ([stored] if stored else [])


def test_unknown_roles_and_empty_names_are_errors_at_their_line_and_column() -> None:
    report = parse_file("links_bad.csv", read("links_bad.csv"))
    assert where(report.errors) == [(3, "user_username"), (4, "group_name"), (5, "group_role"), (6, "group_role"),
                                    (7, "group_role")]
    assert report.errors[2].value == "PROCTOR"
    assert "TEST_TAKER" in report.errors[2].message
    assert links(report) == [("Class 4A", "ana", "TEST_TAKER")]  # line 2, valid: kept for the checks across files
    assert report.lines == [2]


@pytest.mark.parametrize(
    "header,errors",
    [
        ("user_username,group_name,user_password", [(1, "group_role")]),
        ("user_username,group_role,user_password", [(1, "group_name")]),
        ("user_username,group_name,group_role,user_email,nickname", []),
    ],
)
def test_link_file_columns(header: str, errors: list[tuple[int, str]]) -> None:
    width = header.count(",") + 1
    values = {"user_username": "ana", "group_name": "Class 4A", "group_role": "TEST_TAKER"}
    row = ",".join(values.get(name, f"{SECRET}-x") for name in header.split(","))
    report = parse_file("links.csv", f"{header}\n{row}\n".encode())
    assert report.kind == "enrolments" and width == len(row.split(","))
    assert where(report.errors) == errors


@pytest.mark.parametrize("limit", [10_000, 20])
def test_no_password_reaches_the_report_of_a_broken_file(limit: int) -> None:
    """Line 3: unknown role; 4: an unquoted comma in the name shifts the password right; 5: a password
    with unquoted commas spreads over the role, the group and past the header; 6: a NUL (and, with a
    limit of 20, a length) in the password, which is blanked first; 7: an empty username."""
    data = read("links_new_malformed.csv")
    report = parse_file("links.csv", data, max_field_length=limit)
    assert where(report.errors) == [(3, "group_role"), (4, None), (5, None), (7, "user_username")]
    assert links(report) == [("Class 4A", "ana", "TEST_TAKER"), ("Class 4A", "ed", "TEST_TAKER")]  # lines 2, 6
    assert data.count(SECRET.encode()) == 13
    assert SECRET not in everything(report)


def test_a_second_password_column_is_blanked_too() -> None:
    data = f"user_username,group_name,group_role,user_password,User_Password\nana,g,TEST_TAKER,{SECRET}-a,{SECRET}\0b\n"
    report = parse_file("links.csv", data.encode())
    assert where(report.errors) == [(1, "user_password")]
    assert SECRET not in everything(report)


def test_a_link_file_without_its_header_does_not_echo_the_password() -> None:
    data = (f"ana,Ana Lopez,{SECRET}-ana,ana@example.org,en-US,true,TEST_TAKER,Class 4A,org-1\n"
            f"bo,Bo,{SECRET}-bo,bo@example.org,en-US,true,TEST_TAKER,Class 4A,org-1\n")
    report = parse_file("links.csv", data.encode())
    assert where(report.errors) == [(None, None)]
    assert "ana, Ana Lopez" in report.errors[0].message
    assert SECRET not in everything(report)


def test_a_password_that_swallows_the_rest_of_the_file_stays_hidden() -> None:
    data = f'{NEW_HEADER}\nana,Ana,"{SECRET}-open,a@x.org,en,true,TEST_TAKER,Class 4A,org-1\nbo,Bo,{SECRET}-b\n'
    report = parse_file("links.csv", data.encode())
    assert where(report.errors) == [(2, "group_name"), (2, "group_role")]
    assert SECRET not in everything(report)
