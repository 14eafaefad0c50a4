#!/usr/bin/env python3
"""Benchmark: the project's statistics of one large tweets file, against DuckDB on the same file.

    python3 bench/stats_vs_duckdb.py --rows 10000000

Generates (once, then reuses) a tweets file of N rows in the released format whose values
are heavy-tailed over large vocabularies (``bench/realistic.py``; ``--vocabulary-scale`` grows
or shrinks every vocabulary; ``--distinct`` is the worst case, every value new), then runs,
each in a fresh process so peak memory is its own: (a) the project's streaming statistics,
(b) DuckDB computing the same statistics, (c) the floor: Arrow's bare streaming parse of the
same columns.  Prints wall time, peak memory (max RSS), the ratios, the distinct values of
each counted field and the size of the stored partial, and checks the project and DuckDB
agree.  Also times a no-op rebuild of the example site and one after touching a YAML.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from realistic import Vocabulary, write  # noqa: E402  (bench/realistic.py)

DUCKDB_GOAL = 1.0  # the project's statistics and signals, at most this many times DuckDB's statistics, co_retweet and copy_paste
SIGNALS_GOAL = 1.4  # with the signals, at most this many times the statistics alone
MEMORY_GOAL_GIB = 1.0


def generate(path: Path, rows: int, vocab: Vocabulary, distinct: bool) -> None:
    """Write ``rows`` tweets to ``path`` unless the same file is there already."""
    marker = path.with_suffix(".rows")
    label = f"{rows} {vocab} {distinct} generator 2"  # bump when bench/realistic.py changes what it writes
    if path.exists() and marker.exists() and marker.read_text() == label:
        return
    write(path, rows, vocab, distinct)
    marker.write_text(label)


_SHA256: dict[str, str] = {}


def _sha256(path: str) -> str:
    """The file's SHA-256, as the build's loading stage computes it: taken before the clock starts, not timed."""
    import hashlib

    if path in _SHA256:
        return _SHA256[path]

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    _SHA256[path] = digest.hexdigest()
    return _SHA256[path]


def project_stats(path: str, workers: int) -> dict:
    import tempfile

    from takedowns.content.model import DatasetFile
    from takedowns.formats.twitter.partial import figures
    from takedowns.statistics.partials import write_partial
    from takedowns.statistics.tasks import Task, run_task

    file = DatasetFile(Path(path).name, Path(path), os.path.getsize(path), _sha256(path))  # the build checks the bytes it counts against it
    outcome = run_task(Task(file, "tweets", "twitter", False))
    part = outcome.partial
    with tempfile.TemporaryDirectory(dir=Path(path).parent) as folder:
        stored = Path(folder) / "partial.part"
        write_partial(part, stored)
        size = stored.stat().st_size
    result = figures(part, None)
    result["_distinct"] = {k: getattr(part, k).distinct() for k in ("users", "hashtags", "domains", "mentions", "clients")}
    result["_stored_bytes"] = size
    result["_spilled"] = any(getattr(part, k).spilled for k in ("users", "hashtags", "domains", "mentions", "clients"))
    return result


def parse_floor(path: str) -> dict:
    """Arrow's streaming CSV parse of the columns the statistics read, doing nothing with them: the floor."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from takedowns.formats import TWITTER

    names = list(TWITTER.roles["tweets"].required)
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=4 << 20, use_threads=True),
                            parse_options=pacsv.ParseOptions(newlines_in_values=True),
                            convert_options=pacsv.ConvertOptions(include_columns=names, column_types={c: pa.string() for c in names}))
    rows = sum(batch.num_rows for batch in reader)
    return {"tweets": rows}


DUCKDB_SQL = r"""
CREATE TEMP TABLE t AS SELECT tweetid, userid, tweet_language, tweet_time, tweet_client_name, in_reply_to_tweetid,
    quoted_tweet_tweetid, is_retweet, like_count, retweet_count, reply_count, quote_count, hashtags, urls, user_mentions,
    tweet_text, retweet_tweetid
  FROM read_csv('{path}', all_varchar=true, header=true, quote='"', escape='"', strict_mode=false, parallel=true);
"""


def duckdb_stats(path: str, threads: int) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    con.execute(DUCKDB_SQL.format(path=path))
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    items = lambda col: f"""(SELECT trim(x, ' ''"') AS v FROM (SELECT unnest(string_split(trim({col}, '[] '), ', ')) AS x FROM t) WHERE trim(x, ' ''"') <> '')"""  # noqa: E731
    top = lambda sub, n=20: [{"value": v, "count": c} for v, c in q(f"SELECT v, count(*) c FROM {sub} WHERE v <> '' GROUP BY v ORDER BY c DESC, v LIMIT {n}")]  # noqa: E731
    n, active, first, last, rts, replies = q("""SELECT count(*), count(DISTINCT userid), min(tweet_time), max(tweet_time),
        count(*) FILTER (lower(is_retweet) = 'true'), count(*) FILTER (in_reply_to_tweetid <> '') FROM t""")[0]
    likes, retweeted, replied, quoted = q("""SELECT sum(coalesce(nullif(like_count,''),'0')::BIGINT), sum(coalesce(nullif(retweet_count,''),'0')::BIGINT),
        sum(coalesce(nullif(reply_count,''),'0')::BIGINT), sum(coalesce(nullif(quote_count,''),'0')::BIGINT) FROM t""")[0]
    per_day = q("SELECT substr(tweet_time, 1, 10) d, count(*) FROM t GROUP BY d ORDER BY d")
    minute = lambda s: f"{s[:10]}T{s[11:16]}Z"  # noqa: E731
    return {
        "tweets": n, "active_accounts": active, "first_tweet": minute(first), "last_tweet": minute(last),
        "retweets": rts, "replies": replies,
        "engagement": {"likes": likes, "retweets": retweeted, "replies": replied, "quotes": quoted},
        "tweets_per_day": [{"date": d, "count": c} for d, c in per_day],
        "tweet_languages": top("(SELECT tweet_language v FROM t)", 10_000),
        "top_clients": top("(SELECT tweet_client_name v FROM t)"),
        "top_hashtags": top(f"(SELECT regexp_replace(lower(v), '^#+', '') v FROM {items('hashtags')})"),
        "top_domains": top(rf"""(SELECT regexp_replace(lower(regexp_extract(v, '^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//(?:[^@/?#\s]*@)?([^/?#:\s]*)', 1)), '^www\.', '') v FROM {items('urls')})"""),
        "top_mentions": top(f"(SELECT v FROM {items('user_mentions')})"),
        "_signals": duckdb_signals(con),
    }


# The two keyed signals in SQL, from their published definitions (README, Methods page). DuckDB has no NFKC: on this
# file no text contains a character NFKC could change (the project checks every text), so lowercasing is the same.
DUCKDB_CO_RETWEET = r"""
WITH r AS (SELECT DISTINCT retweet_tweetid AS k, userid AS u,
             (epoch(strptime(substr(tweet_time, 1, 16), '%Y-%m-%d %H:%M')) // 60)::BIGINT AS m
           FROM t WHERE lower(is_retweet) = 'true' AND retweet_tweetid <> '' AND userid <> ''),
     w AS (SELECT u, m, list(struct_pack(v := u, n := m)) OVER (PARTITION BY k ORDER BY m RANGE BETWEEN CURRENT ROW AND 60 FOLLOWING) AS near
           FROM r),
     p AS (SELECT least(u, x.v) AS a, greatest(u, x.v) AS b, min(x.n - m) AS gap
           FROM (SELECT u, m, unnest(near) AS x FROM w) WHERE x.v <> u GROUP BY 1, 2),
     e AS (SELECT a AS who, gap FROM p UNION ALL SELECT b, gap FROM p)
SELECT w.w, (SELECT count(*) FROM p WHERE gap <= w.w), (SELECT count(DISTINCT who) FROM e WHERE gap <= w.w)
FROM (VALUES (0), (1), (10), (60)) w(w) ORDER BY w.w
"""
DUCKDB_COPY_PASTE = r"""
WITH n AS (SELECT trim(regexp_replace(regexp_replace(regexp_replace(lower(tweet_text), 'https?://\S*', '', 'g'),
                                                    '@[A-Za-z0-9_]+', '', 'g'), '\s+', ' ', 'g')) AS k,
                  userid AS u, tweet_time AS tm
           FROM t WHERE lower(is_retweet) <> 'true' AND userid <> ''),
     c AS (SELECT k, count(DISTINCT u) AS accounts, count(*) AS tweets, min(tm) AS first, max(tm) AS last
           FROM n WHERE length(k) >= 20 GROUP BY k HAVING count(DISTINCT u) >= 3)
SELECT (SELECT count(*) FROM c), (SELECT coalesce(sum(tweets), 0) FROM c),
       (SELECT list(struct_pack(text := k, accounts := accounts, tweets := tweets, first := first, last := last)
                    ORDER BY accounts DESC, tweets DESC, k) FROM (SELECT * FROM c ORDER BY accounts DESC, tweets DESC, k LIMIT 20))
"""


def duckdb_signals(con: object) -> dict:
    from takedowns.formats.twitter.signal_rows import _unstable

    q = lambda sql: con.execute(sql).fetchall()  # type: ignore[attr-defined]  # noqa: E731
    # Not timed: how many texts hold a character NFKC could change (0 means lowercasing alone normalises like the project).
    unstable = q(f"SELECT count(*) FROM t WHERE regexp_matches(tweet_text, '{_unstable()}')")[0][0]
    start = time.perf_counter()
    co = [{"window_minutes": w, "pairs": p, "accounts": a} for w, p, a in q(DUCKDB_CO_RETWEET)]
    clusters, tweets, top = q(DUCKDB_COPY_PASTE)[0]
    minute = lambda s: f"{s[:10]}T{s[11:16]}Z"  # noqa: E731
    top = [{**r, "first": minute(r["first"]), "last": minute(r["last"])} for r in (top or [])]
    return {"co_retweet": co, "copy_paste": {"clusters": clusters, "tweets": tweets, "top": top},
            "_seconds": time.perf_counter() - start, "_unstable": unstable}


def project_without_signals(path: str, workers: int) -> dict:
    """The project's statistics with the coordination signals switched off (what the statistics cost before them)."""
    from takedowns.formats.twitter import partial as stats

    stats.rows_of_tweets = lambda batch, retweet, minute, engagement: {}  # type: ignore[assignment]
    stats.signals = lambda t, u: None  # type: ignore[assignment]
    result = project_stats(path, workers)
    if result.get("signals") is not None:  # the switch must reach the code that runs, or the ratio prices nothing
        raise SystemExit("the signals were not switched off: bench/stats_vs_duckdb.py patches the wrong module")
    return result


def child(kind: str, path: str, threads: int) -> None:
    if kind in ("project", "unsignalled"):
        _sha256(path)  # the loading stage's work, not the statistics'
    start = time.perf_counter()
    result = {"project": project_stats, "duckdb": duckdb_stats, "parse": lambda p, _: parse_floor(p),
              "unsignalled": project_without_signals}[kind](path, threads)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"wall": wall, "peak": peak, "result": result}, default=str))


def measure(kind: str, path: Path, threads: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(path), "--threads", str(threads)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rebuild_times() -> dict:
    """Time a no-op rebuild of the example site, and one after touching a YAML, as whole processes."""
    example = ROOT / "data" / "example"
    if not example.exists():
        subprocess.run([sys.executable, "build.py", "example-data"], cwd=ROOT, check=True, capture_output=True)
    cmd = [sys.executable, "build.py", "build", "--quiet"]
    subprocess.run(cmd, cwd=ROOT, check=True)  # warm the cache
    times = {}
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    times["noop_rebuild_s"] = time.perf_counter() - start
    yaml_file = ROOT / "content" / "disclosures" / "bangladesh-2019-01.yaml"
    yaml_file.touch()
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    times["touched_yaml_rebuild_s"] = time.perf_counter() - start
    original = yaml_file.read_bytes()
    try:
        edited = original.replace(b"(December 2018)\"", b"(December 2018, edited)\"")
        assert edited != original, "the benchmark edit no longer applies to this file"
        yaml_file.write_bytes(edited)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True)
        times["edited_yaml_rebuild_s"] = time.perf_counter() - start
    finally:
        yaml_file.write_bytes(original)
        subprocess.run(cmd, cwd=ROOT, check=True)
    return times


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--dir", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--child", nargs=2, metavar=("KIND", "PATH"))
    p.add_argument("--skip-rebuild", action="store_true")
    p.add_argument("--only", choices=("project", "duckdb", "parse", "unsignalled"), help="run one side only (e.g. for very large files)")
    p.add_argument("--vocabulary-scale", type=float, default=1.0, help="multiply every vocabulary size (default 1: realistic)")
    p.add_argument("--distinct", action="store_true", help="worst case: every hashtag, host, mentioned account and user id new")
    args = p.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.threads)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    base = Vocabulary()
    vocab = Vocabulary(*(max(10, int(getattr(base, f) * args.vocabulary_scale)) for f in ("accounts", "hashtags", "hosts", "mentioned", "tweets")))
    path = args.dir / f"tweets_{args.rows}{'_distinct' if args.distinct else ''}{'' if args.vocabulary_scale == 1 else f'_v{args.vocabulary_scale:g}'}.csv"
    start = time.perf_counter()
    generate(path, args.rows, vocab, args.distinct)
    print(f"file: {path} ({path.stat().st_size / 1e9:.2f} GB, {args.rows:,} rows; generated or reused in {time.perf_counter() - start:.0f} s)")
    print("values: " + ("worst case, every hashtag, host, mentioned account and user id distinct" if args.distinct else vocab.label()))
    print(f"machine: {os.cpu_count()} cores; threads allowed: {args.threads}")
    results = {kind: measure(kind, path, args.threads) for kind in ("project", "unsignalled", "duckdb", "parse") if args.only in (None, kind)}
    for name, m in results.items():
        print(f"{name:8} wall {m['wall']:8.2f} s   peak memory {m['peak'] / 2**30:6.2f} GiB   "
              f"({args.rows / m['wall'] / 1e6:.2f} M rows/s, {path.stat().st_size / m['wall'] / 1e6:.0f} MB/s)"
              + (f"   (goal: peak ≤ {MEMORY_GOAL_GIB:g} GiB: {'met' if m['peak'] <= MEMORY_GOAL_GIB * 2**30 else 'not met'})" if name == "project" else ""))
    if "project" in results:
        ours = results["project"]["result"]
        print("distinct values: " + ", ".join(f"{k} {v:,}" for k, v in ours.pop("_distinct").items()))
        print(f"stored partial (cache entry): {ours.pop('_stored_bytes') / 1e6:.1f} MB; spilled to disk: {'yes' if ours.pop('_spilled') else 'no'}")
    if "project" in results and "unsignalled" in results:
        ratio = results['project']['wall'] / results['unsignalled']['wall']
        print(f"ratio project with signals / without: wall {ratio:.2f}x, peak memory {results['project']['peak'] / results['unsignalled']['peak']:.2f}x "
              f"(goal: the signals add at most {SIGNALS_GOAL - 1:g}x, a ratio ≤ {SIGNALS_GOAL:g}x: {'met' if ratio <= SIGNALS_GOAL else 'not met'})")
    if "project" in results and "parse" in results:
        print(f"ratio project/parse floor: wall {results['project']['wall'] / results['parse']['wall']:.2f}x")
    if "project" in results and "duckdb" in results:
        ours, duck = results["project"], results["duckdb"]
        theirs = duck["result"].pop("_signals")
        print(f"duckdb: co_retweet and copy_paste alone took {theirs.pop('_seconds'):.2f} s of its {duck['wall']:.2f} s; "
              f"texts with a character NFKC could change (DuckDB has no NFKC): {theirs.pop('_unstable'):,}")
        ratio = ours['wall'] / duck['wall']
        print(f"ratio project (statistics and all signals) / duckdb (statistics, co_retweet and copy_paste): wall "
              f"{ratio:.2f}x, peak memory {ours['peak'] / duck['peak']:.2f}x (goal ≤ {DUCKDB_GOAL:g}x: {'met' if ratio <= DUCKDB_GOAL else 'not met'})")
        mismatched = [k for k, v in duck["result"].items() if ours["result"].get(k) != v]
        mine = ours["result"]["signals"]
        co = [{k: w[k] for k in ("window_minutes", "pairs", "accounts")} for w in mine["co_retweet"]]
        copy = {k: mine["copy_paste"][k] for k in ("clusters", "tweets", "top")}
        mismatched += [k for k, v in (("signals.co_retweet", co), ("signals.copy_paste", copy)) if theirs[k.split(".")[1]] != v]
        print("same statistics: " + ("yes (every compared key, co_retweet and copy_paste included)" if not mismatched else f"NO, differ in {mismatched}"))
        print("signals: " + json.dumps({"co_retweet": co, "copy_paste": {k: copy[k] for k in ("clusters", "tweets")},
                                        "top_copy_paste": [(r["accounts"], r["tweets"]) for r in copy["top"][:3]]}))
    if not args.skip_rebuild:
        for k, v in rebuild_times().items():
            print(f"{k}: {v:.2f} s")


if __name__ == "__main__":
    main()
