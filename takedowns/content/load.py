"""Read the content folder: site settings, every disclosure, and where their data lies.

The only module besides ``write.py`` and ``read.py`` that touches the disk.
Every problem in every file is collected before anything is raised.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pickle
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ContentError, Problem
from ..files import is_url
from ..formats import FORMATS
from . import document
from .model import Dataset, DatasetFile, Disclosure, Site
from .remote import _resolve_remote, _safe_patterns
from .schema import DISCLOSURE, SITE
from .types import Report, convert_root

COPY_LIMIT = 25 << 20  # dataset files up to this size are copied into the site for download


@dataclass(frozen=True)
class Content:
    site: Site
    disclosures: tuple[Disclosure, ...]  # sorted newest first, then by id


class Hasher:
    """SHA-256 of files, remembered by path and stat so unchanged large files are read once.

    The stat includes the inode change time, which every write changes and which
    ``cp -p``, ``rsync -t``, tar and unzip cannot set back (they restore only size
    and modification time).  Files that are published or pinned are hashed on
    every build regardless (``verify``).
    """

    def __init__(self, memo: dict[str, list[Any]] | None = None, parsed: dict[str, bytes] | None = None) -> None:
        self.memo: dict[str, list[Any]] = memo if memo is not None else {}
        # Disclosure files already parsed and checked, by the SHA-256 of their bytes: the fields, pickled.
        self.parsed: dict[str, bytes] = parsed if parsed is not None else {}
        self.parsed_used: dict[str, bytes] = {}

    def sha256(self, path: Path, verify: bool = False) -> str:
        stat = path.stat()
        key = str(path)
        known = self.memo.get(key)
        seen = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]
        if not verify and known and len(known) == 6 and known[:5] == seen:
            return str(known[5])
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        self.memo[key] = [*seen, digest.hexdigest()]
        return digest.hexdigest()


def _read_small(path: Path, name: str) -> bytes | Problem:
    """Return a content file's bytes, reading no more than a disclosure may hold; a FIFO or device is refused unread."""
    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NONBLOCK)) as f:  # a FIFO must not block the build
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                return Problem(name, message="is not a regular file (a pipe, device or socket); a disclosure is a YAML text file")
            if st.st_size > document.MAX_BYTES:
                return Problem(name, 1, 0, f"file is {st.st_size:,} bytes; a disclosure may be at most {document.MAX_BYTES:,}")
            return f.read(document.MAX_BYTES + 1)  # a file still growing cannot make this read more
    except OSError as exc:
        return Problem(name, message=f"cannot read: {exc.strerror or exc}")


def load_site(content_dir: Path) -> Site:
    """Return the site settings from ``content/site.yaml``."""
    path = content_dir / "site.yaml"
    name = _display(path)
    if not path.is_file():
        raise ContentError(Problem(name, message="missing: the site settings file (title, base_url, licence, ...)"))
    raw = _read_small(path, name)
    if isinstance(raw, Problem):
        raise ContentError(raw)
    root, problems = document.parse(raw, name)
    report = Report(name, problems)
    site = convert_root(SITE, root, report) if root is not None else None
    if report.problems or site is None:
        raise ContentError(report.problems)
    return site


def load_disclosure(path: Path, data_dir: Path, hasher: Hasher) -> tuple[Disclosure | None, list[Problem]]:
    """Read one disclosure file; return it, or None and what is wrong with it."""
    name = _display(path)
    raw = _read_small(path, name)
    if isinstance(raw, Problem):
        return None, [raw]
    values, problems = _parse_disclosure(raw, name, hasher)
    if values is None:
        return None, problems
    report = Report(name, problems)
    datasets = []
    for spec in values["datasets"]:
        dataset = _resolve_dataset(spec, data_dir, hasher, report)
        if dataset is not None:
            datasets.append(dataset)
    if report.problems:
        return None, report.problems
    _same_file_twice(datasets, report, values["__line__"])
    roles = [d.role for d in datasets]
    for role in sorted(set(roles)):
        if roles.count(role) > 1:
            report.problems.append(Problem(name, values["__line__"], 0, f"datasets: role {role!r} given twice; list all its files under one path"))
    if report.problems:
        return None, report.problems
    report.problems.extend(_cross_checks(values, name))
    if not values["draft"]:
        report.problems.extend(_placeholders(raw, name))
    if report.problems:
        return None, report.problems
    fields = {k: v for k, v in values.items() if k not in ("datasets", "__line__")}
    fields["corrections"] = tuple(sorted(fields["corrections"], key=lambda c: c.date, reverse=True))  # newest first
    return Disclosure(**fields, datasets=tuple(datasets), source_file=name), []


# What `build.py new` writes for a person to replace: a TODO in a value, and the example source address.
_PLACEHOLDER = re.compile(r"\bTODO\b|https://example\.org/announcement\b")


def _placeholders(raw: bytes, name: str) -> list[Problem]:
    """Every placeholder `new` left in a disclosure that is not a draft, by line: such a page must not be published."""
    out = []
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue  # a comment may say anything
        found = _PLACEHOLDER.search(line)
        if found:
            out.append(Problem(name, number, found.start() + 1, f"placeholder {found.group(0)!r} left from `build.py new`; replace it, "
                                                                "or keep draft: true until it is written"))
    return out


def _parse_disclosure(raw: bytes, name: str, hasher: Hasher) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Return the checked fields of a disclosure file (None if unreadable) and its problems.

    A file parsed without problems before (same bytes, same code) is not parsed again."""
    key = hashlib.sha256(raw).hexdigest()
    known = hasher.parsed.get(key)
    if known is not None:
        try:
            values = pickle.loads(known)  # noqa: S301  (the build's own cache, written below)
            hasher.parsed_used[key] = known
            return values, []
        except Exception:  # noqa: BLE001  (a damaged entry: parse the file again)
            pass
    root, problems = document.parse(raw, name)
    if root is None:
        return None, problems
    report = Report(name, problems)
    values = convert_root(DISCLOSURE, root, report)
    if values is not None and not report.problems:
        hasher.parsed_used[key] = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
    return values, report.problems


def _cross_checks(values: dict[str, Any], name: str) -> list[Problem]:
    """Return what is wrong between fields: a quotation without its source, dates out of order."""
    problems = []
    a = values["attribution"]
    urls = [s.url for s in values["sources"]]
    if a.quote and not a.quote_source:
        problems.append(Problem(name, a.line, 0, "attribution: quote needs quote_source, the url of the source it comes from"))
    if a.quote_source and a.quote_source not in urls:
        problems.append(Problem(name, a.line, 0, f"attribution: quote_source {a.quote_source!r} is not the url of any entry of sources"))
    if a.quote_source and not a.quote:
        problems.append(Problem(name, a.line, 0, "attribution: quote_source is given without a quote"))
    start, end = values.get("active_from"), values.get("active_until")
    if start and end and start > end:
        problems.append(Problem(name, values["__line__"], 0, f"active_from {start} is after active_until {end}"))
    if end and end > values["announced"]:
        problems.append(Problem(name, values["__line__"], 0, f"active_until {end} is after announced {values['announced']}"))
    seen: dict[str, int] = {}
    for t in values.get("translations") or ():
        if t.language in seen:
            problems.append(Problem(name, t.line, 0, f"translations: {t.language!r} is given twice (first at line {seen[t.language]})"))
        seen.setdefault(t.language, t.line)
        if not (t.title or t.summary or t.body):
            problems.append(Problem(name, t.line, 0, f"translations: the {t.language!r} translation gives none of title, summary, body"))
    for c in values["corrections"]:
        if c.date < values["announced"]:
            problems.append(Problem(name, c.line, 0, f"corrections: date {c.date} is before announced {values['announced']}; "
                                                     "a correction changes a published page"))
    if values["first_disclosed"] and values["first_disclosed"] > values["announced"]:
        problems.append(Problem(name, values["__line__"], 0, f"first_disclosed {values['first_disclosed']} is after announced "
                                                             f"{values['announced']}; give it only when the network was disclosed earlier"))
    return problems


def ignored_name(name: str) -> bool:
    """Return whether a file name is an editor's temporary (``.#x.yaml``, ``x.yaml~``, ``.x.yaml.swp``): never content."""
    return name.startswith(".#") or name.endswith("~") or (name.startswith(".") and name.endswith((".swp", ".swo", ".swx")))


def disclosure_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """Return the disclosure files of ``folder`` (``.yaml``/``.yml`` in any case), refusing links that lead outside it."""
    if not folder.is_dir():
        return [], []
    root = folder.resolve()
    paths, problems = [], []
    for path in sorted(folder.iterdir()):
        if ignored_name(path.name) or not path.name.lower().endswith((".yaml", ".yml")):
            continue
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(root):
            problems.append(Problem(_display(path), message=f"leads outside {_display(folder)}/ (a link?); refused"))
        elif not real.exists():
            problems.append(Problem(_display(path), message="is a link to nothing; refused"))
        elif real.is_dir():
            problems.append(Problem(_display(path), message="is a folder, not a disclosure file"))
        else:
            paths.append(path)  # a pipe or device is refused when read (load_disclosure), never silently left out
    return paths, problems


def load_content(content_dir: Path, data_dir: Path, hasher: Hasher | None = None) -> Content:
    """Read and check every disclosure; raise ContentError listing all problems."""
    hasher = hasher or Hasher()
    problems: list[Problem] = []
    try:
        site = load_site(content_dir)
    except ContentError as exc:
        problems.extend(exc.problems)
        site = None
    paths, found_problems = disclosure_files(content_dir / "disclosures")
    problems.extend(found_problems)
    disclosures: list[Disclosure] = []
    for path in paths:
        disclosure, found = load_disclosure(path, data_dir, hasher)
        problems.extend(found)
        if disclosure is not None:
            disclosures.append(disclosure)
    seen: dict[str, str] = {}
    for d in disclosures:
        if d.id in seen:
            problems.append(Problem(d.source_file, 0, 0, f"id {d.id!r} is already used by {seen[d.id]}"))
        seen.setdefault(d.id, d.source_file)
    files = {str(p.name): p for p in paths}
    for d in disclosures:
        for other in d.related:
            if other == d.id or other not in seen:
                problems.append(Problem(d.source_file, _line_of(files.get(Path(d.source_file).name), "related"), 0,
                                        f"related: {other!r} is this disclosure's own id" if other == d.id else
                                        f"related: no disclosure has the id {other!r}"))
    if problems or site is None:
        raise ContentError(problems)
    disclosures.sort(key=lambda d: d.id)
    disclosures.sort(key=lambda d: d.announced, reverse=True)
    return Content(site, tuple(disclosures))


def _line_of(path: Path | None, key: str) -> int:
    """Return the line of a top-level key in a YAML file (0 if it cannot be found)."""
    if path is None:
        return 0
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith(f"{key}:"):
                return number
    except (OSError, UnicodeError):
        pass
    return 0


def _resolve_dataset(spec: dict[str, Any], data_dir: Path, hasher: Hasher, report: Report) -> Dataset | None:
    """Find the files a dataset entry names, confined to ``data_dir``."""
    line = spec["__line__"]
    if spec["role"] not in FORMATS[spec["format"]].roles:
        report.problems.append(Problem(report.filename, line, 0, f"datasets: format {spec['format']!r} has no role {spec['role']!r}"))
        return None
    if is_url(data_dir):
        return _resolve_remote(spec, str(data_dir), report)
    root = data_dir.resolve()
    suffixes = FORMATS[spec["format"]].suffixes
    found: dict[str, Path] = {}
    patterns, ok = _safe_patterns(spec, report)
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, root_dir=root, recursive=False))
        if not matches:
            report.problems.append(Problem(report.filename, line, 0,
                                           f"datasets: path {pattern!r} matches no file in {_display(data_dir)}/"))
            ok = False
        for rel in matches:
            full = root / rel
            real = Path(os.path.realpath(full))
            if not real.is_relative_to(root):
                report.problems.append(Problem(report.filename, line, 0, f"datasets: {rel!r} leads outside {_display(data_dir)}/ (a link?); refused"))
                ok = False
            elif not real.is_file():
                report.problems.append(Problem(report.filename, line, 0, f"datasets: {rel!r} is not a file"))
                ok = False
            elif not rel.lower().endswith(suffixes):
                report.problems.append(Problem(report.filename, line, 0,
                                               f"datasets: {rel!r} is not {', '.join(suffixes)} (what format {spec['format']!r} reads)"))
                ok = False
            else:
                found[rel.replace(os.sep, "/")] = real
    if not ok:
        return None
    files = []
    for rel in sorted(found):
        path = found[rel]
        size = path.stat().st_size
        # What the site offers for download, and what a pin promises, is checked against its bytes on every build.
        files.append(DatasetFile(rel, path, size, hasher.sha256(path, verify=size <= COPY_LIMIT or spec["sha256"] is not None)))
    if spec["sha256"] is not None:
        if len(files) != 1:
            report.problems.append(Problem(report.filename, line, 0, f"datasets: sha256 is given but the path matches {len(files)} files; give it only for one file"))
            return None
        if files[0].sha256 != spec["sha256"]:
            report.problems.append(Problem(report.filename, line, 0,
                                           f"datasets: {files[0].relpath} has sha256 {files[0].sha256}, not {spec['sha256']} as given; the file changed or is the wrong one"))
            return None
    return Dataset(spec["role"], spec["format"], tuple(spec["path"]), spec["hashed"], tuple(files))


def _same_file_twice(datasets: list[Dataset], report: Report, line: int) -> None:
    """Refuse a release whose paths match one file twice: the same bytes, or ``x.csv`` beside ``x.csv.gz``/``x.zip``."""
    by_hash: dict[str, str] = {}
    by_stem: dict[str, str] = {}
    for dataset in datasets:
        for f in dataset.files:
            stem = f.relpath.lower().removesuffix(".gz").removesuffix(".zip").removesuffix(".csv")
            if f.sha256 in by_hash:
                report.problems.append(Problem(report.filename, line, 0, f"datasets: {f.relpath} and {by_hash[f.sha256]} are the same file "
                                                                         "(same SHA-256); its rows would count twice"))
            elif stem in by_stem:
                report.problems.append(Problem(report.filename, line, 0, f"datasets: {f.relpath} and {by_stem[stem]} look like the same file "
                                                                         "in two packings; list one of them, or its rows count twice"))
            by_hash.setdefault(f.sha256, f.relpath)
            by_stem.setdefault(stem, f.relpath)






def _display(path: Path) -> str:
    """Return ``path`` as people typed it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
