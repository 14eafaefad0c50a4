"""Statistics of a release as partial aggregates that merge.

``partial_of_tweets``/``partial_of_users`` turn one Arrow batch into a partial;
``merge`` adds partials (chunk by chunk here, partition by partition on a
cluster); ``figures`` turns the merged partials into the published statistics.
Every function here is pure: data in, data out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

TOP = 20
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FOLLOWER_BINS = ((0, 0, "0"), (1, 9, "1–9"), (10, 99, "10–99"), (100, 999, "100–999"),
                 (1000, 9999, "1,000–9,999"), (10_000, 99_999, "10,000–99,999"), (100_000, None, "100,000 or more"))

_HOST = r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//(?:[^@/?#\s]*@)?(?P<host>[^/?#:\s]*)"


@dataclass
class TweetsPartial:
    rows: int = 0
    retweets: int = 0
    replies: int = 0
    quotes: int = 0
    first: str | None = None
    last: str | None = None
    likes: int = 0
    retweeted: int = 0
    replied: int = 0
    quoted: int = 0
    day_hours: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    hashtags: Counter[str] = field(default_factory=Counter)
    domains: Counter[str] = field(default_factory=Counter)
    mentions: Counter[str] = field(default_factory=Counter)
    clients: Counter[str] = field(default_factory=Counter)
    users: Counter[str] = field(default_factory=Counter)


@dataclass
class UsersPartial:
    rows: int = 0
    created_months: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    locations: Counter[str] = field(default_factory=Counter)
    followers: Counter[int] = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)
    duplicates: Counter[str] = field(default_factory=Counter)  # userids given on more than one row: extra rows each


Partial = TweetsPartial | UsersPartial


def merge(a: Any, b: Any) -> Any:
    """Return the partial of both inputs; ``a`` is updated in place and returned.

    Works for any partial dataclass: counters add, dicts keep the first value of a key, lists
    concatenate, ``first``/``last`` keep the extreme, numbers add.
    """
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "first":
            setattr(a, f.name, y if x is None or (y is not None and y < x) else x)
        elif f.name == "last":
            setattr(a, f.name, y if x is None or (y is not None and y > x) else x)
        elif isinstance(x, Counter):
            x.update(y)
        elif isinstance(x, dict):
            if f.name == "names":  # the same account in two parts of a users file
                a.duplicates.update(x.keys() & y.keys())  # type: ignore[union-attr]
            for k, v in y.items():
                x.setdefault(k, v)
        else:
            setattr(a, f.name, x + y)
    return a


def _counts(values: pa.Array | pa.ChunkedArray) -> Counter[Any]:
    """Count the non-empty values of an array."""
    if len(values) == 0:
        return Counter()
    vc = pc.value_counts(values)
    result = Counter(dict(zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True)))
    result.pop("", None)
    result.pop(None, None)
    return result


def list_items(column: pa.Array) -> pa.Array:
    """Split released list fields (``[a, b]``, ``['a', 'b']``, ``[]`` or empty) into one array of items."""
    inner = pc.utf8_trim(column, characters="[] ")
    items = pc.list_flatten(pc.split_pattern(inner, pattern=", "))
    items = pc.utf8_trim(items, characters="'\" ")
    return pc.filter(items, pc.not_equal(items, ""))


def hashtag_keys(items: pa.Array) -> pa.Array:
    """Lowercase hashtags and drop leading '#', so #Maduro and maduro count together."""
    return pc.replace_substring_regex(pc.utf8_lower(items), pattern="^#+", replacement="")


def url_domains(items: pa.Array) -> pa.Array:
    """Return the host of each URL, lowercased, without port or a leading ``www.``."""
    host = pc.struct_field(pc.extract_regex(items, pattern=_HOST), [0])
    host = pc.utf8_lower(pc.drop_null(host))
    return pc.replace_substring_regex(host, pattern=r"^www\.", replacement="")


def _int_sum(column: pa.Array) -> int:
    """Return the exact sum of a column of counts (empty is 0); never wraps around."""
    if len(column) == 0:
        return 0
    numbers = pc.cast(pc.if_else(pc.equal(column, ""), "0", column), pa.int64())
    largest = int(pc.max(numbers).as_py() or 0)
    if largest * len(numbers) < 2**63:  # no 64-bit sum of these can overflow
        return int(pc.sum(numbers).as_py() or 0)
    return sum(numbers.to_pylist())  # Python integers: exact however large


def partial_of_tweets(batch: pa.RecordBatch | pa.Table) -> TweetsPartial:
    """Return the partial statistics of a batch of tweets rows."""
    col = batch.column
    times = col("tweet_time")
    bounds = pc.min_max(times) if len(times) else None
    retweet = pc.is_in(col("is_retweet"), pa.array(["true", "True"]))
    return TweetsPartial(
        rows=batch.num_rows,
        retweets=int(pc.sum(retweet).as_py() or 0),
        replies=int(pc.sum(pc.not_equal(col("in_reply_to_tweetid"), "")).as_py() or 0),
        quotes=int(pc.sum(pc.not_equal(col("quoted_tweet_tweetid"), "")).as_py() or 0),
        first=bounds["min"].as_py() if bounds else None,
        last=bounds["max"].as_py() if bounds else None,
        likes=_int_sum(col("like_count")),
        retweeted=_int_sum(col("retweet_count")),
        replied=_int_sum(col("reply_count")),
        quoted=_int_sum(col("quote_count")),
        day_hours=_counts(pc.utf8_slice_codeunits(times, 0, 13)),
        languages=_counts(col("tweet_language")),
        hashtags=_counts(hashtag_keys(list_items(col("hashtags")))),
        domains=_counts(url_domains(list_items(col("urls")))),
        mentions=_counts(list_items(col("user_mentions"))),
        clients=_counts(col("tweet_client_name")),
        users=_counts(col("userid")),
    )


def partial_of_users(batch: pa.RecordBatch | pa.Table) -> UsersPartial:
    """Return the partial statistics of a batch of users rows."""
    col = batch.column
    followers = pc.cast(pc.if_else(pc.equal(col("follower_count"), ""), "0", col("follower_count")), pa.int64())
    ids = col("userid").to_pylist()
    names = col("user_screen_name").to_pylist() if "user_screen_name" in batch.schema.names else ids
    counts = pc.value_counts(col("userid"))
    repeated = pc.filter(counts, pc.greater(counts.field("counts"), 1))
    return UsersPartial(
        rows=batch.num_rows,
        created_months=_counts(pc.utf8_slice_codeunits(col("account_creation_date"), 0, 7)),
        languages=_counts(pc.utf8_lower(col("account_language"))),
        locations=_counts(pc.utf8_trim_whitespace(col("user_reported_location"))),
        followers=_counts(followers),
        names=dict(zip(ids, names, strict=True)),
        duplicates=Counter({v: c - 1 for v, c in zip(repeated.field("values").to_pylist(), repeated.field("counts").to_pylist(), strict=True)}),
    )


def top(counter: Counter[Any], n: int | None = TOP) -> list[dict[str, Any]]:
    """Return the ``n`` most common values, count descending, ties by value ascending."""
    ranked = sorted(((v, c) for v, c in counter.items() if v not in ("", None) and c > 0), key=lambda vc: (-vc[1], vc[0]))
    return [{"value": v, "count": c} for v, c in (ranked if n is None else ranked[:n])]


def _minute(text: str | None) -> str | None:
    return None if text is None else f"{text[:10]}T{text[11:16]}Z"


def figures(tweets: TweetsPartial | None, users: UsersPartial | None) -> dict[str, Any]:
    """Return the published statistics of a release from its merged partials."""
    out: dict[str, Any] = {}
    if users is not None:
        out.update(_user_figures(users))
    if tweets is not None:
        out.update(_tweet_figures(tweets, users))
    return out


def _user_figures(u: UsersPartial) -> dict[str, Any]:
    bins = []
    for low, high, label in FOLLOWER_BINS:
        n = sum(c for f, c in u.followers.items() if f >= low and (high is None or f <= high))
        bins.append({"bin": label, "count": n})
    return {
        "accounts": u.rows,
        "accounts_created_per_month": [{"month": m, "count": c} for m, c in sorted(u.created_months.items())],
        "account_languages": top(u.languages, None),
        "top_locations": top(u.locations),
        "follower_distribution": bins,
        "followers_median": _median(u.followers),
        "followers_total": sum(f * c for f, c in u.followers.items()),
    }


def _median(counts: Counter[int]) -> float | int | None:
    """Return the median of values given as value -> how often, without expanding them."""
    n = sum(counts.values())
    if n == 0:
        return None
    wanted, found, seen = ((n - 1) // 2, n // 2), [], 0
    for value in sorted(counts):
        while len(found) < 2 and seen + counts[value] > wanted[len(found)]:
            found.append(value)
        seen += counts[value]
    low, high = found
    return low if low == high else (low + high) / 2


PARTIAL_TYPES: dict[str, type] = {}  # every partial class of every format, by name, for the cache


def partial_type(cls: type) -> type:
    """Register a partial dataclass so ``to_json``/``from_json`` can store it (formats call this)."""
    PARTIAL_TYPES[cls.__name__] = cls
    return cls


partial_type(TweetsPartial)
partial_type(UsersPartial)


def to_json(p: Any) -> dict[str, Any]:
    """Return a partial as plain JSON values (for the cache)."""
    out: dict[str, Any] = {"kind": type(p).__name__}
    for f in fields(p):
        value = getattr(p, f.name)
        out[f.name] = sorted(value.items()) if isinstance(value, dict) else value
    return out


def from_json(data: dict[str, Any]) -> Any:
    """Return the partial that ``to_json`` wrote; its fields' factories say what each list was."""
    cls = PARTIAL_TYPES[data["kind"]]
    values: dict[str, Any] = {}
    for f in fields(cls):
        value = data[f.name]
        factory = f.default_factory if f.default_factory is not MISSING else None  # type: ignore[misc]
        if factory is Counter:
            value = Counter({(k if not isinstance(k, list) else tuple(k)): v for k, v in value})
        elif factory is dict:
            value = {(k if not isinstance(k, list) else tuple(k)): v for k, v in value}
        elif factory is list:
            value = list(value)
        values[f.name] = value
    return cls(**values)


def _tweet_figures(t: TweetsPartial, users: UsersPartial | None) -> dict[str, Any]:
    per_day: Counter[str] = Counter()
    grid: Counter[tuple[int, int]] = Counter()
    for day_hour, n in t.day_hours.items():
        day = day_hour[:10]
        per_day[day] += n
        grid[(dt.date.fromisoformat(day).weekday(), int(day_hour[11:13]))] += n
    names = users.names if users else {}
    active = [{"userid": r["value"], "screen_name": names.get(r["value"]), "tweets": r["count"]} for r in top(t.users)]
    return {
        "tweets": t.rows,
        "active_accounts": len(t.users),
        "first_tweet": _minute(t.first),
        "last_tweet": _minute(t.last),
        "retweets": t.retweets,
        "replies": t.replies,
        "quote_tweets": t.quotes,
        "retweet_share": round(t.retweets / t.rows, 4) if t.rows else None,
        "reply_share": round(t.replies / t.rows, 4) if t.rows else None,
        "tweets_per_day": [{"date": d, "count": c} for d, c in sorted(per_day.items())],
        "hour_weekday": [{"weekday": WEEKDAYS[w], "hour": h, "count": grid.get((w, h), 0)} for w in range(7) for h in range(24)],
        "tweet_languages": top(t.languages, None),
        "top_hashtags": top(t.hashtags),
        "top_domains": top(t.domains),
        "top_mentions": top(t.mentions),
        "top_clients": top(t.clients),
        "most_active_accounts": active,
        "engagement": {"likes": t.likes, "retweets": t.retweeted, "replies": t.replied, "quotes": t.quoted},
    }
