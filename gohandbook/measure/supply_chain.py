"""Chapter 4: what a Go binary says about its own supply chain, and govulncheck where possible.

`go version -m BINARY` prints the module information the linker embeds (path, main module,
every dependency with version and go.sum hash, build settings): an SBOM-like inventory that
Syft also reads. Two binaries: the handbook's canary router (standard library only, so its
list is just the main module) and staticcheck, built by chapter 1 from the tools module, which
has real third-party dependencies.

govulncheck needs its program (golang.org/x/vuln, fetched through the Go module proxy) and its
vulnerability database (vuln.go.dev). Either may be unreachable here; then the result says
that it was skipped and why, and nothing is faked.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

from .. import paths
from ..params import Param, ParamSet
from ..toolchain import build
from . import Context, Measurement, register
from .mod_tools import parse_version_m
from .static_analysis import staticcheck_binary
from ..i18n import N_

PARAMS = ParamSet("supply_chain", (
    Param("govulncheck", "bool", True, "Try govulncheck (needs the module proxy once and vuln.go.dev)"),
    Param("govulncheck_version", "str", "latest", "Version of golang.org/x/vuln to install"),
))
VULNDB_HOST = "vuln.go.dev"


def inventory(ctx: Context, binary: Path, label: str) -> dict:
    done = ctx.go.run(["version", "-m", str(binary)], cwd=paths.samples_dir(), check=False, timeout=60)
    parsed = parse_version_m(done.stdout)
    return {"label": label, "binary": binary.name, "bytes": binary.stat().st_size, "exit": done.returncode,
            "modules": 1 + len(parsed["deps"]) if parsed["main"] else len(parsed["deps"]),
            "third_party": len(parsed["deps"]), **parsed, "text": done.stdout}


def dns_reachable(host: str, timeout: float = 3.0) -> tuple[bool, str]:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        socket.getaddrinfo(host, 443)
        return True, f"{host} resolves"
    except OSError as exc:
        return False, f"{host} does not resolve ({exc})"
    finally:
        socket.setdefaulttimeout(previous)


def govulncheck_binary(ctx: Context, version: str) -> tuple[Path | None, str]:
    """A govulncheck on PATH, else `go install golang.org/x/vuln/cmd/govulncheck@version` into the cache."""
    on_path = shutil.which("govulncheck")
    if on_path:
        return Path(on_path), f"govulncheck from PATH ({on_path})"
    gobin = paths.cache_dir() / "bin" / f"govulncheck-{version}-{ctx.go.version}"
    exe = gobin / "govulncheck"
    if exe.exists():
        return exe, f"govulncheck {version} (built earlier)"
    gobin.mkdir(parents=True, exist_ok=True)
    done = ctx.go.run(["install", f"golang.org/x/vuln/cmd/govulncheck@{version}"], cwd=paths.samples_dir(),
                      offline=False, check=False, timeout=300, env={"GOBIN": str(gobin), "GOFLAGS": "-mod=mod"})
    if done.returncode != 0 or not exe.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()
        return None, ("installing golang.org/x/vuln/cmd/govulncheck@" + version + " through the Go module proxy failed: "
                      + (tail[-1] if tail else f"exit {done.returncode}"))
    return exe, f"govulncheck {version} (installed through the module proxy)"


def run_govulncheck(ctx: Context, router: Path) -> dict:
    if not ctx.params["govulncheck"]:
        return {"status": "skipped", "reason": "govulncheck parameter is false"}
    ok, dns = dns_reachable(VULNDB_HOST)
    if not ok:
        # Without its database govulncheck cannot say anything: do not fetch the tool either.
        return {"status": "skipped", "reason": f"its vulnerability database is unreachable from this machine: {dns} "
                                               "(the tool itself was therefore not fetched)"}
    binary, how = govulncheck_binary(ctx, ctx.params["govulncheck_version"])
    if binary is None:
        return {"status": "skipped", "reason": how}
    from .. import proc

    env = ctx.go.env(offline=False, extra={"PATH": os.path.dirname(ctx.go.path) + os.pathsep + os.environ.get("PATH", "")})
    res = proc.run([str(binary), "-mode=binary", "-format=json", str(router)], timeout=300, env=env,
                   cwd=paths.samples_dir())
    findings = []
    for chunk in _json_stream(res.stdout):
        if "finding" in chunk:
            findings.append(chunk["finding"].get("osv"))
    if res.returncode not in (0, 3):
        return {"status": "failed", "reason": f"{how} exited {res.returncode}: {(res.stderr or res.stdout)[-300:]}"}
    return {"status": "ran", "tool": how, "findings": sorted(set(f for f in findings if f))}


def _json_stream(text: str):
    decoder, pos = json.JSONDecoder(), 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return
        yield obj


def measure(ctx: Context) -> dict:
    ctx.progress(0.05, N_("building the canary router"))
    router = build(paths.samples_dir() / "canary", name="canary-router")
    binaries = {"canary_router": inventory(ctx, router, "canary router (this handbook, standard library only)")}
    ctx.progress(0.3, N_("staticcheck binary from chapter 1's tools module"))
    sc, label = staticcheck_binary(ctx)
    if sc is not None:
        binaries["staticcheck"] = inventory(ctx, sc, f"{label} (built by chapter 1 from go-samples/tools)")
    ctx.progress(0.5, "govulncheck")
    vuln = run_govulncheck(ctx, router)
    summary = {
        "binaries": {k: {kk: vv for kk, vv in v.items() if kk != "text"} for k, v in binaries.items()},
        "staticcheck_status": "ok" if sc is not None else label,
        "govulncheck": vuln,
        "govulncheck_ran": vuln["status"] == "ran",
    }
    return {"summary": summary, "raw": {k: v["text"] for k, v in binaries.items()}}


register(Measurement(
    name="supply_chain", title=N_("Module inventory (go version -m) and govulncheck"), chapter=4,
    sources=("go.mod", "canary", "internal/serve", "tools/go.mod", "tools/go.sum"), params=PARAMS,
    presets={"quick": {}, "full": {}}, func=measure,
    description="SBOM-like module lists of two built binaries; govulncheck where its tool and database are reachable.",
))
