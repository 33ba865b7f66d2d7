"""Import journeys in Chromium: the welcome, a valid drop of three files, a file with an error, HTML in a name."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from dashboard.example import example_files
from tests.e2e.conftest import IDLE, Server, open_page, rerun, table_rows

try:
    from playwright.sync_api import Dialog, Locator, Page, expect
except ImportError:  # the ``browser`` fixture skips (or fails on CI) before any of these is used
    pass

pytestmark = pytest.mark.browser

SHEETS = "session_paperMode_sheetsPerInteraction"
HTML_NAME = "<img src=x onerror=alert(1)>"


def write_examples(folder: Path) -> list[Path]:
    """The example programme as ``python -m dashboard.example`` writes it: sessions, enrolments, activity, scans."""
    paths = []
    for name, data in example_files(datetime(2027, 3, 16, tzinfo=UTC)):
        paths.append(folder / name)
        paths[-1].write_bytes(data)
    return paths


def edit_sessions(rows: list[dict[str, str]], edit: dict[int, dict[str, str]]) -> bytes:
    """The example sessions with the fields of some records replaced (keyed by record index, 0 = line 2)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({**row, **edit.get(index, {})} for index, row in enumerate(rows))
    return out.getvalue().encode()


def example_sessions() -> list[dict[str, str]]:
    sessions = dict(example_files(datetime(2027, 3, 16, tzinfo=UTC)))["example-sessions.csv"]
    return list(csv.DictReader(io.StringIO(sessions.decode())))


def upload(page: Page, *paths: Path) -> None:
    with rerun(page):
        page.locator("input[type='file']").set_input_files(list(paths))


def dataframes(page: Page) -> Locator:
    return page.locator("[data-testid='stDataFrame']")


def import_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Import", exact=True)


def test_first_visit_on_an_empty_store_welcomes(page: Page, empty_server: Server) -> None:
    """A newcomer's first page says the store is empty and offers the templates and the example programme."""
    open_page(page, empty_server.url)
    expect(page.get_by_text("No paper session is stored yet.")).to_be_visible()  # once: the welcome does not repeat it
    expect(page.get_by_role("button", name="Load example programme")).to_be_visible()
    for template in ("sessions-with-delivery-in-existing-groups.csv", "sessions-with-delivery-in-new-groups.csv"):
        groups = "new groups" if "new-groups" in template else "existing groups"
        button = page.get_by_role("button", name=f"Template: {groups}")
        expect(button).to_be_visible()
        with page.expect_download() as download:
            button.click()
        assert download.value.suggested_filename == template
        assert "session_paperMode_isEnabled" in Path(download.value.path()).read_text().splitlines()[0]


def test_three_valid_files_dropped_at_once_are_imported(page: Page, server: Server, tmp_path: Path) -> None:
    """Sessions, enrolments, activity and the scan log dropped together are all valid, imported, counted and
    listed."""
    files = write_examples(tmp_path)
    open_page(page, f"{server.url}/import")
    sessions_before = server.count("exam_session")
    upload(page, *files)
    expect(page.get_by_text("All 4 file(s) are valid.")).to_be_visible()
    summary = table_rows(dataframes(page).first)
    assert [(row["file"], row["kind"], row["errors"]) for row in summary] == [
        ("example-sessions.csv", "sessions", "0"), ("example-enrolments.csv", "enrolments", "0"),
        ("example-activity.csv", "activity", "0"), ("example-scans.csv", "scans", "0")]
    expect(import_button(page)).to_be_enabled()

    with rerun(page):
        import_button(page).click()
    sessions, links, activity, scans = (int(row["rows"]) for row in summary)
    done = (f"{sessions:,} sessions created; {links:,} enrolment links created; {activity:,} activity rows created; "
            f"{scans:,} scanned batches created")
    expect(page.get_by_text(f"Imported: {done}.").first).to_be_visible()
    assert server.count("exam_session") - sessions_before == int(summary[0]["rows"])
    newest = table_rows(dataframes(page).last)[0]
    assert all(path.name in newest["files"] for path in files), newest
    assert newest["changes"] == done


def test_a_file_with_an_error_shows_where_and_imports_nothing(page: Page, server: Server, tmp_path: Path) -> None:
    """A typo on line 3 is shown at its line and column, can be downloaded, and keeps Import disabled."""
    bad = tmp_path / "sessions-with-a-typo.csv"
    bad.write_bytes(edit_sessions(example_sessions(), {1: {SHEETS: "none"}}))
    open_page(page, f"{server.url}/import")
    before = server.count("exam_session"), server.count("import_record")
    upload(page, bad)
    expect(page.get_by_text("1 error(s)")).to_be_visible()
    expect(page.get_by_role("switch", name="Show errors only")).to_be_checked()
    problems = table_rows(dataframes(page).nth(1))
    assert [(p["severity"], p["file"], p["line"], p["column"], p["value"]) for p in problems] == [
        ("error", bad.name, "3", SHEETS, "none")]
    expect(import_button(page)).to_be_disabled()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download problems as CSV").click()
    saved = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [(p["line"], p["column"], p["value"]) for p in saved] == [("3", SHEETS, "none")]
    # Same rows and no import recorded (the 36 sessions may already be stored: a wrongful re-import would
    # only update them, so the import history is what would betray it).
    assert (server.count("exam_session"), server.count("import_record")) == before


def test_html_in_a_session_name_shows_as_text(page: Page, server: Server, tmp_path: Path) -> None:
    """A session named like an HTML tag shows as those characters in the preview and on its page; nothing runs."""
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    first = example_sessions()[:1]
    odd = tmp_path / "sessions-html.csv"
    odd.write_bytes(edit_sessions(first, {0: {"session_name": HTML_NAME, "group_name": "Class <b>9Z</b>"}}))
    open_page(page, f"{server.url}/import")
    upload(page, odd)
    expect(page.get_by_text("All 1 file(s) are valid.")).to_be_visible()
    expander = page.locator("[data-testid='stExpander']", has_text=f"Preview of {odd.name}")
    expander.get_by_text(f"Preview of {odd.name}").click()
    grid = expander.locator("[data-testid='stDataFrame']")
    expect(grid).to_contain_text(HTML_NAME)  # the grid draws once the expander is open
    assert [row["session_name"] for row in table_rows(grid)] == [HTML_NAME]
    with rerun(page):
        import_button(page).click()
    expect(page.get_by_text("Imported: 1 session created").first).to_be_visible()

    open_page(page, f"{server.url}/session?session={quote(HTML_NAME)}")
    expect(page.get_by_role("heading", name=HTML_NAME, exact=True)).to_be_visible()
    expect(page.get_by_text("group Class <b>9Z</b>").first).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("b", has_text="9Z").count() == 0
    assert dialogs == []


def test_an_undo_says_what_it_will_do_and_waits_for_the_confirmation(page: Page, empty_server: Server,
                                                                     tmp_path: Path) -> None:
    """Undo in the browser: nothing happens before the manager picks an import; then the page says what undoing it
    removes, per kind, and only the confirmation button removes it."""
    files = write_examples(tmp_path)[:2]  # sessions and enrolments
    open_page(page, f"{empty_server.url}/import")
    upload(page, *files)
    with rerun(page):
        import_button(page).click()
    expect(page.get_by_text("Imported: ").first).to_be_visible()
    page.wait_for_selector(IDLE)  # the import's own rerun (it clears the uploader) has ended too
    sessions, links = empty_server.count("exam_session"), empty_server.count("group_link")
    assert sessions and links

    page.get_by_text("Undo an import").click()
    choice = page.get_by_role("combobox", name="Import to undo")
    expect(choice).to_be_visible()
    expect(page.get_by_role("button", name="Undo import #1")).to_have_count(0)  # nothing chosen, nothing offered
    choice.click()
    for _ in range(20):  # a click focuses the selectbox; ArrowDown opens its list once the focus has settled
        choice.press("ArrowDown")
        page.wait_for_timeout(150)
        if choice.get_attribute("aria-expanded") == "true":
            break
    with rerun(page):  # each import is named by its number, its moment and its files
        page.get_by_role("option", name="#1 of ").filter(has_text=files[0].name).click()
    expect(choice).to_be_visible()  # the expander stays open through the rerun the choice causes
    expect(page.get_by_text(f"Undoing import #1: {sessions:,} sessions removed; {links:,} enrolment links "
                            "removed.")).to_be_visible()
    assert (empty_server.count("exam_session"), empty_server.count("group_link")) == (sessions, links)

    with rerun(page):
        page.get_by_role("button", name="Undo import #1").click()
    expect(page.get_by_text(f"Import #1 undone: {sessions:,} sessions removed; {links:,} enrolment links "
                            "removed.").first).to_be_visible()
    assert (empty_server.count("exam_session"), empty_server.count("group_link")) == (0, 0)
