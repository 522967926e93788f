"""Live panels built from the parameter declarations (widgets/controls.py), chapters 2–4.

Every registered panel answers at both ends of every control with valid charts; controls offer exactly what the
declarations allow and show the value the model gets; costly panels compute the newest state only; chapter 3's
push panel updates in place and shows a bad combination instead of failing.
"""

from __future__ import annotations

import re
import threading
import time

import pytest

from gohandbook import ch2, ch3
from gohandbook.params import Param, ParameterError, ParamSet
from widgets import controls


def _panels():
    return {(p.chapter, p.name): p for p in controls.registered()}


def test_every_chapter_registers_its_live_panels():
    panels = _panels()
    assert {(2, "units"), (2, "build"), (2, "gc"), (2, "reconcile"), (3, "push_model"), (3, "knee"),
            (4, "migration"), (4, "canary_model")} <= set(panels)
    for panel in panels.values():
        assert panel.controls and all(name in panel.params for name in panel.controls)


@pytest.mark.slow
def test_every_control_answers_at_both_ends_with_valid_charts():
    """What benchmarks/live_controls.py times, checked for correctness: each end gives views whose charts pass
    Altair's schema validation (the live path skips it for speed), or one clear ParameterError line."""
    for panel in controls.registered():
        defaults = panel.params.validate({"live_widgets": True})
        offered = panel.offered(defaults)
        for name in panel.controls:
            ends = controls.extremes(panel.params[name], defaults[name], offered.get(name))
            for end in ends or ():
                try:
                    views = panel.evaluate(dict(defaults, **{name: end}))
                except ParameterError as exc:
                    assert "\n" not in str(exc), (panel.name, name, end)
                    continue
                for view in views.values():
                    if controls.is_chart(view):
                        view.to_dict(validate=True)
                    else:
                        assert isinstance(view, str) and view


def test_controls_offer_what_the_declarations_allow():
    for panel in controls.registered():
        defaults = panel.params.validate({"live_widgets": True})
        offered = panel.offered(defaults)
        for name in panel.controls:
            p = panel.params[name]
            control = controls.make_control(p, defaults[name], offered.get(name), panel.labels.get(name))
            assert control.value == defaults[name], (panel.name, name)
            if hasattr(control, "min") and p.kind in ("int", "float"):          # slider or bounded box
                assert (control.min, control.max) == (p.min, p.max), (panel.name, name)
            if type(control).__name__ == "SelectionSlider":
                values = [v for _, v in control.options]
                assert all(p.min <= v <= p.max for v in values), (panel.name, name)
                if name not in offered:                                     # log scale: both ends reachable
                    assert values[0] == p.min and values[-1] == p.max, (panel.name, name)


def test_the_drifted_ranges_now_follow_the_declarations():
    workers = controls.make_control(ch2.PARAMS["reconcile_workers"], 1)
    assert [v for _, v in workers.options][-1] == 1000                     # was a slider stopping at 64
    sync = controls.make_control(ch2.PARAMS["reconcile_sync_period_h"], 10.0)
    assert max(v for _, v in sync.options) == 240                          # the log slider went past 240 h


def test_log_controls_show_rounded_values_and_titles_say_the_same():
    p = ch2.PARAMS["reconcile_requeue_s"]
    control = controls.make_control(p, 30.0)
    labels = [label for label, _ in control.options]
    assert "30" in labels and "50" in labels and "86,400" in labels
    assert all(len(label.replace(",", "").replace(".", "")) <= 5 for label in labels)  # no 31.6228
    control.value = 50.0
    views = _panels()[(2, "reconcile")].evaluate(dict(ch2.PARAMS.validate({}), reconcile_requeue_s=control.value))
    assert "Polling every 50 s" in views["load"].to_dict()["title"]["text"]
    assert "Yours: RequeueAfter 50 s" in re.sub(r"<wbr>", "", views["table"])


def test_a_control_that_starts_at_its_maximum_can_move():
    p = ch2.PARAMS["ch2_units_max"]
    assert p.default == p.max
    control = controls.make_control(p, p.default)
    values = [v for _, v in control.options]
    assert control.value == values[-1] == p.max
    control.value = values[-2]
    assert control.value == values[-2] < p.max
    box = controls.make_control(Param("x", "int", 5000, "", min=1, max=5000, step=1), 5000)
    box.value = 4999
    assert box.value == 4999


def _slow_panel(delay: float, log: list) -> controls.Panel:
    params = ParamSet("test", (Param("x", "int", 0, "", min=0, max=100, step=1),
                               Param("live_widgets", "bool", True, "")))

    def compute(state):
        log.append(("start", state["x"], threading.current_thread().name))
        time.sleep(delay)
        return {"text": f"<p>x = {state['x']}</p>"}

    return controls.Panel(99, "slow", params, (("", ("x",)),), compute, costly=True)


def test_a_costly_panel_is_busy_while_computing_and_only_the_newest_value_is_applied(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    log: list = []
    panel = _slow_panel(0.2, log)
    controls.show(panel, {"x": 0, "live_widgets": True})
    live = controls.SHOWN[(99, "slow")]
    log.clear()
    for x in range(1, 11):                        # ten quick moves while the first one computes
        live.controls["x"].value = x
    assert controls.BUSY_TEXT in live.status.value
    live.settle()
    assert live.views["text"].value == "<p>x = 10</p>" and live.status.value == ""
    computed = [x for kind, x, _ in log if kind == "start"]
    assert computed[-1] == 10 and len(computed) <= 3                # no queue of stale recomputations
    assert all(name == "gohandbook-panel" for _, _, name in log)   # off the page's (kernel's) thread


@pytest.fixture
def push_panel(monkeypatch):
    from widgets import ch3 as ui

    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    assert ui.push_model_panel(ch3.PARAMS.validate({"live_widgets": True})) is None
    return controls.SHOWN[(3, "push_model")]


def test_moving_a_slider_updates_headline_and_charts(push_panel):
    before_text, before_spec = push_panel.views["headline"].value, push_panel.views["timeline"].chart.to_dict()
    push_panel.controls["cp_proxies"].value = 5000
    push_panel.settle()
    assert push_panel.views["headline"].value != before_text and "5,000 proxies" in push_panel.views["headline"].value
    assert push_panel.views["timeline"].chart.to_dict() != before_spec


def test_an_impossible_combination_shows_the_error_instead_of_failing(push_panel):
    push_panel.controls["cp_debounce_max_s"].value = 0.01
    push_panel.controls["cp_debounce_after_ms"].value = 1000
    push_panel.settle()
    assert "DEBOUNCE_MAX must be at least DEBOUNCE_AFTER" in push_panel.status.value


def test_controls_that_cannot_change_anything_are_disabled_with_the_reason(push_panel):
    assert push_panel.controls["cp_throttle_value"].disabled                  # throttle "auto" ignores it
    assert "custom and rate" in push_panel.note.value
    push_panel.controls["cp_throttle"].value = "custom"
    assert not push_panel.controls["cp_throttle_value"].disabled and push_panel.controls["cp_gomaxprocs"].disabled
