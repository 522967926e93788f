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

Vectorised with numpy: every run's engineers are drawn as arrays (block by block of runs, each block from its
own seeded generator, so run i has the same draws whatever the number of runs) and the weeks are stepped for all
runs at once. Its numbers differ from the earlier pure-Python version (random.Random, run by run) within Monte
Carlo error; tests/test_ch4_models.py keeps that version as a reference and compares the two distributions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..i18n import N_, _
from ..params import ParameterError

LEVELS = ("very_low", "low", "nominal", "high", "very_high")
LTEX = dict(zip(LEVELS, (1.20, 1.09, 1.00, 0.91, 0.84)))
PLEX = dict(zip(LEVELS, (1.19, 1.09, 1.00, 0.91, 0.85)))
LANGUAGES = ("java", "python", "node")
WEEKS_PER_MONTH = 365.25 / 12 / 7   # 4.348
FRICTION_REFERENCE = 3.0
MAX_SIMULATED = 100
QUANTILES = (0.1, 0.5, 0.9)

# (answer, share, low weeks, high weeks); answers are English msgids, translated where shown
SURVEY_2020: tuple[tuple[str, float, float, float], ...] = (
    (N_("< 1 week"), 0.10, 1 / 5, 1.0),
    (N_("1 week – 1 month"), 0.31, 1.0, WEEKS_PER_MONTH),
    (N_("1–3 months"), 0.33, WEEKS_PER_MONTH, 3 * WEEKS_PER_MONTH),
    (N_("3 months – 1 year"), 0.18, 3 * WEEKS_PER_MONTH, 52.18),
    (N_("> 1 year"), 0.04, 52.18, 104.36),
    (N_("not yet"), 0.04, 52.18, 156.54),
)

# The seed's cognitive-friction table (rating 1–5), for every source language.
SEED_FRICTION = {"error_handling": 4.0, "concurrency": 5.0, "dependencies": 3.0}


class MigrationInputError(ParameterError):
    """A model input out of its domain: a ParameterError like every model's (one convention, see DEVELOPING.md)."""


@dataclass(frozen=True)
class RuntimeSample:
    """Per-instance measurements of one runtime (chapter 1's repeats)."""
    label: str
    qps: tuple[float, ...]
    rss_mib: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.qps or not self.rss_mib or min(self.qps) <= 0 or min(self.rss_mib) <= 0:
            raise MigrationInputError(_("{label}: needs positive measured QPS and RSS values").format(label=self.label))


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
                raise MigrationInputError(_("{name} = {value}: must be >= 0").format(name=name, value=repr(getattr(self, name))))
        if not 0 <= self.realised <= 1:
            raise MigrationInputError(_("{name} = {value}: must be within {lo}-{hi}").format(
                name="realised", value=repr(self.realised), lo=0, hi=1))

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
        # messages in the current language (i18n.use), as the parameter declarations' own
        def bad(msg: str, **values):
            raise MigrationInputError(_(msg).format(**values))
        if int(self.team_size) != self.team_size or self.team_size < 1:
            bad(N_("{name} = {value}: must be an integer >= 1"), name="team_size", value=repr(self.team_size))
        mix = {k: float(v) for k, v in self.language_mix.items()}
        if any(k not in LANGUAGES for k in mix):
            bad(N_("language_mix: languages are {allowed}, got {got}"), allowed=", ".join(LANGUAGES), got=", ".join(mix))
        if any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
            bad(N_("language_mix: shares must be >= 0 and not all zero"))
        if not self.friction:
            bad(N_("friction: the matrix needs at least one dimension"))
        for dim, per_lang in self.friction.items():
            for lang, rating in per_lang.items():
                if lang not in LANGUAGES:
                    bad(N_("friction {dim}: unknown language {lang} (use {allowed})"), dim=dim, lang=repr(lang),
                        allowed=", ".join(LANGUAGES))
                if not 1 <= rating <= 5:
                    bad(N_("friction {dim} for {lang} = {value}: ratings are 1-5"), dim=dim, lang=lang, value=repr(rating))
        for name, lo, hi in (("friction_spread", 0, 4), ("friction_elasticity", 0, 5), ("gap_closed", 0.5, 0.999),
                             ("long_run_velocity", 0.2, 5), ("time_share", 0, 1), ("tolerance", 0.001, 0.5)):
            value = getattr(self, name)
            if not lo <= value <= hi:
                bad(N_("{name} = {value}: must be within {lo}-{hi}"), name=name, value=repr(value), lo=f"{lo:g}",
                    hi=f"{hi:g}")
        for name in ("current_ltex", "plex_before", "plex_after"):
            if getattr(self, name) not in LEVELS:
                bad(N_("{name} = {value}: one of {allowed}"), name=name, value=repr(getattr(self, name)),
                    allowed=", ".join(LEVELS))
        if self.cost_per_engineer_month < 0:
            bad(N_("{name} = {value}: must be >= 0"), name="cost_per_engineer_month", value=repr(self.cost_per_engineer_month))
        if int(self.horizon_months) != self.horizon_months or not 1 <= self.horizon_months <= 120:
            bad(N_("{name} = {value}: an integer within {lo}-{hi}"), name="horizon_months", value=repr(self.horizon_months),
                lo=1, hi=120)
        if int(self.runs) != self.runs or not 10 <= self.runs <= 100000:
            bad(N_("{name} = {value}: an integer within {lo}-{hi}"), name="runs", value=repr(self.runs), lo=10, hi=100000)


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
            raise MigrationInputError(_(
                "friction entry {item}: write name=rating (1-5), optionally @language+language, "
                "e.g. static_typing=3@python+node").format(item=repr(item)))
        name, rating, langs = match.group(1).strip().replace(" ", "_"), float(match.group(2)), match.group(3)
        if not 1 <= rating <= 5:
            raise MigrationInputError(_("friction entry {item}: the rating must be within 1-5").format(item=repr(item)))
        targets = [x.strip() for x in langs.split("+")] if langs else list(LANGUAGES)
        for lang in targets:
            if lang not in LANGUAGES:
                raise MigrationInputError(_("friction entry {item}: unknown language {lang} (use {allowed})").format(
                    item=repr(item), lang=repr(lang), allowed=", ".join(LANGUAGES)))
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


# Runs are drawn in blocks of BLOCK_RUNS, each block from its own generator seeded by (seed, block index),
# and a block always draws all of its runs: run i gets the same draws whatever the total number of runs, so a
# shorter (interactive) simulation is exactly the first runs of the full one.
BLOCK_RUNS = 100


def _survey_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shares = np.array([s for _, s, _, _ in SURVEY_2020])
    cum = np.cumsum(shares) / shares.sum()
    cum[-1] = 1.0
    return cum, np.log([lo for _, _, lo, _ in SURVEY_2020]), np.log([hi for _, _, _, hi in SURVEY_2020])


_SURVEY_CUM, _SURVEY_LOG_LO, _SURVEY_LOG_HI = _survey_tables()
# Upper edges of the answers a simulated time can fall into (the open 'not yet' bin is not used).
_BIN_EDGES = np.array([hi for _, _, _, hi in SURVEY_2020[:4]])


def _bins_of(weeks: np.ndarray) -> np.ndarray:
    """The survey answer each time-to-productive falls into (left-closed edges, as bisect_left)."""
    return np.where(weeks <= _BIN_EDGES[-1], np.searchsorted(_BIN_EDGES, weeks, side="left"), 4)


def _quantiles(values: np.ndarray) -> dict[float, float]:
    """Quantiles over runs (numpy's default linear interpolation between order statistics)."""
    qs = np.quantile(values, QUANTILES)
    return {q: float(v) for q, v in zip(QUANTILES, qs)}


def _quantiles_none(values: np.ndarray) -> dict[float, float | None]:
    """Quantiles of a time that may not happen within the horizon (inf): None where an order statistic involved is."""
    ordered = np.sort(values)
    out: dict[float, float | None] = {}
    for q in QUANTILES:
        pos = q * (len(ordered) - 1)
        lo = int(math.floor(pos))
        a, b = ordered[lo], ordered[min(lo + 1, len(ordered) - 1)]
        out[q] = None if not (math.isfinite(a) and math.isfinite(b)) else float(a + (b - a) * (pos - lo))
    return out


def _per_time(matrix: np.ndarray) -> dict[float, tuple[float, ...]]:
    qs = np.quantile(matrix, QUANTILES, axis=0)
    return {q: tuple(float(v) for v in row) for q, row in zip(QUANTILES, qs)}


def paths(inp: MigrationInput) -> dict:
    """Every run's weekly team velocity and cumulative dip (engineer-months), its monthly saving, and the
    per-engineer statistics the result reports. Draws are made block by block of runs (see BLOCK_RUNS); the
    weeks are then stepped for all runs and engineers at once."""
    m = min(int(inp.team_size), MAX_SIMULATED)
    langs = assign_languages(inp.language_mix, m)
    counts = {k: langs.count(k) for k in LANGUAGES}
    lang_idx = np.array([LANGUAGES.index(k) for k in langs])
    weeks = int(round(inp.horizon_months * WEEKS_PER_MONTH))
    grid = np.arange(weeks + 1) / WEEKS_PER_MONTH
    dims = list(inp.friction)
    # rating and whether it applies, per engineer and dimension
    rating = np.array([[inp.friction[d].get(lang, 0.0) for d in dims] for lang in langs]).reshape(m, len(dims))
    applies = np.array([[lang in inp.friction[d] for d in dims] for lang in langs]).reshape(m, len(dims))
    n_applies = applies.sum(axis=1)
    lvl = LEVELS.index(inp.current_ltex)
    ltex = np.array([LTEX[k] for k in LEVELS])
    p0_scale = PLEX[inp.plex_before] / (LTEX["very_low"] * PLEX[inp.plex_after])
    log_closed = math.log(1 / (1 - inp.gap_closed))
    s, p_inf = inp.time_share, inp.long_run_velocity
    dt_months = 1 / WEEKS_PER_MONTH
    sv = inp.savings

    n_blocks = -(-inp.runs // BLOCK_RUNS)
    gap_blocks, decay_blocks, monthly_blocks = [], [], []
    friction_sum = np.zeros(len(LANGUAGES))
    stretch_sum = np.zeros(len(LANGUAGES))
    bin_counts = np.zeros(len(SURVEY_2020), dtype=np.int64)
    p0_lo, p0_hi = math.inf, -math.inf
    for block in range(n_blocks):
        rng = np.random.default_rng([inp.seed, block])
        keep = min(BLOCK_RUNS, inp.runs - block * BLOCK_RUNS)
        b = BLOCK_RUNS
        # The same draws in the same order for every block, whatever is kept of it; the friction deviations last
        # and dimension by dimension, so that adding a dimension leaves every other draw as it was (common random
        # numbers: comparing two settings compares the same engineers, not new Monte Carlo noise).
        shift = rng.choice(np.array([-1, 0, 1]), size=(b, m), p=[0.25, 0.5, 0.25])
        u_bin = rng.random((b, m))
        u_within = rng.random((b, m))
        pick = rng.random((b, 4))
        unit = rng.random((len(dims), b, m)).transpose(1, 2, 0)
        deviation = inp.friction_spread * (2 * unit - 1)                                     # uniform ± spread
        shift, deviation, u_bin, u_within, pick = (a[:keep] for a in (shift, deviation, u_bin, u_within, pick))

        p0 = ltex[np.clip(lvl + shift, 0, len(LEVELS) - 1)] * p0_scale                      # (runs, m)
        p0_lo, p0_hi = min(p0_lo, float(p0.min())), max(p0_hi, float(p0.max()))
        ratings = np.clip(rating + deviation, 1.0, 5.0) * applies                            # (runs, m, dims)
        friction = np.where(n_applies > 0, ratings.sum(axis=2) / np.maximum(n_applies, 1), FRICTION_REFERENCE)
        stretch = (1 + inp.friction_elasticity) ** (friction - FRICTION_REFERENCE)
        answer = np.searchsorted(_SURVEY_CUM, u_bin, side="right").clip(0, len(SURVEY_2020) - 1)
        log_lo, log_hi = _SURVEY_LOG_LO[answer], _SURVEY_LOG_HI[answer]
        t_prod = np.exp(log_lo + u_within * (log_hi - log_lo)) * stretch
        np.add.at(friction_sum, lang_idx, friction.sum(axis=0))
        np.add.at(stretch_sum, lang_idx, stretch.sum(axis=0))
        bin_counts += np.bincount(_bins_of(t_prod).ravel(), minlength=len(SURVEY_2020))
        gap_blocks.append(p_inf - p0)
        decay_blocks.append(np.exp(-log_closed / t_prod))   # per week: τ = T / ln(1 / (1 − gap_closed))
        if sv is not None:
            def drawn(values: tuple[float, ...], u: np.ndarray) -> np.ndarray:
                return np.asarray(values)[np.minimum((u * len(values)).astype(int), len(values) - 1)]
            monthly_blocks.append(sv.monthly_saving(drawn(sv.current.qps, pick[:, 0]), drawn(sv.go.qps, pick[:, 1]),
                                                    drawn(sv.current.rss_mib, pick[:, 2]), drawn(sv.go.rss_mib, pick[:, 3])))

    # Week by week over all runs at once: every engineer's gap shrinks by its decay (one multiplication per
    # engineer-week instead of an exp). Row sums, not a BLAS product: each run's sum must not depend on how many
    # runs there are, or a shorter simulation would not reproduce the first runs of a longer one exactly.
    gap, decay = np.concatenate(gap_blocks), np.concatenate(decay_blocks)
    vel = np.empty((inp.runs, weeks + 1))
    for week in range(weeks + 1):
        gap.sum(axis=1, out=vel[:, week])
        gap *= decay
    vel = (1 - s) + s * (p_inf - vel / m)                                                       # (runs, weeks + 1)
    lost = np.maximum(0.0, 1 - vel)
    dip_em = np.zeros_like(vel)                               # cumulative engineer-months lost (trapezoid per week)
    np.cumsum(0.5 * (lost[:, 1:] + lost[:, :-1]), axis=1, out=dip_em[:, 1:])
    dip_em *= dt_months * inp.team_size
    return {"grid": grid, "velocity": vel, "dip_engineer_months": dip_em, "engineers": m, "language_counts": counts,
            "monthly_saving": np.concatenate(monthly_blocks) if sv is not None else None,
            "friction_sum": friction_sum, "stretch_sum": stretch_sum, "bin_counts": bin_counts, "p0_range": (p0_lo, p0_hi)}


def simulate(inp: MigrationInput) -> MigrationResult:
    """The Monte Carlo's quantiles over runs (see `paths`)."""
    run = paths(inp)
    grid, vel, dip_em, m, counts = (run[k] for k in ("grid", "velocity", "dip_engineer_months", "engineers",
                                                     "language_counts"))
    sv, tol = inp.savings, inp.tolerance
    cum_cost = dip_em * inp.cost_per_engineer_month
    recovered = vel >= 1 - tol
    recov = np.where(recovered.any(axis=1), grid[recovered.argmax(axis=1)], math.inf)

    monthly, breakeven, cum_save = run["monthly_saving"], None, None
    if sv is not None:
        cum_save = monthly[:, None] * np.maximum(0.0, grid - sv.start_month)[None, :]
        covered = (grid > sv.start_month)[None, :] & (cum_save >= cum_cost) & (monthly > 0)[:, None]
        breakeven = np.where(covered.any(axis=1), grid[covered.argmax(axis=1)], math.inf)

    survey_total = sum(sh for _, sh, _, _ in SURVEY_2020)
    total_eng = inp.runs * m
    ttp = tuple({"answer": label, "survey_share": share / survey_total,
                 "team_share": int(run["bin_counts"][i]) / total_eng if i < 5 else None}
                for i, (label, share, _, _) in enumerate(SURVEY_2020))
    per_lang = {k: counts[k] * inp.runs for k in LANGUAGES}
    return MigrationResult(
        inp=inp, months=tuple(float(t) for t in grid), velocity=_per_time(vel), min_velocity=_quantiles(vel.min(axis=1)),
        dip_engineer_months=_quantiles(dip_em[:, -1]), dip_cost=_quantiles(cum_cost[:, -1]),
        recovery_months=_quantiles_none(recov), recovered_share=float(np.isfinite(recov).mean()),
        monthly_saving=_quantiles(monthly) if monthly is not None else None,
        breakeven_months=_quantiles_none(breakeven) if breakeven is not None else None,
        breakeven_share=float(np.isfinite(breakeven).mean()) if breakeven is not None else None,
        cumulative_cost=_per_time(cum_cost),
        cumulative_savings=_per_time(cum_save) if cum_save is not None else None,
        time_to_productive=ttp, engineers_simulated=m, language_counts=counts,
        friction_by_language={k: float(run["friction_sum"][i] / per_lang[k]) for i, k in enumerate(LANGUAGES) if counts[k]},
        stretch_by_language={k: float(run["stretch_sum"][i] / per_lang[k]) for i, k in enumerate(LANGUAGES) if counts[k]},
        p0_range=run["p0_range"],
    )
