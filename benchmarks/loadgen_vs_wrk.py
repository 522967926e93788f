"""Is the handbook's load generator the bottleneck? Compare it with wrk against the same server.

The Go health-check server runs pinned to CPU 0 with GOMAXPROCS=1; loadgen and wrk take
turns on CPU 1 with the same connection count and duration, alternating for several rounds
so that machine noise hits both alike. Prints every round and the ratio of the medians
(loadgen QPS / wrk QPS); the goal is >= 0.95. A benchmark, not a test: it never fails the build.

    .venv/bin/python benchmarks/loadgen_vs_wrk.py [--rounds 5] [--seconds 5] [--connections 32]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys

from gohandbook import paths, proc
from gohandbook.measure.runtimes import run_loadgen
from gohandbook.toolchain import build, find_go


def wrk_qps(url: str, connections: int, seconds: float) -> float:
    done = proc.run([*proc.pin_prefix(1), "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", url],
                    timeout=seconds + 60, check=True, what="wrk")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install wrk (Debian). Nothing measured.")
        return 0
    server_bin = build(paths.samples_dir() / "healthcheck", name="healthcheck-default")
    loadgen = build(paths.samples_dir() / "loadgen", name="loadgen")
    port = proc.free_port()
    ours, theirs = [], []
    with proc.Server([*proc.pin_prefix(0), server_bin, "-addr", f"127.0.0.1:{port}"], port=port,
                     env={"GOMAXPROCS": "1", "PATH": "/usr/bin:/bin"}) as server:
        for i in range(args.rounds):
            lg = run_loadgen(loadgen, server.url, connections=args.connections, seconds=args.seconds, warmup=0)
            wq = wrk_qps(server.url, args.connections, args.seconds)
            ours.append(lg["qps"])
            theirs.append(wq)
            print(f"round {i + 1}: loadgen {lg['qps']:10.0f} QPS ({lg['errors']} errors)   wrk {wq:10.0f} QPS   "
                  f"ratio {lg['qps'] / wq:.2f}", flush=True)
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"\nserver: Go health check, CPU 0, GOMAXPROCS=1 ({find_go().version}); clients: CPU 1, "
          f"{args.connections} connections, {args.seconds:g} s per run, {args.rounds} alternating rounds")
    print(f"median loadgen {statistics.median(ours):.0f} QPS, median wrk {statistics.median(theirs):.0f} QPS")
    print(f"loadgen/wrk QPS ratio (of medians): {ratio:.2f}  (goal >= 0.95: {'met' if ratio >= 0.95 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
