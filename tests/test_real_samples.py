"""Rows from real releases (../shared/real-samples) parse with every quirk intact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SAMPLES, Project

from takedowns.content.load import Hasher
from takedowns.content.model import DatasetFile
from takedowns.errors import DataError
from takedowns.formats import TWITTER
from takedowns.formats.twitter.partial import figures
from takedowns.statistics.read import fast_batches
from takedowns.statistics.tasks import Task, run_task

# CI always has shared/ beside the clone: there a missing folder is a failure, not a skip.
if SAMPLES is None and os.environ.get("CI"):
    raise RuntimeError("CI is set but shared/real-samples is not beside the project")
pytestmark = pytest.mark.skipif(SAMPLES is None, reason="shared/real-samples is not beside the project")


def sample(rel: str) -> DatasetFile:
    path = SAMPLES / rel  # type: ignore[operator]
    return DatasetFile(rel, path, path.stat().st_size, Hasher().sha256(path))


def tweet_stats(rel: str, skip: bool = False) -> dict:
    return figures(run_task(Task(sample(rel), "tweets", "twitter", skip)).partial, None)


def user_stats(rel: str) -> dict:
    return figures(None, run_task(Task(sample(rel), "users", "twitter", False)).partial)


def test_thailand_complete_release() -> None:
    tweets = tweet_stats("thailand_092020/thailand_092020_tweets_csv_hashed.zip")
    users = user_stats("thailand_092020/thailand_092020_users_csv_hashed.zip")
    assert tweets["tweets"] == 21_385  # as SOURCES.md counts them
    assert tweets["active_accounts"] == 455
    assert tweets["retweets"] == 11_199
    assert users["accounts"] == 926


def test_thailand_multiline_text_survives() -> None:
    batches = list(fast_batches(sample("thailand_092020/thailand_092020_tweets_csv_hashed.zip"), TWITTER.roles["tweets"]))
    assert sum(b.num_rows for b in batches) == 21_385
    ids = [i for b in batches for i in b.column("tweetid").to_pylist()]
    assert all(i.isdigit() for i in ids) and len(set(ids)) == 21_385  # ids stay exact text, never floats


def test_october_2018_column_order_and_bare_lists() -> None:
    s = tweet_stats("ira_201810/ira_tweets_csv_hashed_sample.csv")
    assert s["tweets"] == 2
    assert s["retweets"] == 1
    # From the bare list [http://ru-open.livejournal.com/...]; ties sort by value.
    assert [d["value"] for d in s["top_domains"]] == ["pyypilg33.livejournal.com", "ru-open.livejournal.com"]
    assert {"value": "2572896396", "count": 1} in s["top_mentions"]  # unquoted numeric mention
    users = user_stats("ira_201810/ira_users_csv_hashed_sample.csv")
    assert users["accounts"] == 2


def test_64_hex_hashes_are_kept_whole() -> None:
    s = tweet_stats("ira_201810/ira_tweets_csv_hashed_sample.csv")
    ids = [a["userid"] for a in s["most_active_accounts"]]
    assert all(len(i) == 64 for i in ids)


def test_cut_off_record_is_reported_by_line_or_skipped_and_counted() -> None:
    rel = "russia_201901_1/russia_201901_1_tweets_csv_hashed_head.csv"
    with pytest.raises(DataError) as caught:
        tweet_stats(rel)
    messages = [str(p) for p in caught.value.problems]
    assert f"{rel}:998: malformed CSV (unexpected end of data)" in messages
    outcome = run_task(Task(sample(rel), "tweets", "twitter", True))
    assert figures(outcome.partial, None)["tweets"] == 407
    assert outcome.skipped == {"rows": 1, "reasons": {"malformed CSV": 1}, "lines": [998]}


def test_china_users_language_case_is_folded() -> None:
    s = user_stats("china_082019_1/china_082019_1_users_csv_hashed.csv")
    assert s["accounts"] == 744
    languages = [r["value"] for r in s["account_languages"]]
    assert "zh-cn" in languages and "zh-CN" not in languages


@pytest.mark.parametrize("rel, rows", [
    ("tmrc_2020_2021/GRU_202012_tweets_rows.csv", 7),
    ("tmrc_2020_2021/REA_0621_tweets_csv_hashed_2019_head.csv", 6),
    ("tmrc_2020_2021/CNHU_0621_tweets_csv_hashed_2021_rows.csv", 5),
])
def test_2020_and_2021_files_without_poll_choices(rel: str, rows: int) -> None:
    assert tweet_stats(rel)["tweets"] == rows


def test_a_disclosure_built_from_the_thailand_zips_has_a_complete_page(project: Project) -> None:
    folder = project.data / "thailand_092020"
    folder.mkdir()
    for name in ("thailand_092020_tweets_csv_hashed.zip", "thailand_092020_users_csv_hashed.zip"):
        (folder / name).write_bytes((SAMPLES / "thailand_092020" / name).read_bytes())  # type: ignore[operator]
    project.add(id="thailand-2020-09", countries=["Thailand"], accounts_announced=926, datasets=[
        {"role": "users", "path": "thailand_092020/*_users_csv_hashed.zip", "hashed": True},
        {"role": "tweets", "path": "thailand_092020/*_tweets_csv_hashed.zip", "hashed": True}])
    (project.data / "tiny").rename(project.root / "unused")
    project.build()
    page = project.html("disclosures/thailand-2020-09/index.html")
    figures_text = {dt.text().strip(): dd.text().strip() for dt, dd in zip(page.css("dl.figures dt"), page.css("dl.figures dd"))}
    assert figures_text["Tweets in the released data"] == "21,385"
    assert figures_text["Accounts in the released data"] == "926"
    assert figures_text["Accounts that tweeted"] == "455"
    assert len(page.css("section[aria-labelledby=charts] figure.chart")) == 8
    # Every coordination signal has something to show in the real release (see test_signals for the values).
    assert [f.attributes["id"].removeprefix("chart-") for f in page.css("section[aria-labelledby=signals] figure.chart")] == [
        "in-network", "co-retweet", "co-retweet-groups", "copy-paste", "reply-swarms", "creation-days", "dormancy", "working-hours",
        "local-week", "posting-tools", "engagement-lorenz"]
    assert Path(project.output / "disclosures/thailand-2020-09/stats.json").is_file()
