"""Chapter 4's models: the canary exposure model and the migration-cost Monte Carlo.

Properties: bounds, monotonicity, seeds reproduce, exact values in limiting cases, and agreement
with an independent brute-force simulation.
"""

from __future__ import annotations

import bisect
import math
import random
from typing import Sequence

import numpy as np
import pytest

from gohandbook.models import canary as cm
from gohandbook.models import migration_cost as mc
from gohandbook.params import ParameterError

# ---------------------------------------------------------------- canary


def brute_sf(c, n, p):
    return sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(c + 1, n + 1))


@pytest.mark.parametrize("n, p", [(1, 0.3), (10, 0.05), (50, 0.2), (300, 0.015), (200, 0.5), (120, 0.99)])
def test_binomial_tail_matches_brute_force(n, p):
    for c in range(-1, n + 1, max(1, n // 25)):
        assert cm.binom_sf(c, n, p) == pytest.approx(brute_sf(c, n, p), abs=1e-12)


def test_binomial_tail_edges():
    assert cm.binom_sf(5, 10, 0.0) == 0.0 and cm.binom_sf(5, 10, 1.0) == 1.0
    assert cm.binom_sf(-1, 10, 0.3) == 1.0 and cm.binom_sf(10, 10, 0.3) == 0.0
    assert 0.0 <= cm.binom_sf(3_000_000, 36_000_000, 0.05) <= 1.0  # huge n stays fast and bounded


def test_check_semantics():
    # 100 requests, success >= 99 %: one failure passes, two fail the check
    assert cm.check_fails(100, 0.0, 99) == 0.0
    assert cm.check_fails(0, 0.0, 99) == 1.0  # no data fails, as in Flagger
    assert cm.check_fails(100, 1.0, 99) == 1.0
    assert cm.check_fails(100, 0.02, 99) == pytest.approx(brute_sf(1, 100, 0.02))


def test_a_fully_broken_version_is_caught_at_the_first_check():
    r = cm.evaluate(cm.CanaryInput((5, 50, 100), interval_s=60, threshold=1, rps=100, failure_pct=100))
    assert r.p_rollback == 1.0 and r.p_promote == 0.0
    assert r.expected_bad == pytest.approx(300)            # 100 rps × 60 s × 5 %
    assert r.expected_detection_s == pytest.approx(60)
    r3 = cm.evaluate(cm.CanaryInput((5, 50, 100), interval_s=60, threshold=3, rps=100, failure_pct=100))
    assert r3.expected_detection_s == pytest.approx(180)   # interval × threshold
    assert r3.expected_bad == pytest.approx(900)


def test_a_perfect_version_is_promoted_after_interval_times_steps():
    for key, (_, steps) in cm.PLANS.items():
        r = cm.evaluate(cm.CanaryInput(steps, interval_s=60, rps=100, failure_pct=0))
        assert r.p_promote == 1.0 and r.expected_bad == 0.0, key
        assert r.expected_rollout_s == pytest.approx(60 * len(steps)) == r.min_rollout_s
        assert all(row.p_reached == pytest.approx(1.0) for row in r.steps)


@pytest.mark.parametrize("plan", list(cm.PLANS))
def test_rollback_probability_grows_with_the_failure_rate(plan):
    steps = cm.PLANS[plan][1]
    probs = [cm.evaluate(cm.CanaryInput(steps, rps=50, failure_pct=f)).p_rollback for f in
             (0, 0.1, 0.3, 0.6, 0.9, 1.0, 1.2, 1.5, 2, 5, 20, 100)]
    assert all(0 <= p <= 1 for p in probs)
    assert probs == sorted(probs)


def test_bigger_first_step_exposes_more_when_detection_is_certain():
    bad = [cm.evaluate(cm.CanaryInput((w, 100), rps=100, failure_pct=30)).expected_bad for w in (1, 5, 10, 25, 50)]
    assert bad == sorted(bad) and bad[0] < bad[-1]


def test_more_tolerance_means_more_exposure():
    base = dict(steps=(5, 50, 100), rps=100, failure_pct=3)
    by_threshold = [cm.evaluate(cm.CanaryInput(threshold=t, **base)) for t in (1, 2, 3, 5)]
    assert [r.expected_bad for r in by_threshold] == sorted(r.expected_bad for r in by_threshold)
    for t, r in zip((1, 2, 3, 5), by_threshold):
        assert r.expected_detection_s >= t * 60 - 1e-9


def simulate_rollout(inp: cm.CanaryInput, rng: random.Random) -> tuple[str, float, int]:
    """Brute force: draw every interval's failures request by request."""
    f = inp.failure_pct / 100
    step, failed, t, bad = 0, 0, 0, 0
    while True:
        t += 1
        n = cm.canary_requests(inp, inp.steps[step])
        x = sum(rng.random() < f for _ in range(n))
        bad += x
        passed = n > 0 and 100 * (n - x) / n >= inp.min_success_pct
        if not passed:
            failed += 1
            if failed >= inp.threshold:
                return "rollback", t * inp.interval_s, bad
        elif step == len(inp.steps) - 1:
            return "promote", t * inp.interval_s, bad
        else:
            step += 1


@pytest.mark.parametrize("inp", [
    cm.CanaryInput((5, 50, 100), interval_s=1, threshold=1, rps=2000, failure_pct=1.5),
    cm.CanaryInput((10, 20, 30, 40), interval_s=1, threshold=2, rps=500, failure_pct=1.2),
    cm.CanaryInput((20, 60, 100), interval_s=1, threshold=1, min_success_pct=95, rps=100, failure_pct=4),
], ids=["seed-marginal", "threshold2", "loose"])
def test_model_agrees_with_brute_force_simulation(inp):
    rng = random.Random(7)
    runs = [simulate_rollout(inp, rng) for _ in range(3000)]
    r = cm.evaluate(inp)
    p_rb = sum(o == "rollback" for o, _, _ in runs) / len(runs)
    mean_bad = sum(b for _, _, b in runs) / len(runs)
    assert p_rb == pytest.approx(r.p_rollback, abs=0.03)
    assert mean_bad == pytest.approx(r.expected_bad, rel=0.06, abs=0.5)
    rb_times = [t for o, t, _ in runs if o == "rollback"]
    if rb_times and r.expected_detection_s:
        assert sum(rb_times) / len(rb_times) == pytest.approx(r.expected_detection_s, rel=0.06)
    rb_bad = [b for o, _, b in runs if o == "rollback"]
    if len(rb_bad) > 300:
        assert sum(rb_bad) / len(rb_bad) == pytest.approx(r.expected_bad_if_rollback, rel=0.07, abs=0.5)


def test_reach_probabilities_are_consistent():
    r = cm.evaluate(cm.CanaryInput((5, 25, 50, 100), rps=200, failure_pct=1.1, threshold=2))
    reached = [row.p_reached for row in r.steps]
    assert reached[0] == 1.0 and reached == sorted(reached, reverse=True)
    assert r.p_rollback + r.p_promote == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": ()}, "at least one"), ({"steps": (50, 5)}, "above the previous"), ({"steps": (0, 10)}, "above"),
    ({"steps": (10, 101)}, "at most 100"), ({"steps": (5,), "interval_s": 0}, "interval_s"),
    ({"steps": (5,), "threshold": 0}, "threshold"), ({"steps": (5,), "failure_pct": 120}, "failure_pct"),
])
def test_bad_canary_inputs_are_named(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        cm.CanaryInput(**kwargs)


def test_parse_steps():
    assert cm.parse_steps("5, 25;50,100") == (5, 25, 50, 100)
    with pytest.raises(ParameterError, match="steps = '5,abc' is not allowed"):
        cm.parse_steps("5,abc")


# ---------------------------------------------------------------- migration cost

def savings(fleet=20.0, **kw):
    cur = mc.RuntimeSample("current", (6000.0, 7000.0, 8000.0), (28.0, 28.5, 29.0))
    go = mc.RuntimeSample("go", (40000.0, 42000.0, 44000.0), (12.5, 12.6, 12.7))
    return mc.SavingsInput(cur, go, fleet_instances=fleet, **kw)


def run(**kw):
    kw.setdefault("runs", 200)
    return mc.simulate(mc.MigrationInput(**kw))


def test_seeds_reproduce_and_differ():
    a, b, c = run(seed=1, savings=savings()), run(seed=1, savings=savings()), run(seed=2, savings=savings())
    assert a.velocity == b.velocity and a.dip_cost == b.dip_cost and a.breakeven_months == b.breakeven_months
    assert a.velocity != c.velocity


def test_bounds_and_quantile_order():
    r = run(time_share=0.7, savings=savings())
    lowest_p0 = mc.LTEX["very_high"] / mc.LTEX["very_low"]
    floor = (1 - 0.7) + 0.7 * lowest_p0
    for i in range(len(r.months)):
        lo, mid, hi = (r.velocity[q][i] for q in mc.QUANTILES)
        assert floor - 1e-9 <= lo <= mid <= hi <= 1 + 1e-9
    assert r.dip_cost[0.1] <= r.dip_cost[0.5] <= r.dip_cost[0.9]
    assert 0 <= r.recovered_share <= 1 and 0 <= r.breakeven_share <= 1
    assert r.velocity[0.5] == tuple(sorted(r.velocity[0.5]))  # p∞ = 1 ≥ p0: the median only climbs


def test_more_friction_costs_more():
    costs = [run(friction={"x": {lang: f for lang in mc.LANGUAGES}}).dip_cost[0.5] for f in (1, 2, 3, 4, 5)]
    assert costs == sorted(costs) and costs[0] < costs[-1]


def test_friction_does_nothing_without_elasticity():
    a = run(friction={"x": {lang: 1.0 for lang in mc.LANGUAGES}}, friction_elasticity=0)
    b = run(friction={"x": {lang: 5.0 for lang in mc.LANGUAGES}}, friction_elasticity=0)
    assert a.velocity == b.velocity


def test_more_time_on_migrated_systems_costs_more():
    costs = [run(time_share=s).dip_cost[0.5] for s in (0, 0.25, 0.5, 1.0)]
    assert costs[0] == 0 and costs == sorted(costs)


def test_cost_is_linear_in_the_price_of_an_engineer_month():
    a, b = run(cost_per_engineer_month=10000), run(cost_per_engineer_month=20000)
    assert b.dip_cost[0.5] == pytest.approx(2 * a.dip_cost[0.5])
    assert a.dip_engineer_months == b.dip_engineer_months


def test_more_experience_today_means_a_deeper_dip():
    mins = [run(current_ltex=level).min_velocity[0.5] for level in mc.LEVELS]
    assert mins == sorted(mins, reverse=True)
    # a team with very low experience today loses nothing by switching (it may be one level better: 1.09 / 1.20)
    assert run(current_ltex="very_low").p0_range == pytest.approx((mc.LTEX["low"] / mc.LTEX["very_low"], 1.0))


def test_bigger_fleet_breaks_even_sooner():
    results = [run(savings=savings(fleet)) for fleet in (10, 100, 1000)]
    monthly = [r.monthly_saving[0.5] for r in results]
    assert monthly == sorted(monthly)
    be = [r.breakeven_months[0.5] if r.breakeven_months[0.5] is not None else math.inf for r in results]
    assert be == sorted(be, reverse=True)
    assert results[0].breakeven_share <= results[-1].breakeven_share


def test_no_savings_when_nothing_of_the_gap_is_realised():
    r = run(savings=savings(realised=0.0))
    assert r.monthly_saving[0.5] == pytest.approx(0.0, abs=1e-9) and r.breakeven_share == 0.0


def test_without_friction_the_team_ramps_up_like_the_survey():
    r = mc.simulate(mc.MigrationInput(team_size=100, friction_spread=0, friction_elasticity=0, runs=100))
    shares = {row["answer"]: row for row in r.time_to_productive}
    for label in ("< 1 week", "1 week – 1 month", "1–3 months", "3 months – 1 year"):
        assert shares[label]["team_share"] == pytest.approx(shares[label]["survey_share"], abs=0.015)
    assert shares["> 1 year"]["team_share"] == pytest.approx(0.08, abs=0.015)  # '> 1 year' plus 'not yet'


def test_recovery_is_later_with_a_stricter_tolerance():
    loose, strict = run(tolerance=0.05), run(tolerance=0.01)
    assert loose.recovery_months[0.5] <= strict.recovery_months[0.5]


def test_language_assignment_and_friction_parsing():
    assert mc.assign_languages({"java": 40, "python": 40, "node": 20}, 8) == ["java"] * 3 + ["python"] * 3 + ["node"] * 2
    assert len(mc.assign_languages({"java": 1, "python": 1, "node": 1}, 7)) == 7
    assert mc.parse_friction_extra("static_typing=3@python+node, generics = 2") == {
        "static_typing": {"python": 3.0, "node": 3.0}, "generics": {lang: 2.0 for lang in mc.LANGUAGES}}
    assert mc.parse_friction_extra("  ") == {}
    for bad in ("x=7", "x", "x=2@cobol", "=3"):
        with pytest.raises(mc.MigrationInputError):
            mc.parse_friction_extra(bad)


def test_language_specific_friction_only_touches_that_language():
    r = run(language_mix={"java": 50, "python": 50, "node": 0},
            friction={"concurrency": {lang: 5.0 for lang in mc.LANGUAGES}, "typing": {"python": 5.0}}, friction_spread=0)
    assert r.friction_by_language["java"] == pytest.approx(5.0) and r.friction_by_language["python"] == pytest.approx(5.0)
    r = run(language_mix={"java": 50, "python": 50, "node": 0},
            friction={"concurrency": {lang: 3.0 for lang in mc.LANGUAGES}, "typing": {"python": 5.0}}, friction_spread=0)
    assert r.friction_by_language["java"] == pytest.approx(3.0) and r.friction_by_language["python"] == pytest.approx(4.0)
    assert r.stretch_by_language["python"] > r.stretch_by_language["java"]


@pytest.mark.parametrize("kwargs, message", [
    ({"team_size": 0}, "team_size"), ({"language_mix": {"java": 0, "python": 0}}, "not all zero"),
    ({"language_mix": {"cobol": 1}}, "languages"), ({"friction": {"x": {"java": 6}}}, "ratings are 1-5"),
    ({"time_share": 1.5}, "time_share"), ({"current_ltex": "guru"}, "current_ltex"), ({"runs": 1}, "runs"),
])
def test_bad_migration_inputs_are_named(kwargs, message):
    with pytest.raises(mc.MigrationInputError, match=message):
        mc.MigrationInput(**kwargs)


def test_a_shorter_simulation_is_the_first_runs_of_a_longer_one():
    # the interactive path runs fewer runs than the report: it must see exactly the report's first runs
    inp = dict(team_size=12, savings=savings(), seed=9)
    short, long = mc.paths(mc.MigrationInput(runs=130, **inp)), mc.paths(mc.MigrationInput(runs=420, **inp))
    assert np.array_equal(short["velocity"], long["velocity"][:130])
    assert np.array_equal(short["monthly_saving"], long["monthly_saving"][:130])
    again = mc.paths(mc.MigrationInput(runs=130, **inp))
    assert np.array_equal(short["dip_engineer_months"], again["dip_engineer_months"])


@pytest.mark.parametrize("kw", [
    {},
    {"team_size": 30, "friction_spread": 0.5, "current_ltex": "nominal", "time_share": 0.9},
    {"team_size": 3, "friction_elasticity": 1.0, "language_mix": {"java": 1, "python": 2},
     "friction": {"typing": {"python": 5.0}, "concurrency": {lang: 4.0 for lang in mc.LANGUAGES}}},
], ids=["defaults", "bigger-team", "per-language"])
def test_vectorised_model_matches_the_scalar_reference_in_distribution(kw):
    old = scalar_simulate(mc.MigrationInput(runs=500, seed=11, savings=savings(300), **kw))
    new = mc.simulate(mc.MigrationInput(runs=3000, seed=11, savings=savings(300), **kw))
    assert new.min_velocity[0.5] == pytest.approx(old.min_velocity[0.5], rel=0.01)
    assert new.dip_engineer_months[0.5] == pytest.approx(old.dip_engineer_months[0.5], rel=0.1)
    assert new.dip_engineer_months[0.9] == pytest.approx(old.dip_engineer_months[0.9], rel=0.15)
    assert new.recovery_months[0.5] == pytest.approx(old.recovery_months[0.5], rel=0.15)
    assert new.breakeven_months[0.5] == pytest.approx(old.breakeven_months[0.5], rel=0.15)
    assert new.monthly_saving[0.5] == pytest.approx(old.monthly_saving[0.5], rel=0.05)
    assert new.language_counts == old.language_counts and new.p0_range == pytest.approx(old.p0_range)
    for lang, f in old.friction_by_language.items():
        assert new.friction_by_language[lang] == pytest.approx(f, abs=0.05)
    for a, b in zip(old.time_to_productive, new.time_to_productive):
        if a["team_share"] is not None:
            assert b["team_share"] == pytest.approx(a["team_share"], abs=0.03)


# ---------------------------------------------------------------- the scalar reference
# The model before it was vectorised (pure Python, run by run, engineer by engineer, week by week). Kept
# as an independent implementation of the same definitions: the tests above compare the distributions.

def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    if not sorted_values:
        return float("nan")
    pos = q * (len(sorted_values) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _draw_survey_weeks(rng: random.Random) -> tuple[int, float]:
    cum, u = 0.0, rng.random() * sum(s for _, s, _, _ in mc.SURVEY_2020)
    for i, (_, share, lo, hi) in enumerate(mc.SURVEY_2020):
        cum += share
        if u < cum or i == len(mc.SURVEY_2020) - 1:
            return i, math.exp(rng.uniform(math.log(lo), math.log(hi)))
    raise AssertionError


def _bin_of(weeks: float) -> int:
    """The survey answer a time-to-productive falls into (the open 'not yet' bin is not used)."""
    edges = [hi for _, _, _, hi in mc.SURVEY_2020[:4]]
    return bisect.bisect_left(edges, weeks) if weeks <= edges[-1] else 4


def scalar_simulate(inp: mc.MigrationInput) -> mc.MigrationResult:
    rng = random.Random(inp.seed)
    m = min(int(inp.team_size), mc.MAX_SIMULATED)
    langs = mc.assign_languages(inp.language_mix, m)
    counts = {k: langs.count(k) for k in mc.LANGUAGES}
    weeks = int(round(inp.horizon_months * mc.WEEKS_PER_MONTH))
    grid = [w / mc.WEEKS_PER_MONTH for w in range(weeks + 1)]
    dims = {lang: [(d, per[lang]) for d, per in inp.friction.items() if lang in per] for lang in mc.LANGUAGES}
    lvl = mc.LEVELS.index(inp.current_ltex)
    log_closed = math.log(1 / (1 - inp.gap_closed))
    s, p_inf, tol = inp.time_share, inp.long_run_velocity, inp.tolerance
    dt_months = 1 / mc.WEEKS_PER_MONTH

    velocity_runs: list[list[float]] = []
    cum_cost_runs: list[list[float]] = []
    cum_save_runs: list[list[float]] = []
    mins, dips, costs, recov, savings, breakeven = [], [], [], [], [], []
    productive_bins = [0] * len(mc.SURVEY_2020)
    friction_sum = {k: 0.0 for k in mc.LANGUAGES}
    stretch_sum = {k: 0.0 for k in mc.LANGUAGES}
    p0_lo, p0_hi = float("inf"), float("-inf")
    for _ in range(inp.runs):
        gaps, decays = [], []
        for lang in langs:
            level = min(max(lvl + rng.choices((-1, 0, 1), weights=(1, 2, 1))[0], 0), len(mc.LEVELS) - 1)
            p0 = mc.LTEX[mc.LEVELS[level]] * mc.PLEX[inp.plex_before] / (mc.LTEX["very_low"] * mc.PLEX[inp.plex_after])
            p0_lo, p0_hi = min(p0_lo, p0), max(p0_hi, p0)
            ratings = [min(5.0, max(1.0, r + rng.uniform(-inp.friction_spread, inp.friction_spread)))
                       for _, r in dims[lang]]
            friction = sum(ratings) / len(ratings) if ratings else mc.FRICTION_REFERENCE
            stretch = (1 + inp.friction_elasticity) ** (friction - mc.FRICTION_REFERENCE)
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
        return {q: tuple(quantile(c, q) for c in cols) for q in mc.QUANTILES}

    def qs(values: list[float]) -> dict[float, float]:
        ordered = sorted(values)
        return {q: quantile(ordered, q) for q in mc.QUANTILES}

    def qs_none(values: list[float | None]) -> dict[float, float | None]:
        ordered = sorted(values, key=lambda v: math.inf if v is None else v)
        out = {}
        for q in mc.QUANTILES:
            idx = q * (len(ordered) - 1)
            lo, hi = ordered[int(math.floor(idx))], ordered[min(int(math.floor(idx)) + 1, len(ordered) - 1)]
            if lo is None or hi is None:
                out[q] = None
            else:
                out[q] = lo + (hi - lo) * (idx - math.floor(idx))
        return out

    total_eng = inp.runs * m
    survey_total = sum(sh for _, sh, _, _ in mc.SURVEY_2020)
    ttp = tuple({"answer": label, "survey_share": share / survey_total,
                 "team_share": productive_bins[i] / total_eng if i < 5 else None}
                for i, (label, share, _, _) in enumerate(mc.SURVEY_2020))
    return mc.MigrationResult(
        inp=inp, months=tuple(grid), velocity=per_time(velocity_runs), min_velocity=qs(mins),
        dip_engineer_months=qs(dips), dip_cost=qs(costs), recovery_months=qs_none(recov),
        recovered_share=sum(r is not None for r in recov) / len(recov),
        monthly_saving=qs(savings) if savings else None,
        breakeven_months=qs_none(breakeven) if inp.savings is not None else None,
        breakeven_share=(sum(b is not None for b in breakeven) / len(breakeven)) if inp.savings is not None else None,
        cumulative_cost=per_time(cum_cost_runs),
        cumulative_savings=per_time(cum_save_runs) if cum_save_runs else None,
        time_to_productive=ttp, engineers_simulated=m, language_counts=counts,
        friction_by_language={k: friction_sum[k] / (counts[k] * inp.runs) for k in mc.LANGUAGES if counts[k]},
        stretch_by_language={k: stretch_sum[k] / (counts[k] * inp.runs) for k in mc.LANGUAGES if counts[k]},
        p0_range=(p0_lo, p0_hi),
    )
