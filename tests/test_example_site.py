"""The shipped example, built end to end, read the way a browser and a researcher would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import text_of
from reference import reference_stats
from selectolax.lexbor import LexborHTMLParser as HTMLParser

EXAMPLE_IDS = ["china-2019-08", "china-2019-08-facebook", "iran-2019-01", "russia-2019-01", "venezuela-2019-01-1", "venezuela-2019-01-2", "bangladesh-2019-01",
               "ira-2018-10", "iran-2018-10"]
# Twitter's archive: Venezuela set 1 is the 1,196 accounts, set 2 the 764.
ANNOUNCED = {"ira-2018-10": 3841, "iran-2018-10": 770, "venezuela-2019-01-1": 1196, "venezuela-2019-01-2": 764,
             "iran-2019-01": 2617, "russia-2019-01": 418, "bangladesh-2019-01": 15}


def page(site: Path, rel: str) -> HTMLParser:
    return HTMLParser((site / rel).read_text())


def _content() -> list[dict]:  # type: ignore[type-arg]
    """Every example disclosure as written, read with plain YAML: an independent account of what the site must show."""
    import yaml
    from conftest import ROOT

    return [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "content" / "disclosures").glob("*.yaml"))]


def _twitter(ids: list[str]) -> list[str]:
    return [i for i in ids if not i.startswith("meta-")]


def test_index_lists_every_disclosure_newest_first(example_site: Path) -> None:
    tree = page(example_site, "index.html")
    rows = tree.css("table.disclosures tbody tr")
    links = [r.css_first("td:nth-child(2) a").attributes["href"] for r in rows]
    assert len(links) == len(_content())
    assert [x for x in links if not x.startswith("disclosures/meta-")] == [f"disclosures/{i}/" for i in EXAMPLE_IDS]
    dates = [r.css_first("time").attributes["datetime"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    accounts = {r.css_first("td:nth-child(2) a").attributes["href"].split("/")[1]: r.css_first("td:nth-child(5)").text() for r in rows}
    assert accounts["ira-2018-10"] == "3,841"
    assert "Synthetic sample data." in tree.text()


def test_stats_json_contract_matches_an_independent_computation(example_site: Path) -> None:
    stats = json.loads((example_site / "disclosures/venezuela-2019-01-2/stats.json").read_text())
    for key in ("id", "tweets", "accounts", "active_accounts", "first_tweet", "last_tweet", "retweets", "top_hashtags",
                "top_domains", "tweet_languages", "tweets_per_day"):
        assert key in stats
    folder = example_site.parent / "data" / "example" / "venezuela_201901_2"
    expected = reference_stats(sorted(folder.glob("*_users_*.csv")), sorted(folder.glob("*_tweets_*.csv")))
    assert [b["count"] for b in stats["follower_distribution"]] == expected.pop("follower_distribution_counts")
    for key, value in expected.items():
        assert stats[key] == value, key
    assert stats["accounts"] == 764
    assert stats["first_tweet"].endswith("Z") and len(stats["first_tweet"]) == len("2019-01-01T00:00Z")


def test_disclosure_page_shows_figures_charts_sources_and_files(example_site: Path) -> None:
    tree = page(example_site, "disclosures/iran-2019-01/index.html")
    assert tree.css_first("h1").text() == "Iran: 2,617 accounts (January 2019)"
    figures = dict(zip(text_of(tree, "dl.figures dt"), text_of(tree, "dl.figures dd")))
    stats = json.loads((example_site / "disclosures/iran-2019-01/stats.json").read_text())
    assert figures["Accounts announced"] == "2,617"
    assert figures["Tweets in the released data"] == f"{stats['tweets']:,}"
    assert figures["Accounts that tweeted"] == f"{stats['active_accounts']:,}"
    charts = [f.attributes["id"] for f in tree.css("section[aria-labelledby=charts] figure.chart")]
    signals = [f.attributes["id"] for f in tree.css("section[aria-labelledby=signals] figure.chart")]
    assert signals == ["chart-in-network", "chart-co-retweet", "chart-creation-days", "chart-dormancy", "chart-working-hours",
                       "chart-local-week", "chart-posting-tools", "chart-engagement-lorenz"]  # nothing planted here: no groups, clusters or swarms
    assert charts == ["chart-tweets-over-time", "chart-accounts-created", "chart-tweet-languages", "chart-hashtags",
                      "chart-domains", "chart-clients", "chart-hour-weekday", "chart-followers"]
    for fig in tree.css("figure.chart"):
        img = fig.css_first("img")
        assert img.attributes["alt"].startswith("Chart: ")
        assert (example_site / "disclosures/iran-2019-01" / img.attributes["src"]).read_bytes().startswith(b"<svg")
        assert fig.css("details table tbody tr")
        spec = json.loads((example_site / "disclosures/iran-2019-01" / fig.css_first(".chart-canvas").attributes["data-spec"]).read_text())
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        for a in fig.css("p.downloads a"):
            target = example_site / "disclosures/iran-2019-01" / a.attributes["href"]
            assert target.is_file() or (target / "index.html").is_file(), a.attributes["href"]  # a download, or the embed page
    files = text_of(tree, "#files ~ .table-wrap tbody th")
    assert files == ["example/iran_201901_1/iran_201901_1_users_csv_hashed.csv",
                     "example/iran_201901_1/iran_201901_1_tweets_csv_hashed_1.csv",
                     "example/iran_201901_1/iran_201901_1_tweets_csv_hashed_2.csv",
                     "example/iran_201901_1/iran_201901_1_tweets_csv_hashed_3.csv"]
    assert [a.attributes["href"] for a in tree.css("#sources ~ ul a")] == [
        "https://blog.twitter.com/en_us/topics/company/2019/further_research_information_operations",
        "https://abcnews.go.com/Business/twitter-removed-fake-accounts-iran-russia-venezuela-bangladesh/story?id=60760009"]
    assert "Synthetic sample data." in tree.css_first("p.banner.synthetic").text()


@pytest.mark.parametrize("rel", ["overview/index.html", "countries/index.html", "countries/ve/index.html",
                                 "tags/index.html", "tags/iran/index.html", "about/index.html", "search/index.html", "404.html"])
def test_other_pages_exist(example_site: Path, rel: str) -> None:
    tree = page(example_site, rel)
    assert tree.css_first("h1").text()
    assert tree.css_first('meta[http-equiv="Content-Security-Policy"]') is not None


def test_overview_totals(example_site: Path) -> None:
    tree = page(example_site, "overview/index.html")
    rows = {r.css_first("th").text(): [c.text() for c in r.css("td")] for r in tree.css("table tbody tr") if r.css_first("th a")}
    from takedowns.content.countries import country

    for name in ("Iran", "Russia", "Venezuela", "China"):
        mine = [d for d in _content() if name in {country(str(c)).name for c in d["countries"]}]
        assert rows[name] == [str(len(mine)), f"{sum(d.get('accounts_announced') or 0 for d in mine):,}"], name
    assert rows["Venezuela"][0] == "3"  # Twitter's two sets, and Meta's Venezuela/US-based network
    assert [f.attributes["id"] for f in tree.css("figure.chart")] == [
        "chart-disclosures-by-year", "chart-accounts-by-year", "chart-accounts-by-country", "chart-disclosures-by-platform",
        "chart-similarity", "chart-platform-pairs", "chart-interactions", "chart-origins-map", "chart-targets-map",
        "chart-killchain-matrix"]


def test_accounts_per_year_download(example_site: Path) -> None:
    rows = (example_site / "overview/charts/accounts-by-year.csv").read_text().splitlines()
    per_year: dict[int, int] = {}
    for d in _content():
        year = int(str(d["announced"])[:4])
        per_year[year] = per_year.get(year, 0) + (d.get("accounts_announced") or 0)
    every_year = range(min(per_year), max(per_year) + 1)  # a year without a disclosure is a row of 0, a visible gap
    assert rows == ["Year,Accounts announced", *[f"{y},{per_year.get(y, 0)}" for y in every_year]]
    assert per_year[2018] == 3841 + 770 + 15 and per_year[2019] == 764 + 1196 + 2617 + 418 + 936 + 5


def test_disclosures_json_and_csv(example_site: Path) -> None:
    listing = json.loads((example_site / "disclosures.json").read_text())
    ids = [d["id"] for d in listing["disclosures"]]
    assert _twitter(ids) == EXAMPLE_IDS and sorted(ids) == sorted(d["id"] for d in _content())
    assert {d["id"]: d["accounts_announced"] for d in listing["disclosures"] if d["id"] in ANNOUNCED} == ANNOUNCED
    with_data = {d["id"] for d in _content() if d.get("datasets")}
    assert all(d["synthetic_data"] == (d["platform"] == "twitter" and d["id"] in with_data) for d in listing["disclosures"])
    csv_text = (example_site / "disclosures.csv").read_text().splitlines()
    assert csv_text[0].startswith("id,title,platform,announced,announced_approximate,")
    assert len(csv_text) == 1 + len(ids)


def test_chart_libraries_are_served_from_the_site(example_site: Path) -> None:
    tree = page(example_site, "disclosures/ira-2018-10/index.html")
    scripts = [s.attributes["src"] for s in tree.css("script[src]")]
    assert all(not s.startswith(("http:", "https:", "//")) for s in scripts)
    for s in scripts:
        assert (example_site / "disclosures/ira-2018-10" / s).resolve().is_file(), s
    # charts.js loads these from beside itself when a chart comes near the screen
    for name in ("vega.min.js", "vega-lite.min.js", "vega-interpreter.js", "vega-embed.min.js"):
        assert (example_site / "assets/vendor" / name).stat().st_size > 1000
        assert f'"{name}"' in (example_site / "assets/charts.js").read_text()


def test_every_download_states_source_and_licence(example_site: Path) -> None:
    """Every CSV starts with its header; where it comes from, its licence and its column types are in the Data Package
    beside it, which the frictionless validator passes and by which pandas reads each file back."""
    import pandas as pd
    from frictionless import Package

    csvs = sorted(p for p in example_site.glob("**/*.csv") if not p.relative_to(example_site).as_posix().startswith("data/"))  # the releases' own
    described: set[Path] = set()
    dtypes = {"integer": ("int64",), "number": ("float64", "int64"), "boolean": ("bool",), "string": ("object", "str"), "date": ("object", "str")}
    for path in sorted(example_site.glob("**/datapackage.json")):
        descriptor = json.loads(path.read_text())
        assert descriptor["licenses"][0]["title"].startswith("Text and figures CC BY 4.0"), path
        assert descriptor["sources"][0]["path"].startswith("https://example.org/takedowns/"), path
        report = Package(str(path)).validate()
        assert report.valid, (path, report.flatten(["type", "message"])[:5])
        for res in descriptor["resources"]:
            csv_path = path.parent / res["path"]
            described.add(csv_path)
            fields = res["schema"]["fields"]
            frame = pd.read_csv(csv_path)
            assert list(frame.columns) == [f["name"] for f in fields], csv_path  # no comment line, no repeated header
            for f in fields:
                column = frame[f["name"]]
                # a whole-number column with gaps is read as float by pandas; every other type as declared
                allowed = dtypes[f["type"]] + (("float64",) if f["type"] in ("integer", "boolean") and column.isna().any() else ())
                if f["type"] == "string":  # text that looks like numbers (account ids) is read as numbers unless dtype=str is asked
                    as_text = pd.read_csv(csv_path, dtype=str, keep_default_na=False)[f["name"]]
                    assert len(as_text) == len(frame) and all(isinstance(v, str) for v in as_text), (csv_path, f)
                    continue
                if column.notna().any():
                    assert str(column.dtype) in allowed + (("object",) if f["type"] == "boolean" else ()), (csv_path, f, column.dtype)
    assert set(csvs) == described, sorted(str(p) for p in set(csvs) ^ described)[:5]
    for path in csvs:
        assert not path.read_text().startswith("#"), path
    twitter = json.loads((example_site / "disclosures/ira-2018-10/datapackage.json").read_text())
    assert twitter["resources"] and all(r["description"].startswith("SYNTHETIC SAMPLE DATA") for r in twitter["resources"])
    meta = json.loads((example_site / "disclosures/meta-2023-q2-russia-doppelganger/datapackage.json").read_text())
    assert not any("SYNTHETIC" in r["description"] for r in meta["resources"])
    assert "tables/indicators.csv" in {r["path"] for r in meta["resources"]}
    downloads = [p for p in sorted(example_site.glob("**/charts/*.json")) if not p.name.endswith(".vl.json")]  # not the specs
    for path in downloads + sorted(example_site.glob("disclosures/*/stats.json")):
        data = json.loads(path.read_text())
        assert data["source"] and data["licence"], path
    listing = json.loads((example_site / "disclosures.json").read_text())
    assert listing["source"] and listing["licence"]
