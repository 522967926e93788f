"""Canary exposure: what a progressive rollout costs when the new version is bad, and how long
it takes when it is good. Pure functions, no I/O.

Semantics (Flagger's canary analysis; Argo Rollouts' analysis maps onto it):
- The plan is a list of canary weights w_1 < … < w_n (percent). The rollout starts at w_1.
- Every `interval_s` the canary's success rate over that interval is checked against
  `min_success_pct` (Flagger's built-in request-success-rate check, default ≥ 99 %).
- A passing check advances to the next weight; a pass at the last weight promotes the canary
  (all traffic to the new version). Rollout time with no failed check: n × interval
  (Flagger: interval × maxWeight / stepWeight).
- A failing check keeps the weight and counts one failed check; at `threshold` failed checks
  (Flagger's default 1) the canary is rolled back to weight 0 — detection time is then the
  number of intervals so far × interval (Flagger: rollback after interval × threshold).
  Argo Rollouts fails an analysis when failures exceed failureLimit (default 0), which is
  threshold = failureLimit + 1.
- An interval with no canary request fails its check (Flagger rolls back when a metric query
  returns no data).

Model: the canary receives n_i = rps × interval × w_i / 100 requests in an interval at step i
(the expected count, rounded), each failing independently with probability f. The check fails
when the observed failures X ~ Binomial(n_i, f) exceed n_i × (1 − min_success/100). A dynamic
programme over (step, failed checks so far) gives exact expectations under these assumptions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..i18n import N_, _
from ..params import ParameterError

SEED_PLAN = (5.0, 50.0, 100.0)
PLANS: dict[str, tuple[str, tuple[float, ...]]] = {
    # labels are English msgids: translate where shown (_(label, lang))
    "seed": (N_("Seed: 5 → 50 → 100 %"), SEED_PLAN),
    "flagger_step10": (N_("Flagger-style: 10 % steps to 100 %"), tuple(float(w) for w in range(10, 101, 10))),
    "flagger_step5_max50": (N_("Flagger tutorial: 5 % steps to 50 %, then promote"),
                            tuple(float(w) for w in range(5, 51, 5))),
    "argo_20": (N_("Argo Rollouts docs example: 20 % steps"), (20.0, 40.0, 60.0, 80.0, 100.0)),
}


@dataclass(frozen=True)
class CanaryInput:
    steps: tuple[float, ...]       # canary weights in percent, strictly increasing, in (0, 100]
    interval_s: float = 60.0       # Flagger default
    threshold: int = 1             # failed checks before rollback (Flagger default)
    min_success_pct: float = 99.0  # Flagger's request-success-rate default
    rps: float = 100.0             # requests per second to the service (both versions)
    failure_pct: float = 5.0       # the new version's failure rate

    def __post_init__(self) -> None:
        # messages in the current language (i18n.use), as the parameter declarations' own
        steps = tuple(float(w) for w in self.steps)
        object.__setattr__(self, "steps", steps)
        if not steps:
            raise ParameterError(_("steps = () is not allowed: a plan needs at least one weight"))
        prev = 0.0
        for w in steps:
            if not (prev < w <= 100):
                raise ParameterError(_("steps = {steps} is not allowed: each weight must be above the previous one "
                                       "and at most 100").format(steps=list(steps)))
            prev = w
        if not (self.interval_s > 0):
            raise ParameterError(_("{name} = {value} is not allowed: allowed is a number > 0").format(
                name="interval_s", value=repr(self.interval_s)))
        if int(self.threshold) != self.threshold or self.threshold < 1:
            raise ParameterError(_("{name} = {value} is not allowed: allowed is an integer >= 1").format(
                name="threshold", value=repr(self.threshold)))
        if not (0 <= self.min_success_pct <= 100):
            raise ParameterError(_("{name} = {value} is out of range: allowed is 0 to 100").format(
                name="min_success_pct", value=repr(self.min_success_pct)))
        if not (self.rps >= 0):
            raise ParameterError(_("{name} = {value} is not allowed: allowed is a number >= 0").format(
                name="rps", value=repr(self.rps)))
        if not (0 <= self.failure_pct <= 100):
            raise ParameterError(_("{name} = {value} is out of range: allowed is 0 to 100").format(
                name="failure_pct", value=repr(self.failure_pct)))


@dataclass(frozen=True)
class StepRow:
    step: int                  # 1-based
    weight_pct: float
    canary_requests: int       # per interval at this weight
    p_check_fails: float
    p_reached: float           # probability the rollout spends at least one interval here
    expected_intervals: float  # expected intervals spent here
    expected_bad: float        # expected failed canary requests at this weight


@dataclass(frozen=True)
class CanaryResult:
    inp: CanaryInput
    p_rollback: float
    p_promote: float
    expected_bad: float                 # failed canary requests before the decision (either way)
    expected_bad_if_rollback: float | None
    expected_detection_s: float | None  # E[time to rollback | rollback]
    expected_rollout_s: float | None    # E[time to promotion | promotion]
    min_rollout_s: float                # n × interval
    expected_decision_s: float
    bad_per_hour_if_promoted: float     # what an undetected bad version costs afterwards
    steps: tuple[StepRow, ...] = field(default_factory=tuple)


def parse_steps(text: str) -> tuple[float, ...]:
    try:
        steps = tuple(float(x) for x in str(text).replace(";", ",").split(",") if x.strip())
    except ValueError:
        raise ParameterError(_("steps = {text} is not allowed: write percentages separated by commas, "
                               "e.g. 5,25,50,100").format(text=repr(text))) from None
    CanaryInput(steps)  # validates
    return steps


def binom_sf(c: int, n: int, p: float) -> float:
    """P(X > c) for X ~ Binomial(n, p), summed from the threshold into the nearer tail."""
    if c < 0:
        return 1.0
    if c >= n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lp, lq = math.log(p), math.log1p(-p)
    lognorm = math.lgamma(n + 1)

    def logpmf(k: int) -> float:
        return lognorm - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * lp + (n - k) * lq

    ratio = p / (1 - p)
    if c + 1 >= n * p:  # upper tail from c+1 upwards; terms decrease
        k, term = c + 1, math.exp(logpmf(c + 1))
        total = 0.0
        while k <= n and term > 0:
            total += term
            if term < 1e-17 * total:
                break
            term *= (n - k) / (k + 1) * ratio
            k += 1
        return min(1.0, total)
    # lower tail from c downwards: 1 - P(X <= c)
    k, term = c, math.exp(logpmf(c))
    total = 0.0
    while k >= 0 and term > 0:
        total += term
        if term < 1e-17 * total:
            break
        term *= k / (n - k + 1) / ratio
        k -= 1
    return max(0.0, 1.0 - total)


def check_fails(n: int, failure: float, min_success_pct: float) -> float:
    """Probability that one interval's check fails with n canary requests."""
    if n <= 0:
        return 1.0  # no data fails the check
    allowed = math.floor(n * (100.0 - min_success_pct) / 100.0 + 1e-9)  # failures still passing
    return binom_sf(allowed, n, failure)


def canary_requests(inp: CanaryInput, weight_pct: float) -> int:
    return int(round(inp.rps * inp.interval_s * weight_pct / 100.0))


def evaluate(inp: CanaryInput) -> CanaryResult:
    f = inp.failure_pct / 100.0
    n_steps, T = len(inp.steps), int(inp.threshold)
    n = [canary_requests(inp, w) for w in inp.steps]
    c = [math.floor(k * (100.0 - inp.min_success_pct) / 100.0 + 1e-9) for k in n]  # failures that still pass
    q = [check_fails(k, f, inp.min_success_pct) for k in n]
    # E[X · 1{check fails}] for X ~ Bin(n, f): n f P(Bin(n-1, f) >= c) — splits bad requests by outcome exactly
    bad_fail = [(k * f * binom_sf(ci - 1, k - 1, f) if k > 0 else 0.0) for k, ci in zip(n, c)]
    bad_pass = [k * f - bf for k, bf in zip(n, bad_fail)]
    # mass[(i, k)]: P(an interval starts at step i with k failed checks so far);
    # carried[(i, k)]: E[bad requests so far · 1{that state}]
    mass, carried = {(0, 0): 1.0}, {(0, 0): 0.0}
    intervals = [0.0] * n_steps
    p_rb = p_pr = t_rb = t_pr = bad_rb = bad_pr = 0.0
    t = 0
    while mass and t <= n_steps + T:
        t += 1
        new_mass: dict[tuple[int, int], float] = {}
        new_carried: dict[tuple[int, int], float] = {}

        def put(key, m, b):
            new_mass[key] = new_mass.get(key, 0.0) + m
            new_carried[key] = new_carried.get(key, 0.0) + b

        for (i, k), m in mass.items():
            intervals[i] += m
            b = carried[(i, k)]
            fail_m, fail_b = m * q[i], b * q[i] + m * bad_fail[i]
            pass_m, pass_b = m * (1 - q[i]), b * (1 - q[i]) + m * bad_pass[i]
            if fail_m > 0:
                if k + 1 >= T:
                    p_rb, t_rb, bad_rb = p_rb + fail_m, t_rb + fail_m * t * inp.interval_s, bad_rb + fail_b
                else:
                    put((i, k + 1), fail_m, fail_b)
            if pass_m > 0:
                if i == n_steps - 1:
                    p_pr, t_pr, bad_pr = p_pr + pass_m, t_pr + pass_m * t * inp.interval_s, bad_pr + pass_b
                else:
                    put((i + 1, k), pass_m, pass_b)
        mass = {key: m for key, m in new_mass.items() if m > 1e-15}
        carried = {key: new_carried[key] for key in mass}
    reached = _reach(inp, q)
    rows = tuple(StepRow(step=i + 1, weight_pct=w, canary_requests=n[i], p_check_fails=q[i], p_reached=reached[i],
                         expected_intervals=intervals[i], expected_bad=intervals[i] * n[i] * f)
                 for i, w in enumerate(inp.steps))
    total = p_rb + p_pr
    return CanaryResult(
        inp=inp, p_rollback=p_rb / total if total else 0.0, p_promote=p_pr / total if total else 0.0,
        expected_bad=bad_rb + bad_pr,
        expected_bad_if_rollback=bad_rb / p_rb if p_rb > 1e-12 else None,
        expected_detection_s=t_rb / p_rb if p_rb > 1e-12 else None,
        expected_rollout_s=t_pr / p_pr if p_pr > 1e-12 else None,
        min_rollout_s=n_steps * inp.interval_s,
        expected_decision_s=t_rb + t_pr,
        bad_per_hour_if_promoted=inp.rps * 3600 * f,
        steps=rows,
    )


def _reach(inp: CanaryInput, q: list[float]) -> list[float]:
    """P(the rollout reaches step i): all earlier steps passed before `threshold` failures in total."""
    T = int(inp.threshold)
    # dist[k]: probability of having entered the current step with k failures (k < T)
    dist = [1.0] + [0.0] * (T - 1)
    out = []
    for qi in q:
        out.append(sum(dist))
        # failures at this step before passing: each interval fails with qi, passes with 1 - qi
        new = [0.0] * T
        for k, m in enumerate(dist):
            if m == 0:
                continue
            for extra in range(T - k):  # extra failures here, then a pass
                new[k + extra] += m * (qi ** extra) * (1 - qi)
        dist = new
    return out
