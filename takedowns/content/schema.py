"""The disclosure format, defined once.

Validation (``DISCLOSURE.convert``), the JSON Schema for editors
(``json_schema()``) and the README's field reference (``reference_markdown()``)
are all derived from the definitions below.
"""

from __future__ import annotations

from typing import Any

from ..formats import FORMATS
from ..i18n import N_, available
from .countries import country
from .model import Attribution, Correction, Figure, Site, Source, Translation
from .types import Boolean, Choice, Custom, Date, DateTime, Field, Integer, ListOf, Mapping, Text, Url

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"

PLATFORMS = {
    "twitter": N_("Twitter"),
    "meta": N_("Meta (Facebook, Instagram)"),
    "google": N_("Google (YouTube, Blogger)"),
    "tiktok": N_("TikTok"),
    "reddit": N_("Reddit"),
    "other": N_("Other"),
}

# Where each platform lists its reports by date: linked from a page that quotes none of them.
PLATFORM_REPORTS = {
    "meta": "https://transparency.meta.com/metasecurity/threat-reporting",
}

ATTRIBUTIONS = {
    "state-backed": N_("State-backed"),
    "state-linked": N_("Linked to a state actor"),
    "commercial": N_("Commercial (marketing or PR firm)"),
    "political": N_("Political party or campaign"),
    "not-attributed": N_("Not attributed"),
    "unclassified": N_("Not classified here"),
}

# Counts that platforms announce without releasing data (Meta's and Google's
# reports), each with the label readers see.
FIGURES = {
    "tweets_announced": N_("Tweets"),
    "facebook_accounts": N_("Facebook accounts"),
    "facebook_pages": N_("Facebook Pages"),
    "facebook_groups": N_("Facebook Groups"),
    "facebook_events": N_("Facebook Events"),
    "instagram_accounts": N_("Instagram accounts"),
    "page_followers": N_("Accounts following the Pages"),
    "group_members": N_("Accounts that joined or followed the Groups"),
    "instagram_followers": N_("Accounts following the Instagram accounts"),
    "ad_spend_usd": N_("Spent on ads (US dollars)"),
    "youtube_channels": N_("YouTube channels"),
    "blogs": N_("Blogs"),
    "domains": N_("Web domains"),
    "tiktok_accounts": N_("TikTok accounts"),
}

# Each source is listed under its kind, so a reader finds the critics' case as easily as the platform's.
SOURCE_KINDS = {
    "announcement": N_("The platform’s announcement"),
    "data": N_("The platform’s data release"),
    "analysis": N_("Independent analysis"),
    "response": N_("Responses and criticism"),
}
PLATFORM_SOURCE_KINDS = ("announcement", "data")

# Wording with which platforms qualify an attribution.  A quotation that uses any of it is
# hedged: the page must say so (``hedged: true``), and ``check`` warns until it does.
HEDGES = (r"\bpotentially\b", r"\bpossibl[ey]\b", r"\bmay\b", r"\bmight\b", r"\bappear(s|ed)?\b", r"\bseem(s|ed)?\b",
          r"\blikely\b", r"\bsuspected\b", r"\bbelieved?\b", r"\ballegedly\b", r"cannot render definitive",
          r"unable to definitively", r"\bsome of these\b")

SOURCE = Mapping(title="source", fields=(
    Field("title", Text(200), "Title of the announcement or report.", required=True),
    Field("url", Url(), "Where it was published.", required=True),
    Field("kind", Choice(tuple(SOURCE_KINDS)), "What it is: the platform's `announcement`, its `data` release, an independent "
          "`analysis`, or a `response` (from the party named, or criticism of the takedown).", default="announcement"),
), build=lambda v: Source(v["title"], v["url"], v["kind"]))

ATTRIBUTION = Mapping(title="attribution", fields=(
    Field("kind", Choice(tuple(ATTRIBUTIONS)), "How the platform attributed the operation, no stronger than its words "
          "(see \"Attribution and hedges\" below).", required=True),
    Field("text", Text(600), "One or two sentences in the site's own words: who the platform says ran it.", required=True),
    Field("quote", Text(2000, multiline=True), "The platform's own words about who ran it, verbatim, hedges included; "
          "shown as a quotation. `check` warns when it is missing."),
    Field("quote_source", Url(), "Which of `sources` the quotation comes from: its `url`."),
    Field("hedged", Boolean(), "The platform qualified its attribution (\"potentially\", \"may have ties\", \"appear to\", "
          "\"cannot render definitive attribution\"); the page says so.", default=False),
), build=lambda v: Attribution(v["kind"], v["text"], " ".join(v["quote"].split()) if v["quote"] else None, v["quote_source"],
                               v["hedged"], v["__line__"]))

TRANSLATION = Mapping(title="translation", fields=(
    Field("language", Choice(available()[1:]), "The language of this translation.", required=True),
    Field("title", Text(200), "The title in that language."),
    Field("summary", Text(1000, multiline=True, markdown=True), "The summary in that language (Markdown)."),
    Field("body", Text(50_000, multiline=True, markdown=True), "The description in that language (Markdown)."),
), build=lambda v: Translation(v["language"], v["title"], v["summary"], v["body"], v["__line__"]))

SITE_TRANSLATION = Mapping(title="site translation", fields=(
    Field("language", Choice(available()[1:]), "The language of this translation.", required=True),
    Field("title", Text(120), "The site's name in that language."),
    Field("description", Text(400), "The site's one-sentence description in that language."),
), build=lambda v: (v["language"], v["title"] or "", v["description"] or ""))

CORRECTION = Mapping(title="correction", fields=(
    Field("date", Date(), "Day the published page was corrected.", required=True),
    Field("what", Text(600), "What changed, in the site's words (\"The account count was 1,196, not 1,916.\").", required=True),
    Field("why", Text(600), "Why: the error and how it was found.", required=True),
    Field("source", Url(), "Where the corrected fact comes from, when there is one."),
), build=lambda v: Correction(v["date"], v["what"], v["why"], v["source"], v["__line__"]))

FIGURES_MAP = Mapping(title="mapping of announced counts", fields=tuple(
    Field(key, Integer(0), label) for key, label in FIGURES.items()
), build=lambda v: tuple(Figure(k, FIGURES[k], v[k]) for k in FIGURES if v.get(k) is not None))

SHA256 = Text(64, r"[0-9a-f]{64}", "a SHA-256 checksum (64 lowercase hex digits)")
PATH = Text(300, r"[^\x00]+", "a path or glob relative to data/")

DATASET = Mapping(title="dataset", fields=(
    Field("role", Custom(lambda v: _role(v), (("type", "string"), ("enum", sorted({r for f in FORMATS.values() for r in f.roles}))),
                         "the kind of file: users or tweets"),
          "Which file of the release this is: `users` (one row per account) or `tweets` (one row per tweet).", required=True),
    Field("path", ListOf(PATH, min_items=1, max_items=200, scalar_ok=True),
          "File, glob (`russia_*_tweets_csv_hashed_*.csv`) or list of them, relative to `data/`; `.csv`, `.csv.gz` or `.zip`.",
          required=True),
    Field("format", Custom(lambda v: _format(v), (("type", "string"), ("enum", sorted(FORMATS))), "one of the registered release formats"),
          "The release format: " + ", ".join(f"`{f}`" for f in sorted(FORMATS)) + ".", default="twitter"),
    Field("hashed", Boolean(), "Whether the platform hashed the ids of accounts with few followers.", default=False),
    Field("sha256", SHA256, "Checksum of the file, when `path` names one file; the build refuses a file that does not match."),
))


def _format(value: str) -> str:
    """Return a registered format's name; looked up when read, so a format registered later is accepted too."""
    if value not in FORMATS:
        raise ValueError(f"{value!r} is not a release format; expected one of: {', '.join(sorted(FORMATS))}")
    return value


def _role(value: str) -> str:
    roles = sorted({r for f in FORMATS.values() for r in f.roles})
    if value not in roles:
        raise ValueError(f"{value!r} is not a dataset role; expected one of: {', '.join(roles)}")
    return value


COUNTRY = Custom(country, (("type", "string"), ("minLength", 2)), "a country name or ISO 3166 code")

DISCLOSURE_FIELDS: tuple[Field, ...] = (
    Field("id", Text(80, SLUG, "a slug: lowercase letters, digits and single hyphens"),
          "Unique identifier, used in the page address: `disclosures/<id>/`.", required=True,
          example="venezuela-2019-01-state"),
    Field("title", Text(200), "Headline of the disclosure page.", required=True),
    Field("platform", Choice(tuple(PLATFORMS)), "The platform that removed the network.", required=True),
    Field("announced", Date(), "Day the platform announced the removal (the index, feed and timeline use this date).", required=True),
    Field("announced_approximate", Boolean(), "The platform's files give no date: `announced` is the end of the report period "
          "(the page says \"about\").", default=False),
    Field("first_disclosed", Date(), "Day the platform first disclosed the network, when earlier than `announced`."),
    Field("data_released", Date(), "Day the platform released the data, when it did."),
    Field("active_from", Date(), "First day the network was active, as the platform reported it (for disclosures without a tweets "
          "dataset; with one, the first tweet is used)."),
    Field("active_until", Date(), "Last day the network was active, as the platform reported it (same rule)."),
    Field("countries", ListOf(COUNTRY, min_items=0, max_items=50, scalar_ok=True, unique=True),
          "Where the platform says the operation came from: country names or ISO codes; `[]` when the platform names "
          "the operation only by its targets and states no origin.", required=True),
    Field("targets", ListOf(Text(120), max_items=50, scalar_ok=True), "Audiences the operation targeted.", default=()),
    Field("attribution", ATTRIBUTION, "Who the platform says ran the operation.", required=True),
    Field("accounts_announced", Integer(0), "Number of accounts given in the announcement."),
    Field("figures", FIGURES_MAP, "Other announced counts, for reports that publish no dataset: "
          + ", ".join(f"`{k}`" for k in FIGURES) + ".", default=()),
    Field("summary", Text(1000, multiline=True, markdown=True), "One paragraph (Markdown) shown on the index and in feeds.", required=True),
    Field("body", Text(50_000, multiline=True, markdown=True), "The full description (Markdown).", default=""),
    Field("sources", ListOf(SOURCE, min_items=1, max_items=50), "Links to the announcements, data releases, analyses and responses.",
          required=True),
    Field("tags", ListOf(Text(40, SLUG, "a tag: lowercase letters, digits and single hyphens"), max_items=30, scalar_ok=True, unique=True),
          "Topics, each a slug.", default=()),
    Field("datasets", ListOf(DATASET, max_items=20), "Files of the released data; leave out when the platform released none.",
          default=()),
    Field("related", ListOf(Text(80, SLUG, "a disclosure id"), max_items=20, scalar_ok=True, unique=True),
          "Ids of other disclosures of the same operation (e.g. the same network removed by another platform); each must "
          "exist. Both pages link each other.", default=()),
    Field("translations", ListOf(TRANSLATION, max_items=20),
          "The disclosure's own text in the interface's other languages, each a mapping of `language` (one of the site's "
          "`languages`) and any of `title`, `summary`, `body`; what is left out is shown in the original, with a note.", default=()),
    Field("corrections", ListOf(CORRECTION, max_items=100),
          "Corrections to the published page, each with `date`, `what` and `why` (and an optional `source`): the page shows the "
          "latest at the top and all of them in a section; feeds, `stats.json` and `corrections.json` carry them.", default=()),
    Field("synthetic_data", Boolean(), "The datasets are generated samples, not the real release; every page says so.",
          default=False),
    Field("draft", Boolean(), "Keep the disclosure out of every output of a normal build.", default=False),
    Field("publish_at", DateTime(), "Embargo: the disclosure appears in no output of a build before this moment.", default=None),
)
DISCLOSURE = Mapping(title="disclosure", fields=DISCLOSURE_FIELDS)

SITE = Mapping(title="site settings", fields=(
    Field("title", Text(120), "Name of the site.", required=True),
    Field("description", Text(400), "One sentence for search engines and feeds.", required=True),
    Field("base_url", Url(), "Public address of the site, ending in `/`; `--base-url` overrides it.", required=True),
    Field("language", Text(20, r"[a-z]{2}(-[A-Z]{2})?", "a language tag like en or en-GB"), "Language of the pages.", default="en"),
    Field("licence", Text(200), "Licence of the site's own text and figures.", required=True),
    Field("data_licence", Text(300), "Terms of the released datasets.", required=True),
    Field("author", Text(120), "Who publishes the site (feeds name it).", required=True),
    Field("languages", ListOf(Choice(available()), max_items=20, scalar_ok=True, unique=True),
          "Languages the interface is also built in, each in its own folder (`/es/`, `/ar/`, ...) beside the pages in "
          "`language` at the root; each needs a catalog in `takedowns/locale/`.", default=()),
    Field("translations", ListOf(SITE_TRANSLATION, max_items=20),
          "The site's `title` and `description` in the interface's other languages, each a mapping with `language`; what "
          "is left out is shown in the original, marked with its language.", default=()),
    Field("repository", Url(), "Web address of the repository the content is kept in (e.g. https://github.com/org/takedowns): "
          "when the content folder is a git checkout, each disclosure page links to its file's history there."),
    Field("repository_branch", Text(100, r"[A-Za-z0-9._/-]+", "a branch name"), "The branch whose history is linked.", default="main"),
), build=lambda v: Site(v["title"], v["description"], v["base_url"] if v["base_url"].endswith("/") else v["base_url"] + "/",
                        v["language"], v["licence"], v["data_licence"], v["author"],
                        tuple(dict.fromkeys([v["language"], *v["languages"]])), tuple(v["translations"]), v["repository"],
                        v["repository_branch"]))


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a disclosure file, for editors and for the site."""
    schema = DISCLOSURE.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "disclosure.schema.json",
        "title": "Information-operation takedown disclosure",
        **schema,
    }


def reference_markdown() -> str:
    """Return the README's table of disclosure fields."""
    rows = ["| key | required | type | meaning |", "| --- | --- | --- | --- |"]

    def add(prefix: str, fields: tuple[Field, ...]) -> None:
        for f in fields:
            rows.append(f"| `{prefix}{f.name}` | {'yes' if f.required else 'no'} | {f.type.describe()} | {f.doc} |")
            inner = f.type.item if isinstance(f.type, ListOf) else f.type
            if isinstance(inner, Mapping) and inner is not FIGURES_MAP:
                add(f"{prefix}{f.name}{'[]' if isinstance(f.type, ListOf) else ''}.", inner.fields)

    add("", DISCLOSURE_FIELDS)
    return "\n".join(rows) + "\n"
