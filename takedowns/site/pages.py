"""Every file of the site, page kind by page kind, in each language: the entry point of rendering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from jinja2 import Environment

from .. import i18n
from ..across.comparison import COLUMNS, comparison_frame, comparison_rows
from ..across.overview import overview_data
from ..across.shared import shared_items
from ..content.model import Disclosure, Site
from ..content.schema import json_schema
from ..errors import BuildError, Problem
from ..freshness import Digests
from ..statistics.contract import validate, validator
from .about_pages import methods_context
from .across_pages import RELATED_NOTE, _across_all, _comparison, _domains, same_operation
from .builder import SiteBuilder
from .datapackage import package, resource
from .disclosure_page import _disclosure
from .documents import DISCLOSURES_CSV, LIST_SCHEMA, Output, Row, _disclosures_csv, _json, _marker, _row, correction_record, disclosures_csv_rows, summary_record
from .images import Images
from .listing_pages import _groups
from .render import table_csv
from .reuse import Previous

FEED_ENTRIES = 50  # the newest disclosures in feed.xml; disclosures.json lists them all


class Surroundings:
    """What a disclosure's own pages take from the rest of the site (links to what it shares with other releases, the
    cross-campaign findings, its history link), kept from a build so that ``serve`` can show an edit of one disclosure
    before the whole site is built again (``disclosure_files``)."""

    def __init__(self, shown: list[Disclosure], shared: dict[str, list[dict[str, Any]]], across_all: dict[str, dict[str, Any]],
                 history: dict[str, str]) -> None:
        self.shared, self.across_all, self.history = shared, across_all, history
        self.by_id = {d.id: d for d in shown}
        self.named_by: dict[str, set[str]] = {}  # id -> the shown disclosures that name it in their ``related``
        for o in shown:
            for i in o.related:
                self.named_by.setdefault(i, set()).add(o.id)

    def of(self, d: Disclosure) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The links and cross-release context of ``d`` (which may be an edited version of a shown disclosure)."""
        by_id = self.by_id
        naming = self.named_by.get(d.id, set())
        if by_id.get(d.id) is not d:  # an edited version, in place of the one the build had
            by_id = {**by_id, d.id: d}
            naming = (naming - {d.id}) | ({d.id} & set(d.related))
        across = {**self.across_all[d.id], "same_operation": same_operation(d, naming, by_id), "history": self.history.get(d.id)}
        return self.shared.get(d.id, []), across


def disclosure_files(env: Environment, site: Site, d: Disclosure, stats: dict[str, Any], images: Images, now: dt.datetime, preview: bool,
                     around: Surroundings, render_key: str, languages: list[str]) -> Output:
    """Render one disclosure's pages, charts and downloads alone, in ``languages`` (in that order): what ``serve`` writes first
    after an edit of it. The files are those a whole build makes from the same inputs."""
    links, across = around.of(d)
    out: Output = {}
    for lang in languages:
        with i18n.using(lang):
            sb = SiteBuilder(env, site, images, now, preview, None, render_key, lang)
            _disclosure(sb, d, stats, now, links, across)
            out.update(sb.out)
    return out


def build_pages(env: Environment, site: Site, disclosures: tuple[Disclosure, ...], stats: dict[str, dict[str, Any]],
                images: Images, now: dt.datetime, preview: bool, previous: Previous | None = None, render_key: str = "",
                campaigns: dict[str, Any] | None = None, history: dict[str, str] | None = None,
                keep: dict[str, Any] | None = None, rendered: Callable[[str, Output], None] | None = None) -> Output:
    """Return every file of the site, keyed by its path in the output folder.

    With ``previous``, each disclosure's files and the overview's are reused from the last build when nothing
    they are made of changed (``render_key`` covers the code, templates and libraries). With ``keep``, its
    ``"surroundings"`` is set to what each disclosure's pages take from the rest (see ``Surroundings``). ``rendered`` is
    called with each language and its files as soon as they are made (the search index starts on them).
    """
    digests = Digests()  # of the parts of keys, for every language: each object is digested once
    if previous is not None:
        env.globals["disclosure_row"] = previous.rows.renderer(env, render_key, digests)
    shown = [d for d in disclosures if preview or d.published(now)]
    by_id = {d.id: d for d in shown}
    across_all = _across_all(campaigns, by_id)
    rows = [_row(d, stats[d.id], now) for d in shown]
    ov = overview_data(shown, stats, campaigns, images.world_ids())
    shared = shared_items(shown, stats)  # only what is published links anything: no trace of an embargoed disclosure
    licence = f"{site.licence}. {site.data_licence}"
    comparison = comparison_rows(comparison_frame(shown, stats))  # one table for the page in every language and comparison.csv
    around = Surroundings(shown, shared, across_all, history or {})
    if keep is not None:
        keep["surroundings"] = around
    out: Output = {}
    problems: list[str] = []
    for lang in site.languages:  # the site's own language first: it alone writes the files every language shares
        with i18n.using(lang):
            sb = SiteBuilder(env, site, images, now, preview, previous, render_key, lang, digests)
            _pages_in_language(sb, shown, stats, campaigns, rows, ov, around, licence, comparison)
            if lang == site.language:
                _shared_files(sb, shown, stats, across_all, licence, previous, comparison)
            out.update(sb.out)
            problems += sb.problems
        if rendered is not None and not sb.problems:
            rendered(lang, sb.out)
    pages = sorted(p[: -len("index.html")] for p in out if p.endswith("index.html") and "/embed/" not in p)  # embeds are parts, not pages
    out["sitemap.xml"] = env.get_template("sitemap.xml").render(base_url=site.base_url, urls=pages).encode()
    out["robots.txt"] = (("User-agent: *\nDisallow: /\n" if preview else "User-agent: *\nAllow: /\n")
                         + f"Sitemap: {site.base_url}sitemap.xml\n").encode()
    if problems:  # a bug in the build, not in the content: publish nothing that breaks the contract
        raise BuildError([Problem("contract", message=p + " (the build's own output breaks its published schema)") for p in problems[:50]])
    return out


def _pages_in_language(sb: SiteBuilder, shown: list[Disclosure], stats: dict[str, dict[str, Any]], campaigns: dict[str, Any] | None,
                       rows: list[Row], ov: dict[str, Any], around: Surroundings, licence: str, comparison: list[dict[str, Any]]) -> None:
    """Every page of the site in the builder's language, with its charts and its feed."""
    _ = i18n.gettext
    site, now, env = sb.site, sb.now, sb.env
    by_id = {d.id: d for d in shown}
    synthetic = any(d.synthetic_data and d.datasets for d in shown)
    sb.page("index.html", "index.html", _("All disclosures"), site.text_in(sb.lang)[1], "index", rows=rows, totals=ov["totals"],
            any_synthetic=synthetic)
    overview_note = f"Source: {site.title}, {site.base_url}{sb.prefix}overview/. Licence: {licence}"
    signal_rows = [r for r in rows if r.coordination]
    shown_signals = [(r.d.id, r.d.title, r.d.url, r.d.synthetic_data, r.coordination) for r in signal_rows]

    version = max((d.updated for d in shown), default=now.date())  # the overview's: its latest disclosure or correction

    def overview(b: SiteBuilder) -> None:
        charts = b.charts("overview/", ov, overview_note, "overview", embed=_("Overview"))
        b.page("overview/index.html", "overview.html", _("Overview"),
               _("Takedowns across platforms and countries: disclosures and accounts over time, by country and by platform."),
               "overview", overview=ov, totals=ov["totals"], charts=charts, signal_rows=signal_rows,
               cite=b.cite("overview/", "overview", _("Overview"), version))
        b.package("overview/", _("Overview"), charts)

    jobs: list[tuple[tuple[Any, ...], Callable[[SiteBuilder], None]]] = [(("overview", ov, shown_signals, version), overview)]
    for d in shown:
        links, across = around.of(d)
        jobs.append((("disclosure", d, stats[d.id], _marker(d, now), links, across),
                     lambda b, d=d, links=links, across=across: _disclosure(b, d, stats[d.id], now, links, across)))  # type: ignore[misc]
    sb.fragments(jobs)
    _groups(sb, shown, rows)
    _domains(sb, campaigns, by_id)
    _comparison(sb, shown, comparison)
    sb.page("methods/index.html", "methods.html", _("Methods: coordination signals"),
            _("How the coordination signals are defined and computed, with their sources."), "methods", **methods_context())
    sb.page("about/index.html", "about.html", _("About the data"), _("How the figures on this site are computed, and where to download them."), "about",
            totals=ov["totals"])
    sb.page("corrections/index.html", "corrections.html", _("Corrections and updates"),
            _("Every correction to a published disclosure, newest first: what changed, when and why."), "about",
            corrections=_corrections(shown))
    sb.page("search/index.html", "search.html", _("Search"), _("Search every disclosure by title, country, text or hashtag."), "search")
    sb.page("404.html", "404.html", _("Page not found"), _("There is no page at this address."))
    updated = max((d.updated for d in shown), default=dt.date(1970, 1, 1)).isoformat() + "T00:00:00Z"
    sb.out[f"{sb.prefix}feed.xml"] = env.get_template("feed.xml").render(
        site=site, site_title=site.text_in(sb.lang)[0], site_description=site.text_in(sb.lang)[1], base_url=site.base_url + sb.prefix,
        rows=rows[:FEED_ENTRIES], updated=updated, lang=sb.lang).encode()


def _corrections(shown: list[Disclosure]) -> list[dict[str, Any]]:
    """Every correction of every published disclosure, newest first (then by disclosure id)."""
    return sorted(({"d": d, "c": c} for d in shown for c in d.corrections), key=lambda x: (-x["c"].date.toordinal(), x["d"].id))


def _shared_files(sb: SiteBuilder, shown: list[Disclosure], stats: dict[str, dict[str, Any]], across_all: dict[str, dict[str, Any]],
                  licence: str, previous: Previous | None, comparison: list[dict[str, Any]]) -> None:
    """The downloads every language's pages link to: listings, schemas, the similarity pairs."""
    site = sb.site
    by_id = {d.id: d for d in shown}
    sb.out["related.json"] = _json({"source": site.base_url, "licence": licence, "note": RELATED_NOTE,
                                    "related": {i: across_all[i]["related"] for i in sorted(by_id) if across_all[i]["related"]}})
    records = [summary_record(d, stats[d.id]) for d in shown]
    listing = {"source": site.base_url, "licence": licence, "disclosures": records}
    # The schema check of 2,000 records takes a second: records checked by an earlier build (same bytes) are not checked again.
    sb.problems += validate({**listing, "disclosures": []}, validator(LIST_SCHEMA), "disclosures.json")
    check_record = validator({**LIST_SCHEMA["properties"]["disclosures"]["items"], "$schema": LIST_SCHEMA["$schema"]})
    for record in previous.unchecked(records, LIST_SCHEMA) if previous else records:
        sb.problems += validate(record, check_record, f"disclosures.json (record {record['id']})")
    sb.out["disclosures.json"] = _json(listing)
    sb.out["disclosures.csv"] = _disclosures_csv(records)
    sb.out["corrections.json"] = _json({"source": f"{site.base_url}corrections/", "licence": licence, "corrections": [
        {"id": x["d"].id, "title": x["d"].title, "url": site.base_url + x["d"].url, **correction_record(x["c"])} for x in _corrections(shown)]})
    sb.out["comparison.csv"] = table_csv(COLUMNS, comparison).encode()
    sb.out["datapackage.json"] = package(site, "takedowns", site.title, site.base_url, [
        resource("disclosures.csv", tuple((c, c) for c in DISCLOSURES_CSV), disclosures_csv_rows(records), "disclosures.csv",
                 "Every published disclosure with its metadata and headline figures; lists (countries, tags) joined with ';'. "
                 "synthetic_data is true where the figures come from generated sample files, not a platform's release.", site.base_url),
        resource("comparison.csv", COLUMNS, comparison, "comparison.csv",
                 "Every published release in one table: announced counts, the released data, activity and coordination signals. "
                 "Rows whose 'Synthetic sample data' is true come from generated sample files, not a platform's release.",
                 f"{site.base_url}comparison/"),
    ])
    sb.out["disclosures.schema.json"] = _json(LIST_SCHEMA)
    sb.out["disclosure.schema.json"] = _json(json_schema())
    sb.out["stats.schema.json"] = _json(sb.stats_schema)
