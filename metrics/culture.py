"""Culture-trends roll-ups: pure polars turning sufficient statistics into the CIO page's figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from metrics.gaps import ALIGNED, BLIND_SPOT, HIDDEN_STRENGTH, perception_gaps
from metrics.happiness import happiness, happiness_margin, with_happiness
from metrics.intervals import wilson_interval, with_wilson
from metrics.lost_time import LostTime, lost_time_summary
from metrics.shrinkage import shrink_means
from metrics.trends import PeriodChange, period_change

GROUP_KEYS = frozenset({"month", "week", "team_id", "analyst_id", "channel", "service_id", "ticket_type",
                        "sla_met", "reopened", "priority", "reassignment_count"})
"""Columns of a statistics frame that name a group; every other column is a count or a sum."""

MOODS = ("happy", "neutral", "unhappy")
MOOD_LABELS = {"happy": "Happy 9–10", "neutral": "Neutral 7–8", "unhappy": "Unhappy 0–6"}
CALIBRATION_LABELS = (BLIND_SPOT, ALIGNED, HIDDEN_STRENGTH)


DISTINCT_COUNTS = frozenset({"analysts"})
"""Distinct counts: they cannot be summed, so a roll-up keeps their largest part (a lower bound)."""


def _combine(column: str) -> pl.Expr:
    return pl.col(column).max() if column in DISTINCT_COUNTS else pl.col(column).sum()


def rollup(stats: pl.DataFrame, keys: Sequence[str] = ()) -> pl.DataFrame:
    """Sum every count/sum column of `stats` over the groups `keys` (one row when `keys` is empty).

    `analysts` (distinct resolvers) is not additive: the roll-up keeps the largest group's count,
    which never overstates the true number, so disclosure control on it errs on the safe side.
    """
    values = [c for c in stats.columns if c not in GROUP_KEYS]
    keys = list(keys)
    if not keys:
        return stats.select(_combine(c) for c in values)
    return stats.group_by(keys).agg(_combine(c) for c in values).sort(keys, nulls_last=True)


def _join(left: pl.DataFrame, right: pl.DataFrame, key: str, how: str) -> pl.DataFrame:
    """Join on `key`, tolerating an empty side whose key column has no type yet."""
    right = right.with_columns(pl.col(key).cast(left.schema[key]))
    return left.join(right, on=key, how=how, coalesce=True)


def totals(stats: pl.DataFrame) -> dict[str, float]:
    """The whole frame summed into one mapping (zeros for an empty frame)."""
    row = rollup(stats).row(0, named=True) if stats.height else {}
    return {c: (row.get(c) or 0) for c in stats.columns if c not in GROUP_KEYS}


@dataclass(frozen=True)
class Rate:
    """A proportion with its Wilson 95% interval; figures are None when n is 0."""

    k: int
    n: int
    share: float | None
    low: float | None
    high: float | None


def rate(k: int, n: int) -> Rate:
    """`k` of `n` as a share with its Wilson interval (k is clipped to n, e.g. mismatched periods)."""
    k, n = int(max(0, min(k, n))), int(max(0, n))
    interval = wilson_interval(k, n)
    if interval is None:
        return Rate(k, n, None, None, None)
    return Rate(k, n, k / n, interval[0], interval[1])


@dataclass(frozen=True)
class Headline:
    """The figures of the headline tiles."""

    n: int
    happiness: float | None
    margin: float | None
    change: PeriodChange
    unhappy: Rate
    lost: LostTime
    tickets: int
    response_rate: Rate


def headline(current: dict, previous: dict, tickets: int) -> Headline:
    """Headline figures from the period's totals, the previous period's totals and closed tickets."""
    n, happy, unhappy = int(current.get("n", 0)), int(current.get("happy", 0)), int(current.get("unhappy", 0))
    prev = {k: int(previous.get(k, 0)) for k in ("n", "happy", "unhappy")}
    return Headline(
        n=n,
        happiness=happiness(happy, unhappy, n),
        margin=happiness_margin(happy, unhappy, n),
        change=period_change({"n": n, "happy": happy, "unhappy": unhappy}, prev),
        unhappy=rate(unhappy, n),
        lost=lost_time_summary(int(current.get("lost_n", 0)), float(current.get("lost_sum", 0.0)), tickets),
        tickets=tickets,
        response_rate=rate(n, tickets),
    )


def monthly_happiness(stats: pl.DataFrame, *, series: str | None = None,
                      min_group: int = 5) -> pl.DataFrame:
    """Happiness per month (and per `series` value) with its interval; months below `min_group` dropped."""
    keys = ["month"] + ([series] if series else [])
    return (with_happiness(rollup(stats, keys))
            .filter(pl.col("n") >= min_group)
            .select(*keys, "n", "happiness", "margin", "happiness_low", "happiness_high"))


def happiness_mix(stats: pl.DataFrame, key: str = "sla_met") -> pl.DataFrame:
    """Long frame: per `key` value the share (0..1) and count of happy, neutral and unhappy responses."""
    per = rollup(stats, [key]).select(key, "n", "happy", "unhappy").with_columns(
        (pl.col("n") - pl.col("happy") - pl.col("unhappy")).alias("neutral"))
    long = per.unpivot(index=[key, "n"], on=list(MOODS), variable_name="mood", value_name="count")
    return (long.filter(pl.col("n") > 0)
            .with_columns((pl.col("count") / pl.col("n")).alias("share"),
                          pl.col("mood").replace_strict(MOOD_LABELS).alias("mood_label"),
                          pl.col("mood").replace_strict({m: i for i, m in enumerate(MOODS)}).alias("order"))
            .sort(key, "order"))


def watermelon_trend(stats: pl.DataFrame, *, min_group: int = 5) -> pl.DataFrame:
    """Per month, the share of responses on SLA-met tickets that scored 0–6, with its interval."""
    per = rollup(stats, ["month"]).select("month", "sla_met_n", "sla_met_unhappy")
    return (with_wilson(per, "sla_met_unhappy", "sla_met_n", "watermelon")
            .filter(pl.col("sla_met_n") >= min_group))


def factor_changes(counts: pl.DataFrame, *, current_n: int, previous_n: int) -> pl.DataFrame:
    """Each factor's share of responses now and before, and the change in percentage points.

    `counts` has factor_id, label, polarity, current, previous (responses naming the factor).
    Sorted by polarity, then most frequent first.
    """
    if counts.is_empty():
        return counts.with_columns(pl.lit(None, pl.Float64).alias(c)
                                   for c in ("share", "previous_share", "change_pp"))
    cur = pl.lit(float(current_n)) if current_n else pl.lit(None, pl.Float64)
    prev = pl.lit(float(previous_n)) if previous_n else pl.lit(None, pl.Float64)
    return (counts
            .with_columns((pl.col("current") / cur).alias("share"),
                          (pl.col("previous") / prev).alias("previous_share"))
            .with_columns((100.0 * (pl.col("share") - pl.col("previous_share"))).alias("change_pp"))
            .filter(pl.col("current") + pl.col("previous") > 0)
            .sort(["polarity", "current", "label"], descending=[True, True, False]))


def lost_by(stats: pl.DataFrame, tickets: pl.DataFrame, key: str, *, min_group: int = 5) -> pl.DataFrame:
    """Mean lost minutes and extrapolated total hours per `key`, largest total first.

    Groups whose lost-time answers are fewer than `min_group` get no figures (too few to scale up).
    """
    answers = rollup(stats, [key]).select(key, "lost_n", "lost_sum")
    closed = rollup(tickets, [key]).select(key, "tickets")
    mean = pl.col("lost_sum") / pl.col("lost_n")
    if answers.schema[key] == pl.Null:  # no responses: take the key's type from the tickets
        answers = answers.with_columns(pl.col(key).cast(closed.schema[key]))
    return (_join(answers, closed, key, "full")
            .with_columns(pl.col("lost_n", "tickets").fill_null(0), pl.col("lost_sum").fill_null(0.0))
            .with_columns(pl.when(pl.col("lost_n") >= min_group).then(mean).alias("mean_minutes"))
            .with_columns((pl.col("mean_minutes") * pl.col("tickets") / 60.0).alias("total_hours"))
            .sort("total_hours", descending=True, nulls_last=True))


def trend_arrow(change: PeriodChange) -> str | None:
    """↑ / ↓ when Happiness moved by more than its margin, → when the change is within noise;
    None without a change to judge (the table shows its "no figure" dash, as for any empty cell)."""
    if change.change is None:
        return None
    if not change.is_clear:
        return "→"
    return "↑" if change.change > 0 else "↓"


TEAM_TABLE_SCHEMA = {"team_id": pl.Int64, "n": pl.Int64, "happiness": pl.Float64, "margin": pl.Float64,
                     "happiness_low": pl.Float64, "happiness_high": pl.Float64, "change": pl.Float64,
                     "trend": pl.String, "lost_hours": pl.Float64, "lost_mean_minutes": pl.Float64,
                     "watermelon": pl.Float64, "suppressed": pl.Boolean}


def team_table(current: pl.DataFrame, previous: pl.DataFrame, tickets: pl.DataFrame,
               *, min_group: int = 5) -> pl.DataFrame:
    """One row per team: Happiness with interval, n, trend, lost hours and watermelon share.

    Teams below `min_group` responses keep their n but show no figures (suppressed).
    """
    cur = rollup(current, ["team_id"])
    if cur.is_empty():
        return pl.DataFrame(schema=TEAM_TABLE_SCHEMA)
    prev = rollup(previous, ["team_id"]).select("team_id", *(pl.col(c).alias(f"previous_{c}")
                                                             for c in ("n", "happy", "unhappy")))
    closed = rollup(tickets, ["team_id"]).select("team_id", "tickets")
    frame = (_join(_join(cur, prev, "team_id", "left"), closed, "team_id", "left")
             .with_columns(pl.col("previous_n", "previous_happy", "previous_unhappy", "tickets").fill_null(0)))
    frame = with_watermelon_rate(with_happiness(frame))
    rows = []
    for r in frame.iter_rows(named=True):
        change = period_change({"n": r["n"], "happy": r["happy"], "unhappy": r["unhappy"]},
                               {"n": r["previous_n"], "happy": r["previous_happy"],
                                "unhappy": r["previous_unhappy"]})
        if r["previous_n"] < min_group:
            change = PeriodChange(change.current, None, None, None, change.current_n, change.previous_n)
        lost = lost_time_summary(r["lost_n"], r["lost_sum"], r["tickets"])
        shown = r["n"] >= min_group
        rows.append({
            "team_id": r["team_id"], "n": r["n"],
            "happiness": r["happiness"] if shown else None,
            "margin": r["margin"] if shown else None,
            "happiness_low": r["happiness_low"] if shown else None,
            "happiness_high": r["happiness_high"] if shown else None,
            "change": change.change if shown else None,
            "trend": trend_arrow(change) if shown else None,
            "lost_hours": lost.total_hours if shown and lost.n >= min_group else None,
            "lost_mean_minutes": lost.mean_minutes if shown and lost.n >= min_group else None,
            "watermelon": r["watermelon_rate"] if shown and r["sla_met_n"] >= min_group else None,
            "suppressed": not shown,
        })
    return pl.DataFrame(rows, schema=TEAM_TABLE_SCHEMA).sort("happiness", descending=True, nulls_last=True)


def with_watermelon_rate(df: pl.DataFrame) -> pl.DataFrame:
    """Add watermelon_rate/_low/_high from sla_met_unhappy and sla_met_n."""
    return with_wilson(df, "sla_met_unhappy", "sla_met_n", "watermelon")


def hotspot_cells(impact: pl.DataFrame, *, min_group: int = 5) -> pl.DataFrame:
    """Hotspot cells with figures blanked (not dropped) where a cell has fewer than `min_group` responses."""
    small = pl.col("n") < min_group
    keep = {"service_id", "channel", "service", "n"}  # the cell's name and size stay; every figure goes
    return impact.with_columns(
        pl.when(small).then(None).otherwise(pl.col(c)).alias(c)
        for c in impact.columns if c not in keep
    )


def calibration_counts(rows: pl.DataFrame, *, min_responses: int = 5,
                       min_analysts: int = 3) -> pl.DataFrame:
    """Per CARE dimension, how many analysts are blind spot / aligned / hidden strength.

    `rows` holds one unnamed row per analyst and dimension: team_id, dimension, n, sum, sumsq
    (their customers' ratings) and self_rating (latest self-assessment, null when none). Each
    customer mean is shrunk toward the analyst's team (all its analysts, assessed or not) before
    the gap is labelled; analysts without a self-rating or with fewer than
    `min_responses` ratings are left out; a dimension with fewer than `min_analysts` analysts
    is suppressed (no counts). Columns: dimension, analysts, label counts and shares, suppressed.
    """
    out_schema = {"dimension": pl.String, "analysts": pl.Int64, "suppressed": pl.Boolean,
                  **{label: pl.Int64 for label in CALIBRATION_LABELS},
                  **{f"{label} share": pl.Float64 for label in CALIBRATION_LABELS}}
    if rows.is_empty():
        return pl.DataFrame(schema=out_schema)
    n = pl.col("n").cast(pl.Float64)
    prepared = (rows.filter(pl.col("n") >= 1)
                .with_columns((pl.col("sum") / n).alias("mean"),
                              pl.when(n > 1).then(((pl.col("sumsq") - pl.col("sum") ** 2 / n) / (n - 1))
                                                  .clip(lower_bound=0.0)).alias("var")))
    if prepared.is_empty():
        return pl.DataFrame(schema=out_schema)
    shrunk = shrink_means(prepared, mean="mean", n="n", var="var", out="customer_mean", by=["dimension", "team_id"])
    labelled = perception_gaps(shrunk.filter((pl.col("n") >= min_responses) & pl.col("self_rating").is_not_null()))
    result = []
    for dim in rows["dimension"].unique(maintain_order=True).to_list():
        part = labelled.filter(pl.col("dimension") == dim)
        total = part.height
        suppressed = total < min_analysts
        counts = {label: (None if suppressed else int((part["label"] == label).sum()))
                  for label in CALIBRATION_LABELS}
        shares = {f"{label} share": (None if suppressed or not total else counts[label] / total)
                  for label in CALIBRATION_LABELS}
        result.append({"dimension": dim, "analysts": None if suppressed else total,
                       "suppressed": suppressed, **counts, **shares})
    return pl.DataFrame(result, schema=out_schema)
