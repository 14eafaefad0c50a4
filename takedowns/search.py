"""The search index: Pagefind over the rendered disclosure pages, built offline at build time."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from .errors import BuildError, Problem
from .pages import Output


def search_index(output: Output) -> dict[str, bytes]:
    """Return Pagefind's index and script files for the HTML pages in ``output``, keyed by output path."""
    from pagefind_bin_extended import get_executable

    with tempfile.TemporaryDirectory(prefix="takedowns-search-") as folder:
        root = Path(folder)
        for path, content in sorted(output.items()):
            if path.endswith(".html") and isinstance(content, bytes):
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_bytes(content)
        try:
            done = subprocess.run([str(get_executable()), "--site", str(root), "--output-subdir", "pagefind",
                                   "--force-language", "en", "--quiet"], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BuildError(Problem("search index", message=f"Pagefind could not run: {exc}")) from None
        if done.returncode != 0:
            raise BuildError(Problem("search index", message=f"Pagefind failed: {(done.stderr or done.stdout).strip()[-500:]}"))
        index = root / "pagefind"
        return {f"pagefind/{p.relative_to(index).as_posix()}": p.read_bytes() for p in sorted(index.rglob("*")) if p.is_file()}
