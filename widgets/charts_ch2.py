"""Chapter 2's Altair charts. Each title states the finding; axes carry units; subtitles carry
provenance or the model's definition."""

from __future__ import annotations

import math
from typing import Any, Sequence

import altair as alt

from widgets.charts import value_axis


def _inline(rows) -> dict:
    """Inline data as a plain dict of a tuple, not alt.Data(values=list): Altair then neither wraps and validates
    every row nor deep-copies the rows into every layer, which made each live update several times slower
    (benchmarks/live_controls.py). The spec it produces is the same."""
    return {"values": tuple(rows)}


TARGET_ORDER = ["linux/amd64", "linux/arm64", "windows/amd64", "darwin/arm64", "wasip1/wasm"]
GO, PY, OTHER, BAD = "#2b6cb0", "#c05621", "#718096", "#a4161a"
SERIES_COLORS = {
    "goroutine: RSS": GO, "goroutine: stack (runtime/metrics)": "#63b3ed",
    "goroutine: heap objects (runtime/metrics)": "#90cdf4",
    "Python thread: RSS": PY, "Python thread: virtual (reserved stack)": "#f6ad55", "asyncio task: RSS": "#38a169",
}


def _title(text: str, subtitle: Sequence[str] | str = ()) -> alt.TitleParams:
    sub = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    return alt.TitleParams(text, subtitle=[s for s in sub if s], anchor="start")


def units_chart(rows: list[dict[str, Any]], *, title: str, provenance: str, show_virtual: bool = True) -> alt.Chart:
    data = [r for r in rows if show_virtual or "virtual" not in r["series"]]
    domain = [s for s in SERIES_COLORS if any(r["series"] == s for r in data)]
    base = alt.Chart(_inline(data or [{"series": "none", "n": 1, "bytes": 1}]))
    enc = dict(
        x=alt.X("n:Q", title="Units alive at once (log scale)", scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        y=alt.Y("bytes:Q", title="Bytes per unit (log scale)", scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=domain,
                                                                 range=[SERIES_COLORS[s] for s in domain]),
                        legend=alt.Legend(orient="right", labelLimit=320)),
        tooltip=["series:N", alt.Tooltip("n:Q", format=","), alt.Tooltip("bytes:Q", format=",.0f")],
    )
    chart = base.mark_line(point=True).encode(**enc)
    return chart.properties(width=430, height=260, title=_title(title, [
        "Each point: (reading with N blocked units − reading before) ÷ N in a fresh process; median over repeats.",
        provenance]))


def small_multiples(rows: list[dict[str, Any]], *, category: str, order: list[str], colors: dict[str, str],
                    title: str, subtitle: Sequence[str], log_metrics: Sequence[str] = (), width: int = 200) -> alt.VConcatChart:
    metrics = list(dict.fromkeys(r["metric"] for r in rows))
    panels = []
    for i, metric in enumerate(metrics):
        data = [r for r in rows if r["metric"] == metric]
        log = metric in log_metrics
        positive = all((r["median"] or 0) > 0 for r in data)
        scale = alt.Scale(type="log") if log and positive else alt.Scale(zero=True)
        # Category names only left of each row (same order in both panels), so two panels fit 900 px.
        y = alt.Y(f"{category}:N", title=None, sort=order, axis=alt.Axis(labelLimit=320) if i % 2 == 0 else None)
        base = alt.Chart(_inline(data))
        # Bars start at zero, which a log scale cannot show: log panels use a dot at the median instead.
        mark = base.mark_circle(size=120, opacity=1) if log and positive else base.mark_bar()
        bars = mark.encode(
            x=alt.X("median:Q", title=metric, scale=scale, axis=value_axis(log and positive)),
            y=y, color=alt.Color(f"{category}:N", legend=None,
                                 scale=alt.Scale(domain=list(colors), range=list(colors.values()))),
            tooltip=[f"{category}:N", alt.Tooltip("median:Q", format=",.4g"), alt.Tooltip("min:Q", format=",.4g"),
                     alt.Tooltip("max:Q", format=",.4g")])
        rule = base.mark_rule(color="#222").encode(x="min:Q", x2="max:Q", y=y)
        panels.append((bars + rule).properties(width=width, height=22 * max(len(order), 2)))
    rows_of = [alt.hconcat(*panels[i:i + 2]) for i in range(0, len(panels), 2)]
    return alt.vconcat(*rows_of).properties(title=_title(title, subtitle))


def build_chart(rows: list[dict[str, Any]], *, value: str, title: str, provenance: str) -> alt.Chart:
    data = [r for r in rows if r.get("ok")]
    field, axis_title, fmt = {
        "mb": ("mb", "Size (MB, decimal, from stat)", ".2f"),
        "saving_pct": ("saving_pct", "Smaller than the default build of the same target (%)", ".1f"),
    }[value]
    flag_order = ["default", "cgo0", "strip", "trimpath", "combined"]
    chart = alt.Chart(_inline(data)).mark_bar().encode(
        y=alt.Y("flagset:N", title=None, sort=flag_order),
        x=alt.X(f"{field}:Q", title=axis_title),
        color=alt.Color("flagset:N", title="Flags", sort=flag_order,
                        scale=alt.Scale(domain=flag_order, range=["#a0aec0", "#4299e1", GO, "#9f7aea", "#2c5282"])),
        row=alt.Row("target:N", title=None, sort=TARGET_ORDER, header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold")),
        tooltip=["target:N", "label:N", alt.Tooltip(f"{field}:Q", format=fmt), alt.Tooltip("bytes:Q", format=","),
                 "format:N", "needed:N"],
    )
    return chart.properties(width=380, height=alt.Step(14), title=_title(title, [
        "One build per bar; the cross-target rows use the flag sets of this preset (the full preset builds all).",
        provenance]))


def gc_tradeoff_chart(points: list[dict[str, Any]], *, metric: str, title: str, provenance: str) -> alt.LayerChart:
    labels = {"gc_cpu_seconds": "GC CPU time (s)", "gc_cycles": "GC cycles", "pause_p99_ms": "Pause p99 (ms)",
              "pause_total_ms": "Total stop-the-world pause (ms)", "wall_seconds": "Wall time (s)"}
    data = [p for p in points if p.get("peak_rss_mib")]
    base = alt.Chart(_inline(data))
    color = alt.Color("gomemlimit:N", title="GOMEMLIMIT")
    line = base.mark_line(opacity=0.5).encode(
        x=alt.X("peak_rss_mib:Q", title="Peak RSS (MiB)", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        y=alt.Y(f"{metric}:Q", title=labels[metric]), color=color, order="gogc_order:Q")
    pts = base.mark_point(filled=True, size=80).encode(
        x="peak_rss_mib:Q", y=f"{metric}:Q", color=color,
        tooltip=["setting:N", alt.Tooltip("peak_rss_mib:Q", format=".0f"), alt.Tooltip("gc_cycles:Q", format=".0f"),
                 alt.Tooltip("gc_cpu_seconds:Q", format=".2f"), alt.Tooltip("pause_p99_ms:Q", format=".3f"),
                 alt.Tooltip("wall_seconds:Q", format=".2f")])
    text = base.mark_text(dx=7, dy=-7, align="left", fontSize=10).encode(
        x="peak_rss_mib:Q", y=f"{metric}:Q", text="gogc:N", color=color)
    return (line + pts + text).properties(width=430, height=280, title=_title(title, [
        "Labels: GOGC. Lower-right = more memory, less GC work; a GOMEMLIMIT pulls points left and up.", provenance]))


def pause_chart(rows: list[dict[str, Any]], *, title: str, provenance: str) -> alt.Chart:
    data = [dict(r, mid_ms=math.sqrt(max(r["lo_ms"], 1e-6) * max(r["hi_ms"], 1e-6))) for r in rows]
    return alt.Chart(_inline(data)).mark_circle(opacity=0.8).encode(
        x=alt.X("mid_ms:Q", title="Stop-the-world pause (ms, histogram bucket, log scale)", scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~g")),
        y=alt.Y("setting:N", title=None, axis=alt.Axis(labelLimit=260), sort=list(dict.fromkeys(r["setting"] for r in rows))),
        size=alt.Size("count:Q", title="Pauses"), color=alt.Color("gomemlimit:N", title="GOMEMLIMIT"),
        tooltip=["setting:N", alt.Tooltip("lo_ms:Q", format=".4f"), alt.Tooltip("hi_ms:Q", format=".4f"), "count:Q"],
    ).properties(width=430, height=alt.Step(18), title=_title(title, [
        "runtime/metrics /sched/pauses/total/gc:seconds, difference over the run; two pauses per GC cycle.", provenance]))


def bench_chart(rows: list[dict[str, Any]], *, title: str, provenance: str) -> alt.LayerChart:
    base = alt.Chart(_inline(rows))
    dots = base.mark_tick(thickness=2, size=18, opacity=0.7).encode(
        x=alt.X("ns_op:Q", title="ns/op (one tick per -count run)", scale=alt.Scale(zero=True)),
        y=alt.Y("benchmark:N", title=None), color=alt.Color("benchmark:N", legend=None,
                                                            scale=alt.Scale(range=[PY, GO])),
        tooltip=["benchmark:N", "run:Q", "ns_op:Q"])
    med = base.mark_point(shape="diamond", size=120, filled=True, color="#111").encode(
        x="median(ns_op):Q", y="benchmark:N")
    return (dots + med).properties(width=430, height=90, title=_title(title, ["Diamond: median.", provenance]))


def reconcile_chart(rows: list[dict[str, Any]], *, field: str, title: str, subtitle: Sequence[str],
                    objects: int) -> alt.LayerChart:
    labels = {"api_calls_per_hour": "API-server requests per hour (log)",
              "external_staleness_mean_s": "Mean staleness of external state (s, log)",
              "utilisation": "Workqueue utilisation (1 = saturated, log)"}
    data = [dict(r, value=(r[field] if r[field] != float("inf") else None)) for r in rows]
    data = [r for r in data if r["value"] is not None and r["value"] > 0]
    base = alt.Chart(_inline(data))
    color = alt.Color("strategy:N", title=None, legend=alt.Legend(orient="bottom", columns=1, labelLimit=360))
    line = base.mark_line(point=alt.OverlayMarkDef(size=20)).encode(
        x=alt.X("objects:Q", title="Objects managed (log)", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        y=alt.Y("value:Q", title=labels[field], scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        color=color, tooltip=["strategy:N", alt.Tooltip("objects:Q", format=","), alt.Tooltip("value:Q", format=",.4g")])
    marker = alt.Chart(_inline([{"objects": objects}])).mark_rule(strokeDash=[4, 3], color="#555").encode(
        x="objects:Q")
    layers = [line, marker]
    if field == "utilisation":
        layers.append(alt.Chart(_inline([{"y": 1}])).mark_rule(color=BAD).encode(y="y:Q"))
    return alt.layer(*layers).properties(width=400, height=230, title=_title(title, subtitle))


def backoff_chart(rows: list[dict[str, Any]], *, title: str, subtitle: Sequence[str]) -> alt.LayerChart:
    long = [{"failures": r["failures"], "seconds": r["delay_s"], "what": "delay before the next attempt"} for r in rows]
    long += [{"failures": r["failures"], "seconds": r["waited_s"], "what": "total waited so far"} for r in rows]
    return alt.Chart(_inline(long)).mark_line(point=True).encode(
        x=alt.X("failures:Q", title="Consecutive failures of one object"),
        y=alt.Y("seconds:Q", title="Seconds (log)", scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["failures:Q", "what:N", alt.Tooltip("seconds:Q", format=",.3f")],
    ).properties(width=400, height=200, title=_title(title, subtitle))


def wasm_chart(rows: list[dict[str, Any]], *, title: str, provenance: str) -> alt.VConcatChart:
    colors = {"native linux/amd64": GO, "wasip1/wasm under Node": PY, "Node alone (node -e 0)": OTHER}
    return small_multiples(rows, category="what", order=list(colors), colors=colors, title=title,
                           subtitle=["Bar: median; line: min–max over the runs. Wall time: spawn to exit.", provenance],
                           log_metrics=("Wall time, spawn to exit (ms)",), width=210)
