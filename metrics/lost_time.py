"""Lost time: mean minutes per answering response, total hours in scope, and the Pareto share."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class LostTime:
    """Lost-time summary for one scope; figures are None when nobody answered."""

    mean_minutes: float | None
    total_hours: float | None
    n: int
    """Responses that answered the lost-time question."""


def lost_time_summary(lost_n: int, lost_sum: float, tickets: int) -> LostTime:
    """Mean lost minutes per answer, and total hours extrapolated to every ticket in scope."""
    if lost_n < 0 or tickets < 0 or lost_sum < 0:
        raise ValueError(f"negative input: lost_n={lost_n}, lost_sum={lost_sum}, tickets={tickets}")
    if lost_n == 0:
        return LostTime(mean_minutes=None, total_hours=None, n=0)
    mean = lost_sum / lost_n
    # Answering is optional, so the answers are a sample: scale their mean to all tickets.
    return LostTime(mean_minutes=mean, total_hours=mean * tickets / 60.0, n=lost_n)


def pareto_share(histogram: pl.DataFrame, share: float = 0.8) -> float | None:
    """Fraction (0..1) of responses, worst first, that account for ``share`` of all lost minutes.

    ``histogram`` has one row per reported value: ``lost_minutes`` and ``count`` (responses
    reporting it, zeros included). Within the bucket that crosses the target the result is
    interpolated, so it moves continuously with the data. None when no minutes were lost.
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must be in (0, 1], got {share}")
    buckets = (
        histogram.select(
            pl.col("lost_minutes").cast(pl.Float64), pl.col("count").cast(pl.Float64)
        )
        .drop_nulls()
        .group_by("lost_minutes")
        .agg(pl.col("count").sum())
        .sort("lost_minutes", descending=True)
    )
    if buckets.height and (buckets["lost_minutes"].min() < 0 or buckets["count"].min() < 0):
        raise ValueError("lost_minutes and count must not be negative")
    responses = float(buckets["count"].sum())
    total_minutes = float((buckets["lost_minutes"] * buckets["count"]).sum())
    if responses == 0 or total_minutes == 0:
        return None

    target = share * total_minutes
    minutes_before = responses_before = 0.0
    for minutes, count in buckets.iter_rows():
        bucket_minutes = minutes * count
        if minutes > 0 and minutes_before + bucket_minutes >= target:
            needed = (target - minutes_before) / minutes
            return (responses_before + needed) / responses
        minutes_before += bucket_minutes
        responses_before += count
    # Only reachable through rounding at share == 1: every non-zero response was needed.
    nonzero = float(buckets.filter(pl.col("lost_minutes") > 0)["count"].sum())
    return nonzero / responses
