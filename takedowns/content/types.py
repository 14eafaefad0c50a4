"""Value types of the disclosure format: each converts a YAML node and describes itself.

A type knows three things, so the format is defined once (see ``schema.py``):
how to read a node into a Python value, its JSON Schema, and a line of docs.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Problem
from .document import is_null, where
from .text_rules import _CONTROL, bidi_problem, markdown_problem


class Invalid(Exception):
    """A value that does not fit its type; the message says what was expected."""

    def __init__(self, node: Node, message: str) -> None:
        self.node = node
        super().__init__(message)


@dataclass
class Report:
    """Collects problems for one file while its nodes are converted."""

    filename: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, node: Node, message: str) -> None:
        line, col = where(node)
        self.problems.append(Problem(self.filename, line, col, message))


def _scalar(node: Node, what: str) -> str:
    if not isinstance(node, ScalarNode):
        raise Invalid(node, f"expected {what}, found a {'list' if isinstance(node, SequenceNode) else 'mapping'}")
    return node.value


class Type:
    """Base of all value types."""

    def convert(self, node: Node, report: Report) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Type):
    max_length: int = 500
    pattern: str | None = None
    pattern_help: str = ""
    multiline: bool = False
    markdown: bool = False

    def convert(self, node: Node, report: Report) -> str:
        value = _scalar(node, "text")
        if not isinstance(node, ScalarNode) or (node.style is None and value == ""):
            raise Invalid(node, "expected text, found nothing")
        if len(value) > self.max_length:
            raise Invalid(node, f"text is {len(value):,} characters; at most {self.max_length:,} allowed")
        if not self.multiline and "\n" in value.strip():
            raise Invalid(node, "expected one line of text")
        if control := _CONTROL.search(value):
            raise Invalid(node, f"holds the control character U+{ord(control.group(0)):04X}; remove it")
        if problem := bidi_problem(value):
            raise Invalid(node, problem)
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise Invalid(node, f"{value!r} is not {self.pattern_help}")
        if self.markdown and (problem := markdown_problem(value)):
            raise Invalid(node, problem)
        return value.strip() if not self.multiline else value

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length, "minLength": 1}
        if self.pattern:
            schema["pattern"] = f"^(?:{self.pattern})$"
        return schema

    def describe(self) -> str:
        return self.pattern_help or ("Markdown text" if self.markdown else "text")


@dataclass(frozen=True)
class Integer(Type):
    minimum: int = 0
    maximum: int = 10**12  # no announced count comes near a trillion; larger is a typo or an attack

    def convert(self, node: Node, report: Report) -> int:
        value = _scalar(node, "a whole number").replace("_", "")
        if not re.fullmatch(r"[+-]?[0-9]+", value):
            raise Invalid(node, f"expected a whole number, found {value[:40]!r}")
        if len(value.lstrip("+-0")) > len(str(self.maximum)):
            raise Invalid(node, f"expected a number of at most {self.maximum:,}, found one of {len(value):,} digits")
        number = int(value, 10)  # leading zeros stay decimal: 010 is ten, not octal eight
        if number < self.minimum:
            raise Invalid(node, f"expected a number of at least {self.minimum}, found {number}")
        if number > self.maximum:
            raise Invalid(node, f"expected a number of at most {self.maximum:,}, found {number:,}")
        return number

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def describe(self) -> str:
        return f"whole number from {self.minimum} to {self.maximum:,}"


@dataclass(frozen=True)
class Boolean(Type):
    def convert(self, node: Node, report: Report) -> bool:
        value = _scalar(node, "true or false")
        if value in ("true", "True", "TRUE"):
            return True
        if value in ("false", "False", "FALSE"):
            return False
        raise Invalid(node, f"expected true or false, found {value!r}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Date(Type):
    def convert(self, node: Node, report: Report) -> dt.date:
        value = _scalar(node, "a date").strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise Invalid(node, f"expected a date as YYYY-MM-DD, found {value!r}")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise Invalid(node, f"{value!r} is not a real date") from None

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

    def describe(self) -> str:
        return "date, YYYY-MM-DD"


_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class DateTime(Type):
    """A moment: date and time with a time zone; without a zone it would be a guess."""

    def convert(self, node: Node, report: Report) -> dt.datetime:
        value = _scalar(node, "a date-time").strip()
        match = _DATETIME.fullmatch(value)
        if not match:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?", value):
                raise Invalid(node, f"{value!r} has no time zone; write it as e.g. 2024-05-01T09:00:00Z or 2024-05-01T11:00:00+02:00")
            raise Invalid(node, f"expected a date-time with time zone like 2024-05-01T09:00:00Z, found {value!r}")
        day, time, zone = match.groups()
        try:
            moment = dt.datetime.fromisoformat(f"{day}T{time}{'+00:00' if zone == 'Z' else zone}")
            return moment.astimezone(dt.UTC)
        except ValueError:
            raise Invalid(node, f"{value!r} is not a real date-time") from None
        except OverflowError:  # 9999-12-31T23:59-01:00 is after the last moment Python can hold in UTC
            raise Invalid(node, f"{value!r} is out of range; give a moment between the years 1 and 9999 in UTC") from None

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?\s*(Z|[+-]\d{2}:\d{2})$"}

    def describe(self) -> str:
        return "date-time with time zone, e.g. 2024-05-01T09:00:00Z"


@dataclass(frozen=True)
class Url(Type):
    def convert(self, node: Node, report: Report) -> str:
        value = _scalar(node, "a URL").strip()
        if not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value):
            raise Invalid(node, f"expected an http:// or https:// address, found {value!r}")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "pattern": "^https?://"}

    def describe(self) -> str:
        return "http(s) URL"


@dataclass(frozen=True)
class Choice(Type):
    choices: tuple[str, ...]

    def convert(self, node: Node, report: Report) -> str:
        value = _scalar(node, "one of " + ", ".join(self.choices)).strip()
        if value not in self.choices:
            hint = difflib.get_close_matches(value, self.choices, n=1)
            raise Invalid(node, f"{value!r} is not one of: {', '.join(self.choices)}"
                          + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}

    def describe(self) -> str:
        return "one of " + ", ".join(f"`{c}`" for c in self.choices)


@dataclass(frozen=True)
class Custom(Type):
    """A scalar read by a function, e.g. a country name checked against ISO 3166."""

    reader: Callable[[str], Any]
    schema: tuple[tuple[str, Any], ...]
    text: str

    def convert(self, node: Node, report: Report) -> Any:
        value = _scalar(node, self.text).strip()
        try:
            return self.reader(value)
        except ValueError as exc:
            raise Invalid(node, str(exc)) from None

    def json_schema(self) -> dict[str, Any]:
        return dict(self.schema)

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class ListOf(Type):
    item: Type
    min_items: int = 0
    max_items: int = 1000
    scalar_ok: bool = False  # a single value may stand for a list of one
    unique: bool = False  # the same value twice (Iran, IR, iran) is an error naming both

    def convert(self, node: Node, report: Report) -> tuple[Any, ...]:
        if isinstance(node, ScalarNode):
            if self.scalar_ok and not is_null(node):
                items = [node]
            elif is_null(node) and self.min_items == 0:
                return ()
            else:
                raise Invalid(node, f"expected a list of {self.item.describe()}")
        elif isinstance(node, SequenceNode):
            items = node.value
        else:
            raise Invalid(node, f"expected a list of {self.item.describe()}, found a mapping")
        if len(items) < self.min_items:
            raise Invalid(node, f"expected at least {self.min_items} item(s)")
        if len(items) > self.max_items:
            raise Invalid(node, f"expected at most {self.max_items} items")
        values = []
        first: dict[Any, Node] = {}
        for item in items:
            try:
                value = self.item.convert(item, report)
            except _AlreadyReported:
                continue
            except Invalid as exc:
                report.add(exc.node, str(exc))
                continue
            if self.unique and value in first:
                other = first[value]
                shown = getattr(value, "name", value)
                report.add(item, f"{item.value!r} is {shown!r} again, already given as {other.value!r} "  # type: ignore[union-attr]
                                 f"at line {where(other)[0]}, column {where(other)[1]}; give each once")
                continue
            if self.unique:
                first.setdefault(value, item)
            values.append(value)
        return tuple(values)

    def json_schema(self) -> dict[str, Any]:
        schema = {"type": "array", "items": self.item.json_schema(), "minItems": self.min_items, "maxItems": self.max_items}
        if self.unique:
            schema["uniqueItems"] = True
        if self.scalar_ok:
            return {"oneOf": [self.item.json_schema(), schema]}
        return schema

    def describe(self) -> str:
        return f"list of {self.item.describe()}"


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it is required, and what it means."""

    name: str
    type: Type
    doc: str
    required: bool = False
    default: Any = None
    example: Any = None


@dataclass(frozen=True)
class Mapping(Type):
    fields: tuple[Field, ...]
    title: str = "mapping"
    build: Callable[[dict[str, Any]], Any] | None = None

    def convert(self, node: Node, report: Report) -> Any:
        if not isinstance(node, MappingNode):
            raise Invalid(node, f"expected a {self.title} (key: value lines)")
        known = {f.name: f for f in self.fields}
        values: dict[str, Any] = {}
        ok = True
        given = set()
        for key, value in node.value:
            name = key.value
            given.add(name)
            spec = known.get(name)
            if spec is None:
                hint = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
                report.add(key, f"unknown key {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else f"; expected one of: {', '.join(known)}"))
                ok = False
                continue
            if is_null(value) and not spec.required and not isinstance(spec.type, ListOf):
                continue
            before = len(report.problems)
            try:
                values[name] = spec.type.convert(value, report)
            except _AlreadyReported:
                ok = False
            except Invalid as exc:
                report.add(exc.node, f"{name}: {exc}")
                ok = False
            if len(report.problems) > before:
                ok = False
        for spec in self.fields:
            if spec.required and spec.name not in given:
                report.add(node, f"missing required key {spec.name!r} ({spec.type.describe()})")
                ok = False
            values.setdefault(spec.name, spec.default)
        if not ok:
            raise _AlreadyReported(node)
        values["__line__"] = where(node)[0]
        return self.build(values) if self.build else values

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": [f.name for f in self.fields if f.required],
            "properties": {f.name: {**f.type.json_schema(), "description": f.doc} for f in self.fields},
        }

    def describe(self) -> str:
        return self.title


class _AlreadyReported(Invalid):
    """A nested mapping whose problems are already in the report."""

    def __init__(self, node: Node) -> None:
        super().__init__(node, "")


def convert_root(kind: Mapping, node: Node, report: Report) -> Any:
    """Convert a file's root node; return None if anything was reported."""
    try:
        value = kind.convert(node, report)
    except _AlreadyReported:
        return None
    except Invalid as exc:
        report.add(exc.node, str(exc))
        return None
    return None if report.problems else value
