"""Targets and money: Happiness against the organisation's target, lost time as work days and cost."""

from __future__ import annotations

import datetime as dt

import polars as pl


def target_gap(happiness: float | None, target: float | None) -> float | None:
    """Happiness minus the target in points (positive: above target); None without either."""
    if happiness is None or target is None:
        return None
    return happiness - target


def impact_against(cells: pl.DataFrame, target: float) -> pl.DataFrame:
    """Hotspot impact measured against `target`: n × (Happiness of the cell − target).

    Replaces `impact` (cells without a Happiness keep none) and sorts most negative first.
    """
    impact = pl.col("n").cast(pl.Float64) * (pl.col("happiness") - target)
    return cells.with_columns(impact.alias("impact")).sort("impact", nulls_last=True)


def lost_cost(hours: float | None, hourly_cost: float | None) -> float | None:
    """What lost hours cost at `hourly_cost` per hour; None without either."""
    if hours is None or hourly_cost is None:
        return None
    return hours * hourly_cost


def work_days(frame: pl.DataFrame, *, hours_per_day: float, hourly_cost: float | None) -> pl.DataFrame:
    """Add `days` (total_hours / hours_per_day) and `cost` (total_hours × hourly_cost, or null)."""
    cost = pl.col("total_hours") * hourly_cost if hourly_cost is not None else pl.lit(None, pl.Float64)
    return frame.with_columns((pl.col("total_hours") / hours_per_day).alias("days"), cost.alias("cost"))


YEAR_OF_WEEKS = dt.timedelta(weeks=52)


def weeks_a_year_before(day: dt.date) -> dt.date:
    """The same weekday 52 weeks earlier (364 days: one or two days after the same date a year
    back). A period of whole weeks stays one, so the period a year earlier is a link a reader can
    open too, and it differs from any other link by whole weeks only (docs/PRIVACY.md)."""
    return day - YEAR_OF_WEEKS


def a_year_later(months: pl.DataFrame) -> pl.DataFrame:
    """Shift a `month` column forward by twelve months, to draw last year's months under this year's."""
    return months.with_columns(pl.col("month").dt.offset_by("1y"))
