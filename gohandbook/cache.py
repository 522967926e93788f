"""Measure once: results keyed by what determines them, written atomically under a lock.

A result's key is the hash of (measurement name and code version, sample source hash,
Go version, host fingerprint, parameters). Same key: cache hit. A changed sample or
toolchain gives a new key, so exactly the affected results are measured again; the old
file stays, and `latest()` can still show it together with why it is stale.

A cache file that is not a result (not UTF-8, not JSON, the wrong shape: a foreign or damaged
file) is named on stderr, set aside under `corrupt/` (kept for inspection) and treated as missing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from collections import OrderedDict
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from . import paths


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


@lru_cache(maxsize=1)
def host_fingerprint() -> dict[str, Any]:
    """What about this machine changes measurements: CPU model, cores, memory, OS."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)
    os_release = dict(line.split("=", 1) for line in _read("/etc/os-release").splitlines() if "=" in line)
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count() or 1,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {os_release.get('PRETTY_NAME', '').strip(chr(34))}".strip(),
        "arch": platform.machine(),
    }


def host_id(fingerprint: dict[str, Any] | None = None) -> str:
    return _digest(fingerprint or host_fingerprint())[:12]


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def result_key(name: str, *, code_version: int, sample_hash: str, go_version: str,
               host: dict[str, Any], params: dict[str, Any]) -> str:
    return _digest({"name": name, "code_version": code_version, "sample_hash": sample_hash,
                    "go_version": go_version, "host": host, "params": params})[:24]


# What every reader of a result relies on: key -> type (nested dicts by dotted path).
RESULT_SHAPE = {
    "name": str, "key": str, "summary": dict, "provenance": dict,
    "provenance.host": dict, "provenance.host.cpu_model": str, "provenance.host.cores": int,
    "provenance.go": dict, "provenance.go.version": str,
    "provenance.params": dict, "provenance.preset": str, "provenance.finished": str,
}
SET_ASIDE_TEXT = "cache file {path} is not a valid result ({why}); set aside as {dest} and treated as missing"


def result_problem(obj: Any) -> str | None:
    """Why `obj` is not a cached result (None if it has the shape every reader relies on)."""
    if not isinstance(obj, dict):
        return f"a JSON {type(obj).__name__}, not an object"
    for dotted, kind in RESULT_SHAPE.items():
        value: Any = obj
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{dotted} is {'missing' if value is None else 'a ' + type(value).__name__}, not a {kind.__name__}"
    return None


def read_json_file(path: Path, check: Callable[[Any], str | None] | None = None) -> Any:
    """A JSON file the handbook did not just write: decoded strictly (UTF-8, JSON, then `check`);
    raises FileNotFoundError if absent, ValueError naming the file and the problem otherwise."""
    data = Path(path).read_bytes()
    try:
        obj = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno})" if data.strip() else "empty") from None
    problem = check(obj) if check else None
    if problem:
        raise ValueError(problem)
    return obj


class Cache:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else paths.cache_dir()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str, key: str) -> Path:
        return self.root / "results" / name / f"{key}.json"

    def get(self, name: str, key: str) -> dict | None:
        return self._read(self.path(name, key))

    def _read(self, path: Path) -> dict | None:
        """A valid result, or None: absent, or not a result (then named and set aside)."""
        try:
            return read_json_file(path, result_problem)
        except FileNotFoundError:
            return None
        except ValueError as exc:
            self.set_aside(path, str(exc))
            return None
        except OSError as exc:  # unreadable (permissions, a folder): say so, leave it where it is
            print(f"gohandbook: cache file {path} cannot be read ({exc.strerror}); treated as missing", file=sys.stderr)
            return None

    def set_aside(self, path: Path, why: str) -> Path | None:
        """Move a bad cache file to `corrupt/` (kept for inspection) and say so on stderr."""
        rel = path.relative_to(self.root) if path.is_relative_to(self.root) else Path(path.name)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        dest = self.root / "corrupt" / rel.parent / f"{rel.name}.{stamp}-{os.getpid()}"
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, dest)
        except FileNotFoundError:  # another process set it aside first
            return None
        except OSError as exc:
            dest = None
            why += f"; could not be moved ({exc.strerror})"
        print("gohandbook: " + SET_ASIDE_TEXT.format(path=path, why=why, dest=dest or "(left in place)"),
              file=sys.stderr)
        return dest

    def put(self, name: str, key: str, result: dict) -> Path:
        """Write atomically: a temporary file in the same folder, then rename over."""
        path = self.path(name, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(result, handle, indent=1, sort_keys=True, default=str)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @contextmanager
    def lock(self, name: str, key: str, timeout: float = 3600) -> Iterator[None]:
        """An exclusive lock per result, across processes (flock on a lock file)."""
        with _flock(self.root / "locks" / f"{name}-{key}.lock", f"another run measuring {name}", timeout):
            yield

    @contextmanager
    def global_lock(self, timeout: float = 7200) -> Iterator[None]:
        """One measurement at a time on this machine, whichever cache folder each run uses:
        concurrent runs would skew each other (two benchmarks with their own caches, a batch
        beside a Voila server's queue)."""
        with _flock(machine_lock_path(), "another measurement on this machine", timeout):
            yield

    def all(self, name: str) -> list[dict]:
        folder = self.root / "results" / name
        out = [r for r in map(self._read, sorted(folder.glob("*.json"))) if r is not None]
        return sorted(out, key=lambda r: r["provenance"]["finished"])

    def latest(self, name: str, params: dict | None = None) -> dict | None:
        """The newest result of a measurement (optionally with these parameters), stale or not."""
        results = [r for r in self.all(name) if params is None or r.get("provenance", {}).get("params") == params]
        return results[-1] if results else None


def machine_lock_path() -> Path:
    """The lock every measurement takes (GOHANDBOOK_MEASURE_LOCK overrides; one per user by default)."""
    return Path(os.environ.get("GOHANDBOOK_MEASURE_LOCK")
                or Path(tempfile.gettempdir()) / f"gohandbook-measurements-{os.getuid()}.lock")


def flock_within(handle, timeout: float, on_busy: Callable[[], None] | None = None, poll: float = 0.2) -> bool:
    """Take an exclusive flock on an open file, polling (so that waiting stays interruptible and
    `on_busy` can report who holds it); False when `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            if on_busy:
                on_busy()
            time.sleep(poll)


@contextmanager
def _flock(lock_path: Path, holder: str, timeout: float) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        if not flock_within(handle, timeout):
            raise TimeoutError(f"waited {timeout:g} s for {holder}")
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class Memo:
    """A bounded in-process memo, least recently used out first: for what one kernel would otherwise
    recompute for every profile of a batch (chart SVGs, a seeded model run)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = self._items[key] = compute()
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
