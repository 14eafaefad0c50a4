"""Statistics on a Dask cluster: the same per-file function, run where the scheduler sends it.

Workers must see the dataset files at the same paths as the machine running the
build (a shared filesystem).  Partials come back and merge exactly as locally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .errors import BuildError, Problem

T = TypeVar("T")
R = TypeVar("R")


def run_on_cluster(tasks: list[T], scheduler: str, fn: Callable[[T], R], timeout: float = 30) -> list[R]:
    """Run ``fn`` over ``tasks`` on the Dask scheduler at ``scheduler``; return results in order."""
    try:
        from distributed import Client
    except ImportError:
        raise BuildError(Problem("--scheduler", message="needs dask.distributed: pip install -r requirements-dev.txt")) from None
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise BuildError(Problem("--scheduler", message=f"cannot reach the Dask scheduler at {scheduler}: {exc}")) from None
    try:
        futures: list[Any] = client.map(fn, tasks, pure=False)
        return list(client.gather(futures))
    finally:
        client.close()
