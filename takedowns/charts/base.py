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
    # False when the data is too little to be worth a picture (one bar, one shaded country, a 1×1 grid):
    # the page then gives the sentence and the table, open, and no image.
    draw: bool = True


MIN_DRAWN = 2  # values a chart needs before it is drawn rather than said


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


MAX_ROWS = 5000  # Altair's own limit on the rows a chart inlines


def _plain(column: pd.Series) -> bool:
    """Whether a frame's column holds only what JSON writes as it is: numbers, booleans, text (or nothing)."""
    if column.dtype.kind in "iubf":
        return True
    return pd.api.types.is_string_dtype(column.dtype) and all(v is None or isinstance(v, str) or (isinstance(v, float) and v != v) for v in column)


def _records(data: Any) -> Any:
    """Altair's data step (a frame to its rows), quicker for the plain frames these charts are made of.

    Altair's own step first "sanitizes" every frame for any type a frame can hold, which took most of the time spent
    making a spec; for frames of numbers and text the rows are the same (missing values as null). Anything else
    goes through Altair's step as before."""
    if isinstance(data, pd.DataFrame) and len(data) <= MAX_ROWS and all(isinstance(c, str) for c in data.columns) \
            and all(_plain(data[c]) for c in data.columns):
        rows = data.to_dict(orient="records")
        for row in rows:
            for key, value in row.items():
                if isinstance(value, float) and value != value:  # NaN, which JSON cannot hold
                    row[key] = None
        return {"values": rows}
    return alt.utils.data.default_data_transformer(data)


alt.data_transformers.register("takedowns", _records)
alt.data_transformers.enable("takedowns")


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


def _bars(name: str, title: str, rows: list[dict[str, Any]], label: str, unit: Callable[[int], str] | str, unit_title: str,
          prefix: str = "") -> Chart | None:
    """Horizontal bars of counted values, most first (ties keep the order given).

    ``unit(n)`` says a count in words for the sentence ("1 tweet", "4 tweets": ngettext, so every language's plural
    forms are right); a plain string is put after the number as it is. ``unit_title`` heads the axis. The sentence
    names the largest count and every value that has it, then the next two.
    """
    if not rows:
        return None
    if isinstance(unit, str):
        words = unit
        unit = lambda n: f"{_n(n)} {words}"  # noqa: E731
    rows = sorted(rows, key=lambda r: -int(r["count"]))  # stable: equal counts stay as given
    df = pd.DataFrame({"value": [prefix + chart_text(str(r["value"])) for r in rows], "count": [int(r["count"]) for r in rows],
                       "rank": range(len(rows))})
    # Order by a rank field, never by a list of values: Vega-Lite compiles such a list into an
    # expression, and dataset text (a U+2028, a quote) must never reach an expression.
    bars = alt.Chart(df).mark_bar(color=COLOR).encode(
        x=alt.X("count:Q", title=unit_title, axis=COUNT_AXIS),
        y=alt.Y("value:N", title=None, sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelLimit=220)),
        tooltip=[alt.Tooltip("value:N", title=label), alt.Tooltip("count:Q", title=unit_title, format=",")],
    ).properties(width=WIDTH - 260, height=max(60, 18 * len(df)))
    summary = _bars_sentence(title, list(df["value"]), [int(c) for c in df["count"]], unit)
    table = tuple({"value": prefix + str(r["value"]), "count": int(r["count"])} for r in rows)
    return Chart(name, title, summary, (("value", label), ("count", unit_title)), table, _spec(bars, title), draw=len(rows) >= MIN_DRAWN)


def _bars_sentence(title: str, values: list[str], counts: list[int], unit: Callable[[int], str]) -> str:
    """The sentence of a bar chart whose ``counts`` are in descending order."""
    top = counts[0]
    tied = [v for v, c in zip(values, counts, strict=True) if c == top]
    after = list(zip(values[len(tied):], counts[len(tied):], strict=True))[:2]
    rest = comma().join(f"{_iso(v)} ({_n(c)})" for v, c in after)
    shown = tied[:3]
    names = comma().join(_iso(v) for v in shown)
    if len(tied) > len(shown):
        names = _("%(names)s and %(more)s more", names=names, more=_n(len(tied) - len(shown)))
    if len(tied) == len(values) and len(values) > 1:
        return _("%(title)s: %(n)s shown, all with %(count)s.", title=title, n=_n(len(values)), count=unit(top))
    if len(tied) > 1:
        lead = _("%(title)s: %(n)s shown; the most common, with %(count)s each, are %(names)s", title=title, n=_n(len(values)),
                 count=unit(top), names=names)
    else:
        lead = _("%(title)s: %(n)s shown; the most common is %(value)s with %(count)s", title=title, n=_n(len(values)),
                 value=names, count=unit(top))
    return (_("%(lead)s, followed by %(rest)s.", lead=lead, rest=rest) if rest else _("%(lead)s.", lead=lead))
