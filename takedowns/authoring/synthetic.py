"""Generate synthetic releases in Twitter's information-operations format.

The example site and the benchmarks use these files.  They are made up from a
seeded generator, not taken from any release, and carry the released format's
quirks: every field quoted, quotes doubled, newlines inside tweets, list fields
written several ways, hashed ids of varying length, ids that look like numbers.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gzip
import hashlib
import io
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..formats import TWEET_COLUMNS, USER_COLUMNS

CLIENTS = ("Twitter Web Client", "Twitter for Android", "Twitter for iPhone", "TweetDeck", "Twitter Web App",
           "Hootsuite", "IFTTT", "dlvr.it", "Buffer")
WORDS = ("news", "people", "government", "today", "truth", "election", "economy", "freedom", "media", "crisis",
         "report", "video", "watch", "share", "breaking", "vote", "protest", "security", "world", "nation")


@dataclass(frozen=True)
class Style:
    """How one release era wrote its files."""

    hash_kind: str = "base64"  # "hex64" (Oct 2018) or "base64" (later, 40-44 characters)
    list_style: str = "quoted"  # "bare": [a, b]; "quoted": ['a', 'b']
    reply_first: bool = False  # Oct 2018 puts in_reply_to_tweetid before in_reply_to_userid
    poll_choices: bool = True  # releases from 2020 on have no poll_choices column
    capital_bools: bool = False  # True/False (Dec 2021) instead of true/false
    float_ids: bool = False  # reply ids as 1.2e+18 (Dec 2021)
    latlong_words: bool = True  # "absent"/"present" instead of empty
    crlf: bool = False
    bom: bool = False


@dataclass(frozen=True)
class Plant:
    """Coordinated behaviour written into a synthetic release, with sizes known in advance.

    The example pages show every coordination signal with it, and tests check the signals find exactly it.
    Planted rows replace generated rows (the release keeps its size); the accounts are the release's first ones.
    """

    co_accounts: int = 0  # accounts 0..k-1 retweet each of ``co_tweets`` tweets: the first half in one minute, the rest 5 minutes later
    co_tweets: int = 0
    pasted_texts: int = 0  # texts posted word for word (links and @handles differing) ...
    pasted_accounts: int = 0  # ... by this many accounts each, the next accounts after the co-retweeters
    swarm_tweets: int = 0  # tweets of one target account that each get ...
    swarm_replies: int = 0  # ... this many replies, one from each of as many accounts
    burst_day: str = ""  # the first ``burst_accounts`` accounts were created on this day
    burst_accounts: int = 0
    office_offset: int | None = None  # every generated tweet falls Monday–Friday 09:00–17:59 at this UTC offset
    automation: str = ""  # the co-retweeting accounts post with this client
    custom_client: str = ""  # the copy-pasting accounts post with this (unlisted) client
    cross_userid: str = ""  # the first account retweets this account (of another release) ...
    cross_retweets: int = 0  # ... this many times


SWARM_TARGET = "1000000000000000001"  # the planted swarm's target account (a made-up id)


@dataclass(frozen=True)
class Release:
    """Parameters of one synthetic release."""

    name: str
    accounts: int
    tweets: int
    seed: int
    start: dt.date
    end: dt.date
    languages: tuple[str, ...]
    hashtags: tuple[str, ...]
    domains: tuple[str, ...]
    locations: tuple[str, ...]
    style: Style = Style()
    plant: Plant = Plant()


def _hashed(rng: random.Random, kind: str) -> str:
    raw = rng.getrandbits(256).to_bytes(32, "big")
    if kind == "hex64":
        return hashlib.sha256(raw).hexdigest()
    text = base64.b64encode(raw).decode()
    return text[: rng.randint(39, 43)] + "="


def _weighted(rng: random.Random, items: tuple[str, ...]) -> str:
    # Zipf-like: the first items are much more common, as in real releases.
    return items[min(int(rng.paretovariate(1.2)) - 1, len(items) - 1)]


def _language(rng: random.Random, languages: tuple[str, ...]) -> str:
    lang = rng.choice(languages)
    # Account languages come as zh-cn and zh-CN in one file.
    return lang[:3] + lang[3:].upper() if "-" in lang and rng.random() < 0.4 else lang


def _list(values: list[str], style: Style, rng: random.Random, quote_numbers: bool = True) -> str:
    if not values:
        return "" if rng.random() < 0.3 else "[]"
    if style.list_style == "bare":
        return "[" + ", ".join(values) + "]"
    return "[" + ", ".join(v if (v.isdigit() and not quote_numbers) else f"'{v}'" for v in values) + "]"


def users(release: Release) -> list[dict[str, str]]:
    """Return the accounts of a release as rows of the users file."""
    rng = random.Random(f"{release.seed}-users")
    rows = []
    span = (release.start - dt.date(2009, 1, 1)).days + 180  # most accounts exist before they tweet
    for _ in range(release.accounts):
        hashed = rng.random() < 0.6
        userid = _hashed(rng, release.style.hash_kind) if hashed else str(rng.randint(10**7, 10**19 - 1))
        if hashed:
            display = screen = userid
        else:
            screen = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}{rng.randint(1, 9999)}"
            display = rng.choice(("NA", "null", "None", f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}",
                                  f'The "{rng.choice(WORDS)}" desk', "Ольга, новости", "أخبار اليوم"))
        created = dt.date(2009, 1, 1) + dt.timedelta(days=int(span * rng.betavariate(5, 2)))
        if len(rows) < release.plant.burst_accounts:
            created = dt.date.fromisoformat(release.plant.burst_day)
        rows.append({
            "userid": userid, "user_display_name": display, "user_screen_name": screen,
            "user_reported_location": _weighted(rng, release.locations) if rng.random() < 0.55 else "",
            "user_profile_description": "" if rng.random() < 0.4 else
            f"{rng.choice(WORDS).title()}, {rng.choice(WORDS)} and {rng.choice(WORDS)}. #{rng.choice(release.hashtags)}\nSynthetic sample account.",
            "user_profile_url": "" if rng.random() < 0.7 else f"https://t.co/{rng.getrandbits(40):x}",
            "follower_count": str(int(rng.paretovariate(0.9)) - 1 if rng.random() < 0.7 else 0),
            "following_count": str(rng.randint(0, 2000)),
            "account_creation_date": created.isoformat(),
            "account_language": _language(rng, release.languages),
        })
    return rows


def tweets(release: Release, accounts: list[dict[str, str]]) -> Iterator[dict[str, str]]:
    """Yield the tweets of a release, in time order, as rows of the tweets file."""
    rng = random.Random(f"{release.seed}-tweets")
    style = release.style
    start = dt.datetime.combine(release.start, dt.time())
    seconds = int((dt.datetime.combine(release.end, dt.time()) - start).total_seconds())
    # A few accounts write most of the tweets.
    weights = [rng.paretovariate(1.0) for _ in accounts]
    active = rng.choices(accounts, weights=weights, k=release.tweets)
    moments = sorted(rng.betavariate(2, 2) * seconds for _ in range(release.tweets))
    true, false = ("True", "False") if style.capital_bools else ("true", "false")
    plant = release.plant
    planted = _planted(release, accounts)
    automated = {a["userid"] for a in accounts[: plant.co_accounts]} if plant.automation else set()
    custom = {a["userid"] for a in accounts[plant.co_accounts: plant.co_accounts + plant.pasted_accounts]} if plant.custom_client else set()
    for i, (user, offset) in enumerate(zip(active, moments, strict=True)):
        when = start + dt.timedelta(seconds=int(offset))
        # Operations post on office hours of their home zone: skew the hour.
        when = when.replace(hour=int(rng.triangular(5, 23, 12)) % 24)
        if plant.office_offset is not None:  # office hours at the planted offset: a weekday, 09:00-17:59 local
            local = when + dt.timedelta(hours=plant.office_offset)
            if local.weekday() > 4:  # a weekend tweet moves to a weekday of the same week
                local -= dt.timedelta(days=local.weekday() - int(rng.random() * 5))
            local = local.replace(hour=9 + int(rng.random() * 9))
            when = local - dt.timedelta(hours=plant.office_offset)
        retweet = rng.random() < 0.45
        reply = not retweet and rng.random() < 0.15
        tags = sorted({_weighted(rng, release.hashtags) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))})
        tags = [t if rng.random() < 0.8 else t.upper() for t in tags]
        links = [f"http{'s' if rng.random() < 0.7 else ''}://{'www.' if rng.random() < 0.3 else ''}"
                 f"{_weighted(rng, release.domains)}{':443' if rng.random() < 0.02 else ''}/{rng.getrandbits(32):x}"
                 for _ in range(rng.choice((0, 0, 1, 1, 2)))]
        mentions = [_hashed(rng, style.hash_kind) if rng.random() < 0.3 else str(rng.randint(10**6, 10**18))
                    for _ in range(rng.choice((0, 0, 0, 1, 2)))]
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
        text = ("RT @" + (mentions[0] if mentions else "someone") + ": " if retweet else "") + words.capitalize()
        if rng.random() < 0.25:
            text += '\n\n"Quoted words", they said — ' + rng.choice(("да", "نعم", "sí", "oui"))
        text += "".join(f" #{t}" for t in tags) + "".join(f" {u}" for u in links)
        reply_to = str(rng.randint(10**17, 10**19 - 1)) if reply else ""
        if reply and style.float_ids:
            reply_to = f"{float(reply_to):.15e}"  # precision lost, as in the release
        row = {
            **user,
            "tweetid": str(10**17 + i * 7919 + rng.randint(0, 7918)),
            "tweet_language": rng.choice(release.languages) if rng.random() < 0.9 else "und",
            "tweet_text": text,
            "tweet_time": when.strftime("%Y-%m-%d %H:%M"),
            "tweet_client_name": _weighted(rng, CLIENTS),
            "in_reply_to_tweetid": reply_to,
            "in_reply_to_userid": str(rng.randint(10**6, 10**18)) if reply else "",
            "quoted_tweet_tweetid": str(rng.randint(10**17, 10**19 - 1)) if rng.random() < 0.05 else "",
            "is_retweet": true if retweet else false,
            "retweet_userid": (mentions[0] if mentions and rng.random() < 0.5 else "") if retweet else "",
            "retweet_tweetid": str(rng.randint(10**17, 10**19 - 1)) if retweet else "",
            "latitude": ("absent" if rng.random() < 0.99 else "present") if style.latlong_words else "",
            "longitude": ("absent" if rng.random() < 0.99 else "present") if style.latlong_words else "",
            "quote_count": str(int(rng.paretovariate(2)) - 1),
            "reply_count": str(int(rng.paretovariate(1.8)) - 1),
            "like_count": str(int(rng.paretovariate(1.1)) - 1),
            "retweet_count": str(int(rng.paretovariate(1.3)) - 1),
            "hashtags": _list(tags, style, rng),
            "urls": _list(links, style, rng),
            "user_mentions": _list(mentions, style, rng, quote_numbers=style.list_style == "quoted" and rng.random() < 0.5),
            "poll_choices": "",
        }
        if i in planted:
            row = {**row, **planted[i]}
        if row["userid"] in automated:
            row["tweet_client_name"] = plant.automation
        if row["userid"] in custom:
            row["tweet_client_name"] = plant.custom_client
        yield row


def _planted(release: Release, accounts: list[dict[str, str]]) -> dict[int, dict[str, str]]:
    """Return the planted rows' fields by the row they replace (spread over the release, away from each other)."""
    plant, rng = release.plant, random.Random(f"{release.seed}-plant")
    start = dt.datetime.combine(release.start, dt.time()) + dt.timedelta(days=30)
    rows: list[dict[str, str]] = []
    none = {"in_reply_to_tweetid": "", "in_reply_to_userid": "", "quoted_tweet_tweetid": "", "retweet_userid": "",
            "retweet_tweetid": "", "hashtags": "[]", "urls": "[]", "user_mentions": "[]"}
    false, true = ("False", "True") if release.style.capital_bools else ("false", "true")
    for t in range(plant.co_tweets):  # every co-retweeter retweets tweet t within the same minute
        moment = start + dt.timedelta(days=7 * t, hours=10, minutes=t % 60)
        for k, a in enumerate(accounts[: plant.co_accounts]):
            later = dt.timedelta(minutes=5 if k >= plant.co_accounts // 2 else 0)
            rows.append({**a, **none, "is_retweet": true, "retweet_tweetid": str(9 * 10**17 + t), "retweet_userid": accounts[-1]["userid"],
                         "tweet_text": f"RT @{accounts[-1]['user_screen_name']}: Planted message number {t}",
                         "tweet_time": (moment + later).strftime("%Y-%m-%d %H:%M")})
    pasters = accounts[plant.co_accounts: plant.co_accounts + plant.pasted_accounts]
    for t in range(plant.pasted_texts):  # the same words from each paster: case, links and @handles differ
        moment = start + dt.timedelta(days=5 * t + 3, hours=14)
        for k, a in enumerate(pasters):
            words = f"The whole truth about the {WORDS[t % len(WORDS)]} they hide from you, part {t + 1}"
            text = (words.upper() if k % 3 == 0 else words) + f" https://t.co/{rng.getrandbits(40):x} @{WORDS[k % len(WORDS)]}_{k}"
            rows.append({**a, **none, "is_retweet": false, "tweet_text": text,
                         "tweet_time": (moment + dt.timedelta(minutes=k)).strftime("%Y-%m-%d %H:%M")})
    swarm = accounts[plant.co_accounts + plant.pasted_accounts: plant.co_accounts + plant.pasted_accounts + plant.swarm_replies]
    for t in range(plant.swarm_tweets):  # each of the target's tweets gets one reply from every swarming account
        moment = start + dt.timedelta(days=11 * t + 1, hours=18)
        for k, a in enumerate(swarm):
            rows.append({**a, **none, "is_retweet": false, "in_reply_to_tweetid": str(8 * 10**17 + t), "in_reply_to_userid": SWARM_TARGET,
                         "tweet_text": f"@target Reply {k} of {len(swarm)} to tweet {t}",
                         "tweet_time": (moment + dt.timedelta(minutes=3 * k)).strftime("%Y-%m-%d %H:%M")})
    for t in range(plant.cross_retweets):  # one account amplifies another release's account
        moment = start + dt.timedelta(days=13 * t + 2, hours=9)
        rows.append({**accounts[0], **none, "is_retweet": true, "retweet_tweetid": str(7 * 10**17 + t), "retweet_userid": plant.cross_userid,
                     "tweet_text": f"RT @someone: Amplified message {t}", "tweet_time": moment.strftime("%Y-%m-%d %H:%M")})
    if not rows:
        return {}
    spread = max(1, release.tweets // (len(rows) + 1))
    return {(j + 1) * spread: r for j, r in enumerate(rows)}


def tweet_columns(style: Style) -> list[str]:
    columns = list(TWEET_COLUMNS)
    if style.reply_first:
        a, b = columns.index("in_reply_to_tweetid"), columns.index("in_reply_to_userid")
        columns[a], columns[b] = columns[b], columns[a]
    if not style.poll_choices:
        columns.remove("poll_choices")
    return columns


def write_csv(out: TextIO, columns: list[str], rows: Iterator[dict[str, str]] | list[dict[str, str]], style: Style) -> int:
    """Write rows the way the releases do: every field quoted, header too."""
    if style.bom:
        out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n" if style.crlf else "\n")
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow([row[c] for c in columns])
        n += 1
    return n


def write_release(release: Release, folder: Path, parts: int = 1, compress: str = "") -> list[Path]:
    """Write a release's users file and its tweets file(s) into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    people = users(release)
    written = [_write(folder / f"{release.name}_users_csv_hashed.csv", list(USER_COLUMNS), iter(people), release.style, compress)]
    all_tweets = list(tweets(release, people))
    size = -(-len(all_tweets) // parts)
    for p in range(parts):
        suffix = f"_{p + 1}" if parts > 1 else ""
        chunk = all_tweets[p * size:(p + 1) * size]
        written.append(_write(folder / f"{release.name}_tweets_csv_hashed{suffix}.csv", tweet_columns(release.style),
                              iter(chunk), release.style, compress))
    return written


def _write(path: Path, columns: list[str], rows: Iterator[dict[str, str]], style: Style, compress: str) -> Path:
    buffer = io.StringIO(newline="")
    write_csv(buffer, columns, rows, style)
    data = buffer.getvalue().encode("utf-8")
    if compress == "gz":
        path = path.with_name(path.name + ".gz")
        with open(path, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
            gz.write(data)
    elif compress == "zip":
        path = path.with_suffix(".zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo(path.with_suffix(".csv").name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    else:
        path.write_bytes(data)
    return path
