"""Compute every disclosure's statistics: one streaming pass per file, cached by content.

A task is one dataset file.  Its partial statistics are stored (Arrow IPC, see
``stats.write_partial``) under a key made of the file's SHA-256, its role and
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
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.model import DatasetFile, Disclosure
from ..errors import DataError, Problem
from ..files import atomic_write, remove_leftovers
from ..formats import FORMATS
from ..freshness import code_digest
from ..progress import Progress
from .counts import drop_spill_folder
from .partials import merge, read_partial, write_partial
from .read import MAX_PROBLEMS, NotClean, Skipped, careful_batches, fast_batches, follows_rules, lines_of, locate_problems, read_whole


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
        code = code_digest("statistics.compute", ("pyarrow", "numpy"))
        text = f"{code}|{self.format}|{self.role}|{self.file.sha256}|{int(self.skip_bad_rows)}"  # not progress
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    partial: Any  # the file's partial statistics (a stats partial dataclass)
    skipped: dict[str, Any]  # rows left out under --skip-bad-rows, by reason


# Where a worker process sends (bytes, rows) read, for the parent to draw; set by the pool's initializer.
_REPORT: Callable[[int, int], None] | None = None


_NOTHING_SKIPPED: dict[str, Any] = {"rows": 0, "reasons": {}, "lines": []}
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
    for part, rows in parts((lambda n: report(n, 0)) if report else None):
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


# -- one large file across the workers of a cluster ------------------------------------------------------------------

SPLIT_BYTES = int(os.environ.get("TAKEDOWNS_SPLIT_BYTES", 1 << 30))  # on a cluster, a larger file is divided among the workers
PART_ROWS = int(os.environ.get("TAKEDOWNS_PART_ROWS", 2_000_000))  # rows per part of a divided file


@dataclass(frozen=True)
class Split:
    """Divide ``task``'s file: one streaming pass writes its needed columns, rules checked, as parts in ``folder``."""

    task: Task
    folder: str
    part_rows: int


def divisible(task: Task) -> bool:
    role = FORMATS[task.format].roles[task.role]
    return role.reduce is not None and not task.skip_bad_rows and task.file.size > SPLIT_BYTES


def split_file(job: Split) -> list[str] | DataError:
    """Run on one worker: return the parts (Arrow IPC files, LZ4) that together hold every row of the file, in order."""
    role = FORMATS[job.task.format].roles[job.task.role]
    folder = Path(job.folder) / job.task.key
    folder.mkdir(parents=True, exist_ok=True)
    parts: list[str] = []
    pending: list[Any] = []
    rows = 0

    def flush() -> None:
        nonlocal pending, rows
        if not pending:
            return
        path = folder / f"part-{len(parts):05d}.arrow"
        options = pa_ipc().IpcWriteOptions(compression="lz4")
        with pa_ipc().new_file(str(path), pending[0].schema, options=options) as writer:
            for batch in pending:
                writer.write_batch(batch)
        parts.append(str(path))
        pending, rows = [], 0

    try:
        for batch in fast_batches(job.task.file, role, None, check_rules=False, diagnose=False):
            if not follows_rules(batch, role.rules):
                raise NotClean()
            while batch.num_rows:
                take = min(batch.num_rows, job.part_rows - rows)
                pending.append(batch.slice(0, take))
                rows += take
                batch = batch.slice(take)
                if rows >= job.part_rows:
                    flush()
        flush()
        return parts
    except NotClean:
        return locate_problems(job.task.file, role)
    except DataError as exc:
        return exc
    except OSError as exc:
        return DataError(Problem(job.task.file.relpath, message=f"cannot be divided here ({exc.strerror or exc}); "
                                                                f"every worker must see the data folder and --split-dir {job.folder}"))


def pa_ipc() -> Any:
    import pyarrow.ipc

    return pyarrow.ipc


def part_partial(job: tuple[Task, str]) -> bytes | DataError:
    """Run on a worker: the stored partial (bytes) of one part of a divided file."""
    task, part = job
    reduce = FORMATS[task.format].roles[task.role].reduce
    assert reduce is not None
    try:
        total = FORMATS[task.format].roles[task.role].empty()
        with pa_ipc().open_file(part) as reader:
            for i in range(reader.num_record_batches):
                merge(total, reduce(reader.get_batch(i)))
        target = Path(tempfile.gettempdir()) / f"takedowns-{os.getpid()}-{secrets.token_hex(6)}.part"
        write_partial(total, target, {"skipped": _NOTHING_SKIPPED})
        try:
            return target.read_bytes()
        finally:
            target.unlink(missing_ok=True)
    except OSError as exc:
        return DataError(Problem(task.file.relpath, message=f"a part of it cannot be read here ({exc.strerror or exc}); "
                                                            "every worker must see --split-dir at the same path"))
    finally:
        drop_spill_folder()


def _divided_on_cluster(tasks: list[Task], scheduler: str, folder: Path, scratch: Path) -> list[Path | DataError]:
    """Statistics of large files, each divided among the workers: one pass writes parts, every worker takes some."""
    from .cluster import run_on_cluster

    results: list[Path | DataError] = []
    splits = run_on_cluster([Split(t, str(folder), PART_ROWS) for t in tasks], scheduler, split_file)
    jobs = [(t, part) for t, parts in zip(tasks, splits, strict=True) if not isinstance(parts, DataError) for part in parts]
    answers = iter(run_on_cluster(jobs, scheduler, part_partial) if jobs else [])
    for task, parts in zip(tasks, splits, strict=True):
        if isinstance(parts, DataError):
            results.append(parts)
            continue
        if task.progress:
            print(f"{task.file.relpath}: divided into {len(parts)} parts across the cluster", file=sys.stderr, flush=True)
        total = FORMATS[task.format].roles[task.role].empty()
        failed: DataError | None = None
        for _ in parts:
            answer = next(answers)
            if isinstance(answer, DataError):
                failed = failed or answer
                continue
            path = scratch / f"{secrets.token_hex(8)}.part"
            atomic_write(path, answer)
            merge(total, read_partial(path)[0])
        shutil.rmtree(folder / task.key, ignore_errors=True)
        if failed is not None:
            results.append(failed)
            continue
        path = scratch / f"{task.key}.part"
        write_partial(total, path, {"skipped": _NOTHING_SKIPPED})
        results.append(path)
    return results


_CONTEXT = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _draw(queue: Any, progress: Progress) -> None:
    while (item := queue.get()) is not None:
        progress.advance_both(*item)


def _worker_start(queue: Any, parent: int) -> None:
    """Set up a pool worker: report progress to the parent, and end when the parent is gone (killed builds leave no workers)."""
    global _REPORT
    _REPORT = lambda n_bytes, n_rows: queue.put((n_bytes, n_rows))  # noqa: E731

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


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
