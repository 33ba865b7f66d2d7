"""The dashboard's entry: ``streamlit run dashboard/app.py``. Page config and navigation, nothing else."""

from __future__ import annotations

import streamlit as st

from pages import upload

st.set_page_config(page_title="scanready", page_icon=":material/document_scanner:", layout="wide")
navigation = st.navigation([
    st.Page(upload.render, title="Import files", icon=":material/upload_file:", url_path="import", default=True),
])
navigation.run()
