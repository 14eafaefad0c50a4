"""Time the README's test command (``bash scripts/test.sh``) as a whole, beside its goal, and print pytest's own figure.

    python3 bench/tests.py                # in a fresh clone of the repository, as CI runs it

Arguments after ``--`` go to the command (and so to pytest), e.g. ``python3 bench/tests.py -- --durations=20``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 600.0  # ten minutes, installs included


def main() -> None:
    extra = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    start = time.perf_counter()
    done = subprocess.run(["bash", "scripts/test.sh", *extra], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    summary = [line for line in done.stdout.splitlines() if re.search(r"\b(passed|failed|error)\b.* in [0-9.]+s", line)]
    print(summary[-1].strip("= ") if summary else done.stdout[-2000:])
    print(f"the whole command: {wall:.1f} s, exit status {done.returncode} "
          f"(goal ≤ {GOAL_SECONDS / 60:g} min: {'met' if wall <= GOAL_SECONDS and done.returncode == 0 else 'not met'})")
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
