"""Datasets where they are: the data folder given as an fsspec URL, read with the same rules as a local folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, Project


def _build(project: Project, data: str, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(project.content), "--data", data,
                           "--output", str(output), "--cache", str(output.parent / (output.name + "-cache")), "--now", "2026-01-01T00:00:00Z",
                           "--no-search", "--quiet"], capture_output=True, text=True, cwd=ROOT, timeout=300)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_data_url_builds_the_same_site_as_the_folder(project: Project, tmp_path: Path) -> None:
    project.add()
    assert _build(project, str(project.data), tmp_path / "local").returncode == 0
    remote = _build(project, project.data.as_uri(), tmp_path / "remote")
    assert remote.returncode == 0, remote.stderr
    assert _tree(tmp_path / "remote") == _tree(tmp_path / "local")


def test_a_data_url_keeps_the_confinement_rules(project: Project, tmp_path: Path) -> None:
    project.add(datasets=[{"role": "users", "path": "../data/tiny/users.csv"}, {"role": "tweets", "path": "tiny/nothing-*.csv"}])
    done = _build(project, project.data.as_uri(), tmp_path / "out")
    assert done.returncode == 1
    assert "path '../data/tiny/users.csv' goes up out of data/ ('..'); refused" in done.stderr
    assert f"path 'tiny/nothing-*.csv' matches no file in {project.data.as_uri()}/" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_pin_is_checked_against_the_remote_bytes(project: Project, tmp_path: Path) -> None:
    project.add(datasets=[{"role": "users", "path": "tiny/users.csv", "sha256": "0" * 64}, {"role": "tweets", "path": "tiny/tweets.csv"}])
    done = _build(project, project.data.as_uri(), tmp_path / "out")
    assert done.returncode == 1 and f"sha256 {'0' * 64} does not match tiny/users.csv" in done.stderr


def test_an_unreachable_data_url_is_named_not_taken_for_an_empty_folder(project: Project, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port on this machine that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    project.add()
    url = f"ftp://127.0.0.1:{port}/data"
    done = _build(project, url, tmp_path / "out")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"datasets: cannot open the data folder {url}: " in done.stderr and "Connection refused" in done.stderr, done.stderr
    assert "matches no file" not in done.stderr


def test_a_link_leaving_the_data_folder_is_refused_by_path_and_by_file_url_alike(project: Project, tmp_path: Path) -> None:
    secret = tmp_path / "private" / "users.csv"
    secret.parent.mkdir()
    secret.write_bytes((project.data / "tiny" / "users.csv").read_bytes())
    (project.data / "tiny" / "leak.csv").symlink_to(secret)
    project.add(datasets=[{"role": "users", "path": "tiny/leak.csv"}, {"role": "tweets", "path": "tiny/tweets.csv"}])
    for data in (str(project.data), project.data.as_uri()):
        done = _build(project, data, tmp_path / "out")
        assert done.returncode == 1 and "'tiny/leak.csv' leads outside" in done.stderr and "(a link?); refused" in done.stderr, done.stderr
        assert not (tmp_path / "out").exists()
