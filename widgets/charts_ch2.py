"""Chapter 2's Altair charts. Each title states the finding (computed by the caller from results); axes carry
units; subtitles carry provenance or the model's definition. Every visible word is in `lang`: data keys (series,
flag sets, strategies) stay stable and are mapped to shown labels here."""

from __future__ import annotations

import math
from typing import Any, Sequence

import altair as alt

from gohandbook.i18n import N_, _
from widgets.charts import inline as _inline, title as _title, value_axis


TARGET_ORDER = ["linux/amd64", "linux/arm64", "windows/amd64", "darwin/arm64", "wasip1/wasm"]
GO, PY, OTHER, BAD = "#2b6cb0", "#c05621", "#718096", "#a4161a"
# Series keys (gohandbook.ch2.unit_rows) → colour; the legend shows SERIES_LABELS in the page's language.
SERIES_COLORS = {
    "goroutine: RSS": GO, "goroutine: stack (runtime/metrics)": "#63b3ed",
    "goroutine: heap objects (runtime/metrics)": "#90cdf4",
    "Python thread: RSS": PY, "Python thread: virtual (reserved stack)": "#f6ad55", "asyncio task: RSS": "#38a169",
}
SERIES_LABELS = {
    "goroutine: RSS": N_("goroutine: RSS"),
    "goroutine: stack (runtime/metrics)": N_("goroutine: stack (runtime/metrics)"),
    "goroutine: heap objects (runtime/metrics)": N_("goroutine: heap objects (runtime/metrics)"),
    "Python thread: RSS": N_("Python thread: RSS"),
    "Python thread: virtual (reserved stack)": N_("Python thread: virtual (reserved stack)"),
    "asyncio task: RSS": N_("asyncio task: RSS"),
}
FLAG_ORDER = ["default", "cgo0", "strip", "trimpath", "combined"]
FLAG_COLORS = {"default": "#a0aec0", "cgo0": "#4299e1", "strip": GO, "trimpath": "#9f7aea", "combined": "#2c5282"}
GC_METRICS = {"gc_cpu_seconds": N_("GC CPU time (s)"), "gc_cycles": N_("GC cycles"), "pause_p99_ms": N_("Pause p99 (ms)"),
              "pause_total_ms": N_("Total stop-the-world pause (ms)"), "wall_seconds": N_("Wall time (s)")}
RECONCILE_FIELDS = {"api_calls_per_hour": N_("API-server requests per hour (log)"),
                    "external_staleness_mean_s": N_("Mean staleness of external state (s, log)"),
                    "utilisation": N_("Workqueue utilisation (1 = saturated, log)")}


def series_label(key: str, lang: str = "en") -> str:
    return _(SERIES_LABELS.get(key, key), lang)


def units_chart(rows: list[dict[str, Any]], *, title: str, provenance: str, show_virtual: bool = True,
                lang: str = "en") -> alt.Chart:
    data = [dict(r, label=series_label(r["series"], lang)) for r in rows
            if show_virtual or "virtual" not in r["series"]]
    keys = [s for s in SERIES_COLORS if any(r["series"] == s for r in data)]
    domain = [series_label(s, lang) for s in keys]
    base = alt.Chart(_inline(data or [{"series": "none", "label": "", "n": 1, "bytes": 1}]))
    enc = dict(
        x=alt.X("n:Q", title=_("Units alive at once (log scale)", lang), scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        y=alt.Y("bytes:Q", title=_("Bytes per unit (log scale)", lang), scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        color=alt.Color("label:N", title=None, scale=alt.Scale(domain=domain, range=[SERIES_COLORS[s] for s in keys]),
                        legend=alt.Legend(orient="right", labelLimit=320)),
        tooltip=[alt.Tooltip("label:N", title=_("Series", lang)),
                 alt.Tooltip("n:Q", format=",", title=_("Units alive at once", lang)),
                 alt.Tooltip("bytes:Q", format=",.0f", title=_("Bytes per unit", lang))],
    )
    chart = base.mark_line(point=True).encode(**enc)
    return chart.properties(width=430, height=260, title=_title(title, [
        _("Each point: (reading with N blocked units − reading before) ÷ N in a fresh process; median over repeats.",
          lang), provenance]))


def small_multiples(rows: list[dict[str, Any]], *, category: str, order: list[str], colors: dict[str, str],
                    title: str, subtitle: Sequence[str], log_metrics: Sequence[str] = (), width: int = 200,
                    lang: str = "en") -> alt.VConcatChart:
    """One panel per `metric` (rows carry the shown metric name and the shown category label)."""
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
            tooltip=[alt.Tooltip(f"{category}:N", title=metric),
                     alt.Tooltip("median:Q", format=",.4g", title=_("median", lang)),
                     alt.Tooltip("min:Q", format=",.4g", title=_("min", lang)),
                     alt.Tooltip("max:Q", format=",.4g", title=_("max", lang))])
        rule = base.mark_rule(color="#222").encode(x="min:Q", x2="max:Q", y=y)
        panels.append((bars + rule).properties(width=width, height=22 * max(len(order), 2)))
    rows_of = [alt.hconcat(*panels[i:i + 2]) for i in range(0, len(panels), 2)]
    return alt.vconcat(*rows_of).properties(title=_title(title, subtitle))


def build_chart(rows: list[dict[str, Any]], *, value: str, title: str, provenance: str, lang: str = "en") -> alt.Chart:
    data = [r for r in rows if r.get("ok")]
    # bars are named by their flags as written on the command line (the measurement's label): code, any language
    labels = {r["flagset"]: r["label"] for r in data}
    keys = [k for k in FLAG_ORDER if k in labels] + sorted(k for k in labels if k not in FLAG_ORDER)
    field, axis_title, fmt = {
        "mb": ("mb", _("Size (MB, decimal, from stat)", lang), ".2f"),
        "saving_pct": ("saving_pct", _("Smaller than the default build of the same target (%)", lang), ".1f"),
    }[value]
    order = [labels[k] for k in keys]
    chart = alt.Chart(_inline(data)).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
        x=alt.X(f"{field}:Q", title=axis_title),
        color=alt.Color("label:N", title=_("Flags", lang), sort=order, legend=None,
                        scale=alt.Scale(domain=order, range=[FLAG_COLORS.get(k, OTHER) for k in keys])),
        row=alt.Row("target:N", title=None, sort=TARGET_ORDER, header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold")),
        tooltip=[alt.Tooltip("target:N", title=_("Target", lang)), alt.Tooltip("label:N", title=_("Flags", lang)),
                 alt.Tooltip(f"{field}:Q", format=fmt, title=axis_title),
                 alt.Tooltip("bytes:Q", format=",", title=_("Bytes (stat)", lang)),
                 alt.Tooltip("format:N", title=_("Format", lang)),
                 alt.Tooltip("needed:N", title=_("Linked libraries", lang))],
    )
    return chart.properties(width=380, height=alt.Step(14), title=_title(title, [
        _("One build per bar; the cross-target rows use the flag sets of this preset (the full preset builds all).", lang),
        provenance]))


def gc_tradeoff_chart(points: list[dict[str, Any]], *, metric: str, title: str, provenance: str,
                      lang: str = "en") -> alt.LayerChart:
    data = [p for p in points if p.get("peak_rss_mib")]
    base = alt.Chart(_inline(data))
    color = alt.Color("gomemlimit:N", title="GOMEMLIMIT")
    line = base.mark_line(opacity=0.5).encode(
        x=alt.X("peak_rss_mib:Q", title=_("Peak RSS (MiB)", lang), scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        y=alt.Y(f"{metric}:Q", title=_(GC_METRICS[metric], lang)), color=color, order="gogc_order:Q")
    pts = base.mark_point(filled=True, size=80).encode(
        x="peak_rss_mib:Q", y=f"{metric}:Q", color=color,
        tooltip=[alt.Tooltip("setting:N", title=_("Setting", lang)),
                 alt.Tooltip("peak_rss_mib:Q", format=".0f", title=_("Peak RSS (MiB)", lang)),
                 alt.Tooltip("gc_cycles:Q", format=".0f", title=_("GC cycles", lang)),
                 alt.Tooltip("gc_cpu_seconds:Q", format=".2f", title=_("GC CPU time (s)", lang)),
                 alt.Tooltip("pause_p99_ms:Q", format=".3f", title=_("Pause p99 (ms)", lang)),
                 alt.Tooltip("wall_seconds:Q", format=".2f", title=_("Wall time (s)", lang))])
    text = base.mark_text(dx=7, dy=-7, align="left", fontSize=10).encode(
        x="peak_rss_mib:Q", y=f"{metric}:Q", text="gogc:N", color=color)
    return (line + pts + text).properties(width=430, height=280, title=_title(title, [
        _("Labels: GOGC. Lower-right = more memory, less GC work; a GOMEMLIMIT pulls points left and up.", lang),
        provenance]))


def pause_chart(rows: list[dict[str, Any]], *, title: str, provenance: str, lang: str = "en") -> alt.Chart:
    data = [dict(r, mid_ms=math.sqrt(max(r["lo_ms"], 1e-6) * max(r["hi_ms"], 1e-6))) for r in rows]
    return alt.Chart(_inline(data)).mark_circle(opacity=0.8).encode(
        x=alt.X("mid_ms:Q", title=_("Stop-the-world pause (ms, histogram bucket, log scale)", lang),
                scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
        y=alt.Y("setting:N", title=None, axis=alt.Axis(labelLimit=260), sort=list(dict.fromkeys(r["setting"] for r in rows))),
        size=alt.Size("count:Q", title=_("Pauses", lang)), color=alt.Color("gomemlimit:N", title="GOMEMLIMIT"),
        tooltip=[alt.Tooltip("setting:N", title=_("Setting", lang)),
                 alt.Tooltip("lo_ms:Q", format=".4f", title=_("from (ms)", lang)),
                 alt.Tooltip("hi_ms:Q", format=".4f", title=_("to (ms)", lang)),
                 alt.Tooltip("count:Q", title=_("Pauses", lang))],
    ).properties(width=430, height=alt.Step(18), title=_title(title, [
        _("runtime/metrics /sched/pauses/total/gc:seconds, difference over the run; two pauses per GC cycle.", lang),
        provenance]))


def bench_chart(rows: list[dict[str, Any]], *, title: str, provenance: str, lang: str = "en") -> alt.LayerChart:
    base = alt.Chart(_inline(rows))
    dots = base.mark_tick(thickness=2, size=18, opacity=0.7).encode(
        x=alt.X("ns_op:Q", title=_("ns/op (one tick per -count run)", lang), scale=alt.Scale(zero=True)),
        y=alt.Y("benchmark:N", title=None), color=alt.Color("benchmark:N", legend=None,
                                                            scale=alt.Scale(range=[PY, GO])),
        tooltip=[alt.Tooltip("benchmark:N", title=_("Benchmark", lang)), alt.Tooltip("run:Q", title=_("Run", lang)),
                 alt.Tooltip("ns_op:Q", title="ns/op")])
    med = base.mark_point(shape="diamond", size=120, filled=True, color="#111").encode(
        x="median(ns_op):Q", y="benchmark:N")
    return (dots + med).properties(width=430, height=90, title=_title(title, [_("Diamond: median.", lang), provenance]))


def reconcile_chart(rows: list[dict[str, Any]], *, field: str, title: str, subtitle: Sequence[str],
                    objects: int, lang: str = "en") -> alt.LayerChart:
    """`rows` from gohandbook.ch2.reconcile_rows(params, lang): `strategy` is already the shown name."""
    # only the plotted fields: other fields may be infinite (a saturated queue), which JSON cannot carry
    data = [{"objects": r["objects"], "strategy": r["strategy"], "value": r[field]} for r in rows
            if 0 < r[field] < float("inf")]
    base = alt.Chart(_inline(data))
    color = alt.Color("strategy:N", title=None, legend=alt.Legend(orient="bottom", columns=1, labelLimit=360))
    axis_title = _(RECONCILE_FIELDS[field], lang)
    line = base.mark_line(point=alt.OverlayMarkDef(size=20)).encode(
        x=alt.X("objects:Q", title=_("Objects managed (log)", lang), scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        y=alt.Y("value:Q", title=axis_title, scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        color=color, tooltip=[alt.Tooltip("strategy:N", title=_("Strategy", lang)),
                              alt.Tooltip("objects:Q", format=",", title=_("Objects", lang)),
                              alt.Tooltip("value:Q", format=",.4g", title=axis_title)])
    marker = alt.Chart(_inline([{"objects": objects}])).mark_rule(strokeDash=[4, 3], color="#555").encode(
        x="objects:Q")
    layers = [line, marker]
    if field == "utilisation":
        layers.append(alt.Chart(_inline([{"y": 1}])).mark_rule(color=BAD).encode(y="y:Q"))
    return alt.layer(*layers).properties(width=400, height=230, title=_title(title, subtitle))


def backoff_chart(rows: list[dict[str, Any]], *, title: str, subtitle: Sequence[str], lang: str = "en") -> alt.LayerChart:
    delay, waited = _("delay before the next attempt", lang), _("total waited so far", lang)
    long = [{"failures": r["failures"], "seconds": r["delay_s"], "what": delay} for r in rows]
    long += [{"failures": r["failures"], "seconds": r["waited_s"], "what": waited} for r in rows]
    return alt.Chart(_inline(long)).mark_line(point=True).encode(
        x=alt.X("failures:Q", title=_("Consecutive failures of one object", lang)),
        y=alt.Y("seconds:Q", title=_("Seconds (log)", lang), scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("failures:Q", title=_("Consecutive failures of one object", lang)),
                 alt.Tooltip("what:N", title=_("Series", lang)),
                 alt.Tooltip("seconds:Q", format=",.3f", title=_("Seconds", lang))],
    ).properties(width=400, height=200, title=_title(title, subtitle))


WASM_RUNS = {"native": N_("native linux/amd64"), "wasm": N_("wasip1/wasm under Node"),
             "node": N_("Node alone (node -e 0)")}
WASM_METRICS = {"wall": N_("Wall time, spawn to exit (ms)"), "size": N_("Size (MB)"),
                "work": N_("SHA-256 of 1 MiB inside the program (ms)")}


def wasm_chart(rows: list[dict[str, Any]], *, title: str, provenance: str, lang: str = "en") -> alt.VConcatChart:
    """`rows`: {"run": key of WASM_RUNS, "metric": key of WASM_METRICS, "median", "min", "max"}."""
    runs = {k: _(v, lang) for k, v in WASM_RUNS.items()}
    shown = [dict(r, what=runs[r["run"]], metric=_(WASM_METRICS[r["metric"]], lang)) for r in rows]
    colors = {runs["native"]: GO, runs["wasm"]: PY, runs["node"]: OTHER}
    return small_multiples(shown, category="what", order=list(colors), colors=colors, title=title,
                           subtitle=[_("Bar: median; line: min–max over the runs. Wall time: spawn to exit.", lang),
                                     provenance],
                           log_metrics=(_(WASM_METRICS["wall"], lang),), width=210, lang=lang)
