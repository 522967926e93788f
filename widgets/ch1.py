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
from .render import chart_widget, show_chart, show_claims, show_html, shown_summary, table_html, warn


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


GATES_CAPTION = "The seed's three validation thresholds, with this profile's thresholds. {basis}"
STACK_HELP = ("Current stack: the runtime Go is compared with above (moving it re-reads the cached results; "
              "nothing is measured).")
NO_SERVICES = ("This profile has no services: section, so the gates below use the minimal peers. To validate your own "
               "service and its Go rewrite, describe them in the profile (README: 'Validate your own service') and run "
               "gohandbook validate PROFILE.")
SERVICES_CAPTION = ("Median (min–max) over fresh starts of each service, RSS of its whole process tree; measured by "
                    "gohandbook validate with chapter 1's harness (this page only reads the cache). {prov}")
PEERS_COMPARISON_HEAD = ("Go's peer against the current stack's: median [interval for the median] over the fresh "
                         "starts, and whether the difference is bigger than the run-to-run spread (Mann–Whitney U).")
COMPARISON_HEAD = ("Go rewrite against the current service: median [interval for the median] over the repeats, and "
                   "whether the difference is bigger than the run-to-run spread (Mann–Whitney U, as benchstat does).")

_shared: dict[str, Any] = {}  # this kernel's current-stack control, shared by the peers and the gates sections


def _peers_chart(qv, current: str):
    prov = measure.provenance_line(qv.result)
    return charts.runtime_comparison(ch1.long_form(qv), current=current, title=ch1.finding(qv, current),
                                     provenance=prov)


def validation_section(params: dict) -> None:
    """The minimal peers: chart and table; live, a current-stack control that re-reads the cache."""
    found = ch1.CHAPTER.results(params)
    qv = found["quick_validation"]
    if shown_summary(qv) is None:
        return
    prov = measure.provenance_line(qv.result)
    setup = qv.result["summary"]["setup"]
    table_rows = ch1.runtime_rows(qv)
    columns = ["Runtime", "Version", "Status", *[h for _, h, _ in ch1.RUNTIME_METRICS], "Shipped (MiB)"]
    caption = (f"Median (min–max) over fresh starts; RSS of the whole process tree. Server on {setup['server_cpu']}, "
               f"load generator on {setup['loadgen_cpu']}, same machine. {prov}")
    if not params["live_widgets"]:
        show_chart(_peers_chart(qv, params["current_stack"]), live=False)
        show_html(table_html(table_rows, columns, caption=caption))
        show_html(_comparison_html(ch1.peer_comparisons(qv, params["current_stack"])))
        return
    from gohandbook.chapters import COMMON, RUNTIME_CHOICES

    stack = W.Dropdown(options=list(RUNTIME_CHOICES), value=params["current_stack"],
                       description=COMMON["current_stack"].label, style={"description_width": "120px"})
    chart = chart_widget(_peers_chart(qv, stack.value))

    sentences = W.HTML(_comparison_html(ch1.peer_comparisons(qv, stack.value)))

    def on_stack(change) -> None:
        fresh = ch1.CHAPTER.results({**params, "current_stack": change["new"]})["quick_validation"]
        chart.chart = _peers_chart(fresh, change["new"])
        sentences.value = _comparison_html(ch1.peer_comparisons(fresh, change["new"]))

    stack.observe(on_stack, names="value")
    _shared["stack"] = stack
    from IPython.display import display

    display(W.VBox([W.HTML(html.escape(STACK_HELP)), stack, chart, sentences]))
    show_html(table_html(table_rows, columns, caption=caption))


def services_section(params: dict) -> None:
    """'Your services': the profile's own services beside the minimal peers (cached results only)."""
    svcs = ch1.services(params)
    if not svcs:
        show_html(f'<p class="gh-prov">{html.escape(NO_SERVICES)}</p>')
        return
    found = ch1.service_results(params)
    for name, lk in found.items():
        if lk.status != "current":
            show_html(warn(f"{name}: " + ("not measured: " if not lk.ok else "showing an older result: ") + lk.reason))
    rows = ch1.service_rows(params)
    provs = "; ".join(f"{n}: {measure.provenance_line(lk.result)}" for n, lk in found.items() if lk.ok)
    when = "; ".join(f"{n} measured {lk.result['provenance']['finished'][:16].replace('T', ' ')} UTC "
                     f"(result {lk.result['key'][:8]})" for n, lk in found.items() if lk.ok)
    long = ch1.service_long_form(params)
    if long:
        show_chart(charts.runtime_comparison(long, current="current", title=_services_title(params),
                                             provenance=when), live=params["live_widgets"])
    show_html(table_html(rows, caption=SERVICES_CAPTION.format(prov=provs)))
    show_html(_comparison_html(ch1.service_comparisons(params), COMPARISON_HEAD))


def _comparison_html(comps: list[dict], head: str = "") -> str:
    """Per metric: medians with intervals, the ratio, and whether the difference exceeds the run-to-run spread."""
    if not comps:
        return ""
    items = "".join(f"<li>{html.escape(c['sentence'])}</li>" for c in comps)
    return f"<p>{html.escape(head or PEERS_COMPARISON_HEAD)}</p><ul>{items}</ul>"


def _services_title(params: dict) -> str:
    comps = {c["metric"]: c for c in ch1.service_comparisons(params)}
    qps, rss = comps.get("Requests/s"), comps.get("Peak RSS under load")
    if not qps or not qps.get("measured"):
        return "Your services (not both measured yet)"
    text = f"Your Go rewrite: ×{qps['ratio']:.2f} the requests/s of the current service"
    if rss and rss.get("measured"):
        text += f", ×{rss['ratio']:.2f} its peak memory"
    return text


def _gates_html(params: dict) -> str:
    gates = ch1.gates(params, ch1.CHAPTER.results(params))
    return table_html([{"Gate": g.name, "Passed": {True: "yes", False: "no", None: "undecided"}[g.passed],
                        "Detail": g.detail} for g in gates],
                      caption=GATES_CAPTION.format(basis=ch1.gates_basis(params)))


def gates_section(params: dict) -> None:
    """The three gates, on the team's services when the profile has them, else on the minimal peers;
    live, they follow the current-stack control of the peers section."""
    if not params["live_widgets"]:
        show_html(_gates_html(params))
        return
    table = W.HTML(_gates_html(params))
    stack = _shared.get("stack")
    if stack is not None:
        stack.observe(lambda change: setattr(table, "value", _gates_html({**params, "current_stack": change["new"]})),
                      names="value")
    from IPython.display import display

    show_html("")
    display(table)


def seed_table_section(params: dict) -> None:
    found = ch1.CHAPTER.lookup(params, "quick_validation")
    shown_summary(found)  # the banner when the right-hand column is not from a current measurement here
    where = "measured on this machine" if found.status == "current" else f"from the {found.status} result"
    show_html(table_html(ch1.seed_table_rows(found), caption=(
        f"Left: the source document's table, quoted. Right: medians {where} "
        "(the comparison runtimes are minimal servers, not Spring Boot).")))


def binary_section(params: dict) -> None:
    found = ch1.CHAPTER.lookup(params, "go_binary_size")
    if shown_summary(found) is None:
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
    found = ch1.CHAPTER.lookup(params, "static_analysis")
    if shown_summary(found) is None:
        return
    s = found.result["summary"]
    sc = "skipped" if s["staticcheck_found"] is None else f"{s['staticcheck_found']} of {s['planted']}"
    show_html(f"<p><b>go vet found {s['vet_found']} of {s['planted']} planted problems; staticcheck {sc}; "
              f"together {s['union_found']}.</b> staticcheck: {html.escape(s['staticcheck_status'])}</p>")
    show_html(table_html(ch1.static_rows(found), caption=measure.provenance_line(found.result)))


def claims_section(params: dict) -> None:
    show_claims(ch1.CHAPTER.claims(params))
