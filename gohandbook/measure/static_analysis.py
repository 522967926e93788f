"""Chapter 1's static analysis: go vet and staticcheck over a module with planted problems.

The planted module (`go-samples/vetcheck`, `go 1.21` so the loop-variable capture is real)
lists its problems in PLANTED.json. Findings are matched to plants by file and line. The
staticcheck binary comes from the tools module's `tool` directive; building it is the one
step allowed to use the Go module proxy. Where that fails the result says staticcheck was
skipped and why, and the vet half still stands.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .. import paths, proc
from ..params import Param, ParamSet
from ..toolchain import tree_hash
from . import Context, Measurement, register
from ..i18n import N_

# The source's own command (section 4.3): it says this "enables SA1019 but disables ST1005".
SEED_CHECKS = "all,-ST1005,-SA1019"
# The source's own examples, kept out of the planted set (seedexample/): file -> what the source says.
SEED_EXAMPLE_FILES = {"unclosed_body.go": "an unclosed response body / io.Reader (source: go vet catches it)",
                      "error_string.go": "a capitalised error string (ST1005)"}

PARAMS = ParamSet("static_analysis", (
    Param("staticcheck", "bool", True, "Also run staticcheck (needs the module proxy once to build it)"),
))


def parse_vet_json(text: str) -> list[dict]:
    """`go vet -json` prints '# pkg' lines and one JSON object per package: {pkg: {analyzer: [diag]}}."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    decoder, pos, findings = json.JSONDecoder(), 0, []
    while True:
        match = re.compile(r"\S").search(body, pos)
        if not match:
            break
        obj, pos = decoder.raw_decode(body, match.start())
        for analyzers in obj.values():
            for analyzer, diags in analyzers.items():
                if isinstance(diags, dict):  # {"error": "..."} for a package that failed
                    continue
                for d in diags:
                    file, line = _posn(d.get("posn", ""))
                    findings.append({"tool": "vet", "check": analyzer, "file": file, "line": line,
                                     "message": d.get("message", "")})
    return findings


def _posn(posn: str) -> tuple[str, int]:
    match = re.match(r"^(.*?):(\d+)(?::\d+)?$", posn)
    return (os.path.basename(match.group(1)), int(match.group(2))) if match else (posn, 0)


def parse_staticcheck_json(text: str) -> list[dict]:
    findings = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        loc = d.get("location", {})
        findings.append({"tool": "staticcheck", "check": d.get("code", ""), "file": os.path.basename(loc.get("file", "")),
                         "line": int(loc.get("line", 0)), "message": d.get("message", "")})
    return findings


def match_findings(plants: list[dict], findings: list[dict], tolerance: int = 1) -> tuple[list[dict], list[dict]]:
    """Attach each finding to the plant on the same file and line (± tolerance); return (rows, unmatched)."""
    rows = [{**p, "found": {"vet": [], "staticcheck": []}} for p in plants]
    unmatched = []
    for f in findings:
        target = next((r for r in rows if os.path.basename(r["file"]) == f["file"]
                       and abs(r["line"] - f["line"]) <= tolerance), None)
        if target is None:
            unmatched.append(f)
        elif f["check"] not in target["found"][f["tool"]]:
            target["found"][f["tool"]].append(f["check"])
    return rows, unmatched


def staticcheck_binary(ctx: Context) -> tuple[Path | None, str]:
    """Build staticcheck from the tools module (cached by go.mod/go.sum and Go version)."""
    tools = paths.samples_dir() / "tools"
    version = re.search(r"honnef\.co/go/tools (v\S+)", (tools / "go.mod").read_text())
    key = hashlib.sha256((tree_hash(tools / "go.mod", tools / "go.sum") + ctx.go.version).encode()).hexdigest()[:16]
    out = paths.cache_dir() / "bin" / f"staticcheck-{key}"
    label = f"staticcheck {version.group(1) if version else '?'}"
    if out.exists():
        return out, label
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    try:
        # The one build that may reach the module proxy: the tools module's dependencies.
        ctx.go.run(["build", "-o", str(tmp), "honnef.co/go/tools/cmd/staticcheck"], cwd=tools, offline=False,
                   timeout=900)
    except proc.ProcessError as exc:
        return None, f"skipped: building {label} failed (module proxy unreachable or Go too new?): {str(exc).splitlines()[-1]}"
    os.replace(tmp, out)
    return out, label


def _staticcheck(binary: Path, ctx: Context, module: Path, checks: str | None) -> tuple[list[dict] | None, str]:
    args = [str(binary), "-f", "json", *(["-checks", checks] if checks else []), "./..."]
    done = proc.run(args, cwd=module, timeout=600,
                    env=ctx.go.env(extra={"PATH": os.path.dirname(ctx.go.path) + os.pathsep + os.environ.get("PATH", "")}))
    if done.returncode not in (0, 1):
        return None, f"exited {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}"
    return parse_staticcheck_json(done.stdout), "ok"


def checks_reported(findings: list[dict] | None) -> dict:
    """Which of the two checks the source names were reported, and every check code seen."""
    if findings is None:
        return {"sa1019_reported": None, "st1005_reported": None, "codes": []}
    codes = sorted({f["check"] for f in findings})
    return {"sa1019_reported": "SA1019" in codes, "st1005_reported": "ST1005" in codes, "codes": codes}


def seed_example(findings: list[dict]) -> dict:
    """What go vet and staticcheck say about the source's own examples (seedexample/)."""
    on = [f for f in findings if f["file"] in SEED_EXAMPLE_FILES]
    body = [f for f in on if f["file"] == "unclosed_body.go"]
    return {"files": SEED_EXAMPLE_FILES,
            "vet_flags_unclosed_body": any(f["tool"] == "vet" for f in body),
            "staticcheck_flags_unclosed_body": any(f["tool"] == "staticcheck" for f in body),
            "findings": on}


def measure(ctx: Context) -> dict:
    module = paths.samples_dir() / "vetcheck"
    plants = json.loads((module / "PLANTED.json").read_text())
    ctx.progress(0.1, "go vet")
    vet = ctx.go.run(["vet", "-json", "./..."], cwd=module, check=False, timeout=300)
    findings = parse_vet_json(vet.stderr + "\n" + vet.stdout)
    staticcheck_status = "not run (staticcheck parameter is false)"
    staticcheck_ran = False
    default_checks = seed_checks = checks_reported(None)
    if ctx.params["staticcheck"]:
        ctx.progress(0.3, N_("building staticcheck from the tools module"))
        binary, label = staticcheck_binary(ctx)
        if binary is None:
            staticcheck_status = label
        else:
            ctx.progress(0.6, "staticcheck")
            found, status = _staticcheck(binary, ctx, module, None)
            if found is None:
                staticcheck_status = f"skipped: {label} {status}"
            else:
                findings += found
                staticcheck_status = f"ok: {label}"
                staticcheck_ran = True
                default_checks = checks_reported(found)
                ctx.progress(0.8, f"staticcheck -checks {SEED_CHECKS}")
                seed_found, _ = _staticcheck(binary, ctx, module, SEED_CHECKS)
                seed_checks = checks_reported(seed_found)
    example = seed_example(findings)
    findings = [f for f in findings if f["file"] not in SEED_EXAMPLE_FILES]
    rows, unmatched = match_findings(plants, findings)
    vet_found = sum(1 for r in rows if r["found"]["vet"])
    sc_found = sum(1 for r in rows if r["found"]["staticcheck"]) if staticcheck_ran else None
    summary = {
        "planted": len(rows), "vet_found": vet_found, "staticcheck_found": sc_found,
        "union_found": sum(1 for r in rows if r["found"]["vet"] or r["found"]["staticcheck"]),
        "staticcheck_status": staticcheck_status, "vet_exit": vet.returncode,
        "rows": rows, "unplanted_findings": unmatched,
        # findings on lines where nothing was planted (nor on the source's examples): false alarms, or real
        # problems nobody planted; the source says the combination runs "without false positives"
        "unplanted_count": len(unmatched),
        "seed_example": example,
        # the same module under staticcheck's default checks and under the source's -checks string
        "default_checks": default_checks,
        "seed_checks_string": {"checks": SEED_CHECKS, **seed_checks},
    }
    return {"summary": summary, "raw": {"findings": findings, "vet_stderr": vet.stderr[-20000:]}}


register(Measurement(
    name="static_analysis", title=N_("go vet and staticcheck on planted problems"), chapter=1,
    sources=("vetcheck", "tools/go.mod", "tools/go.sum"), params=PARAMS,
    presets={"quick": {}, "full": {}}, func=measure, code_version=4,
))
