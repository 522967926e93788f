"""Chapter 2.1: the source document's 100,000 unbounded `http.Get` goroutines, against a local
server only, next to a bounded worker pool.

Each run starts a fresh health-check server (`go-samples/healthcheck`) on 127.0.0.1 and runs
`go-samples/fanout` against it in one of three modes: `seed` (the snippet as written: a goroutine
per request on http.DefaultClient, response bodies never closed), `unbounded` (the same with
bodies read and closed) and `bounded` (an errgroup-style limit of `workers` requests in flight
and a Transport that keeps that many idle connections). The fan-out program refuses any
non-loopback URL. It reports completion time, errors by kind, requests still running at the
deadline, and its own peak RSS, open files, goroutines and threads.
"""

from __future__ import annotations

import os

from .. import paths, proc
from ..params import Param, ParamSet, comma_list
from ..toolchain import build
from . import Context, Measurement, PROGRESS_REQUESTS, register
from ._runs import LoadWatch, clean_env, run_json, stats
from .runtimes import rss_kib
from ..i18n import N_

MODES = ("seed", "unbounded", "bounded")

PARAMS = ParamSet("http_fanout", (
    Param("requests", "int", 100_000, "Requests per run (the seed's loop: 100,000)", min=1, max=1_000_000),
    Param("modes", "str", "seed,bounded", "Comma-separated modes: " + ", ".join(MODES)),
    Param("workers", "int", 64, "In-flight limit of the bounded mode", min=1, max=10_000),
    Param("repeats", "int", 1, "Runs per mode, each with a fresh server (the median is reported)", min=1, max=7),
    Param("deadline_s", "float", 60.0, "Stop waiting for a run after this many seconds", min=1, max=600),
))

METRICS = ("seconds", "ok", "errors", "unfinished", "failed", "peak_rss_mib", "peak_fds", "peak_goroutines", "peak_threads")


def summarise_mode(runs: list[dict]) -> dict:
    out = {m: stats(r[m] for r in runs) for m in METRICS}
    flat = {m: out[m]["median"] for m in METRICS}
    kinds: dict[str, int] = {}
    first: dict[str, str] = {}
    for r in runs:
        for k, v in r["error_kinds"].items():
            kinds[k] = kinds.get(k, 0) + v
        for k, v in r["first_errors"].items():
            first.setdefault(k, v)
    return {**flat, "spread": out, "error_kinds_total": kinds, "first_errors": first, "runs": len(runs),
            "error_pct": 100 * flat["errors"] / runs[0]["n"] if runs else None,
            "deadline_hit": any(r["deadline_hit"] for r in runs), "closes_body": runs[0]["closes_body"],
            "fd_limit": runs[0]["fd_limit"], "loadavg_1m_before": [r["loadavg_1m_before"] for r in runs]}


def measure(ctx: Context) -> dict:
    p = ctx.params
    modes = comma_list("modes", p["modes"], MODES)
    ctx.progress(0.0, N_("building fanout and healthcheck"))
    fanout = build(paths.samples_dir() / "fanout", name="fanout")
    server_bin = build(paths.samples_dir() / "healthcheck", name="healthcheck-ch2")
    env = clean_env()
    raw: dict[str, list] = {m: [] for m in modes}
    load = LoadWatch()
    total = len(modes) * p["repeats"]
    for i, mode in enumerate(modes):
        for r in range(p["repeats"]):
            ctx.progress((i * p["repeats"] + r) / total, PROGRESS_REQUESTS.format(
                what=mode, requests=f"{p['requests']:,}", i=r + 1, n=p["repeats"]))
            load.sample()
            load1 = os.getloadavg()[0]
            port = proc.free_port()
            with proc.Server([str(server_bin), "-addr", f"127.0.0.1:{port}"], port=port, env=env,
                             name="healthcheck") as server:
                out = run_json([str(fanout), "-url", f"http://127.0.0.1:{port}/healthz", "-n", str(p["requests"]),
                                "-mode", mode, "-workers", str(p["workers"]), "-deadline", f"{p['deadline_s']}s"],
                               timeout=p["deadline_s"] + 60, env=env, what=f"fanout {mode}")
                out["server_rss_mib"] = rss_kib(server.pid)[0] / 1024
            out["peak_rss_mib"] = out["peak_rss_kib"] / 1024
            out["failed"] = out["errors"] + out["unfinished"]
            out["loadavg_1m_before"] = load1
            raw[mode].append(out)
    summary: dict = {"requests": p["requests"], "workers": p["workers"], "modes": modes}
    for mode in modes:
        summary[mode] = summarise_mode(raw[mode])
    if "seed" in summary and "bounded" in summary and summary["bounded"]["seconds"]:
        summary["seed_vs_bounded_rss"] = summary["seed"]["peak_rss_mib"] / summary["bounded"]["peak_rss_mib"]
    summary["fd_limit"] = next(iter(raw.values()))[0]["fd_limit"]
    summary["load"] = load.summary()
    summary["setup"] = ("client and server on this machine, not pinned; the server is the handbook's Go "
                        "health-check service on 127.0.0.1, restarted for every run; the 1-minute load average "
                        "before each run is recorded because other work on the machine slows every mode")
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="http_fanout", title=N_("100,000 unbounded http.Get goroutines vs a bounded worker pool"), chapter=2,
    sources=("go.mod", "fanout", "internal/procstat", "healthcheck", "internal/health",
             "internal/serve"), params=PARAMS,
    presets={
        "quick": {"requests": 100_000, "modes": "seed,bounded", "repeats": 1, "workers": 64, "deadline_s": 45.0},
        "full": {"requests": 100_000, "modes": "seed,unbounded,bounded", "repeats": 3, "workers": 64,
                 "deadline_s": 120.0},
    },
    func=measure, code_version=3,
    description="The seed's fan-out snippet against a local server: completion time, errors, peak RSS; "
                "next to an errgroup-style bounded pool.",
))
