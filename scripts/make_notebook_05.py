"""Regenerate notebooks/05-summary-and-decision.ipynb (narrative + thin calls)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch5 import PARAMS  # noqa: E402

cells = [
    md("""
# Chapter 5 — Summary and decision
*第五章:总结与展望*

The source document ends with a summary of production results and an outlook. This chapter does something more
useful for a decision: it collects what the other chapters found **for this team profile** — the decision matrix,
the validation gates, the headline measurements — and every claim of the source document with its verdict, and
writes the decision down as an Architecture Decision Record.

Nothing on this page is measured or simulated anew: it reads the same cached measurements and evaluates the same
models as the chapters, with the same parameters.
"""),
    params_cell(PARAMS),
    code("""
from gohandbook import ch5
from widgets import ch5 as ui

params = ch5.PARAMS.from_namespace(globals())
"""),
    md("""
## Scorecard

The recommendation comes from chapter 1's weighted decision matrix; the gates are the source document's three
validation thresholds checked against this machine's measurements; the figures below come from each chapter's
cached results, each with where and when it was measured.
"""),
    code("ui.scorecard(params)"),
    md("""
## Every claim of the source document

The ledger `data/claims.yaml` lists each numeric or checkable claim of all five chapters. *Measured* claims get a
verdict from this machine's measurements (holds, partly holds, does not hold, outdated); *cited* ones carry their
source (or say that none was found); *model* ones are computed by a chapter's model; *unverifiable* ones say why.
Filter by chapter, verdict or words.
"""),
    code("ui.claims_table(params)"),
    md("""
## The source document's production results, quoted

Chapter 5 of the source reports one company's results after adopting its platform (deploy time 14.8 → 2.3 minutes,
99.6 % deployment success, and more). They are that company's reported figures: shown here as cited, never as
predictions for your team, and not measured by this handbook.
"""),
    code("ui.reported_results(params)"),
    md("""
## The decision record (MADR 4.0)

Context and problem statement, decision drivers, considered options, the decision outcome with its justification,
consequences, confirmation, and pros and cons — filled from this profile and the cached results. Download it and
commit it to your architecture decision log; the batch report writes it beside each report as `adr.md`.
"""),
    code("ui.decision_record(params)"),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "05-summary-and-decision.ipynb", cells)
print("wrote notebook 05")
