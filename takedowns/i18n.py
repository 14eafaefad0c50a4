"""The interface in several languages: Babel message catalogs, and numbers and dates as each locale writes them.

Catalogs live in ``takedowns/locale/<lang>/LC_MESSAGES/messages.po`` and are kept with Babel's own tools
(``pybabel extract -F babel.cfg``, ``pybabel update``; see the README). A build reads the ``.po`` files
themselves, so nothing compiled is kept in the repository and a catalog edit shows at the next build.

A build renders one language at a time: ``using(lang)`` makes it the language of ``gettext``, of the
templates' ``_()`` and of the number and date filters until the block ends.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as gettext_lib
import io
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .errors import BuildError, Problem

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"  # the language the interface is written in: it needs no catalog
RTL = frozenset({"ar", "fa", "he", "ur"})


def N_(message: str) -> str:  # noqa: N802 - the name pybabel extracts by
    """Mark a string for extraction without translating it here (labels kept in tables, translated where shown)."""
    return message


def available() -> tuple[str, ...]:
    """Return the languages the interface can be built in: the source language and every catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
    return (SOURCE_LANGUAGE, *[f for f in found if f != SOURCE_LANGUAGE])


def _catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def _compiled(lang: str, mtime_ns: int) -> gettext_lib.NullTranslations:  # keyed on the file's mtime: `serve` shows edits
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with open(_catalog_path(lang), "rb") as f:
        catalog = read_po(f, locale=lang)
    # Jinja marks a translation safe HTML (only the values put into it are escaped): a translation may hold no
    # markup its original does not, or a catalog could put a script or a link on every page of its language.
    problems = [Problem(str(_catalog_path(lang)), m.lineno, 0, why) for m in catalog if m.id and m.string and (why := markup_problem(m.id, m.string))]
    if problems:
        raise BuildError(problems)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy (unchecked) translation is not shown
    compiled.seek(0)
    return Translations(compiled)




_MARKUP = re.compile(r"<[^>]*>|&#?\w+;")


def markup_problem(original: Any, translation: Any) -> str | None:
    """Return why a translation's markup is not its original's (tags or entities it adds), or None."""
    originals = [original] if isinstance(original, str) else list(original)
    texts = [translation] if isinstance(translation, str) else list(translation)
    allowed = Counter(t for o in originals for t in _MARKUP.findall(o))
    for text in texts:
        added = Counter(_MARKUP.findall(text or "")) - allowed
        if added:
            return f"the translation of {originals[0]!r} holds markup its original has not ({', '.join(sorted(added))}); refused"
    return None


def _translations(lang: str) -> gettext_lib.NullTranslations:
    if lang == SOURCE_LANGUAGE or not _catalog_path(lang).is_file():
        return gettext_lib.NullTranslations()
    return _compiled(lang, _catalog_path(lang).stat().st_mtime_ns)


_lock = threading.Lock()
_language = SOURCE_LANGUAGE  # one language at a time for the whole process: pages render in threads
_current: gettext_lib.NullTranslations = gettext_lib.NullTranslations()


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Render in ``lang`` until the block ends (one language at a time)."""
    global _language, _current
    with _lock:
        before = _language, _current
        _language, _current = lang, _translations(lang)
    try:
        yield
    finally:
        with _lock:
            _language, _current = before


def language() -> str:
    return _language


def direction(lang: str | None = None) -> str:
    return "rtl" if (lang or _language).split("-")[0] in RTL else "ltr"


def gettext(message: str, **values: Any) -> str:
    """Return ``message`` in the current language, with ``%(name)s`` placeholders filled from ``values``.

    In a right-to-left language each value is a first-strong isolate: an ISO date or a range of numbers
    inside Arabic text then keeps its own order (2014-05-06, not 06-05-2014).
    """
    text = _current.gettext(message)
    return text % _isolated(values) if values else text


def _isolated(values: dict[str, Any]) -> dict[str, Any]:
    if direction() != "rtl":
        return values
    return {k: f"\u2068{v}\u2069" for k, v in values.items()}


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    text = _current.ngettext(singular, plural, n)
    return text % _isolated({"num": format_number(n), **values})


def ngettext_raw(singular: str, plural: str, n: int) -> str:
    """The catalog's form for ``n``, placeholders unfilled (the templates fill them)."""
    return _current.ngettext(singular, plural, n)


_ = gettext


def tr(text: str) -> str:
    """Translate a string held in a variable (a label kept in a table, marked with ``N_`` where it is written)."""
    return _current.gettext(text)


def _locale() -> str:
    return _language.replace("-", "_")


def format_number(value: Any) -> str:
    """Return a count or a measure as the current locale writes it (``9,621``, ``9.621``, ``9 621``); ``—`` for none."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():  # rounded as Python rounds it, then written the locale's way
        return _decimal(f"{value:.1f}", "#,##0.0", _locale())
    return _decimal(int(value), "#,##0", _locale())


@functools.lru_cache(maxsize=1 << 16)
def _decimal(value: int | str, pattern: str, locale: str) -> str:
    """Babel's formatting, remembered: a page writes the same small numbers many times, and each costs tens of microseconds."""
    from babel.numbers import format_decimal

    return format_decimal(Decimal(value) if isinstance(value, str) else value, format=pattern, locale=locale)


def format_percent(value: float | None) -> str:
    if value is None:
        return "—"
    from babel import Locale
    from babel.numbers import format_percent as babel_percent

    pattern = Locale.parse(_locale()).percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)  # the locale's own, one decimal
    return babel_percent(Decimal(f"{value * 100:.1f}") / 100, format=pattern, locale=_locale())


def format_long_date(value: dt.date | str | None) -> str:
    """Return a date as the current locale writes it in full (``19 August 2019``, ``19 de agosto de 2019``)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    from babel.dates import format_date

    if _language == SOURCE_LANGUAGE:
        return f"{value.day} {value.strftime('%B %Y')}"
    return format_date(value, format="long", locale=_locale())


def language_name(lang: str) -> str:
    """Return a language's name in that language (``Español``, ``العربية``), for the language switcher."""
    from babel import Locale

    name = Locale.parse(lang.replace("-", "_")).get_display_name(lang.replace("-", "_")) or lang
    return name[:1].upper() + name[1:]


def country_name(country: Any) -> str:
    """Return a country's name in the current language (CLDR's), its own name where CLDR has none."""
    return territory(country.code, country.name)


def territory(code: str, name: str) -> str:
    """Return the name of the country or territory with ISO code ``code`` in the current language; ``name`` in the site's own."""
    if _language == SOURCE_LANGUAGE:
        return name
    from babel import Locale

    return str(Locale.parse(_locale()).territories.get(code, name))


def weekday_name(english: str) -> str:
    """Return an English weekday name ("Monday") in the current language (CLDR's, capitalised)."""
    if _language == SOURCE_LANGUAGE:
        return english
    from babel import Locale

    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    name = str(Locale.parse(_locale()).days["format"]["wide"][days.index(english)])
    return name[:1].upper() + name[1:]


# Words the templates translate from data keys (``| tr``): dataset roles and the kinds of items releases share.
WORDS = (N_("users"), N_("tweets"), N_("indicators"), N_("hashtags"), N_("hosts"), N_("clients"), N_("accounts"))


def name_of(lang: str) -> str:
    """Return a language's name in the current language (``inglés`` for ``en`` on a Spanish page)."""
    from babel import Locale

    return str(Locale.parse(lang.replace("-", "_")).get_display_name(_locale()) or lang)


def catalog_problems(template: Path, lang: str) -> list[str]:
    """Return what the ``lang`` catalog lacks against the extracted strings in ``template`` (a ``.pot``):
    messages missing, untranslated or fuzzy, and translations whose ``%(name)s`` placeholders differ."""
    import re

    from babel.messages.pofile import read_po

    with open(template, "rb") as f:
        wanted = read_po(f)
    with open(_catalog_path(lang), "rb") as f:
        catalog = read_po(f, locale=lang)
    fields = re.compile(r"%\((\w+)\)s")
    problems = []
    for message in wanted:
        if not message.id:
            continue
        key = message.id
        name = key[0] if isinstance(key, tuple) else key
        have = catalog.get(key)
        strings = [] if have is None else list(have.string) if isinstance(have.string, tuple) else [have.string]
        if have is None or not all(strings):
            problems.append(f"{lang}: untranslated: {name!r}")
        elif have.fuzzy:
            problems.append(f"{lang}: fuzzy (not shown until checked): {name!r}")
        elif why := markup_problem(key, have.string):
            problems.append(f"{lang}: {why}")
        else:
            expected = set(fields.findall(name)) - {"num"}
            for text in strings:
                if not set(fields.findall(text)) - {"num"} <= expected | {"num"} or (expected - set(fields.findall(text))):
                    problems.append(f"{lang}: placeholders differ: {name!r} -> {text!r}")
    return problems


def vega_locale() -> dict[str, Any] | None:
    """Return the current language's number and date formats for Vega (d3's locale format), None for the source language.

    Charts then write ``1.021`` and ``ene 2016`` where the page does (stand-alone month and day names, as axis labels stand alone).
    """
    if _language == SOURCE_LANGUAGE:
        return None
    from babel import Locale

    loc = Locale.parse(_locale())
    symbols = loc.number_symbols.get("latn", {})
    months = loc.months["stand-alone"]
    days = loc.days["stand-alone"]
    week = [6, 0, 1, 2, 3, 4, 5]  # d3 starts on Sunday, CLDR numbers Monday 0
    return {
        "number": {"decimal": symbols.get("decimal", "."), "thousands": symbols.get("group", ","), "grouping": [3],
                   "currency": ["", ""], "percent": "\u00a0%" if loc.percent_formats[None].pattern.endswith("\u00a0%") else "%"},
        "time": {"dateTime": "%x, %X", "date": "%Y-%m-%d", "time": "%H:%M:%S", "periods": ["AM", "PM"],
                 "days": [str(days["wide"][i]) for i in week], "shortDays": [str(days["abbreviated"][i]) for i in week],
                 "months": [str(months["wide"][m]) for m in range(1, 13)],
                 "shortMonths": [str(months["abbreviated"][m]) for m in range(1, 13)]},
    }


def and_list(items: Any) -> str:
    """Return ``items`` as a list in running text ("A, B and C"), as the current language writes one (CLDR)."""
    from babel.lists import format_list

    return format_list([str(i) for i in items], locale=_locale()) if items else ""


def comma() -> str:
    """Return the separator of a list in the current language (the Arabic comma in Arabic)."""
    return "، " if _language.split("-")[0] in ("ar", "fa", "ur") else ", "
