"""Chapter 3 glue: parameters → the xDS push model, cached measurements → rows for charts and tables.

No I/O but cache reads. Cited facts and defaults live here, each with its source.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from . import measure
from .cache import Memo
from .chapters import COMMON, Chapter
from .i18n import N_, _, use
from .models import control_plane as cp
from .models.knee import find_knee, marginal_knee
from .params import Param, ParameterError, ParamSet

MEASUREMENTS = ("control_plane_sim", "proxy_knee")

THROTTLES = {
    "auto": N_("istiod today: min(15 + 5·GOMAXPROCS, 100) pushes in flight"),
    "legacy_100": N_("older istiod: 100 pushes in flight"),
    "custom": N_("your value: pushes in flight"),
    "rate": N_("the seed's reading (early Pilot): pushes started per second"),
}
# How the throttle control's options read (the values stay the keys above)
THROTTLE_OPTIONS = {
    "auto": N_("auto: istiod today, min(15 + 5·GOMAXPROCS, 100) pushes in flight"),
    "legacy_100": N_("legacy_100: older istiod, 100 pushes in flight"),
    "custom": N_("custom: your value, pushes in flight"),
    "rate": N_("rate: the seed's reading (early Pilot), pushes started per second"),
}

PARAMS = COMMON.merged(ParamSet("chapter 3", (
    Param("cp_proxies", "int", 1000, N_("Proxies (sidecars, gateways) connected to one istiod"),
          label=N_("Proxies"), min=1, max=20000, step=1, scale="log", fmt=",d"),
    Param("cp_change_rate", "float", 20.0,
          N_("Config changes per second during a change storm (e.g. a rollout moving endpoints)"),
          label=N_("Changes per second"), min=0.1, max=100, step=0.1, scale="log", fmt=",g"),
    Param("cp_change_window_s", "float", 2.0, N_("How long the change storm lasts (s); at least one change happens"),
          label=N_("Storm length (s)"), min=0, max=30, step=0.5),
    Param("cp_push_ms", "float", 10.0,
          N_("Time to push config to one proxy (ms). An assumption, not a published default: read yours from "
             "istiod's pilot_xds_push_time histogram"),
          label=N_("Per-push time (ms)"), min=1, max=1000, step=1, scale="log", fmt=",g"),
    Param("cp_throttle", "choice", "auto",
          N_("How PILOT_PUSH_THROTTLE limits pushes: auto = istiod today, min(15 + 5·GOMAXPROCS, 100) pushes in "
             "flight; legacy_100 = older istiod, 100 in flight; custom = your value in flight; rate = pushes "
             "started per second (the seed's reading, early Pilot)"),
          label=N_("Push throttle"), choices=tuple(THROTTLES)),
    Param("cp_throttle_value", "float", 50.0, N_("For throttle custom: pushes in flight; for rate: pushes per second"),
          label=N_("Throttle value (custom / rate)"), min=1, max=1000, step=1, scale="log", fmt=",g"),
    Param("cp_gomaxprocs", "int", 2, N_("istiod's GOMAXPROCS (the cores it sees); sets the auto throttle"),
          label=N_("istiod GOMAXPROCS"), min=1, max=64, step=1),
    Param("cp_debounce", "bool", True,
          N_("Debounce config events (PILOT_DEBOUNCE_AFTER / _MAX); false pushes every change at once"),
          label=N_("Debounce (istiod default)")),
    Param("cp_debounce_after_ms", "float", 100.0, N_("PILOT_DEBOUNCE_AFTER: quiet time before a push (ms)"),
          label="DEBOUNCE_AFTER (ms)", min=1, max=10000, step=10, scale="log", fmt=",g"),
    Param("cp_debounce_max_s", "float", 10.0, N_("PILOT_DEBOUNCE_MAX: longest a change waits for quiet (s)"),
          label="DEBOUNCE_MAX (s)", min=0.01, max=600, step=0.5, scale="log", fmt=",g"),
    Param("dp_knee_pct", "float", 95.0,
          N_("Knee rule: smallest connection count reaching this % of the plateau throughput"),
          label=N_("Knee threshold (% of plateau)"), min=50, max=100, step=1),
)), name="chapter 3")

CHAPTER = Chapter(3, "03-service-mesh-drivers.ipynb", "Service-mesh drivers: control plane and data plane",
                  PARAMS, MEASUREMENTS)

TUNING_GO = "https://github.com/istio/istio/blob/master/pilot/pkg/features/tuning.go"
PUSHQUEUE_GO = "https://github.com/istio/istio/blob/master/pilot/pkg/xds/pushqueue.go"

PILOT_GO_HISTORY = "https://github.com/istio/istio/commits/master/pilot/pkg/features/pilot.go"

DEFAULTS = (
    # (setting, default, what it does, source title, url); words marked N_ are translated where shown
    ("PILOT_DEBOUNCE_AFTER", "100 ms", N_("Quiet time after the last config event before a push; each event restarts it."),
     "istio/istio pilot/pkg/features/tuning.go", TUNING_GO),
    ("PILOT_DEBOUNCE_MAX", "10 s", N_("Longest an event waits for quiet: then the push happens anyway."),
     "istio/istio pilot/pkg/features/tuning.go", TUNING_GO),
    ("PILOT_ENABLE_EDS_DEBOUNCE", "true", N_("Endpoint (EDS) updates are debounced too; false pushes them at once."),
     "istio/istio pilot/pkg/features/tuning.go", TUNING_GO),
    ("PILOT_PUSH_THROTTLE", "0 = auto: min(15 + 5·GOMAXPROCS, 100)",
     N_("Concurrent pushes (not pushes per second): 20 at 1 core, 25 at 2, 35 at 4, 100 from 17 cores."),
     "istio/istio pilot/pkg/features/tuning.go", TUNING_GO),
    (N_("PILOT_PUSH_THROTTLE (older releases)"), "100", N_("A fixed limit of 100 concurrent pushes."),
     (N_("{path}, 2019–2020 releases (file history)"), "istio/istio pilot/pkg/features/pilot.go"), PILOT_GO_HISTORY),
    (N_("PILOT_PUSH_THROTTLE (early Pilot, 2019)"), N_("10 pushes/s, burst 100 (PILOT_PUSH_BURST)"),
     N_("Then a rate limit: the only reading in which the seed's 'pushes per second' comment is right."),
     (N_("{path}, early 2019 (file history)"), "istio/istio pilot/pkg/features/pilot.go"), PILOT_GO_HISTORY),
    (N_("Push queue"), N_("merge while waiting, re-queue while pushing"),
     N_("A proxy already queued gets the newest config; one being pushed to is queued again afterwards."),
     "istio/istio pilot/pkg/xds/pushqueue.go", PUSHQUEUE_GO),
)

FACTS = (
    # (project, seed says, what the record shows, source title, url); a title (message, value) is the message
    # with the published (English) title put in
    (N_("Istio control plane"), N_("rewritten into a lighter Go implementation in 1.17+"),
     N_("Always Go. Istio 1.5 (March 2020) merged Pilot, Galley, Citadel and the sidecar injector into one binary, "
        "istiod: a consolidation of Go components, not a language rewrite. The sidecar data plane stayed Envoy (C++)."),
     (N_("Istio blog: {title}"), "Introducing istiod: simplifying the control plane (2020)"),
     "https://istio.io/latest/blog/2020/istiod/"),
    (N_("Istio ambient data plane"), N_("(not mentioned)"),
     N_("Ambient mode's per-node proxy ztunnel is a new Rust code base (2023); waypoint proxies are Envoy."),
     (N_("Istio blog: {title}"), "Introducing Rust-Based Ztunnel for Istio Ambient Service Mesh (2023)"),
     "https://istio.io/latest/blog/2023/rust-based-ztunnel/"),
    ("Linkerd", N_("Destination Controller rewritten in Go in 2.14+"),
     N_("Linkerd 1.x was Scala/Finagle. Linkerd2 (2.0, 2018) was a new product line with a Go control plane "
        "(destination controller included) and a Rust data plane, linkerd2-proxy. Nothing comparable happened in 2.14."),
     N_("linkerd/linkerd2 and linkerd/linkerd2-proxy repositories"), "https://github.com/linkerd/linkerd2"),
    ("xds-relay", N_("Istio decouples xDS distribution with an xds-relay pattern"),
     N_("istiod generates and serves xDS itself; xds-relay is a separate Envoy project for caching xDS responses."),
     "envoyproxy/xds-relay", "https://github.com/envoyproxy/xds-relay"),
)

# The seed's table (quoted) and the published MOSN reports, side by side; nothing here is measured. Keys are the
# table's headers; headers and words are translated where shown (seed_table_rows).
SEED_PROXY_TABLE = (
    {N_("Source"): N_("Seed (no source given)"), N_("Proxy"): "Envoy (C++)",
     N_("Setup"): N_("16c32g, 'DPDK bypass', HTTP/1.1 1 KB"), N_("Connections"): "50k", N_("Peak QPS"): "128,400",
     N_("CPU @ knee"): "82 %", N_("Memory growth"): "+3.1 MB/s"},
    {N_("Source"): N_("Seed (no source given)"), N_("Proxy"): "MOSN (Go)", N_("Setup"): N_("same"),
     N_("Connections"): N_("35k (knee)"), N_("Peak QPS"): "76,900", N_("CPU @ knee"): "94 %",
     N_("Memory growth"): "+11.7 MB/s"},
    {N_("Source"): N_("MOSN 0.1.0 performance report (SOFAStack)"), N_("Proxy"): N_("MOSN vs Envoy"),
     N_("Setup"): N_("1 dedicated core, HTTP/1.1 1 KB, ab -k, client/proxy/server on separate hosts (2.5 ms RTT)"),
     N_("Connections"): N_("20 (concurrency)"), N_("Peak QPS"): N_("about equal (≈5,600 each, as reported)"),
     N_("CPU @ knee"): "—", N_("Memory growth"): "—"},
    {N_("Source"): N_("MOSN 0.2.1 performance report (SOFAStack)"), N_("Proxy"): N_("MOSN (two chained, sidecar scenario)"),
     N_("Setup"): N_("1 core, HTTP/1.1 1 KB, ab -c 500 -k"), N_("Connections"): "500", N_("Peak QPS"): "4,610",
     N_("CPU @ knee"): "90 %", N_("Memory growth"): "—"},
)
MOSN_010_URL = "https://sofastack.github.io/sofastack.tech/projects/mosn/reference-performance-report010"
MOSN_021_URL = "https://sofastack.github.io/sofastack.tech/projects/mosn/reference-performance-report021"


def _tr(text: str | tuple[str, str], lang: str) -> str:
    """A table cell: translated when it is a marked message (code, numbers and URLs pass through); a pair
    (message, value) is the message in `lang` with the value (a path or a published title) put in."""
    if isinstance(text, tuple):
        message, value = text
        return _(message, lang).format(path=value, title=value)
    return _(text, lang) if text else text


def defaults_rows(lang: str = "en") -> list[dict]:
    """istiod's defaults as table rows ({header: cell}, plus "_t"/"_u": the source's title and URL)."""
    return [{_("Setting", lang): _tr(s, lang), _("Default", lang): _tr(d, lang), _("Meaning", lang): _tr(m, lang),
             "_t": _tr(t, lang), "_u": u} for s, d, m, t, u in DEFAULTS]


def facts_rows(lang: str = "en") -> list[dict]:
    """What the seed says about control- and data-plane languages next to the projects' records."""
    return [{_("Project", lang): _tr(p, lang), _("The seed says", lang): _tr(s, lang),
             _("The record shows", lang): _tr(f, lang), "_t": _tr(t, lang), "_u": u} for p, s, f, t, u in FACTS]


def seed_table_rows(lang: str = "en") -> list[dict]:
    return [{_(k, lang): _tr(v, lang) for k, v in row.items()} for row in SEED_PROXY_TABLE]

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
    """The chosen throttle in a few words, in the page's language."""
    conc, rate = throttle_value(params)
    t, lang = params["cp_throttle"], params.get("lang")
    if t == "auto":
        return _("auto ({n} in flight at GOMAXPROCS {procs})", lang).format(n=conc, procs=params["cp_gomaxprocs"])
    if t == "legacy_100":
        return _("older fixed 100 in flight", lang)
    if t == "custom":
        return _("{n} in flight", lang).format(n=conc)
    return _("{rate} pushes/s (rate reading)", lang).format(rate=f"{rate:g}")


def model_input(params: Mapping[str, Any], **override: Any) -> cp.PushModelInput:
    p = {**params, **override}
    if p["cp_debounce"] and p["cp_debounce_max_s"] * 1000 < p["cp_debounce_after_ms"]:
        raise ParameterError(_("cp_debounce_max_s = {max} s is shorter than cp_debounce_after_ms = {after} ms: "
                               "DEBOUNCE_MAX must be at least DEBOUNCE_AFTER", p.get("lang")).format(
            max=f"{p['cp_debounce_max_s']:g}", after=f"{p['cp_debounce_after_ms']:g}"))
    conc, rate = throttle_value(p)
    return cp.PushModelInput(
        proxies=int(p["cp_proxies"]),
        change_times_s=cp.evenly_spaced_changes(p["cp_change_rate"], p["cp_change_window_s"]),
        push_s=p["cp_push_ms"] / 1000, concurrency=conc, rate_per_s=rate, debounce=bool(p["cp_debounce"]),
        debounce_after_s=p["cp_debounce_after_ms"] / 1000, debounce_max_s=p["cp_debounce_max_s"])


def model_result(params: Mapping[str, Any], **override: Any) -> cp.PushModelResult:
    inp = model_input(params, **override)
    with use(params.get("lang")):   # the model's own messages (e.g. a scenario too large) in the page's language
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


SETTING_NAMES = {"auto": N_("auto: {n} in flight (istiod today)"), "legacy_100": N_("100 in flight (older istiod)"),
                 "rate": N_("50 pushes/s (the seed's reading)"), "yours": N_("yours: {throttle}")}
DEBOUNCE_NAMES = {"debounced (istiod default)": N_("debounced (istiod default)"),
                  "every change pushed": N_("every change pushed")}


def sweep_proxies(params: Mapping[str, Any]) -> list[dict]:
    """Time from the last change until every proxy has it, per proxy count, for each throttle reading:
    `setting` is the reading's key (auto, legacy_100, rate, yours), `label` its name in the page's language."""
    settings = [
        ("auto", {"cp_throttle": "auto"}),
        ("legacy_100", {"cp_throttle": "legacy_100"}),
        ("rate", {"cp_throttle": "rate", "cp_throttle_value": 50.0}),
    ]
    if params["cp_throttle"] == "custom" or (params["cp_throttle"] == "rate" and params["cp_throttle_value"] != 50):
        settings.append(("yours", {}))
    lang = params.get("lang")
    names = {k: _(v, lang).format(n=cp.istiod_push_throttle(params["cp_gomaxprocs"]), throttle=throttle_label(params))
             for k, v in SETTING_NAMES.items()}
    grid = sorted(set(PROXY_GRID) | {int(params["cp_proxies"])})
    rows = []
    for key, over in settings:
        for n in grid:
            r = _try(model_input(params, cp_proxies=n, **over), sweep_budget(params))
            if r is None:
                break   # more proxies need more pushes still: the rest of this line is over the budget too
            rows.append({"proxies": n, "setting": key, "label": names[key], "converge_s": r.last_change_to_converged_s,
                         "max_staleness_s": r.max_staleness_s, "pushes": r.pushes, "rounds": r.push_rounds})
    return rows


def sweep_rate(params: Mapping[str, Any]) -> list[dict]:
    """Push load per change rate, with and without debouncing (the other inputs as chosen): `debounce` is the
    stable key, `label` its name in the page's language."""
    grid = sorted(set(RATE_GRID) | {float(params["cp_change_rate"])})
    rows = []
    for debounce in (True, False):
        for rate in grid:
            r = _try(model_input(params, cp_change_rate=rate, cp_debounce=debounce), sweep_budget(params))
            if r is None:
                if debounce:   # debounced, more changes can mean fewer rounds: try the next rate
                    continue
                break          # every change pushed: more changes need more pushes still, the rest is over too
            key = "debounced (istiod default)" if debounce else "every change pushed"
            rows.append({"rate": rate, "debounce": key, "label": _(DEBOUNCE_NAMES[key], params.get("lang")),
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
    lang = params.get("lang")
    text = (_("{proxies} proxies: every proxy has the last change {converge} s after it; the first change waits "
              "{wait} s; {pushes} pushes in {rounds} push round", lang) if r.push_rounds == 1 else
            _("{proxies} proxies: every proxy has the last change {converge} s after it; the first change waits "
              "{wait} s; {pushes} pushes in {rounds} push rounds", lang))
    return text.format(
        proxies=f"{params['cp_proxies']:,}", converge=f"{r.last_change_to_converged_s:.2f}",
        wait=f"{r.max_staleness_s:.2f}", pushes=f"{r.pushes:,}", rounds=r.push_rounds)


def model_rows(r: cp.PushModelResult, lang: str = "en") -> list[dict]:
    s = r.summary()
    out, value = _("Output", lang), _("Value", lang)
    rows = [
        (N_("From the last change until every proxy has it"), f"{s['last_change_to_converged_s']:.3f} s"),
        (N_("Longest wait of any change (usually the first of a storm)"), f"{s['max_staleness_s']:.3f} s"),
        (N_("Mean wait per change"), f"{s['mean_staleness_s']:.3f} s"),
        (N_("Config changes"), f"{s['changes']:,}"),
        (N_("Push rounds (debounced pushes of all proxies)"), f"{s['push_rounds']:,}"),
        (N_("Pushes to single proxies"), _("{pushes} ({per} per change)", lang).format(
            pushes=f"{s['pushes']:,}", per=f"{s['pushes_per_change']:.0f}")),
        (N_("Push rate while converging"), _("{rate} pushes/s", lang).format(rate=f"{s['pushes_per_s']:,.0f}")),
        (N_("Push slots busy while converging"),
         _("— (rate mode)", lang) if s["slot_busy_pct"] is None else f"{s['slot_busy_pct']:.0f} %"),
    ]
    return [{out: _(name, lang), value: v} for name, v in rows]


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


SCENARIO_KINDS = {"storm": N_("storm"), "spaced": N_("spaced"), "long storm": N_("long storm"),
                  "no debounce": N_("no debounce")}


def scenario_name(row: Mapping[str, Any], lang: str = "en") -> str:
    """A simulated scenario's name in `lang` ("storm N=100 C=25"), from its kind, proxies and slots."""
    kind = _(SCENARIO_KINDS.get(row["kind"], row["kind"]), lang)
    return f"{kind} N={row['proxies']} C={row['concurrency']}"


def scenario_caption(found: measure.Lookup, lang: str = "en") -> str:
    """What each kind of simulated scenario does, from the measurement's own change schedules and parameters."""
    from .measure.control_plane_sim import LONG_STORM, SPACED, STORM

    def schedule(times: tuple[float, ...]) -> dict:
        return {"n": len(times), "gap": f"{times[1] - times[0]:g}" if len(times) > 1 else "0"}

    debounce_max = found.result["provenance"].get("params", {}).get("debounce_max_ms") if found.ok else None
    parts = [_("storm: {n} changes {gap} ms apart", lang).format(**schedule(STORM)),
             _("spaced: {n} changes {gap} ms apart", lang).format(**schedule(SPACED)),
             _("long storm: {n} changes {gap} ms apart", lang).format(**schedule(LONG_STORM))
             + ("" if debounce_max is None else
                _(", DEBOUNCE_MAX {ms} ms to fit a quick run", lang).format(ms=f"{debounce_max:g}")),
             _("no debounce: the storm's changes, each pushed at once", lang)]
    return _("{parts}.", lang).format(parts=_("; ", lang).join(parts))


def sim_agreement(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    from .measure.control_plane_sim import agreement

    return agreement(rows)


# ---------------------------------------------------------------- 3.3 the proxy knee

VARIANT_LABELS = {"fresh": N_("fresh buffer per request"), "pooled": N_("sync.Pool BufferPool")}
KNEE_RULE = N_("smallest connection count reaching {pct} % of the plateau throughput (median of the three highest "
               "points)")


def variant_labels(lang: str = "en") -> dict[str, str]:
    """The proxy variants' names in `lang` (data keys stay "fresh" and "pooled")."""
    return {k: _(v, lang) for k, v in VARIANT_LABELS.items()}


def knee_rule(threshold_pct: float, lang: str = "en") -> str:
    return _(KNEE_RULE, lang).format(pct=f"{threshold_pct:g}")


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


def knee_headline(found: measure.Lookup, threshold_pct: float, lang: str = "en") -> str:
    ks = knees(found, threshold_pct)
    if not ks:
        return _("Not measured on this machine yet", lang)
    names = variant_labels(lang)
    parts = []
    for v, k in ks.items():
        text = (_("{variant}: knee at {n} connections (~{qps} req/s)", lang) if k["within_range"] else
                _("{variant}: knee not reached by {n} connections (~{qps} req/s)", lang))
        parts.append(text.format(variant=names.get(v, v), n=k["connections"] if k["within_range"] else k["max_tested"],
                                 qps=f"{k['plateau_qps']:,.0f}"))
    return _("; ", lang).join(parts)


def contention(found: measure.Lookup) -> float | None:
    """Median share of the proxy's core used by other processes during the runs (%), if measured."""
    if not found.ok:
        return None
    import statistics

    vals = [r["cpu0_busy_pct"] - r["proxy_cpu_pct"] for r in found.result["raw"].get("points", [])
            if r.get("cpu0_busy_pct") is not None]
    return statistics.median(vals) if vals else None


def knee_rows(found: measure.Lookup, threshold_pct: float, lang: str = "en") -> list[dict]:
    if not found.ok:
        return []
    s = found.result["summary"]
    ks = knees(found, threshold_pct)
    names = variant_labels(lang)
    rows = []
    for v, vs in s["variants"].items():
        k = ks[v]
        rows.append({
            _("Variant", lang): names.get(v, v),
            _("Knee (connections)", lang): k["connections"] if k["within_range"] else f"> {k['max_tested']}",
            _("Plateau (req/s)", lang): f"{k['plateau_qps']:,.0f}",
            _("p99 at knee (ms)", lang): f"{k['p99_ms']:.2f}",
            _("Proxy CPU at knee", lang): f"{k['proxy_cpu_pct']:.0f} %",
            _("Max p99 (ms)", lang): f"{vs['max_p99_ms']:.1f}",
            _("Proxy CPU per request", lang): f"{vs['cpu_us_per_req']:.0f} µs" if "cpu_us_per_req" in vs else "—",
            _("Alloc per request", lang): _("{kib} KiB, {objects} objects", lang).format(
                kib=f"{vs['alloc_bytes_per_req'] / 1024:.1f}", objects=f"{vs['alloc_objects_per_req']:.0f}"),
            _("GC cycles per 1k requests", lang): f"{vs['gc_per_1k_req']:.2f}",
            _("GC CPU on the plateau", lang): _("{pct} % of a core", lang).format(pct=f"{vs['plateau_gc_cpu_pct']:.1f}"),
            _("Errors", lang): vs["errors"],
        })
    return rows


GC_METRICS = {"alloc_kib": N_("Allocated KiB per request"), "alloc_objects": N_("Heap objects per request"),
              "gc_per_1k": N_("GC cycles per 1,000 requests"), "gc_cpu_pct": N_("GC CPU on the plateau (% of a core)"),
              "cpu_us": N_("Proxy CPU per request (µs)")}


def gc_rows(found: measure.Lookup, lang: str = "en") -> list[dict]:
    """Long form for the allocation / GC chart: one row per variant and metric (`metric` the stable key,
    `metric_label` and `variant` what the chart shows, in `lang`)."""
    if not found.ok:
        return []
    names = variant_labels(lang)
    out = []
    for v, vs in found.result["summary"]["variants"].items():
        extra = (("cpu_us", vs["cpu_us_per_req"]),) if "cpu_us_per_req" in vs else ()
        for metric, value in (("alloc_kib", vs["alloc_bytes_per_req"] / 1024),
                              ("alloc_objects", vs["alloc_objects_per_req"]),
                              ("gc_per_1k", vs["gc_per_1k_req"]),
                              ("gc_cpu_pct", vs["plateau_gc_cpu_pct"]), *extra):
            out.append({"variant_key": v, "variant": names.get(v, v), "metric": metric,
                        "metric_label": _(GC_METRICS[metric], lang), "value": value})
    return out


SAME_WITHIN = 0.10   # a pooled/fresh ratio within ±10 % is called "about the same"


def gc_headline(found: measure.Lookup, lang: str = "en") -> tuple[str, list[str]]:
    """(title, more subtitle lines) for the allocation / GC chart: every finding computed from the ratios."""
    if not found.ok:
        return _("Not measured on this machine yet", lang), []
    s = found.result["summary"]
    if "pooled_vs_fresh_alloc_bytes_ratio" not in s:
        return _("Only one variant measured", lang), []
    bytes_change = 100 * (s["pooled_vs_fresh_alloc_bytes_ratio"] - 1)
    gc_change = 100 * ((s["pooled_vs_fresh_gc_ratio"] or 1) - 1)
    title = _("With sync.Pool: allocated bytes per request {bytes} %, GC cycles {gc} %", lang).format(
        bytes=f"{bytes_change:+.0f}", gc=f"{gc_change:+.0f}")
    fresh, pooled = s["fresh"]["alloc_objects_per_req"], s["pooled"]["alloc_objects_per_req"]
    if fresh and abs(pooled / fresh - 1) <= SAME_WITHIN:
        more = [_("Heap objects per request stay about the same ({fresh} vs {pooled}): the buffer is one large "
                  "allocation among many small ones.", lang).format(fresh=f"{fresh:.0f}", pooled=f"{pooled:.0f}")]
    else:
        more = [_("Heap objects per request: {fresh} fresh vs {pooled} pooled.", lang).format(
            fresh=f"{fresh:.0f}", pooled=f"{pooled:.0f}")]
    qps = _("measured plateau throughput {pct} % with the pool.", lang).format(
        pct=f"{100 * (s['pooled_vs_fresh_qps_ratio'] - 1):+.0f}")
    if "pooled_vs_fresh_capacity_ratio" in s:
        qps = _("Proxy CPU per request {pct} % with the pool; {rest}", lang).format(
            pct=f"{100 * (1 / s['pooled_vs_fresh_capacity_ratio'] - 1):+.0f}", rest=qps)
    more.append(qps)
    return title, more


def gc_pace(found: measure.Lookup) -> dict | None:
    """GC cycles per second idle and, for the fresh-buffer proxy, on the plateau (the pace the GC keeps)."""
    if not found.ok:
        return None
    s = found.result["summary"]
    variant = s.get("fresh", s["variants"][next(iter(s["variants"]))])
    per_s = variant.get("plateau_gc_per_s")
    return {"idle_per_s": s["idle_gc_cycles_per_s"], "load_per_s": per_s,
            "load_interval_ms": 1000 / per_s if per_s else None}


# ---------------------------------------------------------------- claims

KEY_FIGURES = {"converge": N_("xDS push: from the last change until every proxy has it"),
               "sim_error": N_("Model vs Go simulation: worst convergence-time error"),
               "knee": N_("Reverse proxy (fresh buffers): knee in connections (band: the connection counts tested)"),
               "pool_bytes": N_("sync.Pool buffers: bytes allocated per request vs fresh")}
# Where the model figure comes from: the model's code and the source of its defaults (paths read the same in every
# language).
MODEL_PROVENANCE = "gohandbook/models/control_plane.py; istio/istio pilot/pkg/features/tuning.go"  # paths: no words


def model_band(params: Mapping[str, Any]) -> str:
    """The model's setting in symbols and istiod's own names, the same in every language."""
    conc, rate = throttle_value(params)
    throttle = f"C = {conc}" if conc is not None else f"R = {rate:g}/s"
    debounce = (f"DEBOUNCE_AFTER = {params['cp_debounce_after_ms']:g} ms" if params["cp_debounce"]
                else "DEBOUNCE_AFTER = —")
    return f"N = {params['cp_proxies']:,}, {throttle}, {debounce}"


def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Headline figures for the summary chapter: control-plane convergence and the proxy's knee. The same in every
    language (the summary translates `figure`, a message, where it shows it); bands are symbols and numbers."""
    out: list[dict[str, Any]] = []
    r = model_result(params)
    out.append({"chapter": 3, "figure": KEY_FIGURES["converge"],
                "value": round(r.last_change_to_converged_s, 2), "unit": "s", "band": model_band(params),
                "kind": "model", "status": "computed", "provenance": MODEL_PROVENANCE})
    found = CHAPTER.results(params)
    sim = found["control_plane_sim"]
    if sim.ok:
        a = sim.result["summary"]["agreement"]
        out.append({"chapter": 3, "figure": KEY_FIGURES["sim_error"], "kind": "measured",
                    "value": round(a["max_abs_error_pct"], 1), "unit": "%", "status": sim.status,
                    "provenance": measure.provenance_line(sim.result)})
    knee = found["proxy_knee"]
    if knee.ok:
        s = knee.result["summary"]
        prov = measure.provenance_line(knee.result)
        tested = [p["connections"] for p in s["variants"].get("fresh", {}).get("curve", [])]
        out.append({"chapter": 3, "figure": KEY_FIGURES["knee"], "value": s["knee_connections"],
                    "unit": "", "kind": "measured", "status": knee.status, "provenance": prov,
                    "band": f"{min(tested, default=1)}–{s['max_connections_tested']}"})
        out.append({"chapter": 3, "figure": KEY_FIGURES["pool_bytes"], "kind": "measured",
                    "value": round(s["pooled_vs_fresh_alloc_bytes_ratio"], 2), "unit": "×", "status": knee.status,
                    "provenance": prov})
    return out
