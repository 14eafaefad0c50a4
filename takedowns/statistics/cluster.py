"""Statistics on a Dask cluster: the same per-file function, run where the scheduler sends it.

The scheduler never needs this package: each task is sent as bytes that only a worker
decodes (``pickle.loads`` of a call), so a shared or managed scheduler works as it is.
Workers need the package: installed from the wheel (``pip install takedowns-*.whl``), or,
when they lack it, shipped from the client with Dask's ``UploadDirectory`` plugin. Either
way the build first checks that every worker runs the same code as the client (version and
a digest of the statistics modules) and refuses a mismatch. Workers must see the dataset
files at the same paths as the machine running the build (a shared filesystem). Partials
come back and merge exactly as locally.
"""

from __future__ import annotations

import pickle
import shutil
import socket
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import BuildError, Problem

T = TypeVar("T")
R = TypeVar("R")


class _Call:
    """Pickles as the call ``fn(*args)``: it runs where it is unpickled, on a worker that has the code."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn, self.args = fn, args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.fn, self.args


def code_identity() -> tuple[str, str]:
    """Return this process's package version and the digest of the code that computes statistics."""
    from .. import __version__
    from ..freshness import code_digest
    from .tasks import LIBRARIES

    return __version__, code_digest("statistics.compute", LIBRARIES)


def _worker_identities(client: Any) -> dict[str, Any]:
    """Return, per worker, its (version, digest), or the error that kept it from importing the package."""
    return dict(client.run(pickle.loads, pickle.dumps(_Call(code_identity)), on_error="return"))


def ensure_code(client: Any, upload: bool = True) -> None:
    """Make sure every worker runs this client's code: ship the package where it is missing or differs, then refuse any mismatch."""
    want = code_identity()
    found = _worker_identities(client)
    if not found:
        raise BuildError(Problem("--scheduler", message="the Dask cluster has no workers"))
    stale = [w for w, v in found.items() if isinstance(v, BaseException) or tuple(v) != want]
    if stale and upload:
        from distributed.diagnostics.plugin import UploadDirectory

        # The package folder, onto each worker's path; the worker restarts so it imports it afresh. It goes into a folder
        # named for its code, so it is never merged with an earlier upload's files (a module since moved would linger).
        with tempfile.TemporaryDirectory(prefix="takedowns-upload-") as stage:
            folder = Path(stage) / f"takedowns-{want[1][:16]}"
            shutil.copytree(Path(__file__).parents[1], folder / "takedowns", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            client.register_plugin(UploadDirectory(str(folder), update_path=True, restart_workers=True,
                                                   skip_words=("__pycache__", ".pyc")), name="takedowns-code")
        client.wait_for_workers(len(found), timeout=60)
        found = _worker_identities(client)
    problems = []
    for worker, got in sorted(found.items()):
        if isinstance(got, BaseException):
            problems.append(Problem("--scheduler", message=f"worker {worker} cannot import the takedowns package ({type(got).__name__}: {got}); "
                                                           "install the wheel in the workers' environment (see README, Scaling out)"))
        elif tuple(got) != want:
            problems.append(Problem("--scheduler", message=f"worker {worker} runs takedowns {got[0]} with other code (digest {got[1][:12]}) than this "
                                                           f"build ({want[0]}, {want[1][:12]}); install the same wheel on every worker"))
    if problems:
        raise BuildError(problems)


def stamped(fn: Callable[[T], R], task: T) -> tuple[tuple[str, str], R]:
    """Run ``fn(task)`` on a worker and return the identity of the code that ran it with its result."""
    return code_identity(), fn(task)


def gather_checked(client: Any, tasks: list[T], fn: Callable[[T], R], want: tuple[str, str]) -> list[R]:
    """Run ``fn`` over ``tasks`` on the cluster; refuse every result unless the code that made it is the client's.

    The check before the tasks is not enough: another client may upload other code, restarting every worker, while
    this build's tasks wait; a result of other code is then refused, before anything of it is cached.
    """
    calls = [pickle.dumps(_Call(stamped, fn, task)) for task in tasks]
    futures: list[Any] = client.map(pickle.loads, calls, pure=False)
    results = []
    for task, (got, result) in zip(tasks, client.gather(futures), strict=True):
        if tuple(got) != want:
            name = getattr(getattr(task, "file", None), "relpath", None) or getattr(getattr(getattr(task, "task", None), "file", None), "relpath", "a task")
            raise BuildError(Problem("--scheduler", message=f"{name} was computed by other code (takedowns {got[0]}, digest {got[1][:12]}) than this build's "
                                                            f"({want[0]}, {want[1][:12]}): another client changed the cluster's code while this build ran; "
                                                            "nothing was cached; build again (see README, Scaling out: a shared cluster)"))
        results.append(result)
    return results


def refused(scheduler: str, patience: float = 5.0) -> str | None:
    """Why a plain TCP scheduler address still refuses connections after ``patience`` seconds, or None when it
    answers or is not plain TCP (then Dask connects, and reports any failure after its own, longer timeout).

    A refused connection means nothing listens there: a scheduler being started gets ``patience`` to begin."""
    try:
        parsed = urllib.parse.urlsplit(scheduler if "://" in scheduler else f"tcp://{scheduler}")
        host, port = parsed.hostname, parsed.port
    except ValueError:
        return None
    if parsed.scheme != "tcp" or not host or port is None:
        return None
    end = time.monotonic() + patience
    while True:
        try:
            socket.create_connection((host, port), timeout=patience).close()
            return None
        except ConnectionRefusedError as exc:
            if time.monotonic() >= end:
                return f"{exc.strerror or exc} for {patience:g} s"
            time.sleep(0.25)
        except OSError:
            return None


def run_on_cluster(tasks: list[T], scheduler: str, fn: Callable[[T], R], timeout: float = 30, upload: bool = True) -> list[R]:
    """Run ``fn`` over ``tasks`` on the Dask scheduler at ``scheduler``; return results in order."""
    try:
        from distributed import Client
    except ImportError:
        raise BuildError(Problem("--scheduler", message="needs Dask: pip install -r requirements-cluster.txt (or the wheel's [cluster] extra)")) from None
    why = refused(scheduler)
    if why:
        raise BuildError(Problem("--scheduler", message=f"cannot reach the Dask scheduler at {scheduler}: {why}"))
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise BuildError(Problem("--scheduler", message=f"cannot reach the Dask scheduler at {scheduler}: {exc}")) from None
    try:
        ensure_code(client, upload)
        return gather_checked(client, tasks, fn, code_identity())
    finally:
        client.close()
