"""The published contract, declared once: every key of ``stats.json`` and of ``disclosures.json``.

Each key says its JSON type, what it means and, for keys every ``stats.json`` carries, its value
when a release has no data of that kind. The keys common to every disclosure are here; each format
declares its own (``Format.contract``), and ``formats/contract.py`` joins them. From these come the JSON Schemas published in the site
(``stats.schema.json``, ``disclosures.schema.json``), the README's tables, the defaults of
``stats.json``, and the check every build makes of its own output before writing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_NO_DEFAULT = object()


@dataclass(frozen=True)
class Key:
    name: str
    schema: dict[str, Any]
    meaning: str
    default: Any = _NO_DEFAULT  # given: every stats.json carries the key, with this value when it has no such data
    parts: tuple[tuple[str, str], ...] = ()  # an object's keys and their meanings, each a row of the README table

    @property
    def always(self) -> bool:
        return self.default is not _NO_DEFAULT


def _null(kind: str | list[str]) -> dict[str, Any]:
    return {"type": [*([kind] if isinstance(kind, str) else kind), "null"]}


STR, INT, BOOL, OBJ = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "object"}
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def top_list(item: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "array", "items": item or {"type": "object", "required": ["value", "count"],
                                                "properties": {"value": {}, "count": INT}}}


COMMON: tuple[Key, ...] = (
    Key("id", STR, "the disclosure's id"),
    Key("title", STR, "its title"),
    Key("platform", STR, "the platform that removed the network"),
    Key("announced", DATE, "the day the platform announced the removal"),
    Key("announced_approximate", BOOL, "true when the platform gave no date: `announced` is the end of the report period"),
    Key("first_disclosed", {"type": ["string", "null"]}, "the day the platform first disclosed the network, when earlier"),
    Key("data_released", {"type": ["string", "null"]}, "the day the platform released the data"),
    Key("updated", DATE, "the page's version: the day of its latest correction, else `announced`"),
    Key("corrections", {"type": "array", "items": {"type": "object", "required": ["date", "what", "why", "source"], "properties": {
        "date": DATE, "what": STR, "why": STR, "source": {"type": ["string", "null"]}}}},
        "corrections to the published page, newest first: `[{\"date\", \"what\", \"why\", \"source\"}]`"),
    Key("accounts_announced", _null("integer"), "accounts the platform announced"),
    Key("announced_figures", {"type": "object", "additionalProperties": INT}, "other counts the platform announced (`figures` of the disclosure)"),
    Key("synthetic_data", BOOL, "the datasets are generated samples, not the real release"),
    Key("files", {"type": "array", "items": {"type": "object", "required": ["path", "role", "bytes", "sha256"]}},
        "dataset files with `path`, `role`, `bytes`, `sha256`"),
    Key("skipped_rows", {"type": "array"}, "rows left out under `--skip-bad-rows`, per file, with reasons and first lines"),
    Key("source", STR, "where the figures come from (this site)"),
    Key("licence", STR, "the licence of the figures and of the data"),
)


def validator(schema: dict[str, Any]) -> Any:
    """Return a validator for ``schema``: made once per build, used for every document."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema)


def validate(document: Any, check: Any, where: str) -> list[str]:
    """Return what in ``document`` breaks the schema of ``check`` (the site's own output: any entry is a bug in the build)."""
    return [f"{where}: {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in check.iter_errors(document)]
