"""Every generated sentence says what its chart's data says: checked against the data table on the same page."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import text_of
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from takedowns.charts import _bars
from takedowns.i18n import ngettext

ISOLATE = re.compile("[\u2068\u2069]")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _charts(path: Path) -> dict[str, tuple[str, list[list[str]]]]:
    """Each chart of a page: its sentence and its table's rows, as a reader sees them."""
    tree = HTMLParser(path.read_text())
    out = {}
    for figure in tree.css("figure.chart"):
        sentence = ISOLATE.sub("", figure.css_first("figcaption p").text())
        rows = [[" ".join(c.text().split()) for c in r.css("th, td")] for r in figure.css("tbody tr")]
        out[figure.attributes["id"].removeprefix("chart-")] = (sentence, rows)
    return out


BARS = ("tweet-languages", "hashtags", "domains", "clients", "indicator-kinds", "killchain", "accounts-by-country", "disclosures-by-platform")


def _check_bars(name: str, sentence: str, rows: list[list[str]]) -> None:
    counts = [_number(r[-1]) for r in rows]
    assert counts == sorted(counts, reverse=True), (name, "the table and the bars run from the most to the least")
    if name == "killchain":  # its sentence counts procedures and tactics instead
        procedures = int(re.search(r"under (\d+) procedures", sentence).group(1))
        assert procedures == len(rows), (name, sentence)
        tactics = re.search(r"in (\d+) of its 10 tactics: (.*)\.$", sentence)
        listed = re.findall(r"(\d+\. [^;(]+) \((\d+)\)", tactics.group(2))
        assert int(tactics.group(1)) == len(listed) and sum(int(n) for _, n in listed) == len(rows), (name, sentence)
        assert {t.split(".")[0] for t, _ in listed} == {r[0].split(".")[0] for r in rows}, (name, sentence)  # the tactics of its procedures
        return
    top = counts[0]
    tied = [r[0] for r, c in zip(rows, counts, strict=True) if c == top]
    shown = re.match(rf"^.+?: {len(rows)} shown[;,] ", sentence)
    assert shown, (name, sentence)
    if len(tied) == len(rows) and len(rows) > 1:
        assert sentence.endswith(f"all with {top:,} " + sentence.rsplit(" ", 1)[1]), (name, sentence)
        return
    if len(tied) == 1:
        lead = re.search(r"the most common is (.+?) with ([\d,]+) (\w+)", sentence)
        assert lead and lead.group(1) == tied[0] and _number(lead.group(2)) == top, (name, sentence, rows[:3])
        assert lead.group(3) in ("tweet", "link", "indicator", "account", "disclosure", "indicators", "tweets", "links", "accounts",
                                 "disclosures") and (lead.group(3).endswith("s") == (top != 1)), (name, sentence)
    else:
        lead = re.search(r"the most common, with ([\d,]+) \w+ each, are (.+?)(, followed by|\.$)", sentence)
        assert lead and _number(lead.group(1)) == top, (name, sentence)
        assert lead.group(2).startswith(", ".join(tied[:3])), (name, sentence, tied)
    after = list(zip([r[0] for r in rows], counts, strict=True))[len(tied):len(tied) + 2]
    if after:
        assert sentence.endswith("followed by " + ", ".join(f"{v} ({c:,})" for v, c in after) + "."), (name, sentence, after)
    else:
        assert "followed by" not in sentence, (name, sentence)


def test_every_bar_chart_sentence_names_what_its_table_shows(example_site: Path) -> None:
    checked = set()
    pages = sorted(example_site.glob("disclosures/*/index.html")) + [example_site / "overview/index.html"]
    for page in pages:
        for name, (sentence, rows) in _charts(page).items():
            if name in BARS:
                _check_bars(name, sentence, rows)
                checked.add(name)
    assert checked == set(BARS)  # every kind of bar chart met at least once


def test_the_indicator_kinds_sentence_of_metas_pakistan_network(example_site: Path) -> None:
    """Worked out from its table: X/Twitter accounts lead with 4 (the bars were once unsorted and the sentence named the first)."""
    sentence, rows = _charts(example_site / "disclosures/meta-2026-h1-pakistan/index.html")["indicator-kinds"]
    assert rows[0][0] == "X / Twitter accounts" and _number(rows[0][1]) == 4
    assert "the most common is X / Twitter accounts with 4 indicators" in sentence
    assert "Web domains (1)" not in sentence.split("followed by")[0]


def test_timeline_trend_and_totals_sentences_match_their_tables(example_site: Path) -> None:
    charts = _charts(example_site / "overview/index.html")
    sentence, rows = charts["disclosures-by-year"]
    years = [(int(r[0]), _number(r[1])) for r in rows]
    assert [y for y, _ in years] == list(range(years[0][0], years[-1][0] + 1))  # every year, none skipped
    peak = max(years, key=lambda yn: (yn[1], yn[0]))
    assert f"from {years[0][0]} to {years[-1][0]}; the most, {peak[1]}, in {peak[0]}" in sentence
    empty = [str(y) for y, n in years if n == 0]
    assert empty and sentence.endswith(f"None for {', '.join(empty)}.")  # the catalogue's gaps are said, not hidden
    assert "not every takedown of those years" in sentence
    sentence, rows = charts["accounts-by-year"]
    assert f"{sum(_number(r[1]) for r in rows):,} in all" in sentence
    # The timeline shows no span drawn from synthetic data; the example site's Twitter releases have only that.
    assert "timeline" not in charts


def test_monthly_sentences_name_the_busiest_month_of_their_table(example_site: Path) -> None:
    for page in sorted(example_site.glob("disclosures/*/index.html")):
        charts = _charts(page)
        if "tweets-over-time" in charts:
            sentence, rows = charts["tweets-over-time"]
            best = max(rows, key=lambda r: (_number(r[1]), [-ord(ch) for ch in r[0]]))
            found = re.search(r"the busiest month was (\d{4}-\d{2}) with ([\d,]+) tweets", sentence)
            assert found and _number(found.group(2)) == _number(best[1]), (page, sentence)
            assert _number(dict(rows)[found.group(1)]) == _number(best[1]), (page, sentence)
        if "accounts-created" in charts:
            sentence, rows = charts["accounts-created"]
            found = re.search(r"most were created in (\d{4}-\d{2}) \(([\d,]+) accounts\)", sentence)
            assert found and _number(dict(rows)[found.group(1)]) == max(_number(r[1]) for r in rows) == _number(found.group(2)), (page, sentence)


words = st.text(alphabet="abcdefgh", min_size=1, max_size=4)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(words, st.integers(0, 30), min_size=1, max_size=12))
@example({"a": 1, "b": 4, "c": 4, "d": 2})
@example({"web": 1, "x": 4, "youtube": 2, "text": 3})
def test_bar_sentences_follow_any_counts_in_any_order(counts: dict[str, int]) -> None:
    rows = [{"value": v, "count": c} for v, c in counts.items()]
    made = _bars("t", "T", rows, "Value", lambda n: ngettext("%(num)s tweet", "%(num)s tweets", n), "Tweets")
    assert made is not None
    table = [[str(r["value"]), f"{r['count']:,}"] for r in made.rows]
    _check_bars("t", ISOLATE.sub("", made.summary), table)
    drawn = made.spec["data"]["values"] if "values" in made.spec.get("data", {}) else next(iter(made.spec["datasets"].values()))
    assert [d["value"] for d in sorted(drawn, key=lambda d: d["rank"])] == [r["value"] for r in made.rows]  # bars in the table's order
    assert made.draw == (len(rows) >= 2)  # one bar is said, not drawn


def test_near_empty_charts_give_their_sentence_and_table_without_a_picture(example_site: Path) -> None:
    """The example releases interact in one pair only: once a 1×1 heatmap with the legend "6.000000"."""
    tree = HTMLParser((example_site / "overview/index.html").read_text())
    figure = tree.css_first("#chart-interactions")
    assert len(figure.css("tbody tr")) == 1
    assert figure.css_first("picture") is None and "open" in figure.css_first("details").attributes
    assert figure.css_first(".chart-failed") is None  # nothing failed: there is just too little to draw
    assert not (example_site / "overview/charts/interactions.svg").exists()
    assert (example_site / "overview/charts/interactions.csv").exists()
    assert text_of(tree, "#chart-interactions figcaption p")[0].startswith("Retweets, replies and mentions")
