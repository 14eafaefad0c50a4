"""An independent, whole-file pandas computation of the published statistics.

Written separately from takedowns.statistics.partials (no shared code beyond the format's
column names) so that tests can check the streaming path against it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd


def _read(paths: list[Path]) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig") for p in paths]
    return pd.concat(frames, ignore_index=True)


def _items(cell: str) -> list[str]:
    inner = cell.strip().strip("[]").strip()
    if not inner:
        return []
    return [x.strip().strip("'\"").strip() for x in inner.split(", ") if x.strip().strip("'\"").strip()]


def _top(counter: Counter, n: int | None = 20) -> list[dict[str, Any]]:
    ranked = sorted(((v, c) for v, c in counter.items() if v != ""), key=lambda x: (-x[1], x[0]))
    return [{"value": v, "count": c} for v, c in (ranked[:n] if n else ranked)]


def _domain(url: str) -> str | None:
    m = re.match(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//(?:[^@/?#\s]*@)?([^/?#:\s]*)", url)
    if not m:
        return None
    host = m.group(1).lower()
    return host[4:] if host.startswith("www.") else host


def reference_stats(users: list[Path], tweets: list[Path]) -> dict[str, Any]:
    u, t = _read(users), _read(tweets)
    hashtags: Counter = Counter()
    domains: Counter = Counter()
    mentions: Counter = Counter()
    for h, urls, m in zip(t["hashtags"], t["urls"], t["user_mentions"]):
        hashtags.update(x.lower().lstrip("#") for x in _items(h))
        domains.update(d for d in (_domain(x) for x in _items(urls)) if d)
        mentions.update(_items(m))
    days = Counter(t["tweet_time"].str[:10])
    names = dict(zip(u["userid"], u["user_screen_name"]))
    per_user = _top(Counter(t["userid"]))
    followers = pd.to_numeric(u["follower_count"].replace("", "0"))
    weekday_hour = Counter((pd.Timestamp(x[:10]).day_name(), int(x[11:13])) for x in t["tweet_time"])
    bands = [(0, 0), (1, 9), (10, 99), (100, 999), (1000, 9999), (10_000, 99_999), (100_000, None)]
    return {
        "replies": int(t["in_reply_to_tweetid"].ne("").sum()),
        "quote_tweets": int(t["quoted_tweet_tweetid"].ne("").sum()),
        "retweet_share": round(int(t["is_retweet"].str.lower().eq("true").sum()) / len(t), 4),
        "reply_share": round(int(t["in_reply_to_tweetid"].ne("").sum()) / len(t), 4),
        "most_active_accounts": [{"userid": r["value"], "screen_name": names.get(r["value"]), "tweets": r["count"]} for r in per_user],
        "hour_weekday": [{"weekday": d, "hour": h, "count": weekday_hour.get((d, h), 0)}
                         for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday") for h in range(24)],
        "top_locations": _top(Counter(u["user_reported_location"].str.strip())),
        "accounts_created_per_month": [{"month": m, "count": c} for m, c in sorted(Counter(u["account_creation_date"].str[:7]).items())],
        "follower_distribution_counts": [int(((followers >= lo) & ((followers <= hi) if hi is not None else True)).sum()) for lo, hi in bands],
        "followers_median": (lambda m: int(m) if float(m).is_integer() else float(m))(followers.median()),
        "followers_total": int(followers.sum()),
        "tweets": len(t),
        "accounts": len(u),
        "active_accounts": t["userid"].nunique(),
        "first_tweet": t["tweet_time"].min()[:10] + "T" + t["tweet_time"].min()[11:16] + "Z",
        "last_tweet": t["tweet_time"].max()[:10] + "T" + t["tweet_time"].max()[11:16] + "Z",
        "retweets": int(t["is_retweet"].str.lower().eq("true").sum()),
        "top_hashtags": _top(hashtags),
        "top_domains": _top(domains),
        "top_mentions": _top(mentions),
        "top_clients": _top(Counter(t["tweet_client_name"])),
        "tweet_languages": _top(Counter(t["tweet_language"]), None),
        "tweets_per_day": [{"date": d, "count": c} for d, c in sorted(days.items())],
        "account_languages": _top(Counter(u["account_language"].str.lower()), None),
        "engagement": {"likes": int(pd.to_numeric(t["like_count"].replace("", "0")).sum()),
                       "retweets": int(pd.to_numeric(t["retweet_count"].replace("", "0")).sum()),
                       "replies": int(pd.to_numeric(t["reply_count"].replace("", "0")).sum()),
                       "quotes": int(pd.to_numeric(t["quote_count"].replace("", "0")).sum())},
    }
