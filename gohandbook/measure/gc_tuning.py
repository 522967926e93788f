"""Chapter 2.3: the Go GC's memory-vs-CPU trade-off, measured across GOGC × GOMEMLIMIT, plus the
JVM's G1 defaults read from the local JDK (for the source document's G1 table).

`go-samples/gcload` allocates `total` bytes in small pointer-carrying records while keeping
about `live` bytes reachable, in a fresh process per grid point, and reports GC cycles, GC CPU
seconds (/cpu/classes/gc/total:cpu-seconds), the stop-the-world pause histogram
(/sched/pauses/total/gc:seconds), peak RSS (VmHWM) and wall time.
"""

from __future__ import annotations

import os
import re
import shutil

from .. import paths, proc
from ..params import Param, ParameterError, ParamSet
from ..toolchain import build
from . import Context, Measurement, register
from ._runs import LoadWatch, clean_env, run_json, stats
from ..i18n import N_

SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?)(KiB|MiB|GiB)$")

PARAMS = ParamSet("gc_tuning", (
    Param("gogc_values", "str", "50,100,200,400,off", "GOGC values, comma-separated (10 to 10000, or off)"),
    Param("memlimits", "str", "off,128MiB", "GOMEMLIMIT values, comma-separated (off or e.g. 128MiB, 1GiB)"),
    Param("total", "str", "1GiB", "Bytes allocated per run (e.g. 1GiB)"),
    Param("live", "str", "64MiB", "Bytes kept reachable during a run (e.g. 64MiB)"),
    Param("repeats", "int", 1, "Fresh processes per grid point (median reported)", min=1, max=7),
    Param("jvm_flags", "bool", True, "Read G1's defaults from the local JDK (java -XX:+PrintFlagsFinal)"),
))


def parse_size(name: str, text: str) -> int:
    m = SIZE_RE.match(str(text).strip())
    if not m:
        raise ParameterError(f"{name} = {text!r} is not allowed: a size such as 64MiB or 1GiB")
    return int(float(m.group(1)) * {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[m.group(2)])


def parse_gogc(text: str) -> list[str]:
    out = []
    for item in (t.strip().lower() for t in str(text).split(",") if t.strip()):
        if item != "off" and not (item.isdigit() and 10 <= int(item) <= 10000):
            raise ParameterError(f"gogc_values: {item!r} is not allowed: integers from 10 to 10000, or off")
        out.append(item)
    if not out:
        raise ParameterError("gogc_values is empty: give e.g. 50,100,200,off")
    return list(dict.fromkeys(out))


def parse_memlimits(text: str) -> list[str]:
    out = []
    for item in (t.strip() for t in str(text).split(",") if t.strip()):
        if item.lower() != "off":
            size = parse_size("memlimits", item)
            if size < 8 << 20:
                raise ParameterError(f"memlimits: {item} is below 8MiB")
        out.append("off" if item.lower() == "off" else item)
    if not out:
        raise ParameterError("memlimits is empty: give e.g. off,128MiB")
    return list(dict.fromkeys(out))


def jvm_g1_defaults() -> dict:
    """G1's ergonomic defaults on this machine, from `java -XX:+UseG1GC -XX:+PrintFlagsFinal -version`."""
    if not shutil.which("java"):
        return {"available": False, "reason": "java not on PATH"}
    done = proc.run(["java", "-XX:+UseG1GC", "-XX:+PrintFlagsFinal", "-version"], timeout=60)
    flags = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "=":
            flags[parts[1]] = parts[3]
    version = (done.stderr.strip().splitlines() or ["?"])[0]
    try:
        region = int(flags["G1HeapRegionSize"])
        return {"available": True, "version": version,
                "g1_max_gc_pause_millis": int(flags["MaxGCPauseMillis"]),
                "g1_heap_region_size_mb": region / 2**20,
                "max_heap_mib": int(flags["MaxHeapSize"]) / 2**20,
                "initial_heap_mib": int(flags["InitialHeapSize"]) / 2**20}
    except (KeyError, ValueError):
        return {"available": False, "reason": f"unexpected PrintFlagsFinal output from {version}"}


def point_summary(runs: list[dict]) -> dict:
    pick = lambda f: stats(f(r) for r in runs)  # noqa: E731
    return {
        "gogc": runs[0]["gogc"], "gomemlimit": runs[0]["gomemlimit"], "runs": len(runs),
        "gc_cycles": pick(lambda r: r["gc_cycles"])["median"],
        "gc_cpu_seconds": pick(lambda r: r["gc_cpu_seconds"])["median"],
        "gc_cpu_pct": 100 * pick(lambda r: r["gc_cpu_fraction"])["median"],
        "wall_seconds": pick(lambda r: r["wall_seconds"])["median"],
        "peak_rss_mib": pick(lambda r: r["peak_rss_kib"] / 1024)["median"],
        # With GOGC=off and no limit the goal is "infinite" (MaxInt64): no goal.
        "peak_heap_goal_mib": pick(lambda r: r["peak_heap_goal_bytes"] / 2**20 if r["peak_heap_goal_bytes"] < 2**60
                                   else None)["median"],
        "pause_count": pick(lambda r: r["pauses_seconds"]["count"])["median"],
        "pause_p50_ms": pick(lambda r: r["pauses_seconds"]["p50"] * 1000)["median"],
        "pause_p99_ms": pick(lambda r: r["pauses_seconds"]["p99"] * 1000)["median"],
        "pause_max_ms": max(r["pauses_seconds"]["max"] * 1000 for r in runs),
        "pause_total_ms": pick(lambda r: r["pauses_seconds"]["sum_estimate"] * 1000)["median"],
        "spread": {"wall_seconds": pick(lambda r: r["wall_seconds"]), "gc_cpu_seconds": pick(lambda r: r["gc_cpu_seconds"]),
                   "peak_rss_mib": pick(lambda r: r["peak_rss_kib"] / 1024)},
        "pause_buckets": runs[0]["pause_buckets"],
    }


def measure(ctx: Context) -> dict:
    p = ctx.params
    gogcs, limits = parse_gogc(p["gogc_values"]), parse_memlimits(p["memlimits"])
    total, live = parse_size("total", p["total"]), parse_size("live", p["live"])
    if not (1 << 20) <= live <= total <= 64 << 30:
        raise ParameterError("gc_tuning: need 1MiB <= live <= total <= 64GiB")
    ctx.progress(0.0, N_("building gcload"))
    binary = build(paths.samples_dir() / "gcload", name="gcload")
    grid = [(g, m) for m in limits for g in gogcs]
    raw: dict = {"runs": []}
    load = LoadWatch()
    for i, (gogc, limit) in enumerate(grid):
        for r in range(p["repeats"]):
            ctx.progress(0.05 + 0.9 * (i * p["repeats"] + r) / (len(grid) * p["repeats"]),
                         f"GOGC={gogc} GOMEMLIMIT={limit} ({r + 1}/{p['repeats']})")
            load.sample()
            out_load = os.getloadavg()[0]
            env = clean_env({"GOGC": gogc} | ({} if limit == "off" else {"GOMEMLIMIT": limit}))
            out = run_json([str(binary), "-total", p["total"], "-live", p["live"]], timeout=600, env=env, what="gcload")
            out["gomemlimit"] = limit
            out["loadavg_1m_before"] = out_load
            raw["runs"].append(out)
    points = [point_summary([r for r in raw["runs"] if r["gogc"] == g and r["gomemlimit"] == m]) for g, m in grid]
    by = {(pt["gogc"], pt["gomemlimit"]): pt for pt in points}
    summary: dict = {"total_mib": total / 2**20, "live_mib": live / 2**20, "grid": points,
                     "gogc_values": gogcs, "memlimits": limits, "load": load.summary()}
    base = by.get(("100", "off"))
    if base:
        summary["baseline"] = {k: base[k] for k in ("gc_cycles", "gc_cpu_seconds", "peak_rss_mib", "wall_seconds",
                                                  "pause_p99_ms")}
        dbl = by.get(("200", "off"))
        if dbl and base["gc_cpu_seconds"]:
            summary["doubling_gogc"] = {"gc_cpu_ratio": dbl["gc_cpu_seconds"] / base["gc_cpu_seconds"],
                                        "rss_ratio": dbl["peak_rss_mib"] / base["peak_rss_mib"],
                                        "cycles_ratio": dbl["gc_cycles"] / base["gc_cycles"] if base["gc_cycles"] else None}
    finite = [pt for pt in points if pt["gc_cycles"]]
    summary["max_pause_ms"] = max((pt["pause_max_ms"] for pt in finite), default=None)
    summary["max_p99_pause_ms"] = max((pt["pause_p99_ms"] for pt in finite), default=None)
    if p["jvm_flags"]:
        ctx.progress(0.97, "java -XX:+PrintFlagsFinal")
        summary["jvm"] = jvm_g1_defaults()
    ctx.notes.append("One process per grid point; GOMAXPROCS is the machine's core count. GC CPU is the runtime's own "
                     "estimate (/cpu/classes/gc/total:cpu-seconds).")
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="gc_tuning", title=N_("GOGC × GOMEMLIMIT: GC cycles, CPU, pauses and memory"), chapter=2,
    sources=("go.mod", "gcload", "internal/procstat", "internal/rtmetrics"), params=PARAMS,
    presets={
        "quick": {"gogc_values": "50,100,200,400,off", "memlimits": "off,128MiB", "total": "1GiB", "live": "64MiB",
                  "repeats": 1},
        "full": {"gogc_values": "25,50,100,200,400,800,off", "memlimits": "off,96MiB,128MiB,256MiB", "total": "4GiB",
                 "live": "64MiB", "repeats": 3},
    },
    func=measure, code_version=3,
    description="An allocation workload across GOGC and GOMEMLIMIT; G1 defaults read from the local JDK.",
))
