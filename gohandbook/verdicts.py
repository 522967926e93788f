"""'How the verdicts are decided': for every measured claim of the ledger, the reading of the source, the metric
and why it measures that, the rule, the value measured here with its spread, and the nearest value that would
give another verdict — so a reader can disagree with a threshold and see what would change.

`verdicts_html()` returns one self-contained, offline HTML page (the report writes it as verdicts.html);
`verdicts_fragment()` is the same content without the page around it (the site's notebook shows it).
"""

from __future__ import annotations

import functools
import html
from collections import Counter
from typing import Any

from . import claims as claims_mod
from .i18n import HTML_LANG, N_, _, normalize

TITLE = N_("How the verdicts are decided")
INTRO = N_(
    "Each measured claim of the source document is judged by a rule written down in data/claims.yaml before the "
    "measurement runs: a reading of what the source means, a metric chosen because it measures exactly that, and "
    "thresholds for 'holds', 'partly holds' and 'does not hold' (or 'outdated'). Every rule can give more than one "
    "verdict over the values its measurement can produce (a test checks this). The last column names the nearest "
    "value that would change the verdict: if you would draw the line elsewhere, that is where it moves."
)
COUNTS_TEXT = N_("{entries} claims in the ledger: {measured} measured, {cited} cited, {model} computed by a model, {unverifiable} unverifiable.")
MEASURED_TALLY = N_("Measured: {tally}.")
CHAPTER_HEADING = N_("Chapter {n}")
COLUMNS = (N_("Claim"), N_("Reading of the source"), N_("Metric and why it measures that"), N_("Rule"),
           N_("Measured here (spread)"), N_("Verdict"), N_("Would change at"), N_("Conditions pinned"))
RANGE_TEXT = N_("the measurement can produce {lo} to {hi}")
RANGE_BOOL = N_("the measurement answers yes or no")
NOT_MEASURED = N_("not measured on this machine: {status}")
CSS = """
body {font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1400px; padding: 0 1em; color: #222}
table.verdicts {border-collapse: collapse; width: 100%}
table.verdicts td, table.verdicts th {border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left}
table.verdicts td {overflow-wrap: anywhere}
table.verdicts th {background: #f3f3f3}
.v-holds {background: #e3f4e1} .v-partly {background: #fff4d6} .v-not {background: #fbe2e2}
.v-outdated {background: #e8e8f4} .v-none {background: #f3f3f3}
.src {color: #555; font-size: 12px} code {font-size: 12px} .prov {color: #555; font-size: 12px}
"""
VERDICT_CLASS = {"holds": "v-holds", "partly holds": "v-partly", "does not hold": "v-not", "outdated": "v-outdated"}


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def provenance_text(prov: dict) -> str:
    if not prov:
        return ""
    host, go = prov.get("host", {}), prov.get("go", {})
    return f"{host.get('cpu_model', '?')} ({host.get('cores', '?')} cores), {go.get('version', '?')}, {str(prov.get('finished', ''))[:16]}"


def range_text(rng: Any, lang: str | None = None) -> str:
    if rng is None:
        return ""
    if isinstance(rng[0], bool):
        return _(RANGE_BOOL, lang)
    return _(RANGE_TEXT, lang).format(lo=claims_mod._num(rng[0]), hi=claims_mod._num(rng[1]))


def rows(verdicts: list[claims_mod.ClaimVerdict], lang: str | None = None) -> list[dict[str, str]]:
    """One row per measured claim, as plain strings (also what the tests read)."""
    out = []
    for v in verdicts:
        if v.kind != "measured":
            continue
        text = functools.partial(claims_mod.text, v, lang=lang)   # the claim's texts in the reader's language
        measured = (f"{claims_mod.format_value(v, lang)} ({claims_mod.spread_text(v.spread, v.unit, lang)})"
                    if v.value is not None else _(NOT_MEASURED, lang).format(status=text("status")))
        out.append({
            "id": v.id, "section": v.section, "original": v.original, "reading": text("reading"),
            "metric": f"{v.measurement}: {v.metric}", "why_metric": text("why_metric"), "rule": text("rule"),
            "range": range_text(v.value_range, lang),
            "measured": measured, "verdict": v.verdict, "verdict_shown": claims_mod.verdict_name(v.verdict, lang),
            "flip": text("flip"), "conditions": text("conditions"),
            "provenance": provenance_text(v.provenance) + ("" if v.status in ("current", "") else f" — {text('status')}"),
        })
    return out


def _table(items: list[dict[str, str]], lang: str | None = None) -> str:
    head = "".join(f"<th>{_e(_(c, lang))}</th>" for c in COLUMNS)
    body = []
    for r in items:
        cls = VERDICT_CLASS.get(r["verdict"], "v-none")
        body.append(
            f'<tr id="{_e(r["id"])}"><td><b>{_e(r["id"])}</b> §{_e(r["section"])}<div class="src">{_e(r["original"])}</div></td>'
            f"<td>{_e(r['reading'])}</td>"
            f"<td><code>{_e(r['metric'])}</code><br>{_e(r['why_metric'])}</td>"
            f"<td>{_e(r['rule'])}<div class=\"src\">{_e(r['range'])}</div></td>"
            f"<td>{_e(r['measured'])}<div class=\"prov\">{_e(r['provenance'])}</div></td>"
            f'<td class="{cls}">{_e(r["verdict_shown"])}</td><td>{_e(r["flip"])}</td><td>{_e(r["conditions"])}</td></tr>')
    return f'<table class="verdicts"><tr>{head}</tr>{"".join(body)}</table>'


def verdicts_fragment(verdicts: list[claims_mod.ClaimVerdict] | None = None, lang: str | None = None) -> str:
    verdicts = claims_mod.ledger() if verdicts is None else verdicts
    kinds = Counter(v.kind for v in verdicts)
    counts = _(COUNTS_TEXT, lang).format(entries=len(verdicts), measured=kinds["measured"], cited=kinds["cited"],
                                model=kinds["model"], unverifiable=kinds["unverifiable"])
    tally = Counter(v.verdict for v in verdicts if v.kind == "measured")
    tally_text = ", ".join(f"{n} {claims_mod.verdict_name(name, lang)}"
                           for name, n in sorted(tally.items(), key=lambda kv: -kv[1]))
    parts = [f"<style>{CSS}</style>", f"<p>{_e(_(INTRO, lang))}</p>",
             f"<p>{_e(counts)} {_e(_(MEASURED_TALLY, lang).format(tally=tally_text))}</p>"]
    items = rows(verdicts, lang)
    for chapter in sorted({v.chapter for v in verdicts if v.kind == "measured"}):
        chosen = [r for r, v in zip(items, [v for v in verdicts if v.kind == "measured"]) if v.chapter == chapter]
        parts.append(f"<h2>{_e(_(CHAPTER_HEADING, lang).format(n=chapter))}</h2>{_table(chosen, lang)}")
    return "\n".join(parts)


def verdicts_html(verdicts: list[claims_mod.ClaimVerdict] | None = None, lang: str | None = None) -> str:
    """The whole page: no script, no external resource."""
    lang = normalize(lang)
    title = _e(_(TITLE, lang))
    return (f'<!DOCTYPE html>\n<html lang="{HTML_LANG[lang]}"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>\n{verdicts_fragment(verdicts, lang)}\n</body></html>\n")
