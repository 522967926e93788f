"""The landing page (notebooks/00-index.ipynb): the recommendation for the default profile,
the chapters with links, and what has been measured on this server.

Everything here reads the cache or evaluates models; nothing measures on page load. Links are
relative (`01-....ipynb`), so they work in Voila (`/voila/render/...`, also on mybinder) and in
JupyterLab alike.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nbformat

from gohandbook import ch1, measure
from gohandbook.chapters import Chapter, chapters

from .render import STYLE, show_html, table_html


def show_links(markup: str) -> None:
    """HTML with links to other pages, as an ipywidgets.HTML: JupyterLab's output renderer (which
    Voila uses) opens output links in a new tab, or not at all for notebooks; a widget's links
    navigate like any link on the page."""
    import ipywidgets as W
    from IPython.display import display

    display(W.HTML(STYLE + markup))


def default_params() -> dict[str, Any]:
    return ch1.PARAMS.validate({})


def recommendation_section() -> None:
    """Chapter 1's weighted matrix for the default profile (a model, computed: no measurement)."""
    from .ch1 import recommendation_html

    params = default_params()
    result = ch1.decide(params)
    first = ch1.CHAPTER.notebook
    show_links(recommendation_html(params, result)
               + f'<p class="gh-prov">Computed by chapter 1\'s decision matrix from the default answers for the '
                 f'workload “{html.escape(params["workload_kind"])}”. Move the answers and weights in '
                 f'<a href="{first}">chapter 1</a> to see how robust it is for your team.</p>')


def chapter_blurb(chapter: Chapter, limit: int = 320) -> str:
    """The first paragraph of the chapter notebook's first markdown cell (after its heading)."""
    try:
        nb = nbformat.read(chapter.path, as_version=4)
    except (OSError, ValueError):
        return ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", cell.source)]
        for p in paragraphs:
            if p and not p.startswith("#") and not (p.startswith("*") and p.endswith("*") and "\n" not in p):
                text = re.sub(r"\s+", " ", re.sub(r"[*_`]", "", p))
                return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
        break
    return ""


def measurement_summary(chapter: Chapter) -> str:
    if not chapter.measurements:
        return "computed and quoted figures only"
    statuses = [measure.lookup(name, "quick").status for name in chapter.measurements]
    counts = {s: statuses.count(s) for s in ("current", "stale", "reference", "missing") if statuses.count(s)}
    words = {"current": "measured here", "stale": "stale", "reference": "reference results", "missing": "not measured"}
    return f"{len(statuses)} measurements: " + ", ".join(f"{n} {words[s]}" for s, n in counts.items())


def chapters_section() -> None:
    items = []
    for chapter in chapters():
        if not chapter.path.exists():
            continue
        blurb = chapter_blurb(chapter)
        items.append(
            f'<li class="gh-chapter" style="margin-bottom:10px">'
            f'<a href="{html.escape(chapter.notebook)}"><b>Chapter {chapter.number}: {html.escape(chapter.title)}</b></a>'
            f'<br><span>{html.escape(blurb)}</span>'
            f'<br><span class="gh-prov">{html.escape(measurement_summary(chapter))}</span></li>')
    if not items:
        show_html("<p><em>No chapter notebooks found.</em></p>")
        return
    show_links('<ol class="gh-chapters" style="list-style:none;padding-left:0">' + "".join(items) + "</ol>")


def measurement_rows() -> list[dict[str, Any]]:
    """Every measurement, its status on this server and where its figure comes from."""
    rows = []
    for m in measure.all_measurements():
        found = measure.lookup(m.name, "quick")
        source = measure.provenance_line(found.result) if found.ok else found.reason
        if found.status == "reference":
            source = found.reason
        rows.append({"Chapter": m.chapter, "Measurement": m.title, "Name": m.name, "Status": found.status,
                     "Source": source})
    return rows


def measurements_table() -> None:
    show_html(table_html(measurement_rows(), caption=(
        "current: measured on this machine with this toolchain and these samples; stale: an older result, with the "
        "reason; reference: recorded by the handbook on another machine and shipped in data/reference-results; "
        "missing: not measured here yet.")))


def measure_section() -> None:
    """The 'measure on this server' buttons (nothing runs until one is clicked)."""
    from . import measure_button

    measure_button.show()
