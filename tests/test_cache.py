"""Measure once: hits, misses, staleness, atomic writes and the cross-process lock."""
import json
import multiprocessing
import time
from dataclasses import replace

import pytest

from gohandbook import measure, paths
from gohandbook.cache import Cache, host_fingerprint
from gohandbook.measure import Measurement
from gohandbook.params import Param, ParameterError, ParamSet

CALLS = "calls.txt"


def _counting_measurement(tmp_path, sleep=0.0):
    def func(ctx):
        with open(tmp_path / CALLS, "a") as f:
            f.write("x")
        time.sleep(sleep)
        return {"summary": {"value": ctx.params["n"] * 2}, "raw": {"samples": [1, 2, 3]}}

    return Measurement(name="demo", title="demo", chapter=1, sources=("demo.go",),
                       params=ParamSet("demo", (Param("n", "int", 1, "n", min=1, max=10),)),
                       presets={"quick": {"n": 1}, "full": {"n": 3}}, func=func)


@pytest.fixture
def demo(tmp_path, monkeypatch, tmp_cache):
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "demo.go").write_text("package main\n")
    monkeypatch.setattr(paths, "samples_dir", lambda: samples)
    m = _counting_measurement(tmp_path)
    monkeypatch.setitem(measure.REGISTRY, "demo", m)
    return m, samples, tmp_path


def calls(tmp_path):
    path = tmp_path / CALLS
    return len(path.read_text()) if path.exists() else 0


def test_hit_after_first_run_and_provenance(demo):
    _, _, tmp = demo
    assert measure.lookup("demo").status == "missing"
    first = measure.run("demo")
    again = measure.run("demo")
    assert calls(tmp) == 1 and first == again
    prov = first["provenance"]
    assert prov["host"] == host_fingerprint() and prov["go"]["version"].startswith("go")
    assert prov["params"] == {"n": 1} and prov["preset"] == "quick" and prov["sample_hash"]
    assert first["raw"] == {"samples": [1, 2, 3]}
    assert measure.lookup("demo").status == "current"


def test_presets_are_separate_results(demo):
    _, _, tmp = demo
    assert measure.run("demo", "quick")["summary"]["value"] == 2
    assert measure.run("demo", "full")["summary"]["value"] == 6
    assert calls(tmp) == 2


def test_changed_sample_makes_the_result_stale_and_measures_again(demo):
    _, samples, tmp = demo
    measure.run("demo")
    (samples / "demo.go").write_text("package main // changed\n")
    found = measure.lookup("demo")
    assert found.status == "stale" and "sample source changed" in found.reason
    assert found.result is not None  # the old result is still shown, labelled stale
    measure.run("demo")
    assert calls(tmp) == 2


def test_changed_go_version_makes_it_stale(demo, monkeypatch, go):
    _, _, tmp = demo
    measure.run("demo")
    other = replace(go, version="go1.99.0")
    monkeypatch.setattr(measure, "find_go", lambda: other)
    found = measure.lookup("demo")
    assert found.status == "stale" and f"Go changed from {go.version} to go1.99.0" in found.reason
    measure.run("demo")
    assert calls(tmp) == 2


def test_unknown_preset_and_bad_override_are_clear_errors(demo):
    with pytest.raises(ParameterError, match="preset = 'huge'"):
        measure.run("demo", "huge")
    with pytest.raises(ParameterError, match="n = 50 is out of range"):
        measure.run("demo", overrides={"n": 50})
    with pytest.raises(KeyError, match="unknown measurement 'nope'"):
        measure.run("nope")


def test_failed_measurement_keeps_the_earlier_result(demo, monkeypatch):
    m, samples, tmp = demo
    good = measure.run("demo")

    def boom(ctx):
        raise RuntimeError("server crashed")

    monkeypatch.setitem(measure.REGISTRY, "demo", replace(m, func=boom))
    with pytest.raises(RuntimeError):
        measure.run("demo", force=True)
    assert measure.lookup("demo").result == good


def result_like(key: str, **summary) -> dict:
    """The smallest document with the shape every reader of a cached result relies on."""
    return {"name": "x", "key": key, "summary": summary,
            "provenance": {"host": {"cpu_model": "cpu", "cores": 2}, "go": {"version": "go1.26.8"},
                           "params": {}, "preset": "quick", "finished": "2026-12-01T00:00:00+00:00"}}


def test_atomic_put_leaves_no_temporary_files_and_ignores_torn_files(tmp_cache):
    cache = Cache()
    cache.put("x", "k1", result_like("k1", a=1))
    assert cache.get("x", "k1") == result_like("k1", a=1)
    assert [p.name for p in (tmp_cache / "results" / "x").iterdir()] == ["k1.json"]
    (tmp_cache / "results" / "x" / "k2.json").write_text('{"a": ')
    assert cache.get("x", "k2") is None


def _worker(args):
    tmp_path, samples, cache_dir = args
    import os
    os.environ["GOHANDBOOK_CACHE"] = cache_dir
    from gohandbook import measure as m, paths as p
    p.samples_dir = lambda: samples
    m.REGISTRY["demo"] = _counting_measurement(tmp_path, sleep=1.0)
    return m.run("demo")["key"]


def test_two_processes_at_once_measure_once(demo, tmp_cache):
    _, samples, tmp = demo
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        keys = pool.map(_worker, [(tmp, samples, str(tmp_cache))] * 2)
    assert keys[0] == keys[1]
    assert calls(tmp) == 1
    files = list((tmp_cache / "results" / "demo").glob("*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["key"] == keys[0]


def test_reference_results_are_used_only_when_nothing_was_measured_here(demo, tmp_path, monkeypatch):
    _, _, tmp = demo
    monkeypatch.setattr(paths, "data_dir", lambda: tmp_path / "data")
    measure.run("demo")
    assert measure.record_reference("demo", "quick")
    # a machine that has measured nothing sees the shipped result, labelled as such
    monkeypatch.setenv("GOHANDBOOK_CACHE", str(tmp_path / "empty-cache"))
    found = measure.lookup("demo")
    assert found.status == "reference" and "not on this machine" in found.reason
    assert found.result["summary"] == {"value": 2} and found.result["raw"] == {}
    # once measured here, the local result wins
    measure.run("demo")
    assert measure.lookup("demo").status == "current"


def test_measurements_on_one_machine_take_turns_whatever_their_cache_folders(tmp_path, monkeypatch):
    """Two runs with their own caches (two benchmarks, a batch beside a server) still measure one at a time."""
    monkeypatch.setenv("GOHANDBOOK_MEASURE_LOCK", str(tmp_path / "machine.lock"))
    first, second = Cache(tmp_path / "a"), Cache(tmp_path / "b")
    with first.global_lock():
        with pytest.raises(TimeoutError, match="another measurement on this machine"):
            with second.global_lock(timeout=0.3):
                pass
    with second.global_lock(timeout=0.3):  # free again once the first run is done
        pass


def test_memo_computes_once_and_drops_the_least_recently_used():
    from gohandbook.cache import Memo

    memo, calls = Memo(2), []
    value = lambda k: lambda: calls.append(k) or k.upper()  # noqa: E731
    assert memo.get("a", value("a")) == "A" and memo.get("a", value("a")) == "A" and calls == ["a"]
    memo.get("b", value("b"))
    memo.get("a", value("a"))   # a is now the most recently used
    memo.get("c", value("c"))   # so b goes
    memo.get("a", value("a"))
    memo.get("b", value("b"))
    assert calls == ["a", "b", "c", "b"] and len(memo) == 2


def test_a_reference_result_says_when_it_was_recorded_with_another_go(tmp_cache, monkeypatch):
    real = measure.find_go()
    monkeypatch.setattr(measure, "find_go", lambda: replace(real, version="go1.99.0"))
    found = measure.lookup("loopvar", "quick")
    assert found.status == "reference"
    recorded = found.result["provenance"]["go"]["version"]
    assert f"recorded with {recorded}; this machine uses go1.99.0 (another minor release" in found.reason
    monkeypatch.setattr(measure, "find_go", lambda: replace(real, version=recorded))
    assert "recorded with" not in measure.lookup("loopvar", "quick").reason   # same Go: nothing to say


def test_a_damaged_reference_result_is_named_and_not_shown(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(measure, "reference_dir", lambda: tmp_path)
    (tmp_path / "loopvar-quick.json").write_text("[]")
    assert measure.reference_result("loopvar", "quick") is None
    assert "loopvar-quick.json" in capsys.readouterr().err
    assert measure.reference_result("missing_one", "quick") is None
