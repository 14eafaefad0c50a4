"""The built example in a real Chromium, served over HTTP under a path prefix, as readers get it."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.browser

PREFIX = "/takedowns/"
PAGES = ["", "disclosures/ira-2018-10/", "disclosures/bangladesh-2019-01/", "disclosures/meta-2026-h1-china/", "overview/", "countries/", "countries/ve/",
         "tags/", "tags/iran/", "about/", "methods/", "comparison/", "domains/", "domains/alalam.ir/", "search/", "404.html",
         # The other languages: Spanish, right-to-left Arabic, Russian.
         "es/", "es/disclosures/iran-2018-10/", "ar/", "ar/disclosures/ira-2018-10/", "ar/overview/", "ar/comparison/", "ru/",
         "ru/disclosures/meta-2026-h1-china/", "ru/search/"]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def served(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the example site at http://127.0.0.1:PORT/takedowns/, as GitHub Pages serves a project site."""
    root = tmp_path_factory.mktemp("www")
    (root / PREFIX.strip("/")).symlink_to(example_site, target_is_directory=True)
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from takedowns.browser import NoBrowser, find_browser

    try:
        executable = find_browser()  # $CHROME_PATH, a browser on the PATH, or Playwright's own
    except NoBrowser as exc:
        pytest.fail(f"{exc} (`bash scripts/test.sh` installs one)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=ARGS)
        yield b
        b.close()


def _open(browser, url: str, javascript: bool = True, width: int = 1280, bypass_csp: bool = False,  # type: ignore[no-untyped-def]
          wait_until: str = "networkidle"):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 900}, bypass_csp=bypass_csp)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until=wait_until)
    return context, page, problems


def _interactive(figure):  # type: ignore[no-untyped-def]
    """Reach for a chart as a reader does (the pointer over it), and wait for its interactive drawing."""
    figure.scroll_into_view_if_needed()
    figure.locator(".chart-canvas").hover()
    svg = figure.locator(".chart-canvas.interactive svg")
    svg.wait_for(timeout=15000)
    return svg


DRAWN = "figure.chart:has(.chart-canvas)"  # a chart with too little data has its sentence and table only


@pytest.mark.parametrize("rel", PAGES)
def test_page_loads_cleanly_and_charts_draw(browser, served: str, rel: str) -> None:  # type: ignore[no-untyped-def]
    context, page, problems = _open(browser, served + rel)
    figures = page.locator(DRAWN).count()
    # Before a reader reaches for a chart, no chart library is loaded: the static images show everything.
    assert page.evaluate("window.vega === undefined")
    for i in range(figures):
        _interactive(page.locator(DRAWN).nth(i))
    assert page.locator("[data-chart-error]").count() == 0
    if rel == "overview/":  # the maps' country shapes loaded from the site's own assets: a shape per country
        assert page.locator("#chart-origins-map .chart-canvas.interactive svg path").count() > 150
    if figures:
        assert page.evaluate("window.vega.expressionInterpreter !== undefined && window.vega.expressionInterpreter !== null")
    expected = [p for p in problems if not (rel == "404.html" and "404" in p)]
    assert expected == []
    context.close()


def test_index_filter_and_sort(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    context, page, problems = _open(browser, served)
    total = page.locator("table.disclosures tbody tr").count()
    page.fill("#filter", "venezuela")  # Twitter's two sets, and Meta's Venezuela/US-based network
    visible = page.locator("table.disclosures tbody tr:visible")
    assert visible.count() == 3
    assert page.locator("#filter-status").inner_text() == f"3 of {total} disclosures shown"
    page.fill("#filter", "")
    page.get_by_role("button", name="Sort by Accounts").click()
    import yaml

    announced = [yaml.safe_load(p.read_text()).get("accounts_announced") for p in (ROOT / "content" / "disclosures").glob("*.yaml")]
    first = page.locator("table.disclosures tbody tr").first.locator("td").nth(4).inner_text()
    assert first == ("—" if None in announced else f"{min(announced):,}")  # unknown counts sort first
    page.get_by_role("button", name="Sort by Accounts").click()
    largest = max(a for a in announced if a is not None)
    assert page.locator("table.disclosures tbody tr").first.locator("td").nth(4).inner_text() == f"{largest:,}"
    assert page.locator("th[aria-sort='descending']").count() == 1
    assert problems == []
    context.close()


def test_search_finds_a_disclosure_by_hashtag(browser, served: str, example_site: Path) -> None:  # type: ignore[no-untyped-def]
    stats = json.loads((example_site / "disclosures/venezuela-2019-01-1/stats.json").read_text())
    tag = next(h["value"] for h in stats["top_hashtags"] if h["value"] == "hagamoshistoria")
    context, page, problems = _open(browser, served + "search/")
    page.get_by_label("Search disclosures").fill(tag)
    result = page.locator("#search-results a.result-link").first
    result.wait_for(timeout=10000)
    href = result.get_attribute("href")
    assert href == f"{PREFIX}disclosures/venezuela-2019-01-1/"
    assert problems == []
    context.close()


def test_search_in_spanish_finds_the_spanish_pages(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    """Each language searches its own index: a Spanish word of the interface finds Spanish pages only."""
    context, page, problems = _open(browser, served + "es/search/")
    page.get_by_label("Buscar divulgaciones").fill("alalam.ir")
    links = page.locator("#search-results a.result-link")
    links.first.wait_for(timeout=10000)
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert f"{PREFIX}es/domains/alalam.ir/" in hrefs and all(h.startswith(f"{PREFIX}es/") for h in hrefs)
    assert page.locator("#search-status").inner_text().endswith("divulgaciones encontradas")
    assert problems == []
    context.close()


def test_arabic_pages_read_right_to_left_and_charts_left_to_right(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    context, page, problems = _open(browser, served + "ar/disclosures/ira-2018-10/", width=1280)
    h2 = page.locator("h2#figures").bounding_box()
    main = page.locator("main").bounding_box()
    assert h2 and main and h2["x"] + h2["width"] > main["x"] + main["width"] - 40  # headings start at the right
    assert page.evaluate("getComputedStyle(document.querySelector('.chart-canvas')).direction") == "ltr"
    svg = _interactive(page.locator("#chart-tweets-over-time"))
    # The time axis runs left to right: the first month's label lies left of the last one's.
    xs = svg.locator(".role-axis-label text").evaluate_all("ts => ts.map(t => [t.textContent, t.getBoundingClientRect().x])")
    years = [(int(t.strip()[-4:]), x) for t, x in xs if " " in t.strip() and t.strip()[-4:].isdigit()]  # "Jul 2014"; not the counts
    assert len(years) > 3 and [y for y, _ in sorted(years, key=lambda p: p[1])] == sorted(y for y, _ in years)
    assert problems == []
    context.close()


def test_search_finds_a_linked_host_page(browser, served: str, example_site: Path) -> None:  # type: ignore[no-untyped-def]
    hosts = sorted(p.parent.name for p in (example_site / "domains").glob("*/index.html"))
    assert "alalam.ir" in hosts  # linked by both Iranian releases of the example
    context, page, problems = _open(browser, served + "search/")
    page.get_by_label("Search disclosures").fill("alalam.ir")
    links = page.locator("#search-results a.result-link")
    links.first.wait_for(timeout=10000)
    assert f"{PREFIX}domains/alalam.ir/" in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert problems == []
    context.close()


@pytest.mark.parametrize("rel", PAGES)
def test_axe_finds_no_violations(browser, served: str, rel: str) -> None:  # type: ignore[no-untyped-def]
    # The page's CSP rightly refuses the injected axe script; only this test context lets it in.
    context, page, _ = _open(browser, served + rel, bypass_csp=True)
    if page.locator(DRAWN).count():
        _interactive(page.locator(DRAWN).first)
    page.add_script_tag(content=(ROOT / "node_modules/axe-core/axe.min.js").read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == []
    context.close()


def test_a_static_chart_is_a_keyboard_stop_that_turns_interactive_when_reached(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    """From the keyboard alone: Tab reaches the static chart, announced by its sentence; it turns interactive there and keeps
    the focus; Enter opens its data table."""
    context, page, problems = _open(browser, served + "disclosures/bangladesh-2019-01/")
    first = page.locator("figure.chart").first
    first.locator("h3").click()
    page.keyboard.press("Tab")
    sentence = first.locator("figcaption p").inner_text()
    label = "Chart: " + sentence + " Press Enter for its data table, which holds every value the chart's tooltips show."
    first.locator(".chart-canvas.interactive svg").wait_for(timeout=15000)
    assert page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('aria-label')]") == ["chart-view", label]
    assert first.locator(".chart-canvas").get_attribute("tabindex") is None  # still one stop, not two
    page.keyboard.press("Enter")
    assert first.locator("details:not(.embed)").evaluate("d => d.open") and page.evaluate("document.activeElement.tagName") == "SUMMARY"
    assert problems == []
    context.close()


# Bytes a page may transfer before a reader interacts (HTML, CSS, scripts, the images on screen), at 1280 and 360 px,
# served as GitHub Pages serves it: text compressed with gzip when the browser asks (bench/serve_gzip.py).
BUDGET = 150_000


def _bench(name: str):  # type: ignore[no-untyped-def]
    """A script of bench/, imported by its path (bench/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def served_gzip(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    module = _bench("serve_gzip")
    root = tmp_path_factory.mktemp("gz")
    (root / PREFIX.strip("/")).symlink_to(example_site, target_is_directory=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(module.Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()


@pytest.mark.parametrize("rel", ["", "disclosures/ira-2018-10/", "disclosures/meta-2023-q2-russia-doppelganger/", "disclosures/meta-2026-h1-pakistan/",
                                 "overview/", "comparison/", "methods/", "ar/overview/"])
def test_a_page_transfers_at_most_its_budget_before_interaction(browser, served_gzip: str, rel: str) -> None:  # type: ignore[no-untyped-def]
    weigh = _bench("page_weight").weigh  # the measurement bench/page_weight.py prints
    for width in (1280, 360):
        context, page, sizes = weigh(browser, served_gzip + rel, width)
        total = sum(sizes.values())
        assert 0 < total <= BUDGET, (rel, width, total, sorted(sizes.items(), key=lambda kv: -kv[1])[:5])
        assert not any("/vendor/vega" in url or url.endswith(".vl.json") for url in sizes), rel  # the chart libraries wait for the reader
        if rel == "disclosures/meta-2026-h1-pakistan/":  # reaching for a chart brings them, and it turns interactive
            page.locator(DRAWN).first.locator(".chart-canvas").hover()
            page.locator(".chart-canvas.interactive svg").first.wait_for(timeout=15000)
            assert any("/vendor/vega" in url for url in sizes)
        context.close()


@pytest.mark.parametrize("rel", ["", "disclosures/ira-2018-10/", "overview/"])
def test_pages_read_completely_without_javascript(browser, served: str, rel: str) -> None:  # type: ignore[no-untyped-def]
    context, page, problems = _open(browser, served + rel, javascript=False)
    if rel == "":
        assert page.locator("table.disclosures tbody tr").count() == len(list((ROOT / "content" / "disclosures").glob("*.yaml")))
    else:
        images = page.locator("figure.chart img")
        assert images.count() > 0
        for i in range(images.count()):
            images.nth(i).scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle())
        assert page.locator("figure.chart details table tbody tr").count() > 0
    if rel.startswith("disclosures/"):
        assert page.locator("dl.figures dd").count() >= 8
    assert problems == []
    context.close()


# One page of every kind the site makes.
KINDS = ["", "disclosures/ira-2018-10/", "disclosures/meta-2023-q2-russia-doppelganger/", "disclosures/meta-2026-h1-pakistan/",
         "disclosures/meta-2024-q1-targeting-moldova-madagascar/", "overview/", "comparison/", "countries/", "countries/ve/", "tags/",
         "tags/iran/", "domains/", "domains/alalam.ir/", "about/", "methods/", "search/", "404.html"]


@pytest.mark.parametrize("lang", ["", "es/", "ar/", "ru/"])
def test_every_page_kind_fits_a_phone_and_a_desktop_in_every_language(browser, served: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """No page scrolls sideways at 360 or 1280 px (a table may scroll inside its own box), and none logs an error."""
    found = []
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        for rel in KINDS:
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m, problems=problems: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e, problems=problems: problems.append(f"page error: {e}"))
            response = page.goto(served + lang + rel, wait_until="load")
            assert response is not None and (response.status == 200 or rel == "404.html"), lang + rel
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                found.append((lang + rel, width, overflow))
            found += [(lang + rel, width, p) for p in problems if not (rel == "404.html" and "404" in p)]
            page.close()
        context.close()
    assert found == []


def test_nu_html_checker_reports_no_errors(example_site: Path) -> None:
    pages = sorted(str(p) for p in example_site.rglob("*.html") if "pagefind" not in p.parts)
    run = subprocess.run(["java", "-jar", str(ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"), "--errors-only",
                          "--format", "json", *pages], capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/site/", 1)[-1], m.get("lastLine"), m["message"]) for m in messages] == []
    assert len(pages) >= 20


def test_each_chart_is_one_keyboard_stop_with_its_sentence(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = _open(browser, served + "disclosures/bangladesh-2019-01/")
    first = page.locator("figure.chart").first
    _interactive(first)
    page.locator("figure.chart").first.locator("h3").click()
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('role'), document.activeElement.getAttribute('aria-label')]")
    assert focused[0] == "chart-view" and focused[1] == "img"
    assert focused[2] == "Chart: " + first.locator("figcaption p").inner_text() + " Press Enter for its data table, which holds every value the chart's tooltips show."
    # Enter on the chart opens its data table and moves there: each tooltip's value, reached without a mouse.
    page.keyboard.press("Enter")
    assert first.locator("details:not(.embed)").evaluate("d => d.open")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    assert first.locator(".chart-view").get_attribute("aria-keyshortcuts") == "Enter"
    context.close()


def test_signal_charts_are_keyboard_stops_and_the_overview_sorts_by_signal(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    context, page, problems = _open(browser, served + "disclosures/ira-2018-10/")
    section = page.locator("section[aria-labelledby=signals]")
    names = section.locator("figure.chart").evaluate_all("fs => fs.map(f => f.id)")
    assert "chart-co-retweet" in names and "chart-copy-paste" in names
    for name in ("co-retweet", "copy-paste"):
        figure = page.locator(f"#chart-{name}")
        _interactive(figure)
        figure.locator("h3").click()
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert label == "Chart: " + figure.locator("figcaption p").inner_text() + " Press Enter for its data table, which holds every value the chart's tooltips show."
        page.keyboard.press("Tab")  # next: the data table's summary, opened from the keyboard
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        assert figure.locator("details:not(.embed)").evaluate("d => d.open")
    context.close()
    assert problems == []
    context, page, problems = _open(browser, served + "overview/")
    button = page.locator("table.signals-table thead th").nth(1).locator("button")
    button.click()
    button.click()  # descending: the most co-retweeting release first
    first = page.locator("table.signals-table tbody tr").first.locator("td").first.get_attribute("data-value")
    values = page.locator("table.signals-table tbody tr td:nth-of-type(1)").evaluate_all("cs => cs.map(c => Number(c.dataset.value))")
    assert float(first) == max(values) and values == sorted(values, reverse=True)
    context.close()
    assert problems == []


def test_charts_load_without_shifting_the_layout(browser, served: str) -> None:  # type: ignore[no-untyped-def]
    """Each chart's box is as tall with the static image (no JavaScript) as with the interactive chart."""
    url = served + "disclosures/iran-2019-01/"
    context, page, _ = _open(browser, url, javascript=False)
    static = page.locator("figure.chart .chart-canvas").evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)")
    context.close()
    context, page, problems = _open(browser, url)
    boxes = page.locator("figure.chart .chart-canvas")
    for i in range(boxes.count()):
        _interactive(page.locator(DRAWN).nth(i))
    live = boxes.evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)")
    assert len(static) == len(live) == 16  # 8 of the release and 8 of its coordination signals (no clusters or swarms)
    assert all(abs(a - b) <= 4 for a, b in zip(static, live)), str(list(zip(static, live)))
    assert problems == []
    context.close()


def test_preview_server_reloads_the_open_page(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import re
    import subprocess
    import sys

    from conftest import Project

    project = Project(tmp_path)
    project.add()
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--content", str(project.content), "--data",
                                str(project.data), "--output", str(tmp_path / "preview"), "--cache", str(tmp_path / "cache"),
                                "--port", "0", "--no-search"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = ""
        while "serving" not in line:
            line = process.stdout.readline()  # type: ignore[union-attr]
            assert line
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)  # type: ignore[union-attr]
        # "load", not "networkidle": a preview page always has a question out to the server (answered when something changes).
        context, page, problems = _open(browser, url + "disclosures/tiny-2019/", wait_until="load")
        assert page.locator("h1").inner_text() == "Tiny test network"
        path = project.content / "disclosures" / "tiny-2019.yaml"
        path.write_text(path.read_text().replace("Tiny test network", "Edited while open"))
        from playwright.sync_api import expect

        expect(page.locator("h1")).to_have_text("Edited while open", timeout=30000)  # the page reloaded by itself
        assert problems == []
        context.close()
    finally:
        process.terminate()
        process.wait(timeout=20)


_STATIC_TEXT = """async img => {
  const svg = await (await fetch(img.currentSrc)).text();
  const sizes = [...svg.matchAll(/font-size="([0-9.]+)px"/g)].map(m => parseFloat(m[1]));
  return [img.currentSrc, Math.min(...sizes) * img.getBoundingClientRect().width / img.naturalWidth];
}"""
_LIVE_TEXT = """svg => {
  const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
  const sizes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize));
  return Math.min(...sizes) * scale;
}"""


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("rel", ["disclosures/ira-2018-10/", "disclosures/meta-2026-h1-china/", "overview/", "ar/disclosures/ira-2018-10/"])
def test_chart_text_is_at_least_11_css_pixels(browser, served: str, rel: str, width: int) -> None:  # type: ignore[no-untyped-def]
    """Every chart, static (no JavaScript) and interactive, measured as drawn: its smallest text times the scale it is shown at."""
    context, page, problems = _open(browser, served + rel, javascript=False, width=width)
    images = page.locator("figure.chart picture img")
    assert images.count() > 0
    static = []
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle())
        static.append(images.nth(i).evaluate(_STATIC_TEXT))
    assert all(src.endswith(".narrow.svg") == (width < 800) for src, _ in static)
    assert [(src, round(px, 2)) for src, px in static if px < 10.99] == []
    context.close()
    context, page, problems = _open(browser, served + rel, width=width)
    figures = page.locator(DRAWN)
    live = []
    for i in range(figures.count()):
        svg = _interactive(figures.nth(i))
        live.append((figures.nth(i).get_attribute("id"), svg.evaluate(_LIVE_TEXT)))
    assert len(live) == len(static)
    assert [(name, round(px, 2)) for name, px in live if px < 10.99] == []
    assert problems == []
    context.close()


def test_a_chart_embeds_in_a_page_of_another_origin_through_its_snippet(browser, served: str, example_site: Path,  # type: ignore[no-untyped-def]
                                                                        tmp_path: Path) -> None:
    """The snippet the "Embed" control gives, pasted into a page served from another origin: the chart draws without
    JavaScript, passes axe inside its frame, and its data table is reached and opened from the keyboard."""
    context, page, problems = _open(browser, served + "disclosures/iran-2019-01/")
    snippet = page.locator("#chart-hashtags details.embed textarea").input_value()
    context.close()
    assert snippet.startswith('<iframe src="https://example.org/takedowns/disclosures/iran-2019-01/embed/hashtags/" title="Top hashtags — ')
    # Point it at the local copy of the site (its public address is example.org), and serve it from another port.
    other = tmp_path / "newsroom"
    other.mkdir()
    local = snippet.replace("https://example.org/takedowns/", served)
    (other / "article.html").write_text(f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>An article</title>"
                                        f"<meta name=\"viewport\" content=\"width=device-width\"></head><body><main><h1>An article</h1>"
                                        f"<p>Before the chart.</p>{local}<p>After it.</p></main></body></html>")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(other)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for width in (360, 1280):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            failed: list[str] = []
            page.on("requestfailed", lambda r, failed=failed: failed.append(r.url))
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/article.html", wait_until="networkidle")
            frame = page.frame_locator("iframe")
            image = frame.locator("figure img")
            image.wait_for(timeout=15000)
            assert image.evaluate("img => img.complete && img.naturalWidth > 0")
            assert frame.locator("h1").inner_text() == "Top hashtags"
            assert frame.locator(".synthetic").inner_text().startswith("Synthetic sample data.")  # said wherever the chart goes
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")  # fits the phone
            inner = page.frames[1]
            assert inner.evaluate("document.scripts.length") == 0  # no script: works where JavaScript does not
            page.locator("p").first.click()
            page.keyboard.press("Tab")  # into the frame: its first stop is the data table's summary
            assert inner.evaluate("document.activeElement.tagName") == "SUMMARY"
            page.keyboard.press("Enter")
            assert inner.evaluate("document.querySelector('details').open")
            rows = frame.locator("tbody tr").count()
            assert rows >= 3
            assert failed == []
            context.close()
        # axe inside the frame (a context that lets the injected script past the frame's CSP)
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/article.html", wait_until="networkidle")
        inner = page.frames[1]
        inner.add_script_tag(content=(ROOT / "node_modules/axe-core/axe.min.js").read_text())
        result = inner.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
        context.close()
    finally:
        server.shutdown()
    assert problems == []
