"""A Vega-Lite spec drawn as an inline ``<svg>`` with vl-convert: the review's charts.

Importable alone (vl-convert, and nothing of pandas, Altair or the store), so that a process that only draws (the
dashboard's renderer, ``ui.review``) starts small. vl-convert escapes the text it draws itself.
"""

from __future__ import annotations

import re
from typing import Any

import vl_convert as vlc

_ID = re.compile(r'\bid="([^"]+)"')


def spec_svg(spec: dict[str, Any], prefix: str, vl_version: str) -> str:
    """``spec`` (Vega-Lite ``vl_version``) as an inline ``<svg>``, its ids prefixed so two charts on one page never
    share one."""
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version)
    for name in set(_ID.findall(svg)):
        svg = (svg.replace(f'id="{name}"', f'id="{prefix}-{name}"').replace(f"url(#{name})", f"url(#{prefix}-{name})")
               .replace(f'href="#{name}"', f'href="#{prefix}-{name}"'))
    return svg
