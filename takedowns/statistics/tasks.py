"""A task is one dataset file: read it in one streaming pass into a partial, and keep that partial in the cache by the file's content and the code."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.model import DatasetFile, Disclosure
from ..errors import DataError, Problem
from ..files import atomic_write
from ..formats import FORMATS
from ..freshness import code_digest
from .counts import drop_spill_folder
from .partials import merge, read_partial, write_partial
from .read import NotClean, Skipped, careful_batches, fast_batches, follows_rules, locate_problems, read_whole


@dataclass(frozen=True)
class Task:
    """One dataset file to reduce to partial statistics."""

    file: DatasetFile
    role: str
    format: str
    skip_bad_rows: bool
    progress: bool = field(default=False, compare=False)

    @property
    def key(self) -> str:
        code = code_digest("statistics.compute", LIBRARIES)
        text = f"{code}|{self.format}|{self.role}|{self.file.sha256}|{int(self.skip_bad_rows)}"  # not progress
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    partial: Any  # the file's partial statistics (a stats partial dataclass)
    skipped: dict[str, Any]  # rows left out under --skip-bad-rows, by reason


# Where a worker process sends (bytes, rows) read, for the parent to draw; set by the pool's initializer.
_REPORT: Callable[[int, int], None] | None = None


_NOTHING_SKIPPED: dict[str, Any] = {"rows": 0, "reasons": {}, "lines": []}
# The libraries whose versions key the cached statistics, with the code (tests/test_layout.py checks none is missing).
LIBRARIES = ("pyarrow", "numpy", "scipy")
WHOLE_FILE_LIMIT = 64 << 20  # formats that parse a file whole (indicator lists, reports) read at most this much


def run_task(task: Task) -> Outcome:
    """Read one file in a single streaming pass and return its partial statistics."""
    role = FORMATS[task.format].roles[task.role]
    if role.parse is not None:
        return Outcome(role.parse(read_whole(task.file, WHOLE_FILE_LIMIT), task.file.relpath), _NOTHING_SKIPPED)
    empty, reduce = role.empty, role.reduce
    assert reduce is not None

    def checked(batch: Any) -> Any:
        return reduce(batch) if follows_rules(batch, role.rules) else None

    try:
        total = _reduce_all(task, "", lambda on_bytes: _overlapped(
            checked, fast_batches(task.file, role, on_bytes, check_rules=False, diagnose=False)), empty())
        return Outcome(total, _NOTHING_SKIPPED)
    except NotClean:
        if not task.skip_bad_rows:
            raise locate_problems(task.file, role) from None
    # Bad rows, and the build said to leave them out: read the file again, carefully, once.
    skipped = Skipped()
    total = _reduce_all(task, " (careful pass)", lambda on_bytes: (
        (reduce(b), b.num_rows) for b in careful_batches(task.file, role, skip_bad=True, skipped=skipped, on_bytes=on_bytes)), empty())
    return Outcome(total, {"rows": skipped.rows, "reasons": dict(sorted(skipped.reasons.items())), "lines": skipped.lines})


def _reduce_all(task: Task, label: str, parts: Callable[[Callable[[int], None] | None], Iterable[tuple[Any | None, int]]],
                total: Any) -> Any:
    """Merge every partial that ``parts`` yields into ``total``, reporting bytes and rows read to ``_REPORT`` if set."""
    report = _REPORT if task.progress else None
    # Closed here, whatever happens: a reader left suspended would be finished by the garbage collector at exit,
    # its threads still calling into Python while the interpreter shuts down (a fatal error, not a message).
    with contextlib.closing(iter(parts((lambda n: report(n, 0)) if report else None))) as each:
        for part, rows in each:
            if part is None:
                raise NotClean()
            merge(total, part)
            if report:
                report(0, rows)
    return total


def _overlapped(reduce: Callable[[Any], Any | None], batches: Iterable[Any], ahead: int = 4) -> Iterator[tuple[Any | None, int]]:
    """Yield ``reduce(batch)`` for each batch, in order, computing while the next batches are parsed.

    Arrow's parsing and compute functions release the GIL, so a thread computing
    statistics runs beside the parser on the other core.  At most ``ahead``
    batches are in flight: memory stays bounded whatever the file's size.
    """
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        with contextlib.closing(iter(batches)) as each:  # an early stop closes the reader too, at once
            pending: deque[Any] = deque()
            for batch in each:
                pending.append((pool.submit(reduce, batch), batch.num_rows))
                if len(pending) >= ahead:
                    future, rows = pending.popleft()
                    yield future.result(), rows
            while pending:
                future, rows = pending.popleft()
                yield future.result(), rows
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_task_quietly(task: Task, store: Path | None) -> Path | bytes | DataError:
    """Run a task in a worker; store its partial in ``store`` and return the path (None: return the stored bytes).

    Errors are returned, not raised, so that they cross processes and clusters as values.
    """
    try:
        outcome = run_task(task)
        target = (store or Path(tempfile.gettempdir())) / (f"{task.key}.part" if store else f"takedowns-{os.getpid()}-{task.key}.part")
        write_partial(outcome.partial, target, {"skipped": outcome.skipped})
        if store is not None:
            return target
        try:
            return target.read_bytes()
        finally:
            target.unlink(missing_ok=True)
    except DataError as exc:
        return exc
    except OSError as exc:  # on a cluster: a worker that cannot see the file
        return DataError(Problem(task.file.relpath, message=f"cannot be read here ({exc.strerror or exc}); "
                                                            "on a cluster every worker must see the data folder at the same path"))
    finally:
        drop_spill_folder()


class Cache:
    """Any statistics on disk, one stored partial per task key; an entry that cannot be read whole is a miss."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def path(self, task: Task) -> Path | None:
        return self.folder / f"{task.key}.part" if self.folder else None

    def get(self, task: Task) -> Path | None:
        """Return where the task's stored partial is, if it is there and whole."""
        path = self.path(task)
        if path is None or load(path) is None:
            return None
        return path

    def get_figures(self, key: str) -> dict[str, Any] | None:
        """Return a disclosure's statistics as computed before from the same stored partials, if whole."""
        if self.folder is None:
            return None
        try:
            value = json.loads((self.folder / f"figures-{key}.json").read_text())
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def put_figures(self, key: str, figures: dict[str, Any]) -> None:
        if self.folder is not None:
            atomic_write(self.folder / f"figures-{key}.json", json.dumps(figures, separators=(",", ":")))  # key order is kept: charts show it

    def put_bytes(self, task: Task, data: bytes) -> Path | None:
        path = self.path(task)
        if path is not None:
            atomic_write(path, data)
        return path


def load(path: Path) -> Outcome | None:
    """Return the stored partial at ``path``, or None if it is missing, truncated or from another version."""
    try:
        partial, extra = read_partial(path)
        skipped = extra["skipped"]
        int(skipped["rows"]), dict(skipped["reasons"]), list(skipped["lines"])
    except Exception:  # noqa: BLE001  (compute afresh)
        return None
    return Outcome(partial, skipped)


def tasks_of(disclosures: Iterable[Disclosure], skip_bad_rows: bool, progress: bool = False) -> list[Task]:
    return [Task(f, d.role, d.format, skip_bad_rows, progress) for disc in disclosures for d in disc.datasets for f in d.files]
