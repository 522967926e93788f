"""Chapter 2's interactive layer: cached measurements and the reconcile model → charts and tables.

Controls only filter cached results or re-evaluate the (cheap) reconcile model and update the
charts in place by setting `.chart`; they never start a measurement.
"""

from __future__ import annotations

import html

from gohandbook import ch2, measure
from gohandbook.measure._runs import LoadWatch
from gohandbook.models import reconcile as rc

from . import charts_ch2 as charts
from . import controls
from .render import not_current_note, show_chart, show_claims, show_html, shown_summary, table_html, warn

BUSY_PSI_PCT = LoadWatch.BUSY_PSI_PCT


def _load_warning(found: measure.Lookup, what: str = "timings") -> None:
    """Say so when the machine was busy with other work while this was measured."""
    load = found.result["summary"].get("load") or {}
    psi = load.get("cpu_pressure_avg10_median_pct")
    busy = psi > BUSY_PSI_PCT if psi is not None else load.get("busy")
    if busy:
        how = (f"some task was waiting for a CPU {psi:.0f} % of the time, median over the runs (Linux CPU pressure, "
               "10 s average)"
               if psi is not None else f"1-minute load average up to {load['loadavg_1m_max']:.1f}")
        show_html(warn(
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
    found = ch2.CHAPTER.lookup(params, "goroutine_memory")
    if shown_summary(found) is None:
        return None
    s = found.result["summary"]
    go, py, aio = s["go"], s["python"], s["asyncio"]
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
    show_html(table_html(rows, caption="Values at the largest N of each kind (per unit = delta ÷ N). " + prov))
    if limit_text:
        show_html(f'<div class="gh-callout">{limit_text}</div>')
    return controls.show(UNITS_PANEL, params)


def _units_title(s: dict) -> str:
    ratio = s["ratios"]["thread_vs_goroutine_rss"]
    return (f"A blocked goroutine costs {_fmt_bytes(s['go']['bytes_per_goroutine_rss'])} of RSS, a Python thread "
            f"{ratio:.0f}× more, an asyncio task less" if ratio else "Bytes per unit of concurrency")


def _units_views(state: dict) -> dict:
    found = ch2.CHAPTER.lookup(state, "goroutine_memory")
    if not found.ok:
        return {"chart": warn(f"goroutine_memory: {found.reason}")}
    rows = ch2.unit_rows(found, state["ch2_units_max"])
    return {"chart": charts.units_chart(rows, title=_units_title(found.result["summary"]), provenance=_prov(found),
                                        show_virtual=state["ch2_units_virtual"])}


def _units_options(params) -> dict:
    """The counts that were measured (within the declared range): a chart never ends between two of them."""
    p = ch2.PARAMS["ch2_units_max"]
    measured = sorted({r["n"] for r in ch2.unit_rows(ch2.CHAPTER.lookup(params, "goroutine_memory"))
                       if p.min <= r["n"] <= p.max})
    return {"ch2_units_max": measured} if measured else {}


UNITS_PANEL = controls.register(controls.Panel(
    2, "units", ch2.PARAMS, (("", ("ch2_units_max", "ch2_units_virtual")),), _units_views, options=_units_options))


def fanout_section(params: dict):
    found = ch2.CHAPTER.lookup(params, "http_fanout")
    if shown_summary(found) is None:
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
    found = ch2.CHAPTER.lookup(params, "build_matrix")
    if shown_summary(found) is None:
        return None
    s = found.result["summary"]
    prov = _prov(found)
    rows = ch2.build_rows(found)
    host = s["host"]
    table = [{"Target": r["target"], "Flags": r["label"], "Size (MB)": f"{r['mb']:.2f}" if r["ok"] else "build failed",
              "Bytes (stat)": f"{r['bytes']:,}" if r["ok"] else r.get("error", ""),
              "vs default": ("—" if r["flagset"] == "default" else f"{-r['saving_pct']:+.1f} %")
              if r["ok"] and r["saving_pct"] is not None else "",
              "Format": r.get("format", ""), "Interpreter": r.get("interpreter", ""),
              "Linked libraries": r.get("needed", "")} for r in rows]
    controls.show(BUILD_PANEL, params)
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


def _build_views(state: dict) -> dict:
    found = ch2.CHAPTER.lookup(state, "build_matrix")
    if not found.ok:
        return {"chart": warn(f"build_matrix: {found.reason}")}
    s = found.result["summary"]
    rows = [r for r in ch2.build_rows(found) if r["ok"]]
    # the finding, from the measured sizes: how much the flags that are said to matter change the size
    def spread(flagset: str) -> str:
        pcts = [abs(r["saving_pct"]) for r in rows if r["flagset"] == flagset and r["saving_pct"] is not None]
        return f"{max(pcts):.1f} %" if pcts else "—"
    title = (f"-s -w saves {s['strip_saving_pct']:.0f} % on {s['host']} (seed: ~35 %) but only "
             f"{s['wasm']['strip_saving_pct']:.0f} % on wasip1/wasm; CGO_ENABLED=0 changes size by at most "
             f"{spread('cgo0')}, -trimpath by at most {spread('trimpath')}")
    return {"chart": charts.build_chart(ch2.build_rows(found), value=state["ch2_build_value"], title=title,
                                        provenance=_prov(found))}


BUILD_PANEL = controls.register(controls.Panel(
    2, "build", ch2.PARAMS, (("", ("ch2_build_value",)),), _build_views,
    labels={"ch2_build_value": {"mb": "Size (MB)", "saving_pct": "Saving against the default build (%)"}}))


def hybrid_table_section(params: dict) -> None:
    found = ch2.CHAPTER.lookup(params, "build_matrix")
    start = (shown_summary(found) or {}).get("startup_ms", {}).get("combined")
    rows = [{"Environment": env, "OS": os_, "Seed: start-up (ms)": ms, "Seed: runtime errors": err,
             "Measured here": (f"{start['median']:.1f} ms median to first 200 (static build, this machine)" if start and i == 0
                               else "")} for i, (env, os_, ms, err) in enumerate(ch2.HYBRID_TABLE)]
    show_html(table_html(rows, caption=(
        "Cited, not measured: the source document's hybrid-cloud table (2.2) gives no service, method or run count, and "
        "no primary source was found. This machine cannot stand in for EC2, OpenStack or an ARM64 edge node; the one "
        "comparable number measured here is the static health-check binary's own start-up.")))


# ---------------------------------------------------------------- 2.3

def gc_section(params: dict):
    found = ch2.CHAPTER.lookup(params, "gc_tuning")
    if shown_summary(found) is None:
        return None
    s = found.result["summary"]
    if params["ch2_gc_memlimit"] not in ["all", *s["memlimits"]]:
        show_html(warn(f"ch2_gc_memlimit = {params['ch2_gc_memlimit']!r} was not measured; showing all "
                       f"(measured: {', '.join(s['memlimits'])})."))
        params = dict(params, ch2_gc_memlimit="all")
    _load_warning(found, "GC CPU seconds, pause lengths and wall times")
    return controls.show(GC_PANEL, params)


def _gc_views(state: dict) -> dict:
    found = ch2.CHAPTER.lookup(state, "gc_tuning")
    if not found.ok:
        return {"tradeoff": warn(f"gc_tuning: {found.reason}")}
    s, prov, limit = found.result["summary"], _prov(found), state["ch2_gc_memlimit"]
    dbl = s.get("doubling_gogc")
    title = (f"Doubling GOGC from 100 to 200: GC CPU ×{dbl['gc_cpu_ratio']:.2f}, peak RSS ×{dbl['rss_ratio']:.2f}"
             if dbl else "GC work against memory")
    sub = f"{s['total_mib']:.0f} MiB allocated with {s['live_mib']:.0f} MiB live, one fresh process per point. "
    pauses = [r for r in ch2.pause_rows(found) if limit == "all" or r["gomemlimit"] == limit]
    worst = max((r["hi_ms"] for r in pauses), default=0)
    return {"tradeoff": charts.gc_tradeoff_chart(ch2.gc_points(found, limit), metric=state["ch2_gc_metric"], title=title,
                                                 provenance=sub + prov),
            "table": table_html(ch2.gc_table_rows(found, limit), caption=prov),
            "pauses": charts.pause_chart(pauses, title=f"Every stop-the-world pause was under {worst:.2f} ms",
                                         provenance=prov)}


def _gc_options(params) -> dict:
    found = ch2.CHAPTER.lookup(params, "gc_tuning")
    return {"ch2_gc_memlimit": ["all", *found.result["summary"]["memlimits"]]} if found.ok else {}


GC_PANEL = controls.register(controls.Panel(
    2, "gc", ch2.PARAMS, (("", ("ch2_gc_memlimit", "ch2_gc_metric")),), _gc_views, options=_gc_options,
    labels={"ch2_gc_metric": {"gc_cpu_seconds": "GC CPU time (s)", "gc_cycles": "GC cycles",
                              "pause_p99_ms": "Pause p99 (ms)", "pause_total_ms": "Total pause (ms)",
                              "wall_seconds": "Wall time (s)"}}))


def pool_section(params: dict) -> None:
    found = ch2.CHAPTER.lookup(params, "pool_bench")
    if shown_summary(found) is None:
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
    raw = found.result["raw"].get("benchstat_input")
    if raw:  # a reference result ships without raw output
        show_html("<details><summary>Raw <code>go test -bench</code> output (benchstat's input format; save it and "
                  "run <code>benchstat old.txt new.txt</code>)</summary><pre>" + html.escape(raw) + "</pre></details>")


def g1_section(params: dict) -> None:
    found = ch2.CHAPTER.lookup(params, "gc_tuning")
    jvm = (shown_summary(found) or {}).get("jvm", {})
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
        show_html(warn("JVM defaults not read: " + jvm.get("reason", "")))


# ---------------------------------------------------------------- 2.4

def toolchain_section(params: dict) -> None:
    found = ch2.CHAPTER.lookup(params, "mod_tools")
    if shown_summary(found) is None:
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

def _show(name: str, value) -> str:
    """A parameter's value as its control shows it (chart titles and tables say the same)."""
    return ch2.PARAMS[name].show(value)


def _reconcile_table(params: dict) -> str:
    res = ch2.reconcile_summary(params)
    rows = []
    for key, label in (("seed", "Seed: RequeueAfter 30 s"),
                       ("chosen", f"Yours: RequeueAfter {_show('reconcile_requeue_s', params['reconcile_requeue_s'])} s"),
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
    shown = {name: _show(name, params[name]) for name in RECONCILE_CONTROLS}
    return table_html(rows, caption=(
        f"{shown['reconcile_objects']} objects, {shown['reconcile_changes_per_hour']} spec changes per object per "
        f"hour, {shown['reconcile_ms']} ms per reconcile, MaxConcurrentReconciles {shown['reconcile_workers']}, "
        f"{shown['reconcile_failure_pct']} % failing, SyncPeriod {shown['reconcile_sync_period_h']} h. Model, "
        "not measurement."))


RECONCILE_CONTROLS = ("reconcile_objects", "reconcile_requeue_s", "reconcile_changes_per_hour", "reconcile_ms",
                      "reconcile_workers", "reconcile_failure_pct", "reconcile_sync_period_h")


def _reconcile_views(state: dict) -> dict:
    rows = ch2.reconcile_rows(state)
    res = ch2.reconcile_summary(state)
    chosen, watch = res["chosen"], res["watch"]
    every = _show("reconcile_requeue_s", state["reconcile_requeue_s"])
    sub = ["Model: reconciles = objects × (3600/RequeueAfter + changes/h + 3600/SyncPeriod), retries added; "
           "1 API request (status update) and 1 external call each.",
           "Dashed: your object count. Starting values: controller-runtime / client-go defaults (table below)."]
    objects = state["reconcile_objects"]
    load = charts.reconcile_chart(rows, field="api_calls_per_hour", objects=objects, subtitle=sub,
                                  title=f"Polling every {every} s costs "
                                        f"{chosen.api_calls_per_hour / max(watch.api_calls_per_hour, 1e-9):,.0f}× "
                                        "the API requests of a watch-driven controller")
    stale = charts.reconcile_chart(rows, field="external_staleness_mean_s", objects=objects,
                                   subtitle=["Staleness of state outside the cluster (what fetchFromClusterAPI reads): "
                                             "a watch cannot see it, so without requeues only the resync picks it up.",
                                             "Lines end where the workqueue saturates (staleness grows without bound)."],
                                   title=f"…but only polling sees external changes quickly: mean "
                                         f"{ch2.duration_text(chosen.external_staleness_mean_s)} vs "
                                         f"{ch2.duration_text(watch.external_staleness_mean_s)} with resync only")
    util = charts.reconcile_chart(rows, field="utilisation", objects=objects,
                                  subtitle=["Utilisation = reconciles per second × reconcile time ÷ MaxConcurrentReconciles; "
                                            "red line: 1, the queue can no longer keep up."],
                                  title=f"With MaxConcurrentReconciles={_show('reconcile_workers', state['reconcile_workers'])}, "
                                        f"polling every {every} s saturates above "
                                        f"{chosen.max_objects_before_saturation:,.0f} objects")
    return {"load": load, "stale": stale, "util": util, "table": _reconcile_table(state)}


RECONCILE_PANEL = controls.register(controls.Panel(
    2, "reconcile", ch2.PARAMS, (("", RECONCILE_CONTROLS),), _reconcile_views))


def reconcile_panel(params: dict):
    controls.show(RECONCILE_PANEL, params)
    backoff = charts.backoff_chart(ch2.backoff_rows(), title=(
        f"Per-item backoff: 5 ms · 2ⁿ reaches its 1000 s cap after {rc.failures_to_cap()} failures "
        f"({rc.time_to_recover(rc.failures_to_cap()) / 60:.0f} min of waiting)"),
        subtitle=["client-go workqueue.DefaultControllerRateLimiter (ItemExponentialFailureRateLimiter 5 ms, 1000 s)."])
    show_chart(backoff, live=params["live_widgets"])
    show_html(table_html([{"Default": k, "Value": f"{v:g}", "Source": src} for k, (v, src) in rc.DEFAULTS.items()],
                         caption="Starting values and where they come from."))
    return None


def wasm_section(params: dict) -> None:
    found = ch2.CHAPTER.lookup(params, "wasm_run")
    if shown_summary(found) is None:
        return
    s = found.result["summary"]
    prov = _prov(found)
    w, n = s["go_wasip1"], s["native"]
    if not w.get("runs"):
        show_html(warn("The wasip1 build did not run under Node's WASI here: " + w.get("why_not_run", "see raw output")))
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
    r = ch2.CHAPTER.lookup(params, "goroutine_memory")
    if r.ok:
        g, p, a = (r.result["summary"][k] for k in ("go", "python", "asyncio"))
        items.append(f"A blocked goroutine costs {_fmt_bytes(g['bytes_per_goroutine_rss'])} of RSS here "
                     f"({_fmt_bytes(g['stack_bytes_per_goroutine'])} of it stack); a blocked Python thread "
                     f"{_fmt_bytes(p['bytes_per_thread_rss'])} of RSS and {p['virtual_bytes_per_thread'] / 2**20:.1f} MiB "
                     f"of address space; an asyncio task {_fmt_bytes(a['bytes_per_task_rss'])}.")
    r = ch2.CHAPTER.lookup(params, "http_fanout")
    if r.ok and "seed" in r.result["summary"] and "bounded" in r.result["summary"]:
        s = r.result["summary"]
        items.append(f"The seed's unbounded fan-out lost {s['seed']['failed']:,.0f} of {s['requests']:,} requests "
                     f"({', '.join(s['seed']['error_kinds_total']) or 'no errors'}); the bounded pool lost "
                     f"{s['bounded']['failed']:,.0f} and peaked at {s['bounded']['peak_rss_mib']:.0f} MiB instead of "
                     f"{s['seed']['peak_rss_mib']:.0f} MiB.")
    r = ch2.CHAPTER.lookup(params, "build_matrix")
    if r.ok:
        s = r.result["summary"]
        items.append(f"Static binaries come from CGO_ENABLED=0 (default build dynamic: {'yes' if s['default_dynamic'] else 'no'}; "
                     f"with -a: {'still dynamic' if s['a_flag'] and s['a_flag']['dynamic'] else 'static'}); -s -w saves "
                     f"{s['strip_saving_pct']:.0f} % natively, {s['wasm']['strip_saving_pct']:.0f} % on wasip1/wasm; "
                     f"{s['cross_targets_built']} of {s['cross_targets_built'] + s['cross_targets_failed']} targets cross-compile.")
    r = ch2.CHAPTER.lookup(params, "gc_tuning")
    if r.ok and r.result["summary"].get("doubling_gogc"):
        d = r.result["summary"]["doubling_gogc"]
        items.append(f"GOGC 100 → 200 changed GC CPU by ×{d['gc_cpu_ratio']:.2f} and peak RSS by ×{d['rss_ratio']:.2f} "
                     "(the GC guide's trade-off); GOMEMLIMIT held RSS near its limit at the cost of more GC work.")
    r = ch2.CHAPTER.lookup(params, "pool_bench")
    if r.ok and r.result["summary"].get("pool_speedup"):
        s = r.result["summary"]
        items.append(f"sync.Pool removed {s['alloc_allocs_op']:.0f} allocations ({s['alloc_bytes_op']:.0f} B) per request "
                     f"and ran {s['pool_speedup']:.1f}× faster.")
    r = ch2.CHAPTER.lookup(params, "mod_tools")
    if r.ok:
        s = r.result["summary"]
        items.append(f"go mod verify passed offline on both modules: {'yes' if s['verify_ok'] else 'no'}; "
                     f"{s['sbom_modules']} linked modules listed with checksums by go version -m.")
    r = ch2.CHAPTER.lookup(params, "wasm_run")
    if r.ok and r.result["summary"]["go_wasip1"].get("runs"):
        s = r.result["summary"]
        items.append(f"The wasip1 build ran under Node's WASI with the native digest; start-up ×{s['startup_ratio']:.0f} "
                     f"the native binary's, size ×{s['size_ratio']:.2f}.")
    res = ch2.reconcile_summary(params)
    items.append(f"Model: with your settings, 30 s polling makes {res['seed'].api_calls_per_hour:,.0f} API requests an "
                 f"hour against {res['watch'].api_calls_per_hour:,.0f} watch-driven, and one worker saturates above "
                 f"{res['seed'].max_objects_before_saturation:,.0f} objects.")
    show_html(not_current_note(ch2.CHAPTER.results(params).values())
              + "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")


def claims_section(params: dict) -> None:
    show_claims(ch2.CHAPTER.claims(params))
