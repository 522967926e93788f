"""Show charts and tables the same way live (JupyterLab, Voila) and in headless reports.

Live: Altair's JupyterChart with its JavaScript served from the installed package
(`enable_offline`), updated in place by setting `.chart`. Report: the chart rendered to
SVG by vl-convert, so the HTML needs no JavaScript and fetches nothing.
Never an `ipywidgets.Output`: receiving content in one hangs headless runs.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any, Iterable, Sequence

import altair as alt
import vl_convert as vlc
from IPython.display import HTML, display

from gohandbook.cache import Memo

_offline_ready = False
# vl-convert names versions "major.minor"; Altair's schema is e.g. "v6.4.1".
_VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def enable_offline() -> None:
    global _offline_ready
    if not _offline_ready:
        alt.JupyterChart.enable_offline()
        _offline_ready = True


_SVG_MEMO = Memo(256)


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG text. Rendering costs ~0.15 s a chart; a batch renders the same measured
    charts for every profile in one kernel, so identical specs are rendered once.
    No schema validation here: it costs as much again, and the live path (which nbval runs for
    every notebook) validates the same chart builders."""
    spec = chart.to_dict(validate=False)
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    return _SVG_MEMO.get(key, lambda: vlc.vegalite_to_svg(spec, vl_version=_VL_VERSION))


def chart_widget(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    enable_offline()
    return alt.JupyterChart(chart, embed_options={"renderer": "svg", "actions": False})


def show_chart(chart: alt.TopLevelMixin, live: bool):
    """Display a chart; returns the live widget (to update later) or None in report mode."""
    if live:
        widget = chart_widget(chart)
        display(widget)
        return widget
    # Inline SVG inside HTML (not an <img>): chart text stays real text in the report's DOM.
    display(HTML(f'<figure class="gh-chart" style="margin:0">{svg(chart)}</figure>'))
    return None


# Verdict cells stand out, in the colours of chapter 5's verdict chart.
VERDICT_CLASSES = {"holds": "gh-verdict-holds", "partly holds": "gh-verdict-partly", "does not hold": "gh-verdict-not",
                   "outdated": "gh-verdict-outdated"}


def table_html(rows: Sequence[dict[str, Any]], columns: Iterable[str] | None = None, *, caption: str = "",
               classes: str = "gh-table", cell_classes: dict[str, dict[str, str]] | None = None) -> str:
    """An HTML table (cells escaped); `cell_classes` maps a column to {cell value: CSS class}."""
    if not rows:
        return f"<p><em>{html.escape(caption or 'nothing to show')}</em></p>"
    columns = list(columns or rows[0].keys())
    cell_classes = cell_classes or {}

    def td(column: str, value: Any) -> str:
        css = cell_classes.get(column, {}).get(value) if isinstance(value, str) else None
        return f'<td class="{css}">' if css else "<td>"

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"{td(c, row.get(c, ''))}{_cell(row.get(c, ''))}</td>" for c in columns) + "</tr>"
        for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="{classes}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return html.escape(str(value))


STYLE = """<style>
.gh-table {border-collapse: collapse; font-size: 13px; margin: 0.5em 0 1em 0}
.gh-table caption {caption-side: bottom; text-align: left; color: #555; font-size: 12px; padding-top: 4px}
.gh-table th, .gh-table td, .jp-RenderedHTMLCommon .gh-table th, .jp-RenderedHTMLCommon .gh-table td
  {border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top}
.gh-table th {background: #f3f3f3}
.gh-verdict-holds {color: #2f855a; font-weight: 600}
.gh-verdict-partly {color: #b7791f; font-weight: 600}
.gh-verdict-not {color: #c53030; font-weight: 600}
.gh-verdict-outdated {color: #6b46c1; font-weight: 600}
.gh-callout {border-left: 4px solid #2b6cb0; background: #f1f6fb; padding: 8px 12px; margin: 8px 0}
.gh-warn {border-left: 4px solid #b7791f; background: #fdf7ec; padding: 8px 12px; margin: 8px 0}
.gh-prov {color: #555; font-size: 12px}
</style>"""


def show_html(markup: str) -> None:
    display(HTML(STYLE + markup))


def result_banner(found) -> str:
    """A visible label for anything but a current result measured on this machine ('' when current)."""
    if found.status == "current":
        return ""
    if found.status == "missing":
        return f'<div class="gh-warn">Not measured: {html.escape(found.reason)}</div>'
    label = {"stale": "Showing an older result", "reference": "Showing a reference result, not measured here"}
    return f'<div class="gh-warn"><b>{label.get(found.status, found.status)}</b>: {html.escape(found.reason)}</div>'


def warn(text: str) -> str:
    return f'<div class="gh-warn">{html.escape(text)}</div>'


def shown_summary(found) -> dict | None:
    """A measurement's summary to show, after its banner when it is not current on this machine;
    None, after showing why, when there is no result to show."""
    banner = result_banner(found)
    if banner:
        show_html(banner)
    return found.result["summary"] if found.ok else None


CLAIMS_CAPTION = "Verdicts are computed from this machine's cached measurements by the rules in data/claims.yaml."


def show_claims(verdicts, caption: str = CLAIMS_CAPTION) -> None:
    """A chapter's claims of the source document with their verdicts (gohandbook.claims.table_rows)."""
    from gohandbook.claims import table_rows

    show_html(table_html(table_rows(verdicts), caption=caption, cell_classes={"Verdict": VERDICT_CLASSES}))
