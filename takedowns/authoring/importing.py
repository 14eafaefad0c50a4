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

from ..content.countries import country
from ..content.schema import FIGURES
from ..errors import BuildError, Problem
from ..files import atomic_write
from ..formats.meta.indicators import figures, parse_indicators

REPOSITORY = "https://github.com/facebook/threat-research"
MARK = "# imported by `build.py import meta`"
DATA_FOLDER = "meta-threat-research"

# Reports that are about hacking, malware or espionage, not influence operations, by words in their file names.
NOT_INFLUENCE = {"hacker": "hacking", "malware": "malware", "surveillance": "surveillance for hire", "malicious_mobile_apps": "malicious apps",
                 "_apt": "hacking group (APT)", "espionage": "espionage"}
WHOLE_REPORTS = ("metas_adversarial_threat_report", "removing_coordinated_inauthentic_behavior_from")


@dataclass
class Network:
    key: tuple[str, str, str, str]  # year, period, origin slug, number: what identifies it across files
    year: str
    period: str
    countries: list[str]
    targets: list[str]
    campaign: str
    descriptor: str
    number: str
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    summary: str = ""  # Meta's "Network Summary" prose, when a Markdown file has one
    matched: str = ""


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by a person: left alone
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file, why
    matches: list[str] = field(default_factory=list)  # how CSV and Markdown files of one network were paired
    kept_data: list[str] = field(default_factory=list)  # copied data files a person changed since: left alone
    updated_data: list[str] = field(default_factory=list)  # copied data files the checkout changed since: copied again


def _words(name: str) -> str:
    return " ".join(re.sub(r"[_\-#&]+", " ", name).split()).lower()


_PERIOD = re.compile(r"\b(q[1-4](?: [1-4])?|h[12]) (20\d\d)\b")


def describe(path: Path) -> tuple[dict[str, object] | None, str]:
    """Return what a file name says about its network (period, origin, number), or None and why it is skipped."""
    name = path.name.rsplit(".", 1)[0]
    lower = name.lower()
    for word, what in NOT_INFLUENCE.items():
        if word in lower.replace(" ", "_"):
            return None, f"{'an' if what[0] in 'aeiou' else 'a'} {what} report, not an influence operation"
    if any(w in lower for w in WHOLE_REPORTS):
        return None, "a whole report's indicators in one file, several networks (hacking and influence) mixed: split it by hand"
    words = _words(name)
    periods = list(_PERIOD.finditer(words))
    if not periods:
        return None, "no report period (Q1 2024, H2 2025, ...) in the file name"
    last = periods[-1]
    rest = words[last.end():].strip()
    based = re.match(r"(.*?)\s*based\s+(.*)$", rest)
    if not based:
        return None, "the file name does not say where the network is based; add it by hand"
    countries, campaign = [], []
    tokens = based.group(1).split()
    i = 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            try:
                countries.append(country(" ".join(tokens[i:j])).name)
                i = j
                break
            except ValueError:
                continue
        else:
            campaign.append(tokens[i])
            i += 1
    if not countries:
        return None, f"no country of origin recognised in {based.group(1)!r}"
    tail = based.group(2)
    number = ""
    m = re.search(r"\b(?:network|cluster)\s+(?:(cs)\s*)?(\d+)\b", tail)
    if m:
        number = (m.group(1) or "") + m.group(2)
    descriptor = re.sub(r"\s+(?:cs\s*)?\d+$|\s+updated$", "", tail.split(" updated")[0]).strip()
    descriptor = re.sub(r"\b(cib|ib)\b", lambda x: x.group(1).upper(), descriptor)
    period = last.group(1).upper().replace(" ", "–")
    return {"year": last.group(2), "period": period, "countries": countries, "campaign": " ".join(campaign).title(),
            "descriptor": descriptor, "number": number}, ""


def _networks(root: Path, out: Outcome) -> list[Network]:
    """Group the indicator files of ``root`` by network: a CSV and a Markdown file of one network become one."""
    found = sorted([*root.glob("indicators/csv/**/*.csv"), *root.glob("indicators/*.md")])
    real_root = Path(os.path.realpath(root))
    files = []
    for path in found:  # only the checkout's own files: a link could bring in any file of this machine, and publish it
        if path.is_symlink() or not Path(os.path.realpath(path)).is_relative_to(real_root) or not path.is_file():
            out.skipped.append((path.relative_to(root).as_posix(), "is a link or not a plain file of the checkout; not copied"))
        else:
            files.append(path)
    if not files:
        raise BuildError(Problem(str(root), message="holds no indicators/csv/**/*.csv or indicators/*.md: is it a checkout of "
                                                    f"{REPOSITORY}?"))
    csvs: list[Network] = []
    mds: list[Network] = []
    for path in files:
        about, why = describe(path)
        rel = path.relative_to(root).as_posix()
        if about is None:
            out.skipped.append((rel, why))
            continue
        part = figures({"indicators": parse_indicators(path.read_bytes(), rel)})
        key = (str(about["year"]), str(about["period"]), "-".join(_slug(c) for c in about["countries"]), str(about["number"]))  # type: ignore[union-attr]
        net = Network(key, str(about["year"]), str(about["period"]), list(about["countries"]), [], str(about["campaign"]),  # type: ignore[call-overload]
                      str(about["descriptor"]), str(about["number"]), [path], dict(part["stated_counts"]))
        if path.suffix == ".md":
            net.summary = _network_summary(path.read_text(encoding="utf-8"))
            mds.append(net)
        else:
            csvs.append(net)
    for md in mds:
        # Pair a Markdown file with the CSV of the same year and origin whose stated counts agree with it on every
        # count both state (at least two): file names alone disagree (H2 2025 vs Q2–3 2025, network-2 vs CS1).
        candidates = [c for c in csvs if c.year == md.year and c.countries == md.countries and len(c.files) == 1
                      and len(shared := set(c.counts) & set(md.counts)) >= 2 and all(c.counts[k] == md.counts[k] for k in shared)]
        if len(candidates) == 1:
            c = candidates[0]
            c.files.append(md.files[0])
            c.summary = md.summary
            c.counts = {**md.counts, **c.counts}
            c.matched = (f"{c.files[0].name} and {md.files[0].name}: same year and origin, and the same "
                         f"{len(set(c.counts) & set(md.counts))} stated counts")
            out.matches.append(c.matched)
        else:
            csvs.append(md)
    return csvs


def _network_summary(text: str) -> str:
    m = re.search(r"^##\s+.*Network Summary\s*$(.*?)(?=^##\s|\Z)", text, re.M | re.S)
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", m.group(1)) if p.strip()) if m else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("ü", "u").replace("ô", "o")).strip("-")


def _period_end(year: str, period: str) -> dt.date:
    """The last day of a report period: the announcement date when Meta's files give none (marked approximate)."""
    month = (6 if period == "H1" else 12) if period.startswith("H") else int(period.split("–")[-1][-1]) * 3  # Q2–3 ends with Q3
    following = dt.date(int(year) + 1, 1, 1) if month == 12 else dt.date(int(year), month + 1, 1)
    return following - dt.timedelta(days=1)


def disclosure_text(net: Network, root: Path, commit: str, files: list[str], publish: bool) -> str:
    """Return the YAML of one imported network."""
    label = f"{'/'.join(net.countries)}-based {net.descriptor}" + (f" {net.number.upper()}" if net.number else "")
    if net.campaign:
        label = f"{net.campaign}: {label}"
    kind = "" if net.descriptor.lower() == "cib network" else _slug(net.descriptor)  # "recidivist CIB cluster", "IB cluster"
    ident = "-".join(x for x in ("meta", net.year, _slug(net.period), *(_slug(c) for c in net.countries), _slug(net.campaign), kind,
                                 net.number) if x)
    counts = {k: v for k, v in net.counts.items() if k in FIGURES}
    stated = [f"{FIGURES[k]}: {v:,}" for k, v in sorted(counts.items(), key=lambda kv: list(FIGURES).index(kv[0]))]
    sources = [{"title": f"Meta threat-research indicators: {p.relative_to(root).as_posix()}",
                "url": f"{REPOSITORY}/blob/{commit}/{quote(p.relative_to(root).as_posix())}", "kind": "data"} for p in net.files]
    values: dict[str, object] = {
        "id": ident,
        "title": f"{label} (Meta, {net.period} {net.year})",
        "platform": "meta",
        "announced": _period_end(net.year, net.period).isoformat(),
        "announced_approximate": True,
        "countries": net.countries,
        # An importer cannot weigh Meta's words: the kind stays unclassified until a person reads them.
        "attribution": {"kind": "unclassified",
                        "text": f"Meta's indicator file names it a {'/'.join(net.countries)}-based {net.descriptor}; "
                                "this site adds no attribution of its own." if not net.summary else
                                "Meta's words about the network are quoted here; this site adds no attribution of its own."},
    }
    if net.summary:
        values["attribution"]["quote"] = net.summary.split("\n\n")[0]  # type: ignore[index]
        values["attribution"]["quote_source"] = sources[-1]["url"]  # type: ignore[index]
    facebook = counts.get("facebook_accounts", 0) + counts.get("instagram_accounts", 0)
    if facebook:
        values["accounts_announced"] = facebook
    if counts:
        values["figures"] = dict(sorted(counts.items()))
    values["summary"] = (f"A {'/'.join(net.countries)}-based network in Meta's published threat indicators"
                         + ("; as Meta's files state them, " + "; ".join(stated) + "." if stated else "."))
    if net.summary:
        values["body"] = "In Meta's words:\n\n" + "\n\n".join("> " + p for p in net.summary.split("\n\n")) + "\n"
    values["sources"] = sources
    values["tags"] = ["meta", "cib"]
    values["datasets"] = [{"role": "indicators", "format": "meta-indicators", "path": files}]
    values["draft"] = not publish
    text = yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=110)
    note = f"# The network's files were paired: {net.matched}.\n" if net.matched else ""
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
        rels = []
        for path in net.files:
            rel = path.relative_to(root).as_posix()
            _copy_data(path, target / rel, f"{DATA_FOLDER}/{rel}", copied, out)
            rels.append(glob.escape(f"{DATA_FOLDER}/{rel}"))  # a name like 'network_[1].csv' must match itself, not another file
        body = disclosure_text(net, root, commit, rels, publish)
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
            out.kept.append(str(path))  # its text, or a note on its first line: a person's, left alone
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
    return "\n".join(lines)

