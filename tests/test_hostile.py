"""Hostile and broken input: nothing injected, nothing lost, nothing half-published."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
import secrets
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import FIXTURES, ROOT, Project
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from takedowns.charts import chart_text
from takedowns.content import document
from takedowns.errors import BuildError, ContentError, DataError
from takedowns.formats import TWEET_COLUMNS

# ---------------------------------------------------------------- YAML


@pytest.mark.parametrize("text, line, message", [
    ("id: !!python/object/apply:os.system ['echo pwned']\n", 1, "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    ("a: &a [*a]\n", 1, "YAML aliases (*name) are not allowed"),
    ("a: &a ['lol','lol']\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n", 2, "YAML aliases (*name) are not allowed"),
    ("a: " + "[" * 100 + "]" * 100 + "\n", 1, "nested too deeply"),
    ("id: a\nid: b\n", 2, "duplicate key 'id' (first given on line 1)"),
    ("id: !custom a\n", 1, "YAML tag '!custom' is not allowed"),
    ("a: 1\n<<: {b: 2}\n", 2, "merge keys (<<) are not allowed"),
])
def test_yaml_attacks_are_refused_with_a_line(text: str, line: int, message: str) -> None:
    start = time.perf_counter()
    root, problems = document.parse(text, "x.yaml")
    # A duplicate key leaves a readable tree, so the file's other problems are reported too; the rest stop here.
    assert (root is not None) == ("duplicate key" in message)
    assert [p.line for p in problems] == [line]
    assert message in problems[0].message
    assert time.perf_counter() - start < 1


def test_very_deep_nesting_is_bounded() -> None:
    root, problems = document.parse("a: " + "[" * 50_000, "x.yaml")
    assert root is None and problems


def test_oversize_yaml_is_refused_before_parsing(project: Project) -> None:
    path = project.write("huge.yaml", "id: x\nbody: |\n" + ("  " + "a" * 1000 + "\n") * 400)
    with pytest.raises(ContentError) as caught:
        project.build()
    size = path.stat().st_size
    assert size > 262_144
    assert [str(p) for p in caught.value.problems] == [f"{path}:1: file is {size:,} bytes; a disclosure may be at most 262,144"]


def test_yaml_11_booleans_octals_and_sexagesimals_are_text(project: Project) -> None:
    project.write("y.yaml", """\
        id: norway-2019
        title: NO
        platform: twitter
        announced: 2019-01-31
        countries: [NO]
        targets: [on, off, 010, 12:30, yes]
        attribution: {kind: state-backed, text: on}
        accounts_announced: 010
        summary: yes
        sources: [{title: 12:30, url: "https://a.test/"}]
        """)
    project.build()
    page = project.html("disclosures/norway-2019/index.html")
    assert page.css_first("h1").text() == "NO"
    assert "Targeted: on, off, 010, 12:30, yes" in page.css_first("p.meta").text()
    assert "Norway" in page.css_first("p.meta").text()  # NO is also Norway's ISO code
    stats = json.loads((project.output / "disclosures/norway-2019/stats.json").read_text())
    assert stats["accounts_announced"] == 10  # decimal, not octal 8


# ---------------------------------------------------------------- Markdown


def test_markdown_is_sanitised(project: Project) -> None:
    project.add(body="\n\n".join([
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(2)">',
        "[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://ok.test/)",
        '<iframe src="https://evil.test/"></iframe>',
        '<a href="https://ok.test/" onclick="alert(4)">x</a>',
        "<p style=\"background:url(javascript:alert(5))\">styled</p>",
    ]))
    project.build()
    html = (project.output / "disclosures/tiny-2019/index.html").read_text()
    body = HTMLParser(html).css_first("#about").parent
    assert body.css("script, iframe, img") == []
    assert all(not a.startswith("on") and a != "style" for n in body.css("*") for a in n.attributes)
    hrefs = [a.attributes.get("href") for a in body.css("a")]
    assert hrefs == [None, None, "https://ok.test/", "https://ok.test/"]
    assert all(a.attributes.get("rel") == "nofollow noopener noreferrer" for a in body.css("a[href]"))
    assert "javascript:" not in str(body.html) and "data:text/html" not in str(body.html)


# ---------------------------------------------------------------- dataset text, everywhere it appears

HOSTILE = [
    "</script><script>alert(1)</script>", '"><svg onload=alert(1)>', "{{7*7}}", "javascript:alert(1)",
    "java\tscript:alert(1)", "line\u2028sep\u2029par", "\u202egnp.exe", "zero\u200bwidth\u200d", "<!--", "]]>", "&amp;lt;",
    "x" * 10_000,
]


def _rows(text: str) -> list[dict[str, str]]:
    with open(FIXTURES / "tiny" / "tweets.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["tweet_client_name"] = text
        row["user_screen_name"] = text
        row["user_reported_location"] = text
        row["tweet_language"] = text
        row["tweet_text"] = text
        tag = re.sub(r"[\s,'\"\[\]#]", "", text) or "x"
        row["hashtags"] = f"['{tag}']"
    rows[-1]["tweet_client_name"] = "zzz benign client"  # a second client: the bars are drawn (one bar alone is said, not drawn)
    return rows


def _write_tweets(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(rows[0].keys())
        for r in rows:
            w.writerow(r.values())


def _pages(site: Path) -> dict[str, HTMLParser]:
    return {p.relative_to(site).as_posix(): HTMLParser(p.read_text()) for p in sorted(site.rglob("*.html"))}


def _census(site: Path) -> dict[str, tuple[int, int]]:
    """Per page: (number of <script> elements, number of on* attributes)."""
    out = {}
    for name, tree in _pages(site).items():
        handlers = sum(1 for n in tree.css("*") for a in n.attributes if a.lower().startswith("on"))
        out[name] = (len(tree.css("script")), handlers)
    return out


def _build_with(project: Project, text: str, search: bool = True, rows: Any = None) -> Path:
    _write_tweets(project.data / "tiny" / "tweets.csv", (rows or _rows)(text))
    project.add()
    project.build(search_index=search)
    return project.output


@pytest.fixture(scope="module")
def benign(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, int]]:
    return _census(_build_with(Project(tmp_path_factory.mktemp("benign")), "benign text"))


def _check_site(site: Path, text: str, benign: dict[str, tuple[int, int]]) -> None:
    assert _census(site) == benign
    page = HTMLParser((site / "disclosures/tiny-2019/index.html").read_text())
    stats = json.loads((site / "disclosures/tiny-2019/stats.json").read_text())
    canvas = page.css_first('#chart-clients .chart-canvas')
    assert (canvas is not None) == (len(stats["top_clients"]) >= 2)
    if canvas is not None:
        spec = json.loads((site / "disclosures/tiny-2019" / canvas.attributes["data-spec"]).read_text())
        values = [v["value"] for name, rows in spec["datasets"].items() for v in rows]
        assert values == [chart_text(c["value"]) for c in stats["top_clients"]]  # drawn: SVG-safe characters
    download = json.loads((site / "disclosures/tiny-2019/charts/clients.json").read_text())
    assert [r["value"] for r in download["rows"]] == [c["value"] for c in stats["top_clients"]]  # downloads: exact
    if text:
        assert stats["top_clients"] == [{"value": text, "count": 5}, {"value": "zzz benign client", "count": 1}]
    for svg in (site / "disclosures/tiny-2019/charts").glob("*.svg"):
        tree = ElementTree.fromstring(svg.read_bytes())
        assert not [e for e in tree.iter() if e.tag.endswith("script") or any(a.startswith("on") for a in e.attrib)]
    feed = ElementTree.fromstring((site / "feed.xml").read_bytes())
    assert feed.tag.endswith("feed")
    for name in ("clients.json", "hashtags.json"):
        json.loads((site / "disclosures/tiny-2019/charts" / name).read_text())


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_dataset_text_is_inert_everywhere(tmp_path: Path, benign: dict[str, tuple[int, int]], text: str) -> None:
    site = _build_with(Project(tmp_path), text)
    _check_site(site, text, benign)
    html = (site / "disclosures/tiny-2019/index.html").read_text()
    if text.startswith("java"):
        assert 'href="java' not in html


# Texts that once stopped the build, pinned: a label the phone-width chart cut between the two halves of a character
# beyond U+FFFF, U+FFFF itself (the renderer aborted its process), noncharacters, and a label of nothing but emoji.
# derandomize: the same examples on every run, so one unlucky draw cannot fail an unrelated change.
@example(text="000000000000000000\U00010000\U00010010\U000b68d3")
@example(text="\uffff")
@example(text="x\ufdd0\U0001fffe\U0010ffff")
@example(text="\U0001f600" * 40)
@example(text="a\U0001f600" * 30)
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1, max_size=60))
def test_property_any_dataset_text_changes_no_script_or_handler(tmp_path_factory: pytest.TempPathFactory,
                                                                  benign: dict[str, tuple[int, int]], text: str) -> None:
    site = _build_with(Project(tmp_path_factory.mktemp("prop")), text, search=False)
    _check_site(site, text, {k: v for k, v in benign.items()})


def test_a_chart_the_renderer_refuses_leaves_its_sentence_and_table(project: Project) -> None:
    """A chart that cannot be drawn does not stop the site: its page says so and keeps the figures, the build warns."""
    from takedowns.charts import DISCLOSURE_CHARTS, Chart

    def unbuildable(stats: dict[str, Any]) -> Chart:
        spec = {"data": {"values": [{"a": 1}]}, "mark": "no-such-mark", "encoding": {"x": {"field": "a", "type": "quantitative"}}}
        return Chart("refused", "A refused chart", "One value, 1.", (("a", "A"),), ({"a": 1},), spec)

    DISCLOSURE_CHARTS.append(("refused", unbuildable))
    try:
        project.add()
        result = project.build()
    finally:
        DISCLOSURE_CHARTS.remove(("refused", unbuildable))
    [warning] = result.warnings
    assert warning.startswith("disclosures/tiny-2019/charts/refused: could not be drawn (Vega-Lite to SVG conversion failed")
    assert warning.endswith("; the page shows its sentence and data table instead")
    page = project.html("disclosures/tiny-2019/index.html")
    figure = page.css_first("#chart-refused")
    assert figure.css_first("p.chart-failed").text().startswith("This chart could not be drawn from its data.")
    assert figure.css_first("picture") is None and figure.css_first(".chart-canvas") is None
    assert not (project.output / "disclosures/tiny-2019/charts/refused.vl.json").exists()
    assert "open" in figure.css_first("details").attributes  # the table is the chart now: shown open
    assert [th.text() for th in figure.css("tbody th")] == ["1"]
    assert (project.output / "disclosures/tiny-2019/charts/refused.csv").is_file()
    assert not (project.output / "disclosures/tiny-2019/charts/refused.svg").exists()
    others = [f for f in page.css("figure.chart") if f.attributes.get("id") != "chart-refused"]
    assert others and all(f.css_first("picture img") is not None for f in others)
    for img in page.css("picture img"):  # every image the page shows exists
        assert (project.output / "disclosures/tiny-2019" / img.attributes["src"]).is_file()


def test_json_in_script_cannot_break_out() -> None:
    from takedowns.site.render import json_text

    value = {"a": "</script><script>alert(1)</script>", "b": "\u2028\u2029", "c": "<!--", "d": "&"}
    text = json_text(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_only_http_links_become_links() -> None:
    from takedowns.site.render import link

    assert str(link("https://ok.test/a?b=1&c=2", "ok")) == '<a href="https://ok.test/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">ok</a>'
    for bad in ("javascript:alert(1)", "java\tscript:alert(1)", " https://x.test", "data:text/html,x", "//evil.test",
                'https://x.test/"onmouseover="alert(1)'):
        assert "<a" not in str(link(bad))


# ---------------------------------------------------------------- CSV


def _tweets_text(rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(TWEET_COLUMNS)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def _row(**values: str) -> list[str]:
    base = dict.fromkeys(TWEET_COLUMNS, "")
    base.update(tweetid="1", userid="u", tweet_time="2020-01-01 00:00", is_retweet="false", account_creation_date="2019-01-01",
                follower_count="0", following_count="0", quote_count="0", reply_count="0", like_count="0", retweet_count="0")
    base.update(values)
    return [base[c] for c in TWEET_COLUMNS]


def test_ids_and_names_are_kept_exactly(project: Project) -> None:
    ids = ["0e12345", "1E5", "00042", "1234567890123456789", "NA", "null", "None", "nan", "TRUE"]
    text = _tweets_text([_row(tweetid=str(i), userid=u, user_screen_name=u) for i, u in enumerate(ids)])
    (project.data / "tiny" / "tweets.csv").write_text(text)
    project.add()
    project.build()
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert sorted(a["userid"] for a in stats["most_active_accounts"]) == sorted(ids)
    assert stats["active_accounts"] == len(ids)


BROKEN = [
    ("too many fields", lambda t: t + ",".join(['"x"'] * 32) + "\n", 3, "too many fields (32 instead of 31)"),
    ("too few fields", lambda t: t + '"2","u","x"\n', 3, "too few fields (3 instead of 31)"),
    ("unterminated quote", lambda t: t + '"2,"u","x\n', 3, "malformed CSV"),
    ("bad time", lambda t: t.replace("2020-01-01 00:00", "yesterday"), 2, "tweet_time is 'yesterday', expected"),
]


@pytest.mark.parametrize("name, damage, line, message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_rows_fail_by_default_and_are_counted_when_skipped(project: Project, name: str, damage, line: int, message: str) -> None:  # type: ignore[no-untyped-def]
    good = _tweets_text([_row()])
    (project.data / "tiny" / "tweets.csv").write_text(damage(good))
    project.add()
    with pytest.raises(DataError) as caught:
        project.build()
    found = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"tiny/tweets.csv:{line}: {message}") for p in found), found
    project.build(skip_bad_rows=True)
    page = project.html("disclosures/tiny-2019/index.html")
    note = page.css_first("#skipped").parent.text()
    assert "1 row(s)" in note and f"line(s) {line}" in note
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert stats["skipped_rows"][0]["rows"] == 1


@pytest.mark.parametrize("name, raw, line, message", [
    ("invalid utf-8", b'"1","u",\xff\xfe', 3, "invalid UTF-8"),
    ("nul byte", b'"1","u","a\x00b"', 3, "NUL byte in a field"),
])
def test_bytes_that_are_not_text(project: Project, name: str, raw: bytes, line: int, message: str) -> None:
    good = _tweets_text([_row(), _row(tweetid="2")]).encode()
    lines = good.split(b"\n")
    fields = lines[2].split(b",")
    fields[12] = raw.split(b",")[-1]
    lines[2] = b",".join(fields)
    (project.data / "tiny" / "tweets.csv").write_bytes(b"\n".join(lines))
    project.add()
    with pytest.raises(DataError) as caught:
        project.build()
    assert f"tiny/tweets.csv:{line}: {message}" in [str(p) for p in caught.value.problems]
    project.build(skip_bad_rows=True)
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert stats["tweets"] == 1 and stats["skipped_rows"][0]["reasons"] == {message: 1}


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("path, message", [
    ("../outside.csv", "goes up out of data/ ('..'); refused"),
    ("/etc/passwd", "is absolute; give it relative to data/"),
    ("tiny/../../x.csv", "goes up out of data/ ('..'); refused"),
])
def test_paths_that_escape_data_are_refused(project: Project, path: str, message: str) -> None:
    project.add(datasets=[{"role": "tweets", "path": path}])
    with pytest.raises(ContentError) as caught:
        project.build()
    assert any(message in str(p) for p in caught.value.problems)


def test_symlink_out_of_data_is_refused(project: Project, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("x")
    (project.data / "tiny" / "link.csv").symlink_to(secret)
    project.add(datasets=[{"role": "tweets", "path": "tiny/link.csv"}])
    with pytest.raises(ContentError) as caught:
        project.build()
    assert any("'tiny/link.csv' leads outside" in str(p) for p in caught.value.problems)


def _zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, data)


def test_zip_members_that_escape_or_link_are_refused(project: Project) -> None:
    _zip(project.data / "tiny" / "evil.zip", [("../../evil.csv", b"a")])
    link = zipfile.ZipInfo("link.csv")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    _zip(project.data / "tiny" / "link.zip", [(link, b"/etc/passwd")])
    for name, message in (("evil.zip", "zip member '../../evil.csv' has an unsafe path; refused"),
                          ("link.zip", "zip member 'link.csv' is a symbolic link; refused")):
        project.add(datasets=[{"role": "tweets", "path": f"tiny/{name}"}])
        with pytest.raises(DataError) as caught:
            project.build()
        assert f"tiny/{name}: {message}" in [str(p) for p in caught.value.problems]


def test_zip_bomb_is_refused_before_reading(project: Project) -> None:
    _zip(project.data / "tiny" / "bomb.zip", [("tweets.csv", b"\n" * (300 << 20))])  # 300 MB of newlines, ~300 KB packed
    project.add(datasets=[{"role": "tweets", "path": "tiny/bomb.zip"}])
    start = time.perf_counter()
    with pytest.raises(DataError) as caught:
        project.build()
    assert "refused as a possible zip bomb" in str(caught.value)
    assert time.perf_counter() - start < 5


def test_gzip_bomb_is_stopped_while_reading(project: Project) -> None:
    header = _tweets_text([]).encode()
    (project.data / "tiny" / "bomb.csv.gz").write_bytes(gzip.compress(header + b" " * (400 << 20), 9))
    project.add(datasets=[{"role": "tweets", "path": "tiny/bomb.csv.gz"}])
    with pytest.raises(DataError) as caught:
        project.build()
    assert "expands more than 200x when decompressed" in str(caught.value)


# ---------------------------------------------------------------- output: all or nothing, and reproducible


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_leaves_previous_site_byte_identical(project: Project) -> None:
    project.add()
    project.build()
    before = _snapshot(project.output)
    (project.data / "tiny" / "tweets.csv").write_text(_tweets_text([_row(tweet_time="soon")]))
    with pytest.raises(BuildError):
        project.build(cache=None)
    assert _snapshot(project.output) == before


def test_killed_build_leaves_previous_site_byte_identical(project: Project) -> None:
    """SIGKILL a real build process at several moments; the old site stays whole every time."""
    import datetime as dt

    from takedowns.authoring.synthetic import Release, Style, write_release

    release = Release("big", 2000, 120_000, 9, dt.date(2018, 1, 1), dt.date(2019, 1, 1), ("en",), ("a", "b"), ("x.test",),
                      ("here",), Style())
    write_release(release, project.data / "big", parts=4)
    project.add(datasets=[{"role": "users", "path": "big/big_users_csv_hashed.csv"},
                          {"role": "tweets", "path": "big/big_tweets_csv_hashed_*.csv"}])
    project.build()
    before = _snapshot(project.output)
    command = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(project.content), "--data", str(project.data),
               "--output", str(project.output), "--no-cache", "--now", "2026-01-01T00:00:00Z", "--quiet"]
    (project.content / "disclosures" / "tiny-2019.yaml").write_text(
        (project.content / "disclosures" / "tiny-2019.yaml").read_text().replace("Tiny test network", "Changed title"))
    started = time.perf_counter()
    full = subprocess.run(command, cwd=ROOT, capture_output=True)
    duration = time.perf_counter() - started
    assert full.returncode == 0, full.stderr
    changed = _snapshot(project.output)
    assert changed != before
    mark = f"TAKEDOWNS_KILLED_BUILD={secrets.token_hex(8)}"  # every process a killed build started inherits it
    for fraction in (0.2, 0.5, 0.75, 0.9):
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **dict([mark.split("=")])})
        time.sleep(duration * fraction)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert _snapshot(project.output) == changed, fraction
    project.build()  # and the next build cleans up what the killed ones left
    assert not list(project.root.glob(".site.new-*"))
    # Nothing the killed builds started (chart renderers, statistics workers) outlives them for long.
    end = time.monotonic() + 10
    while (left := _processes_with(mark)) and time.monotonic() < end:
        time.sleep(0.2)
    assert left == [], left


def _processes_with(mark: str) -> list[str]:
    """The command lines of the running processes whose environment holds ``mark``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and mark.encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    a, b = Project(tmp_path / "a"), Project(tmp_path / "b")
    for p in (a, b):
        p.add()
        with (p.content / "site.yaml").open("a") as f:  # every language: Pagefind's entry file lists them in hash-map order
            f.write("languages: [es, ar, ru]\n")
    a.build(search_index=True)
    b.build(search_index=True, cache=None, workers=2)
    assert _snapshot(a.output) == _snapshot(b.output)


# ---------------------------------------------------------------- fuzzing: only our errors escape


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400)))
def test_fuzz_disclosure_loader(tmp_path_factory: pytest.TempPathFactory, blob: str | bytes) -> None:
    from takedowns.content.load import Hasher, load_disclosure

    folder = tmp_path_factory.getbasetemp() / "fuzz-yaml"
    folder.mkdir(exist_ok=True)
    path = folder / "f.yaml"
    path.write_bytes(blob.encode("utf-8", "surrogatepass") if isinstance(blob, str) else blob)
    disclosure, problems = load_disclosure(path, folder, Hasher())
    assert (disclosure is None) == bool(problems)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.booleans())
def test_fuzz_dataset_parser(tmp_path_factory: pytest.TempPathFactory, blob: bytes, skip: bool) -> None:
    from takedowns.content.model import DatasetFile
    from takedowns.statistics.tasks import Task, run_task

    folder = tmp_path_factory.getbasetemp() / "fuzz-csv"
    folder.mkdir(exist_ok=True)
    path = folder / "t.csv"
    path.write_bytes(_tweets_text([_row()]).encode() + blob)
    try:
        run_task(Task(DatasetFile("t.csv", path, path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest()), "tweets", "twitter", skip))
    except DataError:
        pass


def test_csv_downloads_cannot_smuggle_spreadsheet_formulas(tmp_path: Path) -> None:
    text = '=HYPERLINK("https://evil.test/","click")'
    site = _build_with(Project(tmp_path), text, search=False)
    rows = list(csv.reader(io.StringIO((site / "disclosures/tiny-2019/charts/clients.csv").read_text())))
    assert rows[1][0] == "'" + text  # a spreadsheet shows it as text, never runs it
    download = json.loads((site / "disclosures/tiny-2019/charts/clients.json").read_text())
    assert download["rows"][0]["value"] == text  # JSON keeps it exact


# ---------------------------------------------------------------- coordination signals


def _signal_rows(text: str) -> list[dict[str, str]]:
    """Every tiny row an original tweet of ``text``: a copy-paste cluster of 3 accounts, and 5 replies swarming ``text``'s tweet."""
    rows = _rows(text)
    for i, row in enumerate(rows):
        row["is_retweet"] = "false"
        row["retweet_userid"] = row["retweet_tweetid"] = ""
        row["tweet_text"] = f"{text} pasted by every account"
        row["in_reply_to_tweetid"], row["in_reply_to_userid"] = ("77", text) if i < 5 else ("", "")
    return rows


def _build_signals(project: Project, text: str) -> Path:
    return _build_with(project, text, search=False, rows=_signal_rows)


@pytest.fixture(scope="module")
def benign_signals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, int]]:
    return _census(_build_signals(Project(tmp_path_factory.mktemp("benign-signals")), "benign words"))


@pytest.mark.parametrize("text", HOSTILE[:6] + HOSTILE[-2:], ids=[f"hostile{i}" for i in range(8)])
def test_hostile_text_in_signals_is_inert_and_exact(tmp_path: Path, benign_signals: dict[str, tuple[int, int]], text: str) -> None:
    site = _build_signals(Project(tmp_path), text)
    assert _census(site) == benign_signals  # no script, no handler more than with plain words
    stats = json.loads((site / "disclosures/tiny-2019/stats.json").read_text())["signals"]
    cluster = stats["copy_paste"]["top"][0]
    assert cluster["accounts"] == 3 and cluster["tweets"] == 6
    assert stats["reply_swarms"]["targets"][0]["userid"] == text and stats["reply_swarms"]["targets"][0]["replies"] == 5
    page = HTMLParser((site / "disclosures/tiny-2019/index.html").read_text())
    table = page.css_first("#chart-copy-paste table")
    assert table.css_first("tbody th").text() == cluster["text"]  # shown as text, exactly: escaped, not markup
    swarm = page.css_first("#chart-reply-swarms table")
    assert swarm.css_first("tbody th").text() == text
    download = json.loads((site / "disclosures/tiny-2019/charts/reply-swarms.json").read_text())
    assert download["rows"][0]["userid"] == text
    for svg in (site / "disclosures/tiny-2019/charts").glob("*.svg"):
        tree = ElementTree.fromstring(svg.read_bytes())
        assert not [e for e in tree.iter() if e.tag.endswith("script") or any(a.startswith("on") for a in e.attrib)]


# ---------------------------------------------------------------- Meta's files: linear-time parsing, clear errors


@pytest.mark.parametrize("name, text", [
    ("cell.csv", "Tactic,Technique,Procedure,Indicator\nA,B,0.9.1 Accounts,\"" + "1" * 4_000_000 + "\"\n"),
    ("commas.csv", "Tactic,Technique,Procedure,Indicator\nA,B,C,\"" + "1,000" * 800_000 + " Pages, about $" + "9" * 100_000 + "\"\n"),
    ("summary.md", "# Report\n## Network Summary\n" + "1" * 4_000_000 + "\n"),
    ("headings.md", "## a\n" * 400_000 + "## Network Summary\n123 Pages.\n"),
], ids=["digits", "comma-groups", "summary-digits", "many-headings"])
def test_metas_count_patterns_stay_linear_on_hostile_files(name: str, text: str) -> None:
    """A file of 4 MB of digits or 400,000 headings is read in seconds, in time linear in its size (it took hours)."""
    from takedowns.formats.meta.indicators import parse_indicators

    start = time.perf_counter()
    part = parse_indicators(text.encode(), name)
    assert time.perf_counter() - start < 10  # linear: about 0.5 s per MB here; the quadratic patterns took 39 s at 32,000 digits
    if name == "headings.md":
        assert part.counts == {"facebook_pages": 123}


def test_a_meta_cell_over_the_limit_is_one_clear_error_in_every_command(tmp_path: Path) -> None:
    """Past the CSV field limit: file:line and the limit, never a traceback, also where the Arrow reader is not loaded."""
    big = tmp_path / "big.csv"
    big.write_text("Tactic,Technique,Procedure,Indicator\nA,B,C,ok\nA,B,C,\"" + "x" * (5 << 20) + "\"\n")
    fits = tmp_path / "fits.csv"
    fits.write_text("Tactic,Technique,Procedure,Indicator\nA,B,C,\"" + "x" * (200 << 10) + "\"\n")  # over Python's default 128 KiB
    script = ("import sys; from takedowns.formats.meta.indicators import parse_indicators; from takedowns.errors import DataError\n"
              "print(len(parse_indicators(open(sys.argv[2], 'rb').read(), 'fits.csv').indicators))\n"
              "try:\n    parse_indicators(open(sys.argv[1], 'rb').read(), 'big.csv')\nexcept DataError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", script, str(big), str(fits)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["1", "big.csv:3: not readable as CSV: field larger than field limit (4194304) "
                                             "(a cell may hold at most 4,194,304 characters)"]


def test_a_fifo_or_an_oversized_disclosure_is_refused_without_reading_it(project: Project) -> None:
    """A named pipe would block the build for ever; a 300 MB file would be read whole before the size check."""
    project.add()
    os.mkfifo(project.content / "disclosures" / "pipe.yaml")
    big = project.content / "disclosures" / "big.yaml"
    with big.open("wb") as f:
        f.truncate(300 << 20)  # sparse: 300 MB that take no disk
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(project.content), "--data", str(project.data)],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert any(ln.endswith("pipe.yaml: is not a regular file (a pipe, device or socket); a disclosure is a YAML text file") for ln in lines), done.stderr
    assert any(ln.endswith("big.yaml:1: file is 314,572,800 bytes; a disclosure may be at most 262,144") for ln in lines), done.stderr


def _render_or_die(spec: dict, kind: str) -> bytes:  # type: ignore[type-arg]
    """The renderer, except that a chart labelled POISON kills the process drawing it (as a crash of the renderer would)."""
    from takedowns.site import images

    if "POISON" in json.dumps(spec):
        os._exit(1)
    return images._render(spec, kind)  # noqa: SLF001


def _render_never(spec: dict, kind: str) -> bytes:  # type: ignore[type-arg]
    """A renderer that cannot draw at all (a broken install): its process dies at every chart."""
    os._exit(1)


def test_a_renderer_that_cannot_draw_at_all_stops_the_build_with_one_message(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from takedowns.errors import BuildError
    from takedowns.site import images

    project.add()
    monkeypatch.setattr(images, "_render", _render_never)  # the renderer processes import it from this module
    with pytest.raises(BuildError) as caught:
        project.build(images=project.root / "no-images")  # nothing drawn before
    assert "the chart renderer (vl-convert) cannot draw even the smallest chart (its process died)" in str(caught.value)
    assert not project.output.exists()  # nothing published without its charts


def test_a_drawing_that_kills_its_renderer_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A drawing that kills every renderer it is given to is the only one that fails: those lost with it are drawn again
    (together, then in halves), and the page gets an error for that chart alone."""
    from takedowns.site import images
    from takedowns.site.images import ChartError, Images

    specs = [{"data": {"values": [{"k": f"label {i} {j}", "v": j + 1} for j in range(4)]}, "mark": "bar",
              "encoding": {"y": {"field": "k", "type": "nominal"}, "x": {"field": "v", "type": "quantitative"}}} for i in range(7)]
    specs[5]["data"]["values"][0]["k"] = "POISON"  # type: ignore[index]
    calm = Images(None)
    try:
        expected = calm.svgs(specs[:5] + specs[6:])
    finally:
        calm.close()
    monkeypatch.setattr(images, "_render", _render_or_die)  # the renderer processes import it from this module
    dying = Images(None)
    try:
        drawn = dying.svgs(specs)
    finally:
        dying.close()
    assert isinstance(drawn[5], ChartError) and "crashed" in str(drawn[5])
    assert drawn[:5] + drawn[6:] == expected


def test_a_renderer_process_that_dies_takes_no_other_chart_with_it(tmp_path: Path) -> None:
    """Charts are handed to the renderers many at a time; when a renderer process dies (killed here, for real), what it
    and the others had in hand is drawn again, each in a renderer of its own: every chart comes out as drawn without
    the crash."""
    import signal
    import threading

    from takedowns.site.images import ChartError, Images, renderers

    specs = [{"data": {"values": [{"k": f"label {i} {j}", "v": j + 1} for j in range(6)]}, "mark": "bar",
              "encoding": {"y": {"field": "k", "type": "nominal"}, "x": {"field": "v", "type": "quantitative"}}} for i in range(80)]
    images = Images(tmp_path / "images")
    try:
        images.svgs(specs[:1])  # the renderers are up
        victim = next(iter(renderers()._processes))  # noqa: SLF001
        killer = threading.Timer(0.2, os.kill, (victim, signal.SIGKILL))
        killer.start()
        drawn = images.svgs(specs[1:])
        killer.join()
    finally:
        images.close()
    assert not [x for x in drawn if isinstance(x, ChartError)]
    calm = Images(None)
    try:
        assert drawn == calm.svgs(specs[1:])
    finally:
        calm.close()
