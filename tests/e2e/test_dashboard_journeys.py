"""Dashboard journeys in Chromium on the example programme: the overview as of exam day and its shared URL,
a session's checklist from an overview row, the charts and their capacity, the two downloads. (The README's
pictures are ``tests/e2e/pictures.py``'s, ``make screenshots``.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard import services, volume
from dashboard.db import make_engine, session_scope
from dashboard.wording import ITEM_TITLES
from tests.e2e.conftest import Server, open_page, rerun, table_rows

try:
    from playwright.sync_api import Locator, Page, Route, expect
except ImportError:  # the ``browser`` fixture skips (or fails on CI) before any of these is used
    pass

pytestmark = pytest.mark.browser

AS_OF = "2027-03-16T07:00Z"  # exam day, at the hour the example's exams start
TWO_WEEKS_BEFORE = "2027-03-02T07:00Z"
CAPACITY = 250  # sheets per day: a few of the example's busiest days are above it
# The overview grid paints on a canvas: a row is selected by clicking its checkbox in the row-marker column.
# These are Streamlit's default header and row heights (px) and the middle of the marker column.
GRID_HEADER, GRID_ROW, MARKER_X = 35, 35, 16


def board(server: Server, as_of: str, *statuses: str) -> services.Board:
    """What the services say about the server's store at ``as_of`` (the page must show the same)."""
    engine = make_engine(f"sqlite:///{server.store}")
    try:
        with session_scope(engine) as db:
            full = services.readiness_board(db=db, as_of=services.parse_as_of(as_of))
    finally:
        engine.dispose()
    return services.filter_board(full, services.Filters(statuses, (), (), None, None, None))


def counts(shown: services.Board) -> list[str]:
    """The overview's four metrics as the page formats them: ready, pending, blocked, expected sheets."""
    by_status = shown.counts()
    return [f"{by_status[s]:,}" for s in ("ready", "pending", "blocked")] + [
        f"{sum(c.expected_sheets for c in shown.checklists):,}"]


def named(link: str) -> str:
    """The session an overview row's link opens (the grid's accessible table holds the link)."""
    return parse_qs(urlsplit(link).query)["session"][0]


def metric_values(page: Page) -> Locator:
    """The readiness counts: ready, pending, blocked, expected sheets (the receipt's counts are apart)."""
    return page.locator(".st-key-readiness_counts [data-testid='stMetricValue']")


def overview_grid(page: Page) -> Locator:
    return page.get_by_test_id("stDataFrame").first


def expect_rows(grid: Locator, count: int) -> None:
    """Wait until ``grid`` holds ``count`` rows (its accessible table counts the header row too)."""
    expect(grid.locator("table[role='grid']")).to_have_attribute("aria-rowcount", str(count + 1))


def charts(page: Page) -> Locator:
    return page.get_by_test_id("stVegaLiteChart")


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_overview_as_of_exam_day_filtered_to_blocked_is_shared_by_its_url(page: Page, programme: Server) -> None:
    """Moving "as of" to exam day changes the counts; filtered to blocked, the view's URL opens the same view."""
    before, exam_day = board(programme, TWO_WEEKS_BEFORE), board(programme, AS_OF)
    blocked = board(programme, AS_OF, "blocked")
    assert counts(before) != counts(exam_day) and blocked.checklists  # else this journey would prove nothing
    open_page(page, f"{programme.url}/?as_of={TWO_WEEKS_BEFORE}&zone=UTC")
    expect(metric_values(page)).to_have_text(counts(before))

    page.get_by_role("spinbutton", name="day, As of (UTC)").click()  # opens the calendar (with the time)
    page.get_by_role("button", name="Tuesday, March 16, 2027").click()
    with rerun(page):
        page.keyboard.press("Escape")  # closing the calendar applies the day picked in it
    expect(metric_values(page)).to_have_text(counts(exam_day))
    assert query(page)["as_of"] == [AS_OF]
    newly_blocked = {c.session.session_name for c in blocked.checklists} - {
        c.session.session_name for c in before.checklists if c.status == "blocked"}
    assert newly_blocked  # statuses changed, not only the counts

    page.get_by_role("combobox", name="Status").click()
    with rerun(page):
        page.get_by_role("option", name="blocked").click()
    page.keyboard.press("Escape")
    expect(metric_values(page)).to_have_text(counts(blocked))
    caption = f"{len(blocked.checklists):,} of {len(exam_day.checklists):,} paper sessions, blocked first."
    expect(page.get_by_text(caption)).to_be_visible()
    expect_rows(overview_grid(page), len(blocked.checklists))
    rows = table_rows(overview_grid(page))
    names = [c.session.session_name for c in blocked.checklists]
    assert [named(row["session"]) for row in rows] == names[:len(rows)] and len(rows) >= min(len(names), 10)
    assert {row["status"] for row in rows} == {"blocked"}
    assert newly_blocked & {named(row["session"]) for row in rows}
    shared = query(page)
    assert (shared["as_of"], shared["zone"], shared["status"]) == ([AS_OF], ["UTC"], ["blocked"])

    other = page.context.new_page()  # a new tab is a new Streamlit session: only the URL carries the view
    open_page(other, page.url)
    expect(metric_values(other)).to_have_text(counts(blocked))
    expect(other.get_by_text(caption)).to_be_visible()
    expect(other.get_by_role("spinbutton", name="day, As of (UTC)")).to_have_text("16")
    expect_rows(overview_grid(other), len(blocked.checklists))
    assert table_rows(overview_grid(other)) == rows
    assert query(other) == shared


def test_a_row_of_the_overview_opens_its_session_checklist(page: Page, programme: Server) -> None:
    """Selecting a blocked session's row opens the Session page with its whole checklist and the reasons."""
    open_page(page, f"{programme.url}/?as_of={AS_OF}&status=blocked")
    grid = overview_grid(page)
    expect_rows(grid, len(board(programme, AS_OF, "blocked").checklists))
    index = 1  # not the first row, so a click that lands anywhere on the grid is not enough
    name = named(table_rows(grid)[index]["session"])
    with rerun(page):
        grid.click(position={"x": MARKER_X, "y": GRID_HEADER + GRID_ROW * index + GRID_ROW // 2})

    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    assert urlsplit(page.url).path == "/session"
    assert query(page) == {"session": [name], "as_of": [AS_OF]}
    engine = make_engine(f"sqlite:///{programme.store}")
    try:
        with session_scope(engine) as db:
            detail = services.session_detail(db=db, name=name, as_of=services.parse_as_of(AS_OF))
    finally:
        engine.dispose()
    assert detail is not None and detail.checklist.status == "blocked"
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text(f"blocked · group {detail.checklist.session.group_name}")
    expect(page.get_by_role("heading", name="Checklist")).to_be_visible()
    assert [item.item for item in detail.checklist.items] == list(ITEM_TITLES)  # all six items, in order
    problems = [item for item in detail.checklist.items if item.state == "problem"]
    assert problems
    for item in detail.checklist.items:  # its state in words, after an icon of the app's own font
        expect(main).to_contain_text(f"{item.state} {ITEM_TITLES[item.item]}: {item.detail}")


def test_a_session_chosen_under_the_overviews_table_shows_its_checklist_there(page: Page, programme: Server) -> None:
    """Open a session, under the table: the second blocked session's checklist on the overview itself, the table
    still there (the choice reruns only its own part of the page), and a link to its page."""
    open_page(page, f"{programme.url}/?as_of={AS_OF}&status=blocked")
    grid = overview_grid(page)
    expect_rows(grid, len(board(programme, AS_OF, "blocked").checklists))
    name = named(table_rows(grid)[1]["session"])
    box = page.get_by_role("combobox", name="Open a session")
    box.click()
    box.press("ArrowDown")
    with rerun(page):
        page.get_by_role("option").nth(1).click()
    expect(page.get_by_role("heading", name="Checklist")).to_be_visible()
    assert urlsplit(page.url).path == "/" and grid.is_visible()
    main = page.get_by_test_id("stMain")
    for line in ("blocked · group", *ITEM_TITLES.values()):
        expect(main).to_contain_text(line)
    link = page.get_by_role("link", name="Enrolment by role, activity and scans of this session")
    assert parse_qs(urlsplit(link.get_attribute("href") or "").query) == {"session": [name], "as_of": [AS_OF]}
    link.click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    assert urlsplit(page.url).path == "/session"


def test_charts_render_and_a_capacity_lists_the_busy_days(page: Page, programme: Server) -> None:
    """The timeline draws a bar per session and the volume chart its bars; a capacity shades and lists busier days."""
    exam_day = board(programme, AS_OF)
    series = volume.daily_series(exam_day.checklists, capacity=CAPACITY)
    over = list(volume.days_over(series, CAPACITY)["date"])
    assert over and len(over) < len(series)  # some days, not all, so the list means something
    open_page(page, f"{programme.url}/charts?as_of={AS_OF}")
    drawn = charts(page)
    expect(drawn).to_have_count(2)
    timeline, volume_chart = drawn.nth(0), drawn.nth(1)
    # Vega draws lazily: each chart's marks appear in its SVG (or canvas) once the renderer has loaded.
    expect(timeline.locator("svg, canvas").first).to_be_visible()
    expect(volume_chart.locator("svg, canvas").first).to_be_visible()
    bars = timeline.locator("[aria-roledescription='rect mark container']").first.locator("path")
    expect(bars).to_have_count(len(exam_day.checklists))
    for checklist in exam_day.checklists[:3]:
        session = checklist.session.session_name
        expect(bars.and_(timeline.locator(f"[aria-label*='Session: {session};']"))).to_have_count(1)
    expect(volume_chart.locator("[aria-roledescription='rect mark container'] path").first).to_be_attached()
    expect(page.get_by_text("above the capacity")).to_have_count(0)

    capacity = page.get_by_label("Scanner capacity (sheets per day; 0 = none)")
    volume_chart.locator("svg, canvas").first.evaluate("drawing => { window.volumeDrawing = drawing; }")
    with rerun(page):
        capacity.fill(str(CAPACITY))
        capacity.press("Enter")
    warning = f"{len(over)} day(s) above the capacity of {CAPACITY} sheets: {', '.join(over)}."
    expect(page.get_by_text(warning)).to_be_visible()
    # The capacity came as data into the same chart, redrawn in place (not compiled and drawn again).
    assert page.evaluate("window.volumeDrawing.isConnected")
    listed = page.get_by_test_id("stDataFrame").filter(has_text="sheets above capacity")
    expect_rows(listed, len(over))
    assert [row["day (UTC)"] for row in table_rows(listed)] == over
    expect(volume_chart.locator(f"[aria-label*='Scanner: capacity {CAPACITY:,}/day']")).to_have_count(1)
    shaded = volume_chart.locator("[aria-roledescription='rect mark container']").first.locator("path")
    expect(shaded).to_have_count(len(over))
    assert query(page)["capacity"] == [str(CAPACITY)]


def test_the_review_and_the_table_download_and_the_review_opens_offline(
        page: Page, programme: Server, tmp_path: Path) -> None:
    """The overview's CSV lists the blocked sessions; the review HTML shows them with reasons and fetches nothing."""
    blocked = board(programme, AS_OF, "blocked")
    names = [c.session.session_name for c in blocked.checklists]
    open_page(page, f"{programme.url}/?as_of={AS_OF}&status=blocked")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this table as CSV").click()
    assert download.value.suggested_filename == "scanready-readiness.csv"
    table = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [(row["session_name"], row["status"]) for row in table] == [(name, "blocked") for name in names]
    assert all(row[f"{item}_detail"] for row in table for item in ITEM_TITLES)

    open_page(page, f"{programme.url}/charts?as_of={AS_OF}&status=blocked")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the readiness review (HTML)").click()
    assert download.value.suggested_filename == "readiness-review.html"
    report = tmp_path / download.value.suggested_filename
    download.value.save_as(report)

    fetched: list[str] = []

    def refuse(route: Route) -> None:  # the report must not need the network: nothing outside is served
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    reader = page.context.new_page()
    reader.on("request", lambda request: fetched.append(request.url))
    reader.route("**/*", refuse)
    reader.goto(report.as_uri())
    body = reader.locator("body")
    expect(body).to_contain_text(f"{len(names)} of {len(board(programme, AS_OF).checklists)} paper sessions")
    for checklist in blocked.checklists:
        expect(body).to_contain_text(checklist.session.session_name)
        for item in checklist.items:
            if item.state == "problem":
                expect(body).to_contain_text(item.detail)
    expect(reader.locator("svg")).not_to_have_count(0)
    outside = [url for url in fetched if not url.startswith(("file:", "data:"))]
    assert outside == [], outside

    # Once its costly parts are drawn (in a thread, after the page's first run), a new capacity puts the review
    # together in the volume's fragment (the button holds it: tests/app/test_charts_page.py); it has the capacity.
    capacity = page.get_by_label("Scanner capacity (sheets per day; 0 = none)")
    with rerun(page):
        capacity.fill(str(CAPACITY))
        capacity.press("Enter")
    with page.expect_download() as again:
        page.get_by_role("button", name="Download the readiness review (HTML)").click()
    held = Path(again.value.path()).read_text(encoding="utf-8")
    assert f"capacity of {CAPACITY} sheets" in held
    assert held.count('<article class="blocked">') == len(names)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_overview_is_readable_in_the_light_and_the_dark_theme(browser, programme: Server, scheme: str) -> None:
    """The dashboard follows the browser's light or dark setting, with text that contrasts with its background."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        open_page(page, f"{programme.url}/?as_of=2027-03-16T07:00Z")
        expect(metric_values(page).first).to_be_visible()
        colours = page.evaluate("""() => {
            const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number);
            const lum = ([r, g, b]) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
            const app = getComputedStyle(document.querySelector("[data-testid='stApp']"));
            const title = getComputedStyle(document.querySelector("h1"));
            return [lum(rgb(app.backgroundColor)), lum(rgb(title.color))];
        }""")
        background, text = colours
        assert (background < 0.3) if scheme == "dark" else (background > 0.7), colours
        assert abs(background - text) > 0.5  # the title stands out from the page in both themes
    finally:
        context.close()
