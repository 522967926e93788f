"""Chapter 4's Altair charts. Titles state the finding; axes carry units; subtitles carry the
model's definition, the sources of quoted figures, or the measurement's provenance.

Every word a chart shows is in `lang` (English msgids through gohandbook.i18n); data keys stay English and
stable, the categories a chart shows are their translated labels."""

from __future__ import annotations

from typing import Any, Sequence

import altair as alt

from gohandbook.ch4 import CHAOS_METRICS, PHASE_NAMES, fault_name
from gohandbook.i18n import N_, _
from gohandbook.models import migration_cost as mc
from widgets.charts import inline as _inline, title as _title


BLUE, ORANGE, GREY, RED, GREEN = "#2b6cb0", "#c05621", "#718096", "#a4161a", "#2f855a"
PHASES = ["before", "during", "after"]          # data keys; shown as PHASE_NAMES in the page's language
PHASE_COLORS = [GREY, ORANGE, BLUE]
WIDTH = 560


def finish(chart):
    """Readable fonts for a top-level chart."""
    return chart.configure_axis(labelFontSize=12, titleFontSize=12).configure_legend(labelFontSize=12)


# ------------------------------------------------------------------ 4.1 migration cost

MONTHS_AXIS = N_("Months after the switch")


def fan_chart(r: mc.MigrationResult, title: str, lang: str | None = "en") -> alt.LayerChart:
    tol = r.inp.tolerance
    rows = [{"month": t, "p10": lo * 100, "p50": mid * 100, "p90": hi * 100}
            for t, lo, mid, hi in zip(r.months, r.velocity[0.1], r.velocity[0.5], r.velocity[0.9])]
    lo_y = max(0.0, min(r.velocity[0.1]) * 100 - 4)
    hi_y = max(101.0, max(r.velocity[0.9]) * 100 + 1)
    y_scale = alt.Scale(domain=[lo_y, hi_y], nice=False)
    x = alt.X("month:Q", title=_(MONTHS_AXIS, lang), scale=alt.Scale(domain=[0, r.inp.horizon_months], nice=False))
    base = alt.Chart(_inline(rows))
    band = base.mark_area(opacity=0.25, color=BLUE).encode(
        x=x, y=alt.Y("p10:Q", title=_("Team velocity (% of today)", lang), scale=y_scale), y2="p90:Q",
        tooltip=[alt.Tooltip("month:Q", format=".1f", title=_("month", lang)),
                 alt.Tooltip("p10:Q", format=".1f", title="10 %"),
                 alt.Tooltip("p50:Q", format=".1f", title=_("median", lang)),
                 alt.Tooltip("p90:Q", format=".1f", title="90 %")])
    line = base.mark_line(color=BLUE, strokeWidth=2.5).encode(x=x, y=alt.Y("p50:Q", scale=y_scale))
    refs = alt.Chart(_inline([{"y": 100, "what": _("today's velocity", lang)},
                              {"y": 100 - tol * 100,
                               "what": _("recovered (within {tol} %)", lang).format(tol=f"{tol * 100:g}")}]))
    rules = refs.mark_rule(strokeDash=[4, 3], color="#555").encode(y=alt.Y("y:Q", scale=y_scale))
    labels = refs.mark_text(align="right", baseline="bottom", dx=-2, dy=-2, fontSize=11, color="#555").encode(
        x=alt.value(WIDTH), y=alt.Y("y:Q", scale=y_scale), text="what:N")
    return finish((band + line + rules + labels).properties(width=WIDTH, height=260, title=_title(
        title,
        _("Band: 10–90 % of {runs} seeded runs (seed {seed}); line: median. {engineers} engineers simulated, {share} % "
          "of their time on the migrated systems.", lang).format(
            runs=f"{r.inp.runs:,}", seed=r.inp.seed, engineers=r.engineers_simulated, share=f"{r.inp.time_share * 100:g}"),
        _("Starting level: COCOMO II.2000 LTEX/PLEX effort multipliers. Ramp-up: the Go Developer Survey 2020 ('how long "
          "before you felt productive', n = 2,712), stretched by the friction matrix; exponential learning curve.", lang))))


def cost_savings_chart(r: mc.MigrationResult, title: str, currency_note: str = "",
                       lang: str | None = "en") -> alt.LayerChart:
    names = {"dip": _("cost of the dip (cumulative)", lang), "savings": _("running-cost savings (cumulative)", lang)}
    rows = []
    for i, t in enumerate(r.months):
        rows.append({"month": t, "key": "dip", "series": names["dip"], "p10": r.cumulative_cost[0.1][i],
                     "p50": r.cumulative_cost[0.5][i], "p90": r.cumulative_cost[0.9][i]})
        if r.cumulative_savings is not None:
            rows.append({"month": t, "key": "savings", "series": names["savings"], "p10": r.cumulative_savings[0.1][i],
                         "p50": r.cumulative_savings[0.5][i], "p90": r.cumulative_savings[0.9][i]})
    color = alt.Color("series:N", title=None, scale=alt.Scale(
        domain=[names["dip"], names["savings"]], range=[ORANGE, GREEN]),
        legend=alt.Legend(orient="top", labelLimit=300))
    base = alt.Chart(_inline(rows))
    x = alt.X("month:Q", title=_(MONTHS_AXIS, lang), scale=alt.Scale(domain=[0, r.inp.horizon_months], nice=False))
    y_title = _("Cumulative amount", lang) + (f" ({currency_note})" if currency_note else "")
    band = base.mark_area(opacity=0.2).encode(x=x, y=alt.Y("p10:Q", title=y_title, axis=alt.Axis(format=",.0f")),
                                              y2="p90:Q", color=color)
    line = base.mark_line(strokeWidth=2.5).encode(
        x=x, y="p50:Q", color=color,
        tooltip=[alt.Tooltip("series:N", title=_("series", lang)),
                 alt.Tooltip("month:Q", format=".1f", title=_("month", lang)),
                 alt.Tooltip("p50:Q", format=",.0f", title=_("median", lang))])
    sv = r.inp.savings
    sub = [_("Savings: chapter 1's measured QPS and peak RSS per instance, {current} vs {go} (drawn from its repeats);",
             lang).format(current=_(sv.current.label, lang), go=_(sv.go.label, lang)),   # chapter 1's runtime names
           _("fleet {fleet} × {vcpu} vCPU, {realised} % of the measured gap realised, savings from month {start}.",
             lang).format(fleet=f"{sv.fleet_instances:g}", vcpu=f"{sv.instance_vcpu:g}",
                          realised=f"{sv.realised * 100:g}", start=f"{sv.start_month:g}")] if sv else \
        [_("No savings: chapter 1's measurements are missing.", lang)]
    return finish((band + line).properties(width=WIDTH, height=230, title=_title(
        title, *sub, _("Bands: 10–90 % of runs; lines: medians. Unit prices are placeholders: set your own.", lang))))


def ramp_chart(r: mc.MigrationResult, lang: str | None = "en") -> alt.Chart:
    survey = _("Go Developer Survey 2020 respondents (n = 2,712)", lang)
    team = _("this team, after friction (simulated)", lang)
    rows = []
    order = [_(row["answer"], lang) for row in r.time_to_productive]
    for row in r.time_to_productive:
        answer = _(row["answer"], lang)
        rows.append({"answer": answer, "who": survey, "share": row["survey_share"] * 100})
        if row["team_share"] is not None:
            rows.append({"answer": answer, "who": team, "share": row["team_share"] * 100})
    slow = sum(row["team_share"] or 0 for row in r.time_to_productive[3:]) * 100
    survey_slow = sum(row["survey_share"] for row in r.time_to_productive[3:]) * 100
    stretch = sum(r.stretch_by_language.values()) / max(len(r.stretch_by_language), 1)
    return finish(alt.Chart(_inline(rows)).mark_bar().encode(
        x=alt.X("answer:N", sort=order, title=_("Time until an engineer feels productive in Go", lang),
                axis=alt.Axis(labelAngle=0, labelLimit=140)),
        xOffset=alt.XOffset("who:N", sort=[survey, team]),
        y=alt.Y("share:Q", title=_("Share of engineers (%)", lang)),
        color=alt.Color("who:N", title=None, sort=[survey, team], scale=alt.Scale(range=[GREY, BLUE]),
                        legend=alt.Legend(orient="top", labelLimit=320)),
        tooltip=[alt.Tooltip("answer:N", title=_("answer", lang)), alt.Tooltip("who:N", title=_("who", lang)),
                 alt.Tooltip("share:Q", format=".1f", title=_("share (%)", lang))],
    ).properties(width=WIDTH, height=200, title=_title(
        _("Friction stretches ramp-up by ×{stretch} on average: {slow} % need more than 3 months (survey: {survey} %)",
          lang).format(stretch=f"{stretch:.2f}", slow=f"{slow:.0f}", survey=f"{survey_slow:.0f}"),
        _("Survey: {url}. 'Not yet' (4 %) is read as 1–3 years and counted in '> 1 year' for the team.", lang).format(
            url="go.dev/blog/survey2020-results"))))


# ------------------------------------------------------------------ 4.2 canary


def canary_sweep_chart(rows: Sequence[dict[str, Any]], *, selected: str, min_success: float, rps: float,
                       interval_s: float, threshold: int, lang: str | None = "en") -> alt.VConcatChart:
    data = [dict(r, selected=(r["key"] == selected)) for r in rows]
    plans = list(dict.fromkeys(r["plan"] for r in data))
    rates = sorted({r["failure_pct"] for r in data})
    caught = next((f for f in rates if all(r["p_rollback"] >= 0.99 for r in data if r["failure_pct"] == f)), None)
    promoted = [f for f in rates if all(r["p_rollback"] <= 0.5 for r in data if r["failure_pct"] == f)]
    color = alt.Color("plan:N", title=None, sort=plans, legend=alt.Legend(orient="bottom", columns=2, labelLimit=320))
    x = alt.X("failure_pct:Q", title=_("Failure rate of the new version (%, log scale)", lang),
              scale=alt.Scale(type="log", domain=[0.1, 100], nice=False), axis=alt.Axis(format="~g"))
    size = alt.condition(alt.datum.selected, alt.value(4), alt.value(1.5))
    base = alt.Chart(_inline(data))
    cut = alt.Chart(_inline([{"x": 100 - min_success}])).mark_rule(strokeDash=[4, 3], color="#555").encode(x="x:Q")
    plan_tip = alt.Tooltip("plan:N", title=_("plan", lang))
    rate_tip = alt.Tooltip("failure_pct:Q", title=_("failure %", lang))
    rollback_tip = alt.Tooltip("p_rollback:Q", format=".1%", title=_("P(rolled back)", lang))
    bad = (base.mark_line(point=True).encode(
        x=x, y=alt.Y("expected_bad:Q", title=_("Expected bad requests before the decision", lang),
                     scale=alt.Scale(type="log"), axis=alt.Axis(format="~s")),
        color=color, strokeWidth=size,
        tooltip=[plan_tip, rate_tip, alt.Tooltip("expected_bad:Q", format=",.1f", title=_("expected bad requests", lang)),
                 rollback_tip]) + cut
           ).properties(width=WIDTH, height=200)
    prob = (base.mark_line(point=True).encode(
        x=x, y=alt.Y("p_rollback:Q", title=_("P(rolled back)", lang), axis=alt.Axis(format="%")), color=color,
        strokeWidth=size, tooltip=[plan_tip, rate_tip, rollback_tip])
            + cut).properties(width=WIDTH, height=110)
    if caught is not None:
        title = _("Every plan rolls back a version failing {pct} % or more of its requests", lang).format(pct=f"{caught:g}")
        if promoted:
            title += _("; one failing {pct} % or less is usually promoted", lang).format(pct=f"{max(promoted):g}")
    else:
        title = _("No failure rate in the sweep is rolled back by every plan", lang)
    return finish(alt.vconcat(bad, prob).properties(title=_title(
        title,
        _("{rps} requests/s, interval {interval} s, threshold {threshold}, success ≥ {success} % (dashed: {cut} % "
          "failures). A failed check holds the weight;", lang).format(
            rps=f"{rps:g}", interval=f"{interval_s:g}", threshold=threshold, success=f"{min_success:g}",
            cut=f"{100 - min_success:g}"),
        _("{threshold} failed check(s) roll back (Flagger semantics). Thick line: the selected plan.", lang).format(
            threshold=threshold),
        _("Sources: docs.flagger.app (canary analysis, built-in metrics); argo-rollouts.readthedocs.io (failureLimit).",
          lang))))


def outcome_agreement(rows: Sequence[dict[str, Any]]) -> int:
    """Runs in which the router reached the outcome the model calls more likely (rollback at P >= 0.5)."""
    return sum((r["model_p_rollback"] >= 0.5) == (r["measured_state"] == "rolled_back") for r in rows)


def canary_measured_chart(rows: Sequence[dict[str, Any]], provenance: str, lang: str | None = "en") -> alt.LayerChart:
    model_name, measured_name = _("model (expected)", lang), _("measured (router count)", lang)
    data = []
    order = []
    for r in rows:
        label = r["label"] + (_(" (run {n})", lang).format(n=r["run"]) if r["run"] > 1 else "")
        order.append(label)
        data.append({"scenario": label, "what": model_name, "bad": r["model_bad"]})
        data.append({"scenario": label, "what": measured_name, "bad": r["measured_bad"]})
    total_model = sum(r["model_bad"] for r in rows)
    total_meas = sum(r["measured_bad"] for r in rows)
    agree = outcome_agreement(rows)
    y = alt.Y("scenario:N", sort=order, title=None, axis=alt.Axis(labelLimit=360))
    color = alt.Color("what:N", title=None, sort=[model_name, measured_name],
                      scale=alt.Scale(domain=[model_name, measured_name], range=[GREY, ORANGE]),
                      legend=alt.Legend(orient="top"))
    bars = alt.Chart(_inline(data)).mark_bar().encode(
        x=alt.X("bad:Q", title=_("Bad requests served by the canary before the decision", lang)), y=y,
        yOffset=alt.YOffset("what:N", sort=[model_name, measured_name]), color=color,
        tooltip=[alt.Tooltip("scenario:N", title=_("scenario", lang)), alt.Tooltip("what:N", title=_("source", lang)),
                 alt.Tooltip("bad:Q", format=",.1f", title=_("bad requests", lang))])
    return finish(bars.properties(width=WIDTH - 120, height=max(120, 34 * len(order)), title=_title(
        _("The router reached the model's more likely outcome in {agree} of {runs} runs; bad requests: {model} expected, "
          "{measured} measured over all scenarios", lang).format(
            agree=agree, runs=len(rows), model=f"{total_model:,.1f}", measured=f"{total_meas:,}"),
        _("Model: the canary model with the measured request rate, plan, interval and failure rate. Measured: 5xx answers "
          "the router counted from the canary until it rolled back or promoted.", lang), provenance)))


# ------------------------------------------------------------------ 4.4 chaos

def chaos_chart(rows: Sequence[dict[str, Any]], title: str, provenance: str, lang: str | None = "en") -> alt.HConcatChart:
    panels = []
    phases = [_(PHASE_NAMES[p], lang) for p in PHASES]
    data = [dict(r, label=f"{fault_name(r['fault'], lang)} ({r['litmus']})", phase_name=_(PHASE_NAMES[r["phase"]], lang))
            for r in rows]
    faults = list(dict.fromkeys(r["label"] for r in data))
    for metric, name in CHAOS_METRICS.items():
        panel = alt.Chart(_inline(data)).transform_filter(alt.datum.metric == metric).mark_bar().encode(
            x=alt.X("value:Q", title=_(name, lang), scale=alt.Scale(zero=True),
                    axis=alt.Axis(format=",.0f", tickCount=4)),
            y=alt.Y("label:N", sort=faults, title=None, axis=alt.Axis(labelLimit=230) if not panels else None),
            yOffset=alt.YOffset("phase_name:N", sort=phases),
            color=alt.Color("phase_name:N", sort=phases, scale=alt.Scale(domain=phases, range=PHASE_COLORS),
                            title=_("window", lang), legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("label:N", title=_("fault", lang)), alt.Tooltip("phase_name:N", title=_("window", lang)),
                     alt.Tooltip("value:Q", format=",.2f", title=_(name, lang))],
        ).properties(width=180, height=70 * len(faults))
        panels.append(panel)
    return finish(alt.hconcat(*panels, spacing=12).properties(title=_title(
        title, _("Each fault: three back-to-back load windows on the same service (before, fault on, fault cleared).",
                 lang), provenance)))
