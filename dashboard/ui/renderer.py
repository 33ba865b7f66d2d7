"""The review's charts drawn in a process of their own. vl-convert holds the interpreter while it draws (a tenth of
a second a chart at 10,000 sessions), so drawn in the server it held every other manager's run meanwhile; drawn
there, the server's threads only wait for the answer, and the machine's second core draws.

One process per server (``python -m dashboard.svg``), started at its first chart and kept: it holds vl-convert's
engine warm (the first chart of a process costs half a second more) and nothing else (about 120 MB). It reads its
requests on a pipe, so it ends with the server however the server ends; if it dies, the next chart starts another.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import altair as alt
import streamlit as st

import dashboard
from dashboard import report, svg

_ROOT = str(Path(dashboard.__file__).resolve().parents[1])  # where ``dashboard`` is imported from


class RendererError(RuntimeError):
    """vl-convert refused a spec (its message says why)."""


class _Renderer:
    """The renderer process and its pipe, one request at a time."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-m", "dashboard.svg"], cwd=_ROOT,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._lock = threading.Lock()

    def draw(self, spec: dict[str, Any], prefix: str) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._lock:
            svg.send(self._process.stdin, [spec, prefix, report.vl_version()])
            answer = svg.receive(self._process.stdout)
        if "error" in answer:
            raise RendererError(answer["error"])
        drawn: str = answer["svg"]
        return drawn

    @property
    def pid(self) -> int:
        return self._process.pid

    def close(self) -> None:
        """Stop the process (if it still runs) and collect it."""
        self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()


@st.cache_resource(show_spinner=False)
def _renderer() -> _Renderer:
    return _Renderer()


def chart_svg(chart: alt.TopLevelMixin | dict[str, Any], prefix: str) -> str:
    """``report.chart_svg``, drawn in the renderer process: of a spec only (the server makes its specs under
    Streamlit's lock over Altair's settings, ``ui.data.altair_settings``)."""
    if not isinstance(chart, dict):
        raise TypeError("the renderer draws Vega-Lite specs, not Altair charts")
    try:
        return _renderer().draw(chart, prefix)
    except (EOFError, BrokenPipeError):  # it died (killed, out of memory): another one draws
        _renderer().close()
        _renderer.clear()
        return _renderer().draw(chart, prefix)
