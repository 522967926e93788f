"""Chapter 2.3: per-request allocation vs sync.Pool buffers, with `go test -bench -benchmem`.

Runs `go test -run '^$' -bench . -benchmem -count N` on `go-samples/bufpool` and keeps the raw
output, which is benchstat's input format, unchanged. Reports ns/op, B/op and allocs/op per
benchmark as median, min–max and a distribution-free 95 % confidence interval of the median
(the interval benchstat prints), when there are enough runs for one.
"""

from __future__ import annotations

import re

from .. import paths
from ..params import Param, ParamSet
from . import Context, Measurement, register
from ._runs import LoadWatch, median_ci, stats
from ..i18n import N_

LINE = re.compile(r"^(Benchmark\S+?)(?:-(\d+))?\s+(\d+)\s+(.*)$")
UNIT = re.compile(r"([\d.]+(?:e[+-]?\d+)?)\s+(\S+)")

PARAMS = ParamSet("pool_bench", (
    Param("count", "int", 10, "Runs of each benchmark (-count); benchstat wants 10 or more", min=1, max=50),
    Param("benchtime", "str", "100ms", "Time (or Nx iterations) per run (-benchtime), e.g. 100ms, 1s, 5000x"),
))


def parse_bench(text: str) -> dict[str, list[dict]]:
    """Benchmark lines of `go test -bench` output -> {name: [{'iterations', 'ns/op', 'B/op', ...}, ...]}."""
    out: dict[str, list[dict]] = {}
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        name, procs, iters, rest = m.groups()
        row = {"iterations": int(iters), "procs": int(procs) if procs else 1}
        for value, unit in UNIT.findall(rest):
            row[unit] = float(value)
        out.setdefault(name.removeprefix("Benchmark"), []).append(row)
    return out


def summarise(rows: list[dict]) -> dict:
    out = {}
    for unit in ("ns/op", "B/op", "allocs/op"):
        values = [r[unit] for r in rows if unit in r]
        s = stats(values)
        ci = median_ci(values)
        s["ci95"] = list(ci) if ci else None
        key = {"ns/op": "ns_op", "B/op": "bytes_op", "allocs/op": "allocs_op"}[unit]
        out[key] = s
    return out


def measure(ctx: Context) -> dict:
    p = ctx.params
    if not re.fullmatch(r"\d+(ms|s|x)", p["benchtime"]):
        from ..params import ParameterError
        raise ParameterError(f"benchtime = {p['benchtime']!r} is not allowed: e.g. 100ms, 1s or 5000x")
    load = LoadWatch()
    load.sample()
    ctx.progress(0.05, f"go test -bench (count {p['count']}, benchtime {p['benchtime']})")
    done = ctx.go.run(["test", "-run", "^$", "-bench", ".", "-benchmem", "-count", str(p["count"]),
                       "-benchtime", p["benchtime"], "./bufpool"], cwd=paths.samples_dir(), timeout=900)
    parsed = parse_bench(done.stdout)
    benchmarks = {name: summarise(rows) for name, rows in parsed.items()}
    summary: dict = {"benchmarks": benchmarks, "count": p["count"], "benchtime": p["benchtime"],
                     "load": load.summary(), "command": f"go test -run '^$' -bench . -benchmem -count {p['count']} -benchtime {p['benchtime']} ./bufpool"}
    a, b = benchmarks.get("RequestAlloc"), benchmarks.get("RequestPool")
    if a and b:
        summary["alloc_ns_op"] = a["ns_op"]["median"]
        summary["pool_ns_op"] = b["ns_op"]["median"]
        summary["alloc_bytes_op"] = a["bytes_op"]["median"]
        summary["pool_bytes_op"] = b["bytes_op"]["median"]
        summary["alloc_allocs_op"] = a["allocs_op"]["median"]
        summary["pool_allocs_op"] = b["allocs_op"]["median"]
        summary["pool_speedup"] = a["ns_op"]["median"] / b["ns_op"]["median"] if b["ns_op"]["median"] else None
    return {"summary": summary, "raw": {"benchstat_input": done.stdout, "rows": parsed}}


register(Measurement(
    name="pool_bench", title=N_("Per-request allocation vs sync.Pool (go test -bench -benchmem)"), chapter=2,
    sources=("go.mod", "bufpool"), params=PARAMS,
    presets={"quick": {"count": 10, "benchtime": "100ms"}, "full": {"count": 20, "benchtime": "1s"}},
    func=measure, code_version=3,
))
