"""Sections 1.1 and 3.3: real TCP connections held by one Go process, with the source's
per-connection read loop (`buf := make([]byte, 4096)` per connection, echoing what it reads).

`go-samples/connhold` runs as a server (the read loop on two data ports, so the ~28k ephemeral
ports per destination are not what limits the count) and as a client in a second process. For
each level the client opens connections up to it, checks that every one echoes a probe, then
drives 1 KiB echoes over all of them and reads the server's goroutines, GC cycles, GC pauses
(runtime.MemStats, as the source names) and RSS before and after.

Levels above what the open-file limit allows are not run: each connection costs the server one
descriptor, and the limit of this process is inherited (Go raises the soft limit to the hard
one; raising the hard one needs CAP_SYS_RESOURCE).
"""

from __future__ import annotations

import resource

from .. import paths, proc
from ..params import Param, ParamSet, int_list
from ..toolchain import build
from . import Context, Measurement, PROGRESS_HOLDING, register
from ._runs import clean_env, run_json
from ..i18n import N_

FD_HEADROOM = 200   # descriptors the server keeps for its listeners, /proc reads and the control port

PARAMS = ParamSet("conn_hold", (
    Param("levels", "str", "1000,10000,19000", "Connection counts, comma-separated (each 1 to 200,000)"),
    Param("seconds", "float", 0.5, "Echo traffic per level", min=0.1, max=60),
    Param("workers", "int", 64, "Client goroutines driving echoes (fixed, so only held connections change)",
          min=1, max=4096),
))


def reachable(levels: list[int], hard_limit: int) -> tuple[list[int], list[int]]:
    """Levels this process's open-file limit allows, and the ones it does not."""
    cap = hard_limit - FD_HEADROOM
    return [n for n in levels if n <= cap], [n for n in levels if n > cap]


def point_summary(p: dict) -> dict:
    b, a = p["server_before"], p["server_after"]
    window = (b["now_ns"], a["now_ns"])
    pauses_in = [ns for end, ns in a["pauses"] if window[0] <= end <= window[1]]
    gc = a["num_gc"] - b["num_gc"]
    return {
        "level": p["level"], "established": p["established"], "answered": p["answered"],
        "dial_errors": p["dial_errors"], "first_error": p["first_error"],
        "server_connections": a["connections"], "server_goroutines": a["goroutines"],
        "echo_qps": p["qps"], "p50_ms": p["p50_ms"], "p99_ms": p["p99_ms"], "max_ms": p["max_ms"],
        "echo_errors": p["echo_errors"],
        "gc_cycles_during_traffic": gc, "gc_per_s_during_traffic": gc / p["seconds"],
        "gc_pause_max_ms_during_traffic": max(pauses_in, default=0) / 1e6,
        "gc_pause_max_ms_whole_run": max((ns for _, ns in a["pauses"]), default=0) / 1e6,
        "server_rss_mib": a["proc"]["rss_kib"] / 1024, "server_fds": a["proc"]["fds"],
        "next_gc_mib": a["next_gc"] / 2**20, "heap_alloc_mib": a["heap_alloc"] / 2**20,
    }


def measure(ctx: Context) -> dict:
    p = ctx.params
    levels = int_list("levels", p["levels"], lo=1, hi=200_000)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard_limit = hard if hard != resource.RLIM_INFINITY else 1 << 20
    run_levels, skipped = reachable(levels, hard_limit)
    if not run_levels:
        raise proc.ProcessError(f"no level fits the open-file limit {hard_limit:,}: lower `levels`")
    ctx.progress(0.0, N_("building connhold"))
    binary = str(build(paths.samples_dir() / "connhold", name="connhold"))
    env = clean_env()
    port, d1, d2 = proc.free_port(), proc.free_port(), proc.free_port()
    data = f"127.0.0.1:{d1},127.0.0.1:{d2}"
    ctx.progress(0.1, PROGRESS_HOLDING.format(n=", ".join(f"{n:,}" for n in run_levels)))
    with proc.Server([binary, "-role", "server", "-addr", f"127.0.0.1:{port}", "-data", data], port=port, env=env,
                     name="connhold server"):
        out = run_json([binary, "-role", "client", "-stats", f"http://127.0.0.1:{port}/stats", "-data", data,
                        "-levels", ",".join(map(str, run_levels)), "-workers", str(p["workers"]),
                        "-seconds", str(p["seconds"])], timeout=120 + 10 * len(run_levels) * p["seconds"], env=env,
                       what="connhold client")
    points = [point_summary(x) for x in out["points"]]
    working = [x for x in points if x["answered"] == x["level"]]
    top = points[-1] if points else {}
    summary = {
        "points": points, "go_version": out["go_version"],
        "max_connections_answered": max((x["answered"] for x in points), default=0),
        "max_level_all_answered": max((x["level"] for x in working), default=0),
        "top": top,
        "gc_per_s_at_top": top.get("gc_per_s_during_traffic"),
        "qps_top_vs_first": (top["echo_qps"] / points[0]["echo_qps"]) if len(points) > 1 and points[0]["echo_qps"] else None,
        "bytes_per_connection_rss": ((top["server_rss_mib"] - points[0]["server_rss_mib"]) * 2**20
                                     / (top["level"] - points[0]["level"])) if len(points) > 1 else None,
        "fd_limit": {"soft": soft, "hard": hard_limit, "client_sees": out["fd_limit"]},
        "levels_not_run": skipped,
        "why_not_run": (f"the hard open-file limit here is {hard_limit:,} descriptors per process and cannot be "
                        "raised without CAP_SYS_RESOURCE; each held connection costs the server one"
                        if skipped else ""),
        "error": out.get("error", ""),
        "setup": ("server and client are separate Go processes on this machine, not pinned; connections are "
                  "spread over two server ports on 127.0.0.1; the client's echo workers are fixed, so between "
                  "levels only the number of held connections changes"),
    }
    return {"summary": summary, "raw": out}


register(Measurement(
    name="conn_hold", title=N_("Held TCP connections with the source's per-connection read loop"), chapter=3,
    sources=("go.mod", "connhold", "internal/procstat"), params=PARAMS,
    presets={"quick": {"levels": "1000,10000,19000", "seconds": 0.5},
             "full": {"levels": "1000,5000,10000,15000,19000,30000", "seconds": 3.0}},
    func=measure, code_version=1,
    description="Opens up to tens of thousands of loopback connections to a Go echo server running the source's "
                "read loop; counts working connections, GC cycles and pauses, RSS and echo throughput per level.",
))
