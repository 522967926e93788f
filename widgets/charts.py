"""Altair charts over engine results. Each title states the finding; axes carry units;
the subtitle carries provenance or the model's definition."""

from __future__ import annotations

from typing import Any, Sequence

import altair as alt

from gohandbook.models.decision import MatrixResult, WEIGHT_MAX

FOR, AGAINST = "#2b6cb0", "#c05621"


def decision_contributions(result: MatrixResult, threshold: float) -> alt.Chart:
    rows = [{"criterion": c.label, "points": c.points, "side": "for Go" if c.sign > 0 else "against Go",
             "answer": c.answer, "weight": c.weight} for c in result.contributions]
    order = [c.label for c in result.contributions]
    bars = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("points:Q", title="Contribution to the score (−1 … +1)", scale=alt.Scale(domain=[-1, 1])),
        y=alt.Y("criterion:N", title=None, sort=order, axis=alt.Axis(labelLimit=360)),
        color=alt.Color("side:N", title=None, scale=alt.Scale(domain=["for Go", "against Go"], range=[FOR, AGAINST])),
        tooltip=["criterion:N", "answer:Q", "weight:Q", alt.Tooltip("points:Q", format="+.3f")],
    )
    marks = alt.Chart(alt.Data(values=[{"x": -threshold}, {"x": 0}, {"x": threshold}])).mark_rule(
        strokeDash=[4, 3], color="#555").encode(x="x:Q")
    return (bars + marks).properties(
        width=420, height=200,
        title=alt.TitleParams(
            f"Score {result.score:+.2f}: {result.text}",
            subtitle=["Bar = sign × weight × answer/4 ÷ total weight; the bars add up to the score.",
                      f"Dashed lines: 0 and the decision threshold ±{threshold:g}."], anchor="start"),
    )


def decision_sensitivity(result: MatrixResult) -> alt.Chart:
    rows, links = [], []
    for f in result.flips:
        rows.append({"criterion": f.label, "weight": f.weight, "what": "current weight"})
        if f.flip_weight is not None:
            rows.append({"criterion": f.label, "weight": f.flip_weight, "what": f"flips to: {f.to}"})
            links.append({"criterion": f.label, "from": f.weight, "to": f.flip_weight})
    flippable = [f for f in result.flips if f.delta is not None]
    if flippable:
        nearest = min(flippable, key=lambda f: abs(f.delta))
        title = f"Most fragile: moving “{nearest.label}” by {nearest.delta:+.1f} flips the recommendation to {nearest.to}"
    else:
        title = f"Robust: no single weight between 0 and {WEIGHT_MAX:g} flips the recommendation"
    order = [f.label for f in result.flips]
    lines = alt.Chart(alt.Data(values=links or [{"criterion": order[0], "from": 0, "to": 0}])).mark_rule(
        color="#888", opacity=1 if links else 0).encode(
        x=alt.X("from:Q"), x2="to:Q", y=alt.Y("criterion:N", sort=order))
    points = alt.Chart(alt.Data(values=rows)).mark_point(filled=True, size=90).encode(
        x=alt.X("weight:Q", title="Weight (0–10)", scale=alt.Scale(domain=[0, WEIGHT_MAX])),
        y=alt.Y("criterion:N", title=None, sort=order, axis=alt.Axis(labelLimit=360)),
        shape=alt.Shape("what:N", title=None), color=alt.Color("what:N", title=None),
        tooltip=["criterion:N", alt.Tooltip("weight:Q", format=".2f"), "what:N"],
    )
    return (lines + points).properties(
        width=420, height=200,
        title=alt.TitleParams(title, subtitle=["One weight moved at a time, the others fixed; no marker: no flip within 0–10."],
                              anchor="start"))


PANELS = (
    # (metric heading in ch1.RUNTIME_METRICS / long_form, log scale)
    ("Start → first 200 (ms)", True),
    ("RSS at first response (MiB)", False),
    ("Peak RSS under load (MiB)", False),
    ("Requests/s under load", False),
    ("p99 latency (ms)", True),
    ("Shipped (MiB)", True),
)


def runtime_comparison(rows: Sequence[dict[str, Any]], *, current: str, title: str, provenance: str) -> alt.VConcatChart:
    """Small multiples: one panel per metric; a dot per runtime at the median, a line from min to max."""
    def role(r):
        return "Go" if r["key"] == "go" else ("current stack" if r["key"] == current else "other")
    data = [dict(r, role=role(r)) for r in rows]
    order = sorted({r["runtime"] for r in data}, key=lambda name: (name != "Go (net/http)", name))
    panels = []
    for metric, log in PANELS:
        base = alt.Chart(alt.Data(values=data)).transform_filter(alt.datum.metric == metric)
        scale = alt.Scale(type="log", nice=False) if log else alt.Scale(zero=True)
        y = alt.Y("runtime:N", title=None, sort=order, axis=alt.Axis(labelLimit=200))
        spread = base.mark_rule(strokeWidth=2, color="#4a5568").encode(x=alt.X("min:Q", scale=scale), x2="max:Q", y=y)
        dots = base.mark_circle(size=110, opacity=1).encode(
            x=alt.X("median:Q", title=metric + (" — log scale" if log else ""), scale=scale,
                    axis=alt.Axis(tickCount=4, format="~g", labelOverlap="greedy")),
            y=y,
            color=alt.Color("role:N", title=None, scale=alt.Scale(domain=["Go", "current stack", "other"],
                                                                  range=[FOR, AGAINST, "#a0aec0"])),
            tooltip=["runtime:N", alt.Tooltip("median:Q", format=".4g"), alt.Tooltip("min:Q", format=".4g"),
                     alt.Tooltip("max:Q", format=".4g")],
        )
        panels.append((spread + dots).properties(width=190, height=120))
    grid = alt.vconcat(*(alt.hconcat(*panels[i:i + 3]) for i in range(0, len(panels), 3)))
    return grid.properties(title=alt.TitleParams(title, subtitle=[
        "Dot: median over fresh process starts; line: min–max. Server pinned to CPU 0, load generator to CPU 1.",
        provenance], anchor="start"))
