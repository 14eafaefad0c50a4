"""Static chart images (SVG for pages, PNG for link previews), rendered by vl-convert and cached.

vl-convert runs in a separate process: it aborts its whole process on some inputs
(a panic in native code), and a build must end with a message, not vanish.

Fonts: the renderer measures every label to lay a chart out. Left to itself it loads the
machine's fonts, so a chart's layout depended on what the machine had installed, and a font
read from a file is opened and mapped again for every label measured (most of a drawing's time
went to the system calls). Its processes see only ``fonts/`` instead: text is measured in the
renderer's own Liberation Sans (held in memory), and in DejaVu Sans where that has no glyph
(Arabic, for one), so every machine draws the same bytes, faster.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ..errors import BuildError, Problem
from ..files import atomic_write
from ..freshness import distributions
from ..workers import end_with_parent

_SIZE = re.compile(rb'<svg[^>]*\swidth="([0-9.]+)"[^>]*\sheight="([0-9.]+)"')
_PNG_END = b"IEND\xaeB`\x82"


def _whole(data: bytes, kind: str) -> bool:
    """Return whether a cached image is complete (a killed writer or a full disk can leave half a file)."""
    if kind == "svg":
        return data.startswith(b"<svg") and data.rstrip().endswith(b"</svg>")
    return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(_PNG_END)


_ID = re.compile(rb"\bgradient_(\d+)\b")


def numbered_ids(svg: bytes) -> bytes:
    """Number the SVG's own ids from 0 in order of appearance.

    The renderer numbers them across every chart its process has drawn, so the same chart would
    get other ids in another build; each SVG is its own document (an ``<img>``), so 0, 1, ... is safe.
    """
    numbers: dict[bytes, bytes] = {}
    return _ID.sub(lambda m: b"gradient_" + numbers.setdefault(m.group(1), str(len(numbers)).encode()), svg)


# Characters the renderer cannot hold: those XML forbids (its SVG parser aborts the process on U+FFFF), lone
# surrogates, and the noncharacters (U+FDD0-U+FDEF and the last two code points of every plane).
_UNDRAWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef"
                         + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
# Vega shortens a label past its limit by cutting UTF-16 code units: a cut between the two halves of a
# character beyond U+FFFF hands the renderer's text measure a lone surrogate, and the drawing fails.
# Labels longer than a few units draw each such character as U+FFFD instead, so any cut is whole characters;
# a short label (at most three of them) is never long enough to be cut and keeps them.
SAFE_LABEL = "length(datum.label) > 6 ? replace(datum.label, regexp('[\\ud800-\\udbff][\\udc00-\\udfff]|[\\ud800-\\udfff]', 'g'), '\\ufffd') : datum.label"
_LEGENDS = ("color", "fill", "stroke", "shape", "size", "opacity", "fillOpacity", "strokeOpacity", "strokeWidth", "strokeDash")


def drawable(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the spec with every text the renderer could fail on made safe; the page's tables keep the exact text."""
    astral = False

    def clean(node: Any) -> Any:
        nonlocal astral
        if isinstance(node, str):
            astral = astral or _ASTRAL.search(node) is not None
            return _UNDRAWABLE.sub("\ufffd", node)
        if isinstance(node, dict):
            return {clean(k): clean(v) for k, v in node.items()}
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    def legends(node: Any) -> Any:
        if isinstance(node, list):
            return [legends(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: legends(v) for k, v in node.items()}
        if isinstance(out.get("encoding"), dict):  # Vega-Lite takes no label expression for legends from its config
            out["encoding"] = {channel: ({**enc, "legend": {"labelExpr": SAFE_LABEL, **(enc.get("legend") or {})}}
                                         if channel in _LEGENDS and isinstance(enc, dict) and enc.get("legend", {}) is not None else enc)
                               for channel, enc in out["encoding"].items()}
        return out

    out = clean(spec)
    if astral:
        out = legends(out)
        config = out.setdefault("config", {})
        config["axis"] = {"labelExpr": SAFE_LABEL, **config.get("axis", {})}
    return out


FONTS = Path(__file__).parent / "fonts"


def fonts_digest() -> str:
    """A digest of the fonts charts are measured in: part of every cached image's key."""
    h = hashlib.sha256()
    for path in sorted(FONTS.glob("*.ttf")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _only_our_fonts() -> None:
    """In a renderer process, before vl-convert loads: make ``fonts/`` the only font folder it finds.

    It reads the machine's font configuration from ``FONTCONFIG_FILE``; one naming a folder gives it that folder alone
    (a configuration naming none would make it search the usual system folders)."""
    import atexit
    import tempfile
    from xml.sax.saxutils import escape

    handle, name = tempfile.mkstemp(prefix="takedowns-fonts-", suffix=".conf")
    with os.fdopen(handle, "w") as conf:
        conf.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                   f"<fontconfig><dir>{escape(str(FONTS.absolute()))}</dir></fontconfig>\n")
    atexit.register(os.unlink, name)
    os.environ["FONTCONFIG_FILE"] = name


def _renderer_start(parent: int) -> None:
    """Set up a renderer process: the project's fonts only, and an end when the build that started it ends."""
    _only_our_fonts()
    end_with_parent(parent)


class ChartError(Exception):
    """One chart the renderer could not draw: the page shows its sentence and table instead."""


def _refused(exc: ValueError) -> ChartError:
    return ChartError(str(exc).splitlines()[0] if str(exc) else "the renderer refused it")


def _render(spec: dict[str, Any], kind: str) -> bytes:
    import vl_convert as vlc

    if kind == "svg":
        return vlc.vegalite_to_svg(spec).encode()
    return bytes(vlc.vegalite_to_png(spec, scale=1.75))


def _new_pool(processes: int) -> ProcessPoolExecutor:
    """Renderer processes: started fresh (spawn), in the project's fonts, ending with the process that started them."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_renderer_start, initargs=(os.getpid(),))


_RENDERERS: ProcessPoolExecutor | None = None
_RENDERERS_LOCK = threading.Lock()


def renderers() -> ProcessPoolExecutor:
    """The process's renderer processes, one per core, started when first needed and kept for the next build (``serve``
    builds again on every save; a renderer takes about half a second to start and its first drawing is its slowest)."""
    global _RENDERERS
    with _RENDERERS_LOCK:
        if _RENDERERS is None:
            _RENDERERS = _new_pool(os.cpu_count() or 1)
        return _RENDERERS


# The smallest chart: what any working renderer draws. When even this cannot be drawn, no chart can.
_PROBE = {"data": {"values": [{"v": 1}]}, "mark": "point", "encoding": {"x": {"field": "v", "type": "quantitative"}}}


def _check_renderer() -> None:
    """Raise BuildError when a renderer process cannot start or cannot draw the smallest chart (a broken install):
    the build stops with that, rather than losing every chart one by one."""
    pool = _new_pool(1)
    try:
        pool.submit(_render, _PROBE, "svg").result()
    except Exception as exc:  # noqa: BLE001  (whatever it is, the renderer does not work here)
        why = "its process died" if isinstance(exc, BrokenProcessPool) else f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        raise BuildError(Problem("charts", message=f"the chart renderer (vl-convert) cannot draw even the smallest chart ({why}); "
                                                   "check the install: pip install -r requirements.txt")) from None
    finally:
        pool.shutdown()


def _broken(pool: ProcessPoolExecutor) -> None:
    """Forget a pool whose process died (every drawing it had in hand is lost): the next drawing starts a new one."""
    global _RENDERERS
    with _RENDERERS_LOCK:
        if _RENDERERS is pool:
            _RENDERERS = None
    pool.shutdown(wait=False)


class Images:
    """Renders Vega-Lite specs; remembers results on disk keyed by the spec and renderer version."""

    def __init__(self, cache: Path | None, node_modules: Path = Path("node_modules")) -> None:
        self.cache = cache
        self.node_modules = node_modules
        self._world: dict[str, Any] | None = None
        self._renderer_key: str | None = None
        self._lock = threading.Lock()  # pages are rendered by several threads; one pool of renderers serves them all
        self.failures: dict[str, str] = {}  # output path -> why it could not be drawn (reported, never fatal)

    def failed(self, path: str, why: str) -> None:
        """Remember a chart that could not be drawn, for the build's warnings."""
        with self._lock:
            self.failures[path] = why

    def close(self) -> None:
        """Nothing to release: the renderer processes stay for the process's next build, and end with it."""

    def _submit(self, spec: dict[str, Any], kind: str) -> tuple[Future[bytes], ProcessPoolExecutor]:
        for _ in range(2):  # a pool another drawing has just broken is replaced, once
            pool = renderers()
            try:
                return pool.submit(_render, spec, kind), pool
            except BrokenProcessPool:
                _broken(pool)
        raise ChartError("the chart renderer crashed; its data holds text it cannot draw")

    def _redraw(self, specs: list[dict[str, Any]], kind: str) -> list[bytes | ChartError]:
        """Draw again what a dying renderer process took with it (it loses every drawing it and the pool's other
        processes had in hand), in renderers of their own: all at once, and what is lost again, each half apart, down to
        one drawing per renderer. Only a drawing that kills a renderer by itself fails; a renderer killed from outside
        costs one restart, not one per drawing."""
        out: list[bytes | ChartError | None] = [None] * len(specs)
        again: list[int] = []
        pool = _new_pool(min(len(specs), os.cpu_count() or 1))
        try:
            futures: list[Future[bytes] | None] = []
            for spec in specs:
                try:
                    futures.append(pool.submit(_render, spec, kind))
                except BrokenProcessPool:
                    futures.append(None)
            for i, future in enumerate(futures):
                try:
                    if future is None:
                        raise BrokenProcessPool
                    out[i] = future.result()
                except BrokenProcessPool:
                    again.append(i)
                except ValueError as exc:
                    out[i] = _refused(exc)
        finally:
            pool.shutdown()
        if again and len(specs) == 1:
            out[0] = ChartError("the chart renderer crashed; its data holds text it cannot draw")
        elif again:
            halves = [again] if len(again) < len(specs) else [again[: len(again) // 2], again[len(again) // 2:]]
            for part in halves:
                for i, got in zip(part, self._redraw([specs[i] for i in part], kind), strict=True):
                    out[i] = got
        assert all(x is not None for x in out)  # each drawing was drawn, refused, or lost alone
        return out  # type: ignore[return-value]

    def _prepared(self, spec: dict[str, Any], kind: str) -> tuple[dict[str, Any], Path | None, bytes | None]:
        """The spec as the renderer gets it, where its image is kept, and the kept image if there is a whole one."""
        spec = self._inline(drawable(spec))
        # Keyed on the installed renderer (vl-convert bundles Vega and Vega-Lite) and the fonts it measures text in,
        # so an upgrade of either redraws every chart.
        key = hashlib.sha256((json.dumps(spec, sort_keys=True) + kind + self._renderer()).encode()).hexdigest()
        path = self.cache / f"{key}.{kind}" if self.cache else None
        if path and path.is_file():
            data = path.read_bytes()
            if _whole(data, kind):
                return spec, path, data
        return spec, path, None

    def _cached(self, spec: dict[str, Any], kind: str) -> bytes:
        found = self._many([spec], kind)[0]
        if isinstance(found, ChartError):
            raise found
        return found

    def _many(self, specs: list[dict[str, Any]], kind: str) -> list[bytes | ChartError]:
        """Every spec's image (or why it could not be drawn); the missing ones are given to the renderers all at once,
        so that they draw while the thread that asked goes on."""
        prepared = [self._prepared(spec, kind) for spec in specs]
        pending: list[tuple[Future[bytes], ProcessPoolExecutor] | ChartError | None] = []
        for spec, _, data in prepared:
            try:
                pending.append(self._submit(spec, kind) if data is None else None)
            except ChartError as exc:
                pending.append(exc)
        out: list[bytes | ChartError | None] = []
        lost: list[int] = []
        for i, ((_, path, data), job) in enumerate(zip(prepared, pending, strict=True)):
            if job is None or isinstance(job, ChartError):
                out.append(data if job is None else job)
                continue
            future, pool = job
            try:
                data = future.result()
            except BrokenProcessPool:
                _broken(pool)
                out.append(None)
                lost.append(i)
                continue
            except ValueError as exc:
                out.append(_refused(exc))
                continue
            if path:
                atomic_write(path, data)
            out.append(data)
        if lost:
            _check_renderer()  # a renderer that cannot draw at all stops the build here, once
            for i, got in zip(lost, self._redraw([prepared[i][0] for i in lost], kind), strict=True):
                out[i] = got
                path = prepared[i][1]
                if path and not isinstance(got, ChartError):
                    atomic_write(path, got)
        assert all(x is not None for x in out)
        return out  # type: ignore[return-value]

    def _renderer(self) -> str:
        if self._renderer_key is None:
            self._renderer_key = json.dumps([distributions(("vl-convert-python",)), fonts_digest()])
        return self._renderer_key

    def _shapes(self) -> dict[str, Any]:
        """The world map's country shapes, read once per build (every map of every language uses them)."""
        from ..charts import WORLD_URL

        if self._world is None:
            path = self.node_modules / "world-atlas" / WORLD_URL
            if not path.is_file():
                raise BuildError(Problem(str(path), message="missing; run `npm ci --omit=dev` first (see README)"))
            self._world = json.loads(path.read_bytes())
        return self._world

    def world_ids(self) -> frozenset[str]:
        """Return the ISO numeric codes of the countries the world map has a shape for."""
        return frozenset(str(g["id"]) for g in self._shapes()["objects"]["countries"]["geometries"] if g.get("id"))

    def _inline(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Put the country shapes a map loads by URL into the spec itself: the renderer reads no files."""
        from ..charts import WORLD_URL

        text = json.dumps(spec)
        if f'"url": "{WORLD_URL}"' not in text:
            return spec
        shapes = self._shapes()

        def swap(node: Any) -> Any:
            if isinstance(node, dict):
                if node.get("url") == WORLD_URL:
                    return {**{k: v for k, v in node.items() if k != "url"}, "values": shapes}
                return {k: swap(v) for k, v in node.items()}
            if isinstance(node, list):
                return [swap(v) for v in node]
            return node

        return swap(spec)

    def svgs(self, specs: list[dict[str, Any]]) -> list[tuple[bytes, int, int] | ChartError]:
        """Return each chart as SVG bytes with its width and height in pixels, or why it could not be drawn."""
        out: list[tuple[bytes, int, int] | ChartError] = []
        for found in self._many(specs, "svg"):
            if isinstance(found, ChartError):
                out.append(found)
                continue
            data = numbered_ids(found)
            match = _SIZE.search(data[:2000])
            width, height = (round(float(match.group(1))), round(float(match.group(2)))) if match else (640, 300)
            out.append((data, width, height))
        return out

    def png(self, spec: dict[str, Any]) -> bytes:
        """Return the chart as a PNG for link previews."""
        return self._cached(spec, "png")
