"""``build()``: the stages of a build, in order."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content.load import Content, Hasher, load_content
from .files import MARKER, atomic_write, check_output, is_url, marker_text
from .freshness import input_key, remember, render_key, up_to_date
from .site.reuse import output_lock


@dataclass(frozen=True)
class Options:
    content: Path = Path("content")
    data: Path | str = Path("data")  # a folder, or an fsspec URL (s3://bucket/data)
    templates: Path = Path("templates")
    output: Path = Path("site")
    cache: Path | None = Path(".cache")
    node_modules: Path = Path("node_modules")
    base_url: str | None = None
    now: dt.datetime | None = None
    drafts: bool = False
    skip_bad_rows: bool = False
    workers: int | None = None
    scheduler: str | None = None
    split_dir: Path | None = None  # with a scheduler: a folder every worker sees, where large files are divided into parts
    search_index: bool = True
    quiet: bool = False
    live_reload: bool = False
    write: bool = True  # False: do all the work of a build but write no site (``check --full``)
    search_later: bool = False  # keep the last build's search index if there is one (``serve`` shows an edit first, indexes after)


@dataclass
class Result:
    output: Path
    content: Content
    published: list[str]
    files: int
    stats: dict[str, dict[str, Any]] = field(repr=False)
    skipped: bool = False  # nothing had changed since the last build: output left as it was
    search_stale: bool = False  # the search index is the last build's (``search_later``): build again to index
    warnings: list[str] = field(default_factory=list)  # what was published with something left out, for a person to read


def clock(options: Options) -> dt.datetime:
    """Return the build's notion of now: --now, else the real clock (never SOURCE_DATE_EPOCH, which dates output)."""
    return options.now or dt.datetime.now(dt.UTC)


def _stages(options: Options) -> Callable[[str], None]:
    """One line per stage on stderr, with the seconds since the build began, so a log (CI, ``| tee``) shows
    where a long build is; nothing with ``quiet``."""
    started = time.monotonic()

    def stage(text: str) -> None:
        if not options.quiet:
            print(f"[{time.monotonic() - started:6.1f} s] {text}", file=sys.stderr, flush=True)

    return stage


def build(options: Options) -> Result:
    """Build the site: load, compute, chart and render everything, then write it in one swap."""
    stage = _stages(options)
    now = clock(options)
    if options.write:
        # The output folder is replaced whole: refuse one that holds anything but an earlier build.
        check_output(options.output, [options.content, options.templates, options.node_modules] + ([] if is_url(options.data) else [options.data]),
                     preview=options.drafts, cache=options.cache)
    hasher = Hasher(_load_memo(options.cache), _load_parsed(options.cache))

    # 1. Load and validate every disclosure and locate its data; nothing is written if any is wrong.
    content = load_content(options.content, options.data, hasher)
    site = content.site
    if options.base_url:
        site = type(site)(**{**site.__dict__, "base_url": options.base_url.rstrip("/") + "/"})
    _save_memo(options.cache, hasher.memo)
    _save_parsed(options.cache, hasher.parsed_used)

    shown = tuple(d for d in content.disclosures if options.drafts or d.published(now))
    stage(f"loaded {len(content.disclosures)} disclosures ({len(shown)} {'shown' if options.drafts else 'published'})")
    key = input_key(options, [d.id for d in shown])
    # Remote data cannot be watched cheaply: a build over a data URL always runs (its statistics are still cached by content).
    if options.write and not is_url(options.data) and up_to_date(options.cache, options.output, key):
        return Result(options.output, content, [d.id for d in shown], 0, {}, skipped=True)
    # The heavy libraries load only when there is work to do.
    from .statistics.compute import compute_all
    from .statistics.tasks import Cache

    # 2. Statistics: one streaming pass per dataset file, skipped when cached.  Unpublished
    #    disclosures are computed only for previews, so an embargoed dataset is not even read.
    cache = Cache(options.cache / "stats" if options.cache else None)
    profiles: dict[str, Any] = {}
    stage(f"statistics of {sum(len(ds.files) for d in shown for ds in d.datasets)} dataset files (cached ones are not read again)")
    stats = compute_all(shown, cache, options.skip_bad_rows, options.workers, options.scheduler, progress=not options.quiet,
                        split_dir=options.split_dir, profiles=profiles)

    # 2b. Across campaigns: what the shown releases' data share, from their profiles alone (kept while those are unchanged).
    from .across.campaigns import cached_cross_campaign

    campaigns = cached_cross_campaign(options.cache, profiles, stats, [d.id for d in shown])
    stage(f"pages and charts in {len(site.languages)} language(s)")

    # 3–5 hold the output folder's lock: a second build into the same folder waits, so it never links
    #     files the first is replacing.
    with output_lock(options.cache, options.output, options.write):
        return _pages_and_write(options, content, site, shown, stats, now, key, campaigns, stage)


def _pages_and_write(options: Options, content: Content, site: Any, shown: tuple[Any, ...], stats: dict[str, dict[str, Any]],
                     now: dt.datetime, key: str, campaigns: dict[str, Any] | None = None,
                     stage: Callable[[str], None] = lambda text: None) -> Result:
    from .content.history import history_links
    from .site.assets import static_files, vendor_files
    from .site.images import Images
    from .site.pages import build_pages
    from .site.render import environment
    from .site.reuse import Previous
    from .site.write import write_site

    # 3. Charts and pages, rendered in memory; what no input of changed is kept from the last build.
    env = environment(options.templates)
    env.globals["live_reload"] = options.live_reload
    images = Images(options.cache / "images" if options.cache else None, options.node_modules)
    previous = Previous(options.cache, options.output) if options.write else None
    try:
        history = history_links(options.content, site.repository, site.repository_branch, {d.id: Path(d.source_file) for d in shown})
        output = build_pages(env, site, shown, stats, images, now, preview=options.drafts, previous=previous,
                             render_key=render_key(options), campaigns=campaigns, history=history)
    finally:
        images.close()
    warnings = [f"{path}: could not be drawn ({why}); the page shows its sentence and data table instead"
                for path, why in sorted(images.failures.items())]
    output.update(static_files(options.templates))
    if not options.live_reload:
        output.pop("assets/livereload.js", None)
    output.update(vendor_files(options.node_modules))

    # 4. Search index over the rendered pages (Pagefind), still in memory.
    stage(f"{len(output)} files rendered; search index")
    stale = False
    if options.search_index:
        from .site.search import search_index, stale_index

        kept = stale_index(previous) if options.search_later and previous else None
        if kept:
            output.update(kept)
            stale = True
        else:
            output.update(search_index(output, previous))

    # 5. Write everything to a new folder and swap it in.
    if not options.write:
        return Result(options.output, content, [d.id for d in shown], len(output), stats, warnings=warnings)
    output[MARKER] = marker_text(options.drafts, list(output))
    stage(f"writing {options.output}/")
    written = write_site(output, options.output)
    if previous:
        previous.save(written)
    if not stale:  # a build with an old search index is never "up to date": the next one indexes
        remember(options.cache, options.output, key)
    return Result(options.output, content, [d.id for d in shown], len(output), stats, search_stale=stale, warnings=warnings)


def _load_memo(cache: Path | None) -> dict[str, list[Any]]:
    if cache is None:
        return {}
    try:
        data = json.loads((cache / "hashes.json").read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_memo(cache: Path | None, memo: dict[str, list[Any]]) -> None:
    if cache is None:
        return
    atomic_write(cache / "hashes.json", json.dumps(memo, sort_keys=True))


def _parsed_version() -> bytes:
    from .freshness import code_digest

    return code_digest("content.load", ("pycountry", "pyyaml")).encode()


def _load_parsed(cache: Path | None) -> dict[str, bytes]:
    """Return the disclosures parsed by earlier builds of the same code, by file digest (see ``load.Hasher``)."""
    if cache is None:
        return {}
    try:
        data = (cache / "parsed.pickle").read_bytes()
        version, _, body = data.partition(b"\n")
        if version != _parsed_version():
            return {}
        entries = pickle.loads(body)  # noqa: S301  (the build's own cache)
        return entries if isinstance(entries, dict) else {}
    except Exception:  # noqa: BLE001  (missing or damaged: parse every file again)
        return {}


def _save_parsed(cache: Path | None, entries: dict[str, bytes]) -> None:
    if cache is None:
        return
    atomic_write(cache / "parsed.pickle", _parsed_version() + b"\n" + pickle.dumps(dict(sorted(entries.items())), protocol=pickle.HIGHEST_PROTOCOL))
