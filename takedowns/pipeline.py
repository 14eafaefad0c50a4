"""``build()``: the stages of a build, in order."""

from __future__ import annotations

import datetime as dt
import functools
import json
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import MARKER, atomic_write, check_output, is_url, marker_text, read_marker
from .freshness import input_key, raw_key, remember, render_key, unchanged_since, up_to_date
from .site.reuse import output_lock

if TYPE_CHECKING:
    from .content.load import Content


@dataclass(frozen=True)
class Options:
    content: Path = Path("content")
    data: Path | str = Path("data")  # a folder, or an fsspec URL (s3://bucket/data)
    templates: Path = Path("templates")
    output: Path = Path("site")
    cache: Path | None = Path(".cache")
    images: Path | None = None  # where drawn charts are kept, by their spec (default: <cache>/images); builds may share one
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
    content: Content | None  # None when the build was skipped before loading anything
    published: list[str]
    files: int
    stats: dict[str, dict[str, Any]] = field(repr=False)
    skipped: bool = False  # nothing had changed since the last build: output left as it was
    search_stale: bool = False  # the search index is the last build's (``search_later``): build again to index
    warnings: list[str] = field(default_factory=list)  # what was published with something left out, for a person to read
    site: Any = field(default=None, repr=False)  # the site as built (with --base-url applied)
    surroundings: Any = field(default=None, repr=False)  # what each disclosure's pages took from the rest (``site.pages.Surroundings``)


def _folder_id(folder: Path) -> tuple[int, int] | None:
    """The output folder's device and inode: every build swaps another folder in, so a change means another build wrote."""
    try:
        st = folder.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def image_folder(options: Options) -> Path | None:
    """Where chart images are kept: ``images``, else the cache's ``images/``; None without a cache (every chart drawn)."""
    return options.images or (options.cache / "images" if options.cache else None)


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
    walked = None
    before = _folder_id(options.output)
    if options.write:
        # The output folder is replaced whole: refuse one that holds anything but an earlier build.
        walked = check_output(options.output, [options.content, options.templates, options.node_modules] + ([] if is_url(options.data) else [options.data]),
                              preview=options.drafts, cache=options.cache)
    raw = raw_key(options)
    # Remote data cannot be watched cheaply: a build over a data URL always runs (its statistics are still cached by content).
    if options.write and not is_url(options.data) and (same := unchanged_since(options.cache, options.output, raw, now, walked)) is not None:
        return Result(options.output, None, same, 0, {}, skipped=True)  # inputs byte for byte as last built, in the same span of time
    from .content import load as loading  # imported only when there is something to load (it brings in pyarrow)

    hasher = loading.Hasher(_load_memo(options.cache), _load_parsed(options.cache))

    # 1. Load and validate every disclosure and locate its data; nothing is written if any is wrong.
    content = loading.load_content(options.content, options.data, hasher)
    site = content.site
    if options.base_url:
        site = type(site)(**{**site.__dict__, "base_url": options.base_url.rstrip("/") + "/"})
    _save_memo(options.cache, hasher.memo)
    _save_parsed(options.cache, hasher.parsed_used)

    shown = tuple(d for d in content.disclosures if options.drafts or d.published(now))
    stage(f"loaded {len(content.disclosures)} disclosures ({len(shown)} {'shown' if options.drafts else 'published'})")
    key = input_key(raw, [d.id for d in shown])
    # Until the next embargo ends, the same disclosures are published: a build before then with the same inputs is a no-op.
    ends = [d.publish_at for d in content.disclosures if not options.drafts and not d.draft and d.publish_at is not None and d.publish_at > now]
    fresh = {"raw": raw, "published": [d.id for d in shown], "since": now, "until": min(ends, default=None)}
    if options.write and not is_url(options.data) and up_to_date(options.cache, options.output, key, walked):
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
        # What the guard found in the output folder stands for it only if no other build swapped a site in since.
        found = walked if before is not None and _folder_id(options.output) == before else None
        return _pages_and_write(options, content, site, shown, stats, now, key, campaigns, stage, fresh, found)


def _pages_and_write(options: Options, content: Content, site: Any, shown: tuple[Any, ...], stats: dict[str, dict[str, Any]],
                     now: dt.datetime, key: str, campaigns: dict[str, Any] | None = None,
                     stage: Callable[[str], None] = lambda text: None, fresh: dict[str, Any] | None = None,
                     walked: dict[str, Any] | None = None) -> Result:
    from .content.history import history_links
    from .site.assets import static_files, vendor_files
    from .site.images import Images
    from .site.pages import build_pages
    from .site.render import environment
    from .site.reuse import Previous

    # 3. Charts and pages, rendered in memory; what no input of changed is kept from the last build.
    #    4. The search index (Pagefind) starts on each language's pages as soon as they are rendered.
    from .site.search import Indexer, stale_index
    from .site.write import write_site

    env = environment(options.templates)
    env.globals["live_reload"] = options.live_reload
    images = Images(image_folder(options), options.node_modules)
    previous = Previous(options.cache, options.output, walked) if options.write else None
    keep: dict[str, Any] = {}
    kept = None
    if options.search_index and options.search_later and previous:
        kept = stale_index(previous)
    with Indexer(previous, site.languages) as indexer:
        try:
            history = history_links(options.content, site.repository, site.repository_branch, {d.id: Path(d.source_file) for d in shown})
            output = build_pages(env, site, shown, stats, images, now, preview=options.drafts, previous=previous,
                                 render_key=render_key(options), campaigns=campaigns, history=history, keep=keep,
                                 rendered=indexer.rendered if options.search_index and not kept else None)
        finally:
            images.close()
        warnings = [f"{path}: could not be drawn ({why}); the page shows its sentence and data table instead"
                    for path, why in sorted(images.failures.items())]
        output.update(static_files(options.templates))
        if not options.live_reload:
            output.pop("assets/livereload.js", None)
        output.update(vendor_files(options.node_modules))

        # 4. The search index over the rendered pages: each language's run, if its pages are still those at the end.
        stale = bool(kept)
        if not options.write:
            if options.search_index:
                output.update(kept or indexer.finish(output))
            return Result(options.output, content, [d.id for d in shown], len(output), stats, warnings=warnings, site=site)

        # 5. Write everything to a folder no reader sees and swap it in. The index is written last: the rest is written
        #    while its last runs finish.
        def index_and_marker() -> dict[str, Any]:
            index = (kept or indexer.finish(output)) if options.search_index else {}
            return {**index, MARKER: marker_text(options.drafts, [*output, *index])}

        stage(f"{len(output)} files rendered; writing {options.output}/ while the search index finishes")
        found: dict[str, list[Any]] = {}
        written = write_site(output, options.output, spare=previous.spare if previous else None, live=previous.files if previous else None,
                             found=found, last=(_written_last, index_and_marker))
    files = previous.save(written, found) if previous else None
    if not stale:  # a build with an old search index is never "up to date": the next one indexes
        remember(options.cache, options.output, key, files if files is not None and len(files) == len(written) else None, **(fresh or {}))
    return Result(options.output, content, [d.id for d in shown], len(written), stats, search_stale=stale, warnings=warnings, site=site,
                  surroundings=keep.get("surroundings"))


def _written_last(rel: str) -> bool:
    """The files the write takes last: the search index's and the marker listing every file."""
    return rel == MARKER or rel.startswith("pagefind/")


def show_edit_first(options: Options, last: Result, edited: list[Path], languages: list[str],
                    on_first: Callable[[], None] = lambda: None) -> list[str] | None:
    """``serve``'s first answer to a saved edit of disclosure files: render just those disclosures' pages (``languages``
    first, in that order, then the others) from the last build's state and write them into the preview as they are made.

    ``on_first`` is called once the first language's files are written. Returns the paths written, or None when the
    edit needs the whole build to show it right: a file that does not load, a new or renamed disclosure, changed
    datasets, no earlier build. The whole build follows either way and replaces the preview, so what this writes lives
    only until then.
    """
    from .content.load import Hasher, load_disclosure
    from .freshness import render_key
    from .site.images import Images
    from .site.pages import disclosure_files
    from .site.render import environment
    from .site.write import write_in_place

    if last.surroundings is None or last.site is None or not options.drafts:
        return None
    hasher = Hasher(_load_memo(options.cache))
    known = {d.id: d for d in last.content.disclosures}
    shown = set(last.published)
    changed = []
    for path in edited:
        d, problems = load_disclosure(path, Path(options.data), hasher) if not is_url(options.data) else (None, [])
        old = known.get(d.id) if d is not None else None
        if problems or d is None or old is None or d.id not in shown or Path(old.source_file) != Path(d.source_file):
            return None
        if [(ds.role, [(f.relpath, f.sha256) for f in ds.files]) for ds in d.datasets] != \
                [(ds.role, [(f.relpath, f.sha256) for f in ds.files]) for ds in old.datasets]:
            return None  # other data: its statistics must be computed first
        changed.append(d)
    env = environment(options.templates)
    env.globals["live_reload"] = options.live_reload
    order = [lang for lang in languages if lang in last.site.languages]
    order += [lang for lang in last.site.languages if lang not in order]
    mark = read_marker(options.output)
    existing = set(mark["files"]) if mark and isinstance(mark.get("files"), list) else set()
    images = Images(image_folder(options), options.node_modules)
    key, now = render_key(options), clock(options)
    written: list[str] = []
    with output_lock(options.cache, options.output):
        try:
            for lang in order:  # the language on screen is on disk before the others are rendered
                for d in changed:
                    out = disclosure_files(env, last.site, d, last.stats[d.id], images, now, True, last.surroundings, key, [lang])
                    # Files the last build wrote only: a new one (an embed page, say) waits for the whole build, which knows of it.
                    written += write_in_place({p: c for p, c in out.items() if isinstance(c, bytes) and p in existing}, options.output)
                if lang == order[0]:
                    on_first()
        finally:
            images.close()
    return written


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


@functools.cache
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
