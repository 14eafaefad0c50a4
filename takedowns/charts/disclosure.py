"""The charts of a disclosure's figures that any format may have: tweets over time, accounts created, top values, hours."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ..i18n import gettext as _
from ..i18n import ngettext, weekday_name
from ..statistics.partials import WEEKDAYS
from .base import COLOR, COUNT_AXIS, WIDTH, Chart, _bars, _n, _spec, chart


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
    return _bars("tweet-languages", _("Tweet languages"), (s.get("tweet_languages") or [])[:15], _("Language"),
                 lambda n: ngettext("%(num)s tweet", "%(num)s tweets", n), _("Tweets"))


@chart("hashtags")
def hashtags(s: dict[str, Any]) -> Chart | None:
    return _bars("hashtags", _("Top hashtags"), s.get("top_hashtags") or [], _("Hashtag"),
                 lambda n: ngettext("%(num)s tweet", "%(num)s tweets", n), _("Tweets"), prefix="#")


@chart("domains")
def domains(s: dict[str, Any]) -> Chart | None:
    return _bars("domains", _("Top linked domains"), s.get("top_domains") or [], _("Domain"),
                 lambda n: ngettext("%(num)s link", "%(num)s links", n), _("Links"))


@chart("clients")
def clients(s: dict[str, Any]) -> Chart | None:
    return _bars("clients", _("Top clients"), s.get("top_clients") or [], _("Client"),
                 lambda n: ngettext("%(num)s tweet", "%(num)s tweets", n), _("Tweets"))


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
