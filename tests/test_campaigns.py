"""Across campaigns: similarities worked out by hand, shared hosts on every page that should show them, nothing of an embargo."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import FIXTURES, Project

from takedowns.across.similarity import related, weighted_jaccard
from takedowns.errors import ContentError


def _counts(pairs: dict[str, int]) -> pa.Table:
    return pa.table({"value": list(pairs), "count": list(pairs.values())}, schema=pa.schema([("value", pa.string()), ("count", pa.int64())]))


def test_weighted_jaccard_by_hand() -> None:
    a = _counts({"x": 3, "y": 1, "z": 2})
    b = _counts({"x": 1, "y": 4, "w": 5})
    c = _counts({"x": 2, "q": 7})
    found = weighted_jaccard({"a": a, "b": b, "c": c})
    # a–b: Σmin = min(3,1) + min(1,4) = 2; Σmax = 3 + 4 + 2 + 5 = 14 -> 0.1429
    # a–c: Σmin = min(3,2) = 2; Σmax = 3 + 1 + 2 + 7 = 13 -> 0.1538
    # b–c: Σmin = min(1,2) = 1; Σmax = 2 + 4 + 5 + 7 = 18 -> 0.0556
    assert {p: v[0] for p, v in found.items()} == {("a", "b"): 0.1429, ("a", "c"): 0.1538, ("b", "c"): 0.0556}
    assert found[("a", "c")][1] == [("x", 3, 2)]
    assert sorted(found[("a", "b")][1]) == [("x", 3, 1), ("y", 1, 4)]
    assert weighted_jaccard({"a": a, "d": _counts({"other": 9})}) == {}  # nothing shared: no pair


def test_related_is_the_mean_over_the_kinds_either_release_has() -> None:
    kinds = {"hashtags": {"a": _counts({"t": 2}), "b": _counts({"t": 2})},  # identical: 1.0
             "hosts": {"a": _counts({"h": 1}), "b": _counts({"g": 1})},  # nothing shared: 0.0
             "clients": {"a": _counts({}), "b": _counts({})}}  # neither has any: left out of the mean
    out = related(kinds)
    assert out["a"] == [{"id": "b", "similarity": 0.5, "by_kind": {"hashtags": 1.0, "hosts": 0.0},
                         "shared": {"hashtags": [{"value": "t", "counts": [2, 2]}], "hosts": [], "clients": []}}]
    assert out["b"][0]["id"] == "a"


def _tweets(path: Path, host: str, mention: str, tag: str) -> None:
    """The tiny fixture's tweets, every one linking ``host``, mentioning ``mention`` and tagged ``tag``."""
    with open(FIXTURES / "tiny" / "tweets.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["urls"] = f"['https://{host}/page']"
        r["user_mentions"] = f"['{mention}']"
        r["hashtags"] = f"['{tag}']"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(rows[0].keys())
        w.writerows(r.values() for r in rows)


def _two_releases(project: Project, mention_a: str, mention_b: str, **second: object) -> None:
    for name, mention in (("one", mention_a), ("two", mention_b)):
        _tweets(project.data / name / "tweets.csv", "shared-news.example", mention, "sametag")
        (project.data / name / "users.csv").write_bytes((FIXTURES / "tiny" / "users.csv").read_bytes())
    datasets = lambda n: [{"role": "users", "path": f"{n}/users.csv"}, {"role": "tweets", "path": f"{n}/tweets.csv"}]  # noqa: E731
    project.add(id="one-2019", title="Release one", datasets=datasets("one"))
    project.add(id="two-2019", title="Release two", datasets=datasets("two"), **second)


def test_a_shared_host_shows_on_both_pages_and_on_its_own_page(project: Project) -> None:
    _two_releases(project, "12345", "12345")
    project.build()
    for me, other in (("one-2019", "two-2019"), ("two-2019", "one-2019")):
        page = project.html(f"disclosures/{me}/index.html")
        related_rows = page.css("section[aria-labelledby=related] tbody tr")
        assert [r.css_first("th a").attributes["href"] for r in related_rows] == [f"../../disclosures/{other}/"]
        assert "shared-news.example" in related_rows[0].text()
        hosts = page.css("section[aria-labelledby=hosts] a")
        assert [a.attributes["href"] for a in hosts] == ["../../domains/shared-news.example/"]
    domain = project.html("domains/shared-news.example/index.html")
    rows = domain.css("tbody tr")
    assert sorted(r.css_first("th a").text() for r in rows) == ["Release one", "Release two"]
    links = [r.css("td")[1].text() for r in rows]
    assert links == ["6", "6"]  # each of the six tweets links it once
    listing = json.loads((project.output / "related.json").read_text())
    mine = listing["related"]["one-2019"][0]
    assert mine["id"] == "two-2019" and mine["by_kind"]["hosts"] == 1.0 and mine["by_kind"]["hashtags"] == 1.0
    assert mine["by_kind"]["accounts"] == 1.0  # the same numeric account id


def test_hashed_ids_never_match_across_releases(project: Project) -> None:
    hashed = "Dauog8ymHFUXSKwzt8naraYR6e4jM0+ICMvAW6WF4="
    _two_releases(project, hashed, hashed)
    project.build()
    mine = json.loads((project.output / "related.json").read_text())["related"]["one-2019"][0]
    assert mine["by_kind"].get("accounts", 0.0) == 0.0 and mine["shared"]["accounts"] == []


def test_an_embargoed_release_leaves_no_trace_in_cross_campaign_output(project: Project) -> None:
    _two_releases(project, "12345", "12345", publish_at="2999-01-01T00:00:00Z")
    project.build()
    everything = "\n".join(p.read_text(errors="replace") for p in project.output.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".csv", ".xml"))
    assert "two-2019" not in everything and "Release two" not in everything
    page = project.html("disclosures/one-2019/index.html")
    assert page.css_first("section[aria-labelledby=related]") is None
    assert json.loads((project.output / "related.json").read_text())["related"] == {}
    # Its host is still one of release one's top hosts, so it has a page, listing release one alone.
    domain = project.html("domains/shared-news.example/index.html")
    assert [r.css_first("th a").text() for r in domain.css("tbody tr")] == ["Release one"]


def test_related_ids_are_checked_with_file_and_line(project: Project) -> None:
    project.add(id="one-2019", related=["no-such-disclosure"])
    with pytest.raises(ContentError) as caught:
        project.build()
    message = str(caught.value)
    assert "one-2019.yaml" in message and "related: no disclosure has the id 'no-such-disclosure'" in message
    line = next(i for i, t in enumerate((project.content / "disclosures" / "one-2019.yaml").read_text().splitlines(), 1) if t.startswith("related:"))
    assert f":{line}" in message


def test_related_disclosures_link_each_other(project: Project) -> None:
    project.add(id="one-2019", title="Release one")
    project.add(id="two-2019", title="Release two", platform="meta", datasets=None, related=["one-2019"])
    project.build()
    for me, other in (("one-2019", "Release two"), ("two-2019", "Release one")):
        section = project.html(f"disclosures/{me}/index.html").css_first("section[aria-labelledby=same-operation]")
        assert section is not None and [a.text() for a in section.css("a")] == [other]


def test_interactions_timeline_and_comparison(project: Project) -> None:
    """Release one's accounts retweet an account of release two: shown on both pages, in the overview matrix, nowhere else."""
    _two_releases(project, "12345", "12345")
    tweets = project.data / "one" / "tweets.csv"
    with open(tweets, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:  # every retweet of release one now retweets account 111, which release two's users file lists too
        if r["is_retweet"].lower() == "true":
            r["retweet_userid"] = "111"
    with open(tweets, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(rows[0].keys())
        w.writerows(r.values() for r in rows)
    project.build()
    retweets = sum(1 for r in rows if r["is_retweet"].lower() == "true")
    for me in ("one-2019", "two-2019"):
        items = [li.text(separator=" ") for li in project.html(f"disclosures/{me}/index.html").css("ul.interactions li")]
        assert any(f"{retweets} retweets" in t for t in items), items
    overview = project.html("overview/index.html")
    cells = [[c.text() for c in tr.css("th, td")] for tr in overview.css("#chart-interactions table tbody tr")]
    assert cells == [["Release one", "Release two", str(retweets), "0", "0"]]
    timeline = json.loads((project.output / "overview/charts/timeline.json").read_text())
    assert {r["title"] for r in timeline["rows"]} == {"Release one", "Release two"}
    assert {r["until"] for r in timeline["rows"]} == {"2019-01-09"}
    # announced 2019-01-31 (the fixture), last tweet 2019-01-09: 22 days.
    assert {r["lag_days"] for r in timeline["rows"]} == {22}
    listing = {r["id"]: r for r in json.loads((project.output / "disclosures.json").read_text())["disclosures"]}
    assert listing["one-2019"]["detection_lag_days"] == 22
    table = list(csv.reader((project.output / "comparison.csv").read_text().splitlines()))
    header, body = table[0], table[1:]
    assert len(body) == 2 and "Days from last activity to announcement" in header
    assert {row[header.index("Days from last activity to announcement")] for row in body} == {"22"}
    page = project.html("comparison/index.html")
    assert len(page.css("table.comparison tbody tr")) == 2 and "data-sortable" in page.css_first("table.comparison").attributes


def test_counts_only_activity_dates_are_checked_and_shown(project: Project) -> None:
    project.add(id="one-2019", datasets=None, active_from="2018-03-01", active_until="2018-12-01")
    project.build()
    listing = {r["id"]: r for r in json.loads((project.output / "disclosures.json").read_text())["disclosures"]}
    assert (listing["one-2019"]["active_from"], listing["one-2019"]["active_until"], listing["one-2019"]["detection_lag_days"]) == (
        "2018-03-01", "2018-12-01", 61)
    project.add(id="one-2019", datasets=None, active_from="2018-12-02", active_until="2018-12-01")
    with pytest.raises(ContentError, match="active_from 2018-12-02 is after active_until 2018-12-01"):
        project.build()


def test_embargo_leaves_no_trace_in_interactions_timeline_or_comparison(project: Project) -> None:
    _two_releases(project, "12345", "12345", publish_at="2999-01-01T00:00:00Z")
    project.build()
    for rel in ("comparison.csv", "overview/charts/timeline.json", "related.json", "disclosures.json", "disclosures.csv"):
        assert "two-2019" not in (project.output / rel).read_text() and "Release two" not in (project.output / rel).read_text()
    assert not (project.output / "overview/charts/interactions.json").exists()
    assert not (project.output / "overview/charts/similarity.json").exists()


def test_domain_pages_are_found_by_search(project: Project) -> None:
    _two_releases(project, "12345", "12345")
    project.build(search_index=True)
    fragments = b"".join(p.read_bytes() for p in (project.output / "pagefind").rglob("*.pf_meta"))
    assert fragments  # an index was written
    page = (project.output / "domains/shared-news.example/index.html").read_text()
    assert "data-pagefind-body" in page


def test_world_maps_count_origins_and_targets_and_keep_out_an_embargo(project: Project) -> None:
    """Counted by hand: one-2019 from Iran targeting the US and "the Gulf"; two-2019 from Iran and Russia targeting the US and
    Hong Kong; three-2019 from Kosovo; four-2019 (embargoed) from Brazil targeting Argentina."""
    project.add(id="one-2019", title="One", datasets=None, countries=["Iran"], targets=["United States", "the Gulf"])
    project.add(id="two-2019", title="Two", datasets=None, countries=["Iran", "Russia"], targets=["USA", "Hong Kong"])
    project.add(id="three-2019", title="Three", datasets=None, countries=["Kosovo"], targets=[])
    project.add(id="four-2019", title="Four", datasets=None, countries=["Brazil"], targets=["Argentina"], publish_at="2999-01-01T00:00:00Z")
    project.build()
    charts = project.output / "overview" / "charts"
    origins = json.loads((charts / "origins-map.json").read_text())["rows"]
    targets = json.loads((charts / "targets-map.json").read_text())["rows"]
    assert origins == [{"country": "Iran", "count": 2}, {"country": "Kosovo", "count": 1}, {"country": "Russia", "count": 1}]
    assert targets == [{"country": "United States", "count": 2}, {"country": "Hong Kong", "count": 1}]  # "the Gulf" is no country
    overview = project.html("overview/index.html")
    origin_summary = overview.css_first("#chart-origins-map figcaption p").text()
    assert "3 countries and territories named as a country of origin" in origin_summary
    assert "Not on the map (no shape for it): Kosovo." in origin_summary  # no ISO numeric code
    assert "Not on the map (no shape for it): Hong Kong." in overview.css_first("#chart-targets-map figcaption p").text()  # too small at 1:110m
    table = [[c.text() for c in tr.css("th, td")] for tr in overview.css("#chart-targets-map table tbody tr")]
    assert table == [["United States", "2"], ["Hong Kong", "1"]]
    # The map's interactive spec loads the shapes the site serves; the static image has them drawn in.
    spec = json.loads((project.output / "overview" / overview.css_first("#chart-origins-map .chart-canvas").attributes["data-spec"]).read_text())
    assert "countries-110m.json" in json.dumps(spec) and '"values": {"type": "Topology"' not in json.dumps(spec)
    shapes = json.loads((project.output / "assets/vendor/countries-110m.json").read_text())
    assert shapes["type"] == "Topology" and (project.output / "assets/vendor/world-atlas.LICENSE.txt").is_file()
    svg = (charts / "origins-map.svg").read_text()
    assert svg.count("<path") > 150  # every country's shape (177), grey or shaded
    assert svg.count('aria-label="Disclosures: 2; Country: Iran"') == 1 and svg.count('aria-label="Disclosures: 1; Country: Russia"') == 1
    everything = "\n".join(p.read_text(errors="replace") for p in charts.iterdir())
    assert "Brazil" not in everything and "Argentina" not in everything


def test_operations_removed_by_two_platforms_are_drawn_as_a_network(project: Project) -> None:
    """Twitter and Meta both removed operations a and b (linked from either side, counted once each); Meta and Google operation c."""
    project.add(id="a-twitter", title="A on Twitter", datasets=None, related=["a-meta"])
    project.add(id="a-meta", title="A on Meta", platform="meta", datasets=None, related=["a-twitter"])
    project.add(id="b-twitter", title="B on Twitter", datasets=None)
    project.add(id="b-meta", title="B on Meta", platform="meta", datasets=None, related=["b-twitter"])
    project.add(id="c-meta", title="C on Meta", platform="meta", datasets=None)
    project.add(id="c-google", title="C on Google", platform="google", datasets=None, related=["c-meta"])
    project.build()
    figure = project.html("overview/index.html").css_first("#chart-platform-pairs")
    table = [[c.text() for c in tr.css("th, td")] for tr in figure.css("table tbody tr")]
    assert table == [["Google (YouTube, Blogger) and Meta (Facebook, Instagram)", "1"], ["Meta (Facebook, Instagram) and Twitter", "2"]]
    assert "3 operations" in figure.css_first("figcaption p").text()
    svg = (project.output / "overview/charts/platform-pairs.svg").read_text()
    assert all(name in svg for name in ("Twitter", "Google (YouTube, Blogger)", "Meta (Facebook, Instagram)"))
    assert svg.count('aria-roledescription="rule mark"') == 2  # one line per pair of platforms
