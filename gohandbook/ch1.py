"""Chapter 1 glue: parameters → decision model, cached measurements → tables. No I/O but cache reads."""

from __future__ import annotations

from typing import Any, Mapping

from . import claims as claims_mod
from . import measure
from .chapters import COMMON, Chapter
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
)), name="chapter 1")


CHAPTER = Chapter(1, "01-should-we-choose-go.ipynb", "Should we choose Go?", PARAMS, MEASUREMENTS)


def preset(params: Mapping[str, Any]) -> str:
    return "quick" if params.get("quick", True) else "full"


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


def results(params: Mapping[str, Any]) -> dict[str, measure.Lookup]:
    """Cached results for this chapter (never measures)."""
    return {name: measure.lookup(name, preset(params)) for name in MEASUREMENTS}


def gates(params: Mapping[str, Any], found: Mapping[str, measure.Lookup]):
    qv = found["quick_validation"]
    runtimes = qv.result["summary"]["runtimes"] if qv.ok else {}
    return validation_gates(runtimes, params["current_stack"], min_qps_ratio=params["min_qps_ratio"],
                            max_rss_ratio=params["max_rss_ratio"], team_acceptance=params["team_acceptance"])


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
        for metric, heading, _ in RUNTIME_METRICS:
            s = rt[metric]
            out.append({"runtime": rt["label"], "key": key, "metric": heading, "median": s["median"],
                        "min": s["min"], "max": s["max"]})
        out.append({"runtime": rt["label"], "key": key, "metric": "Shipped (MiB)", "median": rt["artifact_mib"],
                    "min": rt["artifact_mib"], "max": rt["artifact_mib"]})
    return out


def chapter_claims(params: Mapping[str, Any]) -> list[claims_mod.ClaimVerdict]:
    return claims_mod.ledger(lambda name: measure.lookup(name, preset(params)), chapter=1)


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
    found = results(params)
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
    sa = found["static_analysis"]
    if sa.ok:
        s = sa.result["summary"]
        add("Planted problems found by go vet + staticcheck", 100 * s["union_found"] / s["planted"], "%", sa, 0)
    if not out:
        out.append({"chapter": 1, "figure": "quick validation", "value": None, "unit": "", "kind": "measured",
                    "status": qv.status, "provenance": qv.reason})
    return out
