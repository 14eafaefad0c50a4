"""The README, the JSON Schema and the validator all say the same thing."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import yaml
from conftest import ROOT

from takedowns.authoring.docs import readme_with_reference, schema_text
from takedowns.content.schema import DISCLOSURE_FIELDS


def test_readme_field_reference_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme_with_reference(readme) == readme, "run `python3 build.py schema`"
    for field in DISCLOSURE_FIELDS:
        assert f"| `{field.name}` |" in readme


def test_schema_file_is_current() -> None:
    assert (ROOT / "disclosure.schema.json").read_text() == schema_text(), "run `python3 build.py schema`"


def _plain(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def test_example_disclosures_are_valid_against_the_json_schema() -> None:
    schema = json.loads((ROOT / "disclosure.schema.json").read_text())
    for path in sorted((ROOT / "content" / "disclosures").glob("*.yaml")):
        jsonschema.validate(_plain(yaml.safe_load(path.read_text())), schema)
        assert "# yaml-language-server: $schema=../../disclosure.schema.json" in path.read_text().splitlines()[:2]


def test_json_schema_rejects_what_the_validator_rejects() -> None:
    schema = json.loads((ROOT / "disclosure.schema.json").read_text())
    good = _plain(yaml.safe_load((ROOT / "content/disclosures/iran-2019-01.yaml").read_text()))
    for bad in ({**good, "colour": "blue"}, {**good, "id": "Not A Slug"}, {**good, "platform": "myspace"},
                {k: v for k, v in good.items() if k != "title"}):
        assert not jsonschema.Draft202012Validator(schema).is_valid(bad)


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert blocks[0] == "bash scripts/install.sh && python3 build.py example-data && python3 build.py build"
    assert blocks[1] == "bash scripts/test.sh"
    first_block = readme.index("```sh")
    assert readme[:first_block].count("\n") <= 2  # the commands come first
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_pages_workflow_tests_builds_checks_and_deploys() -> None:
    flow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert flow["concurrency"]["group"] == "pages"
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and triggers["schedule"]
    steps = flow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "actions/configure-pages@v5" in uses and "actions/upload-pages-artifact@v3" in uses and "actions/cache@v4" in uses
    assert "bash scripts/test.sh" in runs and "--base-url" in runs and "python3 build.py linkcheck" in runs
    assert runs.index("scripts/test.sh") < runs.index("build.py build") < runs.index("linkcheck")
    # The hourly run (embargoes) checks, builds and publishes without the test suite: pushes and pull requests test.
    test_steps = [s for s in steps if "scripts/test.sh" in s.get("run", "") or "playwright install" in s.get("run", "")]
    assert test_steps and all(s.get("if") == "github.event_name != 'schedule'" for s in test_steps)
    gated = [s for s in steps if s.get("if")]
    assert gated == test_steps  # check --full, build and the link check run on every trigger
    assert "build.py check --full" in runs
    assert flow["jobs"]["deploy"]["needs"] == "build"
    assert [s["uses"] for s in flow["jobs"]["deploy"]["steps"]] == ["actions/deploy-pages@v4"]
