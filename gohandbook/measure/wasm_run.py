"""Chapter 2.5: a Go program built for GOOS=wasip1 GOARCH=wasm, run under Node's WASI
(`node:wasi`), against the same program built natively: size and start-up.

`go-samples/wasihello` prints its platform, its arguments, one environment variable passed
through WASI and the SHA-256 of 1 MiB; the wasm run must print the same digest as the native
run to count as working. Wall time is spawn to exit; Node's own start-up (`node -e 0`) is
measured separately, and the runner reports compile / instantiate / run times inside Node.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from .. import paths, proc
from ..params import Param, ParamSet
from ..toolchain import build
from . import Context, Measurement, PROGRESS_RUN_ONLY, register
from ._binfmt import describe
from ._runs import LoadWatch, clean_env, stats
from ..i18n import N_

PARAMS = ParamSet("wasm_run", (
    Param("repeats", "int", 5, "Runs of each program (median reported)", min=1, max=100),
))
DEPS = ("go.mod", "wasihello")


def timed(cmd: list[str], env: dict) -> tuple[float, proc.Completed]:
    t0 = time.perf_counter()
    done = proc.run(cmd, timeout=120, env=env)
    return (time.perf_counter() - t0) * 1000, done


def parse_timing(stderr: str) -> dict:
    for line in stderr.splitlines():
        if line.startswith("TIMING "):
            return json.loads(line[7:])
    return {}


def measure(ctx: Context) -> dict:
    n = ctx.params["repeats"]
    ctx.progress(0.0, N_("building wasihello (native and wasip1/wasm)"))
    pkg, native, wasm, strip = (paths.samples_dir() / "wasihello", {"CGO_ENABLED": "0"},
                                {"GOOS": "wasip1", "GOARCH": "wasm"}, ("-ldflags=-s -w",))
    builds = {
        "native": build(pkg, name="wasihello-native", env=native),
        "native_stripped": build(pkg, name="wasihello-native-s", env=native, flags=strip),
        "wasm": build(pkg, name="wasihello", env=wasm),
        "wasm_stripped": build(pkg, name="wasihello-s", env=wasm, flags=strip),
    }
    sizes = {k: os.stat(v).st_size for k, v in builds.items()}
    node = shutil.which("node")
    runner = paths.samples_dir() / "wasihello" / "run_wasi.mjs"
    env = clean_env({"GREETING": "hello from the host", "WASI_ENV_GREETING": "hello from the host"})
    raw: dict = {"native": [], "wasm": [], "node_baseline": [], "outputs": {}}
    load = LoadWatch()
    for i in range(n):
        load.sample()
        ctx.progress(0.1 + 0.8 * i / n, PROGRESS_RUN_ONLY.format(i=i + 1, n=n))
        ms, done = timed([str(builds["native"]), "a", "b"], env)
        raw["native"].append({"wall_ms": ms, "exit": done.returncode})
        raw["outputs"]["native"] = done.stdout.strip()
        if node:
            ms, done = timed([node, "--no-warnings", str(runner), str(builds["wasm"]), "a", "b"], env)
            raw["wasm"].append({"wall_ms": ms, "exit": done.returncode, **parse_timing(done.stderr)})
            raw["outputs"]["wasm"] = done.stdout.strip()
            raw["outputs"]["wasm_stderr"] = done.stderr.strip()[-1000:]
            ms, _ = timed([node, "-e", "0"], env)
            raw["node_baseline"].append({"wall_ms": ms})
    native_out = json.loads(raw["outputs"]["native"])
    summary: dict = {
        "native": {"bytes": sizes["native"], "mb": sizes["native"] / 1e6, "stripped_mb": sizes["native_stripped"] / 1e6,
                   "wall_ms": stats(r["wall_ms"] for r in raw["native"]), "work_ms": native_out["work_ms"],
                   **{k: v for k, v in describe(builds["native"]).items() if k in ("format", "arch", "dynamic")}},
        "go_wasip1": {"bytes": sizes["wasm"], "mb": sizes["wasm"] / 1e6, "stripped_mb": sizes["wasm_stripped"] / 1e6,
                      "strip_saving_pct": 100 * (1 - sizes["wasm_stripped"] / sizes["wasm"]),
                      "imports": describe(builds["wasm"])["needed"], "runs": False},
        "runtime": None,
    }
    if node:
        try:
            wasm_out = json.loads(raw["outputs"].get("wasm") or "{}")
        except json.JSONDecodeError:
            wasm_out = {}
        ok = (all(r["exit"] == 0 for r in raw["wasm"]) and wasm_out.get("sha256_1mib") == native_out["sha256_1mib"]
              and wasm_out.get("goos") == "wasip1")
        timing = {k: stats(r.get(k) for r in raw["wasm"]) for k in ("compile_ms", "instantiate_ms", "run_ms")}
        summary["go_wasip1"].update(
            runs=ok, same_digest_as_native=wasm_out.get("sha256_1mib") == native_out["sha256_1mib"],
            greeting_via_wasi=wasm_out.get("greeting"), args_via_wasi=wasm_out.get("args"),
            wall_ms=stats(r["wall_ms"] for r in raw["wasm"]), work_ms=wasm_out.get("work_ms"),
            compile_ms=timing["compile_ms"]["median"], instantiate_ms=timing["instantiate_ms"]["median"],
            run_ms=timing["run_ms"]["median"])
        summary["runtime"] = {"name": "Node.js node:wasi (preview1)", "version": (raw["wasm"][0].get("node") if raw["wasm"] else None),
                              "baseline_wall_ms": stats(r["wall_ms"] for r in raw["node_baseline"])}
        nat = summary["native"]["wall_ms"]["median"]
        summary["startup_ratio"] = summary["go_wasip1"]["wall_ms"]["median"] / nat if nat else None
        summary["work_ratio"] = (wasm_out.get("work_ms") / native_out["work_ms"]
                                 if wasm_out.get("work_ms") and native_out["work_ms"] else None)
    else:
        summary["go_wasip1"]["why_not_run"] = "node is not on PATH (Node.js 20+ provides node:wasi)"
    summary["size_ratio"] = sizes["wasm"] / sizes["native"]
    summary["load"] = load.summary()
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="wasm_run", title=N_("Go on wasip1/wasm under Node's WASI vs native"), chapter=2,
    sources=DEPS, params=PARAMS,
    presets={"quick": {"repeats": 5}, "full": {"repeats": 30}}, func=measure, code_version=3,
))
