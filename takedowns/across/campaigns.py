"""Across campaigns: what one release's data shares with the others' (related campaigns, linked hosts).

Each release with a tweets file leaves a *profile* beside its cached figures: the complete counts of
the items it posted, by kind (hashtags, linked hosts, posting clients, mentioned and retweeted
accounts), and each linked host's first and last time.  Cross-campaign views read only these
profiles, never the datasets, and are kept while the set of published profiles is unchanged.
Only published disclosures take part: nothing of an embargoed one can appear in another's page.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..statistics.profile import common_hosts, read_profile
from .similarity import KINDS, related

LIBRARIES = ("pyarrow", "numpy")  # whose versions key the cached cross-campaign views, with the code


def _minute(m: int | None) -> str | None:
    return None if m is None else (dt.datetime(1970, 1, 1) + dt.timedelta(minutes=int(m))).strftime("%Y-%m-%d")


def cross_campaign(profiles: dict[str, pa.Table], top_domains: dict[str, list[str]],
                   indicators: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Return the related campaigns of each release and the linked hosts worth a page, from the published profiles.

    A host gets a page when two or more releases linked it (or named it as an indicator, for releases without data),
    or when it is among a release's 20 most linked.
    """
    by_kind = {kind: {i: p.filter(pc.equal(p.column("kind"), kind)).select(["value", "count"]) for i, p in profiles.items()}
               for kind in KINDS}
    relations = related(by_kind)
    pairs = sorted({(a, r["id"], r["similarity"]) for a, rows in relations.items() for r in rows if a < r["id"]})
    hosts: dict[str, list[dict[str, Any]]] = {}
    for ident, p in sorted(profiles.items()):
        h = p.filter(pc.equal(p.column("kind"), "hosts"))
        for value, count, first, last in zip(*(h.column(c).to_pylist() for c in ("value", "count", "first", "last")), strict=True):
            hosts.setdefault(value, []).append({"id": ident, "links": count, "first": _minute(first), "last": _minute(last)})
    skip = common_hosts()
    for ident, named in sorted((indicators or {}).items()):
        for value in sorted(set(named) - skip):
            hosts.setdefault(value, []).append({"id": ident, "links": None, "first": None, "last": None})
    wanted = {v for v, rows in hosts.items() if len(rows) >= 2} | {v for tops in top_domains.values() for v in tops if v in hosts}
    domains = {v: sorted(hosts[v], key=lambda r: (-(r["links"] or 0), r["id"])) for v in sorted(wanted) if host_slug(v)}
    return {"related": relations, "domains": domains, "pairs": [list(p) for p in pairs], "interactions": interactions(profiles)}


def interactions(profiles: dict[str, pa.Table]) -> list[dict[str, Any]]:
    """Retweets, replies and mentions by one release's accounts of another release's accounts (numeric ids only)."""
    own, sent = [], []
    for ident, p in sorted(profiles.items()):
        o = p.filter(pc.equal(p.column("kind"), "own"))
        own.append(pa.table({"value": o.column("value"), "to": pa.array([ident] * o.num_rows, pa.string())}))
        t = p.filter(pc.is_in(p.column("kind"), value_set=pa.array(["retweeted", "replied", "mentioned"])))
        sent.append(pa.table({"value": t.column("value"), "kind": t.column("kind"), "count": t.column("count"),
                              "from": pa.array([ident] * t.num_rows, pa.string())}))
    if not own or not sent:
        return []
    joined = pa.concat_tables(sent).join(pa.concat_tables(own), keys="value", join_type="inner")
    joined = joined.filter(pc.not_equal(joined.column("from"), joined.column("to")))
    if joined.num_rows == 0:
        return []
    g = joined.group_by(["from", "to", "kind"]).aggregate([("count", "sum"), ("value", "count_distinct")])
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in g.to_pylist():
        row = rows.setdefault((r["from"], r["to"]), {"from": r["from"], "to": r["to"], "retweeted": 0, "replied": 0, "mentioned": 0,
                                                     "accounts": 0})
        row[r["kind"]] = r["count_sum"]
        row["accounts"] = max(row["accounts"], r["value_count_distinct"])
    return [rows[k] for k in sorted(rows)]


_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")


def host_slug(host: str) -> str | None:
    """Return the folder name of a host's page, or None when the host is not a well-formed name (dataset text is hostile)."""
    if _HOST.match(host):
        return host
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return None
    return ascii_host if _HOST.match(ascii_host) else None


def cached_cross_campaign(cache: Path | None, profiles: dict[str, tuple[str, pa.Table | Path]], stats: dict[str, dict[str, Any]],
                          shown: list[str]) -> dict[str, Any]:
    """Return ``cross_campaign`` of the shown releases, kept in the cache while their profiles and top hosts are unchanged.

    Editing a disclosure's YAML changes none of these, so similarities are not computed again.
    """
    import hashlib
    import json

    from ..freshness import code_digest

    mine = {i: profiles[i] for i in shown if i in profiles}
    tops = {i: [r["value"] for r in stats[i].get("top_domains") or []] for i in shown if i in mine}
    named = {i: list(stats[i].get("indicator_domains") or []) for i in shown if stats[i].get("indicator_domains")}
    key = hashlib.sha256(json.dumps([code_digest("across.campaigns", LIBRARIES), sorted((i, k) for i, (k, _) in mine.items()),
                                     tops, named], sort_keys=True).encode()).hexdigest()
    path = cache / "campaigns" / f"{key}.json" if cache else None
    if path is not None and path.exists():
        try:
            return json.loads(path.read_text())
        except ValueError:
            pass
    tables = {i: t if isinstance(t, pa.Table) else read_profile(t) for i, (_, t) in mine.items()}
    result = json.loads(json.dumps(cross_campaign(tables, tops, named)))
    if path is not None:
        from ..files import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(result, separators=(",", ":")))
    return result
