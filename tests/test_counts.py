"""Counts of values as Arrow columns: exact however many distinct values, in memory or spilled to disk."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import ROOT, Project
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import reference_stats

from takedowns.formats.twitter.partial import TweetsPartial
from takedowns.statistics import counts as counts_module
from takedowns.statistics.counts import Counts
from takedowns.statistics.partials import merge, read_partial, write_partial

VALUES = st.lists(st.one_of(st.sampled_from(["a", "b", "c", "#news", "ünï", "x" * 40, ""]), st.text(max_size=6)), max_size=60)


def _expected_top(counter: Counter, n: int | None) -> list[tuple[str, int]]:
    ranked = sorted(((v, c) for v, c in counter.items() if v != ""), key=lambda vc: (-vc[1], vc[0]))
    return ranked if n is None else ranked[:n]


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(VALUES, min_size=1, max_size=6), spill=st.booleans(), seed=st.integers(0, 1000))
def test_counts_merge_in_any_order_with_or_without_spilling_equal_a_counter(parts: list[list[str]], spill: bool, seed: int) -> None:
    saved = counts_module.SPILL_BYTES, counts_module._FOLD_ROWS
    counts_module.SPILL_BYTES, counts_module._FOLD_ROWS = (0, 1) if spill else saved
    try:
        pieces = [Counts.of(pa.array(p, pa.string())) for p in parts]
        random.Random(seed).shuffle(pieces)
        total = Counts(pa.string())
        for piece in pieces:
            total.add(piece)
        expected = Counter(v for p in parts for v in p if v != "")
        for n in (1, 3, 20, None):
            assert total.top(n) == _expected_top(expected, n)
        assert total.distinct() == len(expected)
        assert total.items() == sorted(expected.items())
        assert total.values_with_count_above(1) == sorted((v, c) for v, c in expected.items() if c > 1)
        assert bool(total.spilled) == (spill and bool(expected))
    finally:
        counts_module.SPILL_BYTES, counts_module._FOLD_ROWS = saved
        counts_module.drop_spill_folder()


def test_top_ties_are_broken_by_value_ascending_across_partitions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counts_module, "SPILL_BYTES", 0)
    monkeypatch.setattr(counts_module, "_FOLD_ROWS", 1)
    values = [f"v{i:05d}" for i in range(3000)] * 2 + ["v02999"]  # all tied at 2 but one
    c = Counts().add(Counts.of(pa.array(values)))
    assert c.spilled and sum(len(p) for p in c.spilled) > 1
    assert c.top(4) == [("v02999", 3), ("v00000", 2), ("v00001", 2), ("v00002", 2)]
    assert c.distinct() == 3000
    counts_module.drop_spill_folder()


def test_a_stored_partial_keeps_spilled_partitions_and_reads_back_equal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counts_module, "SPILL_BYTES", 0)
    monkeypatch.setattr(counts_module, "_FOLD_ROWS", 1)
    a = TweetsPartial(rows=2, first="2019-01-01 00:00", last="2019-01-02 00:00",
                      hashtags=Counts.of(pa.array(["x", "y", "y"])), users=Counts.of(pa.array(["u1", "u2"])))
    b = TweetsPartial(rows=1, first="2018-01-01 00:00", last="2018-01-02 00:00",
                      hashtags=Counts.of(pa.array(["y", "z"])), users=Counts.of(pa.array(["u2"])))
    merged = merge(a, b)
    assert merged.hashtags.spilled
    stored = tmp_path / "p.part"
    write_partial(merged, stored, {"note": "kept"})
    counts_module.drop_spill_folder()  # the stored file must not depend on the spill folder
    back, extra = read_partial(stored)
    assert extra == {"note": "kept"}
    assert back.hashtags.top(None) == [("y", 3), ("x", 1), ("z", 1)]
    assert back.users.distinct() == 2 and back.first == "2018-01-01 00:00" and back.rows == 3
    whole = stored.read_bytes()
    for broken in (whole[: len(whole) // 2], whole[:-3], b"", whole.replace(b"TKDPART3", b"TKDPART0", 1)):
        stored.write_bytes(broken)
        with pytest.raises(ValueError):
            read_partial(stored)


def test_a_partial_spilled_to_the_log_is_stored_without_copying_and_stays_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every spilled table of a partial lies in the process's spill log: the stored file is that log (one inode, no copy).
    Spills after it go to a new log and leave the stored file as it was; a partial whose tables lie elsewhere is copied."""
    monkeypatch.setattr(counts_module, "SPILL_BYTES", 0)
    monkeypatch.setattr(counts_module, "_FOLD_ROWS", 1)
    monkeypatch.setenv("TAKEDOWNS_SPILL_DIR", str(tmp_path / "spill"))
    counts_module.drop_spill_folder()
    try:
        values = [f"h{i % 700}" for i in range(5000)]
        p = TweetsPartial(rows=5000, hashtags=Counts().add(Counts.of(pa.array(values))))
        assert p.hashtags.spilled
        log = next(s for part in p.hashtags.spilled for s in part).path
        stored = tmp_path / "p.part"
        write_partial(p, stored)
        assert os.path.samefile(stored, log)  # the log itself, linked: nothing copied
        kept = stored.read_bytes()
        later = Counts().add(Counts.of(pa.array([f"later{i}" for i in range(300)])))  # spills after the store
        assert all(s.path != log for part in later.spilled for s in part)
        assert stored.read_bytes() == kept
        counts_module.drop_spill_folder()  # the stored file does not depend on the spill folder
        back, _ = read_partial(stored)
        assert back.hashtags.top(None) == _expected_top(Counter(values), None) and back.rows == 5000
        again = tmp_path / "again.part"  # its tables lie in the stored file, not in a log: copied
        write_partial(back, again)
        assert not os.path.samefile(again, stored)
        assert read_partial(again)[0].hashtags.top(3) == _expected_top(Counter(values), 3)
    finally:
        counts_module.drop_spill_folder()


def _many_distinct(project: Project, rows: int = 4000) -> None:
    """A release whose hashtags, hosts, mentioned accounts and user ids are mostly distinct."""
    rng = random.Random(5)
    header = (project.data / "tiny" / "tweets.csv").read_text().split("\n", 1)[0]
    columns = [c.strip('"') for c in header.split(",")]
    lines = [header]
    for i in range(rows):
        row = dict.fromkeys(columns, "")
        row.update(tweetid=str(10**15 + i), userid=f"u{rng.randrange(rows)}", tweet_time=f"2019-0{1 + i % 9}-1{i % 10} 0{i % 10}:1{i % 6}",
                   tweet_language=rng.choice(["en", "ru", "ar"]), is_retweet=rng.choice(["true", "false"]),
                   hashtags=f"[t{rng.randrange(10**6)}, t{rng.randrange(50)}]", urls=f"[https://h{rng.randrange(10**6)}.test/x]",
                   user_mentions=f"[{rng.randrange(10**9)}]", tweet_client_name=f"c{rng.randrange(30)}",
                   like_count=str(rng.randrange(5)), retweet_count="0", reply_count="", quote_count="1")
        lines.append(",".join('"' + row[c].replace('"', '""') + '"' for c in columns))
    (project.data / "tiny" / "tweets.csv").write_text("\n".join(lines) + "\n")


def test_a_build_that_spills_publishes_exactly_what_one_in_memory_does_and_what_the_reference_computes(tmp_path: Path) -> None:
    outputs = {}
    for spill in ("0", str(1 << 30)):
        project = Project(tmp_path / f"spill-{spill}")
        _many_distinct(project)
        project.add()
        env = {**os.environ, "TAKEDOWNS_SPILL_BYTES": spill}
        args = ["--content", project.content, "--data", project.data, "--templates", ROOT / "templates", "--output", project.output,
                "--cache", project.root / "cache", "--now", "2026-01-01T00:00:00Z", "--no-search", "--quiet"]
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", *map(str, args)],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""  # no warnings either (e.g. Arrow's about unaligned buffers)
        stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
        outputs[spill] = stats
        leftovers = [p for p in (project.root / "cache").rglob("*") if "spill" in p.name or p.name.startswith(".takedowns-build-")]
        assert leftovers == []  # spilled partitions live only as long as the build
        entries = list((project.root / "cache" / "stats").glob("*.part"))
        assert entries and all(e.read_bytes()[:8] == b"TKDPART3" for e in entries)  # binary, columnar cache entries
        tweets = [p for p in (read_partial(e)[0] for e in entries) if isinstance(p, TweetsPartial)]
        assert bool(tweets[0].hashtags.spilled) == (spill == "0")  # stored partition by partition when it spilled
    assert outputs["0"] == outputs[str(1 << 30)]
    ref = reference_stats([project.data / "tiny" / "users.csv"], [project.data / "tiny" / "tweets.csv"])
    for key in ("tweets", "active_accounts", "top_hashtags", "top_domains", "top_mentions", "top_clients", "tweet_languages",
                "most_active_accounts", "engagement", "tweets_per_day", "retweets"):
        assert outputs["0"][key] == ref[key], key
    assert ref["active_accounts"] > 2000 and len({h["value"] for h in ref["top_hashtags"]}) == 20
