"""Browser journeys: a real ``streamlit run`` on a free port with its own SQLite file, driven by Chromium.

The server runs in a subprocess whose log is shown when it fails to start. Chromium is Debian's
``/usr/bin/chromium`` driven by Playwright; without it (or without Playwright) the journeys skip, or
fail when ``SCANREADY_REQUIRE_ALL=1``. Every wait for the app goes through ``rerun`` or ``open_page``:
Streamlit's test attributes are internal and may change, so they are read here and nowhere else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import pytest
from serving import serve  # bench/serving.py (pytest puts bench/ on the path): the benchmark's servers too

from dashboard import services
from dashboard.config import Settings
from dashboard.db import make_engine, migrate, session_scope
from tests.conftest import unavailable

try:
    from playwright.sync_api import Browser, Error, Locator, Page, expect, sync_playwright
except ImportError:  # the dev extra is not installed: the ``browser`` fixture says so
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
RUN_TIMEOUT = 60_000  # milliseconds for one script run (the first one imports pandas, migrates the store)
ASSERT_TIMEOUT = 20_000  # milliseconds an ``expect`` keeps retrying (Playwright's 5 s is tight on a busy CI)
EXAM_DAY = datetime(2027, 3, 16, tzinfo=UTC)  # the example programme's anchor in the journeys: every status is fixed

# The app root carries its connection and script state; "notRunning" only after a run has finished.
_APP = "[data-testid='stApp']"
IDLE = f"{_APP}[data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
# Counts finished script runs (a record whose old value is "running"), so a rerun that starts and ends
# between two polls is still seen.
_COUNT_RUNS = """() => {
    if (window.__scanreadyRuns === undefined) {
        window.__scanreadyRuns = 0;
        new MutationObserver(records => {
            window.__scanreadyRuns += records.filter(r => r.oldValue === 'running').length;
        }).observe(document.querySelector("[data-testid='stApp']"),
                   {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
    }
    return window.__scanreadyRuns;
}"""
# Idle, and either a run was seen or none showed within a second (React may coalesce a very short one).
_RAN_AND_IDLE = """([before, idle, since]) => document.querySelector(idle) !== null
    && (window.__scanreadyRuns > before || performance.now() - since > 1000)"""


@dataclass(frozen=True, slots=True)
class Server:
    """A running dashboard: where to reach it, the SQLite file it stores into, its log."""

    url: str
    store: Path
    log: Path

    def count(self, table: str) -> int:
        """Rows of ``table`` in the server's store, read with sqlite3 (not through the app)."""
        with closing(sqlite3.connect(self.store)) as connection:
            return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def fail(message: str) -> NoReturn:
    """A server that did not start fails the test with its log, not a traceback."""
    pytest.fail(message, pytrace=False)


@contextmanager
def streamlit_server(folder: Path) -> Iterator[Server]:
    """``streamlit run dashboard/app.py`` on a free port with a fresh SQLite file in ``folder``; killed after."""
    store = folder / "store.db"
    with serve("dashboard/app.py", f"sqlite:///{store}", folder / "streamlit.log", fail=fail) as running:
        yield Server(running.url, store, running.log)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One dashboard for the journeys of a module; they must not depend on each other's imports."""
    with streamlit_server(tmp_path_factory.mktemp("streamlit")) as running:
        yield running


@pytest.fixture(scope="module")
def programme(server: Server) -> Server:
    """The module's dashboard with the example programme around 16 Mar 2027 in its store (imported directly)."""
    load_example(server)
    return server


def load_example(server: Server) -> None:
    """The example programme around 16 Mar 2027 imported into ``server``'s store (directly, not through a page)."""
    engine = make_engine(f"sqlite:///{server.store}")
    try:
        migrate(engine)
        with session_scope(engine, write=True) as db:
            outcome = services.import_files(services.example_programme(EXAM_DAY), db=db, settings=Settings())
    finally:
        engine.dispose()
    assert outcome.import_id is not None, outcome.validation.to_dict()


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[Server]:
    """A dashboard of its own, on an empty store, for a journey that needs one (starts in about a second)."""
    with streamlit_server(tmp_path) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (which gives it a fresh profile)."""
    if sync_playwright is None:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        expect.set_options(timeout=ASSERT_TIMEOUT)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (so a fresh Streamlit session) per journey, with downloads allowed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(RUN_TIMEOUT)
    yield context.new_page()
    context.close()


def open_page(page: Page, url: str) -> None:
    """Load ``url`` and wait until the first script run has finished."""
    page.goto(url)
    page.wait_for_selector(IDLE, state="attached", timeout=RUN_TIMEOUT)
    _raise_app_exception(page)


@contextmanager
def rerun(page: Page) -> Iterator[None]:
    """Wait, after the block's action, until the rerun it caused has finished (the app is idle again)."""
    before = page.evaluate(_COUNT_RUNS)
    yield
    since = page.evaluate("performance.now()")
    try:
        page.wait_for_function(_RAN_AND_IDLE, arg=[before, IDLE, since], timeout=RUN_TIMEOUT)
    except Error as error:
        raise AssertionError(f"the app did not finish a rerun within {RUN_TIMEOUT / 1000:.0f} s") from error
    _raise_app_exception(page)


def _raise_app_exception(page: Page) -> None:
    """A traceback on the page fails the journey with its text (Streamlit shows it instead of raising)."""
    shown = page.locator("[data-testid='stException']")
    if shown.count():
        raise AssertionError(f"the app shows an exception:\n{shown.first.inner_text()}")


def table_rows(table: Locator) -> list[dict[str, str]]:
    """The rows of an ``st.dataframe`` as dicts of header -> cell text.

    The grid paints its cells on a canvas; for accessibility it keeps the same text in a hidden
    ``<table role=grid>`` inside the canvas, which is what this reads. The grid virtualises: only the rows
    and columns in view are in it.
    """
    return table.locator("table[role='grid']").evaluate(  # type: ignore[no-any-return]
        """grid => {
            const headers = [...grid.querySelectorAll('thead th')].map(th => th.textContent);
            return [...grid.querySelectorAll('tbody tr')].map(
                tr => Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [headers[i], td.textContent])));
        }""")


def screenshot(page: Page, path: Path) -> None:
    """Save the whole page: the app scrolls inside its main block, so grow the viewport to fit it first."""
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height))})
    try:
        page.wait_for_timeout(300)  # let the grid repaint its canvas at the new size
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path, full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(size)
