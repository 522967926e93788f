"""Chapter 2's reconcile model and chapter glue: bounds, monotonicity, cited defaults, bad input."""
import math
from dataclasses import replace

import pytest

from gohandbook import ch2
from gohandbook.models import reconcile as rc
from gohandbook.params import ParameterError
from gohandbook.units import duration

BASE = rc.ReconcileInput(objects=200, requeue_after_s=30.0, changes_per_object_per_hour=0.1, reconcile_seconds=0.1)


def test_defaults_are_controller_runtimes():
    assert rc.DEFAULTS["sync_period_s"][0] == 36000
    assert rc.DEFAULTS["jitter"][0] == 0.10
    assert rc.DEFAULTS["workers"][0] == 1
    assert rc.DEFAULTS["backoff_base_s"][0] == 0.005 and rc.DEFAULTS["backoff_cap_s"][0] == 1000
    assert all(src for _, src in rc.DEFAULTS.values()), "every default cites its source"
    assert BASE.workers == 1 and BASE.sync_period_s == 36000


def test_backoff_doubles_and_caps():
    assert rc.backoff_delay(0) == pytest.approx(0.005)
    assert rc.backoff_delay(1) == pytest.approx(0.010)
    assert rc.backoff_delay(10) == pytest.approx(5.12)
    assert rc.backoff_delay(18) == 1000 and rc.backoff_delay(5000) == 1000
    delays = [rc.backoff_delay(n) for n in range(40)]
    assert all(a <= b for a, b in zip(delays, delays[1:]))
    assert rc.failures_to_cap() == 18
    assert rc.time_to_recover(0) == 0
    assert rc.time_to_recover(3) == pytest.approx(0.005 + 0.010 + 0.020)
    with pytest.raises(ParameterError):
        rc.backoff_delay(-1)


def test_api_calls_grow_linearly_with_objects_and_fall_with_interval():
    calls = [rc.evaluate(replace(BASE, objects=n)).api_calls_per_hour for n in (10, 100, 1000)]
    assert calls[1] == pytest.approx(10 * calls[0]) and calls[2] == pytest.approx(10 * calls[1])
    by_interval = [rc.evaluate(replace(BASE, requeue_after_s=t)).api_calls_per_hour for t in (10, 30, 300, 3600)]
    assert all(a > b for a, b in zip(by_interval, by_interval[1:]))
    # 200 objects × 120 requeues/h + 200 × 0.1 changes + 200 / 10 h resync
    assert rc.evaluate(BASE).reconciles_per_hour == pytest.approx(200 * 120 + 20 + 20)


def test_watch_is_cheaper_but_staler_for_external_state():
    poll, watch = rc.evaluate(BASE), rc.evaluate(replace(BASE, requeue_after_s=None))
    assert watch.api_calls_per_hour < poll.api_calls_per_hour
    assert watch.external_staleness_mean_s > poll.external_staleness_mean_s
    # Resync period uniform in [9 h, 11 h): mean residual a little over 5 h, worst 11 h.
    assert 5 * 3600 <= watch.external_staleness_mean_s - watch.event_staleness_s < 5.05 * 3600
    assert watch.external_staleness_max_s == pytest.approx(11 * 3600 + watch.event_staleness_s)
    # Polling every T: mean T/2, worst T, plus queueing and the reconcile itself.
    assert poll.external_staleness_mean_s >= 15 and poll.external_staleness_max_s >= 30


def test_staleness_grows_with_interval_and_saturation_is_reported():
    stale = [rc.evaluate(replace(BASE, requeue_after_s=t)).external_staleness_mean_s for t in (30, 60, 600)]
    assert stale[0] < stale[1] < stale[2]
    sat = rc.evaluate(replace(BASE, objects=1000))      # 1000/30 s × 0.1 s = 3.3 > 1 worker
    assert sat.saturated and math.isinf(sat.external_staleness_mean_s) and sat.utilisation > 1
    assert rc.evaluate(BASE).max_objects_before_saturation == pytest.approx(1 / (0.1 * (1 / 30 + 0.1 / 3600 + 1 / 36000)))
    more = rc.evaluate(replace(BASE, objects=1000, workers=4))
    assert not more.saturated and more.utilisation == pytest.approx(sat.utilisation / 4)


def test_queue_wait_bounds():
    assert rc.queue_wait(0, 0.1, 1) == 0
    waits = [rc.queue_wait(r, 0.1, 1) for r in (1, 5, 9, 9.9)]
    assert all(0 <= a < b for a, b in zip(waits, waits[1:]))
    assert rc.queue_wait(5, 0.1, 1) == pytest.approx(0.5 / (2 * 0.5) * 0.1)  # M/D/1: ρ/(2(1-ρ))·d
    assert math.isinf(rc.queue_wait(10, 0.1, 1))


def test_failures_add_retries_and_delay():
    ok, failing = rc.evaluate(BASE), rc.evaluate(replace(BASE, failure_rate=0.5))
    assert failing.reconciles_per_hour == pytest.approx(2 * ok.reconciles_per_hour)
    assert failing.retry_delay_mean_s > 0 == ok.retry_delay_mean_s


@pytest.mark.parametrize("change, message", [
    (dict(objects=0), "objects = 0"), (dict(requeue_after_s=0), "requeue_after_s"),
    (dict(workers=0), "workers"), (dict(failure_rate=1.0), "failure_rate"), (dict(reconcile_seconds=-1), "reconcile_seconds"),
])
def test_bad_input_is_a_parameter_error(change, message):
    with pytest.raises(ParameterError, match=message):
        rc.evaluate(replace(BASE, **change))


def test_log_grid():
    grid = rc.log_grid(1, 1000)
    assert grid[0] == 1 and grid[-1] == 1000 and grid == sorted(set(grid))
    with pytest.raises(ParameterError):
        rc.log_grid(10, 1)


def test_chapter_params_and_reconcile_glue():
    params = ch2.PARAMS.validate({})
    assert params["reconcile_workers"] == 1 and params["reconcile_sync_period_h"] == 10
    res = ch2.reconcile_summary(params)
    assert res["seed"].strategy == "RequeueAfter 30 s" and res["watch"].api_calls_per_hour < res["seed"].api_calls_per_hour
    rows = ch2.reconcile_rows(params)
    assert {r["key"] for r in rows} >= {"seed", "watch"} and min(r["objects"] for r in rows) == 1
    with pytest.raises(ParameterError, match="reconcile_workers = 0 is out of range"):
        ch2.PARAMS.validate({"reconcile_workers": 0})
    with pytest.raises(ParameterError, match="did you mean 'reconcile_objects'"):
        ch2.PARAMS.validate({"reconcile_object": 5})
    with pytest.raises(ParameterError, match="ch2_gc_metric"):
        ch2.PARAMS.validate({"ch2_gc_metric": "fast"})


def test_concurrency_table_marks_the_wrong_cells():
    rows = ch2.concurrency_table_rows()
    assert len(rows) == 9
    goroutine = {r["Dimension"]: r["Verdict"] for r in rows if r["Model"] == "Goroutine"}
    assert goroutine == {"Fault isolation": "does not hold", "Resource isolation": "does not hold",
                         "Service-mesh integration": "does not hold"}
    assert any("context.Context" in r["Assessment"] for r in rows)


def test_backoff_rows_and_durations():
    rows = ch2.backoff_rows(20)
    assert rows[0]["delay_s"] == 0.005 and rows[-1]["delay_s"] == 1000
    assert duration(float("inf")).startswith("unbounded")
    assert duration(0.2) == "200 ms" and duration(7200 * 2) == "4.0 h"


def test_key_figures_always_include_the_model():
    figures = ch2.key_figures(ch2.PARAMS.validate({}))
    model = [f for f in figures if f["kind"] == "model"]
    assert len(model) == 1 and model[0]["chapter"] == 2 and model[0]["value"] > 0
    assert all({"chapter", "figure", "value", "unit", "kind", "status", "provenance"} <= set(f) for f in figures)


def test_expected_retry_delay_equals_its_definition_over_time_to_recover():
    from gohandbook.models import reconcile as rc

    for p in (0.0, 0.01, 0.3, 0.9, 0.99):
        for base, cap in ((0.005, 1000.0), (1.0, 60.0)):
            direct = sum((1 - p) * p ** k * rc.time_to_recover(k, base, cap) for k in range(1, 200))
            assert rc.expected_retry_delay(p, base, cap) == pytest.approx(direct, rel=1e-12, abs=0)
