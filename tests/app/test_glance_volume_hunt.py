"""A hunt on the overview's "Open a session", the volume chart's named datasets and the review's capacity, the session
page's activity counted for enrolled test-takers only, and boards judged to the second (session 22).

Five of these found bugs, fixed since: Markdown's "=" and "&" left live in names (``ui.plain``), the pages received
drawn and written for the whole programme under a filtered volume (``ui.data.received_days``), and a URL's as-of with
seconds judged at them on the first run only (``ui.filters._local``)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import markdown_it
import orjson
import pandas as pd
import pytest
import streamlit.elements.widgets.button as st_button
from sqlmodel import Session
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from dashboard import services
from dashboard.config import Settings
from dashboard.example import example_files
from dashboard.ui.tables import STATE_ICON, STATUS_ICON
from tests.app.conftest import AS_OF, EXAM_DAY
from tests.factories import ACTIVITY, LINKS, NEW_GROUPS, csv_bytes, scans_csv, session

# --- helpers -------------------------------------------------------------------------------------------------------


def load(engine, *files: tuple[str, bytes], options: services.ImportOptions | None = None) -> services.ImportOutcome:
    with Session(engine) as db:
        outcome = services.import_files(list(files), db=db, settings=Settings(),
                                        options=options or services.ImportOptions())
        db.commit()
    assert outcome.validation.valid, outcome.validation.to_dict()
    return outcome


def links(*triples: tuple[str, str, str]) -> tuple[str, bytes]:
    return "l.csv", csv_bytes(LINKS, [dict(zip(LINKS, t, strict=True)) for t in triples])


def activity(*rows: tuple[str, str, str, str, str]) -> tuple[str, bytes]:
    return "a.csv", csv_bytes(ACTIVITY, [dict(zip(ACTIVITY, r, strict=True)) for r in rows])


def sessions(*rows: dict[str, str]) -> tuple[str, bytes]:
    return "s.csv", csv_bytes(NEW_GROUPS, rows)


def glance_boxes(at) -> list[Any]:
    return [box for box in at.selectbox if box.key == "glance"]


def link_query(at) -> dict[str, list[str]]:
    """The query string of the glance's link to the session page."""
    link = at.get("page_link")[-1].proto
    assert link.page == "session"
    return parse_qs(link.query_string)


def chart(at, index: int) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    proto = at.get("vega_lite_chart")[index].proto
    return json.loads(proto.spec), {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets}


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """Every download button's file as the browser would get it, in the order drawn (a deferred one made now)."""
    files: list[tuple[str, bytes]] = []
    original = st_button.marshall_file

    def record(coordinates: str, data: Any, proto: Any, mimetype: Any, file_name: str | None = None,
               **kwargs: Any) -> None:
        made = data() if callable(data) else data
        files.append((str(file_name), made.encode() if isinstance(made, str) else bytes(made)))
        original(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(st_button, "marshall_file", record)
    return files


# --- 1. "Open a session" on the overview ---------------------------------------------------------------------------

ODD_NAMES = ["A&B=C #1", "50% + 50%", "what?x=1&session=evil", "Zażółć gęślą jaźń", "L" * 300, "a/b\\c"]


def test_the_glance_link_carries_every_odd_name_whole(make_app, app_engine):
    load(app_engine, sessions(*(session(name, group=f"G{i}") for i, name in enumerate(ODD_NAMES))))
    at = make_app(as_of="2028-06-20T00:00Z").run()
    for name in ODD_NAMES:
        at.selectbox(key="glance").select(name).run()
        assert not at.exception
        assert link_query(at) == {"session": [name], "as_of": ["2028-06-20T00:00Z"]}


def test_the_glance_link_carries_the_as_of_zone(make_app, programme):
    at = make_app(as_of=AS_OF, zone="Europe/Warsaw").run()
    name = at.selectbox(key="glance").options[0]
    at.selectbox(key="glance").select(name).run()
    assert link_query(at) == {"session": [name], "as_of": [AS_OF], "zone": ["Europe/Warsaw"]}
    at.selectbox(key="as_of_zone").set_value("UTC").run()
    assert link_query(at) == {"session": [name], "as_of": [AS_OF], "zone": ["UTC"]}


def test_a_new_as_of_redraws_the_chosen_sessions_card_and_link(make_app, programme):
    early = "2026-01-01T00:00Z"
    at = make_app(as_of=early).run()
    name = "History grade 8 - Chopin 8B"
    at.selectbox(key="glance").select(name).run()
    assert link_query(at)["as_of"] == [early]
    before = [m.value for m in at.markdown]
    at.datetime_input(key="as_of").set_value(datetime(2027, 3, 16, 7, 0)).run()
    assert not at.exception
    assert at.selectbox(key="glance").value == name
    with Session(programme) as db:
        detail = services.session_detail(db=db, name=name, as_of=services.parse_as_of(AS_OF))
    assert detail is not None
    head = next(m.value for m in at.markdown if m.value.startswith(tuple(STATUS_ICON.values())))
    assert head.startswith(STATUS_ICON[detail.checklist.status])
    lines = [m.value for m in at.markdown if m.value.startswith(tuple(STATE_ICON.values()))]
    assert [line.split(" **")[0] for line in lines] == [STATE_ICON[i.state] for i in detail.checklist.items]
    assert lines != [line for line in before if line.startswith(tuple(STATE_ICON.values()))]  # not the old card
    assert link_query(at)["as_of"] == [AS_OF]


def test_a_search_keeps_the_chosen_session_while_it_lists_it(make_app, programme):
    at = make_app(as_of=AS_OF).run()
    name = "History grade 8 - Chopin 8B"
    at.selectbox(key="glance").select(name).run()
    at.text_input(key="search").input("chopin").run()  # fewer options, the chosen one among them
    assert at.selectbox(key="glance").value == name and [s.value for s in at.subheader] == ["Checklist"]
    assert link_query(at)["session"] == [name]
    at.text_input(key="search").input("Erasmus").run()
    assert not at.exception
    assert name not in at.selectbox(key="glance").options and not at.subheader
    at.text_input(key="search").input("").run()
    assert not at.exception
    box = at.selectbox(key="glance")
    shown = box.value == name
    assert shown == bool(at.subheader)  # the card follows the box: never a card for a choice the box does not show


def test_no_glance_when_every_session_is_filtered_out_or_the_store_is_emptied(make_app, app_engine):
    imported = load(app_engine, sessions(session("History 4A")))
    at = make_app(as_of="2028-06-20T00:00Z", search="no such session anywhere").run()
    assert not at.exception and not glance_boxes(at) and not at.get("page_link")
    at.text_input(key="search").input("").run()
    at.selectbox(key="glance").select("History 4A").run()
    assert [s.value for s in at.subheader] == ["Checklist"]
    with Session(app_engine) as db:  # undone elsewhere (another browser, the CLI) while it is chosen here
        services.undo_import(db=db, import_id=imported.import_id)
        db.commit()
    at.run()
    assert not at.exception and not glance_boxes(at) and not at.subheader
    assert "No paper session is stored yet" in at.info[0].value


def test_a_viewer_can_open_a_session_from_the_glance(make_app, programme):
    from tests.app.test_login_pages import SECRETS, VIEWER

    at = make_app(as_of=AS_OF)
    at.secrets, at.user = SECRETS, VIEWER
    at.run()
    name = at.selectbox(key="glance").options[0]
    at.selectbox(key="glance").select(name).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Checklist"]
    assert link_query(at)["session"] == [name]


# ``ui.plain`` escaped Markdown's punctuation but neither "=" nor "&": the card's first line (the session page's too,
# the same ``checklist_card``) read by a CommonMark parser, as Streamlit's frontend reads it.

def test_a_delivery_that_ends_in_a_setext_underline_is_no_heading(make_app, app_engine):
    load(app_engine, sessions(session("History 4A", session_deliveryId="d\n===")))
    at = make_app(as_of="2028-06-20T00:00Z").run()
    at.selectbox(key="glance").select("History 4A").run()
    head = at.markdown[0].value
    assert "<h1>" not in markdown_it.MarkdownIt("commonmark").render(head)


def test_a_group_holding_an_html_entity_is_shown_as_written(make_app, app_engine):
    load(app_engine, sessions(session("History 4A", group="R&amp;D &lt;b&gt;")))
    at = make_app(as_of="2028-06-20T00:00Z").run()
    at.selectbox(key="glance").select("History 4A").run()
    head = at.markdown[0].value
    html = markdown_it.MarkdownIt("commonmark").render(head)
    assert "&amp;amp;" in html and "&amp;lt;b&amp;gt;" in html


# --- 2. The volume chart and the review ----------------------------------------------------------------------------

def receipts_at(engine, as_of: str = AS_OF) -> services.ReceiptBoard:
    with Session(engine) as db:
        return services.receipt_board(db=db, as_of=services.parse_as_of(as_of))


def board_at(engine, as_of: str = AS_OF) -> services.Board:
    with Session(engine) as db:
        return services.readiness_board(db=db, as_of=services.parse_as_of(as_of))


def test_the_pages_received_follow_the_filters_as_the_bars_do(make_app, programme):
    by_name = receipts_at(programme).by_name()
    everyone = make_app("charts", as_of=AS_OF).run()
    assert int(chart(everyone, 1)[1]["received"]["received"].sum()) == sum(
        e.receipt.received for e in by_name.values())  # unfiltered, the line is the programme's pages
    at = make_app("charts", as_of=AS_OF, group="Chopin 8B").run()
    assert not at.exception
    shown = [c.session.session_name for c in board_at(programme).checklists if c.session.group_name == "Chopin 8B"]
    filtered = sum(by_name[name].receipt.received for name in shown)
    assert 0 < filtered < sum(e.receipt.received for e in by_name.values())
    assert int(chart(at, 1)[1]["received"]["received"].sum()) == filtered


def test_the_volume_csv_under_a_filter_counts_the_filtered_sessions_pages(make_app, programme, downloads):
    at = make_app("charts", as_of=AS_OF, group="Chopin 8B").run()
    assert not at.exception
    rows = pd.read_csv(io.BytesIO(dict(downloads)["scanready-volume.csv"]))
    by_name = receipts_at(programme).by_name()
    shown = [c.session.session_name for c in board_at(programme).checklists if c.session.group_name == "Chopin 8B"]
    assert int(rows["expected_sheets"].sum()) == sum(c.expected_sheets for c in board_at(programme).checklists
                                                     if c.session.session_name in shown)
    assert int(rows["received"].sum()) == sum(by_name[name].receipt.received for name in shown)


def volume_svg(html: str) -> str:
    """The review's volume section."""
    section = html[html.index('<section id="volume">'):]
    return section[:section.index("</section>")]


def shaded_days(svg: str) -> int:
    """The rects the volume chart's first layer (the days above the capacity) draws in the review's SVG."""
    start = svg.index("layer_0_layer_0_marks")
    return svg[start:svg.index('<g class="mark-', start)].count("<path")


def capacity_labels(svg: str) -> set[str]:
    return set(re.findall(r"capacity [\d,]+/day", svg))


def test_the_reviews_volume_chart_draws_the_capacity_given_and_none_without(make_app, programme, downloads):
    at = make_app("charts", as_of=AS_OF, capacity="200").run()
    assert not at.exception
    over = list(at.dataframe[1].value["date"])
    first = volume_svg(dict(downloads)["readiness-review.html"].decode())
    assert capacity_labels(first) == {"capacity 200/day"}
    assert shaded_days(first) == len(over) > 0
    assert f"{len(over):,} day(s) above the scanner's capacity of 200 sheets:" in first
    at.number_input(key="capacity").set_value(10_000_000).run()
    huge = volume_svg(downloads[-1][1].decode())
    assert capacity_labels(huge) == {"capacity 10,000,000/day"} and shaded_days(huge) == 0
    assert "No day is above the scanner's capacity of 10,000,000 sheets." in huge
    at.number_input(key="capacity").set_value(0).run()
    assert not at.exception
    none = volume_svg(downloads[-1][1].decode())
    assert capacity_labels(none) == set() and shaded_days(none) == 0
    assert "day(s) above the scanner's capacity" not in none and "No day is above" not in none


def test_the_highest_capacity_and_a_new_stacking_change_the_data_only(make_app, programme):
    at = make_app("charts", as_of=AS_OF).run()
    by_status = chart(at, 1)[0]
    at.number_input(key="capacity").set_value(10_000_000).run()
    spec, data = chart(at, 1)
    assert spec == by_status and set(data) == {"bars", "days", "capacity", "received"}
    assert data["capacity"].to_dict("records") == [{"capacity": 10_000_000, "label": "capacity 10,000,000/day"}]
    assert not data["days"]["over_capacity"].any()
    assert at.success[0].value == "No day is above the capacity of 10,000,000 sheets."
    at.number_input(key="capacity").set_value(150).run()
    over = list(chart(at, 1)[1]["days"].query("over_capacity")["date"])
    for stack in ("group", "delivery", "status"):
        at.radio(key="stack_by").set_value(stack).run()
        assert not at.exception
        spec, data = chart(at, 1)
        assert stack in data["bars"].columns
        assert data["capacity"]["capacity"].tolist() == [150]
        assert list(data["days"].query("over_capacity")["date"]) == over  # the same days, whatever the stacking
        assert list(at.dataframe[1].value["date"]) == over
    assert spec == by_status


def test_without_scans_the_volume_chart_has_no_received_data_at_any_capacity(make_app, app_engine):
    files = example_files(EXAM_DAY)
    load(app_engine, *(f for f in files if f[0] != "example-scans.csv"))
    at = make_app("charts", as_of=AS_OF).run()
    shape, data = chart(at, 1)
    assert set(data) == {"bars", "days", "capacity"}
    assert "line" not in [layer["mark"]["type"] for layer in shape["layer"][0]["layer"]]
    at.number_input(key="capacity").set_value(200).run()
    spec, data = chart(at, 1)
    assert spec == shape and set(data) == {"bars", "days", "capacity"}
    assert data["capacity"]["capacity"].tolist() == [200] and data["days"]["over_capacity"].any()


def test_filters_that_leave_no_sheets_on_any_day_leave_no_volume_chart_and_say_so(make_app, programme, downloads):
    at = make_app("charts", as_of=AS_OF, group="Erasmus 8C", capacity="200").run()  # a group with nobody enrolled
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 1  # the timeline alone
    assert any(i.value.startswith("No sheets are expected on any day") for i in at.info)
    review = volume_svg(dict(downloads)["readiness-review.html"].decode())
    assert "<svg" not in review and "No sheets are expected on any day" in review


# --- 3. Activity by status: enrolled test-takers only --------------------------------------------------------------

AFTER = datetime(2028, 6, 13, tzinfo=UTC)


def detail(engine, name: str = "History 4A", as_of: datetime = AFTER) -> services.SessionDetail:
    with Session(engine) as db:
        found = services.session_detail(db=db, name=name, as_of=as_of)
    assert found is not None
    return found


def counted(found: services.SessionDetail) -> tuple[dict[str, int], int, int]:
    return found.statuses, found.unenrolled, found.checklist.session.started


def test_only_the_groups_test_takers_are_counted_whatever_else_they_are(make_app, app_engine):
    load(app_engine, sessions(session("History 4A"), session("History 4B", group="Class 4B")),
         links(("ana", "Class 4A", "test_taker"),  # a role in small letters is TAO's role
               ("both", "Class 4A", "TEST_TAKER"), ("both", "Class 4A", "SCAN_UPLOADER"),
               ("up", "Class 4A", "SCAN_UPLOADER"), ("bo", "Class 4B", "TEST_TAKER"), ("Cy", "Class 4A", "TEST_TAKER")))
    load(app_engine, activity(*(("History 4A", user, "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z")
                                for user in ("ana", "both", "up", "bo", "cy"))))
    # "up" only uploads, "bo" takes tests in another group, "cy" is not "Cy": three rows no count holds
    assert counted(detail(app_engine)) == ({"finished": 2}, 3, 2)
    at = make_app("session", session="History 4A", as_of="2028-06-13T00:00Z").run()
    assert not at.exception
    statuses = at.dataframe[1].value
    assert dict(zip(statuses["status"], statuses["test-takers"], strict=True)) == {"finished": 2}
    assert {m.label: m.value for m in at.metric}["Started"] == "2"
    assert any(c.value.startswith("Not counted: 3 activity row(s)") for c in at.caption)


def test_undoing_a_complete_roster_brings_the_counts_back(make_app, app_engine):
    load(app_engine, sessions(session("History 4A")),
         links(("ana", "Class 4A", "TEST_TAKER"), ("bo", "Class 4A", "TEST_TAKER"),
               ("up", "Class 4A", "SCAN_UPLOADER")),
         activity(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z"),
                  ("History 4A", "bo", "in progress", "2028-06-12T07:02:00Z", "")))
    before = counted(detail(app_engine))
    assert before == ({"finished": 1, "in_progress": 1}, 0, 2)
    sync = load(app_engine, links(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")),
                options=services.ImportOptions(sync_links=True))
    assert counted(detail(app_engine)) == ({"finished": 1}, 1, 1)
    with Session(app_engine) as db:
        services.undo_import(db=db, import_id=sync.import_id)
        db.commit()
    assert counted(detail(app_engine)) == before
    at = make_app("session", session="History 4A", as_of="2028-06-13T00:00Z").run()
    assert not at.exception
    assert not any(c.value.startswith("Not counted") for c in at.caption)
    assert {m.label: m.value for m in at.metric}["Started"] == "2"


def test_undoing_the_activity_import_leaves_nothing_to_count_or_leave_out(app_engine):
    load(app_engine, sessions(session("History 4A")), links(("ana", "Class 4A", "TEST_TAKER")))
    rows = load(app_engine, activity(("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", ""),
                                     ("History 4A", "zed", "finished", "2028-06-12T07:01:00Z", "")))
    assert counted(detail(app_engine)) == ({"finished": 1}, 1, 1)
    with Session(app_engine) as db:
        services.undo_import(db=db, import_id=rows.import_id)
        db.commit()
    assert counted(detail(app_engine)) == ({}, 0, 0)


# --- 4. A board is judged at its as-of to the second ---------------------------------------------------------------

LAUNCH_AS_OF = "2028-06-12T07:00:00.5Z"  # half a second after the second ana's launch lies in
SCAN_AS_OF = "2028-06-13T07:00:00.5Z"  # the same for the batch received


@pytest.fixture
def fractions(app_engine):
    """A session launched and a batch received a fraction of a second after a whole second."""
    load(app_engine, sessions(session("History 4A")),
         links(("ana", "Class 4A", "TEST_TAKER"), ("up", "Class 4A", "SCAN_UPLOADER")),
         activity(("History 4A", "ana", "finished", "2028-06-12T07:00:00.300Z", "2028-06-12T08:00:00Z")))
    load(app_engine, ("scans.csv", scans_csv({"session_name": "History 4A", "pages": "3",
                                               "received_at": "2028-06-13T07:00:00.300Z", "batch_id": "b1"})))
    return app_engine


MOMENTS = [(LAUNCH_AS_OF, 0, 0), (SCAN_AS_OF, 1, 0), ("2028-06-13T07:00:01.5Z", 1, 3)]


@pytest.mark.parametrize(("text", "launched", "received"), MOMENTS)
def test_every_service_judges_the_same_whole_second(fractions, text, launched, received):
    moment = services.parse_as_of(text)
    printed = text.replace(".5Z", "Z")  # the moment every output writes
    whole = services.parse_as_of(printed)
    assert moment.microsecond == 500_000
    with Session(fractions) as db:
        board = services.readiness_board(db=db, as_of=moment)
        out = io.BytesIO()
        services.write_readiness_json(db=db, out=out, as_of=moment)
        receipts = services.receipt_board(db=db, as_of=moment)
        found = services.session_detail(db=db, name="History 4A", as_of=moment)
        exact = services.session_detail(db=db, name="History 4A", as_of=whole)
    assert found is not None and exact is not None
    assert board.as_of == receipts.as_of == whole
    assert orjson.loads(out.getvalue()) == board.to_dict() and board.to_dict()["as_of"] == printed
    assert board.checklists[0].session.started == found.checklist.session.started == launched
    assert sum(n for status, n in found.statuses.items() if status != "not_started") == launched
    assert found.receipt is not None
    assert receipts.sessions[0].receipt.received == found.receipt.receipt.received == received
    assert sum(b.pages for b in found.batches) == received
    assert (found.statuses, found.receipt, found.batches) == (exact.statuses, exact.receipt, exact.batches)


@pytest.mark.parametrize(("text", "started", "received"), [(LAUNCH_AS_OF, "0", 0), (SCAN_AS_OF, "1", 0)])
def test_the_session_page_at_a_fraction_of_a_second_shows_the_whole_seconds_counts(make_app, fractions, text,
                                                                                    started, received):
    at = make_app("session", session="History 4A", as_of=text).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Started"] == started
    statuses = at.dataframe[1].value
    launched = statuses.loc[statuses["status"] != "not_started", "test-takers"].sum()
    assert str(launched) == started
    batches = [d.value for d in at.dataframe if "pages" in d.value.columns]
    assert sum(int(b["pages"].sum()) for b in batches) == received


def test_the_cli_prints_and_judges_the_whole_second(fractions, store_file, capsys):
    from dashboard.cli import main

    url = f"sqlite:///{store_file}"
    assert main(["readiness", "--json", "--db", url, "--as-of", LAUNCH_AS_OF]) == 0
    fraction = json.loads(capsys.readouterr().out)
    assert main(["readiness", "--json", "--db", url, "--as-of", "2028-06-12T07:00:00Z"]) == 0
    assert fraction == json.loads(capsys.readouterr().out)
    assert fraction["as_of"] == "2028-06-12T07:00:00Z"
    assert {i["item"]: i["state"] for i in fraction["sessions"][0]["items"]}["launched"] == "pending"
    assert main(["receipt", "--json", "--db", url, "--as-of", SCAN_AS_OF]) == 0
    receipt = json.loads(capsys.readouterr().out)
    assert receipt["as_of"] == "2028-06-13T07:00:00Z" and receipt["sessions"][0]["received"] == 0  # came at .3


@pytest.mark.parametrize("page", ["overview", "session"])
def test_a_rerun_with_nothing_changed_keeps_the_verdict_of_an_as_of_with_seconds(make_app, app_engine, page):
    load(app_engine, sessions(session("History 4A")), links(("ana", "Class 4A", "TEST_TAKER")),
         activity(("History 4A", "ana", "finished", "2028-06-12T07:00:15Z", "2028-06-12T08:00:00Z")))
    at = make_app(page, session="History 4A", as_of="2028-06-12T07:00:30Z").run()  # as the CLI prints a moment

    def started() -> int:
        if page == "overview":
            return int(at.dataframe[0].value["started"].iloc[0])
        return int({m.label: m.value for m in at.metric}["Started"])

    first = started()
    assert at.query_params["as_of"] == "2028-06-12T07:00Z"  # the moment the page writes and shares
    at.run()
    assert not at.exception
    assert started() == first
