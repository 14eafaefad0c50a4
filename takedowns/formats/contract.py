"""What ``stats.json`` promises: the keys common to every disclosure and those of every registered format, joined.

From them come the published ``stats.schema.json``, the README's table of keys and the defaults every
``stats.json`` carries.
"""

from __future__ import annotations

from typing import Any

from ..statistics.contract import COMMON, Key
from .registry import FORMATS


def stats_keys() -> dict[str, tuple[str, Key]]:
    """Return every stats.json key with the format that owns it ('' for the common ones); a name declared twice is an error."""
    keys: dict[str, tuple[str, Key]] = {k.name: ("", k) for k in COMMON}
    for name, fmt in sorted(FORMATS.items()):
        for key in fmt.contract:
            if key.name in keys:
                raise ValueError(f"stats.json key {key.name!r} is declared twice ({keys[key.name][0] or 'common'} and {name})")
            keys[key.name] = (name, key)
    return keys


def stats_defaults() -> dict[str, Any]:
    """Return the keys every stats.json carries, with their values when the release has no such data."""
    return {name: key.default for name, (_, key) in stats_keys().items() if key.always and name not in {k.name for k in COMMON}}


def stats_schema() -> dict[str, Any]:
    """Return the JSON Schema of a disclosure's ``stats.json``."""
    keys = stats_keys()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "stats.schema.json",
        "title": "Statistics of one disclosure (stats.json)",
        "type": "object",
        "additionalProperties": False,
        "required": sorted(n for n, (owner, k) in keys.items() if owner == "" or k.always),
        "properties": {n: {**k.schema, "description": (f"[{owner}] " if owner else "") + k.meaning} for n, (owner, k) in sorted(keys.items())},
    }


def stats_reference() -> str:
    """Return the README's table of stats.json keys."""
    rows = ["| key | format | type | meaning |", "| --- | --- | --- | --- |"]
    for name, (owner, key) in stats_keys().items():
        kind = key.schema.get("type", "any")
        kind = " or ".join(kind) if isinstance(kind, list) else kind
        rows.append(f"| `{name}` | {owner or 'all'} | {kind} | {key.meaning} |")
        for part, meaning in key.parts:
            part_kind = key.schema["properties"][part]["type"]
            part_kind = " or ".join(part_kind) if isinstance(part_kind, list) else part_kind
            rows.append(f"| `{name}.{part}` | {owner or 'all'} | {part_kind} | {meaning} |")
    return "\n".join(rows) + "\n"
