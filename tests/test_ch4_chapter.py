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
    ({"mig_friction_extra": "typing=9"}, "mig_friction_extra = 'typing=9' is not allowed"),
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
    import altair as alt

    assert not any(isinstance(o, alt.JupyterChart) for o in shown)   # report mode: no live chart widget
    charts = [o for o in shown if "<svg" in (getattr(o, "data", "") or "")]
    assert len(charts) >= 5          # fan, ramp, cost, canary sweep, canary measured (+ chaos when measured)


def _live(monkeypatch, section, name, **overrides):
    from widgets import controls

    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    assert section(defaults(live_widgets=True, **overrides)) is None   # shown once by display(), not as the value
    return controls.SHOWN[(4, name)]


def test_live_fan_chart_responds_to_controls(monkeypatch):
    from widgets import ch4 as ui

    live = _live(monkeypatch, ui.migration_panel, "migration", mig_runs=200)
    summary, fan = live.views["summary"], live.views["fan"]
    before_text, before_spec = summary.value, fan.chart.to_dict()
    live.controls["mig_friction_concurrency"].value = 1.0
    live.settle()
    assert summary.value != before_text
    assert fan.chart.to_dict() != before_spec
    live.controls["mig_friction_extra"].value = "oops"
    live.settle()
    assert "mig_friction_extra" in live.status.value            # the error is shown, the panel keeps working
    live.controls["mig_friction_extra"].value = "generics=2"
    live.settle()
    assert "mig_friction_extra" not in live.status.value


def test_shares_are_shown_normalised_and_disabled_while_they_cannot_matter(monkeypatch):
    from widgets import ch4 as ui

    live = _live(monkeypatch, ui.migration_panel, "migration", mig_runs=200)
    shares = [live.controls[n] for n in ("mig_share_java", "mig_share_python", "mig_share_node")]
    # the seed's friction is the same for every language: the mix cannot change anything
    assert all(c.disabled for c in shares) and "same friction ratings" in live.note.value
    live.controls["mig_friction_extra"].value = "static_typing=5@python+node"
    live.settle()
    assert not any(c.disabled for c in shares)
    shares[0].value, shares[1].value, shares[2].value = 65.0, 40.0, 20.0
    live.settle()
    assert "add up to 125 %" in live.note.value and "Java 52 %" in live.note.value
    r65, _ = ch4.migrate(defaults(mig_runs=200, mig_share_java=65, mig_friction_extra="static_typing=5@python+node"))
    r52, _ = ch4.migrate(defaults(mig_runs=200, mig_share_java=52, mig_share_python=32, mig_share_node=16,
                                  mig_friction_extra="static_typing=5@python+node"))
    assert r65.language_counts == r52.language_counts and r65.dip_cost == r52.dip_cost   # normalised, as said
    live.controls["mig_friction_elasticity_pct"].value = 0.0
    assert live.controls["mig_friction_concurrency"].disabled and all(c.disabled for c in shares)


def test_the_live_page_bounds_the_runs_and_says_so_while_the_report_runs_them_all(monkeypatch):
    from widgets import controls

    state = defaults(team_size=60, mig_horizon_months=60, mig_runs=5000)
    runs = ch4.live_runs(state)
    assert 100 <= runs < 5000 and runs % 100 == 0
    views = controls.REGISTRY[(4, "migration")].evaluate(dict(state, live_widgets=True))
    assert f"the first {runs:,} of the 5,000 runs" in views["summary"]
    assert f"{runs:,} seeded runs" in " ".join(views["fan"].to_dict()["title"]["subtitle"])
    report = controls.REGISTRY[(4, "migration")].evaluate(dict(defaults(mig_runs=300), live_widgets=False))
    assert "first" not in report["summary"] and "300 seeded runs" in " ".join(report["fan"].to_dict()["title"]["subtitle"])
    # the live runs are the report's first runs: a preview of the same simulation, not another one
    small = dict(defaults(), mig_runs=ch4.live_runs(defaults()))
    assert ch4.live_runs(defaults()) == defaults()["mig_runs"]
    assert ch4.migrate(small)[0].dip_cost == ch4.migrate(defaults())[0].dip_cost


def test_live_canary_panel_responds_to_controls(monkeypatch):
    from widgets import ch4 as ui

    live = _live(monkeypatch, ui.canary_model_panel, "canary_model")
    text = live.views["text"]
    before = text.value
    assert live.controls["canary_custom_steps"].disabled               # only the custom plan uses it
    live.controls["canary_plan"].value = "flagger_step10"
    assert text.value != before and "Flagger-style" in text.value
    live.controls["canary_plan"].value = "custom"
    assert not live.controls["canary_custom_steps"].disabled
    live.controls["canary_custom_steps"].value = "9,3"
    assert "above the previous" in live.status.value


def test_every_measured_section_says_when_its_result_is_not_current(monkeypatch):
    from gohandbook import measure
    from widgets import ch4 as ui, render

    real = measure.lookup
    sections = {ui.loopvar_section: "loopvar", ui.canary_measured_section: "canary_router",
                ui.security_section: "static_analysis", ui.fuzz_section: "fuzz_parser",
                ui.sbom_section: "supply_chain", ui.chaos_section: "chaos_faults"}
    params = defaults(live_widgets=False)
    for section, name in sections.items():
        found = real(name, ch4.CHAPTER.preset(params))
        if not found.ok:
            pytest.skip(f"{name} has no result in this cache")
        monkeypatch.setattr(measure, "lookup", lambda n, preset="quick", *a, _name=name, _r=found.result, **k: (
            measure.Lookup(_r, "stale", "the sample changed") if n == _name else real(n, preset, *a, **k)))
        shown = []
        monkeypatch.setattr(render, "display", shown.append)
        section(params)
        banners = [o.data for o in shown if "Showing an older result" in (getattr(o, "data", "") or "")]
        assert len(banners) == 1 and "the sample changed" in banners[0], name


def test_findings_in_chart_titles_are_computed_from_the_results():
    """Issue 15: a chart title states what the results say, not a fixed finding."""
    from widgets import ch4 as ui, charts_ch4 as charts

    def run(model_p, state, model_bad=4.0, bad=5):
        return {"label": "plan", "run": 1, "model_bad": model_bad, "measured_bad": bad, "model_p_rollback": model_p,
                "measured_state": state}

    agree = charts.canary_measured_chart([run(0.9, "rolled_back"), run(0.1, "promoted")], "p").to_dict()["title"]["text"]
    disagree = charts.canary_measured_chart([run(0.9, "promoted"), run(0.1, "promoted")], "p").to_dict()["title"]["text"]
    assert "2 of 2 runs" in agree and "1 of 2 runs" in disagree and "8.0 expected, 10 measured" in agree
    s = {"faults": ["latency", "kill"], "latency": {"during_vs_before_qps_pct": 40.0, "recovered": True},
         "kill": {"during_vs_before_qps_pct": 80.0, "recovered": False}}
    assert ui.chaos_title(s, "en") == "1 of 2 faults recovered once cleared; latency hurt throughput most (40 % of before)"
    assert ui.chaos_title(s, "zh").startswith("2 个故障中有 1 个在清除后恢复；延迟")


def test_fixed_prose_lives_in_the_chapters_markdown_not_in_the_widgets():
    import inspect

    import nbformat

    from gohandbook import paths
    from widgets import ch4 as ui

    source = inspect.getsource(ui)
    markdown = {lang: " ".join(c.source for c in nbformat.read(folder / "04-risks-and-rollout.ipynb", as_version=4).cells
                               if c.cell_type == "markdown")
                for lang, folder in (("en", paths.notebooks_dir()), ("zh", paths.notebooks_dir() / "zh"))}
    for english, chinese in (("says nothing about Node.js", "没有提到 Node.js"), ("cascades need a cluster", "级联故障需要集群"),
                             ("third-party `bodyclose` linter", "`bodyclose` linter"),
                             ("captures a function parameter, not a loop variable", "捕获的是函数参数而不是循环变量")):
        assert english in markdown["en"] and chinese in markdown["zh"]
        assert english.strip("`") not in source and chinese not in source
    assert "standard library only, so it lists just its own module" not in source   # counted from the result now
