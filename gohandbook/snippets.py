"""Run a Go snippet (a notebook cell) with the handbook's toolchain: the engine of the `%%go` magic.

A cell is either a whole program (it has a `package` clause) or the body of `main`: then it is
wrapped into `package main` + imports + `func main() { ... }`; function, method and type
declarations written at the left margin of such a cell are moved above `main` (Go allows them
only at package level). `import "x"` lines at the top of
a body are moved into the import block; standard-library packages the body refers to
(`fmt.`, `sync.`, `time.` ...) are imported automatically. The program is written into a
temporary module whose go.mod says `go 1.21` or `go 1.22` (the loop-variable semantics change
between them), built with `go build` (GOTOOLCHAIN=local, GOPROXY=off: standard library only)
and run with a timeout, an address-space limit, and its output limited in size; whatever it
starts ends with it (gohandbook.proc). Compile and vet messages are mapped back to the cell's own
line numbers.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import proc
from .i18n import N_, _
from .toolchain import GoToolchain, ToolchainError, find_go

GO_LINES = ("1.21", "1.22")
DEFAULT_GO_LINE = "1.22"
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 120.0
BUILD_TIMEOUT = 180.0
MAX_OUTPUT_BYTES = 256 * 1024   # per stream; a program writing more is stopped (SIGXFSZ)
# Address-space limit (RLIMIT_AS) of the program, in MiB. The Go runtime reserves about 700 MiB of
# address space at start, so 2048 leaves it about 1.3 GB of memory: plenty for the samples
# (100,000 goroutines need ~300 MB), far from exhausting the machine.
DEFAULT_MEMORY_MIB = 2048
MIN_MEMORY_MIB = 1024
MAX_MEMORY_MIB = 65536
_OOM_RE = re.compile(r"out of memory|cannot allocate memory|failed to reserve|failed to create new OS thread")

# Standard-library packages imported automatically when a body refers to them (name -> import path).
AUTO_IMPORTS = {
    "fmt": "fmt", "sync": "sync", "atomic": "sync/atomic", "time": "time", "strings": "strings",
    "strconv": "strconv", "sort": "sort", "slices": "slices", "maps": "maps", "os": "os", "errors": "errors",
    "math": "math", "rand": "math/rand", "context": "context", "bytes": "bytes", "runtime": "runtime",
    "io": "io", "bufio": "bufio", "unicode": "unicode", "utf8": "unicode/utf8", "log": "log", "json": "encoding/json",
    "http": "net/http", "httptest": "net/http/httptest", "debug": "runtime/debug", "reflect": "reflect",
    "regexp": "regexp", "filepath": "path/filepath", "cmp": "cmp", "iter": "iter", "big": "math/big",
}

_PACKAGE_RE = re.compile(r"^\s*package\s+\w+", re.M)
_IMPORT_LINE_RE = re.compile(r'^\s*import\s+(?:(\w+|\.|_)\s+)?"([^"]+)"\s*(?://.*)?$')
_IMPORT_BLOCK_START_RE = re.compile(r"^\s*import\s*\(\s*$")
_IMPORT_SPEC_RE = re.compile(r'^\s*(?:(\w+|\.|_)\s+)?"([^"]+)"\s*(?://.*)?$')
_DIAG_RE = re.compile(r"^(?:\./|.*/)?main\.go:(\d+)(?::(\d+))?:\s*(.*)$")


class SnippetError(ValueError):
    """A bad request (option out of range); the message says what is allowed."""


@dataclass
class Program:
    """The Go source actually compiled, and how its lines map to the cell's."""
    source: str
    wrapped: bool
    line_offset: int              # cell line = program line - line_offset (for lines of main's body)
    cell_lines: int
    imports: list[str] = field(default_factory=list)
    moved: dict[int, int] = field(default_factory=dict)  # program line -> cell line, declarations moved up

    def cell_line(self, program_line: int) -> int | None:
        if program_line in self.moved:
            return self.moved[program_line]
        line = program_line - self.line_offset
        return line if 1 <= line <= self.cell_lines and line not in self.moved.values() else None


@dataclass
class Diagnostic:
    line: int | None              # in the cell (None: in the generated wrapper)
    column: int | None
    message: str
    tool: str                     # "compile" or "vet"
    raw: str


@dataclass
class SnippetResult:
    program: Program
    go_line: str
    go_version: str
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None  # None: not run (compile error) or killed by the timeout
    compile_errors: list[Diagnostic] = field(default_factory=list)
    vet: list[Diagnostic] = field(default_factory=list)
    timed_out: bool = False
    memory_limited: bool = False  # stopped at the address-space limit
    memory_mib: int = DEFAULT_MEMORY_MIB
    output_truncated: bool = False
    build_seconds: float = 0.0
    run_seconds: float = 0.0
    hint: str = ""                # what to write instead, when the wrapping is the likely cause
    timeout: float = DEFAULT_TIMEOUT

    @property
    def compiled(self) -> bool:
        return not self.compile_errors

    @property
    def ok(self) -> bool:
        return self.compiled and not self.timed_out and self.exit_code == 0


def _mask(text: str) -> str:
    """`text` with string/rune literals and comments blanked out, newlines kept (so lines line up)."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif text[i] in "\"'`":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote:
                if quote != "`" and text[j] == "\\":
                    j += 1
                elif quote != "`" and text[j] == "\n":
                    break
                j += 1
            blank(i, j + 1)
            i = j + 1
        else:
            i += 1
    return "".join(out)


# A declaration Go allows only at package level, written at the left margin of a cell:
# `func name(` / `func name[T any](`, a method `func (r T) name(`, or `type name ...`.
_TOPLEVEL_DECL_RE = re.compile(r"^(?:func\s+\w+\s*[\[(]|func\s*\([^()]*\)\s*\w+\s*[\[(]|type\s+(?:\w|\())")


def _toplevel_declarations(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line indexes of declarations at the cell's left margin and brace depth 0."""
    masked = _mask("\n".join(lines)).split("\n")
    found, depth, i = [], 0, 0
    while i < len(lines):
        line = masked[i]
        if depth == 0 and _TOPLEVEL_DECL_RE.match(line):
            start, opened, level = i, False, 0
            while i < len(lines):
                for ch in masked[i]:
                    if ch in "{(":
                        level += 1
                        opened = opened or ch == "{" or masked[start].startswith("type")
                    elif ch in "})":
                        level -= 1
                if level <= 0 and (opened or masked[start].startswith("type")):
                    break
                i += 1
            found.append((start, min(i, len(lines) - 1)))
            i += 1
            continue
        depth += line.count("{") - line.count("}")
        i += 1
    return found


def needed_imports(body: str, explicit: list[str]) -> list[str]:
    code = _mask(body)
    declared = set(re.findall(r"\b(?:var|const|type|func)\s+(\w+)", code))
    declared |= set(re.findall(r"\b(\w+)\s*:=", code))
    have = {path.rsplit("/", 1)[-1] for path in explicit}
    found = []
    for name, path in AUTO_IMPORTS.items():
        if name in have or name in declared:
            continue
        if re.search(rf"(?<![\w.]){name}\.[A-Za-z_]", code):
            found.append(path)
    return found


def wrap(cell: str) -> Program:
    """A whole program as is; a function body wrapped into `package main` with its imports."""
    lines = cell.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    text = "\n".join(lines)
    if _PACKAGE_RE.search(_mask(text)):
        return Program(text + "\n", wrapped=False, line_offset=0, cell_lines=len(lines))
    explicit: list[str] = []
    body_lines = list(lines)
    in_block = False
    for i, line in enumerate(lines):  # leading imports (single lines or one block) move up
        stripped = line.strip()
        if in_block:
            if stripped == ")":
                in_block = False
            elif (m := _IMPORT_SPEC_RE.match(line)):
                explicit.append((f"{m[1]} " if m[1] else "") + f'"{m[2]}"')
            elif stripped and not stripped.startswith("//"):
                break
            body_lines[i] = ""
            continue
        if not stripped or stripped.startswith("//"):
            continue
        if _IMPORT_BLOCK_START_RE.match(line):
            in_block = True
            body_lines[i] = ""
            continue
        if (m := _IMPORT_LINE_RE.match(line)):
            explicit.append((f"{m[1]} " if m[1] else "") + f'"{m[2]}"')
            body_lines[i] = ""
            continue
        break
    body = "\n".join(body_lines)
    explicit_paths = [spec.split('"')[1] for spec in explicit]
    auto = [f'"{p}"' for p in needed_imports(body, explicit_paths)]
    imports = explicit + auto
    header = ["// Generated by the handbook's %%go magic from a cell (the body of main).", "package main", ""]
    if imports:
        header += ["import (", *(f"\t{spec}" for spec in imports), ")", ""]
    moved: dict[int, int] = {}
    for first, last in _toplevel_declarations(body_lines):  # helpers and types go above main
        for k in range(first, last + 1):
            header.append(body_lines[k])
            moved[len(header)] = k + 1
            body_lines[k] = ""
        header.append("")
    header += ["func main() {"]
    source = "\n".join(header + body_lines + ["}", ""])
    return Program(source, wrapped=True, line_offset=len(header), cell_lines=len(lines),
                   imports=[spec.split('"')[1] for spec in imports], moved=moved)


def gomod(go_line: str) -> str:
    return f"module snippet\n\ngo {go_line}\n"


def check_go_line(go_line: str, go: GoToolchain | None = None) -> str:
    """One of the documented go.mod lines (GO_LINES): the two loop-variable semantics."""
    go_line = str(go_line).strip()
    if go_line.startswith("go"):
        go_line = go_line[2:]
    if go_line not in GO_LINES:
        raise SnippetError(_("go = {value} is not allowed: use {allowed} (the go.mod line before and after "
                             "per-iteration loop variables)").format(value=repr(go_line), allowed=_(" or ").join(GO_LINES)))
    return go_line


def check_memory(memory_mib: float) -> int:
    if isinstance(memory_mib, bool) or not (MIN_MEMORY_MIB <= float(memory_mib) <= MAX_MEMORY_MIB) \
            or float(memory_mib) != int(memory_mib):
        raise SnippetError(_("memory = {value} MiB is not allowed: allowed is an integer from {lo} to {hi} (the "
                             "program's address space; the Go runtime reserves about 700 MiB of it at start)").format(
            value=repr(memory_mib), lo=MIN_MEMORY_MIB, hi=MAX_MEMORY_MIB))
    return int(memory_mib)


HINT_NESTED_FUNC = N_("A named function, method or type must start at the left margin of the cell: it is then moved "
                    "above main. Inside main, write a function as a literal: `double := func(x int) int { return 2 * x }`.")
HINT_MOVED = N_("Functions and types at the left margin were moved above main, where main's variables are not "
              "visible: pass them as arguments, or write the whole program (`package main`, `func main() { ... }`).")


def wrapping_hint(program: Program, errors: list[Diagnostic]) -> str:
    """What to write instead when the compile errors come from wrapping the cell into main."""
    if not program.wrapped:
        return ""
    moved_lines = set(program.moved.values())
    if any(d.line in moved_lines and "undefined:" in d.message for d in errors):
        return HINT_MOVED
    if any("syntax error" in d.message and ("unexpected name" in d.message or "func" in d.message
                                            or "method has no receiver" in d.message) for d in errors):
        return HINT_NESTED_FUNC
    return ""


def parse_diagnostics(text: str, program: Program, tool: str) -> list[Diagnostic]:
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _DIAG_RE.match(line)
        if m:
            out.append(Diagnostic(program.cell_line(int(m[1])), int(m[2]) if m[2] else None, m[3], tool, raw))
        elif out and raw.startswith(("\t", " ")):   # continuation of the previous message
            out[-1].message += "\n" + line
        else:
            out.append(Diagnostic(None, None, line, tool, raw))
    return out


def run_snippet(cell: str, *, go_line: str = DEFAULT_GO_LINE, timeout: float = DEFAULT_TIMEOUT, vet: bool = False,
                go: GoToolchain | None = None, max_output: int = MAX_OUTPUT_BYTES,
                memory_mib: int = DEFAULT_MEMORY_MIB) -> SnippetResult:
    """Build and run a cell; never raises for the program's own failures (they are in the result)."""
    if not (0 < float(timeout) <= MAX_TIMEOUT):
        raise SnippetError(_("timeout = {value} s is out of range: allowed is more than 0 up to {max} s").format(
            value=f"{timeout:g}", max=f"{MAX_TIMEOUT:g}"))
    go_line = check_go_line(go_line)
    memory_mib = check_memory(memory_mib)
    go = go or find_go()
    program = wrap(cell)
    result = SnippetResult(program=program, go_line=go_line, go_version=go.version, timeout=float(timeout),
                           memory_mib=memory_mib)
    work = Path(tempfile.mkdtemp(prefix="gohandbook-snippet-"))
    try:
        (work / "go.mod").write_text(gomod(go_line))
        (work / "main.go").write_text(program.source)
        env = {"CGO_ENABLED": "0"}  # no C compiler needed (mybinder images may have none)
        t0 = time.perf_counter()
        try:
            built = go.run(["build", "-o", "snippet", "."], cwd=work, timeout=BUILD_TIMEOUT, check=False, env=env)
        except proc.ProcessError as exc:  # the build itself timed out
            result.compile_errors = [Diagnostic(None, None, str(exc), "compile", str(exc))]
            return result
        result.build_seconds = time.perf_counter() - t0
        if built.returncode != 0:
            result.compile_errors = parse_diagnostics(built.stderr + built.stdout, program, "compile") or [
                Diagnostic(None, None, f"go build failed with exit {built.returncode}", "compile", "")]
            result.hint = wrapping_hint(program, result.compile_errors)
            return result
        if vet:
            vetted = go.run(["vet", "."], cwd=work, timeout=BUILD_TIMEOUT, check=False, env=env)
            result.vet = parse_diagnostics(vetted.stderr + vetted.stdout, program, "vet")
        _run_binary(work, result, timeout, max_output)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_binary(work: Path, result: SnippetResult, timeout: float, max_output: int) -> None:
    # Output goes to files under a file-size limit (`ulimit -f`: 512-byte blocks in POSIX sh/dash,
    # 1 KiB in bash), so a chatty loop cannot fill memory or disk; it is stopped by SIGXFSZ.
    blocks = max(1, (max_output + 511) // 512)
    script = f'ulimit -f {blocks} 2>/dev/null; exec ./snippet > stdout.txt 2> stderr.txt'
    t0 = time.perf_counter()
    try:
        done = proc.run(["/bin/sh", "-c", script], timeout=timeout, cwd=work, mem_limit=result.memory_mib << 20,
                        env={"PATH": "/usr/bin:/bin", "HOME": str(work), "GOTRACEBACK": "single"})
        result.exit_code = done.returncode
    except proc.ProcessError:  # the timeout: proc killed the program and everything it started
        result.timed_out = True
    result.run_seconds = time.perf_counter() - t0
    for stream in ("stdout", "stderr"):
        path = work / f"{stream}.txt"
        data = path.read_bytes()[:max_output] if path.exists() else b""
        if len(data) >= max_output:
            result.output_truncated = True
        setattr(result, stream, data.decode(errors="replace"))
    result.memory_limited = result.exit_code not in (0, None) and bool(_OOM_RE.search(result.stderr))


def describe(result: SnippetResult, lang: str | None = None) -> str:
    """A one-line summary: toolchain, go.mod line, timings, outcome (words in `lang`, default the current one)."""
    parts = [f"{result.go_version}, go.mod `go {result.go_line}`"]
    if result.compile_errors:
        parts.append(_("did not compile", lang))
    else:
        parts.append(_("built in {seconds} s", lang).format(seconds=f"{result.build_seconds:.1f}"))
        if result.timed_out:
            parts.append(_("stopped after the {timeout} s timeout", lang).format(timeout=f"{result.timeout:g}"))
        elif result.memory_limited:
            parts.append(_("stopped at the {mib} MiB memory limit", lang).format(mib=result.memory_mib))
        else:
            parts.append(_("ran in {seconds} s, exit {code}", lang).format(seconds=f"{result.run_seconds:.2f}",
                                                                         code=result.exit_code))
    if result.output_truncated:
        parts.append(_("output cut", lang))
    return " · ".join(parts)


__all__ = ["wrap", "run_snippet", "SnippetResult", "Diagnostic", "Program", "SnippetError", "GO_LINES",
           "ToolchainError", "describe"]
