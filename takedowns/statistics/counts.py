"""Exact counts of values as Arrow columns: merged without Python objects, spilled to disk past a budget.

A release can link millions of distinct hosts and mention millions of distinct
accounts.  ``Counts`` keeps (value, count) pairs as an Arrow table.  New parts are
queued and folded in with one ``group_by().aggregate()`` once the queue is as
large as what is already folded (so the work stays proportional to the data, not
to the number of batches).  When the folded table outgrows ``SPILL_BYTES`` it is
split by a hash of the value into ``PARTITIONS`` Arrow IPC files on disk; each
partition holds a disjoint set of values, so results are computed partition by
partition (the distinct count is the sum over partitions, the top values are the
best of each partition's best) with one partition in memory at a time.
Results are exact either way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

PARTITIONS = 32
SPILL_BYTES = int(os.environ.get("TAKEDOWNS_SPILL_BYTES", 32 << 20))  # one counter's folded table in memory, at most about this
_FOLD_ROWS = 1 << 16  # parts smaller than this are queued before folding


@dataclass(frozen=True)
class Segment:
    """Part of a file that holds one Arrow IPC file: a spilled partition, or a table of a stored partial."""

    path: Path
    offset: int
    length: int

    def read(self) -> pa.Table:
        """Return the table, memory-mapped (read as it is used, not loaded whole)."""
        source = pa.memory_map(str(self.path), "r")
        source.seek(self.offset)
        buffer = source.read_buffer(self.length)  # no copy: a view of the mapped file
        if buffer.size != self.length:
            raise ValueError(f"{self.path}: shorter than recorded")
        return pa.ipc.open_file(buffer).read_all()


def _schema(kind: pa.DataType) -> pa.Schema:
    return pa.schema([("value", kind), ("count", pa.int64())])


class Counts:
    """How often each value occurs, exactly.  Build with ``of``, combine with ``add``, read with ``top``/``distinct``/``items``."""

    __slots__ = ("_folded", "_parts", "_queued", "agg", "kind", "spilled")

    def __init__(self, kind: pa.DataType | None = None, agg: str = "sum") -> None:
        kind = kind if kind is not None else pa.string()
        self.kind = kind
        self.agg = agg  # how the numbers of one value combine: "sum" (counts), "min" or "max" (e.g. each account's first minute)
        self._folded: pa.Table = _schema(kind).empty_table()
        self._parts: list[pa.Table] = []
        self._queued = 0
        self.spilled: list[list[Segment]] = []  # per partition: stored (value, count) tables of that partition's values

    @classmethod
    def of(cls, values: pa.Array | pa.ChunkedArray, kind: pa.DataType | None = None) -> Counts:
        """Count the non-empty, non-null values of an array."""
        kind = kind or values.type
        out = cls(kind)
        if len(values):
            if kind == pa.string() or kind == pa.large_string():
                values = pc.filter(values, pc.not_equal(values, ""))  # drops nulls too
            else:
                values = pc.drop_null(values)
            vc = pc.value_counts(values)
            out._folded = pa.table({"value": vc.field("values").cast(kind), "count": vc.field("counts")}, schema=_schema(kind))
        return out

    @classmethod
    def smallest(cls, values: pa.Array | pa.ChunkedArray, numbers: pa.Array | pa.ChunkedArray, agg: str = "min") -> Counts:
        """Keep the smallest (or with ``agg="max"`` the largest) of ``numbers`` for each non-empty value."""
        out = cls(values.type, agg)
        table = pa.table({"value": values, "count": pc.cast(numbers, pa.int64())})
        table = table.filter(pc.not_equal(table.column("value"), "")) if pa.types.is_string(values.type) else table
        out._folded = _group([table], out.kind, agg)
        return out

    @classmethod
    def from_table(cls, table: pa.Table, spilled: list[list[Segment]] | None = None, agg: str = "sum") -> Counts:
        out = cls(table.schema.field("value").type, agg)
        out._folded = table
        out.spilled = spilled or []
        return out

    # -- combining ---------------------------------------------------------------------------------------------

    def add(self, other: Counts) -> Counts:
        """Add ``other``'s counts to these; return self."""
        if other.agg != self.agg:
            raise ValueError(f"cannot combine a {self.agg} counter with a {other.agg} counter")
        if other.spilled:
            self._adopt(other.spilled)
        for part in [other._folded, *other._parts]:
            if part.num_rows:
                self._parts.append(part)
                self._queued += part.num_rows
        if self._queued >= max(_FOLD_ROWS, self._folded.num_rows):
            self._fold()
        return self

    def _adopt(self, spilled: list[list[Segment]]) -> None:
        if not self.spilled:
            self.spilled = [[] for _ in range(PARTITIONS)]
        for mine, theirs in zip(self.spilled, spilled, strict=True):
            mine.extend(theirs)

    def _fold(self) -> None:
        if not self._parts:
            return
        self._folded = _group([self._folded, *self._parts], self.kind, self.agg)
        self._parts, self._queued = [], 0
        if self._folded.nbytes > SPILL_BYTES:
            self._spill()

    def _spill(self) -> None:
        """Move the folded table to disk, split by partition."""
        if not self.spilled:
            self.spilled = [[] for _ in range(PARTITIONS)]
        for p, part in _partitions(self._folded):
            self.spilled[p].append(spill_table(part))
        self._folded = _schema(self.kind).empty_table()
        pa.default_memory_pool().release_unused()  # give the freed memory back now, not when the allocator decides

    def folded(self) -> pa.Table:
        """Return the in-memory counts as one table of distinct values (spilled partitions not included)."""
        self._fold()
        return self._folded

    def partitions(self) -> Iterator[pa.Table]:
        """Yield the counts as tables of distinct values: all in memory, or one partition at a time."""
        table = self.folded()
        if not self.spilled:
            yield table
            return
        if table.num_rows:  # spilled already: the rest goes to disk too, so it is hashed once, not on every reading
            self._spill()
        for p in range(PARTITIONS):
            yield _group([segment.read() for segment in self.spilled[p]], self.kind, self.agg)

    # -- reading ------------------------------------------------------------------------------------------------

    def top(self, n: int | None) -> list[tuple[Any, int]]:
        """Return the ``n`` most frequent values (all if None), count descending, ties by value ascending."""
        best: list[pa.Table] = []
        for table in self.partitions():
            best.append(_ranked(table, n))
        merged = _ranked(pa.concat_tables(best) if best else _schema(self.kind).empty_table(), n)
        return list(zip(merged.column("value").to_pylist(), merged.column("count").to_pylist(), strict=True))

    def distinct(self) -> int:
        return sum(t.num_rows for t in self.partitions())

    def items(self) -> list[tuple[Any, int]]:
        """Every (value, count), by value: for small vocabularies (days, hours, follower counts)."""
        table = pa.concat_tables(list(self.partitions()))
        table = table.sort_by([("value", "ascending")])
        return list(zip(table.column("value").to_pylist(), table.column("count").to_pylist(), strict=True))

    def values_with_count_above(self, minimum: int) -> list[tuple[Any, int]]:
        """Every value counted more than ``minimum`` times, by value."""
        found = [t.filter(pc.greater(t.column("count"), minimum)) for t in self.partitions()]
        table = pa.concat_tables(found).sort_by([("value", "ascending")]) if found else _schema(self.kind).empty_table()
        return list(zip(table.column("value").to_pylist(), table.column("count").to_pylist(), strict=True))

    def __repr__(self) -> str:
        return f"Counts({self.distinct():,} values{', spilled' if self.spilled else ''})"


def _group(tables: list[pa.Table], kind: pa.DataType, agg: str = "sum") -> pa.Table:
    table = pa.concat_tables([t for t in tables if t.num_rows] or [_schema(kind).empty_table()])
    if table.num_rows == 0:
        return _schema(kind).empty_table()
    summed = table.group_by("value", use_threads=False).aggregate([("count", agg)])
    return pa.table({"value": summed.column("value"), "count": summed.column(f"count_{agg}")}, schema=_schema(kind))


def _ranked(table: pa.Table, n: int | None) -> pa.Table:
    if table.num_rows == 0:
        return table
    order = pc.sort_indices(table, sort_keys=[("count", "descending"), ("value", "ascending")])
    if n is not None:
        order = order[:n]
    return table.take(order)


_HASH_ROWS = 1 << 16  # values hashed at a time, so the temporary arrays stay small
_WINDOWS = ((0, 16), (16, 32), (-16, None))  # the bytes of a value that pick its partition: its start, what follows, its end


def string_hash(values: pa.Array) -> Any:
    """Return a 64-bit hash of each string from its length and three 16-byte windows (start, next 16, end).

    Equal values always hash the same, in every process, build and machine (pure arithmetic on the bytes); only
    where a value goes is decided by it, and reading a fixed 48 bytes of each value instead of every byte makes
    spilling long texts cheap.
    """
    import numpy as np

    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    large = pa.types.is_large_string(values.type) or pa.types.is_large_binary(values.type)
    raw = pc.fill_null(values.cast(pa.large_binary() if large else pa.binary()), pa.scalar(b"", pa.large_binary() if large else pa.binary()))
    n = len(raw)
    hashed = pc.cast(pc.binary_length(raw), pa.uint64()).to_numpy(zero_copy_only=False) * np.uint64(0xC2B2AE3D27D4EB4F)
    pad = pa.scalar(b"\0" * 16, raw.type)
    for i, (a, b) in enumerate(_WINDOWS):
        window = pc.binary_slice(raw, a, b) if b is not None else pc.binary_slice(raw, a)
        fixed = pc.binary_slice(pc.binary_join_element_wise(window, pad, pa.scalar(b"", raw.type)), 0, 16)
        offsets = np.frombuffer(fixed.buffers()[1], dtype=np.int64 if large else np.int32)[fixed.offset: fixed.offset + n + 1]
        start = int(offsets[0]) if n else 0
        words = np.frombuffer(fixed.buffers()[2], dtype=np.uint8)[start: start + 16 * n].view(np.uint64).reshape(n, 2)
        hashed ^= words[:, 0] * _WEIGHTS[2 * i] + words[:, 1] * _WEIGHTS[2 * i + 1]
        hashed ^= hashed >> np.uint64(31)
    hashed ^= hashed >> np.uint64(33)  # a final mix, so that similar values spread over all partitions
    hashed *= np.uint64(0xFF51AFD7ED558CCD)
    hashed ^= hashed >> np.uint64(29)
    return hashed


def _weights() -> Any:
    import numpy as np

    return (np.arange(1, 65, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1)


_WEIGHTS = _weights()


def _partitions(table: pa.Table, column: str = "value") -> Iterator[tuple[int, pa.Table]]:
    """Yield (partition, rows of ``table`` whose ``column`` hashes to it), one partition at a time."""
    if table.num_rows == 0:
        return
    import numpy as np

    values = table.column(column)
    pieces = []
    for start in range(0, table.num_rows, _HASH_ROWS):
        chunk = values.slice(start, _HASH_ROWS)
        if pa.types.is_integer(values.type):
            pieces.append(np.asarray(pc.fill_null(chunk, 0).to_numpy()) % PARTITIONS)
        else:
            pieces.append(string_hash(chunk) % np.uint64(PARTITIONS))
    which = np.concatenate(pieces).astype(np.int64)
    order = np.argsort(which, kind="stable")  # rows of one partition together, in their order: one take, not 32 filters
    bounds = np.searchsorted(which[order], np.arange(PARTITIONS + 1))
    arranged = table.take(pa.array(order))
    for p in range(PARTITIONS):
        if bounds[p + 1] > bounds[p]:
            yield p, arranged.slice(int(bounds[p]), int(bounds[p + 1] - bounds[p]))


def ipc_bytes(table: pa.Table) -> pa.Buffer:
    """Return ``table`` as the bytes of an Arrow IPC file."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


# -- the spill log ----------------------------------------------------------------------------------------------
#
# Every spilled table of a process is appended to one file, its spill log, each at a 64-byte boundary after
# ``LOG_HEAD`` reserved bytes: the layout of a stored partial (``partials.write_partial``).  So a partial whose
# spilled tables all lie in the current log is stored by hard-linking the log and appending the rest, instead of
# copying every spilled byte; the log is then sealed, and later spills start a new one.

LOG_HEAD = 8  # bytes at the start of a log, left for a stored partial's magic
ALIGN = 64


class _Log:
    __slots__ = ("fd", "path", "pid", "size")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)  # as any file: the umask decides (the folder is private)
        self.pid = os.getpid()
        os.pwrite(self.fd, b"\0" * LOG_HEAD, 0)
        self.size = LOG_HEAD

    def close(self) -> None:
        os.close(self.fd)


_LOG: _Log | None = None
_LOG_LOCK = threading.Lock()


def _current_log() -> _Log:
    """Return this process's open spill log (a new one after a fork, a seal or a dropped folder); hold _LOG_LOCK."""
    global _LOG
    if _LOG is not None and (_LOG.pid != os.getpid() or not _LOG.path.exists()):
        if _LOG.pid == os.getpid():
            _LOG.close()
        _LOG = None  # a forked child never writes into its parent's log
    if _LOG is None:
        _LOG = _Log(spill_folder() / f"{secrets.token_hex(8)}.log")
    return _LOG


def spill_table(table: pa.Table) -> Segment:
    """Append ``table`` to this process's spill log and return where it is."""
    data = ipc_bytes(table)
    with _LOG_LOCK:
        log = _current_log()
        start = log.size + (-log.size % ALIGN)
        if start > log.size:
            os.pwrite(log.fd, b"\0" * (start - log.size), log.size)
        written = 0
        while written < data.size:
            written += os.pwrite(log.fd, memoryview(data)[written:], start + written)
        log.size = start + data.size
        return Segment(log.path, start, data.size)


def adopt_log(segments: list[Segment], target: Path) -> int | None:
    """Hard-link the current spill log to ``target`` if it holds every one of ``segments`` and little else; return
    its size (where the caller appends), or None (the caller copies the segments instead).  The log is sealed:
    nothing is written into it again."""
    global _LOG
    with _LOG_LOCK:
        log = _LOG
        if log is None or log.pid != os.getpid() or not segments or any(s.path != log.path for s in segments):
            return None
        if log.size > 2 * sum(s.length for s in segments) + LOG_HEAD:  # mostly other tables' bytes: copying is smaller
            return None
        try:
            os.link(log.path, target)
        except OSError:  # another file system, or one without hard links
            return None
        log.close()
        _LOG = None
        return log.size


_SPILL_ROOT: Path | None = None
_SPILL_LOCK = threading.Lock()


def spill_folder() -> Path:
    """Return this process's folder for spilled partitions (under ``set_spill_root``'s folder, else the system's)."""
    global _SPILL_ROOT
    base = Path(os.environ.get("TAKEDOWNS_SPILL_DIR") or tempfile.gettempdir())
    with _SPILL_LOCK:  # two threads spilling at once share one folder, and drop_spill_folder removes it
        if _SPILL_ROOT is None or not _SPILL_ROOT.exists():
            base.mkdir(parents=True, exist_ok=True)
            _SPILL_ROOT = Path(tempfile.mkdtemp(prefix=f"takedowns-spill-{os.getpid()}-", dir=base))
        return _SPILL_ROOT


def drop_spill_folder() -> None:
    global _SPILL_ROOT, _LOG
    with _LOG_LOCK:
        if _LOG is not None and _LOG.pid == os.getpid():
            _LOG.close()
        _LOG = None
    if _SPILL_ROOT is not None:
        shutil.rmtree(_SPILL_ROOT, ignore_errors=True)
        _SPILL_ROOT = None


def aligned(*counters: Counts) -> Iterator[tuple[pa.Table, ...]]:
    """Yield the tables of several counters partition by partition: each tuple holds the same values' rows.

    For joins (which accounts of the users file tweeted, which retweeted accounts are the release's own) with
    one partition of each counter in memory at a time.
    """
    folded = [c.folded() for c in counters]  # folding can spill: decide after it
    if not any(c.spilled for c in counters):
        yield tuple(folded)
        return
    per = []
    for c in counters:
        if c.spilled:
            per.append(list(c.partitions()))
        else:
            pieces = dict(_partitions(c.folded()))
            per.append([pieces.get(p, _schema(c.kind).empty_table()) for p in range(PARTITIONS)])
    yield from zip(*per, strict=True)


_PENDING = 2  # spills written in the background at a time, per Rows
_SPILLER: ThreadPoolExecutor | None = None


def _spiller() -> ThreadPoolExecutor:
    global _SPILLER
    if _SPILLER is None:
        _SPILLER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spill")
    return _SPILLER


def _forget_spiller() -> None:
    global _SPILLER, _LOG, _LOG_LOCK, _SPILL_LOCK
    _SPILLER = None  # a forked worker has no copy of the parent's thread: it starts its own
    if _LOG is not None:  # ... and never writes into its parent's spill log: it closes its copy of the descriptor
        with contextlib.suppress(OSError):
            os.close(_LOG.fd)
        _LOG = None
    _LOG_LOCK, _SPILL_LOCK = threading.Lock(), threading.Lock()  # a lock a parent's thread held at the fork would stay held


os.register_at_fork(after_in_child=_forget_spiller)
