"""Content problems are reported together, as file:line: message, and nothing is written."""

from __future__ import annotations

import pytest
from conftest import Project

from takedowns.cli import main
from takedowns.errors import ContentError


def problems(project: Project) -> list[str]:
    with pytest.raises(ContentError) as caught:
        project.build()
    return [str(p) for p in caught.value.problems]


def test_every_problem_at_once_with_lines(project: Project) -> None:
    path = project.write("bad.yaml", """\
        id: Bad_ID
        title: A bad one
        platform: twiter
        announced: 2019-13-01
        countries: [Narnia]
        attribution: {kind: state-backed, text: x}
        accounts_announced: many
        summary: s
        sources: []
        colour: blue
        """)
    found = problems(project)
    name = str(path)
    assert f"{name}:1:5: id: 'Bad_ID' is not a slug: lowercase letters, digits and single hyphens" in found
    assert f"{name}:3:11: platform: 'twiter' is not one of: twitter, meta, google, tiktok, reddit, other (did you mean 'twitter'?)" in found
    assert f"{name}:4:12: announced: '2019-13-01' is not a real date" in found
    assert f"{name}:5:13: 'Narnia' is not a country name or ISO 3166 code" in found
    assert f"{name}:7:21: accounts_announced: expected a whole number, found 'many'" in found
    assert f"{name}:9:10: sources: expected at least 1 item(s)" in found
    assert f"{name}:10:1: unknown key 'colour'; expected one of: " + ", ".join([
        "id", "title", "platform", "announced", "announced_approximate", "first_disclosed", "data_released", "active_from", "active_until",
        "countries", "targets", "attribution", "accounts_announced", "figures",
        "summary", "body", "sources", "tags", "datasets", "related", "translations", "corrections", "synthetic_data", "draft",
        "publish_at"]) in found
    assert not project.output.exists()


def test_missing_required_and_did_you_mean(project: Project) -> None:
    path = project.write("x.yaml", """\
        id: x
        titel: Typo
        platform: twitter
        announced: 2019-01-01
        countries: VE
        attribution: {kind: state-backed, text: x}
        summary: s
        sources: [{title: a, url: "https://a.test/"}]
        """)
    found = problems(project)
    assert f"{path}:2:1: unknown key 'titel' (did you mean 'title'?)" in found
    assert f"{path}:1:1: missing required key 'title' (text)" in found


def test_dataset_path_that_matches_nothing(project: Project) -> None:
    path = project.add(datasets=[{"role": "tweets", "path": "tiny/nothing_*.csv"}])
    found = problems(project)
    assert any(p.startswith(f"{path}:") and "path 'tiny/nothing_*.csv' matches no file in" in p for p in found)


def test_dataset_checksum_must_match(project: Project) -> None:
    project.add(datasets=[{"role": "users", "path": "tiny/users.csv", "sha256": "0" * 64}])
    found = problems(project)
    assert any("tiny/users.csv has sha256 " in p and ", not 0000" in p for p in found)


def test_duplicate_ids_across_files(project: Project) -> None:
    project.add()
    project.write("copy.yaml", (project.content / "disclosures" / "tiny-2019.yaml").read_text())
    found = problems(project)
    assert any("id 'tiny-2019' is already used by" in p for p in found)


def test_duplicate_keys_name_both_lines(project: Project) -> None:
    path = project.write("dup.yaml", "id: a\ntitle: one\ntitle: two\n")
    assert f"{path}:3:1: duplicate key 'title' (first given on line 2)" in problems(project)


def test_cli_prints_problems_and_exits_1_without_touching_site(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.add()
    project.build()
    before = {p: p.read_bytes() for p in project.output.rglob("*") if p.is_file()}
    project.write("broken.yaml", "id: [unclosed\n")
    code = main(["build", "--content", str(project.content), "--data", str(project.data), "--output", str(project.output),
                 "--no-search", "--cache", str(project.root / "cache")])
    err = capsys.readouterr().err
    assert code == 1
    assert "broken.yaml:2:1: YAML syntax: expected ',' or ']', but got '<stream end>'" in err or "broken.yaml:" in err
    assert "Traceback" not in err
    assert "nothing was written" in err
    after = {p: p.read_bytes() for p in project.output.rglob("*") if p.is_file()}
    assert after == before


def test_yaml_11_surprises_stay_strings(project: Project) -> None:
    project.add(title="NO", targets=["on", "010", "12:30"], summary="yes")
    project.build()
    page = project.html("disclosures/tiny-2019/index.html")
    assert page.css_first("h1").text() == "NO"
    assert "Targeted: on, 010, 12:30" in page.css_first("p.meta").text()


def test_counts_only_disclosure_gets_a_page_from_its_announced_figures(project: Project) -> None:
    project.add(id="meta-2020", platform="meta", datasets=None, accounts_announced=None,
                figures={"facebook_accounts": 41, "facebook_pages": 12, "instagram_accounts": 4, "page_followers": 265000,
                         "ad_spend_usd": 1500})
    project.build()
    page = project.html("disclosures/meta-2020/index.html")
    shown = {dt.text(): dd.text() for dt, dd in zip(page.css("dl.figures dt"), page.css("dl.figures dd"))}
    assert shown["Facebook accounts"] == "41"
    assert shown["Facebook Pages"] == "12"
    assert shown["Accounts following the Pages"] == "265,000"
    assert shown["Spent on ads (US dollars)"] == "1,500"
    assert page.css("figure.chart") == []
    assert "published counts for this network but no dataset" in page.text()


def test_a_direction_control_left_open_is_refused_where_it_would_reverse_the_page(project: Project) -> None:
    """U+202E in a title reverses everything after it in <title>, the listings and the feeds; paired controls are fine."""
    path = project.add(title="Network \u202eevil", translations=[{"language": "ar", "title": "\u2067عنوان"}])
    message = ("title: holds the direction control U+{0} and not the U+{1} that ends it: it would reverse the text around it wherever it "
               "is shown; remove it or close it")
    assert problems(project) == [f"{path}:2:8: " + message.format("202E", "202C"), f"{path}:29:10: " + message.format("2067", "2069")]
    project.add(title="Closed \u2069 too early")
    assert problems(project)[0].endswith("title: holds the direction control U+2069, which closes nothing; remove it")
    project.add(title="Network \u2067شبكة\u2069 and \u202bمضمّن\u202c", translations=[{"language": "ar", "title": "\u2067عنوان\u2069"}])
    project.build()
    assert "\u2067شبكة\u2069" in (project.output / "disclosures/tiny-2019/index.html").read_text()
