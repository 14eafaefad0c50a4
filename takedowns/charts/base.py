"""Charts: statistics in, Vega-Lite specs and their text alternatives out.

Each chart is a function registered with ``@chart``; it receives a disclosure's
statistics (or the cross-disclosure totals) and returns a ``Chart`` or None
when the data it needs is absent.  Pure: no files, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from ..i18n import comma, format_number, territory, vega_locale
from ..i18n import gettext as _

WIDTH = 720
COLOR = "#2f5f98"
COUNT_AXIS = alt.Axis(tickMinStep=1, format=",d")  # counts are whole numbers: no 0.5 ticks


@dataclass(frozen=True)
class Chart:
    name: str  # slug, used in file names and anchors
    title: str
    summary: str  # one sentence saying what the chart shows, for screen readers and alt text
    columns: tuple[tuple[str, str], ...]  # (key, heading) of the data table and CSV
    rows: tuple[dict[str, Any], ...]
    spec: dict[str, Any]


Builder = Callable[[dict[str, Any]], "Chart | None"]
DISCLOSURE_CHARTS: list[tuple[str, Builder]] = []
OVERVIEW_CHARTS: list[tuple[str, Builder]] = []
SIGNAL_CHARTS: list[tuple[str, Builder]] = []  # a disclosure's "Coordination signals" section
_SCOPES = {"disclosure": DISCLOSURE_CHARTS, "overview": OVERVIEW_CHARTS, "signals": SIGNAL_CHARTS}


def chart(name: str, scope: str = "disclosure") -> Callable[[Builder], Builder]:
    """Register a chart builder under ``name`` for disclosure pages, their coordination signals or the overview."""

    def register(fn: Builder) -> Builder:
        _SCOPES[scope].append((name, fn))
        return fn

    return register


def charts_for(data: dict[str, Any], scope: str = "disclosure") -> list[Chart]:
    """Return every chart that ``data`` has the figures for, in registry order (formats' own charts after these)."""
    _load_format_charts()
    registry = _SCOPES[scope]
    return [c for _, fn in registry if (c := fn(data)) is not None]


def _load_format_charts() -> None:
    """Import each format's chart module once: its ``@chart`` builders register themselves."""
    import importlib

    from ..formats import FORMATS

    for fmt in FORMATS.values():
        if fmt.charts:
            importlib.import_module(fmt.charts)


def _n(x: float) -> str:
    return format_number(x)


def _country(code: str | None, name: str) -> str:
    """A country's name in the reader's language."""
    return territory(code, name) if code else name


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def chart_text(text: str) -> str:
    """Return dataset text fit for a chart: characters SVG cannot hold become U+FFFD.

    The tables and downloads keep the exact text; only what is drawn is replaced.
    """
    return _NOT_XML.sub("\ufffd", text)


def _iso(text: str, limit: int = 80) -> str:
    """Return dataset text for a sentence: shortened, and direction-isolated so a right-to-left
    override inside it cannot reorder the words around it."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"\u2068{chart_text(short)}\u2069"


# Text sizes in CSS pixels, none under 11: a chart is drawn for the width it is shown at (its narrow
# variant on phones), never scaled down, so these are the sizes readers get.
FONT_SIZES = {"axis": {"labelFontSize": 11, "titleFontSize": 12}, "legend": {"labelFontSize": 11, "titleFontSize": 12},
              "title": {"fontSize": 14}, "text": {"fontSize": 12}}
NARROW = 320  # width of the phone variant of every chart, in CSS pixels (a 360-pixel screen less the page's margins)
NARROW_LABELS = 110  # longest axis label of the phone variant, in pixels, before an ellipsis


def _spec(c: alt.Chart | alt.LayerChart, title: str) -> dict[str, Any]:
    spec = c.properties(title=title).configure_view(stroke=None).configure(
        font="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", background="white").to_dict(validate=False)
    for part, sizes in FONT_SIZES.items():
        spec["config"].setdefault(part, {}).update(sizes)
    locale = vega_locale()
    if locale:  # numbers and month names as the page's language writes them
        spec["config"]["locale"] = locale
    return spec


def narrow(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the phone variant of a chart: the same data and marks drawn NARROW pixels wide.

    The whole drawing fits the width (axes included), labels are cut shorter, overlapping labels are
    dropped, legends go below, and the title is left to the page's heading. templates/static/charts.js
    applies the same rules to the interactive chart; a browser test measures both.
    """
    def shorten(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (min(v, NARROW_LABELS) if k == "labelLimit" and isinstance(v, (int, float)) else shorten(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [shorten(v) for v in node]
        return node

    out = shorten({k: v for k, v in spec.items() if k != "title"})
    if "projection" in out and isinstance(out.get("width"), (int, float)) and isinstance(out.get("height"), (int, float)):
        out["height"] = round(out["height"] * NARROW / out["width"])  # a map keeps its proportions
    out["width"] = NARROW
    out["autosize"] = {"type": "fit-x", "contains": "padding"}
    out["padding"] = {"left": 16, "right": 8, "top": 5, "bottom": 5}  # room for labels a browser's font draws wider
    config = out.setdefault("config", {})
    config["axis"] = {**config.get("axis", {}), "labelOverlap": True, "labelLimit": NARROW_LABELS, "titleLimit": NARROW - 100}
    config["legend"] = {**config.get("legend", {}), "orient": "bottom"}
    return out


def _bars(name: str, title: str, rows: list[dict[str, Any]], label: str, unit: str, unit_title: str, prefix: str = "") -> Chart | None:
    """Horizontal bars of counted values; ``unit`` is what is counted, in the sentence ("tweets"), ``unit_title`` on the axis."""
    if not rows:
        return None
    df = pd.DataFrame({"value": [prefix + chart_text(str(r["value"])) for r in rows], "count": [r["count"] for r in rows],
                       "rank": range(len(rows))})
    # Order by a rank field, never by a list of values: Vega-Lite compiles such a list into an
    # expression, and dataset text (a U+2028, a quote) must never reach an expression.
    bars = alt.Chart(df).mark_bar(color=COLOR).encode(
        x=alt.X("count:Q", title=unit_title, axis=COUNT_AXIS),
        y=alt.Y("value:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelLimit=220)),
        tooltip=[alt.Tooltip("value:N", title=label), alt.Tooltip("count:Q", title=unit_title, format=",")],
    ).properties(width=WIDTH - 260, height=max(60, 18 * len(df)))
    lead = df.iloc[0]
    rest = comma().join(f"{_iso(v)} ({_n(c)})" for v, c in zip(df["value"][1:3], df["count"][1:3], strict=True))
    summary = (_("%(title)s: %(n)s shown; the most common is %(value)s with %(count)s %(unit)s, followed by %(rest)s.", title=title,
                 n=_n(len(df)), value=_iso(lead["value"]), count=_n(int(lead["count"])), unit=unit, rest=rest) if rest else
               _("%(title)s: %(n)s shown; the most common is %(value)s with %(count)s %(unit)s.", title=title, n=_n(len(df)),
                 value=_iso(lead["value"]), count=_n(int(lead["count"])), unit=unit))
    table = tuple({"value": prefix + str(r["value"]), "count": int(r["count"])} for r in rows)
    return Chart(name, title, summary, (("value", label), ("count", unit_title)), table, _spec(bars, title))
