"""Watermelon share: of responses on tickets that met their SLA, the share scoring 0–6."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from metrics.intervals import wilson_interval, with_wilson


@dataclass(frozen=True)
class WatermelonShare:
    """Share (0..1) of SLA-met responses that were unhappy, with its Wilson 95% interval."""

    share: float | None
    low: float | None
    high: float | None
    n: int


def watermelon_share(sla_met_unhappy: int, sla_met_n: int) -> WatermelonShare:
    """Share of 0–6 scores among responses on SLA-met tickets ("green outside, red inside")."""
    interval = wilson_interval(sla_met_unhappy, sla_met_n)
    if interval is None:
        return WatermelonShare(share=None, low=None, high=None, n=0)
    return WatermelonShare(
        share=sla_met_unhappy / sla_met_n, low=interval[0], high=interval[1], n=sla_met_n
    )


def with_watermelon(df: pl.DataFrame) -> pl.DataFrame:
    """Add ``watermelon_rate/_low/_high`` from ``sla_met_unhappy`` and ``sla_met_n`` columns."""
    return with_wilson(df, "sla_met_unhappy", "sla_met_n", "watermelon")
