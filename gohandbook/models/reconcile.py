"""Operator reconcile load and staleness: periodic requeue polling vs watch-driven reconciles.

A pure model (no I/O). Starting values are controller-runtime's and client-go's published
defaults, each cited in DEFAULTS. The model answers two questions for N objects:
how many API-server and external calls per hour does the controller make, and how stale can
its view of the *external* state be (the state the source document's Reconcile fetches with
`fetchFromClusterAPI`, which no Kubernetes watch can see)?

Assumptions, stated so they can be challenged:
- Reads go through controller-runtime's informer cache (no API call); each reconcile makes
  `api_calls_per_reconcile` API requests (the status update) and `external_calls_per_reconcile`
  calls to the external system.
- Events (spec changes) and periodic requeues are spread evenly in time; the workqueue's
  de-duplication is ignored (an upper bound on load).
- Queueing delay uses the Allen–Cunneen/Sakasegawa approximation for an M/D/c queue
  (c = MaxConcurrentReconciles, deterministic reconcile time); with utilisation ≥ 1 the queue
  grows without bound and staleness is infinite.
- A failed reconcile is retried after client-go's per-item exponential backoff
  (5 ms · 2^n, capped at 1000 s); failures are independent with probability `failure_rate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..i18n import N_, _
from ..params import ParameterError

DEFAULTS = {
    "sync_period_s": (10 * 3600, "controller-runtime cache.Options.SyncPeriod: 'Defaults to 10 hours if unset', with "
                      "a 10 percent jitter between controllers (pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/cache#Options)"),
    "jitter": (0.10, "controller-runtime: resync period drawn from [0.9, 1.1) × SyncPeriod (same source)"),
    "workers": (1, "controller-runtime controller.Options.MaxConcurrentReconciles: 'Defaults to 1' "
                "(pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/controller#Options)"),
    "backoff_base_s": (0.005, "client-go workqueue.DefaultControllerRateLimiter: "
                       "NewItemExponentialFailureRateLimiter(5*time.Millisecond, 1000*time.Second) "
                       "(github.com/kubernetes/client-go, util/workqueue/default_rate_limiters.go)"),
    "backoff_cap_s": (1000.0, "same source: per-item delay capped at 1000 s"),
    "bucket_qps": (10.0, "same source: an overall token bucket of 10 qps, burst 100, for retries (older releases; "
                   "newer controller-runtime versions use only the per-item limiter)"),
}
SEED_REQUEUE_S = 30.0   # the source document's RequeueAfter: 30 * time.Second


@dataclass(frozen=True)
class ReconcileInput:
    objects: int
    requeue_after_s: float | None            # periodic RequeueAfter; None = watch-driven (resync only)
    changes_per_object_per_hour: float = 0.1  # spec edits that trigger an event
    reconcile_seconds: float = 0.1           # time one reconcile takes, external call included
    api_calls_per_reconcile: float = 1.0     # status update (reads come from the informer cache)
    external_calls_per_reconcile: float = 1.0
    workers: int = DEFAULTS["workers"][0]
    sync_period_s: float = DEFAULTS["sync_period_s"][0]
    jitter: float = DEFAULTS["jitter"][0]
    failure_rate: float = 0.0
    backoff_base_s: float = DEFAULTS["backoff_base_s"][0]
    backoff_cap_s: float = DEFAULTS["backoff_cap_s"][0]

    def check(self) -> "ReconcileInput":
        def bad(name: str, allowed: str):
            raise ParameterError(_("{name} = {value} is not allowed: {allowed}").format(
                name=name, value=repr(getattr(self, name)), allowed=_(allowed)))
        if not isinstance(self.objects, int) or self.objects < 1:
            bad("objects", N_("an integer >= 1"))
        if self.requeue_after_s is not None and not self.requeue_after_s > 0:
            bad("requeue_after_s", N_("a number > 0, or None for watch-driven"))
        if self.changes_per_object_per_hour < 0:
            bad("changes_per_object_per_hour", N_("a number >= 0"))
        if not self.reconcile_seconds > 0:
            bad("reconcile_seconds", N_("a number > 0"))
        if self.api_calls_per_reconcile < 0 or self.external_calls_per_reconcile < 0:
            bad("api_calls_per_reconcile", N_("numbers >= 0"))
        if not isinstance(self.workers, int) or self.workers < 1:
            bad("workers", N_("an integer >= 1"))
        if not self.sync_period_s > 0:
            bad("sync_period_s", N_("a number > 0"))
        if not 0 <= self.jitter < 1:
            bad("jitter", N_("a fraction from 0 to below 1"))
        if not 0 <= self.failure_rate < 1:
            bad("failure_rate", N_("a fraction from 0 to below 1"))
        if not 0 < self.backoff_base_s <= self.backoff_cap_s:
            bad("backoff_base_s", N_("> 0 and not above backoff_cap_s"))
        return self


@dataclass(frozen=True)
class ReconcileResult:
    strategy: str
    reconciles_per_hour: float
    api_calls_per_hour: float
    external_calls_per_hour: float
    utilisation: float
    saturated: bool
    queue_wait_s: float                  # mean wait in the workqueue before a reconcile starts
    event_staleness_s: float             # spec change → reconciled (watch events; same for both strategies)
    external_staleness_mean_s: float     # external change → seen by the controller
    external_staleness_max_s: float
    max_objects_before_saturation: float
    retry_delay_mean_s: float            # expected backoff delay added by failures per reconcile


def backoff_delay(failures: int, base: float = DEFAULTS["backoff_base_s"][0],
                  cap: float = DEFAULTS["backoff_cap_s"][0]) -> float:
    """Delay before the next attempt after `failures` earlier failures of the item (client-go:
    base · 2^failures, capped). The first retry waits `base`."""
    if failures < 0:
        raise ParameterError(_("{name} = {value} is not allowed: {allowed}").format(
            name="failures", value=failures, allowed=_("an integer >= 0")))
    if failures > 1000:
        return cap
    return min(base * 2 ** failures, cap)


def time_to_recover(consecutive_failures: int, base: float = DEFAULTS["backoff_base_s"][0],
                    cap: float = DEFAULTS["backoff_cap_s"][0]) -> float:
    """Total backoff waited before the attempt after `consecutive_failures` failures."""
    return sum(backoff_delay(n, base, cap) for n in range(consecutive_failures))


def failures_to_cap(base: float = DEFAULTS["backoff_base_s"][0], cap: float = DEFAULTS["backoff_cap_s"][0]) -> int:
    """How many consecutive failures until the per-item delay reaches the cap."""
    return max(0, math.ceil(math.log2(cap / base)))


def expected_retry_delay(p: float, base: float, cap: float, terms: int = 200) -> float:
    """E[total backoff] with independent failures of probability p (geometric number of failures)."""
    # time_to_recover(k) as a running sum (the same additions in the same order), so this is O(terms), not O(terms²).
    total, waited = 0.0, 0.0
    for k in range(1, terms):
        waited += backoff_delay(k - 1, base, cap)
        total += (1 - p) * p ** k * waited
    return total


def queue_wait(arrivals_per_s: float, service_s: float, workers: int) -> float:
    """Mean wait in an M/D/c queue (Allen–Cunneen with cs² = 0); inf when saturated."""
    rho = arrivals_per_s * service_s / workers
    if rho >= 1:
        return math.inf
    if rho == 0:
        return 0.0
    return (rho ** (math.sqrt(2 * (workers + 1)) - 1) / (workers * (1 - rho))) * service_s * 0.5


def residual_resync(sync_period_s: float, jitter: float) -> tuple[float, float]:
    """(mean, max) time from a random moment to the next resync, period uniform in [1−j, 1+j)·S."""
    lo, hi = (1 - jitter) * sync_period_s, (1 + jitter) * sync_period_s
    mean_p = (lo + hi) / 2
    second_moment = (hi ** 3 - lo ** 3) / (3 * (hi - lo)) if hi > lo else mean_p ** 2
    return second_moment / (2 * mean_p), hi


def evaluate(inp: ReconcileInput) -> ReconcileResult:
    inp.check()
    n = inp.objects
    events_per_h = n * inp.changes_per_object_per_hour
    resync_per_h = n * 3600 / inp.sync_period_s
    if inp.requeue_after_s is None:
        strategy = "watch-driven (resync every SyncPeriod)"
        periodic_per_h = resync_per_h
        ext_mean, ext_max = residual_resync(inp.sync_period_s, inp.jitter)
    else:
        strategy = f"RequeueAfter {inp.requeue_after_s:g} s"
        # A requeue re-arms after every reconcile; the resync also fires but is dwarfed when T << SyncPeriod.
        periodic_per_h = n * 3600 / inp.requeue_after_s + resync_per_h
        ext_mean, ext_max = inp.requeue_after_s / 2, inp.requeue_after_s
    attempts = (events_per_h + periodic_per_h) / (1 - inp.failure_rate)
    per_s = attempts / 3600
    rho = per_s * inp.reconcile_seconds / inp.workers
    wait = queue_wait(per_s, inp.reconcile_seconds, inp.workers)
    retry = expected_retry_delay(inp.failure_rate, inp.backoff_base_s, inp.backoff_cap_s) if inp.failure_rate else 0.0
    service = inp.reconcile_seconds + wait + retry
    base_rate_per_object = (inp.changes_per_object_per_hour + (3600 / inp.requeue_after_s if inp.requeue_after_s else 0)
                            + 3600 / inp.sync_period_s) / (1 - inp.failure_rate) / 3600
    return ReconcileResult(
        strategy=strategy, reconciles_per_hour=attempts,
        api_calls_per_hour=attempts * inp.api_calls_per_reconcile,
        external_calls_per_hour=attempts * inp.external_calls_per_reconcile,
        utilisation=rho, saturated=rho >= 1, queue_wait_s=wait,
        event_staleness_s=service,
        external_staleness_mean_s=ext_mean + service, external_staleness_max_s=ext_max + service,
        max_objects_before_saturation=inp.workers / (inp.reconcile_seconds * base_rate_per_object),
        retry_delay_mean_s=retry,
    )


def compare(inp: ReconcileInput) -> dict[str, ReconcileResult]:
    """The seed's 30 s polling, the chosen interval, and watch-driven, for the same objects."""
    out = {"seed": evaluate(replace(inp, requeue_after_s=SEED_REQUEUE_S)),
           "watch": evaluate(replace(inp, requeue_after_s=None))}
    if inp.requeue_after_s is not None and inp.requeue_after_s != SEED_REQUEUE_S:
        out["chosen"] = evaluate(inp)
    return out


def sweep_objects(inp: ReconcileInput, counts: list[int]) -> list[dict]:
    """Rows for charts: one per (object count, strategy)."""
    rows = []
    for n in counts:
        for key, res in compare(replace(inp, objects=n)).items():
            rows.append({"objects": n, "strategy": res.strategy, "key": key,
                         "api_calls_per_hour": res.api_calls_per_hour,
                         "external_calls_per_hour": res.external_calls_per_hour,
                         "utilisation": res.utilisation, "saturated": res.saturated,
                         "external_staleness_mean_s": res.external_staleness_mean_s,
                         "external_staleness_max_s": res.external_staleness_max_s,
                         "event_staleness_s": res.event_staleness_s})
    return rows


def log_grid(lo: int, hi: int, per_decade: int = 6) -> list[int]:
    if lo < 1 or hi < lo:
        raise ParameterError(_("object range {lo}–{hi} is not allowed: need 1 <= low <= high").format(lo=lo, hi=hi))
    steps = max(1, round(math.log10(hi / lo) * per_decade))
    return sorted({max(lo, min(hi, round(lo * (hi / lo) ** (i / steps)))) for i in range(steps + 1)})
