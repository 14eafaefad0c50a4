"""Meta's published threat indicators (github.com/facebook/threat-research, MIT licence), one file per network.

Three generations of layout, all read by one role, ``indicators``:
- 2020–2022 CSV: ``indicator_type,indicator_value,comment,ds``;
- 2022–2026 CSV in Meta's Online Operations Kill Chain: ``Tactic,Technique,Procedure,Indicator[,Notes]``
  (header names matched loosely: trimmed, any case, any fifth column), where announced counts are
  written as indicators (``0.9.1 Acquiring Facebook assets,37 accounts``) and links are defanged;
- 2025–2026 Markdown: a "Network Summary" paragraph that states the counts in prose, above a table.

Every value is the operation's own text: it is kept as text, refanged only for display, never linked.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import DataError, Problem
from ...files import MAX_CSV_FIELD
from ...statistics.contract import INT, OBJ, Key, top_list
from ...statistics.partials import partial_type, top
from ..registry import Format, Role, register


def N_(message: str) -> str:  # noqa: N802 - marks a label for the catalogs (pybabel -k N_); translated where it is shown
    return message


KILLCHAIN_FILE = Path(__file__).with_name("meta_killchain.csv")  # Meta's list of tactics, techniques and procedures (MIT)
MAX_INDICATORS = 50_000  # per file: the longest published list (Doppelganger, Q2 2023) has about 6,500

# Kinds of indicator, each with the label readers see.
KINDS = {
    "domain": N_("Web domains"), "x_twitter": N_("X / Twitter accounts"), "telegram": N_("Telegram"), "youtube": N_("YouTube"),
    "tiktok": N_("TikTok"), "facebook_instagram": N_("Facebook and Instagram"), "other_account": N_("Other online accounts"),
    "ip": N_("IP addresses"), "hash": N_("File hashes"), "text": N_("Descriptions (free text)"),
}
_SOCIAL = {
    "x_twitter": ("twitter.com", "x.com"), "telegram": ("t.me", "telegram.me", "telegram.org"),
    "youtube": ("youtube.com", "youtu.be"), "tiktok": ("tiktok.com",),
    "facebook_instagram": ("facebook.com", "fb.com", "instagram.com", "threads.net"),
    "other_account": ("vk.com", "ok.ru", "medium.com", "reddit.com", "pinterest.com", "tumblr.com", "linkedin.com",
                      "livejournal.com", "rumble.com", "quora.com", "gettr.com", "truthsocial.com", "substack.com", "github.com",
                      "soundcloud.com", "patreon.com", "snapchat.com", "dailymotion.com", "blogspot.com", "wordpress.com"),
}
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,})(?::\d+)?(?:[/?#]\S*)?$")
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$")
_HASH = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$")
_PROCEDURE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{1,2})\s*(.*)$", re.S)
# A count starts where a run of digits starts (never inside one): a search over a long run of digits then tries
# one place, not every place, and stays linear in the text (the text is the file's, and may be hostile).
_NUMBER = r"(?<!\d)(?<!\d,)(\d{1,3}(?:,\d{3})+|\d+)"


def refang(text: str) -> str:
    """Return an indicator as plain text: ``example[.]com`` -> ``example.com``, ``hxxp`` -> ``http`` (for display, never a link)."""
    return text.replace("[.]", ".").replace("(.)", ".").replace("[:]", ":").replace("hxxp", "http")


def kind_of(value: str, declared: str = "") -> str:
    """Return which of ``KINDS`` an indicator is, from its text (and the type Meta gave, in the oldest layout)."""
    v = refang(value).strip().lower()
    declared = declared.strip().lower()
    if declared in ("md5", "sha1", "sha256") or _HASH.match(v):
        return "hash"
    if declared in ("ip", "ip_address") or _IP.match(v):
        return "ip"
    match = _HOST.match(v)
    if match:
        host = match.group(1)
        for kind, hosts in _SOCIAL.items():
            if any(host == h or host.endswith("." + h) for h in hosts):
                return kind
        return "domain"
    if declared == "telegram_url":
        return "telegram"
    return "text"


def host_of(value: str) -> str | None:
    match = _HOST.match(refang(value).strip().lower())
    return match.group(1) if match else None


@lru_cache(maxsize=1)
def killchain() -> dict[str, tuple[str, str, str]]:
    """Return Meta's kill chain: procedure code -> (tactic, technique, procedure name)."""
    out: dict[str, tuple[str, str, str]] = {}
    with KILLCHAIN_FILE.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if len(row) >= 3 and (m := _PROCEDURE.match(row[2])):
                code = ".".join(m.group(i) for i in (1, 2, 3))
                out[code] = (" ".join(row[0].split()), " ".join(row[1].split()), " ".join(m.group(4).split()))
    return out


@partial_type
@dataclass
class IndicatorsPartial:
    files: int = 0
    layouts: Counter[str] = field(default_factory=Counter)
    counts: dict[str, int] = field(default_factory=dict)  # announced counts the file states (first file wins)
    phrases: list[str] = field(default_factory=list)  # Meta's own words for them, verbatim
    indicators: list[list[str]] = field(default_factory=list)  # [kind, value as published, procedure code, note]
    procedures: Counter[str] = field(default_factory=Counter)  # kill-chain code -> rows
    unknown_procedures: Counter[str] = field(default_factory=Counter)  # codes not in Meta's published list


# An amount as Meta writes it: 1326, 1,326, 1.9 million; it starts where a run of digits starts (linear time, see _NUMBER).
_AMOUNT = r"(?<!\d)(?<!\d,)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?: million)?)"
_WHO = r"(?:accounts?|users?)"
_THESE = r"(?:one or more of these|this|the)"
# Counts as Meta writes them, as (pattern, figure key) — in the kill-chain rows and in the prose summaries.
# tests/test_meta.py lists every count-like phrase of Meta's published files: each must be read by one of these
# or be named, with its reason, as not a count.
_PROSE = (
    (rf"{_AMOUNT} Facebook accounts?\b", "facebook_accounts"),
    (rf"{_AMOUNT} (?:Facebook )?Pages?\b", "facebook_pages"),
    (rf"{_AMOUNT} (?:Facebook )?Groups?\b", "facebook_groups"),
    (rf"{_AMOUNT} (?:Facebook )?Events?\b", "facebook_events"),
    (rf"{_AMOUNT} Instagram accounts?\b", "instagram_accounts"),
    (rf"{_AMOUNT} {_WHO} followed {_THESE} Pages?\b", "page_followers"),
    (rf"{_AMOUNT} {_WHO} followed {_THESE} Instagram accounts?\b", "instagram_followers"),
    (rf"{_AMOUNT} {_WHO} (?:joined|followed) {_THESE} Groups?\b", "group_members"),
    (rf"\${_AMOUNT} in (?:spending for ads|ad spend)\b", "ad_spend_usd"),
    (rf"{_AMOUNT} USD in (?:spending for ads|ad spend)\b", "ad_spend_usd"),
)
_ROW_COUNT = {("0.9.1", "accounts"): "facebook_accounts", ("0.9.1", "pages"): "facebook_pages", ("0.9.1", "groups"): "facebook_groups",
              ("0.9.1", "events"): "facebook_events", ("0.9.2", "accounts"): "instagram_accounts"}


def _number(text: str) -> int:
    """Return an amount as Meta wrote it ("1,326", "1.9 million") as a whole number, exactly."""
    digits, million, _ = text.replace(",", "").partition(" million")
    return int(Decimal(digits) * (1_000_000 if million else 1))


_LINK = re.compile(r"!?\[([^\]\n]{0,500})\]\([^)\s]{0,4000}\)")


def plain_text(markdown: str) -> str:
    """Return Markdown prose as the words a reader sees: headings dropped, links as their text, no emphasis markers."""
    lines = [ln for ln in markdown.splitlines() if not ln.lstrip().startswith("#")]
    text = _LINK.sub(lambda m: m.group(1), " ".join(" ".join(lines).split()))
    return text.replace("**", "").replace("`", "")


def _sentences_with_counts(text: str, found: dict[str, int], phrases: list[str]) -> None:
    """Find the announced counts in Meta's prose; keep each sentence that states one, verbatim."""
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        hit = False
        for pattern, key in _PROSE:
            m = re.search(pattern, sentence)
            if m and not (key.endswith("_accounts") and "followed" in sentence[m.end():m.end() + 12]):
                hit = True
                # "less than 100 accounts joined": a bound, not a count; the sentence is kept in Meta's words
                if not re.search(r"(?:less|fewer|more) than\s*\$?$|(?:under|over|nearly|almost)\s*\$?$", sentence[:m.start()], re.I):
                    found.setdefault(key, _number(m.group(1)))
        if hit:
            phrases.append(sentence)


def parse_indicators(data: bytes, name: str) -> IndicatorsPartial:
    """Return the statistics of one of Meta's indicator files (any of the three layouts); raise DataError if unreadable."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(Problem(name, line, 0, "not valid UTF-8 text")) from None
    if "\x00" in text:
        raise DataError(Problem(name, text[: text.index("\x00")].count("\n") + 1, 0, "NUL byte in the file"))
    part = IndicatorsPartial(files=1)
    if name.lower().endswith(".md"):
        _markdown(text, part)
    else:
        _csv(text, name, part)
    if len(part.indicators) > MAX_INDICATORS:
        raise DataError(Problem(name, message=f"holds {len(part.indicators):,} indicators; at most {MAX_INDICATORS:,} are read per file"))
    return part


def _csv(text: str, name: str, part: IndicatorsPartial) -> None:
    csv.field_size_limit(MAX_CSV_FIELD)  # the same limit in every command, whichever reader was loaded first
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise DataError(Problem(name, reader.line_num, 0, f"not readable as CSV: {exc}" + (
            f" (a cell may hold at most {MAX_CSV_FIELD:,} characters)" if "field larger" in str(exc) else ""))) from None
    if not rows:
        raise DataError(Problem(name, 1, 0, "is empty; expected Meta's indicator columns"))
    head = [" ".join(h.split()).lower() for h in rows[0]]
    known = set(killchain())
    if head[:4] == ["indicator_type", "indicator_value", "comment", "ds"]:
        part.layouts["indicator_type,indicator_value,comment,ds"] += 1
        for row in rows[1:]:
            if not any(c.strip() for c in row):
                continue
            row = row + [""] * (4 - len(row))
            part.indicators.append([kind_of(row[1], row[0]), row[1].strip(), "", row[2].strip()])
        return
    if head[:4] != ["tactic", "technique", "procedure", "indicator"]:
        raise DataError(Problem(name, 1, 0, "header is neither Meta's kill-chain layout (Tactic,Technique,Procedure,Indicator) "
                                            f"nor its indicator layout (indicator_type,indicator_value,comment,ds): {', '.join(rows[0][:5])}"))
    part.layouts["Tactic,Technique,Procedure,Indicator"] += 1
    for row in rows[1:]:
        if not any(c.strip() for c in row):
            continue  # the blank separator rows between tactics
        row = row + [""] * (5 - len(row))
        procedure, value, note = row[2], " ".join(row[3].split()), " ".join(" ".join(row[4:]).split())
        m = _PROCEDURE.match(procedure)
        code = ".".join(m.group(i) for i in (1, 2, 3)) if m else ""
        if code:
            (part.procedures if code in known else part.unknown_procedures)[code] += 1
        count = re.fullmatch(rf"(?:about |around |approximately )?{_NUMBER} (accounts?|pages?|groups?|events?)", value, re.I)
        key = _ROW_COUNT.get((code, (count.group(2).lower().rstrip("s") + "s") if count else ""))
        if count and key:
            part.counts.setdefault(key, _number(count.group(1)))
            part.phrases.append(f"{procedure.strip()}: {value}")
            continue
        before = dict(part.counts)
        _sentences_with_counts(value, part.counts, part.phrases)
        if part.counts != before:  # a row that states followers or ad spend is a figure, not an indicator
            continue
        if value:
            part.indicators.append([kind_of(value), value, code, note])


def _markdown(text: str, part: IndicatorsPartial) -> None:
    part.layouts["Markdown"] += 1
    summary = re.search(r"^##[ \t]+[^\n]*Network Summary[ \t]*$(.*?)(?=^##\s|\Z)", text, re.M | re.S)  # a heading is one line
    if summary:  # Meta's sentences as a reader sees them: no headings, no link syntax
        _sentences_with_counts(plain_text(summary.group(1)), part.counts, part.phrases)
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
        if len(cells) >= 2 and not set(cells[0]) <= set(":- ") and cells[0].lower() != "indicator type":
            value = cells[1].strip("`").strip()
            if value:
                part.indicators.append([kind_of(value), value, "", cells[0]])


def figures(parts: dict[str, Any]) -> dict[str, Any]:
    """Return the published statistics of a network's indicator files."""
    p: IndicatorsPartial | None = parts.get("indicators")
    if p is None:
        return {}
    seen: set[tuple[str, str]] = set()
    indicators = []
    for kind, value, code, note in p.indicators:  # the same network's CSV and Markdown list the same indicators
        key = (kind, refang(value).strip().lower())
        if key not in seen:
            seen.add(key)
            indicators.append({"kind": kind, "value": value, "text": refang(value), "procedure": code, "note": note})
    kinds = Counter(i["kind"] for i in indicators)
    domains = Counter(h for i in indicators if i["kind"] == "domain" and (h := host_of(i["value"])))
    chain = killchain()
    procedures = [{"code": c, "tactic": chain[c][0], "technique": chain[c][1], "procedure": chain[c][2], "rows": n}
                  for c, n in sorted(p.procedures.items(), key=lambda cn: [int(x) for x in cn[0].split(".")])]
    tactics = Counter()
    for row in procedures:
        tactics[row["tactic"]] += 1
    return {
        "indicator_files": p.files,
        "layouts": dict(sorted(p.layouts.items())),
        "stated_counts": dict(sorted(p.counts.items())),
        "stated_in_meta_words": list(dict.fromkeys(p.phrases)),
        "indicator_count": len(indicators),
        "indicators_by_kind": [{"kind": k, "label": KINDS[k], "count": kinds[k]} for k in KINDS if kinds[k]],
        "indicator_domains": sorted(domains),
        "top_indicator_domains": top(domains, None),
        "killchain_procedures": procedures,
        "killchain_tactics": [{"tactic": t, "procedures": n} for t, n in sorted(tactics.items(), key=lambda tn: int(tn[0].split(".")[0]))],
        "unknown_procedures": sorted(p.unknown_procedures),
        "indicators": indicators,
        "tables": [{
            "name": "indicators", "title": N_("Indicators as Meta published them"),
            "caption": N_("The operation's own accounts, sites and descriptions, refanged for reading but never linked"),
            "columns": [["kind_label", N_("Kind")], ["text", N_("Indicator")], ["procedure", N_("Kill-chain procedure")], ["note", N_("Meta's note")]],
            # on the page: the note under its indicator (a column of its own made every row tall on a phone); kinds in the reader's language
            "beneath": {"note": "text"}, "translated": ["kind_label"],
            "rows": [{**i, "kind_label": KINDS[i["kind"]]} for i in indicators],
        }],
    }


_ARRAY = {"type": "array"}
CONTRACT = (
    Key("indicator_files", INT, "indicator files read"),
    Key("layouts", OBJ, "files per layout (the 2020–22 indicator CSV, the kill-chain CSV, Markdown)"),
    Key("stated_counts", {"type": "object", "additionalProperties": INT},
        "the counts the files state (`facebook_accounts`, `facebook_pages`, `facebook_groups`, `instagram_accounts`, `page_followers`, "
        "`group_members`, `instagram_followers`, `ad_spend_usd`); bounds such as \"less than 100\" are left out"),
    Key("stated_in_meta_words", _ARRAY, "each sentence or row that states a count, verbatim"),
    Key("indicator_count", INT, "distinct indicators (kind and refanged value)"),
    Key("indicators_by_kind", _ARRAY, "`[{\"kind\", \"label\", \"count\"}]`"),
    Key("indicator_domains", _ARRAY, "web domains among the indicators, sorted"),
    Key("top_indicator_domains", top_list(), "the same with how often each appears"),
    Key("killchain_procedures", _ARRAY, "`[{\"code\", \"tactic\", \"technique\", \"procedure\", \"rows\"}]`, by code"),
    Key("killchain_tactics", _ARRAY, "`[{\"tactic\", \"procedures\"}]`"),
    Key("unknown_procedures", _ARRAY, "procedure codes not in Meta's published kill chain"),
    Key("indicators", _ARRAY, "`[{\"kind\", \"value\", \"text\", \"procedure\", \"note\"}]`: value as published, text refanged"),
)


META_INDICATORS = register(Format(
    name="meta-indicators",
    label="Meta's threat indicators (github.com/facebook/threat-research): kill-chain CSV, indicator CSV or Markdown",
    roles={"indicators": Role("indicators", "Indicators", (), (), "Indicator", IndicatorsPartial, parse=parse_indicators)},
    figures=figures,
    suffixes=(".csv", ".md"),
    charts="takedowns.formats.meta.charts",
    contract=CONTRACT,
    methods=lambda: _methods(),
))


def _methods() -> dict[str, Any]:
    """The Methods page cites the two kill-chain procedures the coordination signals correspond to."""
    chain = killchain()
    return {"killchain": [f"{code} {chain[code][2]}" for code in ("3.1.1", "3.5.1") if code in chain]}
