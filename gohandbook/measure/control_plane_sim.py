"""Chapter 3: the xDS push model, executed for real in Go and compared with its prediction.

`go-samples/xdssim` runs istiod's debounce loop, its push queue and a semaphore-bounded sender
against N in-process "proxies" (goroutines that take `push_ms` to apply a push). Each scenario is
a list of change times; the program reports when every proxy had each change, the push rounds and
the pushes. The model (`gohandbook.models.control_plane`) predicts the same numbers twice: with the
nominal per-push time, and with the per-push time the Go program actually saw (mean time a push
held its semaphore slot: sleeping is never exact). The second isolates the queueing logic.
"""

from __future__ import annotations

import json
import statistics

from .. import paths, proc
from ..models import control_plane as cp
from ..params import Param, ParameterError, ParamSet
from ..toolchain import build
from . import Context, Measurement, PROGRESS_RUN, register
from ..i18n import N_

PARAMS = ParamSet("control_plane_sim", (
    Param("proxies", "str", "100,1000,5000", "Comma-separated proxy counts for the change-storm scenarios"),
    Param("concurrencies", "str", "25,100",
          "Comma-separated push throttles (pushes in flight): 25 = istiod's auto value at GOMAXPROCS 2, 100 = older default"),
    Param("push_ms", "float", 2.0, "Time one push to one proxy takes (the proxies sleep this long)", min=0.2, max=50),
    Param("debounce_after_ms", "float", 100.0, "PILOT_DEBOUNCE_AFTER in the simulation", min=10, max=1000),
    Param("debounce_max_ms", "float", 950.0,
          "PILOT_DEBOUNCE_MAX in the long-storm scenario (istiod's 10 s, shortened so that it fires within a quick run)",
          min=100, max=20000),
    Param("repeats", "int", 1, "Runs of every scenario", min=1, max=10),
))

STORM = tuple(i * 30.0 for i in range(10))          # 10 changes, 30 ms apart (no ties with 100 ms timers)
SPACED = tuple(i * 370.0 for i in range(3))         # 3 changes, each pushed on its own
LONG_STORM = tuple(i * 30.0 for i in range(40))     # 1.2 s of changes: DEBOUNCE_MAX forces a push


def _int_list(name: str, text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(f"{name} = {text!r} is not allowed: allowed is comma-separated integers") from None
    if not values or any(v < 1 or v > 50000 for v in values):
        raise ParameterError(f"{name} = {text!r} is not allowed: allowed is comma-separated integers from 1 to 50000")
    return values


def scenarios(p: dict) -> list[dict]:
    """The runs, as xdssim's JSON input (times in ms)."""
    proxies = _int_list("proxies", p["proxies"])
    concs = _int_list("concurrencies", p["concurrencies"])
    base = {"push_ms": p["push_ms"], "debounce": True, "debounce_after_ms": p["debounce_after_ms"],
            "debounce_max_ms": 10_000.0}
    out = []
    for n in proxies:
        for c in concs:
            out.append({**base, "name": f"storm N={n} C={c}", "kind": "storm", "proxies": n, "concurrency": c,
                        "change_times_ms": list(STORM)})
    mid = proxies[len(proxies) // 2]
    c0 = concs[0]
    out.append({**base, "name": f"spaced N={mid} C={c0}", "kind": "spaced", "proxies": mid, "concurrency": c0,
                "change_times_ms": list(SPACED)})
    out.append({**base, "name": f"long storm N={mid} C={c0}", "kind": "long storm", "proxies": mid, "concurrency": c0,
                "debounce_max_ms": p["debounce_max_ms"], "change_times_ms": list(LONG_STORM)})
    for c in (concs[0], concs[-1]) if len(concs) > 1 else (c0,):
        out.append({**base, "name": f"no debounce N={mid} C={c}", "kind": "no debounce", "proxies": mid,
                    "concurrency": c, "debounce": False, "change_times_ms": list(STORM)})
    return out


def model_input(s: dict, push_ms: float | None = None) -> cp.PushModelInput:
    return cp.PushModelInput(
        proxies=s["proxies"], change_times_s=tuple(t / 1000 for t in s["change_times_ms"]),
        push_s=(s["push_ms"] if push_ms is None else push_ms) / 1000, concurrency=s["concurrency"],
        debounce=s["debounce"], debounce_after_s=s["debounce_after_ms"] / 1000,
        debounce_max_s=s["debounce_max_ms"] / 1000)


def compare(s: dict, measured: dict) -> dict:
    """Measured vs the model with the nominal and with the observed per-push time (ms, counts, % errors)."""
    times = s["change_times_ms"]
    conv = measured["converged_ms"]
    m = {"last_change_to_converged_ms": conv[-1] - times[-1],
         "max_staleness_ms": max(c - t for c, t in zip(conv, times)),
         "push_rounds": len(measured["round_times_ms"]), "pushes": measured["pushes"]}
    row = {"name": s["name"], "kind": s["kind"], "proxies": s["proxies"], "concurrency": s["concurrency"],
           "debounce": s["debounce"], "push_ms": s["push_ms"], "slot_ms_mean": measured["slot_ms_mean"],
           "measured": m}
    for label, push in (("nominal", s["push_ms"]), ("calibrated", measured["slot_ms_mean"] or s["push_ms"])):
        r = cp.simulate(model_input(s, push))
        pred = {"last_change_to_converged_ms": 1000 * r.last_change_to_converged_s,
                "max_staleness_ms": 1000 * r.max_staleness_s, "push_rounds": r.push_rounds, "pushes": r.pushes,
                "round_times_ms": [1000 * t for t in r.round_times_s]}
        err = m["last_change_to_converged_ms"] - pred["last_change_to_converged_ms"]
        pred["error_ms"] = err
        pred["error_pct"] = 100 * err / pred["last_change_to_converged_ms"] if pred["last_change_to_converged_ms"] else 0.0
        row[label] = pred
    return row


def agreement(rows: list[dict]) -> dict:
    def errs(label: str) -> list[float]:
        return [abs(r[label]["error_pct"]) for r in rows]
    cal, nom = errs("calibrated"), errs("nominal")
    return {
        "scenarios": len(rows),
        "median_abs_error_pct": statistics.median(cal), "max_abs_error_pct": max(cal),
        "max_abs_error_ms": max(abs(r["calibrated"]["error_ms"]) for r in rows),
        "nominal_median_abs_error_pct": statistics.median(nom), "nominal_max_abs_error_pct": max(nom),
        "rounds_match": sum(r["measured"]["push_rounds"] == r["calibrated"]["push_rounds"] for r in rows),
        "pushes_max_diff_pct": max(100 * abs(r["measured"]["pushes"] - r["calibrated"]["pushes"]) / r["calibrated"]["pushes"]
                                   for r in rows),
        "slot_overhead_pct": 100 * (statistics.median(r["slot_ms_mean"] for r in rows) / rows[0]["push_ms"] - 1),
        "within_10pct": sum(e <= 10 for e in cal),
    }


def measure(ctx: Context) -> dict:
    p = ctx.params
    runs = scenarios(p)
    ctx.progress(0.0, N_("building xdssim"))
    binary = build(paths.samples_dir() / "xdssim", name="xdssim")
    raw, rows = [], []
    total = len(runs) * p["repeats"]
    k = 0
    for rep in range(p["repeats"]):
        for s in runs:
            ctx.progress(k / total, PROGRESS_RUN.format(what=s["name"], i=rep + 1, n=p["repeats"]))
            k += 1
            spec = {key: v for key, v in s.items() if key != "kind"}
            spec["timeout_ms"] = 30_000
            done = proc.run([str(binary), "-json", json.dumps(spec)], timeout=60, check=True, what="xdssim")
            result = json.loads(done.stdout)[0]
            if result.get("error"):
                raise proc.ProcessError(f"xdssim {s['name']}: {result['error']}")
            raw.append({"scenario": s, "repeat": rep, "result": result})
            rows.append(compare(s, result))
    summary = {
        "agreement": agreement(rows),
        "rows": rows,
        "gomaxprocs": raw[0]["result"]["gomaxprocs"] if raw else None,
        "push_ms": p["push_ms"],
    }
    return {"summary": summary, "raw": {"runs": raw}}


register(Measurement(
    name="control_plane_sim", title=N_("Simulated istiod push (debounce, push queue, throttle) in Go vs the model"),
    chapter=3, sources=("go.mod", "xdssim"), params=PARAMS,
    presets={"quick": {"repeats": 1}, "full": {"proxies": "100,1000,5000,20000", "repeats": 3}},
    func=measure, code_version=1,
    description="Runs go-samples/xdssim for change storms, spaced changes, a storm longer than DEBOUNCE_MAX and "
                "no debouncing, and compares each run with the push model.",
))
