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
from gohandbook.i18n import N_, _

from .render import STYLE, show_html, table_html


def show_links(markup: str) -> None:
    """HTML with links to other pages, as an ipywidgets.HTML: JupyterLab's output renderer (which
    Voila uses) opens output links in a new tab, or not at all for notebooks; a widget's links
    navigate like any link on the page."""
    import ipywidgets as W
    from IPython.display import display

    display(W.HTML(STYLE + markup))


def default_params(lang: str = "en") -> dict[str, Any]:
    return ch1.PARAMS.validate({"lang": lang})


def chapter_href(chapter: Chapter, lang: str = "en") -> str:
    """A link from the landing page in `lang` (notebooks/ or notebooks/zh/) to the chapter: its own
    language's notebook where one exists, else the English one."""
    if lang == "en":
        return chapter.notebook
    return chapter.notebook if chapter.path_for(lang) != chapter.path else f"../{chapter.notebook}"


def recommendation_section(lang: str = "en") -> None:
    """Chapter 1's weighted matrix for the default profile (a model, computed: no measurement)."""
    from .render import recommendation_html

    params = default_params(lang)
    result = ch1.decide(params)
    first = chapter_href(ch1.CHAPTER, lang)
    show_links(recommendation_html(params, result) + '<p class="gh-prov">' + _(
        "Computed by chapter 1's decision matrix from the default answers for the workload “{workload}”. "
        "Move the answers and weights in {chapter_1} to see how robust it is for your team.", lang).format(
        workload=html.escape(params["workload_kind"] if lang == "en" else _(params["workload_kind"].replace("_", " "), lang)),
        chapter_1=f'<a href="{first}">' + _("chapter 1", lang) + "</a>")
        + "</p>")


def chapter_blurb(chapter: Chapter, limit: int = 320, lang: str = "en") -> str:
    """The first paragraph of the chapter notebook's first markdown cell (after its heading), in `lang`
    where the chapter has been translated."""
    try:
        nb = nbformat.read(chapter.path_for(lang), as_version=4)
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


STATUS_WORDS = {"current": N_("measured here"), "stale": N_("stale"), "reference": N_("reference results"),
                "missing": N_("not measured")}


def measurement_summary(chapter: Chapter, lang: str = "en") -> str:
    if not chapter.measurements:
        return _("computed and quoted figures only", lang)
    statuses = [measure.lookup(name, "quick").status for name in chapter.measurements]
    counts = {s: statuses.count(s) for s in ("current", "stale", "reference", "missing") if statuses.count(s)}
    return (_("{n} measurements: ", lang).format(n=len(statuses))
            + _(", ", lang).join(f"{n} {_(STATUS_WORDS[s], lang)}" for s, n in counts.items()))


def chapters_section(lang: str = "en") -> None:
    items = []
    for chapter in chapters():
        if not chapter.path.exists():
            continue
        blurb = chapter_blurb(chapter, lang=lang)
        heading = _("Chapter {n}: {title}", lang).format(n=chapter.number, title=html.escape(_(chapter.title, lang)))
        items.append(
            f'<li class="gh-chapter" style="margin-bottom:10px">'
            f'<a href="{html.escape(chapter_href(chapter, lang))}"><b>{heading}</b></a>'
            f'<br><span>{html.escape(blurb)}</span>'
            f'<br><span class="gh-prov">{html.escape(measurement_summary(chapter, lang))}</span></li>')
    if not items:
        show_html("<p><em>" + _("No chapter notebooks found.", lang) + "</em></p>")
        return
    show_links('<ol class="gh-chapters" style="list-style:none;padding-left:0">' + "".join(items) + "</ol>")


def measurement_rows(lang: str = "en") -> list[dict[str, Any]]:
    """Every measurement, its status on this server and where its figure comes from."""
    rows = []
    for m in measure.all_measurements():
        found = measure.lookup(m.name, "quick")
        source = found.provenance(lang) or found.reason_in(lang)
        if found.status == "reference":
            source = found.reason_in(lang)
        rows.append({_("Chapter", lang): m.chapter, _("Measurement", lang): _(m.title, lang), _("Name", lang): m.name,
                     _("Status", lang): _(found.status, lang), _("Source", lang): source})
    return rows


def measurements_table(lang: str = "en") -> None:
    show_html(table_html(measurement_rows(lang), caption=_(
        "current: measured on this machine with this toolchain and these samples; stale: an older result, with the "
        "reason; reference: recorded by the handbook on another machine and shipped in data/reference-results; "
        "missing: not measured here yet.", lang)))


def measure_section(lang: str = "en") -> None:
    """The 'measure on this server' buttons (nothing runs until one is clicked)."""
    from . import measure_button

    measure_button.show(lang=lang)
