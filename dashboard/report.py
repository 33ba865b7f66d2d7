"""The readiness review: one self-contained HTML page to take to the meeting (opens offline, prints well).

Owns: the page's HTML (the moment, the counts, both charts, every blocked then pending session with its reasons
and warnings) and the charts' rendering to inline SVG with vl-convert. Static SVG rather than Vega's JavaScript:
no 1 MB script bundle in every file, nothing to execute when a reviewer opens an attachment, crisp vector charts
on paper, and the same picture in every browser, mail client and PDF printer.

Every piece of user text goes through ``html.escape``; the SVG comes from vl-convert, which escapes its text
itself. Nothing here reads the clock (``generated_at`` is an argument). Must not import: streamlit, the database,
``dashboard.services``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from dashboard import charts, volume
from dashboard.readiness import Checklist
from dashboard.receipt import ReceiptDay, SessionReceipt
from dashboard.svg import Renderer, spec_svg
from dashboard.wording import ITEM_TITLES, format_moment

Render = Callable[[alt.TopLevelMixin | dict[str, Any], str], str]
STATE_MARK = {"problem": "✗ problem", "pending": "… pending", "ok": "✓ ok"}

# A light page, also in a browser or mail client set to dark: the charts are drawn in their light palette (an
# SVG cannot follow the reader's scheme and still print the same), so the page says it is light
# (``color-scheme``, which keeps the browser from darkening it) and sets its own background and text colours.
_CSS = """
:root { color-scheme: light; background: #fff; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1d1d1f;
       background: #fff; max-width: 1100px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { margin: 0 0 .25rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
h3 { margin: 0 0 .25rem; font-size: 1.05rem; overflow-wrap: anywhere; }
.moment { color: #444; margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0 0; padding: 0; }
.counts div { border: 1px solid #ccc; border-radius: 6px; padding: .4rem .9rem; min-width: 7rem; }
.counts dt { font-size: .8rem; color: #555; } .counts dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
figure { margin: 1rem 0; } figure svg { width: 100%; max-width: 1000px; height: auto; }
.note { color: #555; font-size: .9rem; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: .2rem .6rem; text-align: right; }
td.text, table.receipt td:first-child, table.receipt td:nth-child(2) { text-align: left; }
article { padding: .4rem .8rem; margin: .8rem 0; background: #fafafa; }
article .meta { color: #444; font-size: .9rem; margin: 0 0 .3rem; overflow-wrap: anywhere; }
article ul { margin: .2rem 0; padding-left: 1.2rem; } .warning { color: #6b4e00; }
@media print {
  body { font-size: 10.5pt; margin: 0; max-width: none; }
  h2 { break-after: avoid; } article, figure, .counts { break-inside: avoid; }
  article { background: none; border: 1px solid #999; }
  @page { size: A4 landscape; margin: 12mm; }
}
"""
# A session's card and its count carry the status colour; an item of its list has a class of the same name
# (pending), which a bare ".pending" would mark with a stray bar.
_CSS += "".join(f"article.{status}, .counts .{status} {{ border-left: 5px solid {colour}; }}\n"
                for status, colour in charts.STATUS_COLOURS.items())


@cache
def vl_version() -> str:
    """The Vega-Lite version vl-convert should read Altair's specs as: Altair's own, else the newest of its major."""
    ours = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    known = vlc.get_vegalite_versions()
    if ours in known:
        return ours
    same_major = [v for v in known if v.split(".")[0] == ours.split(".")[0]]
    return same_major[-1] if same_major else known[-1]


def chart_svg(chart: alt.TopLevelMixin | dict[str, Any], prefix: str) -> str:
    """``chart`` (or its spec) as an inline ``<svg>``, its ids prefixed so two charts on one page never share one."""
    return spec_svg(chart if isinstance(chart, dict) else chart.to_dict(), prefix, vl_version())


def drawn_by(renderer: Renderer) -> Render:
    """``chart_svg``, drawn by ``renderer`` (a process of its own), or here once that process has died."""
    def render(chart: alt.TopLevelMixin | dict[str, Any], prefix: str) -> str:
        spec = chart if isinstance(chart, dict) else chart.to_dict()
        try:
            return renderer.draw(spec, prefix, vl_version())
        except (EOFError, BrokenPipeError):
            return spec_svg(spec, prefix, vl_version())
    return render


def _counts(checklists: Sequence[Checklist]) -> str:
    counts = Counter(c.status for c in checklists)
    sheets = sum(c.expected_sheets for c in checklists)
    cells = [("blocked", "Blocked", counts["blocked"]), ("pending", "Pending", counts["pending"]),
             ("ready", "Ready", counts["ready"]), ("", "Paper sessions", len(checklists)),
             ("", "Expected sheets", sheets)]
    return '<dl class="counts">' + "".join(
        f'<div class="{kind}"><dt>{label}</dt><dd>{value:,}</dd></div>' for kind, label, value in cells) + "</dl>"


@dataclass(frozen=True, slots=True)
class Frames:
    """What the review draws, when the caller has it already (the dashboard caches it): the timeline's rows (of
    ``charts.rows_by``'s grouping), the volume series with the capacity, the volume stacked by status, and the
    volume's shape as a spec, with the pages received or without (``charts.volume_shape`` by status, light)."""

    timeline: pd.DataFrame
    series: pd.DataFrame
    by_day: pd.DataFrame
    volume_shape: Callable[[bool], dict[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    """The review's timeline before it is drawn: its spec (None when no session has a complete window to draw)
    and the notes under it (HTML)."""

    spec: dict[str, Any] | None
    notes: str


def timeline_of(checklists: Sequence[Checklist], as_of: datetime, frame: pd.DataFrame | None = None) -> Timeline:
    """The review's timeline of ``checklists`` (``frame``: ``charts.timeline_frame``'s rows of ``charts.rows_by``'s
    grouping, when the caller has them): the first page of rows, in the light scheme."""
    if not any(c.session.scan_upload_start and c.session.scan_upload_end for c in checklists):
        return Timeline(None, '<p class="note">No session has a complete scan upload window to draw.</p>')
    by = charts.rows_by(checklists)
    frame = charts.timeline_frame(checklists, by=by) if frame is None else frame
    rows = frame["label"].nunique()
    shown = charts.page_of(frame, 1)
    notes = [] if by == "session" else [f"{len(checklists):,} sessions: one row per {by} and status, from the "
                                        "earliest window start to the latest end."]
    if rows > shown["label"].nunique():
        notes.append(f"The first {shown['label'].nunique():,} of {rows:,} {by}s; the dashboard's Charts page "
                     "shows the rest.")
    spec = charts.timeline_chart(shown, as_of=as_of, by=by, theme="light").to_dict()
    return Timeline(spec, "".join(f'<p class="note">{escape(text)}</p>' for text in notes))


def _volume(checklists: Sequence[Checklist], capacity: int | None, render: Render,
            received: Sequence[ReceiptDay] | None = None, frames: Frames | None = None) -> str:
    series = volume.daily_series(checklists, capacity=capacity) if frames is None else frames.series
    parts = []
    if series.empty:
        parts.append('<p class="note">No sheets are expected on any day (no session has both a scan window '
                     "and expected sheets).</p>")
    else:
        by_day = volume.volume_by_day(checklists) if frames is None else frames.by_day
        chart: alt.TopLevelMixin | dict[str, Any]
        if frames is None or frames.volume_shape is None:
            chart = charts.volume_chart(by_day, series, capacity=capacity, theme="light", received=received)
        else:
            data = charts.volume_data(by_day, series, capacity=capacity, received=received)
            chart = charts.volume_spec(frames.volume_shape(charts.RECEIVED_DATA in data), data)
        parts.append(f"<figure>{render(chart, 'volume')}</figure>")
    if capacity is not None:
        over = volume.days_over(series, capacity)
        if over.empty:
            parts.append(f"<p>No day is above the scanner's capacity of {capacity:,} sheets.</p>")
        else:
            rows = "".join(f"<tr><td>{escape(str(r.date))}</td><td>{r.expected_sheets:,}</td><td>{r.over_by:,}</td>"
                           "</tr>" for r in over.itertuples())
            parts.append(f"<p>{len(over):,} day(s) above the scanner's capacity of {capacity:,} sheets:</p>"
                         f"<table><thead><tr><th>UTC day</th><th>sheets</th><th>over by</th></tr></thead>"
                         f"<tbody>{rows}</tbody></table>")
    sessions, sheets = volume.unscheduled(checklists)
    if sessions:
        parts.append(f'<p class="note">{sheets:,} expected sheets of {sessions:,} session(s) without a complete '
                     "scan window are on no day.</p>")
    return "".join(parts)


def _receipts(receipts: Sequence[SessionReceipt]) -> str:
    """The scans received: the counts, then every session not complete, short ones first, with its sentence."""
    counts = Counter(entry.receipt.state for entry in receipts)
    at_risk = sum(entry.receipt.at_risk for entry in receipts)
    cells = [("Complete", counts["complete"]), ("Partial", counts["partial"]), ("Nothing yet", counts["none"]),
             ("Over", counts["over"]), ("At risk", at_risk)]
    summary = '<dl class="counts">' + "".join(f"<div><dt>{label}</dt><dd>{value:,}</dd></div>"
                                             for label, value in cells) + "</dl>"
    rows = "".join(f"<tr><td>{escape(e.session_name)}</td><td>{escape(e.group_name)}</td>"
                   f"<td>{e.receipt.received:,} / {e.receipt.target:,}</td><td>{e.receipt.state}"
                   f"{' · at risk' if e.receipt.at_risk else ''}</td><td class=\"text\">{escape(e.receipt.detail)}</td>"
                   "</tr>" for e in receipts if e.receipt.state != "complete")
    table = (f'<table class="receipt"><thead><tr><th>session</th><th>group</th><th>received / target</th>'
             f"<th>state</th><th>what to know</th></tr></thead><tbody>{rows}</tbody></table>" if rows
             else '<p class="note">Every session has received its pages.</p>')
    return summary + table


def _session(checklist: Checklist) -> str:
    s = checklist.session
    window = (f"scan window {format_moment(s.scan_upload_start, s.timezone)} to "
              f"{format_moment(s.scan_upload_end, s.timezone)}" if s.scan_upload_start and s.scan_upload_end
              else "scan window not set")
    meta = (f"group {s.group_name} · delivery {s.delivery_id} · {window} · {s.test_takers:,} enrolled, "
            f"{checklist.expected_sheets:,} sheets expected")
    open_items = sorted((i for i in checklist.items if i.state != "ok"), key=lambda i: i.state != "problem")
    items = "".join(f'<li class="{i.state}"><strong>{STATE_MARK[i.state]} · {ITEM_TITLES[i.item]}</strong>: '
                    f"{escape(i.detail)}</li>" for i in open_items)
    warnings = "".join(f'<li class="warning">⚠ {escape(text)}</li>' for text in checklist.warnings)
    return (f'<article class="{checklist.status}"><h3>{escape(s.session_name)}</h3>'
            f'<p class="meta">{escape(meta)}</p><ul>{items}{warnings}</ul></article>')


def _sessions(checklists: Sequence[Checklist], status: str, title: str) -> str:
    chosen = [c for c in checklists if c.status == status]
    body = "".join(_session(c) for c in chosen) or f'<p class="note">No {status} session.</p>'
    return f'<section id="{status}"><h2>{title} ({len(chosen):,})</h2>{body}</section>'


@dataclass(frozen=True, slots=True)
class Drawn:
    """The parts of a review that the scanner's capacity and the clock leave alone, and its costly ones (0.25 s
    of 0.45 s at 10,000 sessions): the timeline drawn and every blocked then pending session's section, the
    latter in UTF-8 (a ✗ or a name beyond Latin-1 makes a str of it two or four bytes a character: 17 MB, not
    9 MB, at 10,000 sessions; the dashboard keeps a few)."""

    timeline: str
    sessions: bytes


def drawn_parts(checklists: Sequence[Checklist], timeline: Timeline, *, render: Render = chart_svg) -> Drawn:
    """The review's ``Drawn`` parts of ``checklists`` and their ``timeline_of``. Builds no Altair chart, so that
    the dashboard can draw them in a thread of its own while a page runs (Streamlit switches Altair's data
    transformer, a setting of the whole process, while it turns a page's chart into a spec)."""
    ready = sum(c.status == "ready" for c in checklists)
    sessions = (f'{_sessions(checklists, "blocked", "Blocked sessions")}\n'
                f'{_sessions(checklists, "pending", "Pending sessions")}\n'
                f'<p class="note">{ready:,} ready session(s) are not listed: every check\npasses for them.</p>'
                ).encode()
    figure = ("" if timeline.spec is None else f"<figure>{render(timeline.spec, 'timeline')}</figure>")
    return Drawn(figure + timeline.notes, sessions)


def review_html(checklists: Sequence[Checklist], *, as_of: datetime, generated_at: datetime,
                capacity: int | None = None, scope: str | None = None, activity_imported_at: datetime | None = None,
                receipts: Sequence[SessionReceipt] | None = None, received: Sequence[ReceiptDay] | None = None,
                frames: Frames | None = None, render: Render = chart_svg, drawn: Drawn | None = None) -> str:
    """The whole review as one HTML document: counts, both charts, the scans received (when any was imported:
    ``receipts`` in the review's order, short sessions first, and ``received`` per day), blocked then pending
    sessions with reasons. ``drawn``: its ``drawn_parts``, when built already (of the same checklists and as-of)."""
    if drawn is None:
        drawn = drawn_parts(checklists, timeline_of(checklists, as_of, None if frames is None else frames.timeline),
                            render=render)
    receipt_section = ("" if receipts is None else
                       f'<section id="receipt"><h2>Scans received</h2>{_receipts(receipts)}</section>')
    moment = format_moment(as_of, None)
    scope_line = f"<p class=\"moment\">{escape(scope)}</p>" if scope else ""
    scope_line += ('<p class="moment">' + (f"Activity last imported {format_moment(activity_imported_at, None)}."
                                             if activity_imported_at else
                                             "No activity imported yet: no launch can be seen.") + "</p>")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Readiness review as of {escape(moment)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Readiness review</h1>
<p class="moment">The paper sessions as of <strong>{escape(moment)}</strong>; generated
{escape(format_moment(generated_at, None))} by scanready.</p>
{scope_line}
{_counts(checklists)}
</header>
<section id="timeline"><h2>Scan upload windows</h2>{drawn.timeline}</section>
<section id="volume"><h2>Expected scan volume</h2>{_volume(checklists, capacity, render, received, frames)}</section>
{receipt_section}
{drawn.sessions.decode("utf-8")}
</body>
</html>
"""
