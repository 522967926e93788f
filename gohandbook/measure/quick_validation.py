"""Chapter 1's quick validation: the same health-check service in Go, Python, Node and Java.

Per runtime and repeat: a fresh process pinned to CPU 0; time from spawn to the first 2xx
on /healthz; RSS of its whole process tree (VmRSS from /proc, summed) at that moment, after a
fixed number of sequential requests, and its peak under load from the Go load generator pinned
to CPU 1. Server and load generator share this machine; the pinning keeps them off each other's
core. The harness is `runtimes`' and is the same one `gohandbook validate` uses for a team's
own services (`team_services`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import paths, proc
from ..params import Param, ParamSet, comma_list
from ..toolchain import build
from . import Context, Measurement, PROGRESS_RUN, register
from ._runs import stats
from .runtimes import (RUNTIMES, NotAvailable, ServiceFailed, ServiceProcess, TreeRssSampler, rss_kib,
                       run_loadgen, tree_rss_kib)
from ..i18n import N_

PARAMS = ParamSet("quick_validation", (
    Param("runtimes", "str", ",".join(RUNTIMES), "Comma-separated runtimes to measure: " + ", ".join(RUNTIMES)),
    Param("repeats", "int", 3, "Fresh process starts per runtime", min=1, max=20),
    Param("sequential_requests", "int", 1000, "Requests on one connection before the second RSS reading", min=1, max=100000),
    Param("connections", "int", 16, "Load generator connections", min=1, max=512),
    Param("load_seconds", "float", 2.0, "Load duration per repeat, after warm-up", min=0.5, max=120),
    Param("warmup_seconds", "float", 0.5, "Load warm-up not counted", min=0, max=30),
))


def measure_runtime(key: str, ctx: Context, loadgen: Path, step: float, base: float) -> tuple[dict, list, dict]:
    """(summary, raw runs, artifact files) for one runtime; runs is empty when it is not available."""
    p = ctx.params
    runtime = RUNTIMES[key]
    try:
        prepared = runtime.prepare()
    except NotAvailable as exc:
        return {"available": False, "label": runtime.label, "reason": str(exc)}, [], {}
    runs = []
    for i in range(p["repeats"]):
        ctx.progress(base + step * i / p["repeats"], PROGRESS_RUN.format(what=runtime.label, i=i + 1, n=p["repeats"]))
        port = proc.free_port()
        env = os.environ | prepared.env
        with ServiceProcess([*proc.pin_prefix(0), *prepared.command(port)], port=port, env=env,
                            cwd=prepared.cwd, name=key, start_timeout=60) as server:
            first_kib, procs = tree_rss_kib(server.pid)
            seq = run_loadgen(loadgen, server.url, connections=1, requests=p["sequential_requests"])
            after_kib, _ = tree_rss_kib(server.pid)
            sampler = TreeRssSampler(server.pid)
            sampler.start()
            try:
                load = run_loadgen(loadgen, server.url, connections=p["connections"],
                                   seconds=p["load_seconds"], warmup=p["warmup_seconds"])
            finally:
                peak_kib = max(sampler.stop(), after_kib)
            _, hwm_kib = rss_kib(server.pid)
        runs.append({
            "startup_ms": server.ready_seconds * 1000, "rss_first_mib": first_kib / 1024,
            "rss_after_requests_mib": after_kib / 1024, "rss_load_mib": peak_kib / 1024,
            "vmhwm_mib": hwm_kib / 1024, "processes": procs, "qps": load["qps"], "p50_ms": load["latency_ms"]["p50"],
            "p99_ms": load["latency_ms"]["p99"], "errors": load["errors"] + seq["errors"],
            "sequential": seq, "load": load,
        })
    metrics = ("startup_ms", "rss_first_mib", "rss_after_requests_mib", "rss_load_mib", "qps", "p50_ms", "p99_ms")
    out = {"available": True, "label": runtime.label, "version": prepared.version,
           **{m: stats([r[m] for r in runs]) for m in metrics},
           "errors": sum(r["errors"] for r in runs),
           "artifact_mib": prepared.artifact["total_bytes"] / 2**20,
           "artifact": {k: v for k, v in prepared.artifact.items() if not k.endswith("_files")},
           "command": prepared.command(0)}
    return out, runs, prepared.artifact


def measure(ctx: Context) -> dict:
    p = ctx.params
    wanted = comma_list("runtimes", p["runtimes"], RUNTIMES)
    ctx.progress(0.0, N_("building the load generator"))
    loadgen = build(paths.samples_dir() / "loadgen", name="loadgen")
    summary, raw = {"runtimes": {}}, {}
    step = 1.0 / max(len(wanted), 1)
    for i, key in enumerate(wanted):
        try:
            result = measure_runtime(key, ctx, loadgen, step, i * step)
        except (proc.ProcessError, ServiceFailed) as exc:
            tail = getattr(exc, "output", "")
            summary["runtimes"][key] = {"available": True, "label": RUNTIMES[key].label,
                                        "error": str(exc) + (("\n" + tail) if tail else "")}
            continue
        out, runs, artifact = result
        summary["runtimes"][key] = out
        if runs:
            raw[key] = {"runs": runs, "artifact": artifact}
    pinned = bool(proc.pin_prefix(1))
    summary["setup"] = {
        "server_cpu": "CPU 0 (taskset)" if pinned else "not pinned (one CPU or no taskset)",
        "loadgen_cpu": "CPU 1 (taskset)" if pinned else "not pinned",
        "go_gomaxprocs": 1, "same_machine": True,
        "note": "load generator and server share this machine; timings are only comparable within one run",
    }
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="quick_validation", title=N_("Health-check service in Go, Python, Node and Java"), chapter=1,
    sources=("go.mod", "healthcheck", "loadgen", "internal", "peers"), params=PARAMS,
    presets={
        "quick": {"repeats": 3, "connections": 16, "load_seconds": 2.0, "warmup_seconds": 0.5},
        "full": {"repeats": 7, "connections": 32, "load_seconds": 8.0, "warmup_seconds": 2.0},
    },
    func=measure,
    code_version=2,  # 2: RSS of the whole process tree; ready on any 2xx
))
