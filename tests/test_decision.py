import random

import pytest

from gohandbook import ch1
from gohandbook.ch1 import PARAMS as CH1
from gohandbook.params import ParameterError
from gohandbook.models.decision import (CRITERIA, CRITERION_KEYS, MatrixInput, classify, evaluate, score,
                                        validation_gates)


def make(answers, weights, threshold=0.2):
    return MatrixInput(dict(zip(CRITERION_KEYS, answers)), dict(zip(CRITERION_KEYS, weights)), threshold)


def test_score_by_hand():
    # fits: 4,2,0 with weights 5,5,0; constraints: 0,4,0 with weights 0,5,0 -> (5*1 + 5*0.5 - 5*1) / 15
    inp = make([4, 2, 0, 0, 4, 0], [5, 5, 0, 0, 5, 0])
    assert score(inp) == pytest.approx((5 + 2.5 - 5) / 15)


def test_extremes_and_zero_weights():
    assert score(make([4, 4, 4, 0, 0, 0], [10] * 6)) == pytest.approx(0.5)
    assert score(make([4, 4, 4, 0, 0, 0], [10, 10, 10, 0, 0, 0])) == pytest.approx(1.0)
    assert score(make([0, 0, 0, 4, 4, 4], [0, 0, 0, 1, 1, 1])) == pytest.approx(-1.0)
    assert score(make([4] * 6, [0] * 6)) == 0.0


def test_contributions_add_up_to_the_score():
    inp = make([3, 1, 2, 4, 0, 1], [6, 4, 4, 8, 5, 5])
    res = evaluate(inp)
    assert sum(c.points for c in res.contributions) == pytest.approx(res.score)
    assert res.recommendation == classify(res.score, 0.2)


def test_invalid_inputs_are_rejected():
    with pytest.raises(ParameterError, match="answer for high_concurrency = 5 is out of range"):
        make([5, 0, 0, 0, 0, 0], [1] * 6)
    with pytest.raises(ParameterError, match="weight for ops_tooling = 11 is out of range"):
        make([0] * 6, [1, 11, 1, 1, 1, 1])


@pytest.mark.parametrize("seed", range(200))
def test_sensitivity_flip_points_really_flip(seed):
    rng = random.Random(seed)
    inp = make([rng.randint(0, 4) for _ in CRITERIA], [rng.choice([0, 0.5, 2, 5, 7.5, 10]) for _ in CRITERIA],
               rng.choice([0.1, 0.2, 0.3]))
    res = evaluate(inp)
    for flip in res.flips:
        def rec_at(w):
            weights = dict(inp.weights, **{flip.key: w})
            return classify(score(MatrixInput(inp.answers, weights, inp.threshold)), inp.threshold)
        grid = [i / 20 for i in range(201)]  # 0 … 10 in steps of 0.05
        changes = [w for w in grid if rec_at(w) != res.recommendation]
        if flip.flip_weight is None:
            assert not changes, f"{flip.key}: model says no flip, but weight {changes[:1]} flips"
        else:
            assert 0 <= flip.flip_weight <= 10
            past = flip.flip_weight + (1e-4 if flip.delta > 0 else -1e-4)
            assert rec_at(min(max(past, 0), 10)) == flip.to != res.recommendation
            # and it is the nearest: nothing between the current weight and the flip point flips
            lo, hi = sorted((flip.weight, flip.flip_weight))
            assert all(rec_at(w) == res.recommendation for w in grid if lo + 1e-3 < w < hi - 1e-3)


def test_workload_sets_starting_answers_and_overrides_win():
    params = CH1.validate({"workload_kind": "data_science"})
    assert ch1.answers(params)["compute_ai"] == 4
    params = CH1.validate({"workload_kind": "data_science", "answer_compute_ai": 1})
    assert ch1.answers(params)["compute_ai"] == 1


def test_workload_changes_the_recommendation():
    infra = ch1.decide(CH1.validate({"workload_kind": "infrastructure"}))
    science = ch1.decide(CH1.validate({"workload_kind": "data_science"}))
    assert infra.score > science.score
    assert infra.recommendation == "adopt" and science.recommendation == "hold"


def _rt(qps, rss, art, start):
    return {"available": True, "qps": {"median": qps}, "rss_load_mib": {"median": rss}, "artifact_mib": art,
            "startup_ms": {"median": start}}


def test_validation_gates():
    runtimes = {"go": _rt(20000, 10, 8, 10), "java": _rt(7000, 160, 250, 300)}
    gates = validation_gates(runtimes, "java", min_qps_ratio=1.0, max_rss_ratio=0.5, team_acceptance=3)
    assert [g.passed for g in gates] == [True, True, True]
    gates = validation_gates(runtimes, "java", min_qps_ratio=5.0, max_rss_ratio=0.5, team_acceptance=1)
    assert [g.passed for g in gates] == [False, True, False]
    gates = validation_gates({"go": _rt(1, 1, 1, 1), "node": {"available": False, "reason": "node not found"}},
                             "node", min_qps_ratio=1, max_rss_ratio=1, team_acceptance=4)
    assert gates[0].passed is None and "node not found" in gates[0].detail
