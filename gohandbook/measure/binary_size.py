"""Chapter 1: how big is the Go health-check binary, stripped or not, and what does it need?

The host-target slice of chapter 2's build matrix: the same builder (`build_matrix.build_healthcheck`,
so the same binaries and header reading), four flag sets, no cross targets and no start-up runs."""

from __future__ import annotations

from .. import proc
from ..params import Param, ParamSet
from . import Context, Measurement, register
from .build_matrix import FLAGSETS, build_healthcheck, host_target
from ..i18n import N_

VARIANTS = {"default": "default", "stripped": "strip", "cgo0": "cgo0", "cgo0_stripped": "cgo0_strip"}  # → FLAGSETS

PARAMS = ParamSet("go_binary_size", (
    Param("package", "choice", "healthcheck", "Which sample to build", choices=("healthcheck",)),
))


def measure(ctx: Context) -> dict:
    raw = {}
    target = host_target()
    for i, (variant, flagset) in enumerate(VARIANTS.items()):
        ctx.progress(i / len(VARIANTS), f"go build {variant}")
        b = build_healthcheck(target, flagset)
        if not b["ok"]:
            raise proc.ProcessError(f"go build ({b['label']}) failed: {b['error']}")
        _label, env, flags = FLAGSETS[flagset]
        ldflags = " ".join(f.removeprefix("-ldflags=") for f in flags if f.startswith("-ldflags="))
        raw[variant] = {"bytes": b["bytes"], "path": b["path"], "env": env, "ldflags": ldflags,
                        "interpreter": b["interpreter"], "needed": b["needed"], "dynamic": b["dynamic"]}
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
    name="go_binary_size", title=N_("Go binary size and dependencies"), chapter=1,
    # build_matrix.DEPS, in the order the recorded results' sample hash was taken in
    sources=("healthcheck", "go.mod", "internal/health", "internal/serve"), params=PARAMS,
    presets={"quick": {}, "full": {}}, func=measure,
    description="Builds the health-check service with and without -ldflags '-s -w' and CGO_ENABLED=0 (the host "
                "slice of build_matrix); sizes from stat, dependencies from the ELF program headers.",
))
