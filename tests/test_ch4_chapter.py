"""Chapter 4's glue and interactive layer: parameters, clear errors, live panels that update in place,
report mode that renders static charts."""

from __future__ import annotations

import pytest

from gohandbook import ch4, measure
from gohandbook.params import ParameterError


def defaults(**overrides):
    return ch4.PARAMS.validate(overrides)


def test_parameters_do_not_clash_with_other_chapters():
    from gohandbook.chapters import COMMON, chapters

    mine = set(ch4.PARAMS.by_name) - set(COMMON.by_name)
    for chapter in chapters():
        if chapter.number not in (4, 5):  # chapter 5 summarises all chapters and takes every parameter
            assert not mine & (set(chapter.params.by_name) - set(COMMON.by_name)), chapter.number


@pytest.mark.parametrize("overrides, message", [
    ({"mig_friction_extra": "typing=9"}, "mig_friction_extra: friction entry 'typing=9'"),
    ({"mig_friction_extra": "typing=3@cobol"}, "unknown language 'cobol'"),
    ({"mig_share_java": 0, "mig_share_python": 0, "mig_share_node": 0}, "at least one share must be > 0"),
])
def test_bad_migration_parameters_raise_clear_errors(overrides, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ch4.migrate(defaults(**overrides))


def test_bad_canary_parameters_raise_clear_errors():
    with pytest.raises(ParameterError, match="canary_custom_steps"):
        ch4.plan_steps(defaults(canary_plan="custom", canary_custom_steps="50,5"))
    with pytest.raises(ParameterError, match="canary_interval_s = 1.0 is out of range"):
        defaults(canary_interval_s=1)
    with pytest.raises(ParameterError, match="canary_plan = 'yolo' is not allowed"):
        defaults(canary_plan="yolo")


def test_migration_without_chapter1_results_says_why():
    missing = measure.Lookup(None, "missing", "quick_validation has not been measured on this machine yet")
    r, why = ch4.migrate(defaults(), qv=missing)
    assert r.inp.savings is None and r.breakeven_months is None and "not been measured" in why
    rows = ch4.migration_rows(r)
    assert [row["Output"] for row in rows][:2] == ["Lowest team velocity (% of today)", "Cost of the dip (engineer-months)"]


def test_parameters_change_the_model():
    base, _ = ch4.migrate(defaults())
    harder, _ = ch4.migrate(defaults(mig_friction_extra="static_typing=5@python+node"))
    assert harder.dip_cost[0.5] > base.dip_cost[0.5]
    assert harder.friction_by_language["python"] > harder.friction_by_language["java"]
    plans = {row["key"]: row for row in ch4.canary_plan_rows(defaults(canary_plan="custom", canary_custom_steps="5,50,100"))}
    assert plans["custom"]["_bad"] == plans["seed"]["_bad"] and "(selected)" in plans["custom"]["Plan"]
    # a tiny first step is not automatically safer: at 1 % a 5 %-failing version can pass its first check
    # (60 requests) and then meet 100 % of the traffic
    tiny = {row["key"]: row for row in ch4.canary_plan_rows(defaults(canary_plan="custom", canary_custom_steps="1,100"))}
    assert tiny["custom"]["_bad"] > plans["seed"]["_bad"]


def test_report_mode_sections_render_without_widgets(monkeypatch):
    from widgets import ch4 as ui, render

    shown = []
    monkeypatch.setattr(render, "display", shown.append)
    params = defaults(live_widgets=False)
    for section in (ui.friction_section, ui.migration_panel, ui.loopvar_section, ui.canary_model_panel,
                    ui.canary_measured_section, ui.security_section, ui.fuzz_section, ui.sbom_section,
                    ui.chaos_section, ui.claims_section):
        assert section(params) is None
    kinds = [type(o).__name__ for o in shown]
    assert "JupyterChart" not in kinds
    charts = [o for o in shown if "<svg" in (getattr(o, "data", "") or "")]
    assert len(charts) >= 5          # fan, ramp, cost, canary sweep, canary measured (+ chaos when measured)


def _find(box, cls_name, description):
    stack = [box]
    while stack:
        node = stack.pop()
        if type(node).__name__ == cls_name and getattr(node, "description", None) == description:
            return node
        stack.extend(getattr(node, "children", ()))
    raise LookupError(f"{cls_name} {description}")


def _charts(box):
    out, stack = [], [box]
    while stack:
        node = stack.pop(0)
        if type(node).__name__ == "JupyterChart":
            out.append(node)
        stack.extend(getattr(node, "children", ()))
    return out


def test_live_fan_chart_responds_to_controls():
    from widgets import ch4 as ui

    assert ui.migration_panel(defaults(live_widgets=True, mig_runs=200)) is None
    panel = ui.PANELS["migration"]
    summary = panel.children[1]
    fan = _charts(panel)[0]
    before_text, before_spec = summary.value, fan.chart.to_dict()
    _find(panel, "FloatSlider", "Friction: concurrency").value = 1.0
    assert summary.value != before_text
    assert fan.chart.to_dict() != before_spec
    _find(panel, "Text", "More friction dimensions").value = "oops"
    assert "mig_friction_extra" in summary.value     # the error is shown, the panel keeps working
    _find(panel, "Text", "More friction dimensions").value = "generics=2"
    assert "mig_friction_extra" not in summary.value


def test_live_canary_panel_responds_to_controls():
    from widgets import ch4 as ui

    assert ui.canary_model_panel(defaults(live_widgets=True)) is None
    panel = ui.PANELS["canary_model"]
    text = panel.children[1]
    before = text.value
    _find(panel, "Dropdown", "Plan").value = "flagger_step10"
    assert text.value != before and "Flagger-style" in text.value
    _find(panel, "Dropdown", "Plan").value = "custom"
    _find(panel, "Text", "Custom steps (%)").value = "9,3"
    assert "above the previous" in text.value


def test_every_measured_section_says_when_its_result_is_not_current(monkeypatch):
    from gohandbook import measure
    from widgets import ch4 as ui, render

    real = ch4.lookup
    sections = {ui.loopvar_section: "loopvar", ui.canary_measured_section: "canary_router",
                ui.security_section: "static_analysis", ui.fuzz_section: "fuzz_parser",
                ui.sbom_section: "supply_chain", ui.chaos_section: "chaos_faults"}
    params = defaults(live_widgets=False)
    for section, name in sections.items():
        found = real(params, name)
        if not found.ok:
            pytest.skip(f"{name} has no result in this cache")
        monkeypatch.setattr(ch4, "lookup", lambda p, n, _r=found.result: measure.Lookup(_r, "stale", "the sample changed"))
        shown = []
        monkeypatch.setattr(render, "display", shown.append)
        section(params)
        banners = [o.data for o in shown if "Showing an older result" in (getattr(o, "data", "") or "")]
        assert len(banners) == 1 and "the sample changed" in banners[0], name
