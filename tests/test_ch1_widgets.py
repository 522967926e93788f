"""Chapter 1's live panels, built from the parameter declarations (widgets/controls.py): the decision matrix and
the current stack. Moving a control recomputes the recommendation and both charts once; choosing a workload moves
the answers to its starting values; the current-stack control is a registered control."""

from __future__ import annotations

import json

import pytest

from gohandbook import ch1
from widgets import ch1 as ui, controls


@pytest.fixture
def shown(monkeypatch):
    from widgets import render

    out = []
    monkeypatch.setattr(render, "display", lambda *a, **k: None)
    monkeypatch.setattr("IPython.display.display", out.append)
    return out


def test_both_panels_are_registered_from_the_declarations():
    panels = {(p.chapter, p.name): p for p in controls.registered()}
    decision, peers = panels[(1, "decision")], panels[(1, "peers")]
    assert set(decision.controls) == {"workload_kind", "adopt_threshold", *ch1.ANSWER_NAMES, *ch1.WEIGHT_NAMES}
    assert peers.controls == ("current_stack",)
    for name in decision.controls:   # the live declarations are chapter 1's (only an answer's default differs)
        live, declared = decision.params[name], ch1.PARAMS[name]
        assert (live.kind, live.min, live.max, live.step, live.choices) == \
            (declared.kind, declared.min, declared.max, declared.step, declared.choices)
    default_workload = ch1.WORKLOAD_PRESETS[ch1.PARAMS["workload_kind"].default]
    assert {n: decision.params[n].default for n in ch1.ANSWER_NAMES} == \
        {f"answer_{k}": v for k, v in default_workload.items()}


def test_moving_a_weight_recomputes_the_recommendation_and_both_charts(shown):
    params = ch1.PARAMS.validate({"workload_kind": "web_services", "live_widgets": True})
    ui.decision_panel(params)
    live = controls.SHOWN[(1, "decision")]
    assert live.box in shown and live.controls["answer_high_concurrency"].value == 2
    before = {name: live.views[name].chart.to_dict() for name in ("contributions", "sensitivity")}
    recommendation = live.views["recommendation"].value
    live.controls["weight_compute_ai"].value = 0.0       # the strongest constraint no longer counts
    expected = ch1.decide({**params, **ch1.effective_answers(params), "weight_compute_ai": 0.0})
    assert live.views["recommendation"].value != recommendation
    assert f"{expected.score:+.2f}" in str(live.views["contributions"].chart.to_dict()["title"])
    assert live.views["contributions"].chart.to_dict()["title"] != before["contributions"]["title"]
    after = live.views["sensitivity"].chart.to_dict()                # the weight's marker moved from 8 to 0
    assert after != before["sensitivity"] and '"weight": 0.0' in json.dumps(after)


def test_choosing_a_workload_moves_the_answers_and_computes_once(shown, monkeypatch):
    params = ch1.PARAMS.validate({"workload_kind": "web_services", "answer_compute_ai": 3, "live_widgets": True})
    ui.decision_panel(params)
    live = controls.SHOWN[(1, "decision")]
    assert live.controls["answer_compute_ai"].value == 3          # the profile's answer, not the workload's
    calls = []
    real = ch1.decide
    monkeypatch.setattr(ch1, "decide", lambda state: calls.append(dict(state)) or real(state))
    live.controls["workload_kind"].value = "data_science"
    start = ch1.WORKLOAD_PRESETS["data_science"]
    assert {k: live.controls[f"answer_{k}"].value for k in start} == start
    assert len(calls) == 1 and all(calls[0][f"answer_{k}"] == v for k, v in start.items())
    assert "Do not choose Go" in live.views["recommendation"].value
    live.controls["answer_compute_ai"].value = 0                  # an answer can still be moved afterwards
    assert calls[-1]["answer_compute_ai"] == 0 and calls[-1]["workload_kind"] == "data_science"


def test_report_mode_shows_the_same_views_without_controls(shown):
    from widgets import render

    out = []
    render.display = out.append
    params = ch1.PARAMS.validate({"live_widgets": False, "workload_kind": "infrastructure"})
    assert ui.decision_panel(params) is None
    html = " ".join(getattr(o, "data", "") for o in out)
    assert "Choose Go for this workload" in html and html.count("<svg") == 2 and not shown


def test_every_planted_problem_description_is_marked_for_translation():
    from pathlib import Path

    planted = json.loads((Path(__file__).resolve().parents[1] / "go-samples" / "vetcheck" / "PLANTED.json").read_text())
    assert {p["description"] for p in planted} <= set(ch1.PLANTED_DESCRIPTIONS)
