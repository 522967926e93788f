"""Chapter 1: how big is the Go health-check binary, stripped or not, and what does it need?"""

from __future__ import annotations

from .. import paths
from ..elfinfo import read_deps
from ..params import Param, ParamSet
from ..toolchain import build
from . import Context, Measurement, register

VARIANTS = {
    # name: (env overrides, ldflags)
    "default": ({}, ""),
    "stripped": ({}, "-s -w"),
    "cgo0": ({"CGO_ENABLED": "0"}, ""),
    "cgo0_stripped": ({"CGO_ENABLED": "0"}, "-s -w"),
}

PARAMS = ParamSet("go_binary_size", (
    Param("package", "choice", "healthcheck", "Which sample to build", choices=("healthcheck",)),
))


def measure(ctx: Context) -> dict:
    raw = {}
    for i, (variant, (env, ldflags)) in enumerate(VARIANTS.items()):
        ctx.progress(i / len(VARIANTS), f"go build {variant}")
        binary = build(paths.samples_dir() / ctx.params["package"], name=f"{ctx.params['package']}-{variant}",
                       ldflags=ldflags, env=env)
        deps = read_deps(binary)
        raw[variant] = {
            "bytes": binary.stat().st_size, "path": str(binary), "env": env, "ldflags": ldflags,
            "interpreter": deps.interpreter, "needed": deps.needed, "dynamic": deps.dynamic,
        }
    mb = lambda v: raw[v]["bytes"] / 1e6  # noqa: E731  (decimal MB, as `ls -lh --si` and the seed's "MB")
    summary = {
        "default_mb": mb("default"), "stripped_mb": mb("stripped"),
        "cgo0_mb": mb("cgo0"), "cgo0_stripped_mb": mb("cgo0_stripped"),
        "strip_saving_pct": 100 * (1 - raw["stripped"]["bytes"] / raw["default"]["bytes"]),
        "default_dynamic": raw["default"]["dynamic"], "cgo0_dynamic": raw["cgo0"]["dynamic"],
        "default_needed": raw["default"]["needed"], "default_interpreter": raw["default"]["interpreter"],
    }
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="go_binary_size", title="Go binary size and dependencies", chapter=1,
    sources=("healthcheck", "go.mod", "internal/health", "internal/serve"), params=PARAMS,
    presets={"quick": {}, "full": {}}, func=measure,
    description="Builds the health-check service with and without -ldflags '-s -w' and CGO_ENABLED=0; "
                "sizes from stat, dependencies from the ELF program headers.",
))
