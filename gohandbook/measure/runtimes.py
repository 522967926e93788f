"""The measurement harness for services, and the health-check service in each runtime.

The harness (`ServiceProcess`, `tree_rss_kib`, `TreeRssSampler`, `run_loadgen`; repeats summarised with
`_runs.stats`) is what chapter 1's minimal peers and the team's own services (`gohandbook validate`) are
measured with: a fresh process per repeat in its own process group, pinned to CPU 0; time from spawn to
the first 2xx on the ready path; RSS of the whole process tree (workers, JVM helpers, Node
clusters); the handbook's Go load generator pinned to CPU 1.

A runtime that is not on this machine is reported as not measured, with the reason;
nothing is faked for it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import signal
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .. import paths, proc
from ..toolchain import build, find_go, tree_hash

GLIBC_PREFIXES = ("libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "ld-linux", "libresolv.so")


@dataclass
class Prepared:
    command: Callable[[int], list[str]]      # port -> argv
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    version: str = ""
    artifact: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Runtime:
    key: str
    label: str
    prepare: Callable[[], Prepared]   # raises NotAvailable when the runtime is missing


class NotAvailable(Exception):
    pass


def du(path: Path, skip: tuple[str, ...] = ()) -> int:
    """Bytes of regular files below `path` (st_size, links not followed), like `du -b --apparent-size`."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d not in skip and d != "__pycache__"]
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.stat(full).st_size
    return total


def shared_libs(binary: str) -> dict[str, int]:
    """Shared libraries `ldd` resolves for a binary, minus glibc (present on every Linux host)."""
    if not shutil.which("ldd"):
        return {}
    done = proc.run(["ldd", binary], timeout=30)
    libs = {}
    for line in done.stdout.splitlines():
        match = re.search(r"=>\s+(\S+)\s+\(", line)
        if match and not os.path.basename(match.group(1)).startswith(GLIBC_PREFIXES):
            real = os.path.realpath(match.group(1))
            libs[real] = os.path.getsize(real)
    return libs


def _artifact(app_files: dict[str, int], runtime_files: dict[str, int], note: str) -> dict:
    app = sum(app_files.values())
    runtime = sum(runtime_files.values())
    return {"app_bytes": app, "runtime_bytes": runtime, "total_bytes": app + runtime,
            "app_files": app_files, "runtime_files": runtime_files, "note": note}


def _peer(*parts: str) -> Path:
    return paths.samples_dir().joinpath("peers", *parts)


def prepare_go() -> Prepared:
    tc = find_go()
    binary = build(paths.samples_dir() / "healthcheck", name="healthcheck-default")
    stripped = build(paths.samples_dir() / "healthcheck", name="healthcheck-stripped", ldflags="-s -w")
    art = _artifact({str(binary): binary.stat().st_size}, {},
                    "the binary is the whole deployment (default build links the system libc dynamically)")
    art["stripped_bytes"] = stripped.stat().st_size
    return Prepared(command=lambda port: [str(binary), "-addr", f"127.0.0.1:{port}"],
                    env={"GOMAXPROCS": "1"}, version=tc.version, artifact=art)


def _python_runtime_files() -> dict[str, int]:
    exe = os.path.realpath(sys.executable)
    files = {exe: os.path.getsize(exe)}
    files.update(shared_libs(exe))
    stdlib = sysconfig.get_paths()["stdlib"]
    files[stdlib + "/ (stdlib, without site-packages)"] = du(Path(stdlib), skip=("site-packages", "test", "idlelib"))
    return files


def prepare_python_threading() -> Prepared:
    script = _peer("python", "healthz_threading.py")
    return Prepared(
        command=lambda port: [sys.executable, str(script), "--host", "127.0.0.1", "--port", str(port)],
        version=f"Python {sys.version.split()[0]}",
        artifact=_artifact({str(script): script.stat().st_size}, _python_runtime_files(),
                           "script + the Python interpreter and its standard library"),
    )


def _distribution_files(name: str, seen: set[str]) -> dict[str, int]:
    """Files of an installed distribution and, recursively, of its unconditional requirements."""
    key = name.lower().replace("_", "-")
    if key in seen:
        return {}
    seen.add(key)
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return {}
    files = {}
    for f in dist.files or []:
        full = Path(dist.locate_file(f))
        if full.is_file() and "__pycache__" not in full.parts:
            files[str(full)] = full.stat().st_size
    for req in dist.requires or []:
        if "extra ==" in req:
            continue
        marker_ok = True
        if ";" in req:
            from packaging.markers import Marker  # packaging ships with pip/jupyter

            marker_ok = Marker(req.split(";", 1)[1]).evaluate()
        if marker_ok:
            files.update(_distribution_files(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0], seen))
    return files


def prepare_python_uvicorn() -> Prepared:
    if importlib.util.find_spec("uvicorn") is None:
        raise NotAvailable("uvicorn is not installed in this Python")
    script = _peer("python", "healthz_asgi.py")
    runtime = _python_runtime_files()
    runtime.update(_distribution_files("uvicorn", set()))
    return Prepared(
        command=lambda port: [sys.executable, "-m", "uvicorn", "healthz_asgi:app", "--host", "127.0.0.1",
                              "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=script.parent,
        version=f"Python {sys.version.split()[0]}, uvicorn {importlib.metadata.version('uvicorn')}",
        artifact=_artifact({str(script): script.stat().st_size}, runtime,
                           "app + Python interpreter, standard library, uvicorn and its dependencies"),
    )


def prepare_node() -> Prepared:
    node = shutil.which("node")
    if not node:
        raise NotAvailable("node not found on PATH (install Node.js 20, e.g. Debian's nodejs)")
    script = _peer("node", "healthz.js")
    version = proc.run([node, "--version"], timeout=30).stdout.strip()
    real = os.path.realpath(node)
    runtime = {real: os.path.getsize(real), **shared_libs(real)}
    return Prepared(command=lambda port: [node, str(script), "--host", "127.0.0.1", "--port", str(port)],
                    version=f"Node.js {version}",
                    artifact=_artifact({str(script): script.stat().st_size}, runtime,
                                       "script + the node binary and the shared libraries it loads (glibc excluded)"))


def compile_java(javac: str, source: Path, folder_prefix: str = "") -> Path:
    """`javac` one source file into the cache, once per source content (the class folder is returned)."""
    out = paths.cache_dir() / "java" / (folder_prefix + tree_hash(source)[:16])
    if not (out / (source.stem + ".class")).exists():
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        proc.run([javac, "-d", str(tmp), str(source)], timeout=180, check=True, what=f"javac {source.name}")
        if out.exists():
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, out)
    return out


def prepare_java() -> Prepared:
    java, javac = shutil.which("java"), shutil.which("javac")
    if not (java and javac):
        raise NotAvailable("java/javac not found on PATH (install a JDK, e.g. Debian's openjdk-17-jdk-headless)")
    source = _peer("java", "HealthServer.java")
    out = compile_java(javac, source)
    settings = proc.run([java, "-XshowSettings:properties", "-version"], timeout=60)
    text = settings.stderr + settings.stdout
    home = re.search(r"java\.home = (\S+)", text)
    version = re.search(r"java\.runtime\.version = (\S+)", text)
    runtime = {home.group(1): du(Path(home.group(1)))} if home else {}
    classes = {str(p): p.stat().st_size for p in out.glob("*.class")}
    return Prepared(command=lambda port: [java, "-cp", str(out), "HealthServer", "--host", "127.0.0.1", "--port", str(port)],
                    version=f"Java {version.group(1) if version else '?'}",
                    artifact=_artifact(classes, runtime,
                                       "class files + the JDK installation (a jlink-trimmed runtime would be smaller; not measured)"))


RUNTIMES: dict[str, Runtime] = {r.key: r for r in (
    Runtime("go", "Go (net/http)", prepare_go),
    Runtime("python_threading", "Python (http.server, threads)", prepare_python_threading),
    Runtime("python_uvicorn", "Python (ASGI on uvicorn)", prepare_python_uvicorn),
    Runtime("node", "Node.js (node:http)", prepare_node),
    Runtime("java", "Java (JDK HttpServer)", prepare_java),
)}


# ---------------------------------------------------------------------------------------------
# The harness: processes, process-tree memory, load.


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, session id) of a live process, from /proc/PID/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name may contain spaces and parentheses
    return int(fields[1]), int(fields[3])


def tree_pids(root: int) -> list[int]:
    """`root` and every live process below it, plus any process still in its session (a child
    whose parent exited is re-parented, but keeps the session unless it called setsid)."""
    parents: dict[int, list[int]] = {}
    session: list[int] = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        info = _proc_stat(int(entry.name))
        if info is None:
            continue
        parents.setdefault(info[0], []).append(int(entry.name))
        if info[1] == root:
            session.append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.append(pid)
        todo += parents.get(pid, [])
    return found + [p for p in session if p not in found]


def marked_pids(marker: str) -> list[int]:
    """Processes whose environment holds GOHANDBOOK_SERVICE_RUN=marker (readable for our own processes)."""
    needle = f"GOHANDBOOK_SERVICE_RUN={marker}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in Path(f"/proc/{entry.name}/environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process, in KiB, from /proc/PID/status."""
    rss = hwm = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    return rss, hwm


def tree_rss_kib(root: int) -> tuple[int, int]:
    """(summed VmRSS in KiB, number of processes) of a process and all its descendants.
    Pages shared between the processes (forked workers) are counted once per process, as
    `ps` and container memory limits based on RSS would count them."""
    total = n = 0
    for pid in tree_pids(root):
        try:
            total += rss_kib(pid)[0]
            n += 1
        except (OSError, ValueError):
            continue  # ended meanwhile
    return total, n


class TreeRssSampler(threading.Thread):
    """Polls a process tree's summed RSS every `interval` seconds; `peak_kib` is the largest seen."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self.peak_procs = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            kib, n = tree_rss_kib(self.pid)
            if n == 0:
                return
            if kib > self.peak_kib:
                self.peak_kib, self.peak_procs = kib, n
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join(timeout=2)
        return self.peak_kib


class ServiceFailed(Exception):
    """A service could not be measured; the message says why, `output` holds its last lines."""

    def __init__(self, message: str, output: str = ""):
        super().__init__(message)
        self.output = output


def http_status(host: str, port: int, path: str, timeout: float = 1.0) -> int | None:
    """Status of one GET on a fresh connection, or None when nothing answers."""
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


class ServiceProcess:
    """One fresh start of a service, as a context manager.

    Starts `cmd` in its own process group (output to a temporary log), waits until GET `ready`
    answers 2xx (`ready_seconds` is spawn → first 2xx), and on leaving the block (normally, on
    error or on Ctrl-C) ends the whole group and any descendant that left it.
    """

    def __init__(self, cmd: Sequence[str], *, port: int, ready: str = "/healthz", host: str = "127.0.0.1",
                 env: Mapping[str, str] | None = None, cwd: str | Path | None = None,
                 start_timeout: float = 30.0, name: str = ""):
        self.cmd = [str(c) for c in cmd]
        self.port, self.ready, self.host = port, ready, host
        self.env, self.cwd, self.start_timeout = env, cwd, start_timeout
        self.name = name or Path(self.cmd[0]).name
        self.proc = None
        self.ready_seconds: float | None = None
        self._log: Path | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + self.ready

    def output_tail(self, lines: int = 15) -> str:
        if not self._log or not self._log.exists():
            return ""
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> "ServiceProcess":
        # Every descendant inherits this variable, also one that left the process group and session and
        # whose parent exited (a daemonising start script): `stop` finds those by it.
        self.marker = f"{os.getpid()}-{id(self)}-{time.monotonic_ns()}"
        self.env = dict(os.environ if self.env is None else self.env, GOHANDBOOK_SERVICE_RUN=self.marker)
        fd, log = tempfile.mkstemp(prefix=f"gohandbook-{re.sub(r'[^A-Za-z0-9_.-]', '_', self.name)}-", suffix=".log")
        self._log = Path(log)
        t0 = time.perf_counter()
        try:
            with os.fdopen(fd, "wb") as handle:
                self.proc = proc._spawn(self.cmd, env=self.env, cwd=self.cwd, stdout=handle, stderr=handle)
        except proc.ProcessError as exc:
            self._cleanup_log()
            raise ServiceFailed(str(exc)) from None
        try:
            last = None
            deadline = t0 + self.start_timeout
            while True:
                status = http_status(self.host, self.port, self.ready, timeout=0.5)
                if status is not None and 200 <= status < 300:
                    self.ready_seconds = time.perf_counter() - t0
                    break
                last = status if status is not None else last
                if self.proc.poll() is not None:
                    raise ServiceFailed(f"exited with code {self.proc.returncode} before it was ready",
                                        self.output_tail())
                if time.perf_counter() > deadline:
                    why = f"GET {self.ready} answered {last}" if last else f"nothing answered GET {self.ready} on port {self.port}"
                    if last == 404:
                        why += "; set ready: to a path of the service that answers 2xx once it has started"
                    raise ServiceFailed(f"not ready within {self.start_timeout:g} s ({why})", self.output_tail())
                time.sleep(0.002)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        pids = tree_pids(self.proc.pid) + marked_pids(self.marker)
        proc.kill_group(self.proc)
        for pid in pids:  # descendants that moved to another process group or session
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._cleanup_log()

    def _cleanup_log(self) -> None:
        if self._log:
            self._log.unlink(missing_ok=True)
            self._log = None

    def __exit__(self, *exc) -> None:
        self.stop()


def write_spec(requests: list[dict]) -> Path:
    """The load generator's -spec file for a request list (caller removes it)."""
    fd, path = tempfile.mkstemp(prefix="gohandbook-loadgen-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump({"requests": requests}, handle)
    return Path(path)


def run_loadgen(loadgen: Path, url: str, *, connections: int, seconds: float | None = None,
                requests: int | None = None, warmup: float = 0.0, spec: Path | None = None) -> dict:
    """One run of the handbook's load generator, pinned to CPU 1; its JSON result."""
    args = [*proc.pin_prefix(1), str(loadgen), "-url", url, "-c", str(connections), "-warmup", f"{warmup}s"]
    if spec is not None:
        args += ["-spec", str(spec)]
    if requests:
        args += ["-n", str(requests)]
    else:
        args += ["-d", f"{seconds}s"]
    budget = (seconds or 0) + warmup + 60
    done = proc.run(args, timeout=budget, check=True, what="loadgen")
    return json.loads(done.stdout)

