"""Static files the pages need: the site's own CSS and scripts, and the chart libraries.

The chart libraries come from the npm packages listed in package.json
(installed into node_modules/ by ``npm ci``) and are served from the site
itself: no CDN, so Pages readers and offline copies work.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BuildError, Problem

VENDOR = {
    "vega.min.js": "vega/build/vega.min.js",
    "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
    # Country shapes for the world maps (Natural Earth 1:110m, public domain; the package is ISC-licensed).
    "countries-110m.json": "world-atlas/countries-110m.json",
    "world-atlas.LICENSE.txt": "world-atlas/LICENSE",
}
INTERPRETER = "vega-interpreter/build/vega-interpreter.js"
_IMPORT = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';"
_EXPORT = "export { expression as expressionInterpreter };"


def static_files(templates: Path) -> dict[str, bytes]:
    """Return the site's own assets from ``templates/static/``, keyed by output path."""
    folder = templates / "static"
    return {f"assets/{p.relative_to(folder).as_posix()}": p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def vendor_files(node_modules: Path) -> dict[str, bytes]:
    """Return the chart libraries, keyed by output path; raise if ``npm ci`` has not run."""
    missing = [rel for rel in [*VENDOR.values(), INTERPRETER] if not (node_modules / rel).is_file()]
    if missing:
        raise BuildError(Problem(str(node_modules), message=f"missing {', '.join(missing)}; run `npm ci --omit=dev` first (see README)"))
    out = {f"assets/vendor/{name}": (node_modules / rel).read_bytes() for name, rel in VENDOR.items()}
    out["assets/vendor/vega-interpreter.js"] = interpreter_script((node_modules / INTERPRETER).read_text())
    return out


def interpreter_script(module: str) -> bytes:
    """Turn vega-interpreter's ES module into a classic script that extends ``window.vega``.

    The package ships only an ES module importing three helpers from vega-util;
    the vega bundle already exports them, so a plain script can take them from it.
    """
    if _IMPORT not in module or _EXPORT not in module:
        raise BuildError(Problem(INTERPRETER, message="unexpected vega-interpreter build; update takedowns/assets.py for its imports"))
    body = module.replace(_IMPORT, "const { ascending, isString, DisallowedObjectProperties } = window.vega;")
    body = body.replace(_EXPORT, "window.vega.expressionInterpreter = expression;")
    return ("(function () {\n'use strict';\n" + body + "\n})();\n").encode()
