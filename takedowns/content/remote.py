"""Datasets in a data folder given as an fsspec URL (s3://, https://, file://): found and hashed by the same rules as on disk."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..formats import FORMATS
from .model import Dataset, DatasetFile
from .types import Report


def _why(exc: BaseException) -> str:
    """One line saying why a remote operation failed."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def _resolve_remote(spec: dict[str, Any], data_url: str, report: Report) -> Dataset | None:
    """Find the files a dataset entry names under a data folder given as an fsspec URL: same rules as on disk."""
    import fsspec

    line = spec["__line__"]
    try:
        fs, root = fsspec.core.url_to_fs(data_url)
    except Exception as exc:  # noqa: BLE001  (any scheme's failure to connect: a refused port, a missing driver, bad credentials)
        report.problems.append(Problem(report.filename, line, 0, f"datasets: cannot open the data folder {data_url}: {_why(exc)}"))
        return None
    root = root.rstrip("/")
    # A file:// URL is this machine's disk: the rule for links holds as for a folder given by its path.
    local_root = os.path.realpath(root) if "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)) else None
    suffixes = FORMATS[spec["format"]].suffixes
    found: dict[str, str] = {}
    patterns, ok = _safe_patterns(spec, report)
    for pattern in patterns:
        try:
            matches = sorted(m for m in fs.glob(f"{root}/{pattern}") if fs.isfile(m))
        except OSError as exc:
            report.problems.append(Problem(report.filename, line, 0, f"datasets: cannot list {data_url}/{pattern}: {exc}"))
            ok = False
            continue
        if not matches:
            try:  # "matches no file" only where the folder answers: an unreachable host says so, by name
                fs.info(root)
            except Exception as exc:  # noqa: BLE001
                report.problems.append(Problem(report.filename, line, 0, f"datasets: cannot reach the data folder {data_url}: {_why(exc)}"))
                ok = False
                continue
            report.problems.append(Problem(report.filename, line, 0, f"datasets: path {pattern!r} matches no file in {data_url}/"))
            ok = False
        for m in matches:
            rel = m[len(root) + 1:] if m.startswith(root + "/") else ""
            if not rel or ".." in rel.split("/"):
                report.problems.append(Problem(report.filename, line, 0, f"datasets: {m!r} leads outside {data_url}/; refused"))
                ok = False
            elif local_root is not None and not Path(os.path.realpath(m)).is_relative_to(local_root):
                report.problems.append(Problem(report.filename, line, 0, f"datasets: {rel!r} leads outside {data_url}/ (a link?); refused"))
                ok = False
            elif not rel.lower().endswith(suffixes):
                report.problems.append(Problem(report.filename, line, 0, f"datasets: {rel!r} is not {', '.join(suffixes)} (what format {spec['format']!r} reads)"))
                ok = False
            else:
                found[rel] = fs.unstrip_protocol(m)
    if not ok:
        return None
    files = []
    for rel, url in sorted(found.items()):
        digest = hashlib.sha256()
        try:
            with fs.open(url, "rb") as f:  # nothing remote is trusted from memory: hashed on every build
                for block in iter(lambda: f.read(1 << 20), b""):  # noqa: B023
                    digest.update(block)
            size = fs.size(url)
        except Exception as exc:  # noqa: BLE001
            report.problems.append(Problem(report.filename, line, 0, f"datasets: cannot read {url}: {_why(exc)}"))
            return None
        files.append(DatasetFile(rel, url, size, digest.hexdigest()))
    if spec["sha256"] is not None and (len(files) != 1 or files[0].sha256 != spec["sha256"]):
        report.problems.append(Problem(report.filename, line, 0, f"datasets: sha256 {spec['sha256']} does not match "
                                                                 + (files[0].relpath if len(files) == 1 else f"{len(files)} files")))
        return None
    return Dataset(spec["role"], spec["format"], tuple(spec["path"]), spec["hashed"], tuple(files))


def _safe_patterns(spec: dict[str, Any], report: Report) -> tuple[list[str], bool]:
    """Return a dataset entry's patterns that stay inside the data folder, and whether all did; report the others."""
    safe = []
    for pattern in spec["path"]:
        problem = _unsafe_pattern(pattern)
        if problem:
            report.problems.append(Problem(report.filename, spec["__line__"], 0, f"datasets: path {pattern!r} {problem}"))
        else:
            safe.append(pattern)
    return safe, len(safe) == len(spec["path"])


def _unsafe_pattern(pattern: str) -> str | None:
    if pattern.startswith(("/", "\\")) or (len(pattern) > 1 and pattern[1] == ":"):
        return "is absolute; give it relative to data/"
    parts = pattern.replace("\\", "/").split("/")
    if ".." in parts:
        return "goes up out of data/ ('..'); refused"
    if "**" in pattern:
        return "uses '**'; name the folder"
    return None
