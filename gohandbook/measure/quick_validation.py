"""Chapter 1's quick validation: the same health-check service in Go, Python, Node and Java.

Per runtime and repeat: a fresh process pinned to CPU 0; time from spawn to the first 200
on /healthz; RSS (VmRSS from /proc) at that moment, after a fixed number of sequential
requests, and its peak under load from the Go load generator pinned to CPU 1. Server and
load generator share this machine; the pinning keeps them off each other's core.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
from pathlib import Path

from .. import paths, proc
from ..params import Param, ParamSet, comma_list
from ..toolchain import build
from . import Context, Measurement, register
from .runtimes import RUNTIMES, NotAvailable

PARAMS = ParamSet("quick_validation", (
    Param("runtimes", "str", ",".join(RUNTIMES), "Comma-separated runtimes to measure: " + ", ".join(RUNTIMES)),
    Param("repeats", "int", 3, "Fresh process starts per runtime", min=1, max=20),
    Param("sequential_requests", "int", 1000, "Requests on one connection before the second RSS reading", min=1, max=100000),
    Param("connections", "int", 16, "Load generator connections", min=1, max=512),
    Param("load_seconds", "float", 2.0, "Load duration per repeat, after warm-up", min=0.5, max=120),
    Param("warmup_seconds", "float", 0.5, "Load warm-up not counted", min=0, max=30),
))


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process, in KiB, from /proc/PID/status."""
    rss = hwm = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    return rss, hwm


class RssSampler(threading.Thread):
    """Polls a process's RSS every `interval` seconds; `peak_kib` is the largest seen."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.peak_kib = max(self.peak_kib, rss_kib(self.pid)[0])
            except (OSError, ValueError):
                return
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join(timeout=2)
        return self.peak_kib


def run_loadgen(loadgen: Path, url: str, *, connections: int, seconds: float | None = None,
                requests: int | None = None, warmup: float = 0.0) -> dict:
    args = [*proc.pin_prefix(1), str(loadgen), "-url", url, "-c", str(connections), "-warmup", f"{warmup}s"]
    if requests:
        args += ["-n", str(requests)]
    else:
        args += ["-d", f"{seconds}s"]
    budget = (seconds or 0) + warmup + 60
    done = proc.run(args, timeout=budget, check=True, what="loadgen")
    return json.loads(done.stdout)


def stats(values: list[float]) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None, "n": 0, "values": []}
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values), "values": values}


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
        ctx.progress(base + step * i / p["repeats"], f"{runtime.label}: run {i + 1}/{p['repeats']}")
        port = proc.free_port()
        env = os.environ | prepared.env
        with proc.Server([*proc.pin_prefix(0), *prepared.command(port)], port=port, env=env,
                         cwd=prepared.cwd, name=key, start_timeout=60) as server:
            first_kib, _ = rss_kib(server.pid)
            seq = run_loadgen(loadgen, server.url, connections=1, requests=p["sequential_requests"])
            after_kib, _ = rss_kib(server.pid)
            sampler = RssSampler(server.pid)
            sampler.start()
            try:
                load = run_loadgen(loadgen, server.url, connections=p["connections"],
                                   seconds=p["load_seconds"], warmup=p["warmup_seconds"])
            finally:
                peak_kib = sampler.stop()
            _, hwm_kib = rss_kib(server.pid)
        runs.append({
            "startup_ms": server.ready_seconds * 1000, "rss_first_mib": first_kib / 1024,
            "rss_after_requests_mib": after_kib / 1024, "rss_load_mib": peak_kib / 1024,
            "vmhwm_mib": hwm_kib / 1024, "qps": load["qps"], "p50_ms": load["latency_ms"]["p50"],
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
    ctx.progress(0.0, "building the load generator")
    loadgen = build(paths.samples_dir() / "loadgen", name="loadgen")
    summary, raw = {"runtimes": {}}, {}
    step = 1.0 / max(len(wanted), 1)
    for i, key in enumerate(wanted):
        try:
            result = measure_runtime(key, ctx, loadgen, step, i * step)
        except proc.ProcessError as exc:
            summary["runtimes"][key] = {"available": True, "label": RUNTIMES[key].label, "error": str(exc)}
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
    name="quick_validation", title="Health-check service in Go, Python, Node and Java", chapter=1,
    sources=("go.mod", "healthcheck", "loadgen", "internal", "peers"), params=PARAMS,
    presets={
        "quick": {"repeats": 3, "connections": 16, "load_seconds": 2.0, "warmup_seconds": 0.5},
        "full": {"repeats": 7, "connections": 32, "load_seconds": 8.0, "warmup_seconds": 2.0},
    },
    func=measure,
))
