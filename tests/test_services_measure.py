"""`gohandbook validate` on real processes: the worked example, every failure path, process-tree memory,
no process left behind (also on Ctrl-C), and re-measuring only the service that changed."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gohandbook import services as S
from gohandbook.measure import team_services

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
GOHANDBOOK = [sys.executable, "-m", "gohandbook.cli"]

# A tiny JSON service: /healthz, /echo; CHILD_MIB > 0 starts a child process holding that much memory
# (a worker), MODE=500 answers 500 to everything, MODE=wrong answers 200 with the wrong body.
SERVER = textwrap.dedent('''
    import json, os, subprocess, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    MODE = os.environ.get("MODE", "ok")
    child = None
    if int(os.environ.get("CHILD_MIB", "0")):
        child = subprocess.Popen([sys.executable, "-c",
            "import time; x = bytearray(%d * 2**20); x[::4096] = b'1' * len(x[::4096]); time.sleep(600)"
            % int(os.environ["CHILD_MIB"]), "MARKER"])
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            status, body = 200, {"answer": 42}
            if MODE == "500":
                status = 500
            elif MODE == "wrong":
                body = {"answer": 41}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def log_message(self, *a):
            pass
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
''')


def marker_processes(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and "pytest" not in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "server.py").write_text(SERVER)
    # These tests check behaviour, not timings: a private measurement lock, so they do not queue behind
    # (or hold up) real measurements on the machine.
    monkeypatch.setenv("GOHANDBOOK_MEASURE_LOCK", str(tmp_path / "measure.lock"))
    return tmp_path


def write_profile(folder: Path, services: str) -> Path:
    profile = folder / "team.yaml"
    profile.write_text("profile_name: team\nservices:\n" + textwrap.indent(textwrap.dedent(services), "  "))
    return profile


def test_the_worked_example_validates_and_prints_json():
    done = subprocess.run([*GOHANDBOOK, "validate", str(REPO / "data/profiles/orders-team.yaml"), "--json"],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    assert set(doc["services"]) == {"current", "go"}
    for name, row in doc["services"].items():
        assert row["status"] == "measured", (name, row)
        for key in ("message", "start_ms", "rss_first_mib", "rss_peak_mib", "qps", "p50_ms", "p99_ms", "errors",
                    "shipped_bytes"):
            assert key in row, key
        assert row["errors"] == 0 and row["qps"] > 0 and 0 < row["rss_first_mib"] <= row["rss_peak_mib"] * 1.05
        assert doc["provenance"][name]["go"]["version"].startswith("go")
    go_binary = next(p for p in doc["provenance"]["go"]["params"]["service"].split('"') if "orders-go" in p)
    assert go_binary.endswith("orders-go")
    assert [m["metric"] for m in doc["compared"]["metrics"]][:1] == ["Start → first 2xx"]
    assert all("run-to-run spread" in m["sentence"] for m in doc["compared"]["metrics"])
    # the user's go.mod is untouched and no go.sum appeared (-mod=readonly)
    assert not (REPO / "data/example-services/orders-go/go.sum").exists()


def test_failures_are_reported_and_the_others_still_measured(folder, tmp_cache):
    marker = f"gh-svc-test-{os.getpid()}"
    (folder / "broken").mkdir()
    (folder / "broken" / "go.mod").write_text("module example.com/broken\n\ngo 1.22\n")
    (folder / "broken" / "main.go").write_text("package main\n\nfunc main() { this is not Go }\n")
    profile = write_profile(folder, f"""
        good:
          run: [python3, server.py, "{{port}}", {marker}]
          env: {{CHILD_MIB: "40"}}
          requests: [{{path: /echo, expect_body: '"answer": 42'}}]
          repeats: 2
          load_seconds: 0.5
          warmup_seconds: 0
          connections: 2
        exits:
          run: [python3, -c, "import sys; print('boom on stderr', file=sys.stderr); sys.exit(3)", "{{port}}"]
        daemonises:
          run: [sh, -c, "setsid python3 -c 'import time; time.sleep(300)  # {marker}' & sleep 0.5; exit 4", "{{port}}"]
        never_ready:
          run: [python3, -c, "import time; time.sleep(120)", "{{port}}", {marker}]
          start_timeout: 2
        answers_500:
          run: [python3, server.py, "{{port}}", {marker}]
          env: {{MODE: "500"}}
          start_timeout: 2
        wrong_body:
          role: go
          run: [python3, server.py, "{{port}}", {marker}]
          env: {{MODE: wrong}}
          requests: [{{path: /echo, expect_body: '"answer": 42'}}]
        build_fails:
          go_build: broken
          args: ["-addr", "127.0.0.1:{{port}}"]
    """)
    done = subprocess.run([*GOHANDBOOK, "validate", str(profile), "--json"], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 1, done.stderr[-3000:]
    rows = json.loads(done.stdout)["services"]
    assert rows["good"]["status"] == "measured" and rows["good"]["errors"] == 0
    # RSS of the whole process tree: the worker child's 40 MiB counts
    assert rows["good"]["rss_peak_mib"] >= 40 and rows["good"]["processes"] >= 2
    expected = {"exits": "exited with code 3", "daemonises": "exited with code 4", "never_ready": "not ready within 2 s",
                "answers_500": "answered 500", "wrong_body": "without '\"answer\": 42' in its body",
                "build_fails": "go build failed"}
    for name, words in expected.items():
        assert rows[name]["status"] == "failed", (name, rows[name])
        assert words in rows[name]["message"], (name, rows[name]["message"])
    assert "boom on stderr" in rows["exits"]["output_tail"]
    assert "main.go" in rows["build_fails"]["output_tail"]
    assert not marker_processes(marker)
    # the table says the same, with the reason and the output
    done = subprocess.run([*GOHANDBOOK, "validate", str(profile)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 1 and "exits: FAILED: exited with code 3" in done.stdout and "boom" in done.stdout


def test_ctrl_c_leaves_no_process_behind(folder, tmp_cache):
    marker = f"gh-svc-int-{os.getpid()}"
    # a service whose child moved to its own session (setsid) and never becomes ready
    profile = write_profile(folder, f"""
        slow:
          run: [python3, -c, "import subprocess, time; subprocess.Popen(['setsid', 'python3', '-c', 'import time; time.sleep(300) # {marker}']); time.sleep(300)", "{{port}}", {marker}]
          start_timeout: 60
    """)
    child = subprocess.Popen([*GOHANDBOOK, "validate", str(profile)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    deadline = time.time() + 120
    while len(marker_processes(marker)) < 2 and time.time() < deadline:
        time.sleep(0.2)
    assert len(marker_processes(marker)) >= 2, "the service and its child never started"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 130, err[-2000:]
    time.sleep(0.5)
    assert not marker_processes(marker)


def test_editing_one_service_measures_only_that_one_again(folder, tmp_cache):
    for name in ("a", "b"):
        (folder / name).mkdir()
        (folder / name / "server.py").write_text(SERVER)
    raw = {name: {"run": ["python3", "server.py", "{port}"], "cwd": name, "role": role, "repeats": 1,
                  "load_seconds": 0.5, "warmup_seconds": 0, "connections": 2}
           for name, role in (("a", "current"), ("b", "go"))}
    svcs = S.parse_services(raw, folder)
    first = team_services.validate(svcs)
    assert all(r["summary"]["status"] == "measured" for r in first.values())
    assert {n: team_services.lookup(s).status for n, s in svcs.items()} == {"a": "current", "b": "current"}
    (folder / "a" / "server.py").write_text(SERVER + "\n# edited\n")
    found = {n: team_services.lookup(s) for n, s in svcs.items()}
    assert found["a"].status == "stale" and "the service's files changed" in found["a"].reason
    assert found["b"].status == "current"
    second = team_services.validate(svcs)
    assert second["b"]["key"] == first["b"]["key"] and second["b"]["provenance"] == first["b"]["provenance"]
    assert second["a"]["key"] != first["a"]["key"]


def test_chapter1_shows_your_services_and_gates_on_them(monkeypatch):
    """Chapter 1's sections in report mode, in-process (the notebook only calls them; papermill runs of the
    chapter are in test_notebooks.py)."""
    import widgets.render as render
    from gohandbook import ch1
    from gohandbook.chapters import chapter_params, load_profile
    from widgets import ch1 as ui

    profile = load_profile(REPO / "data/profiles/orders-team.yaml")
    team_services.validate(S.from_json(profile["services_json"]))  # cached after the worked-example test
    shown = []
    monkeypatch.setattr(render, "display", lambda obj: shown.append(getattr(obj, "data", "") or ""))
    params = ch1.PARAMS.validate({**chapter_params(ch1.CHAPTER, profile), "live_widgets": False})
    ui.services_section(params)
    ui.gates_section(params)
    text = "\n".join(shown)
    assert "Measured on your services: go (Go rewrite) against current (current)" in text
    assert "[your services]" in text and "[minimal peers]" not in text
    assert "go build " in text and "run-to-run spread" in text and "<svg" in text


def test_example_go_rewrite_is_gofmt_vet_and_test_clean(go):
    from gohandbook import proc

    module = REPO / "data/example-services/orders-go"
    goroot = go.run(["env", "GOROOT"], cwd=module).stdout.strip()
    assert proc.run([f"{goroot}/bin/gofmt", "-l", str(module)], timeout=120, check=True).stdout == ""
    go.run(["vet", "./..."], cwd=module)
    go.run(["test", "./..."], cwd=module)
