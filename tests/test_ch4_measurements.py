"""Chapter 4's measurements: shape, internal consistency and agreement with independent readings.

The fixtures read the quick results from the cache (measuring them if missing), as `make test` does.
"""

from __future__ import annotations

import math
import subprocess

import pytest

from gohandbook import ch4, measure, paths
from gohandbook.measure.fuzz_parser import decode_corpus_file
from gohandbook.measure.loopvar import go_directive, parse_output
from gohandbook.measure.supply_chain import parse_version_m

# ---------------------------------------------------------------- parsers (fast)


def test_parse_loopvar_output_and_go_directive():
    assert parse_output("loop-capture: c c c\nseed-processItem: a b c\n") == {
        "loop-capture": "c c c", "seed-processItem": "a b c"}
    assert go_directive("module m\n\ngo 1.21\n") == "1.21"
    assert go_directive("// comment\nmodule m\n") is None
    assert go_directive("module m\ngo 1.22 // trailing\ntoolchain go1.23.0\n") == "1.22"


def test_decode_corpus_file():
    assert decode_corpus_file('go test fuzz v1\nstring("0=\\"\\\\")\n') == ['0="\\']
    assert decode_corpus_file("go test fuzz v1\n[]byte(\"ab\")\nint(3)\n") == ["ab", "int(3)"]


def test_parse_version_m():
    text = ("/tmp/x: go1.26.8\n\tpath\thonnef.co/go/tools/cmd/staticcheck\n"
            "\tmod\thonnef.co/go/tools\tv0.8.2\th1:abc=\n\tdep\tgolang.org/x/mod\tv0.41.0\th1:def=\n"
            "\tdep\texample.com/old\tv1.0.0\n\t=>\texample.com/new\tv1.1.0\th1:ghi=\n"
            "\tbuild\t-buildmode=exe\n\tbuild\tCGO_ENABLED=1\n\tbuild\t-ldflags=\"-s -w\"\n")
    got = parse_version_m(text)
    assert got["go"] == "go1.26.8" and got["path"] == "honnef.co/go/tools/cmd/staticcheck"
    assert got["main"] == {"path": "honnef.co/go/tools", "version": "v0.8.2", "sum": "h1:abc="}
    assert [d["path"] for d in got["deps"]] == ["golang.org/x/mod", "example.com/old"]
    assert got["deps"][1]["replaced_by"] == "example.com/new v1.1.0 h1:ghi="
    assert got["build"] == {"-buildmode": "exe", "CGO_ENABLED": "1", "-ldflags": '"-s -w"'}


# ---------------------------------------------------------------- measurements (slow)

slow = pytest.mark.slow


@pytest.fixture(scope="module")
def loopvar():
    return measure.run("loopvar", "quick")


@pytest.fixture(scope="module")
def fuzz():
    return measure.run("fuzz_parser", "quick")


@pytest.fixture(scope="module")
def supply():
    return measure.run("supply_chain", "quick")


@pytest.fixture(scope="module")
def canary():
    return measure.run("canary_router", "quick")


@pytest.fixture(scope="module")
def chaos():
    return measure.run("chaos_faults", "quick")


@slow
def test_loopvar_semantics_follow_the_go_line(loopvar):
    s = loopvar["summary"]
    assert s["go121"]["bug_reproduced"] and s["nogoline"]["bug_reproduced"] and not s["go122"]["bug_reproduced"]
    assert s["go121"]["outputs"]["loop-capture"] == "c c c" and s["go122"]["outputs"]["loop-capture"] == "a b c"
    assert s["go121"]["vet_flags_loop"] and s["nogoline"]["vet_flags_loop"] and not s["go122"]["vet_flags_loop"]
    for key in ("go121", "go122", "nogoline"):
        assert s[key]["fix_ok"] and s[key]["outputs"]["seed-processItemSafe"] == "a b c"
    assert not s["seed_example"]["bug_reproduced"]


@slow
def test_loopvar_vet_agrees_with_plain_go_vet(go, tmp_path):
    from gohandbook.measure.loopvar import write_module

    done = go.run(["vet", "./..."], cwd=write_module(tmp_path / "old", "go121"), check=False)
    assert done.returncode != 0 and "loop variable item captured by func literal" in done.stderr
    assert go.run(["vet", "./..."], cwd=write_module(tmp_path / "new", "go122"), check=False).returncode == 0
    # the sample's own folder is a go 1.22 module: a reader's `go run .` there shows the new semantics
    assert go.run(["vet", "./..."], cwd=paths.samples_dir() / "loopvar", check=False).returncode == 0


@slow
def test_fuzzing_found_the_planted_bug_and_left_the_repo_clean(fuzz):
    s = fuzz["summary"]
    assert s["found_planted_bug"] and s["seconds_to_find"] <= s["fuzztime_s"]
    assert isinstance(s["crashing_input"], str) and s["crashing_input"].endswith("\\")
    assert "index out of range" in s["failure"]
    assert s["fixed_handles_crasher"] and s["fixed_passed"] and s["fixed_execs"] > 0
    assert not (paths.samples_dir() / "parser" / "testdata").exists()


@slow
def test_the_crasher_really_crashes_the_planted_parser_only(fuzz, go, tmp_path):
    """Independent check: a tiny program calls both versions with the saved input."""
    import shutil

    src = paths.samples_dir() / "parser"
    pkg = tmp_path / "parser"
    pkg.mkdir()
    for f in src.glob("*.go"):
        if not f.name.endswith("_test.go"):
            shutil.copy2(f, pkg / f.name)
    (pkg / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    crasher = fuzz["summary"]["crashing_input"]
    (pkg / "check_test.go").write_text(
        "package parser\n\nimport \"testing\"\n\nfunc TestCrasher(t *testing.T) {\n"
        f"\t_, _ = Parse({go_string(crasher)})\n}}\n")
    planted = go.run(["test", "-tags", "planted", "-run", "TestCrasher", "."], cwd=pkg, check=False, timeout=300)
    fixed = go.run(["test", "-run", "TestCrasher", "."], cwd=pkg, check=False, timeout=300)
    assert planted.returncode != 0 and "index out of range" in planted.stdout + planted.stderr
    assert fixed.returncode == 0


def go_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@slow
def test_module_inventory_matches_go_version_m(supply, go):
    s = supply["summary"]
    router = s["binaries"]["canary_router"]
    assert router["main"]["path"] == "gohandbook.example/samples" and router["deps"] == []
    assert router["path"] == "gohandbook.example/samples/canary"
    if "staticcheck" in s["binaries"]:
        sc = s["binaries"]["staticcheck"]
        assert sc["main"]["path"] == "honnef.co/go/tools" and sc["third_party"] >= 1
        gomod = (paths.samples_dir() / "tools" / "go.mod").read_text()
        assert sc["main"]["version"] in gomod
    v = s["govulncheck"]
    assert v["status"] in ("ran", "skipped", "failed") and (v["status"] == "ran" or v["reason"])


@slow
def test_canary_router_counts_agree_with_the_client_and_the_model(canary):
    s = canary["summary"]
    assert s["header_routing_ok"]
    rows = ch4.canary_comparison(measure.lookup("canary_router", "quick"))
    assert rows
    interval = s["settings"]["interval_s"]
    for r in rows:
        sc = s["scenarios"][r["scenario"]]
        # router and load generator agree: the client's 5xx are the router's canary errors before the decision plus
        # those of requests already in flight when it came (at most one per connection)
        assert r["measured_bad"] + r["bad_after_decision"] == r["measured_client_5xx"], r["label"]
        assert r["bad_after_decision"] <= s["settings"]["connections"]
        n_checks = r["checks"]
        assert r["measured_decided_s"] == pytest.approx(n_checks * interval, abs=0.25)
        if sc["canary_error_pct"] == 0:
            assert r["measured_state"] == "promoted" and r["measured_bad"] == 0
            assert n_checks == len(sc["steps_pct"])
        elif sc["canary_error_pct"] >= 5:
            assert r["measured_state"] == "rolled_back" and r["model_p_rollback"] > 0.99
            # bad requests are binomial around the model's expectation
            assert abs(r["measured_bad"] - r["model_bad"]) <= 4 * math.sqrt(r["model_bad"]) + 3


@slow
def test_chaos_faults_show_their_effect_and_recover(chaos):
    s = chaos["summary"]
    params = chaos["provenance"]["params"]
    lat = s["latency"]
    assert lat["during"]["p50_ms"] >= params["latency_ms"]
    assert lat["during"]["qps"] <= lat["qps_bound_little"] * 1.05
    err = s["error_rate"]["during"]
    assert err["error_pct"] == pytest.approx(params["error_pct"], abs=5)
    assert set(err["status_errors"]) == {"500"}
    assert s["cpu_hog"]["during"]["p99_ms"] > s["cpu_hog"]["before"]["p99_ms"]
    kill = s["kill"]
    assert kill["during"]["io_errors"] > 0 and kill["detail"]["exit_code"] == 137
    assert kill["detail"]["downtime_ms"] >= params["restart_delay_s"] * 1000
    for fault in s["faults"]:
        assert s[fault]["before"]["errors"] == 0
        assert s[fault]["after"]["errors"] == 0, fault


@slow
def test_fuzzing_leaves_no_files_in_the_repository():
    done = subprocess.run(["git", "status", "--porcelain", "--", "go-samples/parser"], capture_output=True, text=True,
                          cwd=paths.repo_root())
    assert "testdata" not in done.stdout
