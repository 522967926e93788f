"""Regenerate notebooks/03-service-mesh-drivers.ipynb (narrative + thin calls)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _nb import code, md, params_cell, write  # noqa: E402

from gohandbook.ch3 import PARAMS as CH3  # noqa: E402

cells = [
    md("""
# Chapter 3 — Service-mesh drivers: control plane and data plane
*第三章:Service Mesh演进驱动下的Go技术选型决策逻辑*

The source document argues that service meshes pushed companies towards Go: a "76.4 % CNCF penetration" driven by
measurable operations gains (3.1), a wave of control-plane rewrites in Go at Istio and Linkerd (3.2), and a data-plane
performance knee where Go proxies such as MOSN fall behind Envoy because of garbage collection (3.3).

This chapter separates what can be checked from what can only be cited. Every figure is **measured** on this machine
(with machine, Go version and date beside it), **computed** by a model whose inputs you can move, or **quoted** with
its source. Nothing is measured when you move a control: measurements come from the cache that `gohandbook measure`
(or `make report`) fills.
"""),
    params_cell(CH3),
    code("""
from gohandbook import ch3
from widgets import ch3 as ui

params = ch3.PARAMS.from_namespace(globals())
"""),
    md("""
## 3.1 Adoption: what the figures rest on

The seed attributes adoption to a "core driver triangle" (elastic scaling, release reliability, cross-cloud
consistency) and gives precise percentages. None of them can be measured on one machine, and for most no primary
source was found. **In particular, no CNCF report with a 76.4 % figure was found**; third-party blogs quote conflicting
numbers, and the seed does not say what was adopted (Kubernetes? service meshes? Go?) or when. The ledger below says,
claim by claim, whether a source exists.
"""),
    code("ui.adoption_section(params)"),
    md("""
### The pipeline step in the seed

The seed's CI example queries a metrics API during a rollout. It is shown here as an illustration and **not run**
(there is no metrics API to query, and the handbook sends traffic only to 127.0.0.1). Quoted with its indentation
restored:

```yaml
# .github/workflows/deploy.yaml —— 自动化健康验证阶段
- name: Validate rollout stability
  run: |
    # 检查新版本Pod在5分钟内错误率是否<0.1%
    curl -s "https://metrics.example.com/api/v1/query?query=rate(http_request_errors{job='api',version='v2'}[5m])" \\
    | jq -r '.data.result[0].value[1]' > /tmp/error_rate
```

Read as a release gate, it cannot gate a rollout: `rate(errors[5m])` is errors per second, not an error *ratio*; the
result is only written to a file and never compared with 0.1 %; and an empty result (no errors yet, or a wrong label)
yields `null` rather than a failure. What such a gate needs (also an illustration, not run): an error ratio, an
explicit threshold, and a failing exit status when the query returns nothing.

```yaml
- name: Validate rollout stability (error ratio < 0.1 % over 5 minutes)
  run: |
    q='sum(rate(http_request_errors{job="api",version="v2"}[5m])) / sum(rate(http_requests_total{job="api",version="v2"}[5m]))'
    ratio=$(curl -fsS --get "$PROM_URL/api/v1/query" --data-urlencode "query=$q" | jq -r '.data.result[0].value[1] // "NaN"')
    echo "error ratio: $ratio"
    awk -v r="$ratio" 'BEGIN { exit !(r == r && r < 0.001) }'   # NaN (no data) fails too
```
"""),
    md("""
## 3.2 Control planes: consolidation, not a rewrite wave

The seed says Istio 1.17+ and Linkerd 2.14+ "rewrote" their control planes in Go. The projects' own records say
otherwise: both control planes were Go from the start of their current product lines; Istio *consolidated* its Go
components into one binary in 1.5; Linkerd2 paired a Go control plane with a Rust proxy in 2018; and the newest
data-plane component in this space, Istio ambient's ztunnel, is Rust. The Go story here is about control planes.
"""),
    code("ui.facts_section(params)"),
    md("""
### How fast does a config change reach every proxy?

What a Go control plane has to do well is push configuration to thousands of proxies without drowning in its own
events. istiod does it in three stages, modelled here exactly as its code does it: a **debouncer** waits for
`PILOT_DEBOUNCE_AFTER` of quiet (at most `PILOT_DEBOUNCE_MAX`) and merges the changes; a **push round** enqueues every
proxy into a queue that merges duplicate requests; and a **throttle**, `PILOT_PUSH_THROTTLE`, bounds how many pushes
are in flight. The seed's snippet calls that throttle "maximum pushes per second" and sets it to 50; that was true
only of early Pilot (2019). Today it bounds *concurrent* pushes, by default min(15 + 5·GOMAXPROCS, 100).

Starting values are istiod's defaults (table below). The per-push time is not a published default but a property of
your mesh (config size, proxy count per service, network): 10 ms is an assumption to replace with your
`pilot_xds_push_time`. Move the controls: the model answers how long until every proxy has the change and how many
pushes that costs.
"""),
    code("ui.defaults_section(params)"),
    code("ui.push_model_panel(params)"),
    md("""
### The same model, executed in Go

A model is only as good as its reading of the code. `go-samples/xdssim` is a tiny control plane in Go: istiod's debounce
loop, its push queue (merge while waiting, re-queue while pushing), a sender bounded by a semaphore of `C` slots, and
`N` in-process "proxies" — goroutines that take a fixed time to apply each push. It runs in real time and reports when
every proxy had each change. The chart compares it with the model twice: with the nominal per-push time, and with the
per-push time the Go program actually saw (a `time.Sleep` of 2 ms holds a slot longer than 2 ms). The second comparison
checks the queueing logic alone.
"""),
    code("ui.simulation_section(params)"),
    md("""
## 3.3 The data-plane knee, measured on a Go proxy

The seed's table puts Envoy at 128,400 QPS with a knee at 50k connections and MOSN at 76,900 QPS with a knee at 35k,
and blames Go's GC, pointing at a per-connection `make([]byte, 4096)`. That table has no source and its hardware is not
ours, so it is quoted below, not reproduced. What this machine can do is measure **a** Go proxy's knee and the effect
of buffer pooling directly.

**How.** `go-samples/proxy` is `net/http/httputil.ReverseProxy` in front of the health-check service, in two builds
that differ only in the copy buffer: *fresh* allocates one per request (like the seed's snippet; ReverseProxy does the
same with 32 KiB when no pool is set), *pooled* takes it from a `sync.Pool`-backed `BufferPool`. Each proxy runs on one
core (CPU 0, `GOMAXPROCS=1`); the upstream and the closed-loop load generator share CPU 1. For each connection count both
variants are loaded in turn. The knee is found from the data by a stated rule: the **smallest connection count whose
throughput reaches 95 % of the plateau** (the median of the three highest throughputs). Past the knee a closed-loop
client only adds queueing: latency grows roughly with connections ÷ throughput. Move the threshold to see how much the
answer depends on it.

This is a 2-core machine shared with other work, with client, proxy and upstream on one host: absolute numbers are a
property of this machine. Compare the two variants within one run.
"""),
    code("ui.knee_section(params)"),
    md("""
### Allocations and GC per variant

The proxy exposes `runtime/metrics` on `/debug/runtime`; the measurement reads it before and after every run.
"""),
    code("ui.gc_section(params)"),
    md("""
### The seed's Envoy vs MOSN table, next to MOSN's own reports

Cited, not measured. MOSN's 0.1.0 report found MOSN and Envoy roughly equal on single-core HTTP/1.1; a 40 % gap needs
its own evidence, and "DPDK bypass" is not a standard Envoy mode.
"""),
    code("ui.seed_table_section(params)"),
    md("""
## Chapter 3's claims and their verdicts

Every checkable claim of this chapter, from the ledger in `data/claims.yaml`. *Measured* claims get a verdict from the
cached measurement by the rule in the ledger; *model* claims are answered by the push model above; *cited* and
*unverifiable* ones say why they are not measured here.
"""),
    code("ui.claims_section(params)"),
    md("""
## What this chapter tells a decision-maker

Service meshes are a reason to be fluent in Go **for control planes and operators**: istiod, Linkerd's control plane
and most Kubernetes controllers are Go, and their behaviour under load (debouncing, queueing, bounded concurrency) is
ordinary Go concurrency that a team can read, model and test, as this chapter does. They are weaker evidence for Go in
the **data plane**: the leading proxies are C++ (Envoy) and Rust (linkerd2-proxy, ztunnel). A Go proxy's knee on your
hardware is measurable in minutes, and buffer pooling is a cheap, measurable fix for one source of GC work; whether it
matters depends on how much of the proxy's CPU the GC takes, which the measurement above shows. To measure again on a
production-like host, run `gohandbook measure --full` and re-open this chapter with `quick = False`.
"""),
]

write(Path(__file__).resolve().parents[1] / "notebooks" / "03-service-mesh-drivers.ipynb", cells)
print("wrote notebook 03")
