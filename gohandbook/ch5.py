"""Chapter 5 glue: the summary reads the other chapters' results for the same profile.

It never re-runs a notebook or a measurement: each chapter module's `key_figures(params)`
turns cached results and models into headline figures, the claims ledger gives every
verdict, and the ADR is built from the same objects.
"""

from __future__ import annotations

import importlib
from typing import Any, Mapping

from . import adr, claims as claims_mod, measure
from .chapters import COMMON, Chapter
from .params import Param, ParamSet

VERDICT_CHOICES = ("all", "holds", "partly holds", "does not hold", "outdated", "not measured yet", "cited",
                   "unverifiable", "model")


def _other_chapter_modules() -> list[Any]:
    modules = []
    for number in range(1, 5):
        try:
            modules.append(importlib.import_module(f"gohandbook.ch{number}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"gohandbook.ch{number}":
                raise
    return modules


OWN = ParamSet("chapter 5", (
    Param("adr_status", "choice", "proposed", "Status written into the decision record",
          label="ADR status", choices=("proposed", "accepted", "rejected", "deprecated", "superseded")),
    Param("decision_makers", "str", "", "Who decides (written into the decision record)", label="Decision-makers"),
    Param("consulted", "str", "", "Who was consulted (decision record)", label="Consulted"),
    Param("informed", "str", "", "Who is informed (decision record)", label="Informed"),
    Param("claims_chapter", "int", 0, "Claims table: only this chapter (0 = all)", label="Chapter", min=0, max=5, step=1),
    Param("claims_verdict", "choice", "all", "Claims table: only this verdict or status", label="Verdict",
          choices=VERDICT_CHOICES),
))


def _merged_params() -> ParamSet:
    merged = COMMON
    for module in _other_chapter_modules():
        merged = merged.merged(module.PARAMS)
    return merged.merged(OWN, name="chapter 5")


PARAMS = _merged_params()
CHAPTER = Chapter(5, "05-summary-and-decision.ipynb", "Summary and decision", PARAMS)


def preset(params: Mapping[str, Any]) -> str:
    return "quick" if params.get("quick", True) else "full"


def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every chapter's headline figures (chapters without `key_figures` contribute none)."""
    out = []
    for module in _other_chapter_modules():
        fn = getattr(module, "key_figures", None)
        if fn is None:
            continue
        try:
            out += fn(params)
        except Exception as exc:  # one chapter's problem is shown, not fatal to the summary
            out.append({"chapter": module.CHAPTER.number, "figure": "(figures unavailable)", "value": None,
                        "unit": "", "kind": "error", "status": "error", "provenance": f"{type(exc).__name__}: {exc}"})
    return out


def ledger(params: Mapping[str, Any]) -> list[claims_mod.ClaimVerdict]:
    return claims_mod.ledger(lambda name: measure.lookup(name, preset(params)))


def filter_claims(rows: list[claims_mod.ClaimVerdict], chapter: int = 0, verdict: str = "all",
                  text: str = "") -> list[claims_mod.ClaimVerdict]:
    text = text.strip().lower()
    return [v for v in rows
            if (chapter == 0 or v.chapter == chapter)
            and (verdict == "all" or v.verdict == verdict)
            and (not text or text in (v.id + v.paraphrase + v.original + v.note).lower())]


def verdict_counts(rows: list[claims_mod.ClaimVerdict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in rows:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    return counts


def claim_rows(rows: list[claims_mod.ClaimVerdict]) -> list[dict[str, Any]]:
    return [{"Claim": v.id, "Ch.": v.chapter, "§": v.section, "Source text": v.original, "Paraphrase": v.paraphrase,
             "Kind": v.kind, "Verdict / status": v.verdict, "Measured here": claims_mod.format_value(v),
             "Why / source / scope": " ".join(x for x in (v.note, "" if v.status == "current" else v.status) if x)}
            for v in rows]


def reported_results(rows: list[claims_mod.ClaimVerdict]) -> list[dict[str, Any]]:
    """Chapter 5's 'production validation' numbers: one company's report, quoted, not predictions."""
    return [{"Claim": v.id, "Source text": v.original, "What it says": v.paraphrase,
             "Status": "cited: " + (v.source.get("title", "") if isinstance(v.source, dict) else "no primary source found")}
            for v in rows if v.chapter == 5]


def decision_record(params: Mapping[str, Any], rows: list[claims_mod.ClaimVerdict] | None = None) -> str:
    rows = rows if rows is not None else ledger(params)
    return adr.build(params, figures=key_figures(params), claim_counts=verdict_counts(rows),
                     status=params.get("adr_status", "proposed"), decision_makers=params.get("decision_makers", ""),
                     consulted=params.get("consulted", ""), informed=params.get("informed", ""))
