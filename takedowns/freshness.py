"""Skip a build whose inputs and output are exactly as the last successful build left them.

The key covers everything a build reads: the package's code, templates, content,
the data files (by path, size and modification time), the chart libraries,
the options, and which disclosures are published at this moment.  The output is
checked too, so a deleted or edited file in site/ is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("altair", "vl-convert-python", "pagefind", "pyarrow", "jinja2", "markdown", "nh3")


def _tree(digest: Any, folder: Path, contents: bool) -> None:
    if not folder.exists():
        digest.update(b"missing:" + str(folder).encode())
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        if contents:
            digest.update(path.read_bytes())
        else:
            st = path.stat()
            digest.update(f"{st.st_size}:{st.st_mtime_ns}".encode())


def input_key(options: Any, published: list[str]) -> str:
    """Return a digest of everything the build with ``options`` would read."""
    digest = hashlib.sha256()
    _tree(digest, Path(__file__).parent, contents=True)
    _tree(digest, options.templates, contents=True)
    _tree(digest, options.content, contents=True)
    _tree(digest, options.data, contents=False)
    for rel in ("vega/package.json", "vega-lite/package.json", "vega-embed/package.json", "vega-interpreter/package.json"):
        path = options.node_modules / rel
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    for name in PACKAGES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none".encode())
    settings = {k: str(getattr(options, k)) for k in ("base_url", "drafts", "skip_bad_rows", "search_index", "live_reload")}
    digest.update(json.dumps([settings, published], sort_keys=True).encode())
    return digest.hexdigest()


def output_key(folder: Path) -> str:
    digest = hashlib.sha256()
    _tree(digest, folder, contents=False)
    return digest.hexdigest()


def _record(cache: Path, output: Path) -> Path:
    return cache / "builds" / (hashlib.sha256(str(output.absolute()).encode()).hexdigest()[:16] + ".json")


def up_to_date(cache: Path | None, output: Path, key: str) -> bool:
    if cache is None or not output.is_dir():
        return False
    try:
        saved = json.loads(_record(cache, output).read_text())
    except (OSError, ValueError):
        return False
    return bool(saved.get("input") == key and saved.get("output") == output_key(output))


def remember(cache: Path | None, output: Path, key: str) -> None:
    if cache is None:
        return
    record = _record(cache, output)
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_suffix(".tmp")
    tmp.write_text(json.dumps({"input": key, "output": output_key(output)}))
    tmp.replace(record)
