"""The listings: a page per country and per topic."""

from __future__ import annotations

from .. import i18n
from ..content.model import Disclosure
from .builder import SiteBuilder
from .documents import Row


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
