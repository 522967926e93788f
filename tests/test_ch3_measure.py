"""Chapter 3's measurements: parameter errors, and the shape of a (tiny) real result."""

from __future__ import annotations

import pytest

from gohandbook import claims as claims_mod, measure
from gohandbook.measure import control_plane_sim, proxy_knee
from gohandbook.params import ParameterError


def test_registered_with_quick_and_full_presets():
    for name in ("control_plane_sim", "proxy_knee"):
        m = measure.get_measurement(name)
        assert m.chapter == 3 and set(m.presets) == {"quick", "full"}
        for preset in m.presets:
            m.resolve_params(preset)


def test_bad_parameters_are_parameter_errors():
    m = measure.get_measurement("proxy_knee")
    with pytest.raises(ParameterError):
        m.resolve_params("quick", {"seconds": 0})
    with pytest.raises(ParameterError):
        m.resolve_params("quick", {"nope": 1})
    with pytest.raises(ParameterError):
        proxy_knee.sweep({"connections": "1,x", "variants": "fresh"})
    with pytest.raises(ParameterError):
        proxy_knee.sweep({"connections": "0,5000", "variants": "fresh"})
    with pytest.raises(ParameterError):
        proxy_knee.sweep({"connections": "1", "variants": "fresh,magic"})
    with pytest.raises(ParameterError):
        control_plane_sim.scenarios({**measure.get_measurement("control_plane_sim").resolve_params("quick"),
                                     "proxies": "ten"})
    with pytest.raises(ParameterError):
        measure.get_measurement("control_plane_sim").resolve_params("medium")


def test_scenarios_avoid_timer_ties():
    p = measure.get_measurement("control_plane_sim").resolve_params("quick")
    for s in control_plane_sim.scenarios(p):
        assert s["change_times_ms"] == sorted(s["change_times_ms"])
        # a change landing exactly on a debounce check would make the run a coin flip
        gaps = {round(b - a, 6) for a, b in zip(s["change_times_ms"], s["change_times_ms"][1:])}
        assert s["debounce_after_ms"] not in gaps


def _lookup_for(results):
    return lambda name: measure.Lookup(results[name], "current") if name in results else measure.lookup(name)


@pytest.mark.slow
def test_tiny_runs_have_the_documented_shape(tmp_cache):
    sim = measure.run("control_plane_sim", "quick", {"proxies": "20,200", "concurrencies": "5", "push_ms": 1.0})
    s = sim["summary"]
    assert s["agreement"]["scenarios"] == len(s["rows"]) == 5
    for row in s["rows"]:
        assert row["measured"]["pushes"] >= row["proxies"]
        assert set(row["calibrated"]) >= {"last_change_to_converged_ms", "push_rounds", "pushes", "error_pct"}
    assert s["agreement"]["rounds_match"] >= 4
    assert s["agreement"]["median_abs_error_pct"] < 25
    assert sim["provenance"]["params"]["proxies"] == "20,200"
    assert len(sim["raw"]["runs"]) == 5

    knee = measure.run("proxy_knee", "quick", {"connections": "1,4,16", "seconds": 0.3, "warmup_seconds": 0.1,
                                               "repeats": 1, "idle_seconds": 0.3})
    k = knee["summary"]
    assert set(k["variants"]) == {"fresh", "pooled"}
    for v in ("fresh", "pooled"):
        vs = k[v]
        assert [r["connections"] for r in vs["curve"]] == [1, 4, 16]
        assert vs["knee_connections"] in (1, 4, 16)
        assert vs["errors"] == 0
        assert vs["alloc_bytes_per_req"] > 0 and vs["alloc_objects_per_req"] > 0
        assert vs["cpu_us_per_req"] > 0 and vs["capacity_req_per_cpu_s"] > 0
        for r in vs["curve"]:
            assert r["qps"] > 0 and r["p99_ms"] > 0
    assert k["pooled_vs_fresh_alloc_bytes_ratio"] < 0.8       # the 32 KiB buffer is not allocated per request
    assert k["idle_gc_cycles_per_s"] >= 0
    assert k["pooled_vs_fresh_capacity_ratio"] > 0 and k["other_load_on_proxy_core_pct"] is not None
    assert len(knee["raw"]["points"]) == 6
    assert k["setup"]["upstream_alive_after"]

    # every measured chapter-3 claim that points at these measurements finds its metric
    results = {"control_plane_sim": sim, "proxy_knee": knee}
    for v in claims_mod.ledger(_lookup_for(results), chapter=3):
        if v.measurement in results and v.kind == "measured":
            assert v.verdict in claims_mod.VERDICTS, (v.id, v.status)
