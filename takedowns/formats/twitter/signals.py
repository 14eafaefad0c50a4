"""Coordination signals of a release: what researchers compute by hand after every release.

Each signal has one exact definition (``DEFINITIONS``, shown in the README and on the
Methods page).  ``rows_of_tweets`` takes what the signals need from a batch of tweets —
counts that merge like every other count, and keyed rows (retweets by retweeted tweet,
texts by normalised text, replies by replied tweet) that spill to disk by a hash of
their key — and ``signals`` computes the published values from the merged partials, one
partition of keyed rows at a time.  The signals describe patterns; they are not verdicts:
ordinary communities show them too.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import unicodedata
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...statistics.counts import Counts, Rows, aligned, spill_folder

WINDOWS = (0, 1, 10, 60)  # minutes: co-retweet windows
GROUP_WINDOW = 1  # co-retweet groups are drawn at this window
GROUPS = 10
SWARM_REPLIES = 5  # a tweet with this many reply rows or more is swarmed
CLUSTER_ACCOUNTS = 3  # a normalised text posted by this many accounts or more is a copy-paste cluster
CLUSTER_CHARACTERS = 20  # ... and is at least this long
TOP = 20
BUSIEST_DAYS = 10
OFFSETS = tuple(range(-12, 15))  # whole-hour UTC offsets
OFFICE = (9, 17)  # 09:00–17:59, Monday to Friday

# The published definitions: README contract table, stats.schema.json and the Methods page all come from here.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("in_network", "`{retweets, retweet_share, replies, reply_share, mentions, mention_share}`: retweets whose `retweet_userid` is one of "
     "the release's accounts (the `userid`s of its users file, or of its tweets without one), and that count ÷ all retweets; replies "
     "whose `in_reply_to_userid` is one of them ÷ all replies; `user_mentions` items that are one of them ÷ all mention items"),
    ("co_retweet", "for each window W in 0, 1, 10, 60 minutes `{window_minutes, pairs, accounts, share_of_active}`: distinct unordered "
     "pairs of different accounts that retweeted the same `retweet_tweetid` at `tweet_time`s (minutes, UTC) at most W minutes apart, "
     "at least once; the accounts in at least one such pair; that ÷ `active_accounts`"),
    ("co_retweet_groups", "connected groups of the co-retweet pair graph at W = 1, the 10 largest, `{accounts, pairs}`, by accounts "
     "then pairs descending"),
    ("copy_paste", "over tweets that are not retweets, the text normalised (NFKC; each character lowercased; every `http://`/`https://` "
     "run up to whitespace removed; every `@` followed by ASCII letters, digits or `_` removed; whitespace runs to one space; trimmed). "
     "A normalised text of 20 or more characters posted by 3 or more accounts is a cluster. `{clusters, tweets, "
     "share_of_original_tweets, top}`: clusters; tweets whose text is one; that ÷ tweets that are not retweets; the top 20 "
     "`{text, accounts, tweets, first, last}` by accounts, then tweets descending, then text"),
    ("reply_swarms", "a tweet id given as `in_reply_to_tweetid` by 5 or more reply rows is swarmed. `{swarmed_tweets, targets}`: "
     "swarmed tweet ids; the top 20 targeted accounts `{userid, swarmed_tweets, replies, accounts}` (`in_reply_to_userid`; its "
     "swarmed tweets; reply rows to them; distinct replying accounts) by swarmed tweets, then replies descending, then userid"),
    ("creation", "from the users file (null without one): `{busiest_days, share_on_busiest_days, never_tweeted, dormancy_days_median, "
     "dormancy_days}`: the 10 days with the most accounts created `{date, count}` (count descending, then date); the share of "
     "accounts created on them; accounts of the users file with no tweet; the median of the days from each account's creation date "
     "to its first tweet's date (accounts with both), and the distribution of those days `{days, count}`; accounts created per "
     "day `per_day: [{date, count}]`, by date"),
    ("working_hours", "for each whole-hour UTC offset −12 … +14, the share of tweets whose local time falls Monday–Friday "
     "09:00–17:59: `{best_utc_offset, share, by_offset: [{offset, share}]}`; best is the highest share, ties to the smaller offset"),
    ("posting_tools", "each `tweet_client_name` classed `official`, `automation` or `other` by the list on the Methods page "
     "(`takedowns/formats/posting_clients.csv`): `{official_share, automation_share, other_share, other_shared, by_month}`: shares "
     "of tweets (an empty client is `other`); `other` clients used by 2 or more accounts `{client, accounts, tweets}`, top 20 by "
     "accounts, then tweets descending, then name; tweets per class per month `{month, official, automation, other}`"),
    ("engagement_concentration", "over tweets that are not retweets, engagement = `like_count + retweet_count + reply_count + "
     "quote_count` (empty is 0): `{original_tweets, zero_share, top_1pct_share, gini, lorenz}`: the share with 0; the share of all "
     "their engagement received by the top ⌈n/100⌉; the Gini coefficient (ascending, G = 2·Σ i·xᵢ / (n·Σ x) − (n+1)/n); the "
     "Lorenz curve at every 5% of tweets `{tweets, engagement}`"),
)
NOTE = ("Shares have 4 decimals and are null when what they divide by is 0. Rows with an empty `userid` take no part in "
        "co-retweets, copy-paste or swarms; rows with an empty `retweet_tweetid` take no part in co-retweets.")

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
    texts = pc.replace_substring_regex(texts, _URL, "")
    texts = pc.replace_substring_regex(texts, _HANDLE, "")
    texts = pc.replace_substring_regex(texts, _RUN, " ")
    return pc.utf8_trim(texts, " ")


def _other_client_users(client: pa.Array, userid: pa.Array) -> pa.Table:
    """Return each distinct (client, account) of a batch whose client is not in the kept list (official or automation)."""
    listed = pa.array(sorted(_listed_clients()), pa.string())
    used = pc.and_(pc.and_(pc.not_equal(client, ""), pc.not_equal(userid, "")), pc.invert(pc.is_in(client, value_set=listed)))
    table = pa.table({"key": pc.filter(client, used), "userid": pc.filter(userid, used)})
    if table.num_rows:
        table = table.group_by(["key", "userid"], use_threads=False).aggregate([])
    return table.select(["key", "userid"]).cast(CLIENT_USERS)


def rows_of_tweets(batch: pa.RecordBatch | pa.Table, retweet: pa.Array, minute: pa.Array) -> dict[str, Any]:
    """Return the signals' part of a batch's partial (fields of ``TweetsPartial``)."""
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

    engagement = pc.filter(_engagement(batch), original)
    month = pc.utf8_slice_codeunits(col("tweet_time"), 0, 7)
    client = col("tweet_client_name")
    return {
        "originals": int(pc.sum(original).as_py() or 0),
        "retweeted_users": Counts.of(pc.filter(col("retweet_userid"), retweet)),
        "replied_users": Counts.of(pc.filter(col("in_reply_to_userid"), reply)),
        "engagement_values": Counts.of(engagement),
        "first_minutes": Counts.smallest(userid, minute),
        "client_users": Rows.of(_other_client_users(client, userid), "key"),
        "client_months": Counts.of(pc.binary_join_element_wise(month, client, "")),
        "co_retweets": Rows.of(co, "key"),
        "texts": Rows.of(pasted, "key"),
        "reply_rows": Rows.of(replies, "key"),
    }


def _engagement(batch: pa.RecordBatch | pa.Table) -> pa.Array:
    total = None
    for name in ("like_count", "retweet_count", "reply_count", "quote_count"):
        c = batch.column(name)
        n = pc.cast(pc.if_else(pc.equal(c, ""), "0", c), pa.int64())  # at most 15 digits each (the reader's rule)
        total = n if total is None else pc.add(total, n)
    return total if total is not None else pa.array([], pa.int64())


# -- the published signals ---------------------------------------------------------------------------------------

def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _minute_text(m: int) -> str:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(minutes=int(m))).strftime("%Y-%m-%dT%H:%MZ")


def signals(t: Any, u: Any | None) -> dict[str, Any]:
    """Return the coordination signals of a release from its merged tweets (and users) partials."""
    active = t.users.distinct()
    return {
        "in_network": in_network(t, u),
        "co_retweet": (co := co_retweet(t, active))["windows"],
        "co_retweet_groups": co["groups"],
        "copy_paste": copy_paste(t),
        "reply_swarms": reply_swarms(t),
        "creation": creation(t, u) if u is not None else None,
        "working_hours": working_hours(t),
        "posting_tools": posting_tools(t),
        "engagement_concentration": engagement_concentration(t),
    }


def in_network(t: Any, u: Any | None) -> dict[str, Any]:
    accounts = u.ids if u is not None else t.users
    found = {"retweets": 0, "replies": 0, "mentions": 0}
    mention_items = 0
    for own, retweeted, replied, mentioned in aligned(accounts, t.retweeted_users, t.replied_users, t.mentions):
        values = own.column("value")
        for name, table in (("retweets", retweeted), ("replies", replied), ("mentions", mentioned)):
            hit = table.filter(pc.is_in(table.column("value"), value_set=values))
            found[name] += int(pc.sum(hit.column("count")).as_py() or 0)
        mention_items += int(pc.sum(mentioned.column("count")).as_py() or 0)
    return {"retweets": found["retweets"], "retweet_share": _share(found["retweets"], t.retweets),
            "replies": found["replies"], "reply_share": _share(found["replies"], t.replies),
            "mentions": found["mentions"], "mention_share": _share(found["mentions"], mention_items)}


# co-retweets ----------------------------------------------------------------------------------------------------

_PAIR_BUFFER = 1 << 23  # pairs held before they are reduced to distinct pairs
_PAIR_PARTS = 16


class _Pairs:
    """Distinct unordered account pairs with the smallest window class each was seen in; spilled to disk when many."""

    def __init__(self) -> None:
        self.keys: list[np.ndarray] = []
        self.classes: list[np.ndarray] = []
        self.buffered = 0
        self.files: list[Path] | None = None

    def add(self, a: np.ndarray, b: np.ndarray, cls: np.ndarray) -> None:
        low, high = np.minimum(a, b).astype(np.uint64), np.maximum(a, b).astype(np.uint64)
        self.keys.append((low << np.uint64(32)) | high)
        self.classes.append(cls.astype(np.uint8))
        self.buffered += len(low)
        if self.buffered >= _PAIR_BUFFER:
            keys, classes = _distinct(np.concatenate(self.keys), np.concatenate(self.classes))
            self.keys, self.classes, self.buffered = [keys], [classes], len(keys)
            if self.buffered >= _PAIR_BUFFER // 2:
                self._spill(keys, classes)

    def _spill(self, keys: np.ndarray, classes: np.ndarray) -> None:
        if self.files is None:
            folder = spill_folder()
            self.files = [folder / f"pairs-{id(self)}-{p}.bin" for p in range(_PAIR_PARTS)]
        part = (keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(60)  # 16 parts by a hash of the pair
        for p, path in enumerate(self.files):
            chosen = part == p
            record = np.empty(int(chosen.sum()), dtype=[("key", "<u8"), ("cls", "u1")])
            record["key"], record["cls"] = keys[chosen], classes[chosen]
            with open(path, "ab") as f:
                f.write(record.tobytes())
        self.keys, self.classes, self.buffered = [], [], 0

    def parts(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (pair keys, smallest class) of every distinct pair, one part at a time."""
        if self.files is None:
            if self.keys:
                yield _distinct(np.concatenate(self.keys), np.concatenate(self.classes))
            return
        if self.keys:
            self._spill(*_distinct(np.concatenate(self.keys), np.concatenate(self.classes)))
        for path in self.files:
            if path.exists():
                record = np.fromfile(path, dtype=[("key", "<u8"), ("cls", "u1")])
                path.unlink()
                yield _distinct(record["key"].copy(), record["cls"].copy())


def _distinct(keys: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(keys) == 0:
        return keys, classes
    order = np.lexsort((classes, keys))
    keys, classes = keys[order], classes[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return keys[first], classes[first]  # sorted by class within a key: the first is the smallest


def _account_codes(t: Any) -> pa.Array:
    """Every account that tweeted, sorted: an account's code is its position here."""
    values = [table.column("value") for table in t.users.partitions()]
    chunks = [c for v in values for c in (v.chunks if isinstance(v, pa.ChunkedArray) else [v])]
    every = pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())
    return pc.take(every, pc.sort_indices(every))


def co_retweet(t: Any, active: int) -> dict[str, Any]:
    codes = _account_codes(t)
    pairs = _Pairs()
    bounds = np.array(WINDOWS, dtype=np.int64)
    widest = WINDOWS[-1]
    for table in t.co_retweets.partitions():
        if table.num_rows == 0:
            continue
        group = pc.dictionary_encode(table.column("key")).combine_chunks().indices.to_numpy(zero_copy_only=False).astype(np.int64)
        who = pc.index_in(table.column("userid"), value_set=codes).to_numpy(zero_copy_only=False).astype(np.int64)
        when = table.column("minute").to_numpy().astype(np.int64)
        order = np.lexsort((who, when, group))
        group, who, when = group[order], who[order], when[order]
        keep = np.ones(len(group), dtype=bool)  # the same account retweeting the same tweet in the same minute: once
        keep[1:] = (group[1:] != group[:-1]) | (when[1:] != when[:-1]) | (who[1:] != who[:-1])
        group, who, when = group[keep], who[keep], when[keep]
        left = np.arange(len(group) - 1)
        step = 1
        while len(left):
            right = left + step
            inside = right < len(group)
            left, right = left[inside], right[inside]
            near = (group[right] == group[left]) & (when[right] - when[left] <= widest)
            left, right = left[near], right[near]
            other = who[left] != who[right]
            if other.any():
                gap = when[right][other] - when[left][other]
                pairs.add(who[left][other], who[right][other], np.searchsorted(bounds, gap, side="left"))
            step += 1
    counted = np.zeros(len(WINDOWS), dtype=np.int64)
    best = np.full(len(codes), len(WINDOWS), dtype=np.uint8)  # each account's smallest window class
    edges: list[np.ndarray] = []
    for keys, classes in pairs.parts():
        counted += np.bincount(classes, minlength=len(WINDOWS))
        a = (keys >> np.uint64(32)).astype(np.int64)
        b = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        np.minimum.at(best, a, classes)
        np.minimum.at(best, b, classes)
        edges.append(keys[classes <= WINDOWS.index(GROUP_WINDOW)])
    cumulative = np.cumsum(counted)
    windows = []
    for i, w in enumerate(WINDOWS):
        accounts = int((best <= i).sum())
        windows.append({"window_minutes": w, "pairs": int(cumulative[i]), "accounts": accounts, "share_of_active": _share(accounts, active)})
    return {"windows": windows, "groups": _groups(np.concatenate(edges) if edges else np.zeros(0, np.uint64), len(codes))}


def _groups(keys: np.ndarray, nodes: int) -> list[dict[str, int]]:
    """Return the largest connected groups of the pair graph: ``{accounts, pairs}``."""
    if len(keys) == 0:
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    a = (keys >> np.uint64(32)).astype(np.int64)
    b = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(nodes, nodes)).tocsr()
    _, label = connected_components(graph, directed=False)
    paired = np.zeros(nodes, dtype=bool)
    paired[a] = True
    paired[b] = True
    accounts = np.bincount(label[paired], minlength=label.max() + 1)
    edges = np.bincount(label[a], minlength=label.max() + 1)
    found = [(int(accounts[g]), int(edges[g])) for g in np.flatnonzero(accounts)]
    found.sort(key=lambda x: (-x[0], -x[1]))
    return [{"accounts": n, "pairs": p} for n, p in found[:GROUPS]]


# copy-paste ------------------------------------------------------------------------------------------------------

def copy_paste(t: Any) -> dict[str, Any]:
    clusters = tweets = 0
    best: list[pa.Table] = []
    for table in t.texts.partitions():
        if table.num_rows == 0:
            continue
        g = table.group_by("key", use_threads=False).aggregate(
            [("userid", "count_distinct"), ("key", "count"), ("minute", "min"), ("minute", "max")])
        g = g.filter(pc.greater_equal(g.column("userid_count_distinct"), CLUSTER_ACCOUNTS))
        clusters += g.num_rows
        tweets += int(pc.sum(g.column("key_count")).as_py() or 0)
        best.append(_ranked(g, [("userid_count_distinct", "descending"), ("key_count", "descending"), ("key", "ascending")]))
    top = []
    if best:
        ranked = _ranked(pa.concat_tables(best), [("userid_count_distinct", "descending"), ("key_count", "descending"), ("key", "ascending")])
        for r in ranked.to_pylist():
            top.append({"text": r["key"], "accounts": r["userid_count_distinct"], "tweets": r["key_count"],
                        "first": _minute_text(r["minute_min"]), "last": _minute_text(r["minute_max"])})
    return {"clusters": clusters, "tweets": tweets, "share_of_original_tweets": _share(tweets, t.originals), "top": top}


def _ranked(table: pa.Table, keys: list[tuple[str, str]]) -> pa.Table:
    return table.take(pc.sort_indices(table, sort_keys=keys)[:TOP]) if table.num_rows else table


# reply swarms -----------------------------------------------------------------------------------------------------

def reply_swarms(t: Any) -> dict[str, Any]:
    swarmed = 0
    rows: list[pa.Table] = []
    for table in t.reply_rows.partitions():
        if table.num_rows == 0:
            continue
        per = table.group_by("key", use_threads=False).aggregate([("key", "count")])
        hit = per.filter(pc.greater_equal(per.column("key_count"), SWARM_REPLIES)).column("key")
        swarmed += len(hit)
        if len(hit):
            rows.append(table.filter(pc.and_(pc.is_in(table.column("key"), value_set=hit.combine_chunks()),
                                             pc.not_equal(table.column("target"), ""))))
    targets = []
    if rows:
        table = pa.concat_tables(rows)
        g = table.group_by("target", use_threads=False).aggregate(
            [("key", "count_distinct"), ("key", "count"), ("userid", "count_distinct")])
        g = g.take(pc.sort_indices(g, sort_keys=[("key_count_distinct", "descending"), ("key_count", "descending"),
                                                  ("target", "ascending")])[:TOP])
        targets = [{"userid": r["target"], "swarmed_tweets": r["key_count_distinct"], "replies": r["key_count"],
                    "accounts": r["userid_count_distinct"]} for r in g.to_pylist()]
    return {"swarmed_tweets": swarmed, "targets": targets}


# creation ----------------------------------------------------------------------------------------------------------

def creation(t: Any, u: Any) -> dict[str, Any]:
    from ...statistics.partials import median as _median

    busiest = [{"date": v, "count": c} for v, c in u.created_days.top(BUSIEST_DAYS)]
    on_busiest = sum(r["count"] for r in busiest)
    never = 0
    for own, tweeted in aligned(u.ids, t.users):
        never += int(pc.sum(pc.invert(pc.is_in(own.column("value"), value_set=tweeted.column("value")))).as_py() or 0)
    created: dict[str, str] = {}
    for table in u.names:
        if "created" not in table.column_names:
            continue
        for userid, day in zip(table.column("userid").to_pylist(), table.column("created").to_pylist(), strict=True):
            if day:
                created.setdefault(userid, day)
    waits: dict[int, int] = {}
    if created:
        wanted = pa.array(list(created), pa.string())
        for table in t.first_minutes.partitions():
            hit = table.filter(pc.is_in(table.column("value"), value_set=wanted))
            for userid, minute in zip(hit.column("value").to_pylist(), hit.column("count").to_pylist(), strict=True):
                first = (dt.datetime(1970, 1, 1) + dt.timedelta(minutes=minute)).date()
                days = (first - dt.date.fromisoformat(created[userid])).days
                waits[days] = waits.get(days, 0) + 1
    return {"busiest_days": busiest, "share_on_busiest_days": _share(on_busiest, u.rows), "never_tweeted": never,
            "dormancy_days_median": _median(sorted(waits.items())),
            "dormancy_days": [{"days": d, "count": c} for d, c in sorted(waits.items())],
            "per_day": [{"date": v, "count": c} for v, c in u.created_days.items()]}


# working hours -------------------------------------------------------------------------------------------------------

def working_hours(t: Any) -> dict[str, Any]:
    cells: dict[tuple[int, int], int] = {}  # (weekday, hour) in UTC -> tweets
    for day_hour, n in t.day_hours.items():
        key = (dt.date.fromisoformat(day_hour[:10]).weekday(), int(day_hour[11:13]))
        cells[key] = cells.get(key, 0) + n
    total = sum(cells.values())
    by_offset = []
    for offset in OFFSETS:
        inside = 0
        for (weekday, hour), n in cells.items():
            local = weekday * 24 + hour + offset
            if local // 24 % 7 < 5 and OFFICE[0] <= local % 24 <= OFFICE[1]:
                inside += n
        by_offset.append({"offset": offset, "share": _share(inside, total), "tweets": inside})
    if not total:
        return {"best_utc_offset": None, "share": None, "by_offset": [{"offset": r["offset"], "share": None} for r in by_offset]}
    best = max(by_offset, key=lambda r: (r["tweets"], -r["offset"]))
    return {"best_utc_offset": best["offset"], "share": best["share"],
            "by_offset": [{"offset": r["offset"], "share": r["share"]} for r in by_offset]}


# posting tools --------------------------------------------------------------------------------------------------------

def client_classes(path: Path = CLIENTS_FILE) -> dict[str, str]:
    """Return the kept list of posting clients: name -> ``official`` or ``automation`` (anything else is ``other``)."""
    with open(path, newline="", encoding="utf-8") as f:
        return {row["client"]: row["class"] for row in csv.DictReader(f)}


def posting_tools(t: Any) -> dict[str, Any]:
    classes = client_classes()
    tweets = {"official": 0, "automation": 0}
    per_client: dict[str, int] = {}
    for client, n in t.clients.top(None):
        kind = classes.get(client)
        if kind in tweets:
            tweets[kind] += n
        else:
            per_client[client] = n
    other = t.rows - tweets["official"] - tweets["automation"]
    accounts: dict[str, int] = {}
    for table in t.client_users.partitions():  # every row of a client is in one partition
        if table.num_rows:
            g = table.group_by("key", use_threads=False).aggregate([("userid", "count_distinct")])
            accounts.update(zip(g.column("key").to_pylist(), g.column("userid_count_distinct").to_pylist(), strict=True))
    shared = sorted(((c, a, per_client[c]) for c, a in accounts.items() if a >= 2), key=lambda x: (-x[1], -x[2], x[0]))
    months: dict[str, dict[str, int]] = {}
    for joined, n in t.client_months.items():
        month, client = joined[:7], joined[7:]
        kind = classes.get(client, "other") if client else "other"
        row = months.setdefault(month, {"official": 0, "automation": 0, "other": 0})
        row[kind if kind in row else "other"] += n
    return {"official_share": _share(tweets["official"], t.rows), "automation_share": _share(tweets["automation"], t.rows),
            "other_share": _share(other, t.rows),
            "other_shared": [{"client": c, "accounts": a, "tweets": n} for c, a, n in shared[:TOP]],
            "by_month": [{"month": m, **v} for m, v in sorted(months.items())]}


# engagement -------------------------------------------------------------------------------------------------------------

def engagement_concentration(t: Any) -> dict[str, Any]:
    values = t.engagement_values.items()  # (engagement, tweets), ascending; empty counts were read as 0
    zero = sum(c for v, c in values if v == 0)
    n = t.originals
    total = sum(v * c for v, c in values)
    top_n = math.ceil(n / 100) if n else 0
    top_sum, left = 0, top_n
    for v, c in reversed(values):
        take = min(c, left)
        top_sum += v * take
        left -= take
        if not left:
            break
    weighted, seen = 0, 0  # sum of i * x_i over the ascending order, positions 1..n
    for v, c in values:
        weighted += v * (c * seen + c * (c + 1) // 2)
        seen += c
    gini = None
    if n and total:
        g = Fraction(2 * weighted, n * total) - Fraction(n + 1, n)
        gini = round(g.numerator / g.denominator, 4)
    lorenz = _lorenz(values, n, total)
    return {"original_tweets": n, "zero_share": _share(zero, n), "top_1pct_share": _share(top_sum, total), "gini": gini,
            "lorenz": lorenz}


def _lorenz(values: list[tuple[int, int]], n: int, total: int, points: int = 20) -> list[dict[str, float]]:
    """Return the Lorenz curve at ``points`` even steps of tweets: share of tweets (ascending engagement), share of engagement."""
    if not n or not total:
        return []
    out = [{"tweets": 0.0, "engagement": 0.0}]
    marks = [math.ceil(n * k / points) for k in range(1, points + 1)]
    seen = summed = 0
    it = iter(values)
    v, c = next(it, (0, 0))
    for m in marks:
        while seen < m:
            take = min(c, m - seen)
            seen += take
            summed += v * take
            c -= take
            if c == 0:
                v, c = next(it, (0, 0))
        out.append({"tweets": round(seen / n, 4), "engagement": round(summed / total, 4)})
    return out

