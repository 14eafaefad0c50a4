"""A disclosure's page: its figures, charts, signals, tables and files, and its ``stats.json``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from ..content.load import COPY_LIMIT
from ..content.model import Disclosure
from ..statistics.contract import validate
from .builder import SiteBuilder
from .documents import Copy, _json, _marker, _size, stats_document
from .images import ChartError
from .render import table_csv

TABLE_ROWS = 100  # rows of a format's table shown on its page (collapsed past 20); the CSV holds them all


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
    text = d.text_in(sb.lang)  # its own text in the page's language where a translation gives it
    embed = text["title"] if d.published(now) else ""  # embeds are never made of what is not published
    synthetic = bool(d.synthetic_data and d.datasets)
    charts = sb.charts(folder, doc, note, embed=embed, synthetic=synthetic)
    signal_charts = sb.charts(folder, doc, note, "signals", embed=embed, synthetic=synthetic)
    for t in tables:
        if neutral:
            sb.out[f"{folder}tables/{t['name']}.csv"] = table_csv(tuple(tuple(c) for c in t["columns"]), t["rows"]).encode()
        t["shown"] = t["rows"][:TABLE_ROWS]
    sb.package(folder, text["title"], charts + signal_charts, synthetic, tables if neutral else None)
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
    summary = " ".join(text["summary"].split())
    cite = sb.cite(folder, d.id, text["title"], d.updated)
    sb.page(f"{folder}index.html", "disclosure.html", text["title"], summary[:300], "index",
            d=d, text=text, stats=doc, charts=charts, signal_charts=signal_charts, files=files, tables=tables, shared=shared,
            related=(across or {}).get("related") or [], hosts=(across or {}).get("hosts") or [],
            same_operation=(across or {}).get("same_operation") or [], history=(across or {}).get("history"), interactions=(across or {}).get("interactions") or [],
            skipped=doc.get("skipped_rows") or [], marker=_marker(d, now),
            og_type="article", og_image=og_image, og_image_alt=og_alt, cite=cite)
