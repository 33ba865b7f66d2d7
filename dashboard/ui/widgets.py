"""Widgets the pages share: as-of and filters kept in the URL, metrics, the welcome, import and undo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import streamlit as st

from dashboard import services
from dashboard.access import can_import
from dashboard.errors import ScanreadyError
from dashboard.services import Board, Filters
from dashboard.ui.auth import current_role
from dashboard.ui.data import database, filter_options, settings
from dashboard.ui.tables import STATUS_LABEL


def _query_default(key: str, parse: Callable[[list[str]], Any], default: Any, *, param: str | None = None) -> None:
    """Seed a widget's state from the URL's query string (``param``, else ``key``) the first time it appears."""
    if key not in st.session_state:
        raw = st.query_params.get_all(param or key)
        try:
            st.session_state[key] = parse(raw) if raw else default
        except (ValueError, ScanreadyError):
            st.session_state[key] = default


SHARED_KEYS = ("as_of_date", "as_of_time", "status", "group", "delivery", "starts", "closing")


def keep_shared_widgets() -> None:
    """Carry the as-of and filter widgets' values to the next page of this browser session.

    Streamlit forgets a widget's state once a run no longer shows it (the manager moved to another page);
    writing the value back under its key at the top of every run keeps it (Streamlit's documented recipe).
    """
    for key in SHARED_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def as_of_input() -> datetime:
    """Date and time inputs (UTC) for "as of", seeded from ``?as_of=`` and written back to it."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    _query_default("as_of_date", lambda v: services.parse_as_of(v[0]).date(), now.date(), param="as_of")
    _query_default("as_of_time", lambda v: services.parse_as_of(v[0]).time().replace(tzinfo=None), now.time(),
                   param="as_of")
    left, right = st.columns(2)
    day = left.date_input("As of (date, UTC)", key="as_of_date", help="See the programme as it will be that day.")
    moment = right.time_input("As of (time, UTC)", key="as_of_time", step=timedelta(hours=1))
    as_of = datetime.combine(day, moment, tzinfo=UTC)
    if abs(as_of - now) > timedelta(minutes=1):
        st.query_params["as_of"] = as_of.strftime("%Y-%m-%dT%H:%MZ")
    else:
        st.query_params.pop("as_of", None)
    return as_of


def filter_inputs(as_of: datetime) -> Filters:
    """The overview's filters over the board at ``as_of``, seeded from and written back to the query string."""
    groups, deliveries = filter_options(as_of)
    _query_default("status", list, [])
    _query_default("group", lambda v: [g for g in v if g in groups], [])
    _query_default("delivery", lambda v: [d for d in v if d in deliveries], [])
    _query_default("starts", lambda v: tuple(date.fromisoformat(d) for d in v[:2]), ())
    _query_default("closing", lambda v: int(v[0]), 0)
    top = st.columns([2, 3, 3])
    statuses = top[0].multiselect("Status", list(STATUS_LABEL), key="status", format_func=lambda s: STATUS_LABEL[s])
    chosen_groups = top[1].multiselect("Group", groups, key="group")
    chosen_deliveries = top[2].multiselect("Delivery", deliveries, key="delivery")
    bottom = st.columns([3, 2])
    starts = bottom[0].date_input("Sessions starting between", key="starts", format="YYYY-MM-DD")
    closing = bottom[1].number_input("Blocked, window closing within (days; 0 = off)", min_value=0, step=1,
                                     key="closing")
    values = {"status": statuses, "group": chosen_groups, "delivery": chosen_deliveries,
              "starts": [d.isoformat() for d in starts] if isinstance(starts, tuple) else [],
              "closing": [str(closing)] if closing else []}
    for key, value in values.items():
        if value:
            st.query_params[key] = value
        else:
            st.query_params.pop(key, None)
    range_: list[date] = list(starts) if isinstance(starts, tuple) else []
    return Filters(tuple(statuses), tuple(chosen_groups), tuple(chosen_deliveries),
                   range_[0] if range_ else None, range_[1] if len(range_) > 1 else None,
                   int(closing) or None)


def status_metrics(shown: Board) -> None:
    counts = shown.counts()
    sheets = sum(c.expected_sheets for c in shown.checklists)
    columns = st.columns(4)
    columns[0].metric("Ready", f"{counts['ready']:,}")
    columns[1].metric("Pending", f"{counts['pending']:,}")
    columns[2].metric("Blocked", f"{counts['blocked']:,}")
    columns[3].metric("Expected sheets", f"{sheets:,}")


def welcome() -> None:
    """TAO's templates and the example programme; opened and explained while the store is empty."""
    with database() as db:
        empty = services.session_count(db=db) == 0
    with st.expander("TAO templates and the example programme", expanded=empty):
        if empty:
            st.info("The store is empty. Import your programme's files, or load the example programme "
                    "to see a full dashboard at once.")
        columns = st.columns(3)
        for column, (name, data) in zip(columns, services.templates().items(), strict=False):
            groups = "new groups" if "new-groups" in name else "existing groups"
            column.download_button(f"Template: {groups}", data, file_name=name, mime="text/csv", help=name,
                                   icon=":material/download:", on_click="ignore")
        if columns[2].button("Load example programme", icon=":material/auto_awesome:"):
            import_files(services.example_programme())


def import_files(files: list[tuple[str, bytes]]) -> None:
    """Store ``files`` in one transaction; the next run shows the counts (and clears the uploader)."""
    if not can_import(current_role()):
        st.error("Only programme managers can import files.", icon=":material/block:")
        return
    large = sum(len(data) for _, data in files) > 1_000_000
    bar = st.progress(0.0, text="Importing…") if large else None

    def show(fraction: float, doing: str) -> None:
        if bar is not None:
            bar.progress(min(fraction, 1.0), text=f"{doing}…")

    with st.spinner("Importing…"), database(write=True) as db:
        outcome = services.import_files(files, db=db, settings=settings(), progress=show)
        if outcome.import_id is None:
            db.rollback()
    if outcome.import_id is None:
        st.error("Nothing was imported: the files have errors.")
        return
    counts = outcome.counts
    st.session_state["uploads"] = st.session_state.get("uploads", 0) + 1
    st.session_state["last_import"] = (f"Imported: {counts.created:,} created, {counts.updated:,} updated, "
                                       f"{counts.unchanged:,} unchanged.")
    st.rerun()


def last_import_message() -> None:
    """Show (once) what the last import did."""
    if message := st.session_state.pop("last_import", None):
        st.success(message, icon=":material/task_alt:")
        st.toast(message)


def undo_picker(imports: Sequence[dict[str, Any]]) -> None:
    """For managers: pick an import of the history and undo it (what it created goes, what it changed comes back)."""
    undoable = [record for record in imports if record["reverted_at"] is None]
    if not undoable or not can_import(current_role()):
        return
    with st.expander("Undo an import"):
        chosen = st.selectbox("Import to undo", [record["id"] for record in undoable], key="undo_choice",
                              format_func=lambda ident: next(f"#{r['id']} of {r['imported_at']:%d %b %Y %H:%M} UTC"
                                                             for r in undoable if r["id"] == ident))
        st.caption("Sessions, links and activity it created are removed; sessions and activity it changed get "
                   "their earlier values back. A row a later import changed again is kept as it is.")
        if st.button("Undo this import", icon=":material/undo:"):
            try:
                with database(write=True) as db:
                    outcome = services.undo_import(db=db, import_id=chosen)
            except ScanreadyError as exc:
                st.error(str(exc))
                return
            counts = outcome.counts
            st.session_state["last_import"] = (f"Import #{outcome.import_id} undone: {counts['removed']:,} rows "
                                               f"removed, {counts['restored']:,} restored, {counts['kept']:,} kept.")
            st.rerun()
