"""What issue 14 asked of the pages that only a browser shows, in Chromium on the example programme: no state needs
an emoji font, the overview's glance at 1400 px, a session's name that opens it, Enter in the as-of field, the as-of in
the browser's zone, a session URL naming no session, the charts' table and the search at 500 px, and the way from an
import to the overview."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.ui.tables import reason  # its rule is tested in tests/app/test_glance_pages.py
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RUN_TIMEOUT,
    Server,
    load_example,
    open_page,
    rerun,
    streamlit_server,
    table_rows,
)
from tests.e2e.test_dashboard_journeys import (
    AS_OF,
    TWO_WEEKS_BEFORE,
    board,
    counts,
    expect_rows,
    metric_values,
    query,
)

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError:  # the ``browser`` fixture skips (or fails on CI) before any of these is used
    pass

pytestmark = pytest.mark.browser

# Emoji and the pictographs fonts draw as emoji (without such a font, Chromium draws a box for each).
EMOJI = re.compile("[\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]")
WIDE, NARROW = 1400, 500  # px: a manager's screen, and a phone-sized window
# The overview grid paints on a canvas: Streamlit's header and row heights, the row markers' column and the status
# column ("small") before the session's name, in px.
GRID_HEADER, GRID_ROW, NAME_X = 35, 35, 33 + 75 + 40
CHOPIN_8B = ["History grade 8 - Chopin 8B", "Mathematics grade 8 - Chopin 8B", "Science grade 8 - Chopin 8B"]
# A fontconfig that knows only DejaVu (text, no emoji), whatever fonts the machine has.
_FONTS = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{cache}</cachedir></fontconfig>"""


def new_page(browser: Browser, width: int, **options: str) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)  # type: ignore[arg-type]
    context.set_default_timeout(RUN_TIMEOUT)
    return context.new_page()


@pytest.fixture
def wide(browser: Browser) -> Iterator[Page]:
    page = new_page(browser, WIDE, timezone_id="UTC")
    yield page
    page.context.close()


@pytest.fixture
def narrow(browser: Browser) -> Iterator[Page]:
    page = new_page(browser, NARROW, timezone_id="UTC")
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def without_emoji(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium with DejaVu as its only fonts: it has no glyph for any emoji."""
    folder = tmp_path_factory.mktemp("fonts")
    config = folder / "fonts.conf"
    config.write_text(_FONTS.format(cache=folder / "cache"))
    launched = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                           env={"FONTCONFIG_FILE": str(config), "HOME": str(folder)})
    yield launched
    launched.close()


def grid(page: Page, index: int = 0) -> Locator:
    return page.get_by_test_id("stDataFrame").nth(index)


def headers(table: Locator) -> list[str]:
    """The headers of the columns the grid has drawn: those in view (virtualised, it leaves out the others)."""
    expect(table.locator("table[role='grid'] thead th").first).to_be_attached()
    return table.locator("table[role='grid'] thead th").all_text_contents()


def named(link: str) -> str:
    return parse_qs(urlsplit(link).query)["session"][0]


def as_of_hour(page: Page, zone: str) -> Locator:
    return page.get_by_role("spinbutton", name=f"hour, As of ({zone})")


@pytest.mark.parametrize("path", [f"/?as_of={AS_OF}", f"/session?session=History+grade+8+-+Chopin+8B&as_of={AS_OF}",
                                  f"/charts?as_of={AS_OF}"])
def test_no_state_needs_an_emoji_font(without_emoji: Browser, programme: Server, path: str) -> None:
    """With no emoji font, every state and status still reads: words, and icons from the font the app serves."""
    page = new_page(without_emoji, WIDE)
    try:
        open_page(page, programme.url + path)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_test_id("stDataFrame").first).to_be_visible()
        shown = main.inner_text() + "".join(table.inner_text() for table in main.locator("table[role='grid']").all())
        assert EMOJI.findall(shown) == []
        icons = main.locator("[role='img'][translate='no']")  # Streamlit's Material icons
        fonts = icons.evaluate_all("icons => icons.map(i => getComputedStyle(i).fontFamily)")
        assert set(fonts) <= {'"Material Symbols Rounded"'}
        if fonts:
            assert page.evaluate("() => document.fonts.check('16px \"Material Symbols Rounded\"', 'check_circle')")
        status = page.get_by_role("combobox", name="Status")
        if status.count():
            status.click()
            assert page.get_by_role("option").all_inner_texts()[-3:] == ["ready", "pending", "blocked"]
    finally:
        page.context.close()


def test_at_1400_px_the_glance_columns_are_in_view(wide: Page, programme: Server) -> None:
    """Status, name, the six items and when the window closes fit a 1400 px window; the reason follows them."""
    open_page(wide, f"{programme.url}/?as_of={AS_OF}&status=blocked")
    overview = grid(wide)
    # The reason's column is drawn, so the one before it ("window closes") is whole.
    assert headers(overview)[:10] == ["status", "session", "enrolled", "uploader", "launched", "submitted", "window",
                                      "schedule", "window closes", "reason"]
    blocked = board(programme, AS_OF, "blocked").checklists
    rows = table_rows(overview)
    assert [(named(row["session"]), row["reason"]) for row in rows] == [
        (c.session.session_name, reason(c)) for c in blocked[:len(rows)]]
    assert {row[header] for row in rows for header in ("enrolled", "uploader", "launched", "window")} <= {
        "ok", "pending", "problem"}


def test_clicking_a_sessions_name_opens_its_checklist_at_the_same_as_of_and_zone(wide: Page, programme: Server) -> None:
    open_page(wide, f"{programme.url}/?as_of={AS_OF}&zone=Europe/Warsaw&status=blocked")
    overview = grid(wide)
    expect(overview.locator("table[role='grid']")).to_have_attribute(
        "aria-rowcount", str(len(board(programme, AS_OF, "blocked").checklists) + 1))
    index = 1
    name = named(table_rows(overview)[index]["session"])
    overview.scroll_into_view_if_needed()  # the filters and counts above it may fill the window
    box = overview.bounding_box()
    assert box is not None
    x, y = box["x"] + NAME_X, box["y"] + GRID_HEADER + GRID_ROW * index + GRID_ROW // 2
    wide.mouse.move(x, y)  # the grid follows a link only under the pointer
    with wide.context.expect_page() as opened:
        wide.mouse.click(x, y)
    session = opened.value
    open_page(session, session.url)
    assert urlsplit(session.url).path == "/session"
    assert query(session) == {"session": [name], "as_of": [AS_OF], "zone": ["Europe/Warsaw"]}
    expect(session.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(as_of_hour(session, "Europe/Warsaw")).to_have_text("08")  # 07:00 UTC, read in Warsaw


def test_enter_in_the_as_of_field_applies_the_typed_moment(wide: Page, programme: Server) -> None:
    before, exam_day = board(programme, TWO_WEEKS_BEFORE), board(programme, AS_OF)
    assert counts(before) != counts(exam_day)
    open_page(wide, f"{programme.url}/?as_of={TWO_WEEKS_BEFORE}&zone=UTC")
    expect(metric_values(wide)).to_have_text(counts(before))
    wide.get_by_role("spinbutton", name=re.compile(r"^day, As of")).first.click()  # the as-of's day
    wide.keyboard.type("16")  # 2 March becomes 16 March; the hour is next
    with rerun(wide):
        wide.keyboard.press("Enter")
    expect(metric_values(wide)).to_have_text(counts(exam_day))
    assert query(wide)["as_of"] == [AS_OF]


def test_the_as_of_reads_in_the_browsers_zone_until_another_is_chosen(browser: Browser, programme: Server) -> None:
    page = new_page(browser, WIDE, timezone_id="Europe/Warsaw")
    try:
        open_page(page, f"{programme.url}/?as_of={AS_OF}")
        expect(as_of_hour(page, "Europe/Warsaw")).to_have_text("08")
        zone = page.get_by_role("combobox", name="Zone of the as-of")
        expect(zone).to_have_value("Your browser's zone (Europe/Warsaw)")
        shown = counts(board(programme, AS_OF))
        zone.click()
        with rerun(page):
            page.get_by_role("option", name="UTC", exact=True).click()
        expect(as_of_hour(page, "UTC")).to_have_text("07")  # the same moment, read in UTC
        assert (query(page)["as_of"], query(page)["zone"]) == ([AS_OF], ["UTC"])
        expect(metric_values(page)).to_have_text(shown)
    finally:
        page.context.close()


def test_a_session_url_naming_no_session_says_so_and_offers_the_search(wide: Page, programme: Server) -> None:
    open_page(wide, f"{programme.url}/session?session=History+grade+9+-+Nowhere&as_of={AS_OF}")
    expect(wide.get_by_role("alert").filter(has_text="No paper session named “History grade 9 - Nowhere” is "
                                                     "stored")).to_be_visible()
    assert query(wide)["session"] == ["History grade 9 - Nowhere"]  # not rewritten to another session
    expect(wide.get_by_role("heading", name="Checklist")).to_have_count(0)
    wide.get_by_role("combobox", name="Session").fill("Chopin 8B")
    with rerun(wide):
        wide.get_by_role("option", name="History grade 8 - Chopin 8B").click()
    expect(wide.get_by_role("heading", name="History grade 8 - Chopin 8B", exact=True)).to_be_visible()
    assert query(wide)["session"] == ["History grade 8 - Chopin 8B"]


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_the_charts_table_shows_each_sessions_sheets_whole(browser: Browser, programme: Server, width: int) -> None:
    page = new_page(browser, width, timezone_id="UTC")
    try:
        open_page(page, f"{programme.url}/charts?as_of={AS_OF}")
        table = grid(page)
        assert headers(table)[:4] == ["session", "status", "sheets", "window opens"]  # so the sheets are whole
        sheets = {c.session.session_name: c.expected_sheets for c in board(programme, AS_OF).checklists}
        assert {row["session"]: row["sheets"] for row in table_rows(table)} == {
            row["session"]: f"{sheets[row['session']]:,}" for row in table_rows(table)}
    finally:
        page.context.close()


def test_at_500_px_the_search_box_finds_sessions_and_the_url_keeps_it(narrow: Page, programme: Server) -> None:
    open_page(narrow, f"{programme.url}/?as_of={AS_OF}")
    search = narrow.get_by_role("textbox", name="Search sessions")
    expect(search).to_be_visible()
    search.fill("chopin 8b")
    with rerun(narrow):
        search.press("Enter")
    overview = grid(narrow)
    expect(overview.locator("table[role='grid']")).to_have_attribute("aria-rowcount", str(len(CHOPIN_8B) + 1))
    assert sorted(named(row["session"]) for row in table_rows(overview)) == CHOPIN_8B
    assert query(narrow)["search"] == ["chopin 8b"]


def test_an_import_says_so_once_and_leads_to_the_overview(page: Page, empty_server: Server) -> None:
    open_page(page, f"{empty_server.url}/import")
    with rerun(page):
        page.get_by_role("button", name="Load example programme").click()
    expect(page.get_by_text("Imported: 36 sessions created").first).to_be_visible()
    expect(page.get_by_test_id("stToast")).to_have_count(0)
    with rerun(page):
        page.get_by_role("link", name="See the readiness overview").click()
    expect(page.get_by_role("heading", name="Readiness overview")).to_be_visible()
    expect(metric_values(page)).to_have_count(4)


def test_beyond_the_choices_limit_the_group_filter_comes_when_turned_on(wide: Page, tmp_path, monkeypatch) -> None:
    """A programme with more groups than ``SCANREADY_FILTER_CHOICES``: the overview shows a toggle instead of the
    Group and Delivery lists; turned on, they appear and filter; turned off, the whole table is back and the URL
    forgets the group."""
    monkeypatch.setenv("SCANREADY_FILTER_CHOICES", "3")  # the example programme has more groups than that
    with streamlit_server(tmp_path) as server:
        load_example(server)
        exam_day = board(server, AS_OF)
        chopin = [c.session.session_name for c in exam_day.checklists if c.session.group_name == "Chopin 8B"]
        assert sorted(chopin) == CHOPIN_8B
        open_page(wide, f"{server.url}/?as_of={AS_OF}&zone=UTC")
        expect(metric_values(wide)).to_have_text(counts(exam_day))
        expect(wide.get_by_role("combobox", name="Group")).to_have_count(0)
        with rerun(wide):
            wide.get_by_text("Filter by group or delivery").click()
        expect(wide.get_by_role("combobox", name="Delivery")).to_have_count(1)
        wide.get_by_role("combobox", name="Group").click()
        with rerun(wide):
            wide.get_by_role("option", name="Chopin 8B").click()
        wide.keyboard.press("Escape")
        expect(wide.get_by_text(f"3 of {len(exam_day.checklists):,} paper sessions, blocked first.")).to_be_visible()
        expect_rows(grid(wide), 3)
        assert sorted(named(row["session"]) for row in table_rows(grid(wide))) == CHOPIN_8B
        assert query(wide)["group"] == ["Chopin 8B"]
        with rerun(wide):
            wide.get_by_text("Filter by group or delivery").click()
        expect(wide.get_by_role("combobox", name="Group")).to_have_count(0)
        expect(metric_values(wide)).to_have_text(counts(exam_day))
        expect_rows(grid(wide), len(exam_day.checklists))
        assert "group" not in query(wide)
