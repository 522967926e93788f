"""Helpers for measurements that run programs repeatedly: run one and read the JSON it prints
(`run_json`), an environment without Go tuning variables (`clean_env`), summary statistics of
repeated runs (`stats`, `median_ci`) and how busy the machine was around them (`LoadWatch`).
Not a measurement: the leading underscore keeps it out of auto-discovery."""

from __future__ import annotations

import json
import math
import os
import statistics
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .. import proc


def stats(values: Iterable[float | None]) -> dict:
    """Median, min, max, count and the values themselves over repeated runs (None: a run without the figure).
    Every number comes out a float: a Go program's whole float64 (e.g. a QPS of 23456.0) reads back from JSON
    as an int, and one metric's figures should not change type from run to run."""
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return {"median": None, "min": None, "max": None, "n": 0, "values": []}
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals), "values": vals}


def median_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float] | None:
    """Distribution-free confidence interval for the median from order statistics (as benchstat
    reports): the narrowest symmetric pair (x_(k), x_(n-k+1)) whose binomial coverage reaches
    `confidence`. None when there are too few values for that confidence (n < 6 at 95 %)."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return None
    best = None
    for k in range(1, n // 2 + 1):
        # P(x_(k) <= median <= x_(n-k+1)) = 1 - 2 * P(Binomial(n, 1/2) <= k-1)
        tail = sum(math.comb(n, i) for i in range(k)) / 2 ** n
        if 1 - 2 * tail >= confidence:
            best = (xs[k - 1], xs[n - k])
        else:
            break
    return best


def run_json(cmd: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None,
             cwd: str | Path | None = None, what: str = "") -> dict:
    """Run a program that prints one JSON object on stdout; its parsed output."""
    done = proc.run(cmd, timeout=timeout, env=env, cwd=cwd, check=True, what=what)
    line = next((ln for ln in reversed(done.stdout.splitlines()) if ln.strip().startswith("{")), None)
    if line is None:
        raise proc.ProcessError(f"{what or cmd[0]} printed no JSON: {done.stdout[-300:]!r} {done.stderr[-300:]!r}")
    out: dict[str, Any] = json.loads(line)
    out["_wall_seconds"] = done.seconds
    return out


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without Go tuning variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS")}
    env.update(extra or {})
    return env


class LoadWatch:
    """Records how busy the machine is just before each measured run (never during one, which would
    count the measurement's own load): the share of time some task waited for a
    CPU over the last 10 s (Linux pressure stall information, /proc/pressure/cpu), or the 1-minute
    load average where PSI is missing. Timings taken while other work keeps the cores busy include
    waiting for a core, and the chapter says so."""

    BUSY_PSI_PCT = 10.0

    def __init__(self) -> None:
        self.load: list[float] = []
        self.psi: list[float] = []

    def sample(self) -> None:
        self.load.append(os.getloadavg()[0])
        try:
            line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
            self.psi.append(float(line.split("avg10=")[1].split()[0]))
        except (OSError, IndexError, ValueError):
            pass

    def summary(self) -> dict:
        cores = os.cpu_count() or 1
        peak_load = max(self.load, default=None)
        peak_psi = max(self.psi, default=None)
        if peak_psi is not None:  # the median: one sample can still carry the previous run's own load
            busy = statistics.median(self.psi) > self.BUSY_PSI_PCT
        else:
            busy = peak_load is not None and peak_load > cores
        return {"loadavg_1m_max": peak_load, "cpu_pressure_avg10_max_pct": peak_psi,
                "cpu_pressure_avg10_median_pct": statistics.median(self.psi) if self.psi else None,
                "cores": cores, "busy": busy}
