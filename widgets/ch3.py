"""Chapter 3's interactive layer: the push model's controls and charts, the Go simulation beside the model,
the proxy knee and its allocations. Moving a control re-runs a model (cheap); it never measures.
"""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as W

from gohandbook import ch3, measure
from gohandbook.models import control_plane as cp
from gohandbook.params import ParameterError

from . import charts_ch3 as charts
from .render import chart_widget, show_chart, show_claims, show_html, shown_summary, table_html
from .render import warn as _warn

PANELS: dict[str, Any] = {}   # the live panels last shown (the sections return None so cells show them once)


PRE = ('<pre style="font-family: monospace; font-size: 12px; background: #f6f8fa; border: 1px solid #ddd; '
       'padding: 8px 10px; overflow-x: auto; white-space: pre">{}</pre>')


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
    show_claims(ch3.claims_for(params, "3.1"), caption=(
        "Chapter 3.1's claims from data/claims.yaml. None is measurable here; 'cited' with no source means "
        "that no primary source was found — in particular none for the 76.4 % figure."))


def ci_snippet_section(params: dict) -> None:
    show_html(
        '<p><b>The seed\'s pipeline step, quoted with its indentation restored (an illustration: not run here).</b></p>'
        + PRE.format(html.escape(ch3.CI_SNIPPET)) +
        '<div class="gh-warn">As written it cannot gate a rollout: <code>rate(errors[5m])</code> is errors per '
        "second, not an error ratio; the result is only written to a file and never compared with 0.1 %; and "
        "an empty result (no errors yet, or a wrong label) yields <code>null</code> rather than a failure.</div>"
        '<p><b>What such a gate needs (also an illustration, not run):</b> an error <i>ratio</i>, an explicit '
        "threshold, and a failing exit status when the query returns nothing.</p>"
        + PRE.format(html.escape(ch3.CI_SNIPPET_FIXED)))


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
        "Dashed line: your change rate. Points the model would need > 400,000 pushes for are left out."])
    return timeline, conv, load, headline, ch3.model_rows(r)


def push_model_panel(params: dict):
    """The xDS push model: static charts in reports; controls + live charts in JupyterLab and Voila."""
    try:
        timeline, conv, load, headline, rows = _model_charts(params)
    except ParameterError as exc:
        show_html(_warn(str(exc)))
        return None
    if not params["live_widgets"]:
        show_html(f'<div class="gh-callout"><b>{html.escape(headline)}.</b></div>')
        show_html(table_html(rows, caption="Model outputs for this profile's parameters."))
        show_chart(timeline, live=False)
        show_chart(conv, live=False)
        show_chart(load, live=False)
        return None

    style = {"description_width": "190px"}
    layout = W.Layout(width="520px")
    p = params
    ctl = {
        "cp_proxies": W.FloatLogSlider(value=p["cp_proxies"], base=10, min=0, max=math.log10(20000), step=0.05,
                                       readout_format=",.0f", description="Proxies", style=style, layout=layout),
        "cp_change_rate": W.FloatLogSlider(value=p["cp_change_rate"], base=10, min=-1, max=2, step=0.05,
                                           readout_format=".3g", description="Changes per second", style=style, layout=layout),
        "cp_change_window_s": W.FloatSlider(value=p["cp_change_window_s"], min=0, max=30, step=0.5,
                                            description="Storm length (s)", style=style, layout=layout),
        "cp_push_ms": W.FloatLogSlider(value=p["cp_push_ms"], base=10, min=0, max=3, step=0.05, readout_format=".3g",
                                       description="Per-push time (ms)", style=style, layout=layout),
        "cp_throttle": W.Dropdown(options=[(f"{k}: {v}", k) for k, v in ch3.THROTTLES.items()], value=p["cp_throttle"],
                                  description="Push throttle", style=style, layout=layout),
        "cp_throttle_value": W.FloatSlider(value=p["cp_throttle_value"], min=1, max=1000, step=1,
                                           description="Throttle value (custom/rate)", style=style, layout=layout),
        "cp_gomaxprocs": W.IntSlider(value=p["cp_gomaxprocs"], min=1, max=64, description="istiod GOMAXPROCS",
                                     style=style, layout=layout),
        "cp_debounce": W.Checkbox(value=p["cp_debounce"], description="Debounce (istiod default)", style=style,
                                  layout=layout),
        "cp_debounce_after_ms": W.FloatLogSlider(value=p["cp_debounce_after_ms"], base=10, min=0, max=4, step=0.05,
                                                 readout_format=".3g", description="DEBOUNCE_AFTER (ms)", style=style,
                                                 layout=layout),
        "cp_debounce_max_s": W.FloatLogSlider(value=p["cp_debounce_max_s"], base=10, min=-2, max=math.log10(600),
                                              step=0.05, readout_format=".3g", description="DEBOUNCE_MAX (s)",
                                              style=style, layout=layout),
    }
    headline_w = W.HTML(f'<div class="gh-callout"><b>{html.escape(headline)}.</b></div>')
    table_w = W.HTML(table_html(rows))
    timeline_w, conv_w, load_w = chart_widget(timeline), chart_widget(conv), chart_widget(load)

    def refresh(_change=None) -> None:
        state = dict(params)
        for name, w in ctl.items():
            state[name] = w.value
        state["cp_proxies"] = int(round(state["cp_proxies"]))
        try:
            state = ch3.PARAMS.validate({k: v for k, v in state.items() if k in ch3.PARAMS})
            new_timeline, new_conv, new_load, new_headline, new_rows = _model_charts(state)
        except ParameterError as exc:
            headline_w.value = _warn(str(exc))
            return
        headline_w.value = f'<div class="gh-callout"><b>{html.escape(new_headline)}.</b></div>'
        table_w.value = table_html(new_rows)
        timeline_w.chart, conv_w.chart, load_w.chart = new_timeline, new_conv, new_load

    for w in ctl.values():
        w.observe(refresh, names="value")
    panel = W.VBox([
        W.HTML("<b>Mesh and change storm</b>"), ctl["cp_proxies"], ctl["cp_change_rate"], ctl["cp_change_window_s"],
        ctl["cp_push_ms"],
        W.HTML("<b>istiod settings (defaults from tuning.go)</b>"), ctl["cp_throttle"], ctl["cp_throttle_value"],
        ctl["cp_gomaxprocs"], ctl["cp_debounce"], ctl["cp_debounce_after_ms"], ctl["cp_debounce_max_s"],
        headline_w, table_w, timeline_w, conv_w, load_w,
    ])
    from IPython.display import display

    show_html("")
    display(panel)
    PANELS["push_model"] = panel
    return None


# ---------------------------------------------------------------- 3.2 the Go simulation

def simulation_section(params: dict) -> None:
    found = ch3.results(params)["control_plane_sim"]
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
    found = ch3.results(params)["proxy_knee"]
    if shown_summary(found) is None:
        return None
    pct = params["dp_knee_pct"]
    other = ch3.contention(found)
    if other is not None and other > 30:
        show_html(_warn(
            f"This result was measured while other processes used a median {other:.0f} % of the proxy's core: the "
            "proxy got the rest, so its throughput and knee reflect the machine's load more than the proxy. CPU per "
            "request (table, and the allocation chart below) still compares the two variants. Measure again on a quiet "
            "machine with `gohandbook measure --force proxy_knee`."))
    caption = ("Median over the passes per connection count. Knee and plateau recomputed with the threshold above; "
               "allocation and GC figures are medians over all connection counts (GC CPU: on the plateau). "
               + measure.provenance_line(found.result))
    if not params["live_widgets"]:
        show_chart(_knee_chart(found, pct), live=False)
        show_html(table_html(ch3.knee_rows(found, pct), caption=caption))
        return None
    slider = W.FloatSlider(value=pct, min=50, max=100, step=1, description="Knee threshold (% of plateau)",
                           style={"description_width": "220px"}, layout=W.Layout(width="520px"))
    chart = chart_widget(_knee_chart(found, pct))
    table = W.HTML(table_html(ch3.knee_rows(found, pct), caption=caption))

    def refresh(change) -> None:
        chart.chart = _knee_chart(found, change["new"])
        table.value = table_html(ch3.knee_rows(found, change["new"]), caption=caption)

    slider.observe(refresh, names="value")
    from IPython.display import display

    show_html("")
    box = W.VBox([slider, chart, table])
    display(box)
    PANELS["knee"] = box
    return None


def gc_section(params: dict) -> None:
    found = ch3.results(params)["proxy_knee"]
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
    show_claims(ch3.chapter_claims(params))
