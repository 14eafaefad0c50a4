"""Dataset formats: which files a release has and which columns each must hold.

A format is registered once here; the schema, the loader and the statistics
look it up by name, so another platform's release format can be added by
registering it (and its statistics) without touching the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Role:
    """One kind of file in a release, e.g. Twitter's users file."""

    name: str
    label: str
    columns: tuple[str, ...]  # the released header, in the usual order
    required: tuple[str, ...]  # what the statistics read; a file lacking one is refused
    key_column: str  # identifies a row in error messages


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    roles: dict[str, Role]


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


TWITTER = register(Format(
    name="twitter",
    label="Twitter information-operations archive (users and tweets CSV)",
    roles={
        "users": Role("users", "Accounts", USER_COLUMNS,
                      ("userid", "user_screen_name", "user_reported_location", "follower_count", "account_creation_date", "account_language"),
                      "userid"),
        "tweets": Role("tweets", "Tweets", TWEET_COLUMNS,
                       ("tweetid", "userid", "tweet_language", "tweet_time", "tweet_client_name", "in_reply_to_tweetid", "quoted_tweet_tweetid",
                        "is_retweet", "quote_count", "reply_count", "like_count", "retweet_count",
                        "hashtags", "urls", "user_mentions"),
                       "tweetid"),
    },
))
