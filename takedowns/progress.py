"""Progress of long dataset reads: a live line on a terminal, plain periodic lines in CI logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


class Progress:
    """Reports bytes and rows read of one file; silent for files that take under a second or two."""

    def __init__(self, name: str, total_bytes: int, stream: TextIO | None = None, interval: float | None = None) -> None:
        self.name, self.total = name, max(total_bytes, 1)
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.interval = interval if interval is not None else (0.25 if self.live else 10.0)
        self.start = time.monotonic()
        self.last = self.start
        self.bytes = 0
        self.rows = 0
        self.shown = False

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.bytes / elapsed
        share = min(self.bytes / self.total, 1.0)
        eta = (self.total - self.bytes) / rate if rate > 0 else 0
        bar = "#" * int(share * 20)
        return (f"{self.name}: [{bar:<20}] {share:4.0%} {self.bytes / 1e6:,.0f}/{self.total / 1e6:,.0f} MB, "
                f"{self.rows:,} rows, {rate / 1e6:,.0f} MB/s, ETA {_duration(eta)}")

    def advance(self, n_bytes: int = 0, n_rows: int = 0) -> None:
        self.bytes += n_bytes
        self.rows += n_rows
        now = time.monotonic()
        if now - self.last >= self.interval and now - self.start >= 1.0:
            self.last = now
            self.shown = True
            if self.live:
                self.stream.write("\r" + self.line()[:150] + "\x1b[K")
            else:
                self.stream.write(self.line() + "\n")
            self.stream.flush()

    def advance_both(self, n_bytes: int, n_rows: int) -> None:
        self.advance(n_bytes, n_rows)

    def done(self) -> None:
        if self.shown:
            elapsed = time.monotonic() - self.start
            end = f"{self.name}: {self.rows:,} rows, {self.bytes / 1e6:,.0f} MB in {_duration(elapsed)}"
            self.stream.write(("\r" + end + "\x1b[K\n") if self.live else end + "\n")
            self.stream.flush()
