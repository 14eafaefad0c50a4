"""Static chart images (SVG for pages, PNG for link previews), rendered by vl-convert and cached."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import vl_convert as vlc

_SIZE = re.compile(rb'<svg[^>]*\swidth="([0-9.]+)"[^>]*\sheight="([0-9.]+)"')


class Images:
    """Renders Vega-Lite specs; remembers results on disk keyed by the spec and renderer version."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache

    def _key(self, spec: dict[str, Any], kind: str) -> str:
        text = json.dumps(spec, sort_keys=True) + kind + vlc.__version__
        return hashlib.sha256(text.encode()).hexdigest()

    def _cached(self, spec: dict[str, Any], kind: str, make: Any) -> bytes:
        path = self.cache / f"{self._key(spec, kind)}.{kind}" if self.cache else None
        if path and path.is_file():
            return path.read_bytes()
        data = make()
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return data

    def svg(self, spec: dict[str, Any]) -> tuple[bytes, int, int]:
        """Return the chart as SVG bytes with its width and height in pixels."""
        data = self._cached(spec, "svg", lambda: vlc.vegalite_to_svg(spec).encode())
        match = _SIZE.search(data[:2000])
        width, height = (round(float(match.group(1))), round(float(match.group(2)))) if match else (640, 300)
        return data, width, height

    def png(self, spec: dict[str, Any]) -> bytes:
        """Return the chart as a PNG for link previews (1200 px wide or so)."""
        return self._cached(spec, "png", lambda: vlc.vegalite_to_png(spec, scale=1.75))
