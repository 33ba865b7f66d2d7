"""The dashboard's entry: ``streamlit run dashboard/app.py``. Page config and navigation, nothing else.

Pages are functions; the pages one page links to are handed to it here, so no page imports another.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from pages import overview, session, upload

st.set_page_config(page_title="scanready", page_icon=":material/document_scanner:", layout="wide")
import_page = st.Page(upload.render, title="Import files", icon=":material/upload_file:", url_path="import")
session_page = st.Page(session.render, title="Session", icon=":material/checklist:", url_path="session")
overview_page = st.Page(partial(overview.render, session_page, import_page), title="Overview",
                        icon=":material/dashboard:", url_path="overview", default=True)
st.navigation([overview_page, session_page, import_page]).run()
