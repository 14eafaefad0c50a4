"""What each of Meta's indicator files says about the networks in it, read from its name and its own words.

A CSV file describes one network; a Markdown file one, or one per "Case Study" of its "Network Summary".
Each becomes a ``Case``: where the network is based and whom it targeted, the report period (from the
file's text where it states one, else from its name, and which), the counts it states with Meta's
sentences, a quotation of whole sentences, and its indicators (to tell when two files describe one network).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..content.countries import country
from ..formats.meta.indicators import _sentences_with_counts, parse_indicators, plain_text, refang

# Reports that are about hacking, malware or espionage, not influence operations, by words in their file names.
NOT_INFLUENCE = {"hacker": "hacking", "malware": "malware", "surveillance": "surveillance for hire", "malicious_mobile_apps": "malicious apps",
                 "_apt": "hacking group (APT)", "espionage": "espionage"}
WHOLE_REPORTS = ("metas_adversarial_threat_report", "removing_coordinated_inauthentic_behavior_from")
_PERIOD = re.compile(r"\b(q[1-4](?: [1-4])?|h[12]) (20\d\d)\b")
_STATED_PERIOD = re.compile(r"Adversarial Threat Report,? (Q[1-4](?:[-–][1-4])?|H[12]) (20\d\d)\b")


@dataclass
class Case:
    """One network as one file (or one case study of a file) describes it."""

    path: Path
    year: str
    period: str  # "Q1", "Q2–3", "H2"
    period_from: str  # "text" (the file states it) or "name" (its file name gives it)
    countries: list[str]  # where it is based, as the file says; empty when it names only its targets
    targets: list[str]
    campaign: str = ""
    descriptor: str = "CIB network"
    number: str = ""
    case: str = ""  # "Case Study 1: …" for one of several networks of one Markdown file
    whole_file: bool = True  # the file describes this network alone: it can be the network's dataset
    counts: dict[str, int] = field(default_factory=dict)
    phrases: list[str] = field(default_factory=list)  # Meta's sentences (or rows) stating the counts
    quote: str = ""  # whole sentences of the file, in Meta's words
    paragraphs: list[str] = field(default_factory=list)  # the case's prose, plain text
    indicators: frozenset[str] = frozenset()


def _words(name: str) -> str:
    return " ".join(re.sub(r"[_\-#&,]+", " ", name).split()).lower()


def _countries(text: str) -> tuple[list[str], list[str]]:
    """Split words into the countries they name (longest names first) and the other words."""
    found, other = [], []
    tokens = text.split()
    i = 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            try:
                found.append(country(" ".join(tokens[i:j])).name)
                i = j
                break
            except ValueError:
                continue
        else:
            other.append(tokens[i])
            i += 1
    return found, other


def skip_reason(path: Path) -> str:
    """Why a file is not an influence-operation network's, or ''."""
    lower = path.name.rsplit(".", 1)[0].lower()
    for word, what in NOT_INFLUENCE.items():
        if word in lower.replace(" ", "_"):
            return f"{'an' if what[0] in 'aeiou' else 'a'} {what} report, not an influence operation"
    if any(w in lower for w in WHOLE_REPORTS):
        return "a whole report's indicators in one file, several networks (hacking and influence) mixed: split it by hand"
    return ""


def from_name(path: Path) -> tuple[dict[str, object] | None, str]:
    """Return what a file name says about its network (period, origin or targets, number), or None and why it is skipped."""
    why = skip_reason(path)
    if why:
        return None, why
    words = _words(path.name.rsplit(".", 1)[0])
    periods = list(_PERIOD.finditer(words))
    if not periods:
        return None, "no report period (Q1 2024, H2 2025, ...) in the file name"
    last = periods[-1]
    rest = words[last.end():].strip()
    period = last.group(1).upper().replace(" ", "–")
    based = re.match(r"(.*?)\s*based\s+(.*)$", rest)
    targeting = re.match(r"(.*?)\s*targeting\s+(.*)$", rest)
    if based:
        countries, campaign = _countries(based.group(1))
        if not countries:
            return None, f"no country of origin recognised in {based.group(1)!r}"
        tail, targets = based.group(2), []
    elif targeting:  # named by its targets alone: Meta's file states no origin
        targets, other = _countries(targeting.group(1))
        if not targets or other:
            return None, f"the file name names neither an origin nor targets this reader knows ({targeting.group(1)!r})"
        countries, campaign, tail = [], [], targeting.group(2)
    else:
        return None, "the file name does not say where the network is based nor whom it targeted; add it by hand"
    number = ""
    m = re.search(r"\b(?:network|cluster)\s+(?:(cs)\s*)?(\d+)\b", tail)
    if m:
        number = (m.group(1) or "") + m.group(2)
    descriptor = re.sub(r"\s+(?:cs\s*)?\d+$|\s+updated$", "", tail.split(" updated")[0]).strip()
    descriptor = re.sub(r"\b(cib|ib)\b", lambda x: x.group(1).upper(), descriptor)
    return {"year": last.group(2), "period": period, "countries": countries, "targets": targets, "campaign": " ".join(campaign).title(),
            "descriptor": descriptor, "number": number}, ""


def _indicator_key(value: str) -> str:
    return refang(value).strip().strip("`").lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")


def read_csv(path: Path, rel: str) -> tuple[Case | None, str]:
    """Return the network of one CSV file, or None and why it is skipped."""
    about, why = from_name(path)
    if about is None:
        return None, why
    part = parse_indicators(path.read_bytes(), rel)
    return Case(path, str(about["year"]), str(about["period"]), "name", list(about["countries"]), list(about["targets"]),  # type: ignore[call-overload]
                str(about["campaign"]), str(about["descriptor"]), str(about["number"]), counts=dict(part.counts),
                phrases=list(dict.fromkeys(part.phrases)),
                indicators=frozenset(_indicator_key(v) for kind, v, _, _ in part.indicators if kind not in ("text",))), ""


_TITLE = re.compile(r"^#\s+Indicators of Compromise:\s+(.+?)-Based\s+(.+?)(?:\s+Targeting\s+(.+?))?\s*$", re.M)


def read_markdown(path: Path, rel: str) -> tuple[list[Case], str]:
    """Return the networks of one Markdown file (one per case study), or none and why it is skipped."""
    about, why = from_name(path)
    if about is None:
        return [], why
    text = path.read_text(encoding="utf-8")
    period, year, period_from = str(about["period"]), str(about["year"]), "name"
    stated = _STATED_PERIOD.search(text)
    if stated:
        period, year, period_from = stated.group(1).replace("-", "–"), stated.group(2), "text"
    countries, targets = list(about["countries"]), list(about["targets"])  # type: ignore[call-overload]
    title = _TITLE.search(text)
    if title:
        named, _ = _countries(_words(title.group(1)))
        countries = named or countries
        targets = [t.strip() for t in re.split(r",\s*|\s+and\s+", title.group(3) or "") if t.strip()] or targets
    part = parse_indicators(text.encode(), rel)
    keys = frozenset(_indicator_key(v) for kind, v, _, _ in part.indicators if kind not in ("text",))
    summary = re.search(r"^##[ \t]+[^\n]*Network Summary[ \t]*$(.*?)(?=^##\s|\Z)", text, re.M | re.S)
    body = summary.group(1) if summary else ""
    studies = list(re.finditer(r"^###[ \t]+(Case Study \d+[^\n]*?)[ \t]*$", body, re.M))
    sections = ([(m.group(1).strip(), body[m.end(): studies[i + 1].start() if i + 1 < len(studies) else len(body)])
                 for i, m in enumerate(studies)] if studies else [("", body)])
    cases = []
    for i, (name, section) in enumerate(sections, 1):
        paragraphs = [p for p in (plain_text(p) for p in re.split(r"\n\s*\n", section)) if p]
        counts: dict[str, int] = {}
        phrases: list[str] = []
        _sentences_with_counts(" ".join(paragraphs), counts, phrases)
        cases.append(Case(path, year, period, period_from, countries, targets, str(about["campaign"]), str(about["descriptor"]),
                          f"cs{i}" if studies else str(about["number"]), name, whole_file=not studies, counts=counts,
                          phrases=list(dict.fromkeys(phrases)), quote=paragraphs[0] if paragraphs else "", paragraphs=paragraphs,
                          indicators=keys if not studies else frozenset()))
    return cases, ""
