"""Chapter 1 glue: parameters → decision model, cached measurements → tables. No I/O but cache reads."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping

from . import measure
from .chapters import COMMON, Chapter
from .i18n import N_, _, use
from .models.decision import CRITERIA, MatrixInput, MatrixResult, evaluate, validation_gates
from .params import Param, ParamSet

MEASUREMENTS = ("quick_validation", "go_binary_size", "static_analysis")

WORKLOAD_PRESETS: dict[str, dict[str, int]] = {
    # Starting answers (0-4) for a typical team with this workload; every one can be overridden.
    "infrastructure": dict(high_concurrency=4, ops_tooling=3, efficiency_bottleneck=2, compute_ai=0,
                           legacy_abstractions=1, no_systems_experience=1),
    "tooling": dict(high_concurrency=1, ops_tooling=4, efficiency_bottleneck=2, compute_ai=0,
                    legacy_abstractions=0, no_systems_experience=1),
    "web_services": dict(high_concurrency=2, ops_tooling=1, efficiency_bottleneck=2, compute_ai=0,
                         legacy_abstractions=2, no_systems_experience=2),
    "data_science": dict(high_concurrency=0, ops_tooling=1, efficiency_bottleneck=1, compute_ai=4,
                         legacy_abstractions=0, no_systems_experience=3),
    "legacy_enterprise": dict(high_concurrency=1, ops_tooling=1, efficiency_bottleneck=3, compute_ai=0,
                              legacy_abstractions=4, no_systems_experience=2),
}

DEFAULT_WEIGHTS = dict(high_concurrency=6, ops_tooling=4, efficiency_bottleneck=4, compute_ai=8,
                       legacy_abstractions=5, no_systems_experience=5)

PARAMS = COMMON.merged(ParamSet("chapter 1", (
    Param("workload_kind", "choice", "web_services",
          N_("The kind of system Go would be used for; sets the starting answers below"),
          label=N_("Workload"), choices=tuple(WORKLOAD_PRESETS)),
    # How well each criterion describes the team, 0 (not at all) to 4 (fully); null takes the workload's
    # starting answer. A control shows the criterion's short name; its tooltip (help) the whole criterion.
    *(Param(f"answer_{c.key}", "int", None, c.label, label=c.short, min=0, max=4, step=1, nullable=True)
      for c in CRITERIA),
    *(Param(f"weight_{c.key}", "float", float(DEFAULT_WEIGHTS[c.key]), c.label,  # weight 0-10 of the criterion
            label=c.short, min=0, max=10, step=0.5) for c in CRITERIA),
    Param("adopt_threshold", "float", 0.2, N_("Score needed for a clear yes (and its negative for a clear no)"),
          label=N_("Decision threshold"), min=0.05, max=0.95, step=0.05),
    Param("min_qps_ratio", "float", 1.0,
          N_("Performance gate: Go must serve at least this many times the current stack's QPS"),
          label=N_("Min QPS ratio"), min=0, max=100, step=0.1),
    Param("max_rss_ratio", "float", 0.5,
          N_("Performance gate: Go's peak RSS at most this fraction of the current stack's"),
          label=N_("Max RSS ratio"), min=0.01, max=10, step=0.05),
    Param("team_acceptance", "int", 3, N_("Acceptance gate: the team's own rating of Go after the pilot (0-4)"),
          label=N_("Team acceptance"), min=0, max=4, step=1),
    Param("services_json", "str", "", N_("The team's own services (a profile's services: mapping, normalised to JSON "
          "by load_profile); empty: the gates use the minimal peers"), label=N_("Your services"),
          grammar=lambda text: services({"services_json": text}),
          grammar_help="empty, or a JSON object of service names to normalised services (a profile's services:)"),
)), name="chapter 1")


CHAPTER = Chapter(1, "01-should-we-choose-go.ipynb", "Should we choose Go?", PARAMS, MEASUREMENTS)

# How the workload kinds and the runtimes read (choice values stay the keys)
WORKLOAD_NAMES = {"infrastructure": N_("infrastructure"), "tooling": N_("tooling"),
                  "web_services": N_("web services"), "data_science": N_("data science"),
                  "legacy_enterprise": N_("legacy enterprise")}
RUNTIME_NAMES = {"go": N_("Go (net/http)"), "python_uvicorn": N_("Python (ASGI on uvicorn)"),
                 "python_threading": N_("Python (http.server, threads)"), "node": N_("Node.js (node:http)"),
                 "java": N_("Java (JDK HttpServer)")}


ANSWER_NAMES = tuple(f"answer_{c.key}" for c in CRITERIA)
WEIGHT_NAMES = tuple(f"weight_{c.key}" for c in CRITERIA)
# The live decision panel's declarations: chapter 1's, except that an answer starts at the default workload's
# starting answer rather than null (a control always shows a number; choosing a workload moves the answers).
LIVE_PARAMS = ParamSet("chapter 1", tuple(
    replace(p, default=WORKLOAD_PRESETS[PARAMS["workload_kind"].default][p.name.removeprefix("answer_")])
    if p.name in ANSWER_NAMES else p for p in PARAMS))


def effective_answers(params: Mapping[str, Any]) -> dict[str, int]:
    """{answer_…: the answer the model uses}: the profile's where it gives one, else the workload's."""
    return {f"answer_{key}": int(value) for key, value in answers(params).items()}


def answers(params: Mapping[str, Any]) -> dict[str, float]:
    start = WORKLOAD_PRESETS[params["workload_kind"]]
    return {c.key: float(params[f"answer_{c.key}"] if params.get(f"answer_{c.key}") is not None else start[c.key])
            for c in CRITERIA}


def matrix_input(params: Mapping[str, Any]) -> MatrixInput:
    return MatrixInput(answers=answers(params),
                       weights={c.key: float(params[f"weight_{c.key}"]) for c in CRITERIA},
                       threshold=float(params["adopt_threshold"]))


# How the decision reads, in either language (chapters 1 and 5, the landing page, reports, the ADR). Here, with the
# decision, so that chapter 1's page does not import chapter 5 (which imports every chapter: ~1 s on first render).
GATE_NAMES = {"performance": N_("performance"), "delivery": N_("delivery"), "team acceptance": N_("team acceptance")}
GATE_STATES = {True: N_("passed"), False: N_("not passed"), None: N_("undecided")}


def recommendation_text(result: MatrixResult, lang: str | None = None) -> str:
    """The decision matrix's recommendation in `lang` (the model's own words in English)."""
    return _(result.text, lang)


def reason_items(result: MatrixResult, lang: str | None = None) -> list[tuple[bool, str]]:
    """The recommendation's main reasons as (for Go?, text): the model's own wording in English; in another
    language the same three largest contributions, worded from the same numbers."""
    if lang in (None, "en"):
        return [(r.startswith("for:"), r.split(": ", 1)[1]) for r in result.reasons
                if r.startswith(("for:", "against:"))]
    ranked = sorted(result.contributions, key=lambda c: abs(c.points), reverse=True)
    return [(c.points > 0, _("{label} (answer {answer}/4, weight {weight}, {points})", lang).format(
        label=_(c.label, lang), answer=f"{c.answer:g}", weight=f"{c.weight:g}", points=f"{c.points:+.2f}"))
        for c in ranked if c.points != 0][:3]


def reason_lines(result: MatrixResult, lang: str | None = None) -> list[str]:
    """The main reasons as lines ('for: …' / 'against: …')."""
    if lang in (None, "en"):
        return list(result.reasons)
    return [(_("for: {reason}", lang) if is_for else _("against: {reason}", lang)).format(reason=text)
            for is_for, text in reason_items(result, lang)]


def gate_name(name: str, lang: str | None = None) -> str:
    return _(GATE_NAMES.get(name, name), lang)


def gate_state(passed: bool | None, lang: str | None = None) -> str:
    return _(GATE_STATES[passed], lang)


def decide(params: Mapping[str, Any]) -> MatrixResult:
    with use(params.get("lang")):   # a bad input's message in the page's language
        return evaluate(matrix_input(params))


# What the validation gates were measured on (shown beside the gates, in chapter 5 and the ADR).
BASIS_SERVICES = N_("Measured on your services: {go} (Go rewrite) against {current} (current), from the profile's services:.")
BASIS_PEERS = N_("Measured on the minimal peers (the handbook's health-check servers in Go and {current}), "
                 "not on your code: add services: to the profile to validate your own service.")
BASIS_SERVICES_MISSING = N_("The profile names services, but {which} has not been measured yet: the gates are undecided "
                            "until `gohandbook validate PROFILE` (or a report with the profile) measures it.")


def services(params: Mapping[str, Any]) -> dict[str, dict]:
    """The team's own services from the profile (normalised; empty when the profile has none)."""
    from .services import from_json

    return from_json(params.get("services_json") or "")


_SERVICE_LOOKUPS: dict[tuple[str, str], tuple[float, dict]] = {}


def service_results(params: Mapping[str, Any]) -> dict[str, measure.Lookup]:
    """Cached results of the team's services (never measures: `gohandbook validate` does). A lookup hashes
    what each service runs; one page render asks several times, so answers are reused for a few seconds."""
    import time

    from .measure import team_services

    key = (params.get("services_json") or "", CHAPTER.preset(params))
    hit = _SERVICE_LOOKUPS.get(key)
    if hit and time.monotonic() - hit[0] < 5:
        return hit[1]
    found = {name: team_services.lookup(svc, CHAPTER.preset(params)) for name, svc in services(params).items()}
    _SERVICE_LOOKUPS.clear()  # one profile per page: keep only the latest
    _SERVICE_LOOKUPS[key] = (time.monotonic(), found)
    return found


def gates_basis(params: Mapping[str, Any]) -> str:
    """One sentence: what the three validation gates were measured on."""
    from .services import pair

    lang = params.get("lang", "en")
    svcs = services(params)
    if not svcs:
        return _(BASIS_PEERS, lang).format(current=params["current_stack"])
    cur, go = pair(svcs)
    return _(BASIS_SERVICES, lang).format(go=go["name"] if go else "?", current=cur["name"] if cur else "?")


def gates(params: Mapping[str, Any], found: Mapping[str, measure.Lookup]):
    """The seed's three validation gates: on the team's services when the profile has services:,
    else on the minimal peers. Each gate's detail says which."""
    with use(params.get("lang")):   # the gates' details in the page's language
        if services(params):
            return service_gates(params)
        qv = found["quick_validation"]
        runtimes = qv.result["summary"]["runtimes"] if qv.ok else {}
        out = validation_gates(runtimes, params["current_stack"], min_qps_ratio=params["min_qps_ratio"],
                               max_rss_ratio=params["max_rss_ratio"], team_acceptance=params["team_acceptance"])
        peers = _(" [minimal peers]")
        return [g if g.name == "team acceptance" else replace(g, detail=g.detail + peers) for g in out]


def service_gates(params: Mapping[str, Any]):
    """The gates on the team's own services: Go rewrite against the current service, each ratio with
    whether it exceeds the run-to-run spread; a rewrite with wrong answers under load does not pass."""
    from .measure.team_services import comparisons
    from .models.decision import Gate
    from .services import pair

    svcs = services(params)
    found = service_results(params)
    cur, go = pair(svcs)
    acceptance = validation_gates({}, "", min_qps_ratio=1, max_rss_ratio=1,
                                  team_acceptance=params["team_acceptance"])[-1]
    if cur is None or go is None:
        why = _("the profile's services: need one with role current and one with role go (a go_build is role go)")
        return [Gate("performance", None, why), Gate("delivery", None, why), acceptance]
    g, c = found[go["name"]], found[cur["name"]]
    problems = [(_("{service} not measured yet") if not lk.ok else _("{service} failed: {message}")).format(
                    service=svc["name"], message=lk.result["summary"]["message"] if lk.ok else "")
                for svc, lk in ((go, g), (cur, c)) if not lk.ok or lk.result["summary"]["status"] != "measured"]
    if problems:
        why = _("cannot compare your services: {problems} (gohandbook validate PROFILE measures them)").format(
            problems="; ".join(problems))
        return [Gate("performance", None, why), Gate("delivery", None, why), acceptance]
    gs, cs = g.result["summary"], c.result["summary"]
    by = {x["metric"]: x for x in comparisons(g.result, c.result)}
    names = f"{go['name']}/{cur['name']}"

    def spread(metric: str) -> str:
        x = by.get(metric, {})
        if not x.get("measured"):
            return _("not measured")
        return (_("beyond run-to-run spread, p = {p}") if x["significant"] else
                _("within run-to-run spread, p = {p}")).format(p=f"{x['p_value']:.3f}")

    qps_ratio = gs["qps"]["median"] / cs["qps"]["median"]
    rss_ok, rss_text = None, _("peak RSS not measured (url: service)")
    if gs["rss_peak_mib"]["median"] is not None and cs["rss_peak_mib"]["median"] is not None:
        rss_ratio = gs["rss_peak_mib"]["median"] / cs["rss_peak_mib"]["median"]
        rss_ok = rss_ratio <= params["max_rss_ratio"]
        rss_text = _("peak RSS ×{ratio} (need ≤ {max}; {spread})").format(
            ratio=f"{rss_ratio:.2f}", max=f"{params['max_rss_ratio']:g}", spread=spread("Peak RSS under load"))
    errors = gs["errors"]
    perf_parts = [qps_ratio >= params["min_qps_ratio"], rss_ok, errors == 0]
    perf = False if False in perf_parts else (None if None in perf_parts else True)
    perf_detail = (_("{names}: QPS ×{ratio} (need ≥ {min}; {spread}), {rss}").format(
        names=names, ratio=f"{qps_ratio:.2f}", min=f"{params['min_qps_ratio']:g}", spread=spread("Requests/s"),
        rss=rss_text)
        + (_("; the Go rewrite answered {errors} requests wrongly under load").format(errors=errors) if errors else "")
        + _(" [your services]"))
    start_ok, start_text = None, _("start-up not measured (url: service)")
    if gs["start_ms"]["median"] is not None and cs["start_ms"]["median"] is not None:
        start_ratio = gs["start_ms"]["median"] / cs["start_ms"]["median"]
        start_ok = start_ratio < 1
        start_text = _("start-up time ×{ratio} ({spread})").format(ratio=f"{start_ratio:.2f}",
                                                                    spread=spread("Start → first 2xx"))
    ship_ok, ship_text = None, _("shipped bytes unknown (no ship: list)")
    if gs.get("shipped_bytes") and cs.get("shipped_bytes"):
        art_ratio = gs["shipped_bytes"] / cs["shipped_bytes"]
        ship_ok = art_ratio < 1
        ship_text = _("shipped bytes ×{ratio}").format(ratio=f"{art_ratio:.2f}")
    parts = [ship_ok, start_ok]
    delivery = False if False in parts else (None if None in parts else True)
    return [Gate("performance", perf, perf_detail),
            Gate("delivery", delivery, _("{names}: {shipped}, {start} (need both < 1)").format(
                names=names, shipped=ship_text, start=start_text) + _(" [your services]")),
            acceptance]


def service_rows(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per service of the profile: medians (min–max) over fresh starts, or why not measured."""
    from .measure.team_services import COMPARED

    lang = params.get("lang")
    roles = {"go": _("Go rewrite", lang), "current": _("current service", lang)}
    rows = []
    for name, svc in services(params).items():
        lk = service_results(params)[name]
        row: dict[str, Any] = {_("Service", lang): name, _("Role", lang): roles.get(svc["role"], svc["role"]),
                               _("Command", lang): _service_what(svc, lang)}
        status = _("Status", lang)
        if not lk.ok:
            row[status] = _("not measured: {reason}", lang).format(reason=lk.reason)
            rows.append(row)
            continue
        s = lk.result["summary"]
        if s["status"] != "measured":
            tail = s.get("output_tail") or ""
            row[status] = _("failed: {message}", lang).format(message=s["message"]) + (
                _(" — last output: {lines}", lang).format(lines=" | ".join(tail.splitlines()[-3:])) if tail else "")
        else:
            row[status] = (_("measured: {message}", lang).format(message=_service_message(s["message"], lang))
                           + ("" if lk.status == "current" else f" ({_(lk.status, lang)})"))
            for key, label, _low, unit, digits in COMPARED:
                st = s[key]
                row[f"{_(label, lang)} ({unit})"] = (
                    _("not measured", lang) if st["median"] is None else
                    f"{st['median']:.{digits}f} ({st['min']:.{digits}f}–{st['max']:.{digits}f})")
            row[_("Errors", lang)] = s["errors"]
            row[_("Shipped (MB)", lang)] = "—" if not s.get("shipped_bytes") else f"{s['shipped_bytes'] / 1e6:.2f}"
            row[_("Measured", lang)] = lk.result["provenance"]["finished"][:16].replace("T", " ") + " UTC"
        rows.append(row)
    return rows


# The names team_services.COMPARED gives its metrics, as shown (marked here for the catalog)
SERVICE_METRIC_NAMES = (N_("Start → first 2xx"), N_("RSS at first response"), N_("Peak RSS under load"),
                        N_("Requests/s"), N_("p50 latency"), N_("p99 latency"))

SERVICE_PANELS = (  # (summary key, chart panel heading in widgets.charts.PANELS, scale)
    ("start_ms", "Start → first 200 (ms)", 1.0), ("rss_first_mib", "RSS at first response (MiB)", 1.0),
    ("rss_peak_mib", "Peak RSS under load (MiB)", 1.0), ("qps", "Requests/s under load", 1.0),
    ("p99_ms", "p99 latency (ms)", 1.0),
)


def service_long_form(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every measured service's median and min–max per metric, shaped like `long_form` for the same chart."""
    lang = params.get("lang")
    out = []
    found = service_results(params)
    for name, svc in services(params).items():
        lk = found[name]
        if not lk.ok or lk.result["summary"]["status"] != "measured":
            continue
        s = lk.result["summary"]
        key = "go" if svc["role"] == "go" else "current"
        label = (_("{name} (Go rewrite)", lang) if svc["role"] == "go" else
                 _("{name} (current)", lang)).format(name=name)
        for metric, heading, _scale in SERVICE_PANELS:
            if s[metric]["median"] is not None:
                out.append({"runtime": label, "key": key, "metric": heading, "median": s[metric]["median"],
                            "min": s[metric]["min"], "max": s[metric]["max"]})
        if s.get("shipped_bytes"):
            mib = s["shipped_bytes"] / 2**20
            out.append({"runtime": label, "key": key, "metric": "Shipped (MiB)", "median": mib, "min": mib, "max": mib})
    return out


_MESSAGE = re.compile(r"^(?P<n>\d+) (?P<what>fresh starts|load runs against the running service \(start-up and memory "
                      r"not measured\))(?:; (?P<errors>\d+) responses failed the checks under load, first: (?P<first>.*))?$",
                      re.S)


def _service_message(message: str, lang: str | None = None) -> str:
    """team_services' summary message ("5 fresh starts; …") in `lang` (the same facts; English as measured)."""
    m = _MESSAGE.match(message or "")
    if lang in (None, "en") or not m:
        return message
    text = (_("{n} fresh starts", lang) if m["what"] == "fresh starts" else
            _("{n} load runs against the running service (start-up and memory not measured)", lang)).format(n=m["n"])
    if m["errors"]:
        text += _("; {errors} responses failed the checks under load, first: {first}", lang).format(
            errors=m["errors"], first=m["first"])
    return text


def _service_what(svc: Mapping[str, Any], lang: str | None = None) -> str:
    if svc["mode"] == "go_build":
        return f"go build {svc['go_build']}"
    if svc["mode"] == "url":
        return _("already running at {url}", lang).format(url=svc["url"])
    return " ".join(svc["run"])


def service_comparisons(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Go rewrite against the current service per metric (team_services.comparisons), each with its unit and
    digits (for `comparison_sentence`)."""
    from .measure.team_services import COMPARED, comparisons
    from .services import pair

    cur, go = pair(services(params))
    if not cur or not go:
        return []
    found = service_results(params)
    g, c = found[go["name"]], found[cur["name"]]
    units = {name: (unit, digits) for _key, name, _low, unit, digits in COMPARED}
    return [dict(x, unit=units.get(x["metric"], ("", 1))[0], digits=units.get(x["metric"], ("", 1))[1])
            for x in comparisons(g.result if g.ok else None, c.result if c.ok else None)]


def comparison_sentence(c: Mapping[str, Any], lang: str | None = None, unit: str = "", digits: int = 1) -> str:
    """One comparison (services.compare) as a sentence: the engine's own in English; in another language the same
    medians, intervals, ratio and test, worded from its numbers."""
    if lang in (None, "en"):
        return c["sentence"]
    metric = _(c["metric"], lang)
    if not c.get("measured"):
        return _("{metric}: not measured for both services", lang).format(metric=metric)

    def fmt(m, iv):
        return f"{m:.{digits}f} {unit} [{iv[0]:.{digits}f}–{iv[1]:.{digits}f}]".replace("  ", " ")
    too_few = re.search(r"\(n = (\d+\+\d+): the smallest possible p is ([\d.]+)\); the ranges over the repeats "
                        r"(do not overlap|overlap)", c.get("sentence", ""))
    if c["significant"]:
        verdict = (_("Go is better, by more than the run-to-run spread (p = {p})", lang) if c["go_better"] else
                   _("Go is worse, by more than the run-to-run spread (p = {p})", lang)).format(p=f"{c['p_value']:.3f}")
    elif too_few:   # the engine's sentence says why no test was possible: the same facts, in `lang`
        n, min_p, overlap = too_few.groups()
        verdict = (_("too few repeats to test against the run-to-run spread (n = {n}: the smallest possible p is "
                     "{min_p}); the ranges over the repeats do not overlap", lang) if overlap == "do not overlap" else
                   _("too few repeats to test against the run-to-run spread (n = {n}: the smallest possible p is "
                     "{min_p}); the ranges over the repeats overlap", lang)).format(n=n, min_p=min_p)
    else:
        verdict = _("no difference beyond the run-to-run spread (p = {p})", lang).format(p=f"{c['p_value']:.2f}")
    ratio = _(", ×{ratio}", lang).format(ratio=f"{c['ratio']:.2f}") if c.get("ratio") else ""
    return _("{metric}: Go {go} vs current {current}{ratio} — {verdict}", lang).format(
        metric=metric, go=fmt(c["go_median"], c["go_interval"]),
        current=fmt(c["current_median"], c["current_interval"]),
        ratio=ratio, verdict=verdict)


RUNTIME_METRICS = (
    # (summary key, column heading: also the chart's metric key, translated where shown; digits)
    ("startup_ms", N_("Start → first 200 (ms)"), 1),
    ("rss_first_mib", N_("RSS at first response (MiB)"), 1),
    ("rss_after_requests_mib", N_("RSS after sequential requests (MiB)"), 1),
    ("rss_load_mib", N_("Peak RSS under load (MiB)"), 1),
    ("qps", N_("Requests/s under load"), 0),
    ("p50_ms", N_("p50 latency (ms)"), 3),
    ("p99_ms", N_("p99 latency (ms)"), 3),
)


def runtime_name(key: str, label: str, lang: str | None = None) -> str:
    """A runtime's name as shown: the measurement's label (RUNTIME_NAMES marks them), in `lang` where it has words."""
    return _(label, lang)


def runtime_columns(lang: str | None = None) -> list[str]:
    return [_(h, lang) for h in ("Runtime", "Version", "Status")] + [_(h, lang) for _k, h, _d in RUNTIME_METRICS] \
        + [_("Shipped (MiB)", lang)]


def runtime_rows(found: measure.Lookup, lang: str | None = None) -> list[dict[str, Any]]:
    """One row per runtime: median with (min–max) over the repeats, or why it was not measured."""
    if not found.ok:
        return []
    rows = []
    status = _("Status", lang)
    for key, rt in found.result["summary"]["runtimes"].items():
        row: dict[str, Any] = {"runtime": key, _("Runtime", lang): runtime_name(key, rt.get("label", key), lang),
                               _("Version", lang): rt.get("version", "")}
        if not rt.get("available"):
            row[status] = _("not measured: {reason}", lang).format(reason=rt.get("reason") or _("not available", lang))
        elif rt.get("error"):
            row[status] = _("failed: {message}", lang).format(message=rt["error"].splitlines()[0])
        else:
            row[status] = _("measured, {n} runs", lang).format(n=rt["qps"]["n"]) + (
                _(", {n} request errors", lang).format(n=rt["errors"]) if rt["errors"] else "")
            for metric, heading, digits in RUNTIME_METRICS:
                s = rt[metric]
                row[_(heading, lang)] = f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"
            row[_("Shipped (MiB)", lang)] = f"{rt['artifact_mib']:.1f}"
        rows.append(row)
    return rows


def long_form(found: measure.Lookup) -> list[dict[str, Any]]:
    """Every run's value per runtime and metric, for charts (median and spread). Data keys: the runtime's label
    and the metric's English heading (the chart translates what it shows)."""
    if not found.ok:
        return []
    out = []
    summary = found.result["summary"]["runtimes"]
    for key, rt in summary.items():
        if not rt.get("available") or rt.get("error"):
            continue
        for metric, heading, _unit in RUNTIME_METRICS:
            s = rt[metric]
            out.append({"runtime": rt["label"], "key": key, "metric": heading, "median": s["median"],
                        "min": s["min"], "max": s["max"]})
        out.append({"runtime": rt["label"], "key": key, "metric": "Shipped (MiB)", "median": rt["artifact_mib"],
                    "min": rt["artifact_mib"], "max": rt["artifact_mib"]})
    return out


# Go against the current runtime, one phrase per metric and direction (whole phrases, for translation)
FINDING_PHRASES = {
    "startup_ms": (N_("{ratio}× faster start"), N_("{ratio}× slower start"), N_("same start-up time")),
    "rss_load_mib": (N_("{ratio}× less peak memory"), N_("{ratio}× more peak memory"), N_("same peak memory")),
    "qps": (N_("{ratio}× lower throughput"), N_("{ratio}× higher throughput"), N_("same throughput")),
}


def finding(found: measure.Lookup, current: str, lang: str | None = None) -> str:
    """One sentence comparing measured Go with the team's current runtime (the chart's title)."""
    if not found.ok:
        return _("Not measured on this machine yet", lang)
    rts = found.result["summary"]["runtimes"]
    go, cur = rts.get("go", {}), rts.get(current, {})
    if not go.get("available") or go.get("error"):
        return _("Go could not be measured on this machine", lang)
    if not cur.get("available") or cur.get("error"):
        return _("Go: first response after {start} ms at {rss} MiB RSS; {current} was not measured here", lang).format(
            start=f"{go['startup_ms']['median']:.0f}", rss=f"{go['rss_first_mib']['median']:.1f}",
            current=runtime_name(current, cur.get("label", current), lang))

    def compare(metric: str) -> str:
        """'3.2× faster start' when Go's value is lower, '1.5× slower start' when higher."""
        lower, higher, same = FINDING_PHRASES[metric]
        g, c = go[metric]["median"], cur[metric]["median"]
        if g == c:
            return _(same, lang)
        return _(lower, lang).format(ratio=f"{c / g:.1f}") if g < c else _(higher, lang).format(ratio=f"{g / c:.1f}")

    return _("Go vs {runtime}: {start}, {memory}, {throughput}", lang).format(
        runtime=runtime_name(current, cur.get("label", current), lang), start=compare("startup_ms"),
        memory=compare("rss_load_mib"), throughput=compare("qps"))


PEER_COMPARED = (  # (summary key, name, lower is better, unit, digits)
    ("startup_ms", "Start → first 2xx", True, "ms", 1), ("rss_load_mib", "Peak RSS under load", True, "MiB", 1),
    ("qps", "Requests/s", False, "req/s", 0), ("p99_ms", "p99 latency", True, "ms", 3),
)


def peer_comparisons(found: measure.Lookup, current: str) -> list[dict[str, Any]]:
    """Go's minimal peer against the current stack's, per metric, with intervals and a test against the
    run-to-run spread (the same comparison as for your services)."""
    from .services import compare

    if not found.ok:
        return []
    rts = found.result["summary"]["runtimes"]
    go, cur = rts.get("go", {}), rts.get(current, {})
    if not all(r.get("available") and not r.get("error") for r in (go, cur)):
        return []
    return [dict(compare(name, go[key]["values"], cur[key]["values"], lower_is_better=low, unit=unit, digits=digits),
                 unit=unit, digits=digits)
            for key, name, low, unit, digits in PEER_COMPARED]


SEED_TABLE = (
    # (dimension, seed's Go column, seed's comparison column: the source's words, in Chinese as written and in
    # English as paraphrased; metric in the runtime summary, unit)
    (N_("Start-up time (启动耗时)"), N_("(value missing in the source)"),
     N_("100 ms – 2 s (JVM warm-up / interpreter load)"), "startup_ms", "ms"),
    (N_("Resident memory peak (内存常驻峰值)"), N_("~8 MB (simple web service)"), N_("~200 MB+ (Spring Boot defaults)"),
     "rss_load_mib", "MiB"),
    (N_("Build artifact (构建产物大小)"), N_("single file, 10–15 MB"), N_("JAR + runtime / Python virtualenv"),
     "artifact_mib", "MiB"),
)


def seed_table_rows(found: measure.Lookup, lang: str | None = None) -> list[dict[str, Any]]:
    """The seed's comparison table next to what was measured here, per runtime."""
    rts = found.result["summary"]["runtimes"] if found.ok else {}
    rows = []
    for dim, seed_go, seed_other, metric, unit in SEED_TABLE:
        row = {_("Dimension", lang): _(dim, lang), _("Seed: Go", lang): _(seed_go, lang),
               _("Seed: Java/Python", lang): _(seed_other, lang)}
        for key, rt in rts.items():
            column = _("Measured: {runtime}", lang).format(runtime=runtime_name(key, rt.get("label", key), lang))
            if not rt.get("available") or rt.get("error"):
                row[column] = _("not measured", lang)
                continue
            value = rt[metric]["median"] if isinstance(rt[metric], dict) else rt[metric]
            row[column] = f"{value:.1f} {unit}"
        rows.append(row)
    return rows


# The planted problems' descriptions in go-samples/vetcheck/PLANTED.json, marked for translation (a test checks that
# every description there is one of these; a new one shows in English until it is added here)
PLANTED_DESCRIPTIONS = (
    N_("fmt.Printf with a %d verb applied to a string argument."),
    N_("A struct containing a sync.Mutex is passed by value, copying the lock."),
    N_("A statement after an unconditional return can never run."),
    N_("A goroutine closure captures the range variable; with go 1.21 semantics all goroutines share one variable."),
    N_("The result of fmt.Sprintf is discarded, so the call does nothing."),
    N_("x = x assigns a variable to itself (the intended assignment is missing)."),
    N_("Malformed struct tag json:name (the value is not quoted), so encoding/json ignores it."),
    N_("The results of the first strconv.Atoi call are overwritten before being read."),
    N_("Call to the deprecated strings.Title."),
    N_("The loop body ends in an unconditional break, so it runs at most once."),
    N_("A nil context.Context is passed to http.NewRequestWithContext."),
)


def static_rows(found: measure.Lookup, lang: str | None = None) -> list[dict[str, Any]]:
    if not found.ok:
        return []
    rows = []
    for r in found.result["summary"]["rows"]:
        exp = r.get("expected", {})
        rows.append({_("Planted problem", lang): r["id"], _("Where", lang): f"{r['file']}:{r['line']}",
                     _("What", lang): _(r.get("description", ""), lang),
                     _("Expected", lang): ", ".join(f"{k}: {v}" for k, v in exp.items() if v),
                     _("go vet found", lang): ", ".join(r["found"]["vet"]) or "—",
                     _("staticcheck found", lang): ", ".join(r["found"]["staticcheck"]) or "—"})
    return rows


def key_figures(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chapter's headline figures for the summary chapter, each with its provenance. Labels are English msgids
    (the same in every language: reports compare them), translated where shown; the runtime and the services
    compared are named in the report beside them (current stack, the gates' basis)."""
    found = CHAPTER.results(params)
    out: list[dict[str, Any]] = []

    def add(label, value, unit, lookup, digits=1):
        out.append({"chapter": 1, "figure": label, "value": None if value is None else round(value, digits),
                    "unit": unit, "kind": "measured", "status": lookup.status,
                    "provenance": measure.provenance_line(lookup.result) if lookup.ok else lookup.reason})

    qv = found["quick_validation"]
    if qv.ok:
        rts = qv.result["summary"]["runtimes"]
        go, cur = rts.get("go", {}), rts.get(params["current_stack"], {})
        if go.get("available") and not go.get("error"):
            add(N_("Go: start → first 200"), go["startup_ms"]["median"], "ms", qv)
            add(N_("Go: peak RSS under load"), go["rss_load_mib"]["median"], "MiB", qv)
            if cur.get("available") and not cur.get("error"):
                add(N_("Current stack: peak RSS under load"), cur["rss_load_mib"]["median"], "MiB", qv)
                add(N_("Go / current stack: requests per second"), go["qps"]["median"] / cur["qps"]["median"], "×",
                    qv, 2)
                add(N_("Go / current stack: shipped bytes"), go["artifact_mib"] / cur["artifact_mib"], "×", qv, 3)
    bs = found["go_binary_size"]
    if bs.ok:
        add(N_("Go binary (default build)"), bs.result["summary"]["default_mb"], "MB", bs, 2)
        add(N_("Saving from -ldflags '-s -w'"), bs.result["summary"]["strip_saving_pct"], "%", bs)
    from .services import pair

    cur_svc, go_svc = pair(services(params))
    if cur_svc and go_svc:
        svc_found = service_results(params)
        g, c = svc_found[go_svc["name"]], svc_found[cur_svc["name"]]
        if g.ok and c.ok and g.result["summary"]["status"] == c.result["summary"]["status"] == "measured":
            gs, cs = g.result["summary"], c.result["summary"]
            add(N_("Your services, Go rewrite / current: requests per second"),
                gs["qps"]["median"] / cs["qps"]["median"], "×", g, 2)
            if gs["rss_peak_mib"]["median"] and cs["rss_peak_mib"]["median"]:
                add(N_("Your services, Go rewrite / current: peak RSS under load"),
                    gs["rss_peak_mib"]["median"] / cs["rss_peak_mib"]["median"], "×", g, 2)
            if gs["start_ms"]["median"] and cs["start_ms"]["median"]:
                add(N_("Your services, Go rewrite / current: start → first 2xx"),
                    gs["start_ms"]["median"] / cs["start_ms"]["median"], "×", g, 2)
    sa = found["static_analysis"]
    if sa.ok:
        s = sa.result["summary"]
        add(N_("Planted problems found by go vet + staticcheck"), 100 * s["union_found"] / s["planted"], "%", sa, 0)
    if not out:
        out.append({"chapter": 1, "figure": N_("quick validation"), "value": None, "unit": "", "kind": "measured",
                    "status": qv.status, "provenance": qv.reason})
    return out
