"""A release's profile: every item it posted, by kind, with its count (and a linked host's first and last time).

A format makes it from its merged partials (``Format.profile``); the statistics stage stores it beside the
release's figures; cross-campaign views read only profiles. This is the table they agree on.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pyarrow as pa

PROFILE = pa.schema([("kind", pa.string()), ("value", pa.string()), ("count", pa.int64()), ("first", pa.int64()), ("last", pa.int64())])

# Hosts that every operation links (the platforms themselves, link shorteners): sharing them links nothing.
COMMON_HOSTS_FILE = Path(__file__).with_name("common_hosts.txt")


def common_hosts() -> frozenset[str]:
    lines = COMMON_HOSTS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#"))


def write_profile(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, PROFILE) as writer:
        writer.write_table(table)
    os.replace(tmp, path)


def read_profile(path: Path) -> pa.Table:
    with pa.OSFile(str(path), "rb") as source:  # read into memory: a build without a cache removes the file
        return pa.ipc.open_file(source).read_all()
