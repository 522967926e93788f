"""The claims ledger: every checkable claim of the source document, joined with results.

`data/claims.yaml` says for each claim what kind it is (measured / model / cited /
unverifiable) and, for measured ones, which measurement settles it and the rule that turns
the measured value into a verdict. The verdict is computed here, never written by hand.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from . import paths
from .i18n import N_, _, normalize

KINDS = ("measured", "model", "cited", "unverifiable")
VERDICTS = ("holds", "partly holds", "does not hold", "outdated")
# How verdicts, statuses and kinds are shown (the values above stay the keys everywhere: data, JSON, filters).
VERDICT_NAMES = {"holds": N_("holds"), "partly holds": N_("partly holds"), "does not hold": N_("does not hold"),
                 "outdated": N_("outdated"), "not measured yet": N_("not measured yet"), "cited": N_("cited"),
                 "unverifiable": N_("unverifiable"), "model": N_("model"), "all": N_("all")}
KIND_NAMES = {"measured": N_("measured"), "model": N_("model"), "cited": N_("cited"),
              "unverifiable": N_("unverifiable")}


def verdict_name(verdict: str, lang: str | None = None) -> str:
    """A verdict or status as the reader sees it (成立 / 部分成立 / 不成立 / 已过时 … in Chinese)."""
    return _(VERDICT_NAMES.get(verdict, verdict), lang)


def kind_name(kind: str, lang: str | None = None) -> str:
    return _(KIND_NAMES.get(kind, kind), lang)
REQUIRED = ("id", "chapter", "section", "original", "paraphrase", "kind")
CONDITION_OPS = ("le", "ge", "lt", "gt", "between", "eq")
# What every measured claim must also state: what the source means, and why the metric measures exactly that.
MEASURED_REQUIRED = ("reading", "why_metric")
# The English prose a reader sees. Each has a Chinese twin `<field>_zh` beside it in the ledger (schema_problems
# insists, so a claim cannot be added half translated); `text()` picks the language.
TEXT_FIELDS = ("paraphrase", "reading", "why_metric", "conditions", "note", "why")
# How rules are shown (plain sentences, one place, so they can be translated).
OP_TEXT = {"le": "≤ {0}", "ge": "≥ {0}", "lt": "< {0}", "gt": "> {0}", "between": N_("{0} to {1}"), "eq": "= {0}"}
OP_BOOL_TEXT = N_("the answer is {0}")
RULE_PART = N_("{verdict} if {condition}")
RULE_OTHERWISE = N_("otherwise does not hold")
FLIP_NONE = N_("no value in the declared range gives another verdict")
FLIP_BOOL = N_("'{verdict}' if it were {value}")
FLIP_AT = {"below": N_("'{verdict}' below {bound}"), "at": N_("'{verdict}' at {bound}"),
           "above": N_("'{verdict}' above {bound}")}
YES_NO = {True: N_("yes"), False: N_("no")}
SPREAD_ONE = N_("one run")
SPREAD_RUNS = N_("{low}–{high} over {n} runs")
# Units that are words: shown with the number in the reader's language ("19,000 connections" / "19,000 个连接").
UNIT_FORMATS = {"connections": N_("{n} connections"), "goroutines": N_("{n} goroutines"), "bytes": N_("{n} bytes"),
                "requests": N_("{n} requests"), "threads": N_("{n} threads"), "targets": N_("{n} targets"),
                "findings": N_("{n} findings"), "fraction": N_("{n} fraction")}
# Why a claim has no measured verdict, or where it is addressed (ClaimVerdict.status)
STATUS_SOURCE = N_("source: {title}")
STATUS_NO_SOURCE = N_("source: none found")
STATUS_MODEL = N_("computed by the {model} model in chapter {chapter}")
STATUS_PLANNED = N_("measurement {name} is planned for chapter {chapter}")
STATUS_NO_VALUE = N_("{name} has no value for {metric} on this machine")
STATUS_NONE_REPORTED = N_("{name} reports no value for {metric} on this machine")
# The claims table (table_rows): its headers (the caption is widgets/render.py CLAIMS_CAPTION)
TABLE_HEADERS = {"claim": N_("Claim"), "section": "§", "original": N_("Source text"), "paraphrase": N_("Paraphrase"),
                 "kind": N_("Kind"), "verdict": N_("Verdict"), "reading": N_("Reading"), "rule": N_("Rule"),
                 "measured": N_("Measured here"), "spread": N_("Spread"), "why": N_("Why / scope"),
                 "source": N_("Source")}
NONE_FOUND = N_("none found")


class ClaimsError(ValueError):
    pass


def claims_path() -> Path:
    return paths.data_dir() / "claims.yaml"


def schema_problems(claims: Any) -> list[str]:
    """Every way the ledger breaks its schema; empty when it is sound."""
    if not isinstance(claims, list):
        return ["the ledger must be a YAML list"]
    problems, seen = [], set()
    for i, claim in enumerate(claims):
        where = f"claim #{i + 1} ({claim.get('id', '?') if isinstance(claim, dict) else '?'})"
        if not isinstance(claim, dict):
            problems.append(f"{where}: not a mapping")
            continue
        for key in REQUIRED:
            if claim.get(key) in (None, ""):
                problems.append(f"{where}: missing {key}")
        if claim.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(claim.get("id"))
        if claim.get("chapter") not in (1, 2, 3, 4, 5):
            problems.append(f"{where}: chapter must be 1-5")
        kind = claim.get("kind")
        if kind not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        if kind == "measured":
            if not claim.get("measurement"):
                problems.append(f"{where}: measured claim without measurement")
            rule = claim.get("verdict")
            if not isinstance(rule, dict) or not (rule.get("metric") or rule.get("ratio")) or "holds" not in rule:
                problems.append(f"{where}: measured claim needs verdict.metric (or ratio) and verdict.holds")
            else:
                for name in ("holds", "partly", "outdated"):
                    if name in rule and not _valid_condition(rule[name]):
                        problems.append(f"{where}: verdict.{name} must be one of {CONDITION_OPS}")
                if not _valid_range(rule.get("range")):
                    problems.append(f"{where}: verdict.range must be [low, high] (numbers) or [false, true]: the values "
                                    "the measurement can produce, so the rule can be checked across them")
            for key in MEASURED_REQUIRED:
                if not claim.get(key):
                    problems.append(f"{where}: measured claim without {key}")
        elif kind == "model" and not claim.get("model"):
            problems.append(f"{where}: model claim without model")
        elif kind == "cited" and "source" not in claim:
            problems.append(f"{where}: cited claim without source (use source: null and a note if none was found)")
        elif kind == "cited" and claim.get("source") is None and not claim.get("note"):
            problems.append(f"{where}: cited claim with no source must say so in note")
        elif kind == "unverifiable" and not claim.get("why"):
            problems.append(f"{where}: unverifiable claim without why")
        for key in TEXT_FIELDS:
            if claim.get(key) and not claim.get(key + "_zh"):
                problems.append(f"{where}: {key} has no Chinese twin: add {key}_zh beside it (a faithful translation)")
    return problems


def text(claim: Any, name: str, lang: str | None = None) -> str:
    """A reader-facing text of a claim in `lang`: a ledger entry (dict) or a ClaimVerdict, `name` one of
    TEXT_FIELDS (or, for a ClaimVerdict, status / rule / flip). Chinese is the `<name>_zh` twin; English is
    shown only where no twin exists."""
    if isinstance(claim, ClaimVerdict):
        english, chinese = getattr(claim, name, ""), claim.zh.get(name)
    else:
        english, chinese = claim.get(name), claim.get(name + "_zh")
    if normalize(lang) == "zh" and chinese:
        return chinese
    return "" if english is None else str(english)


def _valid_condition(cond: Any) -> bool:
    return isinstance(cond, dict) and len(cond) == 1 and next(iter(cond)) in CONDITION_OPS


def _valid_range(rng: Any) -> bool:
    if not isinstance(rng, list) or len(rng) != 2:
        return False
    if all(isinstance(x, bool) for x in rng):
        return rng[0] != rng[1]
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng) and rng[0] < rng[1]


def _bounds(rule: dict) -> list[float]:
    """Every threshold named in a rule's conditions."""
    out: list[float] = []
    for name in ("holds", "partly", "outdated"):
        if name in rule:
            arg = next(iter(rule[name].values()))
            for x in (arg if isinstance(arg, list) else [arg]):
                if isinstance(x, (int, float)) and not isinstance(x, bool):
                    out.append(float(x))
    return out


def range_samples(rule: dict) -> list[Any]:
    """Values across the rule's declared range: its ends, every threshold and either side of it, and the
    midpoints between them (enough to meet every region a rule of these conditions can draw)."""
    lo, hi = rule["range"]
    if isinstance(lo, bool):
        return [False, True]
    points = {float(lo), float(hi)}
    for b in _bounds(rule):
        eps = max(abs(b), 1.0) * 1e-6
        points |= {b - eps, b, b + eps}
    ordered = sorted(p for p in points if lo <= p <= hi)
    mids = [(a + b) / 2 for a, b in zip(ordered, ordered[1:])]
    return sorted(set(ordered) | set(mids))


def possible_verdicts(rule: dict) -> set[str]:
    """The verdicts a rule can give over the values its measurement can produce (its declared range)."""
    return {judge(rule, v) for v in range_samples(rule)}


def with_unit(number: str, unit: str = "", lang: str | None = None) -> str:
    """A formatted number with its unit, the unit in the reader's language where it is a word."""
    if unit in UNIT_FORMATS:
        return _(UNIT_FORMATS[unit], lang).format(n=number)
    return f"{number} {unit}".strip()


def _num(x: Any, unit: str = "", lang: str | None = None) -> str:
    if isinstance(x, bool):
        return _(YES_NO[x], lang)
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    text = f"{x:,}" if isinstance(x, int) else (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}")
    return with_unit(text, unit, lang)


def _sep(lang: str | None) -> str:
    return "；" if normalize(lang) == "zh" else "; "


def condition_text(cond: dict, unit: str = "", lang: str | None = None) -> str:
    op, arg = next(iter(cond.items()))
    if op == "eq" and isinstance(arg, bool):
        return _(OP_BOOL_TEXT, lang).format(_num(arg, lang=lang))
    args = arg if isinstance(arg, list) else [arg]
    return _(OP_TEXT[op], lang).format(*(_num(a, unit if op != "eq" or not isinstance(a, bool) else "", lang)
                                         for a in args))


def rule_text(rule: dict, lang: str | None = None) -> str:
    """The rule in words, in the order it is applied: 'outdated if …; holds if …; partly holds if …; otherwise …'."""
    unit = rule.get("unit", "")
    parts = []
    for name, verdict in (("outdated", "outdated"), ("holds", "holds"), ("partly", "partly holds")):
        if name in rule:
            parts.append(_(RULE_PART, lang).format(verdict=verdict_name(verdict, lang),
                                                   condition=condition_text(rule[name], unit, lang)))
    return _sep(lang).join(parts + [_(RULE_OTHERWISE, lang)])


def flip_text(rule: dict, value: Any, lang: str | None = None) -> str:
    """The nearest value (within the declared range) that would give a different verdict."""
    if value is None or "range" not in rule:
        return ""
    now = judge(rule, value)
    unit = rule.get("unit", "")
    if isinstance(value, bool) or isinstance(rule["range"][0], bool):
        other = not bool(value)
        verdict = judge(rule, other)
        return (_(FLIP_BOOL, lang).format(verdict=verdict_name(verdict, lang), value=_num(other, lang=lang))
                if verdict != now else _(FLIP_NONE, lang))
    if not isinstance(value, (int, float)):
        return ""
    # the nearest change on each side of the measured value
    best: dict[str, tuple[float, str]] = {}
    lo, hi = rule["range"]
    for b in _bounds(rule):
        eps = max(abs(b), 1.0) * 1e-6
        for probe, where in ((b - eps, "below"), (b, "at"), (b + eps, "above")):
            if not lo <= probe <= hi:
                continue
            verdict = judge(rule, probe)
            side = "down" if probe < value else "up"
            if verdict != now and (side not in best or abs(probe - value) < best[side][0]):
                best[side] = (abs(probe - value), _(FLIP_AT[where], lang).format(
                    verdict=verdict_name(verdict, lang), bound=_num(b, unit, lang)))
    return _sep(lang).join(best[s][1] for s in ("down", "up") if s in best) or _(FLIP_NONE, lang)


def value_spread(rule: dict, summary: dict) -> dict | None:
    """Lowest and highest value over the repeated runs behind a median, where the result has them:
    an explicit `spread: [min_path, max_path]`, or the min/max beside a `….median` metric (for a ratio of
    medians, the widest ratio the runs allow)."""
    def sibling(path: str, key: str) -> Any:
        return resolve(summary, path.rsplit(".", 1)[0] + "." + key)

    try:
        if rule.get("spread"):
            lo, hi = (resolve(summary, p) for p in rule["spread"])
            return {"min": lo, "max": hi, "n": None}
        if rule.get("metric", "").endswith(".median"):
            m = rule["metric"]
            return {"min": sibling(m, "min"), "max": sibling(m, "max"), "n": sibling(m, "n")}
        if rule.get("ratio") and all(p.endswith(".median") for p in rule["ratio"]):
            num, den = rule["ratio"]
            lo = sibling(num, "min") / sibling(den, "max")
            hi = sibling(num, "max") / sibling(den, "min")
            return {"min": lo, "max": hi, "n": min(sibling(num, "n"), sibling(den, "n"))}
    except (KeyError, TypeError, ZeroDivisionError):
        return None
    return None


def spread_text(spread: dict | None, unit: str = "", lang: str | None = None) -> str:
    if not spread or spread.get("min") is None:
        return _(SPREAD_ONE, lang)
    low, high = _num(spread["min"], lang=lang), _num(spread["max"], unit, lang)
    if spread.get("n"):
        return _(SPREAD_RUNS, lang).format(low=low, high=high, n=spread["n"])
    return f"{low}–{high}"


_LOADED: dict[tuple[str, int, int], list[dict]] = {}


def load_claims(path: Path | None = None) -> list[dict]:
    """The claims, validated. Parsed once per file version: a batch renders every chapter for
    every profile in one kernel, and parsing the YAML costs far more than the rest of a ledger."""
    path = (path or claims_path()).resolve()
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _LOADED:
        claims = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        problems = schema_problems(claims)
        if problems:
            raise ClaimsError("data/claims.yaml is invalid:\n" + "\n".join(problems))
        _LOADED.clear()  # only the newest version of a file is worth keeping
        _LOADED[key] = claims
    return copy.deepcopy(_LOADED[key])  # callers may annotate their copy


def resolve(summary: dict, dotted: str) -> Any:
    value: Any = summary
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(dotted)
        value = value[part]
    return value


def condition_holds(cond: dict, value: Any) -> bool:
    op, arg = next(iter(cond.items()))
    if op == "eq":
        return value == arg
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return False
    if op == "between":
        return arg[0] <= value <= arg[1]
    return {"le": value <= arg, "ge": value >= arg, "lt": value < arg, "gt": value > arg}[op]


def rule_value(rule: dict, summary: dict) -> Any:
    if rule.get("ratio"):
        num, den = (resolve(summary, p) for p in rule["ratio"])
        if num is None or den in (None, 0):
            raise KeyError("ratio")
        return num / den
    return resolve(summary, rule["metric"])


def judge(rule: dict, value: Any) -> str:
    if "outdated" in rule and condition_holds(rule["outdated"], value):
        return "outdated"
    if condition_holds(rule["holds"], value):
        return "holds"
    if "partly" in rule and condition_holds(rule["partly"], value):
        return "partly holds"
    return "does not hold"


@dataclass
class ClaimVerdict:
    id: str
    chapter: int
    section: str
    kind: str
    original: str
    paraphrase: str
    claimed: Any
    verdict: str                 # a VERDICTS entry, or: not measured yet / cited / unverifiable / model
    value: Any = None
    unit: str = ""
    measurement: str | None = None
    status: str = ""             # current / stale: … / why it was not measured
    provenance: dict = field(default_factory=dict)
    note: str = ""
    source: Any = None
    reading: str = ""            # measured claims: what the source means, one sentence
    why_metric: str = ""         # measured claims: why the metric measures exactly that
    conditions: str = ""         # environment conditions pinned because they would flip the verdict
    rule: str = ""               # the verdict rule in words
    metric: str = ""             # the dotted metric path (or "a / b" for a ratio)
    value_range: Any = None      # the values the measurement can produce, as declared in the ledger
    spread: Any = None           # {"min", "max", "n"} over repeated runs, where the result has them
    flip: str = ""               # the nearest value that would give another verdict
    zh: dict = field(default_factory=dict)  # the Chinese of the texts above (TEXT_FIELDS, status, rule, flip): text()

    def as_dict(self) -> dict:
        return asdict(self)


def _fmt_claimed(claimed: Any) -> str:
    if not isinstance(claimed, dict):
        return "" if claimed is None else str(claimed)
    unit = claimed.get("unit", "")
    if "value" in claimed:
        return f"{claimed['value']} {unit}".strip()
    return f"{claimed.get('low')}–{claimed.get('high')} {unit}".strip()


def ledger(lookup: Callable[[str], Any] | None = None, *, chapter: int | None = None,
           claims: list[dict] | None = None) -> list[ClaimVerdict]:
    """Verdicts for every claim. `lookup(measurement)` returns a measure.Lookup (defaults to the cache)."""
    from . import measure

    if lookup is None:
        lookup = lambda name: measure.lookup(name, "quick")  # noqa: E731
    claims = claims if claims is not None else load_claims()
    known = {m.name for m in measure.all_measurements()}
    looked: dict[str, Any] = {}
    out = []
    for c in claims:
        if chapter is not None and c["chapter"] != chapter:
            continue
        v = ClaimVerdict(id=c["id"], chapter=c["chapter"], section=str(c["section"]), kind=c["kind"],
                         original=c["original"], paraphrase=c["paraphrase"], claimed=c.get("claimed"),
                         verdict=c["kind"], note=c.get("note", "") or "", source=c.get("source"),
                         measurement=c.get("measurement") or c.get("model"),
                         reading=c.get("reading", "") or "", why_metric=c.get("why_metric", "") or "",
                         conditions=c.get("conditions", "") or "",
                         zh={k: c[k + "_zh"] for k in TEXT_FIELDS if c.get(k + "_zh")})
        status: tuple[str, dict] | None = None   # a status message and its arguments, shown in either language
        if c["kind"] == "cited":
            v.verdict = "cited"
            title = c["source"].get("title", "") if isinstance(c.get("source"), dict) else ""
            status = (STATUS_SOURCE, {"title": title}) if title else (STATUS_NO_SOURCE, {})
        elif c["kind"] == "unverifiable":
            v.verdict = "unverifiable"
            v.status = c["why"]
            if c.get("why_zh"):
                v.zh["status"] = c["why_zh"]
        elif c["kind"] == "model":
            v.verdict = "model"
            status = (STATUS_MODEL, {"model": c["model"], "chapter": c["chapter"]})
        else:
            rule = c["verdict"]
            v.unit = rule.get("unit", "")
            v.rule, v.value_range = rule_text(rule), rule.get("range")
            v.zh["rule"] = rule_text(rule, "zh")
            v.metric = " / ".join(rule["ratio"]) if rule.get("ratio") else rule["metric"]
            name = c["measurement"]
            if name not in known:
                v.verdict, status = "not measured yet", (STATUS_PLANNED, {"name": name, "chapter": c["chapter"]})
            else:
                if name not in looked:
                    looked[name] = lookup(name)
                found = looked[name]
                if not found.ok:
                    v.verdict, v.status = "not measured yet", found.reason
                    _reason_zh(v, found)
                else:
                    try:
                        v.value = rule_value(rule, found.result["summary"])
                    except KeyError:
                        v.verdict = "not measured yet"
                        status = (STATUS_NO_VALUE, {"name": name, "metric": rule.get("metric") or rule.get("ratio")})
                    else:
                        if v.value is None:  # the measurement ran but could not produce this value here
                            v.verdict = "not measured yet"
                            status = (STATUS_NONE_REPORTED, {"name": name, "metric": v.metric})
                        else:
                            v.verdict = judge(rule, v.value)
                            v.status = found.status if found.status == "current" else found.reason
                            if found.status != "current":
                                _reason_zh(v, found)
                            v.spread = value_spread(rule, found.result["summary"])
                            v.flip = flip_text(rule, v.value)
                            v.zh["flip"] = flip_text(rule, v.value, "zh")
                        v.provenance = found.result["provenance"]
        if status is not None:
            message, args = status
            v.status, v.zh["status"] = _(message, "en").format(**args), _(message, "zh").format(**args)
        out.append(v)
    return out


def _reason_zh(v: ClaimVerdict, found: Any) -> None:
    """The cache's reason (stale / missing / reference) in Chinese, where the lookup can say it."""
    reason_in = getattr(found, "reason_in", None)
    if reason_in is not None:
        v.zh["status"] = reason_in("zh")


def table_rows(verdicts: list[ClaimVerdict], lang: str | None = None) -> list[dict[str, Any]]:
    """The rows of a chapter's claims table: the claim, its verdict, the value measured here, why, the source.
    Headers and texts in `lang`; ids, source quotes, source titles and figures are the same in both languages."""
    h = {key: _(header, lang) for key, header in TABLE_HEADERS.items()}
    rows = []
    for v in verdicts:
        source = v.source.get("title", "") if isinstance(v.source, dict) else ""
        status = text(v, "status", lang)
        scope = " " + status if v.kind == "measured" and v.status and v.status != "current" else ""
        rows.append({h["claim"]: v.id, h["section"]: v.section, h["original"]: v.original,
                     h["paraphrase"]: text(v, "paraphrase", lang), h["kind"]: kind_name(v.kind, lang),
                     h["verdict"]: verdict_name(v.verdict, lang), h["reading"]: text(v, "reading", lang),
                     h["rule"]: text(v, "rule", lang), h["measured"]: format_value(v, lang),
                     h["spread"]: (spread_text(v.spread, v.unit, lang)
                                   if v.kind == "measured" and v.value is not None else ""),
                     h["why"]: (text(v, "note", lang) + scope).strip(),
                     h["source"]: source or (_(NONE_FOUND, lang) if v.kind == "cited" else "")})
    return rows


def format_value(v: ClaimVerdict, lang: str | None = None) -> str:
    if v.value is None:
        return ""
    if isinstance(v.value, bool):
        return _(YES_NO[v.value], lang)
    if isinstance(v.value, float):
        digits = 2 if abs(v.value) < 10 else 1
        return with_unit(f"{v.value:.{digits}f}", v.unit, lang)
    return with_unit(f"{v.value}", v.unit, lang)
