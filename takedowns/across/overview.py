"""What the overview shows about all published releases together: their headline signals, spans, countries,
timeline, similarity, platforms and kill-chain use. Pure: disclosures and statistics in, rows out."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from ..charts import SYNTHETIC
from ..content.countries import Country, country, country_numeric
from ..content.model import Disclosure
from ..content.schema import PLATFORMS


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


def active_span(d: Disclosure, stats: dict[str, Any]) -> tuple[str | None, str | None]:
    """Return the first and last day the network was active: its tweets if released, else the dates the platform gave."""
    first, last = stats.get("first_tweet"), stats.get("last_tweet")
    if first and last:
        return first[:10], last[:10]
    return (d.active_from.isoformat() if d.active_from else None, d.active_until.isoformat() if d.active_until else None)


def detection_lag_days(d: Disclosure, stats: dict[str, Any]) -> int | None:
    """Days from the network's last activity to the announcement of its removal; None when the date is only
    the end of a report period (the days would be a guess)."""
    if d.announced_approximate:
        return None
    last = active_span(d, stats)[1]
    return (d.announced - dt.date.fromisoformat(last)).days if last else None


def overview_data(shown: list[Disclosure], stats: dict[str, dict[str, Any]], campaigns: dict[str, Any] | None = None,
                  world_ids: frozenset[str] | None = None) -> dict[str, Any]:
    """Return the cross-disclosure totals (by year, by country, by platform) and the cross-campaign views."""
    by_id = {d.id: d for d in shown}
    years: dict[int, list[int]] = {}
    countries: dict[str, list[Any]] = {}
    platforms: Counter[str] = Counter()
    for d in shown:
        y = years.setdefault(d.announced.year, [0, 0, 0])
        y[0] += 1
        y[1] += d.accounts_announced or 0
        y[2] += d.accounts_announced is not None
        platforms[PLATFORMS[d.platform]] += 1
        for c in d.countries:
            entry = countries.setdefault(c.code, [c.name, c.slug, 0, 0, c.code])
            entry[2] += 1
            entry[3] += d.accounts_announced or 0
    by_country = sorted(({"country": n, "slug": s, "disclosures": k, "accounts": a, "code": code} for n, s, k, a, code in countries.values()),
                        key=lambda r: (-r["accounts"], r["country"]))
    synthetic = {d.id for d in shown if d.synthetic_data and d.datasets}
    return {
        "killchain_matrix": _killchain_matrix(shown, stats),
        "timeline": _timeline(shown, stats),
        "similarity": _similarity_cells(shown, campaigns),
        "platform_pairs": _platform_pairs(shown),
        "interactions": [{"from": by_id[r["from"]].title, "to": by_id[r["to"]].title, "retweets": r["retweeted"], "replies": r["replied"],
                          "mentions": r["mentioned"], "total": r["retweeted"] + r["replied"] + r["mentioned"]}
                         for r in (campaigns or {}).get("interactions", []) if r["from"] in by_id and r["to"] in by_id],
        # every year from the first to the last, those without a disclosure as 0: a gap shows as a gap
        "by_year": [{"year": y, "disclosures": years.get(y, [0])[0], "accounts": years.get(y, [0, 0])[1],
                     "with_total": years.get(y, [0, 0, 0])[2]} for y in (range(min(years), max(years) + 1) if years else ())],
        "by_country": by_country,
        "world": _world(shown, world_ids),
        "by_platform": [{"platform": p, "disclosures": n} for p, n in sorted(platforms.items(), key=lambda x: (-x[1], x[0]))],
        "totals": {
            "disclosures": len(shown),
            "accounts_announced": sum(d.accounts_announced or 0 for d in shown),
            # what the platforms announced (accounts_announced) and what released files hold, never summed across
            # real and generated files: the synthetic example datasets are counted apart and said to be so
            "tweets": sum(stats[d.id].get("tweets") or 0 for d in shown if d.id not in synthetic),
            "tweets_synthetic": sum(stats[d.id].get("tweets") or 0 for d in shown if d.id in synthetic),
            "accounts_announced_disclosures": sum(1 for d in shown if d.accounts_announced is not None),
            "countries": len(countries),
            "platforms": sorted(platforms),
            "first_year": min(years) if years else None,
            "last_year": max(years) if years else None,
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
        # Generated sample data says nothing of when a real network was active: such a release is placed by the
        # dates its platform gave, or left out.
        synthetic = bool(d.synthetic_data and d.datasets)
        start, end = active_span(d, {} if synthetic else stats[d.id])
        if start and end:
            rows.append({"id": d.id, "title": d.title,
                         "country": d.countries[0].name if d.countries else "", "code": d.countries[0].code if d.countries else "",
                         "from": start, "until": end,
                         "announced": d.announced.isoformat(), "lag_days": detection_lag_days(d, {} if synthetic else stats[d.id])})
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
