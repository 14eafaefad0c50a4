"""Charts: statistics in, Vega-Lite specs and their text alternatives out.

Each chart is a function registered with ``@chart``; it receives a disclosure's
statistics (or the cross-disclosure totals) and returns a ``Chart`` or None
when the data it needs is absent.  Pure: no files, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from .i18n import comma, format_number, ngettext, territory, tr, vega_locale, weekday_name
from .i18n import gettext as _
from .stats import WEEKDAYS

WIDTH = 720
COLOR = "#2f5f98"
COUNT_AXIS = alt.Axis(tickMinStep=1, format=",d")  # counts are whole numbers: no 0.5 ticks


@dataclass(frozen=True)
class Chart:
    name: str  # slug, used in file names and anchors
    title: str
    summary: str  # one sentence saying what the chart shows, for screen readers and alt text
    columns: tuple[tuple[str, str], ...]  # (key, heading) of the data table and CSV
    rows: tuple[dict[str, Any], ...]
    spec: dict[str, Any]


Builder = Callable[[dict[str, Any]], "Chart | None"]
DISCLOSURE_CHARTS: list[tuple[str, Builder]] = []
OVERVIEW_CHARTS: list[tuple[str, Builder]] = []
SIGNAL_CHARTS: list[tuple[str, Builder]] = []  # a disclosure's "Coordination signals" section
_SCOPES = {"disclosure": DISCLOSURE_CHARTS, "overview": OVERVIEW_CHARTS, "signals": SIGNAL_CHARTS}


def chart(name: str, scope: str = "disclosure") -> Callable[[Builder], Builder]:
    """Register a chart builder under ``name`` for disclosure pages, their coordination signals or the overview."""

    def register(fn: Builder) -> Builder:
        _SCOPES[scope].append((name, fn))
        return fn

    return register


def charts_for(data: dict[str, Any], scope: str = "disclosure") -> list[Chart]:
    """Return every chart that ``data`` has the figures for, in registry order (formats' own charts after these)."""
    _load_format_charts()
    registry = _SCOPES[scope]
    return [c for _, fn in registry if (c := fn(data)) is not None]


def _load_format_charts() -> None:
    """Import each format's chart module once: its ``@chart`` builders register themselves."""
    import importlib

    from .formats import FORMATS

    for fmt in FORMATS.values():
        if fmt.charts:
            importlib.import_module(fmt.charts)


def _n(x: float) -> str:
    return format_number(x)


def _country(code: str | None, name: str) -> str:
    """A country's name in the reader's language."""
    return territory(code, name) if code else name


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def chart_text(text: str) -> str:
    """Return dataset text fit for a chart: characters SVG cannot hold become U+FFFD.

    The tables and downloads keep the exact text; only what is drawn is replaced.
    """
    return _NOT_XML.sub("\ufffd", text)


def _iso(text: str, limit: int = 80) -> str:
    """Return dataset text for a sentence: shortened, and direction-isolated so a right-to-left
    override inside it cannot reorder the words around it."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"\u2068{chart_text(short)}\u2069"


# Text sizes in CSS pixels, none under 11: a chart is drawn for the width it is shown at (its narrow
# variant on phones), never scaled down, so these are the sizes readers get.
FONT_SIZES = {"axis": {"labelFontSize": 11, "titleFontSize": 12}, "legend": {"labelFontSize": 11, "titleFontSize": 12},
              "title": {"fontSize": 14}, "text": {"fontSize": 12}}
NARROW = 320  # width of the phone variant of every chart, in CSS pixels (a 360-pixel screen less the page's margins)
NARROW_LABELS = 110  # longest axis label of the phone variant, in pixels, before an ellipsis


def _spec(c: alt.Chart | alt.LayerChart, title: str) -> dict[str, Any]:
    spec = c.properties(title=title).configure_view(stroke=None).configure(
        font="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", background="white").to_dict(validate=False)
    for part, sizes in FONT_SIZES.items():
        spec["config"].setdefault(part, {}).update(sizes)
    locale = vega_locale()
    if locale:  # numbers and month names as the page's language writes them
        spec["config"]["locale"] = locale
    return spec


def narrow(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the phone variant of a chart: the same data and marks drawn NARROW pixels wide.

    The whole drawing fits the width (axes included), labels are cut shorter, overlapping labels are
    dropped, legends go below, and the title is left to the page's heading. templates/static/charts.js
    applies the same rules to the interactive chart; a browser test measures both.
    """
    def shorten(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (min(v, NARROW_LABELS) if k == "labelLimit" and isinstance(v, (int, float)) else shorten(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [shorten(v) for v in node]
        return node

    out = shorten({k: v for k, v in spec.items() if k != "title"})
    if "projection" in out and isinstance(out.get("width"), (int, float)) and isinstance(out.get("height"), (int, float)):
        out["height"] = round(out["height"] * NARROW / out["width"])  # a map keeps its proportions
    out["width"] = NARROW
    out["autosize"] = {"type": "fit-x", "contains": "padding"}
    out["padding"] = {"left": 16, "right": 8, "top": 5, "bottom": 5}  # room for labels a browser's font draws wider
    config = out.setdefault("config", {})
    config["axis"] = {**config.get("axis", {}), "labelOverlap": True, "labelLimit": NARROW_LABELS, "titleLimit": NARROW - 100}
    config["legend"] = {**config.get("legend", {}), "orient": "bottom"}
    return out


def _bars(name: str, title: str, rows: list[dict[str, Any]], label: str, unit: str, unit_title: str, prefix: str = "") -> Chart | None:
    """Horizontal bars of counted values; ``unit`` is what is counted, in the sentence ("tweets"), ``unit_title`` on the axis."""
    if not rows:
        return None
    df = pd.DataFrame({"value": [prefix + chart_text(str(r["value"])) for r in rows], "count": [r["count"] for r in rows],
                       "rank": range(len(rows))})
    # Order by a rank field, never by a list of values: Vega-Lite compiles such a list into an
    # expression, and dataset text (a U+2028, a quote) must never reach an expression.
    bars = alt.Chart(df).mark_bar(color=COLOR).encode(
        x=alt.X("count:Q", title=unit_title, axis=COUNT_AXIS),
        y=alt.Y("value:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelLimit=220)),
        tooltip=[alt.Tooltip("value:N", title=label), alt.Tooltip("count:Q", title=unit_title, format=",")],
    ).properties(width=WIDTH - 260, height=max(60, 18 * len(df)))
    lead = df.iloc[0]
    rest = comma().join(f"{_iso(v)} ({_n(c)})" for v, c in zip(df["value"][1:3], df["count"][1:3], strict=True))
    summary = (_("%(title)s: %(n)s shown; the most common is %(value)s with %(count)s %(unit)s, followed by %(rest)s.", title=title,
                 n=_n(len(df)), value=_iso(lead["value"]), count=_n(int(lead["count"])), unit=unit, rest=rest) if rest else
               _("%(title)s: %(n)s shown; the most common is %(value)s with %(count)s %(unit)s.", title=title, n=_n(len(df)),
                 value=_iso(lead["value"]), count=_n(int(lead["count"])), unit=unit))
    table = tuple({"value": prefix + str(r["value"]), "count": int(r["count"])} for r in rows)
    return Chart(name, title, summary, (("value", label), ("count", unit_title)), table, _spec(bars, title))


@chart("tweets-over-time")
def tweets_over_time(s: dict[str, Any]) -> Chart | None:
    days = s.get("tweets_per_day")
    if not days:
        return None
    months: dict[str, int] = {}
    for d in days:
        months[d["date"][:7]] = months.get(d["date"][:7], 0) + d["count"]
    df = pd.DataFrame({"month": list(months), "tweets": list(months.values())})
    line = alt.Chart(df).mark_bar(color=COLOR).encode(
        x=alt.X("month:T", title=_("Month"), timeUnit="yearmonth"),
        y=alt.Y("tweets:Q", title=_("Tweets"), axis=COUNT_AXIS),
        tooltip=[alt.Tooltip("month:T", title=_("Month"), timeUnit="yearmonth"), alt.Tooltip("tweets:Q", title=_("Tweets"), format=",")],
    ).properties(width=WIDTH, height=220)
    peak = max(months, key=lambda m: (months[m], m))
    busiest = max(days, key=lambda d: (d["count"], d["date"]))
    summary = _("Tweets per month from %(first)s to %(last)s; the busiest month was %(month)s with %(n)s tweets, and the busiest "
                "day %(day)s with %(day_n)s.", first=days[0]["date"], last=days[-1]["date"], month=peak, n=_n(months[peak]),
                day=busiest["date"], day_n=_n(busiest["count"]))
    rows = tuple({"month": m, "tweets": n} for m, n in months.items())
    return Chart("tweets-over-time", _("Tweets per month"), summary, (("month", _("Month")), ("tweets", _("Tweets"))), rows,
                 _spec(line, _("Tweets per month")))


@chart("accounts-created")
def accounts_created(s: dict[str, Any]) -> Chart | None:
    months = s.get("accounts_created_per_month")
    if not months:
        return None
    df = pd.DataFrame(months)
    bars = alt.Chart(df).mark_bar(color="#7a4f9a").encode(
        x=alt.X("month:T", title=_("Month created"), timeUnit="yearmonth"),
        y=alt.Y("count:Q", title=_("Accounts"), axis=COUNT_AXIS),
        tooltip=[alt.Tooltip("month:T", title=_("Month"), timeUnit="yearmonth"), alt.Tooltip("count:Q", title=_("Accounts"), format=",")],
    ).properties(width=WIDTH, height=200)
    peak = max(months, key=lambda m: (m["count"], m["month"]))
    summary = _("Accounts by month of creation, from %(first)s to %(last)s; most were created in %(month)s (%(n)s accounts).",
                first=months[0]["month"], last=months[-1]["month"], month=peak["month"], n=_n(peak["count"]))
    return Chart("accounts-created", _("Accounts created per month"), summary, (("month", _("Month")), ("count", _("Accounts"))),
                 tuple(months), _spec(bars, _("Accounts created per month")))


@chart("tweet-languages")
def tweet_languages(s: dict[str, Any]) -> Chart | None:
    return _bars("tweet-languages", _("Tweet languages"), (s.get("tweet_languages") or [])[:15], _("Language"), _("tweets"), _("Tweets"))


@chart("hashtags")
def hashtags(s: dict[str, Any]) -> Chart | None:
    return _bars("hashtags", _("Top hashtags"), s.get("top_hashtags") or [], _("Hashtag"), _("tweets"), _("Tweets"), prefix="#")


@chart("domains")
def domains(s: dict[str, Any]) -> Chart | None:
    return _bars("domains", _("Top linked domains"), s.get("top_domains") or [], _("Domain"), _("links"), _("Links"))


@chart("clients")
def clients(s: dict[str, Any]) -> Chart | None:
    return _bars("clients", _("Top clients"), s.get("top_clients") or [], _("Client"), _("tweets"), _("Tweets"))


@chart("hour-weekday")
def hour_weekday(s: dict[str, Any]) -> Chart | None:
    cells = s.get("hour_weekday")
    if not cells or not s.get("tweets"):
        return None
    df = pd.DataFrame([{**c, "weekday": weekday_name(c["weekday"])} for c in cells])
    heat = alt.Chart(df).mark_rect().encode(
        x=alt.X("hour:O", title=_("Hour of day (UTC)")),
        y=alt.Y("weekday:N", title=None, sort=[weekday_name(w) for w in WEEKDAYS]),
        color=alt.Color("count:Q", title=_("Tweets"), scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("weekday:N", title=_("Day")), alt.Tooltip("hour:O", title=_("Hour (UTC)")),
                 alt.Tooltip("count:Q", title=_("Tweets"), format=",")],
    ).properties(width=WIDTH - 120, height=190)
    peak = max(cells, key=lambda c: (c["count"], -WEEKDAYS.index(c["weekday"]), -c["hour"]))
    by_hour = [sum(c["count"] for c in cells if c["hour"] == h) for h in range(24)]
    quiet = min(range(24), key=lambda h: (by_hour[h], h))
    summary = _("Tweets by weekday and hour (UTC); the busiest hour was %(day)s at %(hour)s with %(n)s tweets, and the quietest "
                "hour of the day %(quiet)s.", day=weekday_name(peak["weekday"]), hour=f"{peak['hour']:02d}:00", n=_n(peak["count"]),
                quiet=f"{quiet:02d}:00")
    return Chart("hour-weekday", _("Activity by weekday and hour (UTC)"), summary,
                 (("weekday", _("Weekday")), ("hour", _("Hour (UTC)")), ("count", _("Tweets"))),
                 tuple({**c, "weekday": weekday_name(c["weekday"])} for c in cells), _spec(heat, _("Activity by weekday and hour (UTC)")))


@chart("followers")
def followers(s: dict[str, Any]) -> Chart | None:
    bins = s.get("follower_distribution")
    if not bins or not s.get("accounts"):
        return None
    df = pd.DataFrame({"bin": [b["bin"] for b in bins], "count": [b["count"] for b in bins], "rank": range(len(bins))})
    # Horizontal bars: label text runs along the axis, so the height does not depend on fonts.
    bars = alt.Chart(df).mark_bar(color="#3a7d44").encode(
        y=alt.Y("bin:N", title=_("Followers"), sort=alt.EncodingSortField(field="rank", op="min", order="ascending")),
        x=alt.X("count:Q", title=_("Accounts"), axis=COUNT_AXIS),
        tooltip=[alt.Tooltip("bin:N", title=_("Followers")), alt.Tooltip("count:Q", title=_("Accounts"), format=",")],
    ).properties(width=WIDTH - 200, height=18 * len(bins))
    peak = max(bins, key=lambda b: b["count"])
    summary = _("Accounts by follower count; the largest group, %(n)s of %(all)s accounts, had %(bin)s followers; the median was "
                "%(median)s.", n=_n(peak["count"]), all=_n(s["accounts"]), bin=peak["bin"], median=s.get("followers_median"))
    return Chart("followers", _("Follower counts"), summary, (("bin", _("Followers")), ("count", _("Accounts"))), tuple(bins),
                 _spec(bars, _("Follower counts")))


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
    summary = _("Disclosures per year from %(first)s to %(last)s; the most, %(n)s, in %(year)s, covering %(accounts)s announced accounts.",
                first=rows[0]["year"], last=rows[-1]["year"], n=_n(peak["disclosures"]), year=peak["year"], accounts=_n(peak["accounts"]))
    return Chart("disclosures-by-year", _("Disclosures and accounts per year"), summary,
                 (("year", _("Year")), ("disclosures", _("Disclosures")), ("accounts", _("Accounts announced"))), tuple(rows),
                 _spec(_per_year(rows, "disclosures", _("Disclosures"), COLOR), _("Disclosures per year")))


@chart("accounts-by-year", scope="overview")
def accounts_by_year(o: dict[str, Any]) -> Chart | None:
    rows = o.get("by_year")
    if not rows:
        return None
    peak = max(rows, key=lambda r: (r["accounts"], r["year"]))
    total = sum(r["accounts"] for r in rows)
    summary = _("Accounts announced per year, %(total)s in all from %(first)s to %(last)s; the most, %(n)s, in %(year)s.",
                total=_n(total), first=rows[0]["year"], last=rows[-1]["year"], n=_n(peak["accounts"]), year=peak["year"])
    return Chart("accounts-by-year", _("Accounts announced per year"), summary, (("year", _("Year")), ("accounts", _("Accounts announced"))),
                 tuple({"year": r["year"], "accounts": r["accounts"]} for r in rows),
                 _spec(_per_year(rows, "accounts", _("Accounts announced"), "#7a4f9a"), _("Accounts announced per year")))


@chart("accounts-by-country", scope="overview")
def by_country(o: dict[str, Any]) -> Chart | None:
    rows = [{"value": _country(r["slug"].upper(), r["country"]), "count": r["accounts"]} for r in o.get("by_country", [])]
    return _bars("accounts-by-country", _("Announced accounts by country of origin"), rows, _("Country"), _("accounts"), _("Accounts"))


@chart("disclosures-by-platform", scope="overview")
def by_platform(o: dict[str, Any]) -> Chart | None:
    rows = [{"value": tr(r["platform"]), "count": r["disclosures"]} for r in o.get("by_platform", [])]
    return _bars("disclosures-by-platform", _("Disclosures by platform"), rows, _("Platform"), _("disclosures"), _("Disclosures"))


SYNTHETIC = " (synthetic data)"  # what the overview's rows (pages.py) append to the title of a release with generated data


def _marked(title: str) -> str:
    """A release's title with the synthetic-data mark in the reader's language."""
    return title[: -len(SYNTHETIC)] + " (" + _("synthetic data") + ")" if title.endswith(SYNTHETIC) else title


@chart("timeline", scope="overview")
def timeline(o: dict[str, Any]) -> Chart | None:
    rows = [{**r, "title": _marked(r["title"]), "country": _country(r.get("code"), r["country"])} for r in o.get("timeline") or []]
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
    what = _("When %(n)s networks were active (from their released tweets, or the dates their platform gave; spans marked synthetic "
             "data come from generated samples, not the real releases), by country of origin, and when their removal was announced",
             n=_n(len(rows)))
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
    return Chart("similarity", title, summary, (("a", _("Release")), ("b", _("Release")), ("similarity", _("Similarity"))),
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
        color=alt.Color("total:Q", title=_("Interactions"), scale=alt.Scale(scheme="oranges")),
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
                 tuple({k: r[k] for k in ("from", "to", "retweets", "replies", "mentions")} for r in rows), _spec(heat, title))


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
    return Chart(name, title, summary, (("country", _("Country")), ("count", unit)), table, _spec(drawn, title))


@chart("origins-map", scope="overview")
def origins_map(o: dict[str, Any]) -> Chart | None:
    return _world_map(o, "origin", "origins-map", _("Where the networks came from"), _("as a country of origin"))


@chart("targets-map", scope="overview")
def targets_map(o: dict[str, Any]) -> Chart | None:
    return _world_map(o, "target", "targets-map", _("Which countries the networks targeted"), _("as a target"))
