"""Commands for policy staff: new, check, serve; and the embargo across every output."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pexpect
import pytest
import yaml
from conftest import ROOT, Project, disclosure_dict
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from takedowns.cli import main
from takedowns.errors import BuildError
from takedowns.pipeline import build

BUILD = [sys.executable, str(ROOT / "build.py")]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BUILD, *args], capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=300)


# ---------------------------------------------------------------- new


def test_new_writes_a_valid_draft_with_every_field(project: Project) -> None:
    done = run("new", "--content", str(project.content), "--id", "iran-2024-05", "--title", 'An "odd": title', "--platform",
               "meta", "--country", "Iran", "--country", "IL", "--accounts", "40", "--announced", "2024-05-02")
    assert done.returncode == 0, done.stderr
    path = project.content / "disclosures" / "iran-2024-05.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../disclosure.schema.json\n")
    data = yaml.safe_load(text)
    from takedowns.content.schema import DISCLOSURE_FIELDS

    assert set(data) | {"figures"} == {f.name for f in DISCLOSURE_FIELDS}  # every field is there
    assert "# figures:\n#   tweets_announced: 0" in text  # counts-only figures, ready to uncomment
    assert data["title"] == 'An "odd": title' and data["draft"] is True and data["accounts_announced"] == 40
    # It passes check, and a normal build leaves it out because it is a draft.
    assert run("check", "--content", str(project.content), "--data", str(project.data)).returncode == 0
    project.build()
    assert not (project.output / "disclosures" / "iran-2024-05").exists()


def test_new_refuses_to_overwrite(project: Project) -> None:
    args = ["new", "--content", str(project.content), "--id", "x-1", "--title", "T", "--platform", "twitter", "--country", "VE"]
    assert run(*args).returncode == 0
    before = (project.content / "disclosures" / "x-1.yaml").read_bytes()
    again = run(*args[:-1], "RU")
    assert again.returncode == 1
    assert "already exists; not overwritten" in again.stderr
    assert (project.content / "disclosures" / "x-1.yaml").read_bytes() == before


def test_new_without_a_terminal_names_the_missing_flag(project: Project) -> None:
    done = run("new", "--content", str(project.content), "--title", "T")
    assert done.returncode == 1
    assert "--id is required when not run on a terminal" in done.stderr
    assert "Traceback" not in done.stderr


def test_new_asks_on_a_terminal_and_checks_each_answer(project: Project) -> None:
    child = pexpect.spawn(sys.executable, [str(ROOT / "build.py"), "new", "--content", str(project.content)], encoding="utf-8", timeout=60)
    child.expect("Id"); child.sendline("Bad Id")
    child.expect("lowercase letters"); child.sendline("terminal-2024")
    child.expect("Title"); child.sendline("Asked on a terminal")
    child.expect("Platform"); child.sendline("myspace")
    child.expect("not one of: twitter"); child.sendline("")
    child.expect("Countries"); child.sendline("Narnia")
    child.expect("not a country name"); child.sendline("Iran, Russia")
    child.expect("Accounts announced"); child.sendline("7")
    child.expect("wrote .*terminal-2024.yaml")
    child.expect(pexpect.EOF)
    data = yaml.safe_load((project.content / "disclosures" / "terminal-2024.yaml").read_text())
    assert (data["platform"], data["countries"], data["accounts_announced"]) == ("twitter", ["Iran", "Russia"], 7)


# ---------------------------------------------------------------- check


def test_check_reports_every_kind_of_problem_with_its_location(project: Project) -> None:
    (project.data / "tiny" / "wrong.csv").write_text('"userid","something"\n"1","x"\n')
    project.add(id="wrong-header", datasets=[{"role": "tweets", "path": "tiny/wrong.csv"}])
    path = project.write("broken.yaml", """\
        id: broken-one
        title: Broken
        platfrom: twitter
        announced: "2019-02-30"
        countries: [Venezuela, Atlantis]
        attribution: {kind: state-sponsored, text: x}
        summary: s
        sources: [{title: a, url: "javascript:alert(1)"}]
        publish_at: 2019-03-01
        """)
    done = run("check", "--content", str(project.content), "--data", str(project.data))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert f"{path}:1:1: missing required key 'platform' (one of `twitter`, `meta`, `google`, `tiktok`, `reddit`, `other`)" in lines
    assert f"{path}:3:1: unknown key 'platfrom' (did you mean 'platform'?)" in lines
    assert f"{path}:4:12: announced: '2019-02-30' is not a real date" in lines
    assert f"{path}:5:24: 'Atlantis' is not a country name or ISO 3166 code" in lines
    assert any(line.startswith(f"{path}:6:21: kind: 'state-sponsored' is not one of: state-backed") for line in lines)
    assert f"{path}:8:27: url: expected an http:// or https:// address, found 'javascript:alert(1)'" in lines
    assert any(line.startswith(f"{path}:9:13: publish_at: '2019-03-01' has no time zone") for line in lines)
    assert lines[-1] == "check failed: 7 problems"
    # The header problem shows once the YAML is right.
    path.unlink()
    done = run("check", "--content", str(project.content), "--data", str(project.data))
    assert done.returncode == 1
    assert "tiny/wrong.csv:1: header lacks tweetid, tweet_language" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_summary_when_all_is_well(project: Project) -> None:
    project.add()
    project.add(id="later", publish_at="2030-01-01T00:00:00Z")
    done = run("check", "--content", str(project.content), "--data", str(project.data), "--now", "2026-01-01T00:00:00Z")
    assert done.returncode == 0
    assert done.stdout.strip() == ("ok: 2 disclosures, 4 datasets in 4 files (0.0 MB); 0 draft(s), 1 under embargo; no problems "
                                   "(headers checked; --full reads every row); 2 warning(s) above")
    assert done.stderr.count("warning: attribution has no quote") == 2
    full = run("check", "--full", "--content", str(project.content), "--data", str(project.data), "--cache", str(project.root / "c"),
               "--now", "2026-01-01T00:00:00Z")
    assert full.returncode == 0, full.stderr
    assert "no problems; every row read and every page rendered" in full.stdout


# ---------------------------------------------------------------- drafts and embargoes


def _search_index_text(folder: Path) -> str:
    """Pagefind's index files are gzip-compressed: read them decompressed."""
    return "\n".join(gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
                     for p in sorted((folder / "pagefind").rglob("*.pf_*")))


def _all_text(folder: Path) -> str:
    """Every byte of the output as text, the search index decompressed; not the libraries in assets/vendor/, the same on
    every site (the map's shapes name every country)."""
    vendor = folder / "assets" / "vendor"
    plain = "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*"))
                      if p.is_file() and vendor not in p.parents)
    return plain + _search_index_text(folder)


@pytest.mark.parametrize("publish_at", ["2026-03-01T09:00:00Z", "2026-03-01T11:00:00+02:00", "'2026-03-01 09:00:00Z'"])
def test_embargo_keeps_a_disclosure_out_of_every_output_until_its_time(project: Project, publish_at: str) -> None:
    project.add()
    secret = disclosure_dict(id="secret-op", title="Zanzibar Quokka Network", tags=["quokka"], countries=["Tanzania"],
                             datasets=[{"role": "users", "path": "tiny/users.csv"}])
    project.write("secret.yaml", yaml.safe_dump(secret, sort_keys=False) + f"publish_at: {publish_at}\n")
    utc = dt.UTC
    build(project.options(search_index=True, now=dt.datetime(2026, 3, 1, 8, 59, 59, tzinfo=utc)))
    text = _all_text(project.output)
    for word in ("secret-op", "Zanzibar Quokka Network", "quokka", "Tanzania"):
        assert word not in text
    assert sorted(p.name for p in (project.output / "data").iterdir()) == ["tiny-2019"]
    build(project.options(search_index=True, now=dt.datetime(2026, 3, 1, 9, 0, tzinfo=utc)))
    text = _all_text(project.output)
    for word in ("secret-op", "Zanzibar Quokka Network", "Tanzania"):
        assert word in text
    listing = json.loads((project.output / "disclosures.json").read_text())
    assert {d["id"] for d in listing["disclosures"]} == {"secret-op", "tiny-2019"}
    assert "Zanzibar Quokka Network" in _search_index_text(project.output)


def test_draft_is_in_no_output_and_shown_marked_with_drafts(project: Project) -> None:
    project.add()
    project.add(id="draft-one", title="Unfinished Pangolin Draft", draft=True, countries=["Peru"], tags=["pangolin"])
    project.build(search_index=True)
    text = _all_text(project.output)
    assert "draft-one" not in text and "Pangolin" not in text and "Peru" not in text and "pangolin" not in text
    published = _all_text(project.output)
    with pytest.raises(BuildError, match="holds a published build; a preview"):  # never over the published site
        project.build(drafts=True)
    assert _all_text(project.output) == published
    preview = project.root / "preview"
    project.build(drafts=True, output=preview)
    page = HTMLParser((preview / "disclosures/draft-one/index.html").read_text())
    assert page.css_first("header .banner.preview").text() == "Draft. Not visible on the published site."
    index = HTMLParser((preview / "index.html").read_text())
    assert "Preview build" in index.css_first("p.banner.preview").text()
    assert [r.css_first("strong.tag-warn").text() for r in index.css("tr.unpublished")] == ["Draft"]
    assert (preview / "robots.txt").read_text().startswith("User-agent: *\nDisallow: /")


def test_dates_quoted_or_not_mean_the_same(project: Project) -> None:
    for i, (announced, publish) in enumerate([("2019-01-31", "2026-01-01T00:00:00Z"), ('"2019-01-31"', '"2026-01-01T00:00:00Z"'),
                                              ("'2019-01-31'", "2026-01-01 01:00:00+01:00")]):
        project.write(f"d{i}.yaml", f"""\
            id: d{i}
            title: D{i}
            platform: twitter
            announced: {announced}
            publish_at: {publish}
            countries: [VE]
            attribution: {{kind: state-backed, text: x}}
            summary: s
            sources: [{{title: a, url: "https://a.test/"}}]
            """)
    result = project.build()
    assert sorted(result.published) == ["d0", "d1", "d2"]
    dates = {d.id: (d.announced.isoformat(), d.publish_at.isoformat()) for d in result.content.disclosures}
    assert set(dates.values()) == {("2019-01-31", "2026-01-01T00:00:00+00:00")}


# ---------------------------------------------------------------- serve


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _wait(predicate, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def server(project: Project):  # type: ignore[no-untyped-def]
    project.add()
    project.add(id="embargoed", title="Embargoed Preview", publish_at="2099-01-01T00:00:00Z")
    process = subprocess.Popen([*BUILD, "serve", "--content", str(project.content), "--data", str(project.data), "--output",
                                str(project.root / "preview"), "--cache", str(project.root / "cache"), "--port", "0", "--no-search"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    line = ""
    while "serving" not in line:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line, process.stderr.read()  # type: ignore[union-attr]
    url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)  # type: ignore[union-attr]
    yield url, process
    process.terminate()
    process.wait(timeout=20)


def test_serve_previews_drafts_rebuilds_on_change_and_survives_broken_yaml(project: Project, server) -> None:  # type: ignore[no-untyped-def]
    url, process = server
    status, html = _get(url + "disclosures/embargoed/")
    assert status == 200 and "Embargoed Preview" in html and "Embargoed" in html
    assert '<script src="../../assets/livereload.js" defer></script>' in html
    generation = json.loads(_get(url + "__reload")[1])["generation"]
    path = project.content / "disclosures" / "tiny-2019.yaml"
    path.write_text(path.read_text().replace("Tiny test network", "Renamed network"))
    # The open page is told to reload once the new site is in place.
    _wait(lambda: json.loads(_get(url + "__reload")[1])["generation"] > generation)
    assert "Renamed network" in _get(url + "disclosures/tiny-2019/")[1]
    good = path.read_text()
    path.write_text(good + "title: twice\n")
    _wait(lambda: _get(url)[0] == 500)
    status, html = _get(url)
    assert "Build failed" in html and "duplicate key &#39;title&#39;" in html
    assert process.poll() is None  # still serving
    path.write_text(good)
    _wait(lambda: _get(url)[0] == 200)
    assert not (project.root / "site").exists()  # the preview never goes to site/


def test_serve_refuses_to_write_into_site(project: Project) -> None:
    done = subprocess.run([*BUILD, "serve", "--output", "site"], capture_output=True, text=True, cwd=project.root, timeout=60)
    assert done.returncode == 2 and "will not write into site/" in done.stderr


def test_cli_main_check_prints_no_traceback(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("x.yaml", "id: [\n")
    assert main(["check", "--content", str(project.content), "--data", str(project.data)]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_serve_writes_an_edited_disclosure_first_in_the_language_on_screen_exactly_as_the_whole_build_then_does(project: Project) -> None:
    """A saved edit of one disclosure is written into the preview before the rest of the site is built: the page of the
    language a browser has open first. What it writes is what the whole build that follows writes, byte for byte."""
    (project.content / "site.yaml").write_text((project.content / "site.yaml").read_text() + "languages: [es]\n")
    project.add()
    project.add(id="other-2019", title="Other network", related=["tiny-2019"], datasets=None, accounts_announced=7)
    process = subprocess.Popen([*BUILD, "serve", "--content", str(project.content), "--data", str(project.data), "--output",
                                str(project.root / "preview"), "--cache", str(project.root / "cache"), "--port", "0", "--no-search"],
                               stdout=subprocess.PIPE, stderr=(project.root / "stderr").open("w"), text=True, cwd=ROOT)
    try:
        line = ""
        while "serving" not in line:
            line = process.stdout.readline()  # type: ignore[union-attr]
            assert line, (project.root / "stderr").read_text()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)  # type: ignore[union-attr]
        generation = json.loads(_get(url + "__reload?page=/es/disclosures/tiny-2019/")[1])["generation"]  # a page open in Spanish
        assert json.loads(_get(url + "__reload?since=" + "9" * 5000)[1])["generation"] == generation  # answered at once, not a crash
        path = project.content / "disclosures" / "tiny-2019.yaml"
        path.write_text(path.read_text().replace("Tiny test network", "Renamed <network> & co"))
        # The open page's question is answered as soon as the Spanish page is written: no polling interval in between.
        answer = json.loads(_get(url + f"__reload?page=/es/disclosures/tiny-2019/&since={generation}")[1])
        assert answer["generation"] > generation
        shown = process.stdout.readline()  # type: ignore[union-attr]
        assert re.match(r"shown: tiny-2019\.yaml in [0-9.]+ s \(every language in [0-9.]+ s\); building the rest", shown), shown
        first = {lang: _get(url + f"{lang}disclosures/tiny-2019/")[1] for lang in ("es/", "")}
        assert all("Renamed &lt;network&gt; &amp; co" in html for html in first.values())
        # The other disclosure names this one: its page waits for the whole build, which follows.
        assert "Renamed" not in _get(url + "disclosures/other-2019/")[1]
        assert process.stdout.readline().startswith("rebuilt: 2 disclosures")  # type: ignore[union-attr]
        assert "Renamed &lt;network&gt; &amp; co" in _get(url + "disclosures/other-2019/")[1]
        assert {lang: _get(url + f"{lang}disclosures/tiny-2019/")[1] for lang in ("es/", "")} == first
        # An edit the first pass cannot show right (here: a file that does not load) goes to the whole build alone.
        path.write_text(path.read_text() + "title: twice\n")
        _wait(lambda: _get(url)[0] == 500)
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=20)
    assert "shown" not in rest
