"""Chapter 2 glue: parameters, cached measurements → rows for charts and tables, the reconcile
model's inputs, and the source document's tables quoted with what is wrong in them marked.

No I/O but cache reads.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from . import measure
from .chapters import COMMON, Chapter
from .i18n import N_, _
from .models import reconcile as rc
from .params import Param, ParamSet, size_or

MEASUREMENTS = ("goroutine_memory", "http_fanout", "build_matrix", "gc_tuning", "pool_bench", "mod_tools", "wasm_run")

PARAMS = COMMON.merged(ParamSet("chapter 2", (
    Param("ch2_units_max", "int", 1_000_000, N_("Largest count of goroutines / threads / tasks shown in the memory chart"),
          label=N_("Show counts up to"), min=100, max=1_000_000, step=1, scale="log", fmt=",.0f"),
    Param("ch2_units_virtual", "bool", True, N_("Show Python's reserved (virtual) thread stacks in the memory chart"),
          label=N_("Show Python's reserved (virtual) thread stacks")),
    Param("ch2_build_value", "choice", "mb", N_("What the build chart shows: size (mb) or saving against the default "
          "build (saving_pct)"), label=N_("Build chart shows"), choices=("mb", "saving_pct")),
    Param("ch2_gc_memlimit", "str", "all",
          N_("Which GOMEMLIMIT setting the GC charts show: all, off, or a measured value such as 128MiB"),
          label=N_("GOMEMLIMIT shown"), grammar=size_or("all", "off"),
          grammar_help=N_("all, off, or a GOMEMLIMIT size such as 128MiB (digits with B, KiB, MiB, GiB or TiB)")),
    Param("ch2_gc_metric", "choice", "gc_cpu_seconds", N_("What the GC trade-off chart puts on its vertical axis"),
          label=N_("Vertical axis"), choices=("gc_cpu_seconds", "gc_cycles", "pause_p99_ms", "pause_total_ms", "wall_seconds")),
    Param("reconcile_objects", "int", 200, N_("Custom resources the operator manages"), label=N_("Objects"),
          min=1, max=1_000_000, step=1, scale="log", fmt=",.0f"),
    Param("reconcile_requeue_s", "float", 30.0, N_("Your periodic RequeueAfter in seconds (the seed uses 30 s)"),
          label=N_("RequeueAfter (s)"), min=1, max=86400, step=1, scale="log", fmt=",g"),
    Param("reconcile_changes_per_hour", "float", 0.1, N_("Spec changes per object per hour (each triggers a watch event)"),
          label=N_("Changes / object / hour"), min=0, max=3600, step=0.001, scale="log", fmt=",g"),
    Param("reconcile_ms", "float", 100.0, N_("Time one reconcile takes, including the external call (ms)"),
          label=N_("Reconcile time (ms)"), min=0.1, max=600000, step=1, scale="log", fmt=",g"),
    Param("reconcile_workers", "int", 1, N_("MaxConcurrentReconciles (controller-runtime default: 1)"),
          label="MaxConcurrentReconciles", min=1, max=1000, step=1, scale="log", fmt=",d"),
    Param("reconcile_failure_pct", "float", 0.0, N_("Share of reconciles that fail and are retried with backoff (%)"),
          label=N_("Failing reconciles (%)"), min=0, max=99, step=1),
    Param("reconcile_sync_period_h", "float", 10.0, N_("SyncPeriod in hours (controller-runtime default: 10 h)"),
          label=N_("SyncPeriod (h)"), min=0.01, max=240, step=0.5, scale="log", fmt=",g"),
)), name="chapter 2")

CHAPTER = Chapter(2, "02-go-core-strengths.ipynb", "Go's core strengths, measured", PARAMS, MEASUREMENTS)


# ---------------------------------------------------------------- 2.1 concurrency

def unit_rows(found: measure.Lookup, max_n: int = 10**9) -> list[dict[str, Any]]:
    """Long form for the bytes-per-unit chart: one row per (unit kind, measure, N)."""
    if not found.ok:
        return []
    s = found.result["summary"]
    rows = []
    for pt in s["go"]["points"]:
        for key, label in (("rss_bytes_per_goroutine", "goroutine: RSS"),
                           ("stack_bytes_per_goroutine", "goroutine: stack (runtime/metrics)"),
                           ("heap_bytes_per_goroutine", "goroutine: heap objects (runtime/metrics)")):
            rows.append({"series": label, "unit": "goroutine", "n": pt["n"], "bytes": pt[key]})
    for pt in s["python"]["points"]:
        rows.append({"series": "Python thread: RSS", "unit": "thread", "n": pt["n"], "bytes": pt["rss_bytes_per_unit"]})
        rows.append({"series": "Python thread: virtual (reserved stack)", "unit": "thread", "n": pt["n"],
                     "bytes": pt["vm_bytes_per_unit"]})
    for pt in s["asyncio"]["points"]:
        rows.append({"series": "asyncio task: RSS", "unit": "task", "n": pt["n"], "bytes": pt["rss_bytes_per_unit"]})
    return [r for r in rows if r["n"] <= max_n and r["bytes"] is not None and r["bytes"] > 0]


def thread_limit(params: Mapping[str, Any]) -> dict[str, Any]:
    """The Python thread limit: measured (this preset, else a cached full run), else predicted."""
    for name_preset in (CHAPTER.preset(params), "full"):
        found = measure.lookup("goroutine_memory", name_preset)
        if found.ok and found.result["summary"]["python"].get("thread_limit_searched"):
            py = found.result["summary"]["python"]
            return {"kind": "measured", "value": py["thread_limit"], "error": py["thread_limit_error"],
                    "cap": py["thread_cap_used"], "cap_reason": py["thread_cap_reason"],
                    "started": py["threads_started_in_search"], "seconds": py["thread_limit_search_seconds"],
                    "rss_mib": py["rss_at_limit_mib"], "virtual_gib": py["virtual_at_limit_gib"],
                    "preset": name_preset, "status": found.status,
                    "provenance": measure.provenance_line(found.result, params.get("lang"))}
    found = CHAPTER.lookup(params, "goroutine_memory")
    if not found.ok:
        return {"kind": "missing"}
    pred = found.result["summary"]["python"]["thread_limit_predicted"]
    return {"kind": "predicted", "value": pred.get("value"), "basis": pred.get("basis"),
            "candidates": pred.get("candidates", {}), "maps_per_thread": pred.get("maps_per_thread"),
            "machine": found.result["summary"]["machine"]}


FANOUT_METRICS = (
    # key, heading with its unit (a chart's panel title)
    ("seconds", N_("Completion time (s)")),
    ("failed", N_("Failed or unfinished requests")),
    ("peak_rss_mib", N_("Peak RSS of the client (MiB)")),
    ("peak_fds", N_("Peak open files")),
    ("peak_goroutines", N_("Peak goroutines")),
)
FANOUT_LABELS = {
    "seed": N_("seed snippet: go http.Get × N, bodies never closed"),
    "unbounded": N_("unbounded, bodies closed"),
    "bounded": N_("bounded pool (errgroup-style limit), bodies closed"),
}


def fanout_label(mode: str, lang: str = "en") -> str:
    return _(FANOUT_LABELS[mode], lang) if mode in FANOUT_LABELS else mode


def fanout_rows(found: measure.Lookup, lang: str = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    s = found.result["summary"]
    rows = []
    for mode in s["modes"]:
        m = s[mode]
        kinds = ", ".join(f"{k}: {v:,}" for k, v in m["error_kinds_total"].items()) or _("none", lang)
        rows.append({_("Mode", lang): fanout_label(mode, lang), _("Requests", lang): f"{s['requests']:,}",
                     _("Completed OK", lang): f"{m['ok']:,.0f}", _("Errors", lang): f"{m['errors']:,.0f}",
                     _("Unfinished at deadline", lang): f"{m['unfinished']:,.0f}", _("Error kinds", lang): kinds,
                     _("Time (s)", lang): f"{m['seconds']:.1f}", _("Peak RSS (MiB)", lang): f"{m['peak_rss_mib']:.0f}",
                     _("Peak open files", lang): _("{n} (limit {limit})", lang).format(
                         n=f"{m['peak_fds']:,.0f}", limit=f"{m['fd_limit']:,}"),
                     _("Peak goroutines", lang): f"{m['peak_goroutines']:,.0f}", _("Repeats", lang): m["runs"]})
    return rows


def fanout_long(found: measure.Lookup, lang: str = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    s = found.result["summary"]
    out = []
    for mode in s["modes"]:
        for key, heading in FANOUT_METRICS:
            spread = s[mode]["spread"].get(key, {})
            out.append({"mode": fanout_label(mode, lang), "key": mode, "metric": _(heading, lang),
                        "median": s[mode][key], "min": spread.get("min"), "max": spread.get("max")})
    return out


# The source document's cells are shown as it wrote them; the English page adds a gloss after "—".
CONCURRENCY_TABLE = (
    # model, fault isolation, resource isolation, mesh integration — each (seed text, assessment, verdict)
    (N_("OS threads (OS 线程)"),
     (N_("进程级 — process-level"), N_("Right: a crashing thread takes the process down."), "holds"),
     (N_("弱(共享内存) — weak (shared memory)"), N_("Right: threads share the address space."), "holds"),
     (N_("需额外 sidecar 注入 — needs extra sidecar injection"),
      N_("Misleading: a mesh injects the sidecar per pod, whatever the concurrency model; all three rows get the same "
         "sidecar."),
      "does not hold")),
    ("Actor (Akka)",
     (N_("Actor 实例级 — per actor instance"),
      N_("Broadly right: supervision restarts a failed actor without the JVM."), "holds"),
     (N_("中(信箱隔离) — medium (mailbox isolation)"),
      N_("Plausible: state is private to an actor, but the heap is shared."), "partly holds"),
     (N_("需手动实现 tracing 上报 — tracing must be hand-written"),
      N_("Overstated: OpenTelemetry's Java agent instruments Akka, and context still has to cross actor messages "
         "explicitly — the same work goroutines need."), "partly holds")),
    ("Goroutine",
     (N_("协程级 — per goroutine"),
      N_("Wrong: an unrecovered panic in any goroutine ends the whole program (Go spec, 'Handling panics'); isolation "
         "is process-level, as for threads."), "does not hold"),
     (N_("强(栈隔离+调度器感知) — strong (separate stacks, scheduler-aware)"),
      N_("Wrong as isolation: goroutines share one heap and address space, with no per-goroutine memory or CPU limit; "
         "separate stacks are an implementation detail."), "does not hold"),
     (N_("原生支持 OpenTelemetry 上下文透传 — native OpenTelemetry context propagation"),
      N_("Wrong: Go has no built-in OpenTelemetry. Trace context travels in an explicit context.Context, with the "
         "OpenTelemetry SDK and instrumentation (e.g. otelhttp); a goroutine started without ctx loses the trace."),
      "does not hold")),
)
CONCURRENCY_DIMENSIONS = (N_("Fault isolation"), N_("Resource isolation"), N_("Service-mesh integration"))


def concurrency_table_rows(lang: str = "en") -> list[dict[str, Any]]:
    from .claims import verdict_name

    rows = []
    for model, *cells in CONCURRENCY_TABLE:
        for dim, (seed, note, verdict) in zip(CONCURRENCY_DIMENSIONS, cells):
            rows.append({_("Model", lang): _(model, lang), _("Dimension", lang): _(dim, lang),
                         _("Seed says", lang): _(seed, lang), _("Assessment", lang): _(note, lang),
                         _("Verdict", lang): verdict_name(verdict, lang)})
    return rows


# ---------------------------------------------------------------- 2.2 builds

def build_rows(found: measure.Lookup, lang: str = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    default_bytes = {r["target"]: r["bytes"] for r in found.result["summary"]["rows"]
                     if r["flagset"] == "default" and r.get("ok")}
    for r in found.result["summary"]["rows"]:
        base = default_bytes.get(r["target"])
        if not r.get("ok"):
            rows.append({"target": r["target"], "flagset": r["flagset"], "label": r["label"], "ok": False,
                         "error": r.get("error", "")})
            continue
        rows.append({"target": r["target"], "flagset": r["flagset"], "label": r["label"], "ok": True,
                     "mb": r["mb"], "bytes": r["bytes"], "format": f"{r['format']} {r['arch']}",
                     "interpreter": r["interpreter"] or _("none", lang),
                     "needed": ", ".join(n.rsplit("/", 1)[-1] for n in r["needed"]) or _("none", lang),
                     "dynamic": r["dynamic"],
                     "saving_pct": 100 * (1 - r["bytes"] / base) if base else None})
    return rows


HYBRID_TABLE = (
    (N_("Public cloud (AWS EC2)"), "Amazon Linux 2", "128", "0"),
    (N_("Private cloud (OpenStack)"), "CentOS 7.9", "142", "0"),
    (N_("Edge node (ARM64)"), "Debian 12 (arm64)", "167", "0"),
)


# ---------------------------------------------------------------- 2.3 GC

def gc_points(found: measure.Lookup, memlimit: str = "all") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    pts = found.result["summary"]["grid"]
    if memlimit != "all":
        pts = [p for p in pts if p["gomemlimit"] == memlimit]
    out = []
    for p in pts:
        row = {k: v for k, v in p.items() if k not in ("spread", "pause_buckets")}
        row["setting"] = f"GOGC={p['gogc']}" + ("" if p["gomemlimit"] == "off" else f", GOMEMLIMIT={p['gomemlimit']}")
        row["gogc_order"] = 10**6 if p["gogc"] == "off" else int(p["gogc"])
        out.append(row)
    return out


def gc_table_rows(found: measure.Lookup, memlimit: str = "all", lang: str = "en") -> list[dict[str, Any]]:
    return [{_("Setting", lang): p["setting"], _("GC cycles", lang): f"{p['gc_cycles']:.0f}",
             _("GC CPU (s)", lang): f"{p['gc_cpu_seconds']:.2f}", _("GC share of CPU (%)", lang): f"{p['gc_cpu_pct']:.0f}",
             _("Pauses", lang): f"{p['pause_count']:.0f}",
             _("Pause p50 / p99 / max (ms)", lang): f"{p['pause_p50_ms']:.3f} / {p['pause_p99_ms']:.3f} / {p['pause_max_ms']:.3f}",
             _("Peak RSS (MiB)", lang): f"{p['peak_rss_mib']:.0f}", _("Wall (s)", lang): f"{p['wall_seconds']:.2f}"}
            for p in gc_points(found, memlimit)]


def pause_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    """Pause histogram buckets per grid point, in ms (for the distribution chart)."""
    if not found.ok:
        return []
    rows = []
    for p in found.result["summary"]["grid"]:
        setting = f"GOGC={p['gogc']}" + ("" if p["gomemlimit"] == "off" else f", GOMEMLIMIT={p['gomemlimit']}")
        for lo, hi, count in p["pause_buckets"] or []:
            rows.append({"setting": setting, "gomemlimit": p["gomemlimit"], "lo_ms": lo * 1000, "hi_ms": hi * 1000,
                         "count": count})
    return rows


G1_TABLE = (
    (N_("G1 (default)"), "200", "2MB", "187ms", N_("medium (weak references not cleared in time)")),
    (N_("G1 (tuned)"), "50", "1MB", "42ms", N_("low (with -XX:+DisableExplicitGC)")),
)


def bench_rows(found: measure.Lookup, lang: str = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    for name, b in found.result["summary"]["benchmarks"].items():
        def cell(s):
            ci = s.get("ci95")
            text = (_("{median} (95 % CI {lo}–{hi}), range {min}–{max}", lang) if ci else
                    _("{median}, range {min}–{max}", lang))
            return text.format(median=f"{s['median']:.0f}", lo=f"{ci[0]:.0f}" if ci else "", hi=f"{ci[1]:.0f}" if ci else "",
                               min=f"{s['min']:.0f}", max=f"{s['max']:.0f}")
        rows.append({_("Benchmark", lang): name, "ns/op": cell(b["ns_op"]), "B/op": cell(b["bytes_op"]),
                     "allocs/op": cell(b["allocs_op"]), _("Repeats", lang): b["ns_op"]["n"]})
    return rows


def bench_long(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    return [{"benchmark": name, "run": i + 1, "ns_op": v}
            for name, b in found.result["summary"]["benchmarks"].items() for i, v in enumerate(b["ns_op"]["values"])]


# ---------------------------------------------------------------- 2.4 toolchain

EBPF_TABLE = (
    (N_("Loading (加载机制)"), "bpf.NewProgram()", N_("libbpf CO-RE compatible")),
    (N_("Data export (数据导出)"), "perf event ring buffer", "eBPF Map + userspace ring"),
    (N_("Sampling (采样控制)"), N_("fixed frequency"), N_("dynamic rate (by CPU load)")),
)


def sbom_rows(found: measure.Lookup, lang: str = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    same = {True: _("yes", lang), False: _("NO", lang), None: _("not in go.sum", lang)}
    return [{_("Binary", lang): r["binary"], _("Module", lang): r["module"], _("Version", lang): r["version"],
             _("h1 checksum (go version -m)", lang): r["h1"], _("Same as go.sum", lang): same[r["matches_go_sum"]]}
            for r in found.result["summary"]["sbom"]]


def module_rows(found: measure.Lookup, lang: str = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    for which in ("samples", "tools"):
        for m in found.result["summary"][which]["modules"]:
            rows.append({_("Module (go.mod)", lang): which, _("Path", lang): m["module"],
                         _("Version", lang): m["version"] or _("(main)", lang), "Go": m["go"],
                         _("In local cache", lang): _("yes", lang) if m["cached"] or m["main"] else _("no", lang),
                         _("Offline", lang): m["error"] or "ok"})
    return rows


# ---------------------------------------------------------------- 2.5 reconcile and WASM

def reconcile_input(params: Mapping[str, Any]) -> rc.ReconcileInput:
    return rc.ReconcileInput(
        objects=int(params["reconcile_objects"]), requeue_after_s=float(params["reconcile_requeue_s"]),
        changes_per_object_per_hour=float(params["reconcile_changes_per_hour"]),
        reconcile_seconds=float(params["reconcile_ms"]) / 1000, workers=int(params["reconcile_workers"]),
        failure_rate=float(params["reconcile_failure_pct"]) / 100,
        sync_period_s=float(params["reconcile_sync_period_h"]) * 3600,
    ).check()


STRATEGY_LABELS = {
    "seed": N_("Seed: RequeueAfter 30 s"),
    "chosen": N_("Yours: RequeueAfter {requeue} s"),
    "watch": N_("Watch-driven + SyncPeriod resync"),
}


def strategy_label(key: str, params: Mapping[str, Any], lang: str = "en") -> str:
    """How the table and the charts name a strategy (the model's own `strategy` text stays English)."""
    return _(STRATEGY_LABELS[key], lang).format(
        requeue=PARAMS["reconcile_requeue_s"].show(params["reconcile_requeue_s"]))


def reconcile_rows(params: Mapping[str, Any], lang: str = "en") -> list[dict[str, Any]]:
    """Chart rows, one per (object count, strategy); `strategy` is the shown name, `key` the stable one."""
    inp = reconcile_input(params)
    hi = max(inp.objects * 10, 1000)
    rows = rc.sweep_objects(inp, rc.log_grid(1, min(hi, 1_000_000)))
    labels = {key: strategy_label(key, params, lang) for key in STRATEGY_LABELS}
    return [dict(r, strategy=labels.get(r["key"], r["strategy"])) for r in rows]


def reconcile_summary(params: Mapping[str, Any]) -> dict[str, rc.ReconcileResult]:
    inp = reconcile_input(params)
    out = {"seed": rc.evaluate(replace(inp, requeue_after_s=rc.SEED_REQUEUE_S)),
           "chosen": rc.evaluate(inp), "watch": rc.evaluate(replace(inp, requeue_after_s=None))}
    return out


# The starting values of the reconcile model (models.reconcile.DEFAULTS cites each one's source).
DEFAULT_NAMES = {
    "sync_period_s": N_("SyncPeriod (s)"),
    "jitter": N_("Resync jitter (fraction of SyncPeriod)"),
    "workers": "MaxConcurrentReconciles",
    "backoff_base_s": N_("Per-item backoff: first delay (s)"),
    "backoff_cap_s": N_("Per-item backoff: cap (s)"),
    "bucket_qps": N_("Overall retry token bucket (qps, older releases)"),
}


# Where each starting value comes from, as the reader sees it (models.reconcile.DEFAULTS keeps the full citations).
DEFAULT_SOURCES = {
    "sync_period_s": N_("controller-runtime cache.Options.SyncPeriod: 'Defaults to 10 hours if unset' "
                        "(pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/cache#Options)"),
    "jitter": N_("controller-runtime: each resync period is drawn from [0.9, 1.1) × SyncPeriod (same page)"),
    "workers": N_("controller-runtime controller.Options.MaxConcurrentReconciles: 'Defaults to 1' "
                  "(pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/controller#Options)"),
    "backoff_base_s": N_("client-go workqueue.DefaultControllerRateLimiter: "
                         "NewItemExponentialFailureRateLimiter(5*time.Millisecond, 1000*time.Second) "
                         "(client-go, util/workqueue/default_rate_limiters.go)"),
    "backoff_cap_s": N_("client-go, the same rate limiter: the per-item delay is capped at 1000 s"),
    "bucket_qps": N_("client-go, the same rate limiter: an overall token bucket of 10 qps, burst 100, for retries (older "
                     "releases; newer controller-runtime versions use only the per-item limiter)"),
}


def default_rows(lang: str = "en") -> list[dict[str, Any]]:
    """The model's starting values with where they come from."""
    return [{_("Default", lang): _(DEFAULT_NAMES.get(k, k), lang), _("Value", lang): f"{v:g}",
             _("Source", lang): _(DEFAULT_SOURCES[k], lang) if k in DEFAULT_SOURCES else src}
            for k, (v, src) in rc.DEFAULTS.items()]


def backoff_rows(max_failures: int = 24) -> list[dict[str, Any]]:
    return [{"failures": n, "delay_s": rc.backoff_delay(n), "waited_s": rc.time_to_recover(n + 1)}
            for n in range(max_failures + 1)]


WASM_TABLE = (
    ("WasmEdge", "✅", N_("✅(需手动配置) — yes (manual configuration)"), "✅(via wasi_snapshot_preview1)"),
    ("Wasmer", N_("⚠️(实验版) — experimental"), "❌", "✅"),
    ("Spin", "❌", "❌", N_("✅(仅 HTTP 触发) — HTTP triggers only")),
)


# ---------------------------------------------------------------- summary chapter

# Figure names are English message ids, the same for every profile and language (chapter 5, the ADR and the batch page
# translate them where they show them); units and bands hold only numbers, units and code, so the figures are
# identical in every language (tests/test_i18n.py).
FIGURES = {
    "goroutine_rss": N_("RSS per blocked goroutine"),
    "thread_rss": N_("RSS per blocked Python thread"),
    "seed_fanout_failed": N_("Seed's unbounded http.Get loop: failed requests"),
    "bounded_fanout_failed": N_("Bounded pool (errgroup-style limit): failed requests"),
    "strip_saving": N_("-s -w size saving (linux/amd64)"),
    "gogc_doubling": N_("GC CPU when GOGC doubles 100 → 200"),
    "wasm_startup": N_("wasip1/wasm under Node: start-up vs native"),
    "operator_api": N_("Operator, 30 s RequeueAfter: API requests per hour"),
}


# Kept English in the key figures (results.json is the same in both languages); pages word it (provenance_in).
RECONCILE_PROVENANCE = measure.provenance_template(N_(
    "models.reconcile with the defaults of controller-runtime and client-go; reconcile_* values of this profile"))


def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Headline figures for the summary chapter (chapter 5), each from its cached result or the model."""
    out: list[dict[str, Any]] = []

    def add(found: measure.Lookup, figure: str, value: Any, unit: str, band: str = "") -> None:
        out.append({"chapter": 2, "figure": FIGURES[figure], "value": value, "unit": unit, "kind": "measured",
                    "status": found.status, "provenance": measure.provenance_line(found.result, "en"),
                    **({"band": band} if band else {})})

    found = CHAPTER.results(params)
    g = found["goroutine_memory"]
    if g.ok:
        s = g.result["summary"]
        add(g, "goroutine_rss", round(s["go"]["bytes_per_goroutine_rss"]), "B",
            f"N = {s['go']['max_goroutines_tested']:,}")
        add(g, "thread_rss", round(s["python"]["bytes_per_thread_rss"]), "B",
            f"N = {s['python']['max_threads_tested']:,}")
    f = found["http_fanout"]
    if f.ok and "seed" in f.result["summary"]:
        s = f.result["summary"]
        of = f"/ {s['requests']:,}"
        add(f, "seed_fanout_failed", round(s["seed"]["failed"]), "", of)
        if "bounded" in s:
            add(f, "bounded_fanout_failed", round(s["bounded"]["failed"]), "", of)
    b = found["build_matrix"]
    if b.ok:
        s = b.result["summary"]
        add(b, "strip_saving", round(s["strip_saving_pct"], 1), "%",
            f"wasip1/wasm: {s['wasm']['strip_saving_pct']:.1f} %")
    gc = found["gc_tuning"]
    if gc.ok and gc.result["summary"].get("doubling_gogc"):
        add(gc, "gogc_doubling", round(gc.result["summary"]["doubling_gogc"]["gc_cpu_ratio"], 2), "×")
    w = found["wasm_run"]
    if w.ok and w.result["summary"].get("startup_ratio"):
        add(w, "wasm_startup", round(w.result["summary"]["startup_ratio"], 1), "×")
    res = reconcile_summary(params)
    out.append({"chapter": 2, "figure": FIGURES["operator_api"], "kind": "model",
                "value": round(res["seed"].api_calls_per_hour), "unit": "", "status": "computed",
                "band": f"watch + SyncPeriod: {res['watch'].api_calls_per_hour:,.0f}",
                "provenance": RECONCILE_PROVENANCE})
    return out
