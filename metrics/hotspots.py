"""Hotspot impact: which cells (e.g. service × channel) pull the scope's Happiness down most."""

from __future__ import annotations

import polars as pl

from metrics.happiness import happiness, with_happiness


def hotspot_impact(cells: pl.DataFrame, *, keys: list[str]) -> pl.DataFrame:
    """Add cell ``happiness`` (with interval columns) and ``impact`` = n × (cell − scope Happiness).

    The scope Happiness is computed from the sum of all cells. Rows are sorted by impact,
    most negative (where to look first) on top. Cells repeated on the same keys are summed.
    """
    per_cell = cells.group_by(keys, maintain_order=True).agg(
        pl.col("happy", "unhappy", "n").sum()
    )
    scope = happiness(
        int(per_cell["happy"].sum()), int(per_cell["unhappy"].sum()), int(per_cell["n"].sum())
    )
    # n × (100·(happy − unhappy)/n − scope) written without the division, so an empty cell has
    # impact 0 (it moves nothing) instead of null.
    impact = (
        100.0 * (pl.col("happy") - pl.col("unhappy")).cast(pl.Float64)
        - pl.col("n").cast(pl.Float64) * scope
        if scope is not None
        else pl.lit(None, pl.Float64)
    )
    return (
        with_happiness(per_cell)
        .with_columns(impact.alias("impact"))
        .sort(["impact", *keys], nulls_last=True)
    )


def impact_within(cells: pl.DataFrame, *, keys: list[str], by: str) -> pl.DataFrame:
    """`keys`, `by` and the `impact` that `hotspot_impact(part, keys=[*keys, by])` gives each cell
    of each part of `cells` with one value of `by` (a week), for all parts in one pass: the scope
    Happiness is the part's own, computed in the same order of operations, so the figures are the
    same to the last bit. Null where the part has no responses."""
    per_cell = cells.group_by([*keys, by], maintain_order=True).agg(pl.col("happy", "unhappy", "n").sum())
    part_n = pl.col("n").sum().over(by)
    scope = 100.0 * (pl.col("happy").sum().over(by) - pl.col("unhappy").sum().over(by)).cast(pl.Float64) \
        / part_n.cast(pl.Float64)
    impact = pl.when(part_n > 0).then(100.0 * (pl.col("happy") - pl.col("unhappy")).cast(pl.Float64)
                                      - pl.col("n").cast(pl.Float64) * scope)
    return per_cell.select(*keys, by, impact.alias("impact"))
