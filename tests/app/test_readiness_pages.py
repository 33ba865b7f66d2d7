"""AppTest of the overview and session pages on the example programme (anchored on a fixed day)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from sqlmodel import Session
from streamlit.util import calc_hash

from dashboard import services
from dashboard.config import Settings
from dashboard.ui.tables import STATE_ICON, plain
from dashboard.wording import ITEM_TITLES
from tests.app.conftest import AS_OF
from tests.factories import ACTIVITY, LINKS, NEW_GROUPS, csv_bytes, session


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def names(table) -> list[str]:
    """The session names of the overview's table (its session column holds each session page's link)."""
    return [parse_qs(urlsplit(link).query)["session"][0] for link in table["session"]]


def test_empty_store_overview_points_to_import_and_example(make_app):
    at = make_app().run()
    assert not at.exception
    assert "No paper session is stored yet" in at.info[0].value
    assert any(b.label == "Load example programme" for b in at.button)


def test_overview_lists_every_paper_session_blocked_first(make_app, programme):
    at = make_app(as_of=AS_OF).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 35  # 36 sessions, one of them not on paper
    ranks = table["status"].map({"blocked": 0, "pending": 1, "ready": 2}).astype(int)
    assert ranks.is_monotonic_increasing
    shown = metrics(at)
    for label, status in (("Ready", "ready"), ("Pending", "pending"), ("Blocked", "blocked")):
        assert shown[label] == f"{(table['status'] == status).sum():,}"
    assert shown["Expected sheets"] == f"{table['expected sheets'].sum():,}"
    items = ["enrolment", "roles", "launched", "submitted", "window", "schedule"]
    assert set(table[items].stack()) == {"ok", "pending", "problem"}  # words: they read in any font
    # A download starts no rerun: a rerun racing the browser's fetch of a generated file lost the download.
    assert [(b.proto.label, b.proto.ignore_rerun) for b in at.get("download_button")] == [
        ("Download this table as CSV", True)]


def test_as_of_changes_the_statuses(make_app, programme):
    early = make_app(as_of="2026-01-01T00:00Z").run()
    on_exam_day = make_app(as_of=AS_OF).run()
    assert metrics(early)["Ready"] == "0"
    assert int(metrics(on_exam_day)["Ready"]) > 0
    assert on_exam_day.datetime_input(key="as_of").value.isoformat() == "2027-03-16T07:00:00"  # in UTC here
    assert on_exam_day.query_params["as_of"] == AS_OF


@pytest.mark.parametrize(("query", "column", "expected"), [
    ({"status": "blocked"}, "status", {"blocked"}),
    ({"status": ["ready", "pending"]}, "status", {"ready", "pending"}),
    ({"group": "Chopin 8B"}, "group", {"Chopin 8B"}),
    ({"delivery": "https://tao.example.org/delivery/history-8"}, "delivery", {"history-8"}),  # its id's last part
])
def test_filters_come_from_the_url(make_app, programme, query, column, expected):
    at = make_app(as_of=AS_OF, **query).run()
    assert not at.exception
    assert set(at.dataframe[0].value[column]) == expected


def test_start_date_range_and_closing_soon_filters(make_app, programme):
    at = make_app(as_of=AS_OF, starts=["2027-03-16", "2027-03-20"]).run()
    table = at.dataframe[0].value
    assert 0 < len(table) < 35
    closing = make_app(as_of=AS_OF, closing="20").run()
    rows = closing.dataframe[0].value
    assert set(rows["status"]) == {"blocked"}
    assert 0 < len(rows) < len(make_app(as_of=AS_OF, status="blocked").run().dataframe[0].value)
    as_of = pd.Timestamp(AS_OF)
    assert all(as_of <= closes <= as_of + pd.Timedelta(days=20) for closes in rows["window closes"])


def test_changing_a_filter_writes_it_to_the_url(make_app, programme):
    at = make_app(as_of=AS_OF).run()
    at.multiselect(key="status").set_value(["blocked"]).run()
    assert at.query_params["status"] == "blocked"
    assert set(at.dataframe[0].value["status"]) == {"blocked"}


def test_a_filter_that_matches_nothing_says_so(make_app, programme):
    at = make_app(as_of=AS_OF, group="Chopin 8B", status="ready").run()
    assert "No session matches these filters." in [c.value for c in at.caption]


def test_session_page_shows_the_checklist_with_reasons(make_app, programme):
    at = make_app("session", session="History grade 8 - Chopin 8B", as_of=AS_OF).run()
    assert not at.exception
    assert at.selectbox(key="session_name").value == "History grade 8 - Chopin 8B"
    lines = [m.value for m in at.markdown]
    checklist = [line for line in lines if line.startswith(tuple(STATE_ICON.values()))]
    assert len(checklist) == 6
    assert any("Someone can upload scans" in line and line.startswith(STATE_ICON["problem"]) for line in checklist)
    roles = dict(zip(at.dataframe[0].value["role"], at.dataframe[0].value["users"], strict=True))
    assert roles == {"BOOKLET_PUBLISHER": 1, "TEST_TAKER": roles["TEST_TAKER"]}  # nobody holds SCAN_UPLOADER
    assert roles["TEST_TAKER"] >= 18
    statuses = at.dataframe[1].value
    assert statuses["test-takers"].sum() > 0
    captions = [c.value for c in at.caption]
    assert any("Europe/Warsaw" in text for text in captions)  # the session's dates, in its own zone
    assert any(text.startswith("Activity last imported ") for text in captions)


def test_session_page_switches_session_and_keeps_it_in_the_url(make_app, programme):
    at = make_app("session", as_of=AS_OF).run()
    at.selectbox(key="session_name").set_value("Science grade 8 - Erasmus 8C").run()
    assert at.query_params["session"] == "Science grade 8 - Erasmus 8C"
    assert any(m.value.startswith(f"{STATE_ICON['problem']} **Test-takers enrolled**") for m in at.markdown)


def test_session_page_on_an_empty_store(make_app):
    at = make_app("session").run()
    assert not at.exception
    assert "No paper session is stored yet" in at.info[0].value


def test_a_session_named_like_html_is_shown_as_text(make_app, app_engine):
    name = "<img src=x onerror=alert(1)>"
    files = [("s.csv", csv_bytes(NEW_GROUPS, [session(name, group="<b>bold</b>")])),
             ("l.csv", csv_bytes(LINKS, [{"user_username": "ana", "group_name": "<b>bold</b>",
                                           "group_role": "TEST_TAKER"}]))]
    with Session(app_engine) as db:
        services.import_files(files, db=db, settings=Settings())
        db.commit()
    at = make_app("session", session=name).run()
    assert not at.exception
    assert at.title[0].value == plain(name)  # drawn as the name, not as its markup
    header = at.markdown[0].value
    assert "\\<b\\>bold\\</b\\>" in header
    assert "<b>" not in header.replace("\\<b\\>", "")


def test_as_of_and_filters_follow_the_manager_to_another_page(make_app, programme):
    at = make_app(as_of=AS_OF).run()
    at.multiselect(key="status").set_value(["blocked"]).run()
    at.query_params.clear()  # the sidebar's link carries no query string; pages are functions, so switch
    at._page_hash = calc_hash("charts")  # by the hash of their url path, as the sidebar does
    at.run()
    assert not at.exception
    assert at.datetime_input(key="as_of").value.isoformat() == "2027-03-16T07:00:00"
    assert at.multiselect(key="status").value == ["blocked"]
    assert at.query_params["status"] == "blocked" and at.query_params["as_of"] == AS_OF


def test_the_overview_says_when_activity_was_last_imported(make_app, app_engine):
    with Session(app_engine) as db:
        services.import_files([("s.csv", csv_bytes(NEW_GROUPS, [session("History 4A")]))], db=db, settings=Settings())
        db.commit()
    at = make_app("overview").run()
    assert not at.exception
    assert "No activity imported yet: import TAO's activity exports to see who launched each test." in [
        c.value for c in at.caption]
    with Session(app_engine) as db:
        services.import_files([("a.csv", b"session_name,user_username,status\nHistory 4A,ana,Finished\n")], db=db,
                              settings=Settings(), now=datetime(2027, 3, 16, 9, 12, tzinfo=UTC))
        db.commit()
    at = make_app("overview").run()
    assert any(c.value.startswith("Activity last imported 16 Mar 2027 09:12 UTC (") for c in at.caption)


def test_once_scans_came_the_overview_counts_them_and_filters_by_receipt(make_app, programme):
    at = make_app("overview", as_of=AS_OF).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) >= {"Complete", "Partial", "Nothing received", "Over", "At risk"}
    table = at.dataframe[0].value
    assert {"received", "scans"} <= set(table.columns)
    with Session(programme) as db:
        receipts = services.receipt_board(db=db, as_of=services.parse_as_of(AS_OF))
    assert int(metrics["Complete"]) == receipts.counts()["complete"]
    at.multiselect(key="receipt").set_value(["partial"]).run()
    assert not at.exception
    narrowed = at.dataframe[0].value
    assert set(narrowed["scans"]) <= {"partial", "partial, at risk"} and len(narrowed) == receipts.counts()["partial"]
    assert at.query_params["receipt"] == "partial"  # (AppTest gives a parameter's one value)


def test_the_session_page_lists_the_batches_received_by_the_as_of(make_app, programme):
    with Session(programme) as db:
        receipts = services.receipt_board(db=db, as_of=services.parse_as_of(AS_OF))
    name = next(e.session_name for e in receipts.sessions if e.receipt.state == "complete")
    at = make_app("session", session=name, as_of=AS_OF).run()
    assert not at.exception
    assert any(m.value.startswith("Scans received") for m in at.subheader) or "Scans received" in [
        s.value for s in at.subheader]
    batches = next(d.value for d in at.dataframe if "pages" in d.value.columns)
    entry = receipts.by_name()[name]
    assert int(batches["pages"].sum()) == entry.receipt.received and set(batches["from"]) == {"scan log"}
    assert any(i.value.startswith(f"{entry.receipt.received:,} of {entry.receipt.target:,} pages received (complete)")
               for i in at.info)


def test_until_a_scan_is_imported_no_page_works_out_a_receipt(make_app, app_engine, monkeypatch):
    """The receipt board is worked out only once a scan is stored (before, no page shows a receipt): the overview,
    the charts and a new capacity there compute none; the first scan log brings the receipt to the overview."""
    from dashboard.example import example_files

    files = example_files(datetime(2027, 3, 16, tzinfo=UTC))
    with Session(app_engine) as db:
        services.import_files([f for f in files if f[0] != "example-scans.csv"], db=db, settings=Settings())
        db.commit()
    worked_out: list[int] = []
    original = services.receipt_board
    monkeypatch.setattr("dashboard.services.receipt_board", lambda **kw: worked_out.append(1) or original(**kw))
    at = make_app("overview", as_of=AS_OF).run()
    assert not at.exception and "Complete" not in metrics(at)
    assert "scans" not in at.dataframe[0].value.columns
    charts = make_app("charts", as_of=AS_OF).run()
    charts.number_input(key="capacity").set_value(250).run()
    assert not charts.exception
    assert worked_out == []
    with Session(app_engine) as db:
        services.import_files([f for f in files if f[0] == "example-scans.csv"], db=db, settings=Settings())
        db.commit()
    at = make_app("overview", as_of=AS_OF).run()
    assert not at.exception and "Complete" in metrics(at) and "scans" in at.dataframe[0].value.columns
    assert worked_out


def test_beyond_the_choices_limit_the_group_and_delivery_lists_are_sent_only_when_turned_on(make_app, programme,
                                                                                            monkeypatch):
    """Beyond ``Settings.filter_choices`` groups or deliveries, the Group and Delivery filters are not sent until
    the manager turns them on (each rerun would send every name); off, they filter nothing and leave the URL; on,
    they filter as always; turned off again, the table is whole again. Up to the limit they are always there."""
    at = make_app(as_of=AS_OF).run()
    assert {w.key for w in at.multiselect} >= {"group", "delivery"} and not at.toggle
    everyone = len(at.dataframe[0].value)
    monkeypatch.setenv("SCANREADY_FILTER_CHOICES", "3")
    at = make_app(as_of=AS_OF).run()
    assert not at.exception
    assert "group" not in {w.key for w in at.multiselect} and "delivery" not in {w.key for w in at.multiselect}
    assert at.toggle(key="by_name").value is False
    assert len(at.dataframe[0].value) == everyone
    at.toggle(key="by_name").set_value(True).run()
    assert len(at.multiselect(key="group").options) > 3
    at.multiselect(key="group").set_value(["Chopin 8B"]).run()
    assert set(at.dataframe[0].value["group"]) == {"Chopin 8B"}
    assert at.query_params["group"] == "Chopin 8B"
    at.toggle(key="by_name").set_value(False).run()
    assert len(at.dataframe[0].value) == everyone
    assert "group" not in at.query_params


def test_a_link_that_filters_by_group_opens_with_the_group_filter_on_beyond_the_limit(make_app, programme,
                                                                                      monkeypatch):
    monkeypatch.setenv("SCANREADY_FILTER_CHOICES", "3")
    at = make_app(as_of=AS_OF, group="Chopin 8B").run()
    assert not at.exception
    assert at.toggle(key="by_name").value is True
    assert at.multiselect(key="group").value == ["Chopin 8B"]
    assert set(at.dataframe[0].value["group"]) == {"Chopin 8B"}


def test_beyond_the_choices_limit_the_session_page_lists_the_sessions_a_search_finds(make_app, programme,
                                                                                    monkeypatch):
    """Beyond ``Settings.filter_choices`` sessions, the session page's Session choice holds the session shown and
    those whose name contains what is typed in "Find a session" (not every name: each rerun would send them all);
    picking one opens it. Up to the limit, every name is listed."""
    shown = "History grade 8 - Chopin 8B"
    at = make_app("session", session=shown, as_of=AS_OF).run()
    everyone = at.selectbox(key="session_name").options
    assert len(everyone) > 3 and not at.text_input
    monkeypatch.setenv("SCANREADY_FILTER_CHOICES", "3")
    at = make_app("session", session=shown, as_of=AS_OF).run()
    assert not at.exception
    assert at.selectbox(key="session_name").options == [shown]
    assert at.title[-1].value == plain(shown)
    at.text_input(key="session_search").input("erasmus").run()
    erasmus = [name for name in everyone if "erasmus" in name.casefold()]
    assert erasmus and at.selectbox(key="session_name").options == [shown, *erasmus]
    assert at.selectbox(key="session_name").value == shown
    at.selectbox(key="session_name").set_value(erasmus[0]).run()
    assert at.title[-1].value == plain(erasmus[0])
    assert at.query_params["session"] == erasmus[0]
    at.text_input(key="session_search").input("no such <b>name</b>").run()
    assert at.selectbox(key="session_name").options == [erasmus[0]]
    # the text as typed, its markdown escaped (the page shows "<b>name</b>", neither bold nor markup)
    assert f"No session's name contains “{plain('no such <b>name</b>')}”." in [c.value for c in at.caption]


def test_a_search_matching_more_sessions_than_are_listed_says_so(make_app, programme, monkeypatch):
    monkeypatch.setenv("SCANREADY_FILTER_CHOICES", "3")
    monkeypatch.setattr("dashboard.ui.filters.SESSIONS_LISTED", 2)
    at = make_app("session", session="History grade 8 - Chopin 8B", as_of=AS_OF).run()
    at.text_input(key="session_search").input("science").run()
    options = at.selectbox(key="session_name").options
    assert options[0] == "History grade 8 - Chopin 8B" and len(options) == 3  # the session shown, two that match
    assert all("science" in name.casefold() for name in options[1:])
    assert any(c.value.endswith("sessions match “science”: the first 2 are listed, type more of the name.")
               for c in at.caption)


def test_a_session_chosen_under_the_overviews_table_shows_its_checklist_there(make_app, programme):
    at = make_app(as_of=AS_OF, status="blocked").run()
    table = at.dataframe[0].value
    box = at.selectbox(key="glance")
    assert box.value is None and box.options == names(table)  # the table's sessions, blocked first
    assert not at.subheader  # no checklist until one is chosen
    at.selectbox(key="glance").select(box.options[1]).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Checklist"]
    with Session(programme) as db:
        expected = services.session_detail(db=db, name=box.options[1], as_of=services.parse_as_of(AS_OF))
    assert expected is not None and expected.checklist.status == "blocked"
    lines = [m.value for m in at.markdown]
    assert [line for line in lines if line.startswith(tuple(STATE_ICON.values()))] == [
        f"{STATE_ICON[i.state]} **{ITEM_TITLES[i.item]}**: {plain(i.detail)}" for i in expected.checklist.items]
    assert metrics(at)["Expected sheets"] == f"{expected.checklist.expected_sheets:,}"
    link = at.get("page_link")[-1].proto
    assert link.label == "Enrolment by role, activity and scans of this session"
    assert (link.page, parse_qs(link.query_string)) == ("session", {"session": [box.options[1]], "as_of": [AS_OF]})


def test_a_session_the_filters_take_out_is_no_longer_shown_under_the_table(make_app, programme):
    at = make_app(as_of=AS_OF, status="blocked").run()
    blocked = at.selectbox(key="glance").options[0]
    at.selectbox(key="glance").select(blocked).run()
    assert [s.value for s in at.subheader] == ["Checklist"]
    at.multiselect(key="status").set_value(["ready"]).run()
    assert not at.exception
    assert blocked not in at.selectbox(key="glance").options and not at.subheader


def test_beyond_the_sessions_listed_the_glance_says_to_search(make_app, programme, monkeypatch):
    monkeypatch.setattr("dashboard.ui.sessions.SESSIONS_LISTED", 4)
    at = make_app(as_of=AS_OF).run()
    assert at.selectbox(key="glance").options == names(at.dataframe[0].value)[:4]
    assert "The first 4 of these 35 sessions are listed: search above to list others." in [c.value for c in at.caption]


def test_the_session_page_says_what_activity_it_leaves_out(make_app, app_engine):
    files = [("s.csv", csv_bytes(NEW_GROUPS, [session("History 4A", group="Class 4A")])),
             ("l.csv", csv_bytes(LINKS, [{"user_username": "ana", "group_name": "Class 4A",
                                           "group_role": "TEST_TAKER"}])),
             ("a.csv", csv_bytes(ACTIVITY, [dict(zip(ACTIVITY, row, strict=True)) for row in (
                 ("History 4A", "ana", "finished", "2028-06-12T07:01:00Z", "2028-06-12T08:00:00Z"),
                 ("History 4A", "zed", "in progress", "2028-06-12T07:02:00Z", ""))]))]  # zed is not enrolled
    with Session(app_engine) as db:
        assert services.import_files(files, db=db, settings=Settings()).validation.valid
        db.commit()
    at = make_app("session", session="History 4A", as_of="2028-06-13T00:00Z").run()
    assert not at.exception
    statuses = at.dataframe[1].value
    assert dict(zip(statuses["status"], statuses["test-takers"], strict=True)) == {"finished": 1}
    assert metrics(at)["Started"] == "1"
    assert ("Not counted: 1 activity row(s) of users who are not test-takers of group Class 4A (no longer in it, or "
            "never).") in [c.value for c in at.caption]
