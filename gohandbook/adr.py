"""The decision as an Architecture Decision Record in the MADR 4.0 layout, filled from the
profile, the decision model and the cached measurements (nothing typed by hand).

In Chinese (`params["lang"] == "zh"`) every sentence and the MADR section names are Chinese; the
front matter keys and the status value stay MADR's own (tools read them), as do code and names.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Mapping

from . import ch1
from .i18n import N_, _
from .measure import provenance_in
from .models.decision import CRITERIA

OPTIONS = {
    "adopt": N_("Adopt Go for this workload, starting with a pilot service"),
    "validate": N_("Run the two-week validation before deciding"),
    "hold": N_("Stay on the current stack for this workload"),
}
# chapter 1's workload kinds, as the ADR names them
WORKLOAD_NAMES = (N_("infrastructure"), N_("tooling"), N_("web services"), N_("data science"),
                  N_("legacy enterprise"))
# MADR 4.0's section names
SECTIONS = {
    "context": N_("Context and Problem Statement"), "drivers": N_("Decision Drivers"),
    "options": N_("Considered Options"), "outcome": N_("Decision Outcome"), "consequences": N_("Consequences"),
    "confirmation": N_("Confirmation"), "pros_cons": N_("Pros and Cons of the Options"),
    "more": N_("More Information"),
}


def _fmt(value: Any, unit: str, lang: str) -> str:
    if value is None:
        return _("not measured", lang)
    return f"{value:g} {unit}".strip()


def build(params: Mapping[str, Any], *, figures: list[dict[str, Any]] | None = None,
          claim_counts: Mapping[str, int] | None = None, status: str = "proposed",
          decision_makers: str = "", consulted: str = "", informed: str = "", today: str | None = None) -> str:
    from . import ch5  # the shown names of recommendations, gates and verdicts
    from .claims import verdict_name

    lang = params.get("lang", "en")
    result = ch1.decide(params)
    gates = ch1.gates(params, ch1.CHAPTER.results(params))
    figures = figures if figures is not None else ch1.key_figures(params)
    current = params["current_stack"]
    workload = params["workload_kind"].replace("_", " ")
    chosen = result.recommendation
    answers = ch1.answers(params)
    option = {key: _(text, lang) for key, text in OPTIONS.items()}
    section = {key: _(text, lang) for key, text in SECTIONS.items()}
    good_because, bad_because = _("Good, because {reason}", lang), _("Bad, because {reason}", lang)
    drivers = "\n".join(
        "* " + (_("{criterion} — for Go; the team answered {answer}/4, weight {weight}/10", lang) if c.sign > 0 else
                _("{criterion} — against Go; the team answered {answer}/4, weight {weight}/10", lang)).format(
            criterion=_(c.label, lang), answer=f"{answers[c.key]:g}", weight=f"{params[f'weight_{c.key}']:g}")
        for c in CRITERIA)
    gate_lines = "\n".join(f"* {ch1.gate_name(g.name, lang)}: {ch1.gate_state(g.passed, lang)} ({g.detail})"
                           for g in gates)
    sources = list(dict.fromkeys(f["provenance"] for f in figures))  # each provenance once, numbered
    measured = "\n".join(f"* {_(f['figure'], lang)}: {_fmt(f['value'], f['unit'], lang)}"
                         + (f" — {f['band']}" if f.get("band") else "") + f" [{sources.index(f['provenance']) + 1}]"
                         for f in figures)
    measured += "\n\n" + "\n".join(f"[{i}] {provenance_in(src, lang)}" for i, src in enumerate(sources, 1))
    reasons = ch1.reason_items(result, lang)
    good = ["* " + good_because.format(reason=text) for is_for, text in reasons if is_for]
    bad = ["* " + bad_because.format(reason=text) for is_for, text in reasons if not is_for]
    good += ["* " + _("Good, because the {gate} gate passed: {detail}", lang).format(
        gate=ch1.gate_name(g.name, lang), detail=g.detail) for g in gates if g.passed]
    bad += ["* " + _("Bad, because the {gate} gate did not pass: {detail}", lang).format(
        gate=ch1.gate_name(g.name, lang), detail=g.detail) for g in gates if g.passed is False]
    fragile = [f for f in result.flips if f.delta is not None]
    nearest = min(fragile, key=lambda f: abs(f.delta)) if fragile else None
    robustness = (_("Moving the weight of “{criterion}” by {delta} would change the outcome to “{outcome}”.",
                    lang).format(criterion=_(nearest.label, lang), delta=f"{nearest.delta:+.1f}",
                                 outcome=ch5.recommendation_named(nearest.to, lang)) if nearest else
                  _("No single weight between 0 and 10 changes the outcome.", lang))
    counts = ", ".join(f"{v} {verdict_name(k, lang)}" for k, v in sorted((claim_counts or {}).items()))
    pros = {
        "adopt": [_("measured start-up, memory and shipped size of the Go service on this machine (see Decision "
                    "Outcome)", lang)],
        "validate": [_("decides on the team's own measurements and acceptance rather than on the matrix alone", lang)],
        "hold": [_("no migration cost or productivity dip", lang)],
    }
    cons = {
        "adopt": [_("the team's ramp-up and the migration cost (chapter 4)", lang)],
        "validate": [_("two weeks of engineering time before a decision", lang)],
        "hold": [_("keeps {stack}'s measured memory and start-up costs", lang).format(stack=current)],
    }
    option_sections = "\n\n".join(
        f"### {option[key]}\n\n" + "\n".join("* " + good_because.format(reason=p) for p in pros[key])
        + "\n" + "\n".join("* " + bad_because.format(reason=c) for c in cons[key]) for key in OPTIONS)
    to_fill = _("(to be filled in)", lang)
    title = _("Should team “{profile}” adopt Go for its {workload} work?", lang).format(
        profile=params["profile_name"], workload=_(workload, lang))
    context = _("A team of {n} engineers working in {stack} considers Go for its {workload}\n"
                "workload. The Go Decision Handbook weighed the source document's fit criteria and constraints with "
                "the team's answers,\nand measured a minimal health-check service in Go and in the current stack on "
                "the same machine.", lang).format(n=params["team_size"], stack=current, workload=_(workload, lang))
    outcome = _("Chosen option: “{option}”, because the weighted decision matrix scores {score}\n"
                "(threshold ±{threshold}): {recommendation}.", lang).format(
        option=option[chosen], score=f"{result.score:+.2f}", threshold=f"{params['adopt_threshold']:g}",
        recommendation=ch1.recommendation_text(result, lang))
    no_good = "* " + good_because.format(reason=_("no criterion weighs for Go here", lang))
    no_bad = "* " + bad_because.format(reason=_("no criterion weighs against Go here", lang))
    more = _("Generated by the Go Decision Handbook from profile “{profile}”. Claims of the source document checked:\n"
             "{counts}. Every figure above is a cached measurement with its provenance; quoted figures from\n"
             "the source document are marked as cited in the report's claims table and are not predictions.",
             lang).format(profile=params["profile_name"], counts=counts or _("see the claims table", lang))
    rerun = _("Re-run `gohandbook report --profile <this profile> --full` on production-like hardware before the "
              "pilot ends, and\nconfirm the pilot service meets the same gates in production monitoring.", lang)
    measured_intro = _("Measured on this machine, or computed by the handbook's models from this profile:", lang)
    gates_intro = _("The source document's three validation thresholds, checked with this profile's limits:", lang)
    gates_intro += " " + ch1.gates_basis(params)  # what was measured: the team's services or the minimal peers
    options_list = "\n".join(f"* {option[k]}" for k in OPTIONS)
    consequences = "\n".join(good) or no_good, "\n".join(bad) or no_bad
    return f"""---
status: {status}
date: {today or _dt.date.today().isoformat()}
decision-makers: {decision_makers or to_fill}
consulted: {consulted or to_fill}
informed: {informed or to_fill}
---

# {title}

## {section['context']}

{context}

## {section['drivers']}

{drivers}

## {section['options']}

{options_list}

## {section['outcome']}

{outcome} {robustness}

{measured_intro}

{measured}

### {section['consequences']}

{consequences[0]}
{consequences[1]}

### {section['confirmation']}

{gates_intro}

{gate_lines}

{rerun}

## {section['pros_cons']}

{option_sections}

## {section['more']}

{more}
"""
