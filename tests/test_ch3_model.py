"""Chapter 3's xDS push model: istiod's defaults, debounce semantics, monotonicity and bounds."""

from __future__ import annotations

import math

import pytest

from gohandbook import ch3
from gohandbook.models import control_plane as cp
from gohandbook.params import ParameterError


def run(n=100, changes=(0.0,), push=0.01, conc=10, rate=None, debounce=True, after=0.1, mx=10.0):
    return cp.simulate(cp.PushModelInput(proxies=n, change_times_s=tuple(changes), push_s=push,
                                         concurrency=None if rate else conc, rate_per_s=rate, debounce=debounce,
                                         debounce_after_s=after, debounce_max_s=mx))


@pytest.mark.parametrize("procs, expected", [(1, 20), (2, 25), (4, 35), (16, 95), (17, 100), (32, 100), (128, 100)])
def test_istiod_auto_push_throttle(procs, expected):
    assert cp.istiod_push_throttle(procs) == expected


def test_defaults_are_istiods():
    assert cp.DEBOUNCE_AFTER_S == 0.1 and cp.DEBOUNCE_MAX_S == 10.0 and cp.LEGACY_PUSH_THROTTLE == 100
    p = ch3.PARAMS.validate({})
    assert p["cp_debounce_after_ms"] == 100 and p["cp_debounce_max_s"] == 10 and p["cp_throttle"] == "auto"
    assert p["cp_debounce"] is True
    assert ch3.throttle_value(p) == (25, None)   # GOMAXPROCS 2


# ---- debounce semantics

def test_single_change_pushed_after_quiet_period():
    assert cp.debounce_rounds((1.0,), after_s=0.1, max_s=10) == [(pytest.approx(1.1), 1)]


def test_storm_shorter_than_quiet_gap_is_one_round_after_the_last_change():
    times = tuple(i * 0.03 for i in range(10))            # 30 ms apart < 100 ms
    rounds = cp.debounce_rounds(times, after_s=0.1, max_s=10)
    assert len(rounds) == 1
    assert rounds[0][0] == pytest.approx(0.27 + 0.1) and rounds[0][1] == 10


def test_changes_further_apart_than_quiet_gap_are_pushed_one_by_one():
    times = (0.0, 0.5, 1.0)
    rounds = cp.debounce_rounds(times, after_s=0.1, max_s=10)
    assert [v for _, v in rounds] == [1, 2, 3]
    assert [t for t, _ in rounds] == pytest.approx([0.1, 0.6, 1.1])


def test_debounce_max_forces_a_push_during_a_long_storm():
    times = tuple(i * 0.03 for i in range(100))           # 3 s without 100 ms of quiet
    rounds = cp.debounce_rounds(times, after_s=0.1, max_s=1.0)
    first_t, first_v = rounds[0]
    assert 1.0 - 1e-9 <= first_t <= 1.0 + 0.1 + 1e-9      # at the first timer check after DEBOUNCE_MAX
    assert first_v < 100                                   # while changes are still coming
    assert rounds[-1][1] == 100                            # the last change is pushed in the end
    assert times[-1] < rounds[-1][0] <= times[-1] + 0.1 + 1e-9


def test_without_debounce_every_change_is_a_round_at_once():
    times = (0.0, 0.01, 0.02)
    assert cp.debounce_rounds(times, debounce=False) == [(0.0, 1), (0.01, 2), (0.02, 3)]


# ---- the queue and the throttle

@pytest.mark.parametrize("n, conc", [(1, 1), (10, 25), (25, 25), (26, 25), (1000, 25), (1000, 100), (777, 7)])
def test_one_round_matches_the_closed_form(n, conc):
    r = run(n=n, conc=conc, push=0.01)
    assert r.last_change_to_converged_s == pytest.approx(0.1 + math.ceil(n / conc) * 0.01)
    assert r.pushes == n and r.push_rounds == 1
    assert r.last_change_to_converged_s == pytest.approx(0.1 + cp.one_round_s(n, 0.01, concurrency=conc))


def test_rate_reading_matches_its_closed_form():
    r = run(n=1000, rate=50, push=0.01)
    assert r.last_change_to_converged_s == pytest.approx(0.1 + (1000 - 1) / 50 + 0.01)
    assert r.slot_busy_pct is None


def test_queue_merges_proxies_that_are_still_waiting():
    # 10 changes 20 ms apart, each pushed at once, a round takes 1000/25 × 10 ms = 400 ms:
    # proxies still queued take the newest config instead of being queued twice.
    r = run(n=1000, changes=[i * 0.02 for i in range(10)], conc=25, push=0.01, debounce=False)
    assert r.push_rounds == 10
    assert 1000 <= r.pushes < 10 * 1000
    assert r.pushes_per_round[-1] > 0


def test_debouncing_never_costs_more_pushes():
    for rate in (0.5, 2, 5, 10, 20, 50):
        changes = cp.evenly_spaced_changes(rate, 2.0)
        on = run(n=500, changes=changes, debounce=True)
        off = run(n=500, changes=changes, debounce=False)
        assert on.pushes <= off.pushes
        assert on.push_rounds <= off.push_rounds


# ---- monotonicity and bounds

@pytest.mark.parametrize("mode", [{"conc": 25}, {"conc": 100}, {"rate": 50}])
def test_convergence_time_grows_with_proxies(mode):
    changes = cp.evenly_spaced_changes(20, 1.0)
    times = [run(n=n, changes=changes, **mode).last_change_to_converged_s for n in (1, 10, 100, 1000, 5000)]
    assert times == sorted(times)
    assert times[-1] > times[0]


def test_push_load_grows_with_change_rate_without_debounce():
    pushes = [run(n=300, changes=cp.evenly_spaced_changes(rate, 2.0), debounce=False).pushes
              for rate in (0.5, 1, 2, 5, 10, 50)]
    assert pushes == sorted(pushes)


def test_debounced_push_load_stops_growing_once_changes_come_faster_than_the_quiet_gap():
    fast = [run(n=300, changes=cp.evenly_spaced_changes(rate, 2.0)).pushes for rate in (20, 50, 100)]
    assert fast == [300, 300, 300]          # one round for the whole storm


def test_bounds_hold_across_a_grid():
    for n in (1, 50, 2000):
        for rate in (1, 20):
            for debounce in (True, False):
                changes = cp.evenly_spaced_changes(rate, 1.5)
                r = run(n=n, changes=changes, debounce=debounce, conc=25, push=0.005)
                assert r.pushes >= n                               # everyone gets the last change
                assert r.pushes <= n * r.push_rounds
                assert r.last_change_to_converged_s >= 0.005 - 1e-12
                if debounce:
                    assert r.last_change_to_converged_s >= 0.1 - 1e-9
                assert all(s >= -1e-12 for s in r.staleness_s)
                assert r.converged_s == sorted(r.converged_s)
                assert 0 < r.slot_busy_pct <= 100 + 1e-9
                assert r.max_staleness_s >= r.mean_staleness_s >= 0


def test_bad_inputs_raise_parameter_errors():
    with pytest.raises(ParameterError):
        run(n=0)
    with pytest.raises(ParameterError):
        run(changes=())
    with pytest.raises(ParameterError):
        run(changes=(1.0, 0.5))
    with pytest.raises(ParameterError):
        run(conc=0)
    with pytest.raises(ParameterError):
        cp.simulate(cp.PushModelInput(10, (0.0,), 0.01, concurrency=5, rate_per_s=5))
    with pytest.raises(ParameterError):
        run(after=0.5, mx=0.1)
    with pytest.raises(ParameterError, match="simulated pushes"):
        cp.simulate(cp.PushModelInput(10_000, tuple(i * 0.001 for i in range(100)), 0.0001, concurrency=100,
                                      debounce=False), max_pushes=10_000)


def test_chapter_parameters_are_validated():
    with pytest.raises(ParameterError, match="cp_proxies"):
        ch3.PARAMS.validate({"cp_proxies": 0})
    with pytest.raises(ParameterError, match="cp_throttle"):
        ch3.PARAMS.validate({"cp_throttle": "fast"})
    with pytest.raises(ParameterError, match="unknown parameter"):
        ch3.PARAMS.validate({"cp_proxy": 10})
    p = ch3.PARAMS.validate({"cp_debounce_after_ms": 5000, "cp_debounce_max_s": 1})
    with pytest.raises(ParameterError, match="DEBOUNCE_MAX"):
        ch3.model_result(p)


def test_chapter_sweeps_and_timeline():
    p = ch3.PARAMS.validate({})
    r = ch3.model_result(p)
    changes, rounds = ch3.timeline_rows(r)
    assert changes[-1]["change"] == r.changes and rounds
    rows = ch3.sweep_proxies(p)
    assert {row["proxies"] for row in rows} >= set(ch3.PROXY_GRID)
    load = ch3.sweep_rate(p)
    assert {row["debounce"] for row in load} == {"debounced (istiod default)", "every change pushed"}
