"""The readiness review as HTML: sessions and reasons present, blocked first, charts embedded, text escaped, offline."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import escape
from html.parser import HTMLParser
from typing import Any

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from dashboard import charts, report
from tests.unit.test_charts import AS_OF, at, checklist

NASTY = "<img src=x onerror=alert(1)>"
GENERATED = datetime(2027, 3, 15, 18, 30, tzinfo=UTC)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


BOARD = [
    checklist("Nobody uploads", group="Class 4B", uploaders=0),
    checklist(NASTY, group="<b>bold</b>", delivery="https://tao.example.org/delivery/<script>", test_takers=0),
    checklist("Not yet open", start=at("2027-04-01T00:00"), end=at("2027-04-10T00:00")),
    checklist("All good"),
    checklist("Crowded", test_takers=120, interactions=5),
]


@pytest.fixture(scope="module")
def html() -> str:
    return report.review_html(BOARD, as_of=AS_OF, generated_at=GENERATED, capacity=40)


def section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}">')
    return html[start:html.index("</section>", start)]


def test_the_moment_and_the_counts_are_stated(html):
    assert "<title>Readiness review as of 16 Mar 2027 07:00 UTC</title>" in html
    assert "generated\n15 Mar 2027 18:30 UTC" in html
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert counts == {"Blocked": "2", "Pending": "1", "Ready": "2", "Paper sessions": "5",
                      "Expected sheets": f"{30 + 0 + 30 + 30 + 600:,}"}


def test_blocked_then_pending_sessions_with_every_reason(html):
    blocked, pending = section(html, "blocked"), section(html, "pending")
    assert "<h2>Blocked sessions (2)</h2>" in blocked and "<h2>Pending sessions (1)</h2>" in pending
    assert html.index('<section id="blocked">') < html.index('<section id="pending">')
    assert "<h3>Nobody uploads</h3>" in blocked and "<h3>Not yet open</h3>" in pending
    for c in BOARD[:3]:
        text = blocked if c.status == "blocked" else pending
        for item in c.items:
            assert (escape(item.detail) in text) == (item.state != "ok")
    assert "✗ problem · Someone can upload scans</strong>: No one in group Class 4B can upload scans" in blocked
    assert "… pending · Scan upload window open</strong>: The scan upload window opens 1 Apr 2027" in pending
    assert "All good" not in blocked + pending and "Crowded" not in blocked + pending  # ready: counted only


def test_each_status_is_marked_in_the_charts_colours(html):
    for status in ("blocked", "pending"):
        assert f'<article class="{status}">' in section(html, status)
    for status, colour in charts.STATUS_COLOURS.items():
        assert f"article.{status}, .counts .{status} {{ border-left: 5px solid {colour}; }}" in html


def test_no_status_bar_marks_an_item_of_a_list(html):
    # A pending item is <li class="pending">: a bare ".pending" rule drew a stray bar inside the list.
    assert '<li class="pending">' in section(html, "pending")
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", parse(html).style)
    marked = [selector.strip() for selectors, body in rules if "border-left: 5px" in body
              for selector in selectors.split(",")]
    assert len(marked) == 2 * len(charts.STATUS_COLOURS)
    assert all(selector.startswith(("article.", ".counts .")) for selector in marked), marked


def test_the_review_is_a_light_page_in_a_dark_browser_too(html):
    # Its charts are SVG in the light palette: the page declares itself light, so that no browser or mail client
    # set to dark darkens it, and sets its own background and text.
    assert '<meta name="color-scheme" content="light">' in html
    style = parse(html).style
    assert ":root { color-scheme: light; background: #fff; }" in style
    assert re.search(r"\nbody \{[^}]*color: #1d1d1f;[^}]*background: #fff;", style)
    light, dark = charts.PALETTES["light"], charts.PALETTES["dark"]
    for name in ("timeline", "volume"):
        assert f'fill="{light.text}"' in section(html, name)  # the subtitles
        assert dark.text not in section(html, name) and dark.ink not in section(html, name)


def test_problems_come_before_pending_items_within_a_session():
    late = checklist("Late", uploaders=0, start=at("2027-04-01T00:00"), end=at("2027-04-10T00:00"))
    page = report.review_html([late], as_of=AS_OF, generated_at=GENERATED, render=lambda chart, prefix: "")
    states = re.findall(r'<li class="(problem|pending)">', section(page, "blocked"))
    assert states == ["problem", "pending"]


def test_warnings_are_listed_with_their_session():
    crowded = checklist("Crowded", test_takers=120, interactions=5, uploaders=0)
    page = report.review_html([crowded], as_of=AS_OF, generated_at=GENERATED, render=lambda chart, prefix: "")
    assert '<li class="warning">⚠ 120 test-takers is more than TAO&#x27;s 100 per booklet PDF' in page


def test_user_text_is_escaped_everywhere(html):
    assert escape(NASTY) in section(html, "blocked")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    tags = {tag for tag, _ in parse(html).tags}
    assert "img" not in tags and "script" not in tags and "b" not in tags
    assert NASTY not in html and "<b>bold" not in html and "<script>" not in html


def test_both_charts_are_embedded_as_inline_svg(html):
    timeline, volume = section(html, "timeline"), section(html, "volume")
    assert timeline.count("<svg") == 1 and volume.count("<svg") == 1
    assert "Scan upload windows" in timeline and "Nobody uploads" in timeline  # the chart's title and a row
    assert "Expected scan volume" in volume and "capacity 40/day" in volume
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert all(ref in ids for ref in re.findall(r"url\(#([^)]+)\)", html))


def test_days_over_capacity_are_listed(html):
    volume = section(html, "volume")
    rows = re.findall(r"<tr><td>([\d-]+)</td><td>([\d,]+)</td><td>([\d,]+)</td></tr>", volume)
    assert rows and all(int(sheets.replace(",", "")) - 40 == int(over.replace(",", "")) for _, sheets, over in rows)
    assert f"{len(rows)} day(s) above the scanner's capacity of 40 sheets:" in volume


def test_nothing_is_fetched_from_elsewhere(html):
    tags = parse(html)
    assert not {"script", "link", "iframe", "object", "embed", "img"} & {tag for tag, _ in tags.tags}
    for _, attrs in tags.tags:
        for name in ("src", "href", "xlink:href", "action", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "data:", "javascript:")), (name, value)
    assert "url(" not in tags.style and "@import" not in tags.style and "@font-face" not in tags.style
    assert "@media print" in tags.style


def test_an_empty_programme_still_makes_a_page():
    page = report.review_html([], as_of=AS_OF, generated_at=GENERATED)
    assert "<svg" not in page
    assert "No session has a complete scan upload window to draw." in page
    assert "No blocked session." in page and "No pending session." in page


def test_without_a_capacity_there_is_no_capacity_table():
    page = report.review_html(BOARD[:1], as_of=AS_OF, generated_at=GENERATED)
    assert "<table>" not in page and "capacity" not in section(page, "volume").split("<svg", 1)[0]


def test_unscheduled_sheets_are_mentioned():
    page = report.review_html([checklist("No window", start=None, end=None)], as_of=AS_OF, generated_at=GENERATED)
    assert "30 expected sheets of 1 session(s) without a complete scan window are on no day." in page


def test_many_sessions_are_drawn_per_group():
    many = [checklist(f"S{i}", group=f"G{i % 4}") for i in range(61)]
    drawn: list[str] = []

    def render(chart: alt.TopLevelMixin | dict[str, Any], prefix: str) -> str:
        spec = chart if isinstance(chart, dict) else chart.to_dict()
        if prefix == "timeline":
            drawn.extend(row["label"] for row in spec["datasets"][spec["layer"][0]["data"]["name"]])
        return ""

    page = report.review_html(many, as_of=AS_OF, generated_at=GENERATED, render=render)
    assert sorted(drawn) == ["G0", "G1", "G2", "G3"]
    assert "61 sessions: one row per group and status" in page


def test_chart_svg_prefixes_ids_and_their_references():
    chart = alt.Chart(pd.DataFrame({"a": [1, 2], "b": [3, 4]})).mark_bar(clip=True).encode(x="a", y="b")
    svg = report.chart_svg(chart, "one")
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(name.startswith("one-") for name in ids)
    assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= set(ids)


def test_the_vega_lite_version_is_one_vl_convert_knows():
    assert report.vl_version() in vlc.get_vegalite_versions()
    assert report.vl_version().split(".")[0] == alt.SCHEMA_VERSION.lstrip("v").split(".")[0]


@pytest.mark.parametrize("imported_at,line", [
    (None, "No activity imported yet: no launch can be seen."),
    (datetime(2027, 3, 16, 9, 12, tzinfo=UTC), "Activity last imported 16 Mar 2027 09:12 UTC."),
])
def test_the_review_says_when_activity_was_last_imported(imported_at, line):
    page = report.review_html(BOARD, as_of=AS_OF, generated_at=GENERATED, activity_imported_at=imported_at,
                              render=lambda chart, prefix: "")
    assert f'<p class="moment">{line}</p>' in page


def test_the_review_has_a_receipt_section_short_sessions_first_only_when_scans_came():
    from dashboard.receipt import ReceiptSnapshot, evaluate_receipts, order_receipts

    closes = AS_OF - timedelta(days=1)
    snapshots = [ReceiptSnapshot("Done 4A", "4A", 10, 10, AS_OF - timedelta(days=9), closes, "Europe/Paris"),
                 ReceiptSnapshot("Short <4B>", "4B", 10, 3, AS_OF - timedelta(days=9), closes, "Europe/Paris")]
    receipts = order_receipts(evaluate_receipts(snapshots, as_of=AS_OF, capacity=None))
    page = report.review_html(BOARD, as_of=AS_OF, generated_at=GENERATED, receipts=receipts,
                              render=lambda chart, prefix: "")
    section = page[page.index('<section id="receipt">'):page.index("</section>", page.index('id="receipt"'))]
    assert "<dt>Complete</dt><dd>1</dd>" in section and "<dt>Partial</dt><dd>1</dd>" in section
    assert "Short &lt;4B&gt;" in section and "Done 4A" not in section  # complete sessions are not listed
    assert "7 pages are missing: the scan upload window closed" in section
    plain = report.review_html(BOARD, as_of=AS_OF, generated_at=GENERATED, render=lambda chart, prefix: "")
    assert 'id="receipt"' not in plain
