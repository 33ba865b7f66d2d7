"""Hunting the pages for what a user can type, click, drop or put in the URL: no traceback (``at.exception``),
user text shown literally (Markdown made inert, no ``unsafe_allow_html``), every CSV download formula-safe and the
readiness review's HTML escaped."""

from __future__ import annotations

import csv
import io
import re
from html import escape

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard import services
from dashboard.cli import main as cli
from dashboard.config import Settings
from dashboard.export import neutralise
from tests.app.conftest import AS_OF
from tests.factories import session, sessions_csv

LATE = "2028-06-20T00:00Z"  # after the hostile sessions' exam day: every one of them is blocked (nobody enrolled)
FORMULA = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ["**bold** <b>x</b>", "[x](javascript:alert(1))", "$x^2$ :red[red]", '=HYPERLINK("http://e","x")',
           "+cmd", "-2+3", "@SUM(A1)", "📝 Exam", "\u202eevil", "امتحان التاريخ", "L" * 300]
GROUPS = ["=G@0", "<i>group</i>", "**group**"]
DELIVERIES = ["=1+1", "https://t/d/<i>d</i>", "-d"]
TITLES = {"overview": "Readiness overview", "charts": "Charts", "import": "Import files"}
RISKY = set("*_`[]<>$~:\\")  # what changes how Streamlit's Markdown draws text


def literal(markdown: str) -> str | None:
    """The text ``markdown`` shows when each of its Markdown characters is escaped; None when one is not (then it
    would be drawn as bold, a link, LaTeX, a colour, HTML...)."""
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown):
            out.append(markdown[i + 1])
            i += 2
            continue
        if markdown[i] in RISKY:
            return None
        out.append(markdown[i])
        i += 1
    return "".join(out)


@pytest.fixture
def hostile(app_engine: Engine) -> Engine:
    """Sessions whose names, groups and deliveries are Markdown, HTML, LaTeX, formulas, emoji, RTL, long."""
    rows = [session(name, group=GROUPS[i % 3], session_deliveryId=DELIVERIES[i % 3])
            for i, name in enumerate(HOSTILE)]
    with Session(app_engine) as db:
        outcome = services.import_files([("hostile.csv", sessions_csv(*rows))], db=db, settings=Settings())
        db.commit()
    assert outcome.validation.valid
    return app_engine


def cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def formula_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would read as a formula (export.py's rule: a number is left alone)."""
    return [cell for row in rows for cell in row if neutralise(cell) != cell]


def errors(at) -> list[str]:
    return [e.value for e in at.exception]


# --- The URL ------------------------------------------------------------------------------------------------------

ODD = [{"as_of": "garbage"}, {"as_of": ""}, {"as_of": "2027-02-30"}, {"as_of": "0001-01-01"},
       {"as_of": "9999-12-31T23:59Z"}, {"as_of": "2027-03-16T07:00+23:59"}, {"as_of": "2027-03-16T07:00+99:00"},
       {"zone": ""}, {"zone": "../../etc/passwd"}, {"zone": "<b>UTC</b>"},
       {"as_of": "0001-01-01T00:00+05:00", "zone": "UTC"}, {"status": "nope", "group": "nope", "delivery": "<b>x</b>"},
       {"starts": "garbage", "closing": "x", "receipt": "nope"}, {"closing": "-3"},
       {"search": "**x** [x](javascript:alert(1)) $x$"}, {"capacity": "-5"}, {"capacity": "abc"},
       {"capacity": "1e3"}, {"session": "x" * 5000}]


@pytest.mark.parametrize("query", ODD, ids=lambda q: "&".join(f"{k}={v[:20]}" for k, v in q.items()))
@pytest.mark.parametrize("page", ["overview", "charts", "session"])
def test_odd_url_values_leave_the_page_working(make_app, programme, page, query):
    at = make_app(page, **query).run()
    assert not errors(at)
    assert at.title[0].value == TITLES.get(page, at.title[0].value) and at.title[0].value
    if not (page == "session" and "session" in query):  # an unknown session: no as-of to show
        assert at.datetime_input(key="as_of").value is not None  # an unreadable as-of falls back to now


@pytest.mark.parametrize("page", ["overview", "charts", "session"])
@pytest.mark.parametrize(("as_of", "zone"), [("0001-01-01", "Etc/GMT+12"), ("9999-12-31T23:59Z", "Etc/GMT-14")])
def test_an_as_of_at_the_edge_of_time_in_an_offset_zone_is_no_traceback(make_app, programme, page, as_of, zone):
    at = make_app(page, as_of=as_of, zone=zone).run()
    assert not errors(at)


def test_an_as_of_at_the_end_of_time_in_a_browser_east_of_utc_is_no_traceback(make_app, programme):
    at = make_app(as_of="9999-12-31T23:59Z")
    at.context = {"timezone": "Pacific/Kiritimati"}
    at.run()
    assert not errors(at)


def test_the_same_as_of_in_a_browser_west_of_utc_opens(make_app, programme):
    at = make_app(as_of="9999-12-31T23:59Z")
    at.context = {"timezone": "America/New_York"}
    at.run()
    assert not errors(at)
    assert at.datetime_input(key="as_of").label == "As of (America/New_York)"


@pytest.mark.parametrize("page", ["overview", "charts"])
def test_a_huge_closing_filter_in_the_url_is_no_traceback(make_app, programme, page):
    at = make_app(page, as_of=AS_OF, closing="3000000").run()
    assert not errors(at)


def test_a_huge_closing_filter_typed_is_no_traceback(make_app, programme):
    at = make_app(as_of=AS_OF).run()
    at.number_input(key="closing").set_value(3_000_000).run()
    assert not errors(at)


@pytest.mark.parametrize("capacity", ["²", "999999999999999999999999"])
def test_an_odd_capacity_in_the_url_is_no_traceback(make_app, programme, capacity):
    at = make_app("charts", as_of=AS_OF, capacity=capacity).run()
    assert not errors(at)
    assert at.number_input(key="capacity").value == 0


def test_an_unknown_session_in_the_url_is_an_error_not_a_traceback(make_app, programme):
    name = "x" * 5000
    at = make_app("session", session=name, as_of=AS_OF).run()
    assert not errors(at)
    assert name in at.error[0].value and at.selectbox(key="session_name").value is None


@pytest.mark.parametrize("name", ["**x**", "[x](javascript:alert(1))", "$x$", "<b>x</b>"])
def test_an_unknown_session_from_the_url_is_named_literally(make_app, programme, name):
    at = make_app("session", session=name, as_of=AS_OF).run()
    assert not errors(at)
    assert f"“{name}”" in (literal(at.error[0].value) or "")


# --- User text on the pages ---------------------------------------------------------------------------------------

def test_hostile_names_are_inert_on_the_overview_and_in_its_csv(make_app, hostile, downloads):
    at = make_app(as_of=LATE, search="<b>").run()
    assert not errors(at)
    assert not any(m.proto.allow_html for m in [*at.markdown, *at.caption])
    assert [n for n in HOSTILE if "<b>" in n] == ["**bold** <b>x</b>"]
    assert len(at.dataframe[0].value) == 1  # a search for markup finds the one session whose name holds it
    at.text_input(key="search").input("").run()
    table = at.dataframe[0].value
    assert len(table) == len(HOSTILE) and set(table["group"]) == set(GROUPS)
    rows = cells(downloads["scanready-readiness.csv"])
    assert formula_cells(rows) == []
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == sorted("'" + n if n.startswith(FORMULA) else n for n in HOSTILE)
    assert {row[1] for row in rows[1:]} == {"'=G@0", "<i>group</i>", "**group**"}
    assert {row[2] for row in rows[1:]} == {"'=1+1", "https://t/d/<i>d</i>", "'-d"}


def test_a_search_for_markup_is_echoed_literally(make_app, hostile):
    text = "**nothing** [x](javascript:alert(1)) $y$"
    at = make_app(as_of=LATE, search=text).run()
    said = [literal(c.value) for c in at.caption]
    assert f"No session matches “{text}”." in said


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_the_session_page_shows_group_delivery_and_items_literally(make_app, hostile, index):
    name = HOSTILE[index]
    at = make_app("session", session=name, as_of=LATE).run()
    assert not errors(at)
    assert not any(m.proto.allow_html for m in [*at.markdown, *at.caption])
    head = at.markdown[0].value.split(" · ", 1)[1]
    assert literal(head) == f"group {GROUPS[index % 3]} · delivery {DELIVERIES[index % 3]}"
    enrolment = next(m.value for m in at.markdown if "**Test-takers enrolled**" in m.value)
    assert GROUPS[index % 3] in (literal(enrolment.split("**: ", 1)[1]) or "")


@pytest.mark.parametrize("name", ["**bold** <b>x</b>", "[x](javascript:alert(1))", "$x^2$ :red[red]"])
def test_the_session_pages_title_is_the_name_literally(make_app, hostile, name):
    at = make_app("session", session=name, as_of=LATE).run()
    assert literal(at.title[-1].value) == name


def test_plain_names_stay_readable_in_the_session_title(make_app, hostile):
    for name in ("📝 Exam", "امتحان التاريخ", "L" * 300):
        at = make_app("session", session=name, as_of=LATE).run()
        assert at.title[-1].value == name


def test_the_charts_page_tables_and_review_keep_hostile_names_inert(make_app, hostile, downloads):
    at = make_app("charts", as_of=LATE).run()
    assert not errors(at)
    assert not any(m.proto.allow_html for m in [*at.markdown, *at.caption])
    assert sorted(at.dataframe[0].value["session"]) == sorted(HOSTILE)
    html = downloads["readiness-review.html"].decode()
    assert "<b>x</b>" not in html and "<i>group</i>" not in html and "<i>d</i>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "&lt;i&gt;group&lt;/i&gt;" in html and "&lt;i&gt;d&lt;/i&gt;" in html
    assert not re.search(r"""(href|src)\s*=\s*["']?javascript:""", html, re.IGNORECASE)
    assert "<script" not in html.lower()
    for name in HOSTILE:
        assert f"<h3>{escape(name)}</h3>" in html  # every session is blocked: each has its card


def test_the_review_from_the_charts_page_says_when_activity_was_imported(make_app, programme, downloads):
    at = make_app("charts", as_of=AS_OF).run()
    assert not errors(at)
    assert any(c.value.startswith("Activity last imported") for c in make_app(as_of=AS_OF).run().caption)
    html = downloads["readiness-review.html"].decode()
    assert "No activity imported yet" not in html and "Activity last imported" in html


def test_the_cli_csvs_neutralise_hostile_names(hostile, store_file, capsys):
    url = f"sqlite:///{store_file}"
    for command in (["readiness", "--csv"], ["receipt", "--csv"]):
        capsys.readouterr()
        assert cli([*command, "--db", url, "--as-of", LATE]) in (0, 3)
        rows = cells(capsys.readouterr().out.encode())
        assert len(rows) == len(HOSTILE) + 1, command
        assert formula_cells(rows) == [], command
        assert "'=HYPERLINK(\"http://e\",\"x\")" in [row[0] for row in rows], command


# --- The import page -----------------------------------------------------------------------------------------------

ODD_FILES = [("empty.csv", b"", "The file is empty."),
             ("garbage.csv", bytes(range(256)) * 4, "The file is not text"),
             ("fake.pdf", b"hello, I am not a PDF", "The file is not a PDF"),
             ("empty.pdf", b"", "The file is empty"),
             ("cut.pdf", b"%PDF-1.7\n1 0 obj\n<<", "The PDF is incomplete"),
             ("one-line.csv", b"a" * 3_000_000, "The file has a header but no data rows."),
             ("book.csv", b"PK\x03\x04" + b"\x00" * 100, "spreadsheet workbook"),
             ("blank.csv", b"\r\n\r\n", "The file is empty.")]


@pytest.mark.parametrize(("name", "data", "message"), ODD_FILES, ids=[f[0] for f in ODD_FILES])
def test_an_odd_upload_is_an_error_naming_the_file(make_app, name, data, message):
    at = make_app("import").run()
    at.file_uploader[0].set_value([(name, data, "text/csv")]).run()
    assert not errors(at)
    assert at.error and at.error[0].value.startswith("1 error(s)")
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert list(problems["file"]) == [name] and message in problems["message"][0]
    assert next(b for b in at.button if b.label == "Import").disabled


def test_the_problems_csv_neutralises_formulas_in_values_and_file_names(make_app, downloads):
    bad = sessions_csv(session("History 4A", session_paperMode_sheetsPerInteraction="=cmd|' /C calc'!A0"))
    at = make_app("import").run()
    at.file_uploader[0].set_value([("=evil.csv", bad, "text/csv")]).run()
    assert not errors(at)
    rows = cells(downloads["scanready-problems.csv"])
    assert formula_cells(rows) == []
    assert rows[1][1] == "'=evil.csv" and rows[1][4] == "'=cmd|' /C calc'!A0"


def test_a_file_name_with_markup_is_shown_literally_in_its_preview(make_app):
    name = "**spring** [x](javascript:alert(1)).csv"
    at = make_app("import").run()
    at.file_uploader[0].set_value([(name, sessions_csv(session("History 4A")), "text/csv")]).run()
    assert not errors(at)
    label = next(e.label for e in at.expander if e.label.startswith("Preview of "))
    assert literal(label) == f"Preview of {name} (1 rows)"
