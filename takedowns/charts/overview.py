"""The overview's charts: disclosures by year, platform and country, the timeline, similarity, platform pairs, maps."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ..i18n import comma, ngettext, tr
from ..i18n import gettext as _
from .base import COLOR, COUNT_AXIS, MIN_DRAWN, WIDTH, Chart, _bars, _country, _iso, _n, _spec, chart, chart_text


def _per_year(rows: list[dict[str, Any]], field: str, label: str, color: str) -> alt.Chart:
    """Return bars of ``field`` per announcement year."""
    return alt.Chart(pd.DataFrame(rows)).mark_bar(color=color).encode(
        x=alt.X("year:O", title=_("Year announced"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{field}:Q", title=label, axis=COUNT_AXIS),
        tooltip=["year:O", alt.Tooltip(f"{field}:Q", title=label, format=",")],
    ).properties(width=WIDTH - 200, height=200)


@chart("disclosures-by-year", scope="overview")
def by_year(o: dict[str, Any]) -> Chart | None:
    rows = o.get("by_year")
    if not rows:
        return None
    peak = max(rows, key=lambda r: (r["disclosures"], r["year"]))
    empty = [str(r["year"]) for r in rows if not r["disclosures"]]
    summary = _("Disclosures in this catalogue per year announced, from %(first)s to %(last)s; the most, %(n)s, in %(year)s. "
                "These are the disclosures the catalogue holds, not every takedown of those years.",
                first=rows[0]["year"], last=rows[-1]["year"], n=_n(peak["disclosures"]), year=peak["year"])
    if empty:
        summary += " " + _("None for %(years)s.", years=comma().join(empty))
    return Chart("disclosures-by-year", _("Disclosures and accounts per year"), summary,
                 (("year", _("Year")), ("disclosures", _("Disclosures")), ("accounts", _("Accounts announced")),
                  ("with_total", _("Disclosures stating an account total"))), tuple(rows),
                 _spec(_per_year(rows, "disclosures", _("Disclosures"), COLOR), _("Disclosures per year")))


@chart("accounts-by-year", scope="overview")
def accounts_by_year(o: dict[str, Any]) -> Chart | None:
    rows = o.get("by_year")
    if not rows:
        return None
    peak = max(rows, key=lambda r: (r["accounts"], r["year"]))
    total = sum(r["accounts"] for r in rows)
    stating = sum(r.get("with_total", 0) for r in rows)
    summary = _("Accounts announced per year, %(total)s in all from %(first)s to %(last)s, in the %(stating)s disclosures that state an "
                "account total (reports that give counts by surface, such as Facebook accounts and Pages, are not in it); the most, "
                "%(n)s, in %(year)s.", total=_n(total), first=rows[0]["year"], last=rows[-1]["year"], stating=_n(stating),
                n=_n(peak["accounts"]), year=peak["year"])
    return Chart("accounts-by-year", _("Accounts announced per year"), summary, (("year", _("Year")), ("accounts", _("Accounts announced"))),
                 tuple({"year": r["year"], "accounts": r["accounts"]} for r in rows),
                 _spec(_per_year(rows, "accounts", _("Accounts announced"), "#7a4f9a"), _("Accounts announced per year")))


@chart("accounts-by-country", scope="overview")
def by_country(o: dict[str, Any]) -> Chart | None:
    rows = [{"value": _country(r["slug"].upper(), r["country"]), "count": r["accounts"]} for r in o.get("by_country", [])]
    return _bars("accounts-by-country", _("Announced accounts by country of origin"), rows, _("Country"),
                 lambda n: ngettext("%(num)s account", "%(num)s accounts", n), _("Accounts"))


@chart("disclosures-by-platform", scope="overview")
def by_platform(o: dict[str, Any]) -> Chart | None:
    rows = [{"value": tr(r["platform"]), "count": r["disclosures"]} for r in o.get("by_platform", [])]
    return _bars("disclosures-by-platform", _("Disclosures by platform"), rows, _("Platform"),
                 lambda n: ngettext("%(num)s disclosure", "%(num)s disclosures", n), _("Disclosures"))


SYNTHETIC = " (synthetic data)"  # what the overview's rows (across/overview.py) append to the title of a release with generated data


def _marked(title: str) -> str:
    """A release's title with the synthetic-data mark in the reader's language."""
    return title[: -len(SYNTHETIC)] + " (" + _("synthetic data") + ")" if title.endswith(SYNTHETIC) else title


@chart("timeline", scope="overview")
def timeline(o: dict[str, Any]) -> Chart | None:
    rows = [{**r, "country": _country(r.get("code"), r["country"])} for r in o.get("timeline") or []]
    if not rows:
        return None
    df = pd.DataFrame([{**r, "label": f"{r['country']} — {chart_text(r['title'])}", "rank": n} for n, r in enumerate(rows)])
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending"), axis=alt.Axis(labelLimit=320))
    span = alt.Chart(df).mark_bar(color=COLOR, height=10).encode(
        x=alt.X("from:T", title=_("Active (first to last activity) and announced (black tick)")), x2="until:T", y=y,
        tooltip=[alt.Tooltip("title:N", title=_("Disclosure")), alt.Tooltip("from:T", title=_("From"), format="%Y-%m-%d"),
                 alt.Tooltip("until:T", title=_("Until"), format="%Y-%m-%d"),
                 alt.Tooltip("announced:T", title=_("Announced"), format="%Y-%m-%d")])
    told = alt.Chart(df).mark_tick(color="black", thickness=2, size=14).encode(x="announced:T", y=y)
    layered = alt.layer(span, told).properties(width=WIDTH - 340, height=max(60, 22 * len(df)))
    lags = [r["lag_days"] for r in rows if r["lag_days"] is not None]
    longest = max(rows, key=lambda r: (r["lag_days"] or -1, r["id"]))
    what = _("When %(n)s networks were active (from their released tweets, or the dates their platform gave; never from "
             "synthetic sample data), by country of origin, and when their removal was announced", n=_n(len(rows)))
    summary = (_("%(what)s; from last activity to announcement took a median of %(median)s days (longest: %(title)s, %(days)s days).",
                 what=what, median=_n(sorted(lags)[(len(lags) - 1) // 2]), title=_iso(longest["title"]), days=_n(longest["lag_days"]))
               if lags else what + ".")
    title = _("When the networks were active")
    return Chart("timeline", title, summary,
                 (("title", _("Disclosure")), ("country", _("Origin")), ("from", _("Active from")), ("until", _("Active until")),
                  ("announced", _("Announced")), ("lag_days", _("Days from last activity to announcement"))),
                 tuple({k: r[k] for k in ("title", "country", "from", "until", "announced", "lag_days")} for r in rows),
                 _spec(layered, title))


@chart("similarity", scope="overview")
def similarity(o: dict[str, Any]) -> Chart | None:
    cells = o.get("similarity")
    if not cells:
        return None
    cells = [{**c, "a": _marked(c["a"]), "b": _marked(c["b"])} for c in cells]
    df = pd.DataFrame([{**c, "a": chart_text(c["a"]), "b": chart_text(c["b"])} for c in cells])
    axis = alt.Axis(labelLimit=200)
    heat = alt.Chart(df).mark_rect().encode(
        x=alt.X("a:N", title=None, sort=alt.EncodingSortField(field="a_rank", op="min", order="ascending"), axis=alt.Axis(labelLimit=200, labelAngle=-45)),
        y=alt.Y("b:N", title=None, sort=alt.EncodingSortField(field="b_rank", op="min", order="ascending"), axis=axis),
        color=alt.Color("similarity:Q", title=_("Similarity"), scale=alt.Scale(scheme="blues", domain=[0, 1])),
        tooltip=[alt.Tooltip("a:N", title=_("Release")), alt.Tooltip("b:N", title=_("Release")),
                 alt.Tooltip("similarity:Q", title=_("Similarity"), format=".4f")],
    ).properties(width=min(WIDTH - 240, 22 * df["a"].nunique()), height=22 * df["b"].nunique())
    top = max(cells, key=lambda c: (c["similarity"], c["a"], c["b"]))
    summary = _("How alike the releases' data is (weighted Jaccard of hashtags, hosts, clients and accounts; releases marked synthetic "
                "data are generated samples), ordered so that alike releases sit together; the most alike pair is %(a)s and %(b)s "
                "(%(value)s).", a=_iso(top["a"]), b=_iso(top["b"]), value=f"{top['similarity']:.4f}")
    rows = tuple({"a": c["a"], "b": c["b"], "similarity": c["similarity"]} for c in cells if c["a_rank"] < c["b_rank"])
    title = _("How alike the releases are")
    return Chart("similarity", title, summary, (("a", _("Release")), ("b", _("Other release")), ("similarity", _("Similarity"))),
                 rows, _spec(heat, title))


@chart("platform-pairs", scope="overview")
def platform_pairs(o: dict[str, Any]) -> Chart | None:
    """The platforms as points on a circle, a line between two for each operation both removed (its width the count)."""
    import math

    pairs = o.get("platform_pairs") or []
    if not pairs:
        return None
    pairs = [{**p, "a": tr(p["a"]), "b": tr(p["b"]), "platforms": _("%(a)s and %(b)s", a=tr(p["a"]), b=tr(p["b"])) if p["a"] != p["b"]
              else _("%(platform)s (twice)", platform=tr(p["a"]))} for p in pairs]
    names = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    # Evenly on a circle, the first at the top; two platforms sit side by side.
    at = {n: (round(math.sin(2 * math.pi * k / len(names)), 6), round(math.cos(2 * math.pi * k / len(names)), 6))
          for k, n in enumerate(names)} if len(names) > 2 else {n: (float(k * 2 - 1), 0.0) for k, n in enumerate(names)}
    if len(names) == 1:
        at = {names[0]: (0.0, 0.0)}
    flat = len(names) <= 2  # one row of points: a short drawing
    scale = alt.Scale(domain=[-1.9, 1.9], nice=False)
    yscale = alt.Scale(domain=[-0.6, 0.5] if flat else [-1.9, 1.9], nice=False)
    no_axis = alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None)
    edges = pd.DataFrame([{"x": at[p["a"]][0], "y": at[p["a"]][1], "x2": at[p["b"]][0], "y2": at[p["b"]][1],
                           "mx": (at[p["a"]][0] + at[p["b"]][0]) / 2, "my": (at[p["a"]][1] + at[p["b"]][1]) / 2 + 0.12,
                           "platforms": p["platforms"], "operations": p["operations"]} for p in pairs if p["a"] != p["b"]])
    nodes = pd.DataFrame([{"x": x, "y": y, "platform": n, "ly": y - 0.22} for n, (x, y) in at.items()])
    layers = []
    if len(edges):
        layers.append(alt.Chart(edges).mark_rule(color="#7a4f9a").encode(
            x=alt.X("x:Q", scale=scale, axis=no_axis), y=alt.Y("y:Q", scale=yscale, axis=no_axis), x2="x2:Q", y2="y2:Q",
            strokeWidth=alt.StrokeWidth("operations:Q", scale=alt.Scale(range=[2, 10]), legend=None),
            tooltip=[alt.Tooltip("platforms:N", title=_("Platforms")), alt.Tooltip("operations:Q", title=_("Operations"), format=",")]))
        layers.append(alt.Chart(edges).mark_text(fontSize=13, fontWeight="bold").encode(
            x=alt.X("mx:Q", scale=scale, axis=no_axis), y=alt.Y("my:Q", scale=yscale, axis=no_axis), text=alt.Text("operations:Q", format=",")))
    layers.append(alt.Chart(nodes).mark_circle(size=500, color=COLOR, opacity=1).encode(
        x=alt.X("x:Q", scale=scale, axis=no_axis), y=alt.Y("y:Q", scale=yscale, axis=no_axis),
        tooltip=[alt.Tooltip("platform:N", title=_("Platform"))]))
    layers.append(alt.Chart(nodes).mark_text(fontSize=13, baseline="top").encode(
        x=alt.X("x:Q", scale=scale, axis=no_axis), y=alt.Y("ly:Q", scale=yscale, axis=no_axis), text="platform:N"))
    drawn = alt.layer(*layers).properties(width=360, height=110 if flat else 300)
    total = sum(p["operations"] for p in pairs)
    listed = "; ".join(f"{p['platforms']}: {_n(p['operations'])}" for p in pairs)
    summary = _("Operations that more than one platform removed, as the disclosures' related links record them: %(n)s (%(listed)s); "
                "each line joins two platforms, as wide as the number of operations.",
                n=ngettext("%(num)s operation", "%(num)s operations", total), listed=listed)
    rows = tuple({"value": p["platforms"], "count": p["operations"]} for p in pairs)
    title = _("Operations removed by more than one platform")
    spec = _spec(drawn, title)
    spec["config"]["view"]["stroke"] = None  # no frame around a drawing without axes
    return Chart("platform-pairs", title, summary, (("value", _("Platforms")), ("count", _("Operations"))), rows, spec)


@chart("interactions", scope="overview")
def interactions(o: dict[str, Any]) -> Chart | None:
    rows = o.get("interactions")
    if not rows:
        return None
    df = pd.DataFrame([{**r, "from": chart_text(r["from"]), "to": chart_text(r["to"])} for r in rows])
    heat = alt.Chart(df).mark_rect().encode(
        x=alt.X("to:N", title=_("Accounts of (retweeted, replied to, mentioned)"), axis=alt.Axis(labelLimit=200, labelAngle=-45)),
        y=alt.Y("from:N", title=_("By accounts of"), axis=alt.Axis(labelLimit=200)),
        color=alt.Color("total:Q", title=_("Interactions"), scale=alt.Scale(scheme="oranges"), legend=alt.Legend(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("from:N", title=_("By")), alt.Tooltip("to:N", title=_("Of")),
                 alt.Tooltip("retweets:Q", title=_("Retweets"), format=","),
                 alt.Tooltip("replies:Q", title=_("Replies"), format=","), alt.Tooltip("mentions:Q", title=_("Mentions"), format=",")],
    ).properties(width=max(40, 30 * df["to"].nunique()), height=max(30, 30 * df["from"].nunique()))
    top = max(rows, key=lambda r: (r["total"], r["from"], r["to"]))
    summary = _("Retweets, replies and mentions from one release's accounts to another's (numeric ids only; interaction, not "
                "collaboration): %(pairs)s; the most, %(n)s, by accounts of %(by)s of accounts of %(of)s.",
                pairs=ngettext("%(num)s pair of releases", "%(num)s pairs of releases", len(rows)), n=_n(top["total"]),
                by=_iso(top["from"]), of=_iso(top["to"]))
    title = _("Interactions between releases' accounts")
    return Chart("interactions", title, summary,
                 (("from", _("By accounts of")), ("to", _("Accounts of")), ("retweets", _("Retweets")), ("replies", _("Replies")),
                  ("mentions", _("Mentions"))),
                 tuple({k: r[k] for k in ("from", "to", "retweets", "replies", "mentions")} for r in rows), _spec(heat, title),
                 draw=len(rows) >= MIN_DRAWN)


WORLD_URL = "countries-110m.json"  # world-atlas's shapes, served from assets/vendor/ and put inline for the static image


def _world_map(o: dict[str, Any], role: str, name: str, title: str, named_as: str) -> Chart | None:
    unit = _("Disclosures")
    rows = [{**r, "country": _country(r["code"], r["country"])} for r in o.get("world") or [] if r[role]]
    if not rows:
        return None
    rows.sort(key=lambda r: (-r[role], r["country"]))
    shapes = {"url": WORLD_URL, "format": {"type": "topojson", "feature": "countries"}}
    values = [{"id": r["numeric"], "country": r["country"], "count": r[role]} for r in rows if r["on_map"]]
    land = alt.Chart(alt.Data(**shapes)).mark_geoshape(fill="#e4e4e4", stroke="white", strokeWidth=0.5)
    named = alt.Chart(alt.Data(**shapes)).transform_lookup(
        lookup="id", from_=alt.LookupData(alt.Data(values=values), key="id", fields=["country", "count"]),
    ).transform_filter("isValid(datum.count)").mark_geoshape(stroke="white", strokeWidth=0.5).encode(
        color=alt.Color("count:Q", title=unit, scale=alt.Scale(range=["#9ecae1", "#08306b"], domainMin=0),
                        legend=alt.Legend(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("country:N", title=_("Country")), alt.Tooltip("count:Q", title=unit, format=",")])
    drawn = alt.layer(land, named).project(type="equalEarth").properties(width=WIDTH - 80, height=330)
    most = comma().join(f"{r['country']} ({_n(r[role])})" for r in rows[:3])
    missing = [r["country"] for r in rows if not r["on_map"]]
    summary = (_("%(title)s: %(n)s named %(as)s, each shaded by how many disclosures name it so; the most: %(most)s.", title=title,
                 n=ngettext("%(num)s country or territory", "%(num)s countries and territories", len(rows)), **{"as": named_as}, most=most)
               + (" " + _("Not on the map (no shape for it): %(places)s.", places=comma().join(missing)) if missing else ""))
    table = tuple({"country": r["country"], "count": r[role]} for r in rows)
    return Chart(name, title, summary, (("country", _("Country")), ("count", unit)), table, _spec(drawn, title), draw=len(values) >= MIN_DRAWN)


@chart("origins-map", scope="overview")
def origins_map(o: dict[str, Any]) -> Chart | None:
    return _world_map(o, "origin", "origins-map", _("Where the networks came from"), _("as a country of origin"))


@chart("targets-map", scope="overview")
def targets_map(o: dict[str, Any]) -> Chart | None:
    return _world_map(o, "target", "targets-map", _("Which countries the networks targeted"), _("as a target"))
