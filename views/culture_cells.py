"""Culture trends' experience figures of the period, summed from one per-analyst read.

`trends.analyst_cells` holds, per analyst and every dimension a cell of the page is cut by, the
sufficient statistics of `trends.experience_stats` (n, happy, unhappy, lost_n, lost_sum). Disclosure
control needs that read anyway (exact distinct analysts per cell and week), so the page's
groupings of the period are summed from it here instead of one more scan each of the warehouse.
`experience` returns what `trends.experience_stats(by=…)` returns for the same filters: the same
columns, types and order (a test compares them on every engine).

`CellReads` remembers the cells read for each set of filters during one report build, so the
neighbouring-link checks and the cell checks share one read per filter lifted.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from data_access.filters import Filters
from data_access.trends import EXPERIENCE

_KEY_TYPES = {"week": pl.Date, "month": pl.Date, "team_id": pl.Int64, "service_id": pl.Int64,
              "channel": pl.String, "ticket_type": pl.String, "sla_met": pl.Boolean,
              "reassignment_count": pl.Int64, "priority": pl.Int64}


def experience(cells: pl.DataFrame, by: tuple[str, ...]) -> pl.DataFrame:
    """Per group of `by`: n, happy, unhappy, analysts, lost_n, lost_sum, sla_met_n, sla_met_unhappy."""
    met = pl.col("sla_met").fill_null(False)
    figures = {"n": pl.col("n").sum(), "happy": pl.col("happy").sum(), "unhappy": pl.col("unhappy").sum(),
               "analysts": pl.col("analyst_id").n_unique().cast(pl.Int64), "lost_n": pl.col("lost_n").sum(),
               "lost_sum": pl.col("lost_sum").sum(), "sla_met_n": pl.col("n").filter(met).sum(),
               "sla_met_unhappy": pl.col("unhappy").filter(met).sum()}
    aggs = [figures[name].alias(name) for name in EXPERIENCE]
    if not by:
        return cells.select(aggs)
    if cells.is_empty():
        return pl.DataFrame(schema={**{b: _KEY_TYPES[b] for b in by},
                                    **{m: pl.Float64 if m == "lost_sum" else pl.Int64 for m in EXPERIENCE}})
    grouped = cells.group_by(list(by)).agg(aggs).sort(list(by), nulls_last=True)
    return grouped.with_columns(pl.col(m).cast(pl.Float64 if m == "lost_sum" else pl.Int64) for m in EXPERIENCE)


class CellReads:
    """`read(filters, by_priority)` (an `analyst_cells` reader bound to scope and url), once per
    filters and grain (`by_priority`: the ticket priority as one more dimension)."""

    def __init__(self, read: Callable[[Filters, bool], pl.DataFrame]):
        self._read = read
        self._seen: dict[tuple[Filters, bool], pl.DataFrame] = {}

    def __call__(self, filters: Filters, by_priority: bool = False) -> pl.DataFrame:
        key = (filters, by_priority)
        if key not in self._seen:
            self._seen[key] = self._read(filters, by_priority)
        return self._seen[key]
