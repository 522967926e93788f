"""Chapter 4: Go's native fuzzing finds a planted bug in a small parser; the fixed version passes.

`go-samples/parser` builds the fixed parser by default; the build tag `planted` swaps in an
`unquote` that reads past the end of the input after a trailing backslash. The fuzzing runs
in a temporary copy of the package (its own go.mod), so the crasher that `go test -fuzz` saves
under testdata/fuzz/ never lands in the repository, and the copy's fuzz cache
($GOCACHE/fuzz/<copy module>/) is cleared first so each run starts from the seed corpus only.

Steps: fuzz the planted version (bounded by `fuzztime`); read the saved crashing input; run
that input against the fixed version as a regression test; fuzz the fixed version for
`fixed_fuzztime`.
"""

from __future__ import annotations

import ast
import re
import shutil
import tempfile
import time
from pathlib import Path

from .. import paths
from ..params import Param, ParamSet
from . import Context, Measurement, register
from ..i18n import N_

COPY_MODULE = "gohandbook.example/fuzzcopy"
TARGET = "FuzzParse"

PARAMS = ParamSet("fuzz_parser", (
    Param("fuzztime_s", "float", 30.0, "Fuzzing budget for the planted version (the seed's pipeline uses 30 s)",
          min=1, max=600),
    Param("fixed_fuzztime_s", "float", 5.0, "Fuzzing time for the fixed version", min=1, max=600),
))

_ELAPSED = re.compile(r"fuzz: elapsed: (\d+)s, execs: (\d+)")
_FAIL = re.compile(r"--- FAIL: " + TARGET + r" \(([\d.]+)s\)")
_PANIC = re.compile(r"(panic: .*|testing\.go:\d+: .*)")
_WRITTEN = re.compile(r"Failing input written to (testdata/fuzz/" + TARGET + r"/\S+)")


def decode_corpus_file(text: str) -> list:
    """`go test fuzz v1` files: one Go literal per line after the header (string(...), []byte(...), ints)."""
    values = []
    for line in text.splitlines()[1:]:
        line = line.strip()
        match = re.match(r"^(string|\[\]byte)\((.*)\)$", line)
        if match:
            try:
                values.append(ast.literal_eval(match.group(2)))
            except (ValueError, SyntaxError):
                values.append(match.group(2))
        elif line:
            values.append(line)
    return values


def copy_package(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True)
    for path in src.glob("*.go"):
        shutil.copy2(path, dst / path.name)
    (dst / "go.mod").write_text(f"module {COPY_MODULE}\n\ngo 1.22\n")


def clear_fuzz_cache(ctx: Context, module_dir: Path) -> None:
    gocache = ctx.go.run(["env", "GOCACHE"], cwd=module_dir, timeout=60).stdout.strip()
    if gocache:
        shutil.rmtree(Path(gocache) / "fuzz" / COPY_MODULE, ignore_errors=True)


def fuzz(ctx: Context, module_dir: Path, fuzztime: float, tags: str) -> dict:
    args = ["test"] + (["-tags", tags] if tags else []) + [
        "-run", "^$", "-fuzz", f"^{TARGET}$", f"-fuzztime={fuzztime:g}s", "."]
    t0 = time.perf_counter()
    done = ctx.go.run(args, cwd=module_dir, check=False, timeout=fuzztime + 600)
    wall = time.perf_counter() - t0
    out = done.stdout + "\n" + done.stderr
    execs = [int(m.group(2)) for m in _ELAPSED.finditer(out)]
    fail = _FAIL.search(out)
    written = _WRITTEN.search(out)
    panic = _PANIC.search(out)
    return {"command": "go " + " ".join(args), "exit": done.returncode, "wall_s": wall,
            "failed": bool(fail), "fuzz_s": float(fail.group(1)) if fail else None,
            "execs": max(execs) if execs else None, "saved": written.group(1) if written else None,
            "failure": panic.group(1).strip() if panic else None, "output_tail": out[-6000:],
            # Go's fuzzing engine sometimes ends a run that found nothing with "context deadline exceeded" (the
            # time limit hit while it was still minimising a new coverage input): no crasher saved, no panic.
            "deadline_only": bool(fail) and not written and not panic and "context deadline exceeded" in out}


def measure(ctx: Context) -> dict:
    p = ctx.params
    src = paths.samples_dir() / "parser"
    with tempfile.TemporaryDirectory(prefix="gohandbook-fuzz-") as tmp:
        module = Path(tmp) / "parser"
        copy_package(src, module)
        clear_fuzz_cache(ctx, module)
        ctx.progress(0.05, N_("fuzzing the planted version (compiling with coverage instrumentation)"))
        planted = fuzz(ctx, module, p["fuzztime_s"], tags="planted")
        crasher, crasher_text, regression = None, None, None
        if planted["saved"]:
            crasher_text = (module / planted["saved"]).read_text()
            values = decode_corpus_file(crasher_text)
            crasher = values[0] if values else None
            ctx.progress(0.6, N_("running the crashing input against the fixed version"))
            name = Path(planted["saved"]).name
            reg = ctx.go.run(["test", "-run", f"^{TARGET}$/^{name}$", "-v", "."], cwd=module, check=False, timeout=600)
            regression = {"command": f"go test -run '^{TARGET}$/^{name}$' -v .", "exit": reg.returncode,
                          "passed": reg.returncode == 0 and f"--- PASS: {TARGET}/{name}" in reg.stdout,
                          "output_tail": (reg.stdout + reg.stderr)[-3000:]}
            (module / planted["saved"]).unlink()  # the fixed version's fuzzing starts from the seeds too
        clear_fuzz_cache(ctx, module)
        ctx.progress(0.7, N_("fuzzing the fixed version"))
        fixed = fuzz(ctx, module, p["fixed_fuzztime_s"], tags="")
        clear_fuzz_cache(ctx, module)
        if fixed["deadline_only"]:
            ctx.notes.append("Fuzzing the fixed version ended with Go's 'context deadline exceeded' after "
                             f"{fixed['execs']} executions, with no failing input saved and no panic: counted as "
                             "finding nothing (the engine's time limit, not a failure of the parser).")
    diff = {name: (src / name).read_text() for name in ("unquote.go", "unquote_planted.go")}
    summary = {
        "found_planted_bug": planted["failed"] and planted["saved"] is not None,
        "fuzztime_s": p["fuzztime_s"],
        "seconds_to_find": planted["fuzz_s"],
        "wall_s_planted": planted["wall_s"],
        "crashing_input": crasher,
        "crashing_input_file": crasher_text,
        "failure": planted["failure"],
        "planted_command": planted["command"],
        "fixed_handles_crasher": bool(regression and regression["passed"]),
        "fixed_passed": (fixed["exit"] == 0 and not fixed["failed"]) or fixed["deadline_only"],
        "fixed_deadline_only": fixed["deadline_only"],
        "fixed_fuzztime_s": p["fixed_fuzztime_s"],
        "fixed_execs": fixed["execs"],
        "fixed_command": fixed["command"],
    }
    return {"summary": summary, "raw": {"planted": planted, "regression": regression, "fixed": fixed,
                                        "sources": diff}}


register(Measurement(
    name="fuzz_parser", title=N_("Fuzzing a parser with a planted bug"), chapter=4,
    sources=("parser",), params=PARAMS,
    presets={"quick": {"fuzztime_s": 30.0, "fixed_fuzztime_s": 5.0},
             "full": {"fuzztime_s": 30.0, "fixed_fuzztime_s": 60.0}},
    func=measure,
    code_version=2,   # 2: a fixed-version run ended only by the engine's deadline counts as finding nothing
    description="go test -fuzz on the planted and the fixed parser in a temporary copy of the package.",
))
