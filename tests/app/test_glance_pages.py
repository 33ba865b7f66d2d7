"""AppTest of what issue 14 asked of the pages at a glance: states in words, each row's reason, links to a session,
the as-of's zone, the search, a session that is not found, the charts' and import page's tables, one message where
there were two, each item's rule beside it, and known errors shown as errors."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session

from dashboard import db as db_module, services
from dashboard.readiness import ITEMS
from dashboard.ui import filters, tables
from dashboard.ui.tables import plain
from dashboard.wording import ITEM_RULES, ITEM_TITLES
from tests.app.conftest import AS_OF
from tests.factories import NEW_GROUPS, csv_bytes, session

# Emoji and the pictographs fonts draw as emoji (without such a font, Chromium draws a box for each).
EMOJI = re.compile("[\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]")


def board(engine, as_of: str = AS_OF) -> services.Board:
    with Session(engine) as db:
        return services.readiness_board(db=db, as_of=services.parse_as_of(as_of))


def columns(at, index: int = 0) -> dict[str, Any]:
    """The column configuration a dataframe sends to the browser (labels, help, types, widths)."""
    config: dict[str, Any] = json.loads(at.dataframe[index].proto.columns)
    return config


def link_query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


def texts(at) -> list[str]:
    """Every text a page shows outside its tables."""
    return [e.value for kind in ("title", "markdown", "caption", "info", "error", "success", "metric")
            for e in at.get(kind) if isinstance(getattr(e, "value", None), str)]


def test_states_and_statuses_are_words_or_the_apps_own_icons(make_app, programme):
    overview = make_app(as_of=AS_OF).run()
    table = overview.dataframe[0].value
    assert set(table["status"]) == {"ready", "pending", "blocked"}
    assert set(table[list(ITEMS)].stack()) == {"ok", "pending", "problem"}
    assert overview.multiselect(key="status").options == ["ready", "pending", "blocked"]
    session = make_app("session", session="History grade 8 - Chopin 8B", as_of=AS_OF).run()
    lines = [m.value for m in session.markdown]
    assert sum(line.startswith(tuple(tables.STATE_ICON.values())) for line in lines) == 6
    assert lines[0].startswith(tables.STATUS_ICON["blocked"])
    shown = [*texts(overview), *texts(session), *map(str, table.astype(str).stack())]
    assert not [text for text in shown if EMOJI.search(text)]
    assert all(re.fullmatch(r":\w+\[:material/\w+: \w+\]", icon) for icon in tables.STATE_ICON.values())


def test_each_row_says_why_its_session_is_not_ready_and_shortens_its_delivery(make_app, programme):
    at = make_app(as_of=AS_OF).run()
    table = at.dataframe[0].value
    expected = board(programme).checklists
    assert len(table) == len(expected)
    for (_, row), checklist in zip(table.iterrows(), expected, strict=True):
        problems = [item.detail for item in checklist.items if item.state == "problem"]
        pending = [item.detail for item in checklist.items if item.state == "pending"]
        assert row["reason"] == (problems or pending or [""])[0]
        assert row["delivery"] == checklist.session.delivery_id.rsplit("/", 1)[-1]
    assert set(table.loc[table["status"] == "ready", "reason"]) == {""}
    # The glance first: status, name, the six items and when the window closes; why, what scans came (once any
    # did), group and delivery after.
    assert list(table.columns[:12]) == ["status", "session", *ITEMS, "window closes", "reason", "received", "scans"]
    assert "the session page shows it in full" in columns(at)["delivery"]["help"]


def test_the_session_page_shows_the_delivery_in_full(make_app, programme):
    at = make_app("session", session="History grade 8 - Chopin 8B", as_of=AS_OF).run()
    assert "delivery https\\://tao\\.example\\.org/delivery/history\\-8" in at.markdown[0].value


def test_a_sessions_name_is_a_link_to_its_page_at_the_same_as_of_and_zone(make_app, programme):
    at = make_app(as_of=AS_OF, zone="Europe/Warsaw").run()
    table = at.dataframe[0].value
    link = table["session"].iloc[0]
    assert link_query(link) == {"session": [board(programme).checklists[0].session.session_name],
                                "as_of": [AS_OF], "zone": ["Europe/Warsaw"]}
    assert urlsplit(link).path == "session"  # relative: the app's own session page, wherever it is served
    config = columns(at)["session"]
    assert config["type_config"]["type"] == "link"
    pattern = config["type_config"]["display_text"]
    shown = re.search(pattern, link)
    assert shown is not None and shown.group(1) == link_query(link)["session"][0].replace(" ", "%20")


def test_the_as_of_reads_in_a_chosen_zone_and_the_url_keeps_it_in_utc(make_app, programme):
    at = make_app(as_of=AS_OF, zone="Europe/Warsaw").run()
    assert not at.exception
    moment = at.datetime_input(key="as_of")
    assert (moment.label, moment.value) == ("As of (Europe/Warsaw)", datetime(2027, 3, 16, 8, 0))
    zones = at.selectbox(key="as_of_zone")
    assert zones.value == "Europe/Warsaw"
    assert {"UTC", "Europe/Paris", "Europe/Warsaw"} <= set(zones.options)  # UTC and the sessions' zones
    assert columns(at)["window closes"]["type_config"]["timezone"] == "Europe/Warsaw"
    zones.set_value("UTC").run()  # the same moment, now read in UTC
    moment = at.datetime_input(key="as_of")
    assert (moment.label, moment.value) == ("As of (UTC)", datetime(2027, 3, 16, 7, 0))
    assert (at.query_params["as_of"], at.query_params["zone"]) == (AS_OF, "UTC")
    moment.set_value(datetime(2027, 3, 20, 9, 30)).run()
    assert at.query_params["as_of"] == "2027-03-20T09:30Z"


def test_without_a_zone_the_as_of_reads_in_the_browsers_and_says_which(make_app, programme):
    at = make_app(as_of=AS_OF).run()  # AppTest's "browser" says no zone: UTC, and the label says so
    assert at.datetime_input(key="as_of").label == "As of (UTC)"
    assert at.selectbox(key="as_of_zone").value == "browser" and "zone" not in at.query_params


@pytest.mark.parametrize("page", ["overview", "charts", "session"])
def test_every_as_of_says_its_zone(make_app, programme, page):
    at = make_app(page, as_of=AS_OF, zone="Europe/Paris").run()
    assert not at.exception
    assert at.datetime_input(key="as_of").label == "As of (Europe/Paris)"


def test_a_zone_in_the_url_that_does_not_exist_is_ignored(make_app, programme):
    at = make_app(as_of=AS_OF, zone="Mars/Olympus").run()
    assert not at.exception
    assert at.selectbox(key="as_of_zone").value == "browser" and "zone" not in at.query_params


def test_the_search_box_narrows_the_overview_and_is_kept_in_the_url(make_app, programme):
    at = make_app(as_of=AS_OF).run()
    at.text_input(key="search").input("chopin 8b").run()
    assert at.query_params["search"] == "chopin 8b"
    table = at.dataframe[0].value
    names = [link_query(link)["session"][0] for link in table["session"]]
    assert sorted(names) == ["History grade 8 - Chopin 8B", "Mathematics grade 8 - Chopin 8B",
                             "Science grade 8 - Chopin 8B"]
    assert sum(int(m.value) for m in at.metric[:3]) == 3  # the counts follow the search
    again = make_app(as_of=AS_OF, search="chopin 8b", status="blocked").run()  # a shared view keeps it
    assert again.text_input(key="search").value == "chopin 8b"
    assert set(again.dataframe[0].value["group"]) == {"Chopin 8B"}
    assert set(again.dataframe[0].value["status"]) == {"blocked"}
    nothing = make_app(as_of=AS_OF, search="no such session").run()
    assert "No session matches “no such session”." in [c.value for c in nothing.caption]


def test_searching_reuses_the_cached_table(make_app, programme, monkeypatch):
    built: list[int] = []
    original = tables.board_frame
    monkeypatch.setattr("dashboard.ui.data.board_frame", lambda shown: built.append(1) or original(shown))
    at = make_app(as_of="2027-03-16T07:10Z").run()  # a moment of its own: the cache has no table for it yet
    at.text_input(key="search").input("Erasmus").run()
    at.text_input(key="search").input("Lincoln").run()
    assert len(built) == 1
    assert len(at.dataframe[0].value) == 9


def test_a_programme_beyond_the_tables_rows_sends_its_first_rows_and_says_so(make_app, programme, monkeypatch):
    """Beyond ``Settings.table_rows`` sessions, the table holds the first ones (blocked first) and says how to reach
    the others; the counts still cover every session; a search reaches a session beyond the first rows, and a
    ticked row opens its own session."""
    monkeypatch.setenv("SCANREADY_TABLE_ROWS", "5")
    everyone = board(programme).checklists
    at = make_app(as_of=AS_OF).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert [link_query(link)["session"][0] for link in table["session"]] == [
        c.session.session_name for c in everyone[:5]]
    assert f"{len(everyone)} of {len(everyone)} paper sessions" in " ".join(texts(at))
    assert ("The table holds the first 5 of them. Narrow it with the filters or the search, or download every row "
            "below.") in texts(at)
    assert sum(int(m.value) for m in at.metric[:3]) == len(everyone)
    last = everyone[-1].session.session_name
    at.text_input(key="search").input(last).run()
    assert [link_query(link)["session"][0] for link in at.dataframe[0].value["session"]] == [last]
    assert not [t for t in texts(at) if t.startswith("The table holds")]
    at.text_input(key="search").input("").run()
    at.session_state["board"] = {"selection": {"rows": [4], "columns": [], "cells": []}}
    at.run()
    assert at.title[-1].value == plain(everyone[4].session.session_name)  # the name as Markdown shows it


def test_ticking_a_row_opens_its_session_without_sending_the_table_again(make_app, programme, monkeypatch):
    """The overview reads the ticked row before it draws the table: the run that opens the session page sends no
    overview table (nor builds one), and the page opened is the ticked row's, at the same as-of and zone."""
    at = make_app(as_of=AS_OF, zone="Europe/Warsaw", status="blocked").run()
    name = link_query(at.dataframe[0].value["session"].iloc[1])["session"][0]
    drawn: list[int] = []
    original = filters.board_table
    monkeypatch.setattr("dashboard.ui.filters.board_table", lambda *args: drawn.append(1) or original(*args))
    at.session_state["board"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[-1].value == plain(name) and at.query_params["session"] == name
    assert (at.query_params["as_of"], at.query_params["zone"]) == (AS_OF, "Europe/Warsaw")
    assert not drawn


def test_an_unknown_session_in_the_url_is_not_found_and_the_search_is_offered(make_app, programme):
    at = make_app("session", session="History grade 9 - Nowhere", as_of=AS_OF).run()
    assert not at.exception
    assert at.error[0].value.startswith(f"No paper session named “{plain('History grade 9 - Nowhere')}” is stored.")
    assert at.selectbox(key="session_name").value is None  # no other session shown in its place
    assert [t.value for t in at.title] == ["Session"]
    assert at.query_params["session"] == "History grade 9 - Nowhere"  # the URL is not rewritten
    at.selectbox(key="session_name").set_value("History grade 8 - Chopin 8B").run()
    assert not at.error and at.title[-1].value == plain("History grade 8 - Chopin 8B")
    assert at.query_params["session"] == "History grade 8 - Chopin 8B"


def test_the_session_page_without_a_name_still_opens_the_first_session(make_app, programme):
    at = make_app("session", as_of=AS_OF).run()
    assert not at.error and at.selectbox(key="session_name").value is not None


def test_each_checklist_item_has_its_rule_beside_it(make_app, programme):
    at = make_app("session", session="History grade 8 - Chopin 8B", as_of=AS_OF).run()
    items = [m for m in at.markdown if m.value.startswith(tuple(tables.STATE_ICON.values()))]
    assert [(m.value.split("**")[1], m.proto.help) for m in items] == [
        (ITEM_TITLES[item], ITEM_RULES[item]) for item in ITEMS]
    overview = make_app(as_of=AS_OF).run()
    config = columns(overview)
    assert [config[item]["help"] for item in ITEMS] == [f"**{ITEM_TITLES[i]}**: {ITEM_RULES[i]}" for i in ITEMS]


def test_the_charts_tables_name_their_columns_in_words(make_app, programme):
    at = make_app("charts", as_of=AS_OF, capacity="200").run()
    timeline, over = columns(at, 0), columns(at, 1)
    assert (timeline["expected_sheets"]["label"], timeline["expected_sheets"]["help"][:16]) == ("sheets",
                                                                                             "Expected sheets:")
    assert (over["expected_sheets"]["label"], over["over_by"]["label"]) == ("expected sheets",
                                                                           "sheets above capacity")
    assert timeline["session"]["width"] == "medium"
    assert list(at.dataframe[0].value.columns[:3]) == ["session", "status", "expected_sheets"]  # numbers in view


def test_the_import_pages_problems_wrap_their_messages_and_show_file_names_whole(make_app):
    at = make_app("import").run()
    name = "sessions-of-the-spring-term-with-a-long-name.csv"
    rows = [session("History 4A", session_startDate="2027-02-30T08:00:00Z")]
    at.file_uploader[0].set_value((name, csv_bytes(NEW_GROUPS, rows), "text/csv")).run()
    problems = next(d for d in at.dataframe if "message" in d.value.columns)
    assert list(problems.value["file"]) == [name] and "2027-02-30" in problems.value["message"][0]
    assert problems.proto.row_height == tables.PROBLEM_ROW_HEIGHT  # rows taller than 4 rem: the grid wraps text
    drawn = json.loads(problems.proto.columns)
    assert {name: drawn[name]["width"] for name in tables.problems_column_config()} == {
        name: config["width"] for name, config in tables.problems_column_config().items()}


def test_the_empty_overview_says_so_once(make_app):
    at = make_app().run()
    assert [i.value for i in at.main.info] == [
        "No paper session is stored yet. Import your TAO session files on the Import page, or load the example "
        "programme below, to see which sessions will be ready for scans."]
    assert any(b.label == "Load example programme" for b in at.button)


def test_an_import_says_what_it_did_once_and_leads_to_the_overview(make_app, app_engine):
    at = make_app("import").run()
    next(b for b in at.button if b.label == "Load example programme").click().run()
    assert not at.exception
    assert [s.value for s in at.success if s.value.startswith("Imported: ")] != []
    assert not at.toast  # the banner says it; a toast saying it again was noise
    links = at.get("page_link")
    assert [(link.proto.label, link.proto.page) for link in links] == [("See the readiness overview", "overview")]


def test_a_store_whose_folder_cannot_be_created_shows_an_error_not_a_traceback(make_app, monkeypatch):
    monkeypatch.setenv("SCANREADY_DATABASE_URL", "sqlite:////proc/nope/store.db")
    for page in ("overview", "session", "charts", "import"):
        at = make_app(page).run()
        assert not at.exception, page
        assert at.error[0].value.startswith("Cannot create the folder of the store '/proc/nope/store.db'"), page


def test_an_import_while_another_writer_keeps_the_store_busy_says_to_run_it_again(make_app, store_file, monkeypatch):
    original = db_module._sqlite_pragmas

    def impatient(connection: Any, record: Any) -> None:  # wait 0.2 s for the lock, not 30 s
        original(connection, record)
        connection.execute("PRAGMA busy_timeout=200")

    monkeypatch.setattr(db_module, "_sqlite_pragmas", impatient)
    at = make_app("import").run()
    with closing(sqlite3.connect(store_file, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another writer holds the store's write lock
        next(b for b in at.button if b.label == "Load example programme").click().run()
        other.execute("ROLLBACK")
    assert not at.exception
    assert at.error[0].value == ("The store stayed busy with another import for 30 seconds; nothing of this one was "
                                 "stored. Run it again.")
    with closing(sqlite3.connect(store_file)) as reader:
        assert reader.execute("SELECT count(*) FROM exam_session").fetchone() == (0,)
