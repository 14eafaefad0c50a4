"""Keyed rows (the signals' retweets, texts, replies) kept as Arrow tables that spill to disk by a hash of their key, swept one partition at a time."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future

import pyarrow as pa

from . import counts  # its SPILL_BYTES is read when rows are added: one budget for counts and rows, set in one place
from .counts import _PENDING, PARTITIONS, Segment, _partitions, _spiller, spill_table


class Rows:
    """Rows to be grouped by a key column later (all retweets of one tweet, all copies of one text), exactly.

    Added batch by batch and file by file; past ``SPILL_BYTES`` in memory they are written to disk in
    ``PARTITIONS`` files by a hash of the key, so every row of one key is in one partition, and
    ``partitions`` yields them one partition at a time.  Spills are written by a background thread, so the
    thread adding rows goes on reading; at most ``_PENDING`` spills wait at a time, so memory stays bounded.
    """

    __slots__ = ("_bytes", "_parts", "_pending", "_spilled", "key", "schema")

    def __init__(self, schema: pa.Schema, key: str) -> None:
        self.schema = schema
        self.key = key
        self._parts: list[pa.Table] = []
        self._bytes = 0
        self._spilled: list[list[Segment]] = []
        self._pending: list[Future[list[tuple[int, Segment]]]] = []

    @property
    def spilled(self) -> list[list[Segment]]:
        """Per partition, the files its rows were written to (waiting for spills still being written)."""
        self._settle()
        return self._spilled

    @classmethod
    def of(cls, table: pa.Table, key: str) -> Rows:
        out = cls(table.schema, key)
        if table.num_rows:
            out._parts.append(table)
            out._bytes = table.nbytes
        return out

    @classmethod
    def from_stored(cls, table: pa.Table, key: str, spilled: list[list[Segment]]) -> Rows:
        out = cls.of(table, key)
        out._spilled = spilled
        return out

    def add(self, other: Rows) -> Rows:
        if other.schema != self.schema or other.key != self.key:
            raise ValueError(f"cannot add rows of {other.schema} to rows of {self.schema}")
        if other.spilled:
            if not self._spilled:
                self._spilled = [[] for _ in range(PARTITIONS)]
            for mine, theirs in zip(self._spilled, other.spilled, strict=True):
                mine.extend(theirs)
        self._parts.extend(other._parts)
        self._bytes += other._bytes
        if self._bytes > counts.SPILL_BYTES:
            self._spill()
        return self

    def in_memory(self) -> pa.Table:
        """Return the rows not yet on disk, as one table."""
        table = pa.concat_tables(self._parts) if self._parts else self.schema.empty_table()
        self._parts = [table] if table.num_rows else []
        return table

    def _spill(self) -> None:
        parts, self._parts, self._bytes = self._parts, [], 0
        self._pending.append(_spiller().submit(_write_partitions, parts, self.schema, self.key))
        if len(self._pending) > _PENDING:
            self._settle(keep=_PENDING)

    def _settle(self, keep: int = 0) -> None:
        """Wait for all but ``keep`` of the spills being written, and record their files."""
        while len(self._pending) > keep:
            written = self._pending.pop(0).result()
            if not self._spilled:
                self._spilled = [[] for _ in range(PARTITIONS)]
            for p, segment in written:
                self._spilled[p].append(segment)

    def partitions(self) -> Iterator[pa.Table]:
        """Yield every row, grouped so that all rows of a key are in one yielded table."""
        if not self.spilled:
            yield self.in_memory()
            return
        if self._parts:
            self._spill()
        self._settle()
        for p in range(PARTITIONS):
            tables = [s.read() for s in self._spilled[p]]
            yield pa.concat_tables(tables) if tables else self.schema.empty_table()






def _write_partitions(parts: list[pa.Table], schema: pa.Schema, key: str) -> list[tuple[int, Segment]]:
    """Append rows to the spill log, one table per partition they hash to; return (partition, where) for each."""
    table = pa.concat_tables(parts) if parts else schema.empty_table()
    written = [(p, spill_table(part)) for p, part in _partitions(table, key)]
    del table, parts
    pa.default_memory_pool().release_unused()
    return written
