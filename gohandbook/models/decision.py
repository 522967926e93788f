"""Chapter 1's weighted decision matrix, its recommendation and how robust that is.

The seed names three situations where Go fits and three constraints. The team answers
how strongly each describes it (0 = not at all … 4 = fully) and weighs each (0 … 10).
Score S = Σ sign·w·a/4 / Σ w lies in [-1, 1]: +1 when every fit applies fully and no
constraint does. S ≥ t recommends Go, S ≤ -t recommends against, in between says
"run the two-week validation first".

Sensitivity: S as a function of one weight w_k is (A + c·w_k) / (W + w_k) with
c = sign·a_k/4, so the weight at which S crosses a threshold t has a closed form,
w* = (t·W - A) / (c - t). We report how far each weight must move to flip the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _
from ..params import ParameterError

ANSWER_MAX = 4
WEIGHT_MAX = 10.0


@dataclass(frozen=True)
class Criterion:
    key: str
    sign: int          # +1 a reason for Go, -1 a constraint against
    label: str
    seed: str          # the source document's wording
    short: str = ""    # for slider labels (marked N_, translated where shown)


CRITERIA: tuple[Criterion, ...] = (
    Criterion("high_concurrency", +1, "High-concurrency infrastructure (gateways, brokers, collectors)",
              "高并发基础设施类系统:如API网关、消息代理、监控采集器", N_("High-concurrency infrastructure")),
    Criterion("ops_tooling", +1, "CI/CD and operations tooling shipped as single binaries",
              "CI/CD与运维工具开发:单二进制分发、无依赖部署", N_("CI/CD and ops tooling")),
    Criterion("efficiency_bottleneck", +1, "Engineering-efficiency bottleneck (style, reviews, onboarding)",
              "团队工程效能瓶颈明显时", N_("Efficiency bottleneck")),
    Criterion("compute_ai", -1, "Compute-heavy science or AI training tied to the Python ecosystem",
              "计算密集型科学建模或需要丰富生态库的AI训练任务", N_("Compute-heavy / AI training")),
    Criterion("legacy_abstractions", -1, "Legacy relying on heavy generics, AOP or complex ORM mapping",
              "对泛型抽象要求极高、需深度面向切面编程(AOP)或复杂ORM映射的遗留业务系统", N_("Legacy generics/AOP/ORM")),
    Criterion("no_systems_experience", -1, "Team without systems experience and no wish to learn",
              "现有团队完全缺乏系统编程经验且无意愿学习底层原理", N_("No systems experience")),
)
CRITERION_KEYS = tuple(c.key for c in CRITERIA)

RECOMMENDATIONS = {
    "adopt": N_("Choose Go for this workload: start the pilot"),
    "validate": N_("Undecided: run the two-week validation before deciding"),
    "hold": N_("Do not choose Go for this workload now"),
}
# The outcomes in a word or two (chart legends, the sensitivity table: "flips to …")
OUTCOMES = {"adopt": N_("choose Go"), "validate": N_("validate first"), "hold": N_("do not choose Go")}


@dataclass(frozen=True)
class MatrixInput:
    answers: dict[str, float]     # 0..4 per criterion
    weights: dict[str, float]     # 0..10 per criterion
    threshold: float = 0.2        # |S| needed for a clear recommendation

    def __post_init__(self) -> None:
        for key in CRITERION_KEYS:
            a, w = self.answers.get(key), self.weights.get(key)
            if a is None or not 0 <= a <= ANSWER_MAX:
                raise ParameterError(_("answer for {key} = {value} is out of range: allowed is 0 to {max}").format(
                    key=key, value=repr(a), max=ANSWER_MAX))
            if w is None or not 0 <= w <= WEIGHT_MAX:
                raise ParameterError(_("weight for {key} = {value} is out of range: allowed is 0 to {max}").format(
                    key=key, value=repr(w), max=f"{WEIGHT_MAX:g}"))
        if not 0 < self.threshold < 1:
            raise ParameterError(_("threshold = {value} is out of range: allowed is a number between 0 and 1 "
                                   "(exclusive)").format(value=repr(self.threshold)))


@dataclass(frozen=True)
class Contribution:
    key: str
    label: str
    sign: int
    answer: float
    weight: float
    points: float        # signed share of the score: sign·w·a/4 / Σw


@dataclass(frozen=True)
class Flip:
    key: str
    label: str
    weight: float
    flip_weight: float | None      # the weight at which the recommendation changes, None if not in [0, 10]
    delta: float | None            # flip_weight - weight
    to: str | None                 # the recommendation it would flip to


@dataclass(frozen=True)
class MatrixResult:
    score: float
    recommendation: str            # adopt | validate | hold
    text: str
    contributions: list[Contribution]
    reasons: list[str]
    flips: list[Flip]


def classify(score: float, threshold: float) -> str:
    if score >= threshold:
        return "adopt"
    if score <= -threshold:
        return "hold"
    return "validate"


def score(inp: MatrixInput) -> float:
    total_w = sum(inp.weights[k] for k in CRITERION_KEYS)
    if total_w == 0:
        return 0.0
    return sum(c.sign * inp.weights[c.key] * inp.answers[c.key] / ANSWER_MAX for c in CRITERIA) / total_w


def sensitivity(inp: MatrixInput) -> list[Flip]:
    """For each weight alone: the nearest weight in [0, 10] at which the recommendation changes."""
    current = classify(score(inp), inp.threshold)
    flips = []
    for crit in CRITERIA:
        others_w = sum(inp.weights[k] for k in CRITERION_KEYS if k != crit.key)
        others_a = sum(c.sign * inp.weights[c.key] * inp.answers[c.key] / ANSWER_MAX
                       for c in CRITERIA if c.key != crit.key)
        slope = crit.sign * inp.answers[crit.key] / ANSWER_MAX
        w0 = inp.weights[crit.key]
        best: tuple[float, float, str] | None = None
        for t in (inp.threshold, -inp.threshold):
            if slope == t:
                continue
            w_star = (t * others_w - others_a) / (slope - t)
            if not 0 <= w_star <= WEIGHT_MAX:
                continue
            # Probe just past w*, away from w0 (both ways when the score sits on the boundary now).
            eps = 1e-6
            directions = (1, -1) if abs(w_star - w0) < 1e-9 else ((1,) if w_star > w0 else (-1,))
            for direction in directions:
                probe = min(max(w_star + direction * eps, 0.0), WEIGHT_MAX)
                weights = dict(inp.weights, **{crit.key: probe})
                new = classify(score(MatrixInput(inp.answers, weights, inp.threshold)), inp.threshold)
                if new != current and (best is None or abs(probe - w0) < abs(best[0] - w0)):
                    best = (probe, probe - w0, new)
        flips.append(Flip(crit.key, crit.label, w0, best[0] if best else None, best[1] if best else None,
                          best[2] if best else None))
    return flips


def evaluate(inp: MatrixInput) -> MatrixResult:
    total_w = sum(inp.weights.values()) or 1.0
    contributions = [Contribution(c.key, c.label, c.sign, inp.answers[c.key], inp.weights[c.key],
                                  c.sign * inp.weights[c.key] * inp.answers[c.key] / ANSWER_MAX / total_w)
                     for c in CRITERIA]
    s = score(inp)
    rec = classify(s, inp.threshold)
    ranked = sorted(contributions, key=lambda c: abs(c.points), reverse=True)
    reasons = [f"{'for' if c.points > 0 else 'against'}: {c.label} (answer {c.answer:g}/4, weight {c.weight:g}, "
               f"{c.points:+.2f})" for c in ranked if c.points != 0][:3]
    return MatrixResult(s, rec, RECOMMENDATIONS[rec], contributions, reasons, sensitivity(inp))


# --- the seed's "quick validation" thresholds: performance, delivery, team acceptance -------

@dataclass(frozen=True)
class Gate:
    name: str
    passed: bool | None      # None: cannot be decided (not measured here)
    detail: str


def validation_gates(runtimes: dict, current: str, *, min_qps_ratio: float, max_rss_ratio: float,
                     team_acceptance: float, min_acceptance: float = 3) -> list[Gate]:
    """Compare measured Go against the team's current runtime, as the seed's three thresholds.
    Details are worded in the current language (`gohandbook.i18n.use`); names and outcomes are not words."""
    go, cur = runtimes.get("go", {}), runtimes.get(current, {})
    gates = []
    if not (go.get("available") and cur.get("available")) or go.get("error") or cur.get("error"):
        why = cur.get("reason") or cur.get("error") or go.get("reason") or go.get("error") or _("not measured")
        detail = _("cannot compare Go with {current}: {why}").format(current=current, why=why)
        gates.append(Gate("performance", None, detail))
        gates.append(Gate("delivery", None, detail))
    else:
        qps_ratio = go["qps"]["median"] / cur["qps"]["median"]
        rss_ratio = go["rss_load_mib"]["median"] / cur["rss_load_mib"]["median"]
        gates.append(Gate("performance", qps_ratio >= min_qps_ratio and rss_ratio <= max_rss_ratio,
                          _("Go/{current}: QPS ×{qps} (need ≥ {min_qps}), peak RSS ×{rss} (need ≤ {max_rss})").format(
                              current=current, qps=f"{qps_ratio:.2f}", min_qps=f"{min_qps_ratio:g}",
                              rss=f"{rss_ratio:.2f}", max_rss=f"{max_rss_ratio:g}")))
        art_ratio = go["artifact_mib"] / cur["artifact_mib"]
        start_ratio = go["startup_ms"]["median"] / cur["startup_ms"]["median"]
        gates.append(Gate("delivery", art_ratio < 1 and start_ratio < 1,
                          _("Go/{current}: shipped bytes ×{shipped}, start-up time ×{start} (need both < 1)").format(
                              current=current, shipped=f"{art_ratio:.2f}", start=f"{start_ratio:.2f}")))
    gates.append(Gate("team acceptance", team_acceptance >= min_acceptance,
                      _("team's own rating {rating}/4 (need ≥ {need}); an input, not a measurement").format(
                          rating=f"{team_acceptance:g}", need=f"{min_acceptance:g}")))
    return gates
