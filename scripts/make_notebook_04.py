"""Regenerate notebooks/04-risks-and-rollout.ipynb (narrative + thin calls)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch4 import PARAMS as CH4  # noqa: E402

cells = [
    md("""
# Chapter 4 — Risks and a progressive rollout
*第四章:企业级Go落地的风险图谱与渐进式实施路径*

The source document's fourth chapter maps the risks of adopting Go in a company and a way to roll it out
gradually: the cost of moving a Java/Python team to Go's engineering culture (4.1), a glue layer that shifts
traffic from the legacy system step by step (4.2), security and compliance checks (4.3) and chaos experiments
(4.4). This is the chapter decision-makers argue over, so every number below says what it is:
**computed** by a model whose inputs and sources are on the page (and which you can move),
**measured** on this machine by a real program (with machine, Go version and date beside it),
or **quoted** from the source document or a cited primary source.
Moving a control re-runs a model; it never measures. Measurements come from the cache that
`gohandbook measure` (or `make report`) fills.
"""),
    params_cell(CH4),
    code("""
from gohandbook import ch4
from widgets import ch4 as ui

params = ch4.check(ch4.PARAMS.from_namespace(globals()))
"""),
    md("""
## 4.1 What moving the team to Go costs

The seed rates the "cognitive friction" of three habits a Java/Python engineer brings to Go, on a scale of 1 to 5:
error handling (try/catch → explicit `error` returns) **4**, concurrency (thread pools and `synchronized` →
goroutines and channels) **5**, dependency management (Maven/pip → `go mod`) **3**. These are opinions, not
measurements; nobody has measured friction in points. What can be done honestly is to turn them into a cost
model whose every step is visible and whose inputs come from published data where such data exist:

- **How deep the dip is at the switch** — COCOMO II.2000's effort multipliers for language-and-tool experience
  (LTEX 1.20 / 1.09 / 1.00 / 0.91 / 0.84 from very low to very high) and platform experience (PLEX 1.19 / 1.09 /
  1.00 / 0.91 / 0.85). An engineer with three years in their language (LTEX *high*, 0.91) who starts in Go
  (*very low*, 1.20) works at 0.91 / 1.20 ≈ 76 % of their old speed. Source: Boehm et al., *COCOMO II Model
  Definition Manual*, version 2000.0, USC Center for Software Engineering.
- **How long the climb takes** — the Go Developer Survey 2020 asked "how long before you felt productive" (n = 2,712):
  < 1 week 10 %, 1 week – 1 month 31 %, 1–3 months 33 %, 3 months – 1 year 18 %, > 1 year 4 %, not yet 4 %
  ([go.dev/blog/survey2020-results](https://go.dev/blog/survey2020-results)). Each simulated engineer draws a time from
  this distribution.
- **What friction does** — it stretches that time: by (1 + elasticity)^(F − 3), where F is the engineer's mean
  friction over the matrix's dimensions (each rating ± an individual spread). The survey's respondents are taken
  to have met an average friction of 3; the elasticity (25 % per point by default) is an assumption you can set to
  0 to switch friction off.
- **The shape of the climb** — exponential, which fits individual learning data better than a power law
  (Heathcote, Brown & Mewhort 2000, *Psychonomic Bulletin & Review* 7(2)); "felt productive" is read as having
  closed 90 % of the gap.

The team's velocity is the share of time spent on the migrated systems at the engineers' Go speed plus the rest at
today's speed. The Monte Carlo runs (seeded, so the same inputs give the same answer) draw every engineer's
experience, friction and ramp-up; the fan shows the 10–90 % band of the team's velocity. The cost of the dip is the
area under today's velocity that the team loses. Break-even compares it with running-cost savings computed from
chapter 1's measured throughput and peak memory per instance (your fleet and unit prices are parameters; the default
prices are placeholders).
"""),
    code("ui.friction_section(params)"),
    code("ui.migration_panel(params)"),
    md("""
**How to read it.** The depth of the dip comes from COCOMO, its length from the survey and the friction matrix; the
band is the spread between teams that happen to draw fast or slow learners. A small team has a wide band: one slow
learner moves the average. Two things the model does *not* contain, on purpose: a claim that Go makes anybody faster
in the long run (the long-run velocity is 100 % unless you change it) and training costs or a rewrite budget (add
them to the cost per engineer-month or as a longer dip). The running-cost side uses a health-check service, which is
nearly all runtime overhead, so 100 % of the measured gap realised is an upper bound for a real service.

### The goroutine loop-variable experiment

The seed warns that a goroutine started in a `for` loop "captures the loop variable, so all goroutines share one
memory address". That was true until Go 1.22. Since Go 1.22 each iteration of a `for` loop has its own variable —
but per module, decided by the `go` line in `go.mod` ([Go 1.22 release notes](https://go.dev/doc/go1.22#language),
[Fixing for loops in Go 1.22](https://go.dev/blog/loopvar-preview)). The same program is run in three modules that
differ only in that line: `go 1.21`, `go 1.22` and none at all (then the go command assumes go 1.16). Each case's
goroutines wait until the loop has finished, so a shared variable shows deterministically. `go vet`'s loopclosure
check reports the capture only in files whose language version is below 1.22.
"""),
    code("ui.loopvar_section(params)"),
    md("""
## 4.2 Legacy glue and progressive traffic shifting

**Described, not built:** the seed's glue layer puts a gRPC-JSON gateway in front of new gRPC services with an OpenAPI
document as "the single source of truth". In grpc-gateway it is the other way round: the `.proto` file with
`google.api.http` annotations is the source, `protoc-gen-grpc-gateway` generates the HTTP-to-gRPC routes from it, and
`protoc-gen-openapiv2` emits an OpenAPI **2.0** (Swagger) document; the `openapiv2_swagger` option in the seed only sets
that document's metadata ([grpc-gateway documentation](https://grpc-ecosystem.github.io/grpc-gateway/)).

**Built and measured:** the traffic shifting. The seed's plan is 5 % → 50 % → 100 %. Progressive-delivery controllers
make such a plan a control loop: [Flagger](https://docs.flagger.app/usage/deployment-strategies) checks the canary every
`interval` (default 60 s) against its built-in metrics (request success rate ≥ 99 %, p99 ≤ 500 ms over the last minute);
a passing check moves to the next weight, a failing one holds it, and after `threshold` failed checks (default 1) it
rolls back to 0 %; an interval with no data counts as failed. A promotion therefore takes interval × number of steps,
a rollback interval × threshold. [Argo Rollouts](https://argo-rollouts.readthedocs.io/en/stable/features/analysis/) fails
an analysis once failures exceed `failureLimit` (default 0) and then aborts the rollout (weight 0) — threshold 1 in the
model's terms. The model below computes, exactly for these semantics, how many bad requests a faulty version serves
before it is caught, how long detection takes, and how long a healthy version needs to reach 100 %.
"""),
    code("ui.canary_model_panel(params)"),
    md("""
**Does the model describe a real router?** `go-samples/canary` is a small Go router that splits requests by weight
between a stable and a canary backend (both chapter 1's health-check service with switchable faults,
`go-samples/faultyhealth`), steps the weight through a plan and checks the canary's success rate every interval with
Flagger's semantics. The handbook's load generator drives it while the canary answers a share of requests with 500.
The interval is scaled down from 60 s to keep the run short; the model scales with requests per interval, so it is given
the plan, the interval, the failure rate and the request rate measured during the run. Requests carrying
`x-canary: v2` (the seed's header) always go to the canary and `x-canary: v1` to the stable version.
"""),
    code("ui.canary_measured_section(params)"),
    md("""
## 4.3 Security and compliance checks

The seed's pipeline runs `go vet`, `staticcheck` and `go test -fuzz`. Two details of its text do not hold: its
`staticcheck -checks='all,-ST1005,-SA1019'` *disables* SA1019 rather than enabling it (a leading `-` turns a check
off), and `go vet` has no check for unclosed readers. Chapter 1 already ran both tools over a module with planted
problems; that result is reused here.
"""),
    code("ui.security_section(params)"),
    md("""
**Fuzzing.** `go-samples/parser` reads `key="value"; key2=bare` lists. Built with the tag `planted`, its unquoting
trusts that a backslash is always followed by another byte — a read past the end of the input, which Go turns into a
bounds-check panic instead of a silent over-read. The fuzz target `FuzzParse` checks that `Parse` never panics and that
whatever it accepts survives a round trip through `Format`. `go test -fuzz` runs bounded (the seed's pipeline uses
30 s) in a temporary copy of the package, so the crasher it saves under `testdata/fuzz/` never lands in the
repository; then the crasher is replayed against the fixed version, and the fixed version is fuzzed too
([Go fuzzing](https://go.dev/doc/security/fuzz/)). `go test ./...` runs the fixed version only.
"""),
    code("ui.fuzz_section(params)"),
    md("""
**What is inside a binary.** The seed's SCA step pipes [Syft](https://github.com/anchore/syft)'s SPDX SBOM into
[Trivy](https://github.com/aquasecurity/trivy). Neither is installed here and Trivy needs its vulnerability database
from the network, so they are cited, not run. Both read what the Go linker embeds in every binary, which
`go version -m` prints: the main module, every dependency with its version and go.sum hash, and the build settings.
[govulncheck](https://go.dev/doc/security/vuln/) matches that list (and, from source, the call graph) against the Go
vulnerability database; it runs only where the database is reachable.
"""),
    code("ui.sbom_section(params)"),
    md("""
## 4.4 Chaos

The seed builds a template library on [LitmusChaos](https://litmuschaos.io/), whose experiments run inside a
Kubernetes cluster. Without a cluster, the handbook injects the same kinds of faults into a running Go service from
the inside: `go-samples/faultyhealth` is chapter 1's health-check service with an admin API that switches added
latency, an error rate, CPU-burning goroutines or an immediate exit while it serves. For each fault the load
generator runs three windows back to back — before, with the fault on, after the fault is cleared — and the killed
process is restarted by the harness, standing in for the kubelet. Each row names the Litmus experiment it mirrors and
that experiment's main tunables. What this cannot show: how a fault spreads between services, how retries and
timeouts of callers amplify it, and what Kubernetes adds (rescheduling, readiness probes, image pulls).
"""),
    code("ui.chaos_section(params)"),
    md("""
## Chapter 4's claims and their verdicts

Every checkable claim of this chapter from the ledger in `data/claims.yaml`. *Measured* claims get a verdict from the
cached measurement by the rule in the ledger (*outdated* means it was true for older Go); *model* claims are addressed
by this chapter's models; *cited* and *unverifiable* ones say why they are not measured here.
"""),
    code("ui.claims_section(params)"),
    md("""
## What this chapter tells a decision-maker

Each point below is computed from this page's model run (the settings above) or from the cached measurements, so it
changes with the profile and the machine. Two things the page cannot tell: how a fault spreads between services, and
what a rewrite budget or training adds to the dip (add them to the cost per engineer-month).

When a control is greyed out, it cannot change anything under the other settings: the reason is shown under the
controls. The migration model on a live page simulates at most a bounded number of runs (the report runs them all);
the page says when it does.
"""),
    code("ui.findings_section(params)"),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "04-risks-and-rollout.ipynb", cells)
print("wrote notebook 04")
