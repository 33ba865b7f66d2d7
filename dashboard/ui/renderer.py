"""The review's charts drawn in a process of their own. vl-convert holds the interpreter while it draws (a tenth of
a second a chart at 10,000 sessions), so drawn in the server it held every other manager's run meanwhile; drawn
here, the server's threads only wait for the answer, and the machine's second core draws.

One process per server, spawned at its first chart and kept: it holds vl-convert's engine warm (the first chart of
a process costs 0.4 s more) and nothing else (``dashboard.svg`` loads neither pandas, Altair nor the store). If it
dies, the next chart starts another.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import altair as alt
import streamlit as st

from dashboard import report, svg


@st.cache_resource(show_spinner=False)
def _process() -> ProcessPoolExecutor:
    # Spawned, not forked: the server runs threads (forking one copies its locks).
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def chart_svg(chart: alt.TopLevelMixin | dict[str, Any], prefix: str) -> str:
    """``report.chart_svg``, drawn in the renderer process: of a spec only (the server makes its specs under
    Streamlit's lock over Altair's settings, ``ui.data.altair_settings``)."""
    if not isinstance(chart, dict):
        raise TypeError("the renderer draws Vega-Lite specs, not Altair charts")
    args = (chart, prefix, report.vl_version())
    try:
        return _process().submit(svg.spec_svg, *args).result()
    except BrokenProcessPool:  # it died (killed, out of memory): another one draws
        _process.clear()
        return _process().submit(svg.spec_svg, *args).result()
