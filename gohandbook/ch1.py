"""Chapter 1 glue: parameters → decision model, cached measurements → tables. No I/O but cache reads."""

from __future__ import annotations

from typing import Any, Mapping

from . import measure
from .chapters import COMMON, Chapter
from .i18n import N_, _
from .models.decision import CRITERIA, MatrixInput, MatrixResult, evaluate, validation_gates
from .params import Param, ParamSet

MEASUREMENTS = ("quick_validation", "go_binary_size", "static_analysis")

WORKLOAD_PRESETS: dict[str, dict[str, int]] = {
    # Starting answers (0-4) for a typical team with this workload; every one can be overridden.
    "infrastructure": dict(high_concurrency=4, ops_tooling=3, efficiency_bottleneck=2, compute_ai=0,
                           legacy_abstractions=1, no_systems_experience=1),
    "tooling": dict(high_concurrency=1, ops_tooling=4, efficiency_bottleneck=2, compute_ai=0,
                    legacy_abstractions=0, no_systems_experience=1),
    "web_services": dict(high_concurrency=2, ops_tooling=1, efficiency_bottleneck=2, compute_ai=0,
                         legacy_abstractions=2, no_systems_experience=2),
    "data_science": dict(high_concurrency=0, ops_tooling=1, efficiency_bottleneck=1, compute_ai=4,
                         legacy_abstractions=0, no_systems_experience=3),
    "legacy_enterprise": dict(high_concurrency=1, ops_tooling=1, efficiency_bottleneck=3, compute_ai=0,
                              legacy_abstractions=4, no_systems_experience=2),
}

DEFAULT_WEIGHTS = dict(high_concurrency=6, ops_tooling=4, efficiency_bottleneck=4, compute_ai=8,
                       legacy_abstractions=5, no_systems_experience=5)

PARAMS = COMMON.merged(ParamSet("chapter 1", (
    Param("workload_kind", "choice", "web_services",
          "The kind of system Go would be used for; sets the starting answers below",
          label="Workload", choices=tuple(WORKLOAD_PRESETS)),
    *(Param(f"answer_{c.key}", "int", None, f"How well does this describe us (0 not at all - 4 fully): {c.label}; "
            "null takes the workload's starting answer", label=c.label, min=0, max=4, step=1, nullable=True)
      for c in CRITERIA),
    *(Param(f"weight_{c.key}", "float", float(DEFAULT_WEIGHTS[c.key]), f"Weight (0-10) of: {c.label}",
            label=c.label, min=0, max=10, step=0.5) for c in CRITERIA),
    Param("adopt_threshold", "float", 0.2, "Score needed for a clear yes (and its negative for a clear no)",
          label="Decision threshold", min=0.05, max=0.95, step=0.05),
    Param("min_qps_ratio", "float", 1.0, "Performance gate: Go must serve at least this many times the current stack's QPS",
          label="Min QPS ratio", min=0, max=100, step=0.1),
    Param("max_rss_ratio", "float", 0.5, "Performance gate: Go's peak RSS at most this fraction of the current stack's",
          label="Max RSS ratio", min=0.01, max=10, step=0.05),
    Param("team_acceptance", "int", 3, "Acceptance gate: the team's own rating of Go after the pilot (0-4)",
          label="Team acceptance", min=0, max=4, step=1),
    Param("services_json", "str", "", "The team's own services (a profile's services: mapping, normalised to JSON "
          "by load_profile); empty: the gates use the minimal peers", label="Your services",
          grammar=lambda text: services({"services_json": text}),
          grammar_help="empty, or a JSON object of service names to normalised services (a profile's services:)"),
)), name="chapter 1")


CHAPTER = Chapter(1, "01-should-we-choose-go.ipynb", "Should we choose Go?", PARAMS, MEASUREMENTS)


def answers(params: Mapping[str, Any]) -> dict[str, float]:
    start = WORKLOAD_PRESETS[params["workload_kind"]]
    return {c.key: float(params[f"answer_{c.key}"] if params.get(f"answer_{c.key}") is not None else start[c.key])
            for c in CRITERIA}


def matrix_input(params: Mapping[str, Any]) -> MatrixInput:
    return MatrixInput(answers=answers(params),
                       weights={c.key: float(params[f"weight_{c.key}"]) for c in CRITERIA},
                       threshold=float(params["adopt_threshold"]))


def decide(params: Mapping[str, Any]) -> MatrixResult:
    return evaluate(matrix_input(params))


# What the validation gates were measured on (shown beside the gates, in chapter 5 and the ADR).
BASIS_SERVICES = N_("Measured on your services: {go} (Go rewrite) against {current} (current), from the profile's services:.")
BASIS_PEERS = N_("Measured on the minimal peers (the handbook's health-check servers in Go and {current}), "
                 "not on your code: add services: to the profile to validate your own service.")
BASIS_SERVICES_MISSING = N_("The profile names services, but {which} has not been measured yet: the gates are undecided "
                            "until `gohandbook validate PROFILE` (or a report with the profile) measures it.")


def services(params: Mapping[str, Any]) -> dict[str, dict]:
    """The team's own services from the profile (normalised; empty when the profile has none)."""
    from .services import from_json

    return from_json(params.get("services_json") or "")


_SERVICE_LOOKUPS: dict[tuple[str, str], tuple[float, dict]] = {}


def service_results(params: Mapping[str, Any]) -> dict[str, measure.Lookup]:
    """Cached results of the team's services (never measures: `gohandbook validate` does). A lookup hashes
    what each service runs; one page render asks several times, so answers are reused for a few seconds."""
    import time

    from .measure import team_services

    key = (params.get("services_json") or "", CHAPTER.preset(params))
    hit = _SERVICE_LOOKUPS.get(key)
    if hit and time.monotonic() - hit[0] < 5:
        return hit[1]
    found = {name: team_services.lookup(svc, CHAPTER.preset(params)) for name, svc in services(params).items()}
    _SERVICE_LOOKUPS.clear()  # one profile per page: keep only the latest
    _SERVICE_LOOKUPS[key] = (time.monotonic(), found)
    return found


def gates_basis(params: Mapping[str, Any]) -> str:
    """One sentence: what the three validation gates were measured on."""
    from .services import pair

    lang = params.get("lang", "en")
    svcs = services(params)
    if not svcs:
        return _(BASIS_PEERS, lang).format(current=params["current_stack"])
    cur, go = pair(svcs)
    return _(BASIS_SERVICES, lang).format(go=go["name"] if go else "?", current=cur["name"] if cur else "?")


def gates(params: Mapping[str, Any], found: Mapping[str, measure.Lookup]):
    """The seed's three validation gates: on the team's services when the profile has services:,
    else on the minimal peers. Each gate's detail says which."""
    from dataclasses import replace

    if services(params):
        return service_gates(params)
    qv = found["quick_validation"]
    runtimes = qv.result["summary"]["runtimes"] if qv.ok else {}
    out = validation_gates(runtimes, params["current_stack"], min_qps_ratio=params["min_qps_ratio"],
                           max_rss_ratio=params["max_rss_ratio"], team_acceptance=params["team_acceptance"])
    return [g if g.name == "team acceptance" else replace(g, detail=g.detail + " [minimal peers]") for g in out]


def service_gates(params: Mapping[str, Any]):
    """The gates on the team's own services: Go rewrite against the current service, each ratio with
    whether it exceeds the run-to-run spread; a rewrite with wrong answers under load does not pass."""
    from .measure.team_services import comparisons
    from .models.decision import Gate
    from .services import pair

    svcs = services(params)
    found = service_results(params)
    cur, go = pair(svcs)
    acceptance = validation_gates({}, "", min_qps_ratio=1, max_rss_ratio=1,
                                  team_acceptance=params["team_acceptance"])[-1]
    if cur is None or go is None:
        why = "the profile's services: need one with role current and one with role go (a go_build is role go)"
        return [Gate("performance", None, why), Gate("delivery", None, why), acceptance]
    g, c = found[go["name"]], found[cur["name"]]
    problems = [f"{svc['name']} " + ("not measured yet" if not lk.ok else "failed: " + lk.result["summary"]["message"])
                for svc, lk in ((go, g), (cur, c)) if not lk.ok or lk.result["summary"]["status"] != "measured"]
    if problems:
        why = "cannot compare your services: " + "; ".join(problems) + " (gohandbook validate PROFILE measures them)"
        return [Gate("performance", None, why), Gate("delivery", None, why), acceptance]
    gs, cs = g.result["summary"], c.result["summary"]
    by = {x["metric"]: x for x in comparisons(g.result, c.result)}
    names = f"{go['name']}/{cur['name']}"

    def spread(metric: str) -> str:
        x = by.get(metric, {})
        if not x.get("measured"):
            return "not measured"
        return ("beyond run-to-run spread" if x["significant"] else "within run-to-run spread") + f", p = {x['p_value']:.3f}"

    qps_ratio = gs["qps"]["median"] / cs["qps"]["median"]
    rss_ok, rss_text = None, "peak RSS not measured (url: service)"
    if gs["rss_peak_mib"]["median"] is not None and cs["rss_peak_mib"]["median"] is not None:
        rss_ratio = gs["rss_peak_mib"]["median"] / cs["rss_peak_mib"]["median"]
        rss_ok = rss_ratio <= params["max_rss_ratio"]
        rss_text = (f"peak RSS ×{rss_ratio:.2f} (need ≤ {params['max_rss_ratio']:g}; "
                    f"{spread('Peak RSS under load')})")
    errors = gs["errors"]
    perf_parts = [qps_ratio >= params["min_qps_ratio"], rss_ok, errors == 0]
    perf = False if False in perf_parts else (None if None in perf_parts else True)
    perf_detail = (f"{names}: QPS ×{qps_ratio:.2f} (need ≥ {params['min_qps_ratio']:g}; {spread('Requests/s')}), "
                   f"{rss_text}" + (f"; the Go rewrite answered {errors} requests wrongly under load" if errors else "")
                   + " [your services]")
    start_ok, start_text = None, "start-up not measured (url: service)"
    if gs["start_ms"]["median"] is not None and cs["start_ms"]["median"] is not None:
        start_ratio = gs["start_ms"]["median"] / cs["start_ms"]["median"]
        start_ok = start_ratio < 1
        start_text = f"start-up time ×{start_ratio:.2f} ({spread('Start → first 2xx')})"
    ship_ok, ship_text = None, "shipped bytes unknown (no ship: list)"
    if gs.get("shipped_bytes") and cs.get("shipped_bytes"):
        art_ratio = gs["shipped_bytes"] / cs["shipped_bytes"]
        ship_ok = art_ratio < 1
        ship_text = f"shipped bytes ×{art_ratio:.2f}"
    parts = [ship_ok, start_ok]
    delivery = False if False in parts else (None if None in parts else True)
    return [Gate("performance", perf, perf_detail),
            Gate("delivery", delivery, f"{names}: {ship_text}, {start_text} (need both < 1) [your services]"),
            acceptance]


def service_rows(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per service of the profile: medians (min–max) over fresh starts, or why not measured."""
    from .measure.team_services import COMPARED

    rows = []
    for name, svc in services(params).items():
        lk = service_results(params)[name]
        row: dict[str, Any] = {"Service": name, "Role": svc["role"], "Runs": _service_what(svc)}
        if not lk.ok:
            row["Status"] = "not measured: " + lk.reason
            rows.append(row)
            continue
        s = lk.result["summary"]
        if s["status"] != "measured":
            tail = s.get("output_tail") or ""
            row["Status"] = "failed: " + s["message"] + (" — last output: " + " | ".join(tail.splitlines()[-3:]) if tail else "")
        else:
            row["Status"] = ("measured: " + s["message"] + ("" if lk.status == "current" else f" ({lk.status})"))
            for key, label, _low, unit, digits in COMPARED:
                st = s[key]
                row[f"{label} ({unit})"] = ("not measured" if st["median"] is None else
                                            f"{st['median']:.{digits}f} ({st['min']:.{digits}f}–{st['max']:.{digits}f})")
            row["Errors"] = s["errors"]
            row["Shipped (MB)"] = "—" if not s.get("shipped_bytes") else f"{s['shipped_bytes'] / 1e6:.2f}"
            row["Measured"] = lk.result["provenance"]["finished"][:16].replace("T", " ") + " UTC"
        rows.append(row)
    return rows


SERVICE_PANELS = (  # (summary key, chart panel heading in widgets.charts.PANELS, scale)
    ("start_ms", "Start → first 200 (ms)", 1.0), ("rss_first_mib", "RSS at first response (MiB)", 1.0),
    ("rss_peak_mib", "Peak RSS under load (MiB)", 1.0), ("qps", "Requests/s under load", 1.0),
    ("p99_ms", "p99 latency (ms)", 1.0),
)


def service_long_form(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every measured service's median and min–max per metric, shaped like `long_form` for the same chart."""
    out = []
    found = service_results(params)
    for name, svc in services(params).items():
        lk = found[name]
        if not lk.ok or lk.result["summary"]["status"] != "measured":
            continue
        s = lk.result["summary"]
        key = "go" if svc["role"] == "go" else "current"
        label = f"{name} ({'Go rewrite' if svc['role'] == 'go' else 'current'})"
        for metric, heading, _scale in SERVICE_PANELS:
            if s[metric]["median"] is not None:
                out.append({"runtime": label, "key": key, "metric": heading, "median": s[metric]["median"],
                            "min": s[metric]["min"], "max": s[metric]["max"]})
        if s.get("shipped_bytes"):
            mib = s["shipped_bytes"] / 2**20
            out.append({"runtime": label, "key": key, "metric": "Shipped (MiB)", "median": mib, "min": mib, "max": mib})
    return out


def _service_what(svc: Mapping[str, Any]) -> str:
    if svc["mode"] == "go_build":
        return f"go build {svc['go_build']}"
    if svc["mode"] == "url":
        return f"already running at {svc['url']}"
    return " ".join(svc["run"])


def service_comparisons(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    from .measure.team_services import comparisons
    from .services import pair

    cur, go = pair(services(params))
    if not cur or not go:
        return []
    found = service_results(params)
    g, c = found[go["name"]], found[cur["name"]]
    return comparisons(g.result if g.ok else None, c.result if c.ok else None)


RUNTIME_METRICS = (
    # (summary key, column heading, digits)
    ("startup_ms", "Start → first 200 (ms)", 1),
    ("rss_first_mib", "RSS at first response (MiB)", 1),
    ("rss_after_requests_mib", "RSS after sequential requests (MiB)", 1),
    ("rss_load_mib", "Peak RSS under load (MiB)", 1),
    ("qps", "Requests/s under load", 0),
    ("p50_ms", "p50 latency (ms)", 3),
    ("p99_ms", "p99 latency (ms)", 3),
)


def runtime_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    """One row per runtime: median with (min–max) over the repeats, or why it was not measured."""
    if not found.ok:
        return []
    rows = []
    for key, rt in found.result["summary"]["runtimes"].items():
        row: dict[str, Any] = {"runtime": key, "Runtime": rt.get("label", key), "Version": rt.get("version", "")}
        if not rt.get("available"):
            row["Status"] = "not measured: " + rt.get("reason", "not available")
        elif rt.get("error"):
            row["Status"] = "failed: " + rt["error"].splitlines()[0]
        else:
            row["Status"] = f"measured, {rt['qps']['n']} runs" + (f", {rt['errors']} request errors" if rt["errors"] else "")
            for metric, heading, digits in RUNTIME_METRICS:
                s = rt[metric]
                row[heading] = f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"
            row["Shipped (MiB)"] = f"{rt['artifact_mib']:.1f}"
        rows.append(row)
    return rows


def long_form(found: measure.Lookup) -> list[dict[str, Any]]:
    """Every run's value per runtime and metric, for charts (median and spread)."""
    if not found.ok:
        return []
    out = []
    summary = found.result["summary"]["runtimes"]
    for key, rt in summary.items():
        if not rt.get("available") or rt.get("error"):
            continue
        for metric, heading, _unit in RUNTIME_METRICS:
            s = rt[metric]
            out.append({"runtime": rt["label"], "key": key, "metric": heading, "median": s["median"],
                        "min": s["min"], "max": s["max"]})
        out.append({"runtime": rt["label"], "key": key, "metric": "Shipped (MiB)", "median": rt["artifact_mib"],
                    "min": rt["artifact_mib"], "max": rt["artifact_mib"]})
    return out




def finding(found: measure.Lookup, current: str) -> str:
    """One sentence comparing measured Go with the team's current runtime (the chart's title)."""
    if not found.ok:
        return "Not measured on this machine yet"
    rts = found.result["summary"]["runtimes"]
    go, cur = rts.get("go", {}), rts.get(current, {})
    if not go.get("available") or go.get("error"):
        return "Go could not be measured on this machine"
    if not cur.get("available") or cur.get("error"):
        return (f"Go: first response after {go['startup_ms']['median']:.0f} ms at "
                f"{go['rss_first_mib']['median']:.1f} MiB RSS; {current} was not measured here")

    def compare(go_value: float, cur_value: float, low_word: str, high_word: str) -> str:
        """'3.2× faster start' when Go's value is lower, '1.5× slower start' when higher."""
        if go_value == cur_value:
            return f"same {low_word.split()[-1]}"
        if go_value < cur_value:
            return f"{cur_value / go_value:.1f}× {low_word}"
        return f"{go_value / cur_value:.1f}× {high_word}"

    label = cur.get("label", current)
    return (f"Go vs {label}: "
            f"{compare(go['startup_ms']['median'], cur['startup_ms']['median'], 'faster start', 'slower start')}, "
            f"{compare(go['rss_load_mib']['median'], cur['rss_load_mib']['median'], 'less peak memory', 'more peak memory')}, "
            f"{compare(go['qps']['median'], cur['qps']['median'], 'lower throughput', 'higher throughput')}")


PEER_COMPARED = (  # (summary key, name, lower is better, unit, digits)
    ("startup_ms", "Start → first 2xx", True, "ms", 1), ("rss_load_mib", "Peak RSS under load", True, "MiB", 1),
    ("qps", "Requests/s", False, "req/s", 0), ("p99_ms", "p99 latency", True, "ms", 3),
)


def peer_comparisons(found: measure.Lookup, current: str) -> list[dict[str, Any]]:
    """Go's minimal peer against the current stack's, per metric, with intervals and a test against the
    run-to-run spread (the same comparison as for your services)."""
    from .services import compare

    if not found.ok:
        return []
    rts = found.result["summary"]["runtimes"]
    go, cur = rts.get("go", {}), rts.get(current, {})
    if not all(r.get("available") and not r.get("error") for r in (go, cur)):
        return []
    return [compare(name, go[key]["values"], cur[key]["values"], lower_is_better=low, unit=unit, digits=digits)
            for key, name, low, unit, digits in PEER_COMPARED]


SEED_TABLE = (
    # (dimension, seed's Go column, seed's comparison column, metric in the runtime summary, unit)
    ("Start-up time (启动耗时)", "(value missing in the source)", "100 ms – 2 s (JVM warm-up / interpreter load)",
     "startup_ms", "ms"),
    ("Resident memory peak (内存常驻峰值)", "~8 MB (simple web service)", "~200 MB+ (Spring Boot defaults)",
     "rss_load_mib", "MiB"),
    ("Build artifact (构建产物大小)", "single file, 10–15 MB", "JAR + runtime / Python virtualenv",
     "artifact_mib", "MiB"),
)


def seed_table_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    """The seed's comparison table next to what was measured here, per runtime."""
    rts = found.result["summary"]["runtimes"] if found.ok else {}
    rows = []
    for dim, seed_go, seed_other, metric, unit in SEED_TABLE:
        row = {"Dimension": dim, "Seed: Go": seed_go, "Seed: Java/Python": seed_other}
        for key, rt in rts.items():
            if not rt.get("available") or rt.get("error"):
                row[f"Measured: {rt.get('label', key)}"] = "not measured"
                continue
            value = rt[metric]["median"] if isinstance(rt[metric], dict) else rt[metric]
            row[f"Measured: {rt['label']}"] = f"{value:.1f} {unit}"
        rows.append(row)
    return rows


def static_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    for r in found.result["summary"]["rows"]:
        exp = r.get("expected", {})
        rows.append({"Planted problem": r["id"], "Where": f"{r['file']}:{r['line']}", "What": r.get("description", ""),
                     "Expected": ", ".join(f"{k}: {v}" for k, v in exp.items() if v),
                     "go vet found": ", ".join(r["found"]["vet"]) or "—",
                     "staticcheck found": ", ".join(r["found"]["staticcheck"]) or "—"})
    return rows


def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chapter's headline figures for the summary chapter, each with its provenance."""
    found = CHAPTER.results(params)
    out: list[dict[str, Any]] = []

    def add(label, value, unit, lookup, digits=1):
        out.append({"chapter": 1, "figure": label, "value": None if value is None else round(value, digits),
                    "unit": unit, "kind": "measured", "status": lookup.status,
                    "provenance": measure.provenance_line(lookup.result) if lookup.ok else lookup.reason})

    qv = found["quick_validation"]
    if qv.ok:
        rts = qv.result["summary"]["runtimes"]
        go, cur = rts.get("go", {}), rts.get(params["current_stack"], {})
        if go.get("available") and not go.get("error"):
            add("Go: start → first 200", go["startup_ms"]["median"], "ms", qv)
            add("Go: peak RSS under load", go["rss_load_mib"]["median"], "MiB", qv)
            if cur.get("available") and not cur.get("error"):
                add(f"{cur['label']}: peak RSS under load", cur["rss_load_mib"]["median"], "MiB", qv)
                add(f"Go / {cur['label']}: requests per second", go["qps"]["median"] / cur["qps"]["median"], "×", qv, 2)
                add(f"Go / {cur['label']}: shipped bytes", go["artifact_mib"] / cur["artifact_mib"], "×", qv, 3)
    bs = found["go_binary_size"]
    if bs.ok:
        add("Go binary (default build)", bs.result["summary"]["default_mb"], "MB", bs, 2)
        add("Saving from -ldflags '-s -w'", bs.result["summary"]["strip_saving_pct"], "%", bs)
    from .services import pair

    cur_svc, go_svc = pair(services(params))
    if cur_svc and go_svc:
        svc_found = service_results(params)
        g, c = svc_found[go_svc["name"]], svc_found[cur_svc["name"]]
        if g.ok and c.ok and g.result["summary"]["status"] == c.result["summary"]["status"] == "measured":
            gs, cs = g.result["summary"], c.result["summary"]
            names = f"{go_svc['name']} / {cur_svc['name']} (your services)"
            add(f"{names}: requests per second", gs["qps"]["median"] / cs["qps"]["median"], "×", g, 2)
            if gs["rss_peak_mib"]["median"] and cs["rss_peak_mib"]["median"]:
                add(f"{names}: peak RSS under load", gs["rss_peak_mib"]["median"] / cs["rss_peak_mib"]["median"], "×", g, 2)
            if gs["start_ms"]["median"] and cs["start_ms"]["median"]:
                add(f"{names}: start → first 2xx", gs["start_ms"]["median"] / cs["start_ms"]["median"], "×", g, 2)
    sa = found["static_analysis"]
    if sa.ok:
        s = sa.result["summary"]
        add("Planted problems found by go vet + staticcheck", 100 * s["union_found"] / s["planted"], "%", sa, 0)
    if not out:
        out.append({"chapter": 1, "figure": "quick validation", "value": None, "unit": "", "kind": "measured",
                    "status": qv.status, "provenance": qv.reason})
    return out
