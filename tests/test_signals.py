"""Coordination signals: a fixture worked out by hand, an independent reference, and invariances."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import FIXTURES, SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_signals import normalise as reference_normalise
from reference_signals import reference_signals
from test_stats import stats_of

from takedowns.formats import TWEET_COLUMNS
from takedowns.formats.twitter.signal_rows import normalise
from takedowns.statistics import counts

SIGNALS = FIXTURES / "signals"


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's synthetic releases, generated afresh (a clean clone has none: the build makes them)."""
    from takedowns.authoring.example import write_examples

    data = tmp_path_factory.mktemp("example-data")
    write_examples(data)
    return data / "example"


@pytest.fixture(scope="module")
def hand() -> dict:
    return stats_of(SIGNALS / "users.csv", [SIGNALS / "tweets.csv"])["signals"]


# The fixture (tests/fixtures/signals/tweets.csv): 24 tweets by A, B, C, D; E never tweets.
# Rows 1-8 are retweets, rows 9-24 are not; rows 15-24 are replies.


def test_in_network_by_hand(hand: dict) -> None:
    # Retweets of E (rows 1-4) are in-network; of X (5-7) and of nobody (8) are not: 4 of 8.
    # Replies: only row 24 answers B, one of the release's accounts (T1 is not): 1 of 10.
    # Mention items: B, foo (row 9), bar_1 (row 11): B is the release's own: 1 of 3.
    assert hand["in_network"] == {"retweets": 4, "retweet_share": 0.5, "replies": 1, "reply_share": 0.1,
                                  "mentions": 1, "mention_share": 0.3333}


def test_co_retweet_by_hand(hand: dict) -> None:
    # Tweet 900: A 10:00, B 10:00, C 10:05, D 11:30 -> A-B 0 min, A-C and B-C 5 min, D 85+ min (no pair).
    # Tweet 901: C 10:00 and 10:01, D 10:02 -> C-D 1 min (C with itself is no pair). Row 8 has no retweeted id.
    assert hand["co_retweet"] == [
        {"window_minutes": 0, "pairs": 1, "accounts": 2, "share_of_active": 0.5},
        {"window_minutes": 1, "pairs": 2, "accounts": 4, "share_of_active": 1.0},
        {"window_minutes": 10, "pairs": 4, "accounts": 4, "share_of_active": 1.0},
        {"window_minutes": 60, "pairs": 4, "accounts": 4, "share_of_active": 1.0},
    ]
    assert hand["co_retweet_groups"] == [{"accounts": 2, "pairs": 1}, {"accounts": 2, "pairs": 1}]  # {A, B} and {C, D} at 1 minute


def test_copy_paste_by_hand(hand: dict) -> None:
    # Rows 9-12 normalise to the same 31 characters (case, links, @handles, spaces) from A, B and C: one cluster of 4 tweets.
    # Rows 13-14 also match each other (NFKC turns the full-width letters into ASCII) but come from 2 accounts only.
    assert hand["copy_paste"] == {"clusters": 1, "tweets": 4, "share_of_original_tweets": 0.25, "top": [
        {"text": "breaking: the same text is here", "accounts": 3, "tweets": 4, "first": "2019-01-09T09:00Z", "last": "2019-01-10T08:00Z"}]}


def test_reply_swarms_by_hand(hand: dict) -> None:
    # Tweet 777 has 5 replies (A twice): swarmed. Tweet 778 has 4: not. Tweet 779 has 1.
    assert hand["reply_swarms"] == {"swarmed_tweets": 1, "targets": [{"userid": "T1", "swarmed_tweets": 1, "replies": 5, "accounts": 4}]}


def test_creation_by_hand(hand: dict) -> None:
    # Created: A, B 2019-01-01; C 2019-01-02; D 2018-12-25; E 2018-12-31. First tweets: A, B, C 2019-01-07 -> 6, 6, 5 days;
    # D 2019-01-07 -> 13 days. Median of 5, 6, 6, 13 is 6.
    assert hand["creation"] == {
        "busiest_days": [{"date": "2019-01-01", "count": 2}, {"date": "2018-12-25", "count": 1}, {"date": "2018-12-31", "count": 1},
                         {"date": "2019-01-02", "count": 1}],
        "share_on_busiest_days": 1.0, "never_tweeted": 1, "dormancy_days_median": 6,
        "dormancy_days": [{"days": 5, "count": 1}, {"days": 6, "count": 2}, {"days": 13, "count": 1}],
        "per_day": [{"date": "2018-12-25", "count": 1}, {"date": "2018-12-31", "count": 1}, {"date": "2019-01-01", "count": 2},
                    {"date": "2019-01-02", "count": 1}]}


def test_working_hours_by_hand(hand: dict) -> None:
    # At UTC: Monday and Tuesday retweets (8) and Wednesday 09:00, 09:30, 17:45 (3) are in office hours: 11 of 24.
    # +1 ... +6 also give 11 (ties go to the smaller offset); -4 ... -9 give 10; -3 gives 6 (Friday 20:00-20:20 and
    # Wednesday 14:45); -12 gives 4 (Friday 21:00-21:15 becomes 09:00-09:15); +14 gives none.
    w = hand["working_hours"]
    assert (w["best_utc_offset"], w["share"]) == (0, 0.4583)
    shares = {r["offset"]: r["share"] for r in w["by_offset"]}
    assert list(shares) == list(range(-12, 15))
    assert (shares[-12], shares[-3], shares[-4], shares[0], shares[3], shares[7], shares[14]) == (0.1667, 0.25, 0.4167, 0.4583, 0.4583, 0.4167, 0.0)


def test_posting_tools_by_hand(hand: dict) -> None:
    # Official: iPhone (rows 1-4) and Web App (15-24) = 14; automation: dlvr.it (5-8) = 4; other: MyBot (9-12) and empty (13-14) = 6.
    p = hand["posting_tools"]
    assert (p["official_share"], p["automation_share"], p["other_share"]) == (0.5833, 0.1667, 0.25)
    assert p["other_shared"] == [{"client": "MyBot", "accounts": 3, "tweets": 4}]


def test_engagement_concentration_by_hand(hand: dict) -> None:
    # 16 tweets that are not retweets: engagement 15 (row 9), 3 (row 10), 1 (row 11), 0 for the other 13 (row 12's empty is 0).
    # Top ceil(16/100) = 1 tweet: 15 of 19. Gini: sum i*x = 14*1 + 15*3 + 16*15 = 299; 2*299/(16*19) - 17/16 = 0.90461...
    e = hand["engagement_concentration"]
    assert (e["original_tweets"], e["zero_share"], e["top_1pct_share"], e["gini"]) == (16, 0.8125, 0.7895, 0.9046)
    assert e["lorenz"][0] == {"tweets": 0.0, "engagement": 0.0} and e["lorenz"][-1] == {"tweets": 1.0, "engagement": 1.0}


# -- the reference ------------------------------------------------------------------------------------------------

def _release_files(folder: Path) -> tuple[list[Path], list[Path]]:
    users = sorted(p for p in folder.iterdir() if "users" in p.name)
    tweets = sorted(p for p in folder.iterdir() if "tweets" in p.name)
    return users, tweets


def _project(users: list[Path], tweets: list[Path]) -> dict:
    return stats_of(users[0] if users else None, tweets)["signals"]


@pytest.mark.parametrize("name", ["hand", "ira_201810", "iran_201810"])
def test_reference_agrees(name: str, examples: Path) -> None:
    if name == "hand":
        users, tweets = [SIGNALS / "users.csv"], [SIGNALS / "tweets.csv"]
    else:
        users, tweets = _release_files(examples / name)
    assert _project(users, tweets) == reference_signals(users, tweets)


def test_planted_sizes_are_found_exactly(examples: Path) -> None:
    """The example's planted behaviour (takedowns/authoring/example.py) is found with exactly the planted sizes."""
    from takedowns.authoring.example import EXAMPLES
    from takedowns.authoring.synthetic import SWARM_TARGET

    for release, _, _ in EXAMPLES[:2]:
        p = release.plant
        users, tweets = _release_files(examples / release.name)
        s = _project(users, tweets)
        half, rest = p.co_accounts // 2, p.co_accounts - p.co_accounts // 2  # the second half retweets 5 minutes after the first
        within = half * (half - 1) // 2 + rest * (rest - 1) // 2
        assert [(w["pairs"], w["accounts"]) for w in s["co_retweet"]] == [(within, p.co_accounts)] * 2 + [
            (p.co_accounts * (p.co_accounts - 1) // 2, p.co_accounts)] * 2
        assert s["co_retweet_groups"] == sorted([{"accounts": half, "pairs": half * (half - 1) // 2},
                                                 {"accounts": rest, "pairs": rest * (rest - 1) // 2}], key=lambda g: (-g["accounts"], -g["pairs"]))
        assert s["in_network"]["retweets"] == p.co_accounts * p.co_tweets
        assert s["copy_paste"]["clusters"] == p.pasted_texts
        assert {(c["accounts"], c["tweets"]) for c in s["copy_paste"]["top"]} == {(p.pasted_accounts, p.pasted_accounts)}
        assert s["reply_swarms"] == {"swarmed_tweets": p.swarm_tweets, "targets": [
            {"userid": SWARM_TARGET, "swarmed_tweets": p.swarm_tweets, "replies": p.swarm_tweets * p.swarm_replies, "accounts": p.swarm_replies}]}
        assert s["creation"]["busiest_days"][0] == {"date": p.burst_day, "count": p.burst_accounts}
        assert s["working_hours"]["best_utc_offset"] == p.office_offset
        assert [c["client"] for c in s["posting_tools"]["other_shared"]] == [p.custom_client]
        assert s["posting_tools"]["other_shared"][0]["accounts"] == p.pasted_accounts


REAL = {  # every real sample with tweets that parses whole (the two cut-off heads are covered by test_real_samples)
    "thailand": (["thailand_092020/thailand_092020_users_csv_hashed.zip"], ["thailand_092020/thailand_092020_tweets_csv_hashed.zip"]),
    "ira": (["ira_201810/ira_users_csv_hashed_sample.csv"], ["ira_201810/ira_tweets_csv_hashed_sample.csv"]),
    "cnhu": ([], ["tmrc_2020_2021/CNHU_0621_tweets_csv_hashed_2021_rows.csv"]),
    "gru": ([], ["tmrc_2020_2021/GRU_202012_tweets_rows.csv"]),
}


@pytest.mark.skipif(SAMPLES is None, reason="shared/real-samples is not beside the project")
@pytest.mark.parametrize("name", sorted(REAL))
def test_reference_agrees_on_real_samples(name: str) -> None:
    users, tweets = ([SAMPLES / x for x in files] for files in REAL[name])  # type: ignore[operator]
    assert _project(users, tweets) == reference_signals(users, tweets)


# -- invariances ---------------------------------------------------------------------------------------------------

def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(header)
        w.writerows(rows)
    return path


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), parts=st.integers(1, 4))
def test_shuffled_and_split_files_change_no_signal(tmp_path: Path, examples: Path, seed: int, parts: int) -> None:
    users, tweets = _release_files(examples / "iran_201810")
    header, rows = _rows(tweets[0]) if tweets[0].suffix == ".csv" else _gz_rows(tweets[0])
    random.Random(seed).shuffle(rows)
    folder = tmp_path / f"s{seed}-{parts}"
    folder.mkdir()
    size = -(-len(rows) // parts)
    files = [_write(folder / f"tweets_{i}.csv", header, rows[i * size:(i + 1) * size]) for i in range(parts)]
    assert _project(users, files) == _project(users, tweets)


def _gz_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    import gzip
    import io

    with gzip.open(path, "rb") as f:
        reader = csv.reader(io.TextIOWrapper(f, encoding="utf-8-sig", newline=""))
        header = next(reader)
        return header, list(reader)


def test_spilled_signals_equal_in_memory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, examples: Path) -> None:
    """With a budget of a few kilobytes every keyed row and count goes to disk partitions: the signals stay the same."""
    users, tweets = _release_files(examples / "ira_201810")
    in_memory = _project(users, tweets)
    monkeypatch.setattr(counts, "SPILL_BYTES", 4096)
    monkeypatch.setenv("TAKEDOWNS_SPILL_DIR", str(tmp_path))
    spilled = _project(users, tweets)
    assert any(log.stat().st_size > counts.LOG_HEAD for log in tmp_path.rglob("*.log"))  # tables went to a spill log
    assert spilled == in_memory


def test_many_pairs_are_counted_through_disk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """600 accounts retweeting one tweet in one minute are 179,700 pairs: counted in parts on disk, exactly."""
    from takedowns.formats.twitter import coretweets

    monkeypatch.setattr(coretweets, "_PAIR_BUFFER", 1 << 14)
    monkeypatch.setenv("TAKEDOWNS_SPILL_DIR", str(tmp_path))
    header = list(TWEET_COLUMNS)
    rows = []
    for k in range(600):
        r = dict.fromkeys(header, "")
        r.update(tweetid=str(10**17 + k), userid=f"u{k}", tweet_time=f"2020-02-03 12:{k % 2:02d}", is_retweet="true",
                 retweet_tweetid="42", retweet_userid="7", tweet_text="RT", tweet_client_name="Twitter Web App",
                 tweet_language="en", hashtags="[]", urls="[]", user_mentions="[]")
        rows.append([r[c] for c in header])
    path = _write(tmp_path / "tweets.csv", header, rows)
    s = _project([], [path])
    assert s["co_retweet"][0]["pairs"] == 2 * (300 * 299 // 2)  # same minute: within each half
    assert s["co_retweet"][1]["pairs"] == 600 * 599 // 2  # one minute apart: every pair
    assert s["co_retweet_groups"] == [{"accounts": 600, "pairs": 600 * 599 // 2}]
    assert s == reference_signals([], [path])


HOSTILE = ["ＡＢＣ\u00a0\u00a0text https://evil.example/<script>  @user_1 ok", "İstanbul ΣΑΣ ΟΔΟΣ", "tab\tand\u2028line\u3000sep",
           "\u202eevil\u202c text http://x", "@@handle @ only", "x" * 5 + "\u0085" + "y", "HTTPS://UPPER.example/path text"]


@pytest.mark.parametrize("text", HOSTILE)
def test_normalise_matches_the_reference(text: str) -> None:
    assert normalise(pa.array([text])).to_pylist() == [reference_normalise(text)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FFF, exclude_categories=("Cs", "Cn")), max_size=40))
def test_normalise_matches_the_reference_on_any_text(text: str) -> None:
    assert normalise(pa.array([text])).to_pylist() == [reference_normalise(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30), min_size=1, max_size=20))
def test_only_texts_nfkc_could_change_are_normalised(texts: list[str]) -> None:
    """Skipping NFKC for texts without an unstable character changes nothing: the same as normalising every text."""
    import pyarrow.compute as pc

    from takedowns.formats.twitter.signal_rows import _HANDLE, _RUN, _URL

    every = pc.utf8_lower(pc.utf8_normalize(pa.array(texts, pa.string()), "NFKC"))
    for pattern, by in ((_URL, ""), (_HANDLE, ""), (_RUN, " ")):
        every = pc.replace_substring_regex(every, pattern, by)
    assert normalise(pa.array(texts, pa.string())).to_pylist() == pc.utf8_trim(every, " ").to_pylist()
