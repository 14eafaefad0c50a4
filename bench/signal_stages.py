#!/usr/bin/env python3
"""Time each stage of the statistics and coordination signals of one tweets file.

    python3 bench/signal_stages.py bench/out/tweets_10000000.csv     # made by bench/stats_vs_duckdb.py

Prints the time to read the file into its partial (with, then without, the signals' per-batch rows),
to store the partial in the cache format, and to compute each signal from it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def stages(path: Path, signals_on: bool) -> None:
    from takedowns.content.model import DatasetFile
    from takedowns.formats.twitter import partial as stats
    from takedowns.formats.twitter import signals
    from takedowns.statistics.partials import read_partial, write_partial
    from takedowns.statistics.tasks import Task, run_task

    if not signals_on:
        stats.rows_of_tweets = lambda batch, retweet, minute, engagement: {}  # type: ignore[assignment]
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:  # in blocks, as the loading stage computes it (not the whole file in memory)
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    file = DatasetFile(path.name, path, path.stat().st_size, digest.hexdigest())
    import resource

    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    t = run_task(Task(file, "tweets", "twitter", False)).partial
    print(f"read into the partial ({'with' if signals_on else 'without'} the signals' rows): {time.perf_counter() - start:.2f} s "
          f"(CPU time of all threads: user {resource.getrusage(resource.RUSAGE_SELF).ru_utime - before.ru_utime:.2f} s, "
          f"system {resource.getrusage(resource.RUSAGE_SELF).ru_stime - before.ru_stime:.2f} s)")
    if not signals_on:
        return
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        start = time.perf_counter()
        write_partial(t, Path(folder) / "p.part")
        size = (Path(folder) / "p.part").stat().st_size
        print(f"store the partial: {time.perf_counter() - start:.2f} s, {size / 1e6:.0f} MB")
        t, _ = read_partial(Path(folder) / "p.part")
        active = t.users.distinct()
        for name, run in (("in_network", lambda: signals.in_network(t, None)), ("co_retweet", lambda: signals.co_retweet(t, active)),
                          ("copy_paste", lambda: signals.copy_paste(t)), ("reply_swarms", lambda: signals.reply_swarms(t)),
                          ("working_hours", lambda: signals.working_hours(t)), ("posting_tools", lambda: signals.posting_tools(t)),
                          ("engagement_concentration", lambda: signals.engagement_concentration(t))):
            start = time.perf_counter()
            run()
            print(f"  {name}: {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        signals.signals(t, None)
        print(f"all of them as the build computes them (co-retweets beside the rest): {time.perf_counter() - start:.2f} s")


def main() -> None:
    path = Path(sys.argv[1])
    if len(sys.argv) > 2:
        stages(path, sys.argv[2] == "on")
        return
    for mode in ("off", "on"):  # each in its own process, so neither warms the other
        subprocess.run([sys.executable, __file__, str(path), mode], check=True, env={**os.environ})


if __name__ == "__main__":
    main()
