"""Chapter 2's measurements, run in reduced variants into an empty cache: shape, and agreement
with independent readings (stat, file, readelf, runtime facts)."""
import json
import os
import shutil
import subprocess

import pytest

from gohandbook import measure, paths
from gohandbook.toolchain import build

pytestmark = pytest.mark.slow


def test_build_matrix_sizes_and_links_agree_with_stat_and_readelf(tmp_cache):
    r = measure.run("build_matrix", "quick", {"targets": "linux/amd64,windows/amd64,wasip1/wasm",
                                               "flagsets": "default,cgo0,strip", "cross_flagsets": "default,strip",
                                               "a_flag": False, "startup_repeats": 2})
    s, builds = r["summary"], r["raw"]["builds"]
    assert len(builds) == 3 + 2 + 2 and all(b["ok"] for b in builds.values())
    for key, b in builds.items():
        assert os.stat(b["path"]).st_size == b["bytes"], key
    assert s["strip_saving_pct"] > 15 and s["wasm"]["strip_saving_pct"] < s["strip_saving_pct"]
    assert s["cgo0_dynamic"] is False and s["plain_build_cross_platform"] is False
    assert s["startup_ms"]["default"]["n"] == 2 and s["startup_ms"]["default"]["median"] > 0
    if shutil.which("readelf"):
        for flagset in ("default", "cgo0"):
            b = builds[f"linux/amd64 {flagset}"]
            text = subprocess.run(["readelf", "-l", b["path"]], capture_output=True, text=True).stdout
            assert ("INTERP" in text) == bool(b["interpreter"]), flagset
    if shutil.which("file"):
        out = subprocess.run(["file", builds["windows/amd64 default"]["path"]], capture_output=True, text=True).stdout
        assert "PE32+" in out and builds["windows/amd64 default"]["needed"] == ["kernel32.dll"]


def test_goroutine_memory_reduced(tmp_cache):
    r = measure.run("goroutine_memory", "quick", {"go_counts": "2000,20000", "thread_counts": "50,200",
                                                   "task_counts": "2000"})
    go, py, aio = r["summary"]["go"], r["summary"]["python"], r["summary"]["asyncio"]
    assert [p["n"] for p in go["points"]] == [2000, 20000] and go["max_goroutines_tested"] == 20000
    assert 1900 <= go["stack_bytes_per_goroutine"] <= 8192      # the 2 KiB minimum stack, give or take
    assert go["bytes_per_goroutine_rss"] > go["stack_bytes_per_goroutine"] * 0.8
    assert go["os_threads_at_max"] < 100                        # M:N scheduling: few OS threads
    assert py["virtual_bytes_per_thread"] > 1 << 20             # each thread reserves a MiB-scale stack
    assert py["bytes_per_thread_rss"] > go["bytes_per_goroutine_rss"]
    assert 0 < aio["bytes_per_task_rss"] < py["bytes_per_thread_rss"]
    assert py["thread_limit_searched"] is False and py["thread_limit_predicted"]["value"] > 200


def test_gc_tuning_reduced(tmp_cache):
    r = measure.run("gc_tuning", "quick", {"gogc_values": "50,200,off", "memlimits": "off", "total": "128MiB",
                                            "live": "8MiB", "jvm_flags": False})
    grid = {p["gogc"]: p for p in r["summary"]["grid"]}
    assert grid["off"]["gc_cycles"] == 0 and grid["off"]["pause_count"] == 0
    assert grid["50"]["gc_cycles"] > grid["200"]["gc_cycles"] > 0
    assert grid["50"]["peak_rss_mib"] < grid["off"]["peak_rss_mib"]
    assert grid["50"]["pause_count"] == pytest.approx(2 * grid["50"]["gc_cycles"], abs=2)  # two STW pauses per cycle


def test_pool_bench_reduced(tmp_cache):
    r = measure.run("pool_bench", "quick", {"count": 2, "benchtime": "2000x"})
    s = r["summary"]
    assert s["pool_allocs_op"] == 0 and s["alloc_allocs_op"] >= 1 and s["alloc_bytes_op"] > 0
    assert r["raw"]["benchstat_input"].count("BenchmarkRequest") == 4


def test_wasm_runs_under_node_and_sizes_agree(tmp_cache):
    if not shutil.which("node"):
        pytest.skip("node not installed")
    r = measure.run("wasm_run", "quick", {"repeats": 1})
    s = r["summary"]
    assert s["go_wasip1"]["runs"] and s["go_wasip1"]["same_digest_as_native"]
    assert s["go_wasip1"]["imports"] == ["wasi_snapshot_preview1"]
    wasm = build(paths.samples_dir() / "wasihello", name="wasihello", env={"GOOS": "wasip1", "GOARCH": "wasm"})
    assert os.stat(wasm).st_size == s["go_wasip1"]["bytes"]
    assert open(wasm, "rb").read(4) == b"\0asm"


def test_http_fanout_reduced(tmp_cache):
    r = measure.run("http_fanout", "quick", {"requests": 2000, "modes": "seed,unbounded,bounded", "workers": 8,
                                              "deadline_s": 60.0})
    s = r["summary"]
    for mode in ("seed", "unbounded", "bounded"):
        m = s[mode]
        assert m["ok"] + m["errors"] + m["unfinished"] == 2000, mode
        assert m["peak_rss_mib"] > 0
    assert s["bounded"]["ok"] == 2000 and s["bounded"]["peak_fds"] < 100
    assert s["seed"]["closes_body"] is False and s["bounded"]["closes_body"] is True


def test_fanout_refuses_outside_hosts(tmp_cache):
    binary = build(paths.samples_dir() / "fanout", name="fanout")
    done = subprocess.run([str(binary), "-url", "http://api.example.com/task/", "-n", "1"], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2 and "loopback" in done.stderr


def test_mod_tools_offline(tmp_cache):
    r = measure.run("mod_tools", "quick", {"staticcheck_binary": False})
    s = r["summary"]
    assert s["samples"]["verify_ok"] and s["samples"]["graph_ok"]
    assert s["tools"]["graph_edges"] > 5
    assert s["binaries"]["healthcheck"]["path"] == "gohandbook.example/samples/healthcheck"
    assert set(s["ebpf"]) >= {"kernel", "bpftool", "kernel_btf"}
    json.dumps(r)  # the whole result is plain JSON
