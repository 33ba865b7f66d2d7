"""AppTest of login and roles: what local mode, a manager, a viewer, a stranger and a logged-out visitor see.

``at.secrets`` stands in for ``.streamlit/secrets.toml`` and ``at.user`` for the identity cookie that
``st.login`` leaves; the real OIDC round trip is tests/e2e/test_login.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard import services
from dashboard.config import Settings
from dashboard.example import example_files
from dashboard.ui import LOCAL_MODE_NOTE, plain
from models import ExamSession

AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "0123456789abcdef" * 4,
        "client_id": "scanready", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ALLOW = {"managers": ["ana@example.org"], "viewers": ["victor@example.org"]}
SECRETS = {"auth": AUTH, "scanready": ALLOW}
MANAGER = {"is_logged_in": True, "email": "ana@example.org", "sub": "ana", "name": "Ana"}
VIEWER = {"is_logged_in": True, "email": "Victor@Example.org", "sub": "victor"}
STRANGER = {"is_logged_in": True, "email": "mallory@example.org", "sub": "mallory"}
LOGGED_OUT = {"is_logged_in": False}
READER_PAGES = ["Overview", "Charts", "Session"]


def navigation(at: AppTest) -> list[str]:
    # AppTest has no public view of st.navigation's pages; this is the registry it switches pages with.
    return [page["page_name"] for page in at._registered_pages.values()]


def open_as(make_app, user: dict[str, object], page: str = "overview", secrets: dict | None = None,
            **query: str) -> AppTest:
    at = make_app(page, **query)
    at.secrets = SECRETS if secrets is None else secrets
    at.user = user
    return at.run()


def sidebar_text(at: AppTest) -> list[str]:
    return [getattr(element, "value", "") for element in at.sidebar]


def test_local_mode_says_so_and_lets_everyone_import(make_app):
    # Secrets without [auth] (here only an allow-list, which local mode ignores).
    at = open_as(make_app, {}, "import", secrets={"scanready": ALLOW})
    assert not at.exception
    assert navigation(at) == [*READER_PAGES, "Import files"]
    assert [t.value for t in at.title] == ["Import files"]
    assert len(at.file_uploader) == 1
    assert LOCAL_MODE_NOTE in sidebar_text(at)
    assert "logout" not in [b.key for b in at.button]


def test_manager_sees_who_they_are_and_can_import(make_app):
    at = open_as(make_app, MANAGER, "import")
    assert not at.exception
    assert navigation(at) == [*READER_PAGES, "Import files"]
    assert [t.value for t in at.title] == ["Import files"]
    assert len(at.file_uploader) == 1
    assert f"Logged in as **{plain('ana@example.org')}** (manager)" in sidebar_text(at)
    assert LOCAL_MODE_NOTE not in sidebar_text(at)
    assert at.button(key="logout").label == "Log out"


def test_manager_on_an_empty_store_is_offered_import_and_the_example(make_app):
    at = open_as(make_app, MANAGER)
    assert not at.exception
    assert len(at.get("page_link")) == 1
    assert "Load example programme" in [b.label for b in at.button]


def test_viewer_has_no_import_page_and_lands_on_the_overview_when_asking_for_it(make_app):
    at = open_as(make_app, VIEWER, "import")
    assert not at.exception
    assert navigation(at) == READER_PAGES
    assert [t.value for t in at.title] == ["Readiness overview"]
    assert len(at.file_uploader) == 0
    assert f"Logged in as **{plain('victor@example.org')}** (viewer)" in sidebar_text(at)
    # The empty store offers a viewer neither the Import page nor the example programme (an import).
    assert [i.value for i in at.info if "No paper session" in i.value] == [
        "No paper session is stored yet. A programme manager imports the TAO session files."]
    assert len(at.get("page_link")) == 0
    assert "Load example programme" not in [b.label for b in at.button]


def test_viewer_reads_the_board(make_app, app_engine):
    with Session(app_engine) as db:
        assert services.import_files(example_files(datetime(2027, 3, 16, tzinfo=UTC)), db=db,
                                     settings=Settings()).validation.valid
        db.commit()
    at = open_as(make_app, VIEWER, as_of="2027-03-16T07:00Z")
    assert not at.exception
    assert len(at.dataframe[0].value) == 35


def test_viewer_cannot_import_even_by_calling_the_import_directly(store_file, app_engine):
    def script() -> None:
        from dashboard import ui

        ui.import_and_rerun([("sessions.csv", b"not even read")])

    at = AppTest.from_function(script, default_timeout=30)
    at.secrets = SECRETS
    at.user = VIEWER
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Only programme managers can import files."]
    with Session(app_engine) as db:
        assert db.scalar(select(func.count()).select_from(ExamSession)) == 0


@pytest.mark.parametrize("page", ["overview", "session", "charts", "import"])
def test_stranger_is_refused_politely_on_every_page(make_app, page):
    at = open_as(make_app, STRANGER, page)
    assert not at.exception
    assert navigation(at) == ["No access"]
    assert [t.value for t in at.title] == ["No access"]
    assert at.warning[0].value.startswith(f"Sorry, **{plain('mallory@example.org')}** is not on this dashboard's "
                                          "list of managers and viewers.")
    assert at.button(key="logout-refused").label == "Log out"
    assert not at.dataframe and not at.file_uploader and not at.metric


@pytest.mark.parametrize("user", [LOGGED_OUT, {}], ids=["logged-out", "no-cookie"])
def test_logged_out_visitor_sees_only_the_login_button(make_app, user):
    at = open_as(make_app, user, "import")
    assert not at.exception
    assert navigation(at) == ["Log in"]
    assert [t.value for t in at.title] == ["scanready"]
    assert at.button(key="login").label == "Log in"
    assert not at.file_uploader and not at.dataframe
    assert LOCAL_MODE_NOTE not in sidebar_text(at)


def test_stranger_identity_is_shown_as_text(make_app):
    email = "<img src=x onerror=alert(1)>**[x](javascript:alert(1))**@example.org"
    at = open_as(make_app, {"is_logged_in": True, "email": email})
    shown = at.warning[0].value
    assert shown.startswith(f"Sorry, **{plain(email)}** is not")
    assert r"\<img src\=x onerror\=alert\(1\)\>\*\*\[x\]\(javascript" in shown
    assert not re.search(r"(?<!\\)[<>\[\]()]", shown)  # no tag, no link: every bracket escaped


@pytest.mark.parametrize(("user", "key"), [(MANAGER, "logout"), (STRANGER, "logout-refused")])
def test_log_out_returns_to_the_login_button(make_app, user, key):
    at = open_as(make_app, user)
    at.button(key=key).click().run()
    assert not at.exception
    assert at.user == {"is_logged_in": False}
    assert navigation(at) == ["Log in"]
    assert at.button(key="login").label == "Log in"
