"""Files over 1 GiB divided among a Dask cluster's workers: cut at row boundaries into Arrow parts in a folder every worker sees."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..files import atomic_write
from ..formats import FORMATS
from .counts import drop_spill_folder
from .partials import merge, read_partial, write_partial
from .read import NotClean, fast_batches, follows_rules, locate_problems
from .tasks import _NOTHING_SKIPPED, Task

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
