"""Files derived from the schema and kept in the repository: the JSON Schema and the README's field table."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..content.schema import json_schema, reference_markdown
from ..formats.contract import stats_reference

START = "<!-- fields:start (generated from takedowns/content/schema.py by `python3 build.py schema`; do not edit) -->"
END = "<!-- fields:end -->"
STATS_START = "<!-- stats:start (generated from takedowns/statistics/contract.py and each format's contract by `python3 build.py schema`; do not edit) -->"
STATS_END = "<!-- stats:end -->"


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def readme_with_reference(readme: str) -> str:
    """Return ``readme`` with the field table between the markers replaced by the current one."""
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise ValueError("README.md has no field reference markers")
    readme = pattern.sub(lambda _: f"{START}\n{reference_markdown()}{END}", readme)
    stats = re.compile(re.escape(STATS_START) + ".*?" + re.escape(STATS_END), re.S)
    if not stats.search(readme):
        raise ValueError("README.md has no stats.json reference markers")
    return stats.sub(lambda _: f"{STATS_START}\n{stats_reference()}{STATS_END}", readme)


def write_schema_files(root: Path) -> list[Path]:
    schema = root / "disclosure.schema.json"
    schema.write_text(schema_text())
    readme = root / "README.md"
    readme.write_text(readme_with_reference(readme.read_text()))
    return [schema, readme]
