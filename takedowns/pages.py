"""Lay out the site: every output path and its content, from the gathered data.

Pure apart from rendering chart images through ``Images``: returns a mapping
of output path to bytes (or to the dataset file to copy), written later by
``write.py`` in one go.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from markupsafe import Markup

from . import i18n
from .across import shared_items
from .charts import SYNTHETIC, Chart, charts_for, narrow
from .contract import stats_defaults, stats_schema, validate, validator
from .countries import Country, country, country_numeric
from .errors import BuildError, Problem
from .images import ChartError, Images
from .load import COPY_LIMIT
from .model import Disclosure, Site
from .render import table_csv
from .reuse import Kept, Previous, digest
from .schema import PLATFORMS, json_schema

TABLE_ROWS = 500  # rows of a format's table shown on its page; the CSV holds them all
FEED_ENTRIES = 50  # the newest disclosures in feed.xml; disclosures.json lists them all


@dataclass(frozen=True)
class Copy:
    """An output file that is a copy of an input file (a local path or an fsspec URL) with that SHA-256."""

    source: Path | str
    sha256: str


Output = dict[str, bytes | Copy | Kept]


@dataclass(frozen=True)
class Row:
    d: Disclosure
    accounts: int | None
    tweets: int | None
    marker: str
    coordination: dict[str, Any] | None = None  # headline signals (``headline_signals``), None without a tweets dataset


def headline_signals(stats: dict[str, Any]) -> dict[str, Any] | None:
    """Return the coordination signals the index, the overview and disclosures.json show for a release."""
    sig = stats.get("signals")
    if not sig:
        return None
    return {"co_retweet_1min_share": sig["co_retweet"][1]["share_of_active"],
            "copy_paste_share": sig["copy_paste"]["share_of_original_tweets"],
            "in_network_retweet_share": sig["in_network"]["retweet_share"],
            "automation_share": sig["posting_tools"]["automation_share"],
            "best_utc_offset": sig["working_hours"]["best_utc_offset"],
            "office_hours_share": sig["working_hours"]["share"],
            "engagement_gini": sig["engagement_concentration"]["gini"]}


def _marker(d: Disclosure, now: dt.datetime) -> str:
    if d.draft:
        return i18n.N_("Draft")
    if not d.published(now):
        return i18n.N_("Embargoed")
    return ""


def _row(d: Disclosure, stats: dict[str, Any], now: dt.datetime) -> Row:
    accounts = stats.get("accounts", d.accounts_announced)
    return Row(d, d.accounts_announced if d.accounts_announced is not None else accounts, stats.get("tweets"), _marker(d, now),
               headline_signals(stats))


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def stats_document(d: Disclosure, stats: dict[str, Any], site: Site) -> dict[str, Any]:
    """Return the published ``stats.json`` of a disclosure (the documented contract)."""
    doc: dict[str, Any] = stats_defaults()  # the contract's keys that every stats.json carries
    doc.update(stats)
    doc.update({
        "id": d.id, "title": d.title, "platform": d.platform, **_dates(d),
        "accounts_announced": d.accounts_announced,
        "announced_figures": {f.key: f.value for f in d.figures},
        "synthetic_data": d.synthetic_data,
        "files": [{"path": f.relpath, "role": ds.role, "bytes": f.size, "sha256": f.sha256} for ds in d.datasets for f in ds.files],
        "source": f"{site.title}, {site.base_url}{d.url}",
        "licence": f"{site.licence}. {site.data_licence}",
    })
    return doc


def _dates(d: Disclosure) -> dict[str, str | None]:
    """The three dates of a takedown, each meaning one thing."""
    return {"announced": d.announced.isoformat(), "announced_approximate": d.announced_approximate,
            "first_disclosed": d.first_disclosed.isoformat() if d.first_disclosed else None,
            "data_released": d.data_released.isoformat() if d.data_released else None}


def active_span(d: Disclosure, stats: dict[str, Any]) -> tuple[str | None, str | None]:
    """Return the first and last day the network was active: its tweets if released, else the dates the platform gave."""
    first, last = stats.get("first_tweet"), stats.get("last_tweet")
    if first and last:
        return first[:10], last[:10]
    return (d.active_from.isoformat() if d.active_from else None, d.active_until.isoformat() if d.active_until else None)


def detection_lag_days(d: Disclosure, stats: dict[str, Any]) -> int | None:
    """Days from the network's last activity to the announcement of its removal."""
    last = active_span(d, stats)[1]
    return (d.announced - dt.date.fromisoformat(last)).days if last else None


def summary_record(d: Disclosure, stats: dict[str, Any]) -> dict[str, Any]:
    """Return a disclosure's entry in ``disclosures.json``."""
    return {
        "id": d.id, "title": d.title, "platform": d.platform, **_dates(d),
        "countries": [{"code": c.code, "name": c.name} for c in d.countries],
        "targets": list(d.targets),
        "attribution": {"kind": d.attribution.kind, "hedged": d.attribution.hedged, "quote": d.attribution.quote,
                        "quote_source": d.attribution.quote_source, "text": d.attribution.text},
        "accounts_announced": d.accounts_announced,
        "announced_figures": {f.key: f.value for f in d.figures},
        "tags": list(d.tags), "url": d.url, "stats_url": f"{d.url}stats.json",
        "sources": [{"title": s.title, "url": s.url, "kind": s.kind} for s in d.sources],
        "synthetic_data": d.synthetic_data,
        "accounts": stats.get("accounts"), "tweets": stats.get("tweets"), "active_accounts": stats.get("active_accounts"),
        "first_tweet": stats.get("first_tweet"), "last_tweet": stats.get("last_tweet"),
        "coordination": headline_signals(stats),
        "active_from": active_span(d, stats)[0], "active_until": active_span(d, stats)[1],
        "detection_lag_days": detection_lag_days(d, stats),
    }


LIST_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "disclosures.schema.json",
    "title": "Published disclosures",
    "type": "object",
    "required": ["source", "licence", "disclosures"],
    "properties": {
        "source": {"type": "string"}, "licence": {"type": "string"},
        "disclosures": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "title", "platform", "announced", "countries", "accounts_announced", "url", "stats_url",
                         "accounts", "tweets", "synthetic_data"],
            "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "platform": {"enum": list(PLATFORMS)},
                "announced": {"type": "string", "format": "date", "description": "the day the platform announced the removal"},
                "announced_approximate": {"type": "boolean", "description": "true when the platform gave no date: announced is the end of the report period"},
                "first_disclosed": {"type": ["string", "null"], "format": "date",
                                    "description": "the day the platform first disclosed the network, when earlier"},
                "data_released": {"type": ["string", "null"], "format": "date", "description": "the day the platform released the data"},
                "countries": {"type": "array", "items": {"type": "object", "required": ["code", "name"],
                                                          "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}},
                "targets": {"type": "array", "items": {"type": "string"}},
                "attribution": {"type": "object", "required": ["kind", "hedged", "quote", "quote_source", "text"], "properties": {
                    "kind": {"type": "string"}, "hedged": {"type": "boolean"},
                    "quote": {"type": ["string", "null"], "description": "the platform's own words, verbatim"},
                    "quote_source": {"type": ["string", "null"], "description": "the url of the source the quotation comes from"},
                    "text": {"type": "string", "description": "the site's own summary of the attribution"}}},
                "accounts_announced": {"type": ["integer", "null"]},
                "announced_figures": {"type": "object", "additionalProperties": {"type": "integer"}},
                "tags": {"type": "array", "items": {"type": "string"}},
                "url": {"type": "string"}, "stats_url": {"type": "string"},
                "sources": {"type": "array", "items": {"type": "object", "required": ["title", "url", "kind"], "properties": {
                    "title": {"type": "string"}, "url": {"type": "string"},
                    "kind": {"enum": ["announcement", "data", "analysis", "response"]}}}},
                "synthetic_data": {"type": "boolean"},
                "accounts": {"type": ["integer", "null"]}, "tweets": {"type": ["integer", "null"]},
                "active_accounts": {"type": ["integer", "null"]},
                "first_tweet": {"type": ["string", "null"]}, "last_tweet": {"type": ["string", "null"]},
                "active_from": {"type": ["string", "null"], "description": "first day active: the first tweet, else the platform's date"},
                "active_until": {"type": ["string", "null"], "description": "last day active: the last tweet, else the platform's date"},
                "detection_lag_days": {"type": ["integer", "null"], "description": "days from the last activity to the announcement"},
                "coordination": {"type": ["object", "null"], "description": "headline coordination signals (stats.json has them all; see "
                                 "the Methods page): co_retweet_1min_share, copy_paste_share, in_network_retweet_share, automation_share, "
                                 "best_utc_offset, office_hours_share, engagement_gini; null without a tweets dataset",
                                 "properties": {k: {"type": ["number", "integer", "null"]} for k in (
                                     "co_retweet_1min_share", "copy_paste_share", "in_network_retweet_share", "automation_share",
                                     "best_utc_offset", "office_hours_share", "engagement_gini")}},
            },
        }},
    },
}


def overview_data(shown: list[Disclosure], stats: dict[str, dict[str, Any]], campaigns: dict[str, Any] | None = None,
                  world_ids: frozenset[str] | None = None) -> dict[str, Any]:
    """Return the cross-disclosure totals (by year, by country, by platform) and the cross-campaign views."""
    by_id = {d.id: d for d in shown}
    years: dict[int, list[int]] = {}
    countries: dict[str, list[Any]] = {}
    platforms: Counter[str] = Counter()
    for d in shown:
        y = years.setdefault(d.announced.year, [0, 0])
        y[0] += 1
        y[1] += d.accounts_announced or 0
        platforms[PLATFORMS[d.platform]] += 1
        for c in d.countries:
            entry = countries.setdefault(c.code, [c.name, c.slug, 0, 0])
            entry[2] += 1
            entry[3] += d.accounts_announced or 0
    by_country = sorted(({"country": n, "slug": s, "disclosures": k, "accounts": a} for n, s, k, a in countries.values()),
                        key=lambda r: (-r["accounts"], r["country"]))
    return {
        "killchain_matrix": _killchain_matrix(shown, stats),
        "timeline": _timeline(shown, stats),
        "similarity": _similarity_cells(shown, campaigns),
        "platform_pairs": _platform_pairs(shown),
        "interactions": [{"from": by_id[r["from"]].title, "to": by_id[r["to"]].title, "retweets": r["retweeted"], "replies": r["replied"],
                          "mentions": r["mentioned"], "total": r["retweeted"] + r["replied"] + r["mentioned"]}
                         for r in (campaigns or {}).get("interactions", []) if r["from"] in by_id and r["to"] in by_id],
        "by_year": [{"year": y, "disclosures": v[0], "accounts": v[1]} for y, v in sorted(years.items())],
        "by_country": by_country,
        "world": _world(shown, world_ids),
        "by_platform": [{"platform": p, "disclosures": n} for p, n in sorted(platforms.items(), key=lambda x: (-x[1], x[0]))],
        "totals": {
            "disclosures": len(shown),
            "accounts_announced": sum(d.accounts_announced or 0 for d in shown),
            "tweets": sum(stats[d.id].get("tweets") or 0 for d in shown),
            "countries": len(countries),
        },
    }


def _world(shown: list[Disclosure], world_ids: frozenset[str] | None) -> list[dict[str, Any]]:
    """Each country named as an origin or a target: how many disclosures name it as each, for the world map.

    Targets are free text; those that name a country are counted, others (regions, "domestic") are not.
    ``on_map`` says whether the map has a shape for it (small places such as Hong Kong have none at 1:110m).
    """
    rows: dict[str, dict[str, Any]] = {}
    for d in shown:
        for role, named in (("origin", list(d.countries)), ("target", list(d.targets))):
            for item in named:
                try:
                    c = item if isinstance(item, Country) else country(item)
                except ValueError:
                    continue
                row = rows.setdefault(c.code, {"country": c.name, "code": c.code, "numeric": country_numeric(c.code),
                                               "origin": 0, "target": 0})
                row["on_map"] = bool(row["numeric"]) and (world_ids is None or row["numeric"] in world_ids)
                if d.id not in row.setdefault(f"_{role}", set()):
                    row[f"_{role}"].add(d.id)
                    row[role] += 1
    out = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows.values()]
    return sorted(out, key=lambda r: (-r["origin"] - r["target"], r["country"]))


def _timeline(shown: list[Disclosure], stats: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every campaign's active span, grouped by its first country of origin, with its announcement."""
    rows = []
    for d in shown:
        start, end = active_span(d, stats[d.id])
        if start and end:
            synthetic = bool(d.synthetic_data and d.datasets and stats[d.id].get("first_tweet"))
            rows.append({"id": d.id, "title": d.title + (SYNTHETIC if synthetic else ""),
                         "country": d.countries[0].name if d.countries else "", "code": d.countries[0].code if d.countries else "",
                         "from": start, "until": end,
                         "announced": d.announced.isoformat(), "lag_days": detection_lag_days(d, stats[d.id])})
    rows.sort(key=lambda r: (r["country"], r["from"], r["id"]))
    return rows


HEATMAP_RELEASES = 40  # the releases with the most alike others, at most, in the overview's heatmap


def _similarity_cells(shown: list[Disclosure], campaigns: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Cells of the similarity heatmap: releases ordered so that alike ones sit together (average-linkage clustering)."""
    by_id = {d.id: d for d in shown}
    pairs = [(a, b, v) for a, b, v in (campaigns or {}).get("pairs", []) if a in by_id and b in by_id]
    best: dict[str, float] = {}
    for a, b, v in pairs:
        best[a], best[b] = max(best.get(a, 0.0), v), max(best.get(b, 0.0), v)
    ids = sorted(best, key=lambda i: (-best[i], i))[:HEATMAP_RELEASES]
    if len(ids) < 2:
        return []
    ids.sort()
    index = {i: n for n, i in enumerate(ids)}
    import numpy as np
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    matrix = np.eye(len(ids))
    for a, b, v in pairs:
        if a in index and b in index:
            matrix[index[a], index[b]] = matrix[index[b], index[a]] = v
    order = [ids[k] for k in leaves_list(linkage(squareform(1 - matrix, checks=False), method="average"))]
    rank = {i: n for n, i in enumerate(order)}
    def name(i: str) -> str:
        return by_id[i].title + (SYNTHETIC if by_id[i].synthetic_data and by_id[i].datasets else "")

    return [{"a": name(a), "b": name(b), "a_rank": rank[a], "b_rank": rank[b],
             "similarity": round(float(matrix[index[a], index[b]]), 4)} for a in order for b in order if a != b]


def _platform_pairs(shown: list[Disclosure]) -> list[dict[str, Any]]:
    """How many operations each pair of platforms both removed (the ``related`` links between disclosures)."""
    by_id = {d.id: d for d in shown}
    seen: set[tuple[str, str]] = set()
    counts: Counter[tuple[str, str]] = Counter()
    for d in shown:
        for other in d.related:
            if other in by_id and (min(d.id, other), max(d.id, other)) not in seen:
                seen.add((min(d.id, other), max(d.id, other)))
                p = sorted((PLATFORMS[d.platform], PLATFORMS[by_id[other].platform]))
                counts[(p[0], p[1])] += 1
    return [{"platforms": f"{a} and {b}" if a != b else f"{a} (twice)", "a": a, "b": b, "operations": n}
            for (a, b), n in sorted(counts.items())]


def _killchain_matrix(shown: list[Disclosure], stats: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Return one cell per network and kill-chain tactic it used: how many procedures, and which."""
    cells = []
    networks = [d for d in sorted(shown, key=lambda d: (d.announced, d.id)) if stats[d.id].get("killchain_procedures")]
    for row, d in enumerate(networks):
        by_tactic: dict[str, list[str]] = {}
        for p in stats[d.id]["killchain_procedures"]:
            by_tactic.setdefault(p["tactic"], []).append(f"{p['code']} {p['procedure']}")
        for tactic, names in by_tactic.items():
            cells.append({"id": d.id, "title": d.title, "tactic": tactic, "column": int(tactic.split(".")[0]), "row": row,
                          "procedures": len(names), "names": "; ".join(names)})
    return cells


class SiteBuilder:
    """Renders every page of one build."""

    def __init__(self, env: Environment, site: Site, images: Images, now: dt.datetime, preview: bool,
                 previous: Previous | None = None, render_key: str = "", lang: str = "") -> None:
        self.env, self.site, self.images, self.now, self.preview = env, site, images, now, preview
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
        base = {
            "site": self.site, "root": root, "home": root + self.prefix, "page_title": title, "description": description,
            "canonical": self.site.base_url + self.prefix + url_path, "og_type": "website", "og_image": "", "og_image_alt": "",
            "section": section, "preview": self.preview, "lang": self.lang, "dir": i18n.direction(self.lang),
            "languages": languages if len(languages) > 1 else [], "prefix": self.prefix,
            # Text written in the site's own language (disclosures, not yet translated parts) keeps its language on other pages.
            "original": Markup("") if self.lang == self.site.language else
            Markup(' lang="{}" dir="{}"').format(self.site.language, i18n.direction(self.site.language)),
        }
        base.update(context)
        self.out[out] = self.env.get_template(template).render(**base).encode()

    def fragment(self, parts: tuple[Any, ...], render: Callable[[SiteBuilder], None]) -> tuple[Output, list[str]]:
        """Return the files ``render`` writes (and the problems it found), or the previous build's identical files
        if nothing they depend on changed.

        ``parts`` must name everything the files are made from besides the site, templates and code (in ``render_key``).
        Safe to call from several threads at once; the caller adds the result to ``out``.
        """
        key = digest(self.render_key, self.site, self.preview, self.lang, *parts)
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

    def charts(self, folder: str, data: dict[str, Any], note: str, scope: str = "disclosure") -> list[dict[str, Any]]:
        """Write the charts of ``data`` (SVG, CSV and JSON) beside its page; return what the template needs.

        Kept from the last build when the same data made them: drawing a chart costs more than rendering its page.
        """
        folder = self.prefix + folder
        key = digest(self.render_key, self.site, "charts", self.lang, folder, data, note, scope)
        kept = self.previous.reuse(key) if self.previous else None
        if kept is not None:
            self.out.update(kept[0])
            return list(kept[1])
        # Through JSON, so that a fresh and a kept chart list are the same values (lists, not tuples).
        shown = json.loads(json.dumps(self._draw(folder, charts_for(data, scope), note)))
        if self.previous:
            self.previous.record(key, {p: self.out[p] for p in (f"{folder}charts/{c['name']}.{kind}" for c in shown for kind in ("svg", "narrow.svg", "csv", "json"))
                                       if p in self.out},
                                 shown)
        return shown

    def _draw(self, folder: str, charts: list[Chart], note: str) -> list[dict[str, Any]]:
        shown = []
        for c in charts:
            try:
                svg, width, height = self.images.svg(c.spec)
                phone, narrow_width, narrow_height = self.images.svg(narrow(c.spec))
            except ChartError as exc:  # one chart's hostile text must not stop the site: its sentence and table stand
                self.images.failed(f"{folder}charts/{c.name}", str(exc))
                svg = phone = b""
                width = height = narrow_width = narrow_height = 0
            if svg:
                self.out[f"{folder}charts/{c.name}.svg"] = svg
                self.out[f"{folder}charts/{c.name}.narrow.svg"] = phone
            self.out[f"{folder}charts/{c.name}.csv"] = table_csv(c.columns, c.rows, note).encode()
            self.out[f"{folder}charts/{c.name}.json"] = _json({"title": c.title, "description": c.summary, "source": note,
                                                                "licence": f"{self.site.licence}. {self.site.data_licence}",
                                                                "columns": [{"key": k, "label": h} for k, h in c.columns],
                                                                "rows": list(c.rows)})
            shown.append({"name": c.name, "title": c.title, "summary": c.summary, "columns": c.columns, "rows": c.rows,
                          "spec": c.spec, "drawn": bool(svg), "width": width, "height": height, "narrow_width": narrow_width, "narrow_height": narrow_height})
        return shown


def build_pages(env: Environment, site: Site, disclosures: tuple[Disclosure, ...], stats: dict[str, dict[str, Any]],
                images: Images, now: dt.datetime, preview: bool, previous: Previous | None = None, render_key: str = "",
                campaigns: dict[str, Any] | None = None) -> Output:
    """Return every file of the site, keyed by its path in the output folder.

    With ``previous``, each disclosure's files and the overview's are reused from the last build when nothing
    they are made of changed (``render_key`` covers the code, templates and libraries).
    """
    shown = [d for d in disclosures if preview or d.published(now)]
    by_id = {d.id: d for d in shown}
    across_all = _across_all(campaigns, by_id)
    rows = [_row(d, stats[d.id], now) for d in shown]
    ov = overview_data(shown, stats, campaigns, images.world_ids())
    shared = shared_items(shown, stats)  # only what is published links anything: no trace of an embargoed disclosure
    licence = f"{site.licence}. {site.data_licence}"
    out: Output = {}
    problems: list[str] = []
    for lang in site.languages:  # the site's own language first: it alone writes the files every language shares
        with i18n.using(lang):
            sb = SiteBuilder(env, site, images, now, preview, previous, render_key, lang)
            _pages_in_language(sb, shown, stats, campaigns, rows, ov, shared, across_all, licence)
            if lang == site.language:
                _shared_files(sb, shown, stats, across_all, licence, previous)
            out.update(sb.out)
            problems += sb.problems
    pages = sorted(p[: -len("index.html")] for p in out if p.endswith("index.html"))
    out["sitemap.xml"] = env.get_template("sitemap.xml").render(base_url=site.base_url, urls=pages).encode()
    out["robots.txt"] = (("User-agent: *\nDisallow: /\n" if preview else "User-agent: *\nAllow: /\n")
                         + f"Sitemap: {site.base_url}sitemap.xml\n").encode()
    if problems:  # a bug in the build, not in the content: publish nothing that breaks the contract
        raise BuildError([Problem("contract", message=p + " (the build's own output breaks its published schema)") for p in problems[:50]])
    return out


def _pages_in_language(sb: SiteBuilder, shown: list[Disclosure], stats: dict[str, dict[str, Any]], campaigns: dict[str, Any] | None,
                       rows: list[Row], ov: dict[str, Any], shared: dict[str, list[dict[str, Any]]],
                       across_all: dict[str, dict[str, Any]], licence: str) -> None:
    """Every page of the site in the builder's language, with its charts and its feed."""
    _ = i18n.gettext
    site, now, env = sb.site, sb.now, sb.env
    by_id = {d.id: d for d in shown}
    synthetic = any(d.synthetic_data and d.datasets for d in shown)
    sb.page("index.html", "index.html", _("All disclosures"), site.description, "index", rows=rows, totals=ov["totals"],
            any_synthetic=synthetic)
    overview_note = f"Source: {site.title}, {site.base_url}{sb.prefix}overview/. Licence: {licence}"
    signal_rows = [r for r in rows if r.coordination]
    shown_signals = [(r.d.id, r.d.title, r.d.url, r.d.synthetic_data, r.coordination) for r in signal_rows]
    jobs: list[tuple[tuple[Any, ...], Callable[[SiteBuilder], None]]] = [(("overview", ov, shown_signals), lambda b: b.page(
        "overview/index.html", "overview.html", _("Overview"),
        _("Takedowns across platforms and countries: disclosures and accounts over time, by country and by platform."),
        "overview", overview=ov, totals=ov["totals"], charts=b.charts("overview/", ov, overview_note, "overview"),
        signal_rows=signal_rows))]
    for d in shown:
        links = shared.get(d.id, [])
        across = {**across_all[d.id], "same_operation": _same_operation(d, shown, by_id)}
        jobs.append((("disclosure", d, stats[d.id], _marker(d, now), links, across),
                     lambda b, d=d, links=links, across=across: _disclosure(b, d, stats[d.id], now, links, across)))  # type: ignore[misc]
    sb.fragments(jobs)
    _groups(sb, shown, rows)
    _domains(sb, campaigns, by_id)
    _comparison(sb, shown, stats, licence)
    sb.page("methods/index.html", "methods.html", _("Methods: coordination signals"),
            _("How the coordination signals are defined and computed, with their sources."), "about", **methods_context())
    sb.page("about/index.html", "about.html", _("About the data"), _("How the figures on this site are computed, and where to download them."), "about")
    sb.page("search/index.html", "search.html", _("Search"), _("Search every disclosure by title, country, text or hashtag."), "search")
    sb.page("404.html", "404.html", _("Page not found"), _("There is no page at this address."))
    updated = max((d.announced for d in shown), default=dt.date(1970, 1, 1)).isoformat() + "T00:00:00Z"
    sb.out[f"{sb.prefix}feed.xml"] = env.get_template("feed.xml").render(
        site=site, base_url=site.base_url + sb.prefix, rows=rows[:FEED_ENTRIES], updated=updated, lang=sb.lang).encode()


def _shared_files(sb: SiteBuilder, shown: list[Disclosure], stats: dict[str, dict[str, Any]], across_all: dict[str, dict[str, Any]],
                  licence: str, previous: Previous | None) -> None:
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
    sb.out["disclosures.csv"] = _disclosures_csv(records, f"Source: {site.title}, {site.base_url}. Licence: {licence}")
    sb.out["disclosures.schema.json"] = _json(LIST_SCHEMA)
    sb.out["disclosure.schema.json"] = _json(json_schema())
    sb.out["stats.schema.json"] = _json(sb.stats_schema)


RELATED_NOTE = ("Weighted Jaccard similarity (sum of the smaller counts over sum of the larger) of the hashtags, linked hosts "
                "(the platforms' own and link shorteners left out), posting clients (official apps left out) and mentioned or "
                "retweeted accounts (numeric ids only: hashed ids differ per release) of two releases; similarity is the mean "
                "over the kinds either release has. Alike is not the same operation: a lead to follow, not evidence.")


def _across_all(campaigns: dict[str, Any] | None, by_id: dict[str, Disclosure]) -> dict[str, dict[str, Any]]:
    """What each disclosure's page shows of the cross-campaign views: related campaigns, interactions, its hosts with a page."""
    from .campaigns import host_slug

    out: dict[str, dict[str, Any]] = {i: {"related": [], "hosts": [], "interactions": []} for i in by_id}
    if not campaigns:
        return out
    for me, rows in campaigns["related"].items():
        if me in out:
            out[me]["related"] = [{**r, "title": by_id[r["id"]].title, "url": by_id[r["id"]].url, "platform": by_id[r["id"]].platform,
                                   "synthetic_data": bool(by_id[r["id"]].synthetic_data and by_id[r["id"]].datasets)}
                                  for r in rows if r["id"] in by_id]
    for r in campaigns.get("interactions", []):
        if r["from"] in by_id and r["to"] in by_id:
            for me, other, outgoing in ((r["from"], r["to"], True), (r["to"], r["from"], False)):
                out[me]["interactions"].append({**r, "outgoing": outgoing, "other_title": by_id[other].title, "other_url": by_id[other].url})
    hosts: dict[str, list[tuple[int, int, str, int | None]]] = {}
    for host, rows in campaigns["domains"].items():
        shown = [x for x in rows if x["id"] in by_id]
        for x in shown:
            hosts.setdefault(x["id"], []).append((-len(shown), -(x["links"] or 0), host, x["links"]))
    for me, found in hosts.items():
        out[me]["hosts"] = [{"host": h, "url": f"domains/{host_slug(h)}/", "links": links, "campaigns": -n}
                            for n, _, h, links in sorted(found)[:30]]
    return out


def _same_operation(d: Disclosure, shown: list[Disclosure], by_id: dict[str, Disclosure]) -> list[dict[str, str]]:
    """Other shown disclosures of the same operation: named in this one's ``related``, or naming it in theirs."""
    ids = {i for i in d.related if i in by_id} | {o.id for o in shown if d.id in o.related}
    return [{"id": i, "title": by_id[i].title, "url": by_id[i].url, "platform": by_id[i].platform}
            for i in sorted(ids, key=lambda i: (by_id[i].announced, i))]


def _comparison(sb: SiteBuilder, shown: list[Disclosure], stats: dict[str, dict[str, Any]], licence: str) -> None:
    """Every release in one table (a page and comparison.csv)."""
    from .comparison import COLUMNS, comparison_frame, comparison_rows

    rows = comparison_rows(comparison_frame(shown, stats))
    note = f"Source: {sb.site.title}, {sb.site.base_url}comparison/. Licence: {licence}"
    if not sb.prefix:
        sb.out["comparison.csv"] = table_csv(COLUMNS, rows, note).encode()
    numeric = {k for k, _ in COLUMNS if any(isinstance(r[k], int | float) and not isinstance(r[k], bool) for r in rows)}
    shown_columns = [(k, h) for k, h in COLUMNS if k not in ("id", "url", "synthetic_data") and any(r[k] is not None for r in rows)]
    sb.page("comparison/index.html", "comparison.html", i18n.gettext("Compare releases"),
            i18n.gettext("Every disclosure in one table: announced counts, the released data, activity and coordination signals."), "overview",
            rows=rows, columns=shown_columns, numeric=numeric)


def _domains(sb: SiteBuilder, campaigns: dict[str, Any] | None, by_id: dict[str, Disclosure]) -> None:
    """A page per linked host worth one ("who else pushed this site?"), and their index."""
    from .campaigns import host_slug

    domains = (campaigns or {}).get("domains") or {}
    listed = []
    for host, rows in domains.items():
        slug = host_slug(host)
        shown = [{**r, "d": by_id[r["id"]]} for r in rows if r["id"] in by_id]
        if not slug or not shown:
            continue
        sb.page(f"domains/{slug}/index.html", "domain.html", i18n.gettext("Linked host: %(host)s", host=host),
                i18n.gettext("Which disclosed campaigns linked %(host)s, how often, and when.", host=host), "overview", host=host, rows=shown,
                parent_url="domains/", parent_title=i18n.gettext("Linked hosts"))
        listed.append({"name": host, "url": f"domains/{slug}/", "count": len(shown)})
    if listed:
        sb.page("domains/index.html", "groups.html", i18n.gettext("Linked hosts"),
                i18n.gettext("Hosts that two or more disclosed campaigns linked, or that a campaign linked among its most linked."), "overview",
                groups=sorted(listed, key=lambda g: (-g["count"], g["name"])))


def _disclosure(sb: SiteBuilder, d: Disclosure, stats: dict[str, Any], now: dt.datetime, shared: list[dict[str, Any]],
                across: dict[str, Any] | None = None) -> None:
    folder = f"{d.url}"
    doc = stats_document(d, stats, sb.site)
    tables = doc.pop("tables", None) or []  # a format's own tables: on the page and as CSV, not in stats.json
    neutral = not sb.prefix  # stats.json, tables, data files and the preview image: one copy, at the root, for every language
    if neutral:
        sb.problems += validate(doc, sb.stats_validator, f"{folder}stats.json")
        sb.out[f"{folder}stats.json"] = _json(doc)
    note = (f"Source: {sb.site.title}, {sb.site.base_url}{d.url}" + (" (SYNTHETIC SAMPLE DATA)" if d.synthetic_data else "")
            + f". Licence: {sb.site.licence}. {sb.site.data_licence}")
    charts = sb.charts(folder, doc, note)
    signal_charts = sb.charts(folder, doc, note, "signals")
    for t in tables:
        if neutral:
            sb.out[f"{folder}tables/{t['name']}.csv"] = table_csv(tuple(tuple(c) for c in t["columns"]), t["rows"], note).encode()
        t["shown"] = t["rows"][:TABLE_ROWS]
    files = []
    for ds in d.datasets:
        for f in ds.files:
            href = ""
            if f.size <= COPY_LIMIT:
                href = f"data/{d.id}/{f.relpath}"
                if neutral:
                    sb.out[href] = Copy(f.path, f.sha256)
            files.append({"path": f.relpath, "role": ds.role, "hashed": ds.hashed, "size": _size(f.size),
                          "sha256": f.sha256, "href": quote(href)})  # a name like 'tweets #1.csv' must stay one address
    og_image, og_alt = "", ""
    drawn = [c for c in charts if c["drawn"]]
    if drawn:
        if neutral:
            try:
                sb.out[f"{folder}preview.png"] = sb.images.png(drawn[0]["spec"])
            except ChartError as exc:  # a link preview is a nicety: without it the page is whole
                sb.images.failed(f"{folder}preview.png", str(exc))
        if f"{folder}preview.png" not in sb.images.failures:  # made once, by the site's own language, which comes first
            og_image, og_alt = f"{sb.site.base_url}{folder}preview.png", drawn[0]["summary"]
    text = d.text_in(sb.lang)  # its own text in the page's language where a translation gives it
    summary = " ".join(text["summary"].split())
    sb.page(f"{folder}index.html", "disclosure.html", text["title"], summary[:300], "index",
            d=d, text=text, stats=doc, charts=charts, signal_charts=signal_charts, files=files, tables=tables, shared=shared,
            related=(across or {}).get("related") or [], hosts=(across or {}).get("hosts") or [],
            same_operation=(across or {}).get("same_operation") or [], interactions=(across or {}).get("interactions") or [],
            skipped=doc.get("skipped_rows") or [], marker=_marker(d, now),
            og_type="article", og_image=og_image, og_image_alt=og_alt)


def methods_context() -> dict[str, Any]:
    """What the Methods page shows: every signal's definition, the posting-client list and the kill-chain procedures."""
    from .formats.meta import killchain
    from .signals import CLIENTS_FILE, DEFINITIONS, NOTE

    with CLIENTS_FILE.open(encoding="utf-8", newline="") as f:
        clients = list(csv.DictReader(f))
    chain = killchain()
    return {"definitions": DEFINITIONS, "note": NOTE, "clients": clients,
            "killchain": [f"{code} {chain[code][2]}" for code in ("3.1.1", "3.5.1") if code in chain]}


def _groups(sb: SiteBuilder, shown: list[Disclosure], rows: list[Row]) -> None:
    by_country: dict[str, list[Row]] = {}
    names: dict[str, str] = {}
    by_tag: dict[str, list[Row]] = {}
    for r in rows:
        for c in r.d.countries:
            by_country.setdefault(c.slug, []).append(r)
            names[c.slug] = i18n.country_name(c)
        for t in r.d.tags:
            by_tag.setdefault(t, []).append(r)
    for slug, group in sorted(by_country.items()):
        sb.page(f"countries/{slug}/index.html", "listing.html", i18n.gettext("Disclosures: %(country)s", country=names[slug]),
                i18n.gettext("Takedowns of networks that platforms said came from %(country)s (their words, hedges included, are on each page).",
                             country=names[slug]), "countries",
                rows=group, parent_url="countries/", parent_title=i18n.gettext("Countries"))
    for tag, group in sorted(by_tag.items()):
        sb.page(f"tags/{tag}/index.html", "listing.html", i18n.gettext("Topic: %(tag)s", tag=tag),
                i18n.gettext("Takedowns tagged “%(tag)s”.", tag=tag), "tags",
                rows=group, parent_url="tags/", parent_title=i18n.gettext("Topics"))
    sb.page("countries/index.html", "groups.html", i18n.gettext("Countries"),
            i18n.gettext("Disclosures by the country the platform said the network came from."),
            "countries", groups=[{"name": names[s], "url": f"countries/{s}/", "count": len(g)}
                                 for s, g in sorted(by_country.items(), key=lambda x: names[x[0]])])
    sb.page("tags/index.html", "groups.html", i18n.gettext("Topics"), i18n.gettext("Disclosures by topic."), "tags",
            groups=[{"name": t, "url": f"tags/{t}/", "count": len(g)} for t, g in sorted(by_tag.items())])


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


def _disclosures_csv(records: list[dict[str, Any]], note: str) -> bytes:
    signals = ("co_retweet_1min_share", "copy_paste_share", "in_network_retweet_share", "automation_share", "best_utc_offset",
               "office_hours_share", "engagement_gini")
    cols = ("id", "title", "platform", "announced", "countries", "accounts_announced", "accounts", "tweets",
            "first_tweet", "last_tweet", *signals, "tags", "synthetic_data", "url")
    rows = [{**r, **{k: (r["coordination"] or {}).get(k) for k in signals},
             "countries": ";".join(c["code"] for c in r["countries"]), "tags": ";".join(r["tags"])} for r in records]
    return table_csv(tuple((c, c) for c in cols), rows, note).encode()
