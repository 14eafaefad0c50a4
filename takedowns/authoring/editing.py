"""Commands for the staff who write disclosures: ``new`` writes a scaffold, ``check`` validates everything."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..content import document
from ..content.load import Hasher, load_content
from ..content.model import Disclosure
from ..content.schema import ATTRIBUTIONS, DISCLOSURE, DISCLOSURE_FIELDS, FIGURES, HEDGES, PLATFORM_SOURCE_KINDS, PLATFORMS
from ..content.types import Invalid, Report, convert_root
from ..errors import ContentError, DataError, Problem
from ..formats import FORMATS
from ..statistics.read import check_header, header


@dataclass(frozen=True)
class NewDisclosure:
    id: str
    title: str
    platform: str
    announced: dt.date
    countries: tuple[str, ...]
    accounts: int | None


def emit(value: object) -> str:
    """Return ``value`` as one line of YAML, quoted and escaped by the YAML emitter as its text needs."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1 << 30, sort_keys=False)
    return text.removesuffix("\n...\n").strip()


def scaffold(d: NewDisclosure) -> str:
    """Return the text of a new disclosure file: every field, each explained, kept as a draft."""
    accounts = emit(d.accounts) if d.accounts is not None else ""
    figures = "\n".join(f"#   {key}: 0    # {label}" for key, label in FIGURES.items())
    return f"""# yaml-language-server: $schema=../../disclosure.schema.json
# A takedown disclosure. Check it with `python3 build.py check`; preview it with `python3 build.py serve`.
# It stays out of the published site while `draft: true`, and before `publish_at`.

# Unique id, used in the address disclosures/<id>/: lowercase letters, digits, hyphens.
id: {emit(d.id)}
# Headline of the page.
title: {emit(d.title)}
# Which platform removed the network: {", ".join(PLATFORMS)}.
platform: {emit(d.platform)}
# Day the platform announced the removal, YYYY-MM-DD.
announced: {d.announced.isoformat()}
# true when the platform gave no date and `announced` is the end of its report period (the page says "about").
announced_approximate: false
# Day it first disclosed the network, if earlier; day it released the data, if it did.
first_disclosed:
data_released:
# First and last day the network was active, as the platform reported them (only without a tweets dataset).
active_from:
active_until:
# Where the platform says the operation came from: country names or ISO codes.
countries: {emit(list(d.countries))}
# Audiences the operation targeted (free text).
targets: []
# Who ran it. kind is one of: {", ".join(ATTRIBUTIONS)}, no stronger than the platform's words;
# hedged: true when they are qualified ("potentially", "may have ties", "appear to").
attribution:
  kind: not-attributed
  hedged: false
  # The platform's own words about who ran it, verbatim, and the url (one of sources) they come from.
  quote:
  quote_source:
  # One or two sentences in this site's words.
  text: TODO one or two sentences.
# Number of accounts in the announcement.
accounts_announced: {accounts}
# Other announced counts, for reports without a dataset (uncomment what applies):
# figures:
{figures}
# One paragraph (Markdown), shown on the index and in the feed.
summary: >-
  TODO
# The full description (Markdown).
body: |
  TODO
# Links, each with its kind: announcement, data (the platform's release), analysis, response (the party named, critics).
sources:
  - title: TODO
    url: https://example.org/announcement
    kind: announcement
# Topics, each lowercase-with-hyphens.
tags: []
# Released data, relative to data/ (leave the list empty when there is none). role: users or tweets;
# path: a file, a glob (name_tweets_csv_hashed_*.csv) or a list; sha256 (optional) pins one file.
datasets: []
#  - role: users
#    path: {d.id}/users.csv
#    hashed: true
#  - role: tweets
#    path: {d.id}/tweets_*.csv
#    hashed: true
# Ids of other disclosures of the same operation (e.g. the same network removed by another platform).
related: []
# The title, summary or body in the site's other languages (what is left out is shown in the original).
translations: []
#  - language: es
#    title: ...
# After publication, every change to a fact on the page is listed here, newest first: the page, its feed entry and
# corrections.json show it. date: the day of the change; what: what changed; why: the error; source: optional.
corrections: []
#  - date: 2024-06-01
#    what: The account count was 1,196, not 1,916.
#    why: A typing error; the platform's announcement gives 1,196.
#    source: https://example.org/announcement
# Generated sample data rather than the real release? Every page will say so.
synthetic_data: false
# Keep out of every published output until this is false ...
draft: true
# ... and, if set, until this moment (with a time zone), e.g. 2024-05-01T09:00:00Z.
publish_at:
"""


def field_value(name: str, value: object) -> object:
    """Check one answer with the schema's own converter for field ``name``; return the value as a disclosure holds it."""
    if isinstance(value, str) and _SURROGATES.search(value):
        raise ValueError(f"{name}: not valid UTF-8 text")
    spec = next(f for f in DISCLOSURE_FIELDS if f.name == name)
    node = yaml.compose(emit(value), Loader=yaml.SafeLoader)
    report = Report("new")
    try:
        converted = spec.type.convert(node, report)
    except Invalid as exc:
        raise ValueError(str(exc) or "; ".join(p.message for p in report.problems)) from None
    if report.problems:
        raise ValueError("; ".join(p.message for p in report.problems))
    return converted


_SURROGATES = re.compile("[\ud800-\udfff]")


def new_disclosure(folder: Path, values: NewDisclosure) -> Path:
    """Write a scaffold for ``values`` into ``folder``; refuse invalid answers and never overwrite a file."""
    problems = []
    for name, value in (("id", values.id), ("title", values.title), ("platform", values.platform),
                        ("countries", list(values.countries)), ("accounts_announced", values.accounts)):
        if value is None:
            continue
        try:
            field_value(name, value)
        except ValueError as exc:
            problems.append(f"{name}: {exc}" if not str(exc).startswith(name) else str(exc))
    if problems:
        raise ContentError([Problem("new", message=p) for p in problems])
    text = scaffold(values)
    # The file must read back as exactly what was asked for: parse it as the build will.
    root, found = document.parse(text, "new")
    report = Report("new", found)
    written = convert_root(DISCLOSURE, root, report) if root is not None else None
    if written is None or (written["id"], written["title"], written["platform"], written["accounts_announced"]) != (
            values.id, values.title, values.platform, values.accounts) or len(written["countries"]) != len(values.countries):
        raise ContentError([Problem("new", message=f"could not write these answers as a valid disclosure: {p.message}") for p in report.problems]
                           or [Problem("new", message="the answers did not read back as given; nothing was written")])
    path = folder / f"{values.id}.yaml"
    if path.exists() or (folder / f"{values.id}.yml").exists():
        raise ContentError(Problem(str(path), message="already exists; not overwritten (choose another id, or edit it)"))
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{values.id}.{os.getpid()}-{secrets.token_hex(4)}.new"  # unique, like every temporary file here
    try:
        tmp.write_text(text, encoding="utf-8")
        try:
            os.link(tmp, path)  # atomic, and fails if another process wrote the file meanwhile
        except FileExistsError:
            raise ContentError(Problem(str(path), message="already exists; not overwritten (choose another id, or edit it)")) from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


def ask(prompt: str, default: str | None, valid: Callable[[str], object] | None = None,
        read: Callable[[str], str] = input) -> str:
    """Ask on the terminal until the answer is valid; an empty answer takes the default."""
    while True:
        suffix = f" [{default}]" if default else ""
        answer = read(f"{prompt}{suffix}: ").strip() or (default or "")
        if not answer:
            print("  (required)", file=sys.stderr)
            continue
        if valid is not None:
            try:
                valid(answer)
            except ValueError as exc:
                print(f"  {exc}", file=sys.stderr)
                continue
        return answer


@dataclass(frozen=True)
class CheckSummary:
    disclosures: int
    datasets: int
    files: int
    bytes: int
    drafts: int
    embargoed: int
    warnings: tuple[Problem, ...] = ()


def advice(d: Disclosure) -> list[Problem]:
    """Return warnings about what a disclosure claims: an attribution without the platform's words, or stronger than them."""
    out = []
    a = d.attribution
    if a.kind == "unclassified":
        out.append(Problem(d.source_file, a.line, 0, "warning: attribution is unclassified (as `build.py import` writes it); read the "
                                                     "platform's words and choose a kind no stronger than them"))
    elif not a.quote:
        out.append(Problem(d.source_file, a.line, 0, "warning: attribution has no quote; give the platform's own words "
                                                     "(attribution.quote) and where they are (attribution.quote_source)"))
    else:
        found = [m.group(0) for pattern in HEDGES if (m := re.search(pattern, a.quote, re.IGNORECASE))]
        if found and not a.hedged:
            stronger = f"kind {a.kind!r} is stronger than the quotation, which hedges" if a.kind == "state-backed" else "the quotation hedges"
            out.append(Problem(d.source_file, a.line, 0, f"warning: {stronger} ({', '.join(repr(w) for w in found)}); "
                                                         "set hedged: true so the page says the platform qualified it, or choose a weaker kind"))
    if not any(s.kind in PLATFORM_SOURCE_KINDS for s in d.sources):
        out.append(Problem(d.source_file, 0, 0, "warning: no source is the platform's own (kind: announcement or data)"))
    return out


def check(content_dir: Path, data_dir: Path, now: dt.datetime) -> CheckSummary:
    """Validate content and datasets without building; raise BuildError listing every problem."""
    content = load_content(content_dir, data_dir, Hasher())
    problems: list[Problem] = []
    files = size = datasets = 0
    for d in content.disclosures:
        for ds in d.datasets:
            datasets += 1
            role = FORMATS[ds.format].roles[ds.role]
            for f in ds.files:
                files += 1
                size += f.size
                if role.parse is not None:  # read whole by its format: `check --full` parses it
                    continue
                try:
                    check_header(f, role, header(f))
                except DataError as exc:
                    problems.extend(Problem(f"{d.source_file}: {p.file}", p.line, p.column, p.message) for p in exc.problems)
    if problems:
        raise DataError(problems)
    return CheckSummary(len(content.disclosures), datasets, files, size,
                        sum(d.draft for d in content.disclosures),
                        sum(1 for d in content.disclosures if not d.draft and not d.published(now)),
                        tuple(w for d in content.disclosures for w in advice(d)))

