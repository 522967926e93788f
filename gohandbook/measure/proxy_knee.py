"""Chapter 3: a Go reverse proxy's throughput knee, with fresh vs pooled copy buffers.

Setup on this 2-core machine: the health-check upstream and the Go load generator share CPU 1;
two proxies (`go-samples/proxy`, `httputil.ReverseProxy`), one allocating a fresh copy buffer per
request and one with a `sync.Pool`-backed `BufferPool`, run on CPU 0 with GOMAXPROCS=1 (a
single-core data plane, like the MOSN report's single-core runs). For each connection count the
two variants are loaded in turn (the order alternates) with the closed-loop, keep-alive load
generator. Around each run the proxy's /debug/runtime (runtime/metrics) and /proc CPU time are read,
so every point carries allocations per request, GC cycles, GC CPU and the proxy's CPU use.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from contextlib import ExitStack

from .. import paths, proc
from ..models.knee import find_knee, marginal_knee
from ..params import Param, ParamSet, comma_list, int_list
from ..toolchain import build
from . import Context, Measurement, PROGRESS_PASS, register
from .runtimes import run_loadgen
from ..i18n import N_

VARIANTS = ("fresh", "pooled")
MAX_CONNECTIONS = 4096
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

PARAMS = ParamSet("proxy_knee", (
    Param("connections", "str", "1,2,4,8,16,32,64,128,256", f"Comma-separated connection counts (1-{MAX_CONNECTIONS})"),
    Param("variants", "str", "fresh,pooled", "Comma-separated proxy variants: fresh, pooled"),
    Param("seconds", "float", 1.0, "Measured load per point", min=0.2, max=60),
    Param("warmup_seconds", "float", 0.3, "Un-counted warm-up per point", min=0, max=10),
    Param("repeats", "int", 1, "Passes over all connection counts", min=1, max=10),
    Param("buffer_kib", "int", 32, "Copy buffer size in KiB (32 = ReverseProxy's own default)", min=1, max=1024),
    Param("proxy_gomaxprocs", "int", 1, "GOMAXPROCS of the proxies (pinned to CPU 0)", min=1, max=64),
    Param("idle_seconds", "float", 1.0, "How long the proxies sit idle while GC cycles are counted", min=0.2, max=60),
    Param("knee_pct", "float", 95.0, "Knee rule: smallest connection count reaching this % of the plateau throughput",
          min=50, max=100),
))


def sweep(p: dict) -> tuple[list[int], list[str]]:
    """The connection counts (sorted, unique) and proxy variants a run measures, or a ParameterError."""
    return (int_list("connections", p["connections"], lo=1, hi=MAX_CONNECTIONS, max_items=None),
            comma_list("variants", p["variants"], VARIANTS))


def snapshot(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/debug/runtime", timeout=5) as resp:
        return json.loads(resp.read())


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/PID/stat."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def core_times() -> dict[int, tuple[float, float]]:
    """Per CPU: (busy, total) jiffies from /proc/stat (busy = everything but idle and iowait)."""
    out = {}
    for line in open("/proc/stat"):
        if line.startswith("cpu") and line[3].isdigit():
            name, *vals = line.split()
            v = [int(x) for x in vals]
            total = sum(v[:8])
            out[int(name[3:])] = (total - v[3] - v[4], total)
    return out


def core_busy_pct(before: dict, after: dict) -> dict[str, float]:
    """How busy each CPU was between two core_times() readings, whoever used it."""
    out = {}
    for cpu, (b1, t1) in after.items():
        b0, t0 = before.get(cpu, (0, 0))
        out[f"cpu{cpu}_busy_pct"] = 100 * (b1 - b0) / (t1 - t0) if t1 > t0 else None
    return out


def pause_delta(before: list[dict], after: list[dict]) -> dict:
    """GC pauses during a run from two cumulative histograms: count and the largest bucket bound hit."""
    old = {b["upper"]: b["count"] for b in before}
    diff = [(b["upper"], b["count"] - old.get(b["upper"], 0)) for b in after]
    diff = [(u, n) for u, n in diff if n > 0]
    count = sum(n for _, n in diff)
    finite = [u for u, _ in diff if u >= 0]
    return {"count": count, "max_ms_upper": 1000 * max(finite) if finite else None}


def run_point(loadgen, port: int, pid: int, upstream_pid: int, connections: int, p: dict) -> dict:
    s0, c0, u0, k0, t0 = snapshot(port), cpu_seconds(pid), cpu_seconds(upstream_pid), core_times(), time.perf_counter()
    load = run_loadgen(loadgen, f"http://127.0.0.1:{port}/healthz", connections=connections,
                       seconds=p["seconds"], warmup=p["warmup_seconds"])
    s1, c1, u1, k1, t1 = snapshot(port), cpu_seconds(pid), cpu_seconds(upstream_pid), core_times(), time.perf_counter()
    wall = t1 - t0
    m0, m1 = s0["metrics"], s1["metrics"]
    d = {k: m1[k] - m0[k] for k in m1}
    reqs = max(s1["requests"] - s0["requests"], 1)
    pauses = pause_delta(s0["histograms"].get("/sched/pauses/total/gc:seconds", []),
                         s1["histograms"].get("/sched/pauses/total/gc:seconds", []))
    return {
        "connections": connections, "qps": load["qps"], "p50_ms": load["latency_ms"]["p50"],
        "p99_ms": load["latency_ms"]["p99"], "max_ms": load["latency_ms"]["max"], "errors": load["errors"],
        "first_error": load["first_error"], "requests": load["requests"], "proxied": reqs, "wall_s": wall,
        "alloc_bytes_per_req": d["/gc/heap/allocs:bytes"] / reqs,
        "alloc_objects_per_req": d["/gc/heap/allocs:objects"] / reqs,
        "gc_cycles": d["/gc/cycles/total:gc-cycles"],
        "gc_per_s": d["/gc/cycles/total:gc-cycles"] / wall,
        "gc_per_1k_req": 1000 * d["/gc/cycles/total:gc-cycles"] / reqs,
        "gc_cpu_pct": 100 * d["/cpu/classes/gc/total:cpu-seconds"] / wall,
        "proxy_cpu_pct": 100 * (c1 - c0) / wall, "upstream_cpu_pct": 100 * (u1 - u0) / wall,
        "proxy_cpu_s": c1 - c0, "cpu_us_per_req": 1e6 * (c1 - c0) / reqs,
        **core_busy_pct(k0, k1),
        "gc_pauses": pauses["count"], "gc_pause_max_ms_upper": pauses["max_ms_upper"],
        "heap_goal_mib": m1["/gc/heap/goal:bytes"] / 2**20, "memory_mib": m1["/memory/classes/total:bytes"] / 2**20,
    }


def _median(rows: list[dict], key: str) -> float | None:
    import statistics

    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def variant_summary(points: list[dict], knee_pct: float) -> dict:
    """Curves (median per connection count), the knee by the rule, and allocation / GC figures."""
    conns = sorted({r["connections"] for r in points})
    curve = []
    for c in conns:
        at = [r for r in points if r["connections"] == c]
        curve.append({"connections": c, **{k: _median(at, k) for k in (
            "qps", "p50_ms", "p99_ms", "alloc_bytes_per_req", "alloc_objects_per_req", "gc_per_s", "gc_per_1k_req",
            "gc_cpu_pct", "proxy_cpu_pct", "upstream_cpu_pct", "cpu0_busy_pct", "cpu1_busy_pct",
            "gc_pause_max_ms_upper", "memory_mib")},
            "errors": sum(r["errors"] for r in at)})
    knee = find_knee([(r["connections"], r["qps"]) for r in curve], knee_pct)
    at_knee = curve[knee.index]
    beyond = [r for r in curve if r["connections"] >= knee.connections]   # the plateau
    return {
        "curve": curve,
        "knee_connections": knee.connections, "knee_within_range": knee.within_range,
        "knee_qps": knee.qps, "plateau_qps": knee.plateau_qps, "max_qps": max(r["qps"] for r in curve),
        "knee_p99_ms": at_knee["p99_ms"], "knee_proxy_cpu_pct": at_knee["proxy_cpu_pct"],
        "knee_cpu0_busy_pct": at_knee["cpu0_busy_pct"], "knee_cpu1_busy_pct": at_knee["cpu1_busy_pct"],
        "marginal_knee_connections": marginal_knee([(r["connections"], r["qps"]) for r in curve], 5.0),
        "plateau_median_qps": _median(beyond, "qps"),
        "alloc_bytes_per_req": _median(curve, "alloc_bytes_per_req"),
        "alloc_objects_per_req": _median(curve, "alloc_objects_per_req"),
        "gc_per_1k_req": _median(curve, "gc_per_1k_req"),
        "plateau_gc_per_s": _median(beyond, "gc_per_s"), "plateau_gc_cpu_pct": _median(beyond, "gc_cpu_pct"),
        "plateau_proxy_cpu_pct": _median(beyond, "proxy_cpu_pct"),
        "plateau_cpu0_busy_pct": _median(beyond, "cpu0_busy_pct"), "plateau_cpu1_busy_pct": _median(beyond, "cpu1_busy_pct"),
        "max_p99_ms": max(r["p99_ms"] for r in curve), "errors": sum(r["errors"] for r in curve),
        # CPU the proxy itself used per request, over every run: unlike throughput, this does not depend on how
        # much of the core other processes took, so it compares the variants even on a busy machine.
        "cpu_us_per_req": 1e6 * sum(r["proxy_cpu_s"] for r in points) / max(sum(r["proxied"] for r in points), 1),
        "capacity_req_per_cpu_s": sum(r["proxied"] for r in points) / max(sum(r["proxy_cpu_s"] for r in points), 1e-9),
    }


def measure(ctx: Context) -> dict:
    p = ctx.params
    conns, variants = sweep(p)
    ctx.progress(0.0, N_("building the upstream, the proxy and the load generator"))
    upstream_bin = build(paths.samples_dir() / "healthcheck", name="healthcheck")
    proxy_bin = build(paths.samples_dir() / "proxy", name="proxy")
    loadgen = build(paths.samples_dir() / "loadgen", name="loadgen")
    env = dict(os.environ)
    for var in ("GOGC", "GOMEMLIMIT", "GODEBUG"):
        env.pop(var, None)
    up_port = proc.free_port()
    raw: dict = {"points": [], "idle": {}}
    servers = {}
    with ExitStack() as stack:
        upstream = stack.enter_context(proc.Server(
            [*proc.pin_prefix(1), str(upstream_bin), "-addr", f"127.0.0.1:{up_port}"], port=up_port,
            env=env | {"GOMAXPROCS": "1"}, name="upstream"))
        for v in variants:
            port = proc.free_port()
            servers[v] = stack.enter_context(proc.Server(
                [*proc.pin_prefix(0), str(proxy_bin), "-addr", f"127.0.0.1:{port}",
                 "-upstream", f"http://127.0.0.1:{up_port}", "-buffers", v, "-buffer-size", str(p["buffer_kib"] * 1024)],
                port=port, env=env | {"GOMAXPROCS": str(p["proxy_gomaxprocs"])}, name=f"proxy-{v}"))
        ctx.progress(0.02, N_("idle: counting GC cycles"))
        before = {v: (snapshot(s.port), time.perf_counter()) for v, s in servers.items()}
        time.sleep(p["idle_seconds"])
        for v, s in servers.items():
            snap, t0 = before[v]
            after = snapshot(s.port)
            dt = time.perf_counter() - t0
            raw["idle"][v] = {"seconds": dt, "gc_cycles": after["metrics"]["/gc/cycles/total:gc-cycles"]
                              - snap["metrics"]["/gc/cycles/total:gc-cycles"],
                              "uptime_s": after["uptime_s"], "go_version": after["go_version"],
                              "gomaxprocs": after["gomaxprocs"]}
        total = len(conns) * len(variants) * p["repeats"]
        k = 0
        for rep in range(p["repeats"]):
            for i, c in enumerate(conns):
                order = variants if (i + rep) % 2 == 0 else list(reversed(variants))
                for v in order:
                    ctx.progress(0.05 + 0.95 * k / total, PROGRESS_PASS.format(
                        what=v, connections=c, i=rep + 1, n=p["repeats"]))
                    k += 1
                    point = run_point(loadgen, servers[v].port, servers[v].pid, upstream.pid, c, p)
                    raw["points"].append({"variant": v, "repeat": rep, **point})
        upstream_alive = upstream.proc.poll() is None

    summary: dict = {"variants": {}}
    for v in variants:
        summary["variants"][v] = variant_summary([r for r in raw["points"] if r["variant"] == v], p["knee_pct"])
    idle_s = sum(x["seconds"] for x in raw["idle"].values())
    summary["idle_gc_cycles_per_s"] = sum(x["gc_cycles"] for x in raw["idle"].values()) / idle_s
    summary["knee_rule"] = {"threshold_pct": p["knee_pct"], "plateau": "median of the three highest throughputs",
                            "text": f"smallest connection count reaching {p['knee_pct']:g} % of the plateau throughput"}
    if "fresh" in summary["variants"]:
        summary["fresh"] = summary["variants"]["fresh"]
        summary["knee_connections"] = summary["fresh"]["knee_connections"]
    if "pooled" in summary["variants"]:
        summary["pooled"] = summary["variants"]["pooled"]
    if "fresh" in summary and "pooled" in summary:
        f, q = summary["fresh"], summary["pooled"]
        summary["pooled_vs_fresh_qps_ratio"] = q["plateau_median_qps"] / f["plateau_median_qps"]
        summary["pooled_vs_fresh_alloc_bytes_ratio"] = q["alloc_bytes_per_req"] / f["alloc_bytes_per_req"]
        summary["pooled_vs_fresh_alloc_objects_ratio"] = q["alloc_objects_per_req"] / f["alloc_objects_per_req"]
        summary["pooled_vs_fresh_gc_ratio"] = (q["gc_per_1k_req"] / f["gc_per_1k_req"]) if f["gc_per_1k_req"] else None
        summary["pooled_vs_fresh_capacity_ratio"] = q["capacity_req_per_cpu_s"] / f["capacity_req_per_cpu_s"]
    summary["max_connections_tested"] = conns[-1]
    others = [r["cpu0_busy_pct"] - r["proxy_cpu_pct"] for r in raw["points"] if r.get("cpu0_busy_pct") is not None]
    summary["other_load_on_proxy_core_pct"] = sorted(others)[len(others) // 2] if others else None
    pinned = bool(proc.pin_prefix(1))
    summary["setup"] = {
        "proxy_cpu": "CPU 0 (taskset)" if pinned else "not pinned", "proxy_gomaxprocs": p["proxy_gomaxprocs"],
        "upstream_and_loadgen_cpu": "CPU 1 (taskset)" if pinned else "not pinned",
        "buffer_kib": p["buffer_kib"], "upstream_alive_after": upstream_alive,
        "go_version": next(iter(raw["idle"].values()))["go_version"] if raw["idle"] else None,
        "points": len(raw["points"]),
    }
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="proxy_knee", title=N_("Go reverse proxy: throughput knee, fresh vs pooled buffers"), chapter=3,
    sources=("go.mod", "proxy", "healthcheck", "loadgen", "internal"), params=PARAMS,
    presets={
        "quick": {"connections": "1,2,4,8,16,32,64,128,256", "seconds": 0.5, "warmup_seconds": 0.15, "repeats": 3},
        "full": {"connections": "1,2,4,8,16,32,64,128,256,512,1024", "seconds": 4.0, "warmup_seconds": 1.0,
                 "repeats": 3, "idle_seconds": 5.0},
    },
    func=measure, code_version=2,
    description="Drives two builds of go-samples/proxy (fresh and sync.Pool buffers) in front of the health-check "
                "service at increasing connection counts; finds the knee and reads allocations and GC from runtime/metrics.",
))
