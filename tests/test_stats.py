"""Statistics of the tiny fixture, worked out by hand (see the comments)."""

from __future__ import annotations

import gzip
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES

from takedowns.content.load import Hasher
from takedowns.content.model import DatasetFile
from takedowns.formats.twitter.partial import figures
from takedowns.statistics.partials import merge
from takedowns.statistics.tasks import Task, run_task


def file(path: Path) -> DatasetFile:
    return DatasetFile(path.name, path, path.stat().st_size, Hasher().sha256(path))


def stats_of(users: Path | None, tweets: list[Path]):  # type: ignore[no-untyped-def]
    u = run_task(Task(file(users), "users", "twitter", False)).partial if users else None
    parts = [run_task(Task(file(t), "tweets", "twitter", False)).partial for t in tweets]
    total = parts[0]
    for p in parts[1:]:
        merge(total, p)
    return figures(total, u)


@pytest.fixture(scope="module")
def tiny() -> dict:
    return stats_of(FIXTURES / "tiny" / "users.csv", [FIXTURES / "tiny" / "tweets.csv"])


def test_counts(tiny: dict) -> None:
    assert tiny["tweets"] == 6
    assert tiny["accounts"] == 4  # rows of the users file
    assert tiny["active_accounts"] == 3  # 111, 222 and abc= tweeted; 0004 did not
    assert tiny["retweets"] == 2  # "true" and "True"
    assert tiny["replies"] == 1  # the one with an in_reply_to_tweetid (in scientific notation)
    assert tiny["quote_tweets"] == 1
    assert tiny["retweet_share"] == 0.3333
    assert tiny["reply_share"] == 0.1667


def test_times(tiny: dict) -> None:
    assert tiny["first_tweet"] == "2019-01-06T00:00Z"
    assert tiny["last_tweet"] == "2019-01-09T05:30Z"
    assert tiny["tweets_per_day"] == [
        {"date": "2019-01-06", "count": 1}, {"date": "2019-01-07", "count": 2},
        {"date": "2019-01-08", "count": 2}, {"date": "2019-01-09", "count": 1},
    ]
    busy = {(c["weekday"], c["hour"]): c["count"] for c in tiny["hour_weekday"] if c["count"]}
    # 2019-01-07 is a Monday, 01-08 a Tuesday, 01-06 a Sunday, 01-09 a Wednesday.
    assert busy == {("Monday", 10): 2, ("Tuesday", 23): 2, ("Sunday", 0): 1, ("Wednesday", 5): 1}
    assert len(tiny["hour_weekday"]) == 7 * 24


def test_top_lists_break_ties_by_value(tiny: dict) -> None:
    # venezuela: 'Venezuela' + '[VENEZUELA]'; news: 'news' twice; noticias once. Tie 2-2 sorted by value.
    assert tiny["top_hashtags"] == [{"value": "news", "count": 2}, {"value": "venezuela", "count": 2},
                                    {"value": "noticias", "count": 1}]
    # www.Example.com:443 and example.com are one domain; sub.example.com is another.
    assert tiny["top_domains"] == [{"value": "example.com", "count": 2}, {"value": "news.test", "count": 1},
                                   {"value": "sub.example.com", "count": 1}]
    assert tiny["top_mentions"] == [{"value": "222", "count": 2}, {"value": "abc=", "count": 2},
                                    {"value": "2876420003", "count": 1}]
    # The empty client name is left out.
    assert tiny["top_clients"] == [{"value": "Twitter Web Client", "count": 3}, {"value": "TweetDeck", "count": 1},
                                   {"value": "Twitter for Android", "count": 1}]
    assert tiny["tweet_languages"] == [{"value": "es", "count": 4}, {"value": "en", "count": 1}, {"value": "und", "count": 1}]
    assert [(a["userid"], a["screen_name"], a["tweets"]) for a in tiny["most_active_accounts"]] == [
        ("111", "alpha", 3), ("222", "null", 2), ("abc=", "abc=", 1)]


def test_engagement_and_users(tiny: dict) -> None:
    assert tiny["engagement"] == {"likes": 14, "retweets": 1, "replies": 0, "quotes": 0}  # empty counts are 0
    assert tiny["account_languages"] == [{"value": "es", "count": 3}, {"value": "en", "count": 1}]  # ES folded into es
    assert tiny["top_locations"] == [{"value": "Caracas", "count": 2}, {"value": "Miami", "count": 1}]
    assert tiny["accounts_created_per_month"] == [{"month": "2017-12", "count": 1}, {"month": "2018-01", "count": 2},
                                                  {"month": "2018-03", "count": 1}]
    bins = {b["bin"]: b["count"] for b in tiny["follower_distribution"]}
    assert bins == {"0": 1, "1–9": 1, "10–99": 1, "100–999": 0, "1,000–9,999": 1, "10,000–99,999": 0, "100,000 or more": 0}
    assert tiny["followers_median"] == 9  # (3 + 15) / 2
    assert tiny["followers_total"] == 1518


def test_same_figures_whatever_the_packaging(tmp_path: Path, tiny: dict) -> None:
    """CRLF line ends, a BOM, gzip, zip and a split into parts change nothing."""
    text = (FIXTURES / "tiny" / "tweets.csv").read_text()
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode())
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    zipped = tmp_path / "t.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("t.csv", text)
    lines = io.StringIO(text).read().split('\n"1000000000000000004"')
    part1, part2 = tmp_path / "p1.csv", tmp_path / "p2.csv"
    part1.write_text(lines[0] + "\n")
    part2.write_text(text.split("\n", 1)[0] + '\n"1000000000000000004"' + lines[1])
    users = FIXTURES / "tiny" / "users.csv"
    for variant in ([crlf], [gz], [zipped], [part1, part2]):
        assert stats_of(users, variant) == tiny, variant
    shutil.rmtree(tmp_path)


def test_merge_is_order_independent() -> None:
    tweets = FIXTURES / "tiny" / "tweets.csv"
    a = run_task(Task(file(tweets), "tweets", "twitter", False)).partial
    b = run_task(Task(file(tweets), "tweets", "twitter", False)).partial
    doubled = figures(merge(a, b), None)
    assert doubled["tweets"] == 12
    assert doubled["active_accounts"] == 3
    assert doubled["top_hashtags"][0] == {"value": "news", "count": 4}
