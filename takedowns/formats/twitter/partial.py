"""Twitter's partial statistics: one Arrow batch of a users or tweets file in, a partial that merges out,
and the published figures from the merged partials.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ...statistics.counts import Counts
from ...statistics.partials import WEEKDAYS, median, partial_type, top
from ...statistics.rows import Rows
from .signal_rows import CLIENT_USERS, ENGAGEMENT, KEYED, REPLIES, minutes, rows_of_tweets
from .signals import signals

FOLLOWER_BINS = ((0, 0, "0"), (1, 9, "1–9"), (10, 99, "10–99"), (100, 999, "100–999"),
                 (1000, 9999, "1,000–9,999"), (10_000, 99_999, "10,000–99,999"), (100_000, None, "100,000 or more"))

_HOST = r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//(?:[^@/?#\s]*@)?(?P<host>[^/?#:\s]*)"



def _strings() -> Counts:
    return Counts(pa.string())


def _integers() -> Counts:
    return Counts(pa.int64())


def _smallest() -> Counts:
    return Counts(pa.string(), "min")


def _largest() -> Counts:
    return Counts(pa.string(), "max")


def _keyed() -> Rows:
    return Rows(KEYED, "key")


def _replies() -> Rows:
    return Rows(REPLIES, "key")


def _client_users() -> Rows:
    return Rows(CLIENT_USERS, "key")


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
    day_hours: Counts = field(default_factory=_strings)
    languages: Counts = field(default_factory=_strings)
    hashtags: Counts = field(default_factory=_strings)
    domains: Counts = field(default_factory=_strings)
    mentions: Counts = field(default_factory=_strings)
    clients: Counts = field(default_factory=_strings)
    users: Counts = field(default_factory=_strings)
    # for the coordination signals (signal_rows.py, signals.py)
    originals: int = 0  # tweets that are not retweets
    retweeted_users: Counts = field(default_factory=_strings)
    replied_users: Counts = field(default_factory=_strings)
    engagement_values: Counts = field(default_factory=_integers)  # of tweets that are not retweets
    first_minutes: Counts = field(default_factory=_smallest)  # each account's first tweet, minutes since 1970
    client_users: Rows = field(default_factory=_client_users)  # (client, account) of clients not in the kept list
    client_months: Counts = field(default_factory=_strings)  # month + client
    co_retweets: Rows = field(default_factory=_keyed)  # retweets by retweeted tweet
    texts: Rows = field(default_factory=_keyed)  # original tweets by normalised text
    reply_rows: Rows = field(default_factory=_replies)  # replies by replied tweet
    # for the cross-campaign views (profile.py)
    domain_first: Counts = field(default_factory=_smallest)  # each linked host's first minute
    domain_last: Counts = field(default_factory=_largest)  # ... and last


@dataclass
class UsersPartial:
    rows: int = 0
    created_months: Counts = field(default_factory=_strings)
    created_days: Counts = field(default_factory=_strings)
    languages: Counts = field(default_factory=_strings)
    locations: Counts = field(default_factory=_strings)
    followers: Counts = field(default_factory=_integers)
    ids: Counts = field(default_factory=_strings)  # rows per userid: more than one is an account given twice
    names: list[pa.Table] = field(default_factory=list)  # (userid, screen_name, created), in file order

    @property
    def duplicates(self) -> dict[str, int]:
        """Userids given on more than one row: how many extra rows each."""
        return {v: c - 1 for v, c in self.ids.values_with_count_above(1)}

    def screen_names(self, userids: list[str]) -> dict[str, str]:
        """Return the screen name of each of ``userids`` (the first row's, as released)."""
        found: dict[str, str] = {}
        wanted = pa.array(userids, pa.string())
        for table in self.names:
            hit = table.filter(pc.is_in(table.column("userid"), value_set=wanted))
            for u, n in zip(hit.column("userid").to_pylist(), hit.column("screen_name").to_pylist(), strict=True):
                found.setdefault(u, n)
        return found


Partial = TweetsPartial | UsersPartial


def _counts(values: pa.Array | pa.ChunkedArray) -> Counts:
    """Count the non-empty values of an array."""
    return Counts.of(values)


def list_items(column: pa.Array) -> pa.Array:
    """Split released list fields (``[a, b]``, ``['a', 'b']``, ``[]`` or empty) into one array of items."""
    return list_items_with_rows(column)[0]


def list_items_with_rows(column: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Return ``list_items`` and, for each item, the row it comes from."""
    split = pc.split_pattern(pc.utf8_trim(column, characters="[] "), pattern=", ")
    items = pc.utf8_trim(pc.list_flatten(split), characters="'\" ")
    keep = pc.not_equal(items, "")
    return pc.filter(items, keep), pc.filter(pc.list_parent_indices(split), keep)


def hashtag_keys(items: pa.Array) -> pa.Array:
    """Lowercase hashtags and drop leading '#', so #Maduro and maduro count together."""
    return pc.replace_substring_regex(pc.utf8_lower(items), pattern="^#+", replacement="")


def url_domains(items: pa.Array) -> pa.Array:
    """Return the host of each URL, lowercased, without port or a leading ``www.``."""
    return pc.drop_null(url_hosts(items))


def url_hosts(items: pa.Array) -> pa.Array:
    """``url_domains`` item by item: null where an item has no host."""
    host = pc.utf8_lower(pc.struct_field(pc.extract_regex(items, pattern=_HOST), [0]))
    return pc.replace_substring_regex(host, pattern=r"^www\.", replacement="")


def numbers(column: pa.Array) -> pa.Array:
    """A column of counts as 64-bit integers, empty as 0 (the reader allows at most 15 digits)."""
    return pc.cast(pc.if_else(pc.equal(column, ""), "0", column), pa.int64())


def _int_sum(values: pa.Array) -> int:
    """Return the exact sum of ``numbers`` of a column of counts; never wraps around."""
    if len(values) == 0:
        return 0
    largest = int(pc.max(values).as_py() or 0)
    if largest * len(values) < 2**63:  # no 64-bit sum of these can overflow
        return int(pc.sum(values).as_py() or 0)
    return sum(values.to_pylist())  # Python integers: exact however large


def _hosts(urls: pa.Array, minute: pa.Array) -> dict[str, Counts]:
    """Linked hosts, counted, with each one's first and last minute: one parse of the URLs for both."""
    items, rows = list_items_with_rows(urls)
    hosts = url_hosts(items)
    found = pc.is_valid(hosts)
    hosts, when = pc.filter(hosts, found), pc.filter(pc.take(minute, rows), found)
    return {"domains": _counts(hosts), "domain_first": Counts.smallest(hosts, when), "domain_last": Counts.smallest(hosts, when, "max")}


def partial_of_tweets(batch: pa.RecordBatch | pa.Table) -> TweetsPartial:
    """Return the partial statistics of a batch of tweets rows."""
    col = batch.column
    times = col("tweet_time")
    bounds = pc.min_max(times) if len(times) else None
    retweet = pc.is_in(col("is_retweet"), pa.array(["true", "True"]))
    minute = minutes(times)
    engagement = [numbers(col(name)) for name in ENGAGEMENT]  # cast once: summed here, added up per tweet for the signals
    return TweetsPartial(
        rows=batch.num_rows,
        retweets=int(pc.sum(retweet).as_py() or 0),
        replies=int(pc.sum(pc.not_equal(col("in_reply_to_tweetid"), "")).as_py() or 0),
        quotes=int(pc.sum(pc.not_equal(col("quoted_tweet_tweetid"), "")).as_py() or 0),
        first=bounds["min"].as_py() if bounds else None,
        last=bounds["max"].as_py() if bounds else None,
        likes=_int_sum(engagement[0]),
        retweeted=_int_sum(engagement[1]),
        replied=_int_sum(engagement[2]),
        quoted=_int_sum(engagement[3]),
        day_hours=_counts(pc.utf8_slice_codeunits(times, 0, 13)),
        languages=_counts(col("tweet_language")),
        hashtags=_counts(hashtag_keys(list_items(col("hashtags")))),
        **_hosts(col("urls"), minute),
        mentions=_counts(list_items(col("user_mentions"))),
        clients=_counts(col("tweet_client_name")),
        users=_counts(col("userid")),
        **rows_of_tweets(batch, retweet, minute, engagement),
    )


def partial_of_users(batch: pa.RecordBatch | pa.Table) -> UsersPartial:
    """Return the partial statistics of a batch of users rows."""
    col = batch.column
    followers = pc.cast(pc.if_else(pc.equal(col("follower_count"), ""), "0", col("follower_count")), pa.int64())
    names = col("user_screen_name") if "user_screen_name" in batch.schema.names else col("userid")
    return UsersPartial(
        rows=batch.num_rows,
        created_months=_counts(pc.utf8_slice_codeunits(col("account_creation_date"), 0, 7)),
        created_days=_counts(pc.utf8_slice_codeunits(col("account_creation_date"), 0, 10)),
        languages=_counts(pc.utf8_lower(col("account_language"))),
        locations=_counts(pc.utf8_trim_whitespace(col("user_reported_location"))),
        followers=Counts.of(followers),
        ids=Counts.of(col("userid")),
        names=[pa.table({"userid": col("userid"), "screen_name": names,
                         "created": pc.utf8_slice_codeunits(col("account_creation_date"), 0, 10)})],
    )


def _minute(text: str | None) -> str | None:
    return None if text is None else f"{text[:10]}T{text[11:16]}Z"


def figures(tweets: TweetsPartial | None, users: UsersPartial | None) -> dict[str, Any]:
    """Return the published statistics of a release from its merged partials."""
    out: dict[str, Any] = {}
    if users is not None:
        out.update(_user_figures(users))
    if tweets is not None:
        out.update(_tweet_figures(tweets, users))
        out["signals"] = signals(tweets, users)
    return out


def _user_figures(u: UsersPartial) -> dict[str, Any]:
    followers = u.followers.items()
    bins = []
    for low, high, label in FOLLOWER_BINS:
        n = sum(c for f, c in followers if f >= low and (high is None or f <= high))
        bins.append({"bin": label, "count": n})
    return {
        "accounts": u.rows,
        "accounts_created_per_month": [{"month": m, "count": c} for m, c in u.created_months.items()],
        "account_languages": top(u.languages, None),
        "top_locations": top(u.locations),
        "follower_distribution": bins,
        "followers_median": median(followers),
        "followers_total": sum(f * c for f, c in followers),
    }


partial_type(TweetsPartial)
partial_type(UsersPartial)


def _tweet_figures(t: TweetsPartial, users: UsersPartial | None) -> dict[str, Any]:
    per_day: Counter[str] = Counter()
    grid: Counter[tuple[int, int]] = Counter()
    for day_hour, n in t.day_hours.items():  # at most 24 a day: few values
        day = day_hour[:10]
        per_day[day] += n
        grid[(dt.date.fromisoformat(day).weekday(), int(day_hour[11:13]))] += n
    busiest = top(t.users)
    names = users.screen_names([r["value"] for r in busiest]) if users else {}
    active = [{"userid": r["value"], "screen_name": names.get(r["value"]), "tweets": r["count"]} for r in busiest]
    return {
        "tweets": t.rows,
        "active_accounts": t.users.distinct(),
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
