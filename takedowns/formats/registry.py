"""The table of release formats: what a format declares, and ``register``, which each format calls on import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rule:
    """What a well-formed value of a column looks like: a pattern, and whether it starts with a real calendar day."""

    pattern: str
    help: str
    dated: bool = False


@dataclass(frozen=True)
class Role:
    """One kind of file in a release, e.g. Twitter's users file."""

    name: str
    label: str
    columns: tuple[str, ...]  # the released header, in the usual order (CSV roles)
    required: tuple[str, ...]  # what the statistics read; a CSV file lacking one is refused
    key_column: str  # identifies a row in error messages
    empty: Callable[[], Any]  # a new, empty partial
    reduce: Callable[[Any], Any] | None = None  # CSV roles: an Arrow batch of the required columns -> partial
    rules: Mapping[str, Rule] = field(default_factory=dict)  # CSV roles: checked on every value, by both readers
    parse: Callable[[bytes, str], Any] | None = None  # whole-file roles: the file's bytes and name -> partial


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    roles: dict[str, Role]
    figures: Callable[[dict[str, Any]], dict[str, Any]]  # merged partials by role -> published statistics
    suffixes: tuple[str, ...] = (".csv", ".csv.gz", ".zip")  # file names it reads
    charts: str | None = None  # module whose @chart builders draw this format's figures (imported when charts are made)
    contract: tuple[Any, ...] = ()  # contract.Key of every figure it publishes in stats.json: schema, README table and defaults come from them
    methods: Callable[[], dict[str, Any]] | None = None  # what the Methods page shows of this format (its template's variables)
    profile: Callable[[dict[str, Any]], Any] | None = None  # merged partials by role -> the items it posted (statistics.profile.PROFILE), or None


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt
