"""Time one release built alone: its statistics and signals once, then its pages and charts in every language of the
site, each time from an empty image cache (the statistics kept), as a new release is first published.

    python3 build.py example-data && python3 bench/release.py                # the IRA example, three runs
    python3 bench/release.py --id iran-2019-01 --runs 5

The project is made under bench/out/release/: the site's ``site.yaml`` and the one disclosure, the checkout's data/.
Each figure is read from the build's own stage lines: "pages and charts" is from the line that starts them to the
line that says how many files were rendered (the search index starts during them, on each language's pages as soon as
they are rendered, and what is left of it finishes while the site is written: printed apart).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 5.0
STAGE = re.compile(r"^\[\s*([0-9.]+) s\] (.*)$")


def stages(stderr: str) -> dict[str, float]:
    """The build's stage lines: each stage's text (its first words) -> seconds since the build began."""
    found = {}
    for line in stderr.splitlines():
        m = STAGE.match(line)
        if m:
            found[m.group(2)] = float(m.group(1))
    return found


def at(found: dict[str, float], start: str) -> float:
    for text, seconds in found.items():
        if re.match(start, text):
            return seconds
    raise SystemExit(f"no stage line starting {start!r} in the build's output: {sorted(found)}")


def build(folder: Path) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", "content", "--data", "data", "--cache", "cache",
                           "--output", "site", "--templates", str(ROOT / "templates"), "--now", "2026-01-01T00:00:00Z"],
                          cwd=folder, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return time.perf_counter() - start, stages(done.stderr)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--id", default="ira-2018-10", help="the disclosure (a file of content/disclosures/)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "release")
    a = p.parse_args()
    source = ROOT / "content" / "disclosures" / f"{a.id}.yaml"
    if not source.is_file():
        raise SystemExit(f"{source} does not exist")
    shutil.rmtree(a.dir, ignore_errors=True)
    (a.dir / "content" / "disclosures").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "site.yaml", a.dir / "content" / "site.yaml")
    shutil.copy(source, a.dir / "content" / "disclosures" / source.name)
    (a.dir / "data").symlink_to(ROOT / "data", target_is_directory=True)
    (a.dir / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)

    wall, found = build(a.dir)
    pages = at(found, r"\d+ files rendered") - at(found, "pages and charts")
    print(f"{a.id}, first build: {wall:.1f} s; statistics and signals "
          f"{at(found, 'pages and charts') - at(found, 'statistics'):.1f} s; pages and charts {pages:.1f} s")
    for run in range(1, a.runs + 1):
        shutil.rmtree(a.dir / "site")
        for kept in (a.dir / "cache").iterdir():  # everything but the statistics: nothing drawn or rendered is kept
            if kept.name != "stats":
                shutil.rmtree(kept) if kept.is_dir() else kept.unlink()
        wall, found = build(a.dir)
        pages = at(found, r"\d+ files rendered") - at(found, "pages and charts")
        rest = wall - at(found, r"\d+ files rendered")
        print(f"run {run}: pages and charts {pages:.2f} s (goal ≤ {GOAL_SECONDS:g} s); then search and writing {rest:.2f} s; whole build {wall:.2f} s")


if __name__ == "__main__":
    main()
