"""Chapter 4's interactive layer: the migration-cost and canary models with live controls, and the
cached measurements (loop variables, canary router, fuzzing, module inventory, chaos) as charts
and tables. Moving a control re-runs a model (cheap); it never measures.

Every visible word goes through `gohandbook.i18n._(…, lang)` with the page's `params["lang"]`; the fixed
explanations live in the chapter's Markdown (scripts/make_notebook_04.py), what is written here is computed.
"""

from __future__ import annotations

import html
import re
from typing import Any

from gohandbook import ch4
from gohandbook.i18n import N_, _
from gohandbook.models import migration_cost as mc
from gohandbook.units import duration

from . import charts_ch4 as charts
from . import controls
from .render import CLAIMS_CAPTION, not_current_note, show_chart, show_claims, show_html, shown_summary, table_html


# Words inside labels the measurements cached (English only): translated where shown.
CACHED_PHRASES = (N_("(this handbook, standard library only)"), N_("(built by chapter 1 from go-samples/tools)"),
                  N_("canary router"), N_("not pinned"), N_("its vulnerability database is unreachable from this machine"),
                  N_("does not resolve"), N_("(the tool itself was therefore not fetched)"))


def _cached(text: str, lang: str | None) -> str:
    for phrase in CACHED_PHRASES:
        text = text.replace(phrase, _(phrase, lang))
    return text


# ---------------------------------------------------------------- 4.1 migration cost

MIGRATION_GROUPS = [
    (N_("Team"), ("team_size", "mig_share_java", "mig_share_python", "mig_share_node", "mig_time_share_pct",
                  "mig_cost_per_engineer_month", "mig_horizon_months")),
    (N_("Cognitive friction (seed's matrix, 1–5)"), ("mig_friction_error_handling", "mig_friction_concurrency",
                                                     "mig_friction_dependencies", "mig_friction_extra",
                                                     "mig_friction_spread", "mig_friction_elasticity_pct")),
    (N_("Ramp-up: COCOMO II and the Go Developer Survey 2020"), ("mig_current_ltex", "mig_plex_before", "mig_plex_after",
                                                           "mig_gap_closed_pct", "mig_long_run_velocity_pct",
                                                           "mig_recovered_within_pct")),
    (N_("Running costs (chapter 1's measurements × your fleet and prices)"), (
        "mig_fleet_instances", "mig_instance_vcpu", "mig_price_vcpu_month", "mig_price_gib_month", "mig_app_memory_gib",
        "mig_savings_realised_pct", "mig_savings_start_month")),
    (N_("Simulation"), ("mig_runs", "mig_seed")),
]


def _migration_summary(params: dict, r: mc.MigrationResult, why: str) -> str:
    lang = params["lang"]
    sv = r.inp.savings
    h = r.inp.horizon_months
    parts = [f"<b>{html.escape(ch4.migration_finding(r, lang))}{_('.', lang)}</b>",
             html.escape(_("Cost of the dip (median): {em} engineer-months ≈ {cost} (10–90 %: {lo}–{hi}).", lang).format(
                 em=f"{r.dip_engineer_months[0.5]:.1f}", cost=f"{r.dip_cost[0.5]:,.0f}", lo=f"{r.dip_cost[0.1]:,.0f}",
                 hi=f"{r.dip_cost[0.9]:,.0f}"))]
    if sv is None:
        parts.append(html.escape(_("Break-even not computed: {why}.", lang).format(why=why)))
    else:
        be = r.breakeven_months[0.5]
        if be is not None:
            when = _("they cover the dip in month {month} (median)", lang).format(month=f"{be:.1f}")
        else:
            when = _("in the median run they do not cover the dip within {h} months ({share} % of runs break even)",
                     lang).format(h=h, share=f"{r.breakeven_share * 100:.0f}")
        parts.append(html.escape(_("Running-cost savings ≈ {saving} per month from month {start}: {when}.", lang).format(
            saving=f"{r.monthly_saving[0.5]:,.0f}", start=f"{sv.start_month:g}", when=when)))
        fleet = ch4.breakeven_fleet(r)
        if fleet is not None:
            parts.append(html.escape(_("With these prices the savings pay for the median dip within {h} months from a "
                                       "fleet of about {fleet} instances.", lang).format(h=h, fleet=f"{fleet:,.0f}")))
    sep = _(", ", lang)
    counts = sep.join(f"{n} {ch4.LANGUAGE_NAMES[code]}" for code, n in r.language_counts.items() if n)
    friction = sep.join(f"{ch4.LANGUAGE_NAMES[code]} {v:.1f}" for code, v in r.friction_by_language.items())
    parts.append("<span class='gh-prov'>" + html.escape(_(
        "Simulated engineers: {counts}. Mean friction by source language: {friction}; starting productivity {lo}–{hi} % "
        "of today (COCOMO II).", lang).format(counts=counts, friction=friction, lo=f"{r.p0_range[0] * 100:.0f}",
                                              hi=f"{r.p0_range[1] * 100:.0f}")) + "</span>")
    return '<div class="gh-callout">' + "<br>".join(parts) + "</div>"


def cost_title(r: mc.MigrationResult, lang: str | None) -> str:
    """The cost chart's finding, from the run."""
    if r.breakeven_months is None:
        return _("Cost of the dip over time: savings not computed", lang)
    if r.breakeven_months[0.5] is None:
        return _("Running-cost savings do not cover the dip within {h} months (median run)", lang).format(
            h=r.inp.horizon_months)
    return _("Savings cover the cost of the dip after {months} months (median run)", lang).format(
        months=f"{r.breakeven_months[0.5]:.1f}")


def _migration_views(state: dict) -> dict:
    """Summary, charts and table for a state. Live pages simulate `ch4.live_runs` runs (the report's first ones)
    and say so; reports simulate all of them."""
    lang = state["lang"]
    runs = ch4.live_runs(state) if state["live_widgets"] else state["mig_runs"]
    r, why = ch4.migrate(state, runs=runs, lang=lang)
    summary = _migration_summary(state, r, why)
    if runs < state["mig_runs"]:
        summary = summary.replace("</div>", "<br>" + html.escape(_(LIVE_RUNS_NOTE, lang).format(
            runs=f"{runs:,}", total=f"{state['mig_runs']:,}")) + "</div>", 1)
    return {"summary": summary, "fan": charts.fan_chart(r, ch4.migration_finding(r, lang), lang),
            "ramp": charts.ramp_chart(r, lang),
            "cost": charts.cost_savings_chart(r, cost_title(r, lang), _("cost units", lang), lang),
            "table": table_html(ch4.migration_rows(r, lang), caption=_("Quantiles over {runs} Monte Carlo runs.",
                                                                        lang).format(runs=f"{r.inp.runs:,}"))}


LIVE_RUNS_NOTE = N_("Live page: the first {runs} of the {total} runs (a bound that keeps every slider within a second); "
                    "the report simulates all {total}.")
SHARES = ("mig_share_java", "mig_share_python", "mig_share_node")
SAVINGS_CONTROLS = ("mig_fleet_instances", "mig_instance_vcpu", "mig_price_vcpu_month", "mig_price_gib_month",
                    "mig_app_memory_gib", "mig_savings_realised_pct", "mig_savings_start_month")
FRICTION_CONTROLS = ("mig_friction_error_handling", "mig_friction_concurrency", "mig_friction_dependencies",
                     "mig_friction_extra", "mig_friction_spread")


def _migration_relate(state) -> tuple[str, dict[str, str]]:
    """How the shares combine (normalised to 100 %), and the controls that change nothing under this state."""
    lang = state.get("lang")
    off: dict[str, str] = {}
    total = sum(state[n] for n in SHARES)
    if total <= 0:
        note = _("The three shares are all 0: set at least one above 0.", lang)
    else:
        used = ch4.mix_shares(state)
        mix = _(", ", lang).join(f"{ch4.LANGUAGE_NAMES[n.rsplit('_', 1)[1]]} {used[n.rsplit('_', 1)[1]]:.0f} %"
                                 for n in SHARES)
        note = (_("Team mix used: {mix}.", lang).format(mix=mix) if abs(total - 100) < 1e-9 else
                _("The shares add up to {total} %, so the model uses them normalised to 100 %: {mix}.", lang).format(
                    total=f"{total:g}", mix=mix))
    try:
        differs = ch4.friction_differs_by_language(state)
    except Exception:  # noqa: BLE001 — a bad friction entry is reported by the model's own error
        differs = True
    if state["mig_friction_elasticity_pct"] == 0:
        for name in FRICTION_CONTROLS:
            off[name] = _("With 0 % ramp-up per friction point, friction ratings change nothing.", lang)
        for name in SHARES:
            off[name] = _("The language shares change nothing while friction is switched off.", lang)
    elif not differs:
        for name in SHARES:
            off[name] = _("The language shares change nothing while every language has the same friction ratings: "
                          "add a dimension for some languages under 'More friction dimensions' "
                          "(e.g. {example}) to make them matter.", lang).format(example="static_typing=3@python+node")
    qv = ch4.CHAPTER.lookup(state, "quick_validation")
    _savings, why = ch4.savings_input(state, qv, lang)
    if why:
        for name in SAVINGS_CONTROLS:
            off[name] = _("Running-cost inputs are not used: {why}.", lang).format(why=why)
    return html.escape(note), off


LEVEL_CONTROLS = ("mig_current_ltex", "mig_plex_before", "mig_plex_after")
MIGRATION_PANEL = controls.register(controls.Panel(
    4, "migration", ch4.PARAMS, tuple(MIGRATION_GROUPS), _migration_views,
    labels={name: ch4.LEVEL_LABELS for name in LEVEL_CONTROLS}, relate=_migration_relate, costly=True))


def migration_panel(params: dict):
    """The migration-cost model: static in reports, controls + live charts in JupyterLab and Voila."""
    return controls.show(MIGRATION_PANEL, params)


def friction_section(params: dict) -> None:
    """The friction matrix in use (the explanation is in the chapter's Markdown)."""
    lang = params["lang"]
    matrix = ch4.friction_matrix(params)
    rows = []
    for dim, per in matrix.items():
        habit, expect = ch4.SEED_HABITS.get(dim, (N_("(added here)"), ""))
        name = _(ch4.FRICTION_DIMENSIONS[dim], lang) if dim in ch4.FRICTION_DIMENSIONS else dim.replace("_", " ")
        rows.append({_("Dimension", lang): name, _("Java/Python habit (seed)", lang): _(habit, lang),
                     _("Go expectation (seed)", lang): _(expect, lang),
                     **{ch4.LANGUAGE_NAMES[code]: f"{per[code]:g}" if code in per else "—" for code in mc.LANGUAGES}})
    show_html(table_html(rows, caption=_("The friction matrix in use (ratings 1–5).", lang)))


# ---------------------------------------------------------------- loopvar

def loopvar_section(params: dict) -> None:
    lang = params["lang"]
    found = ch4.CHAPTER.lookup(params, "loopvar")
    s = shown_summary(found)
    if s is None:
        return
    from gohandbook.measure.loopvar import MODULES

    sep = _(", ", lang)
    shared = sep.join(ch4.module_name(k, lang) for k in MODULES if s[k]["bug_reproduced"])
    own = sep.join(ch4.module_name(k, lang) for k in MODULES if not s[k]["bug_reproduced"])
    if shared and own:
        verdict = _("goroutines shared the loop variable with {shared}; each saw its own item with {own}", lang).format(
            shared=shared, own=own)
    elif shared:
        verdict = _("goroutines shared the loop variable in every module ({shared})", lang).format(shared=shared)
    else:
        verdict = _("no module showed a shared loop variable", lang)
    seed = s["seed_example"]
    seed_text = _("The seed's own “wrong” example (processItem) printed “{output}” under go 1.21.", lang).format(
        output=seed["output_go121"])
    head = _("Measured: {verdict}.", lang).format(verdict=verdict)
    show_html(f'<div class="gh-callout"><b>{html.escape(head)}</b> {html.escape(seed_text)}</div>')
    show_html(table_html(ch4.loopvar_rows(found, lang), caption=_(
        "One main.go (identical in all three modules), run with `go run .` and checked with `go vet`; each cell is the "
        "sorted values the goroutines saw (a b c is correct).", lang) + " " + found.provenance(lang)))
    code = found.result["raw"].get("main.go", "")
    start = code.find("// captureLoopVar")
    end = code.find("// passAsArgument")
    seed_start = code.find("// processItem is")
    seed_end = code.find("func runSeed")
    summary = _("The program's loop and the seed's two examples ({path})", lang).format(path="go-samples/loopvar/main.go")
    show_html(f"<details><summary>{html.escape(summary)}</summary>"
              f"<pre>{html.escape(code[start:end].strip())}\n\n{html.escape(code[seed_start:seed_end].strip())}</pre></details>")


# ---------------------------------------------------------------- 4.2 canary

CANARY_GROUPS = [
    (N_("Rollout plan"), ("canary_plan", "canary_custom_steps", "canary_interval_s", "canary_threshold",
                          "canary_min_success_pct")),
    (N_("Traffic and versions"), ("canary_rps", "canary_bad_failure_pct", "canary_good_failure_pct")),
]


def _canary_views(params: dict) -> tuple[str, Any, str]:
    lang = params["lang"]
    r = ch4.canary_model.evaluate(ch4.canary_input(params))
    good = ch4.canary_model.evaluate(ch4.canary_input(params, params["canary_good_failure_pct"]))
    detect = "—" if r.expected_detection_s is None else duration(r.expected_detection_s, lang)
    text = _("a version failing {bad} % of requests is rolled back with probability {p} % after {detect} on average, "
             "having served about {exposure} bad requests; if it slipped through it would serve {per_hour} bad requests "
             "per hour. A healthy version (failing {good} %) is fully rolled out after {rollout} and wrongly rolled back "
             "with probability {p_false} %.", lang).format(
        bad=f"{params['canary_bad_failure_pct']:g}", p=f"{r.p_rollback * 100:.1f}", detect=detect,
        exposure=f"{r.expected_bad:,.1f}", per_hour=f"{r.bad_per_hour_if_promoted:,.0f}",
        good=f"{params['canary_good_failure_pct']:g}", rollout=duration(good.min_rollout_s, lang),
        p_false=f"{good.p_rollback * 100:.2f}")
    text = (f'<div class="gh-callout"><b>{html.escape(ch4.plan_label(params))}{_(": ", lang)}</b>'
            f"{html.escape(text)}</div>")
    step_rows = [{_("Step", lang): s.step, _("Weight (%)", lang): f"{s.weight_pct:g}",
                  _("Canary requests per interval", lang): s.canary_requests,
                  _("P(check fails)", lang): f"{s.p_check_fails * 100:.1f} %", _("P(reached)", lang): f"{s.p_reached * 100:.1f} %",
                  _("Expected bad requests here", lang): f"{s.expected_bad:,.1f}"} for s in r.steps]
    chart = charts.canary_sweep_chart(ch4.canary_sweep(params), selected=params["canary_plan"],
                                      min_success=params["canary_min_success_pct"], rps=params["canary_rps"],
                                      interval_s=params["canary_interval_s"], threshold=params["canary_threshold"],
                                      lang=lang)
    plans = [{_(column, lang): row[column] for column in ch4.PLAN_COLUMNS} for row in ch4.canary_plan_rows(params)]
    tables = (table_html(step_rows, caption=_("The selected plan with the bad version, step by step.", lang))
              + table_html(plans, caption=_(
                  "Every plan with the same traffic and versions. Flagger's promotion takes interval × number of steps; "
                  "its rollback takes interval × threshold once the checks fail.", lang)))
    return text, chart, tables


def _canary_panel_views(state: dict) -> dict:
    text, chart, tables = _canary_views(state)
    return {"text": text, "chart": chart, "tables": tables}


def _canary_relate(state) -> tuple[str, dict[str, str]]:
    off = {}
    if state["canary_plan"] != "custom":
        off["canary_custom_steps"] = _("Custom steps apply to the custom plan only.", state.get("lang"))
    return "", off


CANARY_PANEL = controls.register(controls.Panel(
    4, "canary_model", ch4.PARAMS, tuple(CANARY_GROUPS), _canary_panel_views,
    labels={"canary_plan": ch4.PLAN_LABELS}, relate=_canary_relate))


def canary_model_panel(params: dict):
    return controls.show(CANARY_PANEL, params)


def canary_measured_section(params: dict) -> None:
    lang = params["lang"]
    found = ch4.CHAPTER.lookup(params, "canary_router")
    s = shown_summary(found)
    if s is None:
        return
    rows = ch4.canary_comparison(found, lang)
    prov = found.provenance(lang)
    hr = s["header_routing"]
    routing = _("{v2} of {half} requests with x-canary: v2 reached the canary and {v1} of {half} with x-canary: v1 the "
                "stable version ({verdict}).", lang).format(
        v2=hr["v2_to_canary"], v1=hr["v1_to_stable"], half=hr["requests"] // 2,
        verdict=_("as intended", lang) if hr["ok"] else _("NOT as intended", lang))
    head = _("Header routing:", lang)
    show_html(f"<p><b>{html.escape(head)}</b> {html.escape(routing)}</p>")
    show_chart(charts.canary_measured_chart(rows, prov, lang), live=params["live_widgets"])
    st = s["settings"]
    show_html(table_html(ch4.canary_comparison_table(rows, lang), caption=_(
        "Interval {interval} s (scaled down from Flagger's 60 s), threshold {threshold}, success ≥ {success} %, "
        "{connections} load-generator connections. Bad requests: the router's count of 5xx answers from the canary / "
        "the load generator's count of 5xx it received.", lang).format(
            interval=f"{st['interval_s']:g}", threshold=st["threshold"], success=f"{st['min_success_pct']:g}",
            connections=st["connections"]) + " " + prov))


# ---------------------------------------------------------------- 4.3 security

def security_section(params: dict) -> None:
    lang = params["lang"]
    sa = ch4.CHAPTER.lookup(params, "static_analysis")
    s = shown_summary(sa)
    if s is None:
        return
    sc = (_("skipped", lang) if s["staticcheck_found"] is None else
          _("{found} of {planted}", lang).format(found=s["staticcheck_found"], planted=s["planted"]))
    text = _("go vet found {vet} of {planted} planted problems, staticcheck {staticcheck}, together {union}.",
             lang).format(vet=s["vet_found"], planted=s["planted"], staticcheck=sc, union=s["union_found"])
    head = _("Chapter 1's scan, reused:", lang)
    show_html(f"<p><b>{html.escape(head)}</b> {html.escape(text)} "
              f"<span class='gh-prov'>{html.escape(sa.provenance(lang))}</span></p>")


def fuzz_section(params: dict) -> None:
    lang = params["lang"]
    found = ch4.CHAPTER.lookup(params, "fuzz_parser")
    s = shown_summary(found)
    if s is None:
        return
    raw = found.result["raw"]
    if s["found_planted_bug"]:
        bold = _("go test -fuzz found the planted bug after {seconds} s of fuzzing", lang).format(
            seconds=f"{s['seconds_to_find']:.2f}")
        rest = _("(budget {budget} s; {wall} s including compilation). Crashing input it saved:", lang).format(
            budget=f"{s['fuzztime_s']:g}", wall=f"{s['wall_s_planted']:.1f}")
        head = (f"<b>{html.escape(bold)}</b> {html.escape(rest)} "
                f"<code>{html.escape(repr(s['crashing_input']))}</code> — {html.escape(s['failure'] or '')}")
    else:
        head = "<b>" + html.escape(_("go test -fuzz did not find the planted bug within {budget} s.", lang).format(
            budget=f"{s['fuzztime_s']:g}")) + "</b>"
    fixed = _("The fixed version handles that input ({regression} as a regression test) and survived {budget} s of "
              "fuzzing ({execs} executions, {outcome}).", lang).format(
        regression=_("passes", lang) if s["fixed_handles_crasher"] else _("FAILS", lang),
        budget=f"{s['fixed_fuzztime_s']:g}", execs=f"{s['fixed_execs'] or 0:,}",
        outcome=_("no failure", lang) if s["fixed_passed"] else _("FAILED", lang))
    show_html(f'<div class="gh-callout">{head}<br>{html.escape(fixed)}</div>')
    step, command, result = _("Step", lang), _("Command", lang), _("Result", lang)
    show_html(table_html([
        {step: _("Fuzz the planted version", lang), command: s["planted_command"],
         result: _("failure found", lang) if s["found_planted_bug"] else _("nothing found", lang)},
        {step: _("Saved crasher ({path})", lang).format(path="testdata/fuzz/FuzzParse/…"), command: "—", result: s["crashing_input_file"] or "—"},
        {step: _("Fuzz the fixed version", lang), command: s["fixed_command"],
         result: _("passed", lang) if s["fixed_passed"] else _("failed", lang)},
    ], caption=_("Run in a temporary copy of go-samples/parser, so the saved crasher does not touch the repository.",
                 lang) + " " + found.provenance(lang)))
    src = raw.get("sources", {})
    planted, fixed_src = src.get("unquote_planted.go", ""), src.get("unquote.go", "")

    def case(text: str) -> str:
        i = text.find("case '\\\\':")
        j = text.find("default:", i)
        return text[i:j].rstrip() if i >= 0 else ""

    summary = _("The planted bug and the fix ({path})", lang).format(path="go-samples/parser/unquote*.go")
    planted_head, fixed_head = _("Planted (build tag planted):", lang), _("Fixed (default build):", lang)
    show_html(f"<details><summary>{html.escape(summary)}</summary>"
              f"<p>{html.escape(planted_head)}</p><pre>{html.escape(case(planted))}</pre>"
              f"<p>{html.escape(fixed_head)}</p><pre>{html.escape(case(fixed_src))}</pre></details>")


def sbom_section(params: dict) -> None:
    lang = params["lang"]
    found = ch4.CHAPTER.lookup(params, "supply_chain")
    s = shown_summary(found)
    if s is None:
        return
    rows = [{k: _cached(v, lang) if isinstance(v, str) else v for k, v in row.items()}
            for row in ch4.sbom_rows(found, lang)]
    counts = _("; ", lang).join(_("{binary}: {n} dependencies", lang).format(binary=_cached(b["label"], lang),
                                                                          n=len(b["deps"]))
                                for b in s["binaries"].values())
    show_html(table_html(rows, caption=_(
        "`go version -m` on two built binaries: the module list and go.sum hashes the linker embeds (what Syft reads from "
        "Go binaries).", lang) + " " + counts + _(".", lang) + " " + found.provenance(lang)))
    v = s["govulncheck"]
    if v["status"] == "ran":
        findings = _(", ", lang).join(v["findings"]) or _("no known vulnerabilities", lang)
        text = (f"<p><b>govulncheck</b> ({html.escape(v['tool'])}) "
                + html.escape(_("on the router binary: {findings}.", lang).format(findings=findings)) + "</p>")
    else:
        status = {"skipped": _("skipped", lang)}.get(v["status"], v["status"])
        text = (f"<div class='gh-warn'><b>govulncheck {html.escape(status)}{_(': ', lang)}</b>"
                f"{html.escape(_cached(v.get('reason', ''), lang))}</div>")
    show_html(text)


# ---------------------------------------------------------------- 4.4 chaos

def chaos_title(s: dict, lang: str | None) -> str:
    """The chaos chart's finding: how many faults recovered, which one hurt throughput most (from the result)."""
    faults = s["faults"]
    worst = min(faults, key=lambda f: s[f]["during_vs_before_qps_pct"] or 100)
    recovered = sum(1 for f in faults if s[f]["recovered"])
    return _("{recovered} of {total} faults recovered once cleared; {worst} hurt throughput most ({pct} % of before)",
             lang).format(recovered=recovered, total=len(faults), worst=ch4.fault_name(worst, lang),
                          pct=f"{s[worst]['during_vs_before_qps_pct']:.0f}")


def _recovered_rule(rule: str, lang: str | None) -> str:
    """The measurement's recovery rule (cached in English), in the page's language."""
    m = re.fullmatch(r"after-window: no errors, QPS >= (\S+) % of before, p99 <= max\(3 x before, before \+ 2 ms\)", rule)
    if not m:
        return rule
    return _("after the fault: no errors, QPS ≥ {pct} % of before, p99 ≤ max(3 × before, before + 2 ms)", lang).format(
        pct=m.group(1))


def chaos_section(params: dict) -> None:
    lang = params["lang"]
    found = ch4.CHAPTER.lookup(params, "chaos_faults")
    s = shown_summary(found)
    if s is None:
        return
    prov = found.provenance(lang)
    show_chart(charts.chaos_chart(ch4.chaos_rows(found), chaos_title(s, lang), prov, lang), live=params["live_widgets"])
    setup = s["setup"]
    show_html(table_html(ch4.chaos_table(found, lang), caption=_(
        "Service on {server}, load generator on {loadgen}, {connections} connections, {seconds} s per window. "
        "Recovered: {rule}. Latencies are of successful requests only.", lang).format(
            server=_cached(setup["server_cpu"], lang), loadgen=_cached(setup["loadgen_cpu"], lang),
            connections=setup["connections"], seconds=f"{setup['phase_seconds']:g}",
            rule=_recovered_rule(setup["recovered_rule"], lang)) + " " + prov))
    links = "".join(f"<li>{html.escape(ch4.fault_name(f, lang))}{_(': ', lang)}<a href=\"{html.escape(v['url'])}\">"
                    f"LitmusChaos {html.escape(v['experiment'])}</a></li>" for f, v in s["litmus"].items())
    sources = _("Sources for the tunables:", lang)
    show_html(f"<p>{html.escape(sources)}</p><ul>{links}</ul>")


# ---------------------------------------------------------------- claims

CLAIMS_NOTE = N_("Model and cited claims say where they are addressed.")


def claims_section(params: dict) -> None:
    lang = params["lang"]
    show_claims(ch4.CHAPTER.claims(params), _(CLAIMS_CAPTION, lang) + " " + _(CLAIMS_NOTE, lang), lang=lang)


# ---------------------------------------------------------------- what the chapter tells a decision-maker

def findings_section(params: dict) -> None:
    """The chapter's conclusions, each computed from this page's model run or a cached result (nothing
    hard-coded): where a result is missing, its line says so instead. Fixed explanations are in the Markdown."""
    lang = params["lang"]
    items = []
    runs = ch4.live_runs(params) if params["live_widgets"] else None
    r, _why = ch4.migrate(params, runs=runs, lang=lang)
    tol = f"{r.inp.tolerance * 100:g}"
    back = (_("is back within {tol} % of its old velocity after {months} months (median run)", lang).format(
        tol=tol, months=f"{r.recovery_months[0.5]:.1f}") if r.recovery_months[0.5] is not None else
        _("is not back within {tol} % of its old velocity within {h} months", lang).format(tol=tol, h=r.inp.horizon_months))
    items.append((_("Budget for the dip.", lang), _(
        "With these settings ({share} % of the team's time on the migrated systems) the team's velocity drops to {low} % "
        "of today's at the switch and {back}; the dip costs {lo}–{hi} engineer-months (10–90 % of {runs} runs).",
        lang).format(share=f"{r.inp.time_share * 100:g}", low=f"{r.min_velocity[0.5] * 100:.0f}", back=back,
                     lo=f"{r.dip_engineer_months[0.1]:.1f}", hi=f"{r.dip_engineer_months[0.9]:.1f}",
                     runs=f"{r.inp.runs:,}")))
    if runs is not None and runs < params["mig_runs"]:
        items[-1] = (items[-1][0], items[-1][1] + " " + _(LIVE_RUNS_NOTE, lang).format(
            runs=f"{runs:,}", total=f"{params['mig_runs']:,}"))
    if r.breakeven_months is not None:
        be = r.breakeven_months[0.5]
        fleet = ch4.breakeven_fleet(r)
        pays = (_("pay for the median dip in month {month}", lang).format(month=f"{be:.1f}") if be is not None else
                _("do not pay for the median dip within {h} months", lang).format(h=r.inp.horizon_months))
        text = _("Running-cost savings from chapter 1's measurements ({fleet} instances at your prices) {pays}",
                 lang).format(fleet=f"{r.inp.savings.fleet_instances:,.0f}", pays=pays)
        text += (_("; about {fleet} instances would pay for it within the horizon.", lang).format(fleet=f"{fleet:,.0f}")
                 if fleet else _(".", lang))
        items.append((_("Savings depend on the fleet.", lang), text))
    lv = ch4.CHAPTER.lookup(params, "loopvar")
    if lv.ok:
        s = lv.result["summary"]
        if s["go121"]["bug_reproduced"]:
            text = _("Goroutines shared the loop variable with go 1.21 in go.mod", lang)
            if s["nogoline"]["bug_reproduced"]:
                text += _(" and with no go line", lang)
            text += (_(" but not with go 1.22", lang) if not s["go122"]["bug_reproduced"]
                     else _(" and even with go 1.22", lang))
        else:
            text = _("The shared loop variable did not show with go 1.21", lang)
        text += (_("; go vet reported it there.", lang) if s["go121"]["vet_findings"]
                 else _("; go vet did not report it.", lang))
        items.append((_("The loop-variable trap is a module setting.", lang), text))
    c = ch4.canary_model.evaluate(ch4.canary_input(params))
    near = max(0.0, (100 - params["canary_min_success_pct"]) * 0.8)
    slip = ch4.canary_model.evaluate(ch4.canary_input(params, near))
    text = _("With {plan}, a version failing {bad} % of requests is rolled back with probability {p} % after about "
             "{exposure} bad requests; one failing {near} % (just inside the {success} % success threshold) is rolled "
             "back with probability {p_near} %.", lang).format(
        plan=ch4.plan_label(params), bad=f"{params['canary_bad_failure_pct']:g}", p=f"{c.p_rollback * 100:.0f}",
        exposure=f"{c.expected_bad:,.0f}", near=f"{near:.2g}", success=f"{params['canary_min_success_pct']:g}",
        p_near=f"{slip.p_rollback * 100:.0f}")
    cr = ch4.CHAPTER.lookup(params, "canary_router")
    if cr.ok:
        rows = ch4.canary_comparison(cr, lang)
        text += " " + _("The measured router reached the outcome the model predicts in {agree} of {runs} runs.",
                        lang).format(agree=charts.outcome_agreement(rows), runs=len(rows))
    items.append((_("Step sizes and the threshold decide exposure.", lang), text))
    fz = ch4.CHAPTER.lookup(params, "fuzz_parser")
    if fz.ok:
        s = fz.result["summary"]
        items.append((_("Fuzzing on parsers.", lang), (
            _("go test -fuzz found the planted out-of-bounds read after {seconds} s of its {budget} s budget.",
              lang).format(seconds=f"{s['seconds_to_find']:.2f}", budget=f"{s['fuzztime_s']:g}")
            if s["found_planted_bug"] else
            _("go test -fuzz did not find the planted bug within {budget} s.", lang).format(budget=f"{s['fuzztime_s']:g}"))))
    ch = ch4.CHAPTER.lookup(params, "chaos_faults")
    if ch.ok:
        s = ch.result["summary"]
        healed = [f for f in s["faults"] if s[f]["recovered"]]
        not_healed = [ch4.fault_name(f, lang) for f in s["faults"] if not s[f]["recovered"]]
        text = _("{recovered} of {total} injected faults recovered once cleared", lang).format(
            recovered=len(healed), total=len(s["faults"]))
        if not_healed:
            text += _(" (not: {faults}, by the rule in the table above)", lang).format(faults=_(", ", lang).join(not_healed))
        items.append((_("Chaos in one service.", lang), text + _(".", lang)))
    show_html(not_current_note(ch4.CHAPTER.results(params).values(), lang)
              + "<ul>" + "".join(f"<li><b>{html.escape(head)}</b> {html.escape(body)}</li>" for head, body in items)
              + "</ul>")
