"""Chapter 3's live panel: moving a control re-runs the model and replaces the charts in place."""

from __future__ import annotations

import pytest

from gohandbook import ch3


@pytest.fixture
def panel():
    from widgets import ch3 as ui

    params = ch3.PARAMS.validate({"live_widgets": True})
    assert ui.push_model_panel(params) is None        # shown once by display(), not again as the cell's value
    return ui.PANELS["push_model"]


def _find(box, cls_name, description=None):
    for child in box.children:
        if type(child).__name__ == cls_name and (description is None or child.description == description):
            return child
    raise LookupError(f"{cls_name} {description}")


def test_moving_a_slider_updates_headline_and_charts(panel):
    headline = panel.children[12]
    charts = [c for c in panel.children if type(c).__name__ == "JupyterChart"]
    assert len(charts) == 3
    before_text, before_spec = headline.value, charts[0].chart.to_dict()
    _find(panel, "FloatLogSlider", "Proxies").value = 5000
    assert headline.value != before_text and "5,000 proxies" in headline.value
    assert charts[0].chart.to_dict() != before_spec


def test_an_impossible_combination_shows_the_error_instead_of_failing(panel):
    headline = panel.children[12]
    _find(panel, "FloatLogSlider", "DEBOUNCE_MAX (s)").value = 0.01
    _find(panel, "FloatLogSlider", "DEBOUNCE_AFTER (ms)").value = 1000
    assert "DEBOUNCE_MAX must be at least DEBOUNCE_AFTER" in headline.value
