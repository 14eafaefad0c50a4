"""``build.py import meta DIR``: one draft disclosure per influence-operation network in a checkout of
Meta's threat-research repository, with its indicator files copied under ``data/``.

Re-running changes nothing: a file is rewritten only when what would be written differs from what is
there, and a file a person edited is never touched. Each written disclosure starts with a line that
records the SHA-256 of the text the importer wrote; if the file no longer matches it, someone
edited it, and the importer leaves it alone and says so.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import yaml

from ..content.schema import FIGURES
from ..errors import BuildError, Problem
from ..files import atomic_write
from .meta_files import Case, read_csv, read_markdown

REPOSITORY = "https://github.com/facebook/threat-research"
MARK = "# imported by `build.py import meta`"
DATA_FOLDER = "meta-threat-research"

@dataclass
class Network:
    """One network: the cases of Meta's files that describe it (a CSV, a Markdown file or case study, or both)."""

    cases: list[Case]
    note: str = ""  # how its files were joined, for the importer's report and the disclosure's first lines

    @property
    def first(self) -> Case:
        return self.cases[0]

    @property
    def files(self) -> list[Path]:
        return list(dict.fromkeys(c.path for c in self.cases))

    @property
    def dataset_files(self) -> list[Path]:
        """The files whose statistics are this network's alone (a Markdown file of several case studies is not one)."""
        return list(dict.fromkeys(c.path for c in self.cases if c.whole_file))

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.cases:
            for k, v in c.counts.items():
                out.setdefault(k, v)
        return out

    @property
    def period(self) -> tuple[str, str, str]:
        """Year, period and where it comes from: a file's own words before any file's name."""
        stated = [c for c in self.cases if c.period_from == "text"]
        c = (stated or self.cases)[0]
        return c.year, c.period, c.period_from

    @property
    def countries(self) -> list[str]:
        return max((c.countries for c in self.cases), key=len)

    @property
    def targets(self) -> list[str]:
        return list(dict.fromkeys(t for c in self.cases for t in c.targets))

    @property
    def quoted(self) -> Case | None:
        return next((c for c in self.cases if c.paragraphs), None)


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by a person: left alone
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file, why
    matches: list[str] = field(default_factory=list)  # how CSV and Markdown files of one network were paired
    merges: list[str] = field(default_factory=list)  # files of one network joined by the indicators they share
    kept_data: list[str] = field(default_factory=list)  # copied data files a person changed since: left alone
    updated_data: list[str] = field(default_factory=list)  # copied data files the checkout changed since: copied again


def _agree(a: dict[str, int], b: dict[str, int]) -> list[str] | None:
    """The counts two files both state, if every one of them is the same in both (at least two), else None."""
    shared = sorted(set(a) & set(b), key=list(FIGURES).index)
    if len(shared) < 2 or any(a[k] != b[k] for k in shared):
        return None
    return shared


def _stated(keys: list[str], counts: dict[str, int]) -> str:
    return ", ".join(f"{FIGURES[k]} {counts[k]:,}" for k in keys)


def _networks(root: Path, out: Outcome) -> list[Network]:
    """Read every file into the networks it describes; join a CSV with the Markdown case study of the same network."""
    found = sorted([*root.glob("indicators/csv/**/*.csv"), *root.glob("indicators/*.md")])
    real_root = Path(os.path.realpath(root))
    csvs: list[Case] = []
    mds: list[Case] = []
    for path in found:  # only the checkout's own files: a link could bring in any file of this machine, and publish it
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or not Path(os.path.realpath(path)).is_relative_to(real_root) or not path.is_file():
            out.skipped.append((rel, "is a link or not a plain file of the checkout; not copied"))
            continue
        if path.suffix == ".md":
            cases, why = read_markdown(path, rel)
            mds += cases
        else:
            case, why = read_csv(path, rel)
            csvs += [case] if case else []
        if why:
            out.skipped.append((rel, why))
    networks = [Network([c]) for c in csvs]
    alone: list[Network] = []
    for md in mds:
        # A Markdown case study and a CSV are one network when they are of the same year and origin and every count
        # both state is the same (at least two): names alone disagree (H2 2025 vs Q2-3 2025, network-2 vs CS1).
        fits = [(n, shared) for n in networks if len(n.cases) == 1 and n.first.year == md.year and set(n.first.countries) <= set(md.countries)
                and n.first.countries and (shared := _agree(n.first.counts, md.counts)) is not None]
        if len(fits) == 1:
            net, shared = fits[0]
            net.cases.append(md)
            net.note = (f"{net.first.path.name} and {md.path.name}{' (' + md.case + ')' if md.case else ''}: the same year and origin, "
                        f"and the same {len(shared)} counts stated in both ({_stated(shared, md.counts)})")
            out.matches.append(net.note)
        else:
            alone.append(Network([md]))
    networks += alone
    # Files of the same year and origin that list the same indicators describe one network, whatever their names say.
    merged: list[Network] = []
    for net in networks:
        into = next((m for m in merged if m.first.year == net.first.year and set(m.countries) & set(net.countries)
                     and (common := set().union(*(c.indicators for c in m.cases)) & set().union(*(c.indicators for c in net.cases)))
                     and all(m.counts[k] == v for k, v in net.counts.items() if k in m.counts)), None)
        if into is None:
            merged.append(net)
            continue
        common = sorted(set().union(*(c.indicators for c in into.cases)) & set().union(*(c.indicators for c in net.cases)))
        into.cases += net.cases
        into.note = ((into.note + "; ") if into.note else "") + (
            f"{into.first.path.name} and {net.first.path.name}: the same year and origin, and {len(common)} indicator(s) listed in both "
            f"({', '.join(common[:3])}{', …' if len(common) > 3 else ''})")
        out.merges.append(into.note)
    return merged


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("ü", "u").replace("ô", "o")).strip("-")


def _period_end(year: str, period: str) -> dt.date:
    """The last day of a report period: the announcement date when Meta's files give none (marked approximate)."""
    month = (6 if period == "H1" else 12) if period.startswith("H") else int(period.split("–")[-1][-1]) * 3  # Q2–3 ends with Q3
    following = dt.date(int(year) + 1, 1, 1) if month == 12 else dt.date(int(year), month + 1, 1)
    return following - dt.timedelta(days=1)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def disclosure_text(net: Network, root: Path, commit: str, data_paths: dict[Path, str], publish: bool) -> str:
    """Return the YAML of one imported network."""
    first, countries, targets = net.first, net.countries, net.targets
    year, period, period_from = net.period
    number = next((c.number for c in net.cases if c.number), "")
    if countries:
        label = f"{'/'.join(countries)}-based {first.descriptor}" + (f" {number.upper()}" if number else "")
    else:
        label = f"{first.descriptor} targeting {_and(targets)}"
    if first.campaign:
        label = f"{first.campaign}: {label}"
    kind = "" if first.descriptor.lower() == "cib network" else _slug(first.descriptor)  # "recidivist CIB cluster", "IB cluster"
    where = [_slug(c) for c in countries] or ["targeting", *(_slug(t) for t in targets)]
    ident = "-".join(x for x in ("meta", year, _slug(period), *where, _slug(first.campaign), kind, number) if x)
    counts = {k: v for k, v in net.counts.items() if k in FIGURES}
    stated = [f"{FIGURES[k]}: {v:,}" for k, v in sorted(counts.items(), key=lambda kv: list(FIGURES).index(kv[0]))]
    url = {p: f"{REPOSITORY}/blob/{commit}/{quote(p.relative_to(root).as_posix())}" for p in net.files}
    sources = [{"title": f"Meta threat-research indicators: {p.relative_to(root).as_posix()}", "url": url[p], "kind": "data"} for p in net.files]
    report = f"Meta's Adversarial Threat Report {period} {year}" if period_from == "text" else f"the report period {period} {year} (as its file's name gives it)"
    quoted = net.quoted
    if quoted is not None:
        says = "Meta's words about the network are quoted here; this site adds no attribution of its own."
    elif countries:
        says = f"Meta's indicator file names it a {'/'.join(countries)}-based {first.descriptor}; this site adds no attribution of its own."
    else:
        says = f"Meta's indicator file names the network by its targets ({_and(targets)}) and states no origin; this site adds no attribution of its own."
    values: dict[str, object] = {
        "id": ident,
        "title": f"{label} (Meta, {period} {year})",
        "platform": "meta",
        "announced": _period_end(year, period).isoformat(),
        "announced_approximate": True,
        "countries": countries,
    }
    if targets:
        values["targets"] = targets
    # An importer cannot weigh Meta's words: the kind stays unclassified until a person reads them.
    values["attribution"] = {"kind": "unclassified", "text": says}
    if quoted is not None:
        values["attribution"]["quote"] = quoted.quote  # type: ignore[index]
        values["attribution"]["quote_source"] = url[quoted.path]  # type: ignore[index]
    # No accounts_announced: Meta states Facebook and Instagram accounts apart, never their sum, and the site adds none.
    if counts:
        values["figures"] = dict(sorted(counts.items()))
    origin = f"A {'/'.join(countries)}-based network" if countries else f"A network targeting {_and(targets)}, whose origin Meta's files do not state,"
    values["summary"] = (f"{origin} in Meta's published threat indicators, from {report}"
                         + ("; as Meta's files state them, " + "; ".join(stated) + "." if stated else "."))
    if quoted is not None:
        heading = f"In Meta's words ({quoted.case}):" if quoted.case else "In Meta's words:"
        values["body"] = heading + "\n\n" + "\n\n".join("> " + p for p in quoted.paragraphs) + "\n"
    values["sources"] = sources
    values["tags"] = ["meta", "cib"]
    if net.dataset_files:
        values["datasets"] = [{"role": "indicators", "format": "meta-indicators", "path": [data_paths[p] for p in net.dataset_files]}]
    values["draft"] = not publish
    text = yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=110)
    note = f"# The network's files were joined: {net.note}.\n" if net.note else ""
    note += (f"# The report period, {period} {year}, is the one {quoted.path.name if quoted and quoted.period_from == 'text' else 'a file'} states in its text.\n"
             if period_from == "text" else f"# The report period, {period} {year}, is taken from the file's name: no file states it in its text.\n")
    return "# yaml-language-server: $schema=../../disclosure.schema.json\n" + note + text


def import_meta(root: Path, content: Path, data: Path, publish: bool = False) -> Outcome:
    """Import every influence-operation network of a checkout of Meta's threat-research repository."""
    out = Outcome()
    if not (root / "indicators").is_dir():
        raise BuildError(Problem(str(root), message=f"has no indicators/ folder: is it a checkout of {REPOSITORY}?"))
    commit = _commit(root)
    networks = _networks(root, out)
    target = data / DATA_FOLDER
    seen: dict[str, str] = {}
    copied = _copied(target)
    for net in networks:
        paths = {}
        for path in net.files:
            rel = path.relative_to(root).as_posix()
            _copy_data(path, target / rel, f"{DATA_FOLDER}/{rel}", copied, out)
            paths[path] = glob.escape(f"{DATA_FOLDER}/{rel}")  # a name like 'network_[1].csv' must match itself, not another file
        rels = list(paths.values())
        body = disclosure_text(net, root, commit, paths, publish)
        ident = re.search(r"^id: (\S+)$", body, re.M).group(1)  # type: ignore[union-attr]
        if ident in seen:  # two files that name the same network the same way: never let one overwrite the other
            raise BuildError(Problem(rels[0], message=f"would be imported as {ident!r}, like {seen[ident]}; rename one of them"))
        seen[ident] = rels[0]
        _write_disclosure(content / "disclosures", body, out)
    licence = root / "LICENSE"
    notice = ("The files below this folder are Meta's threat indicators, copied unchanged from\n"
              f"{REPOSITORY} (commit {commit}), under the MIT licence that follows.\n\n")
    if licence.is_file() and not licence.is_symlink():
        atomic_write(target / "LICENSE", notice + licence.read_text(encoding="utf-8"))
    if copied:
        atomic_write(target / COPIED, json.dumps(dict(sorted(copied.items())), indent=1) + "\n")
    return out


COPIED = ".imported-files.json"  # what the importer copied, by SHA-256: a file that differs since was changed by a person


def _copied(target: Path) -> dict[str, str]:
    try:
        data = json.loads((target / COPIED).read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy_data(source: Path, dest: Path, shown: str, copied: dict[str, str], out: Outcome) -> None:
    """Copy one of Meta's files into data/, unless a person changed the copy since the importer made it."""
    key = shown
    new = _sha(source)
    if dest.exists():
        now = _sha(dest)
        if now == new:
            copied[key] = new
            return
        if copied.get(key) != now:  # not what the importer wrote: someone removed an indicator, say; keep their file
            out.kept_data.append(f"{shown} (the checkout's copy differs; compare them before copying it by hand)")
            return
        out.updated_data.append(shown)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.importing")
    shutil.copyfile(source, tmp)
    os.replace(tmp, dest)
    copied[key] = new


def _commit(root: Path) -> str:
    """Return the commit the checkout is at: from git, or from the SOURCES.md beside a copy, or 'main'."""
    head = root / ".git" / "HEAD"
    if head.is_file():
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            target = root / ".git" / ref[5:]
            return target.read_text().strip() if target.is_file() else "main"
        return ref
    for sources in (root / "SOURCES.md", root.parent / "SOURCES.md"):
        if sources.is_file() and (m := re.search(r"commit\s+`?([0-9a-f]{40})`?", sources.read_text())):
            return m.group(1)
    return "main"


def _write_disclosure(folder: Path, body: str, out: Outcome) -> None:
    ident = re.search(r"^id: (\S+)$", body, re.M).group(1)  # type: ignore[union-attr]
    digest = hashlib.sha256(body.encode()).hexdigest()
    text = f"{_first_line(digest)}\n{body}"
    path = folder / f"{ident}.yaml"
    if path.exists():
        current = path.read_text(encoding="utf-8")
        first, _, rest = current.partition("\n")
        recorded = re.search(r"sha256 of what it wrote below: ([0-9a-f]{64})", first)
        if not recorded or hashlib.sha256(rest.encode()).hexdigest() != recorded.group(1) or first != _first_line(recorded.group(1)):
            # Its text, or a note on its first line, is a person's: left alone, with what a re-import would have changed.
            out.kept.append(str(path) + _would_change(rest, body))
            return
        # Publishing is a person's decision: a re-import keeps the disclosure as published or as draft as it is.
        state = re.search(r"^draft: (true|false)$", rest, re.M)
        if state and f"\ndraft: {state.group(1)}\n" not in body:
            body = re.sub(r"^draft: (true|false)$", f"draft: {state.group(1)}", body, flags=re.M)
            digest = hashlib.sha256(body.encode()).hexdigest()
            text = f"{_first_line(digest)}\n{body}"
        if current == text:
            out.unchanged.append(str(path))
            return
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)
    out.written.append(str(path))


def _would_change(current: str, body: str) -> str:
    """The top-level fields a re-import would have written otherwise (draft aside: that is the person's), as a note."""
    try:
        have, want = yaml.safe_load(current), yaml.safe_load(body)
    except yaml.YAMLError:
        return "; it is not valid YAML now"
    if not isinstance(have, dict) or not isinstance(want, dict):
        return ""
    keys = [k for k in dict.fromkeys([*want, *have]) if k != "draft" and have.get(k) != want.get(k)]
    return f"; a re-import would change: {', '.join(keys)}" if keys else ""


def _first_line(digest: str) -> str:
    return f"{MARK}; sha256 of what it wrote below: {digest}. Edit freely: a re-import then leaves this file alone."


def report(out: Outcome) -> str:
    lines = [f"imported {len(out.written)} disclosure(s); {len(out.unchanged)} unchanged; {len(out.kept)} kept as edited by a person; "
             f"{len(out.skipped)} file(s) skipped"]
    lines += [f"  kept (edited by a person): {k}" for k in out.kept]
    lines += [f"  kept data file (changed by a person): {k}" for k in out.kept_data]
    lines += [f"  updated data file (changed in the checkout): {k}" for k in out.updated_data]
    lines += [f"  skipped {f}: {why}" for f, why in out.skipped]
    lines += [f"  paired {m}" for m in out.matches]
    lines += [f"  joined {m}" for m in out.merges]
    return "\n".join(lines)

