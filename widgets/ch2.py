"""Chapter 2's interactive layer: cached measurements and the reconcile model → charts and tables.

Controls only filter cached results or re-evaluate the (cheap) reconcile model and update the
charts in place by setting `.chart`; they never start a measurement. Every visible word goes through
`gohandbook.i18n._(…, lang)` with the page's `params["lang"]`; what explains a table or a chart once and for all
is in the chapter's Markdown (scripts/make_notebook_02.py), and what states a finding is computed here from results.
"""

from __future__ import annotations

import html

from gohandbook import ch2, measure
from gohandbook.i18n import N_, _
from gohandbook.measure._runs import LoadWatch
from gohandbook.models import reconcile as rc
from gohandbook.units import duration

from . import charts_ch2 as charts
from . import controls
from .render import (not_current_note, show_chart, show_claims, show_html, shown_summary, table_html,
                     verdict_classes, warn)

BUSY_PSI_PCT = LoadWatch.BUSY_PSI_PCT
CITED = N_("Cited, not measured: the source document's table {table}.")


def _load_warning(found: measure.Lookup, lang: str, what: str) -> None:
    """Say so when the machine was busy with other work while this was measured (`what`: a shown phrase)."""
    load = found.result["summary"].get("load") or {}
    psi = load.get("cpu_pressure_avg10_median_pct")
    busy = psi > BUSY_PSI_PCT if psi is not None else load.get("busy")
    if busy:
        how = (_("some task was waiting for a CPU {pct} % of the time, median over the runs (Linux CPU pressure, "
                 "10 s average)", lang).format(pct=f"{psi:.0f}")
               if psi is not None else
               _("1-minute load average up to {load}", lang).format(load=f"{load['loadavg_1m_max']:.1f}"))
        show_html(warn(_(
            "Measured while this machine was busy with other work ({how}, {cores} cores): {what} include time the "
            "measured process spent waiting for a core, so they are higher and noisier than on a quiet machine; sizes, "
            "counts and memory are not affected. Re-measure when the machine is idle: `{command}`.", lang).format(
                how=how, cores=load["cores"], what=_(what, lang),
                command=f"gohandbook measure --force {found.result['name']}")))


def _fmt_bytes(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v / 1024:.1f} KiB" if v >= 1024 else f"{v:.0f} B"


def _not_found(found: measure.Lookup, name: str, lang: str) -> str:
    return warn(f"{name}: {found.reason_in(lang)}")


# ---------------------------------------------------------------- 2.1

def concurrency_memory_section(params: dict):
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "goroutine_memory")
    if shown_summary(found, lang) is None:
        return None
    s = found.result["summary"]
    go, py, aio = s["go"], s["python"], s["asyncio"]
    dash = "—"
    rows = [{"goroutine": _("goroutine (Go {version})", lang).format(version=go["version"].removeprefix("go")),
             "n": f"{go['max_goroutines_tested']:,}", "rss": _fmt_bytes(go["bytes_per_goroutine_rss"]),
             "stack": _fmt_bytes(go["stack_bytes_per_goroutine"]), "heap": _fmt_bytes(go["heap_bytes_per_goroutine"]),
             "threads": go["os_threads_at_max"], "time": f"{go['spawn_seconds_at_max']:.2f} s"},
            {"goroutine": _("Python thread ({version})", lang).format(version=py["version"]),
             "n": f"{py['max_threads_tested']:,}", "rss": _fmt_bytes(py["bytes_per_thread_rss"]),
             "stack": _("{mib} MiB virtual (ulimit -s)", lang).format(mib=f"{py['virtual_bytes_per_thread'] / 2**20:.1f}"),
             "heap": dash, "threads": f"{py['max_threads_tested']:,} + 1",
             "time": f"{py['points'][-1]['spawn_seconds']:.2f} s"},
            {"goroutine": _("asyncio task", lang), "n": f"{aio['max_tasks_tested']:,}",
             "rss": _fmt_bytes(aio["bytes_per_task_rss"]), "stack": _("— (no stack of its own)", lang),
             "heap": dash, "threads": 1, "time": f"{aio['points'][-1]['spawn_seconds']:.2f} s"}]
    headers = {"goroutine": _("Unit", lang), "n": _("Largest N measured", lang), "rss": _("RSS per unit", lang),
               "stack": _("Stack per unit", lang), "heap": _("Heap per unit", lang),
               "threads": _("OS threads at largest N", lang), "time": _("Time to start them", lang)}
    show_html(table_html([{headers[k]: v for k, v in r.items()} for r in rows], caption=found.provenance(lang), lang=lang))
    limit_text = _thread_limit_text(ch2.thread_limit(params), lang)
    if limit_text:
        show_html(f'<div class="gh-callout">{limit_text}</div>')
    return controls.show(UNITS_PANEL, params)


def _thread_limit_text(limit: dict, lang: str) -> str:
    if limit["kind"] == "measured" and limit["value"]:
        return (_("<b>Python thread limit, measured: {value} threads</b> ({error}; cap {cap}: {cap_reason}; RSS {rss} "
                  "MiB but {virtual} GiB of virtual address space; {seconds} s to start them; {preset} preset).", lang)
                .format(value=f"{limit['value']:,}", error=html.escape(limit["error"] or _("no failure", lang)),
                        cap=f"{limit['cap']:,}", cap_reason=html.escape(limit["cap_reason"]),
                        rss=f"{limit['rss_mib']:.0f}", virtual=f"{limit['virtual_gib']:.0f}",
                        seconds=f"{limit['seconds']:.0f}", preset=limit["preset"])
                + f" <span class='gh-prov'>{html.escape(limit['provenance'])}</span>")
    if limit["kind"] == "measured":
        return _("<b>No Python thread limit reached</b> within the cap of {cap} ({cap_reason}).", lang).format(
            cap=f"{limit['cap']:,}", cap_reason=html.escape(limit["cap_reason"]))
    if limit["kind"] == "predicted":
        bounds = ", ".join(f"{k}: {v:,}" for k, v in limit["candidates"].items())
        return _("<b>Python thread limit, predicted (not searched in this preset): about {value} threads</b>, set by "
                 "{basis} ({maps} memory maps per thread; bounds: {bounds}).", lang).format(
            value=f"{limit['value']:,}", basis=html.escape(str(limit["basis"])),
            maps=f"{limit.get('maps_per_thread') or 0:.2f}", bounds=html.escape(bounds))
    return ""


def _units_title(s: dict, lang: str) -> str:
    ratios = s["ratios"]
    thread, task = ratios.get("thread_vs_goroutine_rss"), ratios.get("task_vs_goroutine_rss")
    if not (thread and task):
        return _("Bytes per unit of concurrency", lang)
    return _("A blocked goroutine costs {rss} of RSS; a Python thread {thread}× that, an asyncio task {task}×",
             lang).format(rss=_fmt_bytes(s["go"]["bytes_per_goroutine_rss"]), thread=f"{thread:.0f}", task=f"{task:.2f}")


def _units_views(state: dict) -> dict:
    lang = state["lang"]
    found = ch2.CHAPTER.lookup(state, "goroutine_memory")
    if not found.ok:
        return {"chart": _not_found(found, "goroutine_memory", lang)}
    rows = ch2.unit_rows(found, state["ch2_units_max"])
    return {"chart": charts.units_chart(rows, title=_units_title(found.result["summary"], lang),
                                        provenance=found.provenance(lang), show_virtual=state["ch2_units_virtual"],
                                        lang=lang)}


def _units_options(params) -> dict:
    """The counts that were measured (within the declared range): a chart never ends between two of them."""
    p = ch2.PARAMS["ch2_units_max"]
    measured = sorted({r["n"] for r in ch2.unit_rows(ch2.CHAPTER.lookup(params, "goroutine_memory"))
                       if p.min <= r["n"] <= p.max})
    return {"ch2_units_max": measured} if measured else {}


UNITS_PANEL = controls.register(controls.Panel(
    2, "units", ch2.PARAMS, (("", ("ch2_units_max", "ch2_units_virtual")),), _units_views, options=_units_options))


def _fanout_title(s: dict, lang: str) -> str:
    seed, bounded = s.get("seed"), s.get("bounded")
    if not (seed and bounded):
        return _("{requests} requests to a local server", lang).format(requests=f"{s['requests']:,}")
    ratio = seed["peak_rss_mib"] / bounded["peak_rss_mib"]
    text = (_("The seed's loop: {failed} of {requests} requests failed; the bounded pool: {bounded}, with {ratio}× less "
              "peak memory", lang) if ratio >= 1 else
            _("The seed's loop: {failed} of {requests} requests failed; the bounded pool: {bounded}, with {ratio}× more "
              "peak memory", lang))
    return text.format(failed=f"{seed['failed']:,.0f}", requests=f"{s['requests']:,}",
                       bounded=f"{bounded['failed']:,.0f}", ratio=f"{max(ratio, 1 / ratio):.0f}")


def fanout_section(params: dict):
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "http_fanout")
    if shown_summary(found, lang) is None:
        return None
    s = found.result["summary"]
    prov = found.provenance(lang)
    _load_warning(found, lang, N_("completion times"))
    show_html(table_html(ch2.fanout_rows(found, lang), caption=prov, lang=lang))
    palette = {"seed": charts.BAD, "unbounded": "#dd6b20", "bounded": charts.GO}
    colors = {ch2.fanout_label(m, lang): palette.get(m, charts.OTHER) for m in s["modes"]}
    chart = charts.small_multiples(ch2.fanout_long(found, lang), category="mode", order=list(colors), colors=colors,
                                   title=_fanout_title(s, lang),
                                   subtitle=[_("Bar: median over runs; line: min–max.", lang), prov], lang=lang)
    show_chart(chart, live=params["live_widgets"])
    if "unbounded" not in s["modes"]:
        show_html("<p class='gh-prov'>" + html.escape(_(
            "The variant that closes bodies but is still unbounded was not run in this preset; the full preset runs it "
            "(`{command}`).", lang).format(command="gohandbook measure --full http_fanout")) + "</p>")
    return None


def concurrency_table_section(params: dict) -> None:
    lang = params["lang"]
    show_html(table_html(ch2.concurrency_table_rows(lang), caption=_(CITED, lang).format(table="2.1"), lang=lang,
                         cell_classes={_("Verdict", lang): verdict_classes(lang)}))


# ---------------------------------------------------------------- 2.2

def build_section(params: dict):
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "build_matrix")
    if shown_summary(found, lang) is None:
        return None
    rows = ch2.build_rows(found, lang)
    failed = _("build failed", lang)
    table = [{_("Target", lang): r["target"], _("Flags", lang): r["label"],
              _("Size (MB)", lang): f"{r['mb']:.2f}" if r["ok"] else failed,
              _("Bytes (stat)", lang): f"{r['bytes']:,}" if r["ok"] else r.get("error", ""),
              _("vs default", lang): ("—" if r["flagset"] == "default" else f"{-r['saving_pct']:+.1f} %")
              if r["ok"] and r["saving_pct"] is not None else "",
              _("Format", lang): r.get("format", ""), _("Interpreter", lang): r.get("interpreter", ""),
              _("Linked libraries", lang): r.get("needed", "")} for r in rows]
    controls.show(BUILD_PANEL, params)
    show_html(table_html(table, caption=found.provenance(lang), lang=lang))
    show_html('<div class="gh-callout">' + "<br>".join(_build_findings(found, rows, lang)) + "</div>")
    return None


def _build_findings(found: measure.Lookup, rows: list[dict], lang: str) -> list[str]:
    """What the builds show about static linking, each line from the measured headers and ldd."""
    s = found.result["summary"]
    host, ldd, a = s["host"], s.get("ldd", {}), s.get("a_flag") or {}
    code = lambda text: "<code>" + html.escape(text) + "</code>"  # noqa: E731
    needs = ", ".join(s["default_needed"] or []) or _("nothing", lang)
    cgo_default = (s.get("targets", {}).get(host) or {}).get("cgo_enabled_by_default")
    parts = [_("<b>Default build on {host}</b>: interpreter {interpreter}, needs {needs}{cgo}; ldd says: {ldd}.",
               lang).format(host=host, interpreter=html.escape(str(s["default_interpreter"])), needs=html.escape(needs),
                            cgo=_(" (cgo is on by default for this native build)", lang) if cgo_default else "",
                            ldd=code(ldd.get("default", "").replace("\n", "; ")))]
    parts.append((_("<b>CGO_ENABLED=0</b>: dynamic; ldd: {ldd}.", lang) if s["cgo0_dynamic"] else
                  _("<b>CGO_ENABLED=0</b>: static, no interpreter and no shared libraries; ldd: {ldd}.", lang))
                 .format(ldd=code(ldd.get("cgo0", ""))))
    if a:
        parts.append(_("<b>-a without CGO_ENABLED=0</b>: still dynamic, needs {needs}.", lang).format(
            needs=html.escape(", ".join(a["needed"]))) if a["dynamic"] else
            _("<b>-a without CGO_ENABLED=0</b>: static.", lang))
    system = {r["target"]: r["needed"] for r in rows if r["ok"] and r["flagset"] == "default"
              and r["target"] in ("darwin/arm64", "windows/amd64")}
    if system:
        parts.append(_("<b>Operating-system libraries</b> the cross-built binaries load: {libs}.", lang).format(
            libs=html.escape("; ".join(f"{t}: {n}" for t, n in system.items()))))
    start = s.get("startup_ms", {})
    if start:
        _load_warning(found, lang, N_("start-up times"))
        labels = {r["flagset"]: r["label"] for r in rows}
        txt = "; ".join(_("{build}: {median} ms (min {min}, max {max}, n={n})", lang).format(
            build=labels.get(k, k), median=f"{v['median']:.1f}", min=f"{v['min']:.1f}", max=f"{v['max']:.1f}", n=v["n"])
            for k, v in start.items())
        parts.append(_("<b>Native start-up, spawn to first 200 on /healthz</b>: {times}.", lang).format(
            times=html.escape(txt)))
    return parts


def _build_views(state: dict) -> dict:
    lang = state["lang"]
    found = ch2.CHAPTER.lookup(state, "build_matrix")
    if not found.ok:
        return {"chart": _not_found(found, "build_matrix", lang)}
    s = found.result["summary"]
    rows = ch2.build_rows(found, lang)
    built = [r for r in rows if r["ok"]]

    # the finding, from the measured sizes: how much the flags that are said to matter change the size
    def spread(flagset: str) -> str:
        pcts = [abs(r["saving_pct"]) for r in built if r["flagset"] == flagset and r["saving_pct"] is not None]
        return f"{max(pcts):.1f} %" if pcts else "—"
    title = _("-s -w saves {strip} % on {host} (seed: ~35 %), {wasm} % on wasip1/wasm; CGO_ENABLED=0 changes size by "
              "at most {cgo0}, -trimpath by at most {trimpath}", lang).format(
        strip=f"{s['strip_saving_pct']:.0f}", host=s["host"], wasm=f"{s['wasm']['strip_saving_pct']:.0f}",
        cgo0=spread("cgo0"), trimpath=spread("trimpath"))
    return {"chart": charts.build_chart(rows, value=state["ch2_build_value"], title=title,
                                        provenance=found.provenance(lang), lang=lang)}


BUILD_PANEL = controls.register(controls.Panel(
    2, "build", ch2.PARAMS, (("", ("ch2_build_value",)),), _build_views,
    labels={"ch2_build_value": {"mb": N_("Size (MB)"), "saving_pct": N_("Saving against the default build (%)")}}))


def hybrid_table_section(params: dict) -> None:
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "build_matrix")
    start = (shown_summary(found, lang) or {}).get("startup_ms", {}).get("combined")
    here = (_("{median} ms median to first 200 (static build, this machine)", lang).format(median=f"{start['median']:.1f}")
            if start else "")
    rows = [{_("Environment", lang): _(env, lang), _("OS", lang): os_, _("Seed: start-up (ms)", lang): ms,
             _("Seed: runtime errors", lang): err, _("Measured here", lang): here if i == 0 else ""}
            for i, (env, os_, ms, err) in enumerate(ch2.HYBRID_TABLE)]
    show_html(table_html(rows, caption=_(CITED, lang).format(table="2.2"), lang=lang))


# ---------------------------------------------------------------- 2.3

def gc_section(params: dict):
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "gc_tuning")
    if shown_summary(found, lang) is None:
        return None
    s = found.result["summary"]
    if params["ch2_gc_memlimit"] not in ["all", *s["memlimits"]]:
        show_html(warn(_("ch2_gc_memlimit = {value} was not measured; showing all (measured: {measured}).", lang).format(
            value=repr(params["ch2_gc_memlimit"]), measured=", ".join(s["memlimits"]))))
        params = dict(params, ch2_gc_memlimit="all")
    _load_warning(found, lang, N_("GC CPU seconds, pause lengths and wall times"))
    return controls.show(GC_PANEL, params)


def _gc_views(state: dict) -> dict:
    lang = state["lang"]
    found = ch2.CHAPTER.lookup(state, "gc_tuning")
    if not found.ok:
        return {"tradeoff": _not_found(found, "gc_tuning", lang)}
    s, prov, limit = found.result["summary"], found.provenance(lang), state["ch2_gc_memlimit"]
    dbl = s.get("doubling_gogc")
    title = (_("Doubling GOGC from 100 to 200: GC CPU ×{cpu}, peak RSS ×{rss}", lang).format(
        cpu=f"{dbl['gc_cpu_ratio']:.2f}", rss=f"{dbl['rss_ratio']:.2f}") if dbl else _("GC work against memory", lang))
    sub = _("{total} MiB allocated with {live} MiB live, one fresh process per point.", lang).format(
        total=f"{s['total_mib']:.0f}", live=f"{s['live_mib']:.0f}")
    pauses = [r for r in ch2.pause_rows(found) if limit == "all" or r["gomemlimit"] == limit]
    worst = max((r["hi_ms"] for r in pauses), default=0)
    return {"tradeoff": charts.gc_tradeoff_chart(ch2.gc_points(found, limit), metric=state["ch2_gc_metric"], title=title,
                                                 provenance=sub + " " + prov, lang=lang),
            "table": table_html(ch2.gc_table_rows(found, limit, lang), caption=prov, lang=lang),
            "pauses": charts.pause_chart(pauses, title=_("Every stop-the-world pause was under {worst} ms", lang).format(
                worst=f"{worst:.2f}"), provenance=prov, lang=lang)}


def _gc_options(params) -> dict:
    found = ch2.CHAPTER.lookup(params, "gc_tuning")
    return {"ch2_gc_memlimit": ["all", *found.result["summary"]["memlimits"]]} if found.ok else {}


GC_PANEL = controls.register(controls.Panel(
    2, "gc", ch2.PARAMS, (("", ("ch2_gc_memlimit", "ch2_gc_metric")),), _gc_views, options=_gc_options,
    labels={"ch2_gc_memlimit": {"all": N_("all")}, "ch2_gc_metric": charts.GC_METRICS}))


def pool_section(params: dict) -> None:
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "pool_bench")
    if shown_summary(found, lang) is None:
        return
    s = found.result["summary"]
    prov = found.provenance(lang)
    speedup = s.get("pool_speedup")
    if speedup:
        title = (_("sync.Pool: {ratio}× faster per request, {bytes_before} → {bytes_after} B/op, {allocs_before} → "
                   "{allocs_after} allocs/op", lang) if speedup >= 1 else
                 _("sync.Pool: {ratio}× slower per request, {bytes_before} → {bytes_after} B/op, {allocs_before} → "
                   "{allocs_after} allocs/op", lang)).format(
            ratio=f"{max(speedup, 1 / speedup):.1f}", bytes_before=f"{s['alloc_bytes_op']:.0f}",
            bytes_after=f"{s['pool_bytes_op']:.0f}", allocs_before=f"{s['alloc_allocs_op']:.0f}",
            allocs_after=f"{s['pool_allocs_op']:.0f}")
    else:
        title = _("Per-request allocation vs sync.Pool", lang)
    _load_warning(found, lang, "ns/op")
    show_chart(charts.bench_chart(ch2.bench_long(found), title=title, provenance=prov, lang=lang),
               live=params["live_widgets"])
    show_html(table_html(ch2.bench_rows(found, lang), caption=f"`{s['command']}`. {prov}", lang=lang))
    raw = found.result.get("raw", {}).get("benchstat_input")
    if raw:  # a reference result ships without raw output
        show_html("<details><summary>" + _("Raw <code>go test -bench</code> output (benchstat's input format; save it "
                                            "and run <code>benchstat old.txt new.txt</code>)", lang)
                  + "</summary><pre>" + html.escape(raw) + "</pre></details>")


def g1_section(params: dict) -> None:
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "gc_tuning")
    jvm = (shown_summary(found, lang) or {}).get("jvm", {})
    rows = [{"GC": _(gc, lang), _("Seed: MaxGCPauseMillis", lang): pause, _("Seed: G1HeapRegionSize", lang): region,
             _("Seed: latency", lang): lat, _("Seed: leak risk", lang): _(risk, lang)}
            for gc, pause, region, lat, risk in ch2.G1_TABLE]
    show_html(table_html(rows, caption=_(CITED, lang).format(table="2.3"), lang=lang))
    if jvm.get("available"):
        seed_pause, seed_region = int(ch2.G1_TABLE[0][1]), float(ch2.G1_TABLE[0][2].removesuffix("MB"))
        pause, region = jvm["g1_max_gc_pause_millis"], jvm["g1_heap_region_size_mb"]
        pause_note = (_("as the seed says", lang) if pause == seed_pause else
                      _("the seed says {seed}", lang).format(seed=seed_pause))
        region_note = (_("as the seed says", lang) if region == seed_region else
                       _("the seed says {seed} MB", lang).format(seed=f"{seed_region:g}"))
        show_html('<div class="gh-callout">' + _(
            "<b>What the local JDK says</b> ({version}, {command}): MaxGCPauseMillis = <b>{pause}</b> ms ({pause_note}); "
            "G1HeapRegionSize = <b>{region} MB</b> for this machine's default heap of {heap} GiB ({region_note}).",
            lang).format(version=html.escape(jvm["version"]),
                         command="<code>java -XX:+UseG1GC -XX:+PrintFlagsFinal -version</code>", pause=pause,
                         pause_note=pause_note, region=f"{region:g}", heap=f"{jvm['max_heap_mib'] / 1024:.1f}",
                         region_note=region_note)
                  + " <span class='gh-prov'>" + html.escape(found.provenance(lang)) + "</span></div>")
    elif jvm:
        show_html(warn(_("JVM defaults not read: {reason}", lang).format(reason=jvm.get("reason", ""))))


# ---------------------------------------------------------------- 2.4

def toolchain_section(params: dict) -> None:
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "mod_tools")
    if shown_summary(found, lang) is None:
        return
    s = found.result["summary"]
    prov = found.provenance(lang)
    rows = []
    for which, label in (("samples", N_("go-samples (stdlib only)")), ("tools", N_("go-samples/tools (staticcheck)"))):
        m = s[which]
        verify = m["verify_output"].splitlines()[-1] if m["verify_output"] else ""
        rows.append({
            _("Module", lang): _(label, lang),
            "go mod graph": _("{edges} edges, {modules} modules", lang).format(edges=m["graph_edges"],
                                                                              modules=m["modules_in_graph"]),
            "go mod verify": (_("ok: {output}", lang) if m["verify_ok"] else _("FAILED: {output}", lang)).format(
                output=verify),
            _("go list -m all (offline)", lang): _("complete", lang) if m["list_all_ok"] else _(
                "{missing} of {total} modules need the network (not in the module cache; GOPROXY=off)", lang).format(
                missing=len(m["offline_missing"]), total=m["build_list_size"])})
    show_html(table_html(rows, caption=prov, lang=lang))
    edges = s["tools"].get("graph")
    if edges:  # a reference result may ship without the graph
        show_html("<details><summary>" + _("<code>go mod graph</code> of the tools module ({n} edges)", lang).format(
            n=len(edges)) + "</summary><pre>" + html.escape("\n".join(" ".join(e) for e in edges)) + "</pre></details>")
    show_html(table_html(ch2.module_rows(found, lang), caption=_("The build list (`go list -m -e -json all`), offline.",
                                                                   lang), lang=lang))
    show_html(table_html(ch2.sbom_rows(found, lang), caption=_("`go version -m` of the built binaries. {provenance}",
                                                                 lang).format(provenance=prov), lang=lang))
    show_html(_ebpf_probe(s["ebpf"], lang))
    show_html(table_html([{_("Dimension", lang): _(d, lang), _("Seed: basic", lang): _(b, lang),
                           _("Seed: production-ready", lang): _(p, lang)} for d, b, p in ch2.EBPF_TABLE],
                         caption=_(CITED, lang).format(table="2.4"), lang=lang))


def _ebpf_probe(e: dict, lang: str) -> str:
    """What was probed about eBPF on this machine, and what follows from it (computed from the probe)."""
    yes_no = lambda ok, yes, no: _(yes, lang) if ok else _(no, lang)  # noqa: E731
    probed = _("What was probed: kernel {kernel}; bpf() system call: map create {map_create}, program load "
               "{prog_load}; kernel BTF (/sys/kernel/btf/vmlinux) {btf}; bpftool {bpftool}.", lang).format(
        kernel=e["kernel"], map_create=e.get("map_create"), prog_load=e.get("prog_load"),
        btf=yes_no(e["kernel_btf"], N_("present"), N_("absent")),
        bpftool=yes_no(e["bpftool"], N_("found"), N_("not installed")))
    follows = [_("The kernel here loads BPF programs.", lang) if e.get("prog_load") == "ok" else
               _("The kernel here did not load a BPF program.", lang)]
    if not e["bpftool"]:
        follows.append(_("Without bpftool the seed's `bpftool prog list` check cannot run here.", lang))
    return ('<div class="gh-warn"><b>' + html.escape(_("eBPF integration is not measured here.", lang)) + "</b> "
            + html.escape(" ".join([probed, *follows])) + "</div>")


# ---------------------------------------------------------------- 2.5

def _show(name: str, value) -> str:
    """A parameter's value as its control shows it (chart titles and tables say the same)."""
    return ch2.PARAMS[name].show(value)


def _reconcile_table(params: dict) -> str:
    lang = params["lang"]
    res = ch2.reconcile_summary(params)
    rows = []
    for key in ("seed", "chosen", "watch"):
        r = res[key]
        utilisation = f"{r.utilisation:.2f}" + (_(" — saturated", lang) if r.saturated else "")
        rows.append({_("Strategy", lang): ch2.strategy_label(key, params, lang),
                     _("Reconciles / hour", lang): f"{r.reconciles_per_hour:,.0f}",
                     _("API requests / hour", lang): f"{r.api_calls_per_hour:,.0f}",
                     _("External calls / hour", lang): f"{r.external_calls_per_hour:,.0f}",
                     _("Queue utilisation", lang): utilisation,
                     _("Spec change → reconciled", lang): duration(r.event_staleness_s, lang),
                     _("External change → seen (mean / worst)", lang):
                         f"{duration(r.external_staleness_mean_s, lang)} / {duration(r.external_staleness_max_s, lang)}",
                     _("Saturates above", lang): _("{n} objects", lang).format(n=f"{r.max_objects_before_saturation:,.0f}")})
    shown = {name: _show(name, params[name]) for name in RECONCILE_CONTROLS}
    return table_html(rows, caption=_(
        "{objects} objects, {changes} spec changes per object per hour, {ms} ms per reconcile, MaxConcurrentReconciles "
        "{workers}, {failure} % failing, SyncPeriod {sync} h. Model, not measurement.", lang).format(
        objects=shown["reconcile_objects"], changes=shown["reconcile_changes_per_hour"], ms=shown["reconcile_ms"],
        workers=shown["reconcile_workers"], failure=shown["reconcile_failure_pct"],
        sync=shown["reconcile_sync_period_h"]), lang=lang)


RECONCILE_CONTROLS = ("reconcile_objects", "reconcile_requeue_s", "reconcile_changes_per_hour", "reconcile_ms",
                      "reconcile_workers", "reconcile_failure_pct", "reconcile_sync_period_h")


def _reconcile_views(state: dict) -> dict:
    lang = state["lang"]
    rows = ch2.reconcile_rows(state, lang)
    res = ch2.reconcile_summary(state)
    chosen, watch = res["chosen"], res["watch"]
    every = _show("reconcile_requeue_s", state["reconcile_requeue_s"])
    sub = [_("Model: reconciles = objects × (3600/RequeueAfter + changes/h + 3600/SyncPeriod), retries added; "
             "1 API request (status update) and 1 external call each.", lang),
           _("Dashed: your object count. Starting values: controller-runtime / client-go defaults (table below).", lang)]
    objects = state["reconcile_objects"]
    load = charts.reconcile_chart(rows, field="api_calls_per_hour", objects=objects, subtitle=sub, lang=lang,
                                  title=_("Polling every {every} s costs {ratio}× the API requests of a watch-driven "
                                          "controller", lang).format(
                                      every=every,
                                      ratio=f"{chosen.api_calls_per_hour / max(watch.api_calls_per_hour, 1e-9):,.0f}"))
    stale = charts.reconcile_chart(
        rows, field="external_staleness_mean_s", objects=objects, lang=lang,
        subtitle=[_("Staleness of state outside the cluster (what fetchFromClusterAPI reads): a watch cannot see it, "
                    "so without requeues only the resync picks it up.", lang),
                  _("Lines end where the workqueue saturates (staleness grows without bound).", lang)],
        title=_("External changes are seen after {polling} on average when polling every {every} s, after {watch} with "
                "resync only", lang).format(polling=duration(chosen.external_staleness_mean_s, lang), every=every,
                                            watch=duration(watch.external_staleness_mean_s, lang)))
    util = charts.reconcile_chart(
        rows, field="utilisation", objects=objects, lang=lang,
        subtitle=[_("Utilisation = reconciles per second × reconcile time ÷ MaxConcurrentReconciles; red line: 1, the "
                    "queue can no longer keep up.", lang)],
        title=_("With MaxConcurrentReconciles={workers}, polling every {every} s saturates above {n} objects",
                lang).format(workers=_show("reconcile_workers", state["reconcile_workers"]), every=every,
                             n=f"{chosen.max_objects_before_saturation:,.0f}"))
    return {"load": load, "stale": stale, "util": util, "table": _reconcile_table(state)}


RECONCILE_PANEL = controls.register(controls.Panel(
    2, "reconcile", ch2.PARAMS, (("", RECONCILE_CONTROLS),), _reconcile_views))


def reconcile_panel(params: dict):
    lang = params["lang"]
    controls.show(RECONCILE_PANEL, params)
    failures = rc.failures_to_cap()
    backoff = charts.backoff_chart(ch2.backoff_rows(), lang=lang, title=_(
        "Per-item backoff: 5 ms · 2ⁿ reaches its 1000 s cap after {failures} failures ({minutes} min of waiting)",
        lang).format(failures=failures, minutes=f"{rc.time_to_recover(failures) / 60:.0f}"),
        subtitle=["client-go workqueue.DefaultControllerRateLimiter (ItemExponentialFailureRateLimiter 5 ms, 1000 s)."])
    show_chart(backoff, live=params["live_widgets"])
    show_html(table_html(ch2.default_rows(lang), caption=_("Starting values and where they come from.", lang), lang=lang))
    return None


WASM_SEED_HEADERS = (N_("Runtime"), N_("Seed: CRI-O plugin"), N_("Seed: RuntimeClass"), N_("Seed: dynamic loading"))


def wasm_section(params: dict) -> None:
    lang = params["lang"]
    found = ch2.CHAPTER.lookup(params, "wasm_run")
    if shown_summary(found, lang) is None:
        return
    s = found.result["summary"]
    prov = found.provenance(lang)
    w, n = s["go_wasip1"], s["native"]
    if not w.get("runs"):
        show_html(warn(_("The wasip1 build did not run under Node's WASI here: {why}", lang).format(
            why=w.get("why_not_run", "—"))))
        return
    rt = s["runtime"]
    mm = lambda d: {"median": d["median"], "min": d["min"], "max": d["max"]}  # noqa: E731
    one = lambda v: {"median": v, "min": v, "max": v}  # noqa: E731
    rows = [{"run": "native", "metric": "wall", **mm(n["wall_ms"])},
            {"run": "wasm", "metric": "wall", **mm(w["wall_ms"])},
            {"run": "node", "metric": "wall", **mm(rt["baseline_wall_ms"])},
            {"run": "native", "metric": "size", **one(n["mb"])}, {"run": "wasm", "metric": "size", **one(w["mb"])},
            {"run": "native", "metric": "work", **one(n["work_ms"])}, {"run": "wasm", "metric": "work", **one(w["work_ms"])}]
    same = w.get("same_digest_as_native")
    title = (_("The wasip1 build runs under {runtime} {version} with the native build's output; start-up {startup}× the "
               "native binary's, size ×{size}", lang) if same else
             _("The wasip1 build runs under {runtime} {version} but its output differs from the native build's; "
               "start-up {startup}× the native binary's, size ×{size}", lang)).format(
        runtime=rt["name"], version=rt["version"], startup=f"{s['startup_ratio']:.0f}", size=f"{s['size_ratio']:.2f}")
    _load_warning(found, lang, N_("start-up and run times"))
    show_chart(charts.wasm_chart(rows, title=title, provenance=prov, lang=lang), live=params["live_widgets"])
    native_links = (_("none (static {format})", lang).format(format=n.get("format", "ELF")) if not n.get("dynamic")
                    else _("dynamic", lang))
    heads = {k: _(v, lang) for k, v in (("build", N_("Build")), ("size", N_("Size (MB)")),
                                        ("stripped", N_("Stripped -s -w (MB)")), ("wall", N_("Start → exit (median ms)")),
                                        ("inside", N_("Inside the runtime")), ("links", N_("Imports / links")))}
    table = [{heads["build"]: "native (CGO_ENABLED=0)", heads["size"]: f"{n['mb']:.2f}",
              heads["stripped"]: f"{n['stripped_mb']:.2f}", heads["wall"]: f"{n['wall_ms']['median']:.1f}",
              heads["inside"]: "—", heads["links"]: native_links},
             {heads["build"]: "GOOS=wasip1 GOARCH=wasm", heads["size"]: f"{w['mb']:.2f}",
              heads["stripped"]: f"{w['stripped_mb']:.2f}", heads["wall"]: f"{w['wall_ms']['median']:.1f}",
              heads["inside"]: _("compile {compile} ms, instantiate {instantiate} ms, run {run} ms", lang).format(
                  compile=f"{w['compile_ms']:.0f}", instantiate=f"{w['instantiate_ms']:.0f}", run=f"{w['run_ms']:.0f}"),
              heads["links"]: ", ".join(w["imports"])}]
    digest = _("the SHA-256 matched the native run", lang) if same else _("the SHA-256 differed from the native run", lang)
    show_html(table_html(table, lang=lang, caption=_(
        "Arguments and an environment variable reached the module through WASI ({args}; '{greeting}'); {digest}. "
        "-s -w saves {strip} % on wasm. {provenance}", lang).format(
        args=" ".join(w["args_via_wasi"] or []), greeting=w["greeting_via_wasi"], digest=digest,
        strip=f"{w['strip_saving_pct']:.1f}", provenance=prov)))
    show_html(table_html([dict(zip((_(h, lang) for h in WASM_SEED_HEADERS), (r, _(a, lang), _(b, lang), _(c, lang))))
                          for r, a, b, c in ch2.WASM_TABLE], caption=_(CITED, lang).format(table="2.5"), lang=lang))


# ---------------------------------------------------------------- findings

def _gomemlimit_finding(s: dict, lang: str) -> str | None:
    """What each measured GOMEMLIMIT did to peak RSS and GC CPU, against the same GOGC values without it."""
    grid = s["grid"]
    off = {p["gogc"]: p for p in grid if p["gomemlimit"] == "off"}
    out = []
    for limit in (m for m in s["memlimits"] if m != "off"):
        points = [p for p in grid if p["gomemlimit"] == limit and p["gogc"] in off]
        if not points:
            continue
        rss = [p["peak_rss_mib"] for p in points]
        rss_off = [off[p["gogc"]]["peak_rss_mib"] for p in points]
        cpu, cpu_off = sum(p["gc_cpu_seconds"] for p in points), sum(off[p["gogc"]]["gc_cpu_seconds"] for p in points)
        out.append(_("With GOMEMLIMIT={limit}, peak RSS was {lo}–{hi} MiB over GOGC {gogc} (without it {lo_off}–{hi_off} "
                     "MiB), for ×{cpu} the GC CPU in total.", lang).format(
            limit=limit, lo=f"{min(rss):,.0f}", hi=f"{max(rss):,.0f}", gogc=", ".join(p["gogc"] for p in points),
            lo_off=f"{min(rss_off):,.0f}", hi_off=f"{max(rss_off):,.0f}",
            cpu=f"{cpu / cpu_off:.1f}" if cpu_off else "∞"))
    return " ".join(out) or None


def findings_section(params: dict) -> None:
    """The chapter's measured findings in one list, each from its cached result (nothing hard-coded)."""
    lang = params["lang"]
    yes, no = _("yes", lang), _("no", lang)
    items = []
    r = ch2.CHAPTER.lookup(params, "goroutine_memory")
    if r.ok:
        g, p, a = (r.result["summary"][k] for k in ("go", "python", "asyncio"))
        items.append(_("A blocked goroutine costs {go_rss} of RSS here ({go_stack} of it stack); a blocked Python thread "
                       "{thread_rss} of RSS and {thread_virtual} MiB of address space; an asyncio task {task_rss}.",
                       lang).format(go_rss=_fmt_bytes(g["bytes_per_goroutine_rss"]),
                                    go_stack=_fmt_bytes(g["stack_bytes_per_goroutine"]),
                                    thread_rss=_fmt_bytes(p["bytes_per_thread_rss"]),
                                    thread_virtual=f"{p['virtual_bytes_per_thread'] / 2**20:.1f}",
                                    task_rss=_fmt_bytes(a["bytes_per_task_rss"])))
    r = ch2.CHAPTER.lookup(params, "http_fanout")
    if r.ok and "seed" in r.result["summary"] and "bounded" in r.result["summary"]:
        s = r.result["summary"]
        items.append(_("The seed's unbounded fan-out lost {failed} of {requests} requests ({errors}); the bounded pool "
                       "lost {bounded_failed} and peaked at {bounded_rss} MiB instead of {seed_rss} MiB.", lang).format(
            failed=f"{s['seed']['failed']:,.0f}", requests=f"{s['requests']:,}",
            errors=", ".join(s["seed"]["error_kinds_total"]) or _("no errors", lang),
            bounded_failed=f"{s['bounded']['failed']:,.0f}", bounded_rss=f"{s['bounded']['peak_rss_mib']:.0f}",
            seed_rss=f"{s['seed']['peak_rss_mib']:.0f}"))
    r = ch2.CHAPTER.lookup(params, "build_matrix")
    if r.ok:
        s = r.result["summary"]
        a_flag = (_("still dynamic", lang) if s["a_flag"] and s["a_flag"]["dynamic"] else _("static", lang))
        items.append(_("Default build dynamic: {default_dynamic}; CGO_ENABLED=0 dynamic: {cgo0_dynamic}; with -a and cgo "
                       "on: {a_flag}. -s -w saves {strip} % natively, {wasm} % on wasip1/wasm; {built} of {targets} "
                       "targets cross-compile.", lang).format(
            default_dynamic=yes if s["default_dynamic"] else no, cgo0_dynamic=yes if s["cgo0_dynamic"] else no,
            a_flag=a_flag, strip=f"{s['strip_saving_pct']:.0f}", wasm=f"{s['wasm']['strip_saving_pct']:.0f}",
            built=s["cross_targets_built"], targets=s["cross_targets_built"] + s["cross_targets_failed"]))
    r = ch2.CHAPTER.lookup(params, "gc_tuning")
    if r.ok and r.result["summary"].get("doubling_gogc"):
        d = r.result["summary"]["doubling_gogc"]
        items.append(_("GOGC 100 → 200 changed GC CPU by ×{cpu} and peak RSS by ×{rss}.", lang).format(
            cpu=f"{d['gc_cpu_ratio']:.2f}", rss=f"{d['rss_ratio']:.2f}"))
    if r.ok:
        limit_text = _gomemlimit_finding(r.result["summary"], lang)
        if limit_text:
            items.append(limit_text)
    r = ch2.CHAPTER.lookup(params, "pool_bench")
    if r.ok and r.result["summary"].get("pool_speedup"):
        s = r.result["summary"]
        items.append(_("sync.Pool took allocations per request from {allocs_before} ({bytes_before} B) to {allocs_after} "
                       "({bytes_after} B); time per request ×{ratio}.", lang).format(
            allocs_before=f"{s['alloc_allocs_op']:.0f}", bytes_before=f"{s['alloc_bytes_op']:.0f}",
            allocs_after=f"{s['pool_allocs_op']:.0f}", bytes_after=f"{s['pool_bytes_op']:.0f}",
            ratio=f"{1 / s['pool_speedup']:.2f}"))
    r = ch2.CHAPTER.lookup(params, "mod_tools")
    if r.ok:
        s = r.result["summary"]
        items.append((_("go mod verify passed offline on both modules; {n} linked modules listed with checksums by go "
                        "version -m.", lang) if s["verify_ok"] else
                      _("go mod verify failed offline on at least one module; {n} linked modules listed with checksums by "
                        "go version -m.", lang)).format(n=s["sbom_modules"]))
    r = ch2.CHAPTER.lookup(params, "wasm_run")
    if r.ok and r.result["summary"]["go_wasip1"].get("runs"):
        s = r.result["summary"]
        items.append((_("The wasip1 build ran under Node's WASI with the native build's digest; start-up ×{startup} the "
                        "native binary's, size ×{size}.", lang) if s["go_wasip1"].get("same_digest_as_native") else
                      _("The wasip1 build ran under Node's WASI but its digest differed from the native build's; start-up "
                        "×{startup} the native binary's, size ×{size}.", lang)).format(
            startup=f"{s['startup_ratio']:.0f}", size=f"{s['size_ratio']:.2f}"))
    res = ch2.reconcile_summary(params)
    items.append(_("Model: with your settings, 30 s polling makes {seed} API requests an hour against {watch} "
                   "watch-driven, and MaxConcurrentReconciles={workers} saturates above {n} objects.", lang).format(
        seed=f"{res['seed'].api_calls_per_hour:,.0f}", watch=f"{res['watch'].api_calls_per_hour:,.0f}",
        workers=_show("reconcile_workers", params["reconcile_workers"]),
        n=f"{res['seed'].max_objects_before_saturation:,.0f}"))
    show_html(not_current_note(ch2.CHAPTER.results(params).values(), lang)
              + "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")


def claims_section(params: dict) -> None:
    show_claims(ch2.CHAPTER.claims(params), lang=params["lang"])
