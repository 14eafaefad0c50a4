"""Every internal link, asset and anchor of the built site resolves, under any path prefix."""

from __future__ import annotations

from pathlib import Path

from takedowns.linkcheck import broken_links


def test_example_site_has_no_broken_link(example_site: Path) -> None:
    problems, checked = broken_links(example_site)
    assert problems == []
    assert checked > 500


def test_crawler_catches_a_missing_file_an_anchor_and_a_root_link(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#nope">anchor</a><a href="missing.html">x</a>'
                                         '<a href="/abs/">root</a><img src="pic.png" alt=""><a href="https://elsewhere.test/">out</a>')
    (tmp_path / "a" / "index.html").write_text('<h1 id="yes">A</h1><a href="../index.html#top">t</a>')
    problems, _ = broken_links(tmp_path)
    assert sorted(problems) == sorted([
        "index.html: a/#nope: no element with id 'nope'",
        "index.html: missing.html: no such file",
        "index.html: /abs/: starts at the server root; breaks under a path prefix",
        "index.html: pic.png: no such file",
        "a/index.html: ../index.html#top: no element with id 'top'",
    ])
