"""The dashboard's entry: ``streamlit run dashboard/app.py``. Page config and navigation, nothing else.

Pages are functions; the pages one page links to are handed to it here, so no page imports another.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard import ui
from dashboard.access import can_import
from pages import charts, overview, session, upload

st.set_page_config(page_title="scanready", page_icon=":material/checklist:", layout="wide")
role = ui.current_role()  # None: not logged in, or not on the allow-list (see docs/security.md)
ui.account_sidebar(role)
ui.keep_shared_widgets()  # as-of and filters follow the manager from page to page
import_page = st.Page(upload.render, title="Import files", icon=":material/upload_file:", url_path="import")
charts_page = st.Page(charts.render, title="Charts", icon=":material/bar_chart:", url_path="charts")
session_page = st.Page(session.render, title="Session", icon=":material/checklist:", url_path="session")
offered_import = import_page if can_import(role) else None  # viewers are offered no import
overview_page = st.Page(partial(overview.render, session_page, offered_import), title="Overview",
                        icon=":material/dashboard:", url_path="overview", default=True)
pages = [ui.door_page()] if role is None else [overview_page, charts_page, session_page,
                                                *([import_page] if can_import(role) else [])]
with ui.known_errors():  # a known error (a busy store, a folder that cannot be made) says what to do, not a traceback
    ui.read_data_version()  # once per run: every cached read of this run keys on it
    st.navigation(pages).run()
