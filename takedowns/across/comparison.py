"""One table of every published release: headline figures, announced counts, activity and coordination signals.

Built with pandas from the same figures as every page (the per-release statistics, never the
datasets), for the comparison page and ``comparison.csv``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..content.model import Disclosure
from ..content.schema import FIGURES, PLATFORMS
from ..i18n import N_
from .overview import active_span, detection_lag_days, headline_signals

SIGNALS = (("co_retweet_1min_share", N_("Co-retweeting within 1 minute (share of accounts)")),
           ("copy_paste_share", N_("Copy-pasted tweets (share)")), ("in_network_retweet_share", N_("Retweets of own accounts (share)")),
           ("automation_share", N_("Tweets from automation services (share)")), ("best_utc_offset", N_("Best office-hours UTC offset")),
           ("office_hours_share", N_("Tweets in office hours at that offset (share)")), ("engagement_gini", N_("Engagement Gini")))


def comparison_frame(shown: list[Disclosure], stats: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Return one row per release, newest first, with every column of ``COLUMNS``."""
    rows = []
    for d in shown:
        s = stats[d.id]
        start, end = active_span(d, s)
        signals = headline_signals(s) or {}
        announced = {f.key: f.value for f in d.figures}
        rows.append({"id": d.id, "title": d.title, "platform": PLATFORMS[d.platform], "announced": d.announced.isoformat(),
                     "announced_approximate": d.announced_approximate, "countries": "; ".join(c.name for c in d.countries), "accounts_announced": d.accounts_announced,
                     **{f"announced_{k}": announced.get(k) for k in FIGURES},
                     "accounts": s.get("accounts"), "tweets": s.get("tweets"), "active_accounts": s.get("active_accounts"),
                     "active_from": start, "active_until": end, "detection_lag_days": detection_lag_days(d, s),
                     **{k: signals.get(k) for k, _ in SIGNALS}, "synthetic_data": bool(d.synthetic_data and d.datasets), "url": d.url})
    frame = pd.DataFrame(rows, columns=[k for k, _ in COLUMNS])
    # Whole numbers stay whole where some releases have none (pandas would make them floats).
    for key in ("accounts_announced", "accounts", "tweets", "active_accounts", "detection_lag_days", "best_utc_offset",
                *(f"announced_{k}" for k in FIGURES)):
        frame[key] = frame[key].astype("Int64")
    return frame


COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", N_("Id")), ("title", N_("Disclosure")), ("platform", N_("Platform")), ("announced", N_("Announced")),
    ("announced_approximate", N_("Date is the end of a report period")), ("countries", N_("Origin")),
    ("accounts_announced", N_("Accounts announced")),
    *((f"announced_{k}", N_("Tweets announced") if k == "tweets_announced" else label) for k, label in FIGURES.items()),
    ("accounts", N_("Accounts in the data")), ("tweets", N_("Tweets in the data")), ("active_accounts", N_("Accounts that tweeted")),
    ("active_from", N_("Active from")), ("active_until", N_("Active until")), ("detection_lag_days", N_("Days from last activity to announcement")),
    *SIGNALS, ("synthetic_data", N_("Synthetic sample data")), ("url", N_("Page")),
)


# What the page shows of them, chosen for what a reader compares: who, when, how big as announced and as
# released, and how long before the announcement. Every column is in comparison.csv; the signals have their
# own table on the overview.
PAGE_COLUMNS = ("title", "platform", "announced", "countries", "accounts_announced", "announced_facebook_accounts",
                "announced_facebook_pages", "announced_instagram_accounts", "tweets", "active_until", "detection_lag_days")


def comparison_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the frame's rows as plain values (None for missing), for the page and the CSV."""
    out = []
    for record in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        out.append({k: (v.item() if hasattr(v, "item") else v) for k, v in record.items()})
    return out
