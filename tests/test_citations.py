"""Citable pages: metadata reference managers read, citations a CSL processor formats, and cite.bib/.ris/.json that real
parsers read back into the same fields."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import rispy
from conftest import Project
from selectolax.lexbor import LexborHTMLParser as HTMLParser

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
