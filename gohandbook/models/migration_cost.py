"""Team migration cost: a seeded Monte Carlo over engineers and uncertain inputs. Pure functions.

Every engineer of the team is simulated (teams above `MAX_SIMULATED` by that many representative
engineers). Per engineer and run:

1. Source language: the team's language mix, assigned by largest remainder.
2. Starting productivity (COCOMO II.2000 effort multipliers): relative to today,
   p0 = LTEX(today's level) · PLEX(platform before) / (LTEX(very low) · PLEX(platform after)).
   Effort multipliers scale effort, so productivity scales with their inverse. Today's level
   varies by engineer: one level lower, the team's level or one higher with 25/50/25 %.
   LTEX 1.20/1.09/1.00/0.91/0.84 and PLEX 1.19/1.09/1.00/0.91/0.85 for very low … very high
   (very low means ≤ 2 months of experience, very high ≥ 6 years).
3. Time until they feel productive, T: drawn from the Go Developer Survey 2020's answers
   (n = 2,712: < 1 week 10 %, 1 week–1 month 31 %, 1–3 months 33 %, 3 months–1 year 18 %,
   > 1 year 4 %, not yet 4 %), log-uniform within the chosen bin. Open bins are closed by
   assumption: < 1 week starts at one working day, > 1 year ends at 2 years, and "not yet" is
   read pessimistically as 1–3 years.
4. Friction stretches T: the engineer's friction F is the mean, over the friction matrix's
   dimensions that apply to their source language, of the rating (1–5) plus a uniform
   per-engineer deviation of ± `friction_spread`, clipped to 1–5. T is multiplied by
   (1 + elasticity)^(F − 3): the survey's respondents are taken to have met an average friction
   of 3, the middle of the seed's scale (an assumption the reader can change through the
   elasticity; 0 switches friction off).
5. Learning curve: exponential (Heathcote, Brown & Mewhort 2000), p(t) = p∞ − (p∞ − p0)·e^(−t/τ),
   with τ chosen so that "felt productive" at T means `gap_closed` of the gap is closed.

Team velocity relative to today: v(t) = (1 − s) + s · mean(p_e(t)), where s is the share of
time spent on the migrated systems. The cost of the dip is the area of 1 − v below 1 over the
horizon, in engineer-months × team size × cost per engineer-month. "Back to old velocity" is the
first week with v ≥ 1 − tolerance.

Break-even: running-cost savings from chapter 1's measurements. The current fleet needs
`fleet_instances` instances; at the same total throughput Go needs fleet · QPS_current / QPS_Go
of them (the measured gap realised to `realised`); each instance costs vCPUs · price + (RSS +
application memory) · price. QPS and RSS are drawn per run from the measured repeats. Savings
start at `start_month`; break-even is the first week at which cumulative savings reach the
cumulative cost of the dip.
"""

from __future__ import annotations

import bisect
import math
import random
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

LEVELS = ("very_low", "low", "nominal", "high", "very_high")
LTEX = dict(zip(LEVELS, (1.20, 1.09, 1.00, 0.91, 0.84)))
PLEX = dict(zip(LEVELS, (1.19, 1.09, 1.00, 0.91, 0.85)))
LANGUAGES = ("java", "python", "node")
WEEKS_PER_MONTH = 365.25 / 12 / 7   # 4.348
FRICTION_REFERENCE = 3.0
MAX_SIMULATED = 100
QUANTILES = (0.1, 0.5, 0.9)

# (answer, share, low weeks, high weeks)
SURVEY_2020: tuple[tuple[str, float, float, float], ...] = (
    ("< 1 week", 0.10, 1 / 5, 1.0),
    ("1 week – 1 month", 0.31, 1.0, WEEKS_PER_MONTH),
    ("1–3 months", 0.33, WEEKS_PER_MONTH, 3 * WEEKS_PER_MONTH),
    ("3 months – 1 year", 0.18, 3 * WEEKS_PER_MONTH, 52.18),
    ("> 1 year", 0.04, 52.18, 104.36),
    ("not yet", 0.04, 52.18, 156.54),
)

# The seed's cognitive-friction table (rating 1–5), for every source language.
SEED_FRICTION = {"error_handling": 4.0, "concurrency": 5.0, "dependencies": 3.0}


class MigrationInputError(ValueError):
    pass


@dataclass(frozen=True)
class RuntimeSample:
    """Per-instance measurements of one runtime (chapter 1's repeats)."""
    label: str
    qps: tuple[float, ...]
    rss_mib: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.qps or not self.rss_mib or min(self.qps) <= 0 or min(self.rss_mib) <= 0:
            raise MigrationInputError(f"{self.label}: needs positive measured QPS and RSS values")


@dataclass(frozen=True)
class SavingsInput:
    current: RuntimeSample
    go: RuntimeSample
    fleet_instances: float = 20
    instance_vcpu: float = 1.0
    price_vcpu_month: float = 25.0
    price_gib_month: float = 3.5
    app_memory_gib: float = 0.5
    realised: float = 1.0          # share of the measured gap a real service would see
    start_month: float = 3.0

    def __post_init__(self) -> None:
        for name in ("fleet_instances", "instance_vcpu", "price_vcpu_month", "price_gib_month", "app_memory_gib",
                     "start_month"):
            if getattr(self, name) < 0:
                raise MigrationInputError(f"{name} = {getattr(self, name)!r}: must be >= 0")
        if not 0 <= self.realised <= 1:
            raise MigrationInputError(f"realised = {self.realised!r}: must be within 0-1")

    def monthly_saving(self, qps_cur: float, qps_go: float, rss_cur: float, rss_go: float) -> float:
        ratio = qps_cur / qps_go                       # Go instances per current instance, fully realised
        ratio = 1 - self.realised * (1 - ratio)
        per_instance = lambda rss_mib: (self.instance_vcpu * self.price_vcpu_month  # noqa: E731
                                        + (rss_mib / 1024 + self.app_memory_gib) * self.price_gib_month)
        rss_go_eff = rss_cur - self.realised * (rss_cur - rss_go)
        return self.fleet_instances * (per_instance(rss_cur) - ratio * per_instance(rss_go_eff))


@dataclass(frozen=True)
class MigrationInput:
    team_size: int = 8
    language_mix: Mapping[str, float] = field(default_factory=lambda: {"java": 40.0, "python": 40.0, "node": 20.0})
    # dimension -> language -> rating (1-5); a language missing under a dimension is not affected by it
    friction: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {d: {lang: r for lang in LANGUAGES} for d, r in SEED_FRICTION.items()})
    friction_spread: float = 1.0
    friction_elasticity: float = 0.25
    current_ltex: str = "high"
    plex_before: str = "nominal"
    plex_after: str = "nominal"
    gap_closed: float = 0.9
    long_run_velocity: float = 1.0
    cost_per_engineer_month: float = 12000.0
    time_share: float = 0.6
    horizon_months: int = 24
    tolerance: float = 0.02
    savings: SavingsInput | None = None
    runs: int = 1000
    seed: int = 4

    def __post_init__(self) -> None:
        def bad(msg: str):
            raise MigrationInputError(msg)
        if int(self.team_size) != self.team_size or self.team_size < 1:
            bad(f"team_size = {self.team_size!r}: must be an integer >= 1")
        mix = {k: float(v) for k, v in self.language_mix.items()}
        if any(k not in LANGUAGES for k in mix):
            bad(f"language_mix: languages are {', '.join(LANGUAGES)}, got {', '.join(mix)}")
        if any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
            bad("language_mix: shares must be >= 0 and not all zero")
        if not self.friction:
            bad("friction: the matrix needs at least one dimension")
        for dim, per_lang in self.friction.items():
            for lang, rating in per_lang.items():
                if lang not in LANGUAGES:
                    bad(f"friction {dim}: unknown language {lang!r} (use {', '.join(LANGUAGES)})")
                if not 1 <= rating <= 5:
                    bad(f"friction {dim} for {lang} = {rating!r}: ratings are 1-5")
        for name, lo, hi in (("friction_spread", 0, 4), ("friction_elasticity", 0, 5), ("gap_closed", 0.5, 0.999),
                             ("long_run_velocity", 0.2, 5), ("time_share", 0, 1), ("tolerance", 0.001, 0.5)):
            value = getattr(self, name)
            if not lo <= value <= hi:
                bad(f"{name} = {value!r}: must be within {lo:g}-{hi:g}")
        for name in ("current_ltex", "plex_before", "plex_after"):
            if getattr(self, name) not in LEVELS:
                bad(f"{name} = {getattr(self, name)!r}: one of {', '.join(LEVELS)}")
        if self.cost_per_engineer_month < 0:
            bad("cost_per_engineer_month must be >= 0")
        if int(self.horizon_months) != self.horizon_months or not 1 <= self.horizon_months <= 120:
            bad(f"horizon_months = {self.horizon_months!r}: an integer within 1-120")
        if int(self.runs) != self.runs or not 10 <= self.runs <= 100000:
            bad(f"runs = {self.runs!r}: an integer within 10-100000")


@dataclass(frozen=True)
class MigrationResult:
    inp: MigrationInput
    months: tuple[float, ...]                       # the weekly grid, in months
    velocity: dict[float, tuple[float, ...]]        # quantile -> team velocity (1 = today) per grid point
    min_velocity: dict[float, float]
    dip_engineer_months: dict[float, float]
    dip_cost: dict[float, float]
    recovery_months: dict[float, float | None]      # None: not within the horizon
    recovered_share: float
    monthly_saving: dict[float, float] | None
    breakeven_months: dict[float, float | None] | None
    breakeven_share: float | None
    cumulative_cost: dict[float, tuple[float, ...]]
    cumulative_savings: dict[float, tuple[float, ...]] | None
    time_to_productive: tuple[dict, ...]            # survey bin, survey share, simulated share (after friction)
    engineers_simulated: int
    language_counts: dict[str, int]
    friction_by_language: dict[str, float]
    stretch_by_language: dict[str, float]
    p0_range: tuple[float, float]


def parse_friction_extra(text: str) -> dict[str, dict[str, float]]:
    """'static_typing=3@python+node, generics=2' -> {dimension: {language: rating}}.

    Without '@…' a dimension applies to every language."""
    out: dict[str, dict[str, float]] = {}
    text = (text or "").strip()
    if not text:
        return out
    for item in re.split(r"[,;\n]+", text):
        item = item.strip()
        if not item:
            continue
        match = re.fullmatch(r"([A-Za-z_][\w\- ]*?)\s*=\s*([0-9.]+)\s*(?:@\s*([a-z+ ]+))?", item)
        if not match:
            raise MigrationInputError(
                f"friction entry {item!r}: write name=rating (1-5), optionally @language+language, "
                f"e.g. static_typing=3@python+node")
        name, rating, langs = match.group(1).strip().replace(" ", "_"), float(match.group(2)), match.group(3)
        if not 1 <= rating <= 5:
            raise MigrationInputError(f"friction entry {item!r}: the rating must be within 1-5")
        targets = [x.strip() for x in langs.split("+")] if langs else list(LANGUAGES)
        for lang in targets:
            if lang not in LANGUAGES:
                raise MigrationInputError(f"friction entry {item!r}: unknown language {lang!r} (use {', '.join(LANGUAGES)})")
        out[name] = {lang: rating for lang in targets}
    return out


def assign_languages(mix: Mapping[str, float], n: int) -> list[str]:
    """n engineers split by the mix, largest remainder (deterministic)."""
    total = sum(mix.values())
    exact = {k: n * v / total for k, v in mix.items()}
    counts = {k: int(math.floor(x)) for k, x in exact.items()}
    rest = n - sum(counts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), LANGUAGES.index(k)))[:rest]:
        counts[k] += 1
    return [k for k in LANGUAGES if k in counts for _ in range(counts[k])]


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    if not sorted_values:
        return float("nan")
    pos = q * (len(sorted_values) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _draw_survey_weeks(rng: random.Random) -> tuple[int, float]:
    cum, u = 0.0, rng.random() * sum(s for _, s, _, _ in SURVEY_2020)
    for i, (_, share, lo, hi) in enumerate(SURVEY_2020):
        cum += share
        if u < cum or i == len(SURVEY_2020) - 1:
            return i, math.exp(rng.uniform(math.log(lo), math.log(hi)))
    raise AssertionError


def _bin_of(weeks: float) -> int:
    """The survey answer a time-to-productive falls into (the open 'not yet' bin is not used)."""
    edges = [hi for _, _, _, hi in SURVEY_2020[:4]]
    return bisect.bisect_left(edges, weeks) if weeks <= edges[-1] else 4


def simulate(inp: MigrationInput) -> MigrationResult:
    rng = random.Random(inp.seed)
    m = min(int(inp.team_size), MAX_SIMULATED)
    langs = assign_languages(inp.language_mix, m)
    counts = {k: langs.count(k) for k in LANGUAGES}
    weeks = int(round(inp.horizon_months * WEEKS_PER_MONTH))
    grid = [w / WEEKS_PER_MONTH for w in range(weeks + 1)]
    dims = {lang: [(d, per[lang]) for d, per in inp.friction.items() if lang in per] for lang in LANGUAGES}
    lvl = LEVELS.index(inp.current_ltex)
    log_closed = math.log(1 / (1 - inp.gap_closed))
    s, p_inf, tol = inp.time_share, inp.long_run_velocity, inp.tolerance
    dt_months = 1 / WEEKS_PER_MONTH

    velocity_runs: list[list[float]] = []
    cum_cost_runs: list[list[float]] = []
    cum_save_runs: list[list[float]] = []
    mins, dips, costs, recov, savings, breakeven = [], [], [], [], [], []
    productive_bins = [0] * len(SURVEY_2020)
    friction_sum = {k: 0.0 for k in LANGUAGES}
    stretch_sum = {k: 0.0 for k in LANGUAGES}
    p0_lo, p0_hi = float("inf"), float("-inf")
    for _ in range(inp.runs):
        gaps, decays = [], []
        for lang in langs:
            level = min(max(lvl + rng.choices((-1, 0, 1), weights=(1, 2, 1))[0], 0), len(LEVELS) - 1)
            p0 = LTEX[LEVELS[level]] * PLEX[inp.plex_before] / (LTEX["very_low"] * PLEX[inp.plex_after])
            p0_lo, p0_hi = min(p0_lo, p0), max(p0_hi, p0)
            ratings = [min(5.0, max(1.0, r + rng.uniform(-inp.friction_spread, inp.friction_spread)))
                       for _, r in dims[lang]]
            friction = sum(ratings) / len(ratings) if ratings else FRICTION_REFERENCE
            stretch = (1 + inp.friction_elasticity) ** (friction - FRICTION_REFERENCE)
            _, t_survey = _draw_survey_weeks(rng)
            t_prod = t_survey * stretch
            friction_sum[lang] += friction
            stretch_sum[lang] += stretch
            productive_bins[_bin_of(t_prod)] += 1
            tau = t_prod / log_closed
            gaps.append(p_inf - p0)
            decays.append(math.exp(-1 / tau))
        vel, cum_cost = [], []
        cost_acc, dip_acc, rec = 0.0, 0.0, None
        for w in range(weeks + 1):
            v = (1 - s) + s * (p_inf - sum(gaps) / m)
            vel.append(v)
            if rec is None and v >= 1 - tol:
                rec = grid[w]
            if w > 0:  # trapezoid over the previous week
                lost = max(0.0, 1 - vel[-2]) + max(0.0, 1 - v)
                dip_acc += 0.5 * lost * dt_months * inp.team_size
                cost_acc = dip_acc * inp.cost_per_engineer_month
            cum_cost.append(cost_acc)
            gaps = [g * d for g, d in zip(gaps, decays)]
        velocity_runs.append(vel)
        cum_cost_runs.append(cum_cost)
        mins.append(min(vel))
        dips.append(dip_acc)
        costs.append(cost_acc)
        recov.append(rec)
        if inp.savings is not None:
            sv = inp.savings
            monthly = sv.monthly_saving(rng.choice(sv.current.qps), rng.choice(sv.go.qps),
                                        rng.choice(sv.current.rss_mib), rng.choice(sv.go.rss_mib))
            savings.append(monthly)
            cum_save = [monthly * max(0.0, t - sv.start_month) for t in grid]
            cum_save_runs.append(cum_save)
            be = None
            if monthly > 0:
                for w, t in enumerate(grid):
                    if t > sv.start_month and cum_save[w] >= cum_cost[w]:
                        be = t
                        break
            breakeven.append(be)

    def per_time(runs: list[list[float]]) -> dict[float, tuple[float, ...]]:
        cols = [sorted(col) for col in zip(*runs)]
        return {q: tuple(quantile(c, q) for c in cols) for q in QUANTILES}

    def qs(values: list[float]) -> dict[float, float]:
        ordered = sorted(values)
        return {q: quantile(ordered, q) for q in QUANTILES}

    def qs_none(values: list[float | None]) -> dict[float, float | None]:
        ordered = sorted(values, key=lambda v: math.inf if v is None else v)
        out = {}
        for q in QUANTILES:
            idx = q * (len(ordered) - 1)
            lo, hi = ordered[int(math.floor(idx))], ordered[min(int(math.floor(idx)) + 1, len(ordered) - 1)]
            if lo is None or hi is None:
                out[q] = None
            else:
                out[q] = lo + (hi - lo) * (idx - math.floor(idx))
        return out

    total_eng = inp.runs * m
    survey_total = sum(sh for _, sh, _, _ in SURVEY_2020)
    ttp = tuple({"answer": label, "survey_share": share / survey_total,
                 "team_share": productive_bins[i] / total_eng if i < 5 else None}
                for i, (label, share, _, _) in enumerate(SURVEY_2020))
    return MigrationResult(
        inp=inp, months=tuple(grid), velocity=per_time(velocity_runs), min_velocity=qs(mins),
        dip_engineer_months=qs(dips), dip_cost=qs(costs), recovery_months=qs_none(recov),
        recovered_share=sum(r is not None for r in recov) / len(recov),
        monthly_saving=qs(savings) if savings else None,
        breakeven_months=qs_none(breakeven) if inp.savings is not None else None,
        breakeven_share=(sum(b is not None for b in breakeven) / len(breakeven)) if inp.savings is not None else None,
        cumulative_cost=per_time(cum_cost_runs),
        cumulative_savings=per_time(cum_save_runs) if cum_save_runs else None,
        time_to_productive=ttp, engineers_simulated=m, language_counts=counts,
        friction_by_language={k: friction_sum[k] / (counts[k] * inp.runs) for k in LANGUAGES if counts[k]},
        stretch_by_language={k: stretch_sum[k] / (counts[k] * inp.runs) for k in LANGUAGES if counts[k]},
        p0_range=(p0_lo, p0_hi),
    )
