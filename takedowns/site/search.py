"""The search index: Pagefind over the rendered disclosure pages, built offline at build time."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import BuildError, Problem
from ..files import atomic_write, real_folder, walk
from ..freshness import digest
from .documents import Output
from .reuse import Kept, Previous
from .write import link


def search_index(output: Output, previous: Previous | None = None, languages: tuple[str, ...] = ()) -> dict[str, bytes | Kept]:
    """Return Pagefind's index and script files for the HTML pages in ``output``, keyed by output path (see ``Indexer``)."""
    with Indexer(previous, languages) as indexer:
        return indexer.finish(output)


class Indexer:
    """Pagefind's index of a site's pages, one language at a time, as soon as a language's pages are rendered.

    Only the pages marked ``data-pagefind-body`` go to Pagefind: once any page is marked, it indexes those alone, so the
    others (lists, embeds, about pages: more than half the site) would only be read and dropped. Pagefind indexes each
    language apart, and the files of one language's index are the same whether it indexes that language alone or the
    whole site: so each language (``languages``: the first at the site's root, each other under its own folder) is
    indexed by its own run, two at a time, started by ``rendered`` while the build renders the next language (Pagefind
    is a process of its own: it runs on the core the rendering leaves). ``finish`` takes the whole output and uses a
    run only if its language's pages are exactly those it indexed, else runs it again; with ``previous``, a language
    whose pages are all as they were keeps its last index (known from the pages' digests, without reading a page).
    The entry file lists every language's index.
    """

    def __init__(self, previous: Previous | None, languages: tuple[str, ...] | list[str]) -> None:
        self.previous, self.languages = previous, tuple(languages)
        self.version = _pagefind_version()
        self.marks = _Marks(previous)
        self.pool = ThreadPoolExecutor(max_workers=2)  # each run is one process of about one core
        self.runs: dict[str, tuple[str, Future[dict[str, bytes]]]] = {}  # group -> (its key, its run)
        self.shas: dict[str, tuple[bytes, str]] = {}  # path -> (the page, its SHA-256): each new page hashed once

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _group(self, path: str) -> str:
        first = path.split("/", 1)[0]
        return first if first in self.languages[1:] else ""

    def _pages(self, files: Output) -> dict[str, dict[str, bytes | Kept]]:
        groups: dict[str, dict[str, bytes | Kept]] = {}
        for path, content in sorted(files.items()):
            if path.endswith(".html") and isinstance(content, bytes | Kept) and self.marks.indexed(content):
                groups.setdefault(self._group(path), {})[path] = content
        return groups

    def _key(self, group: str, pages: dict[str, bytes | Kept]) -> str:
        return digest("search", self.version, group, [(path, self._sha(path, c)) for path, c in pages.items()])

    def _sha(self, path: str, content: bytes | Kept) -> str | None:
        if isinstance(content, Kept):
            return content.sha256
        known = self.shas.get(path)
        if known is not None and known[0] is content:
            return known[1]
        sha = hashlib.sha256(content).hexdigest()
        self.shas[path] = (content, sha)
        return sha

    def _reused(self, key: str) -> tuple[dict[str, bytes | Kept], dict[str, Any]] | None:
        kept = self.previous.reuse(key) if self.previous else None
        if kept is not None and isinstance(kept[1], dict) and isinstance(kept[1].get("languages"), dict):
            return dict(kept[0]), kept[1]
        return None

    def _start(self, group: str, pages: dict[str, bytes | Kept], key: str) -> None:
        folder = self.previous.search_pages(group) if self.previous else None
        self.runs[group] = (key, self.pool.submit(_run_pagefind, pages, folder))

    def rendered(self, language: str, files: Output) -> None:
        """``language``'s pages are rendered (``files``): index them now, unless their last index is kept."""
        group = "" if language not in self.languages[1:] else language
        pages = self._pages(files).get(group)
        if not pages or group in self.runs:
            return
        key = self._key(group, pages)
        if self._reused(key) is None:
            self._start(group, pages, key)

    def finish(self, output: Output) -> dict[str, bytes | Kept]:
        """Return the index of ``output``'s pages: each language's from its run if that indexed exactly these pages."""
        groups = self._pages(output)
        self.marks.save()
        if not groups:
            return _whole({}, self.previous, self.version)
        made: dict[str, tuple[dict[str, bytes | Kept], dict[str, Any]]] = {}
        keys: dict[str, str] = {}
        for group, members in sorted(groups.items()):
            keys[group] = key = self._key(group, members)
            if group in self.runs and self.runs[group][0] == key:
                continue
            kept = self._reused(key)
            if kept is not None:
                made[group] = kept
            else:
                self._start(group, members, key)
        for group in sorted(groups.keys() - made.keys()):
            files = dict(self.runs[group][1].result())
            entry = json.loads(files.pop(ENTRY)) if ENTRY in files else {"languages": {}}
            made[group] = (dict(files), entry)
            if self.previous:
                self.previous.record(keys[group], files, entry)
        entries = [entry for _, entry in made.values()]
        seen: dict[str, Any] = {}
        for entry in entries:
            for language, about in entry.get("languages", {}).items():
                if language in seen:  # pages of one language in two folders: index them in one run, as one language
                    return _whole({p: c for members in groups.values() for p, c in members.items()}, self.previous, self.version)
                seen[language] = about
        index: dict[str, bytes | Kept] = {}
        for files, _ in made.values():
            index.update(files)
        if entries:
            index[ENTRY] = _entry({**entries[0], "languages": seen})
        return index


def _whole(pages: dict[str, bytes | Kept], previous: Previous | None, version: str) -> dict[str, bytes | Kept]:
    key = digest("search", version, None, [(path, _sha(c)) for path, c in pages.items()])
    kept = previous.reuse(key) if previous else None
    if kept is not None:
        return kept[0]  # type: ignore[return-value]
    index = _run_pagefind(pages)
    if ENTRY in index:
        index[ENTRY] = _entry(json.loads(index[ENTRY]))
    if previous:
        previous.record(key, index)
    return index  # type: ignore[return-value]


def _sha(content: bytes | Kept) -> str | None:
    return content.sha256 if isinstance(content, Kept) else hashlib.sha256(content).hexdigest()


_MARK = b"data-pagefind-body"


class _Marks:
    """Whether each page (by its SHA-256) is marked for the index, remembered from build to build in the cache, so a
    kept page is not read again to know."""

    def __init__(self, previous: Previous | None) -> None:
        self.path = previous.folder.parent / "search-marks.json" if previous and previous.folder else None
        self.known: dict[str, bool] = {}
        self.used: dict[str, bool] = {}
        if self.path is not None:
            try:
                loaded = json.loads(self.path.read_text())
                self.known = {k: v for k, v in loaded.items() if isinstance(v, bool)} if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                pass

    def indexed(self, content: bytes | Kept) -> bool:
        if not isinstance(content, Kept):
            return _MARK in content
        if content.sha256 in self.known:
            self.used[content.sha256] = self.known[content.sha256]
            return self.known[content.sha256]
        try:
            marked = _MARK in content.path.read_bytes()
        except OSError:
            return True  # let the indexer say what is wrong with it
        if content.sha256:
            self.used[content.sha256] = marked
        return marked

    def save(self) -> None:
        if self.path is not None and self.used != self.known:
            atomic_write(self.path, json.dumps(self.used, sort_keys=True, separators=(",", ":")))


def _pagefind_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pagefind_bin_extended")
    except metadata.PackageNotFoundError:
        return "unknown"


def _run_pagefind(pages: dict[str, bytes | Kept], kept: Path | None = None) -> dict[str, bytes]:
    """Index ``pages`` with Pagefind and return its files. The pages are laid out as in the site in ``kept`` (a folder of
    this build's own, kept between builds and brought up to date: its pages are hard links to the site's, and making and
    removing thousands of folders each build costs seconds), else in a temporary folder."""
    from pagefind_bin_extended import get_executable

    with tempfile.TemporaryDirectory(prefix="takedowns-search-") as folder:
        root = kept if kept is not None else Path(folder) / "site"
        _lay_out(pages, root)
        index = Path(folder) / "pagefind"
        try:
            done = subprocess.run([str(get_executable()), "--site", str(root), "--output-path", str(index), "--quiet"],
                                  capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BuildError(Problem("search index", message=f"Pagefind could not run: {exc}")) from None
        if done.returncode != 0:
            raise BuildError(Problem("search index", message=f"Pagefind failed: {(done.stderr or done.stdout).strip()[-500:]}"))
        return {f"pagefind/{p.relative_to(index).as_posix()}": p.read_bytes() for p in sorted(index.rglob("*")) if p.is_file()}


def _lay_out(pages: dict[str, bytes | Kept], root: Path) -> None:
    """Make ``root`` hold exactly ``pages`` at their paths: a kept page as a hard link to the site's file (left alone when
    it is one already), a new page written; a name that is anything else is removed first, so nothing is written through."""
    if not root.parent.exists():
        root.parent.parent.mkdir(parents=True, exist_ok=True)
    real_folder(root.parent)  # links in place of these folders are removed, never followed
    real_folder(root)
    there = walk(root)
    for rel, st in there.items():
        want = pages.get(rel)
        if st is None or want is None or not isinstance(want, Kept) or want.ino is None or st.st_ino != want.ino:
            os.unlink(root / rel)
    made: set[Path] = set()
    for rel, content in pages.items():
        st = there.get(rel)
        if st is not None and isinstance(content, Kept) and content.ino is not None and st.st_ino == content.ino:
            continue
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if isinstance(content, Kept):
            link(content.path, path)
        else:
            with open(path, "xb") as f:
                f.write(content)


ENTRY = "pagefind/pagefind-entry.json"


def _entry(entry: dict[str, Any]) -> bytes:
    """Return Pagefind's entry file with its languages in a fixed order: Pagefind writes them in hash-map order, which
    differs from run to run, and two builds of the same input must be byte-identical."""
    if isinstance(entry.get("languages"), dict):
        entry = {**entry, "languages": dict(sorted(entry["languages"].items()))}
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()


def stale_index(previous: Previous) -> dict[str, Kept] | None:
    """Return the last build's search index files, as they are in the output folder, or None if there is none whole."""
    paths = [p for p in previous.files if p.startswith("pagefind/")]
    if not paths or not all(previous.intact(p) for p in paths):
        return None
    return {p: Kept(previous.output / p, previous.files[p][3], previous.files[p][2]) for p in paths}
