"""Compute every disclosure's statistics: one streaming pass per file, cached by content.

A task is one dataset file.  Its partial statistics are cached under a key made
of the file's SHA-256, its role and format, and the statistics version, so a
rebuild that changed only YAML or templates reads no dataset, and a changed
file recomputes only itself.  Tasks run in a local process pool, or on a Dask
cluster when given a scheduler address: the same function either way.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError, Problem
from .formats import FORMATS
from .model import DatasetFile, Disclosure
from .progress import Progress
from .read import NotClean, Skipped, careful_batches, fast_batches, follows_rules, locate_problems
from .stats import PARTIALS, STATS_VERSION, Partial, figures, from_json, merge, to_json


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
        text = f"{STATS_VERSION}|{self.format}|{self.role}|{self.file.sha256}|{int(self.skip_bad_rows)}"  # not progress
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    partial: dict[str, Any]  # stats.to_json of the file's partial
    skipped: dict[str, Any]  # rows left out under --skip-bad-rows, by reason


def run_task(task: Task) -> Outcome:
    """Read one file in a single streaming pass and return its partial statistics."""
    role = FORMATS[task.format].roles[task.role]
    empty, reduce = PARTIALS[task.role]

    def checked(batch: Any) -> Partial | None:
        return reduce(batch) if follows_rules(batch) else None

    try:
        total = _reduce_all(task, "", lambda on_bytes: _overlapped(
            checked, fast_batches(task.file, role, on_bytes, check_rules=False, diagnose=False)), empty())
        return Outcome(to_json(total), {"rows": 0, "reasons": {}, "lines": []})
    except NotClean:
        if not task.skip_bad_rows:
            raise locate_problems(task.file, role) from None
    # Bad rows, and the build said to leave them out: read the file again, carefully, once.
    skipped = Skipped()
    total = _reduce_all(task, " (careful pass)", lambda on_bytes: (
        (reduce(b), b.num_rows) for b in careful_batches(task.file, role, skip_bad=True, skipped=skipped, on_bytes=on_bytes)), empty())
    return Outcome(to_json(total), {"rows": skipped.rows, "reasons": dict(sorted(skipped.reasons.items())), "lines": skipped.lines})


def _reduce_all(task: Task, label: str, parts: Callable[[Callable[[int], None] | None], Iterable[tuple[Partial | None, int]]],
                total: Partial) -> Partial:
    """Merge every partial that ``parts`` yields into ``total``, reporting progress when asked."""
    report = Progress(task.file.relpath + label, task.file.size) if task.progress else None
    for part, rows in parts((lambda n: report.advance(n_bytes=n)) if report else None):
        if part is None:
            raise NotClean()
        merge(total, part)
        if report:
            report.advance(n_rows=rows)
    if report:
        report.done()
    return total


def _overlapped(reduce: Callable[[Any], Partial | None], batches: Iterable[Any], ahead: int = 4) -> Iterator[tuple[Partial | None, int]]:
    """Yield ``reduce(batch)`` for each batch, in order, computing while the next batches are parsed.

    Arrow's parsing and compute functions release the GIL, so a thread computing
    statistics runs beside the parser on the other core.  At most ``ahead``
    batches are in flight: memory stays bounded whatever the file's size.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append((pool.submit(reduce, batch), batch.num_rows))
            if len(pending) >= ahead:
                future, rows = pending.popleft()
                yield future.result(), rows
        while pending:
            future, rows = pending.popleft()
            yield future.result(), rows


def _run_task_quietly(task: Task) -> Outcome | DataError:
    """Run a task in a worker; return its error instead of raising it across processes."""
    try:
        return run_task(task)
    except DataError as exc:
        return exc


class Cache:
    """Partial statistics on disk, one JSON file per task key."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, task: Task) -> Outcome | None:
        if self.folder is None:
            return None
        path = self.folder / f"{task.key}.json"
        try:
            data = json.loads(path.read_text())
            return Outcome(data["partial"], data["skipped"])
        except (OSError, ValueError, KeyError):
            return None

    def put(self, task: Task, outcome: Outcome) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{task.key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"partial": outcome.partial, "skipped": outcome.skipped}, separators=(",", ":")))
        tmp.replace(self.folder / f"{task.key}.json")


def tasks_of(disclosures: Iterable[Disclosure], skip_bad_rows: bool, progress: bool = False) -> list[Task]:
    return [Task(f, d.role, d.format, skip_bad_rows, progress) for disc in disclosures for d in disc.datasets for f in d.files]


def compute_all(disclosures: tuple[Disclosure, ...], cache: Cache, skip_bad_rows: bool = False,
                workers: int | None = None, scheduler: str | None = None, progress: bool = False) -> dict[str, dict[str, Any]]:
    """Return each disclosure's statistics by id; raise DataError naming every bad file."""
    tasks = tasks_of(disclosures, skip_bad_rows, progress)
    outcomes: dict[str, Outcome] = {}
    todo: dict[str, Task] = {}  # one task per distinct file, even if two disclosures share it
    for task in tasks:
        hit = cache.get(task)
        if hit is not None:
            outcomes[task.key] = hit
        else:
            todo.setdefault(task.key, task)
    problems: list[Problem] = []
    pending = list(todo.values())
    for task, result in zip(pending, _execute(pending, workers, scheduler), strict=True):
        if isinstance(result, DataError):
            problems.extend(result.problems)
        else:
            outcomes[task.key] = result
            cache.put(task, result)
    if problems:
        raise DataError(problems)
    return {d.id: disclosure_figures(d, outcomes, skip_bad_rows) for d in disclosures}


def _execute(todo: list[Task], workers: int | None, scheduler: str | None) -> list[Outcome | DataError]:
    if not todo:
        return []
    if scheduler:
        from .cluster import run_on_cluster

        return run_on_cluster(todo, scheduler, _run_task_quietly)
    workers = workers if workers is not None else min(os.cpu_count() or 1, len(todo), 4)
    if workers <= 1 or len(todo) == 1:
        return [_run_task_quietly(task) for task in todo]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return _in_pool(pool, todo)


def _in_pool(pool: Executor, todo: list[Task]) -> list[Outcome | DataError]:
    # Largest files first, so one big file does not start last and run alone.
    order = sorted(range(len(todo)), key=lambda i: -todo[i].file.size)
    futures = {i: pool.submit(_run_task_quietly, todo[i]) for i in order}
    return [futures[i].result() for i in range(len(todo))]


def disclosure_figures(d: Disclosure, outcomes: dict[str, Outcome], skip_bad_rows: bool) -> dict[str, Any]:
    """Merge one disclosure's file partials and return its statistics."""
    merged: dict[str, Partial] = {}
    skipped: list[dict[str, Any]] = []
    for dataset in d.datasets:
        for file in dataset.files:
            outcome = outcomes[Task(file, dataset.role, dataset.format, skip_bad_rows).key]  # progress is not in the key
            part = from_json(outcome.partial)
            merged[dataset.role] = merge(merged[dataset.role], part) if dataset.role in merged else part
            if outcome.skipped["rows"]:
                skipped.append({"file": file.relpath, **outcome.skipped})
    result = figures(merged.get("tweets"), merged.get("users"))  # type: ignore[arg-type]
    result["skipped_rows"] = skipped
    return result
