"""An independent, whole-file pandas computation of the published statistics.

Written separately from takedowns.stats (no shared code beyond the format's
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
    return {
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
