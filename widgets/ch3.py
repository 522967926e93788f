"""Chapter 3's interactive layer: the push model's controls and charts, the Go simulation beside the model,
the proxy knee and its allocations. Moving a control re-runs a model (cheap); it never measures.
"""

from __future__ import annotations

import html
from typing import Any

from gohandbook import ch3, measure
from gohandbook.models import control_plane as cp

from . import charts_ch3 as charts
from . import controls
from .render import show_chart, show_claims, show_html, shown_summary, table_html
from .render import warn as _warn


def _link(title: str, url: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(title)}</a>'


def _table_with_links(rows: list[dict], link_col: str, title_key: str, url_key: str, caption: str) -> str:
    """table_html escapes every cell; sources need links, so build this one table by hand."""
    cols = [c for c in rows[0] if c not in (title_key, url_key)] + [link_col]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = ""
    for r in rows:
        cells = "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in cols[:-1])
        body += f"<tr>{cells}<td>{_link(r[title_key], r[url_key])}</td></tr>"
    return (f'<table class="gh-table"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


# ---------------------------------------------------------------- 3.1

def adoption_section(params: dict) -> None:
    show_claims(ch3.CHAPTER.claims(params, section="3.1"), caption=(
        "Chapter 3.1's claims from data/claims.yaml. None is measurable here; 'cited' with no source means "
        "that no primary source was found — in particular none for the 76.4 % figure."))


# ---------------------------------------------------------------- 3.2 facts and defaults

def facts_section(params: dict) -> None:
    rows = [{"Project": p, "The seed says": s, "The record shows": f, "_t": t, "_u": u} for p, s, f, t, u in ch3.FACTS]
    show_html(_table_with_links(rows, "Source", "_t", "_u",
                                "Control- and data-plane languages, from the projects' own announcements and repositories."))


def defaults_section(params: dict) -> None:
    rows = [{"Setting": s, "Default": d, "Meaning": m, "_t": t, "_u": u} for s, d, m, t, u in ch3.DEFAULTS]
    show_html(_table_with_links(rows, "Source", "_t", "_u",
                                "The model's starting values, each as istiod's source code defines it."))


# ---------------------------------------------------------------- 3.2 the push model

def _model_charts(state: dict) -> tuple[Any, Any, Any, str, list[dict]]:
    """(timeline, convergence-vs-proxies, push-load) charts, the headline and the model's output rows."""
    r = ch3.model_result(state)
    headline = ch3.model_headline(state, r)
    changes, rounds = ch3.timeline_rows(r)
    conc, rate = ch3.throttle_value(state)
    deb = (f"debounce {state['cp_debounce_after_ms']:g} ms quiet / {state['cp_debounce_max_s']:g} s max"
           if state["cp_debounce"] else "no debouncing")
    setup = (f"{r.changes} changes at {state['cp_change_rate']:g}/s, {deb}, throttle {ch3.throttle_label(state)}, "
             f"{state['cp_push_ms']:g} ms per push.")
    timeline = charts.change_timeline(changes, rounds, headline, [
        "Bar: from a change (black tick) until every proxy has it. Dashed: push rounds (the debouncer enqueues all proxies).",
        "Model of istiod's debounce loop and push queue. " + setup])
    sweep = ch3.sweep_proxies(state)
    cur = {"proxies": state["cp_proxies"], "converge_s": r.last_change_to_converged_s,
           "label": f"you: {charts._fmt_s(r.last_change_to_converged_s)}"}
    auto = next((x for x in sweep if x["proxies"] == state["cp_proxies"] and x["setting"].startswith("auto")), None)
    seed = next((x for x in sweep if x["proxies"] == state["cp_proxies"] and x["setting"].startswith("50 pushes/s")), None)
    if auto and seed:
        t1 = (f"With {state['cp_proxies']:,} proxies istiod's auto throttle converges in "
              f"{charts._fmt_s(auto['converge_s'])}; read as 50 pushes/s it would take {charts._fmt_s(seed['converge_s'])}")
    else:
        t1 = "Convergence time grows linearly with proxies once the push slots are full"
    conv = charts.convergence_vs_proxies(sweep, cur, t1, [
        "Time from the last change of the storm until every proxy has it: DEBOUNCE_AFTER + ⌈N / C⌉ × per-push time "
        "(concurrency) or + (N − 1) / R (rate).",
        f"GOMAXPROCS {state['cp_gomaxprocs']} → auto throttle {cp.istiod_push_throttle(state['cp_gomaxprocs'])} "
        "(tuning.go: min(15 + 5·GOMAXPROCS, 100)); older istiod 100; other inputs as chosen."])
    load_rows = ch3.sweep_rate(state)
    here = [x for x in load_rows if x["rate"] == float(state["cp_change_rate"])]
    on = next((x for x in here if x["debounce"].startswith("debounced")), None)
    off = next((x for x in here if x["debounce"].startswith("every")), None)
    if on and off:
        t2 = (f"At {state['cp_change_rate']:g} changes/s debouncing sends {on['pushes']:,} pushes instead of "
              f"{off['pushes']:,}; the longest wait is {charts._fmt_s(on['max_staleness_s'])} instead of "
              f"{charts._fmt_s(off['max_staleness_s'])}")
    else:
        t2 = "Debouncing trades freshness for push load"
    load = charts.push_load_vs_rate(load_rows, float(state["cp_change_rate"]), t2, [
        f"A {state['cp_change_window_s']:g} s storm at each rate, {state['cp_proxies']:,} proxies, other inputs as chosen. "
        "Without debouncing the push slots stay full and merging in the queue is all that limits pushes.",
        f"Dashed line: your change rate. Points the model would need > {ch3.sweep_budget(state):,} pushes for are "
        "left out" + (" on this live page (the report allows " + f"{ch3.SWEEP_BUDGET:,})." if state["live_widgets"]
                      else ".")])
    return timeline, conv, load, headline, ch3.model_rows(r)


def _push_views(state: dict) -> dict:
    timeline, conv, load, headline, rows = _model_charts(state)
    return {"headline": f'<div class="gh-callout"><b>{html.escape(headline)}.</b></div>',
            "table": table_html(rows, caption="Model outputs for these settings."),
            "timeline": timeline, "convergence": conv, "load": load}


def _push_relate(state) -> tuple[str, dict[str, str]]:
    """Controls that cannot change anything under the other settings, and why."""
    off = {}
    if state["cp_throttle"] in ("auto", "legacy_100"):
        off["cp_throttle_value"] = "Throttle value applies to the custom and rate throttles only."
    if state["cp_throttle"] != "auto":
        off["cp_gomaxprocs"] = "GOMAXPROCS sets the auto throttle only."
    if not state["cp_debounce"]:
        for name in ("cp_debounce_after_ms", "cp_debounce_max_s"):
            off[name] = "DEBOUNCE_AFTER and DEBOUNCE_MAX apply only while debouncing is on."
    return "", off


PUSH_PANEL = controls.register(controls.Panel(
    3, "push_model", ch3.PARAMS,
    (("Mesh and change storm", ("cp_proxies", "cp_change_rate", "cp_change_window_s", "cp_push_ms")),
     ("istiod settings (defaults from tuning.go)", ("cp_throttle", "cp_throttle_value", "cp_gomaxprocs", "cp_debounce",
                                                    "cp_debounce_after_ms", "cp_debounce_max_s"))),
    _push_views, labels={"cp_throttle": {k: f"{k}: {v}" for k, v in ch3.THROTTLES.items()}}, relate=_push_relate,
    costly=True))   # ~45 simulated scenarios per state: computed off the page's thread, newest state wins


def push_model_panel(params: dict):
    """The xDS push model: static charts in reports; controls + live charts in JupyterLab and Voila."""
    return controls.show(PUSH_PANEL, params)


# ---------------------------------------------------------------- 3.2 the Go simulation

def simulation_section(params: dict) -> None:
    found = ch3.CHAPTER.lookup(params, "control_plane_sim")
    if shown_summary(found) is None:
        return
    rows = ch3.sim_rows(found)
    a = ch3.sim_agreement(rows)
    prov = measure.provenance_line(found.result)
    title = (f"The Go simulation agrees with the model within {a['max_abs_error_pct']:.1f} % "
             f"(median {a['median_abs_error_pct']:.1f} %) once the real per-push time is used")
    show_chart(charts.model_vs_sim(rows, title, [
        f"{a['scenarios']} runs of go-samples/xdssim (istiod's debounce loop and push queue, a semaphore, goroutine "
        f"proxies); push rounds match in {a['rounds_match']} of {a['scenarios']}.",
        f"With the nominal per-push time the model is off by up to {a['nominal_max_abs_error_pct']:.0f} %: "
        f"time.Sleep({rows[0]['push_ms']:g} ms) plus scheduling held a slot {a['slot_overhead_pct']:.0f} % longer.",
        prov]), live=params["live_widgets"])
    table = []
    for r in rows:
        m, c = r["measured"], r["calibrated"]
        table.append({
            "Scenario": r["name"], "Debounce": "yes" if r["debounce"] else "no",
            "Per-push (nominal → seen)": f"{r['push_ms']:g} → {r['slot_ms_mean']:.2f} ms",
            "Last change → all, measured": f"{m['last_change_to_converged_ms']:.1f} ms",
            "… model (seen per-push)": f"{c['last_change_to_converged_ms']:.1f} ms ({c['error_pct']:+.1f} %)",
            "… model (nominal)": f"{r['nominal']['last_change_to_converged_ms']:.1f} ms ({r['nominal']['error_pct']:+.1f} %)",
            "Rounds measured / model": f"{m['push_rounds']} / {c['push_rounds']}",
            "Pushes measured / model": f"{m['pushes']:,} / {c['pushes']:,}",
        })
    show_html(table_html(table, caption=(
        "Storm: 10 changes 30 ms apart; spaced: 3 changes 370 ms apart; long storm: 40 changes 30 ms apart with "
        "DEBOUNCE_MAX shortened to fit a quick run; no debounce: every change pushed at once. " + prov)))


# ---------------------------------------------------------------- 3.3 the proxy knee

def _knee_chart(found: measure.Lookup, pct: float):
    ks = ch3.knees(found, pct)
    prov = measure.provenance_line(found.result)
    s = found.result["summary"]
    other = ch3.contention(found)
    busy = ([f"Shared machine: other processes used a median {other:.0f} % of the proxy's core during the runs, "
             "so absolute numbers are noisy."] if other is not None and other > 10 else [])
    return charts.knee_chart(ch3.knee_curves(found), ks, ch3.VARIANT_LABELS, ch3.knee_headline(found, pct), [
        f"Knee: the {ks[next(iter(ks))]['rule']}.",
        f"Proxy: httputil.ReverseProxy on 1 core (GOMAXPROCS={s['setup']['proxy_gomaxprocs']}, CPU 0); upstream and "
        f"load generator on CPU 1; {s['setup']['buffer_kib']} KiB copy buffers.", *busy,
        prov])


def knee_section(params: dict):
    found = ch3.CHAPTER.lookup(params, "proxy_knee")
    if shown_summary(found) is None:
        return None
    other = ch3.contention(found)
    if other is not None and other > 30:
        show_html(_warn(
            f"This result was measured while other processes used a median {other:.0f} % of the proxy's core: the "
            "proxy got the rest, so its throughput and knee reflect the machine's load more than the proxy. CPU per "
            "request (table, and the allocation chart below) still compares the two variants. Measure again on a quiet "
            "machine with `gohandbook measure --force proxy_knee`."))
    return controls.show(KNEE_PANEL, params)


def _knee_views(state: dict) -> dict:
    found = ch3.CHAPTER.lookup(state, "proxy_knee")
    if not found.ok:
        return {"chart": _warn(f"proxy_knee: {found.reason}")}
    pct = state["dp_knee_pct"]
    caption = ("Median over the passes per connection count. Knee and plateau recomputed with the threshold above; "
               "allocation and GC figures are medians over all connection counts (GC CPU: on the plateau). "
               + measure.provenance_line(found.result))
    return {"chart": _knee_chart(found, pct), "table": table_html(ch3.knee_rows(found, pct), caption=caption)}


KNEE_PANEL = controls.register(controls.Panel(3, "knee", ch3.PARAMS, (("", ("dp_knee_pct",)),), _knee_views))


def gc_section(params: dict) -> None:
    found = ch3.CHAPTER.lookup(params, "proxy_knee")
    s = shown_summary(found)
    if s is None:
        return
    labels = [ch3.VARIANT_LABELS.get(v, v) for v in s["variants"]]
    title, more = ch3.gc_headline(found)
    show_chart(charts.gc_chart(ch3.gc_rows(found), labels, title, [
        *more,
        "From the proxy's runtime/metrics (/gc/heap/allocs, /gc/cycles/total, /cpu/classes/gc/total), read before and "
        "after every load run, per request proxied.",
        measure.provenance_line(found.result)]), live=params["live_widgets"])
    gc_s = s.get("fresh", s["variants"][next(iter(s["variants"]))])
    per_s = gc_s["plateau_gc_per_s"]
    show_html(
        f"<p>Idle, the proxies ran <b>{s['idle_gc_cycles_per_s']:.2f} GC cycles per second</b> "
        f"(the seed's 'GC every 2 ms' would be 500). Under full load the fresh-buffer proxy ran about "
        f"{per_s:.0f} cycles per second — one every {1000 / per_s:.0f} ms — because the Go GC is paced by "
        "allocation (GOGC), not by a timer.</p>" if per_s else "")


def seed_table_section(params: dict) -> None:
    show_html(table_html(list(ch3.SEED_PROXY_TABLE), caption=(
        "Quoted, not measured here. The seed's rows have no source; the MOSN rows come from SOFAStack's published "
        f"reports ({ch3.MOSN_010_URL}, {ch3.MOSN_021_URL}). Different hardware, clients and protocols: "
        "compare the numbers only within a row's own report.")))


def claims_section(params: dict) -> None:
    show_claims(ch3.CHAPTER.claims(params))
