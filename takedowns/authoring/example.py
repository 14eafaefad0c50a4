"""The example site's synthetic datasets: seven releases shaped like Twitter's 2018 and 2019 ones."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

from .synthetic import Plant, Release, Style, users, write_release

D = dt.date
OCT_2018 = Style(hash_kind="hex64", list_style="bare", reply_first=True)
JAN_2019 = Style(hash_kind="base64", list_style="quoted")

# name, accounts, tweets, dates, languages, hashtags, domains, locations, style, parts, compression
EXAMPLES: tuple[tuple[Release, int, str], ...] = (
    (Release("ira_201810", 3841, 30_728, 1, D(2014, 5, 1), D(2018, 5, 31), ("en", "ru", "de", "uk"),
             ("news", "maga", "blacklivesmatter", "politics", "trump", "syria", "ukraine", "tcot", "fake", "usa"),
             ("twitter.com", "youtube.com", "bit.ly", "riafan.ru", "facebook.com", "instagram.com", "ria.ru"),
             ("USA", "Москва", "New York", "Санкт-Петербург", "Atlanta", "Россия"), OCT_2018,
             # Planted, with known sizes, so that every coordination signal has something to find (see Plant).
             Plant(co_accounts=12, co_tweets=8, pasted_texts=5, pasted_accounts=6, swarm_tweets=3, swarm_replies=7,
                   burst_day="2008-06-12", burst_accounts=40, office_offset=3, automation="dlvr.it", custom_client="Poster Pro 2")), 1, ""),
    (Release("iran_201810", 770, 6_160, 2, D(2013, 3, 1), D(2018, 9, 30), ("en", "ar", "fa", "fr"),
             ("palestine", "yemen", "saudi", "israel", "iran", "trump", "syria", "bahrain"),
             ("twitter.com", "awdnews.com", "youtube.com", "presstv.com", "bit.ly", "alalam.ir"),
             ("Iran", "London", "Paris", "Beirut", "Tehran"), OCT_2018,
             Plant(co_accounts=5, co_tweets=4, pasted_texts=2, pasted_accounts=4, swarm_tweets=2, swarm_replies=5,
                   burst_day="2008-09-03", burst_accounts=15, office_offset=4, automation="IFTTT", custom_client="Poster Pro 2")), 1, "gz"),
    # Twitter's archive numbers the Venezuelan sets of January 2019: set 1 is the 1,196 accounts, set 2 the 764.
    (Release("venezuela_201901_1", 1196, 9_568, 4, D(2017, 6, 1), D(2018, 12, 31), ("es",),
             ("venezuela", "maduro", "hagamoshistoria", "4f", "vtv", "psuv", "patria"),
             ("twitter.com", "vtv.gob.ve", "youtube.com", "telesurtv.net", "bit.ly"),
             ("Venezuela", "Caracas", "Maracaibo", "Valencia"), JAN_2019), 3, "zip"),
    (Release("venezuela_201901_2", 764, 6_112, 3, D(2016, 1, 1), D(2018, 12, 31), ("en", "es"),
             ("news", "politics", "usa", "venezuela", "world", "breaking"),
             ("twitter.com", "bit.ly", "youtube.com", "lapatilla.com", "eluniversal.com"),
             ("Venezuela", "Caracas", "Miami", "Bogotá"), JAN_2019), 2, ""),
    (Release("iran_201901_1", 2617, 20_936, 5, D(2012, 1, 1), D(2018, 12, 31), ("en", "fa", "ar", "fr", "es"),
             ("iran", "yemen", "palestine", "saudi", "trump", "israel", "hezbollah", "syria", "bahrain"),
             ("twitter.com", "youtube.com", "presstv.com", "bit.ly", "parstoday.com", "hispantv.com"),
             ("Iran", "Tehran", "Paris", "Beirut", "Madrid"), Style(hash_kind="base64", list_style="quoted", crlf=True, bom=True)), 3, ""),
    # ABC News reported Twitter's figures for this set: 81 % of tweets in English; top hashtags #MAGA,
    # #ReleasetheMemo, #IslamisTheProblem. The synthetic sample follows that shape, nothing more.
    (Release("russia_201901_1", 418, 3_344, 6, D(2015, 1, 1), D(2018, 10, 31), ("en", "ru", "de"),
             ("maga", "releasethememo", "islamistheproblem", "news", "usa", "russia"),
             ("twitter.com", "riafan.ru", "youtube.com", "rt.com", "bit.ly"),
             ("Россия", "Москва", "Syria", "Berlin"), JAN_2019), 1, ""),
    (Release("bangladesh_201901_1", 15, 120, 7, D(2017, 1, 1), D(2018, 12, 31), ("bn",),
             ("bangladesh", "dhaka", "election", "awamileague"),
             ("twitter.com", "facebook.com", "bdnews24.com"),
             ("Bangladesh", "Dhaka"), JAN_2019), 1, ""),
)


def _first_numeric_account(name: str) -> str:
    release = next(r for r, _, _ in EXAMPLES if r.name == name)
    return next(u["userid"] for u in users(release) if u["userid"].isdigit())


# Planted across releases: an account of the August 2018 Iranian set retweets an account of the January 2019 one 6 times.
EXAMPLES = tuple((replace(r, plant=replace(r.plant, cross_userid=_first_numeric_account("iran_201901_1"), cross_retweets=6))
                  if r.name == "iran_201810" else r, parts, compress) for r, parts, compress in EXAMPLES)


def write_examples(data_dir: Path) -> list[Path]:
    """Write every example release under ``data_dir/example/`` (made afresh: it holds only generated files); return them."""
    if (data_dir / "example").is_dir():
        shutil.rmtree(data_dir / "example")
    written: list[Path] = []
    for release, parts, compress in EXAMPLES:
        written += write_release(release, data_dir / "example" / release.name, parts=parts, compress=compress)
    (data_dir / "example" / "README.txt").write_text(
        "SYNTHETIC SAMPLE DATA. Every file below this folder was made by the project's seeded generator\n"
        "(takedowns/synthetic.py) in the format of Twitter's information-operations releases.\n"
        "No row is real: do not cite these figures.\n")
    return written
