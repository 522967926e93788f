"""Regenerate notebooks/02-go-core-strengths.ipynb (narrative + thin calls)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch2 import PARAMS as CH2  # noqa: E402

cells = [
    md("""
# Chapter 2 — Go's core strengths, measured
*第二章:Go语言在企业级架构中的核心竞争力解构*

The source document credits Go with five strengths for enterprise and cloud-native systems: a concurrency model that
scales to millions of goroutines, static single-binary deployment, a tunable garbage collector, a mature toolchain,
and a usable (if gappy) ecosystem for Kubernetes operators and WebAssembly. This chapter tests each on this machine.

Every figure is one of three things, and says which: **measured** here by a real program (machine, Go version, date
and preset beside it), **computed** by a model whose inputs you can move, or **quoted** from the source document
(its tables are shown as cited opinion, with the wrong cells marked). Moving a control never starts a measurement:
the numbers come from the cache that `gohandbook measure` fills; the quick preset runs in CI, `--full` goes further.
"""),
    params_cell(CH2),
    code("""
from gohandbook import ch2
from widgets import ch2 as ui

params = ch2.PARAMS.from_namespace(globals())
"""),
    md("""
## 2.1 Concurrency: what one goroutine costs

The seed: *"a goroutine (only 2 KB of stack on average) allows million-level concurrency"*. A Go program starts N
goroutines that all block on one channel and reports, from `runtime/metrics`, the goroutine stack memory and heap
objects they add, and from `/proc` the resident memory (RSS) and the number of OS threads. The same is done for Python
threads blocked on an `Event` and for asyncio tasks awaiting one. Each count runs in a fresh process.

Threads are where Python stops: each reserves an 8 MB stack (`ulimit -s`) of virtual memory and a few memory maps,
and creation fails long before 100,000. The full preset finds the limit by starting threads until one fails, with a
hard cap that keeps 4,096 process IDs free for the rest of the machine; the quick preset predicts it from the maps
each thread adds.
"""),
    code("ui.concurrency_memory_section(params)"),
    md("""
### The seed's 100,000 `http.Get` goroutines

The seed's snippet starts one goroutine per request and calls `http.Get` 100,000 times, never closing a response body
and never waiting. Here it runs against the handbook's own health-check server on 127.0.0.1 (the fan-out program
refuses any non-loopback address), next to a **bounded** version: an errgroup-style limit of 64 requests in flight,
bodies read and closed, and a transport that keeps 64 idle connections to reuse. The full preset adds the unbounded
loop with bodies closed, to separate the two mistakes.

Each unclosed body pins a connection and its file descriptor; `http.DefaultTransport` keeps only 2 idle connections
per host anyway, so 100,000 concurrent calls to one host open new sockets until the process runs out of file
descriptors (`ulimit -n`). Production code bounds concurrency, closes bodies and sets timeouts
(`http.DefaultClient` has none).
"""),
    code("ui.fanout_section(params)"),
    md("""
### The seed's concurrency-model table, as cited opinion
"""),
    code("ui.concurrency_table_section(params)"),
    md("""
## 2.2 Static compilation and zero-dependency deployment

The health-check service is built with each flag set — default, `CGO_ENABLED=0`, `-ldflags '-s -w'`, `-trimpath`, and
all combined — for linux/amd64, linux/arm64, windows/amd64, darwin/arm64 and wasip1/wasm. Sizes are read with `stat`;
what each binary needs at run time is read from its own headers (ELF interpreter and `DT_NEEDED`, PE imports, Mach-O
load commands, wasm imports) and, for the native builds, checked with `ldd`. A build with `-a` but cgo left on tests
the seed's claim that `-a` is what makes the binary static. Cross-compiled binaries are inspected, not run.
"""),
    code("ui.build_section(params)"),
    md("""
### The seed's hybrid-cloud start-up table
"""),
    code("ui.hybrid_table_section(params)"),
    md("""
## 2.3 Memory safety and GC tuning

Go has one GC knob with a clear trade-off (the Go GC guide): GOGC sets how much the heap may grow over the live
heap before the next cycle, so doubling it roughly halves GC CPU and doubles heap overhead; GOMEMLIMIT (Go 1.19+)
adds a soft memory ceiling that makes the GC work harder as the limit nears. An allocation workload (small
pointer-carrying records, a fixed live set) runs once per grid point; the chart plots GC work against peak RSS,
and the stop-the-world pauses come from `runtime/metrics` `/sched/pauses/total/gc:seconds`.
"""),
    code("ui.gc_section(params)"),
    md("""
### Per-request allocation vs `sync.Pool`

The seed's Java answer to allocation pressure is a `ThreadLocal` pool of direct buffers. Go's counterpart is
`sync.Pool`: the benchmark renders the same 64-line response with a fresh `bytes.Buffer` per request and with a
pooled one (reset before use, so no bytes of an earlier request can be read back). Run with
`go test -bench -benchmem -count N`; the raw output is kept in the format `benchstat` reads.
"""),
    code("ui.pool_section(params)"),
    md("""
### The seed's Java G1 table
"""),
    code("ui.g1_section(params)"),
    md("""
## 2.4 Toolchain maturity

`go mod graph`, `go mod verify` and `go list -m all` on the handbook's two modules — the samples (standard library
only) and the tools module that pins staticcheck and so pulls real dependencies — offline, from the local module
cache. `go version -m` on the built binaries lists the modules actually linked in, with their checksums: an SBOM in
all but format. Note what the seed gets wrong: `go mod graph` enables nothing (minimal version selection is always
on), and `replace` directives cannot be scoped with `//go:build` (they apply only in the main module; use `go.work`
for local overrides).
"""),
    code("ui.toolchain_section(params)"),
    md("""
## 2.5 Ecosystem gaps: operator reconcile loops and WebAssembly

### Periodic requeue vs watch-driven reconcile (model)

The seed's Reconcile polls: every object requeues itself every 30 s and calls an external API each time. The model
below counts API-server requests and external calls per hour and the staleness of the controller's view as the number
of objects and the requeue interval change, starting from controller-runtime's published defaults (SyncPeriod 10 h
with 10 % jitter, MaxConcurrentReconciles 1, per-item backoff 5 ms·2ⁿ capped at 1000 s). One nuance the seed misses:
when the state lives outside the cluster, as `fetchFromClusterAPI` suggests, no watch can see it changing, so some
periodic requeue is the normal pattern; the question is how often, and whether one worker can keep up.
"""),
    code("ui.reconcile_panel(params)"),
    md("""
### WebAssembly: a Go program under WASI

A small Go program is built for `GOOS=wasip1 GOARCH=wasm` and run under Node's built-in WASI (`node:wasi`, preview1)
next to the same program built natively; it prints its platform, arguments and an environment variable passed through
WASI, and a SHA-256 that must match the native run.
"""),
    code("ui.wasm_section(params)"),
    md("""
## Chapter 2's claims and their verdicts

Every checkable claim of this chapter from the ledger in `data/claims.yaml`. *Measured* claims get a verdict from the
cached measurement by the ledger's rule; *cited* ones quote a source; *model* claims are explored above.
"""),
    code("ui.claims_section(params)"),
    md("""
## What this chapter tells a decision-maker

The measured findings, from the cached results above:
"""),
    code("ui.findings_section(params)"),
    md("""
Cheap concurrency still needs bounds: the seed's own fan-out example fails on this machine, and the fix is a limit,
closed bodies and timeouts, not a different language. Static binaries come from `CGO_ENABLED=0`, not from `-a`.
The GC has one main trade-off that you can measure and set. The toolchain verifies dependencies offline and embeds
an SBOM-like module list in every binary. Operators and WebAssembly work, with gaps that are mostly about defaults,
capacity and runtimes rather than about Go. To measure again on another machine, run `gohandbook measure --force`
(or `--full`) and re-open this chapter.
"""),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "02-go-core-strengths.ipynb", cells)
print("wrote notebook 02")
