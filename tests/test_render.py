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
