"""The only writer of the output folder: everything goes to a fresh folder, swapped in at the end.

A build that fails or is killed before the swap leaves the previous site as it
was, byte for byte; readers never see half a site.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import BuildError, Problem
from ..files import alive, atomic_write, open_source, real_folder, remove_leftovers, walk
from .documents import Copy, Output
from .reuse import Kept

_RENAME_EXCHANGE = 2


def write_site(output: Output, target: Path, spare: Path | None = None, live: dict[str, list[Any]] | None = None,
               found: dict[str, list[Any]] | None = None,
               last: tuple[Callable[[str], bool], Callable[[], Output]] | None = None) -> dict[str, str | None]:
    """Write every file into a folder that no reader sees, then swap it into place in one step.

    Without ``spare`` the folder is new, beside ``target``, and the old site is removed after the swap. With ``spare``
    (a path in the cache, on the same file system as ``target``), the folder is the site before last, kept there by
    the last build: it is brought up to date in place — only the files that differ are written, the rest are already
    there (hard links shared with the site they were kept from) — and after the swap the old site is kept there in
    turn. ``live`` is what the last build recorded of ``target``'s files (path -> [size, mtime, inode, SHA-256, ctime]):
    the spare's own record once it is parked. A spare file is trusted only when its size, times and inode are what was
    recorded of it; anything else in it is removed first.

    Return each written path's SHA-256 (for copies of dataset files, the one the build verified before). ``found``, if
    given, is filled with what ``Previous.save`` would stat of every file, without statting the files no one touched.
    ``last`` is (which paths, a function returning their files): files still being made, written after all of ``output``.
    """
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target.parent, f".{target.name}.new-")
    if spare is not None and not _same_device(spare.parent, target.parent):
        spare = None  # the swap is a rename: across file systems there is none, so the new folder goes beside the site
    fresh: Path | None = None
    trusted: dict[str, list[Any]] = {}
    if spare is not None:
        try:
            fresh, trusted = _claim(spare)
        except OSError:  # a spare that cannot be taken or cleaned (permissions, a full disk): a new folder, as without one
            spare = None
    if fresh is None:
        fresh = _new_beside(target)
    written: dict[str, str | None] = {}
    swapped = False
    try:
        if last is None:
            stats, touched = _fill(output, fresh, trusted, written)
        else:
            later, rest = last
            if any(later(rel) for rel in output):
                raise ValueError("write_site: a file of ``output`` is one of those written last")
            stats, touched = _fill(output, fresh, {rel: v for rel, v in trusted.items() if not later(rel)}, written)
            more = rest()
            if not all(later(rel) for rel in more):
                raise ValueError("write_site: a file written last is not one of those announced")
            stats_more, touched_more = _fill(more, fresh, {rel: v for rel, v in trusted.items() if later(rel)}, written)
            stats.update(stats_more)
            touched |= touched_more
        _swap_in(fresh, target)
        swapped = True
    except OSError as exc:  # a full disk, a read-only folder: say so, and leave the old site as it was
        what = exc.strerror or str(exc)
        raise BuildError(Problem(str(target), message=f"cannot write the site: {what}"
                                 + (f" ({exc.filename})" if exc.filename else "") + "; the previous site is untouched")) from None
    finally:
        if not swapped:  # what the failed attempt left is removed, or checked again by the next build like any spare
            _park(fresh, spare, {}) if spare is not None else shutil.rmtree(fresh, ignore_errors=True)
    if spare is not None:
        # The old site is the next build's spare. Its record is the last build's, restated for the files whose inode
        # this write linked or unlinked (their change time moved).
        old = {rel: v for rel, v in (live or {}).items() if isinstance(v, list) and len(v) == 5}
        _park(fresh, spare, old, restat={rel for rel, v in old.items() if v[2] in touched})
    elif fresh.exists():
        shutil.rmtree(fresh, ignore_errors=True)
    if found is not None:
        found.update({rel: [*v[:3], written[rel], v[3]] for rel, v in stats.items()})
    return written


def _new_beside(target: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.new-{os.getpid()}-", dir=target.parent))


def _same_device(a: Path, b: Path) -> bool:
    try:
        a.mkdir(parents=True, exist_ok=True)
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def _claim(spare: Path) -> tuple[Path, dict[str, list[Any]]]:
    """Take the spare folder for this build (a rename: a second process finds none and starts its own), and return it with
    its files that are as recorded (path -> [size, mtime, inode, SHA-256, ctime]), having removed everything else."""
    work = spare.with_name(f"{spare.name}.{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.rename(spare, work)  # renames a link, never what it points to
    except OSError:
        # None parked: a killed build's folder will do as well (it is checked like any other), else start empty.
        dead = sorted(p for p in spare.parent.glob(spare.name + ".*-*") if p.suffix != ".json" and not _alive_owner(p, spare.name))
        for extra in dead[1:]:
            if extra.is_symlink() or not extra.is_dir():
                extra.unlink()
            else:
                shutil.rmtree(extra, ignore_errors=True)
        if dead:
            os.rename(dead[0], work)
        else:
            work.mkdir(mode=0o755)
            return work, {}
    if not stat.S_ISDIR(os.lstat(work).st_mode):  # a link put in its place (to a folder of the machine) or a file: not ours
        real_folder(work)
        return work, {}
    try:
        loaded = json.loads(_record_of(spare).read_text())
        record = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        record = {}
    folders: list[str] = []
    files = walk(work, folders)
    trusted: dict[str, list[Any]] = {}
    for rel, st in files.items():
        known = record.get(rel)
        if (st is not None and stat.S_ISREG(st.st_mode) and isinstance(known, list) and len(known) == 5 and isinstance(known[3], str)
                and [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns] == [*known[:3], known[4]]):
            trusted[rel] = [st.st_size, st.st_mtime_ns, st.st_ino, known[3], st.st_ctime_ns]
        else:
            os.unlink(work / rel)  # not what was recorded (or a link): not to be trusted, and a clean build has no such file
    for folder in sorted(folders, key=len, reverse=True):  # emptied folders go, deepest first
        with contextlib.suppress(OSError):
            os.rmdir(work / folder)
    work.chmod(0o755)
    return work, trusted


def _alive_owner(path: Path, name: str) -> bool:
    pid = path.name[len(name) + 1:].split("-")[0]
    return not pid.isdigit() or alive(int(pid))


def _record_of(spare: Path) -> Path:
    return spare.with_name(spare.name + ".json")


def _fill(output: Output, folder: Path, trusted: dict[str, list[Any]], written: dict[str, str | None]) -> tuple[dict[str, list[int]], set[int]]:
    """Make ``folder`` hold exactly ``output``: every file not already there as wanted is written (or linked); the
    trusted files not in ``output`` are removed. Returns each file's [size, mtime, inode, ctime], and the inodes whose
    link count changed."""
    touched: set[int] = set()
    gone = trusted.keys() - output.keys()
    for rel in gone:
        touched.add(trusted[rel][2])
        os.unlink(folder / rel)
    if gone:
        for parent in sorted({os.path.dirname(rel) for rel in gone} - {""}, key=len, reverse=True):
            for up in [parent, *[str(p) for p in Path(parent).parents if str(p) != "."]]:
                try:
                    os.rmdir(folder / up)
                except OSError:
                    break
    made: set[Path] = set()
    new_folders: list[Path] = []
    changed: set[str] = set()
    for rel in sorted(output):
        # The folder holds no links (the spare's were removed), so a path that stays inside it by name stays inside it.
        path = folder / _confined(rel)
        if path.parent not in made:
            if not path.parent.is_dir():
                missing = [p for p in [path.parent, *path.parent.parents] if p.is_relative_to(folder) and not p.is_dir()]
                path.parent.mkdir(parents=True, exist_ok=True)
                new_folders.extend(missing)
            made.add(path.parent)
        content = output[rel]
        have = trusted.get(rel)
        if isinstance(content, Kept):  # unchanged since the last build: the same file, linked
            written[rel] = content.sha256
            if have is not None and content.ino is not None and have[2] == content.ino:
                continue
            if have is not None:
                os.unlink(path)
                touched.add(have[2])
            link(content.path, path)
            touched.add(os.stat(path).st_ino)
        elif isinstance(content, Copy):
            written[rel] = content.sha256
            if have is not None and content.sha256 and have[3] == content.sha256:
                continue
            if have is not None:
                os.unlink(path)
                touched.add(have[2])
            digest = hashlib.sha256()  # the bytes copied must be the bytes the build loaded and counted
            with open_source(content.source) as src, open(path, "xb") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    digest.update(chunk)
                    dst.write(chunk)
            if content.sha256 and digest.hexdigest() != content.sha256:
                raise BuildError(Problem(rel, message=f"changed while this build copied it (its SHA-256 is now {digest.hexdigest()[:12]}…, "
                                                      f"it was {content.sha256[:12]}… when the build loaded and counted it); the previous site "
                                                      "is untouched: build again"))
        else:
            sha = hashlib.sha256(content).hexdigest()
            written[rel] = sha
            if have is not None and have[3] == sha:
                continue
            if have is not None:
                os.unlink(path)  # never written into: the spare's files are hard links shared with the site readers see
                touched.add(have[2])
            with open(path, "xb") as dst:
                dst.write(content)
        changed.add(rel)
    for made_folder in new_folders:
        made_folder.chmod(0o755)
    stats: dict[str, list[int]] = {}
    for rel in output:
        have = trusted.get(rel)
        if have is None or rel in changed or have[2] in touched:
            st = os.stat(folder / rel, follow_symlinks=False)
            stats[rel] = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        else:
            stats[rel] = [have[0], have[1], have[2], have[4]]
    return stats, touched


def _swap_in(fresh: Path, target: Path) -> None:
    """Put ``fresh`` at ``target`` atomically; the old site ends up at ``fresh`` (none there if there was no site)."""
    if not target.exists():
        os.rename(fresh, target)
        return
    if _exchange(fresh, target):
        return
    # No atomic exchange on this system: two renames, the gap between them as short as it can be.
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(fresh, target)
    os.rename(old, fresh)


def _park(folder: Path, spare: Path, record: dict[str, list[Any]], restat: set[str] | frozenset[str] = frozenset()) -> None:
    """Keep ``folder`` as the spare for the next build, with what is known of its files (``restat``: stat these again);
    the next build removes any file its record does not describe. A folder that cannot be parked is removed."""
    if not folder.exists():
        return
    kept = {}
    for rel, known in record.items():
        if rel in restat:
            try:
                st = os.stat(folder / rel, follow_symlinks=False)
            except OSError:
                continue
            known = [st.st_size, st.st_mtime_ns, st.st_ino, known[3], st.st_ctime_ns]
        kept[rel] = known
    try:
        atomic_write(_record_of(spare), json.dumps(kept, sort_keys=True, separators=(",", ":")))
        os.rename(folder, spare)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _confined(rel: str) -> str:
    clean = os.path.normpath(rel)
    if os.path.isabs(clean) or clean == ".." or clean.startswith("../") or clean == ".":
        raise ValueError(f"refusing to write outside the site: {rel}")
    return clean


def write_in_place(files: dict[str, bytes], target: Path) -> list[str]:
    """Replace these files of an existing folder one by one, each atomically (``serve``'s preview, before its next whole
    build: never the published site, whose every build is swapped in whole by ``write_site``). Returns the paths written."""
    target = target.absolute()
    done = []
    for rel in sorted(files):
        path = target / _confined(rel)
        if any(p.is_symlink() for p in [path, *path.parents] if p.is_relative_to(target) and p != target):
            raise ValueError(f"refusing to write through a link: {rel}")
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, files[rel])
        done.append(rel)
    return done


def link(source: Path, path: Path) -> None:
    """Hard-link ``source`` at ``path``; copy it where links are impossible (another file system)."""
    try:
        os.link(source, path)
    except OSError:
        shutil.copyfile(source, path)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with Linux's renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
