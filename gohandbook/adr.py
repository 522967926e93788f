"""The decision as an Architecture Decision Record in the MADR 4.0 layout, filled from the
profile, the decision model and the cached measurements (nothing typed by hand)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Mapping

from . import ch1
from .models.decision import CRITERIA, RECOMMENDATIONS

OPTIONS = {
    "adopt": "Adopt Go for this workload, starting with a pilot service",
    "validate": "Run the two-week validation before deciding",
    "hold": "Stay on the current stack for this workload",
}


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "not measured"
    return f"{value:g} {unit}".strip()


def build(params: Mapping[str, Any], *, figures: list[dict[str, Any]] | None = None,
          claim_counts: Mapping[str, int] | None = None, status: str = "proposed",
          decision_makers: str = "", consulted: str = "", informed: str = "", today: str | None = None) -> str:
    result = ch1.decide(params)
    gates = ch1.gates(params, ch1.results(params))
    figures = figures if figures is not None else ch1.key_figures(params)
    current = params["current_stack"]
    chosen = result.recommendation
    answers = ch1.answers(params)
    drivers = "\n".join(
        f"* {c.label} — {'for' if c.sign > 0 else 'against'} Go; the team answered {answers[c.key]:g}/4, "
        f"weight {params[f'weight_{c.key}']:g}/10" for c in CRITERIA)
    gate_lines = "\n".join(f"* {g.name}: {'passed' if g.passed else 'not passed' if g.passed is False else 'undecided'} "
                           f"({g.detail})" for g in gates)
    sources = list(dict.fromkeys(f["provenance"] for f in figures))  # each provenance once, numbered
    measured = "\n".join(f"* {f['figure']}: {_fmt(f['value'], f['unit'])}"
                         + (f" — {f['band']}" if f.get("band") else "") + f" [{sources.index(f['provenance']) + 1}]"
                         for f in figures)
    measured += "\n\n" + "\n".join(f"[{i}] {src}" for i, src in enumerate(sources, 1))
    good = [f"* Good, because {r.split(': ', 1)[1]}" for r in result.reasons if r.startswith("for:")]
    bad = [f"* Bad, because {r.split(': ', 1)[1]}" for r in result.reasons if r.startswith("against:")]
    good += [f"* Good, because the {g.name} gate passed: {g.detail}" for g in gates if g.passed]
    bad += [f"* Bad, because the {g.name} gate did not pass: {g.detail}" for g in gates if g.passed is False]
    fragile = [f for f in result.flips if f.delta is not None]
    nearest = min(fragile, key=lambda f: abs(f.delta)) if fragile else None
    robustness = (f"Moving the weight of “{nearest.label}” by {nearest.delta:+.1f} would change the outcome to "
                  f"“{RECOMMENDATIONS[nearest.to]}”." if nearest else
                  "No single weight between 0 and 10 changes the outcome.")
    counts = ", ".join(f"{v} {k}" for k, v in sorted((claim_counts or {}).items()))
    pros = {
        "adopt": ["measured start-up, memory and shipped size of the Go service on this machine (see Decision Outcome)"],
        "validate": ["decides on the team's own measurements and acceptance rather than on the matrix alone"],
        "hold": ["no migration cost or productivity dip"],
    }
    cons = {
        "adopt": ["the team's ramp-up and the migration cost (chapter 4)"],
        "validate": ["two weeks of engineering time before a decision"],
        "hold": [f"keeps {current}'s measured memory and start-up costs"],
    }
    option_sections = "\n\n".join(
        f"### {OPTIONS[key]}\n\n" + "\n".join(f"* Good, because {p}" for p in pros[key])
        + "\n" + "\n".join(f"* Bad, because {c}" for c in cons[key]) for key in OPTIONS)
    return f"""---
status: {status}
date: {today or _dt.date.today().isoformat()}
decision-makers: {decision_makers or "(to be filled in)"}
consulted: {consulted or "(to be filled in)"}
informed: {informed or "(to be filled in)"}
---

# Should team “{params['profile_name']}” adopt Go for its {params['workload_kind'].replace('_', ' ')} work?

## Context and Problem Statement

A team of {params['team_size']} engineers working in {current} considers Go for its {params['workload_kind'].replace('_', ' ')}
workload. The Go Decision Handbook weighed the source document's fit criteria and constraints with the team's answers,
and measured a minimal health-check service in Go and in the current stack on the same machine.

## Decision Drivers

{drivers}

## Considered Options

{chr(10).join(f"* {OPTIONS[k]}" for k in OPTIONS)}

## Decision Outcome

Chosen option: “{OPTIONS[chosen]}”, because the weighted decision matrix scores {result.score:+.2f}
(threshold ±{params['adopt_threshold']:g}): {RECOMMENDATIONS[chosen]}. {robustness}

Measured on this machine, or computed by the handbook's models from this profile:

{measured}

### Consequences

{chr(10).join(good) or "* Good, because no criterion weighs for Go here"}
{chr(10).join(bad) or "* Bad, because no criterion weighs against Go here"}

### Confirmation

The source document's three validation thresholds, checked with this profile's limits:

{gate_lines}

Re-run `gohandbook report --profile <this profile> --full` on production-like hardware before the pilot ends, and
confirm the pilot service meets the same gates in production monitoring.

## Pros and Cons of the Options

{option_sections}

## More Information

Generated by the Go Decision Handbook from profile “{params['profile_name']}”. Claims of the source document checked:
{counts or "see the claims table"}. Every figure above is a cached measurement with its provenance; quoted figures from
the source document are marked as cited in the report's claims table and are not predictions.
"""
