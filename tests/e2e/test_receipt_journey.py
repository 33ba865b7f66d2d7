"""After exam day, in Chromium: a manager drops a scanned PDF and the scanning centre's log on the import page, and
the overview's receipt and the charts' pages received change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.config import Settings
from dashboard.db import make_engine, migrate, session_scope
from dashboard.services import import_files
from tests.e2e.conftest import Server, open_page, rerun, table_rows
from tests.factories import LINKS, NEW_GROUPS, csv_bytes, pdf_bytes, scans_csv, session

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the ``browser`` fixture skips (or fails on CI) before any of these is used
    pass

pytestmark = pytest.mark.browser

# Exam day was four days ago: a PDF dropped today is received at the import, after the as-of of yesterday noon.
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
AS_OF = f"{TODAY - timedelta(hours=12):%Y-%m-%dT%H:%MZ}"


def day(offset: int, hour: int) -> str:
    return f"{TODAY + timedelta(days=offset, hours=hour):%Y-%m-%dT%H:%M:%SZ}"


def exam(name: str, group: str, booklet: str) -> dict[str, str]:
    """3 test-takers × 4 interactions × 1 sheet: 12 pages; scans from three days ago to ten days on."""
    return session(name, group, **{"session_paperMode_bookletFilename": booklet,
                                   "session_paperMode_totalInteractions": "4",
                                   "session_startDate": day(-4, 8), "session_endDate": day(-4, 10),
                                   "session_submissionDate": day(-4, 11),
                                   "session_paperMode_scanUploadStartDate": day(-3, 6),
                                   "session_paperMode_scanUploadEndDate": day(10, 16)})


@pytest.fixture
def exams(empty_server: Server) -> Server:
    """Two sessions, their test-takers and scan uploaders, stored directly; nothing scanned yet."""
    engine = make_engine(f"sqlite:///{empty_server.store}")
    links = [{"user_username": f"{g}-{n}", "group_name": g, "group_role": "TEST_TAKER"}
             for g in ("Class 4A", "Class 4B") for n in range(3)]
    try:
        migrate(engine)
        with session_scope(engine, write=True) as db:
            outcome = import_files([("s.csv", csv_bytes(NEW_GROUPS, [exam("History 4A", "Class 4A", "history-4a"),
                                                                     exam("History 4B", "Class 4B", "history-4b")])),
                                    ("l.csv", csv_bytes(LINKS, links))], db=db, settings=Settings(),
                                   now=TODAY - timedelta(days=10))
    finally:
        engine.dispose()
    assert outcome.import_id is not None
    return empty_server


def receipt_cells(page: Page) -> dict[str, tuple[str, str]]:
    """Each session's received and scans cells, by name (a name's cell holds its page's link).

    The grid keeps only the columns in view in the DOM, and the receipt's come after each row's reason: read the
    names, scroll the grid to its right end, read the receipts, row by row."""
    table = page.locator("[data-testid='stDataFrame']").first
    names = [parse_qs(urlsplit(row["session"]).query)["session"][0] for row in table_rows(table)]
    table.locator(".dvn-scroller").evaluate("scroller => { scroller.scrollLeft = scroller.scrollWidth; }")
    expect(table.locator("table[role='grid'] thead th", has_text="scans")).to_have_count(1)
    rows = table_rows(table)
    assert len(rows) == len(names), rows
    return {name: (row.get("received", ""), row.get("scans", "")) for name, row in zip(names, rows, strict=True)}


def test_a_pdf_and_a_scan_log_dropped_change_the_overview_and_the_chart(page: Page, exams: Server,
                                                                       tmp_path: Path) -> None:
    open_page(page, f"{exams.url}/?as_of={AS_OF}&zone=UTC")
    expect(page.get_by_text("Nothing received", exact=True)).to_have_count(0)  # nothing scanned: no receipt yet
    pdf = tmp_path / "HISTORY-4A-scans.pdf"
    pdf.write_bytes(pdf_bytes(12))
    log = tmp_path / "centre-log.csv"
    log.write_bytes(scans_csv({"booklet_filename": "history-4b", "pages": "5", "received_at": day(-2, 10),
                               "batch_id": "B-1"}))
    open_page(page, f"{exams.url}/import")
    with rerun(page):
        page.locator("input[type='file']").set_input_files([str(pdf), str(log)])
    expect(page.get_by_text("All 2 file(s) are valid.")).to_be_visible()
    with rerun(page):
        page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported: 1 scanned batch created; 1 scanned PDF created.").first).to_be_visible()
    assert exams.count("scan_batch") == 2

    # The PDF is received at the moment of the import (today), after the as-of: yesterday only the log counts.
    open_page(page, f"{exams.url}/?as_of={AS_OF}&zone=UTC")
    expect(page.get_by_text("Nothing received", exact=True)).to_be_visible()  # the receipt's counts
    cells = receipt_cells(page)
    assert cells == {"History 4A": ("0 / 12", "none"), "History 4B": ("5 / 12", "partial")}, cells
    now = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%MZ")  # the as-of is whole minutes
    open_page(page, f"{exams.url}/?as_of={now}&zone=UTC")
    cells = receipt_cells(page)
    assert cells["History 4A"][1] in ("complete", "over") and cells["History 4A"][0].startswith("12 / ")

    open_page(page, f"{exams.url}/charts?as_of={AS_OF}&zone=UTC")
    chart = page.locator("[data-testid='stVegaLiteChart']").last
    expect(chart).to_be_visible()
    expect(page.get_by_text("pages received (green line)", exact=False).first).to_be_attached()
