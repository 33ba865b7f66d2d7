"""A Vega-Lite spec drawn as an inline ``<svg>`` with vl-convert: the review's charts.

Importable alone (vl-convert and orjson, nothing of pandas, Altair or the store), and runnable as the dashboard's
renderer (``python -m dashboard.svg``, started by ``ui.renderer``): it draws the specs it reads on its standard
input and writes each drawing back, until its input ends (the server that started it stopped, however it stopped).
vl-convert escapes the text it draws itself.
"""

from __future__ import annotations

import re
import struct
import sys
from typing import IO, Any

import orjson
import vl_convert as vlc

_ID = re.compile(r'\bid="([^"]+)"')
_SIZE = struct.Struct(">I")  # each message: its length in 4 bytes, then its JSON


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


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
