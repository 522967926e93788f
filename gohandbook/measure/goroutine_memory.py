"""Chapter 2.1: what one unit of concurrency costs — a blocked goroutine, a blocked Python thread,
a pending asyncio task — for a range of counts, and where Python threads stop.

Go: `go-samples/goroutines` starts N goroutines blocked on one channel in a fresh process and
reports goroutine stack memory and heap objects (runtime/metrics) and RSS and OS threads (/proc)
before and after. Python: `peers/python/concurrency_units.py` does the same with threads blocked
on an Event and tasks awaiting an asyncio.Event. The thread limit is searched in a separate
process with a hard cap that always leaves process IDs free for the rest of the machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import paths
from ..params import Param, ParamSet, int_list
from ..toolchain import build
from . import Context, Measurement, PROGRESS_GOROUTINES, PROGRESS_THREAD_LIMIT, register
from ._runs import clean_env, run_json, stats
from ..i18n import N_

GO_MAX = 1_000_000
PID_RESERVE = 4096          # process IDs always left free for everyone else on the machine

PARAMS = ParamSet("goroutine_memory", (
    Param("go_counts", "str", "1000,10000,100000", f"Goroutine counts, comma-separated (each 1 to {GO_MAX:,})"),
    Param("thread_counts", "str", "100,1000,2000", "Python thread counts to measure (each 1 to 20,000)"),
    Param("task_counts", "str", "1000,10000,100000", f"asyncio task counts (each 1 to {GO_MAX:,})"),
    Param("repeats", "int", 1, "Fresh processes per count (the median is reported)", min=1, max=7),
    Param("thread_limit_search", "bool", False,
          "Start Python threads until creation fails (bounded by thread_cap and free process IDs)"),
    Param("thread_cap", "int", 40000, "Hard cap on threads for the limit search", min=100, max=100000),
))


def _read_int(path: str) -> int | None:
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def tasks_in_use() -> int:
    """Threads (kernel tasks) alive on the machine right now, from /proc/<pid>/task."""
    total = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                total += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return total


def machine_limits() -> dict:
    import resource

    stack_soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    nproc_soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    inf = resource.RLIM_INFINITY
    return {
        "max_map_count": _read_int("/proc/sys/vm/max_map_count"),
        "pid_max": _read_int("/proc/sys/kernel/pid_max"),
        "threads_max": _read_int("/proc/sys/kernel/threads-max"),
        "ulimit_stack_kib": None if stack_soft == inf else stack_soft // 1024,
        "rlimit_nproc": None if nproc_soft == inf else nproc_soft,
        "is_root": os.geteuid() == 0,
        "tasks_in_use": tasks_in_use(),
    }


def safe_thread_cap(cap: int, limits: dict) -> tuple[int, str]:
    """The cap actually used: the parameter, lowered so PID_RESERVE process IDs stay free."""
    bounds = {"thread_cap parameter": cap}
    in_use = limits.get("tasks_in_use") or 0
    for key in ("pid_max", "threads_max"):
        if limits.get(key):
            bounds[f"{key} {limits[key]:,} − {in_use:,} in use − {PID_RESERVE:,} reserve"] = limits[key] - in_use - PID_RESERVE
    if limits.get("rlimit_nproc") and not limits.get("is_root"):
        bounds[f"RLIMIT_NPROC {limits['rlimit_nproc']:,} − {in_use:,} in use"] = limits["rlimit_nproc"] - in_use
    why, value = min(bounds.items(), key=lambda kv: kv[1])
    return max(value, 0), why


def predict_thread_limit(points: list[dict], limits: dict) -> dict:
    """Where thread creation should fail, from the marginal memory maps per thread (each thread's
    stack and guard page are separate mappings; vm.max_map_count bounds them per process)."""
    ok = sorted((p for p in points if p.get("maps_after")), key=lambda p: p["n"])
    out: dict = {"value": None, "basis": "not enough thread points to predict"}
    candidates = {}
    if len(ok) >= 2 and limits.get("max_map_count"):
        a, b = ok[-2], ok[-1]
        marginal = (b["maps_after"] - a["maps_after"]) / max(b["n"] - a["n"], 1)
        if marginal > 0:
            candidates["vm.max_map_count"] = int(b["n"] + (limits["max_map_count"] - b["maps_after"]) / marginal)
            out["maps_per_thread"] = marginal
    if limits.get("pid_max"):
        candidates["kernel.pid_max"] = limits["pid_max"] - (limits.get("tasks_in_use") or 0)
    if limits.get("threads_max"):
        candidates["kernel.threads-max"] = limits["threads_max"] - (limits.get("tasks_in_use") or 0)
    if candidates:
        why, value = min(candidates.items(), key=lambda kv: kv[1])
        out.update(value=value, basis=why, candidates=candidates)
    return out


def measure(ctx: Context) -> dict:
    p = ctx.params
    go_counts = int_list("go_counts", p["go_counts"], lo=1, hi=GO_MAX)
    thread_counts = int_list("thread_counts", p["thread_counts"], lo=1, hi=20_000)
    task_counts = int_list("task_counts", p["task_counts"], lo=1, hi=GO_MAX)
    script = paths.samples_dir() / "peers" / "python" / "concurrency_units.py"
    limits = machine_limits()
    env = clean_env()
    ctx.progress(0.0, N_("building goroutines"))
    binary = build(paths.samples_dir() / "goroutines", name="goroutines")
    raw: dict = {"go": [], "thread": [], "asyncio": [], "thread_limit": None}
    steps = (len(go_counts) + len(thread_counts) + len(task_counts)) * p["repeats"] + (1 if p["thread_limit_search"] else 0)
    done = 0

    def tick(msg: str) -> None:
        nonlocal done
        ctx.progress(min(done / max(steps, 1), 0.99), msg)
        done += 1

    for n in go_counts:
        for r in range(p["repeats"]):
            tick(PROGRESS_GOROUTINES.format(n=f"{n:,}", i=r + 1, total=p["repeats"]))
            raw["go"].append(run_json([str(binary), "-n", str(n)], timeout=300, env=env, what="goroutines"))
    for kind, counts in (("thread", thread_counts), ("asyncio", task_counts)):
        for n in counts:
            for r in range(p["repeats"]):
                tick(f"Python {kind}: {n:,} ({r + 1}/{p['repeats']})")
                raw[kind].append(run_json([sys.executable, str(script), kind, str(n)], timeout=300, env=env,
                                          what=f"python {kind}"))
    cap, cap_why = safe_thread_cap(p["thread_cap"], limits)
    if p["thread_limit_search"]:
        tick(PROGRESS_THREAD_LIMIT.format(cap=f"{cap:,}"))
        raw["thread_limit"] = run_json([sys.executable, str(script), "thread-limit", str(cap)], timeout=600, env=env,
                                       what="python thread-limit")

    def go_point(n: int) -> dict:
        runs = [r for r in raw["go"] if r["n"] == n]
        return {"n": n,
                "stack_bytes_per_goroutine": stats(r["stack_bytes_per_goroutine"] for r in runs)["median"],
                "heap_bytes_per_goroutine": stats(r["heap_bytes_per_goroutine"] for r in runs)["median"],
                "rss_bytes_per_goroutine": stats(r["rss_bytes_per_goroutine"] for r in runs)["median"],
                "go_total_bytes_per_goroutine": stats(r["go_total_bytes_per_goroutine"] for r in runs)["median"],
                "os_threads": max(r["os_threads"] for r in runs),
                "rss_mib": stats(r["after"]["proc"]["rss_kib"] / 1024 for r in runs)["median"],
                "spawn_seconds": stats(r["spawn_seconds"] for r in runs)["median"], "runs": len(runs)}

    def py_point(kind: str, n: int) -> dict:
        runs = [r for r in raw[kind] if r["requested"] == n]
        return {"n": n,
                "rss_bytes_per_unit": stats(r["rss_bytes_per_unit"] for r in runs)["median"],
                "vm_bytes_per_unit": stats(r["vm_bytes_per_unit"] for r in runs)["median"],
                "maps_after": stats(r["after"].get("maps") for r in runs)["median"],
                "rss_mib": stats(r["after"]["rss_kib"] / 1024 for r in runs)["median"],
                "spawn_seconds": stats(r["spawn_seconds"] for r in runs)["median"], "runs": len(runs)}

    go_points = [go_point(n) for n in go_counts]
    thread_points = [py_point("thread", n) for n in thread_counts]
    task_points = [py_point("asyncio", n) for n in task_counts]
    top_go, top_thread, top_task = go_points[-1], thread_points[-1], task_points[-1]
    limit_run = raw["thread_limit"]
    python = {
        "points": thread_points, "version": raw["thread"][0]["python"] if raw["thread"] else "",
        "bytes_per_thread_rss": top_thread["rss_bytes_per_unit"],
        "virtual_bytes_per_thread": top_thread["vm_bytes_per_unit"],
        "max_threads_tested": top_thread["n"],
        "thread_limit_searched": bool(limit_run),
        "thread_cap_used": cap, "thread_cap_reason": cap_why,
        "thread_limit": (limit_run["n"] if limit_run and limit_run["limit_reached"] else None),
        "thread_limit_error": (limit_run or {}).get("error", ""),
        "threads_started_in_search": (limit_run or {}).get("n"),
        "thread_limit_search_seconds": (limit_run or {}).get("spawn_seconds"),
        "rss_at_limit_mib": (limit_run["after"]["rss_kib"] / 1024 if limit_run else None),
        "virtual_at_limit_gib": (limit_run["after"]["vm_kib"] / 2**20 if limit_run else None),
        "thread_limit_predicted": predict_thread_limit(thread_points, limits),
    }
    summary = {
        "go": {"points": go_points, "version": raw["go"][0]["go_version"],
               "stack_bytes_per_goroutine": top_go["stack_bytes_per_goroutine"],
               "heap_bytes_per_goroutine": top_go["heap_bytes_per_goroutine"],
               "bytes_per_goroutine_rss": top_go["rss_bytes_per_goroutine"],
               "max_goroutines_tested": top_go["n"], "os_threads_at_max": top_go["os_threads"],
               # measured, not requested: goroutines alive at the largest count (runtime/metrics
               # /sched/goroutines in the program, so it includes main and the runtime's own few)
               "max_goroutines_measured": max(int(r["after"]["goroutines"]) for r in raw["go"]),
               "rss_at_max_mib": top_go["rss_mib"], "spawn_seconds_at_max": top_go["spawn_seconds"]},
        "python": python,
        "asyncio": {"points": task_points, "bytes_per_task_rss": top_task["rss_bytes_per_unit"],
                    "max_tasks_tested": top_task["n"]},
        "machine": limits,
        "ratios": {
            "thread_vs_goroutine_rss": (top_thread["rss_bytes_per_unit"] / top_go["rss_bytes_per_goroutine"]
                                        if top_go["rss_bytes_per_goroutine"] else None),
            "task_vs_goroutine_rss": (top_task["rss_bytes_per_unit"] / top_go["rss_bytes_per_goroutine"]
                                      if top_go["rss_bytes_per_goroutine"] else None),
        },
    }
    ctx.notes.append("Bytes per unit = (reading with N blocked units − reading before) / N, in a fresh process; "
                     "small N is dominated by noise in RSS.")
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="goroutine_memory", title=N_("Memory per goroutine, Python thread and asyncio task"), chapter=2,
    sources=("go.mod", "goroutines", "internal/procstat", "internal/rtmetrics", "peers/python/concurrency_units.py"),
    params=PARAMS,
    presets={
        "quick": {"go_counts": "1000,10000,100000", "thread_counts": "100,1000,2000",
                  "task_counts": "1000,10000,100000", "repeats": 1, "thread_limit_search": False},
        "full": {"go_counts": "1000,10000,100000,300000,1000000", "thread_counts": "100,1000,2000,5000,10000",
                 "task_counts": "1000,10000,100000,1000000", "repeats": 3, "thread_limit_search": True},
    },
    func=measure, code_version=2,
    description="Blocked goroutines vs Python threads vs asyncio tasks: bytes per unit from runtime/metrics and "
                "/proc, and the Python thread limit found under a hard cap.",
))
