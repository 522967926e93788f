"""Chapter 4: a progressive rollout through a real Go router, measured under load.

Two faultyhealth backends (stable: healthy; canary: answers a configurable share of requests
with 500) sit behind `go-samples/canary`, a router that splits traffic by weight and steps the
weight through a plan with Flagger's semantics: every interval it checks the canary's success
rate over that interval; a pass advances (after the last step: promotion), a failure holds the
weight and counts towards the threshold, at which it rolls back to weight 0.

Per scenario the load generator drives the router (closed loop, keep-alive) from the arming of
the plan until shortly after the router decided; the router reports every check and the
requests and 5xx answers per backend. The chapter puts the canary model's prediction, computed
for the measured request rate, beside these counts.

Before the scenarios, header routing is checked: `x-canary: v2` must always reach the canary and
`x-canary: v1` the stable backend.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time

from .. import paths, proc
from ..params import Param, ParamSet, comma_list
from ..toolchain import build
from . import Context, Measurement, PROGRESS_RUN, register
from ..i18n import N_

PLANS = {
    "seed": (5.0, 50.0, 100.0),
    "flagger10": tuple(float(w) for w in range(10, 101, 10)),
}
SCENARIOS = {
    # key: (label, plan, canary error %)
    "seed_bad": ("Seed plan 5 → 50 → 100 %, canary fails 5 %", "seed", 5.0),
    "flagger_bad": ("Flagger-style 10 % steps, canary fails 5 %", "flagger10", 5.0),
    "seed_good": ("Seed plan 5 → 50 → 100 %, healthy canary", "seed", 0.0),
    "flagger_marginal": ("Flagger-style 10 % steps, canary fails 1.5 %", "flagger10", 1.5),
}

PARAMS = ParamSet("canary_router", (
    Param("scenarios", "str", ",".join(SCENARIOS), "Comma-separated scenarios: " + ", ".join(SCENARIOS)),
    Param("interval_s", "float", 1.0, "Analysis interval (Flagger's default is 60 s; scaled down here)",
          min=0.1, max=120),
    Param("threshold", "int", 1, "Failed checks before rollback (Flagger's default 1)", min=1, max=10),
    Param("min_success_pct", "float", 99.0, "Minimum canary success rate per interval (Flagger's built-in check)",
          min=50, max=100),
    Param("repeats", "int", 1, "Runs per scenario", min=1, max=20),
    Param("connections", "int", 16, "Load generator connections", min=1, max=256),
    Param("after_decision_s", "float", 0.5, "Keep the load on this long after the router decided", min=0, max=60),
))


def http_call(port: int, method: str, path: str, headers: dict | None = None, timeout: float = 5.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read().decode(errors="replace")
        return resp.status, dict(resp.getheaders()), body
    finally:
        conn.close()


def header_routing(port: int, n: int = 20) -> dict:
    seen = {"v2": [], "v1": []}
    for _ in range(n):
        for value in seen:
            _, headers, _ = http_call(port, "GET", "/healthz", {"x-canary": value})
            seen[value].append(headers.get("X-Served-By", ""))
    ok = all(s == "canary" for s in seen["v2"]) and all(s == "stable" for s in seen["v1"])
    return {"ok": ok, "requests": 2 * n, "v2_to_canary": seen["v2"].count("canary"),
            "v1_to_stable": seen["v1"].count("stable")}


def drive(ctx: Context, loadgen, router_port: int, budget_s: float) -> tuple[dict, dict]:
    """Run the load until the router decides (or the budget ends); return (loadgen result, router status)."""
    p = ctx.params
    cmd = [*proc.pin_prefix(1), str(loadgen), "-url", f"http://127.0.0.1:{router_port}/healthz",
           "-c", str(p["connections"]), "-warmup", "0s", "-d", f"{budget_s:.3f}s"]
    child = proc.start(cmd)
    try:
        decided_at = None
        deadline = time.monotonic() + budget_s + 30
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            if decided_at is None:
                _, _, body = http_call(router_port, "GET", "/admin/status")
                if json.loads(body)["state"] in ("rolled_back", "promoted"):
                    decided_at = time.monotonic()
            elif time.monotonic() - decided_at >= p["after_decision_s"]:
                child.send_signal(signal.SIGTERM)  # the load generator prints its result and exits
                break
        out, err = child.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        raise proc.ProcessError("loadgen did not finish after SIGTERM")
    finally:
        proc.kill_group(child)
    if child.returncode not in (0, -signal.SIGTERM):
        raise proc.ProcessError(f"loadgen failed (exit {child.returncode}): {err.decode(errors='replace')[-500:]}")
    load = json.loads(out.decode())
    _, _, body = http_call(router_port, "GET", "/admin/status")
    return load, json.loads(body)


def run_summary(status: dict, load: dict) -> dict:
    before, after = status["before_decision"], status["since_last_check"]
    decided = status["decided_at_s"]
    analysed = sum(before[k] for k in ("stable_requests", "canary_requests"))
    return {
        "state": status["state"], "decided_at_s": decided, "checks": len(status["checks"]),
        "failed_checks": status["failed_checks"],
        "rps": analysed / decided if decided else None,
        "canary_requests": before["canary_requests"], "bad_requests": before["canary_errors"],
        "stable_errors": before["stable_errors"],
        "bad_after_decision": after["canary_errors"],
        "client_5xx": sum(v for k, v in load["status_errors"].items() if k.startswith("5")),
        "client_io_errors": load["io_errors"],
        "weights": [c["weight_pct"] for c in status["checks"]],
        "success_pct": [c["success_pct"] for c in status["checks"]],
        "actions": [c["action"] for c in status["checks"]],
    }


def measure(ctx: Context) -> dict:
    p = ctx.params
    wanted = comma_list("scenarios", p["scenarios"], SCENARIOS)
    ctx.progress(0.0, N_("building the router, faultyhealth and the load generator"))
    loadgen = build(paths.samples_dir() / "loadgen", name="loadgen")
    backend = build(paths.samples_dir() / "faultyhealth", name="faultyhealth")
    router_bin = build(paths.samples_dir() / "canary", name="canary-router")
    env = os.environ | {"GOMAXPROCS": "1"}
    ports = {name: proc.free_port() for name in ("stable", "canary", "router")}

    def server(cmd, port, name):
        return proc.Server([*proc.pin_prefix(0), *map(str, cmd)], port=port, env=env, ready_path="/admin/ready",
                           name=name, start_timeout=30)

    summary: dict = {"plans": {k: list(v) for k, v in PLANS.items()}, "scenarios": {},
                     "settings": {"interval_s": p["interval_s"], "threshold": p["threshold"],
                                  "min_success_pct": p["min_success_pct"], "connections": p["connections"]}}
    raw: dict = {}
    with server([backend, "-addr", f"127.0.0.1:{ports['stable']}"], ports["stable"], "stable"), \
            server([backend, "-addr", f"127.0.0.1:{ports['canary']}", "-seed", "2"], ports["canary"], "canary"), \
            server([router_bin, "-addr", f"127.0.0.1:{ports['router']}",
                    "-stable", f"http://127.0.0.1:{ports['stable']}", "-canary", f"http://127.0.0.1:{ports['canary']}"],
                   ports["router"], "router"):
        routing = header_routing(ports["router"])
        summary["header_routing"] = routing
        summary["header_routing_ok"] = routing["ok"]
        total = len(wanted) * p["repeats"]
        done = 0
        for key in wanted:
            label, plan, error_pct = SCENARIOS[key]
            steps = PLANS[plan]
            runs = []
            for rep in range(p["repeats"]):
                ctx.progress(0.05 + 0.95 * done / total, PROGRESS_RUN.format(what=key, i=rep + 1, n=p["repeats"]))
                status, _, body = http_call(ports["canary"], "POST", f"/admin/faults?error_pct={error_pct:g}&status=500")
                if status != 200:
                    raise proc.ProcessError(f"canary backend refused error_pct={error_pct}: {body}")
                query = (f"steps={','.join(f'{w:g}' for w in steps)}&interval_ms={p['interval_s'] * 1000:g}"
                         f"&threshold={p['threshold']}&min_success={p['min_success_pct']:g}")
                status, _, body = http_call(ports["router"], "POST", "/admin/arm?" + query)
                if status != 200:
                    raise proc.ProcessError(f"router refused the plan {query}: {body}")
                longest = (len(steps) + p["threshold"] - 1) * p["interval_s"]
                load, router_status = drive(ctx, loadgen, ports["router"], longest + p["after_decision_s"] + 1.0)
                runs.append(run_summary(router_status, load))
                raw.setdefault(key, []).append({"router": router_status, "loadgen": load})
                done += 1
            rolled = [r for r in runs if r["state"] == "rolled_back"]
            summary["scenarios"][key] = {
                "label": label, "plan": plan, "steps_pct": list(steps), "canary_error_pct": error_pct, "runs": runs,
                "rollback_share": len(rolled) / len(runs),
                "bad_requests_mean": sum(r["bad_requests"] for r in runs) / len(runs),
                "rps_mean": sum(r["rps"] or 0 for r in runs) / len(runs),
                "decided_at_s_mean": sum(r["decided_at_s"] or 0 for r in runs) / len(runs),
            }
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="canary_router", title=N_("Progressive traffic shifting through a Go router"), chapter=4,
    sources=("go.mod", "canary", "faultyhealth", "loadgen", "internal/health", "internal/loadgen", "internal/hist",
             "internal/serve"),
    params=PARAMS,
    presets={"quick": {"interval_s": 1.0, "repeats": 1},
             "full": {"interval_s": 3.0, "repeats": 3, "after_decision_s": 1.0}},
    func=measure,
    description="A router steps a canary through a plan under load and rolls back or promotes it; bad requests, "
                "detection time and time to full rollout are counted.",
))
