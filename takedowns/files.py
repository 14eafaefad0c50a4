"""Small file helpers shared by every writer: atomic writes and the output folder's guard."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import BuildError, Problem

MARKER = ".takedowns-output"  # left in every folder this tool built, so it can tell its own output from a person's files

# The longest CSV field any reader accepts (Arrow's parser needs a row to fit in one block of this size).
MAX_CSV_FIELD = 4 << 20


def is_url(location: object) -> bool:
    """Return whether a data location is an fsspec URL (``s3://bucket/data``, ``file:///srv/data``) rather than a local path."""
    return isinstance(location, str) and "://" in location


def open_source(location: Path | str) -> BinaryIO:
    """Open a dataset file for reading, local or at an fsspec URL (``s3://``, ``gs://``, ``https://``, ``file://``)."""
    if is_url(location):
        try:
            import fsspec
        except ImportError:
            raise BuildError(Problem(str(location), message="reading data from a URL needs fsspec (pip install -r requirements-cluster.txt)")) from None
        return fsspec.open(str(location), "rb").open()  # type: ignore[no-any-return]
    return open(location, "rb")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a uniquely named temporary file and a rename.

    Readers see the old file or the new one, never half of one, and two processes
    (``serve`` and ``build``) writing the same path cannot mix their bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def marker_text(preview: bool, files: list[str] | None = None) -> bytes:
    """The marker of a build's output: whether it is a preview, and which files it wrote (a later build refuses others)."""
    mark: dict[str, object] = {"generator": "takedowns", "preview": preview}
    if files is not None:
        mark["files"] = sorted({*files, MARKER})
    return json.dumps(mark, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def walk(folder: Path, folders: list[str] | None = None) -> dict[str, os.stat_result | None]:
    """Every name under ``folder`` but its folders (a relative POSIX path), with its ``stat`` when it is a regular file,
    else None (a link, even to a file: never the site's own). A link to a folder is listed, not entered; ``folders``, if
    given, gets every folder's relative path. One pass of ``scandir``: the output guard and the no-op check share it (at
    2,000 disclosures the site is about 90,000 files)."""
    found: dict[str, os.stat_result | None] = {}
    todo = [("", os.fspath(folder))]
    while todo:
        prefix, path = todo.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    todo.append((rel + "/", entry.path))
                    if folders is not None:
                        folders.append(rel)
                    continue
                try:
                    found[rel] = entry.stat(follow_symlinks=False) if entry.is_file(follow_symlinks=False) else None
                except OSError:  # gone since it was listed
                    found[rel] = None
    return found


def real_folder(path: Path) -> Path:
    """Make ``path`` a folder of its own: a link (to anywhere) or a file in its place is removed, never followed, so what
    is done inside it cannot reach another folder. Returns ``path``."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        path.mkdir(mode=0o755)
        return path
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(path)
        path.mkdir(mode=0o755)
    return path


def read_marker(folder: Path) -> dict[str, object] | None:
    """Return what the marker in ``folder`` says, or None if there is none (or it is not ours)."""
    try:
        data = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("generator") == "takedowns" else None


def check_output(target: Path, protected: list[Path], preview: bool, cache: Path | None = None) -> dict[str, os.stat_result | None] | None:
    """Refuse an output folder whose replacement would destroy anything but an earlier build of this tool.

    The build swaps the whole folder, so it must be empty, missing, or carry the
    marker; it must not be (or hold) the working folder, an input folder or a git checkout.
    Return what is in an earlier build's folder (``walk``), or None when there is none to keep.
    """
    where = str(target)
    real = Path(os.path.realpath(target))
    cwd = Path(os.path.realpath(Path.cwd()))
    if real == cwd or cwd.is_relative_to(real):
        raise BuildError(Problem(where, message="is the working folder or holds it; the build replaces its output folder whole. Choose an empty or new folder"))
    for p in protected:
        q = Path(os.path.realpath(p))
        if real == q or q.is_relative_to(real) or real.is_relative_to(q):
            raise BuildError(Problem(where, message=f"is or overlaps the input folder {p}; refused (the build replaces its output folder whole)"))
    if cache is not None:  # a folder of its own inside the cache is fine (serve's preview is .cache/preview); the cache inside the output is not
        q = Path(os.path.realpath(cache))
        if real == q or q.is_relative_to(real):
            raise BuildError(Problem(where, message=f"is or holds the cache folder {cache}; refused (the build replaces its output folder whole)"))
    if real.exists() and not real.is_dir():
        raise BuildError(Problem(where, message="exists and is not a folder; refused"))
    if not real.is_dir():
        return None
    if (real / ".git").exists():
        raise BuildError(Problem(where, message="holds a .git folder; refused (the build replaces its output folder whole)"))
    if os.path.islink(real / MARKER):
        raise BuildError(Problem(where, message=f"its {MARKER} file is a link to another build's; refused so the folder's own files are not lost"))
    mark = read_marker(real)
    found = walk(real) if mark is not None else None
    if mark is not None and isinstance(mark.get("files"), list):
        others = sorted(set(found or ()) - set(mark["files"]))  # a file it wrote and that is gone since is made again
        if others:
            raise BuildError(Problem(where, message=f"holds {len(others):,} file(s) the last build into it did not write ({', '.join(others[:3])}"
                                                    f"{', …' if len(others) > 3 else ''}: a copied {MARKER} file, or files added by hand); "
                                                    "refused so they are not lost. Choose an empty or new folder, or move those files out"))
    if mark is None:
        if any(real.iterdir()):
            raise BuildError(Problem(where, message=f"is not empty and was not built by this tool (no {MARKER} file); "
                                                    "refused so its files are not lost. Choose an empty or new folder"))
        return None
    if preview and mark.get("preview") is False:
        raise BuildError(Problem(where, message="holds a published build; a preview (drafts and embargoed disclosures) is never written there"))
    return found


def remove_leftovers(folder: Path, prefix: str) -> None:
    """Remove the folders named ``<prefix><pid>-…`` in ``folder`` whose process is gone (a killed build's)."""
    for leftover in folder.glob(prefix + "*"):
        pid = leftover.name[len(prefix):].split("-")[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
