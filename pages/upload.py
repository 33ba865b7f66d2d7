"""Import files: drop TAO CSVs, see every problem with its line and column, import all or nothing."""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard import services, ui
from dashboard.export import safe_csv
from dashboard.services import Validation


def render() -> None:
    st.title("Import files")
    st.caption("Drop TAO session files, enrolment links and activity exports. Nothing is stored until every "
               "file is valid and you click Import.")
    ui.welcome()
    key = f"uploader-{st.session_state.get('uploads', 0)}"
    uploaded = st.file_uploader("TAO CSV files", type=["csv", "txt"], accept_multiple_files=True, key=key,
                                max_upload_size=ui.settings().max_file_mb,
                                help="Session templates, link-user-to-groups files and activity exports.")
    if uploaded:
        files = [(f.name, f.getvalue()) for f in uploaded]
        validation = _validate(files)
        _show(validation)
        _import_button(files, validation)
    _history()


def _validate(files: list[tuple[str, bytes]]) -> Validation:
    """Validate once per set of files and store version (reruns reuse the verdict)."""
    token = (tuple((n, hashlib.sha256(d).hexdigest()) for n, d in files), ui.data_version())
    cached = st.session_state.get("validation")
    if cached is None or cached[0] != token:
        with st.spinner("Checking files…"), ui.database() as db:
            validation = services.validate_files(files, settings=ui.settings(), db=db)
            db.rollback()
        st.session_state["validation"] = (token, validation)
    return st.session_state["validation"][1]  # type: ignore[no-any-return]


def _show(validation: Validation) -> None:
    st.dataframe(ui.summary_frame(validation.reports), hide_index=True)
    if validation.valid:
        st.success(f"All {len(validation.reports)} file(s) are valid.", icon=":material/check_circle:")
    else:
        st.error(f"{validation.error_count:,} error(s): fix them in the file(s) and drop them again. "
                 "Nothing can be imported until every file is valid.", icon=":material/error:")
    errors_only = st.toggle("Show errors only", value=not validation.valid)
    problems = ui.problems_frame(validation.reports, errors_only=errors_only)
    if not problems.empty:
        st.dataframe(problems, hide_index=True, key="problems",  # room for the message, the sentence to act on
                     column_config={"file": st.column_config.TextColumn(width="small"),
                                    "message": st.column_config.TextColumn(width="large")})
        st.download_button("Download problems as CSV", safe_csv(problems), file_name="scanready-problems.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore")
    for report in validation.reports:
        if report.count:
            with st.expander(f"Preview of {report.file} ({report.rows:,} rows)"):
                st.dataframe(ui.preview_frame(report), hide_index=True)


def _import_button(files: list[tuple[str, bytes]], validation: Validation) -> None:
    if st.button("Import", type="primary", disabled=not validation.valid, icon=":material/database_upload:"):
        ui.import_files(files)


def _history() -> None:
    ui.last_import_message()
    with ui.database() as db:
        imports = services.recent_imports(db=db)
    st.subheader("Import history")
    if not imports:
        st.caption("No import yet.")
        return
    st.dataframe(ui.history_frame(imports), hide_index=True)
    ui.undo_picker(imports)
