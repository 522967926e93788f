"""Chapter 3's interactive layer: the push model's controls and charts, the Go simulation beside the model,
the proxy knee and its allocations. Moving a control re-runs a model (cheap); it never measures.

Every visible word goes through `gohandbook.i18n._(…, lang)` with the page's `params["lang"]`; the chapter's fixed
explanations live in its Markdown (scripts/make_notebook_03.py), and what the sections print here is computed from
the model and the cached results.
"""

from __future__ import annotations

import html
from typing import Any

from gohandbook import ch3, measure
from gohandbook.i18n import N_, _
from gohandbook.models import control_plane as cp

from . import charts_ch3 as charts
from . import controls
from .render import CLAIMS_CAPTION, show_chart, show_claims, show_html, shown_summary, table_html
from .render import warn as _warn

BUSY_CORE_NOTE_PCT = 10     # other processes' share of the proxy's core above which the chart says so
BUSY_CORE_WARN_PCT = 30     # ... above which the section warns that the knee reflects the machine's load


def _sentences(lang: str, *parts: str) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    return ("" if lang == "zh" else " ").join(p for p in parts if p)


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

def _claims_caption(verdicts, lang: str) -> str:
    """What the claims table holds, counted from the ledger (which kinds, how many without a source)."""
    kinds = [v.kind for v in verdicts]
    no_source = sum(v.kind == "cited" and not v.source for v in verdicts)
    return _("{n} claims: {measured} measured here, {model} computed by a model, {cited} cited ({no_source} without a "
             "primary source found), {unverifiable} unverifiable.", lang).format(
        n=len(verdicts), measured=kinds.count("measured"), model=kinds.count("model"), cited=kinds.count("cited"),
        no_source=no_source, unverifiable=kinds.count("unverifiable"))


def adoption_section(params: dict) -> None:
    lang = params["lang"]
    verdicts = ch3.CHAPTER.claims(params, section="3.1")
    show_claims(verdicts, caption=_sentences(lang, _("Section 3.1 in data/claims.yaml.", lang),
                                             _claims_caption(verdicts, lang)), lang=lang)


# ---------------------------------------------------------------- 3.2 facts and defaults

def facts_section(params: dict) -> None:
    lang = params["lang"]
    show_html(_table_with_links(ch3.facts_rows(lang), _("Source", lang), "_t", "_u", _(
        "Control- and data-plane languages, from the projects' own announcements and repositories.", lang)))


def defaults_section(params: dict) -> None:
    lang = params["lang"]
    show_html(_table_with_links(ch3.defaults_rows(lang), _("Source", lang), "_t", "_u", _(
        "The model's starting values, each as istiod's source code defines it.", lang)))


# ---------------------------------------------------------------- 3.2 the push model

def _model_charts(state: dict) -> tuple[Any, Any, Any, str, list[dict]]:
    """(timeline, convergence-vs-proxies, push-load) charts, the headline and the model's output rows."""
    lang = state["lang"]
    fmt = charts.fmt_s
    r = ch3.model_result(state)
    headline = ch3.model_headline(state, r)
    changes, rounds = ch3.timeline_rows(r)
    if state["cp_debounce"]:
        deb = _("debounce {after} ms quiet / {max} s max", lang).format(
            after=f"{state['cp_debounce_after_ms']:g}", max=f"{state['cp_debounce_max_s']:g}")
    else:
        deb = _("no debouncing", lang)
    setup = _("{changes} changes at {rate}/s, {debounce}, throttle {throttle}, {push} ms per push.", lang).format(
        changes=r.changes, rate=f"{state['cp_change_rate']:g}", debounce=deb, throttle=ch3.throttle_label(state),
        push=f"{state['cp_push_ms']:g}")
    timeline = charts.change_timeline(changes, rounds, headline, [
        _("Bar: from a change (black tick) until every proxy has it. Dashed: push rounds (the debouncer enqueues all "
          "proxies).", lang),
        _sentences(lang, _("Model of istiod's debounce loop and push queue.", lang), setup)], lang)
    sweep = ch3.sweep_proxies(state)
    cur = {"proxies": state["cp_proxies"], "converge_s": r.last_change_to_converged_s,
           "label": _("you: {time}", lang).format(time=fmt(r.last_change_to_converged_s))}
    at_yours = {x["setting"]: x for x in sweep if x["proxies"] == state["cp_proxies"]}
    auto, seed = at_yours.get("auto"), at_yours.get("rate")
    if auto and seed:
        t1 = _("With {proxies} proxies istiod's auto throttle converges in {auto}; read as 50 pushes/s it would take "
               "{seed}", lang).format(proxies=f"{state['cp_proxies']:,}", auto=fmt(auto["converge_s"]),
                                      seed=fmt(seed["converge_s"]))
    else:
        t1 = _("Time until every proxy has the last change, per throttle reading", lang)
    conv = charts.convergence_vs_proxies(sweep, cur, t1, [
        _("Time from the last change of the storm until every proxy has it: DEBOUNCE_AFTER + ⌈N / C⌉ × per-push time "
          "(concurrency) or + (N − 1) / R (rate).", lang),
        _("GOMAXPROCS {procs} → auto throttle {auto} (tuning.go: min(15 + 5·GOMAXPROCS, 100)); older istiod 100; "
          "other inputs as chosen.", lang).format(procs=state["cp_gomaxprocs"],
                                                  auto=cp.istiod_push_throttle(state["cp_gomaxprocs"]))], lang)
    load_rows = ch3.sweep_rate(state)
    here = {x["debounce"]: x for x in load_rows if x["rate"] == float(state["cp_change_rate"])}
    on, off = here.get("debounced (istiod default)"), here.get("every change pushed")
    if on and off:
        t2 = _("At {rate} changes/s debouncing sends {on} pushes instead of {off}; the longest wait is {wait_on} "
               "instead of {wait_off}", lang).format(
            rate=f"{state['cp_change_rate']:g}", on=f"{on['pushes']:,}", off=f"{off['pushes']:,}",
            wait_on=fmt(on["max_staleness_s"]), wait_off=fmt(off["max_staleness_s"]))
    else:
        t2 = _("Push load and longest wait per change rate, with and without debouncing", lang)
    budget = (_("Dashed line: your change rate. Points the model would need > {budget} pushes for are left out on "
                "this live page (the report allows {report}).", lang) if state["live_widgets"] else
              _("Dashed line: your change rate. Points the model would need > {budget} pushes for are left out.", lang))
    load = charts.push_load_vs_rate(load_rows, float(state["cp_change_rate"]), t2, [
        _("A {window} s storm at each rate, {proxies} proxies, other inputs as chosen. Without debouncing the push "
          "slots stay full and merging in the queue is all that limits pushes.", lang).format(
            window=f"{state['cp_change_window_s']:g}", proxies=f"{state['cp_proxies']:,}"),
        budget.format(budget=f"{ch3.sweep_budget(state):,}", report=f"{ch3.SWEEP_BUDGET:,}")], lang)
    return timeline, conv, load, headline, ch3.model_rows(r, lang)


def _push_views(state: dict) -> dict:
    lang = state["lang"]
    timeline, conv, load, headline, rows = _model_charts(state)
    sentence = _("{headline}.", lang).format(headline=headline)
    return {"headline": f'<div class="gh-callout"><b>{html.escape(sentence)}</b></div>',
            "table": table_html(rows, caption=_("Model outputs for these settings.", lang)),
            "timeline": timeline, "convergence": conv, "load": load}


def _push_relate(state) -> tuple[str, dict[str, str]]:
    """Controls that cannot change anything under the other settings, and why."""
    lang = state.get("lang")
    off = {}
    if state["cp_throttle"] in ("auto", "legacy_100"):
        off["cp_throttle_value"] = _("Throttle value applies to the custom and rate throttles only.", lang)
    if state["cp_throttle"] != "auto":
        off["cp_gomaxprocs"] = _("GOMAXPROCS sets the auto throttle only.", lang)
    if not state["cp_debounce"]:
        for name in ("cp_debounce_after_ms", "cp_debounce_max_s"):
            off[name] = _("DEBOUNCE_AFTER and DEBOUNCE_MAX apply only while debouncing is on.", lang)
    return "", off


PUSH_PANEL = controls.register(controls.Panel(
    3, "push_model", ch3.PARAMS,
    ((N_("Mesh and change storm"), ("cp_proxies", "cp_change_rate", "cp_change_window_s", "cp_push_ms")),
     (N_("istiod settings (defaults from tuning.go)"), ("cp_throttle", "cp_throttle_value", "cp_gomaxprocs",
                                                        "cp_debounce", "cp_debounce_after_ms", "cp_debounce_max_s"))),
    _push_views, labels={"cp_throttle": ch3.THROTTLE_OPTIONS}, relate=_push_relate,
    costly=True))   # ~45 simulated scenarios per state: computed off the page's thread, newest state wins


def push_model_panel(params: dict):
    """The xDS push model: static charts in reports; controls + live charts in JupyterLab and Voila."""
    return controls.show(PUSH_PANEL, params)


# ---------------------------------------------------------------- 3.2 the Go simulation

AGREES_WITHIN_PCT = 10   # the title says "agrees" when every scenario is within this error, "differs" otherwise


def simulation_section(params: dict) -> None:
    lang = params["lang"]
    found = ch3.CHAPTER.lookup(params, "control_plane_sim")
    if shown_summary(found) is None:
        return
    rows = [dict(r, name=ch3.scenario_name(r, lang)) for r in ch3.sim_rows(found)]
    a = ch3.sim_agreement(rows)
    prov = found.provenance(lang)
    numbers = {"max": f"{a['max_abs_error_pct']:.1f}", "median": f"{a['median_abs_error_pct']:.1f}"}
    title = (_("The Go simulation agrees with the model within {max} % (median {median} %) once the real per-push "
               "time is used", lang) if a["max_abs_error_pct"] <= AGREES_WITHIN_PCT else
             _("The Go simulation differs from the model by up to {max} % (median {median} %) even with the real "
               "per-push time", lang)).format(**numbers)
    show_chart(charts.model_vs_sim(rows, title, [
        _("{n} runs of go-samples/xdssim (istiod's debounce loop and push queue, a semaphore, goroutine proxies); push "
          "rounds match in {match} of {n}.", lang).format(n=a["scenarios"], match=a["rounds_match"]),
        _("With the nominal per-push time the model is off by up to {nominal} %: time.Sleep({push} ms) plus "
          "scheduling held a slot {overhead} % longer.", lang).format(
            nominal=f"{a['nominal_max_abs_error_pct']:.0f}", push=f"{rows[0]['push_ms']:g}",
            overhead=f"{a['slot_overhead_pct']:.0f}"),
        prov], lang), live=params["live_widgets"])
    yes, no = _("yes", lang), _("no", lang)
    table = []
    for r in rows:
        m, c, n = r["measured"], r["calibrated"], r["nominal"]
        table.append({
            _("Scenario", lang): r["name"], _("Debounce", lang): yes if r["debounce"] else no,
            _("Per-push (nominal → seen)", lang): f"{r['push_ms']:g} → {r['slot_ms_mean']:.2f} ms",
            _("Last change → all, measured", lang): f"{m['last_change_to_converged_ms']:.1f} ms",
            _("… model (seen per-push)", lang): f"{c['last_change_to_converged_ms']:.1f} ms ({c['error_pct']:+.1f} %)",
            _("… model (nominal)", lang): f"{n['last_change_to_converged_ms']:.1f} ms ({n['error_pct']:+.1f} %)",
            _("Rounds measured / model", lang): f"{m['push_rounds']} / {c['push_rounds']}",
            _("Pushes measured / model", lang): f"{m['pushes']:,} / {c['pushes']:,}",
        })
    show_html(table_html(table, caption=_sentences(lang, ch3.scenario_caption(found, lang), prov)))


# ---------------------------------------------------------------- 3.3 the proxy knee

def _knee_chart(found: measure.Lookup, pct: float, lang: str):
    ks = ch3.knees(found, pct)
    prov = found.provenance(lang)
    setup = found.result["summary"]["setup"]
    other = ch3.contention(found)
    busy = ([_("Shared machine: other processes used a median {pct} % of the proxy's core during the runs, so "
               "absolute numbers are noisy.", lang).format(pct=f"{other:.0f}")]
            if other is not None and other > BUSY_CORE_NOTE_PCT else [])
    return charts.knee_chart(ch3.knee_curves(found), ks, ch3.variant_labels(lang), ch3.knee_headline(found, pct, lang), [
        _("Knee: the {rule}.", lang).format(rule=ch3.knee_rule(pct, lang)),
        _("Proxy: httputil.ReverseProxy (GOMAXPROCS={procs}, {proxy_cpu}); upstream and load generator on {other_cpu}; "
          "{kib} KiB copy buffers.", lang).format(procs=setup["proxy_gomaxprocs"], proxy_cpu=setup["proxy_cpu"],
                                                  other_cpu=setup["upstream_and_loadgen_cpu"], kib=setup["buffer_kib"]),
        *busy, prov], lang)


def knee_section(params: dict):
    lang = params["lang"]
    found = ch3.CHAPTER.lookup(params, "proxy_knee")
    if shown_summary(found) is None:
        return None
    other = ch3.contention(found)
    if other is not None and other > BUSY_CORE_WARN_PCT:
        show_html(_warn(_(
            "This result was measured while other processes used a median {pct} % of the proxy's core: the proxy got "
            "the rest, so its throughput and knee reflect the machine's load more than the proxy. CPU per request "
            "(table, and the allocation chart below) still compares the two variants. Measure again on a quiet "
            "machine with `gohandbook measure --force proxy_knee`.", lang).format(pct=f"{other:.0f}")))
    return controls.show(KNEE_PANEL, params)


def _knee_views(state: dict) -> dict:
    lang = state["lang"]
    found = ch3.CHAPTER.lookup(state, "proxy_knee")
    if not found.ok:
        return {"chart": _warn(f"proxy_knee: {found.reason_in(lang)}")}
    pct = state["dp_knee_pct"]
    caption = _("Median over the passes per connection count. Knee and plateau recomputed with the threshold above; "
                "allocation and GC figures are medians over all connection counts (GC CPU: on the plateau).", lang)
    return {"chart": _knee_chart(found, pct, lang),
            "table": table_html(ch3.knee_rows(found, pct, lang),
                                caption=_sentences(lang, caption, found.provenance(lang)))}


KNEE_PANEL = controls.register(controls.Panel(3, "knee", ch3.PARAMS, (("", ("dp_knee_pct",)),), _knee_views))


def gc_section(params: dict) -> None:
    lang = params["lang"]
    found = ch3.CHAPTER.lookup(params, "proxy_knee")
    s = shown_summary(found)
    if s is None:
        return
    names = ch3.variant_labels(lang)
    title, more = ch3.gc_headline(found, lang)
    show_chart(charts.gc_chart(ch3.gc_rows(found, lang), [names.get(v, v) for v in s["variants"]], title, [
        *more,
        _("From the proxy's runtime/metrics ({metrics}), read before and after every load run, per request proxied.",
          lang).format(metrics=", ".join(("/gc/heap/allocs", "/gc/cycles/total", "/cpu/classes/gc/total"))),
        found.provenance(lang)], lang), live=params["live_widgets"])
    pace = ch3.gc_pace(found)
    if pace and pace["load_per_s"]:
        show_html("<p>" + _("GC cycles per second: <b>{idle}</b> idle; about <b>{load}</b> under full load with fresh "
                            "buffers (one every {interval} ms).", lang).format(
            idle=f"{pace['idle_per_s']:.2f}", load=f"{pace['load_per_s']:.0f}",
            interval=f"{pace['load_interval_ms']:.0f}") + "</p>")


def seed_table_section(params: dict) -> None:
    lang = params["lang"]
    show_html(table_html(ch3.seed_table_rows(lang), caption=_(
        "Quoted, not measured here. The seed's rows have no source; the MOSN rows come from SOFAStack's published "
        "reports ({first}, {second}).", lang).format(first=ch3.MOSN_010_URL, second=ch3.MOSN_021_URL)))


def claims_section(params: dict) -> None:
    verdicts = ch3.CHAPTER.claims(params)
    lang = params["lang"]
    show_claims(verdicts, caption=_sentences(lang, _(CLAIMS_CAPTION, lang), _claims_caption(verdicts, lang)), lang=lang)
