"""Citable pages: metadata reference managers read, citations a CSL processor formats, and cite.bib/.ris/.json that real
parsers read back into the same fields."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bibtexparser
import pytest
import rispy
from conftest import Project
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from takedowns.freshness import digest
from takedowns.site.citations import STYLES, formatted


def _meta(tree: HTMLParser) -> dict[str, str]:
    return {m.attributes["name"]: m.attributes["content"] for m in tree.css("meta[name]") if m.attributes["name"].startswith(("citation_", "DC."))}


def _bib(path: Path) -> dict[str, str]:
    library = bibtexparser.parse_string(path.read_text(), append_middleware=[bibtexparser.middlewares.LatexDecodingMiddleware()])
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    return {"key": entry.key, "type": entry.entry_type, **{k: str(f.value).strip("{}") for k, f in entry.fields_dict.items()}}


def test_a_disclosure_page_is_citable_in_every_form(example_site: Path) -> None:
    folder = example_site / "disclosures/venezuela-2019-01-2"
    tree = HTMLParser((folder / "index.html").read_text())
    url = "https://example.org/takedowns/disclosures/venezuela-2019-01-2/"
    title = "Venezuela, set 2: 764 accounts (January 2019)"
    assert _meta(tree) == {"citation_title": title, "citation_author": "Takedowns transparency project",
                           "citation_publisher": "Takedowns transparency project", "citation_date": "2026/11/30",  # its correction
                           "citation_public_url": url, "citation_language": "en", "DC.title": title,
                           "DC.creator": "Takedowns transparency project", "DC.publisher": "Takedowns transparency project",
                           "DC.date": "2026-11-30", "DC.identifier": url, "DC.language": "en", "DC.type": "Text"}
    # CSL-JSON, read back by the CSL processor that formats the page's citations: the same text, style by style.
    [item] = json.loads((folder / "cite.json").read_text())
    assert (item["type"], item["title"], item["URL"], item["version"], item["issued"], item["accessed"]) == (
        "webpage", title, url, "2026-11-30", {"date-parts": [[2026, 11, 30]]}, {"literal": "[date accessed]"})
    shown = [" ".join(p.css_first(".citation").text().split()) for p in tree.css("section.cite p") if p.css_first(".citation")]
    again = [" ".join(HTMLParser(str(formatted(item, style, "en"))).text().split()) for style, _ in STYLES]
    assert shown == again and len(shown) == 2
    assert shown[0].startswith("Takedowns transparency project. (2026, November 30). Venezuela, set 2: 764 accounts (January 2019).")
    assert shown[1].endswith(f"Available at: {url} (Accessed: [date accessed]).")
    bib = _bib(folder / "cite.bib")
    assert bib == {"key": "venezuela-2019-01-2", "type": "misc", "title": title, "author": "Takedowns transparency project",
                   "organization": "Takedowns transparency project", "howpublished": "Information Operations Takedowns", "year": "2026",
                   "month": "11", "date": "2026-11-30", "version": "2026-11-30", "url": url, "urldate": "[date accessed]", "language": "en"}
    [record] = rispy.loads((folder / "cite.ris").read_text())
    assert (record["type_of_reference"], record["title"], record["authors"], record["urls"], record["access_date"], record["edition"],
            record["date"], record["year"]) == ("ELEC", title, ["Takedowns transparency project"], [url], "[date accessed]", "2026-11-30",
                                                "2026/11/30", "2026")
    links = [a.attributes["href"] for a in tree.css("section.cite a")]
    assert links == ["cite.bib", "cite.ris", "cite.json"]


def test_the_overview_and_other_languages_are_citable_in_their_language(example_site: Path) -> None:
    tree = HTMLParser((example_site / "es/overview/index.html").read_text())
    meta = _meta(tree)
    assert meta["citation_title"] == "Panorama" and meta["citation_language"] == "es"
    assert meta["citation_public_url"] == "https://example.org/takedowns/es/overview/"
    [item] = json.loads((example_site / "es/overview/cite.json").read_text())
    assert item["container-title"] == "Desmantelamientos de operaciones de información" and item["accessed"] == {"literal": "[fecha de consulta]"}
    assert "Disponible en: https://example.org/takedowns/es/overview/ (Accedido: [fecha de consulta])." in tree.css_first("section.cite").text()


def test_hostile_titles_stay_text_in_the_citation_and_round_trip_through_bibtex(project: Project) -> None:
    title = "Net {with} braces & 100% <script>alert(1)</script> #tag_x"
    project.add(title=title)
    project.build()
    page = (project.output / "disclosures/tiny-2019/index.html").read_text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    citation = HTMLParser(page).css_first("section.cite .citation")
    assert title in " ".join(citation.text().split()) and not citation.css("script")
    assert _bib(project.output / "disclosures/tiny-2019/cite.bib")["title"] == title
    assert rispy.loads((project.output / "disclosures/tiny-2019/cite.ris").read_text())[0]["title"] == title


HOSTILE_ITEM = {"id": "x", "type": "webpage", "title": "Net {with} <b>braces</b> & 100% <script>alert(1)</script>", "author": [{"literal": "A & B"}],
                "container-title": "An archive", "issued": {"date-parts": [[2019, 1, 31]]}, "version": "2019-01-31",
                "accessed": {"literal": "[date accessed]"}, "URL": "https://example.org/x/", "language": "en"}


def test_formatted_citations_are_kept_between_builds_and_never_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second build formats no citation the first one formatted, and gives the same HTML; the kept file can put no
    markup but italics and bold into a page; entries go once no build has used them for KEEP_DAYS; another version of the
    formatting code ignores the file."""
    from takedowns.site import citations

    path = tmp_path / "citations.json"
    items = [HOSTILE_ITEM, {**HOSTILE_ITEM, "id": "y", "title": "Plain title", "URL": "https://example.org/y/"}]
    first = citations.Citations(path)
    made = {(i["id"], s): first.formatted(i, s, "en") for i in items for s, _ in STYLES}
    assert made == {(i["id"], s): formatted(i, s, "en") for i in items for s, _ in STYLES}
    first.save(now=100 * 86400)

    def refuse(*args: object) -> None:
        raise AssertionError("formatted again")

    monkeypatch.setattr(citations, "formatted", refuse)
    second = citations.Citations(path)
    assert {(i["id"], s): second.formatted(i, s, "en") for i in items for s, _ in STYLES} == made
    monkeypatch.undo()

    data = json.loads(path.read_text())  # someone edits the cache: a script and a link in a kept entry
    key = next(iter(data["entries"]))
    data["entries"][key][0] = '<script>alert(1)</script><a href="https://evil.example/">x</a><i>kept</i>'
    path.write_text(json.dumps(data))
    tampered = citations.Citations(path)
    hit = next(tampered.formatted(i, s, "en") for i in items for s, _ in STYLES
               if digest(i, s, "en") == key)
    assert "<script" not in hit and "<a" not in hit and "<i>kept</i>" in hit

    only_y = citations.Citations(path)  # a build that uses one entry keeps the others (used within KEEP_DAYS) ...
    only_y.formatted(items[1], "apa", "en")
    only_y.save(now=(100 + citations.Citations.KEEP_DAYS) * 86400)
    assert len(json.loads(path.read_text())["entries"]) == len(made)
    later = citations.Citations(path)  # ... until they are older than that
    later.formatted(items[1], "apa", "en")
    later.save(now=(101 + citations.Citations.KEEP_DAYS) * 86400)
    assert len(json.loads(path.read_text())["entries"]) == 1

    data = json.loads(path.read_text())
    data["version"] = "other code"
    path.write_text(json.dumps(data))
    assert citations.Citations(path).known == {}


def test_a_build_that_renders_every_page_again_takes_its_citations_from_the_cache(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from takedowns.site import citations

    project.add(title="Net {with} braces & 100% <script>alert(1)</script>")
    project.build()
    first = {p.relative_to(project.output): p.read_bytes() for p in project.output.rglob("*") if p.is_file()}
    assert json.loads((project.root / "cache" / "citations.json").read_text())["entries"]
    shutil.rmtree(project.root / "cache" / "fragments")  # every page is rendered again, as after a change to the code

    def refuse(*args: object) -> None:
        raise AssertionError("formatted again")

    monkeypatch.setattr(citations, "formatted", refuse)
    project.build()
    again = {p.relative_to(project.output): p.read_bytes() for p in project.output.rglob("*") if p.is_file()}
    assert again == first
