"""Chapter 2's interactive layer: cached measurements and the reconcile model → charts and tables.

Controls only filter cached results or re-evaluate the (cheap) reconcile model and update the
charts in place by setting `.chart`; they never start a measurement.
"""

from __future__ import annotations

import html

import ipywidgets as W
from IPython.display import display

from gohandbook import ch2, measure
from gohandbook.measure._ch2util import LoadWatch
from gohandbook.models import reconcile as rc

from . import charts_ch2 as charts
from .render import chart_widget, result_banner, show_chart, show_claims, show_html, table_html

BUSY_PSI_PCT = LoadWatch.BUSY_PSI_PCT
STYLE = {"description_width": "210px"}
LAYOUT = W.Layout(width="520px")


def _warn(text: str) -> str:
    return f'<div class="gh-warn">{html.escape(text)}</div>'


def _found(params: dict, name: str) -> measure.Lookup | None:
    """The cached result, after showing a banner when it is stale or missing (None if missing)."""
    found = ch2.result(params, name)
    banner = result_banner(found)
    if banner:
        show_html(banner)
    return found if found.ok else None


def _load_warning(found: measure.Lookup, what: str = "timings") -> None:
    """Say so when the machine was busy with other work while this was measured."""
    load = found.result["summary"].get("load") or {}
    psi = load.get("cpu_pressure_avg10_median_pct")
    busy = psi > BUSY_PSI_PCT if psi is not None else load.get("busy")
    if busy:
        how = (f"some task was waiting for a CPU {psi:.0f} % of the time, median over the runs (Linux CPU pressure, "
               "10 s average)"
               if psi is not None else f"1-minute load average up to {load['loadavg_1m_max']:.1f}")
        show_html(_warn(
            f"Measured while this machine was busy with other work ({how}, {load['cores']} cores): {what} include "
            "time the measured process spent waiting for a core, so they are higher and noisier than on a quiet "
            "machine; sizes, counts and memory are not affected. Re-measure when the machine is idle: "
            f"`gohandbook measure --force {found.result['name']}`."))


def _prov(found: measure.Lookup) -> str:
    return measure.provenance_line(found.result)


def _fmt_bytes(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v / 1024:.1f} KiB" if v >= 1024 else f"{v:.0f} B"


# ---------------------------------------------------------------- 2.1

def concurrency_memory_section(params: dict):
    found = _found(params, "goroutine_memory")
    if not found:
        return None
    s = found.result["summary"]
    go, py, aio = s["go"], s["python"], s["asyncio"]
    ratio = s["ratios"]["thread_vs_goroutine_rss"]
    title = (f"A blocked goroutine costs {_fmt_bytes(go['bytes_per_goroutine_rss'])} of RSS, a Python thread "
             f"{ratio:.0f}× more, an asyncio task less" if ratio else "Bytes per unit of concurrency")
    prov = _prov(found)
    limit = ch2.thread_limit(params)
    if limit["kind"] == "measured":
        limit_text = (f"<b>Python thread limit, measured: {limit['value']:,} threads</b> "
                      f"({html.escape(limit['error'] or 'no failure')}; cap {limit['cap']:,} — {html.escape(limit['cap_reason'])}; "
                      f"RSS {limit['rss_mib']:.0f} MiB but {limit['virtual_gib']:.0f} GiB of virtual address space; "
                      f"{limit['seconds']:.0f} s to start them; {limit['preset']} preset). "
                      f"<span class='gh-prov'>{html.escape(limit['provenance'])}</span>"
                      if limit["value"] else
                      f"<b>No Python thread limit reached</b> within the cap of {limit['cap']:,} ({html.escape(limit['cap_reason'])}).")
    elif limit["kind"] == "predicted":
        cands = ", ".join(f"{k}: {v:,}" for k, v in limit["candidates"].items())
        limit_text = (f"<b>Python thread limit, predicted (not searched in this preset): about {limit['value']:,} threads</b>, "
                      f"set by {html.escape(limit['basis'])} ({limit.get('maps_per_thread') or 0:.2f} memory maps per thread; "
                      f"bounds: {html.escape(cands)}). The full preset (`gohandbook measure --full goroutine_memory`) "
                      "starts threads until creation fails, capped so that 4,096 process IDs stay free.")
    else:
        limit_text = ""
    rows = [{"Unit": "goroutine (Go " + go["version"] + ")", "Largest N measured": f"{go['max_goroutines_tested']:,}",
             "RSS per unit": _fmt_bytes(go["bytes_per_goroutine_rss"]),
             "Stack per unit": _fmt_bytes(go["stack_bytes_per_goroutine"]),
             "Heap per unit": _fmt_bytes(go["heap_bytes_per_goroutine"]),
             "OS threads at largest N": go["os_threads_at_max"],
             "Time to start them": f"{go['spawn_seconds_at_max']:.2f} s"},
            {"Unit": "Python thread (" + py["version"] + ")", "Largest N measured": f"{py['max_threads_tested']:,}",
             "RSS per unit": _fmt_bytes(py["bytes_per_thread_rss"]),
             "Stack per unit": f"{py['virtual_bytes_per_thread'] / 2**20:.1f} MiB virtual (ulimit -s)",
             "Heap per unit": "—", "OS threads at largest N": f"{py['max_threads_tested']:,} + 1",
             "Time to start them": f"{py['points'][-1]['spawn_seconds']:.2f} s"},
            {"Unit": "asyncio task", "Largest N measured": f"{aio['max_tasks_tested']:,}",
             "RSS per unit": _fmt_bytes(aio["bytes_per_task_rss"]), "Stack per unit": "— (no stack of its own)",
             "Heap per unit": "—", "OS threads at largest N": 1,
             "Time to start them": f"{aio['points'][-1]['spawn_seconds']:.2f} s"}]
    available = sorted({r["n"] for r in ch2.unit_rows(found)})
    max_n = params["ch2_units_max"]

    def chart(n_max: int, virtual: bool):
        return charts.units_chart(ch2.unit_rows(found, n_max), title=title, provenance=prov, show_virtual=virtual)

    show_html(table_html(rows, caption="Values at the largest N of each kind (per unit = delta ÷ N). " + prov))
    if limit_text:
        show_html(f'<div class="gh-callout">{limit_text}</div>')
    if not params["live_widgets"]:
        show_chart(chart(max_n, True), live=False)
        return None
    options = [n for n in available if n <= 1_000_000] or [max_n]
    start = max([n for n in options if n <= max_n], default=options[-1])
    slider = W.SelectionSlider(options=options, value=start, description="Show counts up to", style=STYLE,
                               layout=LAYOUT, continuous_update=False)
    virtual = W.Checkbox(value=True, description="Show Python's reserved (virtual) thread stacks", indent=False)
    widget = chart_widget(chart(start, True))

    def refresh(_=None):
        widget.chart = chart(slider.value, virtual.value)

    slider.observe(refresh, names="value")
    virtual.observe(refresh, names="value")
    panel = W.VBox([slider, virtual, widget])
    display(panel)
    return None  # displayed above; returning it would display it a second time


def fanout_section(params: dict):
    found = _found(params, "http_fanout")
    if not found:
        return None
    s = found.result["summary"]
    prov = _prov(found)
    seed, bounded = s.get("seed"), s.get("bounded")
    if seed and bounded:
        title = (f"The seed's loop: {seed['failed']:,.0f} of {s['requests']:,} requests failed; the bounded pool: "
                 f"{bounded['failed']:,.0f}, at {seed['peak_rss_mib'] / bounded['peak_rss_mib']:.0f}× less memory")
    else:
        title = f"{s['requests']:,} requests to a local server"
    _load_warning(found, "completion times")
    show_html(table_html(ch2.fanout_rows(found), caption=(
        "Every request goes to the handbook's Go health-check server on 127.0.0.1 (never an outside host). "
        + s["setup"] + ". " + prov)))
    modes = [ch2.FANOUT_LABELS[m] for m in s["modes"]]
    palette = {"seed": charts.BAD, "unbounded": "#dd6b20", "bounded": charts.GO}
    colors = {ch2.FANOUT_LABELS[m]: palette[m] for m in s["modes"]}
    chart = charts.small_multiples(ch2.fanout_long(found), category="mode", order=modes, colors=colors, title=title,
                                   subtitle=["Bar: median over runs; line: min–max.", prov])
    show_chart(chart, live=params["live_widgets"])
    if "unbounded" not in s["modes"]:
        show_html("<p class='gh-prov'>The variant that closes bodies but is still unbounded runs in the full preset "
                  "(`gohandbook measure --full http_fanout`).</p>")
    return None


def concurrency_table_section(params: dict) -> None:
    show_html(table_html(ch2.concurrency_table_rows(), caption=(
        "Cited opinion, not measured: the source document's table (2.1), cell by cell, with the handbook's assessment. "
        "Sources: Go spec 'Handling panics'; OpenTelemetry Go instrumentation docs; Istio sidecar injection docs.")))


# ---------------------------------------------------------------- 2.2

def build_section(params: dict):
    found = _found(params, "build_matrix")
    if not found:
        return None
    s = found.result["summary"]
    prov = _prov(found)
    rows = ch2.build_rows(found)
    host = s["host"]
    strip = s["strip_saving_pct"]
    title = (f"-s -w saves {strip:.0f} % on {host} (seed: ~35 %) but only {s['wasm']['strip_saving_pct']:.0f} % "
             "on wasip1/wasm; CGO_ENABLED=0 and -trimpath change size by about 1 %")

    def chart(value: str):
        return charts.build_chart(rows, value=value, title=title, provenance=prov)

    table = [{"Target": r["target"], "Flags": r["label"], "Size (MB)": f"{r['mb']:.2f}" if r["ok"] else "build failed",
              "Bytes (stat)": f"{r['bytes']:,}" if r["ok"] else r.get("error", ""),
              "vs default": ("—" if r["flagset"] == "default" else f"{-r['saving_pct']:+.1f} %")
              if r["ok"] and r["saving_pct"] is not None else "",
              "Format": r.get("format", ""), "Interpreter": r.get("interpreter", ""),
              "Linked libraries": r.get("needed", "")} for r in rows]
    if params["live_widgets"]:
        toggle = W.ToggleButtons(options=[("Size (MB)", "mb"), ("Saving vs default (%)", "saving_pct")], value="mb")
        widget = chart_widget(chart("mb"))
        toggle.observe(lambda ch: setattr(widget, "chart", chart(ch["new"])), names="value")
        display(W.VBox([toggle, widget]))
    else:
        show_chart(chart("mb"), live=False)
    show_html(table_html(table, caption="Sizes are st_size of each file. Linked libraries: ELF DT_NEEDED, PE imports, "
                                         "Mach-O LC_LOAD_DYLIB, wasm import modules. " + prov))
    a = s.get("a_flag") or {}
    ldd = s.get("ldd", {})
    start = s.get("startup_ms", {})
    parts = [
        f"<b>Default build on {host}</b>: interpreter {html.escape(str(s['default_interpreter']))}, needs "
        f"{html.escape(', '.join(s['default_needed'] or []) or 'nothing')} (cgo is on by default here because net uses the "
        "C resolver); <code>ldd</code> says: <code>" + html.escape(ldd.get("default", "").replace(chr(10), "; ")) + "</code>.",
        f"<b>CGO_ENABLED=0</b>: {'dynamic' if s['cgo0_dynamic'] else 'static — no interpreter, no shared libraries'}; "
        f"<code>ldd</code>: <code>{html.escape(ldd.get('cgo0', ''))}</code>.",
    ]
    if a:
        parts.append(f"<b>-a without CGO_ENABLED=0</b>: {'still dynamic, needs ' + html.escape(', '.join(a['needed'])) if a['dynamic'] else 'static'}"
                     " — -a only forces rebuilding packages; it does not change how the binary is linked.")
    parts.append("<b>darwin/arm64 and windows/amd64</b> binaries always load system libraries (libSystem / kernel32.dll): "
                 "'zero dependencies' means no third-party libraries, not no operating-system libraries.")
    if start:
        _load_warning(found, "start-up times")
        txt = "; ".join(f"{k} build {v['median']:.1f} ms (min {v['min']:.1f}, max {v['max']:.1f}, n={v['n']})"
                        for k, v in start.items())
        parts.append(f"<b>Native start-up, spawn to first 200 on /healthz</b>: {html.escape(txt)}.")
    show_html('<div class="gh-callout">' + "<br>".join(parts) + "</div>")
    return None


def hybrid_table_section(params: dict) -> None:
    found = ch2.result(params, "build_matrix")
    start = found.result["summary"].get("startup_ms", {}).get("combined") if found.ok else None
    rows = [{"Environment": env, "OS": os_, "Seed: start-up (ms)": ms, "Seed: runtime errors": err,
             "Measured here": (f"{start['median']:.1f} ms median to first 200 (static build, this machine)" if start and i == 0
                               else "")} for i, (env, os_, ms, err) in enumerate(ch2.HYBRID_TABLE)]
    show_html(table_html(rows, caption=(
        "Cited, not measured: the source document's hybrid-cloud table (2.2) gives no service, method or run count, and "
        "no primary source was found. This machine cannot stand in for EC2, OpenStack or an ARM64 edge node; the one "
        "comparable number measured here is the static health-check binary's own start-up.")))


# ---------------------------------------------------------------- 2.3

def gc_section(params: dict):
    found = _found(params, "gc_tuning")
    if not found:
        return None
    s = found.result["summary"]
    prov = _prov(found)
    limits = ["all", *s["memlimits"]]
    memlimit = params["ch2_gc_memlimit"] if params["ch2_gc_memlimit"] in limits else "all"
    if params["ch2_gc_memlimit"] not in limits:
        show_html(_warn(f"ch2_gc_memlimit = {params['ch2_gc_memlimit']!r} was not measured; showing all "
                        f"(measured: {', '.join(s['memlimits'])})."))
    dbl = s.get("doubling_gogc")
    title = (f"Doubling GOGC from 100 to 200: GC CPU ×{dbl['gc_cpu_ratio']:.2f}, peak RSS ×{dbl['rss_ratio']:.2f}"
             if dbl else "GC work against memory")
    sub = (f"{s['total_mib']:.0f} MiB allocated with {s['live_mib']:.0f} MiB live, one fresh process per point. ")

    _load_warning(found, "GC CPU seconds, pause lengths and wall times")

    def tradeoff(limit: str, metric: str):
        return charts.gc_tradeoff_chart(ch2.gc_points(found, limit), metric=metric, title=title, provenance=sub + prov)

    def pauses(limit: str):
        rows = [r for r in ch2.pause_rows(found) if limit == "all" or r["gomemlimit"] == limit]
        worst = max((r["hi_ms"] for r in rows), default=0)
        return charts.pause_chart(rows, title=f"Every stop-the-world pause was under {worst:.2f} ms", provenance=prov)

    if params["live_widgets"]:
        lim = W.Dropdown(options=limits, value=memlimit, description="GOMEMLIMIT shown", style=STYLE, layout=LAYOUT)
        met = W.Dropdown(options=[("GC CPU time (s)", "gc_cpu_seconds"), ("GC cycles", "gc_cycles"),
                                  ("Pause p99 (ms)", "pause_p99_ms"), ("Total pause (ms)", "pause_total_ms"),
                                  ("Wall time (s)", "wall_seconds")], value=params["ch2_gc_metric"],
                         description="Vertical axis", style=STYLE, layout=LAYOUT)
        w1, w2 = chart_widget(tradeoff(memlimit, met.value)), chart_widget(pauses(memlimit))
        table = W.HTML(table_html(ch2.gc_table_rows(found, memlimit)))

        def refresh(_=None):
            w1.chart = tradeoff(lim.value, met.value)
            w2.chart = pauses(lim.value)
            table.value = table_html(ch2.gc_table_rows(found, lim.value))

        lim.observe(refresh, names="value")
        met.observe(refresh, names="value")
        show_html("")
        display(W.VBox([lim, met, w1, table, w2]))
    else:
        show_chart(tradeoff(memlimit, params["ch2_gc_metric"]), live=False)
        show_html(table_html(ch2.gc_table_rows(found, memlimit), caption=prov))
        show_chart(pauses(memlimit), live=False)
    return None


def pool_section(params: dict) -> None:
    found = _found(params, "pool_bench")
    if not found:
        return
    s = found.result["summary"]
    prov = _prov(found)
    title = (f"sync.Pool: {s['pool_speedup']:.1f}× faster per request, {s['alloc_bytes_op']:.0f} → "
             f"{s['pool_bytes_op']:.0f} B/op, {s['alloc_allocs_op']:.0f} → {s['pool_allocs_op']:.0f} allocs/op"
             if s.get("pool_speedup") else "Per-request allocation vs sync.Pool")
    _load_warning(found, "ns/op")
    show_chart(charts.bench_chart(ch2.bench_long(found), title=title, provenance=prov), live=params["live_widgets"])
    show_html(table_html(ch2.bench_rows(found), caption=(
        f"`{s['command']}`: median, a distribution-free 95 % confidence interval of the median (as benchstat reports), "
        "and the range. " + prov)))
    raw = found.result["raw"]["benchstat_input"]
    show_html("<details><summary>Raw <code>go test -bench</code> output (benchstat's input format; save it and run "
              "<code>benchstat old.txt new.txt</code>)</summary><pre>" + html.escape(raw) + "</pre></details>")


def g1_section(params: dict) -> None:
    found = ch2.result(params, "gc_tuning")
    jvm = found.result["summary"].get("jvm", {}) if found.ok else {}
    rows = [{"GC": gc, "Seed: MaxGCPauseMillis": pause, "Seed: G1HeapRegionSize": region, "Seed: latency": lat,
             "Seed: leak risk": risk} for gc, pause, region, lat, risk in ch2.G1_TABLE]
    show_html(table_html(rows, caption=(
        "Cited, not measured: the source document's G1 table (2.3) and its Java ThreadLocal/allocateDirect buffer pool "
        "come from another team's production Java service; no primary source was found for 187 ms or 42 ms, and no "
        "comparable Java workload is run here.")))
    if jvm.get("available"):
        show_html(f'<div class="gh-callout"><b>What the local JDK says</b> ({html.escape(jvm["version"])}, '
                  "<code>java -XX:+UseG1GC -XX:+PrintFlagsFinal -version</code>): MaxGCPauseMillis = "
                  f"<b>{jvm['g1_max_gc_pause_millis']}</b> ms (the seed's default 200 is right); G1HeapRegionSize = "
                  f"<b>{jvm['g1_heap_region_size_mb']:g} MB</b> for this machine's default heap of "
                  f"{jvm['max_heap_mib'] / 1024:.1f} GiB (G1 sizes regions from the heap, so '2MB default' holds only "
                  "for some heap sizes). <span class='gh-prov'>" + html.escape(measure.provenance_line(found.result))
                  + "</span></div>")
    elif jvm:
        show_html(_warn("JVM defaults not read: " + jvm.get("reason", "")))


# ---------------------------------------------------------------- 2.4

def toolchain_section(params: dict) -> None:
    found = _found(params, "mod_tools")
    if not found:
        return
    s = found.result["summary"]
    prov = _prov(found)
    rows = []
    for which, label in (("samples", "go-samples (stdlib only)"), ("tools", "go-samples/tools (staticcheck)")):
        m = s[which]
        rows.append({"Module": label, "go mod graph": f"{m['graph_edges']} edges, {m['modules_in_graph']} modules",
                     "go mod verify": ("ok: " if m["verify_ok"] else "FAILED: ") + m["verify_output"].splitlines()[-1],
                     "go list -m all (offline)": ("complete" if m["list_all_ok"] else
                                                  f"{len(m['offline_missing'])} of {m['build_list_size']} modules need "
                                                  "the network (not in the module cache; GOPROXY=off)")})
    show_html(table_html(rows, caption=prov))
    edges = s["tools"]["graph"]
    show_html("<details><summary><code>go mod graph</code> of the tools module (" + str(len(edges)) + " edges)</summary><pre>"
              + html.escape("\n".join(" ".join(e) for e in edges)) + "</pre></details>")
    show_html(table_html(ch2.module_rows(found), caption=(
        "The build list (`go list -m -e -json all`), offline. Modules marked as needing the network are in the "
        "requirement graph but not in the local module cache; staticcheck still builds offline, so its build does not "
        "need them — a full `go list -m all` or `go mod download` would.")))
    show_html(table_html(ch2.sbom_rows(found), caption=(
        "SBOM-like list from `go version -m` of the built binaries: the modules actually linked in, with the h1: "
        "checksums the Go command recorded, each compared with the tools module's go.sum. " + prov)))
    e = s["ebpf"]
    show_html(
        '<div class="gh-warn"><b>eBPF integration is not measured here.</b> What was probed: kernel '
        f"{html.escape(e['kernel'])}; bpf() system call: map create {html.escape(str(e.get('map_create')))}, "
        f"program load {html.escape(str(e.get('prog_load')))}; kernel BTF (/sys/kernel/btf/vmlinux) "
        f"{'present' if e['kernel_btf'] else 'absent'}; bpftool {'found' if e['bpftool'] else 'not installed'}. "
        "So the kernel would load programs, but the seed's Go side cannot be built here: a Go eBPF library "
        "(cilium/ebpf, for CO-RE via btf.LoadSpec) is not in the module cache and the module proxy is unreachable, "
        "and without bpftool the 'bpftool prog list' check cannot run. The seed's eBPF table is therefore cited "
        "below, not verified.</div>")
    show_html(table_html([{"Dimension": d, "Seed: basic": b, "Seed: production-ready": p} for d, b, p in ch2.EBPF_TABLE],
                         caption="Cited, not measured: the source document's eBPF maturity table (2.4)."))


# ---------------------------------------------------------------- 2.5

def _reconcile_table(params: dict) -> str:
    res = ch2.reconcile_summary(params)
    rows = []
    for key, label in (("seed", "Seed: RequeueAfter 30 s"), ("chosen", f"Yours: RequeueAfter {params['reconcile_requeue_s']:g} s"),
                       ("watch", "Watch-driven + SyncPeriod resync")):
        r = res[key]
        rows.append({"Strategy": label, "Reconciles / hour": f"{r.reconciles_per_hour:,.0f}",
                     "API requests / hour": f"{r.api_calls_per_hour:,.0f}",
                     "External calls / hour": f"{r.external_calls_per_hour:,.0f}",
                     "Queue utilisation": f"{r.utilisation:.2f}" + (" — saturated" if r.saturated else ""),
                     "Spec change → reconciled": ch2.duration_text(r.event_staleness_s),
                     "External change → seen (mean / worst)":
                         f"{ch2.duration_text(r.external_staleness_mean_s)} / {ch2.duration_text(r.external_staleness_max_s)}",
                     "Saturates above": f"{r.max_objects_before_saturation:,.0f} objects"})
    return table_html(rows, caption=(
        f"{params['reconcile_objects']:,} objects, {params['reconcile_changes_per_hour']:g} spec changes per object per "
        f"hour, {params['reconcile_ms']:g} ms per reconcile, MaxConcurrentReconciles {params['reconcile_workers']}, "
        f"{params['reconcile_failure_pct']:g} % failing, SyncPeriod {params['reconcile_sync_period_h']:g} h. Model, "
        "not measurement."))


def _reconcile_charts(state: dict):
    rows = ch2.reconcile_rows(state)
    res = ch2.reconcile_summary(state)
    seed = res["seed"]
    sub = ["Model: reconciles = objects × (3600/RequeueAfter + changes/h + 3600/SyncPeriod), retries added; "
           "1 API request (status update) and 1 external call each.",
           "Dashed: your object count. Starting values: controller-runtime / client-go defaults (table below)."]
    load = charts.reconcile_chart(rows, field="api_calls_per_hour", objects=state["reconcile_objects"], subtitle=sub,
                                  title=f"Polling every 30 s costs {seed.api_calls_per_hour / max(res['watch'].api_calls_per_hour, 1e-9):,.0f}× "
                                        "the API requests of a watch-driven controller")
    stale = charts.reconcile_chart(rows, field="external_staleness_mean_s", objects=state["reconcile_objects"],
                                   subtitle=["Staleness of state outside the cluster (what fetchFromClusterAPI reads): "
                                             "a watch cannot see it, so without requeues only the resync picks it up.",
                                             "Lines end where the workqueue saturates (staleness grows without bound)."],
                                   title=f"…but only polling sees external changes quickly: mean "
                                         f"{ch2.duration_text(res['chosen'].external_staleness_mean_s)} vs "
                                         f"{ch2.duration_text(res['watch'].external_staleness_mean_s)} with resync only")
    util = charts.reconcile_chart(rows, field="utilisation", objects=state["reconcile_objects"],
                                  subtitle=["Utilisation = reconciles per second × reconcile time ÷ MaxConcurrentReconciles; "
                                            "red line: 1, the queue can no longer keep up."],
                                  title=f"With MaxConcurrentReconciles={state['reconcile_workers']}, 30 s polling saturates "
                                        f"above {seed.max_objects_before_saturation:,.0f} objects")
    return load, stale, util


def reconcile_panel(params: dict):
    backoff = charts.backoff_chart(ch2.backoff_rows(), title=(
        f"Per-item backoff: 5 ms · 2ⁿ reaches its 1000 s cap after {rc.failures_to_cap()} failures "
        f"({rc.time_to_recover(rc.failures_to_cap()) / 60:.0f} min of waiting)"),
        subtitle=["client-go workqueue.DefaultControllerRateLimiter (ItemExponentialFailureRateLimiter 5 ms, 1000 s)."])
    defaults = table_html([{"Default": k, "Value": f"{v:g}", "Source": src} for k, (v, src) in rc.DEFAULTS.items()],
                          caption="Starting values and where they come from.")
    if not params["live_widgets"]:
        for c in _reconcile_charts(params):
            show_chart(c, live=False)
        show_html(_reconcile_table(params))
        show_chart(backoff, live=False)
        show_html(defaults)
        return None
    state = dict(params)
    objects = W.IntText(value=params["reconcile_objects"], description="Objects", style=STYLE, layout=LAYOUT)
    requeue = W.FloatLogSlider(value=params["reconcile_requeue_s"], base=10, min=0, max=4.94, step=0.02,
                               description="RequeueAfter (s)", style=STYLE, layout=LAYOUT, continuous_update=False)
    changes = W.FloatLogSlider(value=max(params["reconcile_changes_per_hour"], 0.001), base=10, min=-3, max=3, step=0.1,
                               description="Changes / object / hour", style=STYLE, layout=LAYOUT, continuous_update=False)
    ms = W.FloatLogSlider(value=params["reconcile_ms"], base=10, min=0, max=4, step=0.05, description="Reconcile time (ms)",
                          style=STYLE, layout=LAYOUT, continuous_update=False)
    workers = W.IntSlider(value=params["reconcile_workers"], min=1, max=64, description="MaxConcurrentReconciles",
                          style=STYLE, layout=LAYOUT, continuous_update=False)
    failure = W.FloatSlider(value=params["reconcile_failure_pct"], min=0, max=90, step=1, description="Failing reconciles (%)",
                            style=STYLE, layout=LAYOUT, continuous_update=False)
    sync = W.FloatLogSlider(value=params["reconcile_sync_period_h"], base=10, min=-2, max=2.38, step=0.05,
                            description="SyncPeriod (h)", style=STYLE, layout=LAYOUT, continuous_update=False)
    msg = W.HTML("")
    load, stale, util = (chart_widget(c) for c in _reconcile_charts(state))
    table = W.HTML(_reconcile_table(state))

    def refresh(_=None):
        new = dict(state, reconcile_objects=objects.value, reconcile_requeue_s=requeue.value,
                   reconcile_changes_per_hour=changes.value, reconcile_ms=ms.value, reconcile_workers=workers.value,
                   reconcile_failure_pct=failure.value, reconcile_sync_period_h=sync.value)
        try:
            new = ch2.PARAMS.validate({k: v for k, v in new.items() if k in ch2.PARAMS})
            charts_now = _reconcile_charts(new)
        except ValueError as exc:  # ParameterError: say so, keep the last good charts
            msg.value = _warn(str(exc))
            return
        msg.value = ""
        state.update(new)
        load.chart, stale.chart, util.chart = charts_now
        table.value = _reconcile_table(new)

    for w in (objects, requeue, changes, ms, workers, failure, sync):
        w.observe(refresh, names="value")
    show_html("")
    panel = W.VBox([objects, requeue, changes, ms, workers, failure, sync, msg, load, stale, util, table,
                    chart_widget(backoff), W.HTML(defaults)])
    display(panel)
    return None  # displayed above; returning it would display it a second time


def wasm_section(params: dict) -> None:
    found = _found(params, "wasm_run")
    if not found:
        return
    s = found.result["summary"]
    prov = _prov(found)
    w, n = s["go_wasip1"], s["native"]
    if not w.get("runs"):
        show_html(_warn("The wasip1 build did not run under Node's WASI here: " + w.get("why_not_run", "see raw output")))
        return
    rt = s["runtime"]
    rows = [
        {"what": "native linux/amd64", "metric": "Wall time, spawn to exit (ms)", **_mm(n["wall_ms"])},
        {"what": "wasip1/wasm under Node", "metric": "Wall time, spawn to exit (ms)", **_mm(w["wall_ms"])},
        {"what": "Node alone (node -e 0)", "metric": "Wall time, spawn to exit (ms)", **_mm(rt["baseline_wall_ms"])},
        {"what": "native linux/amd64", "metric": "Size (MB)", "median": n["mb"], "min": n["mb"], "max": n["mb"]},
        {"what": "wasip1/wasm under Node", "metric": "Size (MB)", "median": w["mb"], "min": w["mb"], "max": w["mb"]},
        {"what": "native linux/amd64", "metric": "SHA-256 of 1 MiB inside the program (ms)",
         "median": n["work_ms"], "min": n["work_ms"], "max": n["work_ms"]},
        {"what": "wasip1/wasm under Node", "metric": "SHA-256 of 1 MiB inside the program (ms)",
         "median": w["work_ms"], "min": w["work_ms"], "max": w["work_ms"]},
    ]
    title = (f"The wasip1 build runs under {rt['name']} {rt['version']} with the same output; start-up "
             f"{s['startup_ratio']:.0f}× the native binary's, size ×{s['size_ratio']:.2f}")
    _load_warning(found, "start-up and run times")
    show_chart(charts.wasm_chart(rows, title=title, provenance=prov), live=params["live_widgets"])
    show_html(table_html([
        {"Build": "native (CGO_ENABLED=0)", "Size (MB)": f"{n['mb']:.2f}", "Stripped -s -w (MB)": f"{n['stripped_mb']:.2f}",
         "Start → exit (median ms)": f"{n['wall_ms']['median']:.1f}", "Inside the runtime": "—",
         "Imports / links": "none (static ELF)"},
        {"Build": "GOOS=wasip1 GOARCH=wasm", "Size (MB)": f"{w['mb']:.2f}", "Stripped -s -w (MB)": f"{w['stripped_mb']:.2f}",
         "Start → exit (median ms)": f"{w['wall_ms']['median']:.1f}",
         "Inside the runtime": f"compile {w['compile_ms']:.0f} ms, instantiate {w['instantiate_ms']:.0f} ms, run {w['run_ms']:.0f} ms",
         "Imports / links": ", ".join(w["imports"])}],
        caption=(f"Args and an environment variable reached the module through WASI ({' '.join(w['args_via_wasi'] or [])}; "
                 f"'{w['greeting_via_wasi']}'); the digest matched the native run. -s -w saves "
                 f"{w['strip_saving_pct']:.1f} % on wasm. " + prov)))
    show_html(table_html([{"Runtime": r, "Seed: CRI-O plugin": a, "Seed: RuntimeClass": b, "Seed: dynamic loading": c}
                          for r, a, b, c in ch2.WASM_TABLE],
                         caption="Cited, not measured: the source document's Wasm runtime table (2.5); see the claims "
                                 "below for what is wrong in it. WasmEdge, Wasmer, Spin and CRI-O are not on this machine."))


def _mm(s: dict) -> dict:
    return {"median": s["median"], "min": s["min"], "max": s["max"]}


def findings_section(params: dict) -> None:
    """The chapter's measured findings in one list, each from its cached result (nothing hard-coded)."""
    items = []
    r = ch2.result(params, "goroutine_memory")
    if r.ok:
        g, p, a = (r.result["summary"][k] for k in ("go", "python", "asyncio"))
        items.append(f"A blocked goroutine costs {_fmt_bytes(g['bytes_per_goroutine_rss'])} of RSS here "
                     f"({_fmt_bytes(g['stack_bytes_per_goroutine'])} of it stack); a blocked Python thread "
                     f"{_fmt_bytes(p['bytes_per_thread_rss'])} of RSS and {p['virtual_bytes_per_thread'] / 2**20:.1f} MiB "
                     f"of address space; an asyncio task {_fmt_bytes(a['bytes_per_task_rss'])}.")
    r = ch2.result(params, "http_fanout")
    if r.ok and "seed" in r.result["summary"] and "bounded" in r.result["summary"]:
        s = r.result["summary"]
        items.append(f"The seed's unbounded fan-out lost {s['seed']['failed']:,.0f} of {s['requests']:,} requests "
                     f"({', '.join(s['seed']['error_kinds_total']) or 'no errors'}); the bounded pool lost "
                     f"{s['bounded']['failed']:,.0f} and peaked at {s['bounded']['peak_rss_mib']:.0f} MiB instead of "
                     f"{s['seed']['peak_rss_mib']:.0f} MiB.")
    r = ch2.result(params, "build_matrix")
    if r.ok:
        s = r.result["summary"]
        items.append(f"Static binaries come from CGO_ENABLED=0 (default build dynamic: {'yes' if s['default_dynamic'] else 'no'}; "
                     f"with -a: {'still dynamic' if s['a_flag'] and s['a_flag']['dynamic'] else 'static'}); -s -w saves "
                     f"{s['strip_saving_pct']:.0f} % natively, {s['wasm']['strip_saving_pct']:.0f} % on wasip1/wasm; "
                     f"{s['cross_targets_built']} of {s['cross_targets_built'] + s['cross_targets_failed']} targets cross-compile.")
    r = ch2.result(params, "gc_tuning")
    if r.ok and r.result["summary"].get("doubling_gogc"):
        d = r.result["summary"]["doubling_gogc"]
        items.append(f"GOGC 100 → 200 changed GC CPU by ×{d['gc_cpu_ratio']:.2f} and peak RSS by ×{d['rss_ratio']:.2f} "
                     "(the GC guide's trade-off); GOMEMLIMIT held RSS near its limit at the cost of more GC work.")
    r = ch2.result(params, "pool_bench")
    if r.ok and r.result["summary"].get("pool_speedup"):
        s = r.result["summary"]
        items.append(f"sync.Pool removed {s['alloc_allocs_op']:.0f} allocations ({s['alloc_bytes_op']:.0f} B) per request "
                     f"and ran {s['pool_speedup']:.1f}× faster.")
    r = ch2.result(params, "mod_tools")
    if r.ok:
        s = r.result["summary"]
        items.append(f"go mod verify passed offline on both modules: {'yes' if s['verify_ok'] else 'no'}; "
                     f"{s['sbom_modules']} linked modules listed with checksums by go version -m.")
    r = ch2.result(params, "wasm_run")
    if r.ok and r.result["summary"]["go_wasip1"].get("runs"):
        s = r.result["summary"]
        items.append(f"The wasip1 build ran under Node's WASI with the native digest; start-up ×{s['startup_ratio']:.0f} "
                     f"the native binary's, size ×{s['size_ratio']:.2f}.")
    res = ch2.reconcile_summary(params)
    items.append(f"Model: with your settings, 30 s polling makes {res['seed'].api_calls_per_hour:,.0f} API requests an "
                 f"hour against {res['watch'].api_calls_per_hour:,.0f} watch-driven, and one worker saturates above "
                 f"{res['seed'].max_objects_before_saturation:,.0f} objects.")
    show_html("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")


def claims_section(params: dict) -> None:
    show_claims(ch2.chapter_claims(params))
