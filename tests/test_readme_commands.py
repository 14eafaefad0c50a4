"""Every command the README shows, run as the README writes it (defaults included), in a fresh checkout.

The README is read afresh: a command added to it fails this file until it is listed below, with how it is
run; a command removed from it fails until its entry goes. Commands that need something only a person can
supply (a cluster's address, a checkout of Meta's repository, answers on a terminal) name the test that runs
them with that supplied.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

FIRST = "bash scripts/install.sh && python3 build.py example-data && python3 build.py build"

# Run here, in this order, in one checkout: each as written, each must exit 0 and print no traceback.
RUN_HERE = [
    FIRST,
    "python3 build.py example-data",
    "python3 build.py build",
    "python3 build.py check",
    'python3 build.py new --id iran-2024-05 --title "…" --platform meta --country Iran',
    "python3 build.py check --full",
    "python3 build.py schema",
    "python3 build.py linkcheck",
    "python3 bench/page_weight.py",
    "python3 -m takedowns.browser",
    "pybabel extract -F babel.cfg -k N_ --no-location --sort-output --no-wrap -o takedowns/locale/messages.pot .",
    "pybabel update -i takedowns/locale/messages.pot -d takedowns/locale --ignore-obsolete --no-wrap",
    "pybabel compile -d takedowns/locale --statistics",
    "pybabel init -i takedowns/locale/messages.pot -d takedowns/locale -l fr",
]
# Servers: started as written, asked for a page, stopped.
SERVED = {"python3 -m http.server -d site": "http://127.0.0.1:8000/"}
# Run by another test, which supplies what the command leaves to the reader.
ELSEWHERE = {
    "bash scripts/test.sh": "tests/test_docs.py::test_readme_starts_with_the_two_commands_and_ci_runs_the_second (.ci/run runs it: it runs this file)",
    "python3 build.py serve": "tests/test_reliability.py::test_serve_runs_as_the_readme_writes_it_with_every_default",
    "python3 build.py new": "tests/test_authoring.py::test_new_asks_on_a_terminal_and_checks_each_answer (answers on a terminal)",
    "python3 build.py import meta": "tests/test_meta.py::test_import_is_idempotent_keeps_edits_skips_what_is_not_influence_and_passes_check",
    "python3 build.py import meta DIR": "tests/test_meta.py::test_reimport_keeps_what_a_person_decided_and_says_what_it_kept",
    "python3 build.py build --scheduler tcp://HOST:8786": "tests/test_cluster.py::test_workers_with_the_wheel_installed_build_the_same_site_as_a_local_build",
    "pip wheel --no-deps -w dist .": "tests/test_cluster.py::test_workers_with_the_wheel_installed_build_the_same_site_as_a_local_build (the wheel fixture)",
    "pip install dist/takedowns-*.whl": "tests/test_cluster.py::test_workers_with_the_wheel_installed_build_the_same_site_as_a_local_build",
    "pip install '.[cluster]'": "tests/test_cluster.py::test_workers_with_the_wheel_installed_build_the_same_site_as_a_local_build",
}
# Not commands to run as they stand.
NOT_RUN = {
    ".venv/bin/python -m …": "a pattern in the prose (which Python to use), not a command",
    "python3 bench/stats_vs_duckdb.py": "a benchmark over a 3 GB file, run by hand; BENCHMARKS.md gives its output",
}


def readme_commands(text: str) -> set[str]:
    """The commands the README shows: every line of a ```sh block, and every inline code span that starts with a command."""
    found = set()
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M):
        for line in block.splitlines():
            line = re.sub(r"\s+# .*$", "", line).strip()
            if line and not line.startswith("#"):
                found.add(line)
    for span in re.findall(r"`([^`\n]+)`", text):
        if re.match(r"(python3|bash|pybabel|pip|npm|\.venv/bin/python) ", span):
            found.add(span)
    return found


def test_every_command_of_the_readme_is_listed_here() -> None:
    listed = set(RUN_HERE) | set(SERVED) | set(ELSEWHERE) | set(NOT_RUN)
    shown = readme_commands((ROOT / "README.md").read_text())
    assert shown - listed == set(), "a README command no test runs: add it to tests/test_readme_commands.py"
    assert listed - shown == set(), "listed here but no longer in the README"
    for where in ELSEWHERE.values():
        path, _, name = where.split(" ")[0].partition("::")
        assert re.search(rf"^def {re.escape(name)}\(", (ROOT / path).read_text(), re.M), where


def test_the_readme_commands_run_as_written(example_site: Path, image_cache: Path, tmp_path: Path, port_8000: int) -> None:
    """A checkout as `git clone` gives it, with the example site's statistics and chart images in its cache (copied in, to
    spare reading 36 MB and drawing 1,800 charts again: both are keyed by what they are made of, as in any checkout)."""
    checkout = tmp_path / "checkout"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, tracked):
        source = ROOT / rel
        if source.is_file():
            (checkout / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / rel)
    shutil.copytree(example_site.parent / "cache", checkout / ".cache")
    shutil.copytree(image_cache, checkout / ".cache" / "images", copy_function=os.link)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}

    def run(command: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["bash", "-c", command], cwd=checkout, capture_output=True, text=True, timeout=timeout, env=env)
        assert done.returncode == 0 and "Traceback" not in done.stderr, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    before = {rel: (checkout / rel).read_bytes() for rel in ("README.md", "disclosure.schema.json")}
    outputs = {}
    for command in RUN_HERE:
        outputs[command] = run(command)
    # What each one did, as a reader would look for it.
    assert (checkout / "site" / "index.html").is_file() and (checkout / "site" / "es" / "index.html").is_file()
    assert re.match(r"(built site/: 63 disclosures|site/ is up to date)", outputs["python3 build.py build"].stdout)
    assert outputs["python3 build.py check"].stdout.startswith("ok: 63 disclosures")
    new = checkout / "content" / "disclosures" / "iran-2024-05.yaml"
    assert "draft: true" in new.read_text() and "\ntitle: …\n" in new.read_text()
    assert outputs["python3 build.py check --full"].stdout.startswith("ok: 64 disclosures")  # the new draft, placeholders and all
    assert {rel: (checkout / rel).read_bytes() for rel in before} == before  # the generated reference was current
    assert re.search(r"checked \d+ links in site/: 0 broken", outputs["python3 build.py linkcheck"].stdout)
    assert Path(outputs["python3 -m takedowns.browser"].stdout.strip()).is_file()
    weights = outputs["python3 bench/page_weight.py"].stdout.splitlines()[1:]
    assert len(weights) == 16 and all(" not loaded " in line for line in weights)  # no chart library before a reader reaches for one
    assert (checkout / "takedowns/locale/fr/LC_MESSAGES/messages.po").is_file()
    assert "translated" in outputs["pybabel compile -d takedowns/locale --statistics"].stderr

    for command, url in SERVED.items():
        server = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=env, start_new_session=True)
        try:
            body = b""
            for _ in range(100):
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (localhost)
                        body = response.read()
                    break
                except OSError:
                    time.sleep(0.2)
            assert b"<h1" in body, command
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


@pytest.mark.parametrize("command", ["python3 build.py check"])
def test_check_refuses_placeholders_once_a_disclosure_is_not_a_draft(command: str, tmp_path: Path) -> None:
    """`new` writes TODO placeholders into a draft; publishing it (draft: false) with them left is an error in check and
    build alike, named by line and column."""
    from conftest import Project

    project = Project(tmp_path)
    done = subprocess.run(["python3", str(ROOT / "build.py"), "new", "--id", "iran-2024-05", "--title", "Iran network", "--platform", "meta",
                           "--country", "Iran", "--accounts", "3", "--announced", "2024-05-01", "--content", str(project.content)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    path = project.content / "disclosures" / "iran-2024-05.yaml"
    args = ["--content", str(project.content), "--data", str(project.data)]
    assert subprocess.run([*command.split(), *args], capture_output=True, text=True, cwd=ROOT).returncode == 0  # a draft may hold them
    path.write_text(path.read_text().replace("draft: true", "draft: false"))
    for cmd in (command.split(), ["python3", "build.py", "build", "--output", str(tmp_path / "out"), "--templates", str(ROOT / "templates"),
                                  "--cache", str(tmp_path / "c")]):
        done = subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        lines = [n for n, t in enumerate(path.read_text().splitlines(), 1) if "TODO" in t and not t.lstrip().startswith("#")]
        for n in lines:
            assert f"iran-2024-05.yaml:{n}:" in done.stderr and "placeholder 'TODO' left from `build.py new`" in done.stderr, done.stderr
        assert "placeholder 'https://example.org/announcement'" in done.stderr
    assert not (tmp_path / "out").exists()
