"""Time the example site's loops, each a whole ``build.py build`` process: a cold build (empty cache and output), a
no-op rebuild, and a rebuild after retitling one disclosure; each beside its goal.

    python3 build.py example-data && python3 bench/example.py          # --edits 3

The project is a copy of the checkout's content/ under bench/out/example/ (the checkout's data/ and node_modules/
linked), so the retitles never touch the checkout.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_GOAL, NOOP_GOAL = 40.0, 1.0  # seconds
EDITED = "bangladesh-2019-01"  # the disclosure retitled, as in BENCHMARKS.md's earlier figures


def build(folder: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--quiet", "--content", "content", "--data", "data",
                           "--templates", str(ROOT / "templates"), "--cache", "cache", "--output", "site"],
                          cwd=folder, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return time.perf_counter() - start


def goal(seconds: float, limit: float) -> str:
    return f"(goal ≤ {limit:g} s: {'met' if seconds <= limit else 'not met'})"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--edits", type=int, default=3)
    p.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "example")
    a = p.parse_args()
    if not (ROOT / "data" / "example").is_dir():
        raise SystemExit("no data/example: run `python3 build.py example-data` first")
    shutil.rmtree(a.dir, ignore_errors=True)
    a.dir.mkdir(parents=True)
    shutil.copytree(ROOT / "content", a.dir / "content")
    (a.dir / "data").symlink_to(ROOT / "data", target_is_directory=True)
    (a.dir / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)

    cold = build(a.dir)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"example site, cold build: {cold:.1f} s, peak memory {peak:.2f} GiB {goal(cold, COLD_GOAL)}")
    noop = build(a.dir)
    print(f"no-op rebuild: {noop:.2f} s {goal(noop, NOOP_GOAL)}")
    yaml_file = a.dir / "content" / "disclosures" / f"{EDITED}.yaml"
    text = yaml_file.read_text()
    if '\ntitle: "' not in text:
        raise SystemExit(f"{yaml_file} has no quoted title line to edit")
    for n in range(1, a.edits + 1):
        yaml_file.write_text(text.replace('\ntitle: "', f'\ntitle: "(edit {n}) ', 1))
        print(f"retitle {EDITED} (edit {n}): {build(a.dir):.2f} s")


if __name__ == "__main__":
    main()
