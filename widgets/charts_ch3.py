"""Chapter 3's Altair charts. Titles state the finding; axes carry units; subtitles carry the model's
definition, the cited defaults or the measurement's provenance."""

from __future__ import annotations

from typing import Any, Sequence

import altair as alt


def _inline(rows) -> dict:
    """Inline data as a plain dict of a tuple, not alt.Data(values=list): Altair then neither wraps and validates
    every row nor deep-copies the rows into every layer, which made each live update several times slower
    (benchmarks/live_controls.py). The spec it produces is the same."""
    return {"values": tuple(rows)}


BLUE, ORANGE, GREY, GREEN = "#2b6cb0", "#c05621", "#718096", "#2f855a"
WIDTH = 430


def _title(text: str, subtitle: Sequence[str]) -> alt.TitleParams:
    return alt.TitleParams(text, subtitle=list(subtitle), anchor="start", fontSize=14, subtitleFontSize=11,
                           limit=900)


def _fmt_s(v: float) -> str:
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s" if v < 100 else f"{v:.0f} s"


def convergence_vs_proxies(rows: list[dict], current: dict, title: str, subtitle: Sequence[str]) -> alt.LayerChart:
    """Time from the last change until every proxy has it, against the number of proxies, per throttle."""
    domain = list(dict.fromkeys(r["setting"] for r in rows))
    palette = [BLUE, GREY, ORANGE, GREEN][:len(domain)]
    base = alt.Chart(_inline(rows))
    x = alt.X("proxies:Q", title="Proxies connected to istiod (log scale)", scale=alt.Scale(type="log"),
              axis=alt.Axis(format="~s", values=[10, 100, 1000, 10000]))
    y = alt.Y("converge_s:Q", title="Last change → every proxy has it (s, log scale)",
              scale=alt.Scale(type="log"), axis=alt.Axis(format="~g"))
    color = alt.Color("setting:N", title="PILOT_PUSH_THROTTLE", scale=alt.Scale(domain=domain, range=palette),
                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400))
    lines = base.mark_line(point=True).encode(
        x=x, y=y, color=color,
        tooltip=["setting:N", "proxies:Q", alt.Tooltip("converge_s:Q", format=".3f", title="converge (s)"),
                 alt.Tooltip("max_staleness_s:Q", format=".3f", title="longest wait (s)"), "pushes:Q", "rounds:Q"])
    you = alt.Chart(_inline([current])).mark_point(shape="diamond", size=220, filled=True, color="black").encode(
        x="proxies:Q", y="converge_s:Q", tooltip=[alt.Tooltip("label:N", title="your setting")])
    label = alt.Chart(_inline([current])).mark_text(align="left", dx=9, dy=-9, fontSize=11).encode(
        x="proxies:Q", y="converge_s:Q", text="label:N")
    return (lines + you + label).properties(width=WIDTH, height=260, title=_title(title, subtitle))


def push_load_vs_rate(rows: list[dict], current_rate: float, title: str, subtitle: Sequence[str]) -> alt.HConcatChart:
    """Pushes and the longest wait per change rate, debounced vs every change pushed."""
    domain = ["debounced (istiod default)", "every change pushed"]
    color = alt.Color("debounce:N", title=None, scale=alt.Scale(domain=domain, range=[BLUE, ORANGE]),
                      legend=alt.Legend(orient="bottom"))
    x = alt.X("rate:Q", title="Config changes per second (log scale)", scale=alt.Scale(type="log"),
              axis=alt.Axis(format="~g"))
    base = alt.Chart(_inline(rows))
    rule = alt.Chart(_inline([{"rate": current_rate}])).mark_rule(strokeDash=[4, 3], color="black").encode(x="rate:Q")
    tip = ["debounce:N", "rate:Q", "changes:Q", "rounds:Q", "pushes:Q",
           alt.Tooltip("pushes_per_s:Q", format=",.0f"), alt.Tooltip("max_staleness_s:Q", format=".3f")]
    pushes = (base.mark_line(point=True).encode(
        x=x, y=alt.Y("pushes:Q", title="Pushes to proxies during the storm (log scale)", scale=alt.Scale(type="log"),
                     axis=alt.Axis(format="~s", tickCount=4)), color=color, tooltip=tip) + rule).properties(
        width=300, height=220, title=alt.TitleParams("Push load", anchor="start", fontSize=12))
    wait = (base.mark_line(point=True).encode(
        x=x, y=alt.Y("max_staleness_s:Q", title="Longest wait of any change (s)"), color=color, tooltip=tip)
        + rule).properties(width=300, height=220, title=alt.TitleParams("What it costs in freshness", anchor="start",
                                                                        fontSize=12))
    return alt.hconcat(pushes, wait).properties(title=_title(title, subtitle))


def change_timeline(changes: list[dict], rounds: list[dict], title: str, subtitle: Sequence[str]) -> alt.LayerChart:
    """Each change as a bar from when it was made to when every proxy had it; push rounds as rules."""
    y = alt.Y("change:O", title="Change #", axis=alt.Axis(labelOverlap="greedy"), sort="ascending")
    bars = alt.Chart(_inline(changes)).mark_bar(height={"band": 0.7}, color=BLUE, opacity=0.75).encode(
        x=alt.X("made_s:Q", title="Time since the first change (s)"), x2="converged_s:Q", y=y,
        tooltip=["change:O", alt.Tooltip("made_s:Q", format=".3f"), alt.Tooltip("converged_s:Q", format=".3f"),
                 alt.Tooltip("wait_s:Q", format=".3f", title="wait (s)")])
    made = alt.Chart(_inline(changes)).mark_tick(color="black", thickness=2).encode(x="made_s:Q", y=y)
    push = alt.Chart(_inline(rounds)).mark_rule(color=ORANGE, strokeDash=[5, 3], strokeWidth=1.5).encode(
        x="at_s:Q", tooltip=["round:Q", alt.Tooltip("at_s:Q", format=".3f", title="push round at (s)"),
                             alt.Tooltip("carries:Q", title="carries changes up to #"), "pushes:Q"])
    height = max(120, min(320, 9 * len(changes)))
    return (bars + made + push).properties(width=WIDTH + 80, height=height, title=_title(title, subtitle))


def model_vs_sim(rows: list[dict], title: str, subtitle: Sequence[str]) -> alt.LayerChart:
    """Measured (Go) vs predicted (model) convergence time per scenario; the diagonal is perfect agreement."""
    data = []
    for r in rows:
        for label, key in (("model with the measured per-push time", "calibrated"),
                           ("model with the nominal per-push time", "nominal")):
            data.append({"scenario": r["name"], "which": label,
                         "predicted_ms": r[key]["last_change_to_converged_ms"],
                         "measured_ms": r["measured"]["last_change_to_converged_ms"],
                         "error_pct": r[key]["error_pct"]})
    lo = min(min(d["predicted_ms"], d["measured_ms"]) for d in data) * 0.8
    hi = max(max(d["predicted_ms"], d["measured_ms"]) for d in data) * 1.2
    scale = alt.Scale(type="log", domain=[lo, hi], nice=False)
    diag = alt.Chart(_inline([{"v": lo}, {"v": hi}])).mark_line(color=GREY, strokeDash=[4, 3]).encode(
        x=alt.X("v:Q", scale=scale), y=alt.Y("v:Q", scale=scale))
    pts = alt.Chart(_inline(data)).mark_point(size=80, filled=True, opacity=0.85).encode(
        x=alt.X("predicted_ms:Q", title="Model: last change → all proxies (ms, log)", scale=scale,
                axis=alt.Axis(format="~g")),
        y=alt.Y("measured_ms:Q", title="Go simulation, measured (ms, log)", scale=scale, axis=alt.Axis(format="~g")),
        color=alt.Color("which:N", title=None, scale=alt.Scale(domain=["model with the measured per-push time",
                                                                       "model with the nominal per-push time"],
                                                               range=[BLUE, ORANGE]),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
        shape=alt.Shape("which:N", legend=None),
        tooltip=["scenario:N", "which:N", alt.Tooltip("predicted_ms:Q", format=".1f"),
                 alt.Tooltip("measured_ms:Q", format=".1f"), alt.Tooltip("error_pct:Q", format="+.1f", title="error %")])
    return (diag + pts).properties(width=360, height=300, title=_title(title, subtitle))


def knee_chart(curves: dict[str, list[dict]], knees: dict[str, dict], labels: dict[str, str],
               title: str, subtitle: Sequence[str]) -> alt.HConcatChart:
    """Throughput and p99 against connections per variant; the knee marked on both."""
    data = [dict(r, variant=labels.get(v, v)) for v, curve in curves.items() for r in curve]
    knee_pts = [{"variant": labels.get(v, v), "connections": k["connections"], "qps": k["qps"], "p99_ms": k["p99_ms"],
                 "threshold_qps": k["threshold_qps"], "label": f"knee: {k['connections']}"}
                for v, k in knees.items() if k["within_range"]]
    domain = [labels.get(v, v) for v in curves]
    color = alt.Color("variant:N", title=None, scale=alt.Scale(domain=domain, range=[ORANGE, BLUE][:len(domain)]),
                      legend=alt.Legend(orient="bottom"))
    x = alt.X("connections:Q", title="Connections (closed loop, log₂ scale)", scale=alt.Scale(type="log", base=2),
              axis=alt.Axis(values=sorted({r["connections"] for r in data}), format="d"))
    base = alt.Chart(_inline(data))
    tip = ["variant:N", "connections:Q", alt.Tooltip("qps:Q", format=",.0f"), alt.Tooltip("p99_ms:Q", format=".2f"),
           alt.Tooltip("proxy_cpu_pct:Q", format=".0f", title="proxy CPU %"),
           alt.Tooltip("gc_cpu_pct:Q", format=".1f", title="GC CPU %")]
    thr = base.mark_line(point=True).encode(x=x, y=alt.Y("qps:Q", title="Throughput (requests/s)",
                                                          axis=alt.Axis(format=",.0f")), color=color, tooltip=tip)
    lat = base.mark_line(point=True).encode(x=x, y=alt.Y("p99_ms:Q", title="p99 latency (ms, log scale)",
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
        "Throughput: the knee (circle) and the threshold line", anchor="start", fontSize=12))
    right = alt.layer(*layers_l).properties(width=320, height=240, title=alt.TitleParams(
        "p99 latency: past the knee, only queueing grows", anchor="start", fontSize=12))
    return alt.hconcat(left, right).resolve_scale(color="shared").properties(title=_title(title, subtitle))


def gc_chart(rows: list[dict], labels_order: Sequence[str], title: str, subtitle: Sequence[str]) -> alt.VConcatChart:
    """Allocation and GC per variant: one small bar panel per metric (each with its own scale)."""
    metrics = list(dict.fromkeys(r["metric"] for r in rows))
    panels = []
    color = alt.Color("variant:N", title=None, scale=alt.Scale(domain=list(labels_order),
                                                              range=[ORANGE, BLUE][:len(labels_order)]),
                      legend=alt.Legend(orient="bottom"))
    for m in metrics:
        part = [r for r in rows if r["metric"] == m]
        bars = alt.Chart(_inline(part)).mark_bar().encode(
            x=alt.X("value:Q", title=m, axis=alt.Axis(tickCount=5)),
            y=alt.Y("variant:N", title=None, sort=list(labels_order), axis=alt.Axis(labelLimit=200)),
            color=color, tooltip=["variant:N", alt.Tooltip("value:Q", format=".3g", title=m)])
        text = alt.Chart(_inline(part)).mark_text(align="left", dx=4, fontSize=11).encode(
            x="value:Q", y=alt.Y("variant:N", sort=list(labels_order)), text=alt.Text("value:Q", format=".3g"))
        panels.append((bars + text).properties(width=230, height=60))
    grid = alt.vconcat(*(alt.hconcat(*panels[i:i + 2]) for i in range(0, len(panels), 2)))
    return grid.properties(title=_title(title, subtitle))


def current_point(rows: list[dict], params: dict, label: str, value: float) -> dict[str, Any]:
    return {"proxies": params["cp_proxies"], "converge_s": value, "label": f"you: {label}"}
