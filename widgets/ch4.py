"""Chapter 4's interactive layer: the migration-cost and canary models with live controls, and the
cached measurements (loop variables, canary router, fuzzing, module inventory, chaos) as charts
and tables. Moving a control re-runs a model (cheap); it never measures.
"""

from __future__ import annotations

import html
from typing import Any

from gohandbook import ch4, measure
from gohandbook.models import migration_cost as mc

from . import charts_ch4 as charts
from . import controls
from .render import CLAIMS_CAPTION, not_current_note, show_chart, show_claims, show_html, shown_summary, table_html


def _prov(found: measure.Lookup) -> str:
    return measure.provenance_line(found.result) if found.ok else ""


# ---------------------------------------------------------------- 4.1 migration cost

MIGRATION_GROUPS = [
    ("Team", ("team_size", "mig_share_java", "mig_share_python", "mig_share_node", "mig_time_share_pct",
              "mig_cost_per_engineer_month", "mig_horizon_months")),
    ("Cognitive friction (seed's matrix, 1–5)", ("mig_friction_error_handling", "mig_friction_concurrency",
                                                 "mig_friction_dependencies", "mig_friction_extra", "mig_friction_spread",
                                                 "mig_friction_elasticity_pct")),
    ("Ramp-up (COCOMO II, Go Developer Survey 2020)", ("mig_current_ltex", "mig_plex_before", "mig_plex_after",
                                                       "mig_gap_closed_pct", "mig_long_run_velocity_pct",
                                                       "mig_recovered_within_pct")),
    ("Running costs (chapter 1's measurements × your fleet and prices)", (
        "mig_fleet_instances", "mig_instance_vcpu", "mig_price_vcpu_month", "mig_price_gib_month", "mig_app_memory_gib",
        "mig_savings_realised_pct", "mig_savings_start_month")),
    ("Simulation", ("mig_runs", "mig_seed")),
]


def _migration_summary(params: dict, r: mc.MigrationResult, why: str) -> str:
    sv = r.inp.savings
    h = r.inp.horizon_months
    parts = [f"<b>{html.escape(ch4.migration_finding(r))}.</b>",
             f"Cost of the dip (median): {r.dip_engineer_months[0.5]:.1f} engineer-months ≈ {r.dip_cost[0.5]:,.0f} "
             f"(10–90 %: {r.dip_cost[0.1]:,.0f}–{r.dip_cost[0.9]:,.0f})."]
    if sv is None:
        parts.append(f"Break-even not computed: {html.escape(why)}.")
    else:
        be = r.breakeven_months[0.5]
        when = (f"they cover the dip in month {be:.1f} (median)" if be is not None
                else f"in the median run they do not cover the dip within {h} months ({r.breakeven_share * 100:.0f} % "
                     "of runs break even)")
        fleet = ch4.breakeven_fleet(r)
        parts.append(f"Running-cost savings ≈ {r.monthly_saving[0.5]:,.0f} per month from month {sv.start_month:g}: "
                     f"{when}.")
        if fleet is not None:
            parts.append(f"With these prices the savings pay for the median dip within {h} months from a fleet of about "
                         f"{fleet:,.0f} instances.")
    counts = ", ".join(f"{n} {lang}" for lang, n in r.language_counts.items() if n)
    friction = ", ".join(f"{lang} {v:.1f}" for lang, v in r.friction_by_language.items())
    parts.append(f"<span class='gh-prov'>Simulated engineers: {counts}. Mean friction by source language: {friction}; "
                 f"starting productivity {r.p0_range[0] * 100:.0f}–{r.p0_range[1] * 100:.0f} % of today (COCOMO II).</span>")
    return '<div class="gh-callout">' + "<br>".join(parts) + "</div>"


def _migration_views(state: dict) -> dict:
    """Summary, charts and table for a state. Live pages simulate `ch4.live_runs` runs (the report's first ones)
    and say so; reports simulate all of them."""
    runs = ch4.live_runs(state) if state["live_widgets"] else state["mig_runs"]
    r, why = ch4.migrate(state, runs=runs)
    h = r.inp.horizon_months
    cost_title = ("Cost of the dip over time: savings not computed" if r.breakeven_months is None else
                  f"Running-cost savings do not cover the dip within {h} months (median run)"
                  if r.breakeven_months[0.5] is None else
                  f"Savings cover the cost of the dip after {r.breakeven_months[0.5]:.1f} months (median run)")
    summary = _migration_summary(state, r, why)
    if runs < state["mig_runs"]:
        summary = summary.replace("</div>", "<br>" + html.escape(LIVE_RUNS_NOTE.format(
            runs=runs, total=state["mig_runs"])) + "</div>", 1)
    return {"summary": summary, "fan": charts.fan_chart(r, ch4.migration_finding(r)), "ramp": charts.ramp_chart(r),
            "cost": charts.cost_savings_chart(r, cost_title, "cost units"),
            "table": table_html(ch4.migration_rows(r), caption=f"Quantiles over {r.inp.runs:,} Monte Carlo runs.")}


LIVE_RUNS_NOTE = ("Live page: the first {runs:,} of the {total:,} runs (a bound that keeps every slider within a second); "
                  "the report simulates all {total:,}.")
SHARES = ("mig_share_java", "mig_share_python", "mig_share_node")
SAVINGS_CONTROLS = ("mig_fleet_instances", "mig_instance_vcpu", "mig_price_vcpu_month", "mig_price_gib_month",
                    "mig_app_memory_gib", "mig_savings_realised_pct", "mig_savings_start_month")
FRICTION_CONTROLS = ("mig_friction_error_handling", "mig_friction_concurrency", "mig_friction_dependencies",
                     "mig_friction_extra", "mig_friction_spread")


def _migration_relate(state) -> tuple[str, dict[str, str]]:
    """How the shares combine (normalised to 100 %), and the controls that change nothing under this state."""
    off: dict[str, str] = {}
    total = sum(state[n] for n in SHARES)
    if total <= 0:
        note = "The three shares are all 0: set at least one above 0."
    else:
        used = ch4.mix_shares(state)
        mix = ", ".join(f"{ch4.PARAMS[n].label.split(' engineers')[0]} {used[n.rsplit('_', 1)[1]]:.0f} %" for n in SHARES)
        note = (f"Team mix used: {mix}." if abs(total - 100) < 1e-9 else
                f"The shares add up to {total:g} %, so the model uses them normalised to 100 %: {mix}.")
    try:
        differs = ch4.friction_differs_by_language(state)
    except Exception:  # noqa: BLE001 — a bad friction entry is reported by the model's own error
        differs = True
    if state["mig_friction_elasticity_pct"] == 0:
        for name in FRICTION_CONTROLS:
            off[name] = "With 0 % ramp-up per friction point, friction ratings change nothing."
        for name in SHARES:
            off[name] = "The language shares change nothing while friction is switched off."
    elif not differs:
        for name in SHARES:
            off[name] = ("The language shares change nothing while every language has the same friction ratings: "
                         "add a dimension for some languages under 'More friction dimensions' "
                         "(e.g. static_typing=3@python+node) to make them matter.")
    qv = ch4.CHAPTER.lookup(state, "quick_validation")
    _, why = ch4.savings_input(state, qv)
    if why:
        for name in SAVINGS_CONTROLS:
            off[name] = f"Running-cost inputs are not used: {why}."
    return html.escape(note), off


MIGRATION_PANEL = controls.register(controls.Panel(
    4, "migration", ch4.PARAMS, tuple(MIGRATION_GROUPS), _migration_views, relate=_migration_relate, costly=True))


def migration_panel(params: dict):
    """The migration-cost model: static in reports, controls + live charts in JupyterLab and Voila."""
    return controls.show(MIGRATION_PANEL, params)


def friction_section(params: dict) -> None:
    matrix = ch4.friction_matrix(params)
    seed = {"error_handling": ("try/catch exception flow", "explicit error return + if err != nil"),
            "concurrency": ("thread pool + synchronized", "goroutine + channel"),
            "dependencies": ("Maven/pip central repositories", "go mod semantic versions + local cache")}
    rows = []
    for dim, per in matrix.items():
        habit, expect = seed.get(dim, ("(added here)", ""))
        rows.append({"Dimension": dim.replace("_", " "), "Java/Python habit (seed)": habit, "Go expectation (seed)": expect,
                     **{f"{lang.capitalize()}": f"{per[lang]:g}" if lang in per else "—" for lang in mc.LANGUAGES}})
    show_html(table_html(rows, caption=(
        "The friction matrix in use (ratings 1–5). The seed rates error handling 4, concurrency 5 and dependency "
        "management 3 for Java/Python engineers; it says nothing about Node.js, so the same ratings apply there "
        "until you change them (mig_friction_extra adds dimensions, optionally per language).")))


# ---------------------------------------------------------------- loopvar

def loopvar_section(params: dict) -> None:
    found = ch4.CHAPTER.lookup(params, "loopvar")
    s = shown_summary(found)
    if s is None:
        return
    verdict = ("outdated for go ≥ 1.22: with go 1.22 in go.mod each goroutine sees its own item; with go 1.21 or "
               "no go line they all see the last one" if s["go121"]["bug_reproduced"] and not s["go122"]["bug_reproduced"]
               else "see the outputs")
    show_html(f'<div class="gh-callout"><b>Verdict on the seed\'s warning: {html.escape(verdict)}.</b> '
              f"The seed's own “wrong” example (processItem) captures a function parameter, not a loop variable: it "
              f"printed “{html.escape(str(s['seed_example']['output_go121']))}” even under go 1.21.</div>")
    show_html(table_html(ch4.loopvar_rows(found), caption=(
        "One main.go (identical in all three modules), run with `go run .` and checked with `go vet`; each cell is the "
        "sorted values the goroutines saw (a b c is correct). " + _prov(found))))
    code = found.result["raw"].get("main.go", "")
    start = code.find("// captureLoopVar")
    end = code.find("// passAsArgument")
    seed_start = code.find("// processItem is")
    seed_end = code.find("func runSeed")
    show_html("<details><summary>The program's loop and the seed's two examples (go-samples/loopvar/main.go)</summary>"
              f"<pre>{html.escape(code[start:end].strip())}\n\n{html.escape(code[seed_start:seed_end].strip())}</pre></details>")


# ---------------------------------------------------------------- 4.2 canary

CANARY_GROUPS = [
    ("Rollout plan", ("canary_plan", "canary_custom_steps", "canary_interval_s", "canary_threshold",
                      "canary_min_success_pct")),
    ("Traffic and versions", ("canary_rps", "canary_bad_failure_pct", "canary_good_failure_pct")),
]
PLAN_COLUMNS = ["Plan", "Steps (%)", "Bad version: expected bad requests", "Bad version: P(rolled back)",
                "Bad version: expected detection", "Healthy version: full rollout after", "Healthy version: P(false rollback)"]


def _canary_views(params: dict) -> tuple[str, Any, str]:
    r = ch4.canary_model.evaluate(ch4.canary_input(params))
    good = ch4.canary_model.evaluate(ch4.canary_input(params, params["canary_good_failure_pct"]))
    detect = "—" if r.expected_detection_s is None else ch4.fmt_seconds(r.expected_detection_s)
    text = (f'<div class="gh-callout"><b>{html.escape(ch4.plan_label(params))}:</b> a version failing '
            f"{params['canary_bad_failure_pct']:g} % of requests is rolled back with probability {r.p_rollback * 100:.1f} % "
            f"after {detect} on average, having served about <b>{r.expected_bad:,.1f} bad requests</b>; if it slipped "
            f"through it would serve {r.bad_per_hour_if_promoted:,.0f} bad requests per hour. A healthy version "
            f"(failing {params['canary_good_failure_pct']:g} %) is fully rolled out after {ch4.fmt_seconds(good.min_rollout_s)} "
            f"and wrongly rolled back with probability {good.p_rollback * 100:.2f} %.</div>")
    step_rows = [{"Step": s.step, "Weight (%)": f"{s.weight_pct:g}", "Canary requests per interval": s.canary_requests,
                  "P(check fails)": f"{s.p_check_fails * 100:.1f} %", "P(reached)": f"{s.p_reached * 100:.1f} %",
                  "Expected bad requests here": f"{s.expected_bad:,.1f}"} for s in r.steps]
    chart = charts.canary_sweep_chart(ch4.canary_sweep(params), selected=params["canary_plan"],
                                      min_success=params["canary_min_success_pct"], rps=params["canary_rps"],
                                      interval_s=params["canary_interval_s"], threshold=params["canary_threshold"])
    tables = (table_html(step_rows, caption="The selected plan with the bad version, step by step.")
              + table_html(ch4.canary_plan_rows(params), PLAN_COLUMNS, caption=(
                  "Every plan with the same traffic and versions. Flagger's promotion takes interval × number of steps; "
                  "its rollback takes interval × threshold once the checks fail.")))
    return text, chart, tables


def _canary_panel_views(state: dict) -> dict:
    text, chart, tables = _canary_views(state)
    return {"text": text, "chart": chart, "tables": tables}


def _canary_relate(state) -> tuple[str, dict[str, str]]:
    off = {}
    if state["canary_plan"] != "custom":
        off["canary_custom_steps"] = "Custom steps apply to the custom plan only."
    return "", off


CANARY_PANEL = controls.register(controls.Panel(
    4, "canary_model", ch4.PARAMS, tuple(CANARY_GROUPS), _canary_panel_views, relate=_canary_relate))


def canary_model_panel(params: dict):
    return controls.show(CANARY_PANEL, params)


def canary_measured_section(params: dict) -> None:
    found = ch4.CHAPTER.lookup(params, "canary_router")
    s = shown_summary(found)
    if s is None:
        return
    rows = ch4.canary_comparison(found)
    prov = _prov(found)
    hr = s["header_routing"]
    show_html(
        f"<p><b>Header routing:</b> {hr['v2_to_canary']} of {hr['requests'] // 2} requests with <code>x-canary: v2</code> "
        f"reached the canary and {hr['v1_to_stable']} of {hr['requests'] // 2} with <code>x-canary: v1</code> the stable "
        f"version ({'as intended' if hr['ok'] else 'NOT as intended'}).</p>")
    show_chart(charts.canary_measured_chart(rows, prov), live=params["live_widgets"])
    st = s["settings"]
    show_html(table_html(ch4.canary_comparison_table(rows), caption=(
        f"Interval {st['interval_s']:g} s (scaled down from Flagger's 60 s), threshold {st['threshold']}, success ≥ "
        f"{st['min_success_pct']:g} %, {st['connections']} load-generator connections. Bad requests: the router's count of "
        "5xx answers from the canary / the load generator's count of 5xx it received. " + prov)))


# ---------------------------------------------------------------- 4.3 security

def security_section(params: dict) -> None:
    sa = ch4.CHAPTER.lookup(params, "static_analysis")
    s = shown_summary(sa)
    if s is None:
        return
    sc = "skipped" if s["staticcheck_found"] is None else f"{s['staticcheck_found']} of {s['planted']}"
    show_html(f"<p><b>Chapter 1's scan, reused:</b> go vet found {s['vet_found']} of {s['planted']} planted "
              f"problems, staticcheck {sc}, together {s['union_found']}. None of the planted problems is an unclosed "
              "reader: go vet has no such check (that is the third-party <code>bodyclose</code> linter). "
              f"<span class='gh-prov'>{html.escape(_prov(sa))}</span></p>")


def fuzz_section(params: dict) -> None:
    found = ch4.CHAPTER.lookup(params, "fuzz_parser")
    s = shown_summary(found)
    if s is None:
        return
    raw = found.result["raw"]
    if s["found_planted_bug"]:
        head = (f"<b>go test -fuzz found the planted bug after {s['seconds_to_find']:.2f} s of fuzzing</b> (budget "
                f"{s['fuzztime_s']:g} s; {s['wall_s_planted']:.1f} s including compilation). Crashing input it saved: "
                f"<code>{html.escape(repr(s['crashing_input']))}</code> — {html.escape(s['failure'] or '')}")
    else:
        head = f"<b>go test -fuzz did not find the planted bug within {s['fuzztime_s']:g} s.</b>"
    fixed = (f"The fixed version handles that input ({'passes' if s['fixed_handles_crasher'] else 'FAILS'} as a regression "
             f"test) and survived {s['fixed_fuzztime_s']:g} s of fuzzing ({s['fixed_execs'] or 0:,} executions, "
             f"{'no failure' if s['fixed_passed'] else 'FAILED'}).")
    show_html(f'<div class="gh-callout">{head}<br>{fixed}</div>')
    show_html(table_html([
        {"Step": "Fuzz the planted version", "Command": s["planted_command"],
         "Result": "failure found" if s["found_planted_bug"] else "nothing found"},
        {"Step": "Saved crasher (testdata/fuzz/FuzzParse/…)", "Command": "—", "Result": s["crashing_input_file"] or "—"},
        {"Step": "Fuzz the fixed version", "Command": s["fixed_command"],
         "Result": "passed" if s["fixed_passed"] else "failed"},
    ], caption="Run in a temporary copy of go-samples/parser, so the saved crasher does not touch the repository. "
               + _prov(found)))
    src = raw.get("sources", {})
    planted, fixed_src = src.get("unquote_planted.go", ""), src.get("unquote.go", "")

    def case(text: str) -> str:
        i = text.find("case '\\\\':")
        j = text.find("default:", i)
        return text[i:j].rstrip() if i >= 0 else ""

    show_html("<details><summary>The planted bug and the fix (go-samples/parser/unquote*.go)</summary>"
              f"<p>Planted (build tag <code>planted</code>):</p><pre>{html.escape(case(planted))}</pre>"
              f"<p>Fixed (default build):</p><pre>{html.escape(case(fixed_src))}</pre></details>")


def sbom_section(params: dict) -> None:
    found = ch4.CHAPTER.lookup(params, "supply_chain")
    s = shown_summary(found)
    if s is None:
        return
    show_html(table_html(ch4.sbom_rows(found), caption=(
        "`go version -m` on two built binaries: the module list and go.sum hashes the linker embeds (what Syft reads from "
        "Go binaries). The handbook's router uses the standard library only, so it lists just its own module. "
        + _prov(found))))
    v = s["govulncheck"]
    if v["status"] == "ran":
        text = (f"<p><b>govulncheck</b> ({html.escape(v['tool'])}) on the router binary: "
                + (", ".join(html.escape(f) for f in v["findings"]) or "no known vulnerabilities") + ".</p>")
    else:
        text = f"<div class='gh-warn'><b>govulncheck {html.escape(v['status'])}:</b> {html.escape(v.get('reason', ''))}</div>"
    show_html(text)


# ---------------------------------------------------------------- 4.4 chaos

def chaos_section(params: dict) -> None:
    found = ch4.CHAPTER.lookup(params, "chaos_faults")
    s = shown_summary(found)
    if s is None:
        return
    prov = _prov(found)
    faults = s["faults"]
    worst = min(faults, key=lambda f: s[f]["during_vs_before_qps_pct"] or 100)
    rec = [f for f in faults if s[f]["recovered"]]
    title = (f"{len(rec)} of {len(faults)} faults recovered once cleared; "
             f"{worst.replace('_', ' ')} hurt throughput most ({s[worst]['during_vs_before_qps_pct']:.0f} % of before)")
    show_chart(charts.chaos_chart(ch4.chaos_rows(found), title, prov), live=params["live_widgets"])
    setup = s["setup"]
    rows = ch4.chaos_table(found)
    show_html(table_html(rows, caption=(
        f"Service on {setup['server_cpu']}, load generator on {setup['loadgen_cpu']}, {setup['connections']} connections, "
        f"{setup['phase_seconds']:g} s per window. Recovered: {setup['recovered_rule']}. Latencies are of successful "
        "requests only. " + prov)))
    links = "".join(f"<li>{html.escape(f.replace('_', ' '))}: <a href=\"{html.escape(v['url'])}\">LitmusChaos "
                    f"{html.escape(v['experiment'])}</a></li>" for f, v in s["litmus"].items())
    show_html(f"<p>Sources for the tunables:</p><ul>{links}</ul>")


# ---------------------------------------------------------------- claims

def claims_section(params: dict) -> None:
    show_claims(ch4.CHAPTER.claims(params), CLAIMS_CAPTION[:-1] + "; model and cited claims say where they are addressed.")


# ---------------------------------------------------------------- what the chapter tells a decision-maker

def findings_section(params: dict) -> None:
    """The chapter's conclusions, each computed from this page's model run or a cached result (nothing
    hard-coded): where a result is missing, its line says so instead."""
    items = []
    r, _ = ch4.migrate(params, runs=ch4.live_runs(params) if params["live_widgets"] else None)
    share = r.inp.time_share * 100
    back = ("is back within {tol:g} % of its old velocity after {m:.1f} months (median run)".format(
        tol=r.inp.tolerance * 100, m=r.recovery_months[0.5]) if r.recovery_months[0.5] is not None else
        f"is not back within {r.inp.tolerance * 100:g} % of its old velocity within {r.inp.horizon_months} months")
    items.append(f"<b>Budget for the dip.</b> With these settings ({share:g} % of the team's time on the migrated "
                 f"systems) the team's velocity drops to {r.min_velocity[0.5] * 100:.0f} % of today's at the switch and "
                 f"{back}; the dip costs {r.dip_engineer_months[0.1]:.1f}–{r.dip_engineer_months[0.9]:.1f} "
                 f"engineer-months (10–90 % of {r.inp.runs:,} runs), which is how much the answer depends on who is on "
                 "the team.")
    if r.breakeven_months is not None:
        be = r.breakeven_months[0.5]
        fleet = ch4.breakeven_fleet(r)
        pays = (f"pay for the median dip in month {be:.1f}" if be is not None else
                f"do not pay for the median dip within {r.inp.horizon_months} months")
        items.append(f"<b>Savings depend on the fleet.</b> Running-cost savings from chapter 1's measurements "
                     f"({r.inp.savings.fleet_instances:,.0f} instances at your prices) {pays}"
                     + (f"; about {fleet:,.0f} instances would pay for it within the horizon." if fleet else "."))
    lv = ch4.CHAPTER.lookup(params, "loopvar")
    if lv.ok:
        s = lv.result["summary"]
        vet = "; go vet reported it there" if s["go121"]["vet_findings"] else "; go vet did not report it"
        items.append("<b>The loop-variable trap is a module setting.</b> "
                     + ("Goroutines shared the loop variable with go 1.21 in go.mod"
                        + (" and with no go line" if s["nogoline"]["bug_reproduced"] else "")
                        + (" but not with go 1.22" if not s["go122"]["bug_reproduced"] else " and even with go 1.22")
                        if s["go121"]["bug_reproduced"] else "The shared loop variable did not show with go 1.21")
                     + vet + ".")
    c = ch4.canary_model.evaluate(ch4.canary_input(params))
    near = max(0.0, (100 - params["canary_min_success_pct"]) * 0.8)
    slip = ch4.canary_model.evaluate(ch4.canary_input(params, near))
    items.append(f"<b>Step sizes decide exposure.</b> With {html.escape(ch4.plan_label(params))}, a version failing "
                 f"{params['canary_bad_failure_pct']:g} % of requests is rolled back with probability "
                 f"{c.p_rollback * 100:.0f} % after about {c.expected_bad:,.0f} bad requests; one failing {near:.2g} % "
                 f"(just inside the {params['canary_min_success_pct']:g} % success threshold) is rolled back with "
                 f"probability {slip.p_rollback * 100:.0f} %: the threshold decides which failure rates you accept.")
    cr = ch4.CHAPTER.lookup(params, "canary_router")
    if cr.ok:
        rows = ch4.canary_comparison(cr)
        agree = sum((row["model_p_rollback"] >= 0.5) == (row["measured_state"] == "rolled_back") for row in rows)
        items.append(f"The measured router reached the outcome the model predicts in {agree} of {len(rows)} runs.")
    fz = ch4.CHAPTER.lookup(params, "fuzz_parser")
    if fz.ok:
        s = fz.result["summary"]
        items.append("<b>Fuzzing on parsers.</b> " + (
            f"go test -fuzz found the planted out-of-bounds read after {s['seconds_to_find']:.2f} s of its "
            f"{s['fuzztime_s']:g} s budget." if s["found_planted_bug"] else
            f"go test -fuzz did not find the planted bug within {s['fuzztime_s']:g} s."))
    ch = ch4.CHAPTER.lookup(params, "chaos_faults")
    if ch.ok:
        s = ch.result["summary"]
        healed = [f for f in s["faults"] if s[f]["recovered"]]
        not_healed = [f.replace("_", " ") for f in s["faults"] if not s[f]["recovered"]]
        items.append(f"<b>Chaos in one service.</b> {len(healed)} of {len(s['faults'])} injected faults recovered once "
                     "cleared" + (f" (not: {', '.join(not_healed)}, by the rule in the table above)" if not_healed else "")
                     + "; cascades between services need a cluster and are not measured here.")
    show_html(not_current_note(ch4.CHAPTER.results(params).values())
              + "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
