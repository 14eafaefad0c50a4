"""A Twitter release's profile (see ``statistics.profile``): its hashtags, linked hosts, unlisted clients and accounts."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ...statistics.profile import PROFILE, common_hosts
from .signal_rows import _listed_clients

_UNHASHED = r"^[0-9]{1,20}$"  # a released numeric account id; hashed ids differ per release and can never match another's


def profile_of(t: Any, u: Any | None = None) -> pa.Table:
    """Return a release's profile from its merged tweets (and users) partials: every item of every kind with its count.

    Besides the kinds compared (``KINDS``), the release's own numeric account ids (``own``) and the numeric ids its
    retweets, replies and mentions went to (``retweeted``, ``replied``, ``mentioned``): interactions between releases.
    """
    official = pa.array(sorted(c for c, kind in _listed_clients().items() if kind == "official"), pa.string())
    skip = pa.array(sorted(common_hosts()), pa.string())
    parts = []

    def add(kind: str, table: pa.Table, drop: pa.Array | None = None, pattern: str | None = None,
            first: pa.Table | None = None, last: pa.Table | None = None) -> None:
        if drop is not None and table.num_rows:
            table = table.filter(pc.invert(pc.is_in(table.column("value"), value_set=drop)))
        if pattern is not None and table.num_rows:
            table = table.filter(pc.match_substring_regex(table.column("value"), pattern))
        n = table.num_rows
        firsts = _lookup(table, first) if first is not None else pa.nulls(n, pa.int64())
        lasts = _lookup(table, last) if last is not None else pa.nulls(n, pa.int64())
        parts.append(pa.table({"kind": pa.array([kind] * n, pa.string()), "value": table.column("value"),
                               "count": table.column("count"), "first": firsts, "last": lasts}, schema=PROFILE))

    add("hashtags", _whole(t.hashtags))
    add("hosts", _whole(t.domains), drop=skip, first=_whole(t.domain_first), last=_whole(t.domain_last))
    add("clients", _whole(t.clients), drop=official)
    accounts = _whole(t.mentions)
    accounts = pa.concat_tables([accounts, _whole(t.retweeted_users)]).group_by("value").aggregate([("count", "sum")])
    add("accounts", pa.table({"value": accounts.column("value"), "count": accounts.column("count_sum")}), pattern=_UNHASHED)
    add("own", _whole(u.ids if u is not None else t.users), pattern=_UNHASHED)
    add("retweeted", _whole(t.retweeted_users), pattern=_UNHASHED)
    add("replied", _whole(t.replied_users), pattern=_UNHASHED)
    add("mentioned", _whole(t.mentions), pattern=_UNHASHED)
    return pa.concat_tables(parts).sort_by([("kind", "ascending"), ("value", "ascending")])


def _whole(counts: Any) -> pa.Table:
    tables = list(counts.partitions())
    return pa.concat_tables(tables) if tables else pa.table({"value": pa.array([], pa.string()), "count": pa.array([], pa.int64())})


def _lookup(table: pa.Table, by: pa.Table) -> pa.Array:
    index = pc.index_in(table.column("value"), value_set=by.column("value"))
    return pc.take(by.column("count"), index)
