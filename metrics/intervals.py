"""Confidence intervals: Wilson for proportions, Student-t for means of ratings."""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

import polars as pl

from metrics.happiness import Z_95


def _check_proportion_counts(successes: int, n: int) -> None:
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval (low, high) of a proportion, as shares 0..1; None when n == 0."""
    _check_proportion_counts(successes, n)
    if n == 0:
        return None
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half_width = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0/n and n/n the interval touches the bound exactly; rounding must not move it off.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == n else min(1.0, centre + half_width)
    return low, high


def with_wilson(
    df: pl.DataFrame, successes: str, n: str, prefix: str, *, z: float = Z_95
) -> pl.DataFrame:
    """Add ``{prefix}_rate``, ``{prefix}_low``, ``{prefix}_high`` (0..1, null when n == 0)."""
    k = pl.col(successes).cast(pl.Float64)
    total = pl.col(n).cast(pl.Float64)
    has_n = pl.col(n) > 0
    p = k / total
    denominator = 1.0 + z * z / total
    centre = (p + z * z / (2.0 * total)) / denominator
    half_width = z / denominator * (p * (1.0 - p) / total + z * z / (4.0 * total * total)).sqrt()
    low = pl.when(pl.col(successes) == 0).then(0.0).otherwise((centre - half_width).clip(0.0, 1.0))
    high = (
        pl.when(pl.col(successes) == pl.col(n))
        .then(1.0)
        .otherwise((centre + half_width).clip(0.0, 1.0))
    )
    return df.with_columns(
        pl.when(has_n).then(p).alias(f"{prefix}_rate"),
        pl.when(has_n).then(low).alias(f"{prefix}_low"),
        pl.when(has_n).then(high).alias(f"{prefix}_high"),
    )


def _t_two_sided_coverage(theta: float, df: int) -> float:
    """P(|T| < t) for Student t with integer df, where theta = atan(t / sqrt(df)).

    Uses the classical finite series for integer degrees of freedom (exact up to rounding):
    odd df:  (2/π)·(θ + sinθ·(cosθ + 2/3·cos³θ + 2·4/(3·5)·cos⁵θ + … up to cos^(df−2)θ))
    even df: sinθ·(1 + 1/2·cos²θ + 1·3/(2·4)·cos⁴θ + … up to cos^(df−2)θ)
    """
    sin_t, cos_t = math.sin(theta), math.cos(theta)
    cos_sq = cos_t * cos_t
    if df % 2 == 0:
        term = total = 1.0
        for k in range(1, (df - 2) // 2 + 1):
            term *= (2 * k - 1) / (2 * k) * cos_sq
            total += term
        return sin_t * total
    if df == 1:
        return 2.0 * theta / math.pi
    term = total = cos_t
    for k in range(1, (df - 3) // 2 + 1):
        term *= (2 * k) / (2 * k + 1) * cos_sq
        total += term
    return 2.0 / math.pi * (theta + sin_t * total)


@lru_cache(maxsize=4096)
def t_critical(df: int, confidence: float = 0.95) -> float:
    """Two-sided Student-t critical value: t such that P(|T_df| < t) = confidence."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    # Coverage rises monotonically with θ on [0, π/2), so bisection on θ always brackets.
    low, high = 0.0, math.pi / 2
    for _ in range(200):
        mid = (low + high) / 2
        if _t_two_sided_coverage(mid, df) < confidence:
            low = mid
        else:
            high = mid
        if high - low < 1e-15:
            break
    return math.sqrt(df) * math.tan((low + high) / 2)


def mean_interval(
    n: int, total: float, total_sq: float, confidence: float = 0.95
) -> tuple[float, float | None, float | None] | None:
    """(mean, low, high) t-interval from n, Σx and Σx²; None if n == 0, no bounds if n == 1."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0:
        return None
    mean = total / n
    if n == 1:
        return mean, None, None
    # Σx² − (Σx)²/n can dip a hair below 0 by rounding when all values are equal.
    variance = max(0.0, (total_sq - total * total / n) / (n - 1))
    half_width = t_critical(n - 1, confidence) * math.sqrt(variance / n)
    return mean, mean - half_width, mean + half_width


def t_critical_expr(n: pl.Expr, sizes: Iterable[int], confidence: float = 0.95) -> pl.Expr:
    """Per-row t critical value for df = n − 1 (null when n < 2), for use inside a frame.

    `sizes` are the sample sizes the column holds (e.g. ``frame[col].unique().to_list()``): the
    critical values are computed here, in plain Python, for the distinct sizes only, and the
    expression is a native lookup. A Python callback inside the expression would run on polars'
    thread pool and need the GIL, which deadlocks against other sessions' threads.
    """
    distinct = sorted({int(s) for s in sizes if s is not None and s >= 2})
    if not distinct:
        return pl.lit(None, dtype=pl.Float64)
    return n.replace_strict(
        distinct,
        [t_critical(s - 1, confidence) for s in distinct],
        default=None,
        return_dtype=pl.Float64,
    )
