"""Altair charts over engine results. Each title states the finding; axes carry units;
the subtitle carries provenance or the model's definition."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Sequence

import altair as alt

from gohandbook.models.decision import MatrixResult, WEIGHT_MAX

FOR, AGAINST = "#2b6cb0", "#c05621"

# Width budget: JupyterLab's output area is 968 px wide at a 1280 px window, and the chart's "…" (download)
# menu takes 38 px of it, so a chart (labels, legend and all) stays within MAX_WIDTH.
MAX_WIDTH = 900
LABEL_LIMIT = 240   # px of an axis label before it ends in "…"
COLUMNS = 3


def value_axis(log: bool, **kwargs) -> alt.Axis:
    """A quantitative axis whose tick labels never overlap: a log axis labels at most ~5 ticks
    (1, 10, 100 … with 2 and 5 between when they fit), a linear one keeps plain numbers (no "1e+1")."""
    if log:
        return alt.Axis(format="~g", labelOverlap="greedy", labelSeparation=6, **kwargs)
    return alt.Axis(tickCount=4, labelOverlap=True, labelSeparation=6, **kwargs)


def decision_contributions(result: MatrixResult, threshold: float) -> alt.Chart:
    rows = [{"criterion": c.label, "points": c.points, "side": "for Go" if c.sign > 0 else "against Go",
             "answer": c.answer, "weight": c.weight} for c in result.contributions]
    order = [c.label for c in result.contributions]
    bars = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("points:Q", title="Contribution to the score (−1 … +1)", scale=alt.Scale(domain=[-1, 1])),
        y=alt.Y("criterion:N", title=None, sort=order, axis=alt.Axis(labelLimit=360)),
        color=alt.Color("side:N", title=None, scale=alt.Scale(domain=["for Go", "against Go"], range=[FOR, AGAINST]),
                        legend=alt.Legend(orient="top")),
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
        shape=alt.Shape("what:N", title=None, legend=alt.Legend(orient="top")),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="top")),
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
    for i, (metric, log) in enumerate(PANELS):
        base = alt.Chart(alt.Data(values=data)).transform_filter(alt.datum.metric == metric)
        scale = alt.Scale(type="log", nice=False) if log else alt.Scale(zero=True)
        # Runtime names only on the first panel of each row (same order in all): the grid fits a 968 px output area.
        labels = alt.Axis(labelLimit=LABEL_LIMIT) if i % COLUMNS == 0 else None
        y = alt.Y("runtime:N", title=None, sort=order, axis=labels)
        spread = base.mark_rule(strokeWidth=2, color="#4a5568").encode(x=alt.X("min:Q", scale=scale), x2="max:Q", y=y)
        dots = base.mark_circle(size=110, opacity=1).encode(
            x=alt.X("median:Q", title=metric + (" — log scale" if log else ""), scale=scale, axis=value_axis(log)),
            y=y,
            color=alt.Color("role:N", title=None, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=["Go", "current stack", "other"], range=[FOR, AGAINST, "#a0aec0"])),
            tooltip=["runtime:N", alt.Tooltip("median:Q", format=".4g"), alt.Tooltip("min:Q", format=".4g"),
                     alt.Tooltip("max:Q", format=".4g")],
        )
        panels.append((spread + dots).properties(width=190, height=120))
    grid = alt.vconcat(*(alt.hconcat(*panels[i:i + COLUMNS]) for i in range(0, len(panels), COLUMNS)))
    return grid.properties(title=alt.TitleParams(title, subtitle=[
        "Dot: median over fresh process starts; line: min–max. Server pinned to CPU 0, load generator to CPU 1.",
        provenance], anchor="start"))


# Characters per line before a chart's title or subtitle wraps (DejaVu Sans: ~0.66 em a character,
# bold 13 px titles, 11 px subtitles), so no text line makes a chart wider than MAX_WIDTH.
TITLE_CHARS, SUBTITLE_CHARS = int(MAX_WIDTH / 8.6), int(MAX_WIDTH / 7.0)


_WIDE = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_TOKENS = re.compile(f"[{_WIDE}]|[^ {_WIDE}]+| +")


def _text_width(text: str) -> int:
    """Width in Latin characters: a Chinese (East Asian wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_line(text: str, limit: int) -> list[str]:
    """Break a line into lines at most `limit` characters wide, at spaces or between Chinese characters
    (a longer word stays whole)."""
    lines: list[str] = [""]
    for token in _TOKENS.findall(str(text)):
        if lines[-1].strip() and _text_width(lines[-1] + token.rstrip()) > limit:
            lines[-1] = lines[-1].rstrip()
            lines.append("")
        if token.strip() or lines[-1]:
            lines[-1] += token
    lines[-1] = lines[-1].rstrip()
    return lines


def _wrapped(value, limit: int):
    items = value if isinstance(value, (list, tuple)) else [value]
    lines = [part for item in items for part in wrap_line(item, limit)]
    return lines if len(lines) > 1 else lines[0]


def fit_title(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart, its top-level title and subtitle wrapped to MAX_WIDTH. Cheap (no validation, no copy):
    it runs on every live update."""
    title = getattr(chart, "title", alt.Undefined)
    if title is alt.Undefined or title is None:
        return chart
    if isinstance(title, alt.TitleParams):
        spec = {k: v for k, v in title._kwds.items() if v is not alt.Undefined}
    else:
        spec = dict(title) if isinstance(title, dict) else {"text": title}
    fitted = dict(spec)
    if isinstance(spec.get("text"), (str, list, tuple)):
        fitted["text"] = _wrapped(spec["text"], TITLE_CHARS)
    if isinstance(spec.get("subtitle"), (str, list, tuple)):
        fitted["subtitle"] = _wrapped(spec["subtitle"], SUBTITLE_CHARS)
    if fitted != spec:
        # In place (Altair's copy of a concatenated chart costs ~40 ms): wrapping is idempotent and keeps the text.
        chart.title = alt.TitleParams(**fitted)
    return chart
