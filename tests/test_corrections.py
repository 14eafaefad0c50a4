"""A corrected disclosure says so: on its page, in its feed entry, on the corrections page, in corrections.json and stats.json."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from conftest import ROOT, Project, text_of

from takedowns.errors import ContentError

ATOM = "{http://www.w3.org/2005/Atom}"
OLDER = {"date": "2019-03-01", "what": "The account count was 4, not 40.", "why": "A typing error.",
         "source": "https://example.test/announcement"}
NEWER = {"date": "2019-05-02", "what": "The attribution now quotes the platform.", "why": "It was written without its words."}


def _corrected(project: Project) -> None:
    project.add(corrections=[OLDER, NEWER])  # given oldest first: shown newest first
    project.add(id="plain-2019", title="Never corrected")
    project.build()


def test_a_corrected_page_shows_the_latest_correction_on_top_and_all_in_a_section(project: Project) -> None:
    _corrected(project)
    page = project.html("disclosures/tiny-2019/index.html")
    notice = page.css_first("header + .banner.correction")
    assert notice is not None
    assert " ".join(notice.text().split()) == "Corrected on 2 May 2019: The attribution now quotes the platform. See all 2 corrections"
    assert notice.css_first("a").attributes["href"] == "#corrections"
    items = [" ".join(li.text().split()) for li in page.css("section[aria-labelledby=corrections] ol li")]
    assert items == ["2 May 2019: The attribution now quotes the platform. Why: It was written without its words.",
                     "1 March 2019: The account count was 4, not 40. Why: A typing error. Source"]
    assert page.css_first("section[aria-labelledby=corrections] a").attributes["href"] == "https://example.test/announcement"
    plain = project.html("disclosures/plain-2019/index.html")
    assert plain.css_first(".banner.correction") is None and plain.css_first("#corrections") is None


def test_the_feed_entry_is_updated_and_says_what_was_corrected(project: Project) -> None:
    _corrected(project)
    feed = ElementTree.fromstring((project.output / "feed.xml").read_bytes())
    entries = {e.find(f"{ATOM}id").text.rsplit("/", 2)[-2]: e for e in feed.findall(f"{ATOM}entry")}
    assert entries["tiny-2019"].find(f"{ATOM}updated").text == "2019-05-02T00:00:00Z"
    assert entries["tiny-2019"].find(f"{ATOM}published").text == "2019-01-31T00:00:00Z"
    summary = entries["tiny-2019"].find(f"{ATOM}summary").text
    assert summary.startswith("<p><strong>Corrected on 2 May 2019:</strong> The attribution now quotes the platform.</p>")
    assert entries["plain-2019"].find(f"{ATOM}updated").text == "2019-01-31T00:00:00Z"
    assert feed.find(f"{ATOM}updated").text == "2019-05-02T00:00:00Z"


def test_corrections_page_json_stats_and_listing_carry_every_correction(project: Project) -> None:
    _corrected(project)
    listed = json.loads((project.output / "corrections.json").read_text())["corrections"]
    assert [(c["id"], c["date"], c["what"]) for c in listed] == [("tiny-2019", "2019-05-02", NEWER["what"]),
                                                                 ("tiny-2019", "2019-03-01", OLDER["what"])]
    assert listed[1]["source"] == OLDER["source"] and listed[0]["source"] is None
    page = project.html("corrections/index.html")
    assert [a.attributes["href"] for a in page.css("ol.corrections a[href$='#corrections']")] == ["../disclosures/tiny-2019/#corrections"] * 2
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    jsonschema.validate(stats, json.loads((project.output / "stats.schema.json").read_text()))
    assert stats["updated"] == "2019-05-02" and [c["date"] for c in stats["corrections"]] == ["2019-05-02", "2019-03-01"]
    listing = json.loads((project.output / "disclosures.json").read_text())
    jsonschema.validate(listing, json.loads((project.output / "disclosures.schema.json").read_text()))
    records = {r["id"]: r for r in listing["disclosures"]}
    assert records["tiny-2019"]["updated"] == "2019-05-02" and records["plain-2019"]["updated"] == "2019-01-31"
    assert records["plain-2019"]["corrections"] == []


def test_an_embargoed_disclosures_corrections_are_nowhere(project: Project) -> None:
    project.add(corrections=[NEWER], publish_at="2999-01-01T00:00:00Z")
    project.add(id="plain-2019", title="Never corrected")
    project.build()
    assert json.loads((project.output / "corrections.json").read_text())["corrections"] == []
    assert "No published disclosure has been corrected." in project.html("corrections/index.html").text()


@pytest.mark.parametrize(("correction", "message"), [
    ({"date": "2019-03-01", "what": "x"}, "missing required key 'why'"),
    ({"date": "2018-01-01", "what": "x", "why": "y"}, "corrections: date 2018-01-01 is before announced 2019-01-31"),
    ({"date": "2019-03-01", "what": "x", "why": "y", "source": "javascript:alert(1)"}, "source"),
    ({"date": "1 March", "what": "x", "why": "y"}, "date"),
])
def test_a_bad_correction_is_refused_with_its_line(project: Project, correction: dict[str, str], message: str) -> None:
    path = project.add(corrections=[correction])
    with pytest.raises(ContentError) as caught:
        project.build()
    text = str(caught.value)
    assert message in text and "tiny-2019.yaml:" in text, text
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("corrections:"))
    assert any(f"tiny-2019.yaml:{n}" in text for n in range(line, line + 6)), text


def test_the_example_records_its_real_corrections_in_every_language(example_site: Path) -> None:
    english = text_of(HTML(example_site / "disclosures/venezuela-2019-01-2/index.html"), ".banner.correction")[0].replace(" :", ":")
    assert english.startswith("Corrected on 30 November 2026: Rewritten to describe set 2 of Twitter's archive: 764 accounts")
    spanish = text_of(HTML(example_site / "es/disclosures/venezuela-2019-01-2/index.html"), ".banner.correction")[0].replace(" :", ":")
    assert spanish.startswith("Corregido el 30 de noviembre de 2026:")
    arabic = HTML(example_site / "ar/disclosures/venezuela-2019-01-2/index.html").css_first(".banner.correction")
    assert arabic.text().strip().startswith("صُحّح في") and arabic.css_first("span[lang=en]") is not None  # the site's words keep their language
    turkiye = json.loads((example_site / "disclosures/meta-2023-q2-turkiye-1/stats.json").read_text())
    assert any("no longer gives 46 as the accounts announced" in c["what"] for c in turkiye["corrections"])
    assert turkiye["announced_figures"]["facebook_accounts"] + turkiye["announced_figures"]["instagram_accounts"] == 46


def test_new_writes_the_corrections_field_commented() -> None:
    import datetime as dt

    from takedowns.authoring.editing import NewDisclosure, scaffold

    text = scaffold(NewDisclosure("x-2024", "X", "meta", dt.date(2024, 5, 1), ("Iran",), None))
    assert "\ncorrections: []\n#  - date: " in text and "#    why: " in text
    readme = (ROOT / "README.md").read_text()
    assert "| `corrections[].what` | yes |" in readme and "| `corrections` | all | array |" in readme


def HTML(path: Path):  # type: ignore[no-untyped-def]  # noqa: N802
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(path.read_text())


def test_each_page_links_its_files_history_only_in_a_git_checkout_with_a_repository(project: Project) -> None:
    import subprocess

    project.add()
    site = project.content / "site.yaml"
    site.write_text(site.read_text() + "repository: https://github.com/example-org/takedowns\n")
    project.build()  # not a git checkout: no link, no failure
    assert project.html("disclosures/tiny-2019/index.html").css_first("p.history") is None
    git = ["git", "-c", "user.name=Staff", "-c", "user.email=staff@example.test", "-C", str(project.root)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "content"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "content"], check=True)
    project.add(id="untracked-2019", title="Not committed yet")
    project.build()
    link = project.html("disclosures/tiny-2019/index.html").css_first("p.history a")
    assert link.attributes["href"] == "https://github.com/example-org/takedowns/commits/main/content/disclosures/tiny-2019.yaml"
    assert project.html("disclosures/untracked-2019/index.html").css_first("p.history") is None  # git has no history of it yet
    first = (project.output / "disclosures/tiny-2019/index.html").read_bytes()
    site.write_text(site.read_text().replace("repository: https://github.com/example-org/takedowns\n", ""))
    project.build()
    assert project.html("disclosures/tiny-2019/index.html").css_first("p.history") is None
    assert first != (project.output / "disclosures/tiny-2019/index.html").read_bytes()
