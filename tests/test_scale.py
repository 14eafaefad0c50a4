"""Statistics at scale: one streaming path, a Dask path and a whole-file pandas path agree; the cache reads nothing twice."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SITE_YAML, Project
from reference import reference_stats

from takedowns.content.load import load_content
from takedowns.progress import Progress
from takedowns.statistics.compute import compute_all
from takedowns.statistics.tasks import Cache


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project with one synthetic release split over three tweet files, and the tiny fixture."""
    import datetime as dt

    from takedowns.authoring.synthetic import Release, Style, write_release

    project = Project(tmp_path_factory.mktemp("scale"))
    r = Release("mid", 400, 12_000, 11, dt.date(2017, 1, 1), dt.date(2018, 6, 30), ("en", "es", "zh-cn"),
                ("uno", "dos", "tres", "Quatro"), ("a.test", "b.test", "c.test"), ("Here", "There"),
                Style(list_style="bare", hash_kind="hex64", capital_bools=True, float_ids=True, crlf=True, bom=True))
    write_release(r, project.data / "mid", parts=3)
    project.add(id="mid", datasets=[{"role": "users", "path": "mid/mid_users_csv_hashed.csv"},
                                    {"role": "tweets", "path": "mid/mid_tweets_csv_hashed_*.csv"}])
    project.add(id="tiny")
    return project


def _local(project: Project, workers: int) -> dict:
    content = load_content(project.content, project.data)
    return compute_all(content.disclosures, Cache(None), workers=workers)


def test_streaming_equals_whole_file_pandas(release: Project) -> None:
    stats = _local(release, workers=1)["mid"]
    folder = release.data / "mid"
    expected = reference_stats(sorted(folder.glob("*_users_*.csv")), sorted(folder.glob("*_tweets_*.csv")))
    bands = expected.pop("follower_distribution_counts")
    assert [b["count"] for b in stats["follower_distribution"]] == bands
    for key, value in expected.items():
        assert stats[key] == value, key
    assert stats["tweets"] == 12_000 and stats["accounts"] == 400


def test_process_pool_equals_one_process(release: Project) -> None:
    assert _local(release, workers=2) == _local(release, workers=1)


def test_dask_cluster_equals_local(release: Project) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        content = load_content(release.content, release.data)
        on_cluster = compute_all(content.disclosures, Cache(None), scheduler=cluster.scheduler_address)
    assert on_cluster == _local(release, workers=1)
    release.build(scheduler=None)


def test_unreachable_scheduler_is_a_clear_error(release: Project) -> None:
    from takedowns.errors import BuildError

    with pytest.raises(BuildError) as caught:
        release.build(scheduler="tcp://127.0.0.1:9", cache=None)
    # Nothing listens there: said once the address has refused connections for five seconds, not after Dask's 30.
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9: Connection refused for 5 s" in str(caught.value)


def _computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every dataset file whose statistics are computed (read row by row) from now on."""
    from takedowns.statistics import tasks

    seen: list[str] = []
    real = tasks.run_task

    def recording(task):  # type: ignore[no-untyped-def]
        seen.append(task.file.relpath)
        return real(task)

    monkeypatch.setattr(tasks, "run_task", recording)
    return seen


def test_yaml_only_rebuild_reads_no_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project(tmp_path)
    project.add()
    project.build()
    first = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    computed = _computed(monkeypatch)
    (project.content / "disclosures/tiny-2019.yaml").write_text(
        (project.content / "disclosures/tiny-2019.yaml").read_text().replace("Tiny test network", "Retitled"))
    project.build()
    again = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert again["title"] == "Retitled"
    assert {k: v for k, v in again.items() if k != "title"} == {k: v for k, v in first.items() if k != "title"}
    assert computed == []  # statistics came from the cache (the small files were only hashed, to verify downloads)


def test_changed_dataset_recomputes_only_its_own_disclosure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project(tmp_path)
    (project.data / "other").mkdir()
    for name in ("users.csv", "tweets.csv"):
        (project.data / "other" / name).write_bytes((project.data / "tiny" / name).read_bytes())
    project.add()
    project.add(id="other", datasets=[{"role": "users", "path": "other/users.csv"}, {"role": "tweets", "path": "other/tweets.csv"}])
    project.build()
    entries = set((project.root / "cache" / "stats").glob("*.part"))
    computed = _computed(monkeypatch)
    tweets = project.data / "tiny" / "tweets.csv"
    tweets.write_text(tweets.read_text().replace('"2019-01-09 05:30"', '"2019-01-10 05:30"'))
    project.build()
    added = set((project.root / "cache" / "stats").glob("*.part")) - entries
    assert len(added) == 1 and computed == ["tiny/tweets.csv"]  # one file recomputed; "other" not read again
    stats = json.loads((project.output / "disclosures/tiny-2019/stats.json").read_text())
    assert stats["last_tweet"] == "2019-01-10T05:30Z"


def test_noop_rebuild_is_skipped_and_a_damaged_site_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import takedowns.content.load

    project = Project(tmp_path)
    project.add()
    assert not project.build().skipped
    with monkeypatch.context() as m:  # nothing changed: known without loading a disclosure
        m.setattr(takedowns.content.load, "load_content", lambda *a: pytest.fail("loaded the content of a build with nothing to do"))
        assert project.build().skipped
    (project.output / "index.html").unlink()
    assert not project.build().skipped
    assert (project.output / "index.html").is_file()
    assert project.build().skipped
    page = project.output / "disclosures/tiny-2019/index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"Tiny", b"Tinz"))  # the same size, deep in the folder
    assert not project.build().skipped
    assert page.read_bytes() == original
    assert project.build().skipped


def test_an_embargo_lifting_is_not_mistaken_for_no_change(tmp_path: Path) -> None:
    import datetime as dt

    project = Project(tmp_path)
    project.add(publish_at="2026-06-01T00:00:00Z")
    before = project.build(now=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    assert before.published == []
    # Nothing changed and the embargo still holds: skipped (without loading anything: the last build said until when).
    assert project.build(now=dt.datetime(2026, 5, 31, 23, 59, tzinfo=dt.UTC)).skipped
    after = project.build(now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert not after.skipped and after.published == ["tiny-2019"]
    assert (project.output / "disclosures/tiny-2019/index.html").is_file()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_live_line_on_a_terminal_and_plain_lines_in_logs() -> None:
    tty, log = _Terminal(), io.StringIO()
    for stream in (tty, log):
        p = Progress("big.csv", 1000, stream=stream, interval=0)
        p.start -= 2  # as if two seconds had passed
        p.advance(n_bytes=500, n_rows=10)
        p.done()
    assert tty.getvalue().startswith("\rbig.csv: [##########          ]  50% ")
    assert "10 rows" in tty.getvalue() and "ETA" in tty.getvalue() and "MB/s" in tty.getvalue()
    assert log.getvalue().splitlines()[0].startswith("big.csv: [##########          ]  50% ")
    assert "\r" not in log.getvalue()


def test_quiet_build_prints_nothing_on_success(tmp_path: Path) -> None:
    import subprocess

    project = Project(tmp_path)
    project.add()
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(project.content), "--data",
                           str(project.data), "--output", str(project.output), "--cache", str(project.root / "c"), "--quiet",
                           "--no-search"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_incremental_builds_equal_clean_builds_over_random_edit_sequences(tmp_path: Path) -> None:
    """Every build keeps what it can from the last one; after any sequence of edits the site must be what a clean build makes.

    In four languages, with two releases whose data gives coordination signals and links them to each other (the copy
    shares every host, hashtag and account of the other: the cross-campaign sections), and counts-only disclosures."""
    import random

    project = Project(tmp_path / "p")
    (project.content / "site.yaml").write_text(SITE_YAML + "languages: [es, ar, ru]\n")
    (project.data / "copy").mkdir()
    for name in ("users.csv", "tweets.csv"):
        (project.data / "copy" / name).write_bytes((project.data / "tiny" / name).read_bytes())
    project.add()
    project.add(id="copy", title="The copy", datasets=[{"role": "users", "path": "copy/users.csv"}, {"role": "tweets", "path": "copy/tweets.csv"}])
    for i in range(4):
        project.add(id=f"counts-{i}", title=f"Counts only {i}", datasets=[], accounts_announced=10 + i, tags=[f"t{i % 2}"])
    project.build()
    rng = random.Random(11)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)

    def retitle() -> None:
        path = rng.choice(sorted((project.content / "disclosures").glob("*.yaml")))
        path.write_text(path.read_text().replace("title: ", f"title: Edited {rng.randrange(1000)} ", 1))

    def add() -> None:
        project.add(id=f"new-{rng.randrange(10**6)}", title="A new one", datasets=[], accounts_announced=rng.randrange(1, 99))

    def remove() -> None:
        paths = sorted((project.content / "disclosures").glob("counts-*.yaml"))
        if paths:
            rng.choice(paths).unlink()

    def edit_data() -> None:  # a different last tweet in the copy's data
        tweets = project.data / "copy" / "tweets.csv"
        tweets.write_text(tweets.read_text().replace('"2019-01-09 05:', f'"2019-01-09 0{rng.randrange(6, 9)}:', 1))

    def embargo() -> None:
        path = rng.choice(sorted((project.content / "disclosures").glob("*.yaml")))
        text = path.read_text()
        path.write_text(text.replace("publish_at:", "#publish_at:") if "publish_at:" in text and "#publish_at" not in text
                        else text + "\npublish_at: 2030-01-01T00:00:00Z\n")

    def template() -> None:
        page = templates / "disclosure.html"
        page.write_text(page.read_text().replace("</main>", f"<!-- edit {rng.randrange(1000)} --></main>", 1) if "</main>" in page.read_text()
                        else page.read_text() + f"\n{{# {rng.randrange(1000)} #}}\n")

    history: dict[Path, list[str]] = {}

    def undo() -> None:  # an earlier version of a file comes back: its old fragments must not pick up newer files
        for path in sorted((project.content / "disclosures").glob("*.yaml")):
            history.setdefault(path, []).append(path.read_text())
        path = rng.choice(sorted(history))
        path.write_text(rng.choice(history[path]))

    edits = [retitle, add, remove, edit_data, embargo, template, undo, undo]
    kept = 0
    for step in range(10):
        for path in sorted((project.content / "disclosures").glob("*.yaml")):
            history.setdefault(path, []).append(path.read_text())
        for _ in range(rng.randrange(1, 3)):
            rng.choice(edits)()
        search = step in (3, 7, 9)
        inodes = {p: p.stat().st_ino for p in project.output.rglob("*.svg")}
        project.build(templates=templates, search_index=search)
        kept += sum(1 for p, ino in inodes.items() if p.exists() and p.stat().st_ino == ino)  # linked, not rendered again
        clean = tmp_path / f"clean-{step}"
        project.build(templates=templates, search_index=search, output=clean / "site", cache=clean / "cache")
        assert _files(project.output) == _files(clean / "site"), f"step {step}"
    assert kept > 0
    files = _files(project.output)
    assert {"es/index.html", "ar/index.html", "ru/index.html"} <= files.keys()
    with_data = [json.loads(files[p]) for p in files if p.endswith("stats.json") and b'"signals"' in files[p]]
    assert any(isinstance(doc.get("signals"), dict) and doc["signals"].get("co_retweet") for doc in with_data)


def test_the_feed_lists_the_newest_fifty_and_disclosures_json_all(tmp_path: Path) -> None:
    from xml.etree import ElementTree

    from takedowns.site.pages import FEED_ENTRIES

    project = Project(tmp_path)
    for i in range(FEED_ENTRIES + 3):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=i)
        project.add(id=f"n-{i:03d}", title=f"Network {i}", datasets=[], accounts_announced=1, announced=day.isoformat())
    project.build()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ElementTree.parse(project.output / "feed.xml").getroot().findall("a:entry", ns)
    assert len(entries) == FEED_ENTRIES == 50
    published = [e.find("a:published", ns).text for e in entries]
    assert published == sorted(published, reverse=True)
    assert (published[0], published[-1]) == ("2020-02-22T00:00:00Z", "2020-01-04T00:00:00Z")  # the oldest three left out
    assert len(json.loads((project.output / "disclosures.json").read_text())["disclosures"]) == FEED_ENTRIES + 3


def test_records_of_disclosures_json_checked_before_are_not_checked_again_and_a_broken_one_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from takedowns.errors import BuildError
    from takedowns.site import pages

    project = Project(tmp_path)
    project.add()
    project.add(id="other", title="Another", datasets=[], accounts_announced=3)
    project.build()
    checked = json.loads((project.root / "cache" / "builds" / "checked-records.json").read_text())
    assert len(checked) == 2
    real = pages.summary_record
    monkeypatch.setattr(pages, "summary_record", lambda d, s: {**real(d, s), "tweets": "many"} if d.id == "other" else real(d, s))
    path = project.content / "disclosures" / "other.yaml"
    path.write_text(path.read_text().replace("title: Another", "title: Another one"))
    with pytest.raises(BuildError, match=r"disclosures.json \(record other\): tweets: 'many' is not of type"):
        project.build()


def test_records_of_replaced_fragments_are_pruned_after_a_week_and_killed_builds_leave_no_scratch(tmp_path: Path) -> None:
    import os
    import subprocess
    import time

    project = Project(tmp_path)
    project.add()
    project.add(id="other-2019", title="Another network", datasets=None)  # no data: nothing of it shows the retitled one
    project.build()
    fragments = project.root / "cache" / "fragments"
    in_use = sorted(fragments.glob("*.json"))
    week_old = time.time() - 8 * 86400
    stale = fragments / ("0" * 64 + ".json")
    stale.write_text('{"files": {}, "extra": null}')
    for path in [stale, *in_use, fragments / ".pruned"]:  # the last look for unused records was a week ago too
        os.utime(path, (week_old, week_old))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    leftover = project.root / "cache" / f".takedowns-build-{dead}-abc"  # as a killed build leaves its scratch folder
    (leftover / "spill").mkdir(parents=True)
    path = project.content / "disclosures" / "tiny-2019.yaml"
    path.write_text(path.read_text().replace("Tiny test network", "Tiny network"))
    project.build()
    assert not stale.exists() and not leftover.exists()
    kept = [p for p in in_use if p.exists()]
    # The retitled disclosure's page and charts, and the overview (whose timeline names it), are new fragments: their old
    # records go; the other disclosure's page is still in use.
    assert 0 < len(kept) < len(in_use)
    assert all(p.stat().st_mtime > week_old + 86400 for p in kept)


def test_a_damaged_fragment_record_cannot_link_a_file_from_outside_the_site(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.add()
    project.build()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site")
    for record in (project.root / "cache" / "fragments").glob("*.json"):
        data = json.loads(record.read_text())
        data["files"]["../secret.txt"] = "0" * 64
        record.write_text(json.dumps(data))
    manifest = next((project.root / "cache" / "builds").glob("*.files.json"))
    files = json.loads(manifest.read_text())
    st = secret.stat()
    files["../secret.txt"] = [st.st_size, st.st_mtime_ns, st.st_ino, "0" * 64, st.st_ctime_ns]
    manifest.write_text(json.dumps(files))
    path = project.content / "disclosures" / "tiny-2019.yaml"
    path.write_text(path.read_text().replace("summary: ", "summary: Edited. ", 1))
    project.build()
    assert not any("not for the site" in p.read_text(errors="replace") for p in project.output.rglob("*") if p.is_file())


def test_two_builds_into_one_folder_at_once_leave_exactly_one_of_their_sites(tmp_path: Path) -> None:
    import subprocess

    projects = []
    for name in ("a", "b"):
        project = Project(tmp_path / name)
        project.add(title=f"Network {name}")
        for i in range(6):
            project.add(id=f"{name}-{i}", title=f"Counts {name} {i}", datasets=[], accounts_announced=i + 1)
        projects.append(project)
    shared, cache = tmp_path / "shared-site", tmp_path / "shared-cache"
    clean = {}
    for project in projects:
        project.build(output=tmp_path / f"clean-{project.root.name}", cache=tmp_path / f"cache-{project.root.name}")
        clean[project.root.name] = _files(tmp_path / f"clean-{project.root.name}")

    def command(project: Project) -> list[str]:
        return [sys.executable, str(ROOT / "build.py"), "build", "--content", str(project.content), "--data", str(project.data),
                "--templates", str(ROOT / "templates"), "--output", str(shared), "--cache", str(cache), "--now", "2026-01-01T00:00:00Z",
                "--no-search", "--quiet", "--workers", "1"]

    for _ in range(3):
        running = [subprocess.Popen(command(p), cwd=ROOT, stderr=subprocess.PIPE, text=True) for p in projects]
        assert [r.wait(timeout=300) for r in running] == [0, 0], [r.stderr.read() for r in running if r.stderr]
        assert _files(shared) in (clean["a"], clean["b"])


def test_an_output_page_edited_in_place_with_its_times_restored_is_made_again(tmp_path: Path) -> None:
    """Size, mtime and inode as the last build left them, the bytes not: the change time gives it away."""
    import os

    project = Project(tmp_path)
    project.add()
    project.add(id="other", title="Another", datasets=[], accounts_announced=3)
    project.build()
    page = project.output / "disclosures/tiny-2019/index.html"
    original = page.read_bytes()
    st = page.stat()
    forged = original.replace(b"Tiny test network", b"Tiny test netw0rk")
    assert len(forged) == len(original) and forged != original
    with page.open("r+b") as f:  # in place: the same inode
        f.write(forged)
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (page.stat().st_size, page.stat().st_mtime_ns, page.stat().st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    other = project.content / "disclosures" / "other.yaml"
    other.write_text(other.read_text().replace("title: Another", "title: Another one"))  # some other edit: the build runs
    project.build()
    assert page.read_bytes() == original


def test_an_edit_undone_builds_the_original_pages_not_the_edited_ones_left_at_the_same_paths(tmp_path: Path) -> None:
    """A fragment seen before (its record kept) must not reuse a file that another version of it wrote at the same path since."""
    project = Project(tmp_path / "p")
    project.add()
    path = project.content / "disclosures" / "tiny-2019.yaml"
    original = path.read_text()
    project.build()
    path.write_text(original.replace("Tiny test network", "Edited network"))
    project.build()
    path.write_text(original)
    project.build()
    project.build(output=tmp_path / "clean" / "site", cache=tmp_path / "clean" / "cache")
    assert _files(project.output) == _files(tmp_path / "clean" / "site")


def _folders(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_dir()}


def test_a_build_brings_the_site_before_last_up_to_date_and_trusts_nothing_changed_in_it(tmp_path: Path) -> None:
    """The write goes into the site before last (kept in the cache) and swaps it in: the site readers see is never
    written into; only what changed is written; whatever was done to the kept folder does not reach the site."""
    import os
    import signal
    import subprocess
    import time

    project = Project(tmp_path / "p")
    project.add()
    for i in range(3):
        project.add(id=f"counts-{i}", title=f"Counts only {i}", datasets=[], accounts_announced=10 + i)
    outside = tmp_path / "outside.txt"
    outside.write_text("not the site's")

    def retitle(name: str, title: str) -> None:
        path = project.content / "disclosures" / f"{name}.yaml"
        path.write_text(path.read_text().replace("title: ", f"title: {title} ", 1))

    def clean() -> dict[str, bytes]:
        where = tmp_path / f"clean-{time.monotonic_ns()}"
        project.build(output=where / "site", cache=where / "cache")
        return _files(where / "site")

    project.build()
    first = _folders(project.output)
    retitle("counts-0", "Once")
    project.build()
    assert set(_folders(project.output).values()).isdisjoint(first.values())  # the first build's folders are now the spare
    (spare,) = (project.root / "cache" / "builds").glob("*.spare")
    assert _folders(spare) == first
    live, kept = _files(project.output), _files(spare)
    retitle("counts-1", "Twice")
    time.sleep(0.05)
    started = time.time_ns()
    project.build()
    assert _folders(project.output) == first  # the same folders, brought up to date in place
    after = _files(project.output)
    assert after == clean()
    written = {p.relative_to(project.output).as_posix() for p in project.output.rglob("*")  # the files this build made
               if p.is_file() and p.stat().st_mtime_ns >= started}
    assert written <= {rel for rel in after if kept.get(rel) != after[rel]}  # none the spare already held as wanted
    assert written >= {rel for rel in after if kept.get(rel) != after[rel] and live.get(rel) != after[rel]}  # every change
    assert 0 < len(written) < len(after) / 4

    # What is done to the spare by hand is never trusted: a file edited in place with its times restored, a file added,
    # a file replaced by a link to one outside; the site built from it is still a clean build's, and nothing outside is written.
    (spare,) = (project.root / "cache" / "builds").glob("*.spare")
    page = spare / "disclosures" / "tiny-2019" / "index.html"
    st = page.stat()
    with page.open("r+b") as f:
        f.write(b"FORGED")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    (spare / "disclosures" / "added.html").write_text("added by hand")
    linked = spare / "disclosures" / "counts-2" / "index.html"
    linked.unlink()
    linked.symlink_to(outside)
    retitle("counts-2", "Thrice")
    project.build()
    assert _files(project.output) == clean()
    assert outside.read_text() == "not the site's"

    # A build killed while it brings the spare up to date leaves the site as it was; the next build is a clean build's,
    # and no killed build's folder is left in the cache.
    settled = _files(project.output)
    command = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(project.content), "--data", str(project.data),
               "--output", str(project.output), "--cache", str(project.root / "cache"), "--now", "2026-01-01T00:00:00Z", "--no-search",
               "--quiet", "--workers", "1"]
    for fraction in (0.6, 0.95):
        retitle("tiny-2019", f"Killed {fraction}")
        started = time.perf_counter()
        assert subprocess.run(command, cwd=ROOT).returncode == 0
        duration = time.perf_counter() - started
        settled = _files(project.output)
        retitle("counts-0", f"Killed {fraction}")
        process = subprocess.Popen(command, cwd=ROOT)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert _files(project.output) in (settled, clean()), fraction  # the old site, or the new one if it was swapped in
    project.build()
    assert _files(project.output) == clean()
    assert [p.name for p in (project.root / "cache" / "builds").iterdir() if ".spare." in p.name and not p.name.endswith(".json")] == []


def test_a_language_indexed_early_is_indexed_again_if_its_pages_changed_after() -> None:
    """The search index starts on each language's pages as soon as they are rendered; what it finishes with must be the
    index of the pages the site has in the end, byte for byte what indexing them all at once makes."""
    from takedowns.site.search import ENTRY, Indexer, search_index

    def page(lang: str, words: str) -> bytes:
        return f'<!doctype html><html lang="{lang}"><head><title>{words}</title></head><body><main data-pagefind-body><h1>{words}</h1>' \
               f"<p>{words} network removed</p></main></body></html>".encode()

    first = {"index.html": page("en", "home"), "disclosures/a/index.html": page("en", "alpha operation"),
             "es/index.html": page("es", "inicio"), "es/disclosures/a/index.html": page("es", "operación alfa"), "about.txt": b"not a page"}
    later = {**first, "es/disclosures/a/index.html": page("es", "operación beta"), "es/disclosures/b/index.html": page("es", "operación gama")}
    with Indexer(None, ("en", "es")) as indexer:
        indexer.rendered("en", {k: v for k, v in first.items() if not k.startswith("es/")})
        indexer.rendered("es", {k: v for k, v in first.items() if k.startswith("es/")})
        assert set(indexer.runs) == {"", "es"}  # both started before the end
        index = indexer.finish(later)
    whole = search_index(later, None, ())  # one run over every page
    assert index == whole
    entry = json.loads(index[ENTRY])
    assert {lang: about["page_count"] for lang, about in entry["languages"].items()} == {"en": 2, "es": 3}


def test_links_put_in_place_of_the_folders_a_build_keeps_in_the_cache_are_removed_not_followed(tmp_path: Path) -> None:
    """The site before last and the search index's folders of pages live in the cache; a link put in place of one of them
    (to a folder of the machine) must be removed, not written or emptied through."""
    project = Project(tmp_path / "p")
    project.add()
    path = project.content / "disclosures" / "tiny-2019.yaml"
    project.build(search_index=True)
    path.write_text(path.read_text().replace("Tiny test network", "Tiny network"))
    project.build(search_index=True)  # a second build leaves the first site as the spare
    builds = project.root / "cache" / "builds"
    (spare,) = builds.glob("*.spare")
    (search,) = builds.glob("*.search")
    outside = tmp_path / "outside"
    for name in ("a", "b"):
        (outside / name / "disclosures" / "tiny-2019").mkdir(parents=True)
        (outside / name / "disclosures" / "tiny-2019" / "index.html").write_text("someone else's")
        (outside / name / "index.html").write_text("someone else's")
    shutil.rmtree(spare)
    spare.symlink_to(outside / "a")
    shutil.rmtree(search)
    search.symlink_to(outside / "b")
    path.write_text(path.read_text().replace("Tiny network", "Tiny network, edited"))
    project.build(search_index=True)
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*") if p.is_file()) == [
        "a/disclosures/tiny-2019/index.html", "a/index.html", "b/disclosures/tiny-2019/index.html", "b/index.html"]
    assert all(p.read_text() == "someone else's" for p in outside.rglob("*.html"))
    assert "Tiny network, edited" in (project.output / "disclosures/tiny-2019/index.html").read_text()
    assert not spare.is_symlink() and not search.is_symlink()


def test_a_retitle_renders_the_rows_of_its_disclosure_alone_and_the_tables_equal_a_clean_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disclosure tables (home, country and topic pages) join the rows of the last build, rendering again only the
    rows whose parts changed; a rows file from other code, or edited by hand to the same key, changes nothing published."""
    from takedowns.site import table_rows

    caches: list[table_rows.RowCache] = []
    real = table_rows.RowCache.save

    def saved(self: table_rows.RowCache) -> None:
        caches.append(self)
        real(self)

    monkeypatch.setattr(table_rows.RowCache, "save", saved)
    project = Project(tmp_path / "p")
    for i in range(4):
        project.add(id=f"net-{i}", title=f"Network {i}", countries=["Iran" if i % 2 else "Venezuela"], tags=["tests", f"t{i}"], datasets=None)
    project.build()
    assert caches[-1].rendered == 8  # each row twice: on the home page, and on the listings (one folder deeper)
    path = project.content / "disclosures" / "net-2.yaml"
    path.write_text(path.read_text().replace("Network 2", "Network two"))
    project.build()
    assert caches[-1].rendered == 2 and len(caches[-1].used) == 8  # the retitled row, on the home page and the listings
    rows = project.root / "cache" / "rows.json"
    data = json.loads(rows.read_text())
    project.build(output=tmp_path / "clean" / "site", cache=tmp_path / "clean" / "cache")
    assert _files(project.output) == _files(tmp_path / "clean" / "site")
    assert "Network two" in (project.output / "index.html").read_text()

    data["rows"] = {k: "<tr><td>injected</td></tr>" for k in data["rows"]}  # other code wrote it: not used
    data["render_key"] = "other"
    rows.write_text(json.dumps(data))
    path.write_text(path.read_text().replace("Network two", "Network 2"))
    project.build()
    shutil.rmtree(tmp_path / "clean")
    project.build(output=tmp_path / "clean" / "site", cache=tmp_path / "clean" / "cache")
    assert _files(project.output) == _files(tmp_path / "clean" / "site")
    assert "injected" not in (project.output / "index.html").read_text()


def test_a_templates_folder_without_the_row_template_builds_when_its_tables_render_their_own_rows(tmp_path: Path) -> None:
    """A site's own templates folder made before the row template existed still builds: the row template is looked up
    only when a table asks for a row."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "_disclosure_row.html").unlink()
    macros = templates / "_macros.html"
    macros.write_text(macros.read_text().replace("{{ disclosure_row(r, home, original) }}", "<tr><td>{{ r.d.title }}</td></tr>"))
    project = Project(tmp_path / "p")
    project.add(title="Own rows")
    project.build(templates=templates)
    assert "<tr><td>Own rows</td></tr>" in (project.output / "index.html").read_text()
