"""Child processes that always end: own process group, timeout, guaranteed clean-up.

Every process the handbook starts goes through `run` (bounded commands) or `Server`
(long-running services). Both put the child in its own session so that the whole
group (including grandchildren, e.g. a launcher that execs a runtime) can be killed,
and both kill it on timeout, error, KeyboardInterrupt and interpreter exit.

A process group does not catch a grandchild that calls `setsid` (Go's `Setsid: true`) or
double-forks. So every child also carries a tag in its environment (`GOHANDBOOK_PROC`,
inherited by everything it starts), and ending a child ends every live process with its tag,
whatever its session. The handbook's process is a child subreaper (PR_SET_CHILD_SUBREAPER),
so orphans of its children are re-parented to it and it reaps the ones it kills. Children
get SIGKILL when the handbook dies (PR_SET_PDEATHSIG) and optionally an address-space
limit (RLIMIT_AS), so one runaway program cannot exhaust the machine.
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import os
import resource
import signal
import socket
import subprocess
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
TAG_VAR = "GOHANDBOOK_PROC"  # "tag:tag:…": one tag per handbook spawn this process descends from
_live: "weakref.WeakSet[subprocess.Popen]" = weakref.WeakSet()
_live_lock = threading.Lock()
_tags = itertools.count(1)
_subreaper_pid = 0

try:  # resolved once in the parent: a forked child of a threaded process must not dlopen
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


class ProcessError(RuntimeError):
    """A child process failed; the message says which command and why."""


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG). Used between
    fork and exec of every child, as the initialiser of worker processes, and for their kernels."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_die_with_parent = die_with_parent  # the name other modules used


def _become_subreaper() -> None:
    """Orphans of this process's children come back to it (not to init), so it can reap them."""
    global _subreaper_pid
    if _prctl is not None and _subreaper_pid != os.getpid():
        _prctl(_PR_SET_CHILD_SUBREAPER, 1)
        _subreaper_pid = os.getpid()


def _child_setup(mem_limit: int | None):
    def setup() -> None:  # runs in the child between fork and exec: nothing that allocates much
        die_with_parent()
        if mem_limit:
            resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))
    return setup


def tagged(tag: str) -> list[int]:
    """Live processes (not zombies) whose environment carries `tag`: everything a spawn started,
    also what left its session or was re-parented."""
    want = tag.encode()
    found = []
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as handle:
                environ = handle.read()
        except OSError:  # gone, or another user's
            continue
        for var in environ.split(b"\0"):
            if var.startswith(TAG_VAR.encode() + b"=") and want in var.split(b"=", 1)[1].split(b":"):
                found.append(int(entry.name))
                break
    return found


def sweep(tag: str, rounds: int = 5) -> int:
    """SIGKILL every live process carrying `tag` and reap those that are this process's children;
    returns how many were killed. Repeated because a dying parent may still be forking."""
    killed: set[int] = set()
    for _ in range(rounds):
        pids = tagged(tag)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)
    deadline = time.monotonic() + 2.0
    pending = set(killed)
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child: its own parent (or init) reaps it
                pending.discard(pid)
                continue
            if done:
                pending.discard(pid)
        if pending:
            time.sleep(0.01)
    return len(killed)


def kill_group(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """SIGTERM the child's process group, then SIGKILL whatever is left after `grace` seconds,
    and whatever else carries its tag (children that left the group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    # The leader may have exited while other members of its group live on.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    if getattr(proc, "gh_tag", None):
        sweep(proc.gh_tag)
    with _live_lock:
        _live.discard(proc)


@atexit.register
def _kill_all_live() -> None:
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        kill_group(proc, grace=1.0)


def _spawn(cmd: Sequence[str], *, env: Mapping[str, str] | None, cwd: str | Path | None,
           stdout, stderr, stdin=subprocess.DEVNULL, mem_limit: int | None = None) -> subprocess.Popen:
    _become_subreaper()
    tag = f"{os.getpid()}.{next(_tags)}"
    env = dict(os.environ if env is None else env)
    env[TAG_VAR] = f"{env[TAG_VAR]}:{tag}" if env.get(TAG_VAR) else tag
    try:
        proc = subprocess.Popen(
            [str(c) for c in cmd], env=env,
            cwd=str(cwd) if cwd else None, stdout=stdout, stderr=stderr, stdin=stdin,
            start_new_session=True, preexec_fn=_child_setup(mem_limit),
        )
    except FileNotFoundError as exc:
        raise ProcessError(f"cannot start {cmd[0]!r}: not found") from exc
    proc.gh_tag = tag
    with _live_lock:
        _live.add(proc)
    return proc


def start(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | Path | None = None,
          capture: bool = True) -> subprocess.Popen:
    """Start a child in its own process group, tracked so that it is killed at exit at the latest.

    The caller must end it with `kill_group` (in a `finally`), or wait for it.
    """
    pipe = subprocess.PIPE if capture else subprocess.DEVNULL
    return _spawn(cmd, env=env, cwd=cwd, stdout=pipe, stderr=pipe)


@dataclass
class Completed:
    cmd: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def check(self, what: str = "") -> "Completed":
        if self.returncode != 0:
            tail = (self.stderr or self.stdout).strip().splitlines()[-15:]
            raise ProcessError(
                f"{what or self.cmd[0]} failed (exit {self.returncode}): {' '.join(self.cmd)}\n"
                + "\n".join(tail)
            )
        return self


def run(cmd: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None, check: bool = False, what: str = "",
        mem_limit: int | None = None) -> Completed:
    """Run a bounded command, capturing text output; kill its group on timeout or interrupt, and
    when it ends, whatever it started and left behind. `mem_limit`: address-space limit in bytes."""
    start = time.perf_counter()
    proc = _spawn(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, mem_limit=mem_limit)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise ProcessError(f"{what or cmd[0]} timed out after {timeout:g} s: {' '.join(map(str, cmd))}")
    except BaseException:
        kill_group(proc)
        raise
    finally:
        with _live_lock:
            _live.discard(proc)
    seconds = time.perf_counter() - start  # the command's own time, not the clean-up's
    _end_leftovers(proc)
    done = Completed([str(c) for c in cmd], proc.returncode, out.decode(errors="replace"),
                     err.decode(errors="replace"), seconds)
    return done.check(what) if check else done


def _end_leftovers(proc: subprocess.Popen) -> None:
    """The command ended: nothing it started may outlive it (background children, `setsid` ones).
    By tag, not by process group: the group's id may already belong to someone else."""
    sweep(proc.gh_tag)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get_status(host: str, port: int, path: str = "/healthz", timeout: float = 1.0) -> int | None:
    """One HTTP/1.0-style GET on a fresh connection; the status code, or None if not reachable."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
            data = sock.recv(64)
    except OSError:
        return None
    parts = data.split(b" ", 2)
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return None


class Server:
    """A service under test, as a context manager.

    `with Server(cmd, port=p) as srv:` starts it in its own process group, waits until
    GET /healthz answers 200 (recording `srv.ready_seconds` from spawn to the first 200),
    and on leaving the block (normally, on error or on Ctrl-C) stops the whole group.
    """

    def __init__(self, cmd: Sequence[str], *, port: int, host: str = "127.0.0.1",
                 env: Mapping[str, str] | None = None, cwd: str | Path | None = None,
                 ready_path: str = "/healthz", start_timeout: float = 30.0, name: str = ""):
        self.cmd = [str(c) for c in cmd]
        self.host, self.port = host, port
        self.env, self.cwd = env, cwd
        self.ready_path = ready_path
        self.start_timeout = start_timeout
        self.name = name or Path(self.cmd[0]).name
        self.proc: subprocess.Popen | None = None
        self.ready_seconds: float | None = None
        self._log_path: Path | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.ready_path}"

    def __enter__(self) -> "Server":
        import tempfile

        log = tempfile.NamedTemporaryFile(prefix=f"gohandbook-{self.name}-", suffix=".log", delete=False)
        self._log_path = Path(log.name)
        t0 = time.perf_counter()
        self.proc = _spawn(self.cmd, env=self.env, cwd=self.cwd, stdout=log, stderr=log)
        log.close()
        try:
            deadline = t0 + self.start_timeout
            while True:
                if http_get_status(self.host, self.port, self.ready_path, timeout=0.5) == 200:
                    self.ready_seconds = time.perf_counter() - t0
                    break
                if self.proc.poll() is not None:
                    raise ProcessError(f"{self.name} exited with {self.proc.returncode} before it was ready:\n"
                                       + self.log_tail())
                if time.perf_counter() > deadline:
                    raise ProcessError(f"{self.name} not ready after {self.start_timeout:g} s:\n" + self.log_tail())
                time.sleep(0.002)
        except BaseException:
            self.stop()
            raise
        return self

    def log_tail(self, lines: int = 15) -> str:
        if not self._log_path or not self._log_path.exists():
            return ""
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        kill_group(self.proc)
        if self._log_path:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None
        return self.proc.returncode

    def __exit__(self, *exc) -> None:
        self.stop()


def pin_prefix(cpu: int) -> list[str]:
    """`taskset -c CPU` when the machine has that CPU and taskset exists; else nothing."""
    import shutil

    if shutil.which("taskset") and (os.cpu_count() or 1) > cpu:
        return ["taskset", "-c", str(cpu)]
    return []
