"""Widgets the pages share: the counts, when activity was last imported, the welcome, what the last import did and
a link to the overview after it, and known errors shown as errors (with what to do) rather than tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import streamlit as st

from dashboard import services
from dashboard.errors import ScanreadyError
from dashboard.services import Board
from dashboard.ui.data import database
from dashboard.ui.imports import import_and_rerun
from dashboard.wording import format_moment, format_relative


@contextmanager
def known_errors() -> Iterator[None]:
    """Show a ``ScanreadyError`` raised in the block as ``st.error``, its message saying what to do, as the CLI does;
    anything else is not swallowed."""
    try:
        yield
    except ScanreadyError as exc:
        st.error(str(exc), icon=":material/error:")


def activity_freshness(imported_at: datetime | None) -> None:
    """One line: when activity was last imported, or that none was (then no launch can be seen)."""
    now = datetime.now(UTC)
    if imported_at is None:
        st.caption("No activity imported yet: import TAO's activity exports to see who launched each test.")
    else:
        st.caption(f"Activity last imported {format_moment(imported_at, None)} "
                   f"({format_relative(imported_at, now)}).")


def status_metrics(shown: Board) -> None:
    """Ready, pending, blocked and the sheets expected of the shown sessions."""
    counts = shown.counts()
    sheets = sum(c.expected_sheets for c in shown.checklists)
    columns = st.container(key="readiness_counts").columns(4)
    columns[0].metric("Ready", f"{counts['ready']:,}")
    columns[1].metric("Pending", f"{counts['pending']:,}")
    columns[2].metric("Blocked", f"{counts['blocked']:,}")
    columns[3].metric("Expected sheets", f"{sheets:,}")


def welcome(*, say_empty: bool = True) -> None:
    """TAO's templates and the example programme; opened while the store is empty, and then saying so unless the page
    already has (``say_empty=False``)."""
    with database() as db:
        empty = services.session_count(db=db) == 0
    with st.expander("TAO templates and the example programme", expanded=empty):
        if empty and say_empty:
            st.info("The store is empty. Import your programme's files, or load the example programme "
                    "to see a full dashboard at once.")
        columns = st.columns(3)
        for column, (name, data) in zip(columns, services.templates().items(), strict=False):
            groups = "new groups" if "new-groups" in name else "existing groups"
            column.download_button(f"Template: {groups}", data, file_name=name, mime="text/csv", help=name,
                                   icon=":material/download:", on_click="ignore")
        if columns[2].button("Load example programme", icon=":material/auto_awesome:"):
            import_and_rerun(services.example_programme())


def last_import_message() -> bool:
    """Show (once) what the last import did, in one banner; whether there was one to show."""
    if message := st.session_state.pop("last_import", None):
        st.success(message, icon=":material/task_alt:")
        return True
    return False


def overview_link(label: str) -> None:
    """A link to the Overview page, for a page that ``app.py`` hands no pages to (the import page).

    Streamlit keys a page by its url path: a page made with the overview's url path stands for the one
    ``st.navigation`` registered (its function here is never run)."""
    page = st.Page(_registered_elsewhere, title="Overview", icon=":material/dashboard:", url_path="overview")
    st.page_link(page, label=label, icon=":material/dashboard:")


def _registered_elsewhere() -> None:  # pragma: no cover - Streamlit runs the page registered in app.py
    raise RuntimeError("the overview page is registered by dashboard/app.py")


