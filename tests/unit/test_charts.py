"""The chart data and specs: volumes that add up exactly, the timeline's rows, the specs through ``to_dict()``."""

from __future__ import annotations

import ast
import html
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from dashboard import charts, receipt, spread, volume
from dashboard.readiness import Checklist, SessionSnapshot, evaluate_checklist
from dashboard.wording import short_id
from tests.factories import at

AS_OF = datetime(2027, 3, 16, 7, tzinfo=UTC)
UNSET: Any = object()


def checklist(name: str = "History 4A", *, group: str = "Class 4A", delivery: str = "https://tao/d/history",
              start: Any = UNSET, end: Any = UNSET, submission: Any = UNSET, test_takers: int = 10,
              interactions: int = 3, sheets: int = 1, uploaders: int = 1, launched: int = 1,
              zone: str | None = "Europe/Paris", as_of: datetime = AS_OF) -> Checklist:
    """A session's checklist at ``as_of``: by default ready (exam on 12 Mar, window 13 Mar to 27 Mar)."""
    snapshot = SessionSnapshot(
        session_name=name, group_name=group, delivery_id=delivery, timezone=zone,
        start_date=at("2027-03-12T07:00"), end_date=at("2027-03-12T09:00"),
        submission_date=at("2027-03-12T11:00") if submission is UNSET else submission,
        scan_upload_start=at("2027-03-13T06:00") if start is UNSET else start,
        scan_upload_end=at("2027-03-27T18:00") if end is UNSET else end,
        sheets_per_interaction=sheets, total_interactions=interactions, test_takers=test_takers,
        scan_uploaders=uploaders, started=launched, with_activity=test_takers)
    return evaluate_checklist(snapshot, as_of)


# --- the split of a session's sheets over its days -------------------------------------------------------------
# The split day by day (``spread.split``) and the per-session-day frame built by looping over it are the
# reference the board's vectorised split (volume's frames) must agree with.


def session_days(checklists) -> pd.DataFrame:
    """One row per (session, UTC day of its window): session, group, delivery, status, date, expected_sheets."""
    rows = []
    for c in checklists:
        s = c.session
        if s.scan_upload_start is None or s.scan_upload_end is None or c.expected_sheets <= 0:
            continue
        first, count = spread.window_days(s.scan_upload_start, s.scan_upload_end)
        for offset, sheets in enumerate(spread.split(c.expected_sheets, count)):
            rows.append({"session": s.session_name, "group": s.group_name, "delivery": s.delivery_id,
                         "status": c.status, "date": (first + timedelta(days=offset)).isoformat(),
                         "expected_sheets": sheets})
    return pd.DataFrame(rows, columns=["session", "group", "delivery", "status", "date", "expected_sheets"])


def forecast(series: pd.DataFrame) -> dict[date, int]:
    """A daily series's expected sheets as the receipt's forecast per day."""
    return {date.fromisoformat(day): int(sheets) for day, sheets in zip(series["date"], series["expected_sheets"],
                                                                        strict=True)}


@pytest.mark.parametrize(("total", "days", "expected"), [
    (10, 3, [3, 3, 4]),
    (2, 5, [0, 0, 1, 0, 1]),
    (7, 7, [1] * 7),
    (5, 1, [5]),
    (0, 3, [0, 0, 0]),
    (101, 2, [50, 51]),
])
def test_spread_gives_whole_sheets_that_add_up(total, days, expected):
    assert spread.split(total, days) == expected
    assert sum(expected) == total


def test_the_split_imports_only_the_standard_library():
    """The receipt's forecast comes from ``spread``: numpy or pandas there would load them for ``scanready receipt``."""
    tree = ast.parse(Path(str(spread.__file__)).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"__future__", "collections", "collections.abc", "datetime"}


def test_spread_needs_a_day():
    with pytest.raises(ValueError, match="at least one day"):
        spread.split(3, 0)


@settings(deadline=None, max_examples=200)
@given(total=st.integers(0, 10**7), days=st.integers(1, 400))
def test_spread_is_exact_and_even(total, days):
    shares = spread.split(total, days)
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1
    assert set(shares) <= {total // days, total // days + 1}


@pytest.mark.parametrize(("start", "end", "first", "days"), [
    ("2027-03-13T06:00", "2027-03-27T18:00", "2027-03-13", 15),
    ("2027-03-13T08:00", "2027-03-13T18:00", "2027-03-13", 1),   # one day
    ("2027-03-13T23:00", "2027-03-14T01:00", "2027-03-13", 2),   # crosses midnight UTC
    ("2027-03-13T00:00", "2027-03-14T00:00", "2027-03-13", 1),   # ends at midnight: the next day is not covered
    ("2027-03-13T00:00", "2027-03-14T00:00:00.000001", "2027-03-13", 2),
    ("2027-03-13T10:00", "2027-03-13T09:00", "2027-03-13", 1),   # backwards (the ingest refuses it): one day
])
def test_window_days_are_utc_calendar_days(start, end, first, days):
    day, count = spread.window_days(at(start), at(end))
    assert (day.isoformat(), count) == (first, days)


def test_window_days_follow_utc_not_the_sessions_zone():
    # 00:30 in Paris is still the previous day in UTC.
    paris = datetime(2027, 3, 14, 0, 30, tzinfo=UTC) - timedelta(hours=1)
    assert spread.window_days(paris, paris + timedelta(hours=2)) == (datetime(2027, 3, 13).date(), 2)


ODD = [
    checklist("odd", test_takers=7, interactions=11, sheets=1,  # 77 sheets over 15 days
              start=at("2027-03-13T06:00"), end=at("2027-03-27T18:00")),
    checklist("one day", test_takers=13, interactions=1, start=at("2027-03-20T08:00"), end=at("2027-03-20T17:00")),
    checklist("midnight", test_takers=3, interactions=5, sheets=2,  # 30 sheets over 2 days
              start=at("2027-03-20T22:00"), end=at("2027-03-21T02:00")),
    checklist("prime", test_takers=1, interactions=1, start=at("2027-03-01T00:00"), end=at("2027-04-01T00:00")),
    checklist("no window", start=None, end=None),
    checklist("no end", end=None),
    checklist("nobody", test_takers=0),
]


def test_each_sessions_days_add_up_to_its_expected_sheets():
    days = session_days(ODD)
    totals = days.groupby("session")["expected_sheets"].sum().to_dict()
    assert totals == {"odd": 77, "one day": 13, "midnight": 30, "prime": 1}
    assert days.groupby("session").size().to_dict() == {"odd": 15, "one day": 1, "midnight": 2, "prime": 31}
    assert list(days.loc[days["session"] == "midnight", "date"]) == ["2027-03-20", "2027-03-21"]


def test_the_vectorised_split_matches_spread_day_by_day():
    series = volume.daily_series(ODD)
    reference = session_days(ODD).groupby("date")["expected_sheets"].sum()
    assert dict(zip(series["date"], series["expected_sheets"], strict=True)) == {
        day: int(reference.get(day, 0)) for day in series["date"]}


def test_the_forecast_per_day_is_the_split_of_each_window():
    spans = [(c.session.scan_upload_start, c.session.scan_upload_end, c.expected_sheets) for c in ODD[:4]]
    forecast = spread.forecast_per_day([*spans, *spans[:2]])  # alike spans are split once, counted twice
    reference = pd.concat([session_days(ODD[:4]), session_days(ODD[:2])]).groupby("date")["expected_sheets"].sum()
    assert {day.isoformat(): sheets for day, sheets in forecast.items()} == reference.to_dict()
    assert list(forecast) == sorted(forecast)
    assert spread.forecast_per_day([]) == {}
    nothing_expected = (at("2027-05-01T08:00"), at("2027-05-03T08:00"), 0)  # no sheets: on no day, even as 0
    assert spread.forecast_per_day([*spans, nothing_expected]) == spread.forecast_per_day(spans)


def test_with_received_adds_the_pages_of_each_day_of_the_series():
    series = volume.daily_series(ODD)
    first, second = series["date"].iloc[0], series["date"].iloc[3]
    added = volume.with_received(series, {first: 5, second: 7, "2030-01-01": 9})  # a day outside: not shown
    assert added["received"].tolist() == [5 if day == first else 7 if day == second else 0 for day in series["date"]]
    assert added.drop(columns="received").equals(series)
    assert volume.with_received(series, None)["received"].tolist() == [0] * len(series)


def test_sessions_without_a_window_are_counted_as_unscheduled():
    assert volume.unscheduled(ODD) == (2, 60)  # "no window" and "no end": 10 × 3 × 1 each; "nobody" has none


def test_daily_series_is_continuous_split_by_status_and_cumulative():
    blocked = checklist("blocked", uploaders=0, test_takers=2, interactions=2,
                        start=at("2027-03-25T00:00"), end=at("2027-03-26T00:00"))
    ready = checklist("ready", test_takers=4, interactions=1, start=at("2027-03-20T00:00"), end=at("2027-03-22T00:00"),
                      as_of=at("2027-03-21T00:00"))
    assert (blocked.status, ready.status) == ("blocked", "ready")
    series = volume.daily_series([blocked, ready])
    assert list(series.columns) == volume.SERIES_COLUMNS
    assert list(series["date"]) == ["2027-03-20", "2027-03-21", "2027-03-22", "2027-03-23", "2027-03-24",
                                    "2027-03-25"]
    assert list(series["expected_sheets"]) == [2, 2, 0, 0, 0, 4]
    assert list(series["ready"]) == [2, 2, 0, 0, 0, 0]
    assert list(series["blocked"]) == [0, 0, 0, 0, 0, 4]
    assert list(series["pending"]) == [0] * 6
    assert list(series["sessions"]) == [1, 1, 0, 0, 0, 1]
    assert list(series["cumulative"]) == [2, 4, 4, 4, 4, 8]
    assert "over_capacity" not in series


def test_capacity_marks_and_lists_the_days_above_it():
    series = volume.daily_series(ODD, capacity=17)
    over = volume.days_over(series, 17)
    assert list(series.loc[series["over_capacity"], "date"]) == list(over["date"]) == ["2027-03-20", "2027-03-21"]
    assert list(over["over_by"]) == list(over["expected_sheets"] - 17)
    assert volume.days_over(series, None).empty


def test_a_capacity_given_later_marks_the_same_days_and_leaves_the_series_as_it_was():
    """The dashboard keeps the series made without a capacity and marks the days over each new one on a copy."""
    plain = volume.daily_series(ODD)
    before = plain.copy()
    for capacity in (17, 5, 10_000):
        pd.testing.assert_frame_equal(volume.with_capacity(plain, capacity),
                                      volume.daily_series(ODD, capacity=capacity))
    pd.testing.assert_frame_equal(plain, before)
    assert volume.with_capacity(plain, None) is plain


def test_empty_board_gives_an_empty_series():
    series = volume.daily_series([], capacity=10)
    assert series.empty
    assert list(series.columns) == [*volume.SERIES_COLUMNS, "over_capacity"]
    assert volume.volume_by_day([]).empty


def test_volume_by_day_stacks_by_the_chosen_field():
    frame = volume.volume_by_day([checklist("a", group="G1"), checklist("b", group="G2", uploaders=0)], by="group")
    assert list(frame.columns) == ["date", "group", "sessions", "expected_sheets"]
    assert frame.groupby("group")["expected_sheets"].sum().to_dict() == {"G1": 30, "G2": 30}


def test_beyond_the_limit_the_smallest_groups_stack_as_one():
    board = [checklist(f"s{i}", group=f"G{i:02}", test_takers=i + 1) for i in range(15)]  # G14 has the most sheets

    frame = volume.volume_by_day(board, by="group", limit=12)

    totals = frame.groupby("group")["expected_sheets"].sum()
    assert sorted(totals.index) == sorted([f"G{i:02}" for i in range(4, 15)] + ["4 other groups"])
    assert totals["4 other groups"] == sum(c.expected_sheets for c in board[:4])
    assert frame.groupby("date")["expected_sheets"].sum().to_dict() == (
        session_days(board).groupby("date")["expected_sheets"].sum().to_dict())
    assert frame.loc[frame["group"] == "4 other groups", "sessions"].max() == 4
    assert set(volume.volume_by_day(board, by="delivery", limit=12)["delivery"]) == {"https://tao/d/history"}


def _series_by_groupby(days):
    """daily_series as first written: pandas pivots over the per-session-day frame (the reference)."""
    by_status = days.pivot_table(index="date", columns="status", values="expected_sheets", aggfunc="sum",
                                 fill_value=0).reindex(columns=list(volume.STATUSES), fill_value=0)
    every_day = pd.date_range(min(days["date"]), max(days["date"]), freq="D").strftime("%Y-%m-%d")
    series = by_status.reindex(every_day, fill_value=0)
    series["sessions"] = days.groupby("date").size().reindex(every_day, fill_value=0)
    series["expected_sheets"] = series[list(volume.STATUSES)].sum(axis=1)
    series["cumulative"] = series["expected_sheets"].cumsum()
    return series.rename_axis("date").reset_index()[volume.SERIES_COLUMNS]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-200, 400), st.integers(1, 24 * 20), st.integers(0, 40),
                          st.sampled_from(["G1", "G2", "G3"]), st.sampled_from(["d1", "d2"]), st.booleans()),
                min_size=1, max_size=12))
def test_the_volume_frames_match_a_plain_groupby_of_the_session_days(specs):
    board = [checklist(f"s{i}", group=group, delivery=delivery, test_takers=takers, uploaders=int(uploads),
                       start=AS_OF + timedelta(hours=hours), end=AS_OF + timedelta(hours=hours + length))
             for i, (hours, length, takers, group, delivery, uploads) in enumerate(specs)]
    days = session_days(board)
    if days.empty:
        assert volume.volume_by_day(board).empty and volume.daily_series(board).empty
        return
    for by in ("status", "group", "delivery"):
        expected = (days.groupby(["date", by], sort=True)
                    .agg(sessions=("session", "size"), expected_sheets=("expected_sheets", "sum")).reset_index())
        pd.testing.assert_frame_equal(volume.volume_by_day(board, by=by), expected, check_dtype=False)
    pd.testing.assert_frame_equal(volume.daily_series(board), _series_by_groupby(days), check_dtype=False,
                                  check_names=False)


def test_series_records_are_plain_json_values():
    records = volume.series_records(volume.daily_series(ODD[:1], capacity=5))
    assert records[0] == {"date": "2027-03-13", "expected_sheets": 5, "blocked": 0, "pending": 0, "ready": 5,
                          "sessions": 1, "cumulative": 5, "over_capacity": False}
    assert all(type(r["expected_sheets"]) is int and type(r["over_capacity"]) is bool for r in records)


# --- the timeline's rows ---------------------------------------------------------------------------------------

def test_timeline_frame_has_one_row_per_session_in_window_order_with_reasons():
    late = checklist("late", start=at("2027-04-01T00:00"), end=at("2027-04-03T00:00"))
    blocked = checklist("blocked", uploaders=0)
    missing = checklist("missing", start=None)
    frame = charts.timeline_frame([late, missing, blocked, checklist("ok")])
    assert list(frame.columns) == charts.TIMELINE_COLUMNS
    assert list(frame["label"]) == ["blocked", "ok", "late", "missing"]
    row = frame.iloc[0].to_dict()
    assert row["status"] == "blocked"
    assert (row["start"], row["end"], row["submission"]) == (
        "2027-03-13T06:00:00Z", "2027-03-27T18:00:00Z", "2027-03-12T11:00:00Z")
    assert row["opens"] == "13 Mar 2027 07:00 Europe/Paris"
    assert "Someone can upload scans (problem): No one in group Class 4A can upload scans" in row["reasons"]
    assert frame.iloc[1]["reasons"] == "Every check passes."
    assert frame.iloc[2]["reasons"].startswith(
        "Scan upload window open (pending): The scan upload window opens 1 Apr 2027 02:00")
    assert frame.iloc[3]["start"] is None and frame.iloc[3]["opens"] == "not set"


def test_timeline_frame_by_group_aggregates_per_group_and_status():
    rows = [checklist("a", group="G1", start=at("2027-03-10T00:00")),
            checklist("b", group="G1", end=at("2027-04-02T00:00")),
            checklist("c", group="G1", uploaders=0), checklist("d", group="G1", uploaders=0, test_takers=0),
            checklist("e", group="G2"), checklist("f", group="G2", start=None)]
    frame = charts.timeline_frame(rows, by="group")
    by_key = {(r["label"], r["status"]): r for r in frame.to_dict("records")}
    assert set(by_key) == {("G1", "ready"), ("G1", "blocked"), ("G2", "ready"), ("G2", "blocked")}
    assert (by_key[("G2", "blocked")]["start"], by_key[("G2", "blocked")]["opens"]) == (None, "not set")
    ready = by_key[("G1", "ready")]
    assert (ready["sessions"], ready["expected_sheets"]) == (2, 60)
    assert (ready["start"], ready["end"]) == ("2027-03-10T00:00:00Z", "2027-04-02T00:00:00Z")
    assert ready["opens"] == "10 Mar 2027 00:00 UTC"
    assert by_key[("G1", "blocked")]["reasons"] == (
        "Someone can upload scans: problem in 2, Test-takers enrolled: problem in 1")


@pytest.mark.parametrize(("sessions", "groups", "expected"), [
    (60, 60, "session"), (61, 60, "group"), (61, 61, "delivery"),
])
def test_rows_by_picks_the_finest_readable_rows(sessions, groups, expected):
    rows = [checklist(f"s{i}", group=f"g{i % groups}") for i in range(sessions)]
    assert charts.rows_by(rows) == expected


def test_pages_keep_a_labels_rows_together():
    rows = [checklist(f"s{i}", group=f"g{i % 3}", uploaders=i % 2) for i in range(12)]
    frame = charts.timeline_frame(rows, by="group")
    assert charts.page_count(frame, size=2) == 2
    first, second = charts.page_of(frame, 1, size=2), charts.page_of(frame, 2, size=2)
    assert first["label"].nunique() == 2 and second["label"].nunique() == 1
    assert len(first) + len(second) == len(frame) == 6
    assert charts.page_count(frame.iloc[0:0]) == 1


@pytest.mark.parametrize(("selection", "expected"), [
    (None, ["a", "b"]),
    ({}, ["a", "b"]),
    ({"pick": [{"label": "b"}]}, ["b"]),
    ({"pick": [{"label": "a"}, {"label": "b"}]}, ["a", "b"]),
    ({"pick": [{"label": "gone"}]}, ["a", "b"]),  # left over from another grouping: show everything
    ({"zoom": {"start": [1, 2]}}, ["a", "b"]),
])
def test_picked_rows_follow_the_timelines_selection(selection, expected):
    frame = charts.timeline_frame([checklist("a"), checklist("b")])
    assert list(charts.picked_rows(frame, selection)["label"]) == expected


# --- the specs -------------------------------------------------------------------------------------------------

def values(spec: dict[str, Any], *path: int) -> list[dict[str, Any]]:
    """The rows drawn by the layer at ``path`` (indices into nested ``layer`` lists), or by its nearest parent."""
    node, name = spec, spec.get("data", {}).get("name")
    for index in path:
        node = node["layer"][index]
        name = node.get("data", {}).get("name", name)
    return spec["datasets"][name]


def params(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The selection parameters by name (Altair lifts a layer's params to the top, naming its views)."""
    return {p["name"]: p for p in spec.get("params", [])}


# Machado, Oliveira and Fernandes (2009): full protanopia, deuteranopia and tritanopia, on linear RGB.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.01182, 0.04294, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.3039)),
    "typical vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}


def seen_as(colour: str, matrix: Any) -> tuple[float, float, float]:
    """``colour`` (#rrggbb) as a reader with ``matrix``'s vision sees it, in CIELAB (D65)."""
    srgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    r, g, b = (min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear, strict=True)))) for row in matrix)
    x, y, z = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
               (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


@pytest.mark.parametrize("vision", list(CVD))
def test_status_colours_stay_apart_for_colour_blind_readers(vision):
    # ΔE76 of 30 is a difference seen at a glance; the former red, orange and green fell to 17 for protanopia.
    for first, second in [("blocked", "pending"), ("blocked", "ready"), ("pending", "ready")]:
        one, two = (seen_as(charts.STATUS_COLOURS[status], CVD[vision]) for status in (first, second))
        distance = sum((a - b) ** 2 for a, b in zip(one, two, strict=True)) ** 0.5
        assert distance >= 30, (vision, first, second, round(distance, 1))


def test_timeline_spec_marks_encodings_and_interaction():
    rows = [checklist("a"), checklist("b", uploaders=0), checklist("c", end=None), checklist("d", submission=None)]
    spec = charts.timeline_chart(charts.timeline_frame(rows), as_of=AS_OF).to_dict()
    bars, ticks, rule, text = spec["layer"]
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "tick", "rule", "text"]
    enc = bars["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"], enc["x"]["scale"]["type"]) == ("start", "temporal", "utc")
    assert enc["x2"]["field"] == "end"
    assert (enc["y"]["field"], enc["y"]["type"], enc["y"]["title"]) == ("label", "nominal", "Session")
    assert "yOffset" not in enc
    assert enc["color"]["field"] == "status"
    assert enc["color"]["scale"] == {"domain": ["blocked", "pending", "ready"],
                                     "range": [charts.STATUS_COLOURS[s] for s in ("blocked", "pending", "ready")]}
    assert {t["field"] for t in enc["tooltip"]} >= {"label", "status", "reasons", "opens", "closes", "submitted"}
    assert enc["opacity"]["condition"]["value"] == 1.0 and enc["opacity"]["value"] == 0.3  # a pick dims the rest
    chosen = params(spec)
    assert chosen["pick"]["select"] == {"type": "point", "fields": ["label"], "on": "click"}
    assert chosen["zoom"]["select"] == {"type": "interval", "encodings": ["x"]} and chosen["zoom"]["bind"] == "scales"
    assert chosen["pick"]["views"] == chosen["zoom"]["views"] == [bars["name"]]
    assert ticks["encoding"]["x"]["field"] == "submission"
    assert rule["encoding"]["x"]["field"] == "as_of"
    assert values(spec, 2) == [{"as_of": "2027-03-16T07:00:00Z", "label": "as of 16 Mar 2027 07:00 UTC"}]
    assert [r["label"] for r in values(spec, 0)] == ["a", "b", "d"]  # c has no end: only in the table
    assert [r["status"] for r in values(spec, 0)] == ["ready", "blocked", "blocked"]
    assert [(r["label"], r["submission"]) for r in values(spec, 1)] == [("a", "2027-03-12T11:00:00Z"),
                                                                          ("b", "2027-03-12T11:00:00Z")]
    json.dumps(spec, allow_nan=False)  # no NaN from a missing date
    assert spec["height"] == charts.MIN_PLOT_HEIGHT  # three rows: see test_a_few_rows_are_spread_over_a_minimum


def test_grouped_timeline_offsets_each_status_within_its_row():
    rows = [checklist("a", group="G1"), checklist("b", group="G1", uploaders=0)]
    spec = charts.timeline_chart(charts.timeline_frame(rows, by="group"), as_of=AS_OF, by="group").to_dict()
    bars = spec["layer"][0]
    assert bars["encoding"]["yOffset"]["field"] == "status"
    assert bars["encoding"]["y"]["title"] == "Group"
    assert "sessions" in {t["field"] for t in bars["encoding"]["tooltip"]}
    assert spec["height"] == charts.MIN_PLOT_HEIGHT  # one row


def drawn_row_labels(chart: alt.LayerChart) -> list[str]:
    """The row labels vl-convert draws on the timeline's left axis (the y axis's texts), top to bottom."""
    import re

    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict())
    axis = svg[svg.index('aria-label="Y-axis'):]
    axis = axis[:axis.index('class="mark-text role-axis-title"')]
    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", axis)]


def test_a_delivery_row_reads_as_the_overview_writes_its_id_and_a_long_name_is_cut():
    deliveries = ["https://tao.example.org/ontologies/tao.rdf#i17001", "https://tao.example.org/ontologies/tao.rdf#i17002",
                  "https://tao.example.org/delivery/history/", "plain-id"]
    rows = [checklist(f"s{i}", delivery=d, start=at(f"2027-03-{13 + i}T06:00")) for i, d in enumerate(deliveries)]
    chart = charts.timeline_chart(charts.timeline_frame(rows, by="delivery"), as_of=AS_OF, by="delivery")
    # Every delivery told apart (the first 40 characters of the two tao.rdf ids are the same), as the table does.
    assert drawn_row_labels(chart) == [short_id(d) for d in deliveries] == ["i17001", "i17002", "history", "plain-id"]
    long = "Lycée Victor Hugo — Mathématiques, épreuve écrite du matin n°1 (salle B)"
    chart = charts.timeline_chart(charts.timeline_frame([checklist(long), checklist("History 4A")], by="session"),
                                  as_of=AS_OF, by="session")
    assert drawn_row_labels(chart) == ["History 4A", long[:charts.ROW_LABEL_CHARS - 1] + "…"]  # same window: by name
    spec = chart.to_dict()
    assert {t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]} >= {"label"}  # the whole name on hover


def board_of(rows: int, by: str) -> list[Checklist]:
    """A session per row, or two per row (a ready and a blocked one) of its group."""
    if by == "session":
        return [checklist(f"s{i}") for i in range(rows)]
    return [checklist(f"s{i}{status}", group=f"G{i}", uploaders=int(status == "ready"))
            for i in range(rows) for status in ("ready", "blocked")]


@pytest.mark.parametrize(("rows", "by", "height"), [
    (0, "session", charts.MIN_PLOT_HEIGHT), (1, "session", charts.MIN_PLOT_HEIGHT),
    (5, "session", charts.MIN_PLOT_HEIGHT), (9, "session", charts.MIN_PLOT_HEIGHT),  # 9 × 18 px = 162 px
    (10, "session", {"step": 18}), (60, "session", {"step": 18}),
    (4, "group", charts.MIN_PLOT_HEIGHT), (5, "group", {"step": 36, "for": "position"}),
])
def test_a_few_rows_are_spread_over_a_minimum_height(rows, by, height):
    # Five sessions at 18 px a row drew a timeline 90 px tall; past the minimum, each row keeps its step.
    frame = charts.timeline_frame(board_of(rows, by), by=by)
    assert frame["label"].nunique() == rows
    spec = charts.timeline_chart(frame, as_of=AS_OF, by=by).to_dict()
    assert spec["height"] == height and charts.MIN_PLOT_HEIGHT >= 160
    # The height is the plot's: Streamlit's theme fits the whole chart in a number of pixels, titles and legend
    # too, which left six rows in 180 px a sliver (tests/e2e/test_chart_legibility.py measures it).
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}


@pytest.mark.parametrize(("by", "ruled"), [("session", False), ("group", True), ("delivery", True)])
def test_grouped_rows_are_ruled_apart(by, ruled):
    frame = charts.timeline_frame(board_of(3, "group"), by=by)
    for theme, palette in charts.PALETTES.items():
        axis = charts.timeline_chart(frame, as_of=AS_OF, by=by, theme=theme).to_dict()["layer"][0]["encoding"]["y"]
        # A grid line at each row's edges (not through its middle bar) tells one group's bars from the next's.
        assert (axis["axis"]["grid"], axis["axis"]["tickBand"]) == (ruled, "extent")
        assert axis["axis"]["gridColor"] == palette.separator


def test_a_pick_dims_the_other_bars_only_when_it_names_a_drawn_row():
    # Streamlit restores a chart's last pick when its rows change (another grouping, page or filter): a pick of
    # rows no longer drawn must not dim every bar, as picked_rows then lists every row.
    spec = charts.timeline_chart(charts.timeline_frame(ODD), as_of=AS_OF).to_dict()
    bars = spec["layer"][0]
    assert "pick" in params(spec)  # its store is "pick_store"
    assert bars["transform"] == [
        {"calculate": "vlSelectionTest('pick_store', datum) ? 1 : 0", "as": "picked"},
        {"joinaggregate": [{"op": "sum", "field": "picked", "as": "picked_here"}]}]
    assert bars["encoding"]["opacity"] == {
        "condition": {"test": "datum.picked_here == 0 || datum.picked == 1", "value": 1.0}, "value": 0.3}


def test_the_as_of_label_is_under_the_plot_where_no_bar_is():
    # The x axis is at the top and the rows are under it: the label at the top of the plot sat on the first row.
    spec = charts.timeline_chart(charts.timeline_frame(ODD), as_of=AS_OF).to_dict()
    rule, text = spec["layer"][2:]
    assert text["encoding"]["x"] == rule["encoding"]["x"] == {"field": "as_of", "type": "temporal"}
    assert "y" not in text["encoding"]
    mark = text["mark"]
    assert (mark["y"], mark["baseline"], mark["clip"]) == ("height", "top", False) and mark["dy"] > 0
    # Left of its rule near the right edge, so that it stays in the chart.
    assert mark["align"] == {"expr": "scale('x', datum.as_of) > width - 170 ? 'right' : 'left'"}
    assert mark["dx"] == {"expr": "scale('x', datum.as_of) > width - 170 ? -4 : 4"}


# The volume's lower panel: the days above capacity, the bars, the capacity's rule and label (with or without one).
DAILY_MARKS = ["rect", "bar", "rule", "text"]


def test_volume_spec_stacks_sheets_per_day_with_a_cumulative_line():
    series = volume.daily_series(ODD)
    spec = charts.volume_chart(volume.volume_by_day(ODD), series).to_dict()
    daily, line = spec["layer"]
    assert spec["resolve"] == {"scale": {"y": "independent"}}
    assert [layer["mark"]["type"] for layer in daily["layer"]] == DAILY_MARKS
    enc = daily["layer"][1]["encoding"]
    assert (enc["x"]["field"], enc["x"]["timeUnit"]) == ("date", "utcyearmonthdate")
    assert (enc["y"]["field"], enc["y"]["aggregate"], enc["y"]["stack"]) == ("expected_sheets", "sum", "zero")
    assert enc["color"]["field"] == "status"
    assert sum(r["expected_sheets"] for r in values(spec, 0, 1)) == 77 + 13 + 30 + 1
    assert values(spec, 0, 2) == [{"capacity": None, "label": None}]  # no capacity: its rule draws nothing
    assert not any(r.get("over_capacity") for r in values(spec, 0, 0))  # and no day is shaded
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["y"]["field"] == "cumulative"
    assert params(spec)["zoom"]["bind"] == "scales"
    assert values(spec, 1)[-1]["cumulative"] == 121


def test_the_pages_received_are_drawn_per_day_and_so_far_beside_the_forecast_up_to_the_as_of_day():
    series = volume.daily_series(ODD)
    received = receipt.receipt_days(forecast(series), {date(2027, 3, 13): 4, date(2027, 3, 15): 6},
                                    at("2027-03-16T12:00"))
    spec = charts.volume_chart(volume.volume_by_day(ODD), series, received=received, theme="dark").to_dict()
    daily, totals = spec["layer"]
    *_, line = daily["layer"]
    assert [layer["mark"]["type"] for layer in daily["layer"]] == [*DAILY_MARKS, "line"]
    assert (line["mark"]["type"], line["mark"]["color"], line["encoding"]["y"]["field"]) == (
        "line", charts.PALETTES["dark"].received, "received")
    expected, so_far = totals["layer"]
    assert (expected["encoding"]["y"]["field"], so_far["encoding"]["y"]["field"]) == ("cumulative",
                                                                                       "cumulative_received")
    assert so_far["mark"]["strokeDash"] == [6, 3]
    drawn = values(spec, 0, 4)
    assert drawn[-1]["date"] == "2027-03-16"  # the days after the as-of day are unknown: not drawn at 0
    assert [(r["date"], r["received"], r["cumulative_received"]) for r in drawn if r["received"]] == [
        ("2027-03-13", 4, 4), ("2027-03-15", 6, 10)]
    assert "pages received (green line)" in " ".join(spec["title"]["subtitle"])


def test_without_any_page_received_the_volume_chart_is_the_forecast_alone():
    series = volume.daily_series(ODD)
    nothing = receipt.receipt_days(forecast(series), {}, at("2027-03-16T12:00"))
    spec = charts.volume_chart(volume.volume_by_day(ODD), series, received=nothing).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"][0]["layer"]] == DAILY_MARKS
    assert spec["layer"][1]["mark"]["type"] == "line"


def test_volume_spec_draws_capacity_and_shades_the_days_above_it():
    series = volume.daily_series(ODD, capacity=17)
    spec = charts.volume_chart(volume.volume_by_day(ODD, by="group"), series, by="group", capacity=17).to_dict()
    shade, bars, rule, label = spec["layer"][0]["layer"]
    assert [shade["mark"]["type"], rule["mark"]["type"], label["mark"]["type"]] == ["rect", "rule", "text"]
    assert bars["encoding"]["color"]["field"] == "group"
    assert shade["transform"] == [{"filter": "datum.over_capacity"}]
    assert [r["date"] for r in values(spec, 0, 0) if r["over_capacity"]] == ["2027-03-20", "2027-03-21"]
    assert values(spec, 0, 2) == [{"capacity": 17, "label": "capacity 17/day"}]
    assert rule["encoding"]["y"]["field"] == "capacity"


def test_giving_or_changing_a_capacity_changes_the_volume_charts_data_not_its_spec():
    # The browser then redraws the chart in place (its zoom kept), where a new spec made it compile the chart again
    # (Streamlit names a chart's other data by a hash of its content, and keys a spec by its datasets' row counts).
    def drawn(capacity: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
        spec = charts.volume_chart(volume.volume_by_day(ODD), volume.daily_series(ODD, capacity=capacity),
                                   capacity=capacity).to_dict()
        return spec, {name: rows for name, rows in spec.pop("datasets").items()
                      if name in (charts.CAPACITY_DATA, charts.DAYS_DATA)}
    (none, none_data), (low, low_data), (high, high_data) = drawn(None), drawn(17), drawn(170)
    assert none == low == high
    assert none_data[charts.CAPACITY_DATA] == [{"capacity": None, "label": None}]
    assert low_data[charts.CAPACITY_DATA] == [{"capacity": 17, "label": "capacity 17/day"}]
    assert high_data[charts.CAPACITY_DATA] == [{"capacity": 170, "label": "capacity 170/day"}]
    assert any(r["over_capacity"] for r in low_data[charts.DAYS_DATA])
    assert not any(r["over_capacity"] for r in high_data[charts.DAYS_DATA])
    assert len(none_data[charts.DAYS_DATA]) == len(low_data[charts.DAYS_DATA]) == len(high_data[charts.DAYS_DATA])


# Streamlit's backgrounds: white, and near-black (#0e1117 in earlier versions, #171614 as 1.67 draws it).
BACKGROUNDS = {"light": ["#ffffff"], "dark": ["#0e1117", "#171614"]}


def contrast(one: str, two: str) -> float:
    """WCAG 2's contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                   for c in (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_each_palette_reads_on_its_background(theme):
    palette = charts.PALETTES[theme]
    for background in BACKGROUNDS[theme]:
        # Text (subtitles, the as-of label, the capacity label) 4.5:1; rules and ticks 3:1 (WCAG 1.4.3, 1.4.11).
        assert min(contrast(palette.text, background), contrast(palette.capacity, background)) >= 4.5
        assert min(contrast(palette.ink, background), contrast(palette.separator, background)) >= 3


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_charts_own_colours_come_from_the_schemes_palette(theme):
    palette = charts.PALETTES[theme]
    timeline = charts.timeline_chart(charts.timeline_frame(ODD), as_of=AS_OF, theme=theme).to_dict()
    _, ticks, rule, text = timeline["layer"]
    assert (ticks["mark"]["color"], rule["mark"]["color"], text["mark"]["color"]) == (
        palette.ink, palette.ink, palette.text)
    assert timeline["title"]["subtitleColor"] == palette.text  # Streamlit's theme leaves subtitles black
    series = volume.daily_series(ODD, capacity=17)
    spec = charts.volume_chart(volume.volume_by_day(ODD), series, capacity=17, theme=theme).to_dict()
    (shade, _, limit, label), line = spec["layer"][0]["layer"], spec["layer"][1]
    assert line["mark"]["color"] == line["mark"]["point"]["color"] == palette.ink
    assert limit["mark"]["color"] == label["mark"]["color"] == palette.capacity
    assert shade["mark"]["color"] == palette.over
    assert spec["title"]["subtitleColor"] == palette.text
    assert charts.timeline_chart(charts.timeline_frame(ODD), as_of=AS_OF).to_dict()["title"]["subtitleColor"] == (
        charts.PALETTES["light"].text)  # the default (the report's)


def pixels(value: Any, height: float) -> float:
    """A position of a scale's range at ``height``: a number, or an expression "height" or "height * share"."""
    if not isinstance(value, dict):
        return float(value)
    assert value["expr"].startswith("height")
    factor = value["expr"].partition("*")[2].strip()
    return height * float(factor or 1)


def test_the_running_total_has_a_panel_of_its_own_above_the_daily_bars():
    # On one axis beside the capacity rule, the running total crossing it read as "over capacity".
    spec = charts.volume_chart(volume.volume_by_day(ODD), volume.daily_series(ODD, capacity=17), capacity=17).to_dict()
    (shade, bars, limit, label), line = spec["layer"][0]["layer"], spec["layer"][1]
    per_day = bars["encoding"]["y"]["scale"]["range"]
    assert limit["encoding"]["y"]["scale"]["range"] == label["encoding"]["y"]["scale"]["range"] == per_day
    running = line["encoding"]["y"]["scale"]["range"]
    for height in (charts.VOLUME_HEIGHT, 120):
        # (top, bottom) of each panel in pixels from the top of the plot
        (top, bottom), (total_top, total_bottom) = (sorted(pixels(v, height) for v in r) for r in (per_day, running))
        assert total_top == 0 and bottom == height
        assert top - total_bottom >= 0.05 * height  # a gap between the panels
        assert (pixels(shade["mark"]["y"], height), shade["mark"]["y2"]) == (top, "height")  # the lower panel
    assert line["encoding"]["y"]["axis"]["orient"] == "left"  # beside its own panel
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}  # the height is the plot's
    assert (label["mark"]["x"], label["mark"]["align"]) == ("width", "left")  # right of the plot, off the bars


@pytest.mark.parametrize("by", ["group", "delivery"])
def test_a_legend_of_names_runs_in_columns_under_the_chart(by):
    # In one row at the top, the example's twelve group names ran past the chart's edge ("L…").
    spec = charts.volume_chart(volume.volume_by_day(ODD, by=by), volume.daily_series(ODD), by=by).to_dict()
    legend = spec["layer"][0]["layer"][1]["encoding"]["color"]["legend"]
    assert legend == {"orient": "bottom", "direction": "vertical", "columns": 2,
                      "labelLimit": charts.LEGEND_LABEL_LIMIT}
    assert 160 <= charts.LEGEND_LABEL_LIMIT <= 200  # long names whole, two columns within a 500 px window


def test_a_days_bar_is_a_share_of_its_day():
    # A day's width less Streamlit's 2 px on each side (its theme's binSpacing) left bars 0.4 px wide at 500 px.
    spec = charts.volume_chart(volume.volume_by_day(ODD), volume.daily_series(ODD)).to_dict()
    mark = spec["layer"][0]["layer"][1]["mark"]
    assert (mark["width"], mark["binSpacing"]) == ({"band": 0.8}, 0)


def test_charts_of_an_empty_board_are_still_valid_specs():
    frame = charts.timeline_frame([])
    assert frame.empty and list(frame.columns) == charts.TIMELINE_COLUMNS
    assert charts.timeline_chart(frame, as_of=AS_OF).to_dict()["layer"][0]["mark"]["type"] == "bar"
    empty = volume.daily_series([])
    assert charts.volume_chart(volume.volume_by_day([]), empty).to_dict()["layer"][1]["mark"]["type"] == "line"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("by", ["session", "group", "delivery"])
def test_every_shape_of_the_timeline_is_a_valid_vega_lite_spec(by, theme):
    """Drawing skips Altair's validation (``charts.Validated``): here each shape is validated, once."""
    chart = charts.timeline_chart(charts.timeline_frame(ODD, by=by), as_of=AS_OF, by=by, theme=theme)
    assert isinstance(chart, charts.Validated)
    chart.to_dict(validate=True)  # raises on a spec Vega-Lite's schema refuses


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("by", "capacity", "with_received"), [("status", None, False), ("group", 17, True),
                                                               ("delivery", 5, False), ("status", 17, True)])
def test_every_shape_of_the_volume_chart_is_a_valid_vega_lite_spec(by, capacity, with_received, theme):
    series = volume.daily_series(ODD, capacity=capacity)
    received = receipt.receipt_days(forecast(series), {date(2027, 3, 13): 4}, at("2027-03-16T12:00"))
    chart = charts.volume_chart(volume.volume_by_day(ODD, by=by), series, by=by, capacity=capacity, theme=theme,
                                received=received if with_received else None)
    assert isinstance(chart, charts.Validated)
    chart.to_dict(validate=True)


def test_drawing_a_chart_does_not_validate_it_again(monkeypatch):
    chart = charts.volume_chart(volume.volume_by_day(ODD), volume.daily_series(ODD))
    seen: list[object] = []
    original = alt.LayerChart.to_dict

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("validate", True))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(alt.LayerChart, "to_dict", spy)
    chart.to_dict()
    assert seen and set(seen) == {False}  # the chart, and any layer it turns into a spec on the way
