"""Chapter 5 glue: the summary reads the other chapters' results for the same profile.

It never re-runs a notebook or a measurement: each chapter module's `key_figures(params)`
turns cached results and models into headline figures, the claims ledger gives every
verdict, and the ADR is built from the same objects.
"""

from __future__ import annotations

import importlib
from typing import Any, Mapping

from . import adr, claims as claims_mod
from .chapters import COMMON, Chapter
from .i18n import N_, _, ngettext
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
CHAPTER = Chapter(5, "05-summary-and-decision.ipynb", "Summary and decision", PARAMS, all_claims=True)


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
            out.append({"chapter": module.CHAPTER.number, "figure": N_("(figures unavailable)"), "value": None,
                        "unit": "", "kind": "error", "status": "error", "provenance": f"{type(exc).__name__}: {exc}"})
    return out


def filter_claims(rows: list[claims_mod.ClaimVerdict], chapter: int = 0, verdict: str = "all",
                  text: str = "") -> list[claims_mod.ClaimVerdict]:
    text = text.strip().lower()
    return [v for v in rows
            if (chapter == 0 or v.chapter == chapter)
            and (verdict == "all" or v.verdict == verdict)
            and (not text or text in " ".join([v.id, v.original] + [claims_mod.text(v, f, lang) for f in ("paraphrase", "note")
                                                                    for lang in ("en", "zh")]).lower())]


def verdict_counts(rows: list[claims_mod.ClaimVerdict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in rows:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    return counts


def claim_rows(rows: list[claims_mod.ClaimVerdict], lang: str | None = None) -> list[dict[str, Any]]:
    """The claims table, its texts in `lang` (claims.text: the ledger's Chinese twins). In Chinese the source's own
    sentence is the claim, so the paraphrase column goes."""
    out = []
    for v in rows:
        status = "" if v.status == "current" else claims_mod.text(v, "status", lang)
        row = {_("Claim", lang): v.id, _("Ch.", lang): v.chapter, "§": v.section, _("Source text", lang): v.original,
               _("Paraphrase", lang): claims_mod.text(v, "paraphrase", lang),
               _("Kind", lang): claims_mod.kind_name(v.kind, lang),
               _("Verdict / status", lang): claims_mod.verdict_name(v.verdict, lang),
               _("Measured here", lang): claims_mod.format_value(v, lang),
               _("Why / source / scope", lang): " ".join(x for x in (claims_mod.text(v, "note", lang), status) if x)}
        if lang == "zh":
            # the source's own sentence is the claim; a Chinese restatement beside it only widens the table
            del row[_("Paraphrase", lang)]
        out.append(row)
    return out


def reported_results(rows: list[claims_mod.ClaimVerdict], lang: str | None = None) -> list[dict[str, Any]]:
    """Chapter 5's 'production validation' numbers: one company's report, quoted, not predictions."""
    out = []
    for v in rows:
        if v.chapter != 5:
            continue
        title = v.source.get("title", "") if isinstance(v.source, dict) else ""
        row = {_("Claim", lang): v.id, _("Source text", lang): v.original, _("What it says", lang): claims_mod.text(v, "paraphrase", lang),
               _("Status", lang): (_("cited: {source}", lang).format(source=title) if title
                                   else _("cited: no primary source found", lang))}
        if lang == "zh":
            del row[_("What it says", lang)]
        out.append(row)
    return out


# The statuses key figures carry besides the cache's (current / stale / reference / missing)
FIGURE_STATUSES = (N_("computed"),)
# The parameter sets' names, as parameter error messages name them
PARAMSET_NAMES = (N_("every chapter"), N_("profile"), N_("chapter 1"), N_("chapter 2"), N_("chapter 3"),
                  N_("chapter 4"), N_("chapter 5"))


def recommendation_named(key: str, lang: str | None = None) -> str:
    """adopt / validate / hold as the model words it (English) or translated."""
    from .models.decision import RECOMMENDATIONS

    return _(RECOMMENDATIONS[key], lang)


def claims_caption(shown: int, total: int, lang: str | None = None) -> str:
    return ngettext("{shown} of {total} claim", "{shown} of {total} claims", total, lang).format(shown=shown, total=total)


def decision_record(params: Mapping[str, Any], rows: list[claims_mod.ClaimVerdict] | None = None) -> str:
    rows = rows if rows is not None else CHAPTER.claims(params)
    return adr.build(params, figures=key_figures(params), claim_counts=verdict_counts(rows),
                     status=params.get("adr_status", "proposed"), decision_makers=params.get("decision_makers", ""),
                     consulted=params.get("consulted", ""), informed=params.get("informed", ""))
