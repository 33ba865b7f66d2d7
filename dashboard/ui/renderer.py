"""The review's charts drawn in a process of their own. vl-convert holds the interpreter while it draws (a tenth of
a second a chart at 10,000 sessions), so drawn in the server it held every other manager's run meanwhile; drawn
there, the server's threads only wait for the answer, and the machine's second core draws.

One ``svg.Renderer`` per server, started at its first chart and kept: it holds vl-convert's engine warm (a process's
first chart costs half a second more) and nothing else (about 120 MB). It reads its requests on a pipe, so it ends
with the server however the server ends; if it dies, the next chart starts another.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

from dashboard import report
from dashboard.svg import Renderer, RendererError

__all__ = ["RendererError", "chart_svg"]


@st.cache_resource(show_spinner=False)
def _renderer() -> Renderer:
    return Renderer()


def chart_svg(chart: alt.TopLevelMixin | dict[str, Any], prefix: str) -> str:
    """``report.chart_svg``, drawn in the renderer process: of a spec only (the server makes its specs under
    Streamlit's lock over Altair's settings, ``ui.data.altair_settings``)."""
    if not isinstance(chart, dict):
        raise TypeError("the renderer draws Vega-Lite specs, not Altair charts")
    try:
        return _renderer().draw(chart, prefix, report.vl_version())
    except (EOFError, BrokenPipeError):  # it died (killed, out of memory): another one draws
        _renderer().close()
        _renderer.clear()
        return _renderer().draw(chart, prefix, report.vl_version())
