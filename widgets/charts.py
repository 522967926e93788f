"""Altair charts over engine results. Each title states the finding; axes carry units;
the subtitle carries provenance or the model's definition."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Sequence

import altair as alt

from gohandbook.i18n import N_, _
from gohandbook.models.decision import OUTCOMES, WEIGHT_MAX, MatrixResult

FOR, AGAINST = "#2b6cb0", "#c05621"

# Width budget: JupyterLab's output area is 968 px wide at a 1280 px window, and the chart's "…" (download)
# menu takes 38 px of it, so a chart (labels, legend and all) stays within MAX_WIDTH.
MAX_WIDTH = 900
LABEL_LIMIT = 240   # px of an axis label before it ends in "…"
COLUMNS = 3


def inline(rows) -> dict:
    """Inline data as a plain dict of a tuple, not alt.Data(values=list): Altair then neither wraps and validates
    every row nor deep-copies the rows into every layer, which made each live update several times slower
    (benchmarks/live_controls.py). The spec it produces is the same."""
    return {"values": tuple(rows)}


def title(text: str, *subtitle: str | Sequence[str], **style) -> alt.TitleParams:
    """A chart title anchored left; subtitles may be strings or lists of lines (empty ones dropped).
    Wrapping to the chart width happens once, at render (`fit_title`), for Chinese and English alike."""
    lines = [line for part in subtitle for line in ([part] if isinstance(part, str) else part) if line]
    return alt.TitleParams(text, subtitle=lines, anchor="start", **style)


def value_axis(log: bool, **kwargs) -> alt.Axis:
    """A quantitative axis whose tick labels never overlap: a log axis labels at most ~5 ticks
    (1, 10, 100 … with 2 and 5 between when they fit), a linear one keeps plain numbers (no "1e+1")."""
    if log:
        return alt.Axis(format="~g", labelOverlap="greedy", labelSeparation=6, **kwargs)
    return alt.Axis(tickCount=4, labelOverlap=True, labelSeparation=6, **kwargs)


def decision_contributions(result: MatrixResult, threshold: float, lang: str = "en") -> alt.Chart:
    """The score as signed bars, one per criterion (they add up to the score), in `lang`."""
    sides = {+1: _("for Go", lang), -1: _("against Go", lang)}
    rows = [{"criterion": _(c.label, lang), "points": c.points, "side": sides[c.sign], "answer": c.answer,
             "weight": c.weight} for c in result.contributions]
    order = [r["criterion"] for r in rows]
    bars = alt.Chart(inline(rows)).mark_bar().encode(
        x=alt.X("points:Q", title=_("Contribution to the score (−1 … +1)", lang), scale=alt.Scale(domain=[-1, 1])),
        y=alt.Y("criterion:N", title=None, sort=order, axis=alt.Axis(labelLimit=360)),
        color=alt.Color("side:N", title=None, scale=alt.Scale(domain=[sides[+1], sides[-1]], range=[FOR, AGAINST]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("criterion:N", title=_("Criterion", lang)),
                 alt.Tooltip("answer:Q", title=_("Answer", lang)),
                 alt.Tooltip("weight:Q", title=_("Weight", lang)),
                 alt.Tooltip("points:Q", format="+.3f", title=_("Points", lang))],
    )
    marks = alt.Chart(inline([{"x": -threshold}, {"x": 0}, {"x": threshold}])).mark_rule(
        strokeDash=[4, 3], color="#555").encode(x="x:Q")
    return (bars + marks).properties(width=420, height=200, title=title(
        _("Score {score}: {recommendation}", lang).format(score=f"{result.score:+.2f}",
                                                          recommendation=_(result.text, lang)),
        _("Bar = sign × weight × answer/4 ÷ total weight; the bars add up to the score.", lang),
        _("Dashed lines: 0 and the decision threshold ±{threshold}.", lang).format(threshold=f"{threshold:g}")))


def decision_sensitivity(result: MatrixResult, lang: str = "en") -> alt.Chart:
    """For each weight alone: where it flips the recommendation (computed by the model), in `lang`."""
    now = _("current weight", lang)
    rows, links = [], []
    for f in result.flips:
        label = _(f.label, lang)
        rows.append({"criterion": label, "weight": f.weight, "what": now})
        if f.flip_weight is not None:
            rows.append({"criterion": label, "weight": f.flip_weight,
                         "what": _("flips to: {outcome}", lang).format(outcome=_(OUTCOMES[f.to], lang))})
            links.append({"criterion": label, "from": f.weight, "to": f.flip_weight})
    flippable = [f for f in result.flips if f.delta is not None]
    if flippable:
        nearest = min(flippable, key=lambda f: abs(f.delta))
        heading = _("Most fragile: moving “{criterion}” by {delta} flips the recommendation to “{outcome}”",
                    lang).format(criterion=_(nearest.label, lang), delta=f"{nearest.delta:+.1f}",
                                 outcome=_(OUTCOMES[nearest.to], lang))
    else:
        heading = _("Robust: no single weight between 0 and {max} flips the recommendation", lang).format(
            max=f"{WEIGHT_MAX:g}")
    order = [_(f.label, lang) for f in result.flips]
    lines = alt.Chart(inline(links or [{"criterion": order[0], "from": 0, "to": 0}])).mark_rule(
        color="#888", opacity=1 if links else 0).encode(
        x=alt.X("from:Q"), x2="to:Q", y=alt.Y("criterion:N", sort=order))
    points = alt.Chart(inline(rows)).mark_point(filled=True, size=90).encode(
        x=alt.X("weight:Q", title=_("Weight (0–10)", lang), scale=alt.Scale(domain=[0, WEIGHT_MAX])),
        y=alt.Y("criterion:N", title=None, sort=order, axis=alt.Axis(labelLimit=360)),
        shape=alt.Shape("what:N", title=None, legend=alt.Legend(orient="top")),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("criterion:N", title=_("Criterion", lang)),
                 alt.Tooltip("weight:Q", format=".2f", title=_("Weight", lang)), alt.Tooltip("what:N", title=" ")],
    )
    return (lines + points).properties(width=420, height=200, title=title(
        heading, _("One weight moved at a time, the others fixed; no marker: no flip within 0–10.", lang)))


PANELS = (
    # (metric heading in ch1.RUNTIME_METRICS / long_form: a data key, translated where shown; log scale)
    (N_("Start → first 200 (ms)"), True),
    (N_("RSS at first response (MiB)"), False),
    (N_("Peak RSS under load (MiB)"), False),
    (N_("Requests/s under load"), False),
    (N_("p99 latency (ms)"), True),
    (N_("Shipped (MiB)"), True),
)
ROLES = {"go": N_("Go"), "current": N_("current stack"), "other": N_("other")}


_titled = title   # runtime_comparison's keyword `title` shadows the helper


def runtime_comparison(rows: Sequence[dict[str, Any]], *, current: str, title: str, provenance: str,
                       lang: str = "en") -> alt.ConcatChart:
    """Small multiples: one panel per metric; a dot per runtime at the median, a line from min to max.
    Rows carry data keys (runtime label, metric heading); the names shown are translated here."""
    roles = {k: _(v, lang) for k, v in ROLES.items()}

    def role(r):
        return roles["go"] if r["key"] == "go" else (roles["current"] if r["key"] == current else roles["other"])
    data = [dict(r, role=role(r), runtime=_(r["runtime"], lang)) for r in rows]
    first = _("Go (net/http)", lang)
    order = sorted({r["runtime"] for r in data}, key=lambda name: (name != first, name))
    panels = []
    for i, (metric, log) in enumerate(PANELS):
        base = alt.Chart().transform_filter(alt.datum.metric == metric)   # data: once, at the top (copies are cheap)
        scale = alt.Scale(type="log", nice=False) if log else alt.Scale(zero=True)
        # Runtime names only on the first panel of each row (same order in all): the grid fits a 968 px output area.
        labels = alt.Axis(labelLimit=LABEL_LIMIT) if i % COLUMNS == 0 else None
        y = alt.Y("runtime:N", title=None, sort=order, axis=labels)
        shown = _(metric, lang)
        spread = base.mark_rule(strokeWidth=2, color="#4a5568").encode(x=alt.X("min:Q", scale=scale), x2="max:Q", y=y)
        dots = base.mark_circle(size=110, opacity=1).encode(
            x=alt.X("median:Q", title=_("{metric} — log scale", lang).format(metric=shown) if log else shown,
                    scale=scale, axis=value_axis(log)),
            y=y,
            color=alt.Color("role:N", title=None, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=[roles["go"], roles["current"], roles["other"]],
                                            range=[FOR, AGAINST, "#a0aec0"])),
            tooltip=[alt.Tooltip("runtime:N", title=_("Runtime", lang)),
                     alt.Tooltip("median:Q", format=".4g", title=_("median", lang)),
                     alt.Tooltip("min:Q", format=".4g", title=_("min", lang)),
                     alt.Tooltip("max:Q", format=".4g", title=_("max", lang))],
        )
        panels.append((spread + dots).properties(width=190, height=120))
    # One wrapped concat (not rows of hconcat in a vconcat): Altair deep-copies every subchart at each level.
    grid = alt.concat(*panels, columns=COLUMNS, data=inline(data))
    return grid.properties(title=_titled(title, _(
        "Dot: median over fresh process starts; line: min–max. Server pinned to CPU 0, load generator to CPU 1.", lang),
        provenance))


# Characters per line before a chart's title or subtitle wraps (DejaVu Sans: ~0.66 em a character,
# bold 13 px titles, 11 px subtitles), so no text line makes a chart wider than MAX_WIDTH.
TITLE_CHARS, SUBTITLE_CHARS = int(MAX_WIDTH / 8.6), int(MAX_WIDTH / 7.0)


_WIDE = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_TOKENS = re.compile(f"[{_WIDE}]|[^ {_WIDE}]+| +")
_WIDE_CHAR = re.compile(f"[{_WIDE}]")


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


# Chinese lines wrap shorter: the browser draws mixed Chinese/Latin text (Noto Sans CJK beside DejaVu Sans) up to
# ~12 % wider than vl-convert measures it, so a report's SVG came out narrower than its subtitle and cut it off.
WIDE_TEXT_FACTOR = 0.85


def _wrapped(value, limit: int):
    items = value if isinstance(value, (list, tuple)) else [value]
    lines = [part for item in items
             for part in wrap_line(item, int(limit * WIDE_TEXT_FACTOR) if _WIDE_CHAR.search(str(item)) else limit)]
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
