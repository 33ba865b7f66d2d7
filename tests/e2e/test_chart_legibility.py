"""The charts as Chromium draws them, in the light and the dark colour scheme, wide and at 500 px: what only a
browser shows (Streamlit's theme, the computed colours, the widths Vega settles on) on the example programme.

Colours are read from the rendered SVG (Streamlit has Vega draw these charts as SVG below 2,000 data points a
mark, which the example is far from) and measured with WCAG 2's contrast ratio against the background Chromium
computes behind the chart: 4.5:1 for text, 3:1 for the marks a reader must see (WCAG 1.4.3 and 1.4.11).

With ``SCANREADY_CHART_SHOTS=FOLDER`` the journeys also save what they measured, as PNGs, into that folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from dashboard import charts, volume
from dashboard.report import review_html
from tests.e2e.conftest import RUN_TIMEOUT, Server, open_page, rerun, screenshot
from tests.e2e.test_dashboard_journeys import AS_OF, CAPACITY, board

try:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
except ImportError:  # the ``browser`` fixture skips (or fails on CI) before any of these is used
    pass

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SCANREADY_CHART_SHOTS")
WIDE, NARROW = 1400, 500  # px: a manager's screen, and a phone-sized window
EARLY = "2027-03-02T07:00Z"  # inside the first session's window: its bar runs under the as-of rule's top
TEXT, MARK = 4.5, 3.0  # the least contrast ratio of annotation text, and of a mark that carries meaning

# A chart's background as Chromium computes it: the SVG's own, else the first opaque one of its ancestors.
_BACKGROUND = """element => {
    for (let node = element; node; node = node.parentElement) {
        const colour = getComputedStyle(node).backgroundColor;
        if (colour && colour !== 'transparent' && !colour.endsWith(', 0)')) return colour;
    }
    return 'rgb(255, 255, 255)';
}"""
# Each item's text (or its mark's name) with its computed paint.
_PAINTS = """(items, property) => items.map(item => [item.textContent || item.tagName,
                                                  getComputedStyle(item)[property]])"""
_BOXES = """items => items.map(item => {
    const box = item.getBoundingClientRect();
    return [box.left, box.top, box.right, box.bottom];
})"""


@pytest.fixture
def open_at(browser: Browser) -> Iterator[Callable[[str, int], Page]]:
    """Pages in a fresh context of the given colour scheme and window width (px); closed after the test."""
    contexts: list[BrowserContext] = []

    def make(scheme: str, width: int) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      color_scheme=scheme)  # type: ignore[arg-type]
        context.set_default_timeout(RUN_TIMEOUT)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def luminance(css: str) -> float:
    """WCAG 2's relative luminance of a computed colour ("rgb(r, g, b)" or "rgba(r, g, b, a)")."""
    channels = [float(part) / 255 for part in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize(("css", "other", "ratio"), [
    ("rgb(0, 0, 0)", "rgb(255, 255, 255)", 21.0), ("rgb(255, 255, 255)", "rgb(255, 255, 255)", 1.0),
    ("rgb(118, 118, 118)", "rgba(255, 255, 255, 1)", 4.54),  # the lightest grey that passes on white
])
def test_the_contrast_ratio_is_wcags(css: str, other: str, ratio: float) -> None:
    assert round(contrast(css, other), 2) == ratio


def charts_page(page: Page, url: str, *, query: str = "") -> tuple[Locator, Locator]:
    """Open the charts page on the example and wait until Vega has drawn both charts: (timeline, volume)."""
    open_page(page, f"{url}/charts?as_of={AS_OF}{query}")
    drawn = page.get_by_test_id("stVegaLiteChart")
    expect(drawn).to_have_count(2)
    for chart in (drawn.nth(0), drawn.nth(1)):
        expect(chart.locator("[aria-roledescription='rect mark container'] path").first).to_be_attached()
    return drawn.nth(0), drawn.nth(1)


def marks(chart: Locator, kind: str, *, nth: int = 0) -> Locator:
    """The items of the ``nth`` mark of ``kind`` ("text", "rule", "rect", "line", "symbol") in ``chart``."""
    return chart.locator(f"[aria-roledescription='{kind} mark container']").nth(nth).locator("text, path, line")


def paints(items: Locator, property: str) -> list[tuple[str, str]]:
    return [(str(name), str(paint)) for name, paint in items.evaluate_all(_PAINTS, property)]


def save(page: Page, name: str) -> None:
    if SHOTS:
        screenshot(page, Path(SHOTS) / name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_annotations_read_in_both_colour_schemes(open_at: Callable[[str, int], Page], programme: Server,
                                                 scheme: str, width: int) -> None:
    """Subtitles, the as-of label and the capacity label reach 4.5:1 on the chart's background, whole (not cut
    short by Vega's "…"); the submission ticks, the as-of rule, the capacity rule and the running total 3:1."""
    page = open_at(scheme, width)
    timeline, volume_chart = charts_page(page, programme.url, query=f"&capacity={CAPACITY}")
    expect(volume_chart.locator(f"text:text-is('capacity {CAPACITY:,}/day')")).to_have_count(1)
    texts = {"subtitle": [], "as-of label": paints(marks(timeline, "text"), "fill"),
             "capacity label": paints(marks(volume_chart, "text"), "fill")}
    for chart in (timeline, volume_chart):
        texts["subtitle"] += paints(chart.locator("[aria-roledescription='subtitle'] text"), "fill")
    drawn = {"submission ticks": paints(marks(timeline, "rect", nth=1), "fill"),
             "as-of rule": paints(marks(timeline, "rule"), "stroke"),
             "capacity rule": paints(marks(volume_chart, "rule"), "stroke"),
             "running total": paints(marks(volume_chart, "line"), "stroke")}
    save(page, f"charts-{scheme}-{width}.png")
    assert [name for name, _ in texts["as-of label"]] == ["as of 16 Mar 2027 07:00 UTC"]
    assert len(texts["subtitle"]) == 2 and all(drawn.values())  # a subtitle's lines are one text
    assert not [name for items in texts.values() for name, _ in items if "…" in name]
    background = timeline.locator("svg").first.evaluate(_BACKGROUND)
    assert volume_chart.locator("svg").first.evaluate(_BACKGROUND) == background
    if scheme == "dark":  # else this journey would not be in the dark scheme at all
        assert luminance(background) < 0.05
    weak = [(kind, name, paint, round(contrast(paint, background), 2)) for kind, items in texts.items()
            for name, paint in items if contrast(paint, background) < TEXT]
    weak += [(kind, name, paint, round(contrast(paint, background), 2)) for kind, items in drawn.items()
             for name, paint in items if contrast(paint, background) < MARK]
    assert not weak, f"too little contrast on {background}: {weak}"


def overlaps(one: list[float], two: list[float]) -> bool:
    """Whether two boxes (left, top, right, bottom) share more than their edge."""
    return one[0] < two[2] and two[0] < one[2] and one[1] < two[3] and two[1] < one[3]


def test_the_as_of_label_is_over_no_bar(open_at: Callable[[str, int], Page], programme: Server) -> None:
    """Even when "as of" falls inside the first row's window, its label is not drawn over a bar."""
    page = open_at("light", WIDE)
    open_page(page, f"{programme.url}/charts?as_of={EARLY}")
    timeline = page.get_by_test_id("stVegaLiteChart").first
    bars = marks(timeline, "rect")
    expect(bars).to_have_count(len(board(programme, EARLY).checklists))
    label = marks(timeline, "text")
    expect(label).to_have_text("as of 2 Mar 2027 07:00 UTC")
    box = label.evaluate_all(_BOXES)[0]
    bar_boxes = bars.evaluate_all(_BOXES)
    first = bar_boxes[0]  # the first row's bar runs under the rule: the old label sat on it
    assert first[0] < box[0] - 4 < first[2], (first, box)
    assert not [bar for bar in bar_boxes if overlaps(bar, box)], box


def test_a_few_sessions_get_a_timeline_of_the_minimum_height(open_at: Callable[[str, int], Page],
                                                             programme: Server) -> None:
    """Six sessions (two groups) are spread over the timeline's minimum height (at 18 px a row: 108 px)."""
    page = open_at("light", WIDE)
    open_page(page, f"{programme.url}/charts?as_of={AS_OF}&group=Chopin+8B&group=Curie+8A")
    timeline = page.get_by_test_id("stVegaLiteChart").first
    expect(marks(timeline, "rect")).to_have_count(6)
    plot = timeline.locator(".role-frame.root path.background").first  # the plot area, under the axes
    assert plot.evaluate("path => path.getBoundingClientRect().height") >= charts.MIN_PLOT_HEIGHT
    save(page, "charts-light-1400-six-sessions.png")


def test_a_pick_does_not_dim_the_bars_of_another_grouping(open_at: Callable[[str, int], Page],
                                                          programme: Server) -> None:
    """Click a bar: the others dim. Switch "One row per" to groups: no bar is picked there, none stays dim."""
    page = open_at("light", WIDE)
    timeline, _ = charts_page(page, programme.url)
    bars = marks(timeline, "rect")
    opacities = "items => items.map(item => getComputedStyle(item).opacity)"
    with rerun(page):
        bars.first.click()
    dimmed = bars.evaluate_all(opacities)
    assert dimmed[0] == "1" and set(dimmed[1:]) == {"0.3"}, dimmed
    with rerun(page):
        page.get_by_text("group and status", exact=True).click()
    rows = charts.timeline_frame(board(programme, AS_OF).checklists, by="group")
    expect(bars).to_have_count(int((rows["start"].notna() & rows["end"].notna()).sum()))
    page.wait_for_timeout(300)  # the old pick is restored as Vega draws: give a stale one time to dim
    assert set(bars.evaluate_all(opacities)) == {"1"}


def test_at_500_px_each_days_bar_is_wider_than_two_pixels(open_at: Callable[[str, int], Page],
                                                          programme: Server) -> None:
    """The example's 75 days in a 500 px window: each day's bar of the volume chart at least 3 px wide."""
    _, volume_chart = charts_page(open_at("light", NARROW), programme.url)
    bars = marks(volume_chart, "rect", nth=1)  # after the days above capacity (none without a capacity)
    widths = bars.evaluate_all("items => items.map(item => item.getBoundingClientRect().width)")
    assert widths and min(widths) >= 3, min(widths)


@pytest.mark.parametrize(("scheme", "width"), [("light", WIDE), ("dark", NARROW)])
def test_stacked_by_group_the_legend_names_every_group_in_full(open_at: Callable[[str, int], Page],
                                                               programme: Server, scheme: str, width: int) -> None:
    """Stacked by the example's 12 groups, the volume's legend shows each name whole, inside the chart."""
    page = open_at(scheme, width)
    _, volume_chart = charts_page(page, programme.url)
    with rerun(page):
        page.get_by_text("group", exact=True).last.click()
    legend = volume_chart.locator("[aria-roledescription='legend'] .role-legend-label text")
    groups = sorted(volume.volume_by_day(board(programme, AS_OF).checklists, by="group")["group"].unique())
    expect(legend).to_have_count(len(groups))
    assert sorted(legend.all_text_contents()) == groups
    right = volume_chart.locator("svg").first.evaluate("svg => svg.getBoundingClientRect().right")
    assert max(box[2] for box in legend.evaluate_all(_BOXES)) <= right
    save(page, f"charts-{scheme}-{width}-by-group.png")


def test_the_review_stays_light_and_legible_in_a_dark_browser(open_at: Callable[[str, int], Page],
                                                              programme: Server, tmp_path: Path) -> None:
    """The review is a light page in a dark-mode browser: its chart texts reach 4.5:1 on it, its "as of" label
    is over no bar, and no stray bar marks the items of its pending list."""
    shown = board(programme, EARLY)
    page_file = tmp_path / "review.html"
    page_file.write_text(review_html(shown.checklists, as_of=shown.as_of, generated_at=datetime.fromisoformat(
        "2027-03-02T07:00:00+00:00"), capacity=CAPACITY), encoding="utf-8")
    reader = open_at("dark", 1200)
    reader.goto(page_file.as_uri())
    if SHOTS:
        reader.screenshot(path=Path(SHOTS) / "review-dark.png", full_page=True)
    background = reader.locator("body").evaluate(_BACKGROUND)
    assert luminance(background) > 0.9, background
    figures = reader.locator("figure svg")
    expect(figures).to_have_count(2)
    weak = [(name, paint) for name, paint in paints(figures.locator("text"), "fill")
            if contrast(paint, background) < TEXT]
    assert not weak, weak
    items = reader.locator("article li")
    expect(items.first).to_be_attached()
    assert set(items.evaluate_all("items => items.map(item => getComputedStyle(item).borderLeftWidth)")) == {"0px"}
    label = marks(figures.first, "text")
    expect(label).to_have_text("as of 2 Mar 2027 07:00 UTC")
    box = label.evaluate_all(_BOXES)[0]
    assert not [bar for bar in marks(figures.first, "rect").evaluate_all(_BOXES) if overlaps(bar, box)], box
