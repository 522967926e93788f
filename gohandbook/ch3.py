"""Chapter 3 glue: parameters → the xDS push model, cached measurements → rows for charts and tables.

No I/O but cache reads. Cited facts and defaults live here, each with its source.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from . import measure
from .cache import Memo
from .chapters import COMMON, Chapter
from .models import control_plane as cp
from .models.knee import find_knee, marginal_knee
from .params import Param, ParameterError, ParamSet

MEASUREMENTS = ("control_plane_sim", "proxy_knee")

THROTTLES = {
    "auto": "istiod today: min(15 + 5·GOMAXPROCS, 100) pushes in flight",
    "legacy_100": "older istiod: 100 pushes in flight",
    "custom": "your value: pushes in flight",
    "rate": "the seed's reading (early Pilot): pushes started per second",
}

PARAMS = COMMON.merged(ParamSet("chapter 3", (
    Param("cp_proxies", "int", 1000, "Proxies (sidecars, gateways) connected to one istiod",
          label="Proxies", min=1, max=20000, step=1, scale="log", fmt=",d"),
    Param("cp_change_rate", "float", 20.0, "Config changes per second during a change storm (e.g. a rollout moving endpoints)",
          label="Changes per second", min=0.1, max=100, step=0.1, scale="log", fmt=",g"),
    Param("cp_change_window_s", "float", 2.0, "How long the change storm lasts (s); at least one change happens",
          label="Storm length (s)", min=0, max=30, step=0.5),
    Param("cp_push_ms", "float", 10.0,
          "Time to push config to one proxy (ms). An assumption, not a published default: read yours from istiod's "
          "pilot_xds_push_time histogram", label="Per-push time (ms)", min=1, max=1000, step=1, scale="log", fmt=",g"),
    Param("cp_throttle", "choice", "auto", "How PILOT_PUSH_THROTTLE limits pushes: " + "; ".join(
        f"{k} = {v}" for k, v in THROTTLES.items()), label="Push throttle", choices=tuple(THROTTLES)),
    Param("cp_throttle_value", "float", 50.0, "For throttle custom: pushes in flight; for rate: pushes per second",
          label="Throttle value (custom / rate)", min=1, max=1000, step=1, scale="log", fmt=",g"),
    Param("cp_gomaxprocs", "int", 2, "istiod's GOMAXPROCS (the cores it sees); sets the auto throttle",
          label="istiod GOMAXPROCS", min=1, max=64, step=1),
    Param("cp_debounce", "bool", True, "Debounce config events (PILOT_DEBOUNCE_AFTER / _MAX); false pushes every change at once",
          label="Debounce (istiod default)"),
    Param("cp_debounce_after_ms", "float", 100.0, "PILOT_DEBOUNCE_AFTER: quiet time before a push (ms)",
          label="DEBOUNCE_AFTER (ms)", min=1, max=10000, step=10, scale="log", fmt=",g"),
    Param("cp_debounce_max_s", "float", 10.0, "PILOT_DEBOUNCE_MAX: longest a change waits for quiet (s)",
          label="DEBOUNCE_MAX (s)", min=0.01, max=600, step=0.5, scale="log", fmt=",g"),
    Param("dp_knee_pct", "float", 95.0, "Knee rule: smallest connection count reaching this % of the plateau throughput",
          label="Knee threshold (% of plateau)", min=50, max=100, step=1),
)), name="chapter 3")

CHAPTER = Chapter(3, "03-service-mesh-drivers.ipynb", "Service-mesh drivers: control plane and data plane",
                  PARAMS, MEASUREMENTS)

TUNING_GO = "https://github.com/istio/istio/blob/master/pilot/pkg/features/tuning.go"
PUSHQUEUE_GO = "https://github.com/istio/istio/blob/master/pilot/pkg/xds/pushqueue.go"

DEFAULTS = (
    # (setting, default, what it does, source title, url)
    ("PILOT_DEBOUNCE_AFTER", "100 ms", "Quiet time after the last config event before a push; each event restarts it.",
     "istio/istio pilot/pkg/features/tuning.go", TUNING_GO),
    ("PILOT_DEBOUNCE_MAX", "10 s", "Longest an event waits for quiet: then the push happens anyway.",
     "istio/istio pilot/pkg/features/tuning.go", TUNING_GO),
    ("PILOT_ENABLE_EDS_DEBOUNCE", "true", "Endpoint (EDS) updates are debounced too; false pushes them at once.",
     "istio/istio pilot/pkg/features/tuning.go", TUNING_GO),
    ("PILOT_PUSH_THROTTLE", "0 = auto: min(15 + 5·GOMAXPROCS, 100)",
     "Concurrent pushes (not pushes per second): 20 at 1 core, 25 at 2, 35 at 4, 100 from 17 cores.",
     "istio/istio pilot/pkg/features/tuning.go", TUNING_GO),
    ("PILOT_PUSH_THROTTLE (older releases)", "100", "A fixed limit of 100 concurrent pushes.",
     "istio/istio pilot/pkg/features/pilot.go, 2019–2020 releases (file history)",
     "https://github.com/istio/istio/commits/master/pilot/pkg/features/pilot.go"),
    ("PILOT_PUSH_THROTTLE (early Pilot, 2019)", "10 pushes/s, burst 100 (PILOT_PUSH_BURST)",
     "Then a rate limit: the only reading in which the seed's 'pushes per second' comment is right.",
     "istio/istio pilot/pkg/features/pilot.go, early 2019 (file history)",
     "https://github.com/istio/istio/commits/master/pilot/pkg/features/pilot.go"),
    ("Push queue", "merge while waiting, re-queue while pushing",
     "A proxy already queued gets the newest config; one being pushed to is queued again afterwards.",
     "istio/istio pilot/pkg/xds/pushqueue.go", PUSHQUEUE_GO),
)

FACTS = (
    # (project, seed says, what the record shows, source title, url)
    ("Istio control plane", "rewritten into a lighter Go implementation in 1.17+",
     "Always Go. Istio 1.5 (March 2020) merged Pilot, Galley, Citadel and the sidecar injector into one binary, "
     "istiod: a consolidation of Go components, not a language rewrite. The sidecar data plane stayed Envoy (C++).",
     "Istio blog: Introducing istiod: simplifying the control plane (2020)", "https://istio.io/latest/blog/2020/istiod/"),
    ("Istio ambient data plane", "(not mentioned)",
     "Ambient mode's per-node proxy ztunnel is a new Rust code base (2023); waypoint proxies are Envoy.",
     "Istio blog: Introducing Rust-Based Ztunnel for Istio Ambient Service Mesh (2023)",
     "https://istio.io/latest/blog/2023/rust-based-ztunnel/"),
    ("Linkerd", "Destination Controller rewritten in Go in 2.14+",
     "Linkerd 1.x was Scala/Finagle. Linkerd2 (2.0, 2018) was a new product line with a Go control plane "
     "(destination controller included) and a Rust data plane, linkerd2-proxy. Nothing comparable happened in 2.14.",
     "linkerd/linkerd2 and linkerd/linkerd2-proxy repositories", "https://github.com/linkerd/linkerd2"),
    ("xds-relay", "Istio decouples xDS distribution with an xds-relay pattern",
     "istiod generates and serves xDS itself; xds-relay is a separate Envoy project for caching xDS responses.",
     "envoyproxy/xds-relay", "https://github.com/envoyproxy/xds-relay"),
)

SEED_PROXY_TABLE = (
    # The seed's table (quoted) and the published MOSN reports, side by side; nothing here is measured.
    {"Source": "Seed (no source given)", "Proxy": "Envoy (C++)", "Setup": "16c32g, 'DPDK bypass', HTTP/1.1 1 KB",
     "Connections": "50k", "Peak QPS": "128,400", "CPU @ knee": "82 %", "Memory growth": "+3.1 MB/s"},
    {"Source": "Seed (no source given)", "Proxy": "MOSN (Go)", "Setup": "same", "Connections": "35k (knee)",
     "Peak QPS": "76,900", "CPU @ knee": "94 %", "Memory growth": "+11.7 MB/s"},
    {"Source": "MOSN 0.1.0 performance report (SOFAStack)", "Proxy": "MOSN vs Envoy",
     "Setup": "1 dedicated core, HTTP/1.1 1 KB, ab -k, client/proxy/server on separate hosts (2.5 ms RTT)",
     "Connections": "20 (concurrency)", "Peak QPS": "about equal (≈5,600 each, as reported)", "CPU @ knee": "—",
     "Memory growth": "—"},
    {"Source": "MOSN 0.2.1 performance report (SOFAStack)", "Proxy": "MOSN (two chained, sidecar scenario)",
     "Setup": "1 core, HTTP/1.1 1 KB, ab -c 500 -k", "Connections": "500", "Peak QPS": "4,610", "CPU @ knee": "90 %",
     "Memory growth": "—"},
)
MOSN_010_URL = "https://sofastack.github.io/sofastack.tech/projects/mosn/reference-performance-report010"
MOSN_021_URL = "https://sofastack.github.io/sofastack.tech/projects/mosn/reference-performance-report021"

# ---------------------------------------------------------------- 3.2 the push model

def throttle_value(params: Mapping[str, Any]) -> tuple[int | None, float | None]:
    """(pushes in flight, pushes per second) for the chosen throttle."""
    t = params["cp_throttle"]
    if t == "auto":
        return cp.istiod_push_throttle(params["cp_gomaxprocs"]), None
    if t == "legacy_100":
        return cp.LEGACY_PUSH_THROTTLE, None
    if t == "custom":
        return int(round(params["cp_throttle_value"])), None
    return None, float(params["cp_throttle_value"])


def throttle_label(params: Mapping[str, Any]) -> str:
    conc, rate = throttle_value(params)
    t = params["cp_throttle"]
    if t == "auto":
        return f"auto ({conc} in flight at GOMAXPROCS {params['cp_gomaxprocs']})"
    if t == "legacy_100":
        return "older fixed 100 in flight"
    if t == "custom":
        return f"{conc} in flight"
    return f"{rate:g} pushes/s (rate reading)"


def model_input(params: Mapping[str, Any], **override: Any) -> cp.PushModelInput:
    p = {**params, **override}
    if p["cp_debounce"] and p["cp_debounce_max_s"] * 1000 < p["cp_debounce_after_ms"]:
        raise ParameterError(f"cp_debounce_max_s = {p['cp_debounce_max_s']:g} s is shorter than cp_debounce_after_ms = "
                             f"{p['cp_debounce_after_ms']:g} ms: DEBOUNCE_MAX must be at least DEBOUNCE_AFTER")
    conc, rate = throttle_value(p)
    return cp.PushModelInput(
        proxies=int(p["cp_proxies"]),
        change_times_s=cp.evenly_spaced_changes(p["cp_change_rate"], p["cp_change_window_s"]),
        push_s=p["cp_push_ms"] / 1000, concurrency=conc, rate_per_s=rate, debounce=bool(p["cp_debounce"]),
        debounce_after_s=p["cp_debounce_after_ms"] / 1000, debounce_max_s=p["cp_debounce_max_s"])


def model_result(params: Mapping[str, Any], **override: Any) -> cp.PushModelResult:
    inp = model_input(params, **override)
    return _SIMULATIONS.get(repr(inp), lambda: cp.simulate(inp))


# The sweeps simulate ~45 scenarios per page state, and moving one control changes only some of them (the
# proxy sweep does not depend on the proxy count, nor the rate sweep on the change rate): inputs are frozen
# dataclasses of plain values, so equal reprs mean equal results.
_SIMULATIONS = Memo(1024)


PROXY_GRID = (10, 30, 100, 300, 1000, 3000, 10000, 20000)
RATE_GRID = (0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
SWEEP_BUDGET = 400_000   # simulated pushes per sweep point; larger points are left out (and said so)
LIVE_SWEEP_BUDGET = 50_000   # the same bound on a live page, so that moving a control stays within a second


def sweep_budget(params: Mapping[str, Any]) -> int:
    """Simulated pushes allowed per sweep point: smaller on live pages than in reports (charts say which)."""
    return LIVE_SWEEP_BUDGET if params.get("live_widgets", True) else SWEEP_BUDGET


def _try(inp: cp.PushModelInput, budget: int = SWEEP_BUDGET) -> cp.PushModelResult | None:
    def run():
        try:
            return cp.simulate(inp, max_pushes=budget)
        except ParameterError:
            return None
    return _SIMULATIONS.get(f"sweep {budget} {inp!r}", run)


def sweep_proxies(params: Mapping[str, Any]) -> list[dict]:
    """Time from the last change until every proxy has it, per proxy count, for each throttle reading."""
    settings = [
        ("auto", {"cp_throttle": "auto"}),
        ("legacy_100", {"cp_throttle": "legacy_100"}),
        ("rate", {"cp_throttle": "rate", "cp_throttle_value": 50.0}),
    ]
    if params["cp_throttle"] == "custom" or (params["cp_throttle"] == "rate" and params["cp_throttle_value"] != 50):
        settings.append(("yours", {}))
    names = {"auto": f"auto: {cp.istiod_push_throttle(params['cp_gomaxprocs'])} in flight (istiod today)",
             "legacy_100": "100 in flight (older istiod)", "rate": "50 pushes/s (the seed's reading)",
             "yours": f"yours: {throttle_label(params)}"}
    grid = sorted(set(PROXY_GRID) | {int(params["cp_proxies"])})
    rows = []
    for key, over in settings:
        for n in grid:
            r = _try(model_input(params, cp_proxies=n, **over), sweep_budget(params))
            if r is None:
                break   # more proxies need more pushes still: the rest of this line is over the budget too
            rows.append({"proxies": n, "setting": names[key], "converge_s": r.last_change_to_converged_s,
                         "max_staleness_s": r.max_staleness_s, "pushes": r.pushes, "rounds": r.push_rounds})
    return rows


def sweep_rate(params: Mapping[str, Any]) -> list[dict]:
    """Push load per change rate, with and without debouncing (the other inputs as chosen)."""
    grid = sorted(set(RATE_GRID) | {float(params["cp_change_rate"])})
    rows = []
    for debounce in (True, False):
        for rate in grid:
            r = _try(model_input(params, cp_change_rate=rate, cp_debounce=debounce), sweep_budget(params))
            if r is None:
                if debounce:   # debounced, more changes can mean fewer rounds: try the next rate
                    continue
                break          # every change pushed: more changes need more pushes still, the rest is over too
            rows.append({"rate": rate, "debounce": "debounced (istiod default)" if debounce else "every change pushed",
                         "pushes_per_s": r.pushes_per_s, "pushes": r.pushes, "rounds": r.push_rounds,
                         "changes": r.changes, "converge_s": r.last_change_to_converged_s,
                         "max_staleness_s": r.max_staleness_s})
    return rows


def timeline_rows(result: cp.PushModelResult, limit: int = 60) -> tuple[list[dict], list[dict]]:
    """(one row per change: made → every proxy has it; one row per push round), at most `limit` changes shown."""
    k = result.changes
    step = max(1, math.ceil(k / limit))
    changes = [{"change": j + 1, "made_s": t, "converged_s": c, "wait_s": c - t}
               for j, (t, c) in enumerate(zip(result.inp.change_times_s, result.converged_s)) if j % step == 0 or j == k - 1]
    rounds = [{"round": i + 1, "at_s": t, "carries": v, "pushes": n}
              for i, (t, v, n) in enumerate(zip(result.round_times_s, result.round_versions, result.pushes_per_round))]
    return changes, rounds


def model_headline(params: Mapping[str, Any], r: cp.PushModelResult) -> str:
    return (f"{params['cp_proxies']:,} proxies: every proxy has the last change {r.last_change_to_converged_s:.2f} s "
            f"after it; the first change waits {r.max_staleness_s:.2f} s; {r.pushes:,} pushes in {r.push_rounds} "
            f"round{'s' if r.push_rounds != 1 else ''}")


def model_rows(r: cp.PushModelResult) -> list[dict]:
    s = r.summary()
    return [
        {"Output": "From the last change until every proxy has it", "Value": f"{s['last_change_to_converged_s']:.3f} s"},
        {"Output": "Longest wait of any change (usually the first of a storm)", "Value": f"{s['max_staleness_s']:.3f} s"},
        {"Output": "Mean wait per change", "Value": f"{s['mean_staleness_s']:.3f} s"},
        {"Output": "Config changes", "Value": f"{s['changes']:,}"},
        {"Output": "Push rounds (debounced pushes of all proxies)", "Value": f"{s['push_rounds']:,}"},
        {"Output": "Pushes to single proxies", "Value": f"{s['pushes']:,} ({s['pushes_per_change']:.0f} per change)"},
        {"Output": "Push rate while converging", "Value": f"{s['pushes_per_s']:,.0f} pushes/s"},
        {"Output": "Push slots busy while converging",
         "Value": "— (rate mode)" if s["slot_busy_pct"] is None else f"{s['slot_busy_pct']:.0f} %"},
    ]


# ---------------------------------------------------------------- 3.2 the Go simulation

def sim_rows(found: measure.Lookup) -> list[dict]:
    """Measured runs of go-samples/xdssim next to the current model's predictions (recomputed here)."""
    if not found.ok:
        return []
    from .measure.control_plane_sim import compare

    runs = found.result["raw"].get("runs")
    if not runs:  # a reference result ships without raw runs: show the rows compared when it was measured
        return found.result["summary"]["rows"]
    return [compare(run["scenario"], run["result"]) for run in runs]


def sim_agreement(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    from .measure.control_plane_sim import agreement

    return agreement(rows)


# ---------------------------------------------------------------- 3.3 the proxy knee

VARIANT_LABELS = {"fresh": "fresh buffer per request", "pooled": "sync.Pool BufferPool"}


def knee_curves(found: measure.Lookup) -> dict[str, list[dict]]:
    if not found.ok:
        return {}
    return {v: s["curve"] for v, s in found.result["summary"]["variants"].items()}


def knees(found: measure.Lookup, threshold_pct: float) -> dict[str, dict]:
    """The knee per variant by the chapter's threshold (recomputed from the cached curves)."""
    out = {}
    for v, curve in knee_curves(found).items():
        pts = [(r["connections"], r["qps"]) for r in curve]
        k = find_knee(pts, threshold_pct)
        at = curve[k.index]
        out[v] = {"connections": k.connections, "qps": k.qps, "plateau_qps": k.plateau_qps,
                  "threshold_qps": k.threshold_qps, "within_range": k.within_range, "p99_ms": at["p99_ms"],
                  "proxy_cpu_pct": at["proxy_cpu_pct"], "marginal": marginal_knee(pts, 5.0), "rule": k.rule,
                  "max_tested": pts[-1][0]}
    return out


def knee_headline(found: measure.Lookup, threshold_pct: float) -> str:
    ks = knees(found, threshold_pct)
    if not ks:
        return "Not measured on this machine yet"
    parts = []
    for v, k in ks.items():
        where = f"{k['connections']} connections" if k["within_range"] else f"not reached by {k['max_tested']} connections"
        parts.append(f"{VARIANT_LABELS.get(v, v)}: knee at {where} (~{k['plateau_qps']:,.0f} req/s)")
    return "; ".join(parts)


def contention(found: measure.Lookup) -> float | None:
    """Median share of the proxy's core used by other processes during the runs (%), if measured."""
    if not found.ok:
        return None
    import statistics

    vals = [r["cpu0_busy_pct"] - r["proxy_cpu_pct"] for r in found.result["raw"].get("points", [])
            if r.get("cpu0_busy_pct") is not None]
    return statistics.median(vals) if vals else None


def knee_rows(found: measure.Lookup, threshold_pct: float) -> list[dict]:
    if not found.ok:
        return []
    s = found.result["summary"]
    ks = knees(found, threshold_pct)
    rows = []
    for v, vs in s["variants"].items():
        k = ks[v]
        rows.append({
            "Variant": VARIANT_LABELS.get(v, v),
            "Knee (connections)": k["connections"] if k["within_range"] else f"> {k['max_tested']}",
            "Plateau (req/s)": f"{k['plateau_qps']:,.0f}",
            "p99 at knee (ms)": f"{k['p99_ms']:.2f}",
            "Proxy CPU at knee": f"{k['proxy_cpu_pct']:.0f} %",
            "Max p99 (ms)": f"{vs['max_p99_ms']:.1f}",
            "Proxy CPU per request": f"{vs['cpu_us_per_req']:.0f} µs" if "cpu_us_per_req" in vs else "—",
            "Alloc per request": f"{vs['alloc_bytes_per_req'] / 1024:.1f} KiB, {vs['alloc_objects_per_req']:.0f} objects",
            "GC cycles per 1k requests": f"{vs['gc_per_1k_req']:.2f}",
            "GC CPU on the plateau": f"{vs['plateau_gc_cpu_pct']:.1f} % of a core",
            "Errors": vs["errors"],
        })
    return rows


def gc_rows(found: measure.Lookup) -> list[dict]:
    """Long form for the allocation / GC chart: one row per variant and metric."""
    if not found.ok:
        return []
    out = []
    for v, vs in found.result["summary"]["variants"].items():
        extra = (("Proxy CPU per request (µs)", vs["cpu_us_per_req"]),) if "cpu_us_per_req" in vs else ()
        for metric, value in (("Allocated KiB per request", vs["alloc_bytes_per_req"] / 1024),
                              ("Heap objects per request", vs["alloc_objects_per_req"]),
                              ("GC cycles per 1,000 requests", vs["gc_per_1k_req"]),
                              ("GC CPU on the plateau (% of a core)", vs["plateau_gc_cpu_pct"]), *extra):
            out.append({"variant": VARIANT_LABELS.get(v, v), "metric": metric, "value": value})
    return out


def gc_headline(found: measure.Lookup) -> tuple[str, list[str]]:
    """(title, more subtitle lines) for the allocation / GC chart."""
    if not found.ok:
        return "Not measured on this machine yet", []
    s = found.result["summary"]
    if "pooled_vs_fresh_alloc_bytes_ratio" not in s:
        return "Only one variant measured", []
    title = (f"sync.Pool cuts allocated bytes per request by {100 * (1 - s['pooled_vs_fresh_alloc_bytes_ratio']):.0f} % "
             f"and GC cycles by {100 * (1 - (s['pooled_vs_fresh_gc_ratio'] or 1)):.0f} %")
    more = [f"Heap objects per request stay about the same ({s['fresh']['alloc_objects_per_req']:.0f} vs "
            f"{s['pooled']['alloc_objects_per_req']:.0f}): the buffer is one large allocation among many small ones."]
    cpu = (f"Proxy CPU per request {100 * (1 / s['pooled_vs_fresh_capacity_ratio'] - 1):+.0f} % with the pool; "
           if "pooled_vs_fresh_capacity_ratio" in s else "")
    more.append(cpu + f"measured plateau throughput {100 * (s['pooled_vs_fresh_qps_ratio'] - 1):+.0f} %.")
    return title, more


# ---------------------------------------------------------------- claims

def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Headline figures for the summary chapter: control-plane convergence and the proxy's knee."""
    out: list[dict[str, Any]] = []
    r = model_result(params)
    out.append({"chapter": 3, "figure": f"xDS: all {params['cp_proxies']:,} proxies converged after the last change",
                "value": round(r.last_change_to_converged_s, 2), "unit": "s", "band": model_headline(params, r),
                "kind": "model", "status": "computed",
                "provenance": "control_plane_push model with istiod's published defaults, parameters from this profile"})
    found = CHAPTER.results(params)
    sim = found["control_plane_sim"]
    if sim.ok:
        a = sim.result["summary"]["agreement"]
        out.append({"chapter": 3, "figure": "Model vs Go simulation: worst convergence-time error", "kind": "measured",
                    "value": round(a["max_abs_error_pct"], 1), "unit": "%", "status": sim.status,
                    "provenance": measure.provenance_line(sim.result)})
    knee = found["proxy_knee"]
    if knee.ok:
        s = knee.result["summary"]
        prov = measure.provenance_line(knee.result)
        out.append({"chapter": 3, "figure": "Reverse proxy (fresh buffers): knee", "value": s["knee_connections"],
                    "unit": "connections", "kind": "measured", "status": knee.status, "provenance": prov,
                    "band": f"tested up to {s['max_connections_tested']}"})
        out.append({"chapter": 3, "figure": "sync.Pool buffers: bytes allocated per request vs fresh", "kind": "measured",
                    "value": round(s["pooled_vs_fresh_alloc_bytes_ratio"], 2), "unit": "×", "status": knee.status,
                    "provenance": prov})
    return out
