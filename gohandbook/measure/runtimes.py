"""The health-check service in each runtime: how to build it, start it and size what it ships.

A runtime that is not on this machine is reported as not measured, with the reason;
nothing is faked for it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

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


def prepare_java() -> Prepared:
    java, javac = shutil.which("java"), shutil.which("javac")
    if not (java and javac):
        raise NotAvailable("java/javac not found on PATH (install a JDK, e.g. Debian's openjdk-17-jdk-headless)")
    source = _peer("java", "HealthServer.java")
    out = paths.cache_dir() / "java" / tree_hash(source)[:16]
    if not (out / "HealthServer.class").exists():
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        proc.run([javac, "-d", str(tmp), str(source)], timeout=180, check=True, what="javac")
        if out.exists():
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, out)
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
