"""Chapter 2.2: build the health-check service with each flag set for each target; sizes from
stat, what each binary needs at run time from its headers, and the native start-up time.

Flag sets: default; CGO_ENABLED=0; -ldflags '-s -w'; -trimpath; and all three combined.
Targets: linux/amd64 (this machine), linux/arm64, windows/amd64, darwin/arm64, wasip1/wasm.
Cross builds are not run here (no emulator); they are checked for format, architecture and
linked libraries. Also built: `go build -a` without CGO_ENABLED=0, to test the source document's
claim that -a is what makes the binary static.
"""

from __future__ import annotations

import os
import shutil

from .. import paths, proc
from ..params import Param, ParamSet, comma_list
from ..toolchain import build
from . import Context, Measurement, PROGRESS_STARTUP, register
from ._binfmt import describe
from ._runs import LoadWatch, clean_env, stats
from ..i18n import N_

TARGETS = ("linux/amd64", "linux/arm64", "windows/amd64", "darwin/arm64", "wasip1/wasm")
FLAGSETS = {
    # name: (label, env, go build flags)
    "default": ("go build", {}, ()),
    "cgo0": ("CGO_ENABLED=0", {"CGO_ENABLED": "0"}, ()),
    "strip": ("-ldflags '-s -w'", {}, ("-ldflags=-s -w",)),
    "trimpath": ("-trimpath", {}, ("-trimpath",)),
    "combined": ("CGO_ENABLED=0 -trimpath -ldflags '-s -w'", {"CGO_ENABLED": "0"}, ("-trimpath", "-ldflags=-s -w")),
    "cgo0_strip": ("CGO_ENABLED=0 -ldflags '-s -w'", {"CGO_ENABLED": "0"}, ("-ldflags=-s -w",)),  # chapter 1's
}
MATRIX_FLAGSETS = ("default", "cgo0", "strip", "trimpath", "combined")
DEPS = ("go.mod", "healthcheck", "internal/health", "internal/serve")

PARAMS = ParamSet("build_matrix", (
    Param("targets", "str", ",".join(TARGETS), "Comma-separated GOOS/GOARCH targets: " + ", ".join(TARGETS)),
    Param("flagsets", "str", ",".join(MATRIX_FLAGSETS), "Comma-separated flag sets: " + ", ".join(MATRIX_FLAGSETS)),
    Param("cross_flagsets", "str", "default,cgo0,strip",
          "Flag sets for the cross targets (the host target always gets every flag set in `flagsets`)"),
    Param("a_flag", "bool", True, "Also build with -a (and cgo left on) to test the seed's claim about -a"),
    Param("startup_repeats", "int", 5, "Native start-ups (spawn to first 200 on /healthz) per measured build",
          min=1, max=50),
))


def host_target() -> str:
    import platform

    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    return f"linux/{machine}"


def ldd(path: str) -> str:
    if not shutil.which("ldd"):
        return "ldd not installed"
    done = proc.run(["ldd", path], timeout=30)
    return (done.stdout + done.stderr).strip()


def build_healthcheck(target: str, flagset: str) -> dict:
    """Build the health-check service for one GOOS/GOARCH target with one of FLAGSETS: its size (stat) and
    what it needs at run time (its headers), or ok=False with go build's last error line."""
    goos, goarch = target.split("/")
    label, env, flags = FLAGSETS[flagset]
    entry = {"target": target, "flagset": flagset, "label": label}
    try:
        out = build(paths.samples_dir() / "healthcheck", name=f"hc-{goos}-{goarch}-{flagset}",
                    env={"GOOS": goos, "GOARCH": goarch, **env}, flags=flags)
    except proc.ProcessError as exc:
        return dict(entry, ok=False, error=str(exc).splitlines()[-1][:300])
    size = os.stat(out).st_size
    return dict(entry, ok=True, path=str(out), bytes=size, mb=size / 1e6, **describe(out))


def measure(ctx: Context) -> dict:
    p = ctx.params
    targets = comma_list("targets", p["targets"], TARGETS)
    flagsets = comma_list("flagsets", p["flagsets"], MATRIX_FLAGSETS)
    cross_flagsets = [f for f in comma_list("cross_flagsets", p["cross_flagsets"], MATRIX_FLAGSETS) if f in flagsets]
    host = host_target()
    jobs = [(t, f) for t in targets for f in (flagsets if t == host else cross_flagsets)]
    raw: dict = {"builds": {}, "cgo_default": {}}
    for i, (target, flagset) in enumerate(jobs):
        ctx.progress(0.6 * i / len(jobs), f"go build {target} {flagset}")
        raw["builds"][f"{target} {flagset}"] = build_healthcheck(target, flagset)
    for target in targets:
        goos, goarch = target.split("/")
        done = ctx.go.run(["env", "CGO_ENABLED"], cwd=paths.samples_dir(), env={"GOOS": goos, "GOARCH": goarch},
                          check=False, timeout=60)
        raw["cgo_default"][target] = done.stdout.strip()
    a_build = None
    if p["a_flag"]:
        ctx.progress(0.65, "go build -a (cgo left on)")
        goos, goarch = host.split("/")
        out = build(paths.samples_dir() / "healthcheck", name="hc-a-flag", env={"GOOS": goos, "GOARCH": goarch},
                    flags=("-a",))
        a_build = {"path": str(out), "bytes": os.stat(out).st_size, **describe(out), "ldd": ldd(str(out))}
    # Native start-up, for the host default and combined builds.
    startup = {}
    load = LoadWatch()
    measured = [f for f in ("default", "combined") if f"{host} {f}" in raw["builds"] and raw["builds"][f"{host} {f}"]["ok"]]
    env = clean_env()
    for j, flagset in enumerate(measured):
        path = raw["builds"][f"{host} {flagset}"]["path"]
        times = []
        for r in range(p["startup_repeats"]):
            ctx.progress(0.7 + 0.3 * (j * p["startup_repeats"] + r) / (len(measured) * p["startup_repeats"]),
                         PROGRESS_STARTUP.format(what=flagset, i=r + 1, n=p["startup_repeats"]))
            load.sample()
            port = proc.free_port()
            with proc.Server([path, "-addr", f"127.0.0.1:{port}"], port=port, env=env, name="healthcheck") as srv:
                times.append(srv.ready_seconds * 1000)
        startup[flagset] = stats(times)
    load.sample()
    builds = raw["builds"]

    def get(target: str, flagset: str) -> dict | None:
        b = builds.get(f"{target} {flagset}")
        return b if b and b.get("ok") else None

    def saving(target: str, base: str = "default", other: str = "strip") -> float | None:
        a, b = get(target, base), get(target, other)
        return 100 * (1 - b["bytes"] / a["bytes"]) if a and b else None

    per_target = {}
    for target in targets:
        row = {"cgo_enabled_by_default": raw["cgo_default"].get(target) == "1"}
        for flagset in MATRIX_FLAGSETS:
            b = get(target, flagset)
            row[f"{flagset}_mb"] = b["mb"] if b else None
        row["strip_saving_pct"] = saving(target)
        row["combined_saving_pct"] = saving(target, "default", "combined")
        row["trimpath_saving_pct"] = saving(target, "default", "trimpath")
        row["cgo0_saving_pct"] = saving(target, "default", "cgo0")
        per_target[target] = row
    host_default, host_cgo0 = get(host, "default"), get(host, "cgo0")
    cgo0_builds = [builds.get(f"{t} cgo0") for t in targets]
    wasm = per_target.get("wasip1/wasm", {})
    summary = {
        "host": host,
        "targets": per_target,
        "rows": [{k: v for k, v in b.items() if k != "path"} for b in builds.values()],
        "strip_saving_pct": per_target.get(host, {}).get("strip_saving_pct"),
        "wasm": {"strip_saving_pct": wasm.get("strip_saving_pct"), "default_mb": wasm.get("default_mb"),
                 "strip_mb": wasm.get("strip_mb")},
        "default_dynamic": host_default["dynamic"] if host_default else None,
        "default_needed": host_default["needed"] if host_default else None,
        "default_interpreter": host_default["interpreter"] if host_default else None,
        "cgo0_dynamic": host_cgo0["dynamic"] if host_cgo0 else None,
        "ldd": {f: ldd(get(host, f)["path"]) for f in ("default", "cgo0") if get(host, f)},
        "a_flag": a_build and {k: v for k, v in a_build.items() if k != "path"},
        "a_flag_only_static": (not a_build["dynamic"]) if a_build else None,
        "cross_targets_built": sum(1 for b in cgo0_builds if b and b.get("ok")),
        "cross_targets_failed": sum(1 for b in cgo0_builds if not (b and b.get("ok"))),
        "plain_build_format": f"{host_default['format']} {host_default['arch']}" if host_default else None,
        # A plain `go build` (no GOOS/GOARCH) produces a binary for the host only.
        "plain_build_cross_platform": (host_default["arch"] != {"linux/amd64": "x86-64", "linux/arm64": "arm64"}.get(host))
        if host_default else None,
        "startup_ms": startup, "load": load.summary(),
    }
    ctx.notes.append("Sizes are st_size of the built files (decimal MB). Cross-compiled binaries are inspected, not run.")
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="build_matrix", title=N_("Build flags × targets: sizes, linked libraries, start-up"), chapter=2,
    sources=DEPS, params=PARAMS,
    presets={
        "quick": {"cross_flagsets": "default,cgo0,strip", "startup_repeats": 5},
        "full": {"cross_flagsets": ",".join(MATRIX_FLAGSETS), "startup_repeats": 20},
    },
    func=measure, code_version=3,
    description="The health-check service built with default, CGO_ENABLED=0, -s -w, -trimpath and combined flags "
                "for five targets; sizes by stat, dependencies from ELF/PE/Mach-O/wasm headers, native start-up.",
))
