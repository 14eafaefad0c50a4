"""How alike two releases are: weighted Jaccard similarity of what they posted, for every pair at once.

For each kind of item (hashtags, linked hosts, posting clients, mentioned and retweeted accounts)
each release is a vector of counts; the similarity of two releases is Σ min(a, b) / Σ max(a, b) over
the items.  Pairs come from the items they share, never from a loop over every pair of releases
and every item: an item used by k releases adds to k·(k−1)/2 pairs, all of them in one numpy step
per k, and most items are used by one release.  Shared items are listed only for the pairs shown.
Pure: count tables in, similarities out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KINDS = ("hashtags", "hosts", "clients", "accounts")
SHOWN = 5  # related campaigns on a disclosure page
SHARED_ITEMS = 10  # shared items kept per kind and pair


@dataclass
class Shared:
    """Every (pair, item) two releases share for one kind, as arrays: ``pair`` is ``a * n + b`` with a < b."""

    n: int
    pair: np.ndarray
    low: np.ndarray  # the smaller count
    first: np.ndarray
    second: np.ndarray
    item: np.ndarray
    names: pa.Array

    def items(self, a: int, b: int) -> list[tuple[str, int, int]]:
        """Return the items releases ``a`` < ``b`` share, the most shared first (by the smaller count, then the sum, then name)."""
        key = a * self.n + b
        chosen = range(int(np.searchsorted(self.pair, key, "left")), int(np.searchsorted(self.pair, key, "right")))
        ranked = sorted(((self.names[int(self.item[t])].as_py(), int(self.first[t]), int(self.second[t])) for t in chosen),
                        key=lambda x: (-min(x[1], x[2]), -(x[1] + x[2]), x[0]))
        return ranked[:SHARED_ITEMS]


def _shared(ids: list[str], profiles: Mapping[str, pa.Table]) -> tuple[np.ndarray, Shared] | None:
    """Return each release's total count and what every pair shares (None when nothing is shared)."""
    n = len(ids)
    totals = np.array([int(pc.sum(profiles[i].column("count")).as_py() or 0) if i in profiles else 0 for i in ids], dtype=np.int64)
    tables = [profiles[i].select(["value", "count"]).append_column("release", pa.array(np.full(profiles[i].num_rows, k, np.int32)))
              for k, i in enumerate(ids) if i in profiles and profiles[i].num_rows]
    if len(tables) < 2:
        return None
    every = pa.concat_tables(tables)
    item = pc.dictionary_encode(every.column("value")).combine_chunks()
    code = item.indices.to_numpy().astype(np.int64)
    release = every.column("release").to_numpy().astype(np.int64)
    count = every.column("count").to_numpy().astype(np.int64)
    shared = np.bincount(code)[code] >= 2  # items of one release add nothing to any pair
    code, release, count = code[shared], release[shared], count[shared]
    if len(code) == 0:
        return None
    order = np.lexsort((release, code))
    code, release, count = code[order], release[order], count[order]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    sizes = np.diff(np.r_[starts, len(code)])
    parts: list[list[np.ndarray]] = [[], [], [], [], []]
    for k in np.unique(sizes):  # items used by k releases, all at once: k·(k−1)/2 pairs each
        rows = starts[sizes == k][:, None] + np.arange(k)[None, :]
        i, j = np.triu_indices(int(k), 1)
        x, y = rows[:, i].ravel(), rows[:, j].ravel()
        for bucket, values in zip(parts, (release[x] * n + release[y], np.minimum(count[x], count[y]), count[x], count[y], code[x]),
                                  strict=True):
            bucket.append(values)
    pair, low, first, second, codes = (np.concatenate(p) for p in parts)
    order = np.argsort(pair, kind="stable")  # by pair, so each pair's items are one slice
    return totals, Shared(n, pair[order], low[order], first[order], second[order], codes[order], item.dictionary)


def weighted_jaccard(profiles: Mapping[str, pa.Table]) -> dict[tuple[str, str], tuple[float, list[tuple[str, int, int]]]]:
    """Return, for every pair of releases (ids in sorted order) that share an item, their similarity and shared items."""
    ids = sorted(profiles)
    scores = _scores(ids, profiles)
    if scores is None:
        return {}
    pairs, similarity, shared = scores
    return {(ids[int(p) // len(ids)], ids[int(p) % len(ids)]): (float(s), shared.items(int(p) // len(ids), int(p) % len(ids)))
            for p, s in zip(pairs, similarity, strict=True)}


def _scores(ids: list[str], profiles: Mapping[str, pa.Table]) -> tuple[np.ndarray, np.ndarray, Shared] | None:
    """Return the pairs that share an item, their similarity (4 decimals) and what they share."""
    found = _shared(ids, profiles)
    if found is None:
        return None
    totals, shared = found
    pairs, index = np.unique(shared.pair, return_inverse=True)
    low = np.bincount(index, weights=shared.low.astype(np.float64))  # Σ min per pair (exact below 2**53)
    a, b = pairs // len(ids), pairs % len(ids)
    union = totals[a] + totals[b] - low  # Σ max = Σ a + Σ b − Σ min
    similarity = np.round(np.where(union > 0, low / np.maximum(union, 1), 0.0), 4)
    return pairs, similarity, shared


def related(kinds: Mapping[str, Mapping[str, pa.Table]], shown: int = SHOWN) -> dict[str, list[dict[str, Any]]]:
    """Return, for each release, the ``shown`` most similar others: similarity per kind, their mean, and the shared items.

    ``kinds`` maps a kind (``KINDS``) to each release's count table of that kind.  A pair's similarity is the mean
    over the kinds either release has data for; ties by id.
    """
    ids = sorted({i for tables in kinds.values() for i in tables})
    n = len(ids)
    if n < 2:
        return {}
    has = {kind: np.array([i in tables and tables[i].num_rows > 0 for i in ids]) for kind, tables in kinds.items()}
    per_kind: dict[str, tuple[np.ndarray, np.ndarray, Shared]] = {}
    for kind, tables in kinds.items():
        found = _scores(ids, tables)
        if found is not None:
            per_kind[kind] = found
    if not per_kind:
        return {}
    pairs = np.unique(np.concatenate([p for p, _, _ in per_kind.values()]))
    a, b = pairs // n, pairs % n
    total = np.zeros(len(pairs))
    kinds_counted = np.zeros(len(pairs))
    by_kind: dict[str, np.ndarray] = {}
    for kind in kinds:
        counted = has[kind][a] | has[kind][b]
        values = np.zeros(len(pairs))
        if kind in per_kind:
            p, s, _ = per_kind[kind]
            values[np.searchsorted(pairs, p)] = s
        by_kind[kind] = np.where(counted, values, np.nan)
        total += np.where(counted, values, 0.0)
        kinds_counted += counted
    mean = np.round(total / np.maximum(kinds_counted, 1), 4)
    out: dict[str, list[dict[str, Any]]] = {}
    for side, other in ((a, b), (b, a)):  # each pair is a candidate for both of its releases
        for me in np.unique(side):
            mine = np.flatnonzero(side == me)
            best = sorted(mine, key=lambda m: (-mean[m], ids[int(other[m])]))
            out.setdefault(ids[int(me)], []).extend((float(mean[m]), ids[int(other[m])], int(m)) for m in best[:shown])  # type: ignore[misc]
    result: dict[str, list[dict[str, Any]]] = {}
    for me, candidates in out.items():
        rows = []
        for value, other_id, m in sorted(candidates, key=lambda c: (-c[0], c[1]))[:shown]:
            x, y = int(a[m]), int(b[m])
            scores = {kind: float(by_kind[kind][m]) for kind in kinds if not np.isnan(by_kind[kind][m])}
            shared = {}
            for kind in kinds:
                items = per_kind[kind][2].items(x, y) if kind in per_kind else []
                flip = ids[x] != me  # counts as [this release, the other]
                shared[kind] = [{"value": v, "counts": [c2, c1] if flip else [c1, c2]} for v, c1, c2 in items]
            rows.append({"id": other_id, "similarity": value, "by_kind": scores, "shared": shared})
        result[me] = rows
    return result
