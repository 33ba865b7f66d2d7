"""Streamlit glue shared by the pages: the cached engine, cached reads, tables of problems.

With ``app.py`` the only module that imports streamlit. Pages call these and the services; nothing here
holds business rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard import services, store
from dashboard.access import Role, can_import, identity, role_for
from dashboard.config import Settings, load_settings
from dashboard.db import make_engine, migrate, session_scope
from dashboard.errors import ScanreadyError
from dashboard.ingest import FileReport
from dashboard.readiness import SessionSnapshot, format_moment
from dashboard.services import Board, Filters


def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner="Opening the store…")
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def engine() -> Engine:
    """The store's engine (migrated once per URL and process)."""
    return _engine_for(settings().database_url)


@contextmanager
def database(*, write: bool = False) -> Iterator[Session]:
    """A unit of work on the store: committed at the end of the block, rolled back on error."""
    with session_scope(engine(), write=write) as db:
        yield db


def data_version() -> int:
    """Bumped by every import; cached reads take it as an argument so an import invalidates them."""
    with Session(engine()) as db:
        return store.data_version(db=db)


def summary_frame(reports: Sequence[FileReport]) -> pd.DataFrame:
    """One row per file: kind, template, rows, errors, warnings."""
    return pd.DataFrame(
        [{"file": r.file, "kind": r.kind or "unknown", "template": r.template or "", "rows": r.rows,
          "errors": len(r.errors), "warnings": len(r.warnings)} for r in reports],
        columns=["file", "kind", "template", "rows", "errors", "warnings"],
    )


def problems_frame(reports: Sequence[FileReport], *, errors_only: bool = False) -> pd.DataFrame:
    """Every problem of every file, errors first, with file, line, column, value and message."""
    rows = [{"severity": severity, "file": r.file, "line": p.line, "column": p.column or "", "value": p.value,
             "message": p.message}
            for r in reports
            for severity, problems in (("error", r.errors), ("warning", [] if errors_only else r.warnings))
            for p in problems]
    frame = pd.DataFrame(rows, columns=["severity", "file", "line", "column", "value", "message"])
    return frame.astype({"line": "Int64"})


def preview_frame(report: FileReport, limit: int = 100) -> pd.DataFrame:
    """The first parsed records of a valid file (dicts, or tuples named by ``report.fields``)."""
    head = report.records[:limit]
    if head and isinstance(head[0], tuple):
        return pd.DataFrame(head, columns=list(report.fields))
    return pd.DataFrame(head)


def history_frame(imports: Sequence[dict[str, object]]) -> pd.DataFrame:
    """The import history: when, which files (with a short SHA-256), and the counts."""
    rows = []
    for record in imports:
        files = record["files"]
        assert isinstance(files, list)
        rows.append({"import": f"#{record['id']}", "imported at (UTC)": record["imported_at"],
                     "files": ", ".join(f"{name} ({kind}, {rows:,} rows, sha256 {sha[:12]})"
                                        for name, sha, kind, rows in files),
                     "created": record["created"], "updated": record["updated"], "unchanged": record["unchanged"],
                     "undone": "yes" if record.get("reverted_at") else ""})
    return pd.DataFrame(rows)


STATE_ICON = {"ok": "✅", "pending": "⏳", "problem": "❌"}
STATUS_LABEL = {"ready": "✅ ready", "pending": "⏳ pending", "blocked": "❌ blocked"}
ITEM_LABEL = {"enrolment": "Test-takers enrolled", "roles": "Someone can upload scans",
              "launched": "Test launched at least once", "submitted": "Session submitted",
              "window": "Scan upload window open", "schedule": "Window after submission"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """User text made inert for st.markdown: every Markdown character escaped (HTML is never allowed)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


@st.cache_resource(max_entries=16, show_spinner="Checking every session…")
def cached_board(version: int, as_of: datetime, url: str) -> Board:
    """The readiness board, recomputed only when an import bumps ``version`` or ``as_of`` changes.

    A resource, not data: shared read-only between reruns and sessions instead of unpickled at each rerun.
    """
    with Session(_engine_for(url)) as db:
        return services.readiness_board(db=db, as_of=as_of)


def board(as_of: datetime) -> Board:
    return cached_board(data_version(), as_of, settings().database_url)


def _query_default(key: str, parse: Callable[[list[str]], Any], default: Any, *, param: str | None = None) -> None:
    """Seed a widget's state from the URL's query string (``param``, else ``key``) the first time it appears."""
    if key not in st.session_state:
        raw = st.query_params.get_all(param or key)
        try:
            st.session_state[key] = parse(raw) if raw else default
        except (ValueError, ScanreadyError):
            st.session_state[key] = default


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


def filter_inputs(full: Board) -> Filters:
    """The overview's filters, seeded from and written back to the query string."""
    groups = sorted({c.session.group_name for c in full.checklists})
    deliveries = sorted({c.session.delivery_id for c in full.checklists})
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


def board_frame(shown: Board) -> pd.DataFrame:
    """One row per session: status, one icon column per checklist item, counts, when the window closes."""
    rows = []
    for checklist in shown.checklists:
        session = checklist.session
        row: dict[str, Any] = {"status": STATUS_LABEL[checklist.status], "session": session.session_name,
                               "group": session.group_name, "delivery": session.delivery_id}
        row.update({item.item: STATE_ICON[item.state] for item in checklist.items})
        row.update({"test-takers": session.test_takers, "started": session.launched,
                    "expected sheets": checklist.expected_sheets,
                    "window closes": format_moment(session.scan_upload_end, session.timezone)
                    if session.scan_upload_end else "missing",
                    "warnings": len(checklist.warnings)})
        rows.append(row)
    return pd.DataFrame(rows, columns=["status", "session", "group", "delivery", *ITEM_LABEL, "test-takers",
                                       "started", "expected sheets", "window closes", "warnings"])


def board_column_config() -> dict[str, Any]:
    config: dict[str, Any] = {item: st.column_config.TextColumn(item, help=label, width="small")
                              for item, label in ITEM_LABEL.items()}
    config["expected sheets"] = st.column_config.NumberColumn(format="localized")
    return config


def status_metrics(shown: Board) -> None:
    counts = shown.counts()
    sheets = sum(c.expected_sheets for c in shown.checklists)
    columns = st.columns(4)
    columns[0].metric("Ready", f"{counts['ready']:,}")
    columns[1].metric("Pending", f"{counts['pending']:,}")
    columns[2].metric("Blocked", f"{counts['blocked']:,}")
    columns[3].metric("Expected sheets", f"{sheets:,}")


def dates_line(session: SessionSnapshot) -> str:
    """The session's dates on one line, in its own time zone."""
    parts = [("starts", session.start_date), ("ends", session.end_date), ("submitted", session.submission_date),
             ("scan window opens", session.scan_upload_start), ("closes", session.scan_upload_end)]
    text = " · ".join(f"{label} {format_moment(moment, session.timezone) if moment else 'not set'}"
                      for label, moment in parts)
    return text


def counts_frame(counts: dict[str, int], label: str, unit: str) -> pd.DataFrame:
    return pd.DataFrame(sorted(counts.items()), columns=[label, unit])


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
            column.download_button(f"Template: {name}", data, file_name=name, mime="text/csv")
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


# Login and roles. The rule is dashboard.access.role_for; here only st.secrets, st.user and the widgets.
LOCAL_MODE_NOTE = "Local mode: no login; everyone who can reach this address can import."


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section: then everyone must log in."""
    return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)


def current_role() -> Role | None:
    """"manager" in local mode (no ``[auth]``); else the allow-list's answer for ``st.user``, None for no entry."""
    if not auth_configured():
        return "manager"
    allow = st.secrets.get("scanready", {})
    return role_for(st.user.to_dict(), allow if isinstance(allow, Mapping) else {})


def account_sidebar(role: Role | None) -> None:
    """Say in the sidebar who is using the dashboard (with Log out), or that it runs without login."""
    if not auth_configured():
        st.sidebar.info(LOCAL_MODE_NOTE, icon=":material/lock_open:")
    elif role is not None:
        who = identity(st.user.to_dict()) or "unknown"
        st.sidebar.caption(f"Logged in as **{plain(who)}** ({role})")
        st.sidebar.button("Log out", on_click=st.logout, icon=":material/logout:", key="logout")


def door() -> None:
    """The only page for someone not let in: a Log in button, or a polite refusal and a Log out button."""
    user = st.user.to_dict()
    if user.get("is_logged_in") is not True:
        st.title("scanready")
        st.write("This dashboard holds exam-session data. Log in with your organisation's account to open it.")
        st.button("Log in", type="primary", on_click=st.login, icon=":material/login:", key="login")
        return
    st.title("No access")
    who = identity(user) or "this account"
    st.warning(f"Sorry, **{plain(who)}** is not on this dashboard's list of managers and viewers. If you need "
               "access, ask a programme manager to add your e-mail address.", icon=":material/block:")
    st.button("Log out", on_click=st.logout, icon=":material/logout:", key="logout-refused")


def door_page() -> Any:
    """The navigation of someone not let in: the door alone (a request for any other page lands here)."""
    if st.user.to_dict().get("is_logged_in") is True:
        return st.Page(door, title="No access", icon=":material/block:", url_path="login", default=True)
    return st.Page(door, title="Log in", icon=":material/login:", url_path="login", default=True)


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
