"""Chapter 1's interactive layer: controls map to parameters, results map to charts.

Two live panels, built from the parameter declarations (widgets.controls): the decision matrix (workload, answers,
weights, threshold) and the current stack the measured peers are compared with. Moving a control re-evaluates
the decision model or re-reads the cache (cheap) and updates the charts in place; it never starts a measurement.
Every visible word goes through `gohandbook.i18n._(…, lang)` with the page's `params["lang"]`; the fixed prose is
in the chapter's Markdown (scripts/make_notebook_01.py).
"""

from __future__ import annotations

import html
from typing import Any

from gohandbook import ch1
from gohandbook.i18n import N_, _
from gohandbook.models.decision import OUTCOMES

from . import charts, controls
from .render import recommendation_html, show_chart, show_claims, show_html, shown_summary, table_html, warn


# ---------------------------------------------------------------- 1. the decision matrix

def sensitivity_rows(result, lang: str | None = None) -> list[dict[str, Any]]:
    return [{_("Criterion", lang): _(f.label, lang), _("Weight now", lang): f"{f.weight:g}",
             _("Flips at weight", lang): "—" if f.flip_weight is None else f"{f.flip_weight:.2f}",
             _("Change needed", lang): _("no flip within 0–10", lang) if f.delta is None else f"{f.delta:+.2f}",
             _("Flips to", lang): _(OUTCOMES[f.to], lang) if f.to else ""} for f in result.flips]


def _decision_views(state: dict) -> dict:
    lang = state["lang"]
    result = ch1.decide(state)
    return {"recommendation": recommendation_html(state, result),
            "contributions": charts.decision_contributions(result, state["adopt_threshold"], lang),
            "sensitivity": charts.decision_sensitivity(result, lang),
            "table": table_html(sensitivity_rows(result, lang), caption=_(
                "How far each weight must move, alone, to flip the recommendation.", lang))}


def _starting_answers(name: str, value: Any) -> dict:
    """Choosing a workload moves every answer to that workload's starting answer."""
    if name != "workload_kind":
        return {}
    return {f"answer_{key}": answer for key, answer in ch1.WORKLOAD_PRESETS[value].items()}


DECISION_PANEL = controls.register(controls.Panel(
    1, "decision", ch1.LIVE_PARAMS,
    ((N_("How well does each describe your team? (0 = not at all, 4 = fully)"),
      ("workload_kind", *ch1.ANSWER_NAMES)),
     (N_("How much does each matter? (weight 0–10)"), (*ch1.WEIGHT_NAMES, "adopt_threshold"))),
    _decision_views, labels={"workload_kind": ch1.WORKLOAD_NAMES}, follow=_starting_answers))


def decision_panel(params: dict) -> None:
    """The weighted matrix: static in reports, controls + live charts in JupyterLab and Voila (the answers
    start at the effective ones: the profile's, else the workload's)."""
    return controls.show(DECISION_PANEL, {**params, **ch1.effective_answers(params)})


# ---------------------------------------------------------------- 2. quick validation: the minimal peers

def _comparison_html(comps: list[dict], head: str, lang: str | None) -> str:
    """Per metric: medians with intervals, the ratio, and whether the difference exceeds the run-to-run spread."""
    if not comps:
        return ""
    items = "".join(f"<li>{html.escape(ch1.comparison_sentence(c, lang, c.get('unit', ''), c.get('digits', 1)))}</li>"
                    for c in comps)
    return f"<p>{html.escape(head)}</p><ul>{items}</ul>"


PEERS_COMPARISON_HEAD = N_("Go's peer against the current stack's: median [interval for the median] over the fresh "
                           "starts, and whether the difference is bigger than the run-to-run spread (Mann–Whitney U).")
COMPARISON_HEAD = N_("Go rewrite against the current service: median [interval for the median] over the repeats, and "
                     "whether the difference is bigger than the run-to-run spread (Mann–Whitney U, as benchstat does).")


def _peers_views(state: dict) -> dict:
    lang = state["lang"]
    qv = ch1.CHAPTER.lookup(state, "quick_validation")
    current = state["current_stack"]
    provenance = qv.provenance(lang) or qv.reason_in(lang)
    chart = charts.runtime_comparison(ch1.long_form(qv), current=current, title=ch1.finding(qv, current, lang),
                                      provenance=provenance, lang=lang)
    return {"chart": chart,
            "comparison": _comparison_html(ch1.peer_comparisons(qv, current), _(PEERS_COMPARISON_HEAD, lang), lang)
            or f'<p class="gh-prov">{html.escape(ch1.finding(qv, current, lang))}</p>'}


PEERS_PANEL = controls.register(controls.Panel(
    1, "peers", ch1.PARAMS, (("", ("current_stack",)),), _peers_views, labels={"current_stack": ch1.RUNTIME_NAMES}))


def validation_section(params: dict) -> None:
    """The minimal peers: chart and comparison (live: under a current-stack control that re-reads the cache),
    then the table of every runtime."""
    lang = params["lang"]
    qv = ch1.CHAPTER.lookup(params, "quick_validation")
    if shown_summary(qv, lang) is None:
        controls.SHOWN.pop((1, "peers"), None)
        return
    setup = qv.result["summary"]["setup"]
    controls.show(PEERS_PANEL, params)
    caption = _("Median (min–max) over fresh starts; RSS of the whole process tree. Server on {server}, load "
                "generator on {loadgen}, same machine. {provenance}", lang).format(
        server=setup["server_cpu"], loadgen=setup["loadgen_cpu"], provenance=qv.provenance(lang))
    show_html(table_html(ch1.runtime_rows(qv, lang), ch1.runtime_columns(lang), caption=caption))


# ---------------------------------------------------------------- your services

def services_section(params: dict) -> None:
    """'Your services': the profile's own services beside the minimal peers (cached results only)."""
    lang = params["lang"]
    if not ch1.services(params):
        show_html('<p class="gh-prov">' + html.escape(_(
            "This profile has no services: section, so the gates below use the minimal peers.", lang)) + "</p>")
        return
    found = ch1.service_results(params)
    for name, lk in found.items():
        if lk.status != "current":
            show_html(warn((_("{service}: not measured: {reason}", lang) if not lk.ok else
                            _("{service}: showing an older result: {reason}", lang)).format(service=name,
                                                                                           reason=lk.reason)))
    provs = "; ".join(f"{n}: {lk.provenance(lang)}" for n, lk in found.items() if lk.ok)
    when = "; ".join(_("{service} measured {when} UTC (result {key})", lang).format(
        service=n, when=lk.result["provenance"]["finished"][:16].replace("T", " "), key=lk.result["key"][:8])
        for n, lk in found.items() if lk.ok)
    long = ch1.service_long_form(params)
    if long:
        show_chart(charts.runtime_comparison(long, current="current", title=_services_title(params),
                                             provenance=when, lang=lang), live=params["live_widgets"])
    show_html(table_html(ch1.service_rows(params), caption=_(
        "Median (min–max) over fresh starts of each service, RSS of its whole process tree; measured by "
        "gohandbook validate with chapter 1's harness (this page only reads the cache). {provenance}",
        lang).format(provenance=provs)))
    show_html(_comparison_html(ch1.service_comparisons(params), _(COMPARISON_HEAD, lang), lang))


def _services_title(params: dict) -> str:
    lang = params["lang"]
    comps = {c["metric"]: c for c in ch1.service_comparisons(params)}
    qps, rss = comps.get("Requests/s"), comps.get("Peak RSS under load")
    if not qps or not qps.get("measured"):
        return _("Your services (not both measured yet)", lang)
    if rss and rss.get("measured"):
        return _("Your Go rewrite: ×{qps} the requests/s of the current service, ×{rss} its peak memory", lang).format(
            qps=f"{qps['ratio']:.2f}", rss=f"{rss['ratio']:.2f}")
    return _("Your Go rewrite: ×{qps} the requests/s of the current service", lang).format(qps=f"{qps['ratio']:.2f}")


# ---------------------------------------------------------------- the three gates

def _gates_html(params: dict) -> str:
    lang = params["lang"]
    gates = ch1.gates(params, ch1.CHAPTER.results(params))
    return table_html([{_("Gate", lang): ch1.gate_name(g.name, lang), _("Passed", lang): ch1.gate_state(g.passed, lang),
                        _("Detail", lang): g.detail} for g in gates],
                      caption=_("The seed's three validation thresholds, with this profile's thresholds. {basis}",
                                lang).format(basis=ch1.gates_basis(params)))


def gates_section(params: dict) -> None:
    """The three gates, on the team's services when the profile has them, else on the minimal peers;
    live, they follow the current-stack control of the peers panel."""
    if not params["live_widgets"]:
        show_html(_gates_html(params))
        return
    import ipywidgets as W
    from IPython.display import display

    table = W.HTML(_gates_html(params))
    peers = controls.SHOWN.get((1, "peers"))
    if peers is not None:
        peers.controls["current_stack"].observe(
            lambda change: setattr(table, "value", _gates_html({**params, "current_stack": change["new"]})),
            names="value")
    show_html("")
    display(table)


# ---------------------------------------------------------------- the seed's table, one binary, static analysis

def seed_table_section(params: dict) -> None:
    lang = params["lang"]
    found = ch1.CHAPTER.lookup(params, "quick_validation")
    shown_summary(found, lang)  # the banner when the right-hand column is not from a current measurement here
    where = (_("Left: the source document's table, quoted. Right: medians measured on this machine.", lang)
             if found.status == "current" else
             _("Left: the source document's table, quoted. Right: medians from the {status} result.", lang).format(
                 status=_(found.status, lang)))
    show_html(table_html(ch1.seed_table_rows(found, lang), caption=where))


def binary_section(params: dict) -> None:
    lang = params["lang"]
    found = ch1.CHAPTER.lookup(params, "go_binary_size")
    if shown_summary(found, lang) is None:
        return
    s, raw = found.result["summary"], found.result.get("raw") or {}
    none = _("none", lang)
    rows = [{_("Build", lang): name, "ldflags": v["ldflags"] or "—",
             _("env", lang): " ".join(f"{k}={x}" for k, x in v["env"].items()) or "—",
             _("Size (MB)", lang): f"{v['bytes'] / 1e6:.2f}", _("Bytes (stat)", lang): v["bytes"],
             _("ELF interpreter", lang): v["interpreter"] or none,
             _("Needed libraries", lang): ", ".join(v["needed"]) or none}
            for name, v in raw.items()]
    caption = _("-s -w saves {pct} % here (the seed says about 35 %). {provenance}", lang).format(
        pct=f"{s['strip_saving_pct']:.1f}", provenance=found.provenance(lang))
    show_html(table_html(rows, caption=caption) if rows else f"<p>{html.escape(caption)}</p>")


def static_section(params: dict) -> None:
    lang = params["lang"]
    found = ch1.CHAPTER.lookup(params, "static_analysis")
    if shown_summary(found, lang) is None:
        return
    s = found.result["summary"]
    staticcheck = (_("skipped", lang) if s["staticcheck_found"] is None else
                   _("{found} of {planted}", lang).format(found=s["staticcheck_found"], planted=s["planted"]))
    headline = _("go vet found {vet} of {planted} planted problems; staticcheck {staticcheck}; together {union}.",
                 lang).format(vet=s["vet_found"], planted=s["planted"], staticcheck=staticcheck, union=s["union_found"])
    show_html(f"<p><b>{html.escape(headline)}</b> staticcheck: {html.escape(s['staticcheck_status'])}</p>")
    show_html(table_html(ch1.static_rows(found, lang), caption=found.provenance(lang)))


def claims_section(params: dict) -> None:
    show_claims(ch1.CHAPTER.claims(params), lang=params["lang"])
