"""Every chart has an embed page and an oEmbed description; never for what is not published."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Project
from selectolax.lexbor import LexborHTMLParser as HTMLParser


def test_each_chart_of_a_published_page_has_an_embed_page_and_oembed(example_site: Path) -> None:
    page = HTMLParser((example_site / "disclosures/iran-2019-01/index.html").read_text())
    names = [f.attributes["id"].removeprefix("chart-") for f in page.css("figure.chart")]
    assert "hashtags" in names and len(names) >= 10
    for name in names:
        folder = example_site / "disclosures/iran-2019-01/embed" / name
        embed = HTMLParser((folder / "index.html").read_text())
        figure = page.css_first(f"#chart-{name}")
        assert embed.css_first("h1").text() == figure.css_first("h3").text()
        assert embed.css_first("figcaption p").text() == figure.css_first("figcaption p").text()  # the same sentence
        assert [r.text() for r in embed.css("tbody tr")] == [r.text() for r in figure.css("tbody tr")]  # the same table
        assert not embed.css("script") and "script-src 'none'" in embed.css_first("meta[http-equiv]").attributes["content"]
        assert embed.css_first(".synthetic") is not None  # synthetic data says so wherever the chart goes
        source = embed.css_first("p.source a")
        assert source.attributes["href"] == "https://example.org/takedowns/disclosures/iran-2019-01/"
        discovery = embed.css_first("link[type='application/json+oembed']").attributes["href"]
        url = f"https://example.org/takedowns/disclosures/iran-2019-01/embed/{name}/"
        assert discovery == url + "oembed.json"
        oembed = json.loads((folder / "oembed.json").read_text())
        assert (oembed["version"], oembed["type"], oembed["provider_url"]) == ("1.0", "rich", "https://example.org/takedowns/")
        assert isinstance(oembed["width"], int) and isinstance(oembed["height"], int) and oembed["height"] > 200
        snippet = HTMLParser(oembed["html"]).css_first("iframe")
        assert snippet.attributes["src"] == url and snippet.attributes["title"].startswith(embed.css_first("h1").text())
        assert figure.css_first("details.embed textarea").text() == oembed["html"]  # the page's control gives the same code
        if embed.css_first("img") is not None:
            assert (folder / embed.css_first("img").attributes["src"]).resolve().is_file()
    meta = example_site / "disclosures/meta-2023-q2-russia-doppelganger/embed/indicator-kinds/index.html"
    assert HTMLParser(meta.read_text()).css_first(".synthetic") is None  # real data is not called synthetic
    spanish = HTMLParser((example_site / "es/overview/embed/accounts-by-year/index.html").read_text())
    assert spanish.css_first("html").attributes["lang"] == "es" and "Tabla de datos" in spanish.css_first("summary").text()
    assert "/embed/" not in (example_site / "sitemap.xml").read_text()


def test_no_embed_is_made_for_a_draft_or_an_embargoed_disclosure(project: Project) -> None:
    project.add(id="draft-2019", title="A draft", draft=True)
    project.add(id="later-2019", title="Embargoed", publish_at="2999-01-01T00:00:00Z")
    project.add()
    project.build(drafts=True)  # a preview shows both, marked: their charts still get no embed
    assert (project.output / "disclosures/tiny-2019/embed/hashtags/index.html").is_file()
    for ident in ("draft-2019", "later-2019"):
        assert (project.output / f"disclosures/{ident}/index.html").is_file()
        assert not (project.output / f"disclosures/{ident}/embed").exists()
        assert "details class=\"embed\"" not in (project.output / f"disclosures/{ident}/index.html").read_text()
