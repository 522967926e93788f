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
from .i18n import N_, _, use
from .models import canary as canary_model
from .models import migration_cost as mc
from .params import Param, ParameterError, ParamSet
from .units import duration

MEASUREMENTS = ("loopvar", "canary_router", "fuzz_parser", "supply_chain", "chaos_faults", "static_analysis",
                "quick_validation")
LEVEL_CHOICES = mc.LEVELS
PLAN_CHOICES = (*canary_model.PLANS, "custom")

PARAMS = COMMON.merged(ParamSet("chapter 4", (
    # 4.1 migration cost
    Param("mig_share_java", "float", 40.0, N_("Share of the team coming from Java (%, normalised with the others)"),
          label=N_("Java engineers (%)"), min=0, max=100, step=5),
    Param("mig_share_python", "float", 40.0, N_("Share of the team coming from Python (%)"), label=N_("Python engineers (%)"),
          min=0, max=100, step=5),
    Param("mig_share_node", "float", 20.0, N_("Share of the team coming from Node.js (%)"), label=N_("Node.js engineers (%)"),
          min=0, max=100, step=5),
    Param("mig_friction_error_handling", "float", 4.0, N_("Seed's friction rating: try/catch → explicit error returns (1-5)"),
          label=N_("Friction: error handling"), min=1, max=5, step=0.5),
    Param("mig_friction_concurrency", "float", 5.0, N_("Seed's friction rating: thread pools → goroutines and channels (1-5)"),
          label=N_("Friction: concurrency"), min=1, max=5, step=0.5),
    Param("mig_friction_dependencies", "float", 3.0, N_("Seed's friction rating: Maven/pip → go mod (1-5)"),
          label=N_("Friction: dependencies"), min=1, max=5, step=0.5),
    Param("mig_friction_extra", "str", "", N_("More friction dimensions: name=rating[@language+language], comma-separated, "
          "e.g. 'static_typing=3@python+node, generics=2'"), label=N_("More friction dimensions"),
          grammar=mc.parse_friction_extra, grammar_help=N_("empty, or name=rating (1-5) entries, optionally "
          "@language+language, comma-separated, e.g. 'static_typing=3@python+node, generics=2'")),
    Param("mig_friction_spread", "float", 1.0, N_("Per-engineer uncertainty of each friction rating (± points)"),
          label=N_("Friction spread (±)"), min=0, max=4, step=0.25),
    Param("mig_friction_elasticity_pct", "float", 25.0, N_("How much longer ramp-up gets per friction point above 3 (%)"),
          label=N_("Ramp-up per friction point (%)"), min=0, max=200, step=5),
    Param("mig_current_ltex", "choice", "high", N_("COCOMO II LTEX level of the team in its current language "
          "(very_low ≤ 2 months … nominal 1 year, high 3 years, very_high ≥ 6 years)"), label=N_("Experience today"),
          choices=LEVEL_CHOICES),
    Param("mig_plex_before", "choice", "nominal", N_("COCOMO II PLEX level on today's platform"), label=N_("Platform experience now"),
          choices=LEVEL_CHOICES),
    Param("mig_plex_after", "choice", "nominal", N_("COCOMO II PLEX level on the platform after the migration "
          "(same as now if only the language changes)"), label=N_("Platform experience after"), choices=LEVEL_CHOICES),
    Param("mig_gap_closed_pct", "float", 90.0, N_("What 'felt productive' means: share of the gap to full speed closed (%)"),
          label=N_("'Productive' = gap closed (%)"), min=50, max=99.9, step=1),
    Param("mig_long_run_velocity_pct", "float", 100.0, N_("Long-run velocity in Go relative to today (%)"),
          label=N_("Long-run velocity (%)"), min=20, max=300, step=5),
    Param("mig_cost_per_engineer_month", "float", 12000.0, N_("Fully loaded cost of one engineer-month (any currency)"),
          label=N_("Cost per engineer-month"), min=0, max=1e6, step=500, scale="log", fmt=",.0f"),
    Param("mig_time_share_pct", "float", 60.0, N_("Share of the team's time spent on the migrated systems (%)"),
          label=N_("Time on migrated systems (%)"), min=0, max=100, step=5),
    Param("mig_horizon_months", "int", 24, N_("Time horizon (months)"), label=N_("Horizon (months)"), min=3, max=60, step=1),
    Param("mig_recovered_within_pct", "float", 2.0, N_("'Back to old velocity' = within this many % of it"),
          label=N_("Recovered within (%)"), min=0.5, max=20, step=0.5),
    Param("mig_fleet_instances", "float", 20.0, N_("Instances the migrated services run on today"), label=N_("Fleet (instances)"),
          min=0, max=1e6, step=1, scale="log", fmt=",g"),
    Param("mig_instance_vcpu", "float", 1.0, N_("vCPUs per instance"), label=N_("vCPU per instance"), min=0, max=256, step=0.25,
          scale="log", fmt=",g"),
    Param("mig_price_vcpu_month", "float", 25.0, N_("Price of one vCPU-month (placeholder: set your own)"),
          label=N_("Price per vCPU-month"), min=0, max=1e5, step=1, scale="log", fmt=",g"),
    Param("mig_price_gib_month", "float", 3.5, N_("Price of one GiB of memory per month (placeholder: set your own)"),
          label=N_("Price per GiB-month"), min=0, max=1e4, step=0.5, scale="log", fmt=",g"),
    Param("mig_app_memory_gib", "float", 0.5, N_("Memory the application's own data needs per instance, same in both "
          "languages (GiB)"), label=N_("App memory (GiB)"), min=0, max=1024, step=0.25, scale="log",
          fmt=",g"),
    Param("mig_savings_realised_pct", "float", 100.0, N_("Share of chapter 1's measured Go-vs-current gap a real service "
          "would see (%); 100 is an upper bound, since the health check measures runtime overhead only"),
          label=N_("Measured gap realised (%)"), min=0, max=100, step=5),
    Param("mig_savings_start_month", "float", 3.0, N_("Month in which the Go services take over production traffic"),
          label=N_("Savings start (month)"), min=0, max=60, step=1),
    Param("mig_runs", "int", 1000, N_("Monte Carlo runs"), label=N_("Runs"), min=100, max=20000, step=100, scale="log",
          fmt=",d"),
    Param("mig_seed", "int", 4, N_("Random seed (the same seed gives the same result)"), label=N_("Seed"), min=0, max=2**31 - 1),
    # 4.2 canary
    Param("canary_plan", "choice", "seed", N_("Rollout plan: the seed's 5 → 50 → 100 %, Flagger's and Argo Rollouts' "
                                               "examples, or custom (canary_custom_steps)"),
          label=N_("Plan"), choices=PLAN_CHOICES),
    Param("canary_custom_steps", "str", "5,25,50,100", N_("Weights (%) for the custom plan, comma-separated"),
          label=N_("Custom steps (%)"), grammar=canary_model.parse_steps,
          grammar_help=N_("rising percentages up to 100, comma-separated, e.g. 5,25,50,100")),
    Param("canary_interval_s", "float", 60.0, N_("Analysis interval (Flagger: default 60 s, minimum 10 s)"),
          label=N_("Interval (s)"), min=10, max=3600, step=10, scale="log", fmt=",g"),
    Param("canary_threshold", "int", 1, N_("Failed checks before rollback (Flagger threshold; Argo failureLimit + 1)"),
          label=N_("Threshold"), min=1, max=20, step=1),
    Param("canary_min_success_pct", "float", 99.0, N_("Minimum success rate per interval (Flagger's built-in check: 99 %)"),
          label=N_("Min success (%)"), min=50, max=100, step=0.1),
    Param("canary_rps", "float", 100.0, N_("Requests per second to the service"), label=N_("Requests/s"), min=0.1, max=1e6, step=10,
          scale="log", fmt=",g"),
    Param("canary_bad_failure_pct", "float", 5.0, N_("Failure rate of a bad new version (%)"), label=N_("Bad version fails (%)"),
          min=0.01, max=100, step=0.5, scale="log", fmt=",g"),
    Param("canary_good_failure_pct", "float", 0.1, N_("Failure rate of a healthy new version (%)"),
          label=N_("Healthy version fails (%)"), min=0, max=50, step=0.01, scale="log", fmt=",g"),
)), name="chapter 4")

CHAPTER = Chapter(4, "04-risks-and-rollout.ipynb", "Risks and a progressive rollout", PARAMS, MEASUREMENTS)

# What the controls offer for the choice parameters (English msgids; the values stay the parameters' own).
LEVEL_LABELS = {"very_low": N_("very low (≤ 2 months)"), "low": N_("low (6 months)"), "nominal": N_("nominal (1 year)"),
                "high": N_("high (3 years)"), "very_high": N_("very high (≥ 6 years)")}
PLAN_LABELS = {**{key: label for key, (label, _steps) in canary_model.PLANS.items()},
               "custom": N_("Custom (the steps below)")}
LANGUAGE_NAMES = {"java": "Java", "python": "Python", "node": "Node.js"}
# The friction matrix's seed rows: dimension -> (Java/Python habit, Go expectation), the seed's own table.
FRICTION_DIMENSIONS = {"error_handling": N_("error handling"), "concurrency": N_("concurrency"),
                       "dependencies": N_("dependencies")}
SEED_HABITS = {"error_handling": (N_("try/catch exception flow"), N_("explicit error return + if err != nil")),
               "concurrency": (N_("thread pool + synchronized"), N_("goroutine + channel")),
               "dependencies": (N_("Maven/pip central repositories"), N_("go mod semantic versions + local cache"))}


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate what the parameter declarations alone cannot (free-text friction and steps, the language mix);
    raises ParameterError naming the parameter, in the page's language. Returns params for chaining."""
    with use(params.get("lang")):
        migration_input(params, None)
        plan_steps(params)
    return dict(params)


# ---------------------------------------------------------------- 4.1 migration cost

def friction_matrix(params: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    matrix = {dim: {lang: float(params[f"mig_friction_{dim}"]) for lang in mc.LANGUAGES}
              for dim in ("error_handling", "concurrency", "dependencies")}
    try:
        with use(params.get("lang")):
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


def savings_input(params: Mapping[str, Any], qv: measure.Lookup,
                  lang: str = "en") -> tuple[mc.SavingsInput | None, str]:
    """Running-cost inputs from chapter 1's measurements, or None and why not (in `lang`; English by default,
    as provenance is written)."""
    if not qv.ok:
        return None, _("chapter 1's quick_validation has not been measured: {reason}", lang).format(reason=qv.reason)
    current, go = runtime_sample(qv, params["current_stack"]), runtime_sample(qv, "go")
    if go is None or current is None:
        which = "Go" if go is None else params["current_stack"]
        return None, _("chapter 1 has no measurement of {which} on this machine", lang).format(which=which)
    return mc.SavingsInput(
        current=current, go=go, fleet_instances=params["mig_fleet_instances"], instance_vcpu=params["mig_instance_vcpu"],
        price_vcpu_month=params["mig_price_vcpu_month"], price_gib_month=params["mig_price_gib_month"],
        app_memory_gib=params["mig_app_memory_gib"], realised=params["mig_savings_realised_pct"] / 100,
        start_month=params["mig_savings_start_month"]), ""


def migration_input(params: Mapping[str, Any], savings: mc.SavingsInput | None) -> mc.MigrationInput:
    mix = {"java": params["mig_share_java"], "python": params["mig_share_python"], "node": params["mig_share_node"]}
    with use(params.get("lang")):
        if sum(mix.values()) <= 0:
            raise ParameterError(_("{names} are all 0: at least one share must be > 0").format(
                names="mig_share_java, mig_share_python, mig_share_node"))
        try:
            return mc.MigrationInput(
                team_size=params["team_size"], language_mix=mix, friction=friction_matrix(params),
                friction_spread=params["mig_friction_spread"],
                friction_elasticity=params["mig_friction_elasticity_pct"] / 100,
                current_ltex=params["mig_current_ltex"], plex_before=params["mig_plex_before"],
                plex_after=params["mig_plex_after"], gap_closed=params["mig_gap_closed_pct"] / 100,
                long_run_velocity=params["mig_long_run_velocity_pct"] / 100,
                cost_per_engineer_month=params["mig_cost_per_engineer_month"],
                time_share=params["mig_time_share_pct"] / 100,
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


def migrate(params: Mapping[str, Any], qv: measure.Lookup | None = None, runs: int | None = None,
            lang: str = "en") -> tuple[mc.MigrationResult, str]:
    """The migration model for these parameters (with `runs` instead of mig_runs if given); the second value
    says why savings are missing, if they are (in `lang`)."""
    qv = qv if qv is not None else CHAPTER.lookup(params, "quick_validation")
    savings, why = savings_input(params, qv, lang)
    inp = migration_input(params, savings)
    if runs is not None and runs != inp.runs:
        inp = replace(inp, runs=runs)
    # Chapter 5 asks for the same run twice (scorecard, ADR), each most of a second. The inputs are
    # frozen dataclasses of plain values and the runs are seeded, so equal reprs mean equal results.
    return _MIGRATIONS.get(repr(inp), lambda: mc.simulate(inp)), why


_MIGRATIONS = Memo(16)


def fmt_months(value: float | None, horizon: int, lang: str | None = "en") -> str:
    if value is None:
        return _("> {n} months", lang).format(n=horizon)
    return _("{n} months", lang).format(n=f"{value:.1f}")


def migration_finding(r: mc.MigrationResult, lang: str | None = "en") -> str:
    """The fan chart's finding, computed from the run: how deep the dip is and when the team is back."""
    med = r.recovery_months[0.5]
    low = f"{r.min_velocity[0.5] * 100:.0f}"
    tol = f"{r.inp.tolerance * 100:g}"
    if med is not None:
        return _("The team dips to {low} % of today's velocity and is back within {tol} % of its old velocity after "
                 "{months} months (median)", lang).format(low=low, tol=tol, months=f"{med:.1f}")
    return _("The team dips to {low} % of today's velocity and is not back within {tol} % in {horizon} months "
             "(median run)", lang).format(low=low, tol=tol, horizon=r.inp.horizon_months)


def migration_rows(r: mc.MigrationResult, lang: str | None = "en") -> list[dict[str, Any]]:
    h = r.inp.horizon_months
    output = _("Output", lang)

    def trio(d, fmt):
        return {f"{int(q * 100)} %": fmt(d[q]) for q in mc.QUANTILES}

    rows = [
        {output: _("Lowest team velocity (% of today)", lang), **trio(r.min_velocity, lambda v: f"{v * 100:.1f} %")},
        {output: _("Cost of the dip (engineer-months)", lang), **trio(r.dip_engineer_months, lambda v: f"{v:.1f}")},
        {output: _("Cost of the dip (money)", lang), **trio(r.dip_cost, lambda v: f"{v:,.0f}")},
        {output: _("Back within {tol} % of old velocity", lang).format(tol=f"{r.inp.tolerance * 100:g}"),
         **trio(r.recovery_months, lambda v: fmt_months(v, h, lang))},
    ]
    if r.monthly_saving is not None:
        rows.append({output: _("Running-cost savings per month", lang), **trio(r.monthly_saving, lambda v: f"{v:,.0f}")})
        rows.append({output: _("Break-even (savings cover the dip)", lang),
                     **trio(r.breakeven_months, lambda v: fmt_months(v, h, lang))})
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
            with use(params.get("lang")):
                return canary_model.parse_steps(params["canary_custom_steps"])
        except ParameterError as exc:  # the model names its own field; say which chapter parameter it came from
            raise ParameterError(f"canary_custom_steps: {exc}") from None
    return canary_model.PLANS[params["canary_plan"]][1]


def plan_label(params: Mapping[str, Any], lang: str | None = None) -> str:
    """The selected plan's name in `lang` (default: the page's, params["lang"])."""
    lang = lang or params.get("lang")
    if params["canary_plan"] == "custom":
        return _("Custom: {steps} %", lang).format(steps=" → ".join(f"{w:g}" for w in plan_steps(params)))
    return _(canary_model.PLANS[params["canary_plan"]][0], lang)


def canary_input(params: Mapping[str, Any], failure_pct: float | None = None,
                 steps: tuple[float, ...] | None = None) -> canary_model.CanaryInput:
    with use(params.get("lang")):
        return canary_model.CanaryInput(
            steps=steps or plan_steps(params), interval_s=params["canary_interval_s"],
            threshold=params["canary_threshold"], min_success_pct=params["canary_min_success_pct"],
            rps=params["canary_rps"],
            failure_pct=params["canary_bad_failure_pct"] if failure_pct is None else failure_pct)


def all_plans(params: Mapping[str, Any]) -> dict[str, tuple[str, tuple[float, ...]]]:
    """Every plan: key -> (name in the page's language, steps)."""
    lang = params.get("lang")
    plans = {key: (_(label, lang), steps) for key, (label, steps) in canary_model.PLANS.items()}
    if params["canary_plan"] == "custom":
        plans["custom"] = (plan_label(params), plan_steps(params))
    return plans


# The plan table's columns: stable keys (English); `PLAN_COLUMNS` are their headers as msgids.
PLAN_COLUMNS = (N_("Plan"), N_("Steps (%)"), N_("Bad version: expected bad requests"), N_("Bad version: P(rolled back)"),
                N_("Bad version: expected detection"), N_("Healthy version: full rollout after"),
                N_("Healthy version: P(false rollback)"))


def canary_plan_rows(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every plan with a bad and a healthy version: exposure, detection and rollout time. Keys are stable
    (English, PLAN_COLUMNS); the cells are worded in the page's language."""
    lang = params.get("lang")
    rows = []
    for key, (label, steps) in all_plans(params).items():
        bad = canary_model.evaluate(canary_input(params, steps=steps))
        good = canary_model.evaluate(canary_input(params, params["canary_good_failure_pct"], steps=steps))
        rows.append({
            "key": key, "Plan": label + (_(" (selected)", lang) if key == params["canary_plan"] else ""),
            "Steps (%)": " → ".join(f"{w:g}" for w in steps),
            "Bad version: expected bad requests": f"{bad.expected_bad:,.1f}",
            "Bad version: P(rolled back)": f"{bad.p_rollback * 100:.1f} %",
            "Bad version: expected detection": "—" if bad.expected_detection_s is None else duration(bad.expected_detection_s),
            "Healthy version: full rollout after": duration(good.min_rollout_s),
            "Healthy version: P(false rollback)": f"{good.p_rollback * 100:.2f} %",
            "_bad": bad.expected_bad, "_detect": bad.expected_detection_s, "_rollout": good.min_rollout_s,
            "_false": good.p_rollback,
        })
    return rows


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


def scenario_label(sc: Mapping[str, Any], lang: str | None = "en") -> str:
    """A measured canary scenario's name from its plan and failure rate (the cached label is English only)."""
    steps = " → ".join(f"{w:g}" for w in sc.get("steps_pct", ()))
    plan = sc.get("plan", "")
    name = (_("Seed plan {steps} %", lang).format(steps=steps) if plan == "seed" else
            _("Flagger-style {step} % steps", lang).format(step=f"{sc['steps_pct'][0]:g}") if plan.startswith("flagger")
            else f"{plan} {steps} %")
    pct = sc.get("canary_error_pct", 0)
    if pct:
        return _("{plan}, canary fails {pct} %", lang).format(plan=name, pct=f"{pct:g}")
    return _("{plan}, healthy canary", lang).format(plan=name)


def canary_comparison(found: measure.Lookup, lang: str | None = "en") -> list[dict[str, Any]]:
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
                "scenario": key, "label": scenario_label(sc, lang) if "plan" in sc else sc["label"], "run": i + 1,
                "rps": rps, "measured_state": run["state"], "measured_bad": run["bad_requests"],
                "measured_client_5xx": run["client_5xx"], "measured_decided_s": run["decided_at_s"],
                "measured_canary_requests": run["canary_requests"],
                "model_bad": model.expected_bad, "model_p_rollback": model.p_rollback,
                "model_detection_s": model.expected_detection_s, "model_rollout_s": model.expected_rollout_s,
                "model_decision_s": model.expected_decision_s,
                "bad_after_decision": run["bad_after_decision"], "checks": run["checks"],
                "weights": run["weights"], "actions": run["actions"],
            })
    return rows


ROLLOUT_STATES = {"rolled_back": N_("rolled back"), "promoted": N_("promoted")}


def canary_comparison_table(rows: list[dict[str, Any]], lang: str | None = "en") -> list[dict[str, Any]]:
    out = []
    for r in rows:
        predicted = _(ROLLOUT_STATES["rolled_back" if r["model_p_rollback"] >= 0.5 else "promoted"], lang)
        state = _(ROLLOUT_STATES.get(r["measured_state"], r["measured_state"].replace("_", " ")), lang)
        out.append({
            _("Scenario", lang): r["label"] + (_(" — run {n}", lang).format(n=r["run"]) if r["run"] > 1 else ""),
            _("Measured RPS", lang): f"{r['rps']:,.0f}",
            _("Model: outcome", lang): _("{state} (P(rollback) {pct} %)", lang).format(
                state=predicted, pct=f"{r['model_p_rollback'] * 100:.0f}"),
            _("Measured: outcome", lang): _("{state} after {n} check(s) at {weights}", lang).format(
                state=state, n=len(r["weights"]), weights=", ".join(f"{w:g} %" for w in r["weights"])),
            _("Model: bad requests", lang): f"{r['model_bad']:.1f}",
            _("Measured: bad requests (router / client)", lang): f"{r['measured_bad']} / {r['measured_client_5xx']}",
            _("Model: decision after", lang): f"{r['model_decision_s']:.2f} s",
            _("Measured: decision after", lang): f"{r['measured_decided_s']:.2f} s" if r["measured_decided_s"] else "—",
            _("Bad after the decision", lang): r["bad_after_decision"],
        })
    return out


# ---------------------------------------------------------------- 4.1 loopvar, 4.3 security, 4.4 chaos

MODULE_NAMES = {"go121": "go 1.21", "go122": "go 1.22", "nogoline": N_("no go directive")}   # the go line in go.mod


def module_name(key: str, lang: str | None = "en") -> str:
    return _(MODULE_NAMES[key], lang) if key in MODULE_NAMES else key


def loopvar_rows(found: measure.Lookup, lang: str | None = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    s = found.result["summary"]
    from .measure.loopvar import CASES, MODULES

    column = {key: "go.mod: " + (module_name(key, lang) if key in MODULE_NAMES else says.split(" (")[0])
              for key, (_line, says) in MODULES.items()}
    case = _("Case", lang)
    rows = []
    for name in CASES:
        rows.append({case: name, **{column[key]: s[key]["outputs"].get(name, "—") for key in MODULES}})
    rows.append({case: "go vet", **{column[key]: "; ".join(s[key]["vet_findings"]) or _("no findings", lang)
                                    for key in MODULES}})
    return rows


# Chaos metrics: stable keys (the charts filter on them) and their names as msgids.
CHAOS_METRICS = {"qps": N_("Requests/s"), "p99_ms": N_("p99 latency (ms)"), "error_pct": N_("Errors (% of requests)")}
FAULT_NAMES = {"latency": N_("latency"), "error_rate": N_("error rate"), "cpu_hog": N_("CPU hog"), "kill": N_("kill")}
PHASE_NAMES = {"before": N_("before"), "during": N_("during"), "after": N_("after")}


def fault_name(fault: str, lang: str | None = "en") -> str:
    return _(FAULT_NAMES[fault], lang) if fault in FAULT_NAMES else fault.replace("_", " ")


def chaos_rows(found: measure.Lookup) -> list[dict[str, Any]]:
    """Long form: fault × phase × metric, for charts (keys, not words: the chart names them)."""
    if not found.ok:
        return []
    s = found.result["summary"]
    rows = []
    for fault in s["faults"]:
        for phase in ("before", "during", "after"):
            w = s[fault][phase]
            for metric in CHAOS_METRICS:
                rows.append({"fault": fault, "litmus": s[fault]["litmus"], "phase": phase, "metric": metric,
                             "value": w[metric]})
    return rows


def _tunables(text: str, lang: str | None) -> str:
    """LitmusChaos tunables as the measurement recorded them ('NAME (ms, default 2000)'): the few words translated."""
    for word in (N_("default"), N_("% of requests affected")):
        text = text.replace(word, _(word, lang))
    return text


def chaos_table(found: measure.Lookup, lang: str | None = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    s = found.result["summary"]
    out = []
    for fault in s["faults"]:
        d = s[fault]
        lit = s["litmus"][fault]
        b, du, a = d["before"], d["during"], d["after"]
        detail = d["detail"]
        if fault == "kill":
            injected = _("exit {code}, back after {ms} ms", lang).format(
                code=detail.get("exit_code"), ms=f"{detail.get('downtime_ms', 0):.0f}")
        else:
            injected = detail.get("admin", "")
        out.append({
            _("Fault (here)", lang): fault_name(fault, lang), _("Injected", lang): injected,
            _("LitmusChaos experiment", lang): lit["experiment"]
            + (_(" (also {name})", lang).format(name=lit["also"]) if lit["also"] else ""),
            _("Main tunables (defaults)", lang): _tunables(lit["tunables"], lang),
            _("Requests/s before → during → after", lang): f"{b['qps']:,.0f} → {du['qps']:,.0f} → {a['qps']:,.0f}",
            _("p99 ms before → during → after", lang): f"{b['p99_ms']:.1f} → {du['p99_ms']:.1f} → {a['p99_ms']:.1f}",
            _("Errors during", lang): f"{du['errors']:,} ({du['error_pct']:.1f} %)",
            _("Recovered", lang): _("yes", lang) if d["recovered"] else _("no", lang),
        })
    return out


def sbom_rows(found: measure.Lookup, lang: str | None = "en") -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    for key, b in found.result["summary"]["binaries"].items():
        mods = ([("mod", b["main"])] if b["main"] else []) + [("dep", d) for d in b["deps"]]
        for kind, m in mods:   # mod / dep: the words `go version -m` prints
            rows.append({_("Binary", lang): b["label"], _("Kind", lang): kind, _("Module", lang): m["path"],
                         _("Version", lang): m["version"], _("go.sum hash", lang): m["sum"] or "—"})
    return rows


# Key figures: names are English msgids (chapter 5, the ADR and the batch page translate them where shown) and
# bands are numbers only, so the figures are identical in every language.
FIGURE_DIP = N_("Cost of the productivity dip (engineer-months)")
FIGURE_BACK = N_("Time back to the old velocity (months)")
FIGURE_EXPOSURE = N_("Rollout exposure: bad requests before rollback")


# Key figures keep their provenance English (results.json is the same in both languages); pages word it.
MIGRATION_PROVENANCE = measure.provenance_template(N_(
    "migration_cost model, {runs} seeded runs (seed {seed}); savings from chapter 1's measurements: {measured}"))
MIGRATION_PROVENANCE_UNMEASURED = measure.provenance_template(N_(
    "migration_cost model, {runs} seeded runs (seed {seed}); savings {why}"))
CANARY_PROVENANCE = measure.provenance_template(N_(
    "canary model (Flagger semantics), plan {plan}: {steps} %, canary_* values of this profile"))


def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Headline figures for the summary chapter: migration cost with its band, rollout exposure."""
    r, why = migrate(params)
    qv = CHAPTER.lookup(params, "quick_validation")
    model = (MIGRATION_PROVENANCE.format(runs=r.inp.runs, seed=r.inp.seed,
                                         measured=measure.provenance_line(qv.result, "en")) if qv.ok and not why
             else MIGRATION_PROVENANCE_UNMEASURED.format(runs=r.inp.runs, seed=r.inp.seed, why=why or "n/a"))
    band = lambda d, fmt: f"{fmt(d[0.5])} (10–90 %: {fmt(d[0.1])} – {fmt(d[0.9])})"  # noqa: E731
    h = r.inp.horizon_months
    months = lambda v: f"> {h}" if v is None else f"{v:.1f}"  # noqa: E731
    out = [
        {"chapter": 4, "figure": FIGURE_DIP, "value": round(r.dip_engineer_months[0.5], 1),
         "unit": "", "band": band(r.dip_engineer_months, lambda v: f"{v:.1f}"), "kind": "model", "status": "computed",
         "provenance": model},
        {"chapter": 4, "figure": FIGURE_BACK,
         "value": None if r.recovery_months[0.5] is None else round(r.recovery_months[0.5], 1), "unit": "",
         "band": band(r.recovery_months, months), "kind": "model", "status": "computed",
         "provenance": model},
    ]
    c = canary_model.evaluate(canary_input(params))
    out.append({"chapter": 4, "figure": FIGURE_EXPOSURE,
                "value": round(c.expected_bad, 1), "unit": "", "kind": "model", "status": "computed",
                "band": f"P(rollback) {c.p_rollback:.2f}",
                "provenance": CANARY_PROVENANCE.format(plan=params["canary_plan"],
                                                       steps=" → ".join(f"{w:g}" for w in plan_steps(params)))})
    return out
