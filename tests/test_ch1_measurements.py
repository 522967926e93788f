"""Chapter 1's measurements: shape, and agreement with independent readings."""
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from gohandbook import measure, paths, proc
from gohandbook.measure._binfmt import describe
from gohandbook.measure.runtimes import rss_kib, run_loadgen
from gohandbook.measure.static_analysis import match_findings, parse_staticcheck_json, parse_vet_json
from gohandbook.toolchain import build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def binary_sizes():
    return measure.run("go_binary_size", "quick")


@pytest.fixture(scope="module")
def quick():
    return measure.run("quick_validation", "quick")


@pytest.fixture(scope="module")
def static():
    return measure.run("static_analysis", "quick")


def test_binary_sizes_agree_with_stat(binary_sizes):
    for variant, info in binary_sizes["raw"].items():
        assert os.stat(info["path"]).st_size == info["bytes"], variant
    s = binary_sizes["summary"]
    assert s["stripped_mb"] < s["default_mb"]
    expected = 100 * (1 - binary_sizes["raw"]["stripped"]["bytes"] / binary_sizes["raw"]["default"]["bytes"])
    assert s["strip_saving_pct"] == pytest.approx(expected)


def test_elf_dependencies_agree_with_ldd(binary_sizes):
    raw = binary_sizes["raw"]
    assert raw["cgo0"]["interpreter"] is None and raw["cgo0"]["needed"] == []
    if shutil.which("ldd"):
        out = subprocess.run(["ldd", raw["cgo0"]["path"]], capture_output=True, text=True)
        assert "not a dynamic executable" in (out.stdout + out.stderr)
        out = subprocess.run(["ldd", raw["default"]["path"]], capture_output=True, text=True).stdout
        for lib in raw["default"]["needed"]:
            assert lib in out
        assert bool(raw["default"]["needed"]) == ("=>" in out)


def test_elf_reader_on_non_elf(tmp_path):
    wasm = tmp_path / "x.wasm"
    wasm.write_bytes(b"\0asm\1\0\0\0")
    deps = describe(wasm)
    assert deps["format"] == "WebAssembly" and not deps["dynamic"] and deps["interpreter"] is None


def test_quick_validation_shape(quick):
    runtimes = quick["summary"]["runtimes"]
    assert set(runtimes) == {"go", "python_threading", "python_uvicorn", "node", "java"}
    go = runtimes["go"]
    assert go["available"] and not go.get("error") and go["errors"] == 0
    for key, rt in runtimes.items():
        if not rt.get("available"):
            assert rt["reason"], key  # says why it was not measured
            continue
        assert not rt.get("error"), rt.get("error")
        for metric in ("startup_ms", "rss_first_mib", "rss_after_requests_mib", "rss_load_mib", "qps", "p50_ms", "p99_ms"):
            s = rt[metric]
            assert s["n"] == quick["provenance"]["params"]["repeats"]
            assert 0 < s["min"] <= s["median"] <= s["max"], (key, metric)
        assert rt["artifact"]["total_bytes"] == rt["artifact"]["app_bytes"] + rt["artifact"]["runtime_bytes"]
    assert quick["provenance"]["go"]["version"].startswith("go")
    assert quick["provenance"]["host"]["cores"] >= 1


def _child_pid(pid: int) -> int:
    for _ in range(200):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.01)
    raise AssertionError("no child")


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="GNU time not installed (apt-get install time)")
def test_rss_reading_agrees_with_gnu_time_and_ps(tmp_path):
    """Our /proc readings of the Go server vs `/usr/bin/time -v` (peak) and `ps -o rss` (current): within 5 %."""
    binary = build(paths.samples_dir() / "healthcheck", name="healthcheck-default")
    loadgen = build(paths.samples_dir() / "loadgen", name="loadgen")
    port = proc.free_port()
    log = tmp_path / "time.log"
    wrapper = subprocess.Popen(["/usr/bin/time", "-v", "-o", str(log), str(binary), "-addr", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        server = _child_pid(wrapper.pid)
        deadline = time.time() + 20
        while proc.http_get_status("127.0.0.1", port) != 200:
            assert time.time() < deadline
            time.sleep(0.01)
        run_loadgen(loadgen, f"http://127.0.0.1:{port}/healthz", connections=8, seconds=1.0)
        rss, hwm = rss_kib(server)
        ps = int(subprocess.run(["ps", "-o", "rss=", "-p", str(server)], capture_output=True, text=True).stdout)
        assert abs(rss - ps) <= 0.05 * ps
        os.kill(server, signal.SIGTERM)
        wrapper.wait(timeout=20)
    finally:
        if wrapper.poll() is None:
            os.killpg(wrapper.pid, signal.SIGKILL)
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", log.read_text()).group(1))
    assert abs(hwm - peak) <= 0.05 * peak, (hwm, peak)


VET_SAMPLE = """# gohandbook.example/vetcheck
{
	"gohandbook.example/vetcheck": {
		"printf": [{"posn": "/x/vetcheck/printf_verb.go:7:2", "message": "fmt.Printf format %d has arg of wrong type"}],
		"copylocks": [{"posn": "/x/vetcheck/copy_lock.go:19:17", "message": "passes lock by value"}]
	}
}
"""


def test_parsers_and_matching():
    vet = parse_vet_json(VET_SAMPLE)
    assert [(f["check"], f["file"], f["line"]) for f in vet] == [("printf", "printf_verb.go", 7), ("copylocks", "copy_lock.go", 19)]
    sc = parse_staticcheck_json('{"code":"SA1019","severity":"error","location":{"file":"/x/deprecated_call.go","line":7,"column":9},"message":"deprecated"}\n')
    assert sc == [{"tool": "staticcheck", "check": "SA1019", "file": "deprecated_call.go", "line": 7, "message": "deprecated"}]
    plants = [{"id": "printf-verb", "file": "printf_verb.go", "line": 7}, {"id": "deprecated-call", "file": "deprecated_call.go", "line": 7}]
    rows, unmatched = match_findings(plants, vet + sc)
    assert rows[0]["found"] == {"vet": ["printf"], "staticcheck": []}
    assert rows[1]["found"] == {"vet": [], "staticcheck": ["SA1019"]}
    assert [u["check"] for u in unmatched] == ["copylocks"]


def test_every_planted_problem_is_found_by_its_expected_tool(static):
    s = static["summary"]
    assert s["planted"] >= 8
    sc_ran = s["staticcheck_found"] is not None
    for row in s["rows"]:
        exp = row["expected"]
        if exp.get("vet"):
            assert exp["vet"] in row["found"]["vet"], row
        if exp.get("staticcheck") and sc_ran:
            assert exp["staticcheck"] in row["found"]["staticcheck"], row
    assert s["vet_found"] >= 5
    if sc_ran:
        assert s["staticcheck_status"].startswith("ok")
        assert s["union_found"] == s["planted"]
    else:
        assert s["staticcheck_status"].startswith(("skipped", "not run"))
