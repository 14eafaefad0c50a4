"""A real Dask cluster: `dask scheduler` and `dask worker` as separate processes, in another folder, as a user deploys them."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, Project, run_lock

pytestmark = pytest.mark.slow
BUILD = [sys.executable, str(ROOT / "build.py")]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built as a wheel, the standard way (PEP 517, isolated)."""
    out = tmp_path_factory.mktemp("wheel")
    with run_lock(tmp_path_factory, "checkout-build"):  # pip builds in the checkout (build/, *.egg-info): one process at a time
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                              capture_output=True, text=True, timeout=600)
        shutil.rmtree(ROOT / "build", ignore_errors=True)
        for leftover in ROOT.glob("*.egg-info"):
            shutil.rmtree(leftover, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("takedowns-*.whl")
    return found


def _environment(folder: Path, wheel: Path | None) -> Path:
    """A virtual environment that sees this interpreter's packages (Dask, pyarrow...) but not the checkout, with the wheel or without it."""
    import site
    import sysconfig

    venv.EnvBuilder(with_pip=wheel is not None, symlinks=True).create(folder)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The packages of the Python running the tests, wherever they are (a venv's, pyenv's, the system's): one .pth line each.
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    Path(purelib, "takedowns-test-parent.pth").write_text("\n".join(sorted(p for p in ours if Path(p).is_dir())) + "\n")
    if wheel is not None:
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check", str(wheel)],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    return python


class Cluster:
    """A Dask scheduler and workers in processes of their own, each in its own process group (stopped whole, at once)."""

    def __init__(self, python: Path, workdir: Path, workers: int) -> None:
        port = _port()
        self.address = f"tcp://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        dask = [str(python), "-m", "distributed.cli.dask_{}"]
        quiet = dict(cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.processes = [subprocess.Popen([*dask[:2], dask[2].format("scheduler"), "--host", "127.0.0.1", "--port", str(port),
                                            "--no-dashboard"], **quiet)]  # type: ignore[call-overload]
        end = time.monotonic() + 60
        while True:  # the scheduler listens: the workers can join
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < end and self.processes[0].poll() is None, "the Dask scheduler did not start"
                time.sleep(0.1)
        self.processes.append(subprocess.Popen([*dask[:2], dask[2].format("worker"), self.address, "--nworkers", str(workers), "--nthreads", "1",
                                                "--no-dashboard"], **quiet))  # type: ignore[call-overload]

    def stop(self) -> None:
        for p in reversed(self.processes):  # each process and the worker processes it started
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=20)


@pytest.fixture
def cluster_factory(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    made: list[Cluster] = []

    def make(wheel: Path | None, workers: int = 2) -> Cluster:
        elsewhere = tmp_path / f"elsewhere-{len(made)}"  # not the checkout: nothing of the project on the path
        elsewhere.mkdir()
        cluster = Cluster(_environment(elsewhere / "env", wheel), elsewhere, workers)
        made.append(cluster)
        return cluster

    yield make
    for c in made:
        c.stop()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(project: Project, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BUILD, "build", "--content", str(project.content), "--data", str(project.data), "--output", str(output),
                           "--no-cache", "--now", "2026-01-01T00:00:00Z", "--quiet", *extra], capture_output=True, text=True, cwd=ROOT, timeout=600)


def _project(tmp_path: Path) -> Project:
    import datetime as dt

    from takedowns.authoring.synthetic import Release, Style, write_release

    project = Project(tmp_path / "project")
    release = Release("two", 500, 20_000, 11, dt.date(2018, 1, 1), dt.date(2019, 1, 1), ("en", "es"), ("a", "b", "c"), ("x.test", "y.test"),
                      ("here", "there"), Style())
    write_release(release, project.data / "two", parts=3)
    project.add(datasets=[{"role": "users", "path": "two/two_users_csv_hashed.csv"}, {"role": "tweets", "path": "two/two_tweets_csv_hashed_*.csv"}])
    return project


def _wait(address: str) -> None:
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)


def _built_locally_and_a_cluster(tmp_path: Path, wheel: Path, cluster_factory) -> tuple[Project, Cluster]:  # type: ignore[no-untyped-def]
    """The synthetic project built locally into tmp_path/local, and a running cluster whose workers have the wheel."""
    project = _project(tmp_path)
    local = _build(project, tmp_path / "local")
    assert local.returncode == 0, local.stderr
    cluster = cluster_factory(wheel)
    _wait(cluster.address)
    return project, cluster


def test_workers_with_the_wheel_installed_build_the_same_site_as_a_local_build(tmp_path: Path, wheel: Path, cluster_factory) -> None:  # type: ignore[no-untyped-def]
    project, cluster = _built_locally_and_a_cluster(tmp_path, wheel, cluster_factory)
    remote = _build(project, tmp_path / "remote", "--scheduler", cluster.address)
    assert remote.returncode == 0, remote.stderr
    assert "Traceback" not in remote.stderr
    assert _tree(tmp_path / "remote") == _tree(tmp_path / "local")


def test_workers_without_the_package_get_it_from_the_client(tmp_path: Path, cluster_factory) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    assert _build(project, tmp_path / "local").returncode == 0
    cluster = cluster_factory(None)  # neither the scheduler nor the workers can import takedowns
    _wait(cluster.address)
    remote = _build(project, tmp_path / "remote", "--scheduler", cluster.address)
    assert remote.returncode == 0, remote.stderr
    assert _tree(tmp_path / "remote") == _tree(tmp_path / "local")


def test_workers_read_a_data_url_and_build_the_same_site(tmp_path: Path, wheel: Path, cluster_factory) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    assert _build(project, tmp_path / "local").returncode == 0
    cluster = cluster_factory(wheel)
    _wait(cluster.address)
    remote = subprocess.run([*BUILD, "build", "--content", str(project.content), "--data", project.data.as_uri(), "--output", str(tmp_path / "remote"),
                             "--no-cache", "--now", "2026-01-01T00:00:00Z", "--quiet", "--scheduler", cluster.address],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert remote.returncode == 0, remote.stderr
    assert _tree(tmp_path / "remote") == _tree(tmp_path / "local")


def test_a_worker_that_cannot_see_a_file_names_it(tmp_path: Path, wheel: Path, cluster_factory) -> None:  # type: ignore[no-untyped-def]
    from takedowns.content.model import DatasetFile
    from takedowns.errors import DataError
    from takedowns.statistics.cluster import run_on_cluster
    from takedowns.statistics.compute import _run_task_inline
    from takedowns.statistics.tasks import Task

    cluster = cluster_factory(wheel)
    _wait(cluster.address)
    missing = DatasetFile("two/gone.csv", tmp_path / "nowhere" / "gone.csv", 10, "0" * 64)
    (result,) = run_on_cluster([Task(missing, "tweets", "twitter", False)], cluster.address, _run_task_inline)
    assert isinstance(result, DataError)
    assert str(result.problems[0]).startswith("two/gone.csv: cannot be read here (No such file or directory)")


def test_one_large_file_is_divided_among_the_workers_and_builds_the_same_site(tmp_path: Path, wheel: Path, cluster_factory) -> None:  # type: ignore[no-untyped-def]
    project, cluster = _built_locally_and_a_cluster(tmp_path, wheel, cluster_factory)
    shared = tmp_path / "shared"  # on a real cluster: a network folder every worker mounts at the same path
    # Tiny parts, and a client that spills every merged count to disk: merging stays partition by partition.
    env = {**os.environ, "TAKEDOWNS_SPLIT_BYTES": "1", "TAKEDOWNS_PART_ROWS": "1500", "TAKEDOWNS_SPILL_BYTES": "0"}
    remote = subprocess.run([*BUILD, "build", "--content", str(project.content), "--data", str(project.data), "--output", str(tmp_path / "remote"),
                             "--no-cache", "--now", "2026-01-01T00:00:00Z", "--scheduler", cluster.address,
                             "--split-dir", str(shared)], capture_output=True, text=True, cwd=ROOT, timeout=600, env=env)
    assert remote.returncode == 0, remote.stderr
    divided = sorted(line for line in remote.stderr.splitlines() if "divided into" in line)
    # 500 accounts and three tweets files of 6,667, 6,667 and 6,666 rows, in parts of at most 1,500 rows
    assert divided == ["two/two_tweets_csv_hashed_1.csv: divided into 5 parts across the cluster",
                       "two/two_tweets_csv_hashed_2.csv: divided into 5 parts across the cluster",
                       "two/two_tweets_csv_hashed_3.csv: divided into 5 parts across the cluster",
                       "two/two_users_csv_hashed.csv: divided into 1 parts across the cluster"], remote.stderr
    assert list(shared.rglob("*.arrow")) == []  # the parts are removed once merged
    assert _tree(tmp_path / "remote") == _tree(tmp_path / "local")


def test_results_of_code_uploaded_by_another_client_during_the_build_are_refused(tmp_path: Path, cluster_factory) -> None:  # type: ignore[no-untyped-def]
    """The check before the tasks passes; then a second client uploads other code and restarts every worker: refused."""
    from distributed import Client

    from takedowns.errors import BuildError
    from takedowns.statistics.cluster import code_identity, ensure_code, gather_checked
    from takedowns.statistics.compute import _run_task_inline
    from takedowns.statistics.tasks import Task

    project = _project(tmp_path)
    cluster = cluster_factory(None)
    _wait(cluster.address)
    other = tmp_path / "other"
    shutil.copytree(ROOT / "takedowns", other / "takedowns", ignore=shutil.ignore_patterns("__pycache__"))
    tasks_py = other / "takedowns" / "statistics" / "tasks.py"
    tasks_py.write_text(tasks_py.read_text() + "\n# another client's edit\n")
    from takedowns.content.load import Hasher, load_content

    (disclosure,) = load_content(project.content, project.data, Hasher()).disclosures
    work = [Task(f, ds.role, ds.format, False) for ds in disclosure.datasets for f in ds.files]
    with Client(cluster.address, timeout=60) as client:
        ensure_code(client)  # this build's code, uploaded and checked
        assert gather_checked(client, work[:1], _run_task_inline, code_identity())  # and it computes
        # A second client, running other code, uploads it (and so restarts every worker) while this build goes on.
        second = subprocess.run([sys.executable, "-c", "import sys; from distributed import Client; from takedowns.statistics.cluster import ensure_code; "
                                 "c = Client(sys.argv[1], timeout=60); ensure_code(c); c.close()", cluster.address],
                                cwd=other, env={**os.environ, "PYTHONPATH": str(other)}, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr
        client.wait_for_workers(2, timeout=60)
        with pytest.raises(BuildError, match=r"was computed by other code .* another client changed the cluster's code while this build ran"):
            gather_checked(client, work, _run_task_inline, code_identity())
