"""Charts of the coordination signals (``stats.json`` → ``signals``), for the "Coordination signals" section.

Each is a pattern with its definition, never a verdict: the sentences say what was counted.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ..charts import COLOR, COUNT_AXIS, WIDTH, Chart, _iso, _n, _spec, chart, chart_text
from ..stats import WEEKDAYS

SHARE_AXIS = alt.Axis(format="%")
CLASSES = (("official", "Official apps", "#2f5f98"), ("automation", "Automation services", "#b5531f"), ("other", "Other or unknown", "#7a7a7a"))


def _pct(x: float | None) -> str:
    return "no" if x is None else f"{x * 100:.1f}%"


def _signals(s: dict[str, Any]) -> dict[str, Any] | None:
    return s.get("signals") or None


@chart("in-network", scope="signals")
def in_network(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig:
        return None
    n = sig["in_network"]
    rows = [{"kind": "Retweets", "own": n["retweets"], "share": n["retweet_share"]},
            {"kind": "Replies", "own": n["replies"], "share": n["reply_share"]},
            {"kind": "Mentions", "own": n["mentions"], "share": n["mention_share"]}]
    df = pd.DataFrame({"kind": [r["kind"] for r in rows], "share": [r["share"] or 0 for r in rows], "rank": range(3)})
    bars = alt.Chart(df).mark_bar(color=COLOR).encode(
        x=alt.X("share:Q", title="Share directed at the release's own accounts", axis=SHARE_AXIS, scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("kind:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending")),
        tooltip=[alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("share:Q", title="Share", format=".1%")],
    ).properties(width=WIDTH - 200, height=90)
    summary = (f"Of the release's retweets, {_pct(n['retweet_share'])} ({_n(n['retweets'])}) retweeted its own accounts; "
               f"{_pct(n['reply_share'])} of replies ({_n(n['replies'])}) and {_pct(n['mention_share'])} of mentions "
               f"({_n(n['mentions'])}) were to them.")
    return Chart("in-network", "Amplification inside the network", summary,
                 (("kind", "Kind"), ("own", "To the release's own accounts"), ("share", "Share")), tuple(rows),
                 _spec(bars, "Amplification inside the network"))


@chart("co-retweet", scope="signals")
def co_retweet(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig:
        return None
    rows = sig["co_retweet"]
    df = pd.DataFrame({"window": [f"{r['window_minutes']} min" for r in rows], "pairs": [r["pairs"] for r in rows],
                       "share": [r["share_of_active"] or 0 for r in rows], "rank": range(len(rows))})
    bars = alt.Chart(df).mark_bar(color=COLOR).encode(
        x=alt.X("window:N", title="Retweeted the same tweet within", sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("pairs:Q", title="Pairs of accounts", axis=COUNT_AXIS),
        tooltip=[alt.Tooltip("window:N", title="Window"), alt.Tooltip("pairs:Q", title="Pairs", format=","),
                 alt.Tooltip("share:Q", title="Share of active accounts", format=".1%")],
    ).properties(width=WIDTH - 300, height=200)
    one = rows[1]
    summary = (f"{_n(one['pairs'])} pairs of accounts retweeted the same tweet within one minute of each other, involving "
               f"{_n(one['accounts'])} accounts ({_pct(one['share_of_active'])} of the accounts that tweeted); within an hour, "
               f"{_n(rows[-1]['pairs'])} pairs and {_n(rows[-1]['accounts'])} accounts.")
    table = tuple({"window": r["window_minutes"], "pairs": r["pairs"], "accounts": r["accounts"], "share": r["share_of_active"]} for r in rows)
    return Chart("co-retweet", "Co-retweeting by time window", summary,
                 (("window", "Window (minutes)"), ("pairs", "Pairs of accounts"), ("accounts", "Accounts in a pair"),
                  ("share", "Share of active accounts")), table, _spec(bars, "Co-retweeting by time window"))


@chart("co-retweet-groups", scope="signals")
def co_retweet_groups(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig["co_retweet_groups"]:
        return None
    groups = sig["co_retweet_groups"]
    df = pd.DataFrame({"group": [f"Group {i + 1}" for i in range(len(groups))], "accounts": [g["accounts"] for g in groups],
                       "pairs": [g["pairs"] for g in groups], "rank": range(len(groups))})
    bars = alt.Chart(df).mark_bar(color="#7a4f9a").encode(
        x=alt.X("accounts:Q", title="Accounts", axis=COUNT_AXIS),
        y=alt.Y("group:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending")),
        tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("accounts:Q", title="Accounts", format=","),
                 alt.Tooltip("pairs:Q", title="Pairs", format=",")],
    ).properties(width=WIDTH - 200, height=max(40, 20 * len(groups)))
    first = groups[0]
    summary = (f"Accounts linked by retweeting the same tweets within one minute form {len(groups)} group"
               f"{'s' if len(groups) != 1 else ''} shown here; the largest has {_n(first['accounts'])} accounts and "
               f"{_n(first['pairs'])} pairs.")
    table = tuple({"group": i + 1, "accounts": g["accounts"], "pairs": g["pairs"]} for i, g in enumerate(groups))
    return Chart("co-retweet-groups", "Largest co-retweeting groups (one minute)", summary,
                 (("group", "Group"), ("accounts", "Accounts"), ("pairs", "Pairs")), table, _spec(bars, "Largest co-retweeting groups (one minute)"))


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
        x=alt.X("accounts:Q", title="Accounts that posted it", axis=COUNT_AXIS),
        y=alt.Y("text:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending"), axis=alt.Axis(labelLimit=300)),
        tooltip=[alt.Tooltip("text:N", title="Text"), alt.Tooltip("accounts:Q", title="Accounts", format=",")],
    ).properties(width=WIDTH - 340, height=max(40, 18 * len(top)))
    summary = (f"{_n(c['clusters'])} texts were posted word for word by three or more accounts: {_n(c['tweets'])} tweets, "
               f"{_pct(c['share_of_original_tweets'])} of the tweets that are not retweets. The most widely posted, by "
               f"{_n(top[0]['accounts'])} accounts: {_iso(top[0]['text'])}.")
    return Chart("copy-paste", "Texts posted by many accounts", summary,
                 (("text", "Text (normalised)"), ("accounts", "Accounts"), ("tweets", "Tweets"), ("first", "First (UTC)"), ("last", "Last (UTC)")),
                 tuple(top), _spec(bars, "Texts posted by many accounts"))


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
        x=alt.X("swarmed:Q", title="Tweets that got 5 or more replies", axis=COUNT_AXIS),
        y=alt.Y("userid:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelLimit=220)),
        tooltip=[alt.Tooltip("userid:N", title="Account"), alt.Tooltip("swarmed:Q", title="Swarmed tweets", format=",")],
    ).properties(width=WIDTH - 300, height=max(40, 18 * len(targets)))
    t = targets[0]
    summary = (f"{_n(r['swarmed_tweets'])} tweets got 5 or more replies from the release's accounts; the account replied to most "
               f"this way, {_iso(t['userid'])}, had {_n(t['swarmed_tweets'])} such tweets, with {_n(t['replies'])} replies from "
               f"{_n(t['accounts'])} accounts.")
    return Chart("reply-swarms", "Reply swarms: accounts replied to", summary,
                 (("userid", "Account replied to"), ("swarmed_tweets", "Swarmed tweets"), ("replies", "Replies"), ("accounts", "Replying accounts")),
                 tuple(targets), _spec(bars, "Reply swarms: accounts replied to"))


@chart("creation-days", scope="signals")
def creation_days(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig.get("creation") or not sig["creation"]["per_day"]:
        return None
    c = sig["creation"]
    days = c["per_day"]
    busiest = {d["date"] for d in c["busiest_days"]}
    df = pd.DataFrame({"date": [d["date"] for d in days], "count": [d["count"] for d in days],
                       "busiest": ["One of the 10 busiest days" if d["date"] in busiest else "Other days" for d in days]})
    bars = alt.Chart(df).mark_bar(width=2).encode(
        x=alt.X("date:T", title="Day created"),
        y=alt.Y("count:Q", title="Accounts", axis=COUNT_AXIS),
        color=alt.Color("busiest:N", title=None, scale=alt.Scale(domain=["One of the 10 busiest days", "Other days"],
                                                                  range=["#b5531f", "#9db4d3"]), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("date:T", title="Day", format="%Y-%m-%d"), alt.Tooltip("count:Q", title="Accounts", format=",")],
    ).properties(width=WIDTH - 120, height=200)
    top = c["busiest_days"][0]
    summary = (f"Accounts created per day, from {days[0]['date']} to {days[-1]['date']}; the 10 busiest days (marked) account for "
               f"{_pct(c['share_on_busiest_days'])} of the accounts, the busiest, {top['date']}, for {_n(top['count'])}. "
               f"{_n(c['never_tweeted'])} accounts of the users file never tweeted.")
    rows = tuple({"date": d["date"], "count": d["count"], "busiest": "yes" if d["date"] in busiest else ""} for d in days)
    return Chart("creation-days", "Accounts created per day", summary,
                 (("date", "Day"), ("count", "Accounts created"), ("busiest", "One of the 10 busiest days")), rows,
                 _spec(bars, "Accounts created per day"))


DORMANCY_BINS = ((None, -1, "Before creation (data quirk)"), (0, 0, "Same day"), (1, 6, "1–6 days"), (7, 29, "1–4 weeks"),
                 (30, 89, "1–3 months"), (90, 364, "3–12 months"), (365, 729, "1–2 years"), (730, None, "2 years or more"))


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
            rows.append({"bin": label, "count": n})
    df = pd.DataFrame({"bin": [r["bin"] for r in rows], "count": [r["count"] for r in rows], "rank": range(len(rows))})
    bars = alt.Chart(df).mark_bar(color="#7a4f9a").encode(
        x=alt.X("count:Q", title="Accounts", axis=COUNT_AXIS),
        y=alt.Y("bin:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending")),
        tooltip=[alt.Tooltip("bin:N", title="Wait"), alt.Tooltip("count:Q", title="Accounts", format=",")],
    ).properties(width=WIDTH - 260, height=18 * len(rows))
    summary = (f"Time from each account's creation to its first tweet in the release; the median wait was "
               f"{_n(c['dormancy_days_median'])} days.")
    return Chart("dormancy", "Time from creation to first tweet", summary, (("bin", "Wait"), ("count", "Accounts")), tuple(rows),
                 _spec(bars, "Time from creation to first tweet"))


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
        x=alt.X("offset:N", title="UTC offset (hours)", sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title="Tweets in office hours", axis=SHARE_AXIS),
        color=alt.Color("best:N", scale=alt.Scale(domain=[False, True], range=["#9db4d3", COLOR]), legend=None),
        tooltip=[alt.Tooltip("offset:N", title="UTC offset"), alt.Tooltip("share:Q", title="Share", format=".1%")],
    ).properties(width=WIDTH - 120, height=200)
    best = w["best_utc_offset"]
    summary = (f"Share of tweets that fall Monday to Friday, 09:00–17:59, at each UTC offset; the highest, {_pct(w['share'])}, "
               f"is at UTC{best:+d}." if best else
               f"Share of tweets that fall Monday to Friday, 09:00–17:59, at each UTC offset; the highest, {_pct(w['share'])}, is at UTC.")
    table = tuple({"offset": r["offset"], "share": r["share"]} for r in rows)
    return Chart("working-hours", "Office hours by time zone", summary, (("offset", "UTC offset (hours)"), ("share", "Share in office hours")),
                 table, _spec(bars, "Office hours by time zone"))


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
    zone = f"UTC{offset:+d}" if offset else "UTC"
    heat = alt.Chart(pd.DataFrame(rows)).mark_rect().encode(
        x=alt.X("hour:O", title=f"Hour of day ({zone})"),
        y=alt.Y("weekday:N", title=None, sort=list(WEEKDAYS)),
        color=alt.Color("count:Q", title="Tweets", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("weekday:N", title="Day"), alt.Tooltip("hour:O", title=f"Hour ({zone})"), alt.Tooltip("count:Q", title="Tweets", format=",")],
    ).properties(width=WIDTH - 120, height=190)
    weekday = sum(r["count"] for r in rows if WEEKDAYS.index(r["weekday"]) < 5 and 9 <= r["hour"] <= 17)
    total = sum(r["count"] for r in rows)
    summary = (f"Tweets by weekday and hour in {zone}, the offset at which most fall in office hours: {_n(weekday)} of {_n(total)} "
               f"are Monday to Friday, 09:00–17:59.")
    return Chart("local-week", f"Activity by weekday and hour ({zone})", summary,
                 (("weekday", "Weekday"), ("hour", f"Hour ({zone})"), ("count", "Tweets")), tuple(rows),
                 _spec(heat, f"Activity by weekday and hour ({zone})"))


@chart("posting-tools", scope="signals")
def posting_tools(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig["posting_tools"]["by_month"]:
        return None
    p = sig["posting_tools"]
    long = [{"month": m["month"], "kind": label, "tweets": m[key], "order": i}
            for m in p["by_month"] for i, (key, label, _) in enumerate(CLASSES)]
    bars = alt.Chart(pd.DataFrame(long)).mark_bar().encode(
        x=alt.X("month:T", title="Month", timeUnit="yearmonth"),
        y=alt.Y("tweets:Q", title="Tweets", axis=COUNT_AXIS, stack="zero"),
        color=alt.Color("kind:N", title="Posting tool", scale=alt.Scale(domain=[c[1] for c in CLASSES], range=[c[2] for c in CLASSES])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("month:T", title="Month", timeUnit="yearmonth"), alt.Tooltip("kind:N", title="Tool"),
                 alt.Tooltip("tweets:Q", title="Tweets", format=",")],
    ).properties(width=WIDTH - 160, height=200)
    shared = p["other_shared"]
    summary = (f"Tweets per month by posting tool: {_pct(p['official_share'])} from the platform's own apps, "
               f"{_pct(p['automation_share'])} from automation services and {_pct(p['other_share'])} from other or unknown clients"
               + (f"; the other client used by the most accounts is {_iso(shared[0]['client'])} ({_n(shared[0]['accounts'])} accounts)."
                  if shared else "."))
    table = tuple({"month": m["month"], "official": m["official"], "automation": m["automation"], "other": m["other"]} for m in p["by_month"])
    return Chart("posting-tools", "Posting tools by month", summary,
                 (("month", "Month"), ("official", "Official apps"), ("automation", "Automation services"), ("other", "Other or unknown")),
                 table, _spec(bars, "Posting tools by month"))


@chart("engagement-lorenz", scope="signals")
def engagement_lorenz(s: dict[str, Any]) -> Chart | None:
    sig = _signals(s)
    if not sig or not sig["engagement_concentration"]["lorenz"]:
        return None
    e = sig["engagement_concentration"]
    points = e["lorenz"]
    df = pd.DataFrame(points)
    curve = alt.Chart(df).mark_line(color=COLOR, point=True).encode(
        x=alt.X("tweets:Q", title="Share of tweets, least engaged first", axis=SHARE_AXIS),
        y=alt.Y("engagement:Q", title="Share of engagement", axis=SHARE_AXIS),
        tooltip=[alt.Tooltip("tweets:Q", title="Tweets", format=".0%"), alt.Tooltip("engagement:Q", title="Engagement", format=".1%")],
    )
    equal = alt.Chart(pd.DataFrame({"tweets": [0, 1], "engagement": [0, 1]})).mark_line(color="#999999", strokeDash=[4, 4]).encode(
        x="tweets:Q", y="engagement:Q")
    layered = alt.layer(equal, curve).properties(width=320, height=320)
    summary = (f"Engagement (likes, retweets, replies and quotes received) of the {_n(e['original_tweets'])} tweets that are not retweets: "
               f"{_pct(e['zero_share'])} got none, the top 1% got {_pct(e['top_1pct_share'])} of it; Gini coefficient {e['gini']}.")
    return Chart("engagement-lorenz", "How engagement was shared out", summary,
                 (("tweets", "Share of tweets"), ("engagement", "Share of engagement")), tuple(points), _spec(layered, "How engagement was shared out"))
