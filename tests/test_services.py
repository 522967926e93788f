"""A profile's services: parsing, one-line errors, the statistics of a comparison, gates and chapter glue.
Fast: nothing here starts a service (tests/test_services_measure.py does)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gohandbook import ch1, services as S
from gohandbook.chapters import load_profile
from gohandbook.measure import team_services
from gohandbook.params import ParameterError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "profiles" / "orders-team.yaml"


def test_example_profile_parses_with_paths_resolved_against_its_folder():
    profile = load_profile(EXAMPLE)
    svcs = S.from_json(profile["services_json"])
    assert list(svcs) == ["current", "go"]
    cur, go = S.pair(svcs)
    assert cur["cwd"] == str(REPO / "data" / "example-services" / "orders-python")
    assert go["go_build"] == str(REPO / "data" / "example-services" / "orders-go") and go["role"] == "go"
    assert cur["requests"] == go["requests"]  # the YAML alias
    post = cur["requests"][2]
    assert post["method"] == "POST" and post["expect_status"] == 201
    assert post["headers"]["Content-Type"] == "application/json" and json.loads(post["body"])["customer"] == "c1"


def _services(tmp_path, spec, files=("app.py",)):
    for name in files:
        (tmp_path / name).write_text("print('x')\n")
    return S.parse_services(spec, tmp_path)


@pytest.mark.parametrize("spec, words", [
    ({"a": {"run": "python3 app.py --port {port}", "raedy": "/"}}, ["services.a.raedy", "unknown key", "ready"]),
    ({"a": {"cwd": "."}}, ["services.a", "needs exactly one of run, go_build or url"]),
    ({"a": {"run": "python3 app.py", "go_build": "."}}, ["services.a", "has run, go_build"]),
    ({"a": {"run": "python3 app.py --port 8080"}}, ["services.a.run", "{port}"]),
    ({"a": {"run": "python3 app.py {port}", "cwd": "nowhere"}}, ["services.a.cwd", "nowhere does not exist"]),
    ({"a": {"go_build": "missing-dir", "args": ["{port}"]}}, ["services.a.go_build", "does not exist"]),
    ({"a": {"url": "http://10.0.0.5:80"}}, ["services.a.url", "not a loopback"]),
    ({"a": {"url": "http://example.com:80"}}, ["services.a.url", "not a loopback"]),
    ({"a": {"url": "https://127.0.0.1:8443"}}, ["services.a.url", "http://127.0.0.1:PORT"]),
    ({"a": {"url": "http://127.0.0.1:9", "env": {"A": "1"}}}, ["services.a.env", "does not apply"]),
    ({"a": {"run": "x {port}", "requests": [{"path": "/q", "methd": "POST"}]}}, ["services.a.requests[0].methd"]),
    ({"a": {"run": "x {port}", "requests": ["no-slash"]}}, ["services.a.requests[0].path"]),
    ({"a": {"run": "x {port}", "requests": [{"path": "/", "method": "FETCH"}]}}, ["requests[0].method"]),
    ({"a": {"run": "x {port}", "expect_status": 700}}, ["services.a.expect_status", "100 to 599"]),
    ({"a": {"run": "x {port}", "requests": [{"path": "/", "body": "x", "json": {}}]}}, ["body or json"]),
    ({"a": {"run": "x {port}", "repeats": 0}}, ["services.a.repeats", "1 to 20"]),
    ({"a": {"run": "x {port}", "ship": ["missing.txt"]}}, ["services.a.ship", "missing.txt does not exist"]),
    ({"a": {"run": "x {port}", "role": "rewrite"}}, ["services.a.role", "current"]),
    ({"a": {"run": "x {port}", "ship_runtime": "ruby"}}, ["services.a.ship_runtime"]),
    ({"bad name": {"run": "x {port}"}}, ["services: the name"]),
])
def test_bad_services_fail_with_one_line_naming_service_and_key(tmp_path, spec, words):
    with pytest.raises(ParameterError) as err:
        _services(tmp_path, spec)
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)


def test_port_may_come_through_the_environment_and_loopback_urls_are_accepted(tmp_path):
    svcs = _services(tmp_path, {"a": {"run": ["node", "app.py"], "env": {"PORT": "{port}"}},
                                "b": {"url": "http://localhost:8080", "role": "go"},
                                "c": {"url": "http://[::1]:8080"}, "d": {"url": "http://127.1.2.3:80"}})
    assert svcs["a"]["cwd"] == str(tmp_path.resolve())  # a command runs in the profile's folder by default
    assert svcs["b"]["url"] == "http://localhost:8080" and svcs["b"]["role"] == "go"
    assert S.from_json(S.to_json(svcs)) == svcs  # a url: service survives the trip through services_json


def test_load_profile_still_rejects_unknown_names_and_wraps_service_errors(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("team_sise: 4\n")
    with pytest.raises(ParameterError, match="team_sise"):
        load_profile(bad)
    bad.write_text("services:\n  a: {run: 'python3 app.py'}\n")
    with pytest.raises(ParameterError, match=r"services\.a\.run: needs \{port\}"):
        load_profile(bad)
    bad.write_text("services: [a, b]\n")
    with pytest.raises(ParameterError, match="services: must be a mapping"):
        load_profile(bad)


def test_services_json_round_trips_and_defaults_to_none():
    profile = load_profile(EXAMPLE)
    assert S.from_json(profile["services_json"]) == S.from_json(S.to_json(S.from_json(profile["services_json"])))
    assert ch1.services(ch1.PARAMS.validate({})) == {}
    with pytest.raises(ParameterError, match="services_json"):
        S.from_json("{not json")


def test_content_hash_follows_only_what_each_service_runs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        (folder / "app.py").write_text("print(1)\n")
    svcs = S.parse_services({"a": {"run": "python3 app.py {port}", "cwd": "a"},
                             "b": {"run": "python3 app.py {port}", "cwd": "b", "role": "go"}}, tmp_path)
    before = {n: team_services.content_hash(s) for n, s in svcs.items()}
    (a / "app.py").write_text("print(2)\n")
    after = {n: team_services.content_hash(s) for n, s in svcs.items()}
    assert before["a"] != after["a"] and before["b"] == after["b"]
    pa = team_services.params_for(svcs["a"], "quick")
    assert json.loads(pa["service"])["content_hash"] == after["a"]


def test_go_content_hash_covers_the_module(tmp_path):
    mod = tmp_path / "svc"
    shutil.copytree(REPO / "data" / "example-services" / "orders-go", mod)
    svc = S.parse_services({"go": {"go_build": "svc", "args": ["-addr", "127.0.0.1:{port}"]}}, tmp_path)["go"]
    h1 = team_services.content_hash(svc)
    (mod / "main.go").write_text((mod / "main.go").read_text().replace("taxPct = 8", "taxPct = 9"))
    assert team_services.content_hash(svc) != h1


def test_median_interval_and_mann_whitney_match_known_values():
    low, high, conf = S.median_interval([5, 1, 4, 2, 3])
    assert (low, high) == (1, 5) and conf == pytest.approx(1 - 2 / 32)  # n = 5 cannot reach 95 %
    low, high, conf = S.median_interval(list(range(10)))
    assert (low, high) == (1, 8) and conf >= 0.95
    assert S.mann_whitney_p([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(2 / 252)
    assert S.mann_whitney_p([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]) == pytest.approx(0.6905, abs=1e-3)  # scipy's exact value
    assert S.mann_whitney_min_p(3, 3) == pytest.approx(0.1)


def test_compare_says_whether_a_difference_exceeds_the_spread():
    clear = S.compare("Requests/s", [100, 110, 105, 99, 101], [50, 52, 51, 49, 60], lower_is_better=False,
                      unit="req/s", digits=0)
    assert clear["significant"] and clear["go_better"] and "by more than the run-to-run spread" in clear["sentence"]
    noisy = S.compare("Requests/s", [100, 60, 105, 49, 101], [50, 110, 51, 99, 60], lower_is_better=False,
                      unit="req/s", digits=0)
    assert not noisy["significant"] and "no difference beyond the run-to-run spread" in noisy["sentence"]
    few = S.compare("p99", [1, 2, 3], [7, 8, 9], lower_is_better=True, unit="ms")
    assert not few["significant"] and "too few repeats" in few["sentence"] and "do not overlap" in few["sentence"]


def test_gates_say_what_they_were_measured_on(tmp_path):
    peers = ch1.PARAMS.validate({})
    assert "minimal peers" in ch1.gates_basis(peers)
    assert all("[minimal peers]" in g.detail for g in ch1.gates(peers, ch1.CHAPTER.results(peers))[:2])
    (tmp_path / "app.py").write_text("print(1)\n")
    svcs = S.parse_services({"cur": {"run": "python3 app.py {port}"},
                             "rewrite": {"run": "python3 app.py {port}", "role": "go"}}, tmp_path)
    params = ch1.PARAMS.validate({"services_json": S.to_json(svcs)})
    assert "your services: rewrite (Go rewrite) against cur" in ch1.gates_basis(params)
    gates = ch1.gates(params, ch1.CHAPTER.results(params))
    assert [g.passed for g in gates[:2]] == [None, None]  # never measured: undecided, and says so
    assert "rewrite not measured yet" in gates[0].detail and "gohandbook validate" in gates[0].detail
    rows = ch1.service_rows(params)
    assert [r["Service"] for r in rows] == ["cur", "rewrite"] and rows[0]["Status"].startswith("not measured")


def test_validate_without_services_fails_with_one_line(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("team_size: 3\n")
    done = subprocess.run([sys.executable, "-m", "gohandbook.cli", "validate", str(profile)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "has no services: mapping" in done.stderr
    assert "Traceback" not in done.stderr


def test_example_profile_yaml_is_what_the_readme_shows():
    readme = (REPO / "README.md").read_text()
    assert "gohandbook validate data/profiles/orders-team.yaml" in readme
    for key in S.SERVICE_KEYS:  # every key is documented
        assert f"`{key}`" in readme, key
    assert yaml.safe_load(EXAMPLE.read_text())["services"]["go"]["go_build"] == "../example-services/orders-go"


def test_reports_and_batches_resolve_service_paths_against_the_profile(tmp_path, monkeypatch):
    from gohandbook.report import prepare_profile

    monkeypatch.chdir(tmp_path)  # not the repository: relative paths must start at the profile's folder
    profile = prepare_profile(EXAMPLE, full=False)
    cur, go = S.pair(S.from_json(profile["services_json"]))
    assert Path(cur["cwd"]).is_dir() and Path(go["go_build"]).is_dir()
    assert "[your services]" in ch1.gates(profile, ch1.CHAPTER.results(profile))[0].detail \
        or "your services" in ch1.gates(profile, ch1.CHAPTER.results(profile))[0].detail


def _fake_quick_validation():
    from gohandbook import measure

    def rt(label, qps, rss, start):
        s = lambda v: {"median": v, "min": v * 0.9, "max": v * 1.1, "n": 3, "values": [v * 0.9, v, v * 1.1]}
        return {"available": True, "label": label, "version": "x", "startup_ms": s(start), "rss_first_mib": s(rss),
                "rss_after_requests_mib": s(rss), "rss_load_mib": s(rss), "qps": s(qps), "p50_ms": s(1.0),
                "p99_ms": s(2.0), "errors": 0, "artifact_mib": 10.0}
    result = {"key": "k" * 16, "summary": {"runtimes": {"go": rt("Go", 1000, 10, 5), "node": rt("Node", 500, 40, 50),
                                                         "java": rt("Java", 900, 80, 300)},
                                            "setup": {"server_cpu": "CPU 0", "loadgen_cpu": "CPU 1"}},
              "provenance": {"host": {"cpu_model": "cpu", "cores": 2, "memory_gib": 1, "os": "os"},
                             "go": {"version": "go1.x"}, "finished": "2026-12-01T00:00:00", "preset": "quick"}}
    return measure.Lookup(result, "current")


def test_current_stack_control_rereads_the_cache_and_moves_the_gates(monkeypatch):
    import ipywidgets as W

    import widgets.render as render
    from widgets import ch1 as ui

    fake = _fake_quick_validation()
    reads = []
    monkeypatch.setattr(type(ch1.CHAPTER), "results", lambda self, params: (reads.append(params["current_stack"]),
                                                                             {"quick_validation": fake,
                                                                              "go_binary_size": fake,
                                                                              "static_analysis": fake})[1])
    monkeypatch.setattr(type(ch1.CHAPTER), "lookup", lambda self, params, name: (reads.append(params["current_stack"]),
                                                                                 fake)[1])
    shown = []
    monkeypatch.setattr(render, "display", lambda obj: None)
    monkeypatch.setattr("IPython.display.display", shown.append)
    params = ch1.PARAMS.validate({"current_stack": "node", "live_widgets": True})
    ui.validation_section(params)
    ui.gates_section(params)
    from widgets import controls

    peers = controls.SHOWN[(1, "peers")]            # the current-stack panel, built from the declaration
    assert peers.box in shown
    stack, chart, sentences = peers.controls["current_stack"], peers.views["chart"], peers.views["comparison"]
    gates = next(w for w in shown if isinstance(w, W.HTML))
    text = lambda w: w.value.replace("<wbr>", "")  # noqa: E731 (tables may break long words)
    assert stack.value == "node" and "Go/node" in text(gates) and "current 50.0 ms" in text(sentences)
    title_before, reads_before = str(chart.chart.to_dict()["title"]), len(reads)
    stack.value = "java"
    assert len(reads) > reads_before and reads[-1] == "java"  # moving it re-reads the cache
    assert "Go/java" in text(gates) and "minimal peers" in text(gates)
    assert str(chart.chart.to_dict()["title"]) != title_before and "Java" in str(chart.chart.to_dict()["title"])
    assert "current 300.0 ms" in text(sentences)
