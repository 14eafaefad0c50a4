"""The search index: Pagefind over the rendered disclosure pages, built offline at build time."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path

from ..errors import BuildError, Problem
from .documents import Output
from .reuse import Kept, Previous, digest
from .write import link


def search_index(output: Output, previous: Previous | None = None) -> dict[str, bytes | Kept]:
    """Return Pagefind's index and script files for the HTML pages in ``output``, keyed by output path.

    With ``previous``, the last build's index is kept when every HTML page is the same as then (known from the
    digests, without reading a page). Otherwise only the pages marked ``data-pagefind-body`` go to Pagefind: once any
    page is marked, it indexes those alone, so the others (lists, embeds, about pages: more than half the site) would
    only be read and dropped.
    """
    pages = {path: content for path, content in sorted(output.items()) if path.endswith(".html") and isinstance(content, bytes | Kept)}
    key = digest("search", _pagefind_version(), [(path, c.sha256 if isinstance(c, Kept) else hashlib.sha256(c).hexdigest())
                                                for path, c in pages.items()])
    kept = previous.reuse(key) if previous else None
    if kept is not None:
        return kept[0]
    index = _run_pagefind({path: content for path, content in pages.items() if _indexed(content)})
    if previous:
        previous.record(key, index)
    return index  # type: ignore[return-value]


_MARK = b"data-pagefind-body"


def _indexed(content: bytes | Kept) -> bool:
    """Whether Pagefind would index the page (a kept page is read to know)."""
    if isinstance(content, Kept):
        try:
            return _MARK in content.path.read_bytes()
        except OSError:
            return True  # let the indexer say what is wrong with it
    return _MARK in content


def _pagefind_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pagefind_bin_extended")
    except metadata.PackageNotFoundError:
        return "unknown"


def _run_pagefind(pages: dict[str, bytes | Kept]) -> dict[str, bytes]:
    from pagefind_bin_extended import get_executable

    with tempfile.TemporaryDirectory(prefix="takedowns-search-") as folder:
        root = Path(folder)
        made: set[Path] = set()
        for path, content in pages.items():
            if (root / path).parent not in made:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                made.add((root / path).parent)
            if isinstance(content, Kept):
                link(content.path, root / path)
            else:
                (root / path).write_bytes(content)
        try:
            done = subprocess.run([str(get_executable()), "--site", str(root), "--output-subdir", "pagefind",
                                   "--quiet"], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BuildError(Problem("search index", message=f"Pagefind could not run: {exc}")) from None
        if done.returncode != 0:
            raise BuildError(Problem("search index", message=f"Pagefind failed: {(done.stderr or done.stdout).strip()[-500:]}"))
        index = root / "pagefind"
        files = {f"pagefind/{p.relative_to(index).as_posix()}": p.read_bytes() for p in sorted(index.rglob("*")) if p.is_file()}
        if ENTRY in files:
            files[ENTRY] = _sorted_entry(files[ENTRY])
        return files


ENTRY = "pagefind/pagefind-entry.json"


def _sorted_entry(data: bytes) -> bytes:
    """Return Pagefind's entry file with its languages in a fixed order: it writes them in hash-map order, which
    differs from run to run, and two builds of the same input must be byte-identical."""
    entry = json.loads(data)
    if isinstance(entry.get("languages"), dict):
        entry["languages"] = dict(sorted(entry["languages"].items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()


def stale_index(previous: Previous) -> dict[str, Kept] | None:
    """Return the last build's search index files, as they are in the output folder, or None if there is none whole."""
    paths = [p for p in previous.files if p.startswith("pagefind/")]
    if not paths or not all(previous.intact(p) for p in paths):
        return None
    return {p: Kept(previous.output / p, previous.files[p][3], previous.files[p][2]) for p in paths}
