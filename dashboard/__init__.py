"""scanready's core: ingest, store, readiness, services, CLI and the Streamlit glue.

Imports go one way: ``pages -> dashboard.ui / services -> ingest / store / readiness / charts -> models``.
Only ``ui/`` and ``app.py`` import streamlit.
"""
