"""Chapter 2.4: Go's module tooling on the handbook's own modules, offline.

`go mod graph`, `go mod verify` and `go list -m all` on the samples module (standard library
only) and on the tools module (staticcheck and its real dependencies, from the local module
cache; GOPROXY=off, so anything not cached is reported as needing the network, not fetched).
`go version -m` on built binaries gives an SBOM-like list of the modules linked in, with
versions and h1: checksums; each checksum is compared with the tools module's go.sum.
eBPF is probed (bpf() system call, BTF, bpftool) to say precisely what is and is not possible here.
"""

from __future__ import annotations

import json
import re

from .. import paths
from ..params import Param, ParamSet
from ..toolchain import build
from . import Context, Measurement, register
from ._ebpf_probe import probe as ebpf_probe
from ..i18n import N_


PARAMS = ParamSet("mod_tools", (
    Param("staticcheck_binary", "bool", True,
          "Read `go version -m` of the staticcheck binary (built by static_analysis, or built here from the module cache)"),
))


NON_SPACE = re.compile(r"\S")


def parse_graph(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split()[:2]) for line in text.splitlines() if len(line.split()) >= 2]


def parse_version_m(text: str) -> dict:
    """`go version -m BINARY` -> {"go", "path", "main": {"path", "version", "sum"}, "deps": [...], "build": {...}}
    (the one parser: chapter 4's supply_chain reads it too)."""
    out: dict = {"go": None, "path": None, "main": None, "deps": [], "build": {}}
    lines = text.splitlines()
    if lines and ":" in lines[0]:
        out["go"] = lines[0].split(":", 1)[1].strip()
    for line in lines[1:]:
        parts = [x for x in line.strip().split("\t") if x] if "\t" in line.strip() else line.split()
        if not parts:
            continue
        kind, rest = parts[0], parts[1:]
        if kind == "path" and rest:
            out["path"] = rest[0]
        elif kind == "mod" and rest:
            out["main"] = {"path": rest[0], "version": rest[1] if len(rest) > 1 else "",
                           "sum": rest[2] if len(rest) > 2 else ""}
        elif kind == "dep" and rest:
            out["deps"].append({"path": rest[0], "version": rest[1] if len(rest) > 1 else "",
                                "sum": rest[2] if len(rest) > 2 else ""})
        elif kind == "=>" and rest and out["deps"]:
            out["deps"][-1]["replaced_by"] = " ".join(rest)
        elif kind == "build" and rest:
            key, _, value = " ".join(rest).partition("=")
            out["build"][key] = value
    return out


def parse_list_json(text: str) -> list[dict]:
    """`go list -m -e -json all` (a stream of JSON objects) -> one row per module in the build list."""
    decoder, pos, rows = json.JSONDecoder(), 0, []
    while (m := NON_SPACE.search(text, pos)):
        obj, pos = decoder.raw_decode(text, m.start())
        rows.append({"module": obj.get("Path", ""), "version": obj.get("Version", ""),
                     "main": bool(obj.get("Main")), "indirect": bool(obj.get("Indirect")),
                     "go": obj.get("GoVersion", ""), "cached": bool(obj.get("Dir") or obj.get("GoMod")),
                     "error": (obj.get("Error") or {}).get("Err", "")})
    return rows


def parse_go_sum(text: str) -> dict[tuple[str, str], str]:
    """go.sum -> {(module, version): h1 of the module zip} (the /go.mod lines are left out)."""
    sums = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and not parts[1].endswith("/go.mod"):
            sums[(parts[0], parts[1])] = parts[2]
    return sums


def module_report(ctx: Context, rel: str) -> dict:
    module = paths.samples_dir() / rel if rel else paths.samples_dir()
    graph = ctx.go.run(["mod", "graph"], cwd=module, check=False, timeout=120)
    verify = ctx.go.run(["mod", "verify"], cwd=module, check=False, timeout=300)
    listed = ctx.go.run(["list", "-m", "-e", "-json", "all"], cwd=module, check=False, timeout=120)
    edges = parse_graph(graph.stdout) if graph.returncode == 0 else []
    modules = sorted({n for e in edges for n in e if not n.startswith(("go@", "toolchain@"))})
    mods = parse_list_json(listed.stdout)
    offline_missing = [f"{m['module']}@{m['version']}" for m in mods if m["error"]]
    return {
        "dir": str(module.relative_to(paths.repo_root())), "graph_ok": graph.returncode == 0,
        "graph_edges": len(edges), "graph": [list(e) for e in edges], "modules_in_graph": len(modules),
        "verify_ok": verify.returncode == 0 and "all modules verified" in verify.stdout,
        "verify_output": (verify.stdout + verify.stderr).strip()[-2000:],
        "modules": mods, "build_list_size": len(mods),
        "list_all_ok": listed.returncode == 0 and not offline_missing,
        "list_all_needs_network": any("GOPROXY=off" in m["error"] for m in mods),
        "offline_missing": offline_missing,
    }


def measure(ctx: Context) -> dict:
    ctx.progress(0.05, N_("samples module: go mod graph / verify / list"))
    samples = module_report(ctx, "")
    ctx.progress(0.3, N_("tools module: go mod graph / verify / list"))
    tools = module_report(ctx, "tools")
    binaries = {}
    ctx.progress(0.5, "go version -m")
    hc = build(paths.samples_dir() / "healthcheck", name="healthcheck-ch2")
    targets = {"healthcheck": hc}
    staticcheck_status = "not requested"
    if ctx.params["staticcheck_binary"]:
        from .static_analysis import staticcheck_binary
        sc, label = staticcheck_binary(ctx)
        staticcheck_status = label
        if sc is not None:
            targets["staticcheck"] = sc
    for name, path in targets.items():
        done = ctx.go.run(["version", "-m", str(path)], cwd=paths.samples_dir(), timeout=60)
        binaries[name] = parse_version_m(done.stdout)
    go_sum = parse_go_sum((paths.samples_dir() / "tools" / "go.sum").read_text())
    sbom = []
    for name, info in binaries.items():
        for dep in ([info["main"]] if info["main"] else []) + info["deps"]:
            expected = go_sum.get((dep["path"], dep["version"]))
            sbom.append({"binary": name, "module": dep["path"], "version": dep["version"], "h1": dep["sum"],
                         "matches_go_sum": (expected == dep["sum"]) if expected else None})
    ctx.progress(0.9, N_("eBPF probe"))
    ebpf = ebpf_probe()
    summary = {
        "samples": samples, "tools": tools,
        "verify_ok": samples["verify_ok"] and tools["verify_ok"],
        "binaries": {k: {"go": v["go"], "path": v["path"], "deps": len(v["deps"]),
                         "build": {b: v["build"][b] for b in ("CGO_ENABLED", "GOOS", "GOARCH", "-trimpath", "-ldflags",
                                                              "vcs") if b in v["build"]}}
                     for k, v in binaries.items()},
        "sbom": sbom, "sbom_modules": len(sbom),
        "sbom_sums_match_go_sum": all(r["matches_go_sum"] is not False for r in sbom),
        "staticcheck_status": staticcheck_status,
        "ebpf": ebpf,
    }
    return {"summary": summary, "raw": {name: info for name, info in binaries.items()}}


register(Measurement(
    name="mod_tools", title=N_("go mod graph / verify and go version -m, offline"), chapter=2,
    sources=("go.mod", "tools/go.mod", "tools/go.sum", "healthcheck", "internal/health",
             "internal/serve"), params=PARAMS,
    presets={"quick": {}, "full": {}}, func=measure, code_version=2,
))
