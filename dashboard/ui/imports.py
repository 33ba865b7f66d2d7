"""The import page's glue: what a manager says of an upload (the session of a TAO export, complete rosters, the
date order), the verdict on the files (kept per upload and options, without the parsed columns), the import,
and the history with an undo that shows what it will do and asks first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import streamlit as st

from dashboard import services
from dashboard.access import can_import
from dashboard.export import safe_csv
from dashboard.services import ImportOptions, UndoOutcome, Validation, offload
from dashboard.store import ImportEntry
from dashboard.ui import worker
from dashboard.ui.auth import current_role
from dashboard.ui.data import data_version, database, settings
from dashboard.ui.tables import (
    PROBLEM_ROW_HEIGHT,
    history_frame,
    plain,
    preview_frame,
    problems_column_config,
    problems_frame,
    summary_frame,
)
from dashboard.wording import IMPORT_VERBS, UNDO_VERBS, format_moment, per_kind

BY_LOGIN = ""  # the export choice that matches each row by its login
_ORDERS = {"auto": "as the file's dates allow (day first, TAO's default)", "dmy": "day first: 04/03 is 4 March",
           "mdy": "month first: 04/03 is 3 April"}


def upload_options(files: Sequence[tuple[str, bytes]]) -> ImportOptions:
    """The options of this upload as the manager last set them (the widgets are drawn by ``option_widgets``)."""
    names = {name for name, _ in files}
    order = st.session_state.get("date_order", "auto")
    chosen = {name: st.session_state.get(f"export_session::{name}", BY_LOGIN) for name in names}
    return ImportOptions(date_order=None if order == "auto" else order,
                         sync_links=bool(st.session_state.get("sync_links", False)),
                         sessions={name: session for name, session in chosen.items() if session})


def verdict(files: Sequence[tuple[str, bytes]], token: tuple[str, ...], options: ImportOptions) -> Validation:
    """The validation of ``files`` against the store, once per upload (``token``: the uploader's file ids), options
    and data version. Only the verdict is kept between reruns: each report's problems and its first records. A
    large upload is checked in a worker process (``worker``), so the dashboard stays responsive for everyone."""
    key = (token, options.date_order, options.sync_links, tuple(sorted(options.sessions.items())), data_version())
    cached = st.session_state.get("verdict")
    if cached is None or cached[0] != key:
        if worker.large(files):
            validation = worker.run(offload.validate_at, files, options, doing="Checking files")
        else:
            with st.spinner("Checking files…"), database() as db:
                validation = offload.light(services.validate_files(files, settings=settings(), db=db,
                                                                   options=options))
                db.rollback()
        st.session_state["verdict"] = (key, validation)
    found: Validation = st.session_state["verdict"][1]
    return found


def option_widgets(validation: Validation, session_names: Sequence[str]) -> None:
    """The choices this upload calls for: a session per TAO export, complete rosters for link files, the order of
    slashed dates for activity files. A change reruns the page, which validates again with it."""
    reports = validation.reports
    exports = [r for r in reports if r.kind == "activity" and r.template != "activity"]
    uploaded = sorted({name for r in reports if r.kind == "sessions" for name in r.columns.get("session_name", ())})
    choices = [BY_LOGIN, *sorted(set(session_names) | set(uploaded))]
    for report in exports:
        st.selectbox(f"Session of this export: {plain(report.file)}", choices, key=f"export_session::{report.file}",
                     format_func=lambda name: name or "Match each row by its login's group and delivery",
                     help="TAO's Portal exports one session per file: name it, or let each row find its session "
                          "through the groups in which its login is a test-taker.")
    if any(r.kind == "activity" for r in reports):
        st.radio("Dates written like 04/03/2027 are read", list(_ORDERS), key="date_order",
                 format_func=_ORDERS.__getitem__, horizontal=True)
    if any(r.kind == "enrolments" for r in reports):
        st.checkbox("These files list everyone in their groups", key="sync_links",
                    help="Links of the groups these files name that they leave out are removed (someone who left "
                         "a group). Without it, link files only add.")
        if validation.roster is not None:
            _roster_preview(validation.roster.losses)


def _roster_preview(losses: dict[str, int]) -> None:
    if not losses:
        st.caption("No group loses a link: every stored link of these groups is in the files.")
        return
    total = sum(losses.values())
    st.warning(f"Importing removes {total:,} link(s) that these files leave out, in {len(losses):,} group(s):",
               icon=":material/group_remove:")
    st.dataframe({"group": list(losses), "links removed": list(losses.values())}, hide_index=True)


def show_verdict(validation: Validation) -> None:
    """Each file's summary, its problems with file, line, column and value, and a preview of its records."""
    st.dataframe(summary_frame(validation.reports), hide_index=True)
    if validation.valid:
        st.success(f"All {len(validation.reports)} file(s) are valid.", icon=":material/check_circle:")
    else:
        st.error(f"{validation.error_count:,} error(s): fix them in the file(s) and drop them again. "
                 "Nothing can be imported until every file is valid.", icon=":material/error:")
    errors_only = st.toggle("Show errors only", value=not validation.valid)
    problems = problems_frame(validation.reports, errors_only=errors_only)
    if not problems.empty:
        # Rows tall enough for the grid to wrap the message (the sentence to act on) and the file's name whole.
        st.dataframe(problems, hide_index=True, key="problems", row_height=PROBLEM_ROW_HEIGHT,
                     column_config=problems_column_config())
        st.download_button("Download problems as CSV", safe_csv(problems), file_name="scanready-problems.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore")
    for report in validation.reports:
        if report.valid and report.count:
            with st.expander(f"Preview of {plain(report.file)} ({report.rows:,} rows)"):
                st.dataframe(preview_frame(report), hide_index=True)


def import_and_rerun(files: Sequence[tuple[str, bytes]], options: ImportOptions | None = None) -> None:
    """Store ``files`` in one transaction; the next run says what it did per kind (and clears the uploader)."""
    if not can_import(current_role()):
        st.error("Only programme managers can import files.", icon=":material/block:")
        return
    chosen = options or ImportOptions()
    if worker.large(files):
        outcome = worker.run(offload.import_at, files, chosen, datetime.now(UTC), doing="Importing")
    else:
        with st.spinner("Importing…"), database(write=True) as db:
            outcome = services.import_files(files, db=db, settings=settings(), options=chosen)
            if outcome.import_id is None:
                db.rollback()
    if outcome.changed_nothing:
        st.info("Nothing changed: the store already holds every record as these files give it, so no import was "
                "recorded.", icon=":material/info:")
        return
    if outcome.import_id is None:
        st.error("Nothing was imported: the files have errors.")
        return
    st.session_state["uploads"] = st.session_state.get("uploads", 0) + 1
    done = per_kind({kind: counts.to_dict() for kind, counts in outcome.by_kind.items()}, IMPORT_VERBS)
    st.session_state["last_import"] = f"Imported: {done}."
    st.rerun()


def history(imports: Sequence[ImportEntry]) -> None:
    """The import history and, for managers, an undo that says what it will do before it does it."""
    st.dataframe(history_frame(imports), hide_index=True)
    undoable = [entry for entry in imports if entry.reverted_at is None]
    if not undoable or not can_import(current_role()):
        return
    with st.expander("Undo an import", key="undo_open"):  # keyed: it stays open through the reruns it causes
        labels = {entry.id: _label(entry) for entry in undoable}
        # Nothing chosen at first: working out an undo replays it (seconds and memory on a big import), so only
        # the import a manager picks is worked out.
        chosen = st.selectbox("Import to undo", list(labels), key="undo_choice", format_func=labels.__getitem__,
                              index=None, placeholder="Choose an import to see what undoing it does")
        st.caption("What it alone brought is removed and what it changed gets the values the other imports give "
                   "it: nothing another import holds is lost.")
        if chosen is None:
            return
        preview = _undo_preview(chosen)
        done = per_kind({kind: counts.to_dict() for kind, counts in preview.by_kind.items()}, UNDO_VERBS)
        st.markdown(f"Undoing import #{chosen}: {done}.")
        if st.button(f"Undo import #{chosen}", icon=":material/undo:", type="primary", key="undo_confirm"):
            with database(write=True) as db:
                outcome = services.undo_import(db=db, import_id=chosen)
            done = per_kind({kind: counts.to_dict() for kind, counts in outcome.by_kind.items()}, UNDO_VERBS)
            st.session_state["last_import"] = f"Import #{outcome.import_id} undone: {done}."
            st.rerun()


def _label(entry: ImportEntry) -> str:
    files = ", ".join(f.file_name for f in entry.files)
    return f"#{entry.id} of {format_moment(entry.imported_at, None)}: {files}"


def _undo_preview(import_id: int) -> UndoOutcome:
    """What undoing ``import_id`` would do: the undo itself, run and rolled back (kept per import and version)."""
    key = (import_id, data_version())
    cached = st.session_state.get("undo_preview")
    if cached is None or cached[0] != key:
        with st.spinner("Working out what the undo would do…"), database() as db:
            outcome = services.undo_import(db=db, import_id=import_id)
            db.rollback()
        st.session_state["undo_preview"] = (key, outcome)
    found: UndoOutcome = st.session_state["undo_preview"][1]
    return found
