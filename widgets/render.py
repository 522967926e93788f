"""Show charts and tables the same way live (JupyterLab, Voila) and in headless reports.

Live: Altair's JupyterChart with its JavaScript served from the installed package
(`enable_offline`), updated in place by setting `.chart`. Report: the chart rendered to
SVG by vl-convert, so the HTML needs no JavaScript and fetches nothing.
Never an `ipywidgets.Output`: receiving content in one hangs headless runs.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
from typing import Any, Iterable, Sequence

import altair as alt
import traitlets
import vl_convert as vlc
from IPython.display import HTML, display

from gohandbook.cache import Memo
from gohandbook.i18n import N_, _
from widgets.charts import fit_title

_offline_ready = False
# vl-convert names versions "major.minor"; Altair's schema is e.g. "v6.4.1".
_VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def enable_offline() -> None:
    global _offline_ready
    if not _offline_ready:
        alt.JupyterChart.enable_offline()
        _offline_ready = True


_SVG_MEMO = Memo(256)
# vl-convert lays text out with the first of these it finds, and the browser draws the SVG with the same one:
# with a bare "sans-serif" they differ (vl-convert measures narrower than Debian's DejaVu Sans) and axis
# labels and legends get cut off at the edge of the SVG.
REPORT_FONT = "DejaVu Sans, Noto Sans CJK SC, sans-serif"
SVG_PADDING = {"left": 12, "top": 5, "right": 40, "bottom": 5}


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG text. Rendering costs ~0.15 s a chart; a batch renders the same measured
    charts for every profile in one kernel, so identical specs are rendered once.
    No schema validation here: it costs as much again, and the live path (which nbval runs for
    every notebook) validates the same chart builders."""
    spec = fit_title(chart).to_dict(validate=False)
    spec.setdefault("config", {}).setdefault("font", REPORT_FONT)
    # Room at the sides: the browser draws mixed Chinese/Latin text a few pixels wider than vl-convert measures it
    # when it sizes the SVG, which cut the last characters of the widest line.
    spec.setdefault("padding", SVG_PADDING)
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    return _SVG_MEMO.get(key, lambda: vlc.vegalite_to_svg(spec, vl_version=_VL_VERSION))


# The "…" menu offers PNG and SVG downloads, drawn in the browser (nothing fetched); no source view and no
# "open in Vega Editor" (an outside site).
CHART_ACTIONS = {"export": True, "source": False, "compiled": False, "editor": False}


def download_name(chart: alt.TopLevelMixin) -> str:
    """A file name for a chart's PNG/SVG download, from its title (the finding)."""
    title = getattr(chart, "title", None)
    text = getattr(title, "text", title)
    text = " ".join(text) if isinstance(text, (list, tuple)) else text
    slug = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-").lower()[:60] if isinstance(text, str) else ""
    return f"gohandbook-{slug}" if slug else "gohandbook-chart"


class FittedChart(alt.JupyterChart):
    """A JupyterChart whose chart, the first and every update (`widget.chart = new`), has its title and
    subtitle wrapped to the width budget (widgets.charts.MAX_WIDTH)."""

    @traitlets.validate("chart")
    def _fit(self, proposal):
        value = proposal["value"]
        return fit_title(value) if value is not None else value


def unvalidated(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with its spec made without Altair's JSON-schema validation, which is about a third of a live
    update's time. The charts are still validated: in JupyterLab and nbval when a page first shows them, and in
    the tests, which evaluate every registered panel at both ends of every control (tests/test_ch3_widgets.py)."""
    # SchemaBase stores attributes as spec properties: put the override in the instance's own __dict__.
    object.__setattr__(chart, "to_dict", functools.partial(type(chart).to_dict, chart, validate=False))
    return chart

# Set by the site for its kernels (gohandbook/site.py): a site page shows charts that the tests and nbval have
# validated from the same builders, and validating again cost ~0.25 s a chart on the first render.
SKIP_VALIDATION_ENV = "GOHANDBOOK_SITE_UNVALIDATED_CHARTS"


def chart_widget(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    enable_offline()
    if os.environ.get(SKIP_VALIDATION_ENV):
        chart = unvalidated(chart)
    return FittedChart(chart, embed_options={"renderer": "svg", "actions": CHART_ACTIONS,
                                                  "downloadFileName": download_name(chart)})


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


def verdict_classes(lang: str | None = None) -> dict[str, str]:
    """VERDICT_CLASSES keyed by the verdict names shown in `lang` (成立 … in Chinese)."""
    from gohandbook.claims import verdict_name

    return {verdict_name(k, lang): css for k, css in VERDICT_CLASSES.items()}


WIDE_COLUMNS = 8  # a table with this many columns gets smaller type and padding (class gh-wide) to fit 968 px


EMPTY_TABLE = N_("nothing to show")


def table_html(rows: Sequence[dict[str, Any]], columns: Iterable[str] | None = None, *, caption: str = "",
               classes: str = "gh-table", cell_classes: dict[str, dict[str, str]] | None = None,
               lang: str | None = None) -> str:
    """An HTML table (cells escaped); `cell_classes` maps a column to {cell value: CSS class}. Headers and caption
    come as the caller words them (in the page's language); `lang` only words the empty table's note."""
    if not rows:
        return f"<p><em>{html.escape(caption or _(EMPTY_TABLE, lang))}</em></p>"
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
    wide = " gh-wide" if len(columns) >= WIDE_COLUMNS else ""
    return f'<table class="{classes}{wide}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return breakable(str(value))


_LONG_WORD = re.compile(r"(\S{11,})")
_AFTER_PUNCTUATION = re.compile(r"(?<=[/_=,.:;&?#+)-])")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _pieces(word: str) -> list[str]:
    """Where a long word may wrap: after punctuation, between camelCase parts, else every 10 characters."""
    out = []
    for piece in _AFTER_PUNCTUATION.split(word):
        for part in (_CAMEL.split(piece) if len(piece) > 10 else [piece]):
            out += [part[i:i + 10] for i in range(0, len(part), 10)] or [""]
    return out


def breakable(text: str) -> str:
    """Escaped text whose long words (identifiers, paths, settings, hashes) may wrap, so a table column
    narrows to fit the page instead of pushing the table wider."""
    return "".join("<wbr>".join(html.escape(p) for p in _pieces(part)) if _LONG_WORD.fullmatch(part)
                   else html.escape(part) for part in _LONG_WORD.split(text))


STYLE = """<style>
.gh-table, .jp-RenderedHTMLCommon table.gh-table {border-collapse: collapse; font-size: 13px; margin: 0.5em 0 1em 0;
  max-width: 100%; table-layout: auto}
.gh-table caption {caption-side: bottom; text-align: left; color: #555; font-size: 12px; padding-top: 4px}
.gh-table th, .gh-table td, .jp-RenderedHTMLCommon .gh-table th, .jp-RenderedHTMLCommon .gh-table td
  {border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top}
.gh-table th {background: #f3f3f3}
.gh-table td {overflow-wrap: break-word}
.gh-table.gh-wide, .jp-RenderedHTMLCommon table.gh-table.gh-wide {font-size: 11px}
.gh-table.gh-wide th, .gh-table.gh-wide td, .jp-RenderedHTMLCommon .gh-table.gh-wide th,
  .jp-RenderedHTMLCommon .gh-table.gh-wide td {padding: 2px 4px}
.gh-verdict-holds {color: #2f855a; font-weight: 600}
.gh-verdict-partly {color: #b7791f; font-weight: 600}
.gh-verdict-not {color: #c53030; font-weight: 600}
.gh-verdict-outdated {color: #6b46c1; font-weight: 600}
.gh-callout {border-left: 4px solid #2b6cb0; background: #f1f6fb; padding: 8px 12px; margin: 8px 0}
.gh-warn {border-left: 4px solid #b7791f; background: #fdf7ec; padding: 8px 12px; margin: 8px 0}
.gh-prov {color: #555; font-size: 12px}
:lang(zh) .gh-table th, :lang(zh) .gh-verdict-holds, :lang(zh) .gh-verdict-partly, :lang(zh) .gh-verdict-not,
:lang(zh) .gh-verdict-outdated {white-space: nowrap}
</style>"""


def show_html(markup: str) -> None:
    display(HTML(STYLE + markup))


# The one wording of a result's status (issue 15: every page, banner and button uses these). Banners name what
# a section shows; the short names label a status in a cell, a list or the measure buttons.
RESULT_STATUS_LABELS = {"stale": N_("Showing an older result"),
                        "reference": N_("Showing a reference result, not measured here"),
                        "missing": N_("Not measured")}
RESULT_STATUS_NAMES = {"current": N_("measured on this server"), "stale": N_("older result (stale)"),
                       "reference": N_("reference result, not measured here"), "missing": N_("not measured yet")}
NOT_CURRENT_NOTE = N_("Some figures below are not from a current measurement on this machine: {names}. "
                      "Each section above says why.")
NOT_CURRENT_ITEM = N_("{name} ({status})")


def _lang_of(found, lang: str | None) -> str | None:
    """The language to word a result's status in: the caller's, else the page's that read it (Chapter.lookup)."""
    return lang or getattr(found, "lang", None)


def status_label(status: str, lang: str | None = None) -> str:
    """The banner words for a result's status ("Showing an older result", …) in `lang`."""
    return _(RESULT_STATUS_LABELS[status], lang) if status in RESULT_STATUS_LABELS else status


def status_name(status: str, lang: str | None = None) -> str:
    """The short name of a result's status ("older result (stale)", …) in `lang`."""
    return _(RESULT_STATUS_NAMES[status], lang) if status in RESULT_STATUS_NAMES else status


def result_banner(found, lang: str | None = None) -> str:
    """The banner markup for anything but a current result measured on this machine ('' when current)."""
    if found.status == "current":
        return ""
    lang = _lang_of(found, lang)
    reason = found.reason_in(lang) if hasattr(found, "reason_in") else found.reason
    colon = _(": ", lang)
    return f'<div class="gh-warn"><b>{html.escape(status_label(found.status, lang))}</b>{colon}{html.escape(reason)}</div>'


def not_current_note(found, lang: str | None = None) -> str:
    """For a summary drawn from several measurements: one line naming those whose result is not current here."""
    found = list(found)
    lang = lang or next((f.lang for f in found if getattr(f, "lang", None)), None)
    names = [_(NOT_CURRENT_ITEM, lang).format(name=f.result["name"], status=status_name(f.status, lang))
             for f in found if f.ok and f.status != "current"]
    return warn(_(NOT_CURRENT_NOTE, lang).format(names=_("; ", lang).join(names))) if names else ""


def recommendation_html(params: dict, result) -> str:
    """The decision matrix's recommendation and its main reasons, in the page's language (chapters 1 and 5, the
    landing page)."""
    from gohandbook import ch1

    lang = params.get("lang", "en")
    css = {"adopt": "gh-callout", "validate": "gh-warn", "hold": "gh-warn"}[result.recommendation]
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in ch1.reason_lines(result, lang))
    head = _("Recommendation for “{profile}”: {text}", lang).format(
        profile=html.escape(params["profile_name"]), text=html.escape(ch1.recommendation_text(result, lang)))
    score = _("(score {score}, threshold ±{threshold})", lang).format(
        score=f"{result.score:+.2f}", threshold=f"{params['adopt_threshold']:g}")
    main = _("Main reasons:", lang)
    return f'<div class="{css}"><b>{head}</b> {score}<br>{main}<ul>{reasons}</ul></div>'


def warn(text: str) -> str:
    return f'<div class="gh-warn">{html.escape(text)}</div>'


def shown_summary(found, lang: str | None = None) -> dict | None:
    """The one way a section starts on a cached measurement (a `measure.Lookup`): shows the status banner when
    the result is not current on this machine, and returns its summary, or None when there is nothing to show.
    The banner is worded in `lang`, else in the language of the page that read it (`CHAPTER.lookup(params, …)`)."""
    banner = result_banner(found, lang)
    if banner:
        show_html(banner)
    return found.result["summary"] if found.ok else None


CLAIMS_CAPTION = N_("Verdicts are computed from this machine's cached measurements by the rules in data/claims.yaml.")


def show_claims(verdicts, caption: str | None = None, lang: str | None = None) -> None:
    """A chapter's claims of the source document with their verdicts (gohandbook.claims.table_rows), words in
    `lang` (default: the current language); `caption` as the caller words it, else CLAIMS_CAPTION in `lang`."""
    from gohandbook.claims import TABLE_HEADERS, table_rows

    caption = _(CLAIMS_CAPTION, lang) if caption is None else caption
    rows = table_rows(verdicts, lang=lang)
    verdict_column = _(TABLE_HEADERS["verdict"], lang)
    show_html(table_html(rows, caption=caption, cell_classes={verdict_column: verdict_classes(lang)}, lang=lang))
