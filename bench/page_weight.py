"""What a reader's browser transfers for a page before touching anything, and how the page fits a phone.

Usage: python3 bench/page_weight.py [SITE] [PAGE ...]   (SITE defaults to site/; pages are paths inside it)

Serves SITE as GitHub Pages does (text gzip-compressed, bench/serve_gzip.py) and opens each page in headless
Chromium at 1280 and 360 px: prints the bytes transferred until the network is idle (compressed, and the same
files uncompressed), whether any chart library loaded, and the page's width and height at that width.
tests/test_browser.py holds every page to 150 KB transferred; this prints the figures themselves.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["", "disclosures/ira-2018-10/", "disclosures/meta-2023-q2-russia-doppelganger/", "disclosures/meta-2026-h1-pakistan/", "overview/",
         "comparison/", "methods/", "ar/overview/"]


def weigh(browser: Any, url: str, width: int) -> tuple[Any, Any, dict[str, int]]:
    """Open ``url`` in a new context ``width`` pixels wide; return the context, the page and ``{url: bytes transferred}``
    once the network is idle (the dict goes on counting what the page loads afterwards)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda r: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    return context, page, sizes


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    from takedowns.browser import find_browser

    site = Path(argv[0] if argv else "site").resolve()
    pages = argv[1:] or PAGES
    spec = importlib.util.spec_from_file_location("serve_gzip", ROOT / "bench" / "serve_gzip.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as www:
        (Path(www) / "site").symlink_to(site, target_is_directory=True)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(module.Handler, directory=www))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/site/"
        print(f"{'page':50s} {'width':>5s} {'gzip':>10s} {'raw':>10s}  chart libraries  page width × height (px)")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_browser(), args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                               "--disable-background-networking"])
            for rel in pages:
                for width in (1280, 360):
                    context, page, sizes = weigh(browser, base + rel, width)
                    raw = sum((site / u.split("/site/", 1)[1].split("?")[0]).stat().st_size if not u.endswith("/") else
                              (site / u.split("/site/", 1)[1] / "index.html").stat().st_size for u in sizes)
                    libraries = "loaded" if any("/vendor/vega" in u for u in sizes) else "not loaded"
                    w, h = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
                    print(f"{rel or '(home)':50s} {width:5d} {sum(sizes.values()):10,d} {raw:10,d}  {libraries:15s}  {w} × {h}")
                    context.close()
            browser.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
