"""Pages that link releases: related campaigns and shared hosts on a disclosure, the comparison table, a page per linked host."""

from __future__ import annotations

from typing import Any

from .. import i18n
from ..content.model import Disclosure
from .builder import SiteBuilder

RELATED_NOTE = ("Weighted Jaccard similarity (sum of the smaller counts over sum of the larger) of the hashtags, linked hosts "
                "(the platforms' own and link shorteners left out), posting clients (official apps left out) and mentioned or "
                "retweeted accounts (numeric ids only: hashed ids differ per release) of two releases; similarity is the mean "
                "over the kinds either release has. Alike is not the same operation: a lead to follow, not evidence.")


def _across_all(campaigns: dict[str, Any] | None, by_id: dict[str, Disclosure]) -> dict[str, dict[str, Any]]:
    """What each disclosure's page shows of the cross-campaign views: related campaigns, interactions, its hosts with a page."""
    from ..across.campaigns import host_slug

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


def same_operation(d: Disclosure, naming: set[str], by_id: dict[str, Disclosure]) -> list[dict[str, str]]:
    """Other shown disclosures of the same operation: named in this one's ``related``, or naming it in theirs (``naming``)."""
    ids = {i for i in d.related if i in by_id} | naming
    return [{"id": i, "title": by_id[i].title, "url": by_id[i].url, "platform": by_id[i].platform}
            for i in sorted(ids, key=lambda i: (by_id[i].announced, i))]


def _comparison(sb: SiteBuilder, shown: list[Disclosure], rows: list[dict[str, Any]]) -> None:
    """Every release in one table: the page (``comparison.csv`` of the same rows is one of the shared files)."""
    from ..across.comparison import COLUMNS, PAGE_COLUMNS

    numeric = {k for k, _ in COLUMNS if any(isinstance(r[k], int | float) and not isinstance(r[k], bool) for r in rows)}
    labels = dict(COLUMNS)
    shown_columns = [(k, labels[k]) for k in PAGE_COLUMNS if any(r[k] is not None for r in rows)]
    by_id = {d.id: d for d in shown}
    sb.page("comparison/index.html", "comparison.html", i18n.gettext("Compare releases"),
            i18n.gettext("Every disclosure in one table: announced counts, the released data, activity and coordination signals."), "overview",
            rows=rows, columns=shown_columns, numeric=numeric, by_id=by_id)


def _domains(sb: SiteBuilder, campaigns: dict[str, Any] | None, by_id: dict[str, Disclosure]) -> None:
    """A page per linked host worth one ("who else pushed this site?"), and their index."""
    from ..across.campaigns import host_slug

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
