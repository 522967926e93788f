"""Chapter 1's interactive layer: controls map to parameters, results map to charts.

Moving a control re-evaluates the decision model (cheap) and updates the charts in place;
it never starts a measurement.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from gohandbook import ch1, measure
from gohandbook.ch1 import WORKLOAD_PRESETS
from gohandbook.models.decision import CRITERIA

from . import charts
from .render import chart_widget, result_banner, show_chart, show_claims, show_html, table_html


def recommendation_html(params: dict, result) -> str:
    css = {"adopt": "gh-callout", "validate": "gh-warn", "hold": "gh-warn"}[result.recommendation]
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in result.reasons)
    return (f'<div class="{css}"><b>Recommendation for “{html.escape(params["profile_name"])}”: '
            f"{html.escape(result.text)}</b> (score {result.score:+.2f}, threshold ±{params['adopt_threshold']:g})"
            f"<br>Main reasons:<ul>{reasons}</ul></div>")


def sensitivity_rows(result) -> list[dict[str, Any]]:
    return [{"Criterion": f.label, "Weight now": f"{f.weight:g}",
             "Flips at weight": "—" if f.flip_weight is None else f"{f.flip_weight:.2f}",
             "Change needed": "no flip within 0–10" if f.delta is None else f"{f.delta:+.2f}",
             "Flips to": f.to or ""} for f in result.flips]


def decision_panel(params: dict) -> None:
    """The weighted matrix: static in reports, sliders + live charts in JupyterLab and Voila."""
    result = ch1.decide(params)
    if not params["live_widgets"]:
        show_html(recommendation_html(params, result))
        show_chart(charts.decision_contributions(result, params["adopt_threshold"]), live=False)
        show_chart(charts.decision_sensitivity(result), live=False)
        show_html(table_html(sensitivity_rows(result), caption="How far each weight must move, alone, to flip the recommendation."))
        return None

    state = dict(params)
    for c in CRITERIA:  # sliders start at the effective answers
        state[f"answer_{c.key}"] = ch1.answers(params)[c.key]
    style = {"description_width": "230px"}
    layout = W.Layout(width="520px")
    workload = W.Dropdown(options=list(WORKLOAD_PRESETS), value=params["workload_kind"], description="Workload",
                          style=style, layout=layout)
    answer_sliders = {c.key: W.IntSlider(value=int(state[f"answer_{c.key}"]), min=0, max=4, description=c.short,
                                         tooltip=c.label, style=style, layout=layout) for c in CRITERIA}
    weight_sliders = {c.key: W.FloatSlider(value=params[f"weight_{c.key}"], min=0, max=10, step=0.5,
                                           description=c.short, tooltip=c.label, style=style, layout=layout)
                      for c in CRITERIA}
    threshold = W.FloatSlider(value=params["adopt_threshold"], min=0.05, max=0.95, step=0.05,
                              description="Decision threshold", style=style, layout=layout)
    verdict = W.HTML(recommendation_html(state, result))
    contrib = chart_widget(charts.decision_contributions(result, params["adopt_threshold"]))
    sens = chart_widget(charts.decision_sensitivity(result))
    sens_table = W.HTML(table_html(sensitivity_rows(result)))

    muted = {"on": False}

    def refresh(_change=None) -> None:
        if muted["on"]:
            return
        state["workload_kind"] = workload.value
        state["adopt_threshold"] = threshold.value
        for key, slider in answer_sliders.items():
            state[f"answer_{key}"] = slider.value
        for key, slider in weight_sliders.items():
            state[f"weight_{key}"] = slider.value
        new = ch1.decide(state)
        verdict.value = recommendation_html(state, new)
        contrib.chart = charts.decision_contributions(new, threshold.value)
        sens.chart = charts.decision_sensitivity(new)
        sens_table.value = table_html(sensitivity_rows(new))

    def on_workload(change) -> None:
        # Move every answer to the workload's starting values, then redraw once.
        muted["on"] = True
        try:
            for key, slider in answer_sliders.items():
                slider.value = WORKLOAD_PRESETS[change["new"]][key]
        finally:
            muted["on"] = False
        refresh()

    workload.observe(on_workload, names="value")
    for slider in [*answer_sliders.values(), *weight_sliders.values(), threshold]:
        slider.observe(refresh, names="value")
    panel = W.VBox([
        W.HTML("<b>How well does each describe your team? (0 = not at all, 4 = fully)</b>"), workload,
        *answer_sliders.values(),
        W.HTML("<b>How much does each matter? (weight 0–10)</b>"), *weight_sliders.values(), threshold,
        verdict, contrib, sens, sens_table,
    ])
    from IPython.display import display

    show_html("")  # the table and callout styles
    display(panel)
    return None  # returning the panel would display it a second time as the cell's result


def validation_section(params: dict) -> None:
    found = ch1.results(params)
    qv = found["quick_validation"]
    if result_banner(qv):
        show_html(result_banner(qv))
    if not qv.ok:
        return
    rows = ch1.long_form(qv)
    prov = measure.provenance_line(qv.result)
    show_chart(charts.runtime_comparison(rows, current=params["current_stack"],
                                         title=ch1.finding(qv, params["current_stack"]), provenance=prov),
               live=params["live_widgets"])
    table_rows = ch1.runtime_rows(qv)
    columns = ["Runtime", "Version", "Status", *[h for _, h, _ in ch1.RUNTIME_METRICS], "Shipped (MiB)"]
    setup = qv.result["summary"]["setup"]
    show_html(table_html(table_rows, columns, caption=(
        f"Median (min–max) over fresh starts. Server on {setup['server_cpu']}, load generator on "
        f"{setup['loadgen_cpu']}, same machine. {prov}")))
    gates = ch1.gates(params, found)
    show_html(table_html([{"Gate": g.name, "Passed": {True: "yes", False: "no", None: "undecided"}[g.passed],
                           "Detail": g.detail} for g in gates],
                         caption="The seed's three validation thresholds, with this profile's thresholds."))


def seed_table_section(params: dict) -> None:
    found = ch1.results(params)["quick_validation"]
    show_html(table_html(ch1.seed_table_rows(found), caption=(
        "Left: the source document's table, quoted. Right: medians measured on this machine "
        "(the comparison runtimes are minimal servers, not Spring Boot).")))


def binary_section(params: dict) -> None:
    found = ch1.results(params)["go_binary_size"]
    if result_banner(found):
        show_html(result_banner(found))
    if not found.ok:
        return
    s, raw = found.result["summary"], found.result["raw"]
    rows = [{"Build": name, "ldflags": v["ldflags"] or "—", "env": " ".join(f"{k}={x}" for k, x in v["env"].items()) or "—",
             "Size (MB)": f"{v['bytes'] / 1e6:.2f}", "Bytes (stat)": v["bytes"],
             "ELF interpreter": v["interpreter"] or "none", "Needed libraries": ", ".join(v["needed"]) or "none"}
            for name, v in raw.items()]
    show_html(table_html(rows, caption=(
        f"-s -w saves {s['strip_saving_pct']:.1f} % here (the seed says about 35 %). "
        + measure.provenance_line(found.result))))


def static_section(params: dict) -> None:
    found = ch1.results(params)["static_analysis"]
    if result_banner(found):
        show_html(result_banner(found))
    if not found.ok:
        return
    s = found.result["summary"]
    sc = "skipped" if s["staticcheck_found"] is None else f"{s['staticcheck_found']} of {s['planted']}"
    show_html(f"<p><b>go vet found {s['vet_found']} of {s['planted']} planted problems; staticcheck {sc}; "
              f"together {s['union_found']}.</b> staticcheck: {html.escape(s['staticcheck_status'])}</p>")
    show_html(table_html(ch1.static_rows(found), caption=measure.provenance_line(found.result)))


def claims_section(params: dict) -> None:
    show_claims(ch1.chapter_claims(params))
