"""Partial statistics that merge, and their store in the cache.

A format turns each Arrow batch (or whole file) of a release into a *partial*: a dataclass of
counts, sums and tables.  ``merge`` adds partials (batch by batch, then file by file); the format's
``figures`` turns the merged partials into the published statistics.  Counts of values are
``Counts`` (Arrow columns that spill to disk past a budget), never Python dicts, so memory follows
the budget, not the number of distinct values.  ``write_partial``/``read_partial`` store a partial
in the cache as Arrow IPC; a format registers its partial classes with ``partial_type``.
"""

from __future__ import annotations

import json
import mmap
import os
import secrets
from collections import Counter
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

import pyarrow as pa

from .counts import LOG_HEAD, Counts, Segment, adopt_log, ipc_bytes
from .rows import Rows

TOP = 20
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def merge(a: Any, b: Any) -> Any:
    """Return the partial of both inputs; ``a`` is updated in place and returned.

    Works for any partial dataclass: counts add, dicts keep the first value of a key, lists
    concatenate, ``first``/``last`` keep the extreme, numbers add.
    """
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "first":
            setattr(a, f.name, y if x is None or (y is not None and y < x) else x)
        elif f.name == "last":
            setattr(a, f.name, y if x is None or (y is not None and y > x) else x)
        elif isinstance(x, Counts | Rows):
            x.add(y)
        elif isinstance(x, Counter):
            x.update(y)
        elif isinstance(x, dict):
            for k, v in y.items():
                x.setdefault(k, v)
        elif isinstance(x, list):
            x.extend(y)
        else:
            setattr(a, f.name, x + y)
    return a



def top(counts: Counts | Counter[Any], n: int | None = TOP) -> list[dict[str, Any]]:
    """Return the ``n`` most common values, count descending, ties by value ascending."""
    if isinstance(counts, Counts):
        return [{"value": v, "count": c} for v, c in counts.top(n) if c > 0]
    ranked = sorted(((v, c) for v, c in counts.items() if v not in ("", None) and c > 0), key=lambda vc: (-vc[1], vc[0]))
    return [{"value": v, "count": c} for v, c in (ranked if n is None else ranked[:n])]



def median(counts: list[tuple[int, int]]) -> float | int | None:
    """Return the median of values given as (value, how often), sorted by value, without expanding them."""
    n = sum(c for _, c in counts)
    if n == 0:
        return None
    wanted, found, seen = ((n - 1) // 2, n // 2), [], 0
    for value, c in counts:
        while len(found) < 2 and seen + c > wanted[len(found)]:
            found.append(value)
        seen += c
    low, high = found
    return low if low == high else (low + high) / 2


PARTIAL_TYPES: dict[str, type] = {}  # every partial class of every format, by name, for the cache


def partial_type(cls: type) -> type:
    """Register a partial dataclass so ``write_partial``/``read_partial`` can store it (formats call this)."""
    PARTIAL_TYPES[cls.__name__] = cls
    return cls


_MAGIC = b"TKDPART3"
assert len(_MAGIC) == LOG_HEAD  # a spill log leaves room for it


def write_partial(p: Any, path: Path, extra: dict[str, Any] | None = None) -> None:
    """Store a partial at ``path`` (atomically): its counts and tables as Arrow IPC segments, the rest as JSON.

    Spilled tables that all lie in this process's spill log are kept where they are: the log becomes the stored
    file (a hard link) and the rest is appended to it.  Otherwise they are copied into the file one at a time,
    so writing needs no more memory than one of them.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    values = {fl.name: getattr(p, fl.name) for fl in fields(p)}
    for v in values.values():
        if isinstance(v, Counts):
            v.folded()  # folding can spill: first, so that every spilled table is known before the log is taken
    spilled = [s for v in values.values() if isinstance(v, (Counts, Rows)) for part in v.spilled for s in part]
    header: dict[str, Any] = {"kind": type(p).__name__, "extra": extra or {}, "fields": {}}
    try:
        end = adopt_log(spilled, tmp)
        with open(tmp, "r+b" if end is not None else "wb") as f:
            if end is None:
                f.write(_MAGIC)  # 8 bytes; every segment starts on a 64-byte boundary after it
                place = lambda s: _copy_segment(f, s)  # noqa: E731
            else:
                f.seek(end)
                adopted = set(spilled)
                place = lambda s: _in_log(s, adopted)  # noqa: E731  (in the file already)
            for name, value in values.items():
                if isinstance(value, Counts):
                    header["fields"][name] = {"counts": str(value.kind), "agg": value.agg, "folded": _table_segment(f, value.folded()),
                                              "spilled": [[place(s) for s in part] for part in value.spilled]}
                elif isinstance(value, Rows):
                    header["fields"][name] = {"rows": value.key, "table": _table_segment(f, value.in_memory()),
                                              "spilled": [[place(s) for s in part] for part in value.spilled]}
                elif isinstance(value, list) and value and isinstance(value[0], pa.Table):
                    header["fields"][name] = {"tables": [_table_segment(f, t) for t in value]}
                else:
                    header["fields"][name] = {"json": sorted(value.items()) if isinstance(value, dict) else value}
            footer = json.dumps(header, separators=(",", ":")).encode()
            f.write(footer)
            f.write(len(footer).to_bytes(8, "little") + _MAGIC)
            if end is not None:
                f.seek(0)
                f.write(_MAGIC)  # last: until now the file did not claim to be a partial
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _in_log(segment: Segment, adopted: set[Segment]) -> list[int]:
    if segment not in adopted:  # spilled after the log was taken: never, as every counter was folded first
        raise RuntimeError(f"{segment} is not in the stored spill log")
    return [segment.offset, segment.length]


def _align(f: Any) -> None:
    """Pad to a multiple of 64 bytes: Arrow reads memory-mapped buffers in place only when they are aligned."""
    f.write(b"\0" * (-f.tell() % 64))


def _table_segment(f: Any, table: pa.Table) -> list[int]:
    data = ipc_bytes(table)
    _align(f)
    start = f.tell()
    f.write(data)
    return [start, len(data)]


def _copy_segment(f: Any, source: Segment) -> list[int]:
    _align(f)
    start = f.tell()
    with open(source.path, "rb") as src:
        src.seek(source.offset)
        left = source.length
        while left > 0:
            block = src.read(min(left, 1 << 20))
            if not block:
                raise OSError(f"{source.path}: shorter than recorded")
            f.write(block)
            left -= len(block)
    return [start, source.length]


def read_partial(path: Path) -> tuple[Any, dict[str, Any]]:
    """Return the partial ``write_partial`` stored at ``path`` and its extra values; raise ValueError if it is not whole."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 2 * len(_MAGIC) + 8:
            raise ValueError("too short")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            if mm[: len(_MAGIC)] != _MAGIC or mm[-len(_MAGIC):] != _MAGIC:
                raise ValueError("not a stored partial")
            length = int.from_bytes(mm[-len(_MAGIC) - 8: -len(_MAGIC)], "little")
            header = json.loads(mm[-len(_MAGIC) - 8 - length: -len(_MAGIC) - 8])
    cls = PARTIAL_TYPES[header["kind"]]
    values: dict[str, Any] = {}
    for fl in fields(cls):
        stored = header["fields"][fl.name]
        if "counts" in stored:
            kind = pa.type_for_alias(stored["counts"])
            folded = Segment(path, *stored["folded"]).read()
            if folded.schema.field("value").type != kind:
                raise ValueError(f"{fl.name}: stored as {folded.schema}")
            values[fl.name] = Counts.from_table(folded, [[Segment(path, *s) for s in part] for part in stored["spilled"]],
                                                stored.get("agg", "sum"))
        elif "rows" in stored:
            values[fl.name] = Rows.from_stored(Segment(path, *stored["table"]).read(), stored["rows"],
                                               [[Segment(path, *s) for s in part] for part in stored["spilled"]])
        elif "tables" in stored:
            values[fl.name] = [Segment(path, *s).read() for s in stored["tables"]]
        else:
            value = stored["json"]
            factory = fl.default_factory if fl.default_factory is not MISSING else None  # type: ignore[misc]
            if factory is Counter:
                value = Counter({(k if not isinstance(k, list) else tuple(k)): v for k, v in value})
            elif factory is dict:
                value = {(k if not isinstance(k, list) else tuple(k)): v for k, v in value}
            elif factory is list:
                value = list(value)
            elif fl.type in ("Counts", "Rows", Counts, Rows):  # counts stored as JSON: not ours
                raise ValueError(f"{fl.name}: counts stored as JSON")
            values[fl.name] = value
    return cls(**values), header["extra"]
