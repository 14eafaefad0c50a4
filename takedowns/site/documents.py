"""The published documents of the site besides its pages: each disclosure's ``stats.json``, the rows of ``disclosures.json`` and ``.csv``, and their schema."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import i18n
from ..across.overview import active_span, detection_lag_days, headline_signals
from ..content.model import Correction, Disclosure, Site
from ..content.schema import PLATFORMS
from ..formats.contract import stats_defaults
from .render import table_csv
from .reuse import Kept


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


def _dates(d: Disclosure) -> dict[str, Any]:
    """The three dates of a takedown, each meaning one thing; and the page's own version, with its corrections."""
    return {"announced": d.announced.isoformat(), "announced_approximate": d.announced_approximate,
            "first_disclosed": d.first_disclosed.isoformat() if d.first_disclosed else None,
            "data_released": d.data_released.isoformat() if d.data_released else None,
            "updated": d.updated.isoformat(), "corrections": corrections_of(d)}


def correction_record(c: Correction) -> dict[str, Any]:
    """One correction as stats.json, disclosures.json and corrections.json publish it."""
    return {"date": c.date.isoformat(), "what": c.what, "why": c.why, "source": c.source}


def corrections_of(d: Disclosure) -> list[dict[str, Any]]:
    """A disclosure's corrections as published: newest first."""
    return [correction_record(c) for c in d.corrections]


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
            "required": ["id", "title", "platform", "announced", "updated", "corrections", "countries", "accounts_announced", "url", "stats_url",
                         "accounts", "tweets", "synthetic_data"],
            "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "platform": {"enum": list(PLATFORMS)},
                "announced": {"type": "string", "format": "date", "description": "the day the platform announced the removal"},
                "announced_approximate": {"type": "boolean", "description": "true when the platform gave no date: announced is the end of the report period"},
                "updated": {"type": "string", "format": "date", "description": "the page's version: its latest correction, else announced"},
                "corrections": {"type": "array", "description": "corrections to the published page, newest first", "items": {
                    "type": "object", "required": ["date", "what", "why", "source"], "properties": {
                        "date": {"type": "string", "format": "date"}, "what": {"type": "string"}, "why": {"type": "string"},
                        "source": {"type": ["string", "null"]}}}},
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


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


DISCLOSURES_CSV_SIGNALS = ("co_retweet_1min_share", "copy_paste_share", "in_network_retweet_share", "automation_share", "best_utc_offset",
                           "office_hours_share", "engagement_gini")
DISCLOSURES_CSV = ("id", "title", "platform", "announced", "announced_approximate", "countries", "accounts_announced", "accounts", "tweets",
                   "first_tweet", "last_tweet", *DISCLOSURES_CSV_SIGNALS, "tags", "synthetic_data", "url")


def disclosures_csv_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of disclosures.csv: one per disclosure, lists joined with ``;``."""
    signals = DISCLOSURES_CSV_SIGNALS
    return [{**r, **{k: (r["coordination"] or {}).get(k) for k in signals},
             "countries": ";".join(c["code"] for c in r["countries"]), "tags": ";".join(r["tags"])} for r in records]


def _disclosures_csv(records: list[dict[str, Any]]) -> bytes:
    return table_csv(tuple((c, c) for c in DISCLOSURES_CSV), disclosures_csv_rows(records)).encode()
