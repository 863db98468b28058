"""Pure Altair chart builders for the Coaching page (frames in, charts out; no queries, no UI).

The frames they draw come from the read model (`views.coaching`: trend, CARE profile, factor shares)."""

from __future__ import annotations

import altair as alt
import polars as pl

from components import formats
from metrics import CARE_NAMES
from views.coaching import CARE_LABELS

ANALYST_COLOUR = "#1f6feb"
TEAM_COLOUR = "#9aa4b2"
POSITIVE_COLOUR = "#2da44e"
NEGATIVE_COLOUR = "#cf222e"


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
