"""The team's own services (a profile's `services:`), measured with chapter 1's harness.

One cached result per service: the key holds the service's definition and a hash of what it
runs (the Go module's sources for `go_build`; the `ship` files and the files the command names
for `run`), so editing one service re-measures that service and nothing else. A service that
fails (build, start, ready, wrong answers) gets a result with status "failed", the reason and
the last lines of its output; such a result is shown but measured again on the next run.

Only `gohandbook validate`, `report` and `batch` (and a person in JupyterLab) call `validate`;
pages only `lookup`.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import paths, proc
from ..cache import Cache
from ..params import Param, ParamSet
from ..services import module_root
from ..toolchain import build, find_go, tree_hash
from . import Context, Lookup, Measurement, PROGRESS_RUN, STALE_GO, STALE_PARAMS, STALE_REASON, _key
from ._runs import stats
from .runtimes import (ServiceFailed, ServiceProcess, TreeRssSampler, _python_runtime_files, du, run_loadgen,
                       shared_libs, tree_rss_kib, write_spec)
from ..i18n import N_

NAME = "team_service"
PARAMS = ParamSet("team_service", (
    Param("service", "str", "", "One normalised service definition with its content hash (JSON)"),
    Param("repeats", "int", 5, "Fresh starts of the service", min=1, max=20),
    Param("connections", "int", 16, "Load generator connections", min=1, max=512),
    Param("load_seconds", "float", 1.5, "Load duration per repeat, after warm-up", min=0.5, max=120),
    Param("warmup_seconds", "float", 0.5, "Load warm-up not counted", min=0, max=30),
    Param("start_timeout", "float", 30.0, "Seconds to wait for the ready path to answer 2xx", min=1, max=600),
))
OVERRIDABLE = ("repeats", "connections", "load_seconds", "warmup_seconds", "start_timeout")
METRICS = ("start_ms", "rss_first_mib", "rss_peak_mib", "qps", "p50_ms", "p99_ms")
SKIP_DIRS = {".git", "__pycache__", ".venv", "node_modules", "target", ".gradle"}


def content_hash(svc: Mapping[str, Any]) -> str:
    """What the service runs: the Go module's sources, or its shipped files and the files its command names."""
    digest = hashlib.sha256()
    if svc["mode"] == "go_build":
        digest.update(tree_hash(module_root(Path(svc["go_build"])), suffixes=(".go",)).encode())
    elif svc["mode"] == "run":
        cwd = Path(svc["cwd"])
        named = [cwd / a for a in svc["run"] if "{port}" not in a and (cwd / a).is_file()]
        for path in sorted({*map(Path, svc["ship"]), *named}):
            if path.is_file():
                digest.update(str(path).encode() + path.read_bytes())
            else:
                for root, dirs, files in os.walk(path):
                    dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                    for f in sorted(files):
                        full = Path(root, f)
                        if full.is_file():
                            digest.update(str(full).encode() + full.read_bytes())
    return digest.hexdigest()


def params_for(svc: Mapping[str, Any], preset: str) -> dict[str, Any]:
    """The measurement's parameters for one service: its definition, content hash and own overrides."""
    m = MEASUREMENT
    definition = dict(svc, content_hash=content_hash(svc))
    overrides = {"service": json.dumps(definition, sort_keys=True)}
    overrides.update({k: svc[k] for k in OVERRIDABLE if k in svc})
    return m.resolve_params(preset, overrides)


# ---------------------------------------------------------------------------------------------
# Preparing and measuring one service


def build_go_service(svc: Mapping[str, Any]) -> Path:
    """Build a Go rewrite with the handbook's toolchain and the user's configured module proxy.
    -mod=readonly: a build that would change go.mod or go.sum fails instead (their files are theirs)."""
    tc = find_go()
    pkg = Path(svc["go_build"])
    root = module_root(pkg)
    key = hashlib.sha256((content_hash(svc) + tc.version + tc.path).encode()).hexdigest()[:16]
    out = paths.cache_dir() / "bin" / f"service-{svc['name']}-{key}"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    rel = os.path.relpath(pkg, root)
    done = tc.run(["build", "-mod=readonly", "-o", str(tmp), "./" + rel if rel != "." else "."], cwd=root,
                  timeout=600, offline=False, check=False)
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise ServiceFailed(f"go build failed (exit {done.returncode}) in {root}",
                            "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:]))
    os.replace(tmp, out)
    return out


def runtime_files(kind: str) -> dict[str, int]:
    """The installed runtime a deployment must also carry (`ship_runtime`)."""
    from . import runtimes

    if kind == "python":
        return _python_runtime_files()
    if kind == "node":
        node = shutil.which("node")
        if not node:
            raise ServiceFailed("ship_runtime: node is not on PATH")
        real = os.path.realpath(node)
        return {real: os.path.getsize(real), **shared_libs(real)}
    if kind == "java":
        java = shutil.which("java")
        if not java:
            raise ServiceFailed("ship_runtime: java is not on PATH")
        home = Path(os.path.realpath(java)).parent.parent
        return {str(home): runtimes.du(home)}
    return {}


def command(svc: Mapping[str, Any], binary: Path | None, port: int) -> list[str]:
    argv = ([str(binary)] if binary else []) + list(svc["run"])
    return [a.replace("{port}", str(port)) for a in argv]


def check_requests(base_url: str, requests: list[dict]) -> None:
    """Send every request once and check its status and body: a service that answers wrongly
    fails here, with what it answered, before its speed counts for anything."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    for i, r in enumerate(requests, 1):
        conn = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=10)
        try:
            conn.request(r["method"], r["path"], body=r["body"].encode() or None, headers=r["headers"])
            resp = conn.getresponse()
            status, body = resp.status, resp.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            raise ServiceFailed(f"request {i} ({r['method']} {r['path']}) failed: {exc}") from None
        finally:
            conn.close()
        ok = status == r["expect_status"] if r["expect_status"] else 200 <= status < 300
        if not ok:
            want = r["expect_status"] or "2xx"
            raise ServiceFailed(f"request {i} ({r['method']} {r['path']}) answered {status}, expected {want}: {body[:200]}")
        missing = [t for t in r["expect_body"] if t not in body]
        if missing:
            raise ServiceFailed(f"request {i} ({r['method']} {r['path']}) answered {status} without {missing[0]!r} "
                                f"in its body: {body[:200]}")


def _loadgen_requests(svc: Mapping[str, Any]) -> list[dict]:
    return [{k: r[k] for k in ("method", "path", "headers", "body", "expect_status", "expect_body")}
            for r in svc["requests"]]


def measure(ctx: Context) -> dict:
    p = ctx.params
    svc = json.loads(p["service"])
    out: dict[str, Any] = {"service": {k: svc[k] for k in ("name", "label", "role", "mode")},
                           "definition": {k: v for k, v in svc.items() if k != "content_hash"},
                           "content_hash": svc["content_hash"], "status": "failed", "message": "", "output_tail": ""}
    raw: dict[str, Any] = {"runs": []}
    try:
        ctx.progress(0.0, N_("building the load generator"))
        loadgen = build(paths.samples_dir() / "loadgen", name="loadgen")
        binary = None
        shipped: dict[str, int] = {}
        if svc["mode"] == "go_build":
            ctx.progress(0.02, f"{svc['name']}: go build")
            binary = build_go_service(svc)
            shipped[str(binary)] = binary.stat().st_size
            out["service"]["go_build"] = svc["go_build"]
        for path in svc["ship"]:
            shipped[path] = du(Path(path), skip=tuple(SKIP_DIRS))
        runtime = runtime_files(svc.get("ship_runtime", "none"))
        out["shipped_bytes"] = (sum(shipped.values()) + sum(runtime.values())) if (shipped or runtime) else None
        out["shipped"] = {"app_bytes": sum(shipped.values()), "runtime_bytes": sum(runtime.values()),
                          "app_files": shipped, "runtime_files": runtime}
        spec = write_spec(_loadgen_requests(svc))
        try:
            for i in range(p["repeats"]):
                ctx.progress(0.05 + 0.95 * i / p["repeats"], PROGRESS_RUN.format(what=svc["name"], i=i + 1, n=p["repeats"]))
                raw["runs"].append(_one_run(svc, p, binary, loadgen, spec, verify=(i == 0)))
        finally:
            spec.unlink(missing_ok=True)
    except ServiceFailed as exc:
        out["message"], out["output_tail"] = str(exc), exc.output
        out["failed_at_run"] = len(raw["runs"]) + 1
        return {"summary": out, "raw": raw}
    runs = raw["runs"]
    out.update({m: stats([r[m] for r in runs]) for m in METRICS})
    out["errors"] = sum(r["errors"] for r in runs)
    out["processes"] = max(r["processes"] or 0 for r in runs) or None
    out["status"] = "measured"
    first = next((r["first_error"] for r in runs if r["first_error"]), "")
    out["message"] = (f"{len(runs)} fresh starts" if svc["mode"] != "url" else
                      f"{len(runs)} load runs against the running service (start-up and memory not measured)")
    if out["errors"]:
        out["message"] += f"; {out['errors']} responses failed the checks under load, first: {first}"
    out["setup"] = {"server_cpu": "CPU 0 (taskset)" if proc.pin_prefix(1) and svc["mode"] != "url" else "not pinned",
                    "loadgen_cpu": "CPU 1 (taskset)" if proc.pin_prefix(1) else "not pinned",
                    "connections": p["connections"], "load_seconds": p["load_seconds"],
                    "warmup_seconds": p["warmup_seconds"], "requests": len(svc["requests"])}
    return {"summary": out, "raw": raw}


def _one_run(svc, p, binary, loadgen, spec, *, verify: bool) -> dict:
    if svc["mode"] == "url":
        if verify:
            check_requests(svc["url"], svc["requests"])
        load = _load(loadgen, svc["url"], p, spec)
        return {"start_ms": None, "rss_first_mib": None, "rss_peak_mib": None, "processes": None, **load}
    port = proc.free_port()
    env = os.environ | {k: v.replace("{port}", str(port)) for k, v in svc["env"].items()}
    with ServiceProcess([*proc.pin_prefix(0), *command(svc, binary, port)], port=port, ready=svc["ready"],
                        env=env, cwd=svc["cwd"], start_timeout=p["start_timeout"], name=svc["name"]) as server:
        first_kib, procs = tree_rss_kib(server.pid)
        if verify:
            try:
                check_requests(server.base_url, svc["requests"])
            except ServiceFailed as exc:
                raise ServiceFailed(str(exc), server.output_tail()) from None
        sampler = TreeRssSampler(server.pid)
        sampler.start()
        try:
            load = _load(loadgen, server.base_url, p, spec)
        finally:
            peak_kib = max(sampler.stop(), first_kib)
        if server.proc.poll() is not None:
            raise ServiceFailed(f"exited with code {server.proc.returncode} under load", server.output_tail())
        return {"start_ms": server.ready_seconds * 1000, "rss_first_mib": first_kib / 1024,
                "rss_peak_mib": peak_kib / 1024, "processes": max(procs, sampler.peak_procs), **load}


def _load(loadgen: Path, base_url: str, p: Mapping[str, Any], spec: Path) -> dict:
    try:
        load = run_loadgen(loadgen, base_url, connections=p["connections"], seconds=p["load_seconds"],
                           warmup=p["warmup_seconds"], spec=spec)
    except proc.ProcessError as exc:
        raise ServiceFailed(f"the load generator could not drive it: {str(exc).splitlines()[-1]}") from None
    return {"qps": load["qps"], "p50_ms": load["latency_ms"]["p50"], "p99_ms": load["latency_ms"]["p99"],
            "errors": load["errors"], "first_error": load.get("first_error", ""), "load": load}


# Not registered: it has no meaning without a profile's service, so `gohandbook measure` (all) and the
# reports' measure-everything step must not run it. It still goes through the same cache, key and locks.
MEASUREMENT = Measurement(
    name=NAME, title=N_("Your services, measured like chapter 1's peers"), chapter=1,
    sources=("go.mod", "loadgen", "internal/loadgen", "internal/hist"), params=PARAMS,
    presets={
        "quick": {"repeats": 5, "connections": 16, "load_seconds": 1.5, "warmup_seconds": 0.5},
        "full": {"repeats": 10, "connections": 32, "load_seconds": 8.0, "warmup_seconds": 2.0, "start_timeout": 120.0},
    },
    func=measure,
    description="Measured only for a profile with services: (gohandbook validate/report/batch); never on its own.",
)


def _run(params: dict[str, Any], preset: str, *, force: bool, progress=None, cache: Cache | None = None) -> dict:
    """`measure.run` for this unregistered measurement: the same key, locks, provenance and atomic write."""
    from . import run_resolved

    return run_resolved(MEASUREMENT, params, preset, force=force, progress=progress, cache=cache)


# ---------------------------------------------------------------------------------------------
# What the CLI, reports and chapters call


def lookup(svc: Mapping[str, Any], preset: str = "quick", cache: Cache | None = None) -> Lookup:
    """The cached result for this exact service definition and content; else the newest result of
    the same service (same name and target), labelled stale with the reason. Never measures."""
    cache = cache or Cache()
    m = MEASUREMENT
    try:
        params = params_for(svc, preset)
        go = find_go()
    except Exception as exc:  # a path vanished, no toolchain: older results can still be shown
        params, go, problem = None, None, f"{type(exc).__name__}: {exc}"
    if params is not None and go is not None:
        hit = cache.get(NAME, _key(m, params, go))
        if hit is not None:
            return Lookup(hit, "current")
    target = _target(svc)
    same = [r for r in cache.all(NAME) if _target(r["summary"].get("definition", {})) == target]
    hint = (SERVICE_HINT, {})
    if not same:
        return Lookup.explained(None, "missing", (SERVICE_MISSING, {"name": repr(svc["name"]), "hint": [hint]}))
    old = same[-1]
    if params is None or go is None:
        return Lookup(old, "stale", f"stale: {problem}")
    reasons = []
    old_def = json.loads(old["provenance"]["params"]["service"])
    if old_def.get("content_hash") != json.loads(params["service"])["content_hash"]:
        reasons.append((SERVICE_FILES, {}))
    if {k: v for k, v in old_def.items() if k != "content_hash"} != dict(svc):
        reasons.append((SERVICE_DEFINITION, {}))
    if old["provenance"]["go"]["version"] != go.version:
        reasons.append((STALE_GO, {"old": old["provenance"]["go"]["version"], "new": go.version}))
    if old["provenance"].get("preset") != preset:
        reasons.append((SERVICE_PRESET, {"preset": old["provenance"].get("preset")}))
    return Lookup.explained(old, "stale", (STALE_REASON, {"reasons": reasons or [(STALE_PARAMS, {})]}), hint)


# What a reader sees about a service's result (translated where shown; English in Lookup.reason).
SERVICE_HINT = N_("run `gohandbook validate PROFILE` (or `gohandbook report --profile PROFILE`) to measure it")
SERVICE_MISSING = N_("service {name} has not been measured on this machine yet: {hint}")
SERVICE_FILES = N_("the service's files changed")
SERVICE_DEFINITION = N_("its definition in the profile changed")
SERVICE_PRESET = N_("measured with the {preset} preset")


def _target(svc: Mapping[str, Any]) -> tuple:
    return (svc.get("name"), svc.get("go_build") or svc.get("url") or svc.get("cwd"))


def validate(services: Mapping[str, Mapping[str, Any]], preset: str = "quick", *, force: bool = False,
             progress_factory: Callable[[str], Any] | None = None, cache: Cache | None = None) -> dict[str, dict]:
    """Measure every service (cached results of the same definition and content are reused; a cached
    failure is measured again). One failing service does not stop the others."""
    results = {}
    for name, svc in services.items():
        found = lookup(svc, preset, cache=cache)
        if not force and found.status == "current" and found.result["summary"]["status"] == "measured":
            results[name] = found.result
            continue
        bar = progress_factory(name) if progress_factory else None
        try:
            results[name] = _run(params_for(svc, preset), preset, force=force or found.status == "current",
                                 progress=bar.update_to if bar else None, cache=cache)
        finally:
            if bar:
                bar.close()
    return results


def flat(result: Mapping[str, Any] | None, status_if_missing: str = "not measured") -> dict[str, Any]:
    """One service's figures as plain numbers (medians over the repeats) for tables and --json."""
    if result is None:
        return {"status": status_if_missing}
    s = result["summary"]
    row: dict[str, Any] = {"status": s["status"], "message": s["message"], "label": s["service"]["label"],
                           "role": s["service"]["role"], "mode": s["service"]["mode"]}
    if s["status"] != "measured":
        row["output_tail"] = s.get("output_tail", "")
        for m in (*METRICS, "errors", "shipped_bytes"):
            row[m] = None
        return row
    for m in METRICS:
        row[m] = s[m]["median"]
        row[m + "_runs"] = s[m]["values"]
    row.update(errors=s["errors"], shipped_bytes=s.get("shipped_bytes"), processes=s.get("processes"),
               repeats=s["qps"]["n"])
    return row


COMPARED = (  # (summary key, name, lower is better, unit, digits)
    ("start_ms", "Start → first 2xx", True, "ms", 1),
    ("rss_first_mib", "RSS at first response", True, "MiB", 1),
    ("rss_peak_mib", "Peak RSS under load", True, "MiB", 1),
    ("qps", "Requests/s", False, "req/s", 0),
    ("p50_ms", "p50 latency", True, "ms", 3),
    ("p99_ms", "p99 latency", True, "ms", 3),
)


def comparisons(go: Mapping[str, Any] | None, current: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Go rewrite vs current service, per metric, with intervals and a test against run-to-run spread."""
    from ..services import compare

    if not go or not current or go["summary"]["status"] != "measured" or current["summary"]["status"] != "measured":
        return []
    g, c = go["summary"], current["summary"]
    return [compare(name, g[key]["values"], c[key]["values"], lower_is_better=low, unit=unit, digits=digits)
            for key, name, low, unit, digits in COMPARED]


def document(services: Mapping[str, Mapping[str, Any]], results: Mapping[str, Mapping[str, Any] | None]) -> dict:
    """`gohandbook validate --json`: every service's figures, the comparison and the provenance."""
    from ..services import pair

    cur, go = pair(services)
    provenance = {name: (r["provenance"] | {"key": r["key"]}) if r else None for name, r in results.items()}
    for p in provenance.values():
        if p:
            p.pop("python_executable", None)
    return {
        "services": {name: flat(results.get(name)) for name in services},
        "compared": {"current": cur["name"] if cur else None, "go": go["name"] if go else None,
                     "metrics": comparisons(results.get(go["name"]) if go else None,
                                            results.get(cur["name"]) if cur else None)},
        "provenance": provenance,
    }
