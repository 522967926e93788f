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
from .i18n import N_, _

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
# How rules are shown (plain sentences, one place, so they can be translated).
OP_TEXT = {"le": "≤ {0}", "ge": "≥ {0}", "lt": "< {0}", "gt": "> {0}", "between": "{0} to {1}", "eq": "= {0}"}
OP_BOOL_TEXT = "the answer is {0}"
RULE_OTHERWISE = "otherwise does not hold"
FLIP_NONE = "no value in the declared range gives another verdict"


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
    return problems


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


def _num(x: Any, unit: str = "") -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    text = f"{x:,}" if isinstance(x, int) else (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}")
    return f"{text} {unit}".strip()


def condition_text(cond: dict, unit: str = "") -> str:
    op, arg = next(iter(cond.items()))
    if op == "eq" and isinstance(arg, bool):
        return OP_BOOL_TEXT.format(_num(arg))
    args = arg if isinstance(arg, list) else [arg]
    return OP_TEXT[op].format(*(_num(a, unit if op != "eq" or not isinstance(a, bool) else "") for a in args))


def rule_text(rule: dict) -> str:
    """The rule in words, in the order it is applied: 'outdated if …; holds if …; partly holds if …; otherwise …'."""
    unit = rule.get("unit", "")
    parts = []
    for name, label in (("outdated", "outdated"), ("holds", "holds"), ("partly", "partly holds")):
        if name in rule:
            parts.append(f"{label} if {condition_text(rule[name], unit)}")
    return "; ".join(parts + [RULE_OTHERWISE])


def flip_text(rule: dict, value: Any) -> str:
    """The nearest value (within the declared range) that would give a different verdict."""
    if value is None or "range" not in rule:
        return ""
    now = judge(rule, value)
    unit = rule.get("unit", "")
    if isinstance(value, bool) or isinstance(rule["range"][0], bool):
        other = not bool(value)
        verdict = judge(rule, other)
        return f"'{verdict}' if it were {_num(other)}" if verdict != now else FLIP_NONE
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
                best[side] = (abs(probe - value), f"'{verdict}' {where} {_num(b, unit)}")
    return "; ".join(best[s][1] for s in ("down", "up") if s in best) or FLIP_NONE


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


def spread_text(spread: dict | None, unit: str = "") -> str:
    if not spread or spread.get("min") is None:
        return "one run"
    n = f" over {spread['n']} runs" if spread.get("n") else ""
    return f"{_num(spread['min'])}–{_num(spread['max'], unit)}{n}"


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
                         conditions=c.get("conditions", "") or "")
        if c["kind"] == "cited":
            v.verdict = "cited"
            v.status = "source: " + (c["source"].get("title", "") if isinstance(c.get("source"), dict) else "none found")
        elif c["kind"] == "unverifiable":
            v.verdict = "unverifiable"
            v.status = c["why"]
        elif c["kind"] == "model":
            v.verdict = "model"
            v.status = f"computed by the {c['model']} model in chapter {c['chapter']}"
        else:
            rule = c["verdict"]
            v.unit = rule.get("unit", "")
            v.rule, v.value_range = rule_text(rule), rule.get("range")
            v.metric = " / ".join(rule["ratio"]) if rule.get("ratio") else rule["metric"]
            name = c["measurement"]
            if name not in known:
                v.verdict, v.status = "not measured yet", f"measurement {name} is planned for chapter {c['chapter']}"
            else:
                if name not in looked:
                    looked[name] = lookup(name)
                found = looked[name]
                if not found.ok:
                    v.verdict, v.status = "not measured yet", found.reason
                else:
                    try:
                        v.value = rule_value(rule, found.result["summary"])
                    except KeyError:
                        v.verdict, v.status = "not measured yet", f"{name} has no value for {rule.get('metric') or rule.get('ratio')} on this machine"
                    else:
                        if v.value is None:  # the measurement ran but could not produce this value here
                            v.verdict, v.status = "not measured yet", f"{name} reports no value for {v.metric} on this machine"
                        else:
                            v.verdict = judge(rule, v.value)
                            v.status = found.status if found.status == "current" else found.reason
                            v.spread = value_spread(rule, found.result["summary"])
                            v.flip = flip_text(rule, v.value)
                        v.provenance = found.result["provenance"]
        out.append(v)
    return out


def table_rows(verdicts: list[ClaimVerdict]) -> list[dict[str, Any]]:
    """The rows of a chapter's claims table: the claim, its verdict, the value measured here, why, the source."""
    rows = []
    for v in verdicts:
        source = v.source.get("title", "") if isinstance(v.source, dict) else ""
        scope = " " + v.status if v.kind == "measured" and v.status and v.status != "current" else ""
        rows.append({"Claim": v.id, "§": v.section, "Source text": v.original, "Paraphrase": v.paraphrase,
                     "Kind": v.kind, "Verdict": v.verdict, "Reading": v.reading, "Rule": v.rule,
                     "Measured here": format_value(v),
                     "Spread": spread_text(v.spread, v.unit) if v.kind == "measured" and v.value is not None else "",
                     "Why / scope": (v.note + scope).strip(),
                     "Source": source or ("none found" if v.kind == "cited" else "")})
    return rows


def format_value(v: ClaimVerdict) -> str:
    if v.value is None:
        return ""
    if isinstance(v.value, bool):
        return "yes" if v.value else "no"
    if isinstance(v.value, float):
        digits = 2 if abs(v.value) < 10 else 1
        return f"{v.value:.{digits}f} {v.unit}".strip()
    return f"{v.value} {v.unit}".strip()
