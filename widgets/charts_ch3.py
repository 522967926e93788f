"""Chapter 3's Altair charts. Titles state the finding (computed by the caller from results); axes carry units;
subtitles carry the model's definition, the cited defaults or the measurement's provenance. Every word on a chart
is in `lang`; data keys stay English and stable, the shown category names come in the rows' `label` fields."""

from __future__ import annotations

from typing import Sequence

import altair as alt

from gohandbook.i18n import _
from widgets.charts import inline as _inline, title as _title


BLUE, ORANGE, GREY, GREEN = "#2b6cb0", "#c05621", "#718096", "#2f855a"
WIDTH = 430


def fmt_s(v: float) -> str:
    """A duration for chart labels and titles: 250 ms, 1.25 s, 420 s (units are the same in both languages)."""
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s" if v < 100 else f"{v:.0f} s"


def convergence_vs_proxies(rows: list[dict], current: dict, title: str, subtitle: Sequence[str],
                           lang: str = "en") -> alt.LayerChart:
    """Time from the last change until every proxy has it, against the number of proxies, per throttle
    (rows from ch3.sweep_proxies: `label` is the throttle's shown name)."""
    domain = list(dict.fromkeys(r["label"] for r in rows))
    palette = [BLUE, GREY, ORANGE, GREEN][:len(domain)]
    base = alt.Chart(_inline(rows))
    x = alt.X("proxies:Q", title=_("Proxies connected to istiod (log scale)", lang), scale=alt.Scale(type="log"),
              axis=alt.Axis(format="~s", values=[10, 100, 1000, 10000]))
    y = alt.Y("converge_s:Q", title=_("Last change → every proxy has it (s, log scale)", lang),
              scale=alt.Scale(type="log"), axis=alt.Axis(format="~g"))
    color = alt.Color("label:N", title="PILOT_PUSH_THROTTLE", scale=alt.Scale(domain=domain, range=palette),
                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400))
    lines = base.mark_line(point=True).encode(
        x=x, y=y, color=color,
        tooltip=[alt.Tooltip("label:N", title="PILOT_PUSH_THROTTLE"),
                 alt.Tooltip("proxies:Q", title=_("Proxies", lang)),
                 alt.Tooltip("converge_s:Q", format=".3f", title=_("converge (s)", lang)),
                 alt.Tooltip("max_staleness_s:Q", format=".3f", title=_("longest wait (s)", lang)),
                 alt.Tooltip("pushes:Q", title=_("pushes", lang)), alt.Tooltip("rounds:Q", title=_("rounds", lang))])
    you = alt.Chart(_inline([current])).mark_point(shape="diamond", size=220, filled=True, color="black").encode(
        x="proxies:Q", y="converge_s:Q", tooltip=[alt.Tooltip("label:N", title=_("your setting", lang))])
    label = alt.Chart(_inline([current])).mark_text(align="left", dx=9, dy=-9, fontSize=11).encode(
        x="proxies:Q", y="converge_s:Q", text="label:N")
    return (lines + you + label).properties(width=WIDTH, height=260, title=_title(title, subtitle))


def push_load_vs_rate(rows: list[dict], current_rate: float, title: str, subtitle: Sequence[str],
                      lang: str = "en") -> alt.HConcatChart:
    """Pushes and the longest wait per change rate, debounced vs every change pushed (rows from
    ch3.sweep_rate: `label` is the shown name of `debounce`)."""
    domain = list(dict.fromkeys(r["label"] for r in sorted(rows, key=lambda r: r["debounce"])))
    color = alt.Color("label:N", title=None, scale=alt.Scale(domain=domain, range=[BLUE, ORANGE][:len(domain)]),
                      legend=alt.Legend(orient="bottom"))
    x = alt.X("rate:Q", title=_("Config changes per second (log scale)", lang), scale=alt.Scale(type="log"),
              axis=alt.Axis(format="~g"))
    base = alt.Chart(_inline(rows))
    rule = alt.Chart(_inline([{"rate": current_rate}])).mark_rule(strokeDash=[4, 3], color="black").encode(x="rate:Q")
    tip = [alt.Tooltip("label:N", title=_("Debouncing", lang)), alt.Tooltip("rate:Q", title=_("changes/s", lang)),
           alt.Tooltip("changes:Q", title=_("changes", lang)), alt.Tooltip("rounds:Q", title=_("rounds", lang)),
           alt.Tooltip("pushes:Q", title=_("pushes", lang)),
           alt.Tooltip("pushes_per_s:Q", format=",.0f", title=_("pushes/s", lang)),
           alt.Tooltip("max_staleness_s:Q", format=".3f", title=_("longest wait (s)", lang))]
    pushes = (base.mark_line(point=True).encode(
        x=x, y=alt.Y("pushes:Q", title=_("Pushes to proxies during the storm (log scale)", lang),
                     scale=alt.Scale(type="log"), axis=alt.Axis(format="~s", tickCount=4)),
        color=color, tooltip=tip) + rule).properties(
        width=300, height=220, title=alt.TitleParams(_("Push load", lang), anchor="start", fontSize=12))
    wait = (base.mark_line(point=True).encode(
        x=x, y=alt.Y("max_staleness_s:Q", title=_("Longest wait of any change (s)", lang)), color=color, tooltip=tip)
        + rule).properties(width=300, height=220, title=alt.TitleParams(_("What it costs in freshness", lang),
                                                                        anchor="start", fontSize=12))
    return alt.hconcat(pushes, wait).properties(title=_title(title, subtitle))


def change_timeline(changes: list[dict], rounds: list[dict], title: str, subtitle: Sequence[str],
                    lang: str = "en") -> alt.LayerChart:
    """Each change as a bar from when it was made to when every proxy had it; push rounds as rules."""
    y = alt.Y("change:O", title=_("Change #", lang), axis=alt.Axis(labelOverlap="greedy"), sort="ascending")
    bars = alt.Chart(_inline(changes)).mark_bar(height={"band": 0.7}, color=BLUE, opacity=0.75).encode(
        x=alt.X("made_s:Q", title=_("Time since the first change (s)", lang)), x2="converged_s:Q", y=y,
        tooltip=[alt.Tooltip("change:O", title=_("Change #", lang)),
                 alt.Tooltip("made_s:Q", format=".3f", title=_("made at (s)", lang)),
                 alt.Tooltip("converged_s:Q", format=".3f", title=_("every proxy has it at (s)", lang)),
                 alt.Tooltip("wait_s:Q", format=".3f", title=_("wait (s)", lang))])
    made = alt.Chart(_inline(changes)).mark_tick(color="black", thickness=2).encode(x="made_s:Q", y=y)
    push = alt.Chart(_inline(rounds)).mark_rule(color=ORANGE, strokeDash=[5, 3], strokeWidth=1.5).encode(
        x="at_s:Q", tooltip=[alt.Tooltip("round:Q", title=_("push round", lang)),
                             alt.Tooltip("at_s:Q", format=".3f", title=_("push round at (s)", lang)),
                             alt.Tooltip("carries:Q", title=_("carries changes up to #", lang)),
                             alt.Tooltip("pushes:Q", title=_("pushes", lang))])
    height = max(120, min(320, 9 * len(changes)))
    return (bars + made + push).properties(width=WIDTH + 80, height=height, title=_title(title, subtitle))


def model_vs_sim(rows: list[dict], title: str, subtitle: Sequence[str], lang: str = "en") -> alt.LayerChart:
    """Measured (Go) vs predicted (model) convergence time per scenario; the diagonal is perfect agreement."""
    names = {"calibrated": _("model with the measured per-push time", lang),
             "nominal": _("model with the nominal per-push time", lang)}
    data = []
    for r in rows:
        for key in ("calibrated", "nominal"):
            data.append({"scenario": r["name"], "which": key, "label": names[key],
                         "predicted_ms": r[key]["last_change_to_converged_ms"],
                         "measured_ms": r["measured"]["last_change_to_converged_ms"],
                         "error_pct": r[key]["error_pct"]})
    lo = min(min(d["predicted_ms"], d["measured_ms"]) for d in data) * 0.8
    hi = max(max(d["predicted_ms"], d["measured_ms"]) for d in data) * 1.2
    scale = alt.Scale(type="log", domain=[lo, hi], nice=False)
    diag = alt.Chart(_inline([{"v": lo}, {"v": hi}])).mark_line(color=GREY, strokeDash=[4, 3]).encode(
        x=alt.X("v:Q", scale=scale), y=alt.Y("v:Q", scale=scale))
    pts = alt.Chart(_inline(data)).mark_point(size=80, filled=True, opacity=0.85).encode(
        x=alt.X("predicted_ms:Q", title=_("Model: last change → all proxies (ms, log)", lang), scale=scale,
                axis=alt.Axis(format="~g")),
        y=alt.Y("measured_ms:Q", title=_("Go simulation, measured (ms, log)", lang), scale=scale,
                axis=alt.Axis(format="~g")),
        color=alt.Color("label:N", title=None,
                        scale=alt.Scale(domain=[names["calibrated"], names["nominal"]], range=[BLUE, ORANGE]),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
        shape=alt.Shape("label:N", legend=None),
        tooltip=[alt.Tooltip("scenario:N", title=_("scenario", lang)), alt.Tooltip("label:N", title=_("prediction", lang)),
                 alt.Tooltip("predicted_ms:Q", format=".1f", title=_("model (ms)", lang)),
                 alt.Tooltip("measured_ms:Q", format=".1f", title=_("measured (ms)", lang)),
                 alt.Tooltip("error_pct:Q", format="+.1f", title=_("error %", lang))])
    return (diag + pts).properties(width=360, height=300, title=_title(title, subtitle))


def knee_chart(curves: dict[str, list[dict]], knees: dict[str, dict], labels: dict[str, str],
               title: str, subtitle: Sequence[str], lang: str = "en") -> alt.HConcatChart:
    """Throughput and p99 against connections per variant; the knee marked on both. `labels`: variant key →
    shown name (ch3.variant_labels(lang))."""
    data = [dict(r, variant=labels.get(v, v)) for v, curve in curves.items() for r in curve]
    knee_pts = [{"variant": labels.get(v, v), "connections": k["connections"], "qps": k["qps"], "p99_ms": k["p99_ms"],
                 "threshold_qps": k["threshold_qps"],
                 "label": _("knee: {n}", lang).format(n=k["connections"])}
                for v, k in knees.items() if k["within_range"]]
    domain = [labels.get(v, v) for v in curves]
    color = alt.Color("variant:N", title=None, scale=alt.Scale(domain=domain, range=[ORANGE, BLUE][:len(domain)]),
                      legend=alt.Legend(orient="bottom"))
    x = alt.X("connections:Q", title=_("Connections (closed loop, log₂ scale)", lang),
              scale=alt.Scale(type="log", base=2),
              axis=alt.Axis(values=sorted({r["connections"] for r in data}), format="d"))
    base = alt.Chart(_inline(data))
    tip = [alt.Tooltip("variant:N", title=_("Variant", lang)), alt.Tooltip("connections:Q", title=_("Connections", lang)),
           alt.Tooltip("qps:Q", format=",.0f", title=_("requests/s", lang)),
           alt.Tooltip("p99_ms:Q", format=".2f", title=_("p99 (ms)", lang)),
           alt.Tooltip("proxy_cpu_pct:Q", format=".0f", title=_("proxy CPU %", lang)),
           alt.Tooltip("gc_cpu_pct:Q", format=".1f", title=_("GC CPU %", lang))]
    thr = base.mark_line(point=True).encode(x=x, y=alt.Y("qps:Q", title=_("Throughput (requests/s)", lang),
                                                          axis=alt.Axis(format=",.0f")), color=color, tooltip=tip)
    lat = base.mark_line(point=True).encode(x=x, y=alt.Y("p99_ms:Q", title=_("p99 latency (ms, log scale)", lang),
                                                          scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
                                             color=color, tooltip=tip)
    layers_t, layers_l = [thr], [lat]
    if knee_pts:
        kp = alt.Chart(_inline(knee_pts))
        ring = dict(shape="circle", size=260, filled=False, strokeWidth=2.5)
        layers_t += [kp.mark_point(**ring).encode(x="connections:Q", y="qps:Q", color=color),
                     kp.mark_rule(strokeDash=[3, 3], opacity=0.7).encode(y="threshold_qps:Q", color=color)]
        layers_l += [kp.mark_point(**ring).encode(x="connections:Q", y="p99_ms:Q", color=color)]
    left = alt.layer(*layers_t).properties(width=320, height=240, title=alt.TitleParams(
        _("Throughput: the knee (circle) and the threshold line", lang), anchor="start", fontSize=12))
    right = alt.layer(*layers_l).properties(width=320, height=240, title=alt.TitleParams(
        _("p99 latency: the knee (circle)", lang), anchor="start", fontSize=12))
    return alt.hconcat(left, right).resolve_scale(color="shared").properties(title=_title(title, subtitle))


def gc_chart(rows: list[dict], labels_order: Sequence[str], title: str, subtitle: Sequence[str],
             lang: str = "en") -> alt.VConcatChart:
    """Allocation and GC per variant: one small bar panel per metric (each with its own scale). Rows from
    ch3.gc_rows: `metric` is the key, `metric_label` the axis title, `variant` the shown variant name."""
    metrics = list(dict.fromkeys(r["metric"] for r in rows))
    panels = []
    color = alt.Color("variant:N", title=None, scale=alt.Scale(domain=list(labels_order),
                                                              range=[ORANGE, BLUE][:len(labels_order)]),
                      legend=alt.Legend(orient="bottom"))
    for m in metrics:
        part = [r for r in rows if r["metric"] == m]
        name = part[0]["metric_label"]
        bars = alt.Chart(_inline(part)).mark_bar().encode(
            x=alt.X("value:Q", title=name, axis=alt.Axis(tickCount=5)),
            y=alt.Y("variant:N", title=None, sort=list(labels_order), axis=alt.Axis(labelLimit=200)),
            color=color, tooltip=[alt.Tooltip("variant:N", title=_("Variant", lang)),
                                  alt.Tooltip("value:Q", format=".3g", title=name)])
        text = alt.Chart(_inline(part)).mark_text(align="left", dx=4, fontSize=11).encode(
            x="value:Q", y=alt.Y("variant:N", sort=list(labels_order)), text=alt.Text("value:Q", format=".3g"))
        panels.append((bars + text).properties(width=230, height=60))
    grid = alt.vconcat(*(alt.hconcat(*panels[i:i + 2]) for i in range(0, len(panels), 2)))
    return grid.properties(title=_title(title, subtitle))
