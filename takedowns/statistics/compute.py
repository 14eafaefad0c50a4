"""Compute every disclosure's statistics: one streaming pass per file, cached by content.

A task is one dataset file.  Its partial statistics are stored (Arrow IPC, see
``partials.write_partial``; ``tasks.py``) under a key made of the file's SHA-256, its role and
format, and a digest of the code that computes them (this module and every
module it imports, and the installed pyarrow and numpy), so a rebuild that changed only
YAML or templates reads no dataset, and a changed file recomputes only itself.
Tasks run in a local process pool, whose workers write their partials straight
into the cache, or on a Dask cluster, whose workers send theirs back as bytes:
the same function either way.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import multiprocessing.queues
import os
import shutil
import tempfile
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..content.model import Disclosure
from ..errors import DataError, Problem
from ..files import atomic_write, remove_leftovers
from ..formats import FORMATS
from ..progress import Progress
from ..workers import end_with_parent
from .counts import drop_spill_folder
from .partials import merge
from .read import MAX_PROBLEMS, lines_of
from .split import _divided_on_cluster, divisible
from .tasks import Cache, Task, _run_task_quietly, load, tasks_of


def compute_all(disclosures: tuple[Disclosure, ...], cache: Cache, skip_bad_rows: bool = False,
                workers: int | None = None, scheduler: str | None = None, progress: bool = False,
                split_dir: Path | None = None, profiles: dict[str, tuple[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Return each disclosure's statistics by id; raise DataError naming every bad file.

    ``profiles``, if given, receives for each release that has one its figures key and its profile (``campaigns``): the
    cached file, or without a cache the table itself.

    On a cluster with ``split_dir`` (a folder every worker sees), a file larger than ``SPLIT_BYTES`` is divided
    among the workers instead of read by one.
    """
    tasks = tasks_of(disclosures, skip_bad_rows, progress)
    outcomes: dict[str, Path] = {}  # task key -> stored partial
    todo: dict[str, Task] = {}  # one task per distinct file, even if two disclosures share it
    for task in tasks:
        hit = cache.get(task)
        if hit is not None:
            outcomes[task.key] = hit
        else:
            todo.setdefault(task.key, task)
    # Spilled partitions and, without a cache, stored partials live in a folder of this build, removed at its end.
    base = cache.folder.parent if cache.folder else Path(tempfile.gettempdir())
    if cache.folder:
        cache.folder.mkdir(parents=True, exist_ok=True)
    remove_leftovers(base, ".takedowns-build-")  # what a killed build left behind
    scratch = Path(tempfile.mkdtemp(prefix=f".takedowns-build-{os.getpid()}-", dir=base))
    saved = os.environ.get("TAKEDOWNS_SPILL_DIR")
    os.environ["TAKEDOWNS_SPILL_DIR"] = str(scratch / "spill")
    try:
        problems: list[Problem] = []
        pending = list(todo.values())
        store = cache.folder or scratch
        for task, result in zip(pending, _execute(pending, workers, scheduler, store, split_dir, scratch), strict=True):
            if isinstance(result, DataError):
                problems.extend(result.problems)
                continue
            if isinstance(result, bytes):  # from a cluster worker
                path = cache.put_bytes(task, result) or scratch / f"{task.key}.part"
                if not cache.folder:
                    atomic_write(path, result)
                result = path
            elif cache.folder and result.parent == scratch:  # merged here from a divided file's parts
                target = cache.path(task)
                assert target is not None
                os.replace(result, target)
                result = target
            if load(result) is None:
                problems.append(Problem(task.file.relpath, message=f"its statistics could not be stored ({result}): is the disk full?"))
            else:
                outcomes[task.key] = result
        if problems:
            raise DataError(problems)
        result_by_id = {}
        for d in disclosures:
            key = figures_key(d, skip_bad_rows)
            profile = (cache.folder or scratch) / "profiles" / f"{key}.arrow" if _profiled(d) else None
            known = cache.get_figures(key)
            if known is not None and (profile is None or profile.exists()):
                result_by_id[d.id] = known
            else:
                try:
                    # Through JSON, so that fresh and remembered figures are the same values (lists, not tuples).
                    result_by_id[d.id] = json.loads(json.dumps(disclosure_figures(d, outcomes, skip_bad_rows, profile)))
                except DataError as exc:
                    problems.extend(exc.problems)
                    continue
                cache.put_figures(key, result_by_id[d.id])
            if profiles is not None and profile is not None and profile.exists():
                from .profile import read_profile

                # The cache keeps the file: read it only if the cross-campaign views must be computed again.
                profiles[d.id] = (key, profile if cache.folder else read_profile(profile))
        if problems:
            raise DataError(problems)
        return result_by_id
    finally:
        if saved is None:
            os.environ.pop("TAKEDOWNS_SPILL_DIR", None)
        else:
            os.environ["TAKEDOWNS_SPILL_DIR"] = saved
        drop_spill_folder()
        shutil.rmtree(scratch, ignore_errors=True)


def _execute(todo: list[Task], workers: int | None, scheduler: str | None, store: Path,
             split_dir: Path | None = None, scratch: Path | None = None) -> list[Path | bytes | DataError]:
    global _REPORT
    if not todo:
        return []
    if scheduler:
        from .cluster import run_on_cluster

        big = [i for i, t in enumerate(todo) if split_dir is not None and divisible(t)]
        rest = [i for i in range(len(todo)) if i not in set(big)]
        results: dict[int, Path | bytes | DataError] = {}
        if big:
            assert split_dir is not None and scratch is not None
            results.update(zip(big, _divided_on_cluster([todo[i] for i in big], scheduler, split_dir, scratch), strict=True))
        if rest:
            results.update(zip(rest, run_on_cluster([todo[i] for i in rest], scheduler, _run_task_inline), strict=True))
        return [results[i] for i in range(len(todo))]
    workers = workers if workers is not None else min(os.cpu_count() or 1, len(todo), 4)
    # One progress line for all files, drawn by this process alone.
    progress = Progress(f"statistics of {len(todo)} file{'s' if len(todo) != 1 else ''}", sum(t.file.size for t in todo))
    if workers <= 1 or len(todo) == 1:
        _REPORT = progress.advance_both
        try:
            return [_run_task_quietly(task, store) for task in todo]
        finally:
            _REPORT = None
            progress.done()
    queue: multiprocessing.queues.SimpleQueue[tuple[int, int] | None] = _CONTEXT.SimpleQueue()
    drawer = threading.Thread(target=_draw, args=(queue, progress), daemon=True)
    drawer.start()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_CONTEXT, initializer=_worker_start, initargs=(queue, os.getpid())) as pool:
            return _in_pool(pool, todo, store)
    finally:
        queue.put(None)
        drawer.join()
        progress.done()


def _run_task_inline(task: Task) -> bytes | DataError:
    """On a cluster worker: the stored partial's bytes travel back to the build."""
    return _run_task_quietly(task, None)  # type: ignore[return-value]


_CONTEXT = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _draw(queue: Any, progress: Progress) -> None:
    while (item := queue.get()) is not None:
        progress.advance_both(*item)


def _worker_start(queue: Any, parent: int) -> None:
    """Set up a pool worker: report progress to the parent, and end when the parent is gone (killed builds leave no workers)."""
    global _REPORT
    _REPORT = lambda n_bytes, n_rows: queue.put((n_bytes, n_rows))  # noqa: E731
    end_with_parent(parent)


def _in_pool(pool: Executor, todo: list[Task], store: Path) -> list[Path | bytes | DataError]:
    # Largest files first, so one big file does not start last and run alone.
    order = sorted(range(len(todo)), key=lambda i: -todo[i].file.size)
    futures = {i: pool.submit(_run_task_quietly, todo[i], store) for i in order}
    return [futures[i].result() for i in range(len(todo))]


def duplicate_accounts(d: Disclosure, duplicates: dict[str, int]) -> DataError:
    """Return the error naming every line of the accounts a users file gives more than once (each would count twice)."""
    wanted = set(sorted(duplicates)[:MAX_PROBLEMS])
    seen: dict[str, tuple[str, int]] = {}
    problems = []
    for dataset in d.datasets:
        if dataset.role != "users":
            continue
        for file in dataset.files:
            for userid, lines in sorted(lines_of(file, "userid", wanted).items()):
                for line in lines:
                    if userid in seen:
                        first = seen[userid]
                        problems.append(Problem(file.relpath, line, 0, f"userid {userid[:40]!r} is given again (first at {first[0]}:{first[1]}); "
                                                                       "each account must be one row of the users file"))
                    else:
                        seen[userid] = (file.relpath, line)
    more = len(duplicates) - len(wanted)
    if more > 0:
        problems.append(Problem(d.source_file, 0, 0, f"and {more:,} more accounts are given on more than one row of the users file"))
    return DataError(problems)


def _profiled(d: Disclosure) -> bool:
    """Whether a disclosure's data leaves a profile for the cross-campaign views."""
    return any(FORMATS[ds.format].profile is not None for ds in d.datasets)


def figures_key(d: Disclosure, skip_bad_rows: bool) -> str:
    """A digest of the stored partials a disclosure's statistics are merged from (each keyed on its file and the code)."""
    keys = [f"{ds.format}/{ds.role}/{Task(f, ds.role, ds.format, skip_bad_rows).key}" for ds in d.datasets for f in ds.files]
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def disclosure_figures(d: Disclosure, outcomes: dict[str, Path], skip_bad_rows: bool,
                       profile: Path | None = None) -> dict[str, Any]:
    """Merge one disclosure's file partials, role by role within each format, and return its statistics.

    With ``profile``, the items the release posted (``Format.profile``) are written there, for the cross-campaign views.
    """
    merged: dict[str, dict[str, Any]] = {}  # format -> role -> partial
    skipped: list[dict[str, Any]] = []
    for dataset in d.datasets:
        for file in dataset.files:
            # Read afresh for each disclosure: merging changes a partial in place, and two disclosures may share a file.
            outcome = load(outcomes[Task(file, dataset.role, dataset.format, skip_bad_rows).key])  # progress is not in the key
            if outcome is None:
                raise DataError(Problem(file.relpath, message="its stored statistics vanished during the build (another build cleaned the cache?)"))
            part = outcome.partial
            roles = merged.setdefault(dataset.format, {})
            roles[dataset.role] = merge(roles[dataset.role], part) if dataset.role in roles else part
            if outcome.skipped["rows"]:
                skipped.append({"file": file.relpath, **outcome.skipped})
    result: dict[str, Any] = {}
    for name in sorted(merged):
        for part in merged[name].values():
            if getattr(part, "duplicates", None):  # an account on two rows of a users file would count twice
                raise duplicate_accounts(d, part.duplicates)
        result.update(FORMATS[name].figures(merged[name]))
        make = FORMATS[name].profile
        if profile is not None and make is not None and (table := make(merged[name])) is not None:
            from .profile import write_profile

            write_profile(table, profile)
    result["skipped_rows"] = skipped
    return result
