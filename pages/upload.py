"""Import files: drop TAO's files, see every problem with its line and column, say what the upload is (the session
of an export, complete rosters, the date order), import all or nothing; the history, and undo."""

from __future__ import annotations

import streamlit as st

from dashboard import services, ui


def render() -> None:
    st.title("Import files")
    st.caption("Drop TAO's session files, enrolment links and activity exports, and the scans received. Nothing is "
               "stored until every file is valid and you click Import.")
    ui.welcome()
    uploaded = st.file_uploader("TAO files and scanned PDFs", type=["csv", "txt", "pdf"], accept_multiple_files=True,
                                key=f"uploader-{st.session_state.get('uploads', 0)}",
                                max_upload_size=ui.settings().max_file_mb,
                                help="Session templates, link-user-to-groups files, activity exports, the scanning "
                                     "centre's log and the scanned session PDFs.")
    if uploaded:
        files = [(f.name, f.getvalue()) for f in uploaded]
        options = ui.upload_options(files)
        validation = ui.verdict(files, tuple(f.file_id for f in uploaded), options)
        with ui.database() as db:
            names = services.paper_session_names(db=db)
        ui.option_widgets(validation, names)
        ui.show_verdict(validation)
        if st.button("Import", type="primary", disabled=not validation.valid, icon=":material/database_upload:"):
            ui.import_and_rerun(files, options)
    if ui.last_import_message():
        ui.overview_link("See the readiness overview")
    with ui.database() as db:
        imports = services.recent_imports(db=db)
    st.subheader("Import history")
    if imports:
        ui.history(imports)
    else:
        st.caption("No import yet.")
