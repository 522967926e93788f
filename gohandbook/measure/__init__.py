"""Measurements: named, parameterised runs of Go samples (and their peers) into the cache.

Each measurement module registers a `Measurement`. `run()` measures (under the cache's
per-result lock and the machine-wide measurement lock) unless a result with the same key
exists; `lookup()` only reads, and tells whether a cached result is current or stale and why.
Models, widgets and notebooks call `lookup()`; they never start a measurement.
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import __version__, paths
from ..cache import Cache, host_fingerprint, host_id, read_json_file, result_key, result_problem
from ..goversion import mismatch_note
from ..params import ParamSet
from ..toolchain import GoToolchain, find_go, tree_hash

Progress = Callable[[float, str], None]


@dataclass
class Context:
    params: dict[str, Any]
    go: GoToolchain
    progress: Progress
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Measurement:
    name: str
    title: str
    chapter: int
    sources: tuple[str, ...]             # files/folders below go-samples/ that determine the result
    params: ParamSet
    presets: dict[str, dict[str, Any]]    # "quick" and "full" parameter sets
    func: Callable[[Context], dict]       # returns {"summary": {...}, "raw": {...}}
    code_version: int = 1
    description: str = ""

    def resolve_params(self, preset: str = "quick", overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        if preset not in self.presets:
            from ..params import ParameterError
            raise ParameterError(f"preset = {preset!r} is not allowed: allowed is one of {', '.join(map(repr, self.presets))}")
        return self.params.validate({**self.presets[preset], **(overrides or {})})

    def sample_hash(self) -> str:
        root = paths.samples_dir()
        return tree_hash(*(root / s for s in self.sources))


REGISTRY: dict[str, Measurement] = {}


def register(m: Measurement) -> Measurement:
    REGISTRY[m.name] = m
    return m


def _load_all() -> None:
    """Import every module of this package: each registers its measurements (no shared list to edit)."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def get_measurement(name: str) -> Measurement:
    _load_all()
    if name not in REGISTRY:
        raise KeyError(f"unknown measurement {name!r}: known are {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def all_measurements() -> list[Measurement]:
    _load_all()
    return sorted(REGISTRY.values(), key=lambda m: (m.chapter, m.name))


def _key(m: Measurement, params: dict[str, Any], go: GoToolchain) -> str:
    return result_key(m.name, code_version=m.code_version, sample_hash=m.sample_hash(),
                      go_version=go.version, host=host_fingerprint(), params=params)


@dataclass
class Lookup:
    result: dict | None
    status: str          # "current" | "stale" | "reference" | "missing"
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None


def lookup(name: str, preset: str = "quick", overrides: dict[str, Any] | None = None,
           cache: Cache | None = None) -> Lookup:
    """Read the cached result for the current key; else the newest stale one, with the reason."""
    m = get_measurement(name)
    cache = cache or Cache()
    params = m.resolve_params(preset, overrides)
    try:
        go = find_go()
    except Exception as exc:  # no toolchain: stale results can still be shown
        go = None
        go_problem = str(exc)
    if go is not None:
        key = _key(m, params, go)
        hit = cache.get(name, key)
        if hit is not None:
            return Lookup(hit, "current")
    old = cache.latest(name, params) or cache.latest(name)
    if old is None:
        ref = reference_result(name, preset)
        if ref is not None:
            p = ref["provenance"]
            return Lookup(ref, "reference", (
                f"reference result shipped in data/reference-results, measured by the handbook on "
                f"{p['host']['cpu_model']} ({p['host']['cores']} cores) with {p['go']['version']} on {p['finished'][:10]}, "
                f"not on this machine: run `gohandbook measure {name}` to measure here"
                + (f" ({note})" if go is not None and (note := mismatch_note(go.version, p['go']['version'])) else "")))
        return Lookup(None, "missing", f"{name} has not been measured on this machine yet: run `gohandbook measure {name}`")
    return Lookup(old, "stale", stale_reason(m, old, params, go) if go else go_problem)


def reference_dir():
    return paths.data_dir() / "reference-results"


def reference_result(name: str, preset: str) -> dict | None:
    """A result recorded by the handbook on another machine and shipped with it (clearly labelled); None when
    there is none, or when the file is not a result (said on stderr, so a damaged file is noticed, not shown)."""
    path = reference_dir() / f"{name}-{preset}.json"
    try:
        return read_json_file(path, result_problem)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        print(f"warning: reference result {path} ignored: {exc}", file=sys.stderr)
        return None


def record_reference(name: str, preset: str = "quick", cache: Cache | None = None) -> str | None:
    """Copy the current cached result into data/reference-results (for sites without measurements)."""
    import json

    found = lookup(name, preset, cache=cache)
    if found.status != "current":
        return None
    folder = reference_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{preset}.json"
    result = dict(found.result, raw={})  # raw samples stay in the cache; the summary and provenance travel
    path.write_text(json.dumps(result, indent=1, sort_keys=True, default=str) + "\n")
    return str(path)


def stale_reason(m: Measurement, result: dict, params: dict, go: GoToolchain) -> str:
    prov = result.get("provenance", {})
    reasons = []
    if prov.get("go", {}).get("version") != go.version:
        reasons.append(f"Go changed from {prov.get('go', {}).get('version')} to {go.version}")
    if prov.get("sample_hash") != m.sample_hash():
        reasons.append("the sample source changed")
    if prov.get("code_version") != m.code_version:
        reasons.append("the measurement code changed")
    if prov.get("host_id") != host_id():
        reasons.append(f"measured on another machine ({prov.get('host', {}).get('cpu_model', '?')})")
    if prov.get("params") != params:
        reasons.append("measured with other parameters")
    return "stale: " + ("; ".join(reasons) or "key differs")


def run(name: str, preset: str = "quick", overrides: dict[str, Any] | None = None, *, force: bool = False,
        progress: Progress | None = None, cache: Cache | None = None) -> dict:
    """Measure unless the cache already has this exact result. Safe to call from two processes."""
    m = get_measurement(name)
    return run_resolved(m, m.resolve_params(preset, overrides), preset, force=force, progress=progress, cache=cache)


def run_resolved(m: Measurement, params: dict[str, Any], preset: str, *, force: bool = False,
                 progress: Progress | None = None, cache: Cache | None = None) -> dict:
    """`run` for a Measurement object with resolved parameters, registered or not (a measurement that only
    means something for a profile's own service is not registered, yet gets the same key, locks and provenance)."""
    name = m.name
    cache = cache or Cache()
    go = find_go()
    key = _key(m, params, go)
    progress = progress or (lambda fraction, message: None)
    if not force and (hit := cache.get(name, key)) is not None:
        progress(1.0, "cached")
        return hit
    with cache.lock(name, key):
        if not force and (hit := cache.get(name, key)) is not None:
            progress(1.0, "cached (measured by another run meanwhile)")
            return hit
        with cache.global_lock():
            ctx = Context(params=params, go=go, progress=progress)
            started = _dt.datetime.now(_dt.timezone.utc)
            t0 = time.perf_counter()
            out = m.func(ctx)
            duration = time.perf_counter() - t0
        result = {
            "name": name, "key": key, "title": m.title, "chapter": m.chapter,
            "provenance": {
                "host": host_fingerprint(), "host_id": host_id(), "go": go.as_dict(),
                "python": platform.python_version(), "python_executable": sys.executable,
                "params": params, "preset": preset, "sample_hash": m.sample_hash(),
                "code_version": m.code_version, "gohandbook": __version__,
                "started": started.isoformat(timespec="seconds"),
                "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "duration_s": round(duration, 2),
            },
            "summary": out["summary"], "raw": out.get("raw", {}), "notes": ctx.notes + out.get("notes", []),
        }
        cache.put(name, key, result)
        progress(1.0, "done")
        return result


def provenance_line(result: dict) -> str:
    """One line for captions: where, with what, when, with which parameters."""
    p = result["provenance"]
    host = p["host"]
    return (f"Measured on {host['cpu_model']} ({host['cores']} cores, {host['memory_gib']} GiB, {host['os']}), "
            f"{p['go']['version']}, {p['finished'][:16].replace('T', ' ')} UTC, preset {p['preset']}, "
            f"result {result['key'][:8]}")
