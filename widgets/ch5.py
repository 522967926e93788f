"""Chapter 5's layer: scorecard, filterable claims table, quoted production figures, ADR download.

Every visible word goes through `gohandbook.i18n._(…, lang)` with the page's `params["lang"]`.
"""

from __future__ import annotations

import base64
import html
from typing import Any

import altair as alt
import ipywidgets as W

from gohandbook import ch1, ch5
from gohandbook.claims import verdict_name
from gohandbook.i18n import N_, _
from gohandbook.measure import provenance_in

from .render import recommendation_html, show_chart, show_html, table_html, verdict_classes

VERDICT_COLORS = {"holds": "#2f855a", "partly holds": "#b7791f", "does not hold": "#c53030", "outdated": "#6b46c1",
                  "not measured yet": "#a0aec0", "cited": "#2b6cb0", "unverifiable": "#718096", "model": "#319795"}


def verdict_column(lang: str) -> dict[str, dict[str, str]]:
    return {_("Verdict / status", lang): verdict_classes(lang)}


def scorecard(params: dict) -> None:
    lang = params["lang"]
    result = ch1.decide(params)
    gates = ch1.gates(params, ch1.CHAPTER.results(params))
    show_html(recommendation_html(params, result))
    show_html(table_html([{_("Gate", lang): ch1.gate_name(g.name, lang),
                           _("Passed", lang): {True: _("yes", lang), False: _("no", lang),
                                               None: _("undecided", lang)}[g.passed],
                           _("Detail", lang): g.detail} for g in gates],
                         caption=_("The source document's validation thresholds (chapter 1), for this profile.", lang)
                         + " " + ch1.gates_basis(params)))
    figures = ch5.key_figures(params)
    rows = [{_("Ch.", lang): f["chapter"], _("Figure", lang): _(f["figure"], lang),
             _("Value", lang): _("not measured", lang) if f["value"] is None else f"{f['value']:g} {f['unit']}".strip(),
             _("Band / spread", lang): f.get("band", ""), _("Kind", lang): ch5.claims_mod.kind_name(f["kind"], lang),
             _("Status", lang): _(f["status"], lang), _("Provenance", lang): provenance_in(f["provenance"], lang)} for f in figures]
    show_html(table_html(rows, caption=_("Headline figures from each chapter's cached results and models; "
                                         "nothing here was re-run for this page.", lang)))


def verdict_chart(rows, lang: str = "en") -> alt.Chart:
    counts = ch5.verdict_counts(rows)
    data = [{"chapter": _("Chapter {n}", lang).format(n=v.chapter), "verdict": verdict_name(v.verdict, lang)}
            for v in rows]
    measured = sum(counts.get(k, 0) for k in ("holds", "partly holds", "does not hold", "outdated"))
    held = counts.get("holds", 0)
    title = _("{held} of the {measured} claims measured here hold; {not_held} do not, {outdated} are outdated",
              lang).format(held=held, measured=measured, not_held=counts.get("does not hold", 0),
                           outdated=counts.get("outdated", 0))
    order = [k for k in VERDICT_COLORS if k in counts]
    names = [verdict_name(k, lang) for k in order]
    return alt.Chart(alt.Data(values=data)).mark_bar().encode(
        y=alt.Y("chapter:N", title=None),
        x=alt.X("count():Q", title=_("Claims of the source document", lang)),
        color=alt.Color("verdict:N", title=_("Verdict / status", lang), sort=names,
                        scale=alt.Scale(domain=names, range=[VERDICT_COLORS[k] for k in order])),
        order=alt.Order("verdict_rank:Q"),
        tooltip=[alt.Tooltip("chapter:N", title=_("Chapter", lang)),
                 alt.Tooltip("verdict:N", title=_("Verdict / status", lang)),
                 alt.Tooltip("count():Q", title=_("Claims", lang))],
    ).transform_calculate(
        verdict_rank=f"indexof({names!r}, datum.verdict)"
    ).properties(width=520, height=160, title=alt.TitleParams(
        title, subtitle=[_("Verdicts computed from this machine's cached measurements by the rules in "
                           "data/claims.yaml.", lang)],
        anchor="start"))


def claims_table(params: dict) -> None:
    lang = params["lang"]
    rows = ch5.CHAPTER.claims(params)
    show_chart(verdict_chart(rows, lang), live=params["live_widgets"])
    if not params["live_widgets"]:
        shown = ch5.filter_claims(rows, params["claims_chapter"], params["claims_verdict"])
        show_html(table_html(ch5.claim_rows(shown, lang), cell_classes=verdict_column(lang), caption=(
            _("{shown} of {total} claims (chapter filter {chapter}, verdict filter {verdict}).", lang).format(
                shown=len(shown), total=len(rows), chapter=params["claims_chapter"] or _("all", lang),
                verdict=verdict_name(params["claims_verdict"], lang)))))
        return
    chapter = W.Dropdown(options=[(_("all", lang), 0)] + [(_("chapter {n}", lang).format(n=n), n) for n in range(1, 6)],
                         value=params["claims_chapter"], description=_("Chapter", lang))
    verdict = W.Dropdown(options=[(verdict_name(v, lang), v) for v in ch5.VERDICT_CHOICES],
                         value=params["claims_verdict"], description=_("Verdict", lang))
    search = W.Text(placeholder=_("words in the claim…", lang), description=_("Search", lang))
    table = W.HTML()

    def refresh(_change=None) -> None:
        shown = ch5.filter_claims(rows, chapter.value, verdict.value, search.value)
        table.value = table_html(ch5.claim_rows(shown, lang), cell_classes=verdict_column(lang),
                                 caption=ch5.claims_caption(len(shown), len(rows), lang))

    for control in (chapter, verdict, search):
        control.observe(refresh, names="value")
    refresh()
    from IPython.display import display

    display(W.VBox([W.HBox([chapter, verdict, search]), table]))


def reported_results(params: dict) -> None:
    lang = params["lang"]
    rows = ch5.reported_results(ch5.CHAPTER.claims(params), lang)
    show_html(table_html(rows, caption=_("Reported by the source document for one company's systems: quoted, "
                                         "not measured here and not predictions for your team.", lang)))


def _download_link(markdown: str, name: str, lang: str) -> str:
    data = base64.b64encode(markdown.encode()).decode()
    label = _("Download the decision record ({name})", lang).format(name=html.escape(name))
    return f'<a download="{html.escape(name)}" href="data:text/markdown;base64,{data}">{label}</a>'


def _preview(text: str) -> str:
    return f"<pre style='white-space: pre-wrap; max-height: 480px; overflow: auto'>{html.escape(text)}</pre>"


# Shown names of values that are keys elsewhere (the ADR statuses, the cache's result statuses)
SHOWN_NAMES = (N_("proposed"), N_("accepted"), N_("rejected"), N_("deprecated"), N_("superseded"),
               N_("current"), N_("stale"), N_("reference"), N_("missing"), N_("error"))


def decision_record(params: dict) -> None:
    lang = params["lang"]
    name = f"adr-{params['profile_name']}.md"
    text = ch5.decision_record(params)
    if not params["live_widgets"]:
        show_html(f"<p>{_download_link(text, name, lang)} · "
                  + _("also written beside this report as {file}.", lang).format(file="<code>adr.md</code>")
                  + "</p>" + _preview(text))
        return
    state: dict[str, Any] = dict(params)
    status = W.Dropdown(options=[(_(s, lang), s) for s in ch5.PARAMS["adr_status"].choices],
                        value=params["adr_status"], description=_("Status", lang))
    makers = W.Text(value=params["decision_makers"], description=_("Deciders", lang))
    consulted = W.Text(value=params["consulted"], description=_("Consulted", lang))
    informed = W.Text(value=params["informed"], description=_("Informed", lang))
    out = W.HTML(f"<p>{_download_link(text, name, lang)}</p>" + _preview(text))

    def refresh(_change=None) -> None:
        state.update(adr_status=status.value, decision_makers=makers.value, consulted=consulted.value,
                     informed=informed.value)
        new = ch5.decision_record(state)
        out.value = f"<p>{_download_link(new, name, lang)}</p>" + _preview(new)

    for control in (status, makers, consulted, informed):
        control.observe(refresh, names="value")
    from IPython.display import display

    display(W.VBox([W.HBox([status, makers]), W.HBox([consulted, informed]), out]))
