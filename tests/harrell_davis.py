"""An independent check of the team band's smoothed quantiles (`metrics.team_band.band`): the
Harrell–Davis estimate written out from its definition, the Beta density integrated by the
midpoint rule, so the tests do not lean on the code they check."""

from __future__ import annotations

import math


def harrell_davis(values: list[float], q: float, steps: int = 200_000) -> float:
    """Σ wᵢ x₍ᵢ₎ with wᵢ the Beta(q(n+1), (1−q)(n+1)) probability of ((i−1)/n, i/n]."""
    xs = sorted(values)
    n = len(xs)
    a, b = q * (n + 1), (1 - q) * (n + 1)
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    total = 0.0
    for i, x in enumerate(xs):
        lo, hi = i / n, (i + 1) / n
        h = (hi - lo) / (steps // n)
        mass = sum(math.exp(log_norm + (a - 1) * math.log(lo + (k + 0.5) * h) + (b - 1) * math.log(1 - lo - (k + 0.5) * h))
                   for k in range(steps // n)) * h
        total += mass * x
    return total


def whole(value: float) -> float:
    return float(math.copysign(math.floor(abs(value) + 0.5), value)) + 0.0
