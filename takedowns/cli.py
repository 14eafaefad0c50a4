"""Command line: ``python build.py [build|check|new|serve|example-data]``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from .errors import BuildError
from .pipeline import Options, build


def _moment(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; write e.g. 2024-05-01T09:00:00Z")
    return value.astimezone(dt.timezone.utc)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), help="folder of site.yaml and disclosures/ (default: content)")
    p.add_argument("--data", type=Path, default=Path("data"), help="folder of released datasets (default: data)")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="Jinja templates and static files")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Build the information-operations takedowns site.")
    sub = p.add_subparsers(dest="command")
    b = sub.add_parser("build", help="build the site into site/ (the default command)")
    _common(b)
    b.add_argument("--output", type=Path, default=Path("site"), help="output folder (default: site)")
    b.add_argument("--base-url", help="public address of the site, e.g. https://org.github.io/repo/")
    b.add_argument("--drafts", action="store_true", help="include drafts and embargoed disclosures, marked (never publish this)")
    b.add_argument("--now", type=_moment, help="the moment embargoes are judged against (default: the clock)")
    b.add_argument("--skip-bad-rows", action="store_true", help="leave out malformed dataset rows, and say so on the page")
    b.add_argument("--cache", type=Path, default=Path(".cache"), help="statistics cache folder (default: .cache)")
    b.add_argument("--no-cache", action="store_true", help="compute every statistic afresh")
    b.add_argument("--workers", type=int, help="processes for statistics (default: one per core)")
    b.add_argument("--scheduler", help="address of a Dask scheduler to compute statistics on, e.g. tcp://10.0.0.5:8786")
    b.add_argument("--no-search", action="store_true", help="skip the search index")
    b.add_argument("--quiet", action="store_true", help="print nothing on success")
    sc = sub.add_parser("schema", help="write disclosure.schema.json and the README's field reference from the schema")
    sc.add_argument("--root", type=Path, default=Path("."))
    e = sub.add_parser("example-data", help="write the synthetic example datasets into data/example/")
    e.add_argument("--data", type=Path, default=Path("data"))
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        args = parser().parse_args(["build", *(argv or [])])
    try:
        if args.command == "example-data":
            from .example import write_examples

            files = write_examples(args.data)
            print(f"wrote {len(files)} synthetic dataset files under {args.data / 'example'}")
            return 0
        if args.command == "schema":
            from .docs import write_schema_files

            for path in write_schema_files(args.root):
                print(f"wrote {path}")
            return 0
        return _build(args)
    except BuildError as exc:
        kind = type(exc).__name__.replace("Error", "").lower() or "build"
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"build failed: {len(exc.problems)} {kind} problem(s); nothing was written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is untouched", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    options = Options(content=args.content, data=args.data, templates=args.templates, output=args.output,
                      cache=None if args.no_cache else args.cache, base_url=args.base_url, now=args.now,
                      drafts=args.drafts, skip_bad_rows=args.skip_bad_rows, workers=args.workers,
                      scheduler=args.scheduler, search_index=not args.no_search, quiet=args.quiet)
    result = build(options)
    if not args.quiet:
        hidden = len(result.content.disclosures) - len(result.published)
        print(f"built {result.output}/: {len(result.published)} disclosures"
              + (f" ({hidden} draft or embargoed, left out)" if hidden else "")
              + (" including drafts and embargoed (preview: do not publish)" if args.drafts else "")
              + f", {result.files} files in {time.perf_counter() - start:.1f} s")
    return 0
