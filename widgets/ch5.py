"""Chapter 5's layer: scorecard, filterable claims table, quoted production figures, ADR download."""

from __future__ import annotations

import base64
import html
from typing import Any

import altair as alt
import ipywidgets as W

from gohandbook import ch1, ch5

from .ch1 import recommendation_html
from .render import VERDICT_CLASSES, show_chart, show_html, table_html

VERDICT_COLUMN = {"Verdict / status": VERDICT_CLASSES}

VERDICT_COLORS = {"holds": "#2f855a", "partly holds": "#b7791f", "does not hold": "#c53030", "outdated": "#6b46c1",
                  "not measured yet": "#a0aec0", "cited": "#2b6cb0", "unverifiable": "#718096", "model": "#319795"}


def scorecard(params: dict) -> None:
    result = ch1.decide(params)
    gates = ch1.gates(params, ch1.results(params))
    show_html(recommendation_html(params, result))
    show_html(table_html([{"Gate": g.name, "Passed": {True: "yes", False: "no", None: "undecided"}[g.passed],
                           "Detail": g.detail} for g in gates],
                         caption="The source document's validation thresholds (chapter 1), for this profile."))
    figures = ch5.key_figures(params)
    rows = [{"Ch.": f["chapter"], "Figure": f["figure"],
             "Value": "not measured" if f["value"] is None else f"{f['value']:g} {f['unit']}".strip(),
             "Band / spread": f.get("band", ""), "Kind": f["kind"], "Status": f["status"], "Provenance": f["provenance"]} for f in figures]
    show_html(table_html(rows, caption="Headline figures from each chapter's cached results and models; "
                                       "nothing here was re-run for this page."))


def verdict_chart(rows) -> alt.Chart:
    counts = ch5.verdict_counts(rows)
    data = [{"chapter": f"Chapter {v.chapter}", "verdict": v.verdict} for v in rows]
    measured = sum(counts.get(k, 0) for k in ("holds", "partly holds", "does not hold", "outdated"))
    held = counts.get("holds", 0)
    title = (f"{held} of the {measured} claims measured here hold; {counts.get('does not hold', 0)} do not, "
             f"{counts.get('outdated', 0)} are outdated")
    order = [k for k in VERDICT_COLORS if k in counts]
    return alt.Chart(alt.Data(values=data)).mark_bar().encode(
        y=alt.Y("chapter:N", title=None),
        x=alt.X("count():Q", title="Claims of the source document"),
        color=alt.Color("verdict:N", title="Verdict / status", sort=order,
                        scale=alt.Scale(domain=order, range=[VERDICT_COLORS[k] for k in order])),
        order=alt.Order("verdict_rank:Q"),
        tooltip=["chapter:N", "verdict:N", "count():Q"],
    ).transform_calculate(
        verdict_rank=f"indexof({order!r}, datum.verdict)"
    ).properties(width=520, height=160, title=alt.TitleParams(
        title, subtitle=["Verdicts computed from this machine's cached measurements by the rules in data/claims.yaml."],
        anchor="start"))


def claims_table(params: dict) -> None:
    rows = ch5.ledger(params)
    show_chart(verdict_chart(rows), live=params["live_widgets"])
    if not params["live_widgets"]:
        shown = ch5.filter_claims(rows, params["claims_chapter"], params["claims_verdict"])
        show_html(table_html(ch5.claim_rows(shown), cell_classes=VERDICT_COLUMN, caption=(
            f"{len(shown)} of {len(rows)} claims (chapter filter {params['claims_chapter'] or 'all'}, "
            f"verdict filter {params['claims_verdict']}).")))
        return
    chapter = W.Dropdown(options=[("all", 0)] + [(f"chapter {n}", n) for n in range(1, 6)],
                         value=params["claims_chapter"], description="Chapter")
    verdict = W.Dropdown(options=list(ch5.VERDICT_CHOICES), value=params["claims_verdict"], description="Verdict")
    search = W.Text(placeholder="words in the claim…", description="Search")
    table = W.HTML()

    def refresh(_=None) -> None:
        shown = ch5.filter_claims(rows, chapter.value, verdict.value, search.value)
        table.value = table_html(ch5.claim_rows(shown), cell_classes=VERDICT_COLUMN,
                                 caption=f"{len(shown)} of {len(rows)} claims")

    for control in (chapter, verdict, search):
        control.observe(refresh, names="value")
    refresh()
    from IPython.display import display

    display(W.VBox([W.HBox([chapter, verdict, search]), table]))


def reported_results(params: dict) -> None:
    rows = ch5.reported_results(ch5.ledger(params))
    show_html(table_html(rows, caption="Reported by the source document for one company's systems: quoted, "
                                       "not measured here and not predictions for your team."))


def _download_link(markdown: str, name: str) -> str:
    data = base64.b64encode(markdown.encode()).decode()
    return (f'<a download="{html.escape(name)}" href="data:text/markdown;base64,{data}">'
            f"Download the decision record ({html.escape(name)})</a>")


def decision_record(params: dict) -> None:
    name = f"adr-{params['profile_name']}.md"
    text = ch5.decision_record(params)
    preview = f"<pre style='white-space: pre-wrap; max-height: 480px; overflow: auto'>{html.escape(text)}</pre>"
    if not params["live_widgets"]:
        show_html(f"<p>{_download_link(text, name)} · also written beside this report as <code>adr.md</code>.</p>" + preview)
        return
    state: dict[str, Any] = dict(params)
    status = W.Dropdown(options=list(ch5.PARAMS["adr_status"].choices), value=params["adr_status"], description="Status")
    makers = W.Text(value=params["decision_makers"], description="Deciders")
    consulted = W.Text(value=params["consulted"], description="Consulted")
    informed = W.Text(value=params["informed"], description="Informed")
    out = W.HTML(f"<p>{_download_link(text, name)}</p>" + preview)

    def refresh(_=None) -> None:
        state.update(adr_status=status.value, decision_makers=makers.value, consulted=consulted.value,
                     informed=informed.value)
        new = ch5.decision_record(state)
        out.value = f"<p>{_download_link(new, name)}</p><pre style='white-space: pre-wrap; max-height: 480px; " \
                    f"overflow: auto'>{html.escape(new)}</pre>"

    for control in (status, makers, consulted, informed):
        control.observe(refresh, names="value")
    from IPython.display import display

    display(W.VBox([W.HBox([status, makers]), W.HBox([consulted, informed]), out]))
