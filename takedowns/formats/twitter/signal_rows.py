"""What each batch of tweets leaves for the coordination signals: retweets keyed by tweet, normalised texts, replies
and unlisted clients, as keyed rows that spill to disk; and the posting-client list."""

from __future__ import annotations

import csv
import functools
import unicodedata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ...statistics.counts import Counts
from ...statistics.rows import Rows

CLUSTER_CHARACTERS = 20  # ... and is at least this long
ENGAGEMENT = ("like_count", "retweet_count", "reply_count", "quote_count")  # added up: a tweet's engagement

KEYED = pa.schema([("key", pa.string()), ("userid", pa.string()), ("minute", pa.int32())])
REPLIES = pa.schema([("key", pa.string()), ("target", pa.string()), ("userid", pa.string())])
CLIENT_USERS = pa.schema([("key", pa.string()), ("userid", pa.string())])  # an unlisted client and an account that used it

# Python's str.isspace() characters, which are also Arrow's: written out so the pattern means the same everywhere.
_SPACE = r"\t\n\x0B\f\r\x1C-\x1F \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"
_URL = rf"https?://[^{_SPACE}]*"
_HANDLE = r"@[A-Za-z0-9_]+"
# A run of two or more, or one character that is not a plain space: becomes one space (faster than replacing every run).
_RUN = rf"[{_SPACE}][{_SPACE}]+|[{_SPACE.replace(' ', '')}]"

CLIENTS_FILE = Path(__file__).with_name("posting_clients.csv")


# -- from each batch ------------------------------------------------------------------------------------------

def minutes(times: pa.Array) -> pa.Array:
    """Return minutes since 1970-01-01 00:00 UTC of ``YYYY-MM-DD HH:MM[:SS]`` times (checked by the reader's rules)."""
    parsed = pc.strptime(pc.utf8_slice_codeunits(times, 0, 16), format="%Y-%m-%d %H:%M", unit="s")
    return pc.cast(pc.divide(pc.cast(parsed, pa.int64()), 60), pa.int32())


@functools.cache
def _listed_clients() -> dict[str, str]:
    return client_classes()


@functools.cache
def _unstable() -> str:
    """Return a pattern matching any character that NFKC could change in some text.

    A character NFKC changes on its own, one with a combining class, one that composes with the character before it
    (or whose decomposition starts with such a one), and every character this Python's Unicode tables do not know
    (Arrow's may be newer).  A text with none of them is its own NFKC form, so only the few texts that match are
    normalised — the normalisation is the costliest step, and most texts need none.
    """
    tails = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul vowels and trailing consonants compose
    decompositions: dict[int, list[int]] = {}
    unstable: set[int] = set()
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        if unicodedata.category(c) == "Cn" or unicodedata.combining(c) or unicodedata.normalize("NFKC", c) != c:
            unstable.add(cp)
        d = unicodedata.decomposition(c)
        if d and not d.startswith("<"):
            parts = [int(x, 16) for x in d.split()]
            decompositions[cp] = parts
            if len(parts) == 2:
                tails.add(parts[1])
    unstable |= tails | {cp for cp, parts in decompositions.items() if parts[0] in tails}
    ranges: list[list[int]] = []
    for cp in sorted(unstable):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else "") for a, b in ranges) + "]"


def normalise(texts: pa.Array) -> pa.Array:
    """Return texts as compared for copy-paste: NFKC, lowercased, links and @handles removed, whitespace collapsed, trimmed."""
    texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    wide = pc.match_substring_regex(texts, _unstable())  # every other text is its own NFKC form
    if pc.any(wide).as_py():
        texts = pc.replace_with_mask(texts, wide, pc.utf8_normalize(pc.filter(texts, wide), "NFKC"))
    texts = pc.utf8_lower(texts)
    texts = _replaced(texts, _URL, "")
    texts = _replaced(texts, _HANDLE, "")
    texts = _replaced(texts, _RUN, " ")
    return pc.utf8_trim(texts, " ")


def _replaced(texts: pa.Array, pattern: str, by: str) -> pa.Array:
    """``replace_substring_regex``, run only on the texts the pattern matches: finding a match costs far less than
    replacing, which copies every text, and most texts hold none."""
    hit = pc.match_substring_regex(texts, pattern)
    found = pc.sum(hit).as_py() or 0
    if found == 0:
        return texts
    if found == len(texts) - texts.null_count:
        return pc.replace_substring_regex(texts, pattern, by)
    return pc.replace_with_mask(texts, pc.fill_null(hit, False), pc.replace_substring_regex(pc.filter(texts, hit), pattern, by))


def _other_client_users(client: pa.Array, userid: pa.Array) -> pa.Table:
    """Return each distinct (client, account) of a batch whose client is not in the kept list (official or automation)."""
    listed = pa.array(sorted(_listed_clients()), pa.string())
    used = pc.and_(pc.and_(pc.not_equal(client, ""), pc.not_equal(userid, "")), pc.invert(pc.is_in(client, value_set=listed)))
    table = pa.table({"key": pc.filter(client, used), "userid": pc.filter(userid, used)})
    if table.num_rows:
        table = table.group_by(["key", "userid"], use_threads=False).aggregate([])
    return table.select(["key", "userid"]).cast(CLIENT_USERS)


def rows_of_tweets(batch: pa.RecordBatch | pa.Table, retweet: pa.Array, minute: pa.Array, engagement: list[pa.Array]) -> dict[str, Any]:
    """Return the signals' part of a batch's partial (fields of ``TweetsPartial``); ``engagement``: the ``ENGAGEMENT``
    columns as integers."""
    col = batch.column
    original = pc.invert(retweet)
    reply = pc.not_equal(col("in_reply_to_tweetid"), "")
    userid = col("userid")
    someone = pc.not_equal(userid, "")  # a row without an account takes no part in what accounts did together

    shared = pc.and_(pc.and_(retweet, someone), pc.not_equal(col("retweet_tweetid"), ""))
    co = pa.table({"key": pc.filter(col("retweet_tweetid"), shared), "userid": pc.filter(userid, shared),
                   "minute": pc.filter(minute, shared)}, schema=KEYED)

    authored = pc.and_(original, someone)
    texts = normalise(pc.filter(col("tweet_text"), authored))
    long_enough = pc.greater_equal(pc.utf8_length(texts), CLUSTER_CHARACTERS)
    pasted = pa.table({"key": pc.filter(texts, long_enough), "userid": pc.filter(pc.filter(userid, authored), long_enough),
                       "minute": pc.filter(pc.filter(minute, authored), long_enough)}, schema=KEYED)

    answered = pc.and_(reply, someone)
    replies = pa.table({"key": pc.filter(col("in_reply_to_tweetid"), answered), "target": pc.filter(col("in_reply_to_userid"), answered),
                        "userid": pc.filter(userid, answered)}, schema=REPLIES)

    engagement_values = pc.filter(_total(engagement), original)
    month = pc.utf8_slice_codeunits(col("tweet_time"), 0, 7)
    client = col("tweet_client_name")
    return {
        "originals": int(pc.sum(original).as_py() or 0),
        "retweeted_users": Counts.of(pc.filter(col("retweet_userid"), retweet)),
        "replied_users": Counts.of(pc.filter(col("in_reply_to_userid"), reply)),
        "engagement_values": Counts.of(engagement_values),
        "first_minutes": Counts.smallest(userid, minute),
        "client_users": Rows.of(_other_client_users(client, userid), "key"),
        "client_months": Counts.of(pc.binary_join_element_wise(month, client, "")),
        "co_retweets": Rows.of(co, "key"),
        "texts": Rows.of(pasted, "key"),
        "reply_rows": Rows.of(replies, "key"),
    }


def _total(columns: list[pa.Array]) -> pa.Array:
    """Add up the engagement columns row by row (each at most 15 digits: the sum of four cannot overflow 64 bits)."""
    total = columns[0]
    for c in columns[1:]:
        total = pc.add(total, c)
    return total


# -- the published signals ---------------------------------------------------------------------------------------

def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# posting tools --------------------------------------------------------------------------------------------------------

def client_classes(path: Path = CLIENTS_FILE) -> dict[str, str]:
    """Return the kept list of posting clients: name -> ``official`` or ``automation`` (anything else is ``other``)."""
    with open(path, newline="", encoding="utf-8") as f:
        return {row["client"]: row["class"] for row in csv.DictReader(f)}
