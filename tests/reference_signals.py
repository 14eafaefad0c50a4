"""An independent, whole-file computation of the coordination signals, in plain Python.

Written from the published definitions (README, Methods page), sharing no code with
takedowns.signals: rows are read whole with pandas and grouped in dictionaries, pairs are
found by comparing every two retweets of a tweet.  Slow, and meant for small files.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

CLIENTS = Path(__file__).resolve().parent.parent / "takedowns" / "formats" / "twitter" / "posting_clients.csv"


def _read(paths: list[Path]) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig") for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _items(cell: str) -> list[str]:
    inner = cell.strip().strip("[]").strip()
    if not inner:
        return []
    return [x.strip().strip("'\"").strip() for x in inner.split(", ") if x.strip().strip("'\"").strip()]


def _minute(text: str) -> int:
    return calendar.timegm(dt.datetime.strptime(text[:16], "%Y-%m-%d %H:%M").timetuple()) // 60


def _share(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join("i" if c == "\u0130" else c.lower() for c in text)  # each character on its own (İ's simple mapping is i)
    text = re.sub(r"https?://\S*", "", text)
    text = re.sub(r"@[A-Za-z0-9_]+", "", text)
    return " ".join(text.split())


def _median(values: list[int]) -> float | int | None:
    if not values:
        return None
    values = sorted(values)
    n = len(values)
    low, high = values[(n - 1) // 2], values[n // 2]
    return low if low == high else (low + high) / 2


def reference_signals(users: list[Path], tweets: list[Path]) -> dict[str, Any]:
    u = _read(users) if users else None
    t = _read(tweets)
    rows = t.to_dict("records")
    for r in rows:
        r["retweet"] = r["is_retweet"].lower() == "true"
        r["minute"] = _minute(r["tweet_time"])
        r["when"] = dt.datetime.strptime(r["tweet_time"][:16], "%Y-%m-%d %H:%M")
    accounts = (set(u["userid"]) if u is not None else set(t["userid"])) - {""}
    active = len(set(t["userid"]) - {""})

    # in_network
    retweets = [r for r in rows if r["retweet"]]
    replies = [r for r in rows if r["in_reply_to_tweetid"] != ""]
    mention_items = [m for r in rows for m in _items(r["user_mentions"])]
    own_rt = sum(1 for r in retweets if r["retweet_userid"] in accounts)
    own_re = sum(1 for r in replies if r["in_reply_to_userid"] in accounts)
    own_me = sum(1 for m in mention_items if m in accounts)
    in_network = {"retweets": own_rt, "retweet_share": _share(own_rt, len(retweets)), "replies": own_re,
                  "reply_share": _share(own_re, len(replies)), "mentions": own_me, "mention_share": _share(own_me, len(mention_items))}

    # co_retweet: every two retweets of one tweet
    by_tweet: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in retweets:
        if r["retweet_tweetid"] != "" and r["userid"] != "":
            by_tweet[r["retweet_tweetid"]].append((r["userid"], r["minute"]))
    gap: dict[tuple[str, str], int] = {}
    for group in by_tweet.values():
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                (a, ma), (b, mb) = group[i], group[j]
                if a == b:
                    continue
                key = (min(a, b), max(a, b))
                d = abs(ma - mb)
                gap[key] = min(gap.get(key, d), d)
    co = []
    for w in (0, 1, 10, 60):
        pairs = [k for k, d in gap.items() if d <= w]
        who = {x for k in pairs for x in k}
        co.append({"window_minutes": w, "pairs": len(pairs), "accounts": len(who), "share_of_active": _share(len(who), active)})
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    near = [k for k, d in gap.items() if d <= 1]
    for a, b in near:
        parent[find(a)] = find(b)
    members: dict[str, set[str]] = defaultdict(set)
    edges: dict[str, int] = defaultdict(int)
    for a, b in near:
        members[find(a)].update((a, b))
        edges[find(a)] += 1
    groups = sorted(({"accounts": len(m), "pairs": edges[root]} for root, m in members.items()),
                    key=lambda g: (-g["accounts"], -g["pairs"]))[:10]

    # copy_paste
    originals = [r for r in rows if not r["retweet"]]
    texts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in originals:
        if r["userid"] == "":
            continue
        n = normalise(r["tweet_text"])
        if len(n) >= 20:
            texts[n].append(r)
    clusters = {k: v for k, v in texts.items() if len({r["userid"] for r in v}) >= 3}
    pasted = sum(len(v) for v in clusters.values())
    ranked = sorted(clusters.items(), key=lambda kv: (-len({r["userid"] for r in kv[1]}), -len(kv[1]), kv[0]))[:20]

    def stamp(m: int) -> str:
        return dt.datetime.fromtimestamp(m * 60, dt.UTC).strftime("%Y-%m-%dT%H:%MZ")

    copy = {"clusters": len(clusters), "tweets": pasted, "share_of_original_tweets": _share(pasted, len(originals)),
            "top": [{"text": k, "accounts": len({r["userid"] for r in v}), "tweets": len(v),
                     "first": stamp(min(r["minute"] for r in v)), "last": stamp(max(r["minute"] for r in v))} for k, v in ranked]}

    # reply_swarms
    to_tweet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in replies:
        if r["userid"] != "":
            to_tweet[r["in_reply_to_tweetid"]].append(r)
    swarmed = {k: v for k, v in to_tweet.items() if len(v) >= 5}
    per_target: dict[str, dict[str, Any]] = defaultdict(lambda: {"tweets": set(), "replies": 0, "accounts": set()})
    for k, v in swarmed.items():
        for r in v:
            if r["in_reply_to_userid"] == "":
                continue
            e = per_target[r["in_reply_to_userid"]]
            e["tweets"].add(k)
            e["replies"] += 1
            e["accounts"].add(r["userid"])
    targets = sorted(({"userid": k, "swarmed_tweets": len(e["tweets"]), "replies": e["replies"], "accounts": len(e["accounts"])}
                      for k, e in per_target.items()), key=lambda x: (-x["swarmed_tweets"], -x["replies"], x["userid"]))[:20]

    # creation
    creation = None
    if u is not None:
        days: dict[str, int] = defaultdict(int)
        for d in u["account_creation_date"]:
            if d[:10]:
                days[d[:10]] += 1
        busiest = sorted(days.items(), key=lambda x: (-x[1], x[0]))[:10]
        tweeted = set(t["userid"])
        first_created: dict[str, str] = {}
        for uid, d in zip(u["userid"], u["account_creation_date"], strict=True):
            first_created.setdefault(uid, d[:10])
        first_tweet: dict[str, int] = {}
        for r in rows:
            first_tweet[r["userid"]] = min(first_tweet.get(r["userid"], r["minute"]), r["minute"])
        waits = [(dt.datetime.fromtimestamp(first_tweet[uid] * 60, dt.UTC).date() - dt.date.fromisoformat(c)).days
                 for uid, c in first_created.items() if c and uid and uid in first_tweet]
        counted: dict[int, int] = defaultdict(int)
        for w in waits:
            counted[w] += 1
        creation = {"busiest_days": [{"date": d, "count": c} for d, c in busiest],
                    "share_on_busiest_days": _share(sum(c for _, c in busiest), len(u)),
                    "never_tweeted": len(set(u["userid"]) - tweeted), "dormancy_days_median": _median(waits),
                    "dormancy_days": [{"days": d, "count": c} for d, c in sorted(counted.items())],
                    "per_day": [{"date": d, "count": c} for d, c in sorted(days.items())]}

    # working_hours
    by_offset = []
    for offset in range(-12, 15):
        inside = 0
        for r in rows:
            local = r["when"] + dt.timedelta(hours=offset)
            inside += local.weekday() < 5 and 9 <= local.hour <= 17
        by_offset.append((offset, inside))
    best = max(by_offset, key=lambda x: (x[1], -x[0]))
    working = {"best_utc_offset": best[0], "share": _share(best[1], len(rows)),
               "by_offset": [{"offset": o, "share": _share(n, len(rows))} for o, n in by_offset]}

    # posting_tools
    with open(CLIENTS, newline="", encoding="utf-8") as f:
        kinds = {r["client"]: r["class"] for r in csv.DictReader(f)}
    counts = {"official": 0, "automation": 0, "other": 0}
    users_of: dict[str, set[str]] = defaultdict(set)
    tweets_of: dict[str, int] = defaultdict(int)
    months: dict[str, dict[str, int]] = {}
    for r in rows:
        kind = kinds.get(r["tweet_client_name"], "other")
        counts[kind] += 1
        months.setdefault(r["tweet_time"][:7], {"official": 0, "automation": 0, "other": 0})[kind] += 1
        if kind == "other" and r["tweet_client_name"] != "":
            users_of[r["tweet_client_name"]].add(r["userid"])
            tweets_of[r["tweet_client_name"]] += 1
    shared = sorted(((c, len(v - {""}), tweets_of[c]) for c, v in users_of.items() if len(v - {""}) >= 2), key=lambda x: (-x[1], -x[2], x[0]))
    tools = {"official_share": _share(counts["official"], len(rows)), "automation_share": _share(counts["automation"], len(rows)),
             "other_share": _share(counts["other"], len(rows)),
             "other_shared": [{"client": c, "accounts": a, "tweets": n} for c, a, n in shared[:20]],
             "by_month": [{"month": m, **v} for m, v in sorted(months.items())]}

    # engagement_concentration
    values = sorted(sum(int(r[k] or 0) for k in ("like_count", "retweet_count", "reply_count", "quote_count")) for r in originals)
    n, total = len(values), sum(values)
    top = sum(sorted(values, reverse=True)[: math.ceil(n / 100)]) if n else 0
    gini = None
    if n and total:
        from fractions import Fraction

        g = Fraction(2 * sum(i * x for i, x in enumerate(values, 1)), n * total) - Fraction(n + 1, n)
        gini = round(g.numerator / g.denominator, 4)
    lorenz = []
    if n and total:
        lorenz = [{"tweets": 0.0, "engagement": 0.0}] + [
            {"tweets": round(math.ceil(n * k / 20) / n, 4), "engagement": round(sum(values[: math.ceil(n * k / 20)]) / total, 4)}
            for k in range(1, 21)]
    engagement = {"original_tweets": n, "zero_share": _share(sum(1 for v in values if v == 0), n),
                  "top_1pct_share": _share(top, total), "gini": gini, "lorenz": lorenz}

    return {"in_network": in_network, "co_retweet": co, "co_retweet_groups": groups, "copy_paste": copy,
            "reply_swarms": {"swarmed_tweets": len(swarmed), "targets": targets}, "creation": creation,
            "working_hours": working, "posting_tools": tools, "engagement_concentration": engagement}
