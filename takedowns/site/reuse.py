"""What an earlier build already wrote: reuse its files instead of rendering them again.

Each group of output files that depends on a known set of inputs (one disclosure's
pages, charts and downloads; the overview; the search index) is a *fragment*,
keyed by a digest of everything it is made from.  After a build, the manifest
records each output file's size, modification time, inode and SHA-256.  The next
build renders a fragment only when its key is new or one of its files in the
output folder is no longer exactly as written (changed, replaced or removed);
otherwise the new folder gets hard links to those files (a copy where links are
impossible), so the swapped-in site is byte for byte what a full render makes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..files import atomic_write
from ..freshness import digest
from .citations import Citations
from .table_rows import RowCache

FRAGMENT_FILES_LIMIT = 10_000  # files one fragment may list: a sanity bound on a hand-edited record
PRUNE_AFTER_DAYS = 7  # a fragment record no build used for this long is removed


@contextlib.contextmanager
def output_lock(cache: Path | None, output: Path, writing: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on ``output`` (a file under the cache) for the rest of a build; waits for another holder."""
    if cache is None or not writing:
        yield
        return
    try:
        import fcntl
    except ImportError:  # no advisory locks on this system
        yield
        return
    path = cache / "builds" / (hashlib.sha256(str(output.absolute()).encode()).hexdigest()[:16] + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Previous:
    """The output folder as the last build left it, and the fragments it was made of."""

    def __init__(self, cache: Path | None, output: Path, walked: dict[str, os.stat_result | None] | None = None) -> None:
        self.output = output.absolute()
        self.walked = walked  # ``files.walk(output)`` taken by this build (its guard): each file's stat without another call
        self.folder = cache / "fragments" if cache else None
        self.manifest_path = cache / "builds" / (hashlib.sha256(str(self.output).encode()).hexdigest()[:16] + ".files.json") if cache else None
        # The site before last, kept for the next build to bring up to date in place (``write.write_site``).
        self.spare = cache / "builds" / (hashlib.sha256(str(self.output).encode()).hexdigest()[:16] + ".spare") if cache else None
        self.files: dict[str, list[Any]] = {}
        if self.manifest_path is not None:
            try:
                data = json.loads(self.manifest_path.read_text())
                if isinstance(data, dict):
                    self.files = data
            except (OSError, ValueError):
                pass
        self.used: dict[str, dict[str, Any]] = {}  # fragment key -> its record, for this build
        self.citations = Citations(cache / "citations.json" if cache else None)  # formatted citations, kept between builds
        self.rows = RowCache(cache / "rows.json" if cache else None)  # the disclosure tables' rows, kept between builds
        self.checked_path = cache / "builds" / "checked-records.json" if cache else None
        self.checked: set[str] = set()  # digests of records that passed their schema in an earlier build
        self.checked_now: set[str] = set()
        if self.checked_path is not None:
            try:
                self.checked = set(json.loads(self.checked_path.read_text()))
            except (OSError, ValueError, TypeError):
                pass

    def search_pages(self, group: str) -> Path | None:
        """A folder of this output's own in the cache where the search index lays out one language's pages, kept from build
        to build (only a build into this output, which holds its lock, uses it)."""
        if self.spare is None:
            return None
        return self.spare.with_name(self.spare.name.replace(".spare", ".search")) / (group or "_")

    def intact(self, rel: str) -> bool:
        """Whether ``rel`` in the output folder is still the file the last build wrote."""
        known = self.files.get(rel)
        if not isinstance(known, list) or len(known) != 5:
            return False
        if self.walked is not None:
            st = self.walked.get(rel)
            if st is None:  # gone, or a link
                return False
            return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns] == [*known[:3], known[4]]
        try:
            st = os.stat(self.output / rel, follow_symlinks=False)
        except OSError:
            return False
        # The change time too: an edit in place that restores size and mtime (touch -r, cp -p) still moves ctime.
        return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns] == [*known[:3], known[4]]

    def reuse(self, key: str) -> tuple[dict[str, Kept], Any] | None:
        """Return the fragment's files as links to the previous output and what was recorded with them,
        or None if it must be rendered.

        Each file must be in the output folder as the last build wrote it *and* have the content this
        fragment made (its SHA-256): the same path may hold another version of the fragment since.
        """
        if self.folder is None:
            return None
        try:
            record = json.loads((self.folder / f"{key}.json").read_text())
            files, extra = record["files"], record["extra"]
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if not isinstance(files, dict) or len(files) > FRAGMENT_FILES_LIMIT or not all(_inside(p) for p in files):
            return None
        if not all(isinstance(sha, str) and self.intact(p) and self.files[p][3] == sha for p, sha in files.items()):
            return None
        self.used[key] = record
        return {p: Kept((self.output, p), sha, self.files[p][2]) for p, sha in files.items()}, extra

    def record(self, key: str, paths: Iterable[str], extra: Any = None) -> None:
        """Remember that the fragment ``key`` is the files ``paths``, with ``extra`` (JSON) to return on reuse.

        Written only once the build has succeeded, with each file's SHA-256 as written."""
        self.used[key] = {"files": dict.fromkeys(sorted(paths)), "extra": extra}

    def unchecked(self, records: list[Any], schema: Any) -> list[Any]:
        """Return the records not yet checked against ``schema`` by an earlier build (each remembered once it passes)."""
        todo = []
        salt = digest("checked", schema)
        for record in records:
            key = digest(salt, record)
            self.checked_now.add(key)
            if key not in self.checked:
                todo.append(record)
        return todo

    def save(self, written: dict[str, str | None], found: dict[str, list[Any]] | None = None) -> dict[str, list[Any]] | None:
        """After the swap: remember every output file as written, and each fragment used. Returns each file's
        [size, mtime, inode, SHA-256, ctime] as found after the swap (None without a cache); ``found``, if it holds
        every written file, is that already (``write_site`` knows it), and no file is statted again."""
        if self.manifest_path is None or self.folder is None:
            return None
        self.citations.save()
        self.rows.save()
        files: dict[str, list[Any]] = {}
        complete = found is not None and found.keys() == written.keys()
        if complete:
            files = dict(found)  # type: ignore[arg-type]
        for rel, sha in ({} if complete else written).items():
            try:
                st = os.stat(self.output / rel, follow_symlinks=False)
            except OSError:
                continue
            files[rel] = [st.st_size, st.st_mtime_ns, st.st_ino, sha, st.st_ctime_ns]
        atomic_write(self.manifest_path, json.dumps(files, sort_keys=True, separators=(",", ":")))
        if self.checked_path is not None:
            atomic_write(self.checked_path, json.dumps(sorted(self.checked_now)))
        now = time.time()
        for key, record in self.used.items():
            path = self.folder / f"{key}.json"
            try:
                if os.stat(path).st_mtime < now - 86400:
                    os.utime(path)  # in use: kept by the pruning below (a day's precision is plenty for a week)
                continue
            except OSError:
                pass
            shas = {p: written.get(p) for p in record["files"]}
            if all(shas.values()):
                record = {**record, "files": shas}
                atomic_write(path, json.dumps(record, separators=(",", ":")))  # key order kept: chart specs are shown as they are
        # Every edit leaves the records of what it replaced: those no build has used for a week go. Looked for once a
        # day, not on every build (at 2,000 disclosures there are some 100,000 records to stat).
        pruned = self.folder / ".pruned"
        try:
            if pruned.stat().st_mtime > now - 86400:
                return files
        except OSError:
            pass
        atomic_write(pruned, b"")
        cutoff = now - PRUNE_AFTER_DAYS * 86400
        for path in self.folder.glob("*.json"):
            try:
                if path.stem not in self.used and path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass
        return files


def _inside(rel: object) -> bool:
    """Whether ``rel`` names a file inside the output folder (a damaged record must not link anything else in)."""
    return isinstance(rel, str) and rel not in ("", ".", "..") and os.path.normpath(rel) == rel and not rel.startswith(("/", "../"))


class Kept:
    """An output file the previous build wrote and this one keeps: linked into the new folder, never read."""

    __slots__ = ("_path", "ino", "sha256")

    def __init__(self, path: Path | tuple[Path, str], sha256: str | None, ino: int | None = None) -> None:
        # ``path``: the file, or (folder, relative path) to join only if it is needed (a build keeps some 80,000 files)
        self._path, self.sha256, self.ino = path, sha256, ino  # ino: the file's inode as the last build recorded it

    @property
    def path(self) -> Path:
        if isinstance(self._path, tuple):
            self._path = self._path[0] / self._path[1]
        return self._path

    def __repr__(self) -> str:
        return f"Kept({str(self.path)!r})"
