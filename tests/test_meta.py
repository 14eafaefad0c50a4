"""Meta's published indicators: a second release format, its importer, and formats that own their data."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from conftest import FIXTURES, ROOT, Project, text_of
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from takedowns.formats import FORMATS, Format, Role, register
from takedowns.formats.meta.indicators import figures, kind_of, parse_indicators, refang

CATALOGUE = next((p / "shared" / "real-catalogues" / "meta-threat-research" for p in [ROOT.parent, *ROOT.parents]
                  if (p / "shared" / "real-catalogues" / "meta-threat-research").is_dir()), None)
# CI always has shared/ beside the clone: there a missing copy is a failure, not a skip.
if CATALOGUE is None and os.environ.get("CI"):
    raise RuntimeError("CI is set but shared/real-catalogues/meta-threat-research is not beside the project")
needs_catalogue = pytest.mark.skipif(CATALOGUE is None, reason="shared/real-catalogues is not beside the project")
# The copy under data/ ships with the project, so the parsing tests run everywhere.
SHIPPED = ROOT / "data" / "meta-threat-research"


def stated(rel: str, root: Path = SHIPPED) -> dict[str, int]:
    return figures({"indicators": parse_indicators((root / rel).read_bytes(), rel)})["stated_counts"]


@needs_catalogue
def test_every_file_of_the_published_repository_is_read() -> None:
    files = sorted([*CATALOGUE.glob("indicators/csv/**/*.csv"), *CATALOGUE.glob("indicators/*.md")])  # type: ignore[union-attr]
    assert len(files) == 80
    for path in files:
        result = figures({"indicators": parse_indicators(path.read_bytes(), path.name)})
        assert result["indicator_count"] > 0 or result["stated_counts"], path


# Counts worked out by hand from the files (the lines are quoted in the comments), one per layout and quirk.
@pytest.mark.parametrize(("rel", "expected"), [
    # Kill-chain CSV, header "Tactic " with a trailing space; "5 Groups " with one too.
    ("indicators/csv/Q1_2024/Q1_2024_CHINA_BASED_CIB_NETWORK.csv",
     {"facebook_accounts": 37, "facebook_pages": 13, "facebook_groups": 5, "instagram_accounts": 9}),
    # Kill-chain CSV; ad spend as "About $33,540 in spending for ads on Facebook and Instagram, paid for mostly in US dollars."
    ("indicators/csv/Q1_2023/Q1_2023_ Georgia-based_CIB_network.csv",
     {"facebook_accounts": 82, "facebook_pages": 27, "facebook_groups": 9, "instagram_accounts": 2, "ad_spend_usd": 33540}),
    # Followers in rows 7.2.2/7.2.4; "less than 100 accounts joined this Group" is a bound, not a count: left out.
    ("indicators/csv/Q1_2024/Q1_2024_ISRAEL_BASED_CIB_NETWORK.csv",
     {"facebook_accounts": 510, "facebook_pages": 11, "facebook_groups": 1, "instagram_accounts": 32, "page_followers": 500,
      "instagram_followers": 2000}),
    # Markdown: "We actioned 154 Facebook accounts, 23 Pages, and 1 Instagram account ... About 93,000 accounts followed
    # one or more of these Pages ... around $15,000 in spending for ads"
    ("indicators/meta-h1-2026-china-based-cib-network.md",
     {"facebook_accounts": 154, "facebook_pages": 23, "instagram_accounts": 1, "page_followers": 93000, "ad_spend_usd": 15000}),
    # Markdown: "We actioned 8 Facebook accounts, 2 Pages, and 294 Instagram accounts ... About 15 accounts followed one or
    # more of these Pages, and about 41,000 accounts followed one or more of these Instagram accounts. There was no ad spend"
    ("indicators/meta-h1-2026-iran-based-cib-network-1.md",
     {"facebook_accounts": 8, "facebook_pages": 2, "instagram_accounts": 294, "page_followers": 15, "instagram_followers": 41000}),
    # Markdown: "we removed 15 Facebook accounts, 6 Pages, 7 Groups, and 4 Instagram accounts ... About 6,300 accounts followed
    # one or more of these Pages, about 27,400 accounts followed one or more of these Groups, and about 119,400 accounts
    # followed one or more of these Instagram accounts ... around $300 in spending for ads"
    ("indicators/meta-h2-2025-moldova-based-cib-network.md",
     {"facebook_accounts": 15, "facebook_pages": 6, "facebook_groups": 7, "instagram_accounts": 4, "page_followers": 6300,
      "group_members": 27400, "instagram_followers": 119400, "ad_spend_usd": 300}),
])
def test_announced_counts_as_the_files_state_them(rel: str, expected: dict[str, int]) -> None:
    assert stated(rel, CATALOGUE or SHIPPED) == expected


@needs_catalogue
def test_the_oldest_layout_is_read_with_its_declared_types() -> None:
    rel = "indicators/csv/2022_04_metas_adversarial_threat_report_q1.csv"  # 79 rows: 69 domain_name, 7 md5, 3 phishing_url
    result = figures({"indicators": parse_indicators((CATALOGUE / rel).read_bytes(), rel)})  # type: ignore[operator]
    kinds = {k["kind"]: k["count"] for k in result["indicators_by_kind"]}
    assert result["layouts"] == {"indicator_type,indicator_value,comment,ds": 1}
    assert kinds["hash"] == 7 and sum(kinds.values()) == result["indicator_count"] <= 79


def test_indicators_are_classified_and_refanged_only_as_text() -> None:
    assert refang("twitter[.]com/olivn388") == "twitter.com/olivn388" and refang("hxxps://t[.]me/x") == "https://t.me/x"
    assert [kind_of(v) for v in ("twitter[.]com/a", "x[.]com/b", "http://t[.]me/+abc", "youtube[.]com/@c", "tiktok[.]com/@d",
                                 "newgenreb[.]com", "1.2.3.4", "43535540e94b39279af925e9548dce7f", "Posing as Sikh Activists",
                                 "https://www[.]reddit[.]com/user/x/")] == [
        "x_twitter", "x_twitter", "telegram", "youtube", "tiktok", "domain", "ip", "hash", "text", "other_account"]


def test_killchain_procedures_are_validated_against_metas_list() -> None:
    text = ("Tactic,Technique,Procedure,Indicator\n"
            "0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,12 accounts\n"
            ",,,\n"
            "5. Evading detection,5.3 Something,5.3.99 Not a real procedure,example[.]com\n")
    result = figures({"indicators": parse_indicators(text.encode(), "x.csv")})
    assert result["stated_counts"] == {"facebook_accounts": 12}
    assert [p["code"] for p in result["killchain_procedures"]] == ["0.9.1"]
    assert result["killchain_procedures"][0]["tactic"] == "0. Acquiring assets"
    assert result["unknown_procedures"] == ["5.3.99"]


@pytest.mark.parametrize("text", [b"", b"a,b,c\n1,2,3\n", b"\xff\xfe"])
def test_unreadable_indicator_files_are_named_with_a_reason(text: bytes) -> None:
    from takedowns.errors import DataError

    with pytest.raises(DataError) as caught:
        parse_indicators(text, "bad.csv")
    assert str(caught.value).startswith("bad.csv:")


# ---------------------------------------------------------------- pages


def _meta_project(project: Project, text: str, name: str = "iocs.csv") -> None:
    (project.data / "meta").mkdir()
    (project.data / "meta" / name).write_text(text)
    project.add(platform="meta", datasets=[{"role": "indicators", "format": "meta-indicators", "path": f"meta/{name}"}],
                attribution={"kind": "unclassified", "text": "x"})


def test_hostile_indicators_are_shown_escaped_and_never_linked(project: Project) -> None:
    evil = ['javascript:alert(1)', '</script><script>alert(2)</script>', '\u202eevil[.]com', '<a href="https://x.test">x</a>']
    rows = "".join(f'0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains to support influence operations,"{v.replace(chr(34), chr(34) * 2)}"\n'
                   for v in evil)
    _meta_project(project, "Tactic,Technique,Procedure,Indicator\n" + rows)
    project.build()
    page = (project.output / "disclosures/tiny-2019/index.html").read_text()
    tree = HTMLParser(page)
    cells = text_of(tree, "#table-indicators ~ details .table-wrap tbody td:nth-child(2)")
    assert sorted(cells) == sorted(" ".join(refang(v).split()) for v in evil)
    assert not [a for a in tree.css("#table-indicators ~ details .table-wrap a")]
    assert "<script>alert(2)" not in page and 'href="https://x.test"' not in page
    assert (project.output / "disclosures/tiny-2019/tables/indicators.csv").read_text().count("\n") == 1 + len(evil)  # header, rows


def test_a_meta_network_page_shows_counts_chain_and_indicators(project: Project) -> None:
    _meta_project(project, (SHIPPED / "indicators/csv/Q1_2024/Q1_2024_CHINA_BASED_CIB_NETWORK.csv").read_text())
    project.build()
    tree = HTMLParser((project.output / "disclosures/tiny-2019/index.html").read_text())
    assert [f.attributes["id"] for f in tree.css("figure.chart")] == ["chart-killchain", "chart-indicator-kinds"]
    assert "0.9.1 Acquiring Facebook assets: 37 accounts" in text_of(tree, "figure.quote li q")
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert stats["stated_counts"]["facebook_accounts"] == 37 and "tables" not in stats
    assert {t["tactic"] for t in stats["killchain_tactics"]} >= {"0. Acquiring assets"}


# ---------------------------------------------------------------- importer


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


@needs_catalogue
def test_import_is_idempotent_keeps_edits_skips_what_is_not_influence_and_passes_check(tmp_path: Path) -> None:
    project = Project(tmp_path)
    args = ("import", "meta", str(CATALOGUE), "--content", str(project.content), "--data", str(project.data))
    first = run(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("imported 54 disclosure(s); 0 unchanged; 0 kept as edited by a person; 15 file(s) skipped")
    assert "skipped indicators/csv/2021_03_taking_action_against_hackers_in_china.csv: a hacking report" in first.stdout
    assert "skipped indicators/csv/Q1_2023/Q1_2023_ Bahamut_APT.csv: a hacking group (APT) report" in first.stdout
    # the six H1 2026 networks and five of H2 2025 (both case studies of one Markdown file), CSV with Markdown
    assert first.stdout.count("\n  paired ") == 11
    # Iran, H2 2025: a CSV and a Markdown file stating no common counts, listing the same proxy IPs: one network
    assert first.stdout.count("\n  joined ") == 1
    assert ("joined Q2-3_2025_GithubIOCs - Q2-3_2025_IRAN_BASED_CIB_NETWORK.csv and meta-h2-2025-iran-based-cib-network.md: the same year and "
            "origin, and 7 indicator(s) listed in both") in first.stdout
    written = sorted((project.content / "disclosures").glob("*.yaml"))
    before = {p: p.read_bytes() for p in written}
    second = run(*args)
    assert second.stdout.startswith("imported 0 disclosure(s); 54 unchanged")
    assert {p: p.read_bytes() for p in written} == before
    edited = project.content / "disclosures" / "meta-2024-q1-china.yaml"
    edited.write_text(edited.read_text().replace("draft: true", "draft: false").replace("title: ", "title: Checked ", 1))
    third = run(*args)
    assert "1 kept as edited by a person" in third.stdout and "draft: false" in edited.read_text()
    assert f"kept (edited by a person): {edited}; a re-import would change: title" in third.stdout
    assert (project.data / "meta-threat-research" / "LICENSE").read_text().startswith("The files below this folder are Meta's")
    check = run("check", "--content", str(project.content), "--data", str(project.data))
    assert check.returncode == 0, check.stderr
    paired = (project.content / "disclosures" / "meta-2026-h1-china.yaml").read_text()
    assert "meta-h1-2026-china-based-cib-network.md" in paired and "H1_2026_CHINA_BASED_CIB_NETWORK.csv" in paired


def test_the_example_site_holds_metas_networks_as_real_data(example_site: Path) -> None:
    listing = json.loads((example_site / "disclosures.json").read_text())["disclosures"]
    meta = [d for d in listing if d["platform"] == "meta" and d["id"].startswith("meta-")]  # imported from the indicators
    assert len(meta) == 54 and not any(d["synthetic_data"] for d in meta)
    tree = HTMLParser((example_site / "disclosures/meta-2026-h1-china/index.html").read_text())
    assert "Real data" in tree.css_first("p.note").text()
    assert "We disrupted a network originating in China" in tree.css_first("figure.quote blockquote").text()
    overview = HTMLParser((example_site / "overview/index.html").read_text())
    matrix = overview.css_first("#chart-killchain-matrix")
    assert matrix is not None
    rows = {r.css_first("th").text() for r in matrix.css("tbody tr")}
    assert "China-based CIB network (Meta, H1 2026)" in rows


# ---------------------------------------------------------------- a format added from outside


def test_a_third_format_works_end_to_end_without_touching_the_pipeline(project: Project) -> None:
    from dataclasses import dataclass

    from takedowns.statistics.partials import partial_type

    @partial_type
    @dataclass
    class LinesPartial:
        lines: int = 0

    def parse(data: bytes, name: str) -> LinesPartial:
        return LinesPartial(lines=data.count(b"\n"))

    from takedowns.errors import BuildError
    from takedowns.statistics.contract import INT, Key

    roles = {"lines": Role("lines", "Lines", (), (), "line", LinesPartial, parse=parse)}
    (project.data / "toy").mkdir()
    (project.data / "toy" / "a.txt").write_text("one\ntwo\n")
    (project.data / "toy" / "b.txt").write_text("three\n")
    project.add(datasets=[{"role": "lines", "format": "toy-lines", "path": "toy/*.txt"}])
    # A figure the format does not declare breaks the published contract: the build refuses to publish it.
    register(Format("toy-lines", "A toy format: counts lines", roles, figures=lambda parts: {"toy_lines": parts["lines"].lines},
                    suffixes=(".txt",)))
    try:
        with pytest.raises(BuildError, match="Additional properties are not allowed .'toy_lines' was unexpected"):
            project.build()
        register(Format("toy-lines", "A toy format: counts lines", roles, figures=lambda parts: {"toy_lines": parts["lines"].lines},
                        suffixes=(".txt",), contract=(Key("toy_lines", INT, "lines in the files"),)))
        project.build()
        stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
        assert stats["toy_lines"] == 3
        schema = json.loads((project.output / "stats.schema.json").read_text())
        assert schema["properties"]["toy_lines"]["description"] == "[toy-lines] lines in the files"
    finally:
        FORMATS.pop("toy-lines")
    shutil.rmtree(project.output)


def test_a_new_format_is_one_folder_and_one_registry_line(project: Project, tmp_path: Path) -> None:
    """tests/fixtures/lines_format, copied in as takedowns/formats/lines/ with one line in the registry: built end to end."""
    code = tmp_path / "code"
    shutil.copytree(ROOT / "takedowns", code / "takedowns", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", code / "build.py")
    shutil.copytree(FIXTURES / "lines_format", code / "takedowns" / "formats" / "lines")
    registry = code / "takedowns" / "formats" / "__init__.py"
    registry.write_text(registry.read_text() + "from . import lines  # noqa: E402\n")
    (project.data / "toy").mkdir()
    (project.data / "toy" / "a.txt").write_text("one\ntwo\n")
    (project.data / "toy" / "b.txt").write_text("three\n")
    project.add(datasets=[{"role": "lines", "format": "toy-lines", "path": "toy/*.txt"}])
    done = subprocess.run([sys.executable, str(code / "build.py"), "build", "--content", str(project.content), "--data", str(project.data),
                           "--templates", str(ROOT / "templates"), "--output", str(project.output), "--cache", str(project.root / "cache"),
                           "--now", "2026-01-01T00:00:00Z", "--no-search", "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert (stats["toy_lines"], stats["toy_files"]) == (3, 2)
    schema = json.loads((project.output / "stats.schema.json").read_text())
    assert schema["properties"]["toy_files"]["description"] == "[toy-lines] files read"
    page = HTMLParser((project.output / "disclosures/tiny-2019/index.html").read_text())
    figure = page.css_first("#chart-toy-lines")
    assert figure.css_first("figcaption p").text() == "Lines read: 2 shown; the most common is \u2068lines\u2069 with 3 of them, followed by \u2068files\u2069 (2)."
    assert (project.output / "disclosures/tiny-2019/charts/toy-lines.svg").read_bytes().startswith(b"<svg")
    assert "toy-lines" not in (ROOT / "takedowns" / "formats" / "__init__.py").read_text()  # the real package is untouched


# ---------------------------------------------------------------- across releases and platforms


def test_a_domain_in_metas_indicators_and_in_a_twitter_release_shows_on_both_pages(project: Project) -> None:
    # the tiny Twitter release links news.test (and example.com); Meta's file lists news[.]test, an X account and a platform host
    project.add(id="twitter-side")
    (project.data / "meta").mkdir()
    (project.data / "meta" / "iocs.csv").write_text(
        "Tactic,Technique,Procedure,Indicator\n"
        "0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains to support influence operations,news[.]test\n"
        "0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains to support influence operations,youtube[.]com/@x\n")
    project.add(id="meta-side", platform="meta", attribution={"kind": "unclassified", "text": "x"},
                datasets=[{"role": "indicators", "format": "meta-indicators", "path": "meta/iocs.csv"}])
    project.add(id="unpublished-network", draft=True, platform="meta", attribution={"kind": "unclassified", "text": "x"},
                datasets=[{"role": "indicators", "format": "meta-indicators", "path": "meta/iocs.csv"}])
    project.build()
    twitter_page = HTMLParser((project.output / "disclosures/twitter-side/index.html").read_text())
    items = text_of(twitter_page, "#shared ~ ul.shared li")
    assert len(items) == 1 and items[0].startswith("Tiny test network — also reported by Meta: web domains news.test")
    meta_page = HTMLParser((project.output / "disclosures/meta-side/index.html").read_text())
    assert text_of(meta_page, "#shared ~ ul.shared li")[0].startswith("Tiny test network — also reported by Twitter: web domains news.test")
    # the draft that names the same domain is in no page of a normal build
    assert "unpublished-network" not in (project.output / "disclosures/twitter-side/index.html").read_text()


def _checkout(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "LICENSE").write_text("MIT License\n")
    return root


KILLCHAIN_ROWS = ("Tactic,Technique,Procedure,Indicator\n0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,{n} accounts\n"
                  "0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains to support influence operations,{domain}\n")


def test_import_takes_only_the_checkouts_own_files_and_names_with_brackets_match_themselves(tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(KILLCHAIN_ROWS.format(n=1, domain="private[.]test"))
    root = _checkout(tmp_path / "checkout", {
        "indicators/csv/Q1_2024/Q1_2024_IRAN_BASED_CIB_NETWORK_[1].csv": KILLCHAIN_ROWS.format(n=11, domain="bracket[.]test"),
        "indicators/csv/Q1_2024/Q1_2024_IRAN_BASED_CIB_NETWORK_1.csv": KILLCHAIN_ROWS.format(n=22, domain="plain[.]test"),
    })
    (root / "indicators/csv/Q1_2024/Q1_2024_CHINA_BASED_CIB_NETWORK.csv").symlink_to(secret)
    project = Project(tmp_path / "project")
    done = run("import", "meta", str(root), "--content", str(project.content), "--data", str(project.data))
    assert done.returncode == 0, done.stderr
    assert "skipped indicators/csv/Q1_2024/Q1_2024_CHINA_BASED_CIB_NETWORK.csv: is a link or not a plain file of the checkout; not copied" in done.stdout
    assert not list(project.data.rglob("*CHINA*")) and "private" not in "".join(p.read_text() for p in project.content.rglob("*.yaml"))
    check = run("check", "--full", "--content", str(project.content), "--data", str(project.data), "--now", "2026-01-01T00:00:00Z")
    assert check.returncode == 0, check.stderr
    project.build(drafts=True)
    figures = {json.loads(p.read_text())["stated_counts"]["facebook_accounts"] for p in project.output.glob("disclosures/*/stats.json")}
    assert figures == {11, 22}  # each page counts its own file: the bracketed name did not match the other one


@needs_catalogue
def test_reimport_keeps_what_a_person_decided_and_says_what_it_kept(tmp_path: Path) -> None:
    project = Project(tmp_path)
    args = ("import", "meta", str(CATALOGUE), "--content", str(project.content), "--data", str(project.data))
    assert run(*args, "--publish").returncode == 0
    written = sorted((project.content / "disclosures").glob("*.yaml"))
    before = {p: p.read_bytes() for p in written}
    for again in (run(*args), run(*args, "--publish")):  # publishing was decided: a re-import without --publish unpublishes nothing
        assert again.stdout.startswith(f"imported 0 disclosure(s); {len(written)} unchanged; 0 kept as edited by a person"), again.stdout
        assert {p: p.read_bytes() for p in written} == before
    noted = written[0]
    noted.write_text(noted.read_text().replace("Edit freely", "Checked by A. Person, 2026-12-01. Edit freely", 1))
    data = next((project.data / "meta-threat-research" / "indicators" / "csv").rglob("*.csv"))
    lines = data.read_text().splitlines(keepends=True)
    data.write_text("".join(lines[:-1]))  # an indicator a person removed (it named an innocent account)
    edited = data.read_bytes()
    third = run(*args)
    assert f"kept (edited by a person): {noted}" in third.stdout
    assert f"kept data file (changed by a person): meta-threat-research/{data.relative_to(project.data / 'meta-threat-research').as_posix()}" in third.stdout
    assert "Checked by A. Person" in noted.read_text() and data.read_bytes() == edited


# ---------------------------------------------------------------- every count Meta stated, on the right network, once

# A count-like phrase: an amount followed (within three words) by what it counts, or an amount of money.
_COUNT_LIKE = re.compile(r"(?<![\w.,$])(\$\s?)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?( million)?(?=[\s.,;:)]|$)((?:\s+\S+){0,3})", re.I)
_COUNTED = re.compile(r"\b(?:accounts?|users?|pages?|groups?|events?|followers?|members?|channels?|subscribers?|usd)\b", re.I)
# What looks like a count in Meta's files of influence networks but is not one a network is said to have, with why.
NOT_COUNTS = {
    ("Q1_2024_ISRAEL_BASED_CIB_NETWORK.csv", "less than 100 accounts joined this Group"): "a bound, not a count",
}


def _count_phrases(text: str) -> list[tuple[str, int]]:
    """Each count-like phrase of ``text`` with its amount as a whole number."""
    from decimal import Decimal

    found = []
    for m in _COUNT_LIKE.finditer(text):
        if m.group(1) or _COUNTED.search(m.group(5)):
            amount = Decimal(m.group(2).replace(",", "") + (m.group(3) or "")) * (1_000_000 if m.group(4) else 1)
            found.append((m.group(0).strip(), int(amount)))
    return found


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s]


def _texts_of(path: Path) -> list[str]:
    """Every sentence of a Markdown file as a reader sees it, and every indicator or note cell of a CSV file."""
    import csv as csvlib
    import io

    from takedowns.formats.meta.indicators import plain_text

    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".md":
        return [s for para in re.split(r"\n\s*\n", text) for s in _sentences(plain_text(para))]
    rows = list(csvlib.reader(io.StringIO(text, newline="")))
    first = 1 if rows and rows[0][:1] == ["indicator_type"] else 3  # the kill chain's own codes and names are Meta's taxonomy, not counts
    return [s for row in rows[1:] for cell in row[first:] for s in _sentences(cell)]


@needs_catalogue
def test_every_count_meta_stated_is_a_figure_of_exactly_one_network_beside_metas_words(tmp_path: Path) -> None:
    """Each count-like phrase of the shared copy is read into one network's figures, or is a named non-count, or its file is not a network's."""
    from takedowns.authoring.importing import import_meta
    from takedowns.formats.meta.indicators import parse_indicators

    project = Project(tmp_path)
    out = import_meta(CATALOGUE, project.content, project.data, publish=True)
    skipped = dict(out.skipped)
    networks = []
    for path in sorted((project.content / "disclosures").glob("meta-*.yaml")):
        d = yaml.safe_load(path.read_text())
        files = [s["url"].split("/blob/", 1)[1].split("/", 1)[1] for s in d["sources"]]
        words = " ".join([d["attribution"].get("quote", ""), d.get("body", "")])
        for ds in d.get("datasets", []):
            for pattern in ds["path"]:
                for f in project.data.glob(pattern):
                    words += " " + " ".join(parse_indicators(f.read_bytes(), f.name).phrases)  # what the page shows as Meta's words
        networks.append((d["id"], {unquote(f) for f in files}, d.get("figures", {}), " ".join(words.split())))
    unread = []
    seen = 0
    for path in sorted([*CATALOGUE.glob("indicators/csv/**/*.csv"), *CATALOGUE.glob("indicators/*.md")]):
        rel = path.relative_to(CATALOGUE).as_posix()
        for sentence in _texts_of(path):
            for phrase, amount in _count_phrases(sentence):
                seen += 1
                if rel in skipped or (path.name, " ".join(sentence.split())) in NOT_COUNTS:
                    continue
                owners = [i for i, files, figures, words in networks
                          if rel in files and amount in figures.values() and " ".join(sentence.split()) in words]
                if len(owners) != 1:
                    unread.append(f"{rel}: {phrase!r} in {sentence[:120]!r}: {owners or 'no network'}")
    assert seen > 300
    assert unread == []


@needs_catalogue
def test_imported_networks_quote_whole_sentences_date_by_the_files_words_and_add_no_figure_of_their_own(tmp_path: Path) -> None:
    from takedowns.authoring.importing import import_meta
    from takedowns.formats.meta.indicators import plain_text

    project = Project(tmp_path)
    import_meta(CATALOGUE, project.content, project.data, publish=True)
    docs = {p.stem: yaml.safe_load(p.read_text()) for p in (project.content / "disclosures").glob("meta-*.yaml")}
    quoted = 0
    for ident, d in docs.items():
        assert "accounts_announced" not in d, ident  # Meta states Facebook and Instagram accounts apart, never a sum
        quote = d["attribution"].get("quote")
        if quote:
            quoted += 1
            source = CATALOGUE / unquote(d["attribution"]["quote_source"].split("/blob/", 1)[1].split("/", 1)[1])
            seen = " ".join(plain_text(source.read_text()).split())
            assert " ".join(quote.split()) in seen, ident  # Meta's words, as a reader of the file sees them
            assert re.match(r"[A-Z]", quote) and quote.rstrip().endswith((".", "!", "?", ".”")), ident  # whole sentences
            assert "](" not in quote and not quote.lstrip().startswith("#"), ident
    assert quoted == 13
    from takedowns.formats.meta.indicators import parse_indicators

    for md in CATALOGUE.glob("indicators/*.md"):  # what a page shows as "the counts in Meta's own words"
        assert not [s for s in parse_indicators(md.read_bytes(), md.name).phrases if "](" in s or s.lstrip().startswith("#")], md.name
    # Case studies of one file are two networks, each with its own counts (CS1's page used to carry CS2's).
    assert docs["meta-2025-h2-russia-cs1"]["figures"] == {"facebook_accounts": 67, "facebook_pages": 70, "facebook_groups": 2,
                                                          "page_followers": 621_400, "group_members": 4_200, "ad_spend_usd": 107_300}
    assert docs["meta-2025-h2-russia-cs2"]["figures"] == {"facebook_accounts": 10, "facebook_pages": 2, "instagram_accounts": 9,
                                                          "page_followers": 20_800, "instagram_followers": 3_100}
    assert docs["meta-2025-h2-russia-cs2"]["attribution"]["quote"].startswith("We removed 10 Facebook accounts, 2 Pages, and 9 Instagram accounts")
    # Periods from the files' own words: the H2 2025 report, not the Q2-3 of the CSV names.
    for ident in ("meta-2025-h2-belarus-russia", "meta-2025-h2-moldova", "meta-2025-h2-poland", "meta-2025-h2-russia-cs1", "meta-2025-h2-iran"):
        assert docs[ident]["title"].endswith("(Meta, H2 2025)"), ident
    assert not [i for i in docs if i.startswith("meta-2025-q2-3-") and i != "meta-2025-q2-3-russia"]  # that CSV has no Markdown: its name's period
    # One network, one disclosure: Iran's CSV and Markdown, joined by the proxy IPs both list.
    assert sorted(i for i in docs if i.startswith("meta-2025-") and "iran" in i) == ["meta-2025-h2-iran", "meta-2025-q1-iran"]  # Q1 is another
    assert len(docs["meta-2025-h2-iran"]["sources"]) == 2
    # Networks named by their targets alone are imported, with no origin invented.
    moldova = docs["meta-2024-q1-targeting-moldova-madagascar"]
    assert moldova["countries"] == [] and moldova["targets"] == ["Moldova", "Madagascar"]
    assert moldova["figures"] == {"facebook_accounts": 1326, "facebook_pages": 80, "facebook_groups": 1, "instagram_accounts": 1}
    assert docs["meta-2026-h1-china"]["targets"] == ["Taiwan"]
