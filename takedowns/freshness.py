"""Skip a build whose inputs and output are exactly as the last successful build left them.

The key covers everything a build reads: the package's code, templates, content,
the data files (by path, size, modification and change time), the chart libraries,
the options, and which disclosures are published at this moment.  The output is
checked too, so a deleted or edited file in site/ is rebuilt.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .files import atomic_write, walk

# The distributions a build imports; their own dependencies are followed from their metadata.
PACKAGES = ("altair", "vl-convert-python", "pagefind", "pyarrow", "jinja2", "markupsafe", "markdown", "nh3",
            "pandas", "pyyaml", "pycountry", "jsonschema")
_PACKAGE = Path(__file__).parent


@cache
def distributions(names: tuple[str, ...] = PACKAGES) -> tuple[tuple[str, str], ...]:
    """Return (name, version) of ``names`` and of everything they require, installed or not ("none")."""
    seen: dict[str, str] = {}
    todo = list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            seen[name] = "none"
            continue
        seen[name] = dist.version
        for req in dist.requires or []:
            if "extra ==" in req:  # optional extras are not imported by the build
                continue
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", req)
            if match:
                todo.append(match.group(0))
    return tuple(sorted(seen.items()))


def _module_file(name: str) -> Path | None:
    """Return the file of a module of this package by dotted name (``formats.meta``), or None if it is not one."""
    base = _PACKAGE.joinpath(*name.split("."))
    for path in (base / "__init__.py", base.with_suffix(".py")):  # a package before a module of the same name, as Python imports them
        if path.is_file():
            return path
    return None


def digest(*parts: Any) -> str:
    """Return a SHA-256 of JSON-able parts (anything else by ``repr``): a fragment's key, a table row's."""
    text = json.dumps(parts, sort_keys=True, default=repr, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Digests:
    """``digest(part)`` computed once per object for a whole build: a disclosure, its statistics and the site are parts of
    many keys (its fragments in every language, its table rows).  Each object is held beside its digest, so its id is
    never another object's while the memo lives; the objects must not change during the build (none does)."""

    def __init__(self) -> None:
        self._held: dict[int, tuple[Any, str]] = {}

    def __call__(self, part: Any) -> str:
        held = self._held.get(id(part))
        if held is None or held[0] is not part:
            held = self._held[id(part)] = (part, digest(part))
        return held[1]


@cache
def code_digest(module: str, libraries: tuple[str, ...] = ()) -> str:
    """Return a digest of a package module, every package module it imports (followed), Python and ``libraries``' versions.

    Cache entries are keyed on it, so no change to the code that computes them can be served stale.
    """
    digest = hashlib.sha256(sys.version.encode())
    todo, seen = [module], set()
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        source = path.read_bytes()
        digest.update(name.encode() + b"\0" + source)
        for data in sorted([*path.parent.glob("*.csv"), *path.parent.glob("*.txt")]):  # data a module reads beside itself (Meta's kill chain, the common hosts)
            digest.update(data.name.encode() + b"\0" + data.read_bytes())
        package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level >= 1:
                base = package[: len(package) - (node.level - 1)]
                if node.module:
                    todo.append(".".join([*base, node.module]))
                todo.extend(".".join([*base, *([node.module] if node.module else []), a.name]) for a in node.names)
    digest.update(json.dumps(distributions(libraries)).encode())
    return digest.hexdigest()


def _tree(digest: Any, folder: Path, contents: bool) -> None:
    if not folder.exists():
        digest.update(b"missing:" + str(folder).encode())
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        if contents:
            digest.update(path.read_bytes())
        else:
            st = path.stat()  # the change time too: cp -p and rsync -t restore size and mtime, never ctime
            digest.update(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}".encode())


def raw_key(options: Any) -> str:
    """Return a digest of everything the build with ``options`` would read, before reading it: the files as bytes
    (the data by stat), never what they mean. Which disclosures are published also depends on the time: see ``input_key``."""
    digest = hashlib.sha256()
    _tree(digest, Path(__file__).parent, contents=True)
    _tree(digest, options.templates, contents=True)
    _tree(digest, options.content, contents=True)
    if isinstance(options.data, str):
        digest.update(b"remote:" + options.data.encode())
    else:
        _tree(digest, options.data, contents=False)
    for rel in ("vega/package.json", "vega-lite/package.json", "vega-embed/package.json", "vega-interpreter/package.json",
                "world-atlas/package.json"):
        path = options.node_modules / rel
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    digest.update(json.dumps(distributions()).encode())
    settings = {k: str(getattr(options, k)) for k in ("base_url", "drafts", "skip_bad_rows", "search_index", "live_reload")}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def input_key(raw: str, published: list[str]) -> str:
    """Return the digest of a build: its inputs (``raw_key``) and which disclosures it publishes."""
    return hashlib.sha256(json.dumps([raw, published]).encode()).hexdigest()


def render_key(options: Any) -> str:
    """Return a digest of what every rendered page depends on besides its own data: code, templates, libraries, options."""
    digest = hashlib.sha256()
    _tree(digest, Path(__file__).parent, contents=True)
    _tree(digest, options.templates, contents=True)
    digest.update(json.dumps(distributions()).encode())
    settings = {k: str(getattr(options, k)) for k in ("base_url", "drafts", "live_reload")}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def output_key(folder: Path, walked: dict[str, os.stat_result | None] | None = None) -> str:
    """A digest of every file in ``folder``: its path, size, modification and change times and inode (any write, copy
    or replacement changes it). ``walked``, if given, is ``files.walk(folder)`` already taken."""
    found = walk(folder) if walked is None else walked
    return _digest_of((rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) for rel, st in sorted(found.items(), key=_first)
                      if st is not None and stat.S_ISREG(st.st_mode))


def output_key_of(files: dict[str, list[Any]]) -> str:
    """``output_key`` of a folder holding exactly ``files`` (path -> [size, mtime, inode, SHA-256, ctime], as stat found
    them), without walking it again."""
    return _digest_of((rel, v[0], v[1], v[4], v[2]) for rel, v in sorted(files.items(), key=_first))


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def _digest_of(rows: Iterable[tuple[str, int, int, int, int]]) -> str:
    """SHA-256 of the files' lines ``path NUL size:mtime:ctime:inode``, in the paths' order (a folder of 90,000 files
    is one string to hash, not 180,000 updates)."""
    text = "".join(f"{rel}\0{size}:{mtime}:{ctime}:{ino}\n" for rel, size, mtime, ctime, ino in rows)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _record(cache: Path, output: Path) -> Path:
    return cache / "builds" / (hashlib.sha256(str(output.absolute()).encode()).hexdigest()[:16] + ".json")


def up_to_date(cache: Path | None, output: Path, key: str, walked: dict[str, os.stat_result | None] | None = None) -> bool:
    """Whether ``output`` is, untouched, the build of ``key`` (``walked``: ``files.walk(output)`` if already taken)."""
    saved = _saved(cache, output)
    return bool(saved and saved.get("input") == key and saved.get("output") == output_key(output, walked))


def unchanged_since(cache: Path | None, output: Path, raw: str, now: Any, walked: dict[str, os.stat_result | None] | None = None) -> list[str] | None:
    """Return what the last build into ``output`` published if its inputs were exactly ``raw`` (``raw_key``), ``now``
    lies in the span in which the same disclosures are published (from that build's time to the next embargo's end),
    and ``output`` is untouched since: then nothing need even be loaded. Otherwise None."""
    saved = _saved(cache, output)
    if not saved or saved.get("raw") != raw or not isinstance(saved.get("published"), list):
        return None
    try:
        since = dt.datetime.fromisoformat(saved["since"])
        until = dt.datetime.fromisoformat(saved["until"]) if saved.get("until") else None
    except (KeyError, TypeError, ValueError):
        return None
    if now < since or (until is not None and now >= until):
        return None
    if saved.get("input") != input_key(raw, saved["published"]) or saved.get("output") != output_key(output, walked):
        return None
    return [str(x) for x in saved["published"]]


def _saved(cache: Path | None, output: Path) -> dict[str, Any] | None:
    if cache is None or not output.is_dir():
        return None
    try:
        saved = json.loads(_record(cache, output).read_text())
    except (OSError, ValueError):
        return None
    return saved if isinstance(saved, dict) else None


def remember(cache: Path | None, output: Path, key: str, files: dict[str, list[Any]] | None = None,
             raw: str | None = None, published: list[str] | None = None, since: Any = None, until: Any = None) -> None:
    """Record that ``output`` is the build of ``key``; ``files``, if given, is every file in it as ``Previous.save`` found
    them. With ``raw`` (its ``raw_key``), what it published and the span of time in which the same disclosures are
    published (``since``, ``until``: None for no end), a later build can tell it has nothing to do without loading anything."""
    if cache is None:
        return
    record: dict[str, Any] = {"input": key, "output": output_key_of(files) if files else output_key(output)}
    if raw is not None and published is not None and since is not None:
        record.update(raw=raw, published=published, since=since.isoformat(), until=until.isoformat() if until else None)
    atomic_write(_record(cache, output), json.dumps(record))
