"""Chapter 4: chaos faults injected into a running Go service under load.

`go-samples/faultyhealth` is chapter 1's health-check service with an admin API that switches
faults while it runs. For each fault the load generator runs three back-to-back windows on the
same server: before (healthy), during (fault on) and after (fault cleared). The faults stand in
for LitmusChaos experiments:

- latency    ~ pod-network-latency / pod-http-latency: every request is delayed
- error_rate ~ pod-http-status-code: a share of responses become 500
- cpu_hog    ~ pod-cpu-hog: goroutines burn CPU inside the service's own CPU budget
- kill       ~ pod-delete / container-kill: the process exits at once (like SIGKILL); a
               supervisor (this harness, standing in for the kubelet) starts a new one on the
               same port after `restart_delay_s`

The service is pinned to CPU 0 with GOMAXPROCS=1 and the load generator to CPU 1, as in
chapter 1. "Recovered" means the after-window has no errors, at least `recover_qps_pct` % of
the before-window's throughput, and a p99 no worse than max(3 x before, before + 2 ms).
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time

from .. import paths, proc
from ..params import Param, ParamSet, comma_list
from ..toolchain import build
from . import Context, Measurement, PROGRESS_AFTER, PROGRESS_BEFORE, PROGRESS_DURING, register
from .runtimes import run_loadgen
from ..i18n import N_

FAULTS = ("latency", "error_rate", "cpu_hog", "kill")

LITMUS = {
    "latency": {"experiment": "pod-network-latency", "also": "pod-http-latency",
                "tunables": "NETWORK_LATENCY (ms, default 2000), JITTER (ms, default 0), TOTAL_CHAOS_DURATION (s, default 60), "
                            "DESTINATION_IPS / DESTINATION_HOSTS, PODS_AFFECTED_PERC",
                "url": "https://litmuschaos.github.io/litmus/experiments/categories/pods/pod-network-latency/"},
    "error_rate": {"experiment": "pod-http-status-code", "also": "",
                   "tunables": "STATUS_CODE, MODIFY_RESPONSE_BODY, TOXICITY (% of requests affected, default 100), "
                               "TARGET_SERVICE_PORT, TOTAL_CHAOS_DURATION (s, default 60)",
                   "url": "https://litmuschaos.github.io/litmus/experiments/categories/pods/pod-http-status-code/"},
    "cpu_hog": {"experiment": "pod-cpu-hog", "also": "",
                "tunables": "CPU_CORES (default 1), CPU_LOAD (%, default 100), TOTAL_CHAOS_DURATION (s, default 60)",
                "url": "https://litmuschaos.github.io/litmus/experiments/categories/pods/pod-cpu-hog/"},
    "kill": {"experiment": "pod-delete", "also": "container-kill",
             "tunables": "TOTAL_CHAOS_DURATION (s, default 15), CHAOS_INTERVAL (s, default 5), FORCE (default true), "
                         "PODS_AFFECTED_PERC, SEQUENCE",
             "url": "https://litmuschaos.github.io/litmus/experiments/categories/pods/pod-delete/"},
}

PARAMS = ParamSet("chaos_faults", (
    Param("faults", "str", ",".join(FAULTS), "Comma-separated faults: " + ", ".join(FAULTS)),
    Param("phase_seconds", "float", 1.0, "Load duration of each before/during/after window", min=0.5, max=300),
    Param("warmup_seconds", "float", 0.2, "Load warm-up before each window, not counted", min=0, max=30),
    Param("connections", "int", 16, "Load generator connections", min=1, max=512),
    Param("latency_ms", "float", 100.0, "Added latency (Litmus pod-network-latency defaults to 2000 ms)",
          min=0, max=1500),
    Param("error_pct", "float", 20.0, "Share of requests answered 500 (Litmus TOXICITY)", min=0, max=100),
    Param("cpu_hogs", "int", 1, "Goroutines burning CPU (Litmus CPU_CORES)", min=1, max=16),
    Param("cpu_load", "float", 100.0, "Busy percentage of each hog (Litmus CPU_LOAD)", min=1, max=100),
    Param("kill_after_s", "float", 0.3, "Kill the process this long into the during-window", min=0.05, max=60),
    Param("restart_delay_s", "float", 0.5, "Time until the supervisor starts a new process", min=0, max=60),
    Param("recover_qps_pct", "float", 60.0, "After-window throughput needed to count as recovered, % of before",
          min=1, max=100),
))


def admin(port: int, method: str, path: str, timeout: float = 5.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


def window(load: dict) -> dict:
    total = load["requests"] + load["errors"]
    return {"qps": load["qps"], "p50_ms": load["latency_ms"]["p50"], "p99_ms": load["latency_ms"]["p99"],
            "requests": load["requests"], "errors": load["errors"], "io_errors": load["io_errors"],
            "status_errors": load["status_errors"], "error_pct": 100 * load["errors"] / total if total else 0.0,
            "duration_s": load["duration_s"], "first_error": load["first_error"]}


def recovered(before: dict, after: dict, qps_pct: float) -> bool:
    return (after["errors"] == 0 and after["qps"] >= before["qps"] * qps_pct / 100
            and after["p99_ms"] <= max(3 * before["p99_ms"], before["p99_ms"] + 2.0))


class Supervisor:
    """Keeps one faultyhealth process on a fixed port; `restart()` replaces a dead one."""

    def __init__(self, binary, port: int):
        self.binary, self.port = binary, port
        self.server: proc.Server | None = None
        self.restarts: list[dict] = []

    def start(self) -> float:
        self.server = proc.Server([*proc.pin_prefix(0), str(self.binary), "-addr", f"127.0.0.1:{self.port}"],
                                  port=self.port, env=os.environ | {"GOMAXPROCS": "1"}, ready_path="/admin/ready",
                                  name="faultyhealth", start_timeout=30)
        self.server.__enter__()
        return self.server.ready_seconds

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/healthz"


def run_phase(ctx: Context, loadgen, sup: Supervisor, seconds: float) -> dict:
    p = ctx.params
    return window(run_loadgen(loadgen, sup.url, connections=p["connections"], seconds=seconds,
                              warmup=p["warmup_seconds"]))


def kill_during(ctx: Context, loadgen, sup: Supervisor) -> tuple[dict, dict]:
    """The during-window of the kill fault: the load runs in a thread while the process dies and restarts."""
    p = ctx.params
    box: dict = {}

    def load() -> None:
        try:
            box["load"] = run_loadgen(loadgen, sup.url, connections=p["connections"], seconds=p["phase_seconds"],
                                      warmup=p["warmup_seconds"])
        except BaseException as exc:  # reported below
            box["error"] = exc

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    time.sleep(p["warmup_seconds"] + p["kill_after_s"])
    t_kill = time.perf_counter()
    try:
        admin(sup.port, "POST", "/admin/kill", timeout=2)
    except OSError:
        pass
    assert sup.server is not None
    exit_code = None
    try:
        exit_code = sup.server.proc.wait(timeout=5)
    except Exception:
        pass
    sup.stop()
    t_dead = time.perf_counter()
    time.sleep(max(0.0, p["restart_delay_s"] - (t_dead - t_kill)))
    ready = sup.start()
    t_ready = time.perf_counter()
    thread.join(timeout=p["phase_seconds"] + p["warmup_seconds"] + 120)
    if "error" in box:
        raise box["error"]
    detail = {"exit_code": exit_code, "downtime_ms": (t_ready - t_kill) * 1000, "new_process_ready_ms": ready * 1000,
              "kill_at_s": p["warmup_seconds"] + p["kill_after_s"]}
    return window(box["load"]), detail


def measure(ctx: Context) -> dict:
    p = ctx.params
    wanted = comma_list("faults", p["faults"], FAULTS)
    ctx.progress(0.0, N_("building faultyhealth and the load generator"))
    loadgen = build(paths.samples_dir() / "loadgen", name="loadgen")
    binary = build(paths.samples_dir() / "faultyhealth", name="faultyhealth")
    settings = {
        "latency": f"latency_ms={p['latency_ms']:g}",
        "error_rate": f"error_pct={p['error_pct']:g}&status=500",
        "cpu_hog": f"cpu_hogs={p['cpu_hogs']}&cpu_load={p['cpu_load']:g}",
    }
    summary: dict = {"faults": wanted, "setup": {
        "server_cpu": "CPU 0 (taskset), GOMAXPROCS=1" if proc.pin_prefix(1) else "not pinned, GOMAXPROCS=1",
        "loadgen_cpu": "CPU 1 (taskset)" if proc.pin_prefix(1) else "not pinned",
        "connections": p["connections"], "phase_seconds": p["phase_seconds"],
        "recovered_rule": f"after-window: no errors, QPS >= {p['recover_qps_pct']:g} % of before, "
                          "p99 <= max(3 x before, before + 2 ms)"}}
    raw: dict = {}
    sup = Supervisor(binary, proc.free_port())
    try:
        sup.start()
        for i, fault in enumerate(wanted):
            ctx.progress(0.05 + 0.9 * i / len(wanted), PROGRESS_BEFORE.format(what=fault))
            before = run_phase(ctx, loadgen, sup, p["phase_seconds"])
            detail: dict = {}
            ctx.progress(0.05 + 0.9 * (i + 1 / 3) / len(wanted), PROGRESS_DURING.format(what=fault))
            if fault == "kill":
                during, detail = kill_during(ctx, loadgen, sup)
            else:
                status, body = admin(sup.port, "POST", "/admin/faults?" + settings[fault])
                if status != 200:
                    raise proc.ProcessError(f"faultyhealth refused {settings[fault]}: {status} {body}")
                detail = {"admin": settings[fault], "faults": json.loads(body)}
                during = run_phase(ctx, loadgen, sup, p["phase_seconds"])
                admin(sup.port, "DELETE", "/admin/faults")
            ctx.progress(0.05 + 0.9 * (i + 2 / 3) / len(wanted), PROGRESS_AFTER.format(what=fault))
            after = run_phase(ctx, loadgen, sup, p["phase_seconds"])
            summary[fault] = {"litmus": LITMUS[fault]["experiment"], "before": before, "during": during,
                              "after": after, "detail": detail,
                              "recovered": recovered(before, after, p["recover_qps_pct"]),
                              "during_vs_before_qps_pct": 100 * during["qps"] / before["qps"] if before["qps"] else None}
            if fault == "latency":
                # closed loop: each connection waits for its answer, so QPS <= connections / latency
                summary[fault]["qps_bound_little"] = p["connections"] / (p["latency_ms"] / 1000) if p["latency_ms"] else None
    finally:
        sup.stop()
    summary["all_recovered"] = all(summary[f]["recovered"] for f in wanted)
    summary["litmus"] = {f: LITMUS[f] for f in wanted}
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="chaos_faults", title=N_("Chaos faults on a Go service under load"), chapter=4,
    sources=("go.mod", "faultyhealth", "loadgen", "internal/health", "internal/loadgen", "internal/hist",
             "internal/serve"),
    params=PARAMS,
    presets={"quick": {"phase_seconds": 1.0, "warmup_seconds": 0.2},
             "full": {"phase_seconds": 8.0, "warmup_seconds": 1.0, "restart_delay_s": 2.0}},
    func=measure,
    description="Latency, error-rate, CPU-hog and kill faults switched on a running service; QPS, p99 and errors "
                "before, during and after each.",
))
