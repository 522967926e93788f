"""Chapter 4's Altair charts. Titles state the finding; axes carry units; subtitles carry the
model's definition, the sources of quoted figures, or the measurement's provenance."""

from __future__ import annotations

from typing import Any, Sequence

import altair as alt


from gohandbook.models import migration_cost as mc


def _inline(rows) -> dict:
    """Inline data as a plain dict of a tuple, not alt.Data(values=list): Altair then neither wraps and validates
    every row nor deep-copies the rows into every layer, which made each live update several times slower
    (benchmarks/live_controls.py). The spec it produces is the same."""
    return {"values": tuple(rows)}

BLUE, ORANGE, GREY, RED, GREEN = "#2b6cb0", "#c05621", "#718096", "#a4161a", "#2f855a"
PHASES = ["before", "during", "after"]
PHASE_COLORS = [GREY, ORANGE, BLUE]
WIDTH = 560


def finish(chart):
    """Readable fonts for a top-level chart."""
    return chart.configure_axis(labelFontSize=12, titleFontSize=12).configure_legend(labelFontSize=12)


def _title(text: str, *subtitle: str) -> alt.TitleParams:
    import textwrap

    lines = [line for s in subtitle if s for line in textwrap.wrap(s, 120)]
    # a long finding wraps onto a second line instead of being cut off at the chart's width
    text = textwrap.wrap(text, 85) if len(text) > 85 else text
    return alt.TitleParams(text, subtitle=lines, anchor="start", fontSize=14,
                           subtitleFontSize=12, subtitleColor="#4a5568", limit=WIDTH + 200)


# ------------------------------------------------------------------ 4.1 migration cost

def fan_chart(r: mc.MigrationResult, title: str) -> alt.LayerChart:
    tol = r.inp.tolerance
    rows = [{"month": t, "p10": lo * 100, "p50": mid * 100, "p90": hi * 100}
            for t, lo, mid, hi in zip(r.months, r.velocity[0.1], r.velocity[0.5], r.velocity[0.9])]
    lo_y = max(0.0, min(r.velocity[0.1]) * 100 - 4)
    hi_y = max(101.0, max(r.velocity[0.9]) * 100 + 1)
    y_scale = alt.Scale(domain=[lo_y, hi_y], nice=False)
    x = alt.X("month:Q", title="Months after the switch", scale=alt.Scale(domain=[0, r.inp.horizon_months], nice=False))
    base = alt.Chart(_inline(rows))
    band = base.mark_area(opacity=0.25, color=BLUE).encode(
        x=x, y=alt.Y("p10:Q", title="Team velocity (% of today)", scale=y_scale), y2="p90:Q",
        tooltip=[alt.Tooltip("month:Q", format=".1f"), alt.Tooltip("p10:Q", format=".1f", title="10 %"),
                 alt.Tooltip("p50:Q", format=".1f", title="median"), alt.Tooltip("p90:Q", format=".1f", title="90 %")])
    line = base.mark_line(color=BLUE, strokeWidth=2.5).encode(x=x, y=alt.Y("p50:Q", scale=y_scale))
    refs = alt.Chart(_inline([{"y": 100, "what": "today's velocity"},
                                      {"y": 100 - tol * 100, "what": f"recovered (within {tol * 100:g} %)"}]))
    rules = refs.mark_rule(strokeDash=[4, 3], color="#555").encode(y=alt.Y("y:Q", scale=y_scale))
    labels = refs.mark_text(align="right", baseline="bottom", dx=-2, dy=-2, fontSize=11, color="#555").encode(
        x=alt.value(WIDTH), y=alt.Y("y:Q", scale=y_scale), text="what:N")
    return finish((band + line + rules + labels).properties(width=WIDTH, height=260, title=_title(
        title,
        f"Band: 10–90 % of {r.inp.runs:,} seeded runs (seed {r.inp.seed}); line: median. {r.engineers_simulated} engineers "
        f"simulated, {r.inp.time_share * 100:g} % of their time on the migrated systems.",
        "Starting level: COCOMO II.2000 LTEX/PLEX effort multipliers. Ramp-up: Go Developer Survey 2020",
        "('how long before you felt productive', n = 2,712), stretched by the friction matrix; exponential learning curve.")))


def cost_savings_chart(r: mc.MigrationResult, title: str, currency_note: str = "") -> alt.LayerChart:
    rows = []
    for i, t in enumerate(r.months):
        rows.append({"month": t, "series": "cost of the dip (cumulative)", "p10": r.cumulative_cost[0.1][i],
                     "p50": r.cumulative_cost[0.5][i], "p90": r.cumulative_cost[0.9][i]})
        if r.cumulative_savings is not None:
            rows.append({"month": t, "series": "running-cost savings (cumulative)", "p10": r.cumulative_savings[0.1][i],
                         "p50": r.cumulative_savings[0.5][i], "p90": r.cumulative_savings[0.9][i]})
    color = alt.Color("series:N", title=None, scale=alt.Scale(
        domain=["cost of the dip (cumulative)", "running-cost savings (cumulative)"], range=[ORANGE, GREEN]),
        legend=alt.Legend(orient="top", labelLimit=300))
    base = alt.Chart(_inline(rows))
    x = alt.X("month:Q", title="Months after the switch", scale=alt.Scale(domain=[0, r.inp.horizon_months], nice=False))
    band = base.mark_area(opacity=0.2).encode(x=x, y=alt.Y("p10:Q", title="Cumulative amount" + (f" ({currency_note})" if currency_note else ""),
                                                           axis=alt.Axis(format=",.0f")), y2="p90:Q", color=color)
    line = base.mark_line(strokeWidth=2.5).encode(
        x=x, y="p50:Q", color=color,
        tooltip=["series:N", alt.Tooltip("month:Q", format=".1f"), alt.Tooltip("p50:Q", format=",.0f", title="median")])
    sv = r.inp.savings
    sub = [f"Savings: chapter 1's measured QPS and peak RSS per instance, {sv.current.label} vs {sv.go.label} "
           "(drawn from its repeats);",
           f"fleet {sv.fleet_instances:g} × {sv.instance_vcpu:g} vCPU, {sv.realised * 100:g} % of the measured gap realised, "
           f"savings from month {sv.start_month:g}."] if sv else ["No savings: chapter 1's measurements are missing."]
    return finish((band + line).properties(width=WIDTH, height=230, title=_title(
        title, *sub, "Bands: 10–90 % of runs; lines: medians. Unit prices are placeholders: set your own.")))


def ramp_chart(r: mc.MigrationResult) -> alt.Chart:
    rows = []
    order = [row["answer"] for row in r.time_to_productive]
    for row in r.time_to_productive:
        rows.append({"answer": row["answer"], "who": "Go Developer Survey 2020 (n = 2,712)", "share": row["survey_share"] * 100})
        if row["team_share"] is not None:
            rows.append({"answer": row["answer"], "who": "this team, after friction (simulated)", "share": row["team_share"] * 100})
    slow = sum(row["team_share"] or 0 for row in r.time_to_productive[3:]) * 100
    survey_slow = sum(row["survey_share"] for row in r.time_to_productive[3:]) * 100
    stretch = sum(r.stretch_by_language.values()) / max(len(r.stretch_by_language), 1)
    return finish(alt.Chart(_inline(rows)).mark_bar().encode(
        x=alt.X("answer:N", sort=order, title="Time until an engineer feels productive in Go",
                axis=alt.Axis(labelAngle=0, labelLimit=140)),
        xOffset=alt.XOffset("who:N"),
        y=alt.Y("share:Q", title="Share of engineers (%)"),
        color=alt.Color("who:N", title=None, scale=alt.Scale(range=[GREY, BLUE]), legend=alt.Legend(orient="top", labelLimit=320)),
        tooltip=["answer:N", "who:N", alt.Tooltip("share:Q", format=".1f")],
    ).properties(width=WIDTH, height=200, title=_title(
        f"Friction stretches ramp-up by ×{stretch:.2f} on average: {slow:.0f} % need more than 3 months "
        f"(survey: {survey_slow:.0f} %)",
        "Survey: go.dev/blog/survey2020-results. 'Not yet' (4 %) is read as 1–3 years and counted in '> 1 year' for the team.")))


# ------------------------------------------------------------------ 4.2 canary


def canary_sweep_chart(rows: Sequence[dict[str, Any]], *, selected: str, min_success: float, rps: float,
                       interval_s: float, threshold: int) -> alt.VConcatChart:
    data = [dict(r, selected=(r["key"] == selected)) for r in rows]
    plans = list(dict.fromkeys(r["plan"] for r in data))
    rates = sorted({r["failure_pct"] for r in data})
    caught = next((f for f in rates if all(r["p_rollback"] >= 0.99 for r in data if r["failure_pct"] == f)), None)
    promoted = [f for f in rates if all(r["p_rollback"] <= 0.5 for r in data if r["failure_pct"] == f)]
    color = alt.Color("plan:N", title=None, sort=plans, legend=alt.Legend(orient="bottom", columns=2, labelLimit=320))
    x = alt.X("failure_pct:Q", title="Failure rate of the new version (%, log scale)",
              scale=alt.Scale(type="log", domain=[0.1, 100], nice=False), axis=alt.Axis(format="~g"))
    size = alt.condition(alt.datum.selected, alt.value(4), alt.value(1.5))
    base = alt.Chart(_inline(data))
    cut = alt.Chart(_inline([{"x": 100 - min_success}])).mark_rule(strokeDash=[4, 3], color="#555").encode(x="x:Q")
    bad = (base.mark_line(point=True).encode(
        x=x, y=alt.Y("expected_bad:Q", title="Expected bad requests before the decision", scale=alt.Scale(type="log"),
                     axis=alt.Axis(format="~s")),
        color=color, strokeWidth=size,
        tooltip=["plan:N", alt.Tooltip("failure_pct:Q", title="failure %"),
                 alt.Tooltip("expected_bad:Q", format=",.1f"), alt.Tooltip("p_rollback:Q", format=".1%")]) + cut
           ).properties(width=WIDTH, height=200)
    prob = (base.mark_line(point=True).encode(
        x=x, y=alt.Y("p_rollback:Q", title="P(rolled back)", axis=alt.Axis(format="%")), color=color, strokeWidth=size,
        tooltip=["plan:N", alt.Tooltip("failure_pct:Q", title="failure %"), alt.Tooltip("p_rollback:Q", format=".1%")])
            + cut).properties(width=WIDTH, height=110)
    if caught is not None:
        title = f"Every plan rolls back a version failing {caught:g} % or more of its requests"
        if promoted:
            title += f"; one failing {max(promoted):g} % or less is usually promoted"
    else:
        title = "No failure rate in the sweep is rolled back by every plan"
    return finish(alt.vconcat(bad, prob).properties(title=_title(
        title,
        f"{rps:g} requests/s, interval {interval_s:g} s, threshold {threshold}, success ≥ {min_success:g} % "
        f"(dashed: {100 - min_success:g} % failures). A failed check holds the weight;",
        f"{threshold} failed check(s) roll back (Flagger semantics). Thick line: the selected plan.",
        "Sources: docs.flagger.app (canary analysis, built-in metrics); argo-rollouts.readthedocs.io (failureLimit).")))


def canary_measured_chart(rows: Sequence[dict[str, Any]], provenance: str) -> alt.LayerChart:
    data = []
    order = []
    for r in rows:
        label = r["label"] + (f" (run {r['run']})" if r["run"] > 1 else "")
        order.append(label)
        data.append({"scenario": label, "what": "model (expected)", "bad": r["model_bad"]})
        data.append({"scenario": label, "what": "measured (router count)", "bad": r["measured_bad"]})
    total_model = sum(r["model_bad"] for r in rows)
    total_meas = sum(r["measured_bad"] for r in rows)
    y = alt.Y("scenario:N", sort=order, title=None, axis=alt.Axis(labelLimit=360))
    color = alt.Color("what:N", title=None, scale=alt.Scale(domain=["model (expected)", "measured (router count)"],
                                                            range=[GREY, ORANGE]), legend=alt.Legend(orient="top"))
    bars = alt.Chart(_inline(data)).mark_bar().encode(
        x=alt.X("bad:Q", title="Bad requests served by the canary before the decision"), y=y,
        yOffset=alt.YOffset("what:N"), color=color, tooltip=["scenario:N", "what:N", alt.Tooltip("bad:Q", format=",.1f")])
    return finish(bars.properties(width=WIDTH - 120, height=max(120, 34 * len(order)), title=_title(
        f"Model and router agree: {total_model:,.1f} expected vs {total_meas:,} measured bad requests over all scenarios",
        "Model: the canary model with the measured request rate, plan, interval and failure rate. Measured: 5xx answers "
        "the router counted from the canary until it rolled back or promoted.", provenance)))


# ------------------------------------------------------------------ 4.4 chaos

CHAOS_METRICS = (("Requests/s", False), ("p99 latency (ms)", False), ("Errors (% of requests)", False))


def chaos_chart(rows: Sequence[dict[str, Any]], title: str, provenance: str) -> alt.HConcatChart:
    panels = []
    faults = []
    for r in rows:
        label = f"{r['fault'].replace('_', ' ')} ({r['litmus']})"
        if label not in faults:
            faults.append(label)
    data = [dict(r, label=f"{r['fault'].replace('_', ' ')} ({r['litmus']})") for r in rows]
    for metric, log in CHAOS_METRICS:
        scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
        panel = alt.Chart(_inline(data)).transform_filter(alt.datum.metric == metric).mark_bar().encode(
            x=alt.X("value:Q", title=metric + (" — log" if log else ""), scale=scale,
                    axis=alt.Axis(format=",.0f" if not log else "~g", tickCount=4)),
            y=alt.Y("label:N", sort=faults, title=None, axis=alt.Axis(labelLimit=230) if not panels else None),
            yOffset=alt.YOffset("phase:N", sort=PHASES),
            color=alt.Color("phase:N", sort=PHASES, scale=alt.Scale(domain=PHASES, range=PHASE_COLORS),
                            title="window", legend=alt.Legend(orient="top")),
            tooltip=["label:N", "phase:N", alt.Tooltip("value:Q", format=",.2f")],
        ).properties(width=180, height=70 * len(faults))
        panels.append(panel)
    return finish(alt.hconcat(*panels, spacing=12).properties(title=_title(
        title, "Each fault: three back-to-back load windows on the same service (before, fault on, fault cleared).",
        provenance)))


