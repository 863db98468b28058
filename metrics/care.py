"""CARE dimensions (wording rated by customers and analysts alike) and their t-interval means."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from metrics.intervals import t_critical_expr

SCALE_MIN = 1
SCALE_MAX = 5


@dataclass(frozen=True)
class CareDimension:
    """One CARE dimension: its column stem and the statement rated 1–5."""

    name: str
    statement: str


CARE_DIMENSIONS: tuple[CareDimension, ...] = (
    CareDimension("communication", "I was kept clearly informed."),
    CareDimension("application", "The analyst was courteous, proactive and took ownership."),
    CareDimension("resolution", "My issue was actually resolved, in a way that showed care."),
    CareDimension(
        "expectation", "I was told realistically what would happen and when, and it did."
    ),
)
CARE_NAMES: tuple[str, ...] = tuple(dimension.name for dimension in CARE_DIMENSIONS)


def with_care_means(
    df: pl.DataFrame, *, dimensions: Sequence[str] = CARE_NAMES, confidence: float = 0.95
) -> pl.DataFrame:
    """Add ``<dim>_mean``, ``<dim>_low``, ``<dim>_high`` from ``<dim>_n/_sum/_sumsq`` columns.

    The mean is null when nobody answered the dimension; the interval is null below two
    answers. Bounds are clipped to the 1–5 scale, since a mean rating cannot leave it.
    """
    columns: list[pl.Expr] = []
    for dim in dimensions:
        n = pl.col(f"{dim}_n")
        count = n.cast(pl.Float64)
        total = pl.col(f"{dim}_sum").cast(pl.Float64)
        total_sq = pl.col(f"{dim}_sumsq").cast(pl.Float64)
        mean = total / count
        variance = ((total_sq - total * total / count) / (count - 1.0)).clip(lower_bound=0.0)
        sizes = df[f"{dim}_n"].unique().to_list()
        half_width = t_critical_expr(n, sizes, confidence) * (variance / count).sqrt()
        columns += [
            pl.when(n > 0).then(mean).alias(f"{dim}_mean"),
            pl.when(n > 1)
            .then((mean - half_width).clip(SCALE_MIN, SCALE_MAX))
            .alias(f"{dim}_low"),
            pl.when(n > 1)
            .then((mean + half_width).clip(SCALE_MIN, SCALE_MAX))
            .alias(f"{dim}_high"),
        ]
    return df.with_columns(columns)
