"""Where each disclosure file's history can be read: its page links there when the content is a git checkout and
``site.yaml`` names the repository's web address. Without git, or outside a checkout, there is nothing to link and
nothing fails; the same checkout gives the same links (the branch is named, never a commit)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote


def history_links(content_dir: Path, repository: str | None, branch: str, files: dict[str, Path]) -> dict[str, str]:
    """``{disclosure id: URL of its file's history}`` for the files git tracks; empty without a repository or git."""
    if not repository:
        return {}
    try:
        top = subprocess.run(["git", "-C", str(content_dir), "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                             timeout=30, check=True).stdout.strip()
        tracked = subprocess.run(["git", "-C", top, "ls-files", "-z", "--", str(Path(content_dir).resolve())], capture_output=True,
                                 timeout=30, check=True).stdout.decode("utf-8", "replace").split("\0")
    except (OSError, subprocess.SubprocessError):
        return {}
    known = set(filter(None, tracked))
    out = {}
    for ident, path in files.items():
        try:
            rel = Path(path).resolve().relative_to(Path(top).resolve()).as_posix()
        except ValueError:
            continue
        if rel in known:
            out[ident] = f"{repository.rstrip('/')}/commits/{quote(branch, safe='')}/{quote(rel)}"
    return out
