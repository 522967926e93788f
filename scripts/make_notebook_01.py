"""Regenerate notebooks/01-should-we-choose-go.ipynb (narrative + thin calls)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch1 import PARAMS as CH1  # noqa: E402

cells = [
    md("""
# Chapter 1 — Should the company choose Go?
*第一章:公司是否应该选择golang*

The source document argues that Go fits high-concurrency infrastructure, CI/CD and operations tooling, and
teams whose engineering efficiency is the bottleneck; that it fits badly where the Python AI ecosystem, heavy
generics/AOP/ORM legacy or an unwilling team dominate; and it proposes a two-week validation: rewrite a small
health-check service in Go, compare it with the current stack, and run static analysis.

This chapter does all three, in that order. Every figure below is one of three things, and says which:
**measured** on this machine by a real program (with machine, Go version and date beside it),
**computed** by a model whose inputs you can move, or **quoted** from the source document.
Nothing is measured when you move a control: measurements come from the cache that
`gohandbook measure` (or `make report`) fills.
"""),
    params_cell(CH1),
    code("""
from gohandbook import ch1
from widgets import ch1 as ui

params = ch1.PARAMS.from_namespace(globals())
"""),
    md("""
## 1. Fit assessment: a weighted decision matrix

The seed's three fit criteria count for Go, its three constraints against. Answer how strongly each describes the
team (0 = not at all … 4 = fully; the workload kind sets starting answers) and how much each matters (weight 0–10).
The score is the weighted mean of the signed answers, between −1 and +1. At or above the threshold the matrix
recommends Go, at or below its negative it recommends against, in between it sends you to the validation below.

The second chart asks how robust that is: for each weight alone, how far it would have to move to flip the
recommendation. A recommendation that flips when one weight moves by 1 is an opinion, not a decision.
"""),
    code("ui.decision_panel(params)"),
    md("""
## 2. Quick validation, measured here

The seed proposes rewriting a light health-check service in Go and comparing it with the current implementation.
The handbook ships that service in Go (`net/http`), Python (stdlib `ThreadingHTTPServer`, and a raw ASGI app under
uvicorn), Node.js (`node:http`) and Java (JDK `com.sun.net.httpserver`), all answering `GET /healthz`.
A runtime missing from this machine is shown as *not measured*, never estimated.

**How.** Each repeat starts a fresh server pinned to CPU 0 (`taskset`; Go with `GOMAXPROCS=1`) and measures the
time from spawn to the first `2xx` on `/healthz`, then RSS (`VmRSS` from `/proc`, summed over the server's whole
process tree) at that moment, after 1,000 sequential keep-alive requests, and at its peak while the handbook's Go
load generator (pinned to CPU 1, closed loop, keep-alive, latency histogram) drives it. Load generator and server
share this machine, so absolute throughput is a property of this machine; compare runtimes only within one run.
Dots show the median, lines the spread over the repeats. *Shipped* is what a deployment must carry: the Go binary,
or the script plus its runtime. The *current stack* control picks the runtime Go is compared with; moving it only
re-reads the cached results.
"""),
    code("ui.validation_section(params)"),
    md("""
### Your services

The minimal peers are reference points, not your code. The source's advice is to rewrite **one light service of
yours** in Go and compare it with the current implementation. A profile can describe both under `services:` (see
the README, *Validate your own service*, and `data/profiles/orders-team.yaml`); `gohandbook validate PROFILE`
measures them with the same harness as the peers above — fresh process per repeat, pinned CPUs, spawn → first 2xx,
RSS of the whole process tree, the same load generator sending the profile's requests in turn and checking every
answer — and `gohandbook report --profile PROFILE` does it before running this chapter. This page never starts a
service: it shows what is in the cache, with when it was measured.
"""),
    code("ui.services_section(params)"),
    md("""
### The three validation gates

Performance (throughput and peak memory), delivery (shipped bytes and start-up) and team acceptance, with this
profile's thresholds. With `services:` in the profile they are decided on your services, otherwise on the minimal
peers; the caption says which.
"""),
    code("ui.gates_section(params)"),
    md("""
### The seed's comparison table beside the measurements

The source table is quoted as written (its Go start-up value is missing in the source). Note what the comparison
peers are: minimal servers, not Spring Boot or Django, so the seed's "~200 MB+" for Spring Boot is a framework
figure that this table does not test; the JDK's own HTTP server is measured instead.
"""),
    code("ui.seed_table_section(params)"),
    md("""
### One Go binary: size and dependencies

The seed's "single file, no dependencies" and its `-s -w` saving, checked on the health-check service: sizes by
`stat`, dependencies read from the ELF program headers (an interpreter and `NEEDED` libraries mean the binary
is dynamically linked). Chapter 2 builds the full matrix across targets and flags.
"""),
    code("ui.binary_section(params)"),
    md("""
## 3. Static analysis: go vet and staticcheck

The seed suggests `go vet` plus `staticcheck` and "observing the coverage". A small separate module
(`go-samples/vetcheck`, declaring `go 1.21`) carries planted problems, each listed in its `PLANTED.json`; the
table shows which tool found which. staticcheck is built from the tools module's `tool` directive at a version
that supports this Go; if it cannot be built here (no module proxy), the chapter says so and keeps go vet's half.
"""),
    code("ui.static_section(params)"),
    md("""
## Chapter 1's claims and their verdicts

Every checkable claim of this chapter, from the ledger in `data/claims.yaml`. *Measured* claims get a verdict
from the cached measurement by the rule in the ledger; *cited* and *unverifiable* ones say why they are not
measured here; *not measured yet* means the measurement belongs to a later chapter or has not been run.
"""),
    code("ui.claims_section(params)"),
    md("""
## What this chapter tells a decision-maker

Read the recommendation together with its fragility and the three gates: the matrix encodes the team's judgment;
the gates check that judgment against measured behaviour on your own machine. To measure again (for instance on a
production-like host), run `gohandbook measure --full` and re-open this chapter with `quick = False`.
"""),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "01-should-we-choose-go.ipynb", cells)
print("wrote notebook 01")
