"""The interface in several languages: complete catalogs, one folder per language, locale numbers and dates,
right-to-left Arabic, a feed and a search index per language, and no embargoed disclosure in any of them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SITE_YAML, Project
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from takedowns import i18n

LANGUAGES = ("es", "ar", "ru")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every interface string in the code and templates as they are now, extracted the way the README says."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
                           "--no-location", "-o", str(pot), "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return pot


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_interface_string_is_translated(extracted: Path, lang: str) -> None:
    assert i18n.catalog_problems(extracted, lang) == []


def test_an_untranslated_string_is_reported(extracted: Path, tmp_path: Path) -> None:
    """The check above can fail: a string added to a template, not yet in the catalogs, is named."""
    text = extracted.read_text(encoding="utf-8") + '\nmsgid "A sentence nobody translated"\nmsgstr ""\n'
    (tmp_path / "messages.pot").write_text(text, encoding="utf-8")
    assert i18n.catalog_problems(tmp_path / "messages.pot", "es") == ["es: untranslated: 'A sentence nobody translated'"]


def page(site: Path, rel: str) -> HTMLParser:
    return HTMLParser((site / rel).read_text(encoding="utf-8"))


def test_each_language_is_a_folder_with_lang_dir_hreflang_and_a_switcher(example_site: Path) -> None:
    for lang, folder, direction in (("en", "", "ltr"), ("es", "es/", "ltr"), ("ar", "ar/", "rtl"), ("ru", "ru/", "ltr")):
        tree = page(example_site, f"{folder}disclosures/ira-2018-10/index.html")
        html = tree.css_first("html")
        assert (html.attributes["lang"], html.attributes["dir"]) == (lang, direction)
        alternates = {a.attributes["hreflang"]: a.attributes["href"] for a in tree.css("link[rel=alternate][hreflang]")}
        assert alternates == {"en": "https://example.org/takedowns/disclosures/ira-2018-10/",
                              "es": "https://example.org/takedowns/es/disclosures/ira-2018-10/",
                              "ar": "https://example.org/takedowns/ar/disclosures/ira-2018-10/",
                              "ru": "https://example.org/takedowns/ru/disclosures/ira-2018-10/",
                              "x-default": "https://example.org/takedowns/disclosures/ira-2018-10/"}
        switcher = tree.css("nav.languages a")
        assert [a.text() for a in switcher] == ["English", "Español", "العربية", "Русский"]
        for a in switcher:  # every link of the switcher leads to the same page in that language
            target = (example_site / folder / "disclosures/ira-2018-10" / a.attributes["href"] / "index.html").resolve()
            assert target.is_file(), a.attributes["href"]
        assert [a.attributes.get("aria-current") for a in switcher].count("page") == 1
        # The shared downloads are linked, not copied into every language.
        stats = tree.css_first('a[href$="stats.json"]').attributes["href"]
        assert (example_site / folder / "disclosures/ira-2018-10" / stats).resolve() == (example_site / "disclosures/ira-2018-10/stats.json").resolve()
    assert not (example_site / "es/disclosures/ira-2018-10/stats.json").exists()


def test_interface_numbers_and_dates_follow_the_locale(example_site: Path) -> None:
    figures = {lang: {d.css_first("dt").text(): d.css_first("dd").text() for d in page(example_site, f"{folder}disclosures/ira-2018-10/index.html").css("dl.figures div")}
               for lang, folder in (("en", ""), ("es", "es/"), ("ar", "ar/"), ("ru", "ru/"))}
    assert figures["en"]["Accounts announced"] == "3,841" and figures["en"]["First tweet"] == "6 May 2014"
    assert figures["es"]["Cuentas anunciadas"] == "3841" or figures["es"]["Cuentas anunciadas"] == "3.841"
    assert figures["es"]["Primer tuit"] == "6 de mayo de 2014"
    assert figures["ru"]["Объявлено аккаунтов"] == "3\u00a0841" and figures["ru"]["Первый твит"] == "6 мая 2014\u202fг."
    assert figures["ar"]["الحسابات المُعلنة"] == "3,841" and figures["ar"]["أول تغريدة"] == "6 مايو 2014"
    # Percentages too: 13,859 retweets of 30,728 tweets are 45.1 %.
    assert figures["en"]["Retweets"] == "13,859 (45.1%)"
    assert figures["es"]["Retuits"] == "13.859 (45,1\u00a0%)" and figures["ru"]["Ретвиты"] == "13\u00a0859 (45,1\u00a0%)"


def test_untranslated_disclosure_text_keeps_its_language_with_a_note(example_site: Path) -> None:
    tree = page(example_site, "es/disclosures/ira-2018-10/index.html")
    assert tree.css_first("h1").attributes.get("lang") == "en"
    assert tree.css_first("div.summary").attributes.get("lang") == "en"
    assert "El texto de esta divulgación está en inglés: no se ha traducido." in [p.text() for p in tree.css("p.note")]
    english = page(example_site, "disclosures/ira-2018-10/index.html")
    assert "lang" not in english.css_first("h1").attributes and not any("translated" in p.text() for p in english.css("p.note"))


def test_each_language_has_its_feed_and_its_search_index(example_site: Path) -> None:
    for lang, folder in (("en", ""), ("es", "es/"), ("ar", "ar/"), ("ru", "ru/")):
        feed = (example_site / folder / "feed.xml").read_text(encoding="utf-8")
        assert f'xml:lang="{lang}"' in feed
        links = re.findall(r'<link rel="alternate" type="text/html" href="([^"]+)"/>', feed)
        assert links[0] == f"https://example.org/takedowns/{folder}" and all(x.startswith(f"https://example.org/takedowns/{folder}") for x in links)
        tree = page(example_site, f"{folder}index.html")
        assert tree.css_first('link[type="application/atom+xml"]').attributes["href"].endswith("feed.xml")
    entry = json.loads((example_site / "pagefind/pagefind-entry.json").read_text())
    assert set(entry["languages"]) == {"en", "es", "ar", "ru"}
    # Each language's index holds that language's pages: about the same number in each.
    pages = {lang: entry["languages"][lang]["page_count"] for lang in entry["languages"]}
    assert len(set(pages.values())) == 1, pages


def test_an_embargoed_disclosure_is_in_no_language(project: Project) -> None:
    (project.content / "site.yaml").write_text(SITE_YAML + "languages: [es, ar]\n")
    project.add(id="one-2019", title="Release one", datasets=None)
    project.add(id="two-2019", title="Hidden release two", datasets=None, publish_at="2999-01-01T00:00:00Z")
    project.build()
    assert (project.output / "es/disclosures/one-2019/index.html").is_file() and (project.output / "ar/feed.xml").is_file()
    for path in project.output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".csv"):
            text = path.read_text(errors="replace")
            assert "two-2019" not in text and "Hidden release two" not in text, path


def test_an_unknown_language_is_a_clear_error(project: Project) -> None:
    (project.content / "site.yaml").write_text(SITE_YAML + "languages: [es, xx]\n")
    project.add(id="one-2019", datasets=None)
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(project.content), "--data", str(project.data)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "site.yaml" in done.stderr and "'xx' is not one of: en, ar, es, ru" in done.stderr


def test_a_disclosure_carries_its_own_translations_and_falls_back_field_by_field(project: Project) -> None:
    (project.content / "site.yaml").write_text(SITE_YAML + "languages: [es, ru]\n")
    project.add(id="one-2019", title="Release one", datasets=None, body="The original description.",
                translations=[{"language": "es", "title": "Publicación uno", "summary": "Resumen en español."}])
    project.build()
    es = page(project.output, "es/disclosures/one-2019/index.html")
    assert es.css_first("h1").text() == "Publicación uno" and "lang" not in es.css_first("h1").attributes
    assert es.css_first("div.summary").text().strip() == "Resumen en español." and "lang" not in es.css_first("div.summary").attributes
    body = es.css_first("section[aria-labelledby=about] div")
    assert body.text().strip() == "The original description." and body.attributes.get("lang") == "en"
    assert "Partes del texto de esta divulgación están en inglés: no se han traducido." in [p.text() for p in es.css("p.note")]
    assert es.css_first("title").text().startswith("Publicación uno")
    assert "Publicación uno" in [a.text() for a in page(project.output, "es/index.html").css("table.disclosures a")]
    assert "<title>Publicación uno</title>" in (project.output / "es/feed.xml").read_text(encoding="utf-8")
    ru = page(project.output, "ru/disclosures/one-2019/index.html")  # no Russian translation: all of it in the original
    assert ru.css_first("h1").text() == "Release one" and ru.css_first("h1").attributes.get("lang") == "en"
    assert "Текст этого раскрытия — на языке: английский; он не переведён." in [p.text() for p in ru.css("p.note")]
    assert page(project.output, "disclosures/one-2019/index.html").css_first("h1").text() == "Release one"


@pytest.mark.parametrize("translations, message", [
    ([{"language": "es", "title": "Uno"}, {"language": "es", "title": "Otro"}], "translations: 'es' is given twice"),
    ([{"language": "xx", "title": "Uno"}], "'xx' is not one of: ar, es, ru"),
    ([{"language": "es"}], "translations: the 'es' translation gives none of title, summary, body"),
])
def test_bad_translations_are_errors_with_file_and_line(project: Project, translations: list[dict[str, str]], message: str) -> None:
    project.add(id="one-2019", datasets=None, translations=translations)
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(project.content), "--data", str(project.data)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert message in done.stderr and "one-2019.yaml:" in done.stderr, done.stderr


def test_values_in_right_to_left_sentences_keep_their_own_order() -> None:
    """An ISO date inside an Arabic sentence is isolated, so the browser does not reverse it (06-05-2014)."""
    with i18n.using("ar"):
        text = i18n.gettext("Tweets per month from %(first)s to %(last)s; the busiest month was %(month)s with %(n)s tweets, and the "
                            "busiest day %(day)s with %(day_n)s.", first="2014-05-06", last="2018-05-24", month="2016-03",
                            n="1,021", day="2016-03-22", day_n="62")
    assert "\u20682014-05-06\u2069" in text and "\u20682018-05-24\u2069" in text and text.startswith("التغريدات")
    with i18n.using("es"):
        assert "\u2068" not in i18n.gettext("Topic: %(tag)s", tag="iran")
    assert i18n.gettext("Topic: %(tag)s", tag="iran") == "Topic: iran"


def test_pages_not_yet_translated_say_so_in_the_readers_language(example_site: Path) -> None:
    for folder, note in (("es/", "Esta página está en inglés: todavía no se ha traducido."),
                         ("ru/", "Эта страница — на языке: английский; она ещё не переведена.")):
        tree = page(example_site, folder + "methods/index.html")
        assert note in [p.text() for p in tree.css("main p.note")]
        assert tree.css_first("main h1").parent.attributes.get("lang") == "en"
    english = page(example_site, "methods/index.html")
    assert "lang" not in english.css_first("main h1").parent.attributes
    about = page(example_site, "es/about/index.html")  # translated: no note, no English
    assert about.css_first("main h1").text() == "Sobre los datos" and not about.css("main p.note")
    assert "Las horas están en UTC, tal como se publicaron." in about.css_first("main").text()


def test_untranslated_titles_in_listings_keep_their_language(example_site: Path) -> None:
    links = {a.text(): a.attributes for a in page(example_site, "es/index.html").css("table.disclosures td.title a")}
    assert links["China, dirigida a Hong Kong: 936 cuentas (agosto de 2019)"].get("lang") is None  # translated in its YAML
    assert links["Internet Research Agency: 3,841 accounts (October 2018)"].get("lang") == "en"
    assert all("lang" not in a.attributes for a in page(example_site, "index.html").css("table.disclosures td.title a"))


def test_a_catalog_translation_with_markup_its_original_lacks_is_refused(tmp_path: Path) -> None:
    """Jinja shows a translation as HTML: a catalog must not be able to put a script or a handler on every page of its language."""
    import shutil
    import subprocess
    import sys

    from conftest import Project

    from takedowns.i18n import markup_problem

    assert markup_problem("Data table", "Tabla de datos") is None
    assert markup_problem("See <a href=\"%(url)s\">the list</a>", "Vea <a href=\"%(url)s\">la lista</a>") is None
    assert markup_problem("Data table", "<b>Tabla</b>") == "the translation of 'Data table' holds markup its original has not (</b>, <b>); refused"
    code = tmp_path / "code"
    shutil.copytree(ROOT / "takedowns", code / "takedowns", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", code / "build.py")
    po = code / "takedowns" / "locale" / "es" / "LC_MESSAGES" / "messages.po"
    text = po.read_text()
    assert 'msgid "Data table"\nmsgstr "Tabla de datos"' in text
    po.write_text(text.replace('msgid "Data table"\nmsgstr "Tabla de datos"', 'msgid "Data table"\nmsgstr "<script>alert(1)</script>Tabla"'))
    line = po.read_text()[: po.read_text().index('msgid "Data table"')].count("\n") + 1
    project = Project(tmp_path / "p")
    with (project.content / "site.yaml").open("a") as f:
        f.write("languages: [es]\n")
    project.add()
    done = subprocess.run([sys.executable, str(code / "build.py"), "build", "--content", str(project.content), "--data", str(project.data),
                           "--templates", str(ROOT / "templates"), "--output", str(project.output), "--no-search", "--quiet",
                           "--now", "2026-01-01T00:00:00Z", "--cache", str(tmp_path / "cache")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and not project.output.exists()
    assert (f"{po}:{line}: the translation of 'Data table' holds markup its original has not (</script>, <script>); refused") in done.stderr, done.stderr
