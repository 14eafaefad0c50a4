"""The Methods page: what each format says of how its figures are made (the signals' definitions, the posting-client
list, Meta's kill chain), gathered from the registry."""

from __future__ import annotations

from typing import Any

from ..formats import FORMATS


def methods_context() -> dict[str, Any]:
    """What the Methods page shows: each format's part of it, by format name."""
    out: dict[str, Any] = {}
    for _, fmt in sorted(FORMATS.items()):
        if fmt.methods is not None:
            out.update(fmt.methods())
    return out
