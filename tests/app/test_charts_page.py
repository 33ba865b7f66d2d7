"""AppTest of the Charts page: empty store, the example programme, capacity, filters, as-of, the timeline's pick."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlmodel import Session
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from dashboard import charts, services, volume
from dashboard.config import Settings
from tests.app.conftest import AS_OF
from tests.factories import session, sessions_csv


def board(engine, as_of: str = AS_OF) -> services.Board:
    with Session(engine) as db:
        return services.readiness_board(db=db, as_of=services.parse_as_of(as_of))


def chart(at, index: int) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The ``index``-th chart's spec and its data sets (Streamlit ships them as Arrow, by name)."""
    proto = at.get("vega_lite_chart")[index].proto
    return json.loads(proto.spec), {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets}


def drawn(at, index: int, *path: int) -> pd.DataFrame:
    """The rows the layer at ``path`` of chart ``index`` draws."""
    spec, data = chart(at, index)
    node, name = spec, spec.get("data", {}).get("name")
    for i in path:
        node = node["layer"][i]
        name = node.get("data", {}).get("name", name)
    return data[name]


def test_empty_store_says_what_to_do(make_app):
    at = make_app("charts").run()
    assert not at.exception
    assert "No paper session is stored yet" in at.info[0].value
    assert not at.get("vega_lite_chart")


def test_example_programme_shows_both_charts_and_the_downloads(make_app, programme):
    at = make_app("charts", as_of=AS_OF).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Scan upload windows", "Expected scan volume"]
    assert len(at.get("vega_lite_chart")) == 2
    timeline = drawn(at, 0, 0)
    expected = board(programme)
    assert sorted(timeline["label"]) == sorted(c.session.session_name for c in expected.checklists)
    assert at.radio(key="rows_by").value == "session"  # 35 sessions fit one chart
    table = at.dataframe[0].value
    assert len(table) == 35 and set(table["status"]) == {"blocked", "pending", "ready"}
    bars = drawn(at, 1, 0, 1)  # the layers: shaded days, bars, capacity, its label
    assert bars["expected_sheets"].sum() == sum(c.expected_sheets for c in expected.checklists)
    labels = [b.label for b in at.get("download_button") if b.proto.ignore_rerun]  # a download starts no rerun
    assert labels == ["Download the volume per day as CSV", "Download the readiness review (HTML)"]


def test_a_capacity_from_the_url_highlights_and_lists_the_days_above_it(make_app, programme):
    at = make_app("charts", as_of=AS_OF, capacity="200").run()
    assert not at.exception
    assert at.number_input(key="capacity").value == 200
    series = volume.daily_series(board(programme).checklists)
    over = list(series.loc[series["expected_sheets"] > 200, "date"])
    assert over  # the example programme peaks above 200 sheets a day
    assert at.warning[0].value.startswith(f"{len(over)} day(s) above the capacity of 200 sheets: {over[0]}, ")
    assert list(at.dataframe[1].value["date"]) == over  # below the timeline's table
    shaded = drawn(at, 1, 0, 0)
    assert list(shaded.loc[shaded["over_capacity"], "date"]) == over  # the shaded days
    spec, _ = chart(at, 1)
    # Shaded days, bars, the capacity and its label; and the pages received so far (the example has a scan log).
    assert [layer["mark"]["type"] for layer in spec["layer"][0]["layer"]] == ["rect", "bar", "rule", "text", "line"]


def test_changing_the_capacity_updates_the_days(make_app, programme):
    at = make_app("charts", as_of=AS_OF).run()
    assert not at.warning and drawn(at, 1, 0, 2)["capacity"].isna().all()  # no capacity: its rule draws nothing
    shape = chart(at, 1)[0]
    at.number_input(key="capacity").set_value(100_000).run()
    assert not at.exception
    assert at.success[0].value == "No day is above the capacity of 100,000 sheets."
    assert at.query_params["capacity"] == "100000"
    assert list(drawn(at, 1, 0, 2)["capacity"]) == [100_000]
    at.number_input(key="capacity").set_value(150).run()
    assert "above the capacity of 150 sheets" in at.warning[0].value
    # The same spec each time, the capacity and the days above it in its data: the browser redraws in place.
    assert chart(at, 1)[0] == shape and drawn(at, 1, 0, 0)["over_capacity"].any()
    at.number_input(key="capacity").set_value(0).run()
    assert "capacity" not in at.query_params and not at.warning


@pytest.mark.parametrize(("query", "status"), [({"status": "blocked"}, {"blocked"}),
                                               ({"status": ["ready", "pending"]}, {"ready", "pending"})])
def test_the_overviews_filters_are_followed(make_app, programme, query, status):
    at = make_app("charts", as_of=AS_OF, **query).run()
    assert not at.exception
    assert set(drawn(at, 0, 0)["status"]) == status
    assert set(at.dataframe[0].value["status"]) == status
    assert set(drawn(at, 1, 0, 1)["status"]) == status


def test_a_group_filter_narrows_both_charts(make_app, programme):
    at = make_app("charts", as_of=AS_OF, group="Chopin 8B").run()
    assert sorted(drawn(at, 0, 0)["label"]) == ["History grade 8 - Chopin 8B", "Mathematics grade 8 - Chopin 8B",
                                                "Science grade 8 - Chopin 8B"]
    sessions = [c for c in board(programme).checklists if c.session.group_name == "Chopin 8B"]
    assert drawn(at, 1, 0, 1)["expected_sheets"].sum() == sum(c.expected_sheets for c in sessions)


def test_as_of_moves_the_rule_and_the_statuses(make_app, programme):
    at = make_app("charts", as_of="2026-01-01T00:00Z").run()
    assert not at.exception
    assert drawn(at, 0, 2)["as_of"].tolist() == ["2026-01-01T00:00:00Z"]
    assert "ready" not in set(at.dataframe[0].value["status"])


def test_a_filter_that_matches_nothing_says_so(make_app, programme):
    at = make_app("charts", as_of=AS_OF, group="Chopin 8B", status="ready").run()
    assert "No session matches these filters." in [c.value for c in at.caption]
    assert not at.get("vega_lite_chart")


def test_picking_a_bar_filters_the_table(make_app, programme):
    at = make_app("charts", as_of=AS_OF).run()
    name = "History grade 8 - Chopin 8B"
    at.session_state["timeline"] = {"selection": {"pick": [{"label": name}]}}
    at.run()
    assert not at.exception
    assert list(at.dataframe[0].value["session"]) == [name]


def test_one_row_per_group_and_status(make_app, programme):
    at = make_app("charts", as_of=AS_OF).run()
    at.radio(key="rows_by").set_value("group").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "group" in table.columns and table["sessions"].sum() == 35
    spec, _ = chart(at, 0)
    assert spec["layer"][0]["encoding"]["yOffset"]["field"] == "status"


def test_stacking_by_delivery(make_app, programme):
    at = make_app("charts", as_of=AS_OF).run()
    at.radio(key="stack_by").set_value("delivery").run()
    assert not at.exception
    assert drawn(at, 1, 0, 1)["delivery"].nunique() == 3


@pytest.mark.parametrize("capacity", ["lots", "-3", ""])
def test_a_capacity_in_the_url_that_is_not_a_count_is_ignored(make_app, programme, capacity):
    at = make_app("charts", as_of=AS_OF, capacity=capacity).run()
    assert not at.exception
    assert at.number_input(key="capacity").value == 0 and not at.warning


def test_reruns_reuse_the_chart_rows_until_an_import_or_a_changed_input(make_app, programme, monkeypatch):
    calls: list[str] = []
    for module, name in ((charts, "timeline_frame"), (volume, "daily_series"), (volume, "volume_by_day")):
        original = getattr(module, name)

        def counted(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    at = make_app("charts", as_of=AS_OF).run()
    assert sorted(calls) == ["daily_series", "timeline_frame", "volume_by_day"]

    at.run()  # nothing changed: nothing is counted again
    assert len(calls) == 3

    at.number_input(key="capacity").set_value(200).run()  # a capacity only marks the days over it: counted once
    assert len(calls) == 3 and "above the capacity of 200 sheets" in at.warning[0].value

    at.radio(key="stack_by").set_value("group").run()  # another stacking: its frame, not the days again
    assert calls[3:] == ["volume_by_day"]

    with Session(programme) as db:  # an import (from another browser, or the CLI) bumps the data version
        services.import_files([("more.csv", sessions_csv(session("History 9Z", group="Class 9Z")))], db=db,
                              settings=Settings())
        db.commit()
    at.run()
    assert sorted(calls[4:]) == ["daily_series", "timeline_frame", "volume_by_day"]
    assert "History 9Z" in set(drawn(at, 0, 0)["label"]) | set(at.dataframe[0].value["session"])


def test_the_volume_charts_shape_is_built_once_for_every_capacity(make_app, programme, monkeypatch):
    from dashboard.ui import data

    shapes: list[dict[str, Any]] = []
    original = charts.volume_shape

    def counted(**kwargs: Any) -> Any:
        shapes.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(charts, "volume_shape", counted)
    data._volume_shape.clear()  # cached for the whole server: an earlier test may have built it
    at = make_app("charts", as_of=AS_OF).run()
    at.run()
    for capacity in (200, 350, 0):
        at.number_input(key="capacity").set_value(capacity).run()
    assert not at.exception
    assert shapes == [{"by": "status", "theme": "light", "received": True}]  # the example has a scan log
    at.radio(key="stack_by").set_value("group").run()
    assert shapes[1:] == [{"by": "group", "theme": "light", "received": True}]


# --- the readiness review: drawn ahead of its download ------------------------------------------------------------

REVIEW = "readiness-review.html"


def drafted() -> None:
    """Wait until the drafter has drawn all it was given: its threads end (the next draft starts new ones)."""
    from dashboard.ui import data

    data._drafter().shutdown(wait=True)
    data._drafter.clear()


@pytest.fixture
def review_files(monkeypatch) -> list[Any]:
    """What each run hands the review's download button: the file (bytes), or the callable that builds it at the
    click."""
    import streamlit.elements.widgets.button as st_button

    seen: list[Any] = []
    original = st_button.marshall_file

    def record(coordinates: str, data: Any, proto: Any, mimetype: Any, file_name: str | None = None,
               **kwargs: Any) -> None:
        if file_name == REVIEW:
            seen.append(data)
        original(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(st_button, "marshall_file", record)
    return seen


@pytest.fixture
def drawings(monkeypatch) -> list[int]:
    """Counts the review's costly parts drawn (``report.drawn_parts``), wherever they are drawn."""
    from dashboard import report
    from dashboard.ui import data

    calls: list[int] = []
    original = report.drawn_parts

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(report, "drawn_parts", counted)
    data._drawn.clear()  # cached for the whole server: an earlier test may have drawn this view
    return calls


def without_stamp(html: str) -> str:
    """A review without when it was made and the numbers vl-convert gives its clip paths (a count per process)."""
    import re

    return re.sub(r"clip\d+", "clip", re.sub(r"generated\n[^<]*by scanready", "", html))


def test_the_review_is_drawn_ahead_once_per_view_and_the_button_then_holds_it(make_app, programme, review_files,
                                                                               drawings):
    at = make_app("charts", as_of=AS_OF).run()
    drafted()
    for capacity in (200, 350):
        at.number_input(key="capacity").set_value(capacity).run()
    assert not at.exception
    assert len(drawings) == 1  # one view, whatever the capacity
    held = review_files[-1]
    assert isinstance(held, bytes)  # the file is ready at the click: nothing is built then
    assert "capacity of 350 sheets" in held.decode()
    with Session(programme) as db:  # the same file as one built whole, as the CLI builds it
        receipts = services.receipt_board(db=db, as_of=board(programme).as_of, capacity=350)
    assert without_stamp(held.decode()) == without_stamp(services.review_report(board(programme), capacity=350,
                                                                                receipts=receipts))
    drawings.clear()

    with Session(programme) as db:  # an import bumps the data version: the view's parts are drawn again
        services.import_files([("more.csv", sessions_csv(session("History 9Z", group="Class 9Z")))], db=db,
                              settings=Settings())
        db.commit()
    at.run()
    drafted()
    at.run()
    assert len(drawings) == 1
    assert "History 9Z" in review_files[-1].decode()


def test_a_new_capacity_judges_the_receipts_again_without_reading_the_store(make_app, programme, review_files,
                                                                            monkeypatch):
    """The example has a scan log, so the review holds the receipts: read once per view, judged again at each
    capacity (the file at 350 is the CLI's at 350: the test above)."""
    read: list[dict[str, Any]] = []
    original = services.receipt_board
    monkeypatch.setattr(services, "receipt_board", lambda **kw: read.append(kw) or original(**kw))
    at = make_app("charts", as_of=AS_OF).run()
    drafted()
    for capacity in (200, 1, 350, 0, 200):
        at.number_input(key="capacity").set_value(capacity).run()
    assert not at.exception
    assert [kw.get("capacity") for kw in read] == [None]
    assert "capacity of 200 sheets" in review_files[-1].decode()


def test_beyond_the_limit_the_review_is_built_at_the_click(make_app, programme, review_files, drawings, monkeypatch):
    from dashboard.ui import data

    monkeypatch.setattr(data, "AHEAD_SESSIONS", 34)  # the example programme has 35 sessions
    at = make_app("charts", as_of=AS_OF).run()
    drafted()
    at.number_input(key="capacity").set_value(200).run()
    assert not at.exception
    assert not drawings  # nothing drawn ahead
    assert all(callable(held) for held in review_files)
    built = review_files[-1]()
    assert len(drawings) == 1 and "capacity of 200 sheets" in built.decode()


def test_the_review_drawn_ahead_builds_no_altair_chart(programme, monkeypatch):
    """Streamlit switches Altair's data transformer, a setting of the whole process, while it turns a page's chart
    into a spec: the thread drawing a review while a page runs got charts without their data (the timeline drawn
    empty). What it draws is a spec already."""
    import altair as alt

    from dashboard import report

    checklists = board(programme).checklists
    timeline = report.timeline_of(checklists, board(programme).as_of)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an Altair chart turned into a spec")

    monkeypatch.setattr(alt.TopLevelMixin, "to_dict", refused)
    drawn = report.drawn_parts(checklists, timeline)
    assert drawn.timeline.count("<svg") == 1 and "History" in drawn.timeline


def test_the_server_makes_its_charts_specs_under_streamlits_altair_lock(make_app, programme, monkeypatch):
    """Altair's data transformer and theme are settings of the whole process, which Streamlit switches under its own
    lock while it turns a page's chart into a spec: the review's timeline and the volume's shape, made specs on the
    server, hold that lock too (made meanwhile elsewhere, they came out without their data or in another theme)."""
    from streamlit.elements import vega_charts

    from dashboard import report
    from dashboard.ui import data

    held: list[bool] = []
    timeline_of, volume_shape = report.timeline_of, charts.volume_shape

    def watched(original: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            held.append(vega_charts._altair_globals_lock.locked())
            return original(*args, **kwargs)
        return call

    monkeypatch.setattr(report, "timeline_of", watched(timeline_of))
    monkeypatch.setattr(charts, "volume_shape", watched(volume_shape))
    data._drawn.clear()
    data._volume_shape.clear()
    at = make_app("charts", as_of=AS_OF).run()
    assert not at.exception
    assert len(held) == 2 and all(held)  # the volume's shape, the review's timeline


def test_the_reviews_charts_are_drawn_in_a_process_of_their_own_which_comes_back_if_it_dies(programme):
    """vl-convert holds the interpreter while it draws: in the server it held every other manager's run."""
    import os
    import re
    import signal

    from dashboard import report
    from dashboard.ui import renderer

    checklists = board(programme).checklists
    spec = report.timeline_of(checklists, board(programme).as_of).spec
    assert spec is not None

    def same(svg: str) -> str:
        return re.sub(r"clip\d+", "clip", svg)

    drawn = renderer.chart_svg(spec, "timeline")
    assert same(drawn) == same(report.chart_svg(spec, "timeline"))
    worker = renderer._renderer().pid
    assert worker != os.getpid()
    with pytest.raises(renderer.RendererError, match="conversion failed"):  # refused: said, and the next one drawn
        renderer.chart_svg({"mark": "no such mark", "data": {"values": []}}, "broken")
    assert same(renderer.chart_svg(spec, "timeline")) == same(drawn) and renderer._renderer().pid == worker
    os.kill(worker, signal.SIGKILL)  # the renderer dies (killed, out of memory): the next chart is still drawn
    assert same(renderer.chart_svg(spec, "timeline")) == same(drawn)
    assert renderer._renderer().pid != worker
    with pytest.raises(TypeError):
        renderer.chart_svg(charts.timeline_chart(charts.timeline_frame(checklists), as_of=board(programme).as_of),
                           "timeline")


def test_the_renderer_ends_with_the_server_however_it_ends(tmp_path):
    """A server killed outright (SIGKILL: no clean-up runs) leaves no renderer behind: it reads its requests on a pipe
    that ends with the server."""
    import os
    import signal
    import subprocess
    import sys
    import time

    with subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from dashboard.svg import Renderer\n"
        "r = Renderer()\n"
        "print(r.pid, flush=True)\n"
        "time.sleep(600)\n")], stdout=subprocess.PIPE, text=True, cwd=str(tmp_path.parent),
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}) as server:
        assert server.stdout is not None
        child = int(server.stdout.readline())
        os.kill(child, 0)  # it runs
        server.send_signal(signal.SIGKILL)
        server.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"the renderer {child} outlived its server")
