"""The disclosure as the rest of the build sees it: frozen, typed, already checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .countries import Country


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    kind: str = "announcement"  # announcement, data, analysis or response (see schema.SOURCE_KINDS)


@dataclass(frozen=True)
class Attribution:
    kind: str
    text: str  # the site's own one- or two-sentence account
    quote: str | None = None  # the platform's own words, verbatim
    quote_source: str | None = None  # the URL (one of the disclosure's sources) the quotation comes from
    hedged: bool = False  # the platform qualified its attribution ("potentially", "may have ties", "cannot render definitive")
    line: int = field(default=0, compare=False)  # where it is written, for messages


@dataclass(frozen=True)
class Figure:
    """A count the platform announced, e.g. 12 Facebook Pages."""

    key: str
    label: str
    value: int


@dataclass(frozen=True)
class DatasetFile:
    """One released file, found on disk under ``data/``."""

    relpath: str  # relative to data/, with forward slashes: what readers see
    path: Path | str  # on disk, or an fsspec URL when the data folder is one
    size: int
    sha256: str


@dataclass(frozen=True)
class Dataset:
    """One role of a release (e.g. its tweets), possibly split over several files."""

    role: str
    format: str
    patterns: tuple[str, ...]
    hashed: bool
    files: tuple[DatasetFile, ...]


@dataclass(frozen=True)
class Translation:
    """A disclosure's own text in another language; a field left out falls back to the original."""

    language: str
    title: str | None
    summary: str | None
    body: str | None
    line: int = 0


@dataclass(frozen=True)
class Correction:
    """What was corrected on a published disclosure, when and why, in the site's words; newest first on the page."""

    date: dt.date
    what: str
    why: str
    source: str | None = None  # where the corrected fact comes from, when there is one
    line: int = 0


@dataclass(frozen=True)
class Disclosure:
    id: str
    title: str
    platform: str
    announced: dt.date
    announced_approximate: bool
    first_disclosed: dt.date | None
    data_released: dt.date | None
    countries: tuple[Country, ...]
    targets: tuple[str, ...]
    attribution: Attribution
    accounts_announced: int | None
    figures: tuple[Figure, ...]
    summary: str
    body: str
    sources: tuple[Source, ...]
    tags: tuple[str, ...]
    datasets: tuple[Dataset, ...]
    draft: bool
    publish_at: dt.datetime | None
    synthetic_data: bool
    source_file: str
    related: tuple[str, ...] = ()  # other disclosures of the same operation
    active_from: dt.date | None = None  # as the platform reported it (counts-only disclosures)
    active_until: dt.date | None = None
    translations: tuple[Translation, ...] = ()
    corrections: tuple[Correction, ...] = ()  # newest first

    @property
    def url(self) -> str:
        return f"disclosures/{self.id}/"

    @property
    def updated(self) -> dt.date:
        """The page's version: its latest correction, else the announcement."""
        return self.corrections[0].date if self.corrections else self.announced

    def text_in(self, lang: str) -> dict[str, Any]:
        """Return the title, summary and body to show in ``lang``, and which of them are the untranslated original."""
        t = next((t for t in self.translations if t.language == lang), None)
        out: dict[str, Any] = {"original": []}
        for key in ("title", "summary", "body"):
            mine = getattr(t, key) if t else None
            out[key] = mine if mine else getattr(self, key)
            if not mine and getattr(self, key):
                out["original"].append(key)
        return out

    def published(self, now: dt.datetime) -> bool:
        """Return whether a normal build at ``now`` may show this disclosure anywhere."""
        if self.draft:
            return False
        return self.publish_at is None or self.publish_at <= now


@dataclass(frozen=True)
class Site:
    title: str
    description: str
    base_url: str
    language: str
    licence: str
    data_licence: str
    author: str
    languages: tuple[str, ...] = ("en",)  # the interface's languages, the first (``language``) at the site's root
    translations: tuple[tuple[str, str, str], ...] = ()  # (language, title, description), each part optional ("")
    repository: str | None = None  # the content's repository on the web: pages link to their file's history there
    repository_branch: str = "main"

    def text_in(self, lang: str) -> tuple[str, str, bool, bool]:
        """The site's title and description in ``lang``, and whether each is the untranslated original."""
        t = next((t for t in self.translations if t[0] == lang), None)
        title = t[1] if t and t[1] else self.title
        description = t[2] if t and t[2] else self.description
        return title, description, lang != self.language and title == self.title, lang != self.language and description == self.description
