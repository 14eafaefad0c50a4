"""Charts of the coordination signals (``stats.json`` → ``signals``), for the "Coordination signals" section.

Each is a pattern with its definition, never a verdict: the sentences say what was counted.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ...charts import COLOR, COUNT_AXIS, WIDTH, Chart, _iso, _n, _spec, chart, chart_text
from ...i18n import N_, format_percent, ngettext, tr, weekday_name
from ...i18n import gettext as _
from ...statistics.partials import WEEKDAYS

SHARE_AXIS = alt.Axis(format="%")
CLASSES = (("official", N_("Official apps"), "#2f5f98"), ("automation", N_("Automation services"), "#b5531f"),
           ("other", N_("Other or unknown"), "#7a7a7a"))


def _pct(x: float | None) -> str:
    return _("no") if x is None else format_percent(x)


def _zone(offset: int) -> str:
    return f"UTC{offset:+d}" if offset else "UTC"


def _signals(s: dict[str, Any]) -> dict[str, Any] | None:
    return s.get("signals") or None


@chart("in-network", scope="signals")
def in_network(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig:
        return None
    n = sig["in_network"]
    rows = [{"kind": _("Retweets"), "own": n["retweets"], "share": n["retweet_share"]},
            {"kind": _("Replies"), "own": n["replies"], "share": n["reply_share"]},
            {"kind": _("Mentions"), "own": n["mentions"], "share": n["mention_share"]}]
    df = pd.DataFrame({"kind": [r["kind"] for r in rows], "share": [r["share"] or 0 for r in rows], "rank": range(3)})
    bars = alt.Chart(df).mark_bar(color=COLOR).encode(
        x=alt.X("share:Q", title=_("Share directed at the release's own accounts"), axis=SHARE_AXIS, scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("kind:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending")),
        tooltip=[alt.Tooltip("kind:N", title=_("Kind")), alt.Tooltip("share:Q", title=_("Share"), format=".1%")],
    ).properties(width=WIDTH - 200, height=90)
    summary = _("Of the release's retweets, %(rt_share)s (%(rt)s) retweeted its own accounts; %(re_share)s of replies (%(re)s) and "
                "%(me_share)s of mentions (%(me)s) were to them.", rt_share=_pct(n["retweet_share"]), rt=_n(n["retweets"]),
                re_share=_pct(n["reply_share"]), re=_n(n["replies"]), me_share=_pct(n["mention_share"]), me=_n(n["mentions"]))
    title = _("Amplification inside the network")
    return Chart("in-network", title, summary,
                 (("kind", _("Kind")), ("own", _("To the release's own accounts")), ("share", _("Share"))), tuple(rows), _spec(bars, title))


@chart("co-retweet", scope="signals")
def co_retweet(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig:
        return None
    rows = sig["co_retweet"]
    df = pd.DataFrame({"window": [_("%(n)s min", n=r["window_minutes"]) for r in rows], "pairs": [r["pairs"] for r in rows],
                       "share": [r["share_of_active"] or 0 for r in rows], "rank": range(len(rows))})
    bars = alt.Chart(df).mark_bar(color=COLOR).encode(
        x=alt.X("window:N", title=_("Retweeted the same tweet within"), sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("pairs:Q", title=_("Pairs of accounts"), axis=COUNT_AXIS),
        tooltip=[alt.Tooltip("window:N", title=_("Window")), alt.Tooltip("pairs:Q", title=_("Pairs"), format=","),
                 alt.Tooltip("share:Q", title=_("Share of active accounts"), format=".1%")],
    ).properties(width=WIDTH - 300, height=200)
    one = rows[1]
    summary = _("%(pairs)s pairs of accounts retweeted the same tweet within one minute of each other, involving %(accounts)s accounts "
                "(%(share)s of the accounts that tweeted); within an hour, %(hour_pairs)s pairs and %(hour_accounts)s accounts.",
                pairs=_n(one["pairs"]), accounts=_n(one["accounts"]), share=_pct(one["share_of_active"]),
                hour_pairs=_n(rows[-1]["pairs"]), hour_accounts=_n(rows[-1]["accounts"]))
    table = tuple({"window": r["window_minutes"], "pairs": r["pairs"], "accounts": r["accounts"], "share": r["share_of_active"]} for r in rows)
    title = _("Co-retweeting by time window")
    return Chart("co-retweet", title, summary,
                 (("window", _("Window (minutes)")), ("pairs", _("Pairs of accounts")), ("accounts", _("Accounts in a pair")),
                  ("share", _("Share of active accounts"))), table, _spec(bars, title))


@chart("co-retweet-groups", scope="signals")
def co_retweet_groups(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig["co_retweet_groups"]:
        return None
    groups = sig["co_retweet_groups"]
    df = pd.DataFrame({"group": [_("Group %(n)s", n=i + 1) for i in range(len(groups))], "accounts": [g["accounts"] for g in groups],
                       "pairs": [g["pairs"] for g in groups], "rank": range(len(groups))})
    bars = alt.Chart(df).mark_bar(color="#7a4f9a").encode(
        x=alt.X("accounts:Q", title=_("Accounts"), axis=COUNT_AXIS),
        y=alt.Y("group:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending")),
        tooltip=[alt.Tooltip("group:N", title=_("Group")), alt.Tooltip("accounts:Q", title=_("Accounts"), format=","),
                 alt.Tooltip("pairs:Q", title=_("Pairs"), format=",")],
    ).properties(width=WIDTH - 200, height=max(40, 20 * len(groups)))
    first = groups[0]
    summary = _("Accounts linked by retweeting the same tweets within one minute form %(groups)s shown here; the largest has %(accounts)s "
                "accounts and %(pairs)s pairs.", groups=ngettext("%(num)s group", "%(num)s groups", len(groups)),
                accounts=_n(first["accounts"]), pairs=_n(first["pairs"]))
    table = tuple({"group": i + 1, "accounts": g["accounts"], "pairs": g["pairs"]} for i, g in enumerate(groups))
    title = _("Largest co-retweeting groups (one minute)")
    return Chart("co-retweet-groups", title, summary,
                 (("group", _("Group")), ("accounts", _("Accounts")), ("pairs", _("Pairs"))), table, _spec(bars, title))


@chart("copy-paste", scope="signals")
def copy_paste(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig:
        return None
    c = sig["copy_paste"]
    top = c["top"]
    if not top:
        return None
    df = pd.DataFrame({"text": [chart_text(t["text"] if len(t["text"]) <= 60 else t["text"][:59] + "…") for t in top],
                       "accounts": [t["accounts"] for t in top], "rank": range(len(top))})
    bars = alt.Chart(df).mark_bar(color="#b5531f").encode(
        x=alt.X("accounts:Q", title=_("Accounts that posted it"), axis=COUNT_AXIS),
        y=alt.Y("text:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending"), axis=alt.Axis(labelLimit=300)),
        tooltip=[alt.Tooltip("text:N", title=_("Text")), alt.Tooltip("accounts:Q", title=_("Accounts"), format=",")],
    ).properties(width=WIDTH - 340, height=max(40, 18 * len(top)))
    summary = _("%(texts)s texts were posted word for word by three or more accounts: %(tweets)s tweets, %(share)s of the tweets that "
                "are not retweets. The most widely posted, by %(accounts)s accounts: %(text)s.", texts=_n(c["clusters"]),
                tweets=_n(c["tweets"]), share=_pct(c["share_of_original_tweets"]), accounts=_n(top[0]["accounts"]), text=_iso(top[0]["text"]))
    title = _("Texts posted by many accounts")
    return Chart("copy-paste", title, summary,
                 (("text", _("Text (normalised)")), ("accounts", _("Accounts")), ("tweets", _("Tweets")), ("first", _("First (UTC)")),
                  ("last", _("Last (UTC)"))), tuple(top), _spec(bars, title))


@chart("reply-swarms", scope="signals")
def reply_swarms(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig:
        return None
    r = sig["reply_swarms"]
    targets = r["targets"]
    if not targets:
        return None
    df = pd.DataFrame({"userid": [chart_text(t["userid"]) for t in targets], "swarmed": [t["swarmed_tweets"] for t in targets],
                       "rank": range(len(targets))})
    bars = alt.Chart(df).mark_bar(color="#3a7d44").encode(
        x=alt.X("swarmed:Q", title=_("Tweets that got 5 or more replies"), axis=COUNT_AXIS),
        y=alt.Y("userid:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelLimit=220)),
        tooltip=[alt.Tooltip("userid:N", title=_("Account")), alt.Tooltip("swarmed:Q", title=_("Swarmed tweets"), format=",")],
    ).properties(width=WIDTH - 300, height=max(40, 18 * len(targets)))
    t = targets[0]
    summary = _("%(swarmed)s tweets got 5 or more replies from the release's accounts; the account replied to most this way, %(account)s, "
                "had %(tweets)s such tweets, with %(replies)s replies from %(accounts)s accounts.", swarmed=_n(r["swarmed_tweets"]),
                account=_iso(t["userid"]), tweets=_n(t["swarmed_tweets"]), replies=_n(t["replies"]), accounts=_n(t["accounts"]))
    title = _("Reply swarms: accounts replied to")
    return Chart("reply-swarms", title, summary,
                 (("userid", _("Account replied to")), ("swarmed_tweets", _("Swarmed tweets")), ("replies", _("Replies")),
                  ("accounts", _("Replying accounts"))), tuple(targets), _spec(bars, title))


@chart("creation-days", scope="signals")
def creation_days(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig.get("creation") or not sig["creation"]["per_day"]:
        return None
    c = sig["creation"]
    days = c["per_day"]
    busiest = {d["date"] for d in c["busiest_days"]}
    df = pd.DataFrame({"date": [d["date"] for d in days], "count": [d["count"] for d in days],
                       "busiest": [_("One of the 10 busiest days") if d["date"] in busiest else _("Other days") for d in days]})
    bars = alt.Chart(df).mark_bar(width=2).encode(
        x=alt.X("date:T", title=_("Day created")),
        y=alt.Y("count:Q", title=_("Accounts"), axis=COUNT_AXIS),
        color=alt.Color("busiest:N", title=None, scale=alt.Scale(domain=[_("One of the 10 busiest days"), _("Other days")],
                                                                  range=["#b5531f", "#9db4d3"]), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("date:T", title=_("Day"), format="%Y-%m-%d"), alt.Tooltip("count:Q", title=_("Accounts"), format=",")],
    ).properties(width=WIDTH - 120, height=200)
    top = c["busiest_days"][0]
    summary = _("Accounts created per day, from %(first)s to %(last)s; the 10 busiest days (marked) account for %(share)s of the "
                "accounts, the busiest, %(day)s, for %(n)s. %(never)s accounts of the users file never tweeted.", first=days[0]["date"],
                last=days[-1]["date"], share=_pct(c["share_on_busiest_days"]), day=top["date"], n=_n(top["count"]),
                never=_n(c["never_tweeted"]))
    rows = tuple({"date": d["date"], "count": d["count"], "busiest": _("yes") if d["date"] in busiest else ""} for d in days)
    title = _("Accounts created per day")
    return Chart("creation-days", title, summary,
                 (("date", _("Day")), ("count", _("Accounts created")), ("busiest", _("One of the 10 busiest days"))), rows, _spec(bars, title))


DORMANCY_BINS = ((None, -1, N_("Before creation (data quirk)")), (0, 0, N_("Same day")), (1, 6, N_("1–6 days")), (7, 29, N_("1–4 weeks")),
                 (30, 89, N_("1–3 months")), (90, 364, N_("3–12 months")), (365, 729, N_("1–2 years")), (730, None, N_("2 years or more")))


@chart("dormancy", scope="signals")
def dormancy(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig.get("creation") or not sig["creation"]["dormancy_days"]:
        return None
    c = sig["creation"]
    rows = []
    for low, high, label in DORMANCY_BINS:
        n = sum(d["count"] for d in c["dormancy_days"] if (low is None or d["days"] >= low) and (high is None or d["days"] <= high))
        if n or low is not None:
            rows.append({"bin": tr(label), "count": n})
    df = pd.DataFrame({"bin": [r["bin"] for r in rows], "count": [r["count"] for r in rows], "rank": range(len(rows))})
    bars = alt.Chart(df).mark_bar(color="#7a4f9a").encode(
        x=alt.X("count:Q", title=_("Accounts"), axis=COUNT_AXIS),
        y=alt.Y("bin:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending")),
        tooltip=[alt.Tooltip("bin:N", title=_("Wait")), alt.Tooltip("count:Q", title=_("Accounts"), format=",")],
    ).properties(width=WIDTH - 260, height=18 * len(rows))
    summary = _("Time from each account's creation to its first tweet in the release; the median wait was %(days)s days.",
                days=_n(c["dormancy_days_median"]))
    title = _("Time from creation to first tweet")
    return Chart("dormancy", title, summary, (("bin", _("Wait")), ("count", _("Accounts"))), tuple(rows), _spec(bars, title))


@chart("working-hours", scope="signals")
def working_hours(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or sig["working_hours"]["best_utc_offset"] is None:
        return None
    w = sig["working_hours"]
    rows = [{"offset": r["offset"], "share": r["share"]} for r in w["by_offset"]]
    df = pd.DataFrame({"offset": [f"{r['offset']:+d}" if r["offset"] else "0" for r in rows], "share": [r["share"] for r in rows],
                       "best": [r["offset"] == w["best_utc_offset"] for r in rows], "rank": range(len(rows))})
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("offset:N", title=_("UTC offset (hours)"), sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title=_("Tweets in office hours"), axis=SHARE_AXIS),
        color=alt.Color("best:N", scale=alt.Scale(domain=[False, True], range=["#9db4d3", COLOR]), legend=None),
        tooltip=[alt.Tooltip("offset:N", title=_("UTC offset")), alt.Tooltip("share:Q", title=_("Share"), format=".1%")],
    ).properties(width=WIDTH - 120, height=200)
    best = w["best_utc_offset"]
    summary = _("Share of tweets that fall Monday to Friday, 09:00–17:59, at each UTC offset; the highest, %(share)s, is at %(zone)s.",
                share=_pct(w["share"]), zone=_zone(best))
    table = tuple({"offset": r["offset"], "share": r["share"]} for r in rows)
    title = _("Office hours by time zone")
    return Chart("working-hours", title, summary, (("offset", _("UTC offset (hours)")), ("share", _("Share in office hours"))),
                 table, _spec(bars, title))


@chart("local-week", scope="signals")
def local_week(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    cells = s.get("hour_weekday")
    if not sig or not cells or sig["working_hours"]["best_utc_offset"] is None:
        return None
    offset = sig["working_hours"]["best_utc_offset"]
    shifted: dict[tuple[int, int], int] = {}
    for c in cells:
        slot = (WEEKDAYS.index(c["weekday"]) * 24 + c["hour"] + offset) % (7 * 24)
        shifted[(slot // 24, slot % 24)] = c["count"]
    rows = [{"weekday": WEEKDAYS[d], "hour": h, "count": shifted.get((d, h), 0)} for d in range(7) for h in range(24)]
    zone = _zone(offset)
    shown = [{**r, "weekday": weekday_name(r["weekday"])} for r in rows]
    heat = alt.Chart(pd.DataFrame(shown)).mark_rect().encode(
        x=alt.X("hour:O", title=_("Hour of day (%(zone)s)", zone=zone)),
        y=alt.Y("weekday:N", title=None, sort=[weekday_name(w) for w in WEEKDAYS]),
        color=alt.Color("count:Q", title=_("Tweets"), scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("weekday:N", title=_("Day")), alt.Tooltip("hour:O", title=_("Hour (%(zone)s)", zone=zone)),
                 alt.Tooltip("count:Q", title=_("Tweets"), format=",")],
    ).properties(width=WIDTH - 120, height=190)
    weekday = sum(r["count"] for r in rows if WEEKDAYS.index(r["weekday"]) < 5 and 9 <= r["hour"] <= 17)
    total = sum(r["count"] for r in rows)
    summary = _("Tweets by weekday and hour in %(zone)s, the offset at which most fall in office hours: %(n)s of %(all)s are Monday to "
                "Friday, 09:00–17:59.", zone=zone, n=_n(weekday), all=_n(total))
    title = _("Activity by weekday and hour (%(zone)s)", zone=zone)
    return Chart("local-week", title, summary,
                 (("weekday", _("Weekday")), ("hour", _("Hour (%(zone)s)", zone=zone)), ("count", _("Tweets"))), tuple(shown), _spec(heat, title))


@chart("posting-tools", scope="signals")
def posting_tools(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig["posting_tools"]["by_month"]:
        return None
    p = sig["posting_tools"]
    long = [{"month": m["month"], "kind": tr(label), "tweets": m[key], "order": i}
            for m in p["by_month"] for i, (key, label, _colour) in enumerate(CLASSES)]
    bars = alt.Chart(pd.DataFrame(long)).mark_bar().encode(
        x=alt.X("month:T", title=_("Month"), timeUnit="yearmonth"),
        y=alt.Y("tweets:Q", title=_("Tweets"), axis=COUNT_AXIS, stack="zero"),
        color=alt.Color("kind:N", title=_("Posting tool"), scale=alt.Scale(domain=[tr(c[1]) for c in CLASSES], range=[c[2] for c in CLASSES])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("month:T", title=_("Month"), timeUnit="yearmonth"), alt.Tooltip("kind:N", title=_("Tool")),
                 alt.Tooltip("tweets:Q", title=_("Tweets"), format=",")],
    ).properties(width=WIDTH - 160, height=200)
    shared = p["other_shared"]
    shares = {"official": _pct(p["official_share"]), "automation": _pct(p["automation_share"]), "other": _pct(p["other_share"])}
    summary = (_("Tweets per month by posting tool: %(official)s from the platform's own apps, %(automation)s from automation services and "
                 "%(other)s from other or unknown clients; the other client used by the most accounts is %(client)s (%(accounts)s accounts).",
                 client=_iso(shared[0]["client"]), accounts=_n(shared[0]["accounts"]), **shares) if shared else
               _("Tweets per month by posting tool: %(official)s from the platform's own apps, %(automation)s from automation services and "
                 "%(other)s from other or unknown clients.", **shares))
    table = tuple({"month": m["month"], "official": m["official"], "automation": m["automation"], "other": m["other"]} for m in p["by_month"])
    title = _("Posting tools by month")
    return Chart("posting-tools", title, summary,
                 (("month", _("Month")), ("official", _("Official apps")), ("automation", _("Automation services")),
                  ("other", _("Other or unknown"))), table, _spec(bars, title))


@chart("engagement-lorenz", scope="signals")
def engagement_lorenz(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig["engagement_concentration"]["lorenz"]:
        return None
    e = sig["engagement_concentration"]
    points = e["lorenz"]
    df = pd.DataFrame(points)
    curve = alt.Chart(df).mark_line(color=COLOR, point=True).encode(
        x=alt.X("tweets:Q", title=_("Share of tweets, least engaged first"), axis=SHARE_AXIS),
        y=alt.Y("engagement:Q", title=_("Share of engagement"), axis=SHARE_AXIS),
        tooltip=[alt.Tooltip("tweets:Q", title=_("Tweets"), format=".0%"), alt.Tooltip("engagement:Q", title=_("Engagement"), format=".1%")],
    )
    equal = alt.Chart(pd.DataFrame({"tweets": [0, 1], "engagement": [0, 1]})).mark_line(color="#999999", strokeDash=[4, 4]).encode(
        x="tweets:Q", y="engagement:Q")
    layered = alt.layer(equal, curve).properties(width=320, height=320)
    summary = _("Engagement (likes, retweets, replies and quotes received) of the %(tweets)s tweets that are not retweets: %(zero)s got "
                "none, the top 1%% got %(top)s of it; Gini coefficient %(gini)s.", tweets=_n(e["original_tweets"]), zero=_pct(e["zero_share"]),
                top=_pct(e["top_1pct_share"]), gini=e["gini"])
    title = _("How engagement was shared out")
    return Chart("engagement-lorenz", title, summary,
                 (("tweets", _("Share of tweets")), ("engagement", _("Share of engagement"))), tuple(points), _spec(layered, title))
