"""Shared fixtures: tiny projects in tmp_path, and the example site built once per session."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from selectolax.lexbor import LexborHTMLParser as HTMLParser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from takedowns.pipeline import Options, build  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = next((p / "shared" / "real-samples" for p in [ROOT.parent, *ROOT.parents] if (p / "shared" / "real-samples").is_dir()), None)
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

SITE_YAML = """\
title: Test Takedowns
description: A site built by the tests.
base_url: https://example.test/site/
licence: CC BY 4.0
data_licence: As released.
author: Tests
"""


def disclosure_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid disclosure as a dict, with ``overrides`` applied (None removes a key)."""
    d: dict[str, Any] = {
        "id": "tiny-2019",
        "title": "Tiny test network",
        "platform": "twitter",
        "announced": "2019-01-31",
        "countries": ["Venezuela"],
        "targets": ["Venezuela"],
        "attribution": {"kind": "state-backed", "text": "The platform said so."},
        "accounts_announced": 4,
        "summary": "A tiny network for tests.",
        "body": "Some *body* text.",
        "sources": [{"title": "Announcement", "url": "https://example.test/announcement"}],
        "tags": ["tests"],
        "datasets": [
            {"role": "users", "path": "tiny/users.csv", "hashed": True},
            {"role": "tweets", "path": "tiny/tweets.csv", "hashed": True},
        ],
    }
    for key, value in overrides.items():
        if value is None:
            d.pop(key, None)
        else:
            d[key] = value
    return d


class Project:
    """A content/, data/ and output folder in tmp_path, with the real templates.

    Builds keep drawn charts in ``images`` (one folder for the session: a chart is drawn once for every test that
    shows it, keyed by its spec, the renderer and its fonts as in any build); a test of that cache passes its own."""

    def __init__(self, root: Path, images: Path | None = None) -> None:
        self.root = root
        self.images = images
        self.content = root / "content"
        self.data = root / "data"
        self.output = root / "site"
        (self.content / "disclosures").mkdir(parents=True)
        self.data.mkdir()
        (self.content / "site.yaml").write_text(SITE_YAML)
        shutil.copytree(FIXTURES / "tiny", self.data / "tiny")

    def write(self, name: str, text: str) -> Path:
        path = self.content / "disclosures" / name
        path.write_text(textwrap.dedent(text))
        return path

    def add(self, **overrides: Any) -> Path:
        d = disclosure_dict(**overrides)
        return self.write(f"{d['id']}.yaml", yaml.safe_dump(d, sort_keys=False, allow_unicode=True))

    def options(self, **overrides: Any) -> Options:
        values: dict[str, Any] = dict(content=self.content, data=self.data, templates=ROOT / "templates", output=self.output,
                                      cache=self.root / "cache", images=self.images, node_modules=ROOT / "node_modules", now=NOW,
                                      workers=1, search_index=False)
        values.update(overrides)
        return Options(**values)

    def build(self, **overrides: Any):  # type: ignore[no-untyped-def]
        return build(self.options(**overrides))

    def html(self, rel: str) -> HTMLParser:
        return HTMLParser((self.output / rel).read_text())


def _shared(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder made once for the whole test run by ``make``, even when the tests run in several processes
    (pytest-xdist): the first process to need it makes it while holding a lock, the others wait and use it."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    base = tmp_path_factory.getbasetemp().parent  # the run's folder, which every worker's own folder is in
    folder, done = base / name, base / f"{name}.done"
    with run_lock(tmp_path_factory, name):
        if not done.exists():  # a process that failed to make it left no mark: the next one tries again
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@contextlib.contextmanager
def run_lock(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[None]:
    """Hold a lock shared by every process of this test run (pytest-xdist) for the block: for what two tests must not
    use at once (port 8000, the checkout's build/ folder)."""
    base = tmp_path_factory.getbasetemp().parent if "PYTEST_XDIST_WORKER" in os.environ else tmp_path_factory.getbasetemp()
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture
def port_8000(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Port 8000, the default of the README's `serve` and `http.server`, for this test alone (others wait)."""
    with run_lock(tmp_path_factory, "port-8000"):
        yield 8000


@pytest.fixture(scope="session")
def image_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Chart images drawn by this run's builds, shared by them (see ``Project``)."""
    return _shared(tmp_path_factory, "images", lambda folder: None)


@pytest.fixture
def project(tmp_path: Path, image_cache: Path) -> Project:
    return Project(tmp_path, image_cache)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory, image_cache: Path) -> Path:
    """The shipped example content, with freshly generated synthetic data, built once for the run."""
    from takedowns.authoring.example import write_examples

    def make(root: Path) -> None:
        data = root / "data"
        write_examples(data)
        shutil.copytree(ROOT / "data" / "meta-threat-research", data / "meta-threat-research")  # real, shipped with the project
        options = Options(content=ROOT / "content", data=data, templates=ROOT / "templates", output=root / "site",
                          cache=root / "cache", images=image_cache, node_modules=ROOT / "node_modules", now=NOW)
        build(options)

    return _shared(tmp_path_factory, "example", make) / "site"


def text_of(tree: HTMLParser, selector: str) -> list[str]:
    return [" ".join(n.text(separator=" ").split()) for n in tree.css(selector)]
