"""Knee detection: where added connections stop adding throughput."""

from __future__ import annotations

import pytest

from gohandbook.models.knee import aggregate, find_knee, marginal_knee, plateau
from gohandbook.params import ParameterError

SATURATING = [(1, 1000), (2, 2000), (4, 4000), (8, 5000), (16, 5050), (32, 4980), (64, 5020)]


def test_knee_of_a_saturating_curve():
    k = find_knee(SATURATING)
    assert k.connections == 8 and k.within_range
    assert k.plateau_qps == pytest.approx(5020)          # median of 5050, 5020, 5000
    assert k.threshold_qps == pytest.approx(0.95 * 5020)


def test_a_lower_threshold_moves_the_knee_left():
    assert find_knee(SATURATING, 75).connections == 4
    assert find_knee(SATURATING, 100).connections in (16, 64)   # only the top points reach 100 % of the median


def test_one_lucky_point_does_not_set_the_plateau():
    spiky = [(1, 1000), (2, 2000), (4, 4000), (8, 5000), (16, 9000), (32, 5000), (64, 5000)]
    assert plateau([q for _, q in spiky]) == 5000
    assert find_knee(spiky).connections == 8


def test_still_rising_curve_has_no_knee_within_range():
    rising = [(1, 1000), (2, 2000), (4, 4000), (8, 8000)]
    k = find_knee(rising)
    assert not k.within_range


def test_repeats_are_aggregated_by_median():
    pts = [(4, 100), (4, 300), (4, 200), (1, 50)]
    assert aggregate(pts) == [(1, 50), (4, 200)]
    assert find_knee(pts).connections == 4


def test_decline_after_the_peak_keeps_the_first_point_at_the_plateau():
    overload = [(1, 1000), (2, 1900), (4, 3000), (8, 3100), (16, 2500), (32, 2000)]
    k = find_knee(overload)
    assert k.connections == 4 and k.within_range


def test_marginal_rule():
    assert marginal_knee(SATURATING, 5.0) == 8
    assert marginal_knee([(1, 100), (2, 200)], 5.0) is None


def test_bad_input():
    with pytest.raises(ParameterError):
        find_knee([])
    with pytest.raises(ParameterError):
        find_knee([(0, 10)])
    with pytest.raises(ParameterError):
        find_knee(SATURATING, 20)
    with pytest.raises(ParameterError):
        marginal_knee(SATURATING, -1)
