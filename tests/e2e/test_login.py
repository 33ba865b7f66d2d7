"""Login journeys in Chromium against a real OIDC provider on loopback (oidc-provider-mock).

A manager logs in and imports; a viewer cannot reach the Import page; a stranger is refused; logout works.
Each journey has a fresh browser context, so a fresh login cookie.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.auth_fixtures import dashboard_with_login, oidc_provider
from tests.e2e.conftest import Server, open_page, rerun

try:
    from playwright.sync_api import Page, Route, expect
except ImportError:  # the ``browser`` fixture skips (or fails on CI) before any of these is used
    pass

pytestmark = pytest.mark.browser

SESSIONS = Path(__file__).resolve().parents[1] / "data" / "sessions_existing_groups.csv"
MANAGER, VIEWER, STRANGER = "ana@example.org", "victor@example.org", "mallory@example.org"
LOG_IN, LOG_OUT = re.compile(r"Log in$"), re.compile(r"Log out$")  # the name also holds the icon's ligature


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oidc_provider(tmp_path_factory.mktemp("oidc")) as url:
        yield url


@pytest.fixture(scope="module")
def login_server(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with dashboard_with_login(tmp_path_factory.mktemp("login"), provider_url=provider, managers=[MANAGER],
                              viewers=[VIEWER]) as server:
        yield server


@pytest.fixture
def visitor(page: Page, request: pytest.FixtureRequest, login_server: Server) -> Iterator[Page]:
    """A browser page that reaches only 127.0.0.1 (the provider's page asks for an outside stylesheet)."""
    def outside(route: Route) -> None:
        route.abort()

    page.context.route(lambda url: urlsplit(url).hostname != "127.0.0.1", outside)
    yield page
    # Shown only when the journey fails: what the dashboard logged (OIDC errors land there, not on the page).
    request.node.add_report_section("teardown", "scanready log", login_server.log.read_text(errors="replace"))


def log_in(page: Page, server: Server, subject: str) -> None:
    """From the app's door through the provider's login page (typing ``subject``) and back to the app."""
    open_page(page, server.url)
    page.get_by_role("button", name=LOG_IN).click()
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{server.url}/**")


def navigation(page: Page):
    return page.get_by_test_id("stSidebarNav")


def test_manager_logs_in_and_imports(visitor: Page, login_server: Server):
    log_in(visitor, login_server, MANAGER)
    expect(visitor.get_by_text(f"Logged in as {MANAGER} (manager)")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Readiness overview")).to_be_visible()
    navigation(visitor).get_by_role("link", name="Import files").click()
    expect(visitor.get_by_role("heading", name="Import files")).to_be_visible()
    with rerun(visitor):
        visitor.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(SESSIONS)
    expect(visitor.get_by_text("All 1 file(s) are valid.")).to_be_visible()
    with rerun(visitor):
        visitor.get_by_role("button", name=re.compile(r"(^|\s)Import$")).click()
    expect(visitor.get_by_test_id("stAlert").filter(has_text="Imported: 2 sessions created")).to_be_visible()
    assert login_server.count("exam_session") >= 2


def test_viewer_cannot_reach_the_import_page(visitor: Page, login_server: Server):
    log_in(visitor, login_server, VIEWER)
    expect(visitor.get_by_text(f"Logged in as {VIEWER} (viewer)")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Readiness overview")).to_be_visible()
    expect(navigation(visitor).get_by_role("link", name="Overview")).to_be_visible()
    expect(navigation(visitor).get_by_role("link")).to_have_count(3)
    expect(navigation(visitor).get_by_role("link", name="Import files")).to_have_count(0)
    # Typing the page's address lands on the overview, still logged in, with no uploader anywhere.
    open_page(visitor, f"{login_server.url}/import")
    expect(visitor.get_by_role("heading", name="Readiness overview")).to_be_visible()
    expect(visitor.get_by_text(f"Logged in as {VIEWER} (viewer)")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Import files")).to_have_count(0)
    expect(visitor.get_by_test_id("stFileUploader")).to_have_count(0)
    expect(visitor.get_by_role("button", name=re.compile("Load example programme"))).to_have_count(0)


def test_stranger_is_refused(visitor: Page, login_server: Server):
    log_in(visitor, login_server, STRANGER)
    expect(visitor.get_by_role("heading", name="No access")).to_be_visible()
    expect(visitor.get_by_text(f"Sorry, {STRANGER} is not on this dashboard's list")).to_be_visible()
    expect(visitor.get_by_role("button", name=LOG_OUT)).to_be_visible()
    expect(navigation(visitor)).to_have_count(0)
    for path in ("overview", "import", "session"):
        open_page(visitor, f"{login_server.url}/{path}")
        expect(visitor.get_by_role("heading", name="No access")).to_be_visible()
        expect(visitor.get_by_role("heading", name=re.compile("Readiness overview|Import files"))).to_have_count(0)


def test_logout_ends_the_session(visitor: Page, login_server: Server):
    log_in(visitor, login_server, MANAGER)
    expect(visitor.get_by_text(f"Logged in as {MANAGER} (manager)")).to_be_visible()
    visitor.get_by_role("button", name=LOG_OUT).click()
    # The provider offers to end its own session too, then sends the browser back to the dashboard.
    visitor.get_by_role("button", name="End session").click()
    expect(visitor.get_by_role("button", name=LOG_IN)).to_be_visible()
    # The login cookie is gone: a reload, or asking for a page, still meets the door.
    open_page(visitor, f"{login_server.url}/import")
    expect(visitor.get_by_role("button", name=LOG_IN)).to_be_visible()
    expect(visitor.get_by_text("Logged in as")).to_have_count(0)
    expect(visitor.get_by_role("heading", name=re.compile("Readiness overview|Import files"))).to_have_count(0)
