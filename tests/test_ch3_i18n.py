"""Chapter 3 in Chinese: every chart, table, control and message it shows reads as Chinese; the figures, data keys
and decisions are the same as in English; findings in titles follow the results."""

from __future__ import annotations

import re

import pytest

from gohandbook import ch3
from gohandbook.params import ParameterError
from widgets import ch3 as ui
from widgets import controls, render

from .test_i18n import CJK, english_ui_strings, visible_text

# Configuration names are identifiers, not English: they stay as istiod spells them.
IDENTIFIERS = re.compile(r"\b(PILOT|DEBOUNCE)_[A-Z_]+\b|/_MAX")


def _english(text: str) -> list[str]:
    return english_ui_strings(IDENTIFIERS.sub("", text))


def _chart_texts(spec, out: list[str]) -> list[str]:
    """Every title, subtitle, axis or legend title and nominal domain in a Vega-Lite spec, and shown labels."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title":
                if isinstance(value, dict):
                    for part in ("text", "subtitle"):
                        text = value.get(part, "")
                        out.append(text if isinstance(text, str) else " ".join(text))
                elif isinstance(value, (str, list)):
                    out.append(value if isinstance(value, str) else " ".join(map(str, value)))
            elif key == "domain" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                out.append(" ".join(value))
            elif key == "datasets":
                for rows in value.values():
                    out += [row[k] for row in rows for k in ("label", "variant", "metric_label") if k in row]
            else:
                _chart_texts(value, out)
    elif isinstance(spec, list):
        for item in spec:
            _chart_texts(item, out)
    return out


@pytest.fixture
def shown(monkeypatch):
    """What the chapter's sections display (HTML and charts), collected instead of displayed."""
    out = {"html": [], "charts": []}
    monkeypatch.setattr(ui, "show_html", out["html"].append)
    monkeypatch.setattr(render, "display", lambda obj: out["html"].append(getattr(obj, "data", str(obj))))
    monkeypatch.setattr(ui, "show_chart", lambda chart, live=True: out["charts"].append(chart))
    monkeypatch.setattr(controls, "show_html", out["html"].append)
    monkeypatch.setattr(controls, "show_chart", lambda chart, live=True: out["charts"].append(chart))
    return out


SECTIONS = ("adoption_section", "facts_section", "defaults_section", "push_model_panel", "simulation_section",
            "knee_section", "gc_section", "seed_table_section", "claims_section")


def _page(shown, lang: str, **over) -> tuple[list[str], list[str]]:
    params = ch3.PARAMS.validate({"lang": lang, "live_widgets": False, **over})
    for name in SECTIONS:
        getattr(ui, name)(params)
    for variant in ({"cp_throttle": "rate"}, {"cp_throttle": "custom", "cp_debounce": False}):
        for view in ui.PUSH_PANEL.evaluate(dict(params, **variant)).values():
            (shown["charts"] if controls.is_chart(view) else shown["html"]).append(view)
    chart_texts = [t for chart in shown["charts"] for t in _chart_texts(chart.to_dict(), [])]
    html_texts = [visible_text(h.split("</style>")[-1]) for h in shown["html"]]
    return chart_texts, html_texts


def test_every_chart_and_table_reads_as_chinese(shown):
    charts, tables = _page(shown, "zh")
    assert len(shown["charts"]) >= 8 and len(charts) > 60
    assert _english("\n".join(charts)) == []
    assert _english("\n".join(tables)) == []
    # chart titles, axis titles and legends are Chinese: a text with an English word has Chinese around it
    assert [t for t in charts if re.search(r"\b[a-z]{3,}\b", t) and not CJK.search(t)] == []
    assert "PILOT_PUSH_THROTTLE" in charts                              # a configuration name stays as it is


def test_english_pages_are_unchanged_and_have_no_chinese(shown):
    charts, tables = _page(shown, "en")
    assert not any(CJK.search(t) for t in charts)
    assert any(t.startswith("1,000 proxies: every proxy has the last change") for t in charts)
    assert any("Longest wait of any change (usually the first of a storm)" in t for t in tables)


def test_controls_are_worded_in_the_pages_language(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    monkeypatch.setattr(controls, "show_html", lambda markup: None)
    params = ch3.PARAMS.validate({"lang": "zh", "live_widgets": True})
    controls.show(ui.PUSH_PANEL, params)
    live = controls.SHOWN[(3, "push_model")]
    live.settle()
    throttle = live.controls["cp_throttle"]
    assert [v for _, v in throttle.options] == list(ch3.THROTTLES)       # values stay the keys
    assert all(CJK.search(label) for label, _ in throttle.options)
    for name, control in live.controls.items():
        assert CJK.search(control.description) or name in ("cp_debounce_after_ms", "cp_debounce_max_s"), name
        assert CJK.search(control.tooltip), name
    headings = [w.value for box in live.box.children for w in getattr(box, "children", ()) if hasattr(w, "value")
                and isinstance(w.value, str) and w.value.startswith("<b>")]
    assert headings and all(CJK.search(h) for h in headings)
    assert CJK.search(live.note.value) and "custom" in live.note.value      # why the throttle value is disabled
    throttle.value = "custom"
    live.settle()
    assert not live.controls["cp_throttle_value"].disabled and live.controls["cp_gomaxprocs"].disabled
    assert "GOMAXPROCS" in live.note.value and CJK.search(live.note.value)
    assert "个代理" in live.views["headline"].value


def test_same_figures_and_data_keys_in_both_languages():
    en, zh = ch3.PARAMS.validate({}), ch3.PARAMS.validate({"lang": "zh"})
    assert ch3.key_figures(en) == ch3.key_figures(zh)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "label"} for r in rows]  # noqa: E731
    assert strip(ch3.sweep_proxies(en)) == strip(ch3.sweep_proxies(zh))
    assert {r["setting"] for r in ch3.sweep_proxies(zh)} == {"auto", "legacy_100", "rate"}
    assert strip(ch3.sweep_rate(en)) == strip(ch3.sweep_rate(zh))
    r = ch3.model_result(en)
    assert [list(row.values())[1] for row in ch3.model_rows(r, "en")][:5] == \
           [list(row.values())[1] for row in ch3.model_rows(r, "zh")][:5]
    found = ch3.CHAPTER.lookup(en, "proxy_knee")
    if found.ok:
        assert [(g["metric"], g["value"]) for g in ch3.gc_rows(found, "en")] == \
               [(g["metric"], g["value"]) for g in ch3.gc_rows(found, "zh")]


def test_parameter_errors_in_the_pages_language():
    bad = {"cp_debounce_after_ms": 5000, "cp_debounce_max_s": 1}
    with pytest.raises(ParameterError, match="DEBOUNCE_MAX 必须不小于 DEBOUNCE_AFTER") as zh:
        ch3.model_result(ch3.PARAMS.validate({**bad, "lang": "zh"}))
    assert "cp_debounce_max_s" in str(zh.value)
    from gohandbook.i18n import use
    from gohandbook.models import control_plane as cp

    inp = ch3.model_input(ch3.PARAMS.validate({"cp_debounce": False}))
    with pytest.raises(ParameterError, match="simulated pushes"):      # the model's own limit, in English …
        cp.simulate(inp, max_pushes=100)
    with use("zh"), pytest.raises(ParameterError, match="模拟推送"):    # … and in the language of the page
        cp.simulate(inp, max_pushes=100)


def _knee_lookup(ratio_bytes: float, ratio_objects: float):
    """A proxy_knee result whose pooled/fresh ratios are given (the rest from the shipped or cached result)."""
    import copy

    found = copy.deepcopy(ch3.CHAPTER.lookup(ch3.PARAMS.validate({}), "proxy_knee"))
    if not found.ok:
        pytest.skip("no proxy_knee result (neither cached nor reference)")
    s = found.result["summary"]
    s["pooled_vs_fresh_alloc_bytes_ratio"] = ratio_bytes
    s["pooled"]["alloc_objects_per_req"] = s["fresh"]["alloc_objects_per_req"] * ratio_objects
    return found


def test_gc_findings_follow_the_results():
    title, more = ch3.gc_headline(_knee_lookup(0.2, 1.0))
    assert "allocated bytes per request -80 %" in title and "stay about the same" in more[0]
    title, more = ch3.gc_headline(_knee_lookup(1.3, 0.5))
    assert "allocated bytes per request +30 %" in title and "stay about the same" not in more[0]
    zh_title, _more = ch3.gc_headline(_knee_lookup(0.2, 1.0), "zh")
    assert CJK.search(zh_title) and "-80 %" in zh_title
