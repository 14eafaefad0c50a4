"""The rows of the disclosure tables, each rendered once and kept from build to build.

The home page lists every disclosure, and so do the country and topic pages between them, in every language: a retitle
rendered every row of every table again to change the few that show the new title.  A row's HTML is made of its disclosure, its
figures and marker (the ``Row``), the language, the path to the home page and the attributes that keep untranslated
text in its language; it is kept under a digest of those, in a file that holds the ``render_key`` of the code,
templates and options it was rendered with (``.cache/rows.json``), so a row whose parts did not change is joined into
its table as it was.  The table is the same whether its rows were rendered now or kept (tests compare builds with a
clean build's, byte for byte).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from .. import i18n
from ..files import atomic_write
from ..freshness import digest

TEMPLATE = "_disclosure_row.html"


def plain_rows(env: Environment) -> Any:
    """The table row renderer of templates rendered outside a build (``serve``'s first pass): nothing kept."""

    def row(r: Any, home: str, original: str) -> Markup:
        return Markup(env.get_template(TEMPLATE).render(r=r, home=home, original=original))

    return row


class RowCache:
    """Rendered table rows: those of the last build (if it had the same ``render_key``) and those of this one."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.render_key = ""
        self.known: dict[str, str] = {}
        self.used: dict[str, str] = {}
        self.loaded: str | None = None  # the render_key of the rows read from the file
        self.rendered = 0  # rows rendered by this build (not kept)
        self._digests: dict[int, tuple[Any, str]] = {}  # id(row) -> (the row, held so the id stays its own; its digest)

    def renderer(self, env: Environment, render_key: str) -> Any:
        """The ``disclosure_row(r, home, original)`` of this build's templates."""
        self.render_key = render_key
        self._load()
        template = env.get_template(TEMPLATE)

        def row(r: Any, home: str, original: str) -> Markup:
            held = self._digests.get(id(r))
            if held is None or held[0] is not r:
                held = self._digests[id(r)] = (r, digest(r))
            key = hashlib.sha256("\0".join((held[1], i18n.language(), home, str(original))).encode()).hexdigest()
            html = self.used.get(key)  # on another page of this build (a country's, a topic's) ...
            if html is None:
                html = self.known.get(key)  # ... or of the last build
            if html is None:
                html = template.render(r=r, home=home, original=original)
                self.rendered += 1
            self.used[key] = html
            return Markup(html)

        return row

    def _load(self) -> None:
        if self.path is None or self.loaded == self.render_key:
            return
        self.known, self.loaded = {}, self.render_key
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("render_key") == self.render_key and isinstance(data.get("rows"), dict):
            self.known = {k: v for k, v in data["rows"].items() if isinstance(v, str)}

    def save(self) -> None:
        """Keep the rows this build used (only those: a table shows every published disclosure's row)."""
        if self.path is not None and self.render_key and self.used != self.known:
            atomic_write(self.path, json.dumps({"render_key": self.render_key, "rows": dict(sorted(self.used.items()))},
                                               ensure_ascii=False, separators=(",", ":")))
