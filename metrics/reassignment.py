"""Reassignment cost: Happiness and lost time by how often a ticket was passed on (0, 1, 2, 3+)."""

from __future__ import annotations

import polars as pl

from metrics.happiness import with_happiness

REASSIGNMENT_BUCKETS: tuple[str, ...] = ("0", "1", "2", "3+")


def reassignment_bucket(count: int) -> str:
    """Bucket label for one reassignment count: "0", "1", "2" or "3+"."""
    if count < 0:
        raise ValueError(f"reassignment count cannot be negative, got {count}")
    return str(count) if count < 3 else "3+"


def reassignment_bucket_expr(column: str = "reassignment_count") -> pl.Expr:
    """Polars expression for the bucket label of a reassignment-count column (null if negative)."""
    count = pl.col(column)
    return (
        pl.when(count >= 3)
        .then(pl.lit("3+"))
        .when(count >= 0)
        .then(count.cast(pl.String))
        .alias("bucket")
    )


def reassignment_cost(df: pl.DataFrame) -> pl.DataFrame:
    """Happiness (with margin) and mean lost minutes per bucket, always in order 0, 1, 2, 3+.

    Input rows carry ``reassignment_count``, ``n``, ``happy``, ``unhappy`` and optionally
    ``lost_n``/``lost_sum``. Buckets without rows appear with n = 0 and null figures.
    """
    has_lost = {"lost_n", "lost_sum"} <= set(df.columns)
    sums = ["n", "happy", "unhappy"] + (["lost_n", "lost_sum"] if has_lost else [])
    per_bucket = (
        df.with_columns(reassignment_bucket_expr())
        .drop_nulls("bucket")
        .group_by("bucket")
        .agg(pl.col(c).sum() for c in sums)
    )
    if not has_lost:
        per_bucket = per_bucket.with_columns(
            pl.lit(0, pl.Int64).alias("lost_n"), pl.lit(0.0).alias("lost_sum")
        )
    filled = (
        pl.DataFrame({"bucket": list(REASSIGNMENT_BUCKETS)})
        .join(per_bucket, on="bucket", how="left", maintain_order="left")
        .with_columns(pl.col("n", "happy", "unhappy", "lost_n").fill_null(0))
    )
    return with_happiness(filled).select(
        "bucket",
        "n",
        "happiness",
        "margin",
        "happiness_low",
        "happiness_high",
        "lost_n",
        pl.when(pl.col("lost_n") > 0)
        .then(pl.col("lost_sum").cast(pl.Float64) / pl.col("lost_n"))
        .alias("lost_mean"),
    )
