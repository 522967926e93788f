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

KINDS = ("measured", "model", "cited", "unverifiable")
VERDICTS = ("holds", "partly holds", "does not hold", "outdated")
REQUIRED = ("id", "chapter", "section", "original", "paraphrase", "kind")
CONDITION_OPS = ("le", "ge", "lt", "gt", "between", "eq")


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
                         measurement=c.get("measurement") or c.get("model"))
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
                        v.verdict = judge(rule, v.value)
                        v.status = found.status if found.status == "current" else found.reason
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
                     "Kind": v.kind, "Verdict": v.verdict, "Measured here": format_value(v),
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
