"""Chapter 4: the goroutine loop-variable experiment, go 1.21 vs go 1.22 vs no go line.

`go-samples/loopvar/main.go` is built in three temporary modules whose go.mod differs only in
its go line (`go 1.21`, `go 1.22`, none). Each is run (`go run .`) and vetted (`go vet -json`);
the program prints one line per case: the loop capture, the classic fix (pass as argument),
and the seed's processItem / processItemSafe examples. A case "reproduces the bug" when its
goroutines did not see three distinct items.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .. import paths
from ..params import ParamSet
from . import Context, Measurement, PROGRESS_LOOPVAR, register
from .static_analysis import parse_vet_json
from ..i18n import N_

MODULES = {
    # key: (the go line written into go.mod, or None for none; what that means)
    "go121": ("1.21", "go 1.21"),
    "go122": ("1.22", "go 1.22"),
    "nogoline": (None, N_("no go directive (the go command assumes go 1.16)")),
}
CASES = ("loop-capture", "pass-as-argument", "seed-processItem", "seed-processItemSafe")
EXPECTED = "a b c"

PARAMS = ParamSet("loopvar", ())


def parse_output(text: str) -> dict[str, str]:
    """'case: values' lines -> {case: values}."""
    out = {}
    for line in text.splitlines():
        if ": " in line:
            case, values = line.split(": ", 1)
            out[case.strip()] = values.strip()
    return out


def go_directive(gomod: str) -> str | None:
    for line in gomod.splitlines():
        parts = line.split("//")[0].split()
        if len(parts) == 2 and parts[0] == "go":
            return parts[1]
    return None


def write_module(folder: Path, key: str) -> Path:
    """The sample's main.go in a module whose go.mod says what MODULES[key] says; returns the folder."""
    go_line, _ = MODULES[key]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.go").write_text((paths.samples_dir() / "loopvar" / "main.go").read_text())
    (folder / "go.mod").write_text("module gohandbook.example/loopvar\n" + (f"\ngo {go_line}\n" if go_line else ""))
    return folder


def measure(ctx: Context) -> dict:
    summary: dict = {"expected": EXPECTED, "go_version": ctx.go.version}
    raw: dict = {}
    with tempfile.TemporaryDirectory(prefix="gohandbook-loopvar-") as tmp:
        for i, (key, (_, says)) in enumerate(MODULES.items()):
            ctx.progress(i / len(MODULES), PROGRESS_LOOPVAR.format(what=says))
            module = write_module(Path(tmp) / key, key)
            gomod = (module / "go.mod").read_text()
            run = ctx.go.run(["run", "."], cwd=module, check=False, timeout=300)
            vet = ctx.go.run(["vet", "-json", "./..."], cwd=module, check=False, timeout=300)
            outputs = parse_output(run.stdout)
            findings = parse_vet_json(vet.stdout + "\n" + vet.stderr)
            summary[key] = {
                "go_mod": says, "go_directive": go_directive(gomod), "run_exit": run.returncode,
                "outputs": outputs,
                "bug_reproduced": outputs.get("loop-capture") != EXPECTED if "loop-capture" in outputs else None,
                "fix_ok": outputs.get("pass-as-argument") == EXPECTED,
                "vet_findings": [f"{f['file']}:{f['line']}: {f['message']} ({f['check']})" for f in findings],
                "vet_flags_loop": any(f["check"] == "loopclosure" for f in findings),
            }
            raw[key] = {"go_mod": gomod, "stdout": run.stdout, "stderr": run.stderr[-5000:],
                        "vet_stdout": vet.stdout[-10000:], "vet_stderr": vet.stderr[-10000:]}
    old = summary["go121"]["outputs"]
    summary["seed_example"] = {
        # the seed's "wrong" processItem, run with go 1.21 semantics (the old per-loop variable)
        "bug_reproduced": old.get("seed-processItem") != EXPECTED,
        "output_go121": old.get("seed-processItem"),
        "safe_output_go121": old.get("seed-processItemSafe"),
        "safe_ok": old.get("seed-processItemSafe") == EXPECTED,
    }
    summary["verdict"] = ("outdated for go >= 1.22" if summary["go121"]["bug_reproduced"]
                          and not summary["go122"]["bug_reproduced"] else "see outputs")
    raw["main.go"] = (paths.samples_dir() / "loopvar" / "main.go").read_text()
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="loopvar", title=N_("Goroutine loop variables: go 1.21 vs go 1.22 modules"), chapter=4,
    sources=("loopvar",), params=PARAMS, presets={"quick": {}, "full": {}}, func=measure,
    description="Runs and vets one program in three modules that differ only in their go line.",
))
