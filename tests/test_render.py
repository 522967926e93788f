"""The report-mode chart path: SVG text, rendered once per distinct spec."""
import altair as alt

from gohandbook.cache import Memo
from widgets import render


def _chart(n: int) -> alt.Chart:
    return alt.Chart(alt.Data(values=[{"x": i, "y": i * n} for i in range(5)])).mark_line().encode(x="x:Q", y="y:Q")


def test_identical_specs_render_once_and_different_ones_again(monkeypatch):
    calls = []
    real = render.vlc.vegalite_to_svg
    monkeypatch.setattr(render.vlc, "vegalite_to_svg", lambda spec, **k: calls.append(spec) or real(spec, **k))
    monkeypatch.setattr(render, "_SVG_MEMO", Memo(256))
    first = render.svg(_chart(2))
    assert first.lstrip().startswith("<svg") and render.svg(_chart(2)) == first and len(calls) == 1
    assert render.svg(_chart(3)) != first and len(calls) == 2


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(render.vlc, "vegalite_to_svg", lambda spec, **k: "<svg/>")
    monkeypatch.setattr(render, "_SVG_MEMO", Memo(3))
    for n in range(10):
        render.svg(_chart(n))
    assert len(render._SVG_MEMO) == 3


def test_table_cells_are_escaped_and_verdicts_marked():
    rows = [{"Claim": "<b>x</b>", "Verdict": "holds"}, {"Claim": "y", "Verdict": "outdated"},
            {"Claim": "z", "Verdict": "cited"}]
    markup = render.table_html(rows, cell_classes={"Verdict": render.VERDICT_CLASSES})
    assert "&lt;b&gt;x&lt;/b&gt;" in markup and "<b>x</b>" not in markup
    assert '<td class="gh-verdict-holds">holds</td>' in markup and '<td class="gh-verdict-outdated">outdated</td>' in markup
    assert "<td>cited</td>" in markup


# ------------------------------------------------------------------ downloads, widths, cut text, print

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from widgets import charts  # noqa: E402

RUNTIMES = ("Go (net/http)", "Java (JDK HttpServer)", "Node.js (node:http)", "Python (ASGI on uvicorn)",
            "Python (http.server, threads)")
LONG_PROVENANCE = ("Measured on Intel(R) Xeon(R) Processor (2 cores, 23.5 GiB, Linux Debian GNU/Linux 12 (bookworm)), "
                   "go1.26.8, 2026-12-01 14:54 UTC, preset quick, result 054bfd7a")


def _runtime_chart():
    rows = [{"runtime": name, "key": "go" if i == 0 else f"k{i}", "metric": metric, "median": 10.0 ** (i % 3) * (j + 2),
             "min": 10.0 ** (i % 3) * (j + 1), "max": 10.0 ** (i % 3) * (j + 3)}
            for i, name in enumerate(RUNTIMES) for j, (metric, _) in enumerate(charts.PANELS)]
    return charts.runtime_comparison(rows, current="k3", title="Go vs Python (http.server, threads): a finding",
                                     provenance=LONG_PROVENANCE)


def _svg_width(svg_text: str) -> float:
    import re

    return float(re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg_text).group(1))


def test_live_charts_offer_png_and_svg_downloads_and_nothing_online():
    widget = render.chart_widget(_runtime_chart())
    actions = widget.embed_options["actions"]
    assert actions["export"] is True and actions["editor"] is False  # the editor is an outside site
    assert widget.embed_options["downloadFileName"] == "gohandbook-go-vs-python-http-server-threads-a-finding"


def test_long_titles_wrap_to_the_width_budget_live_and_on_update():
    widget = render.chart_widget(_runtime_chart())
    subtitle = widget.spec["title"]["subtitle"]
    assert len(subtitle) == 3 and all(len(line) <= charts.SUBTITLE_CHARS for line in subtitle)
    assert " ".join(subtitle[1:]) == LONG_PROVENANCE  # wrapped, not cut
    widget.chart = _chart(2).properties(title=alt.TitleParams("t", subtitle=["word " * 60]))
    assert len(widget.spec["title"]["subtitle"]) == 3  # every update is wrapped too
    assert charts.wrap_line("在同一台机器上测量", 8) == ["在同一台", "机器上测", "量"]  # Chinese counts double


def test_report_svgs_name_the_font_the_browser_draws_with():
    assert 'font-family="DejaVu Sans, Noto Sans CJK SC, sans-serif"' in render.svg(_chart(7)).replace("&quot;", "")


def test_the_runtime_grid_fits_the_width_budget():
    assert _svg_width(render.svg(_runtime_chart())) <= charts.MAX_WIDTH


def test_tables_wrap_instead_of_running_off():
    assert "max-width: 100%" in render.STYLE
    cell = render.table_html([{"Setting": "GOMEMLIMIT=100MiB,GOGC=off <b>"}])
    assert "100MiB,<wbr>GOGC=<wbr>off &lt;b&gt;" in cell  # long words may wrap; text stays escaped
    assert "GOMEMLIMIT=100MiB,GOGC=off &lt;b&gt;" in cell.replace("<wbr>", "")
    assert render.breakable("EnqueueRequestForObject") == "Enqueue<wbr>Request<wbr>For<wbr>Object"
    assert "gh-wide" in render.table_html([{str(i): i for i in range(render.WIDE_COLUMNS)}]) and "gh-wide" not in cell


# A claims-like table whose cells hold words that have no break opportunity (identifiers, settings, paths).
WIDE_ROWS = [{"Claim": f"ch5_claim_{i}_with_a_long_identifier", "§": "5.1", "Source text": "Go的goroutine可轻松支撑万级并发连接",
              "Paraphrase": "Goroutines easily support reconcile_changes_per_hour connections.",
              "Kind": "measured", "Verdict": "holds", "Measured here": "GOMEMLIMIT=100MiB,GOGC=off",
              "Why / scope": "`gohandbook measure goroutine_memory_quick_reference`",
              "Source": "go.dev/doc/faq#history_and_the_very_long_anchor_name"} for i in range(6)]


def layout_problems(page, area_selector: str = ".jp-OutputArea-output") -> list[str]:
    """Charts or tables wider than their output area, and SVG text drawn outside its SVG (cut off)."""
    return page.evaluate("""(sel) => {
      const out = [];
      for (const el of document.querySelectorAll('svg, table')) {
        if (el.closest('svg') !== el && el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')) continue;
        const area = (el.closest(sel) || document.body).getBoundingClientRect(), r = el.getBoundingClientRect();
        if (r.right > area.right + 1) out.push(`${el.tagName} ${Math.round(r.width)} px wide in a ${Math.round(area.width)} px area`);
        if (el.tagName.toLowerCase() !== 'svg') continue;
        for (const t of el.querySelectorAll('text')) {
          const b = t.getBoundingClientRect();
          if (b.width && (b.left < r.left - 1 || b.right > r.right + 1)) out.push(`text cut off: ${t.textContent}`);
        }
      }
      return out; }""", area_selector)


def _report_page(tmp_path: Path) -> Path:
    import nbformat

    from gohandbook import report

    nb = nbformat.v4.new_notebook()
    html_out = render.STYLE + render.table_html(WIDE_ROWS, caption="claims") + \
        f'<figure class="gh-chart" style="margin:0">{render.svg(_runtime_chart())}</figure>'
    nb.cells = [nbformat.v4.new_markdown_cell("# Chapter\n\n## First section"),
                nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", {"text/html": html_out})]),
                nbformat.v4.new_markdown_cell("## Second section")]
    path = tmp_path / "page.html"
    body, _ = report.html_exporter().from_notebook_node(nb, resources={"gh_profile": "t", "gh_status": "ok"})
    path.write_text(body, encoding="utf-8")
    return path


def _browser(p):
    from benchmarks import pagestate

    return pagestate.launch(p.chromium)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian chromium is not installed")
def test_report_page_fits_1280_px_and_a4_paper_without_cut_text(tmp_path):
    pw = pytest.importorskip("playwright.sync_api")
    page_file = _report_page(tmp_path)
    with pw.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(page_file.as_uri())
            assert layout_problems(page) == []
            page.set_viewport_size({"width": 1000, "height": 900})  # about JupyterLab's 968 px output area
            assert layout_problems(page) == []
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 720, "height": 1000})  # A4 less the print margins, in CSS px
            assert layout_problems(page) == []
            breaks = page.evaluate("() => [...document.querySelectorAll('h2')].map(h => getComputedStyle(h).breakBefore)")
            assert breaks == ["auto", "page"]  # a section right under the chapter title stays with it
        finally:
            browser.close()


def test_site_kernels_skip_chart_validation_on_first_render_and_lab_keeps_it(monkeypatch):
    """The site's first render skips Altair's schema validation (tests and nbval validate the same builders);
    JupyterLab and nbval, without the site's environment, still validate every chart they show."""
    import altair as alt

    from gohandbook import site
    from widgets import render
    from widgets.charts import inline

    assert site.voila_env(site.SiteOptions(port=1, preheat=False))[render.SKIP_VALIDATION_ENV] == "1"
    bad = alt.Chart(inline([{"x": 1}])).mark_point().encode(x="x:Q")
    bad.width = "wide"   # not a size: the schema refuses it
    monkeypatch.delenv(render.SKIP_VALIDATION_ENV, raising=False)
    with pytest.raises(Exception):
        render.chart_widget(bad)
    monkeypatch.setenv(render.SKIP_VALIDATION_ENV, "1")
    assert render.chart_widget(bad).chart is bad
