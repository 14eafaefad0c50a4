"""Frictionless Data Packages: what each folder of CSV downloads holds, where it comes from and under which terms.

The CSV files start with their header, so that ``pandas.read_csv(url)`` and R's ``read.csv`` read them as they
are; their provenance, licence and column types live in a ``datapackage.json`` beside them
(https://specs.frictionlessdata.io/data-package/). Types are inferred from the values written, never guessed
from the text: integer, number, boolean, date (``YYYY-MM-DD``) or string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..content.model import Site
from .documents import _json

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CC = re.compile(r"\bCC[ -]BY(?P<sa>[ -]SA)?[ -](?P<version>4\.0)\b", re.I)


def field_type(values: Iterable[Any]) -> str:
    """The Table Schema type of a column from the Python values written to it (None is a missing value)."""
    kinds = set()
    for v in values:
        if v is None or v == "":
            continue
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("integer")
        elif isinstance(v, float):
            kinds.add("number")
        elif isinstance(v, str) and _DATE.fullmatch(v):
            kinds.add("date")
        else:
            return "string"
    if kinds == {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 else "string"


def resource(path: str, columns: Iterable[tuple[str, str]], rows: Iterable[dict[str, Any]], title: str, description: str,
             source: str) -> dict[str, Any]:
    """One CSV file of the package: ``path`` relative to the package's folder, its columns typed from ``rows``.

    Raises ValueError when two columns share a header: a table a reader cannot address by column name.
    """
    columns, rows = list(columns), list(rows)
    names = [head for _, head in columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{path}: column header(s) used twice: {', '.join(repeated)}")
    fields = [{"name": head, "type": field_type(r.get(key) for r in rows)} for key, head in columns]
    return {
        "name": re.sub(r"[^a-z0-9._-]+", "-", path.lower().removesuffix(".csv")).strip("-"),
        "profile": "tabular-data-resource", "path": path, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "title": title, "description": description,
        "sources": [{"title": title, "path": source}],
        "schema": {"fields": fields, "missingValues": [""]},
        "dialect": {"delimiter": ",", "header": True, "lineTerminator": "\n"},
    }


def licences(site: Site) -> list[dict[str, str]]:
    """The package's licences: the Creative Commons licence the site's text names, and the terms of the datasets."""
    text = f"{site.licence}. {site.data_licence}"
    found = _CC.search(site.licence)
    if found:
        kind = "by-sa" if found["sa"] else "by"
        return [{"name": f"CC-{kind.upper()}-{found['version']}", "path": f"https://creativecommons.org/licenses/{kind}/{found['version']}/",
                 "title": text}]
    return [{"path": f"{site.base_url}about/#licence", "title": text}]


def package(site: Site, name: str, title: str, home: str, resources: list[dict[str, Any]]) -> bytes:
    """``datapackage.json`` of one folder of downloads; ``home`` is the page they belong to."""
    return _json({
        "profile": "tabular-data-package",
        "name": re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-") or "downloads",
        "title": title,
        "homepage": home,
        "licenses": licences(site),
        "sources": [{"title": site.title, "path": home}],
        "resources": sorted(resources, key=lambda r: r["path"]),
    })
