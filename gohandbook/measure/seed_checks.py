"""Small checks of statements the source document makes that are still cited today, each run
here in a second or so:

- a panic in one goroutine, unrecovered, ends the whole process (section 2.1's "goroutine-level
  fault isolation"); a panic in a net/http handler does not (net/http recovers it);
- concurrent `http.Get` calls on the default transport (2 idle connections kept per host) open
  new connections instead of reusing a pool (section 2.1);
- Java direct buffers with `-XX:+DisableExplicitGC` run out of direct memory (section 2.3), with
  the heap and the direct-memory limit pinned so the result does not depend on this machine's RAM;
- `ByteBuffer.clear()` leaves the previous request's bytes in a pooled buffer (section 2.3).

Go: `go-samples/seedchecks`; Java: `go-samples/peers/java/SeedBuffers.java` (compiled once).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile

from .. import paths, proc
from ..params import Param, ParamSet
from ..toolchain import build
from . import Context, Measurement, PROGRESS_JAVA_BUFFERS, register
from ._runs import clean_env
from .runtimes import compile_java
from ..i18n import N_

# Pinned so the verdict does not move with this machine's memory: a fixed heap (no young GC is
# forced by a small default heap) and a fixed direct-memory limit.
JAVA_HEAP = "-Xmx128m"
JAVA_DIRECT_LIMIT_MIB = 32
# G1 derives its region size from the maximum heap, and the default maximum heap is 1/4 of RAM: so the
# "default" region size is read at pinned heaps, the source's 16c32g hardware (8 GB default heap) first.
G1_HEAPS_GIB = (8, 1, 2, 4, 16)
SOURCE_HARDWARE_HEAP_GIB = 8
UNFORMATTED_GO = "package main\nimport \"fmt\"\nfunc main(){fmt.Println( \"not gofmt-formatted\" )}\n"

PARAMS = ParamSet("seed_checks", (
    Param("concurrency", "int", 100, "Goroutines calling http.Get at once", min=1, max=5000),
    Param("requests_each", "int", 20, "Sequential http.Get calls per goroutine", min=1, max=1000),
    Param("direct_buffers", "int", 256, "1 MiB direct buffers allocated (and dropped) per Java run", min=33, max=4096),
    Param("java", "bool", True, "Run the Java checks (needs java and javac)"),
))


def _json_line(text: str) -> dict | None:
    line = next((ln for ln in reversed(text.splitlines()) if ln.strip().startswith("{")), None)
    return json.loads(line) if line else None


def java_checks_program() -> tuple[str, str] | None:
    java, javac = shutil.which("java"), shutil.which("javac")
    if not (java and javac):
        return None
    out = compile_java(javac, paths.samples_dir() / "peers" / "java" / "SeedBuffers.java", "seedbuffers-")
    return java, str(out)


def elf_dynamic(path: str) -> bool:
    """True if an ELF executable asks for a dynamic loader (a PT_INTERP program header)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            raise ValueError(f"{path} is not a 64-bit ELF file")
        phoff, = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return any(struct.unpack_from("<I", table, i * phentsize)[0] == 3 for i in range(phnum))


def cgo_builds(ctx: Context) -> dict:
    """The health-check service built with cgo pinned on (what `go build` does on Linux when a C compiler is
    present), with cgo on plus -a, and with CGO_ENABLED=0: is each binary static?"""
    cc = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("cc")
    out: dict = {"c_compiler": cc or "", "host_default_cgo": ctx.go.run(
        ["env", "CGO_ENABLED"], cwd=paths.samples_dir()).stdout.strip() == "1"}
    if not cc:
        out["reason"] = "no C compiler on PATH: a cgo build cannot be made here, so CGO_ENABLED=1 is not measured"
        return out
    service, lookup = paths.samples_dir() / "healthcheck", paths.samples_dir() / "seedchecks" / "lookup"
    # -a rebuilds every dependency from scratch, so it builds the smallest program that uses net (its
    # resolver is what links libc), not the whole service: same question, a fraction of the build time
    for key, pkg, env, flags in (("cgo1", service, {"CGO_ENABLED": "1"}, ()),
                                 ("cgo1_a", lookup, {"CGO_ENABLED": "1"}, ("-a",)),
                                 ("cgo0", service, {"CGO_ENABLED": "0"}, ())):
        binary = build(pkg, name=f"seed-{pkg.name}-{key}", env=env, flags=flags)
        out[f"{key}_dynamic"] = elf_dynamic(str(binary))
    out["cgo1_a_program"] = "go-samples/seedchecks/lookup (net.LookupHost)"
    return out


def g1_region_sizes(exe: str) -> dict:
    """G1HeapRegionSize (MiB) that JDK picks for each pinned maximum heap."""
    import re

    sizes = {}
    for gib in G1_HEAPS_GIB:
        done = proc.run([exe, "-XX:+UseG1GC", f"-Xmx{gib}g", "-XX:+PrintFlagsFinal", "-version"], timeout=60,
                        check=True, what="java -XX:+PrintFlagsFinal")
        m = re.search(r"G1HeapRegionSize\s*=\s*(\d+)", done.stdout)
        sizes[f"{gib}g"] = int(m.group(1)) / 2**20 if m else None
    return sizes


def gofmt_check(ctx: Context) -> dict:
    """Does the toolchain refuse code that is not gofmt-formatted? (gofmt is a convention, not a gate.)"""
    with tempfile.TemporaryDirectory(prefix="gohandbook-gofmt-") as tmp:
        with open(os.path.join(tmp, "go.mod"), "w") as f:
            f.write("module unformatted\n\ngo 1.22\n")
        with open(os.path.join(tmp, "main.go"), "w") as f:
            f.write(UNFORMATTED_GO)
        built = ctx.go.run(["build", "-o", os.devnull, "."], cwd=tmp, check=False, timeout=300)
        vet = ctx.go.run(["vet", "."], cwd=tmp, check=False, timeout=300)
        fmt = ctx.go.run(["fmt", "-n", "."], cwd=tmp, check=False, timeout=60)
        gofmt = fmt.stdout.split()[0] if fmt.stdout.split() else "gofmt"
        listed = proc.run([gofmt, "-l", "."], cwd=tmp, timeout=60)
    return {"build_rejects_unformatted": built.returncode != 0, "vet_rejects_unformatted": vet.returncode != 0,
            "gofmt_lists_it": "main.go" in listed.stdout}


def measure(ctx: Context) -> dict:
    p = ctx.params
    env = clean_env()
    ctx.progress(0.0, N_("building seedchecks"))
    binary = str(build(paths.samples_dir() / "seedchecks", name="seedchecks"))
    raw: dict = {}
    ctx.progress(0.1, N_("a panic in a goroutine"))
    done = proc.run([binary, "-check", "panic-goroutine"], timeout=60, env=env)
    survived = _json_line(done.stdout) is not None and done.returncode == 0
    raw["panic_goroutine"] = {"exit_code": done.returncode, "stderr_head": done.stderr[:400]}
    panic = {"goroutine": {"process_survived": survived, "exit_code": done.returncode,
                           "message": (done.stderr.splitlines() or [""])[0]}}
    ctx.progress(0.2, N_("a panic in a net/http handler"))
    done = proc.run([binary, "-check", "panic-handler"], timeout=60, env=env, check=True, what="seedchecks")
    handler = _json_line(done.stdout) or {}
    panic["handler"] = {"server_survived": bool(handler.get("server_survived")),
                        "panic_request_error": handler.get("panic_request_error", "")}
    ctx.progress(0.3, "concurrent http.Get")
    done = proc.run([binary, "-check", "reuse", "-c", str(p["concurrency"]), "-r", str(p["requests_each"])],
                    timeout=300, env=env, check=True, what="seedchecks reuse")
    reuse = _json_line(done.stdout) or {}
    raw["reuse"] = reuse
    summary: dict = {"panic": panic, "http_get": {
        "concurrency": reuse["concurrency"], "requests_per_goroutine": reuse["requests_per_goroutine"],
        "default_max_idle_conns_per_host": reuse["default_max_idle_conns_per_host"],
        **{k: reuse[k] for k in ("default", "max_idle_per_host_c", "seed_no_close")},
        "default_reused_fraction": reuse["default"]["reused_fraction"],
        "seed_reused_fraction": reuse["seed_no_close"]["reused_fraction"],
        "tuned_reused_fraction": reuse["max_idle_per_host_c"]["reused_fraction"]}}
    ctx.progress(0.4, N_("cgo pinned on and off, and gofmt"))
    summary["cgo"] = cgo_builds(ctx)
    summary["gofmt"] = gofmt_check(ctx)
    java = java_checks_program() if p["java"] else None
    if java is None:
        summary["java"] = {"available": False,
                           "reason": "java checks turned off" if not p["java"] else "java/javac not found on PATH"}
    else:
        exe, classes = java
        runs = {}
        for i, (name, flags) in enumerate((("default", []), ("disable_explicit_gc", ["-XX:+DisableExplicitGC"]))):
            ctx.progress(0.5 + 0.2 * i, PROGRESS_JAVA_BUFFERS.format(what=name))
            done = proc.run([exe, JAVA_HEAP, f"-XX:MaxDirectMemorySize={JAVA_DIRECT_LIMIT_MIB}m", *flags, "-cp", classes,
                             "SeedBuffers", "direct", str(p["direct_buffers"])], timeout=120, check=True,
                            what=f"java SeedBuffers direct {name}")
            runs[name] = _json_line(done.stdout)
        ctx.progress(0.9, "Java ByteBuffer.clear()")
        done = proc.run([exe, "-cp", classes, "SeedBuffers", "clear"], timeout=60, check=True, what="java SeedBuffers clear")
        clear = _json_line(done.stdout)
        version = proc.run([exe, "-version"], timeout=60)
        regions = g1_region_sizes(exe)
        summary["java"] = {
            "available": True, "version": (version.stderr.splitlines() or [""])[0],
            "conditions": {"heap": JAVA_HEAP, "max_direct_memory_mib": JAVA_DIRECT_LIMIT_MIB,
                           "buffers_mib": p["direct_buffers"]},
            "direct_default": runs["default"], "direct_disable_explicit_gc": runs["disable_explicit_gc"],
            "oom_default": runs["default"]["oom"], "oom_with_disable_explicit_gc": runs["disable_explicit_gc"]["oom"],
            "clear": clear, "stale_bytes_after_clear": clear["stale_bytes_after_clear"],
            "g1_region_mib_by_max_heap": regions,
            "g1_region_mib_source_hardware": regions.get(f"{SOURCE_HARDWARE_HEAP_GIB}g"),
        }
    summary["setup"] = ("every check talks to 127.0.0.1 only; the Java runs pin the heap "
                        f"({JAVA_HEAP}) and the direct-memory limit ({JAVA_DIRECT_LIMIT_MIB} MiB) so the outcome "
                        "does not depend on this machine's RAM; G1's region size is read at pinned maximum heaps "
                        f"({', '.join(f'{g} GB' for g in G1_HEAPS_GIB)}); the cgo builds set CGO_ENABLED explicitly "
                        "rather than depending on whether this machine has a C compiler")
    return {"summary": summary, "raw": raw}


register(Measurement(
    name="seed_checks", title=N_("Small checks of the source's Go and Java statements"), chapter=2,
    sources=("go.mod", "seedchecks", "healthcheck", "internal/health", "internal/serve",
             "peers/java/SeedBuffers.java"), params=PARAMS,
    presets={"quick": {}, "full": {"concurrency": 500, "requests_each": 50, "direct_buffers": 1024}},
    func=measure, code_version=3,
    description="Goroutine panic vs the process, http.Get connection reuse under concurrency, Java direct buffers "
                "with -XX:+DisableExplicitGC, and what ByteBuffer.clear() leaves behind.",
))
