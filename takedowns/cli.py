"""Command line: ``python build.py [build|check|new|serve|example-data]``."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

from .errors import BuildError, Problem
from .pipeline import Options, build


def _moment(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; write e.g. 2024-05-01T09:00:00Z")
    return value.astimezone(dt.UTC)


def _templates() -> Path:
    """The project's templates/ when run in a project folder, else the copy the installed package carries."""
    here = Path("templates")
    return here if here.is_dir() else Path(__file__).parent / "templates"


def _data_location(text: str) -> Path | str:
    """A local folder, or an fsspec URL kept as written (Path would fold its '//')."""
    return text.rstrip("/") if "://" in text else Path(text)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), help="folder of site.yaml and disclosures/ (default: content)")
    p.add_argument("--data", type=_data_location, default=Path("data"),
                   help="folder of released datasets, or an fsspec URL such as s3://bucket/data (default: data)")
    p.add_argument("--templates", type=Path, default=_templates(), help="Jinja templates and static files (default: templates)")


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
    b.add_argument("--split-dir", type=Path, help="with --scheduler: a folder every worker can read and write at the same path; "
                                                  "each file over 1 GiB is divided there into parts that all workers share")
    b.add_argument("--no-search", action="store_true", help="skip the search index")
    b.add_argument("--quiet", action="store_true", help="print nothing on success")
    c = sub.add_parser("check", help="validate every disclosure and dataset without building")
    _common(c)
    c.add_argument("--now", type=_moment, help="the moment embargoes are judged against (default: the clock)")
    c.add_argument("--full", action="store_true",
                   help="also read every dataset row, compute every statistic and render every page, drafts included, writing no site: "
                        "what passes this, builds")
    c.add_argument("--skip-bad-rows", action="store_true", help="with --full: judge datasets as a build with --skip-bad-rows would")
    c.add_argument("--all-warnings", action="store_true", help="list every warning (a warning many files share is otherwise one line)")
    c.add_argument("--cache", type=Path, default=Path(".cache"), help="statistics cache folder, with --full (default: .cache)")
    n = sub.add_parser("new", help="write a new disclosure file (asks for what is missing when run on a terminal)")
    n.add_argument("--content", type=Path, default=Path("content"))
    n.add_argument("--id", help="slug used in the address, e.g. iran-2024-05")
    n.add_argument("--title")
    n.add_argument("--platform", help="twitter, meta, google, tiktok, reddit or other")
    n.add_argument("--announced", type=dt.date.fromisoformat, help="announcement date, YYYY-MM-DD (default: today)")
    n.add_argument("--country", action="append", default=[], help="country name or ISO code (repeat for several)")
    n.add_argument("--accounts", type=int, help="number of accounts announced")
    s = sub.add_parser("serve", help="preview on localhost with drafts, rebuilding on every change")
    _common(s)
    s.add_argument("--output", type=Path, default=Path(".cache/preview"), help="preview folder (default: .cache/preview; never site/)")
    s.add_argument("--cache", type=Path, default=Path(".cache"))
    s.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free port)")
    s.add_argument("--now", type=_moment)
    s.add_argument("--no-search", action="store_true")
    sc = sub.add_parser("schema", help="write disclosure.schema.json and the README's field reference from the schema")
    sc.add_argument("--root", type=Path, default=Path("."))
    im = sub.add_parser("import", help="write draft disclosures from a platform's published indicators (now: meta)")
    im.add_argument("source", choices=["meta"], help="whose files: meta (a checkout of github.com/facebook/threat-research)")
    im.add_argument("folder", type=Path, help="the checkout")
    im.add_argument("--content", type=Path, default=Path("content"))
    im.add_argument("--data", type=Path, default=Path("data"))
    im.add_argument("--publish", action="store_true", help="write draft: false (after you have read what it writes)")
    lc = sub.add_parser("linkcheck", help="check every internal link, asset and anchor of a built site")
    lc.add_argument("site", type=Path, nargs="?", default=Path("site"), help="the built site (default: site)")
    e = sub.add_parser("example-data", help="write the synthetic example datasets into data/example/")
    e.add_argument("--data", type=Path, default=Path("data"))
    return p


def run() -> None:
    """The ``takedowns`` console script of the installed package."""
    sys.exit(main(sys.argv[1:]))


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        args = parser().parse_args(["build", *(argv or [])])
    try:
        if args.command == "example-data":
            from .authoring.example import write_examples

            files = write_examples(args.data)
            print(f"wrote {len(files)} synthetic dataset files under {args.data / 'example'}")
            return 0
        if args.command == "check":
            return _check(args)
        if args.command == "linkcheck":
            from .linkcheck import main as linkcheck

            return linkcheck([str(args.site)])
        if args.command == "import":
            from .authoring.importing import import_meta, report

            print(report(import_meta(args.folder, args.content, args.data, publish=args.publish)))
            return 0
        if args.command == "new":
            return _new(args)
        if args.command == "serve":
            from .authoring.serve import serve

            if Path(os.path.realpath(args.output)) == Path(os.path.realpath("site")):
                print("serve builds drafts and embargoed disclosures; it will not write into site/", file=sys.stderr)
                return 2
            serve(Options(content=args.content, data=args.data, templates=args.templates, output=args.output, cache=args.cache,
                          now=args.now, search_index=not args.no_search), port=args.port)
            return 0
        if args.command == "schema":
            from .authoring.docs import write_schema_files

            for path in write_schema_files(args.root):
                print(f"wrote {path}")
            return 0
        return _build(args)
    except BuildError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        n = len(exc.problems)
        outcome = {"build": "; nothing was written, site left as it was", "check": "", "new": "; nothing was written"}
        print(f"{args.command} failed: {n} problem{'s' if n != 1 else ''}{outcome.get(args.command, '')}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is untouched", file=sys.stderr)
        return 130
    except OSError as exc:  # the machine, not the content: a full disk, a port in use, a folder without permission
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"{args.command} failed: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1


SHOWN_ALIKE = 3  # warnings of one kind listed one by one before the rest are counted


def _grouped(warnings: list[Any]) -> list[str]:
    """The warnings to print: each kind that more than SHOWN_ALIKE files share as one line naming the first few, so that
    one new warning is not lost among many alike ones (``--all-warnings`` lists them all)."""
    kinds: dict[str, list[Any]] = {}
    for w in warnings:
        kinds.setdefault(w.message if isinstance(w, Problem) else str(w), []).append(w)
    out = []
    for message, alike in kinds.items():
        if len(alike) <= SHOWN_ALIKE or not isinstance(alike[0], Problem):
            out += [str(w) for w in alike]
            continue
        where = ", ".join(f"{w.file}:{w.line}" if w.line else w.file for w in alike[:SHOWN_ALIKE])
        out.append(f"{message} — in {len(alike)} files: {where} and {len(alike) - SHOWN_ALIKE} more (--all-warnings lists each)")
    return out


def _check(args: argparse.Namespace) -> int:
    from .authoring.editing import check
    from .pipeline import clock

    now = clock(Options(now=args.now))
    summary = check(args.content, args.data, now)
    warnings: list[Any] = list(summary.warnings)
    if args.full:
        result = build(Options(content=args.content, data=args.data, templates=args.templates, cache=args.cache, now=now, drafts=True,
                               skip_bad_rows=args.skip_bad_rows, write=False, quiet=True))
        warnings += [f"warning: {w}" for w in result.warnings]
    for line in warnings if args.all_warnings else _grouped(warnings):
        print(line, file=sys.stderr)
    print(f"ok: {summary.disclosures} disclosures, {summary.datasets} datasets in {summary.files} files "
          f"({summary.bytes / 1e6:,.1f} MB); {summary.drafts} draft(s), {summary.embargoed} under embargo; no problems"
          + ("; every row read and every page rendered" if args.full else " (headers checked; --full reads every row)")
          + (f"; {len(warnings)} warning(s) above" if warnings else ""))
    return 0


def _new(args: argparse.Namespace) -> int:
    from .authoring.editing import NewDisclosure, ask, field_value, new_disclosure
    from .content.schema import PLATFORMS

    interactive = sys.stdin.isatty()

    def need(value: str | None, flag: str, prompt: str, default: str | None = None, valid=None) -> str:  # type: ignore[no-untyped-def]
        if value:
            return value
        if not interactive:
            raise BuildError(f"{flag} is required when not run on a terminal")
        return ask(prompt, default, valid)

    def several(answer: str) -> list[str]:
        return [x.strip() for x in answer.split(";" if ";" in answer else ",")]

    # Each answer is checked by the schema's own converter, as the build will read it.
    ident = need(args.id, "--id", "Id (slug, e.g. iran-2024-05)", valid=lambda v: field_value("id", v))
    title = need(args.title, "--title", "Title", valid=lambda v: field_value("title", v))
    platform = need(args.platform, "--platform", "Platform (" + ", ".join(PLATFORMS) + ")", "twitter", lambda v: field_value("platform", v))
    countries = args.country or several(need(None, "--country", "Countries (separate several with , or ;)",
                                             valid=lambda v: field_value("countries", several(v))))
    accounts = args.accounts
    if accounts is None and interactive:
        answer = ask("Accounts announced (0 if not given)", "0", lambda v: field_value("accounts_announced", int(v)))
        accounts = int(answer) or None
    announced = args.announced or dt.datetime.now(dt.UTC).date()
    values = NewDisclosure(ident, title, platform, announced, tuple(c.strip() for c in countries), accounts)
    path = new_disclosure(args.content / "disclosures", values)
    print(f"wrote {path} (a draft: set draft: false, or publish_at, when it may be published)")
    return 0


def _build(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    options = Options(content=args.content, data=args.data, templates=args.templates, output=args.output,
                      cache=None if args.no_cache else args.cache, base_url=args.base_url, now=args.now,
                      drafts=args.drafts, skip_bad_rows=args.skip_bad_rows, workers=args.workers,
                      scheduler=args.scheduler, split_dir=args.split_dir, search_index=not args.no_search, quiet=args.quiet)
    result = build(options)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not args.quiet and result.skipped:
        print(f"{result.output}/ is up to date: nothing changed since the last build")
    elif not args.quiet:
        hidden = len(result.content.disclosures) - len(result.published)
        print(f"built {result.output}/: {len(result.published)} disclosures"
              + (f" ({hidden} draft or embargoed, left out)" if hidden else "")
              + (" including drafts and embargoed (preview: do not publish)" if args.drafts else "")
              + f", {result.files} files in {time.perf_counter() - start:.1f} s")
    return 0
