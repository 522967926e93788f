"""Where added load stops adding throughput: the knee of a throughput-vs-connections curve.

Rule (the handbook's definition, applied to measured points only):

* plateau throughput P = the median of the three highest throughputs measured (all of them if fewer),
  so that one lucky point does not set the bar;
* the knee is the smallest connection count whose throughput reaches `threshold_pct` % of P
  (95 % by default). Beyond it, more connections add at most (100 - threshold) % throughput and
  mostly add queueing delay (closed-loop clients: latency ≈ connections / throughput).

A second, local reading is offered for comparison: the first connection count from which the next
step up adds less than `min_gain_pct` % throughput.

The knee only counts as found inside the tested range when at least one larger connection count
was measured after it and the median throughput from the knee on stays within the band
[threshold·P, P / threshold]; otherwise the curve may still be rising.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..params import ParameterError


@dataclass(frozen=True)
class Knee:
    connections: int | None        # the knee (None: no points)
    qps: float | None              # throughput measured there
    plateau_qps: float             # P
    threshold_qps: float           # threshold_pct % of P
    threshold_pct: float
    within_range: bool             # a plateau after the knee was measured (see the module's rule)
    index: int                     # position of the knee among the sorted points

    @property
    def rule(self) -> str:
        return (f"smallest connection count reaching {self.threshold_pct:g} % of the plateau throughput "
                "(median of the three highest points)")


def aggregate(points: Iterable[tuple[int, float]]) -> list[tuple[int, float]]:
    """Median throughput per connection count, sorted by connections."""
    by_c: dict[int, list[float]] = {}
    for c, q in points:
        by_c.setdefault(int(c), []).append(float(q))
    return [(c, statistics.median(v)) for c, v in sorted(by_c.items())]


def _check(points: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    pts = aggregate(points)
    if not pts:
        raise ParameterError("knee detection needs at least one (connections, throughput) point")
    if any(c < 1 for c, _ in pts) or any(q < 0 for _, q in pts):
        raise ParameterError("connections must be >= 1 and throughput >= 0")
    return pts


def plateau(qps: Sequence[float], top: int = 3) -> float:
    best = sorted(qps, reverse=True)[:max(1, top)]
    return statistics.median(best)


def find_knee(points: Sequence[tuple[int, float]], threshold_pct: float = 95.0, top: int = 3) -> Knee:
    if not 50 <= threshold_pct <= 100:
        raise ParameterError(f"threshold_pct = {threshold_pct!r} is out of range: allowed is a number from 50 to 100")
    pts = _check(points)
    p = plateau([q for _, q in pts], top)
    bar = p * threshold_pct / 100
    for i, (c, q) in enumerate(pts):
        if q >= bar:
            after = statistics.median(x for _, x in pts[i:])
            confirmed = i < len(pts) - 1 and after <= p * 100 / threshold_pct
            return Knee(c, q, p, bar, threshold_pct, within_range=confirmed, index=i)
    # Only possible when P exceeds every point, which the median of the top points cannot: keep total.
    c, q = pts[-1]
    return Knee(c, q, p, bar, threshold_pct, within_range=False, index=len(pts) - 1)


def marginal_knee(points: Sequence[tuple[int, float]], min_gain_pct: float = 5.0) -> int | None:
    """First connection count from which the next measured step adds < min_gain_pct % throughput."""
    if min_gain_pct < 0:
        raise ParameterError(f"min_gain_pct = {min_gain_pct!r} is not allowed: allowed is a number >= 0")
    pts = _check(points)
    for (c, q), (_, q_next) in zip(pts, pts[1:]):
        if q > 0 and 100 * (q_next - q) / q < min_gain_pct:
            return c
    return None
