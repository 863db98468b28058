"""Culture trends, section by section: each function turns statistics into one part of the report
and passes every cell through the disclosure rule before it is returned."""

from __future__ import annotations

import polars as pl

from metrics.culture import happiness_mix, lost_by, rollup, team_table
from metrics.happiness import with_happiness
from metrics.hotspots import hotspot_impact
from metrics.intervals import with_wilson
from metrics.reassignment import reassignment_cost
from views.disclosure import SUPPRESSED, Disclosure, blank, released, shown_only

HAPPINESS_FIGURES = ("happiness", "margin", "happiness_low", "happiness_high", "happy", "unhappy",
                     "pct_happy", "pct_unhappy")
_SUMS = ("lost_n", "lost_sum", "sla_met_n", "sla_met_unhappy")


def _complementary_within(gate: Disclosure, frame: pl.DataFrame, figures, within: str) -> pl.DataFrame:
    """Complementary suppression inside each `within` group (its rows add up to a shown total)."""
    if frame.is_empty():
        return frame
    parts = [gate.complementary(part, figures) for part in frame.partition_by(within, maintain_order=True)]
    return pl.concat(parts, how="vertical_relaxed")


def _complementary_grid(gate: Disclosure, frame: pl.DataFrame, figures, within: list[str]) -> pl.DataFrame:
    """Complementary suppression for a table whose rows add up to a shown total and whose rows
    of one `within` value add up to a shown marginal too (a channel's or a service's own figures
    elsewhere on the page): repeated, over the whole table and inside each group, until it holds."""
    frame = gate.complementary(frame, figures)
    for _ in range(frame.height):
        before = frame[SUPPRESSED].to_list()
        for key in within:
            frame = gate.complementary(_complementary_within(gate, frame, figures, key), figures)
        if frame[SUPPRESSED].to_list() == before:
            break
    return frame


def _also_hidden(frame: pl.DataFrame, keys: str | list[str], gaps: set) -> pl.DataFrame:
    """Mark the rows whose `keys` values are in `gaps` (cells a neighbouring link would split,
    as tuples; plain values for a single key) as suppressed."""
    if not gaps or frame.is_empty():
        return frame
    keys = [keys] if isinstance(keys, str) else list(keys)
    cells = [cell if isinstance(cell, tuple) else (cell,) for cell in gaps]
    marks = pl.DataFrame({k: [cell[i] for cell in cells] for i, k in enumerate(keys)}).with_columns(
        pl.col(k).cast(frame.schema[k]) for k in keys).unique().with_columns(pl.lit(True).alias("_gap"))
    return (frame.join(marks, on=keys, how="left", nulls_equal=True)
            .with_columns((pl.col(SUPPRESSED).fill_null(False) | pl.col("_gap").fill_null(False)).alias(SUPPRESSED))
            .drop("_gap"))


def exact_analysts(frame: pl.DataFrame, exact: pl.DataFrame | None, keys: list[str]) -> pl.DataFrame:
    """Replace a roll-up's analysts (a lower bound) by exact counts where `exact` has them."""
    if exact is None or frame.is_empty():
        return frame
    exact = exact.select(*keys, pl.col("analysts").alias("exact")).with_columns(
        pl.col(k).cast(frame.schema[k]) for k in keys)
    return (frame.join(exact, on=keys, how="left")
            .with_columns(pl.col("exact").fill_null(pl.col("analysts")).alias("analysts")).drop("exact"))


def monthly(gate: Disclosure, cur: pl.DataFrame, series: str | None = None, *, gaps: set = frozenset(),
            exact: pl.DataFrame | None = None, cell_gaps: set = frozenset()) -> pl.DataFrame:
    """Happiness per month (and per `series` value): only cells that pass, for a chart.

    Months add up to the headline and, per series, the series' values add up to the month (and
    a team's months to its row of the team table), so suppression is complementary both ways.
    `gaps`: months a neighbouring link would split (hidden with every series in them);
    `cell_gaps`: (month, series value) cells a neighbouring link would split; `exact`: exact
    distinct analysts per cell where known (else the roll-up's lower bound is used).
    """
    keys = ["month"] + ([series] if series else [])
    rolled = exact_analysts(rollup(cur, keys), exact, keys)
    frame = _also_hidden(gate.cells(with_happiness(rolled), HAPPINESS_FIGURES), "month", gaps)
    frame = _also_hidden(frame, keys, cell_gaps)
    frame = blank(frame, HAPPINESS_FIGURES)
    if series is None:
        frame = gate.complementary(frame, HAPPINESS_FIGURES)
    else:
        for _ in range(2):  # hiding inside a month may open a gap inside a series, and back
            frame = _complementary_within(gate, frame, HAPPINESS_FIGURES, "month")
            frame = _complementary_within(gate, frame, HAPPINESS_FIGURES, series)
    return shown_only(frame).select(*keys, "n", "happiness", "margin", "happiness_low", "happiness_high")


def mood(gate: Disclosure, by_sla: pl.DataFrame, *, gaps: set = frozenset()) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The mood mix by SLA met / not met (only groups that pass, none a neighbouring link would
    split: `gaps`), and the per-group disclosure frame."""
    figures = _SUMS + ("happy", "unhappy")
    groups = gate.complementary(_also_hidden(gate.cells(by_sla, figures), "sla_met", gaps), figures)
    shown = shown_only(groups)
    mix = happiness_mix(by_sla, "sla_met")
    if mix.is_empty():
        return mix, groups
    return mix.join(shown.select("sla_met"), on="sla_met", how="semi"), groups


def watermelon_months(gate: Disclosure, cur: pl.DataFrame, *, gaps: set = frozenset()) -> pl.DataFrame:
    """Per month, the share of SLA-met responses scoring 0–6, for months whose SLA split passes
    (`gaps`: (month, sla_met) cells a neighbouring link would split)."""
    split = rollup(cur, ["month", "sla_met"])
    split = _complementary_within(gate, _also_hidden(gate.cells(split, ("happy", "unhappy", *_SUMS)),
                                                     ["month", "sla_met"], gaps),
                                  ("happy", "unhappy", *_SUMS), "month")
    met = shown_only(split).filter(pl.col("sla_met").fill_null(False))
    per = met.select("month", pl.col("n").alias("sla_met_n"), pl.col("unhappy").alias("sla_met_unhappy"))
    return with_wilson(per, "sla_met_unhappy", "sla_met_n", "watermelon").sort("month")


def hotspots(gate: Disclosure, cells: pl.DataFrame, services: dict, labels: dict, *,
             gaps: set = frozenset()) -> pl.DataFrame:
    """Service × channel cells with impact; cells that do not pass (or that a neighbouring link
    would split: `gaps`) keep only their names and n."""
    keys = ["service_id", "channel"]
    if cells.is_empty():
        return pl.DataFrame()
    impact = hotspot_impact(cells, keys=keys).join(cells.select(*keys, "analysts"), on=keys, how="left")
    figures = [c for c in impact.columns if c not in (*keys, "n", "analysts", SUPPRESSED)]
    hot = _complementary_grid(gate, _also_hidden(gate.cells(impact, figures), keys, gaps), figures, keys)
    return released(hot).with_columns(
        pl.col("service_id").replace_strict(services, default=None, return_dtype=pl.String)
        .fill_null(pl.col("service_id").cast(pl.String)).alias("service"),
        pl.col("channel").replace_strict(labels, default=pl.col("channel")).alias("channel_label"))


def lost(gate: Disclosure, stats: pl.DataFrame, closed: pl.DataFrame, key: str, *,
         gaps: set = frozenset()) -> pl.DataFrame:
    """Lost minutes and hours per `key` (channel or service); groups that do not pass (or that a
    neighbouring link would split: `gaps`) lose their figures."""
    frame = lost_by(stats, closed, key, min_group=gate.min_group)
    people = rollup(stats, [key]).select(key, "n", "analysts")
    frame = frame.join(people, on=key, how="left").with_columns(pl.col("n", "analysts").fill_null(0))
    figures = ("lost_sum", "mean_minutes", "total_hours")
    # In key order, so that a tie between complements is broken the same way on every link.
    rows = frame.filter(pl.col("n") > 0).sort(key)
    checked = gate.complementary(_also_hidden(gate.cells(rows, figures), key, gaps), figures)
    return released(checked).sort("total_hours", descending=True, nulls_last=True)


def reassignment(gate: Disclosure, stats: pl.DataFrame, *, gaps: set = frozenset()) -> pl.DataFrame:
    """Happiness and lost minutes per reassignment bucket 0, 1, 2, 3+ (buckets that pass and that
    no neighbouring link would split: `gaps`, by reassignment count)."""
    cost = reassignment_cost(stats)
    if stats.is_empty():
        return cost
    people = stats.select(pl.col("reassignment_count").cast(pl.Int64).clip(upper_bound=3)
                          .replace_strict({0: "0", 1: "1", 2: "2", 3: "3+"}, return_dtype=pl.String)
                          .alias("bucket"), "analysts").group_by("bucket").agg(pl.col("analysts").max())
    frame = cost.join(people, on="bucket", how="left", maintain_order="left").with_columns(
        pl.col("analysts").fill_null(0))
    # lost_n too: over n it is the share of answers that estimated lost time (a hidden cell keeps n only).
    figures = ("happiness", "margin", "happiness_low", "happiness_high", "lost_mean", "lost_n")
    buckets = {("3+" if int(count) >= 3 else str(int(count)),) for (count,) in gaps}
    return released(gate.complementary(_also_hidden(gate.cells(frame, figures), "bucket", buckets), figures))


TEAM_FIGURES = ("happiness", "margin", "happiness_low", "happiness_high", "change", "trend", "lost_hours",
                "lost_mean_minutes", "watermelon")


def teams(gate: Disclosure, now: pl.DataFrame, before: pl.DataFrame, closed: pl.DataFrame,
          names: dict, *, gaps: set = frozenset(), before_gaps: set = frozenset()) -> pl.DataFrame:
    """The team table: each team's figures only when its cell passes, its change only when both
    periods pass and no neighbouring link's period before would split the team's cell before
    (`before_gaps`, as (team_id,) tuples); complementary on both periods (both totals are shown
    in the headline)."""
    table = team_table(now, before, closed, min_group=gate.min_group)
    if table.is_empty():
        return table
    ids = pl.col("team_id").cast(pl.Int64)
    table = (table.join(now.select(ids, "analysts"), on="team_id", how="left")
             .join(before.select(ids, pl.col("n").alias("previous_n"),
                                 pl.col("analysts").alias("previous_analysts")), on="team_id", how="left")
             .with_columns(pl.col("analysts", "previous_n", "previous_analysts").fill_null(0)))
    table = blank(_also_hidden(gate.cells(table.drop(SUPPRESSED).sort("team_id"), TEAM_FIGURES), "team_id", gaps),
                  TEAM_FIGURES)  # in team order: a tie between complements is broken alike on every link
    table = gate.complementary(table, TEAM_FIGURES)
    # The previous period's partition: a team's "before" is hidden when it fails the rule, when
    # its current row is hidden (no change shown) or when it has no current row at all.
    shown_now = table.filter(~pl.col(SUPPRESSED))["team_id"].to_list()
    split_before = [cell[0] if isinstance(cell, tuple) else cell for cell in before_gaps]
    earlier = gate.cells(before.select(ids, "n", "analysts"), []).with_columns(
        (pl.col(SUPPRESSED) | ~pl.col("team_id").is_in(shown_now) | pl.col("team_id").is_in(split_before))
        .alias(SUPPRESSED))
    earlier = gate.complementary(earlier, [])
    hidden_before = earlier.filter(pl.col(SUPPRESSED).fill_null(False))["team_id"].to_list()
    before_hidden = pl.col("team_id").is_in(hidden_before)
    table = table.with_columns(pl.when(before_hidden).then(None).otherwise(pl.col("change")).alias("change"),
                               pl.when(before_hidden | pl.col(SUPPRESSED)).then(pl.lit(None, dtype=pl.String))
                               .otherwise(pl.col("trend")).alias("trend"))
    table = table.drop("previous_n", "previous_analysts").with_columns(
        pl.col("team_id").replace_strict(names, default=None, return_dtype=pl.String)
        .fill_null(pl.col("team_id").cast(pl.String)).alias("team"))
    return released(table).sort("happiness", descending=True, nulls_last=True)
