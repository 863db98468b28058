"""Pure Altair chart builders for the Coaching page (frames in, charts out; no queries, no UI)."""

from __future__ import annotations

import altair as alt
import polars as pl

from components import formats
from metrics import CARE_NAMES, with_care_means, with_happiness

ANALYST_COLOUR = "#1f6feb"
TEAM_COLOUR = "#9aa4b2"
POSITIVE_COLOUR = "#2da44e"
NEGATIVE_COLOUR = "#cf222e"
CARE_LABELS = {"communication": "Communication", "application": "Application",
               "resolution": "Resolution", "expectation": "Expectation"}


def trend_frame(mine: pl.DataFrame, team: pl.DataFrame) -> pl.DataFrame:
    """Monthly Happiness with its interval for the analyst and the team, stacked in one long frame."""
    parts = []
    for who, frame in (("Analyst", mine), ("Team", team)):
        if frame.is_empty():
            continue
        parts.append(with_happiness(frame).select(
            "month", pl.lit(who).alias("who"), "n", "happiness", "margin", "happiness_low", "happiness_high"))
    if not parts:
        return pl.DataFrame(schema={"month": pl.Date, "who": pl.String, "n": pl.Int64, "happiness": pl.Float64,
                                    "margin": pl.Float64, "happiness_low": pl.Float64,
                                    "happiness_high": pl.Float64})
    return pl.concat(parts)


def happiness_trend(frame: pl.DataFrame, analyst_name: str) -> alt.LayerChart:
    """Monthly Happiness of one analyst (line + 95% band) over their team's band."""
    data = frame.with_columns(pl.col("who").replace({"Analyst": analyst_name}))
    colour = alt.Color("who:N", title=None,
                       scale=alt.Scale(domain=[analyst_name, "Team"], range=[ANALYST_COLOUR, TEAM_COLOUR]),
                       legend=alt.Legend(orient="top"))
    tooltip = [alt.Tooltip("who:N", title=" "), alt.Tooltip("month:T", title="Month", format="%b %Y"),
               alt.Tooltip("happiness:Q", title="Happiness", format="+.0f"),
               alt.Tooltip("margin:Q", title="± margin", format=".0f"), alt.Tooltip("n:Q", title="Responses")]
    base = alt.Chart(data).encode(x=alt.X("month:T", title=None,
                                          axis=alt.Axis(format=formats.MONTH_AXIS, tickCount={"interval": "month", "step": 1})))
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y("happiness_low:Q", title="Happiness", scale=alt.Scale(domain=[-100, 100])),
        y2="happiness_high:Q", color=colour)
    line = base.mark_line(point=True).encode(y="happiness:Q", color=colour, tooltip=tooltip)
    return (band + line).properties(height=260)


def care_profile(analyst: pl.DataFrame, team: pl.DataFrame) -> pl.DataFrame:
    """Long frame: dimension, who, mean, low, high, n — the analyst's and the team's CARE means."""
    rows = []
    for who, frame in (("Analyst", analyst), ("Team", team)):
        if frame.is_empty():
            continue
        means = with_care_means(frame.select([f"{d}_{s}" for d in CARE_NAMES for s in ("n", "sum", "sumsq")]))
        row = means.row(0, named=True)
        for dim in CARE_NAMES:
            rows.append({"dimension": CARE_LABELS[dim], "who": who, "mean": row[f"{dim}_mean"],
                         "low": row[f"{dim}_low"], "high": row[f"{dim}_high"], "n": int(row[f"{dim}_n"])})
    return pl.DataFrame(rows, schema={"dimension": pl.String, "who": pl.String, "mean": pl.Float64,
                                      "low": pl.Float64, "high": pl.Float64, "n": pl.Int64})


def care_chart(frame: pl.DataFrame, analyst_name: str) -> alt.LayerChart:
    """CARE means on 1–5 with 95% t-intervals, analyst beside team, one row per dimension."""
    data = frame.with_columns(pl.col("who").replace({"Analyst": analyst_name}))
    colour = alt.Color("who:N", title=None,
                       scale=alt.Scale(domain=[analyst_name, "Team"], range=[ANALYST_COLOUR, TEAM_COLOUR]),
                       legend=alt.Legend(orient="top"))
    y = alt.Y("dimension:N", title=None, sort=[CARE_LABELS[d] for d in CARE_NAMES])
    offset = alt.YOffset("who:N", sort=[analyst_name, "Team"])
    tooltip = [alt.Tooltip("who:N", title=" "), alt.Tooltip("dimension:N", title="CARE"),
               alt.Tooltip("mean:Q", title="Mean", format=".2f"), alt.Tooltip("low:Q", title="from", format=".2f"),
               alt.Tooltip("high:Q", title="to", format=".2f"), alt.Tooltip("n:Q", title="Answers")]
    base = alt.Chart(data).encode(y=y, yOffset=offset, color=colour)
    rule = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title="Mean rating (1–5)",
                                                        scale=alt.Scale(domain=[1, 5])), x2="high:Q")
    point = base.mark_point(filled=True, size=80).encode(x="mean:Q", tooltip=tooltip)
    return (rule + point).properties(height=230)


def factor_frame(counts: pl.DataFrame, analyst_n: int, team_n: int) -> pl.DataFrame:
    """Share of responses naming each factor, for the analyst and the team (only factors named)."""
    return (counts.filter((pl.col("analyst_count") > 0) | (pl.col("team_count") > 0))
            .with_columns((100.0 * pl.col("analyst_count") / max(analyst_n, 1)).alias("analyst_share"),
                          (100.0 * pl.col("team_count") / max(team_n, 1)).alias("team_share")))


def factor_chart(frame: pl.DataFrame, analyst_name: str) -> alt.LayerChart:
    """Bars: % of the analyst's responses naming each factor; tick: the team's %. Colour by polarity."""
    order = frame.sort(["polarity", "analyst_share"], descending=[True, True])["label"].to_list()
    y = alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260, labelOverlap=False))
    tooltip = [alt.Tooltip("label:N", title="Factor"),
               alt.Tooltip("analyst_count:Q", title=f"{analyst_name} (responses)"),
               alt.Tooltip("analyst_share:Q", title=f"{analyst_name} %", format=".1f"),
               alt.Tooltip("team_share:Q", title="Team %", format=".1f")]
    bars = alt.Chart(frame).mark_bar(opacity=0.85).encode(
        y=y, x=alt.X("analyst_share:Q", title="% of responses naming the factor"),
        color=alt.Color("polarity:N", title=None,
                        scale=alt.Scale(domain=["positive", "negative"], range=[POSITIVE_COLOUR, NEGATIVE_COLOUR]),
                        legend=alt.Legend(orient="top")),
        tooltip=tooltip)
    ticks = alt.Chart(frame).mark_tick(color="#24292f", thickness=2, size=14).encode(
        y=y, x="team_share:Q", tooltip=tooltip)
    return (bars + ticks).properties(height=alt.Step(22))
