"""Turn the gathered data into page text: the Jinja environment, filters and page contexts.

Everything a page shows passes through Jinja's autoescaping; Markdown written
by staff is sanitised with an allow-list; dataset text is never treated as
markup.  Pure: returns strings, writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import markdown as markdown_lib
import nh3
import pycountry
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .. import i18n
from ..content.schema import ATTRIBUTIONS, PLATFORM_REPORTS, PLATFORMS, SOURCE_KINDS
from .table_rows import plain_rows

ALLOWED_TAGS = {"p", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "h2", "h3", "h4",
                "br", "hr", "table", "thead", "tbody", "tr", "th", "td", "abbr", "sup", "sub", "del"}
REL = "nofollow noopener noreferrer"


def json_text(value: Any, indent: int | None = None) -> str:
    """Return JSON that is safe inside a ``<script>`` element and in any HTML context."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=indent is not None, indent=indent,
                      separators=None if indent else (",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_markdown(text: str) -> Markup:
    """Return staff-written Markdown as sanitised HTML."""
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}},
                      url_schemes={"http", "https", "mailto"}, link_rel=REL)
    return Markup(clean)


_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\"'<>`\\]+", re.ASCII)


def link(url: str, text: str | None = None) -> Markup:
    """Return a link if ``url`` is plain http(s), else the text alone: hostile schemes never become links."""
    label = url if text is None else text
    if isinstance(url, str) and _SAFE_URL.fullmatch(url):
        return Markup('<a href="{}" rel="{}">{}</a>').format(url, REL, label)
    return Markup("{}").format(label)


number = i18n.format_number
percent = i18n.format_percent


def language_name(code: str) -> str:
    base = code.split("-")[0].lower()
    record = pycountry.languages.get(alpha_2=base) if len(base) == 2 else None
    if code == "und":
        return "Undetermined"
    return f"{record.name} ({code})" if record else code


long_date = i18n.format_long_date


def table_csv(columns: tuple[tuple[str, str], ...], rows: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> str:
    """Return a table as CSV text that starts with its header (where it comes from is in the folder's datapackage.json)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([h for _, h in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(k)) for k, _ in columns])
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    # Spreadsheets run cells starting with = + - @ as formulas; dataset text is hostile.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def quoted_html(d: Any) -> str:
    """Return a feed entry's HTML: the site's summary, then the platform's own words as a quotation with its source."""
    platform = i18n.gettext(PLATFORMS[d.platform]).split(" (")[0]
    source = next((s for s in d.sources if s.url == d.attribution.quote_source), None)
    cite = f' cite="{escape(source.url)}"' if source else ""
    return (str(render_markdown(d.summary)) + "<p>" + str(escape(i18n.gettext("%(platform)s said (hedged):", platform=platform) if d.attribution.hedged
                                                                   else i18n.gettext("%(platform)s said:", platform=platform))) + "</p>"
            + f"<blockquote{cite}><p>{escape(d.attribution.quote)}</p></blockquote>"
            + (f'<p>— <a href="{escape(source.url)}">{escape(source.title)}</a></p>' if source else ""))


def feed_summary(d: Any) -> str:
    """A feed entry's summary as HTML text (the template escapes it once more, as Atom's type="html" wants): the latest
    correction first, then what makes the date approximate, then the disclosure's summary."""
    _ = i18n.gettext
    parts = []
    if d.corrections:
        corrected = _("Corrected on %(date)s:", date=long_date(d.corrections[0].date))
        parts.append(f"<p><strong>{escape(corrected)}</strong> {escape(d.corrections[0].what)}</p>")
    if d.announced_approximate:
        approximate = _("Date: the end of the platform's report period (%(date)s); its files give no date for this removal.",
                        date=long_date(d.announced))
        parts.append(f"<p>{escape(approximate)}</p>")
    return "".join(parts) + str(render_markdown(d.text_in(i18n.language())["summary"]))


def environment(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # The templates' _() and ngettext() speak the language being rendered (i18n.using); placeholders are %(name)s.
    env.install_gettext_callables(lambda message: i18n.gettext(message), lambda s, p, n: i18n.ngettext_raw(s, p, n), newstyle=True)
    env.filters.update(markdown=render_markdown, number=number, percent=percent, language=language_name,
                       long_date=long_date, link=link, country=i18n.country_name, and_list=i18n.and_list, short_platform=lambda name: name.split(" (")[0],
                       territory=lambda name, code: i18n.territory(code, name),
                       tr=lambda text: i18n.gettext(text), language_here=i18n.name_of,
                       title_here=lambda d: d.text_in(i18n.language())["title"],
                       title_untranslated=lambda d: "title" in d.text_in(i18n.language())["original"],
                       summary_untranslated=lambda d: "summary" in d.text_in(i18n.language())["original"],
                       summary_here=lambda d: d.text_in(i18n.language())["summary"], as_text=str.__str__, json_text=lambda v: Markup(json_text(v)))
    env.globals.update(PLATFORMS=PLATFORMS, PLATFORM_REPORTS=PLATFORM_REPORTS, ATTRIBUTIONS=ATTRIBUTIONS, SOURCE_KINDS=SOURCE_KINDS, escape=escape, quoted_html=quoted_html,
                       feed_summary=feed_summary)
    env.globals["disclosure_row"] = plain_rows(env)  # a build's own keeps rows between builds (pages.build_pages)
    return env
