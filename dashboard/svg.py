"""A Vega-Lite spec drawn as an inline ``<svg>`` with vl-convert: the review's charts.

Importable alone (vl-convert and orjson, nothing of pandas, Altair or the store), and runnable as a renderer
process (``python -m dashboard.svg``, started by ``Renderer``): it starts vl-convert's engine at once, then draws the
specs it reads on its standard input and writes each drawing back, until its input ends (the process that started
it stopped, however it stopped). vl-convert escapes the text it draws itself.

vl-convert holds the interpreter while it draws, and its engine's start costs about what a small store's whole
readiness does: a renderer draws on a core of its own, and started before the heavy imports it has its engine warm
by the first chart (the dashboard keeps one per server, ``ui.renderer``; ``scanready report`` starts one per run).
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import orjson
import vl_convert as vlc

_ID = re.compile(r'\bid="([^"]+)"')
_SIZE = struct.Struct(">I")  # each message: its length in 4 bytes, then its JSON
_ROOT = str(Path(__file__).resolve().parents[1])  # where ``dashboard`` is imported from
# A chart with an axis and a title: the engine started and its text measured once, before the first request.
_WARM = {"mark": "bar", "title": "warm", "data": {"values": [{"day": "a", "n": 1}]},
         "encoding": {"x": {"field": "day", "type": "nominal"}, "y": {"field": "n", "type": "quantitative"}}}


class RendererError(RuntimeError):
    """vl-convert refused a spec (its message says why)."""


def spec_svg(spec: dict[str, Any], prefix: str, vl_version: str) -> str:
    """``spec`` (Vega-Lite ``vl_version``) as an inline ``<svg>``, its ids prefixed so two charts on one page never
    share one."""
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version)
    for name in set(_ID.findall(svg)):
        svg = (svg.replace(f'id="{name}"', f'id="{prefix}-{name}"').replace(f"url(#{name})", f"url(#{prefix}-{name})")
               .replace(f'href="#{name}"', f'href="#{prefix}-{name}"'))
    return svg


def send(stream: IO[bytes], message: Any) -> None:
    data = orjson.dumps(message)
    stream.write(_SIZE.pack(len(data)) + data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next message on ``stream``; EOFError when it has ended."""
    head = stream.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError
    (size,) = _SIZE.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return orjson.loads(data)


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Draw each ``[spec, prefix, vl_version]`` read from ``requests``; answer ``{"svg": …}`` or, when vl-convert
    refuses the spec, ``{"error": …}``; return when ``requests`` ends."""
    while True:
        try:
            spec, prefix, version = receive(requests)
        except EOFError:
            return
        try:
            answer = {"svg": spec_svg(spec, prefix, version)}
        except Exception as error:  # vl-convert's refusal of one spec is the caller's to show; the renderer goes on
            answer = {"error": f"{type(error).__name__}: {error}"}
        send(answers, answer)


class Renderer:
    """A renderer process and its pipe, one drawing at a time (a lock): started at once, it draws while the
    caller goes on. It reads its requests on a pipe, so it ends with its caller however the caller ends."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-m", "dashboard.svg"], cwd=_ROOT,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._lock = threading.Lock()

    def draw(self, spec: dict[str, Any], prefix: str, vl_version: str) -> str:
        """``spec_svg``, drawn in the process. RendererError when vl-convert refuses the spec; EOFError or
        BrokenPipeError when the process has died."""
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._lock:
            send(self._process.stdin, [spec, prefix, vl_version])
            answer = receive(self._process.stdout)
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

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


if __name__ == "__main__":
    vlc.vegalite_to_svg(_WARM)
    serve(sys.stdin.buffer, sys.stdout.buffer)
