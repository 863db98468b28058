"""Perception gaps: an analyst's self-rating against the customers' view, in neutral words."""

from __future__ import annotations

import polars as pl

from metrics.care import SCALE_MAX, SCALE_MIN

BLIND_SPOT = "blind spot"
HIDDEN_STRENGTH = "hidden strength"
ALIGNED = "aligned"

_BOUNDARY_TOLERANCE = 1e-9
"""A gap within rounding noise of the threshold (e.g. 5 − 11/3) counts as on it: aligned."""


def _threshold(scale_min: float, scale_max: float) -> float:
    if scale_max <= scale_min:
        raise ValueError(f"empty scale {scale_min}..{scale_max}")
    return (scale_max - scale_min) / 3.0 + _BOUNDARY_TOLERANCE


def gap_label(
    self_rating: float,
    customer: float,
    scale_min: float = SCALE_MIN,
    scale_max: float = SCALE_MAX,
) -> str:
    """Label self − customer: more than a third of the scale range apart is not "aligned"."""
    threshold = _threshold(scale_min, scale_max)
    gap = self_rating - customer
    if gap > threshold:
        return BLIND_SPOT
    if gap < -threshold:
        return HIDDEN_STRENGTH
    return ALIGNED


def perception_gaps(
    df: pl.DataFrame, *, scale_min: float = SCALE_MIN, scale_max: float = SCALE_MAX
) -> pl.DataFrame:
    """Add ``gap`` (self_rating − customer_mean) and its ``label``; null if either is missing."""
    threshold = _threshold(scale_min, scale_max)
    gap = pl.col("self_rating").cast(pl.Float64) - pl.col("customer_mean").cast(pl.Float64)
    return df.with_columns(gap.alias("gap")).with_columns(
        pl.when(pl.col("gap") > threshold)
        .then(pl.lit(BLIND_SPOT))
        .when(pl.col("gap") < -threshold)
        .then(pl.lit(HIDDEN_STRENGTH))
        .when(pl.col("gap").is_not_null())
        .then(pl.lit(ALIGNED))
        .alias("label")
    )


def percentile_ranks(values: pl.Series) -> pl.Series:
    """Percentile rank 0..100 in the series: lowest 0, highest 100, ties averaged, one value 50."""
    ranks = values.rank(method="average").cast(pl.Float64)
    count = values.len() - values.null_count()
    if count == 1:
        return ranks * 0.0 + 50.0
    return ((ranks - 1.0) / (count - 1) * 100.0).alias(values.name)
