"""Nothing lost, nothing stale, nothing unverified, and a message instead of a traceback for every input `check` lets through."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, Project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from takedowns.content.countries import country
from takedowns.errors import BuildError

BUILD = [sys.executable, str(ROOT / "build.py")]


def run(*args: str, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([*BUILD, *args], capture_output=True, text=True, cwd=cwd or ROOT, stdin=subprocess.DEVNULL, timeout=300, **kwargs)


def build_cli(project: Project, *extra: str, output: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run("build", "--content", str(project.content), "--data", str(project.data), "--output", str(output or project.output),
               "--cache", str(project.root / "cache"), "--now", "2026-01-01T00:00:00Z", "--no-search", "--quiet", *extra, cwd=cwd)


def check_cli(project: Project, *extra: str) -> subprocess.CompletedProcess[str]:
    return run("check", "--content", str(project.content), "--data", str(project.data), "--cache", str(project.root / "cache"),
               "--now", "2026-01-01T00:00:00Z", *extra)


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr.replace("DataError", ""), done.stderr


# ---------------------------------------------------------------- the output folder is replaced whole: never a person's folder


def test_build_refuses_a_folder_it_did_not_make_and_keeps_its_files(project: Project) -> None:
    project.add()
    docs = project.root / "docs"
    docs.mkdir()
    (docs / "NOTES.md").write_text("notes")
    done = build_cli(project, output=docs)
    assert done.returncode == 1
    assert "not empty and was not built by this tool" in done.stderr
    assert (docs / "NOTES.md").read_text() == "notes" and len(list(docs.iterdir())) == 1
    no_traceback(done)


@pytest.mark.parametrize("which", ["data", "content", "cwd", "parent", "git"])
def test_build_refuses_inputs_the_working_folder_and_checkouts(project: Project, which: str) -> None:
    project.add()
    checkout = project.root / "checkout"
    (checkout / ".git").mkdir(parents=True)
    (checkout / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    target, cwd = {"data": (project.data, None), "content": (project.content, None), "cwd": (Path("."), project.root),
                   "parent": (Path(".."), project.data), "git": (checkout, None)}[which]
    before = sorted(str(p) for p in project.root.rglob("*"))
    done = build_cli(project, output=target, cwd=cwd)
    assert done.returncode == 1, done.stdout
    assert "refused" in done.stderr or "working folder" in done.stderr
    assert sorted(str(p) for p in project.root.rglob("*")) == before  # not one file gone
    no_traceback(done)


def test_build_replaces_its_own_earlier_output_and_an_empty_folder(project: Project) -> None:
    project.add()
    project.output.mkdir()
    assert build_cli(project).returncode == 0
    mark = json.loads((project.output / ".takedowns-output").read_text())
    written = sorted(str(p.relative_to(project.output)) for p in project.output.rglob("*") if p.is_file())
    assert mark == {"generator": "takedowns", "preview": False, "files": written}
    project.add(title="Second title")
    assert build_cli(project).returncode == 0
    assert "Second title" in (project.output / "disclosures/tiny-2019/index.html").read_text()


def test_serve_never_writes_a_preview_into_a_published_build(project: Project) -> None:
    project.add()
    assert build_cli(project).returncode == 0
    before = _tree(project.output)
    for spelled in (str(project.output), str(project.output / ".." / "site")):
        done = run("serve", "--content", str(project.content), "--data", str(project.data), "--output", spelled, "--port", "0",
                   "--cache", str(project.root / "cache"), "--no-search")
        assert done.returncode == 1 and "holds a published build" in done.stderr, done.stderr
    assert _tree(project.output) == before
    # and `serve --output site/../site` from the repository root is refused by resolving the path
    done = run("serve", "--output", "site/../site", "--port", "0")
    assert done.returncode == 2 and "will not write into site/" in done.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- verified and fresh


def _same_size_and_mtime(path: Path, new: bytes) -> None:
    """Change a file's bytes but keep its size and modification time, as cp -p, rsync -t, tar and unzip do."""
    st = path.stat()
    assert len(new) == st.st_size
    path.write_bytes(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_pinned_file_changed_behind_its_size_and_mtime_is_refused(project: Project) -> None:

    users = project.data / "tiny" / "users.csv"
    pin = hashlib.sha256(users.read_bytes()).hexdigest()
    project.add(datasets=[{"role": "users", "path": "tiny/users.csv", "sha256": pin}, {"role": "tweets", "path": "tiny/tweets.csv"}])
    assert build_cli(project).returncode == 0
    _same_size_and_mtime(users, users.read_bytes().replace(b"Caracas", b"Caramba"))
    done = build_cli(project)
    assert done.returncode == 1 and f"not {pin} as given" in done.stderr, done.stderr


def test_a_pinned_file_is_hashed_on_every_build_even_when_the_remembered_stat_matches(project: Project) -> None:
    """The change time guards unpinned files; a pin does not even trust that: a lying memo cannot pass a tampered file."""

    users = project.data / "tiny" / "users.csv"
    pin = hashlib.sha256(users.read_bytes()).hexdigest()
    project.add(datasets=[{"role": "users", "path": "tiny/users.csv", "sha256": pin}, {"role": "tweets", "path": "tiny/tweets.csv"}])
    assert build_cli(project).returncode == 0
    users.write_bytes(users.read_bytes().replace(b"Caracas", b"Caramba"))
    memo_file = project.root / "cache" / "hashes.json"
    memo = json.loads(memo_file.read_text())
    st = users.stat()
    key = next(k for k in memo if k.endswith("users.csv"))
    memo[key] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev, pin]  # remembers the new stat with the old hash
    memo_file.write_text(json.dumps(memo))
    done = build_cli(project)
    assert done.returncode == 1 and f"not {pin} as given" in done.stderr, done.stderr


@pytest.mark.parametrize("suffix", ["", ".gz", ".zip"])
def test_a_file_replaced_after_loading_is_neither_counted_nor_cached(project: Project, suffix: str) -> None:
    """The pin covers what is counted: the bytes read for the statistics are hashed as they are read."""
    import gzip
    import zipfile

    from takedowns.content.load import Hasher, load_content
    from takedowns.errors import DataError
    from takedowns.statistics.compute import compute_all
    from takedowns.statistics.tasks import Cache

    users = project.data / "tiny" / "users.csv"
    original = users.read_bytes()
    path = users.with_name("users.csv" + suffix)

    def write(data: bytes) -> None:
        if suffix == ".gz":
            path.write_bytes(gzip.compress(data, mtime=0))
        elif suffix == ".zip":
            with zipfile.ZipFile(path, "w") as z:  # a fixed time: the same data is the same bytes, whenever written
                z.writestr(zipfile.ZipInfo("users.csv", date_time=(2019, 1, 1, 0, 0, 0)), data)
        else:
            path.write_bytes(data)

    write(original)
    pin = hashlib.sha256(path.read_bytes()).hexdigest()
    project.add(datasets=[{"role": "users", "path": f"tiny/users.csv{suffix}", "sha256": pin}, {"role": "tweets", "path": "tiny/tweets.csv"}])
    content = load_content(project.content, project.data, Hasher())  # loaded and checked against the pin
    write(original.replace(b"Caracas", b"Caramba"))  # a download finishing, a second process: replaced after loading
    cache = Cache(project.root / "cache" / "stats")
    with pytest.raises(DataError, match=rf"tiny/users.csv{re.escape(suffix)}: changed while this build read it"):
        compute_all(content.disclosures, cache, False, 1, None, progress=False)
    write(original)  # the pinned original is back: the figures are its own, not the replacement's
    content = load_content(project.content, project.data, Hasher())
    stats = compute_all(content.disclosures, cache, False, 1, None, progress=False)
    assert "Caramba" not in {r["value"] for r in stats["tiny-2019"]["top_locations"]}
    assert "Caracas" in {r["value"] for r in stats["tiny-2019"]["top_locations"]}


def test_a_file_replaced_before_it_is_copied_into_the_site_is_refused(project: Project) -> None:

    from takedowns.errors import BuildError
    from takedowns.site.documents import Copy
    from takedowns.site.write import write_site

    users = project.data / "tiny" / "users.csv"
    counted = hashlib.sha256(users.read_bytes()).hexdigest()
    project.add()
    assert build_cli(project).returncode == 0
    before = _tree(project.output)
    users.write_bytes(users.read_bytes().replace(b"Caracas", b"Caramba"))
    with pytest.raises(BuildError, match="data/tiny-2019/tiny/users.csv: changed while this build copied it"):
        write_site({"index.html": b"new", "data/tiny-2019/tiny/users.csv": Copy(users, counted)}, project.output)
    assert _tree(project.output) == before  # the previous site, whole


def test_a_published_file_changed_behind_its_size_and_mtime_is_recomputed_and_recopied(project: Project) -> None:
    project.add()
    assert build_cli(project).returncode == 0
    users = project.data / "tiny" / "users.csv"
    changed = users.read_bytes().replace(b"Caracas", b"Caramba")
    _same_size_and_mtime(users, changed)
    assert build_cli(project).returncode == 0
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert "Caramba" in {r["value"] for r in stats["top_locations"]}
    assert (project.output / "data/tiny-2019/tiny/users.csv").read_bytes() == changed

    assert hashlib.sha256(changed).hexdigest() in {f["sha256"] for f in stats["files"]}


def test_the_statistics_cache_is_keyed_on_the_code_that_computes_them(project: Project, tmp_path: Path) -> None:
    """Change how hashtags are counted in a copy of the package: the same cache must not serve the old figures."""
    project.add()
    copy = tmp_path / "code"
    shutil.copytree(ROOT / "takedowns", copy / "takedowns", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", copy / "build.py")
    stats_py = copy / "takedowns" / "formats" / "twitter" / "partial.py"
    stats_py.write_text(stats_py.read_text().replace('pattern="^#+", replacement=""', 'pattern="^#*", replacement="tag:"'))
    command = ["build", "--content", str(project.content), "--data", str(project.data), "--templates", str(ROOT / "templates"),
               "--cache", str(project.root / "cache"), "--now", "2026-01-01T00:00:00Z", "--no-search", "--quiet"]
    env = {**os.environ}
    first = subprocess.run([*BUILD, *command, "--output", str(project.root / "a")], capture_output=True, text=True, cwd=ROOT, env=env)
    assert first.returncode == 0, first.stderr
    second = subprocess.run([sys.executable, str(copy / "build.py"), *command, "--output", str(project.root / "b")],
                            capture_output=True, text=True, cwd=ROOT, env=env)
    assert second.returncode == 0, second.stderr
    tags = [json.loads((project.root / o / "disclosures/tiny-2019/stats.json").read_text())["top_hashtags"][0]["value"] for o in "ab"]
    assert tags[1] == "tag:" + tags[0]


def test_the_whole_build_key_covers_every_installed_distribution_it_imports(monkeypatch: pytest.MonkeyPatch, project: Project) -> None:
    from importlib import metadata

    from takedowns import freshness

    names = dict(freshness.distributions())
    for name in ("pandas", "numpy", "pyyaml", "markupsafe", "pycountry", "pyarrow", "jinja2", "nh3", "vl-convert-python"):
        assert names.get(name) not in (None, "none"), name
    options = project.options()
    before = freshness.raw_key(options)
    real = metadata.distribution

    class Upgraded:
        def __init__(self, dist):  # type: ignore[no-untyped-def]
            self.requires, self.version = dist.requires, dist.version + ".post99"

    monkeypatch.setattr(metadata, "distribution", lambda name: Upgraded(real(name)) if name == "pycountry" else real(name))
    freshness.distributions.cache_clear()
    try:
        assert freshness.raw_key(options) != before
    finally:
        freshness.distributions.cache_clear()


def test_broken_cache_entries_are_misses_not_crashes_or_published(project: Project) -> None:
    project.add()
    project.images = None  # the cache's own images/, which this test damages
    project.build()
    good = _tree(project.output)
    stats_entries = sorted((project.root / "cache" / "stats").glob("*.part"))
    images = list((project.root / "cache" / "images").glob("*.svg"))
    assert len(stats_entries) == 2 and images
    truncated, edited = stats_entries
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    data = edited.read_bytes()  # a field missing from the stored header: from another version, or edited by hand
    assert data.count(b'"fields":{"rows":') == 1
    edited.write_bytes(data.replace(b'"fields":{"rows":', b'"fields":{"ro_s":'))
    for image in images:
        image.write_bytes(image.read_bytes()[: image.stat().st_size // 2])
    shutil.rmtree(project.output)
    project.build()
    assert _tree(project.output) == good


def test_atomic_writes_use_unique_temporary_names(tmp_path: Path) -> None:

    target = tmp_path / "f.json"
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\nfrom pathlib import Path\nfrom takedowns.files import atomic_write\n"
            f"for i in range(300): atomic_write(Path({str(target)!r}), (sys.argv[1] * 5000).encode())\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, c]) for c in "ab"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert target.read_bytes() in (b"a" * 5000, b"b" * 5000)
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # no temporary left behind


# ---------------------------------------------------------------- file:line: message, never a traceback


def _rows(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def _edit_tweets(project: Project, fn) -> Path:  # type: ignore[no-untyped-def]
    path = project.data / "tiny" / "tweets.csv"
    path.write_text(fn(path.read_text()))
    return path


@pytest.mark.parametrize(("name", "edit", "message"), [
    ("impossible day", lambda t: t.replace("2019-01-07 10:15", "2019-02-30 10:15", 1), "tweet_time is '2019-02-30 10:15', expected a real date"),
    ("hour 99", lambda t: t.replace("2019-01-07 10:15", "2019-01-07 99:99", 1), "tweet_time is '2019-01-07 99:99'"),
    ("huge count", lambda t: t.replace('"3","1","[\'Venezuela\'', '"99999999999999999999","1","[\'Venezuela\'', 1), "like_count is '99999999999999999999'"),
    ("sum that wraps", lambda t: t.replace('"3","1","[\'Venezuela\'', '"9223372036854775807","1","[\'Venezuela\'', 1), "like_count is '9223372036854775807'"),
])
def test_bad_values_are_errors_with_their_line_and_check_full_finds_them(project: Project, name: str, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    project.add()
    _edit_tweets(project, edit)
    assert check_cli(project).returncode == 0  # headers are fine
    for done in (check_cli(project, "--full"), build_cli(project)):
        assert done.returncode == 1, done.stdout
        assert re.search(r"tiny/tweets\.csv:2: " + re.escape(message), done.stderr), done.stderr
        no_traceback(done)
    skipped = build_cli(project, "--skip-bad-rows")
    assert skipped.returncode == 0, skipped.stderr
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert stats["skipped_rows"][0]["rows"] == 1 and stats["skipped_rows"][0]["lines"] == [2]


def test_an_impossible_account_creation_date_is_an_error(project: Project) -> None:
    project.add()
    users = project.data / "tiny" / "users.csv"
    users.write_text(users.read_text().replace("2018-01-05", "2019-13-45", 1))
    done = build_cli(project)
    assert done.returncode == 1 and "tiny/users.csv:2: account_creation_date is '2019-13-45', expected a real date" in done.stderr


def _zip_of(project: Project, name: str) -> Path:
    path = project.data / "tiny" / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.write(project.data / "tiny" / "tweets.csv", "tweets.csv")
    return path


def _patch_zip(path: Path, local: int, central: int, value: bytes) -> None:
    data = bytearray(path.read_bytes())
    lo, ce = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[lo + local:lo + local + len(value)] = value
    data[ce + central:ce + central + len(value)] = value
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("kind", "message"), [
    ("truncated gzip", "is truncated or corrupt: the compressed data ends too early"),
    ("bad crc", "is truncated or corrupt: Bad CRC-32"),
    ("encrypted", "cannot be read: it is encrypted"),
    ("deflate64", "cannot be read: its compression method (9) is not one this reader knows"),
])
def test_damaged_archives_are_named_not_tracebacks(project: Project, kind: str, message: str) -> None:
    if kind == "truncated gzip":
        raw = gzip.compress((project.data / "tiny" / "tweets.csv").read_bytes() * 50)
        path = project.data / "tiny" / "t.csv.gz"
        path.write_bytes(raw[: len(raw) // 2])
    else:
        path = _zip_of(project, "t.zip")
        if kind == "bad crc":
            data = bytearray(path.read_bytes())
            at = data.index(b"Hola")
            data[at] = ord("J")
            path.write_bytes(bytes(data))
        elif kind == "encrypted":
            _patch_zip(path, 6, 8, b"\x01\x00")
        else:
            _patch_zip(path, 8, 10, b"\x09\x00")
    project.add(datasets=[{"role": "tweets", "path": f"tiny/{path.name}"}])
    for done in (check_cli(project, "--full"), build_cli(project)):
        assert done.returncode == 1
        assert f"tiny/{path.name}: " in done.stderr and message in done.stderr, done.stderr
        no_traceback(done)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("publish_at", "9999-12-31T23:59:00-01:00", "is out of range"),
    ("publish_at", "0001-01-01T00:00:00+01:00", "is out of range"),
    ("accounts_announced", "9" * 5000, "at most 1,000,000,000,000"),
    ("accounts_announced", "10000000000000000000000000000000", "at most 1,000,000,000,000"),
    ("body", "- " * 500 + "x", "nests lists or quotes 500 levels deep"),
    ("body", "[" * 8000, "8,000 '[' characters"),
    ("countries", "[Iran, IR, iran]", "'IR' is 'Iran' again, already given as 'Iran' at line"),
    ("tags", "[a, b, a]", "'a' is 'a' again"),
])
def test_values_that_crashed_later_are_refused_by_check_with_their_line(project: Project, field: str, value: str, message: str) -> None:
    import yaml
    from conftest import disclosure_dict

    quoted = value if field in ("countries", "tags") or value.isdigit() else json.dumps(value)
    rest = yaml.safe_dump(disclosure_dict(**{field: None}), sort_keys=False, allow_unicode=True)
    project.write("tiny-2019.yaml", rest + f"{field}: {quoted}\n")
    for done in (check_cli(project), build_cli(project)):
        assert done.returncode == 1
        assert re.search(r"tiny-2019\.yaml:\d+:\d+: " + ".*" + re.escape(message), done.stderr), done.stderr[:2000]
        no_traceback(done)


def test_the_worst_markdown_within_the_limits_renders_in_under_two_seconds() -> None:
    from takedowns.content.text_rules import MAX_BRACKETS, MAX_NESTING, markdown_problem
    from takedowns.site.render import render_markdown

    paragraph = "![" * (MAX_BRACKETS // 2)
    worst = [
        "\n\n".join([paragraph] * (50_000 // (len(paragraph) + 2))),
        "\n\n".join(["[x](" * MAX_BRACKETS] * (50_000 // (4 * MAX_BRACKETS + 2))),
        "- " * MAX_NESTING + "x",
        "\n".join("    " * i + "- x" for i in range(MAX_NESTING)),
        "> " * MAX_NESTING + "x",
    ]
    for text in worst:
        text = text[:50_000]
        assert markdown_problem(text) is None
        started = time.perf_counter()
        render_markdown(text)
        assert time.perf_counter() - started < 2.0


def test_a_long_field_is_read_alike_by_both_readers(project: Project) -> None:
    """A 200 KiB tweet text: the fast reader and the careful one (used to skip a bad row elsewhere) keep the same rows."""
    project.add()
    _edit_tweets(project, lambda t: t.replace("Hola, \"\"mundo\"\"", "x" * (200 << 10), 1))
    assert build_cli(project).returncode == 0
    fast = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    _edit_tweets(project, lambda t: t.replace("2019-01-08 23:59", "2019-02-31 23:59", 1))
    done = build_cli(project, "--skip-bad-rows")
    assert done.returncode == 0, done.stderr
    careful = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert careful["tweets"] == fast["tweets"] - 1 and careful["skipped_rows"][0]["rows"] == 1


def test_a_full_disk_is_a_message_and_the_old_site_stays(project: Project) -> None:
    import resource

    project.add()
    assert build_cli(project).returncode == 0
    before = _tree(project.output)
    project.add(title="A new title")

    def small_files() -> None:  # writes past 64 KiB fail as on a full disk (EFBIG instead of ENOSPC)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))

    done = subprocess.run([*BUILD, "build", "--content", str(project.content), "--data", str(project.data), "--output",
                           str(project.output), "--no-cache", "--now", "2026-01-01T00:00:00Z", "--no-search", "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, preexec_fn=small_files, timeout=300)
    assert done.returncode == 1
    assert "cannot write the site: File too large" in done.stderr and "previous site is untouched" in done.stderr, done.stderr
    no_traceback(done)
    assert _tree(project.output) == before


# ---------------------------------------------------------------- silent wrong figures


def test_an_account_on_two_rows_is_an_error_naming_both_lines(project: Project) -> None:
    project.add()
    users = project.data / "tiny" / "users.csv"
    text = users.read_text()
    last = text.splitlines()[-1]
    users.write_text(text + last.replace('"0004"', '"111"', 1) + "\n")
    done = build_cli(project)
    assert done.returncode == 1
    assert re.search(r"tiny/users\.csv:\d+: userid '111' is given again \(first at tiny/users\.csv:2\)", done.stderr), done.stderr


def test_one_file_matched_twice_is_an_error(project: Project) -> None:
    tweets = project.data / "tiny" / "tweets.csv"
    (project.data / "tiny" / "tweets.csv.gz").write_bytes(gzip.compress(tweets.read_bytes(), mtime=0))
    project.add(datasets=[{"role": "tweets", "path": "tiny/tweets.csv*"}])
    done = check_cli(project)
    assert done.returncode == 1 and "look like the same file in two packings" in done.stderr
    shutil.copy(tweets, project.data / "tiny" / "copy.csv")
    project.add(datasets=[{"role": "tweets", "path": ["tiny/tweets.csv", "tiny/copy.csv"]}])
    done = check_cli(project)
    assert done.returncode == 1 and "are the same file (same SHA-256)" in done.stderr


def test_sums_are_exact_however_large() -> None:
    import pyarrow as pa

    from takedowns.formats.twitter.partial import _int_sum, numbers

    assert _int_sum(numbers(pa.array(["999999999999999"] * 10_000 + ["1", ""]))) == 999999999999999 * 10_000 + 1


PLATFORM_NAMES = {
    "Turkey": "TR", "Türkiye": "TR", "UAE": "AE", "United Arab Emirates": "AE", "Russia": "RU", "Iran": "IR", "Syria": "SY",
    "Palestine": "PS", "Kosovo": "XK", "Taiwan": "TW", "Hong Kong": "HK", "North Macedonia": "MK", "Macedonia": "MK",
    "Côte d'Ivoire": "CI", "Ivory Coast": "CI", "Myanmar": "MM", "Burma": "MM", "Czechia": "CZ", "Czech Republic": "CZ",
    "Eswatini": "SZ", "Swaziland": "SZ", "DR Congo": "CD", "Democratic Republic of the Congo": "CD", "Republic of the Congo": "CG",
    "Cabo Verde": "CV", "Cape Verde": "CV", "Laos": "LA", "Vietnam": "VN", "South Korea": "KR", "North Korea": "KP",
    "Bolivia": "BO", "Venezuela": "VE", "Tanzania": "TZ", "Moldova": "MD",
}


@pytest.mark.parametrize("name", sorted(PLATFORM_NAMES))
def test_the_country_names_platforms_write_are_accepted_exactly(name: str) -> None:
    assert country(name).code == PLATFORM_NAMES[name]


def test_unknown_country_names_are_not_guessed() -> None:
    for wrong in ("Kosova", "Serbiaa", "Atlantis"):
        with pytest.raises(ValueError):
            country(wrong)


# ---------------------------------------------------------------- content files: one rule for the loader and the watcher


def test_editor_temporaries_are_ignored_any_case_yaml_is_read_and_links_out_are_refused(project: Project, tmp_path: Path) -> None:
    from takedowns.authoring.serve import snapshot
    from takedowns.content.load import load_content

    project.add()
    folder = project.content / "disclosures"
    (folder / ".#tiny-2019.yaml").write_text("garbage: [")
    (folder / "tiny-2019.yaml~").write_text("garbage: [")
    (folder / ".tiny-2019.yaml.swp").write_bytes(b"\x00\x01")
    (folder / "Other.YAML").write_text((folder / "tiny-2019.yaml").read_text().replace("tiny-2019", "other-2019"))
    content = load_content(project.content, project.data)
    assert sorted(d.id for d in content.disclosures) == ["other-2019", "tiny-2019"]
    assert sorted(Path(p).name for p in snapshot([project.content])) == ["Other.YAML", "site.yaml", "tiny-2019.yaml"]
    outside = tmp_path / "outside.yaml"
    outside.write_text((folder / "tiny-2019.yaml").read_text().replace("tiny-2019", "outside-2019"))
    (folder / "linked.yaml").symlink_to(outside)
    with pytest.raises(BuildError, match="linked.yaml: leads outside"):
        load_content(project.content, project.data)


def test_a_duplicate_key_does_not_hide_the_other_problems(project: Project) -> None:
    path = project.add()
    path.write_text(path.read_text() + "title: Again\ntitel: typo\n")
    done = check_cli(project)
    assert "duplicate key 'title'" in done.stderr and "unknown key 'titel'" in done.stderr, done.stderr


# ---------------------------------------------------------------- new


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120).filter(lambda t: t.strip() == t and t),
       accounts=st.integers(0, 10**12),
       names=st.lists(st.sampled_from(sorted(PLATFORM_NAMES) + ["Iran, Islamic Republic of", "NO", "Bolivia, Plurinational State of"]),
                      min_size=1, max_size=3, unique_by=lambda n: country(n).code))
def test_new_writes_what_was_asked_and_it_passes_check(tmp_path_factory: pytest.TempPathFactory, title: str, accounts: int,
                                                       names: list[str]) -> None:
    import datetime as dt

    from takedowns.authoring.editing import NewDisclosure, new_disclosure
    from takedowns.content.load import Hasher, load_disclosure

    folder = tmp_path_factory.mktemp("new")
    path = new_disclosure(folder, NewDisclosure("prop-1", title, "meta", dt.date(2024, 5, 2), tuple(names), accounts))
    d, problems = load_disclosure(path, folder, Hasher())
    assert problems == [] and d is not None
    assert (d.id, d.title, d.platform, d.accounts_announced) == ("prop-1", title, "meta", accounts)
    assert [c.code for c in d.countries] == [country(n).code for n in names]
    assert d.draft is True


@pytest.mark.parametrize(("args", "message"), [
    (["--title", "a\n---\nb"], "expected one line of text"),
    (["--title", "bell\x07"], "control character U+0007"),
    (["--id", "a" * 100], "at most 80 allowed"),
    (["--id", "a" * 300], "at most 80 allowed"),
    (["--accounts", "-5"], "at least 0"),
])
def test_new_refuses_answers_the_build_would_refuse_and_writes_nothing(project: Project, args: list[str], message: str) -> None:
    base = {"--id": "x-1", "--title": "T", "--platform": "meta", "--country": "Iran"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    done = run("new", "--content", str(project.content), *[x for kv in base.items() for x in kv])
    assert done.returncode == 1 and message in done.stderr, done.stderr
    no_traceback(done)
    assert list((project.content / "disclosures").iterdir()) == []


def test_new_with_an_argument_that_is_not_utf8_writes_nothing(project: Project) -> None:
    done = subprocess.run([*BUILD, "new", "--content", str(project.content), "--id", "x-1", "--title", b"\xff\xfe".decode("utf-8", "surrogateescape"),
                           "--platform", "meta", "--country", "IR"], capture_output=True, cwd=ROOT, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and b"not valid UTF-8" in done.stderr
    assert list((project.content / "disclosures").iterdir()) == []


# ---------------------------------------------------------------- the preview server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_serve(project: Project, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen([*BUILD, "serve", "--content", str(project.content), "--data", str(project.data), "--output",
                             str(project.root / "preview"), "--cache", str(project.root / "cache"), "--port", str(port), "--no-search"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _get(port: int, path: str, host: str | None = None) -> tuple[int, bytes, list[str]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read(), r.headers.get_all("Cache-Control") or []
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get_all("Cache-Control") or []


def _wait_for(port: int, path: str, want, timeout: float = 60) -> tuple[int, bytes, list[str]]:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while True:
        try:
            answer = _get(port, path)
            if want(answer):
                return answer
        except OSError:
            pass
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {path}")
        time.sleep(0.2)


def test_serve_answers_only_to_localhost_stays_up_on_any_failure_and_a_second_one_says_the_port_is_taken(project: Project) -> None:
    project.add(draft=True)
    port = _free_port()
    server = _start_serve(project, port)
    try:
        status, _, cache_control = _wait_for(port, "/disclosures/tiny-2019/stats.json", lambda a: a[0] == 200)
        assert cache_control == ["no-store"]  # once
        for evil in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.nip.io"):
            assert _get(port, "/disclosures/tiny-2019/stats.json", host=evil)[0] == 421
        assert _get(port, "/disclosures/tiny-2019/stats.json", host=f"localhost:{port}")[0] == 200
        (project.content / "site.yaml").write_text((project.content / "site.yaml").read_text() + "bogus: [\n")
        status, body, _ = _wait_for(port, "/", lambda a: a[0] == 500)
        assert b"site.yaml" in body
        # A second serve on the same port fails at once, before touching the shared preview.
        before = _tree(project.root / "preview")
        second = _start_serve(project, port)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 1 and f"port {port} on 127.0.0.1 is in use" in err, err
        assert _tree(project.root / "preview") == before
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)


def test_serve_answers_a_nul_path_with_400_and_closes_idle_connections(project: Project) -> None:
    project.add()
    port = _free_port()
    server = _start_serve(project, port)
    try:
        _wait_for(port, "/", lambda a: a[0] == 200)
        for path in ("/%00", "/disclosures/%00/index.html", "/a%00b"):
            assert _get(port, path)[0] == 400
        idle = socket.create_connection(("127.0.0.1", port))
        idle.settimeout(60)
        start = time.monotonic()
        assert idle.recv(1) == b""  # sent nothing: the server closes it
        assert time.monotonic() - start < 45
        idle.close()
        assert _get(port, "/")[0] == 200
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert "Traceback" not in err, err


def test_serve_survives_an_internal_error(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from takedowns.authoring import serve as serve_module
    from takedowns.authoring.serve import Preview

    project.add()

    def broken(options):  # type: ignore[no-untyped-def]
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(serve_module, "build", broken)
    preview = Preview(project.options())
    preview.rebuild()
    assert preview.problems and "internal error (RecursionError" in preview.problems[0]


# ---------------------------------------------------------------- downloads and links


def test_a_data_file_with_a_hash_in_its_name_gets_a_working_link_and_linkcheck_reads_css_feed_and_sitemap(project: Project) -> None:
    from takedowns.linkcheck import broken_links

    shutil.copy(project.data / "tiny" / "tweets.csv", project.data / "tiny" / "tweets #1.csv")
    project.add(datasets=[{"role": "users", "path": "tiny/users.csv"}, {"role": "tweets", "path": "tiny/tweets #1.csv"}])
    project.build(node_modules=ROOT / "node_modules")
    problems, checked = broken_links(project.output)
    assert problems == [] and checked > 50
    page = (project.output / "disclosures/tiny-2019/index.html").read_text()
    assert 'href="../../data/tiny-2019/tiny/tweets%20%231.csv"' in page
    # break one link of each kind the HTML crawl does not see
    (project.output / "assets" / "style.css").write_text("body{background:url(missing.png)}")
    feed = project.output / "feed.xml"
    feed.write_text(feed.read_text().replace("disclosures/tiny-2019/", "disclosures/gone/"))
    problems, _ = broken_links(project.output)
    assert any("style.css: url(missing.png)" in p for p in problems)
    assert any(p.startswith("feed.xml: https://example.test/site/disclosures/gone/") for p in problems)


def test_every_published_csv_neutralises_spreadsheet_formulas(project: Project) -> None:
    project.add(title="=HYPERLINK(\"http://evil.test\")")
    project.build()
    text = (project.output / "disclosures.csv").read_text()
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_killed_builds_leave_no_workers_running(project: Project) -> None:
    import datetime as dt

    from takedowns.authoring.synthetic import Release, Style, write_release

    release = Release("big", 2000, 200_000, 9, dt.date(2018, 1, 1), dt.date(2019, 1, 1), ("en",), ("a", "b"), ("x.test",), ("here",), Style())
    write_release(release, project.data / "big", parts=4)
    project.add(datasets=[{"role": "users", "path": "big/big_users_csv_hashed.csv"}, {"role": "tweets", "path": "big/big_tweets_csv_hashed_*.csv"}])
    marker = f"--content={project.content}"
    process = subprocess.Popen([*BUILD, "build", marker, "--data", str(project.data), "--output", str(project.output), "--no-cache",
                                "--workers", "2", "--quiet", "--no-search"], cwd=ROOT)

    def ours() -> list[int]:
        pids = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and marker.encode() in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue
        return pids

    end = time.monotonic() + 60
    while len(ours()) < 3 and time.monotonic() < end:  # the build and its two workers
        time.sleep(0.05)
    assert len(ours()) >= 3
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    end = time.monotonic() + 5
    while ours() and time.monotonic() < end:
        time.sleep(0.1)
    assert ours() == []


def test_progress_of_parallel_workers_is_one_line_drawn_by_the_parent() -> None:
    from takedowns.progress import Progress

    stream = io.StringIO()
    p = Progress("statistics of 2 files", 1000, stream=stream, interval=0)
    p.start -= 2
    p.advance_both(300, 10)
    p.advance_both(200, 5)
    p.done()
    lines = stream.getvalue().splitlines()
    assert all(line.startswith("statistics of 2 files") for line in lines)
    assert "500/" not in lines[-1] and "15 rows" in lines[-1]


def test_serve_shows_an_edit_first_then_brings_the_search_index_up_to_date(project: Project) -> None:
    project.add()
    port = _free_port()
    server = subprocess.Popen([*BUILD, "serve", "--content", str(project.content), "--data", str(project.data), "--output",
                               str(project.root / "preview"), "--cache", str(project.root / "cache"), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    entry = project.root / "preview" / "pagefind" / "pagefind-entry.json"
    try:
        _wait_for(port, "/pagefind/pagefind-entry.json", lambda a: a[0] == 200)
        before = entry.read_bytes()
        path = project.content / "disclosures" / "tiny-2019.yaml"
        path.write_text(path.read_text().replace("Tiny test network", "Quokka network"))
        _wait_for(port, "/disclosures/tiny-2019/", lambda a: b"Quokka network" in a[1])
        # Then, without another edit, the index is rebuilt over the changed page.
        _wait_for(port, "/pagefind/pagefind-entry.json", lambda a: a[0] == 200 and a[1] != before, timeout=60)
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)


def test_a_preview_never_replaces_a_published_site(project: Project) -> None:
    project.add()
    assert build_cli(project).returncode == 0
    before = _tree(project.output)
    done = build_cli(project, "--drafts")
    assert done.returncode == 1 and "holds a published build; a preview (drafts and embargoed disclosures) is never written there" in done.stderr
    assert _tree(project.output) == before


def test_a_copied_or_linked_marker_does_not_let_a_build_wipe_other_files(project: Project, tmp_path: Path) -> None:
    """rsync -a site/ ~/www/ copies the marker; the next build into ~/www must not take it for its own output."""
    project.add()
    assert build_cli(project).returncode == 0
    www = tmp_path / "www"
    shutil.copytree(project.output, www)
    (www / "their-page.html").write_text("someone's own page")
    done = build_cli(project, output=www)
    assert done.returncode == 1 and "holds 1 file(s) the last build into it did not write (their-page.html: a copied" in done.stderr, done.stderr
    assert (www / "their-page.html").read_text() == "someone's own page"
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "notes.txt").write_text("mine")
    (linked / ".takedowns-output").symlink_to(project.output / ".takedowns-output")
    done = build_cli(project, output=linked)
    assert done.returncode == 1 and "is a link to another build's" in done.stderr, done.stderr
    assert (linked / "notes.txt").read_text() == "mine"
    assert build_cli(project).returncode == 0  # its own output, untouched since: rebuilt as ever


def test_editing_the_common_hosts_list_invalidates_the_cross_campaign_cache(tmp_path: Path) -> None:
    """The list of hosts too common to link releases is data the cross-campaign views are computed with: their cache key covers it."""
    copy = tmp_path / "code"
    shutil.copytree(ROOT / "takedowns", copy / "takedowns", ignore=shutil.ignore_patterns("__pycache__"))
    script = "from takedowns.freshness import code_digest; print(code_digest('across.campaigns'))"

    def digest() -> str:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=copy, env={**os.environ, "PYTHONPATH": str(copy)})
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    before = digest()
    hosts = copy / "takedowns" / "statistics" / "common_hosts.txt"
    hosts.write_text(hosts.read_text() + "news.test\n")
    assert digest() != before


def test_a_failing_check_full_ends_with_its_message_and_exit_1_every_time(project: Project) -> None:
    """Reader threads are closed when a task stops: the process never ends in a fatal error (exit 134) instead of the message."""
    project.add()
    _edit_tweets(project, lambda t: t.replace("2019-01-07 10:15", "2019-02-30 10:15", 1))
    for _ in range(3):
        done = check_cli(project, "--full")
        assert done.returncode == 1 and "Fatal Python error" not in done.stderr, done.stderr
        assert "tiny/tweets.csv:2: tweet_time is '2019-02-30 10:15'" in done.stderr


def test_serve_runs_as_the_readme_writes_it_with_every_default(tmp_path: Path, port_8000: int) -> None:
    """`python3 build.py serve` in a checkout: the preview goes to .cache/preview, inside the cache, and is served on port 8000."""
    project = Project(tmp_path / "checkout")
    project.add(title="Preview me")
    for name in ("takedowns", "templates", "node_modules"):
        (project.root / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "build.py", project.root / "build.py")
    server = subprocess.Popen(["python3", "build.py", "serve"], cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        status, body, _ = _wait_for(8000, "/disclosures/tiny-2019/", lambda a: a[0] == 200, timeout=120)
        assert b"Preview me" in body
        assert (project.root / ".cache" / "preview" / ".takedowns-output").is_file()
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert "serving the preview" in out and "Traceback" not in err, err


def test_charts_are_measured_in_the_projects_fonts_not_the_machines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The renderer's processes see only takedowns/site/fonts/: Arabic labels are measured in its DejaVu Sans whatever
    the machine's font configuration says, and a change to those fonts redraws every chart (they are in the image key)."""
    from takedowns.site import images

    empty = tmp_path / "no-fonts"
    empty.mkdir()
    conf = tmp_path / "machine.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{empty}</dir></fontconfig>\n')
    code = (f"import os, sys, json; sys.path.insert(0, {str(ROOT)!r})\n"
            "from takedowns.site import images\n"
            "if sys.argv[1] == 'ours': images._only_our_fonts()\n"
            "import vl_convert as vlc\n"
            "spec = {'data': {'values': [{'k': 'الحسابات المزيفة المنسقة', 'v': 3}, {'k': 'Accounts', 'v': 2}]}, 'mark': 'bar',\n"
            "        'encoding': {'y': {'field': 'k', 'type': 'nominal'}, 'x': {'field': 'v', 'type': 'quantitative'}}}\n"
            "print(vlc.vegalite_to_svg(spec)[:400])\n")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}  # a machine whose configuration names a folder without fonts

    def svg(which: str) -> str:
        done = subprocess.run([sys.executable, "-c", code, which], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    ours, machines = svg("ours"), svg("machine")
    # The y axis makes room for its widest label: measured in DejaVu Sans, the Arabic one takes 138 px; a machine with no
    # font for it measures a stand-in instead (a zero for each of its UTF-8 bytes: 198 px), so the plot starts elsewhere.
    shift = re.compile(r'transform="translate\(([0-9.]+),')
    assert shift.search(ours).group(1) == "138" and shift.search(machines).group(1) == "198"  # type: ignore[union-attr]
    assert svg("ours") == ours  # and the same again
    before = images.Images(None)._renderer()
    fonts = tmp_path / "fonts"
    shutil.copytree(images.FONTS, fonts)
    (fonts / "DejaVuSans.ttf").write_bytes((fonts / "DejaVuSans.ttf").read_bytes() + b"\0")
    monkeypatch.setattr(images, "FONTS", fonts)
    assert images.Images(None)._renderer() != before
