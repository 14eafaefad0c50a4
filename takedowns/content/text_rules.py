"""What a disclosure's text may not hold: control characters, Markdown nested or bracketed past what renders in time, direction controls left open."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_NESTING = 32  # list and quote levels a line of Markdown may open (deeper overflows the renderer's recursion)
MAX_BRACKETS = 100  # '[' per paragraph: Python-Markdown's link matching takes time quadratic in them
_BLOCK_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*")
_MARKERS = re.compile(r">|[-*+]|\d{1,9}[.)]")


def markdown_problem(text: str) -> str | None:
    """Return why ``text`` is too costly to render as Markdown, or None: bounds that keep any page under a second."""
    for number, line in enumerate(text.split("\n"), 1):
        prefix = _BLOCK_PREFIX.match(line).group(0)  # type: ignore[union-attr]
        depth = len(_MARKERS.findall(prefix)) + len(re.match(r"[ \t]*", prefix.expandtabs(4)).group(0)) // 4  # type: ignore[union-attr]
        if depth > MAX_NESTING:
            return f"line {number} of the text nests lists or quotes {depth} levels deep; at most {MAX_NESTING} are allowed"
    for paragraph in re.split(r"\n[ \t]*\n", text):
        if paragraph.count("[") > MAX_BRACKETS:
            return f"a paragraph holds {paragraph.count('['):,} '[' characters; at most {MAX_BRACKETS} per paragraph are allowed"
    return None


_EMBEDDINGS = "\u202a\u202b\u202d\u202e"  # LRE RLE LRO RLO, each closed by U+202C (PDF)
_ISOLATES = "\u2066\u2067\u2068"  # LRI RLI FSI, each closed by U+2069 (PDI)


def bidi_problem(value: str) -> str | None:
    """Return why ``value``'s direction controls could reorder the text around it (one opened and never closed, or a
    close with nothing open), or None. A title reaches ``<title>``, listings and feeds, where nothing contains them."""
    opened: list[str] = []
    for ch in value:
        if ch in _EMBEDDINGS or ch in _ISOLATES:
            opened.append(ch)
        elif ch in "\u202c\u2069":
            want = _EMBEDDINGS if ch == "\u202c" else _ISOLATES
            if not opened or opened[-1] not in want:
                return f"holds the direction control U+{ord(ch):04X}, which closes nothing; remove it"
            opened.pop()
    if opened:
        return (f"holds the direction control U+{ord(opened[-1]):04X} and not the U+{0x202C if opened[-1] in _EMBEDDINGS else 0x2069:04X} "
                "that ends it: it would reverse the text around it wherever it is shown; remove it or close it")
    return None
