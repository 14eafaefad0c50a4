"""The search index: Pagefind over the rendered disclosure pages, built offline at build time."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from .errors import BuildError, Problem
from .pages import Output


def search_index(output: Output) -> dict[str, bytes]:
    """Return Pagefind's index and UI files for the HTML pages in ``output``, keyed by output path."""
    pages = {path: content for path, content in sorted(output.items()) if path.endswith(".html") and isinstance(content, bytes)}
    try:
        return asyncio.run(_index(pages))
    except (OSError, RuntimeError, AssertionError) as exc:
        raise BuildError(Problem("search index", message=f"Pagefind failed: {exc}")) from None


async def _index(pages: dict[str, bytes]) -> dict[str, bytes]:
    from pagefind.index import PagefindIndex

    with tempfile.TemporaryDirectory(prefix="takedowns-search-") as folder:
        async with PagefindIndex(config={"force_language": "en"}) as index:
            for path, content in pages.items():
                url = "/" + (path[: -len("index.html")] if path.endswith("index.html") else path)
                await index.add_html_file(content=content.decode(), url=url)
            await index.write_files(output_path=folder)
        root = Path(folder)
        return {f"pagefind/{p.relative_to(root).as_posix()}": p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
