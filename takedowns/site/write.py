"""The only writer of the output folder: everything goes to a fresh folder, swapped in at the end.

A build that fails or is killed before the swap leaves the previous site as it
was, byte for byte; readers never see half a site.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import BuildError, Problem
from ..files import atomic_write, open_source, remove_leftovers
from .documents import Copy, Output
from .reuse import Kept

_RENAME_EXCHANGE = 2


def write_site(output: Output, target: Path) -> dict[str, str | None]:
    """Write every file into a new folder beside ``target``, then swap it into place.

    Return each written path's SHA-256 (for copies of dataset files, the one the build verified before).
    """
    target = target.absolute()
    written: dict[str, str | None] = {}
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target.parent, f".{target.name}.new-")
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-{os.getpid()}-", dir=target.parent))
    try:
        made: set[Path] = {fresh}
        for rel in sorted(output):
            # The folder is new and holds no links, so a path that stays inside it by name stays inside it.
            path = fresh / _confined(rel)
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.update([path.parent, *path.parent.parents])
            content = output[rel]
            if isinstance(content, Kept):  # unchanged since the last build: the same file, linked
                link(content.path, path)
                written[rel] = content.sha256
            elif isinstance(content, Copy):
                digest = hashlib.sha256()  # the bytes copied must be the bytes the build loaded and counted
                with open_source(content.source) as src, open(path, "wb") as dst:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        digest.update(chunk)
                        dst.write(chunk)
                if content.sha256 and digest.hexdigest() != content.sha256:
                    raise BuildError(Problem(rel, message=f"changed while this build copied it (its SHA-256 is now {digest.hexdigest()[:12]}…, "
                                                          f"it was {content.sha256[:12]}… when the build loaded and counted it); the previous site "
                                                          "is untouched: build again"))
                written[rel] = content.sha256
            else:
                path.write_bytes(content)
                written[rel] = hashlib.sha256(content).hexdigest()
        for folder in sorted(p for p in made if p.is_relative_to(fresh)):
            folder.chmod(0o755)
        _swap(fresh, target)
    except OSError as exc:  # a full disk, a read-only folder: say so, and leave the old site as it was
        what = exc.strerror or str(exc)
        raise BuildError(Problem(str(target), message=f"cannot write the site: {what}"
                                 + (f" ({exc.filename})" if exc.filename else "") + "; the previous site is untouched")) from None
    finally:
        if fresh.exists():
            shutil.rmtree(fresh, ignore_errors=True)
    return written


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


def _swap(fresh: Path, target: Path) -> None:
    """Put ``fresh`` at ``target`` atomically; the old site ends up at ``fresh`` and is removed."""
    if not target.exists():
        os.rename(fresh, target)
        return
    if _exchange(fresh, target):
        return
    # No atomic exchange on this system: two renames, the gap between them as short as it can be.
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


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
