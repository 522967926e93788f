"""Fault injection: each defect of issue 16 reproduced, and checked for a clear message, nothing left
running, the cache intact and the earlier report intact.

1. corrupt or foreign cache files, non-UTF-8 and empty profiles
2. `%%go` programs without a memory limit, and children (also `setsid` ones) outliving the cell
3. `kill -9` of a report leaving workers and kernels running; stale temporary folders; two runs, one --out
5. a full disk, a GOHANDBOOK_GO pointing at nothing, free-text parameters without their grammar,
   and command-line errors ending in a traceback

Command-line cases run `gohandbook` through a small harness that replaces the measurements with
nothing and the chapters with a one-cell notebook, so each case takes seconds, not minutes.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from gohandbook import batch, proc, report
from gohandbook.cache import Cache
from gohandbook.chapters import load_profile
from gohandbook.params import ParameterError

from .conftest import REPO

HARNESS = '''
import os, sys
from pathlib import Path
from gohandbook import batch, cli, report
from gohandbook.ch1 import PARAMS
from gohandbook.chapters import Chapter

NB = os.environ.get("FAULT_NOTEBOOK", "")


class FaultChapter(Chapter):
    @property
    def path(self):
        return Path(NB)


CHAPTERS = (FaultChapter(1, Path(NB).name, "Fault chapter", PARAMS),) if NB else ()
# At module level, so that spawned worker processes (which import this file) get the same.
report.chapters = batch.chapters = lambda: CHAPTERS
report.measure_all = batch.measure_all = lambda *a, **k: {}

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
'''


# ------------------------------------------------------------------ helpers

def carrying(marker: str) -> list[int]:
    """Live processes whose environment carries FAULT_RUN=marker (everything a harness run started)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(f"/proc/{entry.name}/environ").read_bytes()
            state = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"FAULT_RUN={marker}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


class Harness:
    """`gohandbook ARGS` with no measurements and at most one small chapter; every process it starts
    carries a marker in its environment, so a test can check that none is left."""

    def __init__(self, tmp_path: Path, cell: str | None = None, **env):
        self.script = tmp_path / "harness.py"
        self.script.write_text(HARNESS)
        self.marker = uuid.uuid4().hex
        self.env = dict(os.environ, FAULT_RUN=self.marker, GOHANDBOOK_CACHE=str(tmp_path / "cache"),
                        GOHANDBOOK_MEASURE_LOCK=str(tmp_path / "measure.lock"), PYTHONUNBUFFERED="1", **env)
        self.env.pop("GOHANDBOOK_TRACEBACK", None)
        if cell is not None:
            self.env["FAULT_NOTEBOOK"] = str(notebook(tmp_path / "01-fault.ipynb", cell))

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(self.script), *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, str(self.script), *args], env=self.env, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

    def left_running(self) -> list[str]:
        return [cmdline(pid) for pid in carrying(self.marker)]

    def kill_leftovers(self) -> None:
        for pid in carrying(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def one_clear_line(stderr: str) -> str:
    """The error line of a failed command: no traceback anywhere, the last line starts with `error:`."""
    assert "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("error: "), stderr
    return last


def earlier_report(out: Path) -> Path:
    out.mkdir(parents=True)
    (out / "index.html").write_text("earlier good report")
    return out


def valid_result(name: str, key: str) -> dict:
    return {"name": name, "key": key, "title": name, "chapter": 1, "summary": {"value": 1}, "raw": {}, "notes": [],
            "provenance": {"host": {"cpu_model": "cpu", "cores": 2, "memory_gib": 1.0, "os": "Linux"},
                           "host_id": "x", "go": {"version": "go1.0", "path": "go", "platform": "linux/amd64",
                                                  "source": "PATH"},
                           "params": {}, "preset": "quick", "sample_hash": "", "code_version": 0,
                           "started": "2026-01-01T00:00:00+00:00", "finished": "2026-01-01T00:00:00+00:00"}}


# ------------------------------------------------------------------ 1. corrupt cache, bad profiles

def test_corrupt_cache_files_are_named_set_aside_and_the_command_goes_on(tmp_path):
    harness = Harness(tmp_path)
    folder = tmp_path / "cache" / "results" / "go_binary_size"
    folder.mkdir(parents=True)
    bad = {"latin1.json": "{\"name\": \"caf\xe9\"}".encode("latin-1"), "list.json": b"[]", "empty-object.json": b"{}",
           "truncated.json": b'{"name": '}
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    good = folder / "good.json"
    good.write_text(json.dumps(valid_result("go_binary_size", "good")))
    good_bytes = good.read_bytes()

    done = harness.run("claims", "--chapter", "1")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for name in bad:  # each named, and where it went
        assert f"cache file {folder / name} is not a valid result" in done.stderr, done.stderr
    assert "not UTF-8" in done.stderr and "a JSON list, not an object" in done.stderr
    # set aside, kept byte for byte; the good result untouched
    kept = {p.name.split(".json")[0] + ".json": p.read_bytes() for p in (tmp_path / "cache" / "corrupt").rglob("*.json*")}
    assert kept == bad
    assert good.read_bytes() == good_bytes and sorted(p.name for p in folder.iterdir()) == ["good.json"]
    assert harness.left_running() == []


def test_cache_reader_treats_a_foreign_file_as_missing(tmp_path):
    cache = Cache(tmp_path)
    cache.path("m", "k").parent.mkdir(parents=True)
    cache.path("m", "k").write_text('{"summary": []}')
    assert cache.get("m", "k") is None and cache.latest("m") is None
    assert list((tmp_path / "corrupt").rglob("k.json*"))


def test_bad_profiles_fail_alone_and_the_good_one_gets_its_report(tmp_path, monkeypatch):
    monkeypatch.setenv("GOHANDBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(batch, "chapters", lambda: ())
    monkeypatch.setattr(batch, "measure_all", lambda *a, **k: {})
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "good.yaml").write_text("team_size: 5\n")
    (profiles / "latin1.yaml").write_bytes("profile_name: caf\xe9\nteam_size: 4\n".encode("latin-1"))
    (profiles / "empty.yaml").write_text("")
    (profiles / "comments-only.yaml").write_text("# nothing here\n")
    said = []
    results = {r.source.rsplit("/", 1)[1]: r for r in batch.build_batch([profiles], tmp_path / "out", workers=1,
                                                                          say=said.append)}
    assert results["good.yaml"].ok and (results["good.yaml"].out / "index.html").exists()
    assert not results["latin1.yaml"].ok and "is not UTF-8 text" in results["latin1.yaml"].error
    for empty in ("empty.yaml", "comments-only.yaml"):
        assert not results[empty].ok and "is empty" in results[empty].error
    assert any("latin1.yaml" in line and "UTF-8" in line for line in said)


def test_report_refuses_an_empty_or_non_utf8_profile_with_one_line(tmp_path):
    harness = Harness(tmp_path)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    done = harness.run("report", "--profile", str(empty), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and f"profile file {empty} is empty" in one_clear_line(done.stderr)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"team_size: 4 # \xe9\n")
    done = harness.run("report", "--profile", str(latin), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "is not UTF-8 text" in one_clear_line(done.stderr)
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ 2. %%go: memory, children

@pytest.mark.slow
def test_go_cell_stops_at_its_memory_limit_and_says_so(go):
    from gohandbook import snippets
    from widgets import gomagic

    hog = ("var keep [][]byte\nfor {\n    b := make([]byte, 64<<20)\n    for i := range b { b[i] = 1 }\n"
           "    keep = append(keep, b)\n}")
    t0 = time.monotonic()
    result = snippets.run_snippet(hog, memory_mib=1024, timeout=60, go=go)
    assert result.memory_limited and not result.timed_out and result.exit_code not in (0, None)
    assert time.monotonic() - t0 < 50
    assert "1024 MiB memory limit" in snippets.describe(result)
    assert "raise --memory" in gomagic.render_text(result, hog) and "raise --memory" in gomagic.render_html(result, hog)
    with pytest.raises(snippets.SnippetError, match="memory = 10 MiB is not allowed"):
        snippets.run_snippet("fmt.Println(1)", memory_mib=10, go=go)


SPAWNING_CELL = """
import (
    "os/exec"
    "syscall"
)

plain := exec.Command("sleep", "300")
plain.Start()
detached := exec.Command("sleep", "301")
detached.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
detached.Start()
fmt.Println(plain.Process.Pid, detached.Process.Pid)
"""


@pytest.mark.slow
def test_every_process_a_go_cell_started_ends_with_the_cell(go):
    from gohandbook import snippets

    result = snippets.run_snippet(SPAWNING_CELL, go=go)
    assert result.ok, (result.compile_errors, result.stderr)
    pids = [int(x) for x in result.stdout.split()]
    try:
        assert wait_until(lambda: not any(alive(pid) for pid in pids), 3), [cmdline(p) for p in pids]
    finally:
        for pid in pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_setsid_grandchildren_of_any_engine_command_end_with_it(tmp_path):
    marker = tmp_path / "pids"
    script = (f"setsid sleep 302 >/dev/null 2>&1 & echo $! >> {marker}; "
              f"(setsid sh -c 'echo $$ >> {marker}; exec sleep 303' >/dev/null 2>&1 &); "
              f"while [ $(wc -l < {marker}) -lt 2 ]; do sleep 0.01; done; echo started")
    done = proc.run(["sh", "-c", script], timeout=10)
    assert done.stdout.strip() == "started"
    pids = [int(x) for x in marker.read_text().split()]
    try:
        assert wait_until(lambda: not any(alive(pid) for pid in pids), 3)
    finally:
        for pid in pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


# ------------------------------------------------------------------ 3. kill -9, stale folders, one run per --out

@pytest.mark.slow
@pytest.mark.parametrize("command", ["report", "batch"])
def test_kill_9_of_a_report_ends_its_workers_and_their_kernels(tmp_path, command):
    harness = Harness(tmp_path, cell="import time\ntime.sleep(120)")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "team.yaml").write_text("team_size: 3\n")
    where = [str(profiles)] if command == "batch" else []
    run = harness.start(command, *where, "--out", str(tmp_path / "out"), "--workers", "2")
    try:
        kernel_up = wait_until(lambda: any("ipykernel" in cmdline(p) for p in carrying(harness.marker)), 90, 0.3)
        assert kernel_up, run.stdout.read1().decode(errors="replace") if run.poll() is not None else "no kernel"
        assert len(carrying(harness.marker)) >= 3  # the run, a worker, its kernel
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=10)
        assert wait_until(lambda: not harness.left_running(), 15), harness.left_running()
    finally:
        run.kill()
        harness.kill_leftovers()


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_new_run_removes_temporary_folders_of_dead_runs(tmp_path):
    out = tmp_path / "default"
    dead = _dead_pid()
    stale = tmp_path / f".default.tmp-{dead}"
    (stale / "notebooks").mkdir(parents=True)
    (stale / "notebooks" / "half.ipynb").write_text("{")
    aside = tmp_path / f".default.old-{dead}"  # a dead run had moved the earlier report aside
    aside.mkdir()
    (aside / "index.html").write_text("earlier good report")
    live = tmp_path / f".default.tmp-{os.getppid()}"  # a running process's folder is left alone
    live.mkdir()
    other = tmp_path / f".other.tmp-{dead}"  # another output's folder is that run's business
    other.mkdir()
    work = report.work_dir(out)
    try:
        assert not stale.exists() and not aside.exists() and live.exists() and other.exists()
        assert (out / "index.html").read_text() == "earlier good report"  # put back where it was
    finally:
        shutil.rmtree(work)
    batch_root = tmp_path / "batch"
    (batch_root / f".team-a.tmp-{dead}").mkdir(parents=True)
    report.clean_stale(batch_root, any_name=True)
    assert list(batch_root.iterdir()) == []


def test_a_second_run_for_the_same_out_is_refused_with_one_line(tmp_path):
    harness = Harness(tmp_path)
    out = earlier_report(tmp_path / "default")
    with report.output_lock(out):
        done = harness.run("report", "--out", str(out))
    line = one_clear_line(done.stderr)
    assert done.returncode == 1
    assert f"another gohandbook run (pid {os.getpid()}) is writing {out}" in line
    assert (out / "index.html").read_text() == "earlier good report"
    assert not list(tmp_path.glob(".default.tmp-*"))


def test_the_lock_is_taken_in_process_too(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "measure_all", lambda *a, **k: pytest.fail("measured while another run writes"))
    out = tmp_path / "default"
    with report.output_lock(out):
        with pytest.raises(report.ReportError, match="another gohandbook run"):
            report.build_report(None, out, say=lambda m: None, workers=1)
        with pytest.raises(report.ReportError, match="another gohandbook run"):
            batch.build_batch([], out, say=lambda m: None)


# ------------------------------------------------------------------ 5. disk full, GOHANDBOOK_GO, grammar, one line

@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def fill(disk: Path, leave: int) -> None:
    """Fill the file system, then free `leave` bytes."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave))


@pytest.mark.slow
def test_full_disk_one_line_failed_run_kept_earlier_report_intact(tmp_path, small_disk):
    harness = Harness(tmp_path, cell="print('x' * 100_000)")
    out = earlier_report(small_disk / "default")
    cache_file = tmp_path / "cache" / "results" / "m" / "k.json"
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text(json.dumps(valid_result("m", "k")))
    fill(small_disk, leave=16 * 1024)
    done = harness.run("report", "--out", str(out), "--workers", "1")
    line = one_clear_line(done.stderr)
    assert done.returncode == 1
    assert "No space left on device" in line and "NotJSONError" not in done.stderr
    failed = sorted(small_disk.glob("default-failed-*"))
    assert len(failed) == 1 and f"the failed run is kept in {failed[0]}" in line
    assert (out / "index.html").read_text() == "earlier good report"
    assert json.loads(cache_file.read_text())["key"] == "k"
    assert not list(small_disk.glob(".default.tmp-*"))
    assert harness.left_running() == []


def test_gohandbook_go_pointing_at_nothing_is_an_error(tmp_path):
    harness = Harness(tmp_path, GOHANDBOOK_GO=str(tmp_path / "no-such-go"))
    done = harness.run("claims", "--chapter", "1")
    assert done.returncode == 1
    assert f"GOHANDBOOK_GO={tmp_path / 'no-such-go'}: no such file" in one_clear_line(done.stderr)


def test_free_text_parameters_follow_their_grammar():
    assert load_profile({"ch2_gc_memlimit": "128MiB"})["ch2_gc_memlimit"] == "128MiB"
    with pytest.raises(ParameterError, match=r"ch2_gc_memlimit = 'lots' is not allowed: allowed is all, off, or a "
                                             r"GOMEMLIMIT size"):
        load_profile({"ch2_gc_memlimit": "lots"})
    with pytest.raises(ParameterError, match="mig_friction_extra = 'typing=9' is not allowed"):
        load_profile({"mig_friction_extra": "typing=9"})
    with pytest.raises(ParameterError, match="canary_custom_steps = 'soon' is not allowed"):
        load_profile({"canary_custom_steps": "soon"})


def test_an_unwritable_output_folder_is_one_line(tmp_path):
    harness = Harness(tmp_path)
    done = harness.run("report", "--out", "/proc/gohandbook-report")
    assert done.returncode == 1 and "cannot write the report at /proc/gohandbook-report" in one_clear_line(done.stderr)
