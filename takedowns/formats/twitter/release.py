"""Twitter's information-operations archive: a users CSV and one or more tweets CSVs per release."""

from __future__ import annotations

from typing import Any

from ...statistics.contract import INT, OBJ, Key, _null, top_list
from ..registry import Format, Role, Rule, register
from .partial import TweetsPartial, UsersPartial, figures, partial_of_tweets, partial_of_users
from .signals import DEFINITIONS, NOTE, READER

_SIGNAL_TYPES = {"co_retweet": "array", "co_retweet_groups": "array", "creation": ["object", "null"]}
_DAYS = {"type": "array", "items": {"type": "object", "required": ["date", "count"]}}
# stats.json: what Twitter releases publish. Keys with a default are in every stats.json (null or [] without such data).
CONTRACT = (
    Key("tweets", _null("integer"), "rows of the tweets files (null without a tweets dataset)", None),
    Key("accounts", _null("integer"), "rows of the users file (null without one)", None),
    Key("active_accounts", _null("integer"), "distinct `userid` among the tweets", None),
    Key("first_tweet", _null("string"), "`YYYY-MM-DDTHH:MMZ`, UTC", None),
    Key("last_tweet", _null("string"), "`YYYY-MM-DDTHH:MMZ`, UTC", None),
    Key("retweets", _null("integer"), "tweets that are retweets", None),
    Key("replies", INT, "tweets that are replies"),
    Key("quote_tweets", INT, "tweets that quote another"),
    Key("retweet_share", _null("number"), "retweets ÷ tweets, 4 decimals"),
    Key("reply_share", _null("number"), "replies ÷ tweets, 4 decimals"),
    Key("tweets_per_day", _DAYS, "`[{\"date\": \"YYYY-MM-DD\", \"count\"}]`, ascending, days with tweets", []),
    Key("hour_weekday", {"type": "array"}, "`[{\"weekday\", \"hour\", \"count\"}]`, all 7 × 24 cells, UTC"),
    Key("tweet_languages", top_list(), "all values, `[{\"value\", \"count\"}]`, count descending, ties by value", []),
    Key("account_languages", top_list(), "all values, lowercased"),
    Key("top_hashtags", top_list(), "top 20, lowercased, leading `#` removed", []),
    Key("top_domains", top_list(), "top 20 hosts of linked URLs, lowercased, without port or leading `www.`", []),
    Key("top_mentions", top_list(), "top 20 mentioned account ids"),
    Key("top_clients", top_list(), "top 20 posting clients"),
    Key("top_locations", top_list(), "top 20 reported locations"),
    Key("most_active_accounts", {"type": "array"}, "top 20 `{\"userid\", \"screen_name\", \"tweets\"}`"),
    Key("accounts_created_per_month", {"type": "array"}, "`[{\"month\": \"YYYY-MM\", \"count\"}]`"),
    Key("follower_distribution", {"type": "array"}, "accounts per follower-count band"),
    Key("followers_median", _null("number"), "median follower count"),
    Key("followers_total", INT, "sum of follower counts"),
    Key("engagement", OBJ, "sums of `likes`, `retweets`, `replies`, `quotes` received (empty counts are 0)"),
    Key("signals", {"type": ["object", "null"], "required": [k for k, _ in DEFINITIONS],
                    "properties": {k: {"type": _SIGNAL_TYPES.get(k, "object"), "description": d} for k, d in DEFINITIONS}},
        "coordination signals, null without a tweets dataset: `signals.<key>` below and the Methods page. " + NOTE, None,
        parts=DEFINITIONS),
)

USER_COLUMNS = (
    "userid", "user_display_name", "user_screen_name", "user_reported_location",
    "user_profile_description", "user_profile_url", "follower_count", "following_count",
    "account_creation_date", "account_language",
)
TWEET_COLUMNS = ("tweetid", *USER_COLUMNS) + (
    "tweet_language", "tweet_text", "tweet_time", "tweet_client_name", "in_reply_to_tweetid",
    "in_reply_to_userid", "quoted_tweet_tweetid", "is_retweet", "retweet_userid", "retweet_tweetid",
    "latitude", "longitude", "quote_count", "reply_count", "like_count", "retweet_count",
    "hashtags", "urls", "user_mentions", "poll_choices",
)


_DAY = r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_COUNT_DIGITS = 15  # a count above 10^15 is no real count, and sums of such counts stay exact in 64 bits per batch

# Every value of these columns is checked by both readers; everything else is text.
RULES: dict[str, Rule] = {
    "tweet_time": Rule(_DAY + r" (?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?", "a real date and time YYYY-MM-DD HH:MM[:SS], 1900–2099", True),
    "account_creation_date": Rule(_DAY, "a real date YYYY-MM-DD, 1900–2099", True),
    "is_retweet": Rule(r"true|false|True|False", "true or false"),
    **{c: Rule(rf"\d{{0,{_COUNT_DIGITS}}}", f"a whole number of at most {_COUNT_DIGITS} digits, or empty")
       for c in ("follower_count", "following_count", "quote_count", "reply_count", "like_count", "retweet_count")},
}


TWITTER = register(Format(
    name="twitter",
    label="Twitter information-operations archive (users and tweets CSV)",
    roles={
        "users": Role("users", "Accounts", USER_COLUMNS,
                      ("userid", "user_screen_name", "user_reported_location", "follower_count", "account_creation_date", "account_language"),
                      "userid", UsersPartial, partial_of_users, {c: r for c, r in RULES.items() if c in USER_COLUMNS}),
        "tweets": Role("tweets", "Tweets", TWEET_COLUMNS,
                       ("tweetid", "userid", "tweet_language", "tweet_text", "tweet_time", "tweet_client_name", "in_reply_to_tweetid",
                        "in_reply_to_userid", "quoted_tweet_tweetid", "is_retweet", "retweet_userid", "retweet_tweetid",
                        "quote_count", "reply_count", "like_count", "retweet_count", "hashtags", "urls", "user_mentions"),
                       "tweetid", TweetsPartial, partial_of_tweets, RULES),
    },
    figures=lambda parts: _figures(parts),
    charts="takedowns.formats.twitter.charts",
    contract=CONTRACT,
    profile=lambda parts: _profile(parts),
    methods=lambda: _methods(),
))


def _profile(parts: dict[str, Any]) -> Any:
    from .profile import profile_of

    return profile_of(parts["tweets"], parts.get("users")) if "tweets" in parts else None


def _methods() -> dict[str, Any]:
    """The Methods page's signal definitions and the posting-client list."""
    import csv

    from .signal_rows import CLIENTS_FILE

    with CLIENTS_FILE.open(encoding="utf-8", newline="") as f:
        clients = list(csv.DictReader(f))
    return {"definitions": [(key, *READER[key], meaning) for key, meaning in DEFINITIONS], "note": NOTE, "clients": clients}


def _figures(parts: dict[str, Any]) -> dict[str, Any]:
    return figures(parts.get("tweets"), parts.get("users"))
