"""The README's pictures, taken from the example programme as it is built on the day they are taken, in Chromium,
in the light and the dark colour scheme: ``make screenshots`` (``python -m tests.e2e.pictures docs/img``).

Not a test: it serves the real app on a store of its own, loads the example programme around now through the import
page, and saves the import page, the overview, a blocked session, the timeline and the volume chart.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from dashboard.example import example_files
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, RUN_TIMEOUT, open_page, rerun, screenshot, streamlit_server

WIDTH = 1600  # px: a manager's wide screen


def main(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="scanready-pictures-") as work, streamlit_server(Path(work)) as server, \
            sync_playwright() as playwright:
        files = []
        for name, data in example_files(now):
            path = Path(work) / name
            path.write_bytes(data)
            files.append(path)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            suffix = "" if scheme == "light" else "-dark"
            context = browser.new_context(viewport={"width": WIDTH, "height": 1000}, color_scheme=scheme,
                                          timezone_id="UTC")
            context.set_default_timeout(RUN_TIMEOUT)
            page = context.new_page()
            if scheme == "light":
                _import(page, server.url, files, folder / "import.png")
            _overview(page, server.url, folder / f"overview{suffix}.png")
            _charts(page, server.url, folder, suffix)
            context.close()
        browser.close()
    return 0


def _import(page: Page, url: str, files: list[Path], target: Path) -> None:
    """The import page with the example's files dropped, every one valid; then imported."""
    open_page(page, f"{url}/import")
    with rerun(page):
        page.locator("input[type='file']").set_input_files([str(path) for path in files])
    page.get_by_text(f"All {len(files)} file(s) are valid.").wait_for()
    screenshot(page, target)
    with rerun(page):
        page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported: ").first.wait_for()


def _overview(page: Page, url: str, target: Path) -> None:
    open_page(page, f"{url}/?zone=UTC")
    page.locator("[data-testid='stDataFrame'] table[role='grid'] tbody tr").first.wait_for(state="attached")
    screenshot(page, target)


def _charts(page: Page, url: str, folder: Path, suffix: str) -> None:
    open_page(page, f"{url}/charts?zone=UTC&capacity=250")
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(1).locator(".marks").wait_for()
    charts.nth(0).screenshot(path=folder / f"timeline{suffix}.png", animations="disabled")
    charts.nth(1).screenshot(path=folder / f"volume{suffix}.png", animations="disabled")


if __name__ == "__main__":
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing (apt-get install chromium)")
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")))
