"""Commands for the staff who write disclosures: ``new`` writes a scaffold, ``check`` validates everything."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .countries import country
from .errors import ContentError, DataError, Problem
from .formats import FORMATS
from .load import Hasher, load_content
from .read import check_header, header
from .schema import ATTRIBUTIONS, FIGURES, PLATFORMS, SLUG


@dataclass(frozen=True)
class NewDisclosure:
    id: str
    title: str
    platform: str
    announced: dt.date
    countries: tuple[str, ...]
    accounts: int | None


def scaffold(d: NewDisclosure) -> str:
    """Return the text of a new disclosure file: every field, each explained, kept as a draft."""
    countries = ", ".join(d.countries)
    accounts = str(d.accounts) if d.accounts is not None else ""
    figures = "\n".join(f"#   {key}: 0    # {label}" for key, label in FIGURES.items())
    return f"""# yaml-language-server: $schema=../../disclosure.schema.json
# A takedown disclosure. Check it with `python3 build.py check`; preview it with `python3 build.py serve`.
# It stays out of the published site while `draft: true`, and before `publish_at`.

# Unique id, used in the address disclosures/<id>/: lowercase letters, digits, hyphens.
id: {d.id}
# Headline of the page.
title: {_quote(d.title)}
# Which platform removed the network: {", ".join(PLATFORMS)}.
platform: {d.platform}
# Day of the platform's announcement, YYYY-MM-DD.
announced: {d.announced.isoformat()}
# Where the platform says the operation came from: country names or ISO codes.
countries: [{countries}]
# Audiences the operation targeted (free text).
targets: []
# Who ran it, in the platform's words. kind is one of: {", ".join(ATTRIBUTIONS)}.
attribution:
  kind: not-attributed
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
# Links to the announcement(s).
sources:
  - title: TODO
    url: https://example.org/announcement
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
# Generated sample data rather than the real release? Every page will say so.
synthetic_data: false
# Keep out of every published output until this is false ...
draft: true
# ... and, if set, until this moment (with a time zone), e.g. 2024-05-01T09:00:00Z.
publish_at:
"""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_disclosure(folder: Path, values: NewDisclosure) -> Path:
    """Write a scaffold for ``values`` into ``folder``; refuse to overwrite an existing file."""
    problems = []
    if not re.fullmatch(SLUG, values.id):
        problems.append(f"id {values.id!r} is not a slug: lowercase letters, digits and single hyphens")
    if values.platform not in PLATFORMS:
        problems.append(f"platform {values.platform!r} is not one of: {', '.join(PLATFORMS)}")
    for c in values.countries:
        try:
            country(c)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ContentError([Problem("new", message=p) for p in problems])
    path = folder / f"{values.id}.yaml"
    if path.exists() or (folder / f"{values.id}.yml").exists():
        raise ContentError(Problem(str(path), message="already exists; not overwritten (choose another id, or edit it)"))
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as f:
        f.write(scaffold(values))
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
                try:
                    check_header(f, role, header(f))
                except DataError as exc:
                    problems.extend(Problem(f"{d.source_file}: {p.file}", p.line, p.column, p.message) for p in exc.problems)
    if problems:
        raise DataError(problems)
    return CheckSummary(len(content.disclosures), datasets, files, size,
                        sum(d.draft for d in content.disclosures),
                        sum(1 for d in content.disclosures if not d.draft and not d.published(now)))

