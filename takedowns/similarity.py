"""How alike two releases are: weighted Jaccard similarity of what they posted, for every pair at once.

For each kind of item (hashtags, linked hosts, posting clients, mentioned and retweeted accounts)
each release is a vector of counts; the similarity of two releases is Σ min(a, b) / Σ max(a, b) over
the items.  Pairs come from the items they share, never from a loop over every pair of releases
and every item: an item used by k releases adds to k·(k−1)/2 pairs, and most items are used by one.
Pure: count tables in, similarities out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KINDS = ("hashtags", "hosts", "clients", "accounts")
SHOWN = 5  # related campaigns on a disclosure page
SHARED_ITEMS = 10  # shared items shown per kind


def weighted_jaccard(profiles: Mapping[str, pa.Table]) -> dict[tuple[str, str], tuple[float, list[tuple[str, int, int]]]]:
    """Return, for every pair of releases (ids in sorted order) that share an item, their similarity and shared items.

    ``profiles`` maps a release id to its (value, count) table of one kind.  Shared items are
    (value, count in the first, count in the second), the most shared first (by the smaller count).
    """
    ids = sorted(i for i, t in profiles.items() if t.num_rows)
    if len(ids) < 2:
        return {}
    tables = [profiles[i].select(["value", "count"]).append_column("release", pa.array(np.full(profiles[i].num_rows, k, np.int32)))
              for k, i in enumerate(ids)]
    every = pa.concat_tables(tables)
    totals = np.array([int(pc.sum(profiles[i].column("count")).as_py() or 0) for i in ids], dtype=np.int64)
    item = pc.dictionary_encode(every.column("value")).combine_chunks()
    code = item.indices.to_numpy().astype(np.int64)
    release = every.column("release").to_numpy().astype(np.int64)
    count = every.column("count").to_numpy().astype(np.int64)
    used_by = np.bincount(code)
    shared = used_by[code] >= 2  # items of one release add nothing to any pair
    code, release, count = code[shared], release[shared], count[shared]
    order = np.lexsort((release, code))
    code, release, count = code[order], release[order], count[order]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    sizes = np.diff(np.r_[starts, len(code)])
    pair_parts, low_parts, item_parts, first_parts, second_parts = [], [], [], [], []
    for k in np.unique(sizes):  # items used by k releases, all at once: k·(k−1)/2 pairs each
        rows = starts[sizes == k][:, None] + np.arange(k)[None, :]
        i, j = np.triu_indices(int(k), 1)
        x, y = rows[:, i].ravel(), rows[:, j].ravel()
        pair_parts.append(release[x] * len(ids) + release[y])
        low_parts.append(np.minimum(count[x], count[y]))
        item_parts.append(code[x])
        first_parts.append(count[x])
        second_parts.append(count[y])
    pair, low = np.concatenate(pair_parts), np.concatenate(low_parts)
    item_code, first, second = np.concatenate(item_parts), np.concatenate(first_parts), np.concatenate(second_parts)
    unique_pairs, index = np.unique(pair, return_inverse=True)
    sums = np.bincount(index, weights=low.astype(np.float64)).astype(np.int64)  # Σ min per pair (exact below 2**53)
    names = item.dictionary
    # The most shared items of each pair: by the smaller count, then the sum, descending.
    ranked = np.lexsort((-(first + second), -low, index))
    out = {}
    position = np.searchsorted(index[ranked], np.arange(len(unique_pairs)))
    for n, p in enumerate(unique_pairs):
        a_, b_ = divmod(int(p), len(ids))
        union = int(totals[a_] + totals[b_] - sums[n])  # Σ max = Σ a + Σ b − Σ min
        top = ranked[position[n]: position[n] + SHARED_ITEMS]
        top = top[index[top] == n]
        shared = [(names[int(item_code[t])].as_py(), int(first[t]), int(second[t])) for t in top]
        out[(ids[a_], ids[b_])] = (round(int(sums[n]) / union, 4) if union else 0.0, shared)
    return out


def related(kinds: Mapping[str, Mapping[str, pa.Table]], shown: int = SHOWN) -> dict[str, list[dict[str, Any]]]:
    """Return, for each release, the ``shown`` most similar others: similarity per kind, their mean, and the shared items.

    ``kinds`` maps a kind (``KINDS``) to each release's count table of that kind.  Releases are ranked by the mean of
    their similarities over the kinds either release has data for, then by id.
    """
    per_kind = {kind: weighted_jaccard(tables) for kind, tables in kinds.items()}
    has = {kind: {i for i, t in tables.items() if t.num_rows} for kind, tables in kinds.items()}
    pairs = sorted({p for found in per_kind.values() for p in found})
    out: dict[str, list[dict[str, Any]]] = {}
    for a, b in pairs:
        scores = {kind: per_kind[kind].get((a, b), (0.0, []))[0] for kind in kinds if a in has[kind] or b in has[kind]}
        mean = round(sum(scores.values()) / len(scores), 4) if scores else 0.0
        shared = {kind: [{"value": v, "counts": [x, y]} for v, x, y in per_kind[kind].get((a, b), (0.0, []))[1]] for kind in kinds}
        for me, other, flip in ((a, b, False), (b, a, True)):
            items = {k: [{"value": s["value"], "counts": s["counts"][::-1] if flip else s["counts"]} for s in v] for k, v in shared.items()}
            out.setdefault(me, []).append({"id": other, "similarity": mean, "by_kind": scores, "shared": items})
    for me, rows in out.items():
        rows.sort(key=lambda r: (-r["similarity"], r["id"]))
        out[me] = rows[:shown]
    return out
