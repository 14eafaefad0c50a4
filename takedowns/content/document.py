"""Parse the text of one YAML file into a tree of positioned nodes, safely.

Nothing here turns YAML into Python values: scalars stay as the text that was
written, and the schema decides what they mean.  That is what makes ``NO``,
``on``, ``010`` and ``12:30`` strings when a string is expected, instead of the
booleans and sexagesimal numbers YAML 1.1 would make of them.
"""

from __future__ import annotations

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Problem

MAX_BYTES = 256 * 1024  # a disclosure is a page of text; anything larger is a mistake
MAX_DEPTH = 32

# Tags a plain scalar may be given by the YAML resolver; any other tag was
# written explicitly (``!!python/object``, ``!foo``) and is refused.
_IMPLICIT_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "value", "merge")
}


class _RefusedNode(Exception):
    def __init__(self, node_or_mark: object, message: str) -> None:
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        self.line = getattr(mark, "line", -1) + 1
        self.column = getattr(mark, "column", -1) + 1
        super().__init__(message)


class _Loader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases before they are expanded (no alias bombs)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _RefusedNode(event.start_mark, "YAML aliases (*name) are not allowed; write the value out")
        return super().compose_node(parent, index)


def parse(text: str | bytes, filename: str) -> tuple[Node | None, list[Problem]]:
    """Return the root node of ``text`` and the problems that kept it from being read."""
    if len(text) > MAX_BYTES:
        return None, [Problem(filename, 1, 0, f"file is {len(text):,} bytes; a disclosure may be at most {MAX_BYTES:,}")]
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            return None, [Problem(filename, line, 0, "not valid UTF-8 text")]
    try:
        root = yaml.compose(text, Loader=_Loader)
    except _RefusedNode as exc:
        return None, [Problem(filename, exc.line, exc.column, str(exc))]
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in str(exc):
            mark = exc.problem_mark
            return None, [Problem(filename, mark.line + 1 if mark else 0, 0, "only one YAML document per file (remove the '---')")]
        return None, [_yaml_problem(filename, exc)]
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(filename, exc)]
    except RecursionError:
        return None, [Problem(filename, 1, 0, f"nested too deeply (more than {MAX_DEPTH} levels)")]
    if root is None:
        return None, [Problem(filename, 1, 0, "the file is empty; expected a mapping of disclosure fields")]
    problems: list[Problem] = []
    fatal = _check(root, filename, 0, problems)
    # A duplicate key leaves the tree readable: go on, so every other problem of the file is reported too.
    return (None if fatal else root), problems


def _yaml_problem(filename: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML syntax: {what}" + (f" ({context})" if context else "")
    if mark is None:
        return Problem(filename, 0, 0, message)
    return Problem(filename, mark.line + 1, mark.column + 1, message)


def _check(node: Node, filename: str, depth: int, problems: list[Problem]) -> bool:
    """Refuse explicit tags, deep nesting and duplicate keys anywhere in the tree; return whether the tree is unusable."""
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if depth > MAX_DEPTH:
        problems.append(Problem(filename, line, col, f"nested too deeply (more than {MAX_DEPTH} levels)"))
        return True
    if node.tag not in _IMPLICIT_TAGS:
        problems.append(Problem(filename, line, col, f"YAML tag {node.tag!r} is not allowed; write plain values"))
        return True
    fatal = False
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                problems.append(Problem(filename, key.start_mark.line + 1, key.start_mark.column + 1, "a key must be plain text"))
                fatal = True
                continue
            if key.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(filename, key.start_mark.line + 1, key.start_mark.column + 1, "merge keys (<<) are not allowed"))
                fatal = True
                continue
            kline = key.start_mark.line + 1
            if key.value in seen:
                problems.append(
                    Problem(filename, kline, key.start_mark.column + 1,
                            f"duplicate key {key.value!r} (first given on line {seen[key.value]})")
                )
            else:
                seen[key.value] = kline
            fatal = _check(value, filename, depth + 1, problems) or fatal
    elif isinstance(node, SequenceNode):
        for item in node.value:
            fatal = _check(item, filename, depth + 1, problems) or fatal
    return fatal


def where(node: Node) -> tuple[int, int]:
    """Return the 1-based line and column where ``node`` starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def is_null(node: Node) -> bool:
    """Return whether ``node`` is an empty or ``null`` scalar."""
    return isinstance(node, ScalarNode) and node.style is None and node.value in ("", "~", "null", "Null", "NULL")
