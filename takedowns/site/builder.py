"""``SiteBuilder``: renders pages and charts of one language into memory, keeping what no input of changed from the last build."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from .. import i18n
from ..charts import Chart, charts_for, narrow
from ..content.model import Site
from ..formats.contract import stats_schema
from ..freshness import Digests, digest
from ..statistics.contract import validator
from .citations import STYLES, bibtex, csl_item, csl_json, formatted, ris
from .datapackage import package, resource
from .documents import Output, _json
from .images import ChartError, Images
from .render import table_csv
from .reuse import Previous

CHART_FILES = ("svg", "narrow.svg", "vl.json", "csv", "json")  # what each chart writes beside its page


class SiteBuilder:
    """Renders every page of one build."""

    def __init__(self, env: Environment, site: Site, images: Images, now: dt.datetime, preview: bool,
                 previous: Previous | None = None, render_key: str = "", lang: str = "",
                 digests: Digests | None = None) -> None:
        self.env, self.site, self.images, self.now, self.preview = env, site, images, now, preview
        # shared by the builders of every language: a disclosure and its statistics are digested once for all their keys
        self.digests = digests if digests is not None else Digests()
        self.previous, self.render_key = previous, render_key
        self.lang = lang or site.language
        # The site's own language at the root, every other in its own folder: /es/, /ar/, ...
        self.prefix = "" if self.lang == site.language else f"{self.lang}/"
        self.out: Output = {}
        self.stats_schema = stats_schema()
        self.stats_validator = validator(self.stats_schema)
        self.problems: list[str] = []  # where the build's own output breaks the published contract

    def _part(self) -> SiteBuilder:
        """A builder for one fragment: the same settings, its own output (fragments render side by side)."""
        part = copy.copy(self)
        part.out, part.problems = {}, []
        return part

    def original(self) -> Markup:
        """Attributes that keep text written in the site's own language (disclosures, untranslated parts) in that language."""
        if self.lang == self.site.language:
            return Markup("")
        return Markup(' lang="{}" dir="{}"').format(self.site.language, i18n.direction(self.site.language))

    def folder_of(self, lang: str) -> str:
        return "" if lang == self.site.language else f"{lang}/"

    def page(self, path: str, template: str, title: str, description: str, section: str = "", **context: Any) -> None:
        """Render ``template`` to ``path`` in this builder's language (under its folder).

        ``root`` leads to the site's root (assets and the downloads every language shares), ``home`` to this
        language's pages; ``languages`` are the same page in every language, for the switcher and hreflang.
        """
        out = self.prefix + path
        depth = out.count("/")
        url_path = path[: -len("index.html")] if path.endswith("index.html") else path
        root = "../" * depth
        languages = [{"lang": lang, "name": i18n.language_name(lang), "dir": i18n.direction(lang), "current": lang == self.lang,
                      "href": root + self.folder_of(lang) + url_path, "url": self.site.base_url + self.folder_of(lang) + url_path}
                     for lang in self.site.languages]
        site_title, site_description, title_original, description_original = self.site.text_in(self.lang)
        base = {
            "site": self.site, "site_title": site_title, "site_description": site_description,
            "root": root, "home": root + self.prefix, "page_title": title, "description": description,
            "canonical": self.site.base_url + self.prefix + url_path, "og_type": "website", "og_image": "", "og_image_alt": "",
            "section": section, "preview": self.preview, "lang": self.lang, "dir": i18n.direction(self.lang),
            "languages": languages if len(languages) > 1 else [], "prefix": self.prefix,
            "original": self.original(),
        }
        base["title_original"] = base["original"] if title_original else Markup("")
        base["description_original"] = base["original"] if description_original else Markup("")
        base.update(context)
        self.out[out] = self.env.get_template(template).render(**base).encode()

    def fragment(self, parts: tuple[Any, ...], render: Callable[[SiteBuilder], None]) -> tuple[Output, list[str]]:
        """Return the files ``render`` writes (and the problems it found), or the previous build's identical files
        if nothing they depend on changed.

        ``parts`` must name everything the files are made from besides the site, templates and code (in ``render_key``).
        Safe to call from several threads at once; the caller adds the result to ``out``.
        """
        key = digest(self.render_key, self.digests(self.site), self.preview, self.lang, *map(self.digests, parts))
        kept = self.previous.reuse(key) if self.previous else None
        if kept is not None:
            return dict(kept[0]), []
        part = self._part()
        render(part)
        if self.previous:
            self.previous.record(key, part.out)
        return part.out, part.problems

    def fragments(self, jobs: list[tuple[tuple[Any, ...], Callable[[SiteBuilder], None]]]) -> None:
        """Render fragments side by side (chart images are drawn in other processes), adding them in order."""
        workers = max(1, min(len(jobs), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for out, problems in pool.map(lambda job: self.fragment(*job), jobs):
                self.out.update(out)
                self.problems += problems

    def charts(self, folder: str, data: dict[str, Any], note: str, scope: str = "disclosure", embed: str = "",
               synthetic: bool = False) -> list[dict[str, Any]]:
        """Write the charts of ``data`` (SVG, CSV and JSON) beside its page; return what the template needs.

        With ``embed`` (the title of the page they belong to), each chart also gets an embed page, ``embed/<chart>/``, and
        its oEmbed JSON: never for a disclosure that is not published. Kept from the last build when the same data made
        them: drawing a chart costs more than rendering its page.
        """
        page = folder
        folder = self.prefix + folder
        key = digest(self.render_key, self.digests(self.site), "charts", self.lang, folder, self.digests(data), note, scope, embed, synthetic)
        kept = self.previous.reuse(key) if self.previous else None
        if kept is not None:
            self.out.update(kept[0])
            return list(kept[1])
        # Through JSON, so that a fresh and a kept chart list are the same values (lists, not tuples).
        shown = json.loads(json.dumps(self._draw(folder, charts_for(data, scope), note)))
        made = [f"{folder}charts/{c['name']}.{kind}" for c in shown for kind in CHART_FILES]
        if embed:
            for c in shown:
                made += self._embed(page, c, embed, note, synthetic)
        if self.previous:
            self.previous.record(key, {p: self.out[p] for p in made if p in self.out}, shown)
        return shown

    def cite(self, folder: str, ident: str, title: str, version: dt.date) -> dict[str, Any]:
        """How to cite the page at ``folder``: its citation metadata, two formatted citations (a CSL processor's), and
        cite.bib, cite.ris and cite.json written beside it."""
        url = self.site.base_url + self.prefix + folder
        item = csl_item(ident, title, self.site.author, self.site.text_in(self.lang)[0], version, url, self.lang)
        self.out[f"{self.prefix}{folder}cite.json"] = csl_json(item)
        self.out[f"{self.prefix}{folder}cite.bib"] = bibtex(item)
        self.out[f"{self.prefix}{folder}cite.ris"] = ris(item)
        return {"title": title, "author": self.site.author, "date": version, "url": url, "language": self.lang,
                "styles": [(label, self._formatted(item, style)) for style, label in STYLES]}

    def _formatted(self, item: dict[str, Any], style: str) -> Markup:
        citations = self.previous.citations if self.previous else None
        return citations.formatted(item, style, self.lang) if citations else formatted(item, style, self.lang)

    def package(self, folder: str, title: str, charts: list[dict[str, Any]], synthetic: bool = False,
                tables: list[dict[str, Any]] | None = None) -> None:
        """Write ``datapackage.json`` beside the CSV files of ``folder`` (its charts, and a format's tables)."""
        home = self.site.base_url + self.prefix + folder
        what = (i18n.gettext("SYNTHETIC SAMPLE DATA: generated for this example site, not the platform's release.") + " ") if synthetic else ""
        resources = []
        try:
            resources = [resource(f"charts/{c['name']}.csv", c["columns"], c["rows"], c["title"], what + c["summary"], home) for c in charts]
            for t in tables or ():
                title_of, caption = t["title"], t["caption"]  # catalog messages, translated here (named first: extraction reads literal arguments)
                resources.append(resource(f"tables/{t['name']}.csv", t["columns"], t["rows"], i18n.gettext(title_of), what + i18n.gettext(caption),
                                          home))
        except ValueError as exc:  # two columns with one header (a translation can make them so): a bug to report, not a crash
            self.problems.append(f"{self.prefix}{folder}{exc}")
            return
        if resources:
            self.out[f"{self.prefix}{folder}datapackage.json"] = package(self.site, f"{self.prefix}{folder}", title, home, resources)

    def _embed(self, page: str, chart: dict[str, Any], title: str, note: str, synthetic: bool) -> list[str]:
        """The embed page of one chart (its image, sentence, table, source and a link back; no script) and its oEmbed JSON.

        Returns the paths written; adds ``embed`` (the snippet, the address) to ``chart`` for its page's "Embed" control."""
        folder = f"{self.prefix}{page}embed/{chart['name']}/"
        url = self.site.base_url + folder
        # the phone drawing, its sentence, the table's control and the source line (and the synthetic-data note)
        height = (chart["narrow_height"] or 0) + 260 + 28 * min(len(chart["rows"]), 3) + (120 if synthetic else 0)
        label = i18n.gettext("%(chart)s — %(page)s", chart=chart["title"], page=title)
        snippet = (Markup('<iframe src="{}" title="{}" width="100%" height="{}" style="border:0;max-width:760px" loading="lazy"></iframe>')
                   .format(url, label, height))
        chart["embed"] = {"url": url, "snippet": str(snippet), "height": height}
        depth = folder.count("/")
        self.out[f"{folder}index.html"] = self.env.get_template("embed.html").render(
            c=chart, root="../" * depth, back=self.site.base_url + self.prefix + page, page_title=title, site=self.site,
            site_title=self.site.text_in(self.lang)[0], lang=self.lang, dir=i18n.direction(self.lang), url=url, note=note, synthetic=synthetic,
            original=self.original()).encode()
        self.out[f"{folder}oembed.json"] = _json({
            "version": "1.0", "type": "rich", "title": label, "provider_name": self.site.text_in(self.lang)[0],
            "provider_url": self.site.base_url, "author_name": self.site.author, "html": str(snippet), "width": 760, "height": height,
            "cache_age": 86400})
        return [f"{folder}index.html", f"{folder}oembed.json"]

    def _draw(self, folder: str, charts: list[Chart], note: str) -> list[dict[str, Any]]:
        shown = []
        # Every drawing of the page asked for at once (wide and phone-width): the renderers draw while this thread goes on.
        drawn = iter(self.images.svgs([spec for c in charts if c.draw for spec in (c.spec, narrow(c.spec))]))
        for c in charts:
            svg = phone = b""
            width = height = narrow_width = narrow_height = 0
            failed = False
            if c.draw:
                wide, small = next(drawn), next(drawn)
                problem = next((x for x in (wide, small) if isinstance(x, ChartError)), None)
                if problem is not None:  # one chart's hostile text must not stop the site: its sentence and table stand
                    self.images.failed(f"{folder}charts/{c.name}", str(problem))
                    failed = True
                else:
                    (svg, width, height), (phone, narrow_width, narrow_height) = wide, small  # type: ignore[misc]
            if svg:
                self.out[f"{folder}charts/{c.name}.svg"] = svg
                self.out[f"{folder}charts/{c.name}.narrow.svg"] = phone
                # The interactive chart's spec: fetched by charts.js when a reader reaches for the chart, never with the page.
                self.out[f"{folder}charts/{c.name}.vl.json"] = (json.dumps(c.spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                                                                + "\n").encode()
            self.out[f"{folder}charts/{c.name}.csv"] = table_csv(c.columns, c.rows).encode()
            self.out[f"{folder}charts/{c.name}.json"] = _json({"title": c.title, "description": c.summary, "source": note,
                                                                "licence": f"{self.site.licence}. {self.site.data_licence}",
                                                                "columns": [{"key": k, "label": h} for k, h in c.columns],
                                                                "rows": list(c.rows)})
            shown.append({"name": c.name, "title": c.title, "summary": c.summary, "columns": c.columns, "rows": c.rows,
                          "spec": c.spec,
                          "drawn": bool(svg), "failed": failed, "width": width, "height": height, "narrow_width": narrow_width, "narrow_height": narrow_height})
        return shown
