"""Coordination signals of a release: what researchers compute by hand after every release.

Each signal has one exact definition (``DEFINITIONS``, shown in the README and on the
Methods page).  ``rows_of_tweets`` takes what the signals need from a batch of tweets —
counts that merge like every other count, and keyed rows (retweets by retweeted tweet,
texts by normalised text, replies by replied tweet) that spill to disk by a hash of
their key — and ``signals`` computes the published values from the merged partials, one
partition of keyed rows at a time.  The signals describe patterns; they are not verdicts:
ordinary communities show them too.
"""

from __future__ import annotations

import datetime as dt
import math
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ...statistics.counts import aligned
from .coretweets import co_retweet
from .signal_rows import _share, client_classes

SWARM_REPLIES = 5  # a tweet with this many reply rows or more is swarmed
CLUSTER_ACCOUNTS = 3  # a normalised text posted by this many accounts or more is a copy-paste cluster
TOP = 20
BUSIEST_DAYS = 10
OFFSETS = tuple(range(-12, 15))  # whole-hour UTC offsets
OFFICE = (9, 17)  # 09:00–17:59, Monday to Friday

# The published definitions: README contract table, stats.schema.json and the Methods page all come from here.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("in_network", "`{retweets, retweet_share, replies, reply_share, mentions, mention_share}`: retweets whose `retweet_userid` is one of "
     "the release's accounts (the `userid`s of its users file, or of its tweets without one), and that count ÷ all retweets; replies "
     "whose `in_reply_to_userid` is one of them ÷ all replies; `user_mentions` items that are one of them ÷ all mention items"),
    ("co_retweet", "for each window W in 0, 1, 10, 60 minutes `{window_minutes, pairs, accounts, share_of_active}`: distinct unordered "
     "pairs of different accounts that retweeted the same `retweet_tweetid` at `tweet_time`s (minutes, UTC) at most W minutes apart, "
     "at least once; the accounts in at least one such pair; that ÷ `active_accounts`"),
    ("co_retweet_groups", "connected groups of the co-retweet pair graph at W = 1, the 10 largest, `{accounts, pairs}`, by accounts "
     "then pairs descending"),
    ("copy_paste", "over tweets that are not retweets, the text normalised (NFKC; each character lowercased; every `http://`/`https://` "
     "run up to whitespace removed; every `@` followed by ASCII letters, digits or `_` removed; whitespace runs to one space; trimmed). "
     "A normalised text of 20 or more characters posted by 3 or more accounts is a cluster. `{clusters, tweets, "
     "share_of_original_tweets, top}`: clusters; tweets whose text is one; that ÷ tweets that are not retweets; the top 20 "
     "`{text, accounts, tweets, first, last}` by accounts, then tweets descending, then text"),
    ("reply_swarms", "a tweet id given as `in_reply_to_tweetid` by 5 or more reply rows is swarmed. `{swarmed_tweets, targets}`: "
     "swarmed tweet ids; the top 20 targeted accounts `{userid, swarmed_tweets, replies, accounts}` (`in_reply_to_userid`; its "
     "swarmed tweets; reply rows to them; distinct replying accounts) by swarmed tweets, then replies descending, then userid"),
    ("creation", "from the users file (null without one): `{busiest_days, share_on_busiest_days, never_tweeted, dormancy_days_median, "
     "dormancy_days}`: the 10 days with the most accounts created `{date, count}` (count descending, then date); the share of "
     "accounts created on them; accounts of the users file with no tweet; the median of the days from each account's creation date "
     "to its first tweet's date (accounts with both), and the distribution of those days `{days, count}`; accounts created per "
     "day `per_day: [{date, count}]`, by date"),
    ("working_hours", "for each whole-hour UTC offset −12 … +14, the share of tweets whose local time falls Monday–Friday "
     "09:00–17:59: `{best_utc_offset, share, by_offset: [{offset, share}]}`; best is the highest share, ties to the smaller offset"),
    ("posting_tools", "each `tweet_client_name` classed `official`, `automation` or `other` by the list on the Methods page: "
     "`{official_share, automation_share, other_share, other_shared, by_month}`: shares "
     "of tweets (an empty client is `other`); `other` clients used by 2 or more accounts `{client, accounts, tweets}`, top 20 by "
     "accounts, then tweets descending, then name; tweets per class per month `{month, official, automation, other}`"),
    ("engagement_concentration", "over tweets that are not retweets, engagement = `like_count + retweet_count + reply_count + "
     "quote_count` (empty is 0): `{original_tweets, zero_share, top_1pct_share, gini, lorenz}`: the share with 0; the share of all "
     "their engagement received by the top ⌈n/100⌉; the Gini coefficient (ascending, G = 2·Σ i·xᵢ / (n·Σ x) − (n+1)/n); the "
     "Lorenz curve at every 5% of tweets `{tweets, engagement}`"),
)
# What each signal shows, for readers: a name and one plain sentence; the exact definition above stays beside it.
READER: dict[str, tuple[str, str]] = {
    "in_network": ("Amplifying its own accounts", "How much of the release's retweeting, replying and mentioning was aimed at its own "
                   "accounts rather than at anyone else."),
    "co_retweet": ("Co-retweeting", "Pairs of accounts that retweeted the same tweet within a few minutes of each other, and how many "
                   "of the accounts that tweeted were in such a pair."),
    "co_retweet_groups": ("Co-retweeting groups", "The largest groups of accounts linked to each other by co-retweeting within one minute."),
    "copy_paste": ("Copy-pasted text", "The same text of 20 characters or more (links, mentions and capitals aside) posted word for "
                   "word by three or more accounts."),
    "reply_swarms": ("Reply swarms", "Tweets that got five or more replies from the release's accounts, and whose tweets they were."),
    "creation": ("When the accounts were made", "The days on which most accounts were created, how many never tweeted, and how long "
                 "accounts waited between creation and their first tweet."),
    "working_hours": ("Office hours", "The UTC offset at which the largest share of tweets falls in weekday office hours "
                      "(Monday to Friday, 09:00–17:59), and that share."),
    "posting_tools": ("Posting tools", "Which apps posted the tweets: the platform's own, automation services, or others."),
    "engagement_concentration": ("How engagement was spread", "Whether likes, retweets and replies went to a few tweets or were "
                                 "spread across many."),
}
NOTE = ("Shares have 4 decimals and are null when what they divide by is 0. Rows with an empty `userid` take no part in "
        "co-retweets, copy-paste or swarms; rows with an empty `retweet_tweetid` take no part in co-retweets.")


def _minute_text(m: int) -> str:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(minutes=int(m))).strftime("%Y-%m-%dT%H:%MZ")


def signals(t: Any, u: Any | None) -> dict[str, Any]:
    """Return the coordination signals of a release from its merged tweets (and users) partials.

    Co-retweets, the costliest, are computed on a second thread while this one computes the rest: both spend their
    time in Arrow and numpy, which release the GIL.  The only counter both read is ``t.users``, settled first.
    """
    active = t.users.distinct()  # folds (and spills) what is pending: later reads of it only read
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="co-retweet") as pool:
        pending = pool.submit(co_retweet, t, active)
        rest = {"in_network": in_network(t, u), "copy_paste": copy_paste(t), "reply_swarms": reply_swarms(t),
                "creation": creation(t, u) if u is not None else None, "working_hours": working_hours(t),
                "posting_tools": posting_tools(t), "engagement_concentration": engagement_concentration(t)}
        co = pending.result()
    return {
        "in_network": rest["in_network"],
        "co_retweet": co["windows"],
        "co_retweet_groups": co["groups"],
        **{k: rest[k] for k in ("copy_paste", "reply_swarms", "creation", "working_hours", "posting_tools", "engagement_concentration")},
    }


def in_network(t: Any, u: Any | None) -> dict[str, Any]:
    accounts = u.ids if u is not None else t.users
    found = {"retweets": 0, "replies": 0, "mentions": 0}
    mention_items = 0
    for own, retweeted, replied, mentioned in aligned(accounts, t.retweeted_users, t.replied_users, t.mentions):
        values = own.column("value")
        for name, table in (("retweets", retweeted), ("replies", replied), ("mentions", mentioned)):
            hit = table.filter(pc.is_in(table.column("value"), value_set=values))
            found[name] += int(pc.sum(hit.column("count")).as_py() or 0)
        mention_items += int(pc.sum(mentioned.column("count")).as_py() or 0)
    return {"retweets": found["retweets"], "retweet_share": _share(found["retweets"], t.retweets),
            "replies": found["replies"], "reply_share": _share(found["replies"], t.replies),
            "mentions": found["mentions"], "mention_share": _share(found["mentions"], mention_items)}


# copy-paste ------------------------------------------------------------------------------------------------------

def copy_paste(t: Any) -> dict[str, Any]:
    clusters = tweets = 0
    best: list[pa.Table] = []
    for table in t.texts.partitions():
        if table.num_rows == 0:
            continue
        g = table.group_by("key", use_threads=False).aggregate(
            [("userid", "count_distinct"), ("key", "count"), ("minute", "min"), ("minute", "max")])
        g = g.filter(pc.greater_equal(g.column("userid_count_distinct"), CLUSTER_ACCOUNTS))
        clusters += g.num_rows
        tweets += int(pc.sum(g.column("key_count")).as_py() or 0)
        best.append(_ranked(g, [("userid_count_distinct", "descending"), ("key_count", "descending"), ("key", "ascending")]))
    top = []
    if best:
        ranked = _ranked(pa.concat_tables(best), [("userid_count_distinct", "descending"), ("key_count", "descending"), ("key", "ascending")])
        for r in ranked.to_pylist():
            top.append({"text": r["key"], "accounts": r["userid_count_distinct"], "tweets": r["key_count"],
                        "first": _minute_text(r["minute_min"]), "last": _minute_text(r["minute_max"])})
    return {"clusters": clusters, "tweets": tweets, "share_of_original_tweets": _share(tweets, t.originals), "top": top}


def _ranked(table: pa.Table, keys: list[tuple[str, str]]) -> pa.Table:
    return table.take(pc.sort_indices(table, sort_keys=keys)[:TOP]) if table.num_rows else table


# reply swarms -----------------------------------------------------------------------------------------------------

def reply_swarms(t: Any) -> dict[str, Any]:
    swarmed = 0
    rows: list[pa.Table] = []
    for table in t.reply_rows.partitions():
        if table.num_rows == 0:
            continue
        per = table.group_by("key", use_threads=False).aggregate([("key", "count")])
        hit = per.filter(pc.greater_equal(per.column("key_count"), SWARM_REPLIES)).column("key")
        swarmed += len(hit)
        if len(hit):
            rows.append(table.filter(pc.and_(pc.is_in(table.column("key"), value_set=hit.combine_chunks()),
                                             pc.not_equal(table.column("target"), ""))))
    targets = []
    if rows:
        table = pa.concat_tables(rows)
        g = table.group_by("target", use_threads=False).aggregate(
            [("key", "count_distinct"), ("key", "count"), ("userid", "count_distinct")])
        g = g.take(pc.sort_indices(g, sort_keys=[("key_count_distinct", "descending"), ("key_count", "descending"),
                                                  ("target", "ascending")])[:TOP])
        targets = [{"userid": r["target"], "swarmed_tweets": r["key_count_distinct"], "replies": r["key_count"],
                    "accounts": r["userid_count_distinct"]} for r in g.to_pylist()]
    return {"swarmed_tweets": swarmed, "targets": targets}


# creation ----------------------------------------------------------------------------------------------------------

def creation(t: Any, u: Any) -> dict[str, Any]:
    from ...statistics.partials import median as _median

    busiest = [{"date": v, "count": c} for v, c in u.created_days.top(BUSIEST_DAYS)]
    on_busiest = sum(r["count"] for r in busiest)
    never = 0
    for own, tweeted in aligned(u.ids, t.users):
        never += int(pc.sum(pc.invert(pc.is_in(own.column("value"), value_set=tweeted.column("value")))).as_py() or 0)
    created: dict[str, str] = {}
    for table in u.names:
        if "created" not in table.column_names:
            continue
        for userid, day in zip(table.column("userid").to_pylist(), table.column("created").to_pylist(), strict=True):
            if day:
                created.setdefault(userid, day)
    waits: dict[int, int] = {}
    if created:
        wanted = pa.array(list(created), pa.string())
        for table in t.first_minutes.partitions():
            hit = table.filter(pc.is_in(table.column("value"), value_set=wanted))
            for userid, minute in zip(hit.column("value").to_pylist(), hit.column("count").to_pylist(), strict=True):
                first = (dt.datetime(1970, 1, 1) + dt.timedelta(minutes=minute)).date()
                days = (first - dt.date.fromisoformat(created[userid])).days
                waits[days] = waits.get(days, 0) + 1
    return {"busiest_days": busiest, "share_on_busiest_days": _share(on_busiest, u.rows), "never_tweeted": never,
            "dormancy_days_median": _median(sorted(waits.items())),
            "dormancy_days": [{"days": d, "count": c} for d, c in sorted(waits.items())],
            "per_day": [{"date": v, "count": c} for v, c in u.created_days.items()]}


# working hours -------------------------------------------------------------------------------------------------------

def working_hours(t: Any) -> dict[str, Any]:
    cells: dict[tuple[int, int], int] = {}  # (weekday, hour) in UTC -> tweets
    for day_hour, n in t.day_hours.items():
        key = (dt.date.fromisoformat(day_hour[:10]).weekday(), int(day_hour[11:13]))
        cells[key] = cells.get(key, 0) + n
    total = sum(cells.values())
    by_offset = []
    for offset in OFFSETS:
        inside = 0
        for (weekday, hour), n in cells.items():
            local = weekday * 24 + hour + offset
            if local // 24 % 7 < 5 and OFFICE[0] <= local % 24 <= OFFICE[1]:
                inside += n
        by_offset.append({"offset": offset, "share": _share(inside, total), "tweets": inside})
    if not total:
        return {"best_utc_offset": None, "share": None, "by_offset": [{"offset": r["offset"], "share": None} for r in by_offset]}
    best = max(by_offset, key=lambda r: (r["tweets"], -r["offset"]))
    return {"best_utc_offset": best["offset"], "share": best["share"],
            "by_offset": [{"offset": r["offset"], "share": r["share"]} for r in by_offset]}


def posting_tools(t: Any) -> dict[str, Any]:
    classes = client_classes()
    tweets = {"official": 0, "automation": 0}
    per_client: dict[str, int] = {}
    for client, n in t.clients.top(None):
        kind = classes.get(client)
        if kind in tweets:
            tweets[kind] += n
        else:
            per_client[client] = n
    other = t.rows - tweets["official"] - tweets["automation"]
    accounts: dict[str, int] = {}
    for table in t.client_users.partitions():  # every row of a client is in one partition
        if table.num_rows:
            g = table.group_by("key", use_threads=False).aggregate([("userid", "count_distinct")])
            accounts.update(zip(g.column("key").to_pylist(), g.column("userid_count_distinct").to_pylist(), strict=True))
    shared = sorted(((c, a, per_client[c]) for c, a in accounts.items() if a >= 2), key=lambda x: (-x[1], -x[2], x[0]))
    months: dict[str, dict[str, int]] = {}
    for joined, n in t.client_months.items():
        month, client = joined[:7], joined[7:]
        kind = classes.get(client, "other") if client else "other"
        row = months.setdefault(month, {"official": 0, "automation": 0, "other": 0})
        row[kind if kind in row else "other"] += n
    return {"official_share": _share(tweets["official"], t.rows), "automation_share": _share(tweets["automation"], t.rows),
            "other_share": _share(other, t.rows),
            "other_shared": [{"client": c, "accounts": a, "tweets": n} for c, a, n in shared[:TOP]],
            "by_month": [{"month": m, **v} for m, v in sorted(months.items())]}


# engagement -------------------------------------------------------------------------------------------------------------

def engagement_concentration(t: Any) -> dict[str, Any]:
    values = t.engagement_values.items()  # (engagement, tweets), ascending; empty counts were read as 0
    zero = sum(c for v, c in values if v == 0)
    n = t.originals
    total = sum(v * c for v, c in values)
    top_n = math.ceil(n / 100) if n else 0
    top_sum, left = 0, top_n
    for v, c in reversed(values):
        take = min(c, left)
        top_sum += v * take
        left -= take
        if not left:
            break
    weighted, seen = 0, 0  # sum of i * x_i over the ascending order, positions 1..n
    for v, c in values:
        weighted += v * (c * seen + c * (c + 1) // 2)
        seen += c
    gini = None
    if n and total:
        g = Fraction(2 * weighted, n * total) - Fraction(n + 1, n)
        gini = round(g.numerator / g.denominator, 4)
    lorenz = _lorenz(values, n, total)
    return {"original_tweets": n, "zero_share": _share(zero, n), "top_1pct_share": _share(top_sum, total), "gini": gini,
            "lorenz": lorenz}


def _lorenz(values: list[tuple[int, int]], n: int, total: int, points: int = 20) -> list[dict[str, float]]:
    """Return the Lorenz curve at ``points`` even steps of tweets: share of tweets (ascending engagement), share of engagement."""
    if not n or not total:
        return []
    out = [{"tweets": 0.0, "engagement": 0.0}]
    marks = [math.ceil(n * k / points) for k in range(1, points + 1)]
    seen = summed = 0
    it = iter(values)
    v, c = next(it, (0, 0))
    for m in marks:
        while seen < m:
            take = min(c, m - seen)
            seen += take
            summed += v * take
            c -= take
            if c == 0:
                v, c = next(it, (0, 0))
        out.append({"tweets": round(seen / n, 4), "engagement": round(summed / total, 4)})
    return out
