"""What links one published disclosure to the others: the same web domains and the same X/Twitter accounts.

Pure: statistics in, links out. Reads each release's published figures (a Twitter release's most
linked hosts and most active accounts, a Meta network's indicators), never the datasets again.
Only published disclosures take part, so nothing of an embargoed one leaks into another's page.
"""

from __future__ import annotations

import re
from typing import Any

from ..statistics.profile import common_hosts

_ACCOUNT = re.compile(r"^(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?@?([A-Za-z0-9_]{1,15})/?(?:[?#].*)?$")


def items_of(stats: dict[str, Any], skip: frozenset[str]) -> dict[str, set[str]]:
    """Return a release's linkable items: {'domain': hosts, 'x_account': lowercased screen names}."""
    domains = {r["value"] for r in stats.get("top_domains") or []}
    domains |= set(stats.get("indicator_domains") or [])
    accounts = {str(a["screen_name"]).lower() for a in stats.get("most_active_accounts") or [] if a.get("screen_name")}
    for i in stats.get("indicators") or []:
        if i["kind"] == "x_twitter" and (m := _ACCOUNT.match(i["text"].strip())):
            accounts.add(m.group(1).lower())
    return {"domain": {d for d in domains if d not in skip}, "x_account": accounts}


def shared_items(disclosures: list[Any], stats: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Return, for each disclosure id, the other disclosures it shares domains or X/Twitter accounts with."""
    skip = common_hosts()
    items = {d.id: items_of(stats[d.id], skip) for d in disclosures}
    owners: dict[tuple[str, str], list[str]] = {}
    for ident, kinds in items.items():
        for kind, values in kinds.items():
            for v in values:
                owners.setdefault((kind, v), []).append(ident)
    by_id = {d.id: d for d in disclosures}
    links: dict[str, dict[str, dict[str, list[str]]]] = {}
    for (kind, value), ids in owners.items():
        for a in ids:
            for b in ids:
                if a != b:
                    links.setdefault(a, {}).setdefault(b, {"domain": [], "x_account": []})[kind].append(value)
    out: dict[str, list[dict[str, Any]]] = {}
    for a, others in links.items():
        rows = [{"id": b, "title": by_id[b].title, "platform": by_id[b].platform, "url": by_id[b].url,
                 "synthetic": bool(by_id[a].synthetic_data or by_id[b].synthetic_data),
                 "domains": sorted(shared["domain"]), "x_accounts": sorted(shared["x_account"])} for b, shared in others.items()]
        out[a] = sorted(rows, key=lambda r: (-(len(r["domains"]) + len(r["x_accounts"])), r["id"]))
    return out
