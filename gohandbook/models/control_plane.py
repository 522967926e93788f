"""Chapter 3's xDS push model: how long until every proxy has a config change, and how many pushes.

It follows istiod's own mechanics (pilot/pkg/xds/discovery.go and pushqueue.go):

1. **Debounce.** The first change arms a timer of PILOT_DEBOUNCE_AFTER. When it fires, the merged
   changes are pushed if nothing changed for DEBOUNCE_AFTER or the first change is DEBOUNCE_MAX old;
   otherwise the timer is re-armed for the rest of the quiet period. Without debouncing every change
   is pushed at once.
2. **Push round.** A push enqueues every proxy. A proxy already waiting has its request merged (it
   will get the newest config); a proxy being pushed to is queued again once that push ends.
3. **Throttle.** Istiod's reading of PILOT_PUSH_THROTTLE: at most C pushes in flight (a semaphore),
   each taking `push_s`. Early Pilot's reading (and the seed's comment): at most R pushes *started*
   per second.

Everything is deterministic; the same algorithm runs for real in `go-samples/xdssim`. Pushes to one
proxy all take `push_s`, so in-flight pushes finish in the order they started, and the queue is an
exact discrete-event simulation, not an approximation. Simultaneous events are taken in a fixed order
(changes before timers, push completions before new rounds); real timers break such ties at random.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from ..i18n import _
from ..params import ParameterError

EPS = 1e-9
MAX_PUSHES = 3_000_000  # beyond this the simulation would take seconds: ask for a smaller scenario

# istiod's published defaults (pilot/pkg/features/tuning.go)
DEBOUNCE_AFTER_S = 0.1
DEBOUNCE_MAX_S = 10.0
LEGACY_PUSH_THROTTLE = 100


def istiod_push_throttle(gomaxprocs: int) -> int:
    """PILOT_PUSH_THROTTLE=0 (the default): min(15 + 5·GOMAXPROCS, 100) concurrent pushes."""
    if gomaxprocs < 1:
        raise ParameterError(_("{name} = {value} is not allowed: allowed is an integer >= 1").format(
            name="gomaxprocs", value=repr(gomaxprocs)))
    return min(15 + 5 * int(gomaxprocs), 100)


def evenly_spaced_changes(rate_per_s: float, window_s: float, start_s: float = 0.0) -> tuple[float, ...]:
    """A storm of config changes: `rate_per_s` changes per second for `window_s` seconds (at least one)."""
    if rate_per_s <= 0 or window_s < 0:
        raise ParameterError(_("change rate must be > 0 and the change window >= 0"))
    count = max(1, int(math.floor(rate_per_s * window_s + EPS)))
    return tuple(start_s + i / rate_per_s for i in range(count))


@dataclass(frozen=True)
class PushModelInput:
    proxies: int
    change_times_s: tuple[float, ...]
    push_s: float                         # time one push to one proxy takes
    concurrency: int | None = 25          # pushes in flight at most (istiod's PILOT_PUSH_THROTTLE)
    rate_per_s: float | None = None       # instead: pushes started per second at most (early Pilot)
    debounce: bool = True
    debounce_after_s: float = DEBOUNCE_AFTER_S
    debounce_max_s: float = DEBOUNCE_MAX_S

    def check(self) -> None:
        if self.proxies < 1:
            raise ParameterError(_("{name} = {value} is not allowed: allowed is an integer >= 1").format(
                name="proxies", value=repr(self.proxies)))
        if not self.change_times_s:
            raise ParameterError(_("change_times_s must list at least one change"))
        if any(b < a for a, b in zip(self.change_times_s, self.change_times_s[1:])) or self.change_times_s[0] < 0:
            raise ParameterError(_("change_times_s must be non-negative and sorted"))
        if self.push_s < 0:
            raise ParameterError(_("{name} = {value} is not allowed: allowed is a number >= 0").format(
                name="push_s", value=repr(self.push_s)))
        if (self.concurrency is None) == (self.rate_per_s is None):
            raise ParameterError(_("give exactly one throttle: concurrency (pushes in flight) or rate_per_s"))
        if self.concurrency is not None and self.concurrency < 1:
            raise ParameterError(_("{name} = {value} is not allowed: allowed is an integer >= 1").format(
                name="concurrency", value=repr(self.concurrency)))
        if self.rate_per_s is not None and self.rate_per_s <= 0:
            raise ParameterError(_("{name} = {value} is not allowed: allowed is a number > 0").format(
                name="rate_per_s", value=repr(self.rate_per_s)))
        if self.debounce and self.debounce_after_s <= 0:
            raise ParameterError(_("debounce_after_s must be > 0 when debouncing"))
        if self.debounce and self.debounce_max_s < self.debounce_after_s:
            raise ParameterError(_("debounce_max_s must be >= debounce_after_s"))


@dataclass
class PushModelResult:
    inp: PushModelInput
    round_times_s: list[float]            # when each push round was enqueued
    round_versions: list[int]             # newest change (1-based) each round carries
    converged_s: list[float]              # per change: when every proxy had it (absolute time)
    pushes: int                           # pushes to single proxies
    busy_s: float = 0.0                   # sum of push durations
    pushes_per_round: list[int] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.inp.change_times_s)

    @property
    def staleness_s(self) -> list[float]:
        """Per change: from the change until every proxy has it."""
        return [c - t for c, t in zip(self.converged_s, self.inp.change_times_s)]

    @property
    def last_change_to_converged_s(self) -> float:
        return self.converged_s[-1] - self.inp.change_times_s[-1]

    @property
    def max_staleness_s(self) -> float:
        return max(self.staleness_s)

    @property
    def mean_staleness_s(self) -> float:
        return sum(self.staleness_s) / len(self.staleness_s)

    @property
    def active_s(self) -> float:
        """From the first change until every proxy has the last one."""
        return max(self.converged_s[-1] - self.inp.change_times_s[0], EPS)

    @property
    def pushes_per_s(self) -> float:
        return self.pushes / self.active_s

    @property
    def push_rounds(self) -> int:
        return len(self.round_times_s)

    @property
    def pushes_per_change(self) -> float:
        return self.pushes / self.changes

    @property
    def slot_busy_pct(self) -> float | None:
        """Concurrency mode: share of the C push slots busy while changes converge."""
        if self.inp.concurrency is None:
            return None
        return 100 * self.busy_s / (self.inp.concurrency * self.active_s)

    def summary(self) -> dict:
        return {
            "last_change_to_converged_s": self.last_change_to_converged_s,
            "max_staleness_s": self.max_staleness_s, "mean_staleness_s": self.mean_staleness_s,
            "push_rounds": self.push_rounds, "pushes": self.pushes, "pushes_per_s": self.pushes_per_s,
            "pushes_per_change": self.pushes_per_change, "slot_busy_pct": self.slot_busy_pct,
            "changes": self.changes, "active_s": self.active_s,
        }


def debounce_rounds(change_times_s: tuple[float, ...], *, debounce: bool = True,
                    after_s: float = DEBOUNCE_AFTER_S, max_s: float = DEBOUNCE_MAX_S) -> list[tuple[float, int]]:
    """When push rounds start and the newest change (1-based) each carries: istiod's debounce loop.

    The push itself only enqueues proxies, so the loop is free again at once (istiod's `free` flag
    matters only while a push is being enqueued).
    """
    if not debounce:
        return [(t, i + 1) for i, t in enumerate(change_times_s)]
    rounds: list[tuple[float, int]] = []
    timer: float | None = None
    start = last = 0.0
    debounced = 0
    newest = 0
    i, n = 0, len(change_times_s)
    while i < n or timer is not None:
        change = change_times_s[i] if i < n else math.inf
        if timer is None or change <= timer + EPS:  # a change (ties: the change first)
            last = change
            if debounced == 0:
                timer = change + after_s
                start = change
            debounced += 1
            newest = i + 1
            i += 1
            continue
        now, timer = timer, None                   # the timer fires: pushWorker
        if now - start >= max_s - EPS or now - last >= after_s - EPS:
            rounds.append((now, newest))
            debounced = 0
        else:
            timer = now + (after_s - (now - last))
    return rounds


def simulate(inp: PushModelInput, *, max_pushes: int = MAX_PUSHES) -> PushModelResult:
    """Run the model: debounced rounds into istiod's push queue, drained under the throttle.

    Every round enqueues every proxy and merging keeps the newest request, so a proxy always leaves
    the queue carrying the newest round issued so far; the queue needs no per-proxy request.
    """
    inp.check()
    n = inp.proxies
    rounds = debounce_rounds(inp.change_times_s, debounce=inp.debounce, after_s=inp.debounce_after_s,
                             max_s=inp.debounce_max_s)
    idle: list[int] = list(range(n))                 # neither queued nor being pushed to
    marked = [False] * n                             # being pushed to and enqueued again meanwhile
    processing: set[int] = set()
    applied = [-1] * n                               # newest round index applied, per proxy
    queue: deque[int] = deque()
    inflight: deque[tuple[float, int, int]] = deque()  # (finish, proxy, round): they end in start order
    push_lo: list[int] = []
    push_hi: list[int] = []
    push_t: list[float] = []
    per_round = [0] * len(rounds)
    t_push = inp.push_s
    conc = inp.concurrency
    gap = 1.0 / inp.rate_per_s if inp.rate_per_s else 0.0
    next_start = -math.inf                           # rate mode: earliest next start
    latest = -1                                      # newest round issued
    ri = 0
    now = 0.0
    pushes = 0

    def start_one(now: float) -> None:
        p = queue.popleft()
        processing.add(p)
        inflight.append((now + t_push, p, latest))

    while True:
        t_finish = inflight[0][0] if inflight else math.inf
        t_round = rounds[ri][0] if ri < len(rounds) else math.inf
        t_token = next_start if (conc is None and queue and next_start > now + EPS) else math.inf
        now = min(t_finish, t_round, t_token)
        if now == math.inf:
            break
        if t_finish <= now:                          # a push ends (before a round at the same time)
            _started, p, r = inflight.popleft()
            processing.discard(p)
            if r > applied[p]:
                push_lo.append(applied[p] + 1)
                push_hi.append(r)
                push_t.append(now)
                applied[p] = r
            per_round[r] += 1
            pushes += 1
            if pushes > max_pushes:
                raise ParameterError(_(
                    "this scenario needs more than {max} simulated pushes; use fewer proxies, a lower change rate, "
                    "a shorter change window or a longer per-push time").format(max=f"{max_pushes:,}"))
            if marked[p]:
                marked[p] = False
                queue.append(p)
            else:
                idle.append(p)
        elif t_round <= now:                         # a push round enqueues every proxy
            latest = ri
            ri += 1
            queue.extend(idle)
            idle = []
            for p in processing:
                marked[p] = True
        if conc is not None:
            while queue and len(inflight) < conc:
                start_one(now)
        else:
            while queue and now >= next_start - EPS:
                start_one(now)
                next_start = now + gap

    converged_round = _paint(len(rounds), push_lo, push_hi, push_t)
    versions = [v for _, v in rounds]
    converged = []
    r = 0
    for j in range(1, len(inp.change_times_s) + 1):   # change j converges with the first round carrying it
        while versions[r] < j:
            r += 1
        converged.append(converged_round[r])
    return PushModelResult(inp=inp, round_times_s=[t for t, _ in rounds], round_versions=versions,
                           converged_s=converged, pushes=pushes, busy_s=pushes * t_push, pushes_per_round=per_round)


def _paint(rounds: int, lo: list[int], hi: list[int], t: list[float]) -> list[float]:
    """converged[r] = the latest push time among pushes that brought a proxy up to round r or past it.

    Walks the pushes from the latest back and paints each round once (a "next unpainted" pointer).
    """
    out = [math.nan] * rounds
    nxt = list(range(rounds + 1))

    def find(x: int) -> int:
        while nxt[x] != x:
            nxt[x] = nxt[nxt[x]]
            x = nxt[x]
        return x

    for k in range(len(t) - 1, -1, -1):
        r = find(lo[k])
        while r <= hi[k]:
            out[r] = t[k]
            nxt[r] = r + 1
            r = find(r + 1)
    return out


def scenario(*, proxies: int, change_rate_per_s: float, change_window_s: float, push_ms: float,
             throttle: str = "auto", gomaxprocs: int = 2, custom_throttle: float = 50,
             debounce: bool = True, debounce_after_ms: float = 100, debounce_max_s: float = 10) -> PushModelInput:
    """The chapter's parameters as a model input.

    throttle: "auto" (istiod: min(15 + 5·GOMAXPROCS, 100) in flight), "legacy_100" (older releases: 100 in
    flight), "custom" (custom_throttle in flight) or "rate" (custom_throttle pushes started per second, the
    seed's reading and early Pilot's).
    """
    if throttle == "auto":
        conc, rate = istiod_push_throttle(gomaxprocs), None
    elif throttle == "legacy_100":
        conc, rate = LEGACY_PUSH_THROTTLE, None
    elif throttle == "custom":
        conc, rate = int(custom_throttle), None
    elif throttle == "rate":
        conc, rate = None, float(custom_throttle)
    else:
        raise ParameterError(_("{name} = {value} is not allowed: allowed is one of {choices}").format(
            name="throttle", value=repr(throttle), choices="'auto', 'legacy_100', 'custom', 'rate'"))
    return PushModelInput(proxies=int(proxies), change_times_s=evenly_spaced_changes(change_rate_per_s, change_window_s),
                          push_s=push_ms / 1000, concurrency=conc, rate_per_s=rate, debounce=debounce,
                          debounce_after_s=debounce_after_ms / 1000, debounce_max_s=debounce_max_s)


def one_round_s(proxies: int, push_s: float, concurrency: int | None = None, rate_per_s: float | None = None) -> float:
    """Closed form for one undisturbed round: ceil(N / C)·t (in flight) or (N - 1)/R + t (rate)."""
    if concurrency is not None:
        return math.ceil(proxies / concurrency) * push_s
    assert rate_per_s
    return (proxies - 1) / rate_per_s + push_s
