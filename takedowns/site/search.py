"""The search index: Pagefind over the rendered disclosure pages, built offline at build time."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import BuildError, Problem
from ..files import atomic_write, walk
from .documents import Output
from .reuse import Kept, Previous, digest
from .write import link


def search_index(output: Output, previous: Previous | None = None, languages: tuple[str, ...] = ()) -> dict[str, bytes | Kept]:
    """Return Pagefind's index and script files for the HTML pages in ``output``, keyed by output path.

    Only the pages marked ``data-pagefind-body`` go to Pagefind: once any page is marked, it indexes those alone, so the
    others (lists, embeds, about pages: more than half the site) would only be read and dropped. Pagefind indexes each
    language apart, and the files of one language's index are the same whether it indexes that language alone or the
    whole site: so each language (``languages``: the first at the site's root, each other under its own folder) is
    indexed by its own run, two at a time, and with ``previous`` a language whose pages are all as they were keeps its
    last index (known from the pages' digests, without reading a page). The entry file lists every language's index.
    """
    pages = {path: content for path, content in sorted(output.items()) if path.endswith(".html") and isinstance(content, bytes | Kept)}
    marks = _Marks(previous)
    indexed = {path: content for path, content in pages.items() if marks.indexed(content)}
    marks.save()
    groups: dict[str, dict[str, bytes | Kept]] = {}
    for path, content in indexed.items():
        first = path.split("/", 1)[0]
        groups.setdefault(first if first in languages[1:] else "", {})[path] = content
    if not groups:
        return _whole({}, previous, _pagefind_version())
    version = _pagefind_version()
    made: dict[str, tuple[dict[str, bytes | Kept], dict[str, Any]]] = {}
    todo: dict[str, str] = {}
    for group, members in sorted(groups.items()):
        key = digest("search", version, group, [(path, _sha(c)) for path, c in members.items()])
        kept = previous.reuse(key) if previous else None
        if kept is not None and isinstance(kept[1], dict) and isinstance(kept[1].get("languages"), dict):
            made[group] = (dict(kept[0]), kept[1])
        else:
            todo[group] = key
    with ThreadPoolExecutor(max_workers=2) as pool:  # each run is one process of about one core
        runs = dict(zip(todo, pool.map(lambda group: _run_pagefind(groups[group], previous.search_pages(group) if previous else None), todo),
                        strict=True))
    for group, files in runs.items():
        entry = json.loads(files.pop(ENTRY)) if ENTRY in files else {"languages": {}}
        made[group] = (dict(files), entry)
        if previous:
            previous.record(todo[group], files, entry)
    entries = [entry for _, entry in made.values()]
    seen: dict[str, Any] = {}
    for entry in entries:
        for language, about in entry.get("languages", {}).items():
            if language in seen:  # pages of one language in two folders: index them in one run, as one language
                return _whole(indexed, previous, version)
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
    root.mkdir(parents=True, exist_ok=True)
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
