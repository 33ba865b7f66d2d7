"""Charts of the readiness board: DataFrame -> ``alt.Chart``, and the frames they draw.

Owns: the upload-window timeline (one bar per session, or per group or delivery and status when there are too
many sessions to read, from the scan window's start to its end; the submission date as a tick on its row; a rule
at "as of", labelled under the plot; the checklist's reasons in the tooltip; zoom and pan on time; a point
selection ``pick`` on the row label that a page can use to filter its table) and the expected scan volume
(sheets per UTC day, stacked, with an optional scanner capacity as a rule and the days above it shaded; the
running total in a panel of its own above them).

Times are written as ISO 8601 text ending in ``Z`` and drawn on UTC scales, so a browser in any time zone (and
vl-convert) shows the same days. Each chart is drawn for one colour scheme (``theme``, "light" or "dark"): the
colours it sets itself come from that scheme's ``Palette``; Streamlit's theme colours the rest. Must not import:
streamlit, the database, ``dashboard.services``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

import altair as alt
import pandas as pd

from dashboard.readiness import Checklist
from dashboard.receipt import ReceiptDay
from dashboard.volume import STATUSES, StackBy
from dashboard.wording import ITEM_TITLES, format_moment

RowsBy = Literal["session", "group", "delivery"]
# Dark red, orange and blue: told apart by readers with any of the three colour-vision deficiencies
# (tests/unit/test_charts.py simulates them), where red against green is not.
STATUS_COLOURS = {"blocked": "#b2182b", "pending": "#e69f00", "ready": "#2166ac"}
ROW_TITLE = {"session": "Session", "group": "Group", "delivery": "Delivery"}
ROWS_PER_CHART = 60  # beyond this many rows a timeline stops being readable: group, then page
TIMELINE_COLUMNS = ["label", "status", "sessions", "expected_sheets", "start", "end", "submission", "opens",
                    "closes", "submitted", "reasons"]
_WIDTH = 720
MIN_PLOT_HEIGHT = 180  # px: a programme of a few sessions still gets a timeline one can read and click
VOLUME_HEIGHT = 340  # px: the volume's plot, the running total's panel on top of the daily one
# The volume's two panels as shares of its height (expressions, so they hold at any height Vega settles on).
_RUNNING_BOTTOM, _DAILY_TOP = "height * 0.3", "height * 0.38"
# Fit the width to the column, not the height: a chart's height is its plot's (Streamlit's theme fits the whole
# chart, titles and legend too, in it, which left a few rows or the volume's panels a sliver).
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
LEGEND_LABEL_LIMIT = 180  # px of a group's or delivery's name in the volume's legend
ROW_LABEL_CHARS = 40  # characters of a timeline row's label (then "…"); its tooltip has the whole name
# The volume chart's data goes by these names, not by Altair's hash of its content: another capacity (or as-of, or
# filter) then changes the chart's data and not its spec, and the browser redraws the chart in place (keeping its
# zoom) instead of compiling it again.
CAPACITY_DATA, DAYS_DATA, BARS_DATA, RECEIVED_DATA = "capacity", "days", "bars", "received"
# Altair refuses a chart of more than 5,000 data rows (MaxRowsError), a guard for data sent to a browser row by
# row. These charts draw rows already counted (a day of the volume, a page of the timeline): a scan window typed
# 2042 for 2028 is 5,000 days of them, and the review and the Charts page failed on it. Set once, for the process.
alt.data_transformers.disable_max_rows()

Theme = Literal["light", "dark"]


@dataclass(frozen=True, slots=True)
class Palette:
    """The colours a chart sets itself for one background (Streamlit's theme colours axes, legends, titles).

    No single colour reads at 4.5:1 on both white and Streamlit's near-black, so each chart takes the scheme
    it is drawn on: ``text`` for annotations (subtitle, as-of and capacity labels) and ``capacity`` reach 4.5:1
    on its background, ``ink`` is for the marks that must stand out (ticks, the as-of rule, the running total),
    ``over`` shades the days above capacity (behind the bars), ``separator`` rules the rows of a grouped
    timeline."""

    text: str
    ink: str
    capacity: str
    over: str
    separator: str
    received: str  # the pages actually received (a line with points, beside the status colours' bars)


PALETTES: dict[Theme, Palette] = {
    "light": Palette(text="#31333f", ink="#262730", capacity="#8b0000", over="#f9d5d0", separator="#8a8fa0",
                     received="#00734d"),
    "dark": Palette(text="#d5dae5", ink="#f0f2f6", capacity="#ff8c7a", over="#6e2a24", separator="#6b7080",
                    received="#5fd3a5"),
}


class Validated(alt.LayerChart):
    """A chart whose every shape the unit tests validate against Vega-Lite's schema (``to_dict(validate=True)``),
    so drawing it skips Altair's validation: Streamlit turns a chart into its spec at every rerun, and validating the
    volume chart alone took 0.35 s of each (the spec itself, 0.05 s)."""

    def to_dict(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if not args:
            kwargs.setdefault("validate", False)
        spec: dict[str, Any] = super().to_dict(*args, **kwargs)
        return spec


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _shown(moment: datetime | None, zone: str | None) -> str:
    return format_moment(moment, zone) if moment else "not set"


def _session_rows(checklists: Sequence[Checklist], *, by: RowsBy) -> pd.DataFrame:
    """One row per session. Each distinct moment is written once (sessions share few dates); the texts only a
    session's own row shows (its zone's times, its reasons) are left out when rows are grouped."""
    iso, shown = cache(_iso), cache(_shown)
    rows: list[dict[str, Any]] = []
    for checklist in checklists:
        s = checklist.session
        open_items = [item for item in checklist.items if item.state != "ok"]
        row = {"label": s.session_name, "status": checklist.status, "sessions": 1,
               "expected_sheets": checklist.expected_sheets, "start": iso(s.scan_upload_start),
               "end": iso(s.scan_upload_end), "submission": iso(s.submission_date),
               "group": s.group_name, "delivery": s.delivery_id,
               "open_items": [f"{ITEM_TITLES[item.item]}: {item.state}" for item in open_items]}
        if by == "session":
            row.update(opens=shown(s.scan_upload_start, s.timezone), closes=shown(s.scan_upload_end, s.timezone),
                       submitted=shown(s.submission_date, s.timezone),
                       reasons=" | ".join(f"{ITEM_TITLES[item.item]} ({item.state}): {item.detail}"
                                          for item in open_items)
                       or "Every check passes.")
        rows.append(row)
    return pd.DataFrame(rows, columns=[*TIMELINE_COLUMNS, "group", "delivery", "open_items"])


def _reason_counts(lists: pd.Series) -> str:
    """"Someone can upload scans: problem in 3, Scan upload window open: pending in 1" from the sessions' lists of
    open items, most frequent first."""
    counts = lists.explode().dropna().value_counts()
    return ", ".join(f"{item} in {count}" for item, count in counts.items()) or "Every check passes."


def _utc_text(iso: Any) -> str:
    return format_moment(datetime.fromisoformat(iso), None) if isinstance(iso, str) else "not set"


def timeline_frame(checklists: Sequence[Checklist], *, by: RowsBy = "session") -> pd.DataFrame:
    """The timeline's rows in window order: one per session, or one per (group or delivery, status) with the
    earliest window start, the latest end and submission, the sessions, their sheets and their open items.

    Sessions without both window dates are kept (``start`` or ``end`` None): the chart leaves them out, a table
    can still list them. ``opens``/``closes``/``submitted`` are text in the session's zone (UTC when grouped).
    """
    rows = _session_rows(checklists, by=by)
    if by != "session":
        rows = (rows.assign(label=rows[by])
                .groupby(["label", "status"], sort=False)
                .agg(sessions=("sessions", "sum"), expected_sheets=("expected_sheets", "sum"),
                     start=("start", "min"), end=("end", "max"), submission=("submission", "max"),
                     reasons=("open_items", _reason_counts))
                .reset_index())
        for column, source in (("opens", "start"), ("closes", "end"), ("submitted", "submission")):
            rows[column] = rows[source].map(_utc_text)
    rows = rows.astype({"sessions": "int64", "expected_sheets": "int64"})
    order = rows["status"].map({status: rank for rank, status in enumerate(STATUSES)})
    rows = rows.assign(_rank=order).sort_values(["start", "end", "label", "_rank"], na_position="last", kind="stable")
    frame = rows[TIMELINE_COLUMNS].reset_index(drop=True)
    return frame.astype(object).where(frame.notna(), None)  # missing dates are null in the spec, not NaN


def rows_by(checklists: Sequence[Checklist], *, limit: int = ROWS_PER_CHART) -> RowsBy:
    """The finest rows that fit ``limit``: sessions, else groups, else deliveries (then the caller pages)."""
    if len(checklists) <= limit:
        return "session"
    if len({c.session.group_name for c in checklists}) <= limit:
        return "group"
    return "delivery"


def page_count(frame: pd.DataFrame, *, size: int = ROWS_PER_CHART) -> int:
    return max(-(-frame["label"].nunique() // size), 1)


def page_of(frame: pd.DataFrame, page: int, *, size: int = ROWS_PER_CHART) -> pd.DataFrame:
    """The rows of labels ``(page - 1) * size`` to ``page * size`` (1-based; a label's rows stay together)."""
    labels = frame["label"].drop_duplicates().iloc[(page - 1) * size: page * size]
    return frame[frame["label"].isin(labels)].reset_index(drop=True)


def selected_labels(selection: Mapping[str, Any] | None) -> list[str]:
    """The labels picked in the timeline, from Streamlit's ``event.selection`` (empty when nothing is picked)."""
    picked = (selection or {}).get("pick") or []
    return [str(point["label"]) for point in picked if isinstance(point, Mapping) and "label" in point]


def picked_rows(frame: pd.DataFrame, selection: Mapping[str, Any] | None) -> pd.DataFrame:
    """The rows of ``frame`` picked in its timeline; all of them when none of the picked labels is in it
    (nothing picked, or a pick left over from another grouping or page)."""
    chosen = frame["label"].isin(selected_labels(selection))
    return frame[chosen] if chosen.any() else frame


def _status_colour() -> alt.Color:
    return alt.Color("status:N", title="Status", legend=alt.Legend(orient="top"),
                     scale=alt.Scale(domain=list(STATUSES), range=[STATUS_COLOURS[s] for s in STATUSES]))


def _title(text: str, lines: list[str], palette: Palette) -> alt.Title:
    """A title with its subtitle in the palette's text colour: Streamlit's theme colours titles, axes and
    legends for its scheme but leaves subtitles black, which is unreadable on its dark background."""
    return alt.Title(text, subtitle=lines, anchor="start", subtitleColor=palette.text, subtitleFontSize=12)


def _as_of_layers(as_of: datetime, palette: Palette) -> list[alt.Chart]:
    moment = pd.DataFrame({"as_of": [_iso(as_of)], "label": [f"as of {format_moment(as_of, None)}"]})
    rule = alt.Chart(moment).mark_rule(color=palette.ink, strokeDash=[5, 3], strokeWidth=1.5).encode(
        x=alt.X("as_of:T"), tooltip=[alt.Tooltip("label:N", title="As of")])
    # Under the plot, where no bar is (the axis is at the top), on the side of the rule with room for it.
    right = "scale('x', datum.as_of) > width - 170"
    text = alt.Chart(moment).mark_text(
        y="height", baseline="top", dy=5, fontSize=11, color=palette.text, clip=False,
        align=alt.expr(f"{right} ? 'right' : 'left'"), dx=alt.expr(f"{right} ? -4 : 4"),
    ).encode(x=alt.X("as_of:T"), text="label:N")
    return [rule, text]


def _timeline_height(rows: int, step: int, grouped: bool) -> alt.Step | int:
    """A step per row, so the rows keep their size; a few rows are spread over ``MIN_PLOT_HEIGHT``."""
    if rows * step >= MIN_PLOT_HEIGHT:
        return alt.Step(step, **{"for": "position"}) if grouped else alt.Step(step)
    return MIN_PLOT_HEIGHT


def row_label_expr(by: RowsBy, chars: int = ROW_LABEL_CHARS) -> str:
    """The Vega expression writing a timeline row's label: a delivery by the last part of its id (as
    ``wording.short_id`` and the overview's table write it: "d8", not "https://tao.example.org/delivery/d8", whose
    first 40 characters every delivery shares), cut to ``chars`` characters with "…".

    Cut by characters here, not by Vega's pixel ``labelLimit``: that measures every label's text once more to
    draw it, and vl-convert lays each one out to measure it (0.37 s of the review's timeline at 100 rows of
    36 characters, 0.21 s without it)."""
    shown = "datum.label"
    if by == "delivery":
        shown = f"(replace(replace({shown}, regexp('[/#]+$'), ''), regexp('^.*[/#]'), '') || {shown})"
    return f"length({shown}) > {chars} ? substring({shown}, 0, {chars - 1}) + '…' : {shown}"


def timeline_chart(frame: pd.DataFrame, *, as_of: datetime, by: RowsBy = "session", width: int = _WIDTH,
                   theme: Theme = "light") -> alt.LayerChart:
    """Scan upload windows as bars (``timeline_frame`` rows with both dates), coloured by status."""
    palette, grouped = PALETTES[theme], by != "session"
    # Only rows with both dates are drawn, and no drawn column holds a null: Altair turns None into NaN on
    # pandas 3, which is not JSON.
    drawn = frame[frame["start"].notna() & frame["end"].notna()]
    # Grouped rows hold up to three bars: a rule at the edge of each row tells one group from the next.
    y = alt.Y("label:N", title=ROW_TITLE[by], sort=None, axis=alt.Axis(
        labelExpr=row_label_expr(by), labelLimit=0, labelOverlap=False, grid=grouped, tickBand="extent",
        gridColor=palette.separator))
    offset = {"yOffset": alt.YOffset("status:N", scale=alt.Scale(domain=list(STATUSES)))} if grouped else {}
    submission = "Latest submission" if grouped else "Submission"
    submitted = drawn.loc[drawn["submission"].notna(), ["label", "status", "submission", "submitted"]]
    ticks = alt.Chart(submitted).mark_tick(color=palette.ink, thickness=2, size=8 if grouped else 14).encode(
        x="submission:T", y=y, tooltip=[alt.Tooltip("label:N", title=ROW_TITLE[by]),
                                        alt.Tooltip("submitted:N", title=submission)], **offset)
    # One row per label: 18 px for a session, 36 px for a group's up to three status bars.
    height = _timeline_height(drawn["label"].nunique(), 36 if grouped else 18, grouped)
    subtitle = [f"Bar: the scan upload window; tick: the {submission.lower()} date;", "dashed line: the as-of moment."]
    layers = [_window_bars(drawn, y, offset, by, submission), ticks, *_as_of_layers(as_of, palette)]
    return Validated(layer=layers, width=width, height=height, autosize=_FIT_WIDTH,
                          title=_title("Scan upload windows", subtitle, palette))


def _window_bars(drawn: pd.DataFrame, y: alt.Y, offset: dict[str, alt.YOffset], by: RowsBy,
                 submission: str) -> alt.Chart:
    """The windows' bars, with the point selection ``pick`` on the row label and zoom and pan on time.

    A pick dims the other bars only when it names a drawn row: Streamlit restores a chart's last selection
    when its data changes (another grouping, page or filter), and a pick of rows no longer drawn would
    otherwise dim every bar. The same rule as ``picked_rows`` for the table."""
    grouped = by != "session"
    pick = alt.selection_point(name="pick", fields=["label"], on="click")
    zoom = alt.selection_interval(name="zoom", bind="scales", encodings=["x"])
    tooltip = [alt.Tooltip("label:N", title=ROW_TITLE[by]), alt.Tooltip("status:N", title="Status"),
               *([alt.Tooltip("sessions:Q", title="Sessions")] if grouped else []),
               alt.Tooltip("expected_sheets:Q", title="Expected sheets", format=","),
               alt.Tooltip("opens:N", title="Window opens"), alt.Tooltip("closes:N", title="Window closes"),
               alt.Tooltip("submitted:N", title=submission), alt.Tooltip("reasons:N", title="Open items")]
    bars: alt.Chart = alt.Chart(drawn.drop(columns="submission")).transform_calculate(
        picked="vlSelectionTest('pick_store', datum) ? 1 : 0",
    ).transform_joinaggregate(picked_here="sum(picked)").mark_bar(cornerRadius=2).encode(
        # scale padding: a tick at the very edge stays visible
        x=alt.X("start:T", title="Scan upload window (UTC)", scale=alt.Scale(type="utc", padding=12),
                axis=alt.Axis(format="%d %b", labelOverlap=True, orient="top", grid=True)),
        x2="end:T", y=y, color=_status_colour(), tooltip=tooltip,
        opacity=alt.condition("datum.picked_here == 0 || datum.picked == 1", alt.value(1.0), alt.value(0.3)),
        **offset,
    ).add_params(pick, zoom)
    return bars


def _group_colour(by: StackBy) -> alt.Color:
    """Groups or deliveries by colour, their legend under the chart in two columns: in one row the legend of a
    dozen groups runs past the chart's edge and cuts their names. Two columns of ``LEGEND_LABEL_LIMIT`` fit a
    phone's width; a count of columns from the chart's width would not do, as Vega sizes the chart before it."""
    legend = alt.Legend(orient="bottom", direction="vertical", columns=2, labelLimit=LEGEND_LABEL_LIMIT)
    return alt.Color(f"{by}:N", title=by.capitalize(), legend=legend)


def volume_chart(by_day: pd.DataFrame, series: pd.DataFrame, *, by: StackBy = "status",
                 capacity: int | None = None, width: int = _WIDTH, theme: Theme = "light",
                 received: Sequence[ReceiptDay] | None = None) -> alt.LayerChart:
    """Sheets per UTC day stacked by ``by`` (``volume.volume_by_day``) in the lower panel, with ``capacity`` as a
    rule and the days above it shaded; the running total of ``series`` (``volume.daily_series``) in the upper.
    With ``received`` (``receipt.receipt_days``: the pages received per day, known up to the as-of day), the pages
    actually received each day are a line over the bars and their running total a dashed line beside the
    forecast's. The chart with its data inline (``volume_shape`` drawing ``volume_data``), as the report draws it."""
    data = volume_data(by_day, series, capacity=capacity, received=received)
    shape = volume_shape(by=by, width=width, theme=theme, received=RECEIVED_DATA in data)
    return shape.properties(datasets={name: _records(frame) for name, frame in data.items()})


def volume_data(by_day: pd.DataFrame, series: pd.DataFrame, *, capacity: int | None = None,
                received: Sequence[ReceiptDay] | None = None) -> dict[str, pd.DataFrame]:
    """The volume chart's data by the names its shape reads: the stacked bars, the days (the running total, and
    ``over_capacity`` with a capacity), the capacity (one row, null without one: it draws nothing) and, once a
    page was received, the pages received per day."""
    data = {BARS_DATA: by_day, DAYS_DATA: series,
            CAPACITY_DATA: pd.DataFrame({"capacity": [capacity],
                                         "label": [None if capacity is None else f"capacity {capacity:,}/day"]})}
    known = _received_days(received)
    if known is not None:
        data[RECEIVED_DATA] = known
    return data


def volume_shape(*, by: StackBy = "status", width: int = _WIDTH, theme: Theme = "light",
                 received: bool = False) -> Validated:
    """``volume_chart`` without its data: every layer reads a dataset of ``volume_data`` by name, so the page
    builds the shape once per stacking, scheme and receipt, and a new capacity, as-of or filter sends data only
    (the browser redraws the chart in place when its datasets keep their row counts, its zoom kept).

    One view split in two bands of its height rather than a ``vconcat``: the running total cannot cross the
    capacity rule (nor be read against it), both share the time axis and its zoom, and Streamlit still
    stretches the chart to its column (it draws nested concatenations at their own width)."""
    palette = PALETTES[theme]
    # No grid across the days, as in Streamlit's theme: Vega's default one (the report's) spans a part of a panel.
    day = alt.X("date:T", timeUnit="utcyearmonthdate", title="UTC day",
                axis=alt.Axis(format="%d %b", labelOverlap=True, grid=False))
    per_day = alt.Scale(range=[alt.expr("height"), alt.expr(_DAILY_TOP)])
    colour = _status_colour() if by == "status" else _group_colour(by)
    # Each bar 80% of its day, no less: Streamlit's theme takes 2 px off each side of a day's bar (binSpacing),
    # which leaves a bar of 75 days in 500 px less than a pixel wide.
    bars = alt.Chart(alt.NamedData(BARS_DATA)).mark_bar(width={"band": 0.8}, binSpacing=0).encode(
        x=day, y=alt.Y("sum(expected_sheets):Q", title="Sheets per day", stack="zero", scale=per_day),
        color=colour, tooltip=[_day_tip("Day (UTC)"), alt.Tooltip(f"{by}:N", title=by.capitalize()),
                               alt.Tooltip("sum(expected_sheets):Q", title="Sheets", format=","),
                               alt.Tooltip("sum(sessions):Q", title="Sessions")])
    bars = bars.add_params(alt.selection_interval(name="zoom", bind="scales", encodings=["x"]))
    # The capacity's layers are there without a capacity too (drawing nothing): giving one changes the data only.
    daily: list[alt.Chart] = [_over_capacity(day, palette), bars, *_capacity_layers(per_day, palette)]
    dots = alt.OverlayMarkDef(size=12, color=palette.ink)
    running = alt.Chart(alt.NamedData(DAYS_DATA)).mark_line(color=palette.ink, strokeWidth=2, point=dots).encode(
        x=alt.X("date:T", timeUnit="utcyearmonthdate", bandPosition=0.5),
        y=alt.Y("cumulative:Q", title="Running total", scale=alt.Scale(range=[alt.expr(_RUNNING_BOTTOM), 0]),
                axis=alt.Axis(orient="left")),
        tooltip=[_day_tip("Day (UTC)"),
                 alt.Tooltip("cumulative:Q", title="Cumulative sheets", format=",")])
    totals: list[alt.Chart] = [running]
    subtitle = ["Lower panel: sheets expected per UTC day (bars).", "Upper panel: their running total (line)."]
    if received:
        daily.append(_received_line("received", "Pages received", per_day, palette))
        totals.append(_received_line("cumulative_received", "Pages received so far",
                                     alt.Scale(range=[alt.expr(_RUNNING_BOTTOM), 0]), palette, dashed=True))
        subtitle = ["Lower panel: sheets expected per UTC day (bars), pages received (green line).",
                    "Upper panel: the running totals, expected (solid) and received (dashed green)."]
    subtitle.append("Shaded: days above the scanner's capacity (dashed), when one is given.")
    # The daily layers share the lower panel's scale (the capacity is in sheets per day); the totals have theirs.
    # (No frame around the view: it would draw the two panels as one box. The view's continuous sizes, unused
    # beside the width and height given, are Altair's default theme's, so that the spec is the same whether a
    # drawing elsewhere has switched Altair's theme off for a moment or not: Streamlit does, in another thread.)
    chart: Validated = Validated(
        layer=[alt.LayerChart(layer=daily), totals[0] if len(totals) == 1 else alt.LayerChart(layer=totals)],
        width=width, height=VOLUME_HEIGHT,
        autosize=_FIT_WIDTH,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
        title=_title("Expected scan volume", subtitle, palette),
    ).configure_view(stroke=None, continuousWidth=300, continuousHeight=300)
    return chart


def volume_spec(shape: Mapping[str, Any], data: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """``volume_chart``'s spec from a shape already made a spec (``volume_shape(...).to_dict()``) and its ``data``
    (``volume_data``), inline: the chart is not built again."""
    return {**shape, "datasets": {name: _records(frame) for name, frame in data.items()}}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as the JSON rows Altair inlines (its own sanitising: numpy scalars, missing values)."""
    rows = alt.to_values(frame)["values"]
    assert isinstance(rows, list)  # a frame's values are its rows (a dict only for geographic data)
    return rows


def _received_days(received: Sequence[ReceiptDay] | None) -> pd.DataFrame | None:
    """The days whose receipts are known (up to the as-of day); None when nothing was received."""
    known = [day for day in received or () if day.received is not None]
    if not any(day.received for day in known):
        return None
    return pd.DataFrame(known, columns=list(ReceiptDay._fields))[["date", "received", "cumulative_received"]]


def _received_line(field: str, title: str, scale: alt.Scale, palette: Palette, *, dashed: bool = False) -> alt.Chart:
    """A line with points of the pages received (per day, or so far), in the palette's received colour."""
    line: alt.Chart = alt.Chart(alt.NamedData(RECEIVED_DATA)).mark_line(
        color=palette.received, strokeWidth=2, strokeDash=[6, 3] if dashed else [1, 0],
        point=alt.OverlayMarkDef(size=18, color=palette.received, shape="diamond")).encode(
        x=alt.X("date:T", timeUnit="utcyearmonthdate", bandPosition=0.5),
        y=alt.Y(f"{field}:Q", scale=scale, axis=None),
        tooltip=[_day_tip("Day (UTC)"), alt.Tooltip(f"{field}:Q", title=title, format=",")])
    return line


def _over_capacity(day: alt.X, palette: Palette) -> alt.Chart:
    """The days above the capacity (``over_capacity`` of ``DAYS_DATA``) shaded across the lower panel (a rect
    without y would span both)."""
    shade: alt.Chart = alt.Chart(alt.NamedData(DAYS_DATA)).transform_filter(alt.datum.over_capacity).mark_rect(
        color=palette.over, y=alt.expr(_DAILY_TOP), y2="height")
    return shade.encode(x=day, tooltip=[_day_tip("Over capacity"),
                                        alt.Tooltip("expected_sheets:Q", title="Sheets", format=",")])


def _capacity_layers(scale: alt.Scale, palette: Palette) -> list[alt.Chart]:
    """The capacity (``CAPACITY_DATA``) as a dashed rule, labelled in the margin right of the plot, where no bar is."""
    y = alt.Y("capacity:Q", title="Sheets per day", scale=scale)
    rule = alt.Chart(alt.NamedData(CAPACITY_DATA)).mark_rule(color=palette.capacity, strokeWidth=2,
                                                              strokeDash=[6, 3]).encode(
        y=y, tooltip=[alt.Tooltip("label:N", title="Scanner")])
    text = alt.Chart(alt.NamedData(CAPACITY_DATA)).mark_text(align="left", baseline="middle", dx=4, x="width",
                                                             clip=False, color=palette.capacity).encode(
        y=y, text="label:N")
    return [rule, text]


def _day_tip(title: str) -> alt.Tooltip:
    """A tooltip showing the day as a date ("16 Mar 2027"), not as the timestamp the axis turns it into."""
    return alt.Tooltip("date:T", title=title, format="%d %b %Y", timeUnit="utcyearmonthdate")
