"""Who may do what (dashboard.access), and the server settings the threat model relies on."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from dashboard.access import can_import, identity, role_for

ROOT = Path(__file__).resolve().parents[2]
ALLOW = {"managers": ["ana@example.org", "Both@Example.org"], "viewers": ["victor@example.org", "both@example.org",
                                                                          "oidc|12345"]}


def logged_in(**claims: object) -> dict[str, object]:
    return {"is_logged_in": True, **claims}


@pytest.mark.parametrize(("user", "expected"), [
    (logged_in(email="ana@example.org", sub="a1"), "manager"),
    (logged_in(email="victor@example.org", sub="v1"), "viewer"),
    (logged_in(email="mallory@example.org", sub="m1"), None),
    # E-mail addresses compare case-insensitively and without surrounding blanks.
    (logged_in(email=" ANA@Example.ORG ", sub="a1"), "manager"),
    # On both lists: the larger role wins.
    (logged_in(email="both@example.org"), "manager"),
    # No e-mail: the subject, compared exactly.
    (logged_in(sub="oidc|12345"), "viewer"),
    (logged_in(sub="OIDC|12345"), None),
    # The subject is not consulted when there is an e-mail, nor the e-mail when the provider says it is unverified.
    (logged_in(email="mallory@example.org", sub="oidc|12345"), None),
    (logged_in(email="ana@example.org", email_verified=False, sub="m1"), None),
    (logged_in(email="ana@example.org", email_verified=True, sub="m1"), "manager"),
    (logged_in(email="ana@example.org", email_verified=False, sub="oidc|12345"), "viewer"),
    # Not logged in, or logged in without any identity: nobody.
    ({"email": "ana@example.org"}, None),
    ({"is_logged_in": False, "email": "ana@example.org"}, None),
    ({"is_logged_in": "true", "email": "ana@example.org"}, None),
    (logged_in(), None),
    (logged_in(email="", sub="  "), None),
    (logged_in(email=["ana@example.org"]), None),
])
def test_role_for(user: dict[str, object], expected: str | None) -> None:
    assert role_for(user, ALLOW) == expected


@pytest.mark.parametrize(("allow", "expected"), [
    ({}, None),  # [auth] without an allow-list lets nobody in
    ({"managers": []}, None),
    ({"managers": "ana@example.org"}, "manager"),  # a lone string is a list of one
    ({"managers": ["ana@example.org."], "viewers": ["@example.org"]}, None),  # no partial or domain match
    ({"managers": [None, 3, "", "ana@example.org"]}, "manager"),
    ({"managers": 7, "viewers": ("ana@example.org",)}, "viewer"),
    ({"admins": ["ana@example.org"]}, None),
])
def test_role_for_reads_the_allow_list_strictly(allow: dict[str, object], expected: str | None) -> None:
    assert role_for(logged_in(email="ana@example.org"), allow) == expected


@pytest.mark.parametrize(("user", "expected"), [
    ({"email": "Ana@Example.org", "sub": "a1"}, "ana@example.org"),
    ({"email": "ana@example.org", "email_verified": False, "sub": "a1"}, "a1"),
    ({"sub": " a1 "}, "a1"),
    ({"name": "Ana"}, None),
])
def test_identity(user: dict[str, object], expected: str | None) -> None:
    assert identity(user) == expected


def test_only_managers_import() -> None:
    assert [can_import(role) for role in ("manager", "viewer", None)] == [True, False, False]


def test_server_binds_loopback_with_xsrf_protection() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"].get("enableCORS", True) is True


def test_secrets_stay_out_of_git_and_the_example_is_a_working_template() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored
    text = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # copied as is, it keeps local mode
    # Its settings are the lines commented out with "#" and no space; switched on, they make a complete login.
    example = tomllib.loads("\n".join(line[1:] for line in text.splitlines() if re.match(r"#[^\s#]", line)))
    assert set(example["auth"]) >= {"redirect_uri", "cookie_secret", "client_id", "client_secret",
                                    "server_metadata_url"}
    allow = example["scanready"]
    first_manager, first_viewer = allow["managers"][0], allow["viewers"][0]
    assert role_for(logged_in(email=first_manager), allow) == "manager"
    assert role_for(logged_in(email=first_viewer), allow) == "viewer"
