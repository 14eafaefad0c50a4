"""Check every internal link, asset and anchor of a built site, reading the files as a server would serve them."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser


def broken_links(site: Path) -> tuple[list[str], int]:
    """Return what is broken in ``site`` (one line each) and how many links were checked."""
    site = site.resolve()
    ids: dict[Path, set[str]] = {}
    problems: list[str] = []
    checked = 0

    def anchors(page: Path) -> set[str]:
        if page not in ids:
            tree = LexborHTMLParser(page.read_text(errors="replace"))
            ids[page] = {n.attributes.get("id") or "" for n in tree.css("[id]")} | {n.attributes.get("name") or "" for n in tree.css("a[name]")}
        return ids[page]

    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.relative_to(site).parts:
            continue
        tree = LexborHTMLParser(page.read_text(errors="replace"))
        rel_page = page.relative_to(site).as_posix()
        for node in tree.css("[href], [src]"):
            for attr in ("href", "src"):
                url = node.attributes.get(attr)
                if url is None:
                    continue
                parts = urlsplit(url)
                if parts.scheme or url.startswith("//") or parts.scheme == "mailto":
                    continue
                checked += 1
                if url.startswith("/"):
                    problems.append(f"{rel_page}: {url}: starts at the server root; breaks under a path prefix")
                    continue
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
                if not target.is_relative_to(site):
                    problems.append(f"{rel_page}: {url}: leads outside the site")
                    continue
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    problems.append(f"{rel_page}: {url}: no such file")
                    continue
                if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in anchors(target):
                    problems.append(f"{rel_page}: {url}: no element with id '{unquote(parts.fragment)}'")
    checked += _check_css_and_xml(site, problems)
    return problems, checked


_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_XML_LINK = re.compile(r"""(?:href="([^"]+)"|<loc>([^<]+)</loc>)""")


def _check_css_and_xml(site: Path, problems: list[str]) -> int:
    """Check ``url()`` in stylesheets and the site's own links in the feed and sitemap (absolute, under the base URL)."""
    checked = 0
    for css in sorted(site.rglob("*.css")):
        if "pagefind" in css.relative_to(site).parts:
            continue
        for _, url in _CSS_URL.findall(css.read_text(errors="replace")):
            if url.startswith(("data:", "http:", "https:", "#")):
                continue
            checked += 1
            if not (css.parent / unquote(urlsplit(url).path)).resolve().is_file():
                problems.append(f"{css.relative_to(site).as_posix()}: url({url}): no such file")
    robots = site / "robots.txt"
    base = re.search(r"^Sitemap: (\S+)sitemap\.xml$", robots.read_text(), re.M) if robots.is_file() else None
    if base is None:
        return checked
    for xml in sorted(site.glob("*.xml")):
        for a, b in _XML_LINK.findall(xml.read_text(errors="replace")):
            url = html.unescape(a or b).strip()
            if not url.startswith(base.group(1)):
                continue
            checked += 1
            path = unquote(urlsplit(url[len(base.group(1)):]).path)
            target = (site / path).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(site) or not target.is_file():
                problems.append(f"{xml.name}: {url}: no such file")
    return checked


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "site")
    problems, checked = broken_links(site)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"checked {checked} links in {site}/: {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
