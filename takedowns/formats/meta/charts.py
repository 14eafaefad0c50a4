"""Charts of Meta's indicator releases: which kill-chain tactics a network used, what its indicators are,
and, on the overview, the networks × tactics matrix."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ...charts import WIDTH, Chart, _bars, _iso, _n, _spec, chart, chart_text
from ...i18n import gettext as _
from ...i18n import ngettext, tr


@chart("killchain")
def killchain(s: dict[str, Any]) -> Chart | None:
    procedures = s.get("killchain_procedures")
    if not procedures:
        return None
    def short(text: str, limit: int = 40) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "…"

    procedures = sorted(procedures, key=lambda p: -p["rows"])  # as the bars show them: most rows first
    rows = [{"value": short(f"{p['code']} {p['procedure']}"), "count": p["rows"]} for p in procedures]
    found = _bars("killchain", _("Kill-chain procedures in Meta's indicators"), rows, _("Procedure"),
                 lambda n: ngettext("%(num)s indicator row", "%(num)s indicator rows", n), _("Indicator rows"))
    if found is None:
        return None
    full = tuple({"value": f"{p['code']} {p['procedure']}", "count": p["rows"]} for p in procedures)  # the table keeps whole names
    tactics = s.get("killchain_tactics", [])
    summary = _("Meta filed this network's indicators under %(procedures)s procedures of its Online Operations Kill Chain, in %(tactics)s "
                "of its 10 tactics: %(list)s.", procedures=_n(len(procedures)), tactics=_n(len(tactics)),
                list="; ".join(f"{_iso(t['tactic'])} ({_n(t['procedures'])})" for t in tactics))
    return Chart(found.name, found.title, summary, found.columns, full, found.spec, draw=found.draw)


@chart("indicator-kinds")
def indicator_kinds(s: dict[str, Any]) -> Chart | None:
    kinds = s.get("indicators_by_kind")
    if not kinds:
        return None
    return _bars("indicator-kinds", _("Indicators by kind"), [{"value": tr(k["label"]), "count": k["count"]} for k in kinds], _("Kind"),
                 lambda n: ngettext("%(num)s indicator", "%(num)s indicators", n), _("Indicators"))


@chart("killchain-matrix", scope="overview")
def killchain_matrix(o: dict[str, Any]) -> Chart | None:
    cells = o.get("killchain_matrix")
    if not cells:
        return None
    df = pd.DataFrame({"network": [chart_text(c["title"]) for c in cells], "tactic": [c["tactic"] for c in cells],
                       "procedures": [c["procedures"] for c in cells], "names": [chart_text(c["names"]) for c in cells],
                       "row": [c["row"] for c in cells], "column": [c["column"] for c in cells]})
    networks = df["network"].nunique()
    heat = alt.Chart(df).mark_rect().encode(
        x=alt.X("tactic:N", title=_("Tactic"), sort=alt.EncodingSortField(field="column", op="min"), axis=alt.Axis(labelAngle=-40, labelLimit=180)),
        y=alt.Y("network:N", title=None, sort=alt.EncodingSortField(field="row", op="min"), axis=alt.Axis(labelLimit=260)),
        color=alt.Color("procedures:Q", title=_("Procedures"), scale=alt.Scale(scheme="blues"), legend=alt.Legend(format="d")),
        tooltip=[alt.Tooltip("network:N", title=_("Network")), alt.Tooltip("tactic:N", title=_("Tactic")),
                 alt.Tooltip("procedures:Q", title=_("Procedures")), alt.Tooltip("names:N", title=_("Which"))],
    ).properties(width=WIDTH - 320, height=max(80, 16 * networks))
    used = df.groupby("tactic")["network"].nunique().sort_values(ascending=False)
    summary = _("Kill-chain tactics under which Meta filed the indicators of %(networks)s networks; the most shared tactic, %(tactic)s, "
                "appears in %(n)s of them.", networks=_n(networks), tactic=used.index[0], n=_n(int(used.iloc[0])))
    rows = tuple({"network": c["title"], "tactic": c["tactic"], "procedures": c["procedures"], "names": c["names"]} for c in cells)
    title = _("Kill-chain tactics by network")
    return Chart("killchain-matrix", title, summary,
                 (("network", _("Network")), ("tactic", _("Tactic")), ("procedures", _("Procedures")), ("names", _("Which procedures"))), rows,
                 _spec(heat, title))
