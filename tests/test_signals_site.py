"""The coordination signals as a reader sees them: the disclosure section, the Methods page, the index and overview columns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from takedowns.formats.twitter.signals import DEFINITIONS

SIGNAL_CHARTS = ["in-network", "co-retweet", "co-retweet-groups", "copy-paste", "reply-swarms", "creation-days", "dormancy",
                 "working-hours", "local-week", "posting-tools", "engagement-lorenz"]


def text_of(node) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.text(separator=" ").split())


def page(site: Path, rel: str) -> HTMLParser:
    return HTMLParser((site / rel).read_text())


def test_disclosure_page_has_the_signal_section_with_every_chart(example_site: Path) -> None:
    tree = page(example_site, "disclosures/ira-2018-10/index.html")
    section = tree.css_first("section[aria-labelledby=signals]")
    assert section is not None and text_of(section.css_first("h2")) == "Coordination signals"
    assert "signals, not verdicts" in text_of(section)
    assert section.css_first("a[href='../../methods/']") is not None
    shown = [f.attributes["id"].removeprefix("chart-") for f in section.css("figure.chart")]
    assert shown == SIGNAL_CHARTS
    stats = json.loads((example_site / "disclosures/ira-2018-10/stats.json").read_text())["signals"]
    figures = {text_of(d.css_first("dt")): text_of(d.css_first("dd")) for d in section.css("dl.signals > div")}
    # Planted (takedowns/authoring/example.py): 12 accounts retweet 8 tweets, half of them 5 minutes after the others.
    assert figures["Accounts that retweeted the same tweet within a minute of another"].startswith("12 (")
    assert figures["Tweets swarmed by 5 or more replies"] == "3"
    assert figures["Most tweets in office hours at"].startswith("UTC+3 (")
    assert stats["copy_paste"]["tweets"] == 30
    for name in SIGNAL_CHARTS:  # every chart has its data as files, like the other charts
        for kind in ("svg", "csv", "json"):
            assert (example_site / f"disclosures/ira-2018-10/charts/{name}.{kind}").is_file()
    rows = list(csv.reader(io.StringIO((example_site / "disclosures/ira-2018-10/charts/co-retweet.csv").read_text())))
    assert rows[1:5] == [["0", "30", "12", "0.0039"], ["1", "30", "12", "0.0039"], ["10", "66", "12", "0.0039"], ["60", "66", "12", "0.0039"]]


def test_counts_only_disclosures_have_no_signal_section(example_site: Path) -> None:
    tree = page(example_site, "disclosures/meta-2023-q1-georgia/index.html")
    assert tree.css_first("section[aria-labelledby=signals]") is None
    assert json.loads((example_site / "disclosures/meta-2023-q1-georgia/stats.json").read_text())["signals"] is None


def test_methods_page_defines_every_signal_and_lists_the_clients(example_site: Path) -> None:
    tree = page(example_site, "methods/index.html")
    # For readers: each signal by a plain name and sentence, its exact definition a click away, its stats.json key last.
    sections = tree.css("section.signal")
    assert [s.css_first("h3").attributes["id"] for s in sections] == [k for k, _ in DEFINITIONS]
    assert [text_of(s.css_first("h3")) for s in sections][:2] == ["Amplifying its own accounts", "Co-retweeting"]
    for section, (key, meaning) in zip(sections, DEFINITIONS, strict=True):
        assert section.css_first("details summary").text().startswith("Exact definition")
        assert f"signals.{key}" in section.css_first("details").text()
        assert meaning.replace("`", "")[:40] in " ".join(section.css_first("details .definition").text().split())  # kept exact
    assert "takedowns/" not in tree.css_first("main").text()  # no path into the code a reader cannot open
    assert page(example_site, "index.html").css_first("header nav a[href='methods/']") is not None  # in the top navigation
    clients = {text_of(r.css_first("th")): text_of(r.css("td")[0]) for r in tree.css("table tbody tr")}
    assert clients["Twitter Web App"] == "official" and clients["dlvr.it"] == "automation"
    text = text_of(tree.css_first("main"))
    for source in ("10.1080/10584609.2019.1661888", "10.1038/s41598-022-08404-9", "10.1609/icwsm.v15i1.18075", "2005.13466",
                   "3.1.1 Working to a regular shift pattern", "3.5.1 Automating social media posts"):
        assert source in tree.html, source
    assert "not verdicts" in text
    assert page(example_site, "index.html").css_first("footer a[href='methods/']") is not None


def test_index_and_overview_show_sortable_signal_columns(example_site: Path) -> None:
    index = page(example_site, "index.html")
    heads = [text_of(th) for th in index.css("table.disclosures thead th")]
    assert heads[-2:] == ["Co-retweeting", "Copy-paste"]
    rows = {text_of(r.css_first("td.title a")): r for r in index.css("table.disclosures tbody tr")}
    ira = next(r for t, r in rows.items() if "Internet Research Agency" in t or "IRA" in t)
    cells = ira.css("td")
    assert cells[-2].attributes["data-value"] == "0.0039" and text_of(cells[-2]) == "0.4%"
    meta = next(r for t, r in rows.items() if r.css_first("td[data-label=Platform]") and "Meta" in text_of(r.css_first("td[data-label=Platform]")))
    assert meta.css("td")[-1].attributes["data-value"] == "-1" and text_of(meta.css("td")[-1]) == "—"
    overview = page(example_site, "overview/index.html")
    table = overview.css_first("table.signals-table")
    assert table is not None and "data-sortable" in table.attributes
    assert len(table.css("tbody tr")) == 7  # the seven releases with tweets
    listing = json.loads((example_site / "disclosures.json").read_text())
    by_id = {r["id"]: r for r in listing["disclosures"]}
    assert by_id["ira-2018-10"]["coordination"]["best_utc_offset"] == 3
    assert by_id["meta-2023-q1-georgia"]["coordination"] is None
    header = next(csv.reader(io.StringIO((example_site / "disclosures.csv").read_text())))  # the header is the first line
    assert "co_retweet_1min_share" in header and "engagement_gini" in header
