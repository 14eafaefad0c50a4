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

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from .. import i18n
from ..files import atomic_write
from ..freshness import Digests, digest

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
        self.rendered = 0  # rows rendered by this build (not kept)

    def renderer(self, env: Environment, render_key: str, digests: Digests) -> Any:
        """The ``disclosure_row(r, home, original)`` of this build's templates (the row template is looked up when a
        table first asks for a row: a templates folder whose tables have none of their own never needs it)."""
        self.render_key = render_key
        self.known = self._load()
        found: list[Any] = []  # the template, once looked up (each lookup checks the file again)

        def row(r: Any, home: str, original: str) -> Markup:
            key = digest(digests(r), i18n.language(), home, str(original))
            html = self.used.get(key)  # on another page of this build (a country's, a topic's) ...
            if html is None:
                html = self.known.get(key)  # ... or of the last build
            if html is None:
                found[:] = found or [env.get_template(TEMPLATE)]
                html = found[0].render(r=r, home=home, original=original)
                self.rendered += 1
            self.used[key] = html
            return Markup(html)

        return row

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8")) if self.path is not None else None
        except (OSError, ValueError):
            return {}
        if isinstance(data, dict) and data.get("render_key") == self.render_key and isinstance(data.get("rows"), dict):
            return {k: v for k, v in data["rows"].items() if isinstance(v, str)}
        return {}

    def save(self) -> None:
        """Keep the rows this build used (only those: a table shows every published disclosure's row)."""
        if self.path is not None and self.render_key and self.used != self.known:
            atomic_write(self.path, json.dumps({"render_key": self.render_key, "rows": dict(sorted(self.used.items()))},
                                               ensure_ascii=False, separators=(",", ":")))
