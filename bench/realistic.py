"""Tweets files shaped like real releases: heavy-tailed values over large vocabularies.

Every row is new (no repeated block): each field's values are drawn, with numpy's
seeded generator, from a bounded Zipf distribution (P(rank k) proportional to 1/k)
over a vocabulary whose size is a knob, so a few hashtags, hosts and accounts are
very common and most are rare, as in the Internet Research Agency release.
``distinct=True`` is the worst case instead: every hashtag, host, mentioned account
and user id is new.  Columns and quoting are Twitter's released format (every
field quoted, multi-line text with doubled quotes, list fields in brackets).

Built column by column with Arrow, so ten million rows take about a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

CHUNK = 250_000


@dataclass(frozen=True)
class Vocabulary:
    accounts: int = 200_000  # posting accounts (userid)
    hashtags: int = 1_000_000
    hosts: int = 100_000
    mentioned: int = 1_000_000  # mentioned / retweeted accounts
    tweets: int = 10_000_000  # retweeted tweets

    def label(self) -> str:
        return (f"Zipf(1) over {self.accounts:,} accounts, {self.hashtags:,} hashtags, {self.hosts:,} hosts, "
                f"{self.mentioned:,} mentioned accounts, {self.tweets:,} retweeted tweets; one original text in six is one of "
                f"{PASTED:,} pasted messages (Zipf(1))")


def zipf(rng: np.random.Generator, size: int, vocabulary: int) -> np.ndarray:
    """Ranks 0..vocabulary-1 with P(k) proportional to 1/(k+1): the inverse of its (continuous) distribution function."""
    u = rng.random(size)
    ranks = np.floor(np.exp(u * np.log(vocabulary + 1.0))).astype(np.int64) - 1
    # Scatter ranks over the vocabulary (a fixed odd multiplier), so common values are not the smallest ids.
    return (ranks * 2_654_435_761) % vocabulary


def _text(prefix: str, ids: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(pa.scalar(prefix), pc.cast(pa.array(ids), pa.string()), "")


def _lists(items: list[pa.Array], counts: np.ndarray) -> pa.Array:
    """Released list fields: ``[a, b]`` with ``counts`` items per row (at most ``len(items)``), ``[]`` for none."""
    joined: pa.Array = pa.array([""] * len(counts), pa.string())
    for k in range(1, len(items) + 1):
        with_k = pc.binary_join_element_wise(*items[:k], ", ") if k > 1 else items[0]
        joined = pc.if_else(pa.array(counts >= k), with_k, joined)
    return pc.binary_join_element_wise("[", joined, "]", "")


WORDS = np.array(("the", "people", "government", "truth", "news", "today", "vote", "media", "war", "peace", "economy", "freedom",
                  "lies", "west", "world", "election", "protest", "police", "army", "president", "country", "history", "video",
                  "watch", "read", "share", "breaking", "report", "sanctions", "oil", "border", "children", "future", "“quoted”",
                  "\"quote\"", "مرحبا", "привет", "hola", "東京", "ok"), dtype=object)


PASTED = 200_000  # messages that operations paste from many accounts, drawn Zipf(1)


def _tweet_text(rng: np.random.Generator, n: int) -> pa.Array:
    words = [pa.array(WORDS[rng.integers(0, len(WORDS), n)].tolist(), pa.string()) for _ in range(10)]
    text = pc.binary_join_element_wise(*words, " ")
    newline = pa.array(rng.random(n) < 0.05)
    text = pc.if_else(newline, pc.binary_join_element_wise(text, pa.scalar("second line"), "\n"), text)
    # One text in six is a pasted message: the same words, with its own link, sometimes shouted.
    message = pc.binary_join_element_wise("Read the truth about story ", _text("", zipf(rng, n, PASTED)), " before they delete it https://t.co/",
                                          _text("", rng.integers(0, 10**9, n)), "")
    message = pc.if_else(pa.array(rng.random(n) < 0.2), pc.utf8_upper(message), message)
    return pc.if_else(pa.array(rng.random(n) < 1 / 6), message, text)


def chunk(rng: np.random.Generator, start: int, n: int, vocab: Vocabulary, distinct: bool, first_day: np.datetime64) -> pa.Table:
    """Return ``n`` tweets rows, the first with tweetid ``start``."""
    def draw(vocabulary: int, size: int, offset: int = 0) -> np.ndarray:
        if distinct:  # worst case: every value new
            return np.arange(size, dtype=np.int64) + start * 4 + offset * 10**12
        return zipf(rng, size, vocabulary)

    tweetid = np.arange(start, start + n, dtype=np.int64) + 10**17
    userid = draw(vocab.accounts, n, 1)
    minutes = rng.integers(0, 6 * 365 * 24 * 60, n)
    times = (first_day + minutes.astype("timedelta64[m]")).astype("datetime64[s]") + rng.integers(0, 60, n).astype("timedelta64[s]")
    time_text = pc.replace_substring(pc.cast(pa.array(times), pa.string()), "T", " ")
    retweet = rng.random(n) < 0.4
    reply = ~retweet & (rng.random(n) < 0.15)
    quote = ~retweet & (rng.random(n) < 0.03)
    empty = pa.array([""] * n, pa.string())
    tag_count = rng.poisson(0.9, n).clip(0, 3)
    url_count = (rng.random(n) < 0.35).astype(int) + (rng.random(n) < 0.05)
    mention_count = rng.poisson(0.7, n).clip(0, 3)
    hashtags = _lists([_text("tag", draw(vocab.hashtags, n, 2 + i)) for i in range(3)], tag_count)
    hosts = [_text("site", draw(vocab.hosts, n, 5 + i)) for i in range(2)]
    urls = _lists([pc.binary_join_element_wise("https://", h, ".example/", _text("p", rng.integers(0, 10**9, n)), "") for h in hosts], url_count)
    mentions = _lists([_text("", draw(vocab.mentioned, n, 7 + i) + 10**9) for i in range(3)], mention_count)
    heavy = lambda: pa.array(np.minimum(rng.pareto(1.2, n) * (rng.random(n) < 0.3), 10**9).astype(np.int64))  # noqa: E731
    user_text = pc.cast(pa.array(userid), pa.string())
    columns = {
        "tweetid": pc.cast(pa.array(tweetid), pa.string()),
        "userid": pc.binary_join_element_wise("u", user_text, ""),
        "user_display_name": pc.binary_join_element_wise("Name ", user_text, ""),
        "user_screen_name": pc.binary_join_element_wise("screen", user_text, ""),
        "user_reported_location": empty,
        "user_profile_description": empty,
        "user_profile_url": empty,
        "follower_count": pc.cast(pa.array(userid % 5000), pa.string()),
        "following_count": pc.cast(pa.array(userid % 3000), pa.string()),
        "account_creation_date": pa.array(["2013-05-01"] * n, pa.string()),
        "account_language": pa.array(["en"] * n, pa.string()),
        "tweet_language": _text("l", zipf(rng, n, 60)),
        "tweet_text": _tweet_text(rng, n),
        "tweet_time": pc.utf8_slice_codeunits(time_text, 0, 16),
        "tweet_client_name": _text("Client ", zipf(rng, n, 500)),
        "in_reply_to_tweetid": pc.if_else(pa.array(reply), _text("", zipf(rng, n, vocab.tweets) + 10**16), empty),
        "in_reply_to_userid": pc.if_else(pa.array(reply), _text("", draw(vocab.mentioned, n, 9) + 10**9), empty),
        "quoted_tweet_tweetid": pc.if_else(pa.array(quote), _text("", zipf(rng, n, vocab.tweets) + 10**16), empty),
        "is_retweet": pc.if_else(pa.array(retweet), "true", "false"),
        "retweet_userid": pc.if_else(pa.array(retweet), _text("", draw(vocab.mentioned, n, 10) + 10**9), empty),
        "retweet_tweetid": pc.if_else(pa.array(retweet), _text("", zipf(rng, n, vocab.tweets) + 10**16), empty),
        "latitude": empty, "longitude": empty,
        "quote_count": pc.cast(heavy(), pa.string()),
        "reply_count": pc.cast(heavy(), pa.string()),
        "like_count": pc.cast(heavy(), pa.string()),
        "retweet_count": pc.cast(heavy(), pa.string()),
        "hashtags": hashtags,
        "urls": urls,
        "user_mentions": mentions,
        "poll_choices": empty,
    }
    return pa.table(columns)


def write(path: Path, rows: int, vocab: Vocabulary = Vocabulary(), distinct: bool = False, seed: int = 42) -> None:
    """Write a tweets CSV of ``rows`` rows to ``path`` (through a temporary file)."""
    rng = np.random.default_rng(seed)
    tmp = path.with_name(path.name + ".partial")
    options = pacsv.WriteOptions(include_header=True, quoting_style="all_valid")
    with pa.OSFile(str(tmp), "wb") as sink:
        writer = None
        for start in range(0, rows, CHUNK):
            table = chunk(rng, start, min(CHUNK, rows - start), vocab, distinct, np.datetime64("2014-01-01T00:00"))
            if writer is None:
                writer = pacsv.CSVWriter(sink, table.schema, write_options=options)
            writer.write_table(table)
        if writer is not None:
            writer.close()
    tmp.replace(path)
