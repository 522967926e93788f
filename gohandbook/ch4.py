"""Chapter 4 glue: parameters → migration-cost and canary models, cached measurements → rows.

No I/O but cache reads. Chapter 1's measurements feed the break-even (memory and throughput per
instance) and the security section (go vet / staticcheck).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from . import measure
from .cache import Memo
from .chapters import COMMON, Chapter
from .models import canary as canary_model
from .models import migration_cost as mc
from .params import Param, ParameterError, ParamSet

MEASUREMENTS = ("loopvar", "canary_router", "fuzz_parser", "supply_chain", "chaos_faults", "static_analysis",
                "quick_validation")
LEVEL_CHOICES = mc.LEVELS
PLAN_CHOICES = (*canary_model.PLANS, "custom")

PARAMS = COMMON.merged(ParamSet("chapter 4", (
    # 4.1 migration cost
    Param("mig_share_java", "float", 40.0, "Share of the team coming from Java (%, normalised with the others)",
          label="Java engineers (%)", min=0, max=100, step=5),
    Param("mig_share_python", "float", 40.0, "Share of the team coming from Python (%)", label="Python engineers (%)",
          min=0, max=100, step=5),
    Param("mig_share_node", "float", 20.0, "Share of the team coming from Node.js (%)", label="Node.js engineers (%)",
          min=0, max=100, step=5),
    Param("mig_friction_error_handling", "float", 4.0, "Seed's friction rating: try/catch → explicit error returns (1-5)",
          label="Friction: error handling", min=1, max=5, step=0.5),
    Param("mig_friction_concurrency", "float", 5.0, "Seed's friction rating: thread pools → goroutines and channels (1-5)",
          label="Friction: concurrency", min=1, max=5, step=0.5),
    Param("mig_friction_dependencies", "float", 3.0, "Seed's friction rating: Maven/pip → go mod (1-5)",
          label="Friction: dependencies", min=1, max=5, step=0.5),
    Param("mig_friction_extra", "str", "", "More friction dimensions: name=rating[@language+language], comma-separated, "
          "e.g. 'static_typing=3@python+node, generics=2'", label="More friction dimensions",
          grammar=mc.parse_friction_extra, grammar_help="empty, or name=rating (1-5) entries, optionally "
          "@language+language, comma-separated, e.g. 'static_typing=3@python+node, generics=2'"),
    Param("mig_friction_spread", "float", 1.0, "Per-engineer uncertainty of each friction rating (± points)",
          label="Friction spread (±)", min=0, max=4, step=0.25),
    Param("mig_friction_elasticity_pct", "float", 25.0, "How much longer ramp-up gets per friction point above 3 (%)",
          label="Ramp-up per friction point (%)", min=0, max=200, step=5),
    Param("mig_current_ltex", "choice", "high", "COCOMO II LTEX level of the team in its current language "
          "(very_low ≤ 2 months … nominal 1 year, high 3 years, very_high ≥ 6 years)", label="Experience today",
          choices=LEVEL_CHOICES),
    Param("mig_plex_before", "choice", "nominal", "COCOMO II PLEX level on today's platform", label="Platform experience now",
          choices=LEVEL_CHOICES),
    Param("mig_plex_after", "choice", "nominal", "COCOMO II PLEX level on the platform after the migration "
          "(same as now if only the language changes)", label="Platform experience after", choices=LEVEL_CHOICES),
    Param("mig_gap_closed_pct", "float", 90.0, "What 'felt productive' means: share of the gap to full speed closed (%)",
          label="'Productive' = gap closed (%)", min=50, max=99.9, step=1),
    Param("mig_long_run_velocity_pct", "float", 100.0, "Long-run velocity in Go relative to today (%)",
          label="Long-run velocity (%)", min=20, max=300, step=5),
    Param("mig_cost_per_engineer_month", "float", 12000.0, "Fully loaded cost of one engineer-month (any currency)",
          label="Cost per engineer-month", min=0, max=1e6, step=500, scale="log", fmt=",.0f"),
    Param("mig_time_share_pct", "float", 60.0, "Share of the team's time spent on the migrated systems (%)",
          label="Time on migrated systems (%)", min=0, max=100, step=5),
    Param("mig_horizon_months", "int", 24, "Time horizon (months)", label="Horizon (months)", min=3, max=60, step=1),
    Param("mig_recovered_within_pct", "float", 2.0, "'Back to old velocity' = within this many % of it",
          label="Recovered within (%)", min=0.5, max=20, step=0.5),
    Param("mig_fleet_instances", "float", 20.0, "Instances the migrated services run on today", label="Fleet (instances)",
          min=0, max=1e6, step=1, scale="log", fmt=",g"),
    Param("mig_instance_vcpu", "float", 1.0, "vCPUs per instance", label="vCPU per instance", min=0, max=256, step=0.25,
          scale="log", fmt=",g"),
    Param("mig_price_vcpu_month", "float", 25.0, "Price of one vCPU-month (placeholder: set your own)",
          label="Price per vCPU-month", min=0, max=1e5, step=1, scale="log", fmt=",g"),
    Param("mig_price_gib_month", "float", 3.5, "Price of one GiB of memory per month (placeholder: set your own)",
          label="Price per GiB-month", min=0, max=1e4, step=0.5, scale="log", fmt=",g"),
    Param("mig_app_memory_gib", "float", 0.5, "Memory the application's own data needs per instance, same in both "
          "languages (GiB)", label="App memory (GiB)", min=0, max=1024, step=0.25, scale="log",
          fmt=",g"),
    Param("mig_savings_realised_pct", "float", 100.0, "Share of chapter 1's measured Go-vs-current gap a real service "
          "would see (%); 100 is an upper bound, since the health check measures runtime overhead only",
          label="Measured gap realised (%)", min=0, max=100, step=5),
    Param("mig_savings_start_month", "float", 3.0, "Month in which the Go services take over production traffic",
          label="Savings start (month)", min=0, max=60, step=1),
    Param("mig_runs", "int", 1000, "Monte Carlo runs", label="Runs", min=100, max=20000, step=100, scale="log",
          fmt=",d"),
    Param("mig_seed", "int", 4, "Random seed (the same seed gives the same result)", label="Seed", min=0, max=2**31 - 1),
    # 4.2 canary
    Param("canary_plan", "choice", "seed", "Rollout plan: " + "; ".join(f"{k} = {v[0]}" for k, v in canary_model.PLANS.items())
          + "; custom = canary_custom_steps", label="Plan", choices=PLAN_CHOICES),
    Param("canary_custom_steps", "str", "5,25,50,100", "Weights (%) for the custom plan, comma-separated",
          label="Custom steps (%)", grammar=canary_model.parse_steps,
          grammar_help="rising percentages up to 100, comma-separated, e.g. 5,25,50,100"),
    Param("canary_interval_s", "float", 60.0, "Analysis interval (Flagger: default 60 s, minimum 10 s)",
          label="Interval (s)", min=10, max=3600, step=10, scale="log", fmt=",g"),
    Param("canary_threshold", "int", 1, "Failed checks before rollback (Flagger threshold; Argo failureLimit + 1)",
          label="Threshold", min=1, max=20, step=1),
    Param("canary_min_success_pct", "float", 99.0, "Minimum success rate per interval (Flagger's built-in check: 99 %)",
          label="Min success (%)", min=50, max=100, step=0.1),
    Param("canary_rps", "float", 100.0, "Requests per second to the service", label="Requests/s", min=0.1, max=1e6, step=10,
          scale="log", fmt=",g"),
    Param("canary_bad_failure_pct", "float", 5.0, "Failure rate of a bad new version (%)", label="Bad version fails (%)",
          min=0.01, max=100, step=0.5, scale="log", fmt=",g"),
    Param("canary_good_failure_pct", "float", 0.1, "Failure rate of a healthy new version (%)",
          label="Healthy version fails (%)", min=0, max=50, step=0.01, scale="log", fmt=",g"),
)), name="chapter 4")

CHAPTER = Chapter(4, "04-risks-and-rollout.ipynb", "Risks and a progressive rollout", PARAMS, MEASUREMENTS)


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate what the parameter declarations alone cannot (free-text friction and steps, the language mix);
    raises ParameterError naming the parameter. Returns params for chaining."""
    migration_input(params, None)
    plan_steps(params)
    return dict(params)


# ---------------------------------------------------------------- 4.1 migration cost

def friction_matrix(params: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    matrix = {dim: {lang: float(params[f"mig_friction_{dim}"]) for lang in mc.LANGUAGES}
              for dim in ("error_handling", "concurrency", "dependencies")}
    try:
        extra = mc.parse_friction_extra(params.get("mig_friction_extra", ""))
    except mc.MigrationInputError as exc:
        raise ParameterError(f"mig_friction_extra: {exc}") from None
    matrix.update(extra)
    return matrix


def runtime_sample(found: measure.Lookup, key: str) -> mc.RuntimeSample | None:
    if not found.ok:
        return None
    rt = found.result["summary"]["runtimes"].get(key, {})
    if not rt.get("available") or rt.get("error"):
        return None
    return mc.RuntimeSample(rt.get("label", key), tuple(rt["qps"]["values"]), tuple(rt["rss_load_mib"]["values"]))


def savings_input(params: Mapping[str, Any], qv: measure.Lookup) -> tuple[mc.SavingsInput | None, str]:
    """Running-cost inputs from chapter 1's measurements, or None and why not."""
    if not qv.ok:
        return None, "chapter 1's quick_validation has not been measured: " + qv.reason
    current, go = runtime_sample(qv, params["current_stack"]), runtime_sample(qv, "go")
    if go is None or current is None:
        which = "Go" if go is None else params["current_stack"]
        return None, f"chapter 1 has no measurement of {which} on this machine"
    return mc.SavingsInput(
        current=current, go=go, fleet_instances=params["mig_fleet_instances"], instance_vcpu=params["mig_instance_vcpu"],
        price_vcpu_month=params["mig_price_vcpu_month"], price_gib_month=params["mig_price_gib_month"],
        app_memory_gib=params["mig_app_memory_gib"], realised=params["mig_savings_realised_pct"] / 100,
        start_month=params["mig_savings_start_month"]), ""


def migration_input(params: Mapping[str, Any], savings: mc.SavingsInput | None) -> mc.MigrationInput:
    mix = {"java": params["mig_share_java"], "python": params["mig_share_python"], "node": params["mig_share_node"]}
    if sum(mix.values()) <= 0:
        raise ParameterError("mig_share_java, mig_share_python and mig_share_node are all 0: at least one share must be > 0")
    try:
        return mc.MigrationInput(
            team_size=params["team_size"], language_mix=mix, friction=friction_matrix(params),
            friction_spread=params["mig_friction_spread"], friction_elasticity=params["mig_friction_elasticity_pct"] / 100,
            current_ltex=params["mig_current_ltex"], plex_before=params["mig_plex_before"],
            plex_after=params["mig_plex_after"], gap_closed=params["mig_gap_closed_pct"] / 100,
            long_run_velocity=params["mig_long_run_velocity_pct"] / 100,
            cost_per_engineer_month=params["mig_cost_per_engineer_month"], time_share=params["mig_time_share_pct"] / 100,
            horizon_months=params["mig_horizon_months"], tolerance=params["mig_recovered_within_pct"] / 100,
            savings=savings, runs=params["mig_runs"], seed=params["mig_seed"])
    except mc.MigrationInputError as exc:
        raise ParameterError(str(exc)) from None


# What one interactive recomputation may simulate: engineer-weeks (the learning curves) and run-weeks (the
# quantiles over runs), a few tenths of a second on a 2-core machine, so that a slider never ties up a core for
# everyone on the site. Reports simulate every run.
LIVE_ENGINEER_WEEKS = 10_000_000
LIVE_RUN_WEEKS = 200_000


def live_runs(params: Mapping[str, Any]) -> int:
    """Runs the interactive path simulates: mig_runs, bounded by the budgets above (whole blocks, at least one).
    They are the report's first runs (the model draws run by run), so the live figures preview the report's."""
    engineers = min(int(params["team_size"]), mc.MAX_SIMULATED)
    weeks = round(params["mig_horizon_months"] * mc.WEEKS_PER_MONTH) + 1
    bound = min(LIVE_ENGINEER_WEEKS // (engineers * weeks), LIVE_RUN_WEEKS // weeks)
    return min(int(params["mig_runs"]), max(mc.BLOCK_RUNS, bound // mc.BLOCK_RUNS * mc.BLOCK_RUNS))


def mix_shares(params: Mapping[str, Any]) -> dict[str, float]:
    """The source-language shares as the model uses them: normalised to 100 %."""
    mix = {"java": params["mig_share_java"], "python": params["mig_share_python"], "node": params["mig_share_node"]}
    total = sum(mix.values())
    return {k: 100 * v / total for k, v in mix.items()} if total > 0 else mix


def friction_differs_by_language(params: Mapping[str, Any]) -> bool:
    """Whether the team's language mix can change the result: only a friction that differs by language does."""
    matrix = friction_matrix(params)
    return any(len({per.get(lang) for lang in mc.LANGUAGES}) > 1 for per in matrix.values())


def migrate(params: Mapping[str, Any], qv: measure.Lookup | None = None,
            runs: int | None = None) -> tuple[mc.MigrationResult, str]:
    """The migration model for these parameters (with `runs` instead of mig_runs if given); the second value
    says why savings are missing, if they are."""
    qv = qv if qv is not None else CHAPTER.lookup(params, "quick_validation")
    savings, why = savings_input(params, qv)
    inp = migration_input(params, savings)
    if runs is not None and runs != inp.runs:
        inp = replace(inp, runs=runs)
    # Chapter 5 asks for the same run twice (scorecard, ADR), each most of a second. The inputs are
    # frozen dataclasses of plain values and the runs are seeded, so equal reprs mean equal results.
    return _MIGRATIONS.get(repr(inp), lambda: mc.simulate(inp)), why


_MIGRATIONS = Memo(16)


def fmt_months(value: float | None, horizon: int) -> str:
    return f"> {horizon} months" if value is None else f"{value:.1f} months"


def migration_finding(r: mc.MigrationResult) -> str:
    med = r.recovery_months[0.5]
    back = (f"back within {r.inp.tolerance * 100:g} % of its old velocity after {med:.1f} months (median)"
            if med is not None else f"not back within {r.inp.tolerance * 100:g} % in {r.inp.horizon_months} months (median run)")
    return f"The team dips to {r.min_velocity[0.5] * 100:.0f} % of today's velocity and is {back}"


def migration_rows(r: mc.MigrationResult, money: str = "") -> list[dict[str, Any]]:
    h = r.inp.horizon_months

    def trio(d, fmt):
        return {f"{int(q * 100)} %": fmt(d[q]) for q in mc.QUANTILES}

    rows = [
        {"Output": "Lowest team velocity (% of today)", **trio(r.min_velocity, lambda v: f"{v * 100:.1f} %")},
        {"Output": "Cost of the dip (engineer-months)", **trio(r.dip_engineer_months, lambda v: f"{v:.1f}")},
        {"Output": "Cost of the dip (money)", **trio(r.dip_cost, lambda v: f"{v:,.0f}")},
        {"Output": f"Back within {r.inp.tolerance * 100:g} % of old velocity",
         **trio(r.recovery_months, lambda v: fmt_months(v, h))},
    ]
    if r.monthly_saving is not None:
        rows.append({"Output": "Running-cost savings per month", **trio(r.monthly_saving, lambda v: f"{v:,.0f}")})
        rows.append({"Output": "Break-even (savings cover the dip)", **trio(r.breakeven_months, lambda v: fmt_months(v, h))})
    return rows


def breakeven_fleet(r: mc.MigrationResult) -> float | None:
    """Fleet size at which the median savings over the horizon equal the median cost of the dip (approximate)."""
    sv = r.inp.savings
    if sv is None or r.monthly_saving is None or r.monthly_saving[0.5] <= 0 or sv.fleet_instances <= 0:
        return None
    months = r.inp.horizon_months - sv.start_month
    if months <= 0:
        return None
    per_instance = r.monthly_saving[0.5] / sv.fleet_instances
    return r.dip_cost[0.5] / (per_instance * months)


# ---------------------------------------------------------------- 4.2 canary

def plan_steps(params: Mapping[str, Any]) -> tuple[float, ...]:
    if params["canary_plan"] == "custom":
        try:
            return canary_model.parse_steps(params["canary_custom_steps"])
        except ParameterError as exc:  # the model names its own field; say which chapter parameter it came from
            raise ParameterError(f"canary_custom_steps: {exc}") from None
    return canary_model.PLANS[params["canary_plan"]][1]


def plan_label(params: Mapping[str, Any]) -> str:
    if params["canary_plan"] == "custom":
        return "Custom: " + " → ".join(f"{w:g}" for w in plan_steps(params)) + " %"
    return canary_model.PLANS[params["canary_plan"]][0]


def canary_input(params: Mapping[str, Any], failure_pct: float | None = None,
                 steps: tuple[float, ...] | None = None) -> canary_model.CanaryInput:
    return canary_model.CanaryInput(
        steps=steps or plan_steps(params), interval_s=params["canary_interval_s"], threshold=params["canary_threshold"],
        min_success_pct=params["canary_min_success_pct"], rps=params["canary_rps"],
        failure_pct=params["canary_bad_failure_pct"] if failure_pct is None else failure_pct)


def all_plans(params: Mapping[str, Any]) -> dict[str, tuple[str, tuple[float, ...]]]:
    plans = dict(canary_model.PLANS)
    if params["canary_plan"] == "custom":
        plans["custom"] = (plan_label(params), plan_steps(params))
    return plans


def canary_plan_rows(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every plan with a bad and a healthy version: exposure, detection and rollout time."""
    rows = []
    for key, (label, steps) in all_plans(params).items():
        bad = canary_model.evaluate(canary_input(params, steps=steps))
        good = canary_model.evaluate(canary_input(params, params["canary_good_failure_pct"], steps=steps))
        rows.append({
            "key": key, "Plan": label + (" (selected)" if key == params["canary_plan"] else ""),
            "Steps (%)": " → ".join(f"{w:g}" for w in steps),
            "Bad version: expected bad requests": f"{bad.expected_bad:,.1f}",
            "Bad version: P(rolled back)": f"{bad.p_rollback * 100:.1f} %",
            "Bad version: expected detection": "—" if bad.expected_detection_s is None else fmt_seconds(bad.expected_detection_s),
            "Healthy version: full rollout after": fmt_seconds(good.min_rollout_s),
            "Healthy version: P(false rollback)": f"{good.p_rollback * 100:.2f} %",
            "_bad": bad.expected_bad, "_detect": bad.expected_detection_s, "_rollout": good.min_rollout_s,
            "_false": good.p_rollback,
        })
    return rows


def fmt_seconds(s: float) -> str:
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    if s >= 120:
        return f"{s / 60:.1f} min"
    return f"{s:.0f} s"


def canary_sweep(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Expected bad requests and P(rollback) against the bad version's failure rate, per plan."""
    rates = [0.1, 0.2, 0.5, 0.8, 1.0, 1.2, 1.5, 2, 3, 5, 8, 12, 20, 35, 60, 100]
    rows = []
    for key, (label, steps) in all_plans(params).items():
        for rate in rates:
            r = canary_model.evaluate(canary_input(params, rate, steps=steps))
            rows.append({"plan": label, "key": key, "failure_pct": rate, "expected_bad": r.expected_bad,
                         "p_rollback": r.p_rollback, "bad_if_promoted_per_hour": r.bad_per_hour_if_promoted})
    return rows


def canary_comparison(found: measure.Lookup) -> list[dict[str, Any]]:
    """Each measured scenario beside the model's prediction for the same plan, rate, interval and measured RPS."""
    if not found.ok:
        return []
    from .measure.canary_router import SCENARIOS

    s = found.result["summary"]
    settings = s["settings"]
    rows = []
    order = [k for k in SCENARIOS if k in s["scenarios"]] + [k for k in s["scenarios"] if k not in SCENARIOS]
    for key in order:
        sc = s["scenarios"][key]
        for i, run in enumerate(sc["runs"]):
            rps = run["rps"] or 0.0
            model = canary_model.evaluate(canary_model.CanaryInput(
                tuple(sc["steps_pct"]), settings["interval_s"], settings["threshold"], settings["min_success_pct"],
                rps, sc["canary_error_pct"]))
            rows.append({
                "scenario": key, "label": sc["label"], "run": i + 1, "rps": rps,
                "measured_state": run["state"], "measured_bad": run["bad_requests"],
                "measured_client_5xx": run["client_5xx"], "measured_decided_s": run["decided_at_s"],
                "measured_canary_requests": run["canary_requests"],
                "model_bad": model.expected_bad, "model_p_rollback": model.p_rollback,
                "model_detection_s": model.expected_detection_s, "model_rollout_s": model.expected_rollout_s,
                "model_decision_s": model.expected_decision_s,
                "bad_after_decision": run["bad_after_decision"], "checks": run["checks"],
                "weights": run["weights"], "actions": run["actions"],
            })
    return rows


def canary_comparison_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        predicted_state = ("rolled back" if r["model_p_rollback"] >= 0.5 else "promoted") + \
            f" (P(rollback) {r['model_p_rollback'] * 100:.0f} %)"
        out.append({
            "Scenario": r["label"] + (f" — run {r['run']}" if r["run"] > 1 else ""),
            "Measured RPS": f"{r['rps']:,.0f}",
            "Model: outcome": predicted_state,
            "Measured: outcome": r["measured_state"].replace("_", " ") + f" after {len(r['weights'])} check(s) at "
                                 + ", ".join(f"{w:g} %" for w in r["weights"]),
            "Model: bad requests": f"{r['model_bad']:.1f}",
            "Measured: bad requests (router / client)": f"{r['measured_bad']} / {r['measured_client_5xx']}",
            "Model: decision after": f"{r['model_decision_s']:.2f} s",
            "Measured: decision after": f"{r['measured_decided_s']:.2f} s" if r["measured_decided_s"] else "—",
            "Bad after the decision": r["bad_after_decision"],
        })
    return out


# ---------------------------------------------------------------- 4.1 loopvar, 4.3 security, 4.4 chaos

def loopvar_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    s = found.result["summary"]
    from .measure.loopvar import CASES, MODULES

    column = {key: "go.mod: " + says.split(" (")[0] for key, (_, says) in MODULES.items()}
    rows = []
    for case in CASES:
        rows.append({"Case": case, **{column[key]: s[key]["outputs"].get(case, "—") for key in MODULES}})
    vet = {"Case": "go vet", **{column[key]: "; ".join(s[key]["vet_findings"]) or "no findings" for key in MODULES}}
    rows.append(vet)
    return rows


def chaos_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    """Long form: fault × phase × metric, for charts."""
    if not found.ok:
        return []
    s = found.result["summary"]
    rows = []
    for fault in s["faults"]:
        for phase in ("before", "during", "after"):
            w = s[fault][phase]
            for metric, value in (("Requests/s", w["qps"]), ("p99 latency (ms)", w["p99_ms"]),
                                  ("Errors (% of requests)", w["error_pct"])):
                rows.append({"fault": fault, "litmus": s[fault]["litmus"], "phase": phase, "metric": metric,
                             "value": value})
    return rows


def chaos_table(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    s = found.result["summary"]
    out = []
    for fault in s["faults"]:
        d = s[fault]
        lit = s["litmus"][fault]
        b, du, a = d["before"], d["during"], d["after"]
        detail = d["detail"]
        injected = {"latency": lambda: detail["admin"], "error_rate": lambda: detail["admin"],
                    "cpu_hog": lambda: detail["admin"],
                    "kill": lambda: f"exit {detail.get('exit_code')}, back after {detail.get('downtime_ms', 0):.0f} ms"}[fault]()
        out.append({
            "Fault (here)": fault.replace("_", " "), "Injected": injected,
            "LitmusChaos experiment": lit["experiment"] + (f" (also {lit['also']})" if lit["also"] else ""),
            "Main tunables (defaults)": lit["tunables"],
            "Requests/s before → during → after": f"{b['qps']:,.0f} → {du['qps']:,.0f} → {a['qps']:,.0f}",
            "p99 ms before → during → after": f"{b['p99_ms']:.1f} → {du['p99_ms']:.1f} → {a['p99_ms']:.1f}",
            "Errors during": f"{du['errors']:,} ({du['error_pct']:.1f} %)",
            "Recovered": "yes" if d["recovered"] else "no",
        })
    return out


def sbom_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    for key, b in found.result["summary"]["binaries"].items():
        mods = ([("mod", b["main"])] if b["main"] else []) + [("dep", d) for d in b["deps"]]
        for kind, m in mods:
            rows.append({"Binary": b["label"], "Kind": kind, "Module": m["path"], "Version": m["version"],
                         "go.sum hash": m["sum"] or "—"})
    return rows


def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Headline figures for the summary chapter: migration cost with its band, rollout exposure."""
    r, why = migrate(params)
    qv = CHAPTER.lookup(params, "quick_validation")
    model = (f"migration_cost model, {r.inp.runs} seeded runs (seed {r.inp.seed}); savings "
             + ("from chapter 1's measurements: " + measure.provenance_line(qv.result) if qv.ok and not why else why or "n/a"))
    band = lambda d, fmt: f"{fmt(d[0.5])} (10–90 %: {fmt(d[0.1])} – {fmt(d[0.9])})"  # noqa: E731
    h = r.inp.horizon_months
    out = [
        {"chapter": 4, "figure": "Cost of the productivity dip (engineer-months)", "value": round(r.dip_engineer_months[0.5], 1),
         "unit": "", "band": band(r.dip_engineer_months, lambda v: f"{v:.1f}"), "kind": "model", "status": "computed",
         "provenance": model},
        {"chapter": 4, "figure": "Time back to the old velocity (months)",
         "value": None if r.recovery_months[0.5] is None else round(r.recovery_months[0.5], 1), "unit": "",
         "band": band(r.recovery_months, lambda v: fmt_months(v, h)), "kind": "model", "status": "computed",
         "provenance": model},
    ]
    c = canary_model.evaluate(canary_input(params))
    out.append({"chapter": 4, "figure": f"Rollout exposure: bad requests before rollback ({plan_label(params)})",
                "value": round(c.expected_bad, 1), "unit": "", "kind": "model", "status": "computed",
                "band": f"P(rollback) {c.p_rollback:.2f}",
                "provenance": "canary model (Flagger semantics), parameters from this profile"})
    return out
