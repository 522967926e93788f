"""Chapter 2 glue: parameters, cached measurements → rows for charts and tables, the reconcile
model's inputs, and the source document's tables quoted with what is wrong in them marked.

No I/O but cache reads.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from . import measure
from .chapters import COMMON, Chapter
from .models import reconcile as rc
from .params import Param, ParamSet, size_or

MEASUREMENTS = ("goroutine_memory", "http_fanout", "build_matrix", "gc_tuning", "pool_bench", "mod_tools", "wasm_run")

PARAMS = COMMON.merged(ParamSet("chapter 2", (
    Param("ch2_units_max", "int", 1_000_000, "Largest count of goroutines / threads / tasks shown in the memory chart",
          label="Show counts up to", min=100, max=1_000_000, step=1, scale="log", fmt=",.0f"),
    Param("ch2_units_virtual", "bool", True, "Show Python's reserved (virtual) thread stacks in the memory chart",
          label="Show Python's reserved (virtual) thread stacks"),
    Param("ch2_build_value", "choice", "mb", "What the build chart shows: size (mb) or saving against the default "
          "build (saving_pct)", label="Build chart shows", choices=("mb", "saving_pct")),
    Param("ch2_gc_memlimit", "str", "all",
          "Which GOMEMLIMIT setting the GC charts show: all, off, or a measured value such as 128MiB",
          label="GOMEMLIMIT shown", grammar=size_or("all", "off"),
          grammar_help="all, off, or a GOMEMLIMIT size such as 128MiB (digits with B, KiB, MiB, GiB or TiB)"),
    Param("ch2_gc_metric", "choice", "gc_cpu_seconds", "What the GC trade-off chart puts on its vertical axis",
          label="Vertical axis", choices=("gc_cpu_seconds", "gc_cycles", "pause_p99_ms", "pause_total_ms", "wall_seconds")),
    Param("reconcile_objects", "int", 200, "Custom resources the operator manages", label="Objects",
          min=1, max=1_000_000, step=1, scale="log", fmt=",.0f"),
    Param("reconcile_requeue_s", "float", 30.0, "Your periodic RequeueAfter in seconds (the seed uses 30 s)",
          label="RequeueAfter (s)", min=1, max=86400, step=1, scale="log", fmt=",g"),
    Param("reconcile_changes_per_hour", "float", 0.1, "Spec changes per object per hour (each triggers a watch event)",
          label="Changes / object / hour", min=0, max=3600, step=0.001, scale="log", fmt=",g"),
    Param("reconcile_ms", "float", 100.0, "Time one reconcile takes, including the external call (ms)",
          label="Reconcile time (ms)", min=0.1, max=600000, step=1, scale="log", fmt=",g"),
    Param("reconcile_workers", "int", 1, "MaxConcurrentReconciles (controller-runtime default: 1)",
          label="MaxConcurrentReconciles", min=1, max=1000, step=1, scale="log", fmt=",d"),
    Param("reconcile_failure_pct", "float", 0.0, "Share of reconciles that fail and are retried with backoff (%)",
          label="Failing reconciles (%)", min=0, max=99, step=1),
    Param("reconcile_sync_period_h", "float", 10.0, "SyncPeriod in hours (controller-runtime default: 10 h)",
          label="SyncPeriod (h)", min=0.01, max=240, step=0.5, scale="log", fmt=",g"),
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
                    "provenance": measure.provenance_line(found.result)}
    found = CHAPTER.lookup(params, "goroutine_memory")
    if not found.ok:
        return {"kind": "missing"}
    pred = found.result["summary"]["python"]["thread_limit_predicted"]
    return {"kind": "predicted", "value": pred.get("value"), "basis": pred.get("basis"),
            "candidates": pred.get("candidates", {}), "maps_per_thread": pred.get("maps_per_thread"),
            "machine": found.result["summary"]["machine"]}


FANOUT_METRICS = (
    # key, heading, unit
    ("seconds", "Completion time", "s"),
    ("failed", "Failed or unfinished requests", "requests"),
    ("peak_rss_mib", "Peak RSS of the client", "MiB"),
    ("peak_fds", "Peak open files", "files"),
    ("peak_goroutines", "Peak goroutines", "goroutines"),
)
FANOUT_LABELS = {
    "seed": "seed snippet: go http.Get × N, bodies never closed",
    "unbounded": "unbounded, bodies closed",
    "bounded": "bounded pool (errgroup-style limit), bodies closed",
}


def fanout_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    s = found.result["summary"]
    rows = []
    for mode in s["modes"]:
        m = s[mode]
        kinds = ", ".join(f"{k}: {v:,}" for k, v in m["error_kinds_total"].items()) or "none"
        rows.append({"Mode": FANOUT_LABELS.get(mode, mode), "Requests": f"{s['requests']:,}",
                     "Completed OK": f"{m['ok']:,.0f}", "Errors": f"{m['errors']:,.0f}",
                     "Unfinished at deadline": f"{m['unfinished']:,.0f}", "Error kinds": kinds,
                     "Time (s)": f"{m['seconds']:.1f}", "Peak RSS (MiB)": f"{m['peak_rss_mib']:.0f}",
                     "Peak open files": f"{m['peak_fds']:,.0f} (limit {m['fd_limit']:,})",
                     "Peak goroutines": f"{m['peak_goroutines']:,.0f}", "Runs": m["runs"]})
    return rows


def fanout_long(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    s = found.result["summary"]
    out = []
    for mode in s["modes"]:
        for key, heading, unit in FANOUT_METRICS:
            spread = s[mode]["spread"].get(key, {})
            out.append({"mode": FANOUT_LABELS.get(mode, mode), "key": mode, "metric": f"{heading} ({unit})",
                        "median": s[mode][key], "min": spread.get("min"), "max": spread.get("max")})
    return out


CONCURRENCY_TABLE = (
    # model, fault isolation, resource isolation, mesh integration — each (seed text, assessment, verdict)
    ("OS threads (OS 线程)",
     ("进程级 — process-level", "Right: a crashing thread takes the process down.", "holds"),
     ("弱(共享内存) — weak (shared memory)", "Right: threads share the address space.", "holds"),
     ("需额外 sidecar 注入 — needs extra sidecar injection",
      "Misleading: a mesh injects the sidecar per pod, whatever the concurrency model; all three rows get the same sidecar.",
      "does not hold")),
    ("Actor (Akka)",
     ("Actor 实例级 — per actor instance", "Broadly right: supervision restarts a failed actor without the JVM.", "holds"),
     ("中(信箱隔离) — medium (mailbox isolation)", "Plausible: state is private to an actor, but the heap is shared.",
      "partly holds"),
     ("需手动实现 tracing 上报 — tracing must be hand-written",
      "Overstated: OpenTelemetry's Java agent instruments Akka, and context still has to cross actor messages explicitly "
      "— the same work goroutines need.", "partly holds")),
    ("Goroutine",
     ("协程级 — per goroutine",
      "Wrong: an unrecovered panic in any goroutine ends the whole program (Go spec, 'Handling panics'); isolation "
      "is process-level, as for threads.", "does not hold"),
     ("强(栈隔离+调度器感知) — strong (separate stacks, scheduler-aware)",
      "Wrong as isolation: goroutines share one heap and address space, with no per-goroutine memory or CPU limit; "
      "separate stacks are an implementation detail.", "does not hold"),
     ("原生支持 OpenTelemetry 上下文透传 — native OpenTelemetry context propagation",
      "Wrong: Go has no built-in OpenTelemetry. Trace context travels in an explicit context.Context, with the "
      "OpenTelemetry SDK and instrumentation (e.g. otelhttp); a goroutine started without ctx loses the trace.",
      "does not hold")),
)


def concurrency_table_rows() -> list[dict[str, Any]]:
    rows = []
    for model, *cells in CONCURRENCY_TABLE:
        for dim, (seed, note, verdict) in zip(("Fault isolation", "Resource isolation", "Service-mesh integration"), cells):
            rows.append({"Model": model, "Dimension": dim, "Seed says": seed, "Assessment": note, "Verdict": verdict})
    return rows


# ---------------------------------------------------------------- 2.2 builds

def build_rows(found: measure.Lookup) -> list[dict[str, Any]]:
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
                     "interpreter": r["interpreter"] or "none",
                     "needed": ", ".join(n.rsplit("/", 1)[-1] for n in r["needed"]) or "none",
                     "dynamic": r["dynamic"],
                     "saving_pct": 100 * (1 - r["bytes"] / base) if base else None})
    return rows


HYBRID_TABLE = (
    ("Public cloud (AWS EC2)", "Amazon Linux 2", "128", "0"),
    ("Private cloud (OpenStack)", "CentOS 7.9", "142", "0"),
    ("Edge node (ARM64)", "Debian 12 (arm64)", "167", "0"),
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


def gc_table_rows(found: measure.Lookup, memlimit: str = "all") -> list[dict[str, Any]]:
    return [{"Setting": p["setting"], "GC cycles": f"{p['gc_cycles']:.0f}", "GC CPU (s)": f"{p['gc_cpu_seconds']:.2f}",
             "GC share of CPU (%)": f"{p['gc_cpu_pct']:.0f}", "Pauses": f"{p['pause_count']:.0f}",
             "Pause p50 / p99 / max (ms)": f"{p['pause_p50_ms']:.3f} / {p['pause_p99_ms']:.3f} / {p['pause_max_ms']:.3f}",
             "Peak RSS (MiB)": f"{p['peak_rss_mib']:.0f}", "Wall (s)": f"{p['wall_seconds']:.2f}"}
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
    ("G1 (default)", "200", "2MB", "187ms", "medium (weak references not cleared in time)"),
    ("G1 (tuned)", "50", "1MB", "42ms", "low (with -XX:+DisableExplicitGC)"),
)


def bench_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    for name, b in found.result["summary"]["benchmarks"].items():
        def cell(s, digits):
            ci = s.get("ci95")
            ci_text = f" (95 % CI {ci[0]:.{digits}f}–{ci[1]:.{digits}f})" if ci else ""
            return f"{s['median']:.{digits}f}{ci_text}, range {s['min']:.{digits}f}–{s['max']:.{digits}f}"
        rows.append({"Benchmark": name, "ns/op": cell(b["ns_op"], 0), "B/op": cell(b["bytes_op"], 0),
                     "allocs/op": cell(b["allocs_op"], 0), "Runs": b["ns_op"]["n"]})
    return rows


def bench_long(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    return [{"benchmark": name, "run": i + 1, "ns_op": v}
            for name, b in found.result["summary"]["benchmarks"].items() for i, v in enumerate(b["ns_op"]["values"])]


# ---------------------------------------------------------------- 2.4 toolchain

EBPF_TABLE = (
    ("Loading (加载机制)", "bpf.NewProgram()", "libbpf CO-RE compatible"),
    ("Data export (数据导出)", "perf event ring buffer", "eBPF Map + userspace ring"),
    ("Sampling (采样控制)", "fixed frequency", "dynamic rate (by CPU load)"),
)


def sbom_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    return [{"Binary": r["binary"], "Module": r["module"], "Version": r["version"], "h1 checksum (go version -m)": r["h1"],
             "Same as go.sum": {True: "yes", False: "NO", None: "not in go.sum"}[r["matches_go_sum"]]}
            for r in found.result["summary"]["sbom"]]


def module_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    for which in ("samples", "tools"):
        for m in found.result["summary"][which]["modules"]:
            rows.append({"Module (go.mod)": which, "Path": m["module"], "Version": m["version"] or "(main)",
                         "Go": m["go"], "In local cache": "yes" if m["cached"] or m["main"] else "no",
                         "Offline": m["error"] or "ok"})
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


def reconcile_rows(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    inp = reconcile_input(params)
    hi = max(inp.objects * 10, 1000)
    return rc.sweep_objects(inp, rc.log_grid(1, min(hi, 1_000_000)))


def reconcile_summary(params: Mapping[str, Any]) -> dict[str, rc.ReconcileResult]:
    inp = reconcile_input(params)
    out = {"seed": rc.evaluate(replace(inp, requeue_after_s=rc.SEED_REQUEUE_S)),
           "chosen": rc.evaluate(inp), "watch": rc.evaluate(replace(inp, requeue_after_s=None))}
    return out


def backoff_rows(max_failures: int = 24) -> list[dict[str, Any]]:
    return [{"failures": n, "delay_s": rc.backoff_delay(n), "waited_s": rc.time_to_recover(n + 1)}
            for n in range(max_failures + 1)]


WASM_TABLE = (
    ("WasmEdge", "✅", "✅(需手动配置) — yes (manual configuration)", "✅(via wasi_snapshot_preview1)"),
    ("Wasmer", "⚠️(实验版) — experimental", "❌", "✅"),
    ("Spin", "❌", "❌", "✅(仅 HTTP 触发) — HTTP triggers only"),
)


def duration_text(seconds: float) -> str:
    if seconds == float("inf"):
        return "unbounded (queue saturated)"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


# ---------------------------------------------------------------- summary chapter

def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Headline figures for the summary chapter (chapter 5), each from its cached result or the model."""
    out: list[dict[str, Any]] = []

    def add(found: measure.Lookup, figure: str, value: Any, unit: str, band: str = "") -> None:
        out.append({"chapter": 2, "figure": figure, "value": value, "unit": unit, "kind": "measured",
                    "status": found.status, "provenance": measure.provenance_line(found.result),
                    **({"band": band} if band else {})})

    found = CHAPTER.results(params)
    g = found["goroutine_memory"]
    if g.ok:
        s = g.result["summary"]
        add(g, "RSS per blocked goroutine", round(s["go"]["bytes_per_goroutine_rss"]), "bytes",
            f"at {s['go']['max_goroutines_tested']:,} goroutines")
        add(g, "RSS per blocked Python thread", round(s["python"]["bytes_per_thread_rss"]), "bytes")
    f = found["http_fanout"]
    if f.ok and "seed" in f.result["summary"]:
        s = f.result["summary"]
        add(f, f"Seed's unbounded http.Get loop: failed of {s['requests']:,}", round(s["seed"]["failed"]), "requests",
            f"bounded pool: {s['bounded']['failed']:,.0f}" if "bounded" in s else "")
    b = found["build_matrix"]
    if b.ok:
        s = b.result["summary"]
        add(b, "-s -w size saving (linux/amd64)", round(s["strip_saving_pct"], 1), "%",
            f"wasip1/wasm: {s['wasm']['strip_saving_pct']:.1f} %")
    gc = found["gc_tuning"]
    if gc.ok and gc.result["summary"].get("doubling_gogc"):
        add(gc, "GC CPU when GOGC doubles 100 → 200", round(gc.result["summary"]["doubling_gogc"]["gc_cpu_ratio"], 2), "×")
    w = found["wasm_run"]
    if w.ok and w.result["summary"].get("startup_ratio"):
        add(w, "wasip1/wasm under Node: start-up vs native", round(w.result["summary"]["startup_ratio"], 1), "×")
    res = reconcile_summary(params)
    out.append({"chapter": 2, "figure": "Operator, 30 s RequeueAfter: API requests per hour", "kind": "model",
                "value": round(res["seed"].api_calls_per_hour), "unit": "requests/h", "status": "computed",
                "band": f"watch-driven: {res['watch'].api_calls_per_hour:,.0f}",
                "provenance": "reconcile model with controller-runtime / client-go defaults, parameters from this profile"})
    return out
