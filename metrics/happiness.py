"""Happiness (% scoring 9–10 minus % scoring 0–6) and its 95% margin of error."""

from __future__ import annotations

import math

import polars as pl

Z_95 = 1.96
"""Normal quantile used for every 95% interval in the product."""

HAPPY_MIN = 9
"""Scores from HAPPY_MIN to 10 count as happy (the cut-offs are written here and nowhere else)."""
UNHAPPY_MAX = 6
"""Scores from 0 to UNHAPPY_MAX count as unhappy; the scores between are neutral."""


def _check_counts(happy: int, unhappy: int, n: int) -> None:
    if n < 0 or happy < 0 or unhappy < 0 or happy + unhappy > n:
        raise ValueError(f"inconsistent counts: happy={happy}, unhappy={unhappy}, n={n}")


def happiness(happy: int, unhappy: int, n: int) -> float | None:
    """Happiness on −100…100 from counts of 9–10 and 0–6 over n scored responses; None if n == 0."""
    _check_counts(happy, unhappy, n)
    if n == 0:
        return None
    return 100.0 * (happy - unhappy) / n


def happiness_margin(happy: int, unhappy: int, n: int) -> float | None:
    """Half-width of the 95% interval of Happiness, in Happiness points; None if n == 0."""
    _check_counts(happy, unhappy, n)
    if n == 0:
        return None
    p, d = happy / n, unhappy / n
    # p + d − (p − d)² is the variance of one response scored +1 / 0 / −1; it is exactly 0
    # when everyone gave the same answer, but rounding can push it a hair below 0.
    variance = max(0.0, p + d - (p - d) ** 2)
    return Z_95 * 100.0 * math.sqrt(variance / n)


def with_happiness(df: pl.DataFrame, *, prefix: str = "") -> pl.DataFrame:
    """Add happiness, margin, happiness_low/high, pct_happy, pct_unhappy from happy/unhappy/n.

    ``prefix`` is applied to both the input and the output names, so a frame holding two
    periods side by side can use ``prefix="previous_"`` to read ``previous_happy`` … and write
    ``previous_happiness`` …. Every added column is null where n == 0.
    """
    n = pl.col(f"{prefix}n").cast(pl.Float64)
    p = pl.col(f"{prefix}happy").cast(pl.Float64) / n
    d = pl.col(f"{prefix}unhappy").cast(pl.Float64) / n
    has_n = pl.col(f"{prefix}n") > 0

    score = 100.0 * (p - d)
    margin = Z_95 * 100.0 * ((p + d - (p - d) ** 2).clip(lower_bound=0.0) / n).sqrt()
    return df.with_columns(
        pl.when(has_n).then(score).alias(f"{prefix}happiness"),
        pl.when(has_n).then(margin).alias(f"{prefix}margin"),
        pl.when(has_n).then((score - margin).clip(-100.0, 100.0)).alias(f"{prefix}happiness_low"),
        pl.when(has_n).then((score + margin).clip(-100.0, 100.0)).alias(f"{prefix}happiness_high"),
        pl.when(has_n).then(100.0 * p).alias(f"{prefix}pct_happy"),
        pl.when(has_n).then(100.0 * d).alias(f"{prefix}pct_unhappy"),
    )
