"""Co-retweets: pairs of accounts that retweeted the same tweet within a window, counted exactly at any size, and the groups they form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...statistics.counts import spill_folder
from .signal_rows import _share

WINDOWS = (0, 1, 10, 60)  # minutes: co-retweet windows
GROUP_WINDOW = 1  # co-retweet groups are drawn at this window
GROUPS = 10


# co-retweets ----------------------------------------------------------------------------------------------------

_PAIR_BUFFER = 1 << 23  # pairs held before they are reduced to distinct pairs
_PAIR_PARTS = 16


class _Pairs:
    """Distinct unordered account pairs with the smallest window class each was seen in; spilled to disk when many."""

    def __init__(self) -> None:
        self.keys: list[np.ndarray] = []
        self.classes: list[np.ndarray] = []
        self.buffered = 0
        self.files: list[Path] | None = None

    def add(self, a: np.ndarray, b: np.ndarray, cls: np.ndarray) -> None:
        low, high = np.minimum(a, b).astype(np.uint64), np.maximum(a, b).astype(np.uint64)
        self.keys.append((low << np.uint64(32)) | high)
        self.classes.append(cls.astype(np.uint8))
        self.buffered += len(low)
        if self.buffered >= _PAIR_BUFFER:
            keys, classes = _distinct(np.concatenate(self.keys), np.concatenate(self.classes))
            self.keys, self.classes, self.buffered = [keys], [classes], len(keys)
            if self.buffered >= _PAIR_BUFFER // 2:
                self._spill(keys, classes)

    def _spill(self, keys: np.ndarray, classes: np.ndarray) -> None:
        if self.files is None:
            folder = spill_folder()
            self.files = [folder / f"pairs-{id(self)}-{p}.bin" for p in range(_PAIR_PARTS)]
        part = (keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(60)  # 16 parts by a hash of the pair
        for p, path in enumerate(self.files):
            chosen = part == p
            record = np.empty(int(chosen.sum()), dtype=[("key", "<u8"), ("cls", "u1")])
            record["key"], record["cls"] = keys[chosen], classes[chosen]
            with open(path, "ab") as f:
                f.write(record.tobytes())
        self.keys, self.classes, self.buffered = [], [], 0

    def parts(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (pair keys, smallest class) of every distinct pair, one part at a time."""
        if self.files is None:
            if self.keys:
                yield _distinct(np.concatenate(self.keys), np.concatenate(self.classes))
            return
        if self.keys:
            self._spill(*_distinct(np.concatenate(self.keys), np.concatenate(self.classes)))
        for path in self.files:
            if path.exists():
                record = np.fromfile(path, dtype=[("key", "<u8"), ("cls", "u1")])
                path.unlink()
                yield _distinct(record["key"].copy(), record["cls"].copy())


def _distinct(keys: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(keys) == 0:
        return keys, classes
    order = np.lexsort((classes, keys))
    keys, classes = keys[order], classes[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return keys[first], classes[first]  # sorted by class within a key: the first is the smallest


def _account_codes(t: Any) -> pa.Array:
    """Every account that tweeted, sorted: an account's code is its position here."""
    values = [table.column("value") for table in t.users.partitions()]
    chunks = [c for v in values for c in (v.chunks if isinstance(v, pa.ChunkedArray) else [v])]
    every = pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())
    return pc.take(every, pc.sort_indices(every))


def co_retweet(t: Any, active: int) -> dict[str, Any]:
    codes = _account_codes(t)
    pairs = _Pairs()
    bounds = np.array(WINDOWS, dtype=np.int64)
    widest = WINDOWS[-1]
    for table in t.co_retweets.partitions():
        if table.num_rows == 0:
            continue
        group = pc.dictionary_encode(table.column("key")).combine_chunks().indices.to_numpy(zero_copy_only=False).astype(np.int64)
        who = pc.index_in(table.column("userid"), value_set=codes).to_numpy(zero_copy_only=False).astype(np.int64)
        when = table.column("minute").to_numpy().astype(np.int64)
        order = np.lexsort((who, when, group))
        group, who, when = group[order], who[order], when[order]
        keep = np.ones(len(group), dtype=bool)  # the same account retweeting the same tweet in the same minute: once
        keep[1:] = (group[1:] != group[:-1]) | (when[1:] != when[:-1]) | (who[1:] != who[:-1])
        group, who, when = group[keep], who[keep], when[keep]
        left = np.arange(len(group) - 1)
        step = 1
        while len(left):
            right = left + step
            inside = right < len(group)
            left, right = left[inside], right[inside]
            near = (group[right] == group[left]) & (when[right] - when[left] <= widest)
            left, right = left[near], right[near]
            other = who[left] != who[right]
            if other.any():
                gap = when[right][other] - when[left][other]
                pairs.add(who[left][other], who[right][other], np.searchsorted(bounds, gap, side="left"))
            step += 1
    counted = np.zeros(len(WINDOWS), dtype=np.int64)
    best = np.full(len(codes), len(WINDOWS), dtype=np.uint8)  # each account's smallest window class
    edges: list[np.ndarray] = []
    for keys, classes in pairs.parts():
        counted += np.bincount(classes, minlength=len(WINDOWS))
        a = (keys >> np.uint64(32)).astype(np.int64)
        b = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        np.minimum.at(best, a, classes)
        np.minimum.at(best, b, classes)
        edges.append(keys[classes <= WINDOWS.index(GROUP_WINDOW)])
    cumulative = np.cumsum(counted)
    windows = []
    for i, w in enumerate(WINDOWS):
        accounts = int((best <= i).sum())
        windows.append({"window_minutes": w, "pairs": int(cumulative[i]), "accounts": accounts, "share_of_active": _share(accounts, active)})
    return {"windows": windows, "groups": _groups(np.concatenate(edges) if edges else np.zeros(0, np.uint64), len(codes))}


def _groups(keys: np.ndarray, nodes: int) -> list[dict[str, int]]:
    """Return the largest connected groups of the pair graph: ``{accounts, pairs}``."""
    if len(keys) == 0:
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    a = (keys >> np.uint64(32)).astype(np.int64)
    b = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(nodes, nodes)).tocsr()
    _, label = connected_components(graph, directed=False)
    paired = np.zeros(nodes, dtype=bool)
    paired[a] = True
    paired[b] = True
    accounts = np.bincount(label[paired], minlength=label.max() + 1)
    edges = np.bincount(label[a], minlength=label.max() + 1)
    found = [(int(accounts[g]), int(edges[g])) for g in np.flatnonzero(accounts)]
    found.sort(key=lambda x: (-x[0], -x[1]))
    return [{"accounts": n, "pairs": p} for n, p in found[:GROUPS]]
