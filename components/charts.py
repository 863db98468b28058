"""Pure Altair chart builders for the culture-trends page (no Streamlit, no SQL).

Every chart has a tooltip with n, sizes itself to its container, and uses mid-tone colours that
read on Streamlit's light and dark themes (axes and text take the theme's colours).

The horizontal bar charts (`factor_bars`, `lost_hours_bars`) share Altair's declaration shape
(bars, axes, tooltip list, height per row); their fields, titles and formats differ, so each
declares its own.
"""

from __future__ import annotations

import altair as alt
import polars as pl

HAPPY = "#3f9f5f"
NEUTRAL = "#9a9a9a"
UNHAPPY = "#d9534f"
ACCENT = "#4c8bd6"
MOOD_COLOURS = alt.Scale(domain=["Happy 9–10", "Neutral 7–8", "Unhappy 0–6"],
                         range=[HAPPY, NEUTRAL, UNHAPPY])
CALIBRATION_COLOURS = alt.Scale(domain=["blind spot", "aligned", "hidden strength"],
                                range=["#e08a3c", NEUTRAL, ACCENT])
HAPPINESS_AXIS = alt.Axis(title="Happiness", tickCount=5)
SERIES_COLOURS = alt.Scale(scheme="tableau10")
"""Distinct hues (blue, orange, red, teal…) that stay apart on light and dark backgrounds."""


def _month_x() -> alt.X:
    return alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month",
                                                      labelOverlap=True))


def with_month_gaps(df: pl.DataFrame, series: str | None = None) -> pl.DataFrame:
    """`df` (one row per month, or per month and `series` value) with a row of empty figures for
    every month between its first and last that it lacks, so a line or band breaks at a month that
    is not shown (too few answers, or hidden for privacy) instead of joining its neighbours as if
    nothing happened in between."""
    if df.height < 2 or "month" not in df.columns or df.schema["month"] != pl.Date:
        return df
    keys = ["month", *([series] if series else [])]
    grid = pl.date_range(df["month"].min(), df["month"].max(), "1mo", eager=True).alias("month").to_frame()
    if series:
        grid = grid.join(df.select(series).unique(), how="cross")
    return grid.join(df, on=keys, how="left").sort(keys, nulls_last=True)


def _happiness_tooltip(extra: list[alt.Tooltip] | None = None) -> list[alt.Tooltip]:
    return [*(extra or []),
            alt.Tooltip("happiness:Q", title="Happiness", format="+.0f"),
            alt.Tooltip("margin:Q", title="± margin", format=".0f"),
            alt.Tooltip("n:Q", title="n (responses)", format=",")]


def happiness_trend(df: pl.DataFrame, *, height: int = 260) -> alt.Chart:
    """Monthly Happiness with its 95% interval as a band; one point per month with n in the tooltip.

    `df`: month, n, happiness, margin, happiness_low, happiness_high.
    """
    base = alt.Chart(with_month_gaps(df)).encode(x=_month_x())
    band = base.mark_area(opacity=0.22, color=ACCENT).encode(
        y=alt.Y("happiness_low:Q", scale=alt.Scale(zero=False), axis=HAPPINESS_AXIS),
        y2="happiness_high:Q")
    line = base.mark_line(color=ACCENT, strokeWidth=2.5).encode(y="happiness:Q")
    points = base.mark_circle(color=ACCENT, size=55).encode(
        y="happiness:Q",
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), *_happiness_tooltip(),
                 alt.Tooltip("happiness_low:Q", title="95% low", format="+.0f"),
                 alt.Tooltip("happiness_high:Q", title="95% high", format="+.0f")])
    zero = alt.Chart(pl.DataFrame({"y": [0]})).mark_rule(strokeDash=[4, 4], opacity=0.5).encode(y="y:Q")
    return alt.layer(band, zero, line, points).properties(height=height, width="container")


def happiness_compare(df: pl.DataFrame, series: str, *, title: str, height: int = 280,
                      domain: list[float] | None = None) -> alt.Chart:
    """Monthly Happiness, one line per `series` value; click legend entries to pick lines to compare.

    The picked lines show their interval band (no bands until something is picked, to keep
    many lines readable); the others fade. `df`: month, `series`, n, happiness,
    margin, happiness_low, happiness_high. `domain`: a fixed y-range shared with the charts it is
    read next to.
    """
    pick = alt.selection_point(fields=[series], bind="legend", name="pick")
    df = with_month_gaps(df, series)
    colour = alt.Color(f"{series}:N", title=title, scale=SERIES_COLOURS,
                       legend=alt.Legend(orient="bottom", columns=4, symbolLimit=0, labelLimit=220))
    base = alt.Chart(df).encode(x=_month_x(), color=colour)
    band = base.mark_area(opacity=0.15, clip=domain is not None).encode(
        color=alt.Color(f"{series}:N", scale=SERIES_COLOURS, legend=None),
        y=alt.Y("happiness_low:Q", scale=alt.Scale(domain=domain) if domain else alt.Scale(zero=False),
                axis=HAPPINESS_AXIS),
        y2="happiness_high:Q",
        opacity=alt.condition(pick, alt.value(0.18), alt.value(0.0), empty=False))
    lines = base.mark_line(point=alt.OverlayMarkDef(size=35), strokeWidth=2).encode(
        y="happiness:Q",
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.12)),
        tooltip=[alt.Tooltip(f"{series}:N", title=title),
                 alt.Tooltip("month:T", title="Month", format="%B %Y"), *_happiness_tooltip()],
    ).add_params(pick)
    return alt.layer(band, lines).resolve_legend(color="independent").properties(height=height, width="container")


def mood_mix(df: pl.DataFrame, *, height: int = 190) -> alt.Chart:
    """Stacked 100% bars: the happy / neutral / unhappy shares for SLA met vs not met.

    `df` (from metrics.culture.happiness_mix on sla_met): sla_met, n, mood_label, count, share, order.
    """
    data = df.with_columns(pl.when(pl.col("sla_met")).then(pl.lit("SLA met"))
                           .otherwise(pl.lit("SLA not met")).alias("sla"))
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("sla:N", title=None, sort=["SLA met", "SLA not met"], axis=alt.Axis(labelLimit=120)),
        x=alt.X("share:Q", title="Share of responses", stack="normalize", axis=alt.Axis(format="%")),
        color=alt.Color("mood_label:N", title=None, scale=MOOD_COLOURS, legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("sla:N", title="Tickets"), alt.Tooltip("mood_label:N", title="Score"),
                 alt.Tooltip("share:Q", title="Share", format=".1%"),
                 alt.Tooltip("count:Q", title="Responses", format=","),
                 alt.Tooltip("n:Q", title="n (all responses)", format=",")],
    ).properties(height=height, width="container")


def watermelon_trend(df: pl.DataFrame, *, height: int = 200) -> alt.Chart:
    """Monthly share of SLA-met responses scoring 0–6, with its Wilson band.

    `df`: month, sla_met_n, sla_met_unhappy, watermelon_rate, watermelon_low, watermelon_high.
    """
    base = alt.Chart(with_month_gaps(df)).encode(x=_month_x())
    band = base.mark_area(opacity=0.2, color=UNHAPPY).encode(
        y=alt.Y("watermelon_low:Q", title="Unhappy despite SLA met",
                axis=alt.Axis(format="%"), scale=alt.Scale(zero=True)),
        y2="watermelon_high:Q")
    line = base.mark_line(color=UNHAPPY, strokeWidth=2.5, point=alt.OverlayMarkDef(size=40, color=UNHAPPY)).encode(
        y="watermelon_rate:Q",
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                 alt.Tooltip("watermelon_rate:Q", title="Unhappy despite SLA met", format=".1%"),
                 alt.Tooltip("watermelon_low:Q", title="95% low", format=".1%"),
                 alt.Tooltip("watermelon_high:Q", title="95% high", format=".1%"),
                 alt.Tooltip("sla_met_unhappy:Q", title="Unhappy (0–6)", format=","),
                 alt.Tooltip("sla_met_n:Q", title="n (SLA-met responses)", format=",")])
    return alt.layer(band, line).properties(height=height, width="container")


def hotspot_heatmap(df: pl.DataFrame, *, height: int | None = None) -> alt.Chart:
    """Service × channel cells coloured by impact (red pulls Happiness down, blue lifts it).

    Click a cell to select it (selection named "cell", fields service_id and channel).
    `df`: service_id, service, channel, channel_label, n, happiness, margin, impact.
    """
    cell = alt.selection_point(fields=["service_id", "channel"], name="cell", on="click")
    services = (df.group_by("service").agg(pl.col("n").sum())
                .sort(["n", "service"], descending=[True, False])["service"].to_list())
    limit = float(max(1.0, df["impact"].abs().max() or 1.0))
    ticks = [-round(limit), 0, round(limit)]
    return alt.Chart(df).mark_rect(stroke="#888", strokeWidth=0.3).encode(
        x=alt.X("channel_label:N", title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("service:N", title=None, sort=services, axis=alt.Axis(labelLimit=180, labelOverlap=False)),
        color=alt.Color("impact:Q", title="Impact",
                        scale=alt.Scale(scheme="redblue", domain=[-limit, limit], domainMid=0),
                        legend=alt.Legend(orient="bottom", gradientLength=170, values=ticks, format="+,.0f",
                                          labelOverlap=True)),
        opacity=alt.condition(cell, alt.value(1.0), alt.value(0.55)),
        tooltip=[alt.Tooltip("service:N", title="Service"), alt.Tooltip("channel_label:N", title="Channel"),
                 *_happiness_tooltip(), alt.Tooltip("impact:Q", title="Impact", format="+,.0f")],
    ).add_params(cell).properties(height=height or 110 + 24 * len(services), width="container")


# factor_bars and lost_hours_bars below are the same shape of Altair spec (horizontal bars, largest
# first, a tooltip list): each names its own fields, titles and formats, so there is no logic to share.
def factor_bars(df: pl.DataFrame, *, colour: str, height: int | None = None) -> alt.Chart:
    """Horizontal bars: share of responses naming each factor; tooltip with counts and change.

    `df`: label, current, previous, share, previous_share, change_pp; plus `n` (responses).
    """
    order = df.sort("share", descending=True)["label"].to_list()
    return alt.Chart(df).mark_bar(color=colour).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
        x=alt.X("share:Q", title="Share of responses", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("label:N", title="Factor"),
                 alt.Tooltip("share:Q", title="Share now", format=".1%"),
                 alt.Tooltip("previous_share:Q", title="Share before", format=".1%"),
                 alt.Tooltip("change_pp:Q", title="Change (pts)", format="+.1f"),
                 alt.Tooltip("current:Q", title="Responses naming it", format=","),
                 alt.Tooltip("n:Q", title="n (responses)", format=",")],
    ).properties(height=height or 60 + 30 * len(order), width="container")


def reassignment_happiness(df: pl.DataFrame, *, height: int = 220) -> alt.Chart:
    """Happiness by reassignments (0, 1, 2, 3+) with 95% error bars.

    `df` (metrics.reassignment_cost): bucket, n, happiness, margin, happiness_low/high, lost_mean.
    """
    data = df.filter(pl.col("n") > 0)
    base = alt.Chart(data).encode(x=alt.X("bucket:N", title="Reassignments", sort=["0", "1", "2", "3+"],
                                          axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(color=ACCENT, size=38).encode(
        y=alt.Y("happiness:Q", axis=HAPPINESS_AXIS),
        tooltip=[alt.Tooltip("bucket:N", title="Reassignments"), *_happiness_tooltip(),
                 alt.Tooltip("lost_mean:Q", title="Mean lost minutes", format=".0f")])
    errors = base.mark_errorbar(ticks=alt.MarkConfig(size=14), thickness=2, color=NEUTRAL).encode(
        y=alt.Y("happiness_low:Q", title="Happiness"), y2="happiness_high:Q")
    return alt.layer(bars, errors).properties(height=height, width="container")


def reassignment_lost(df: pl.DataFrame, *, height: int = 220) -> alt.Chart:
    """Mean lost minutes by reassignments (0, 1, 2, 3+); tooltip with the answers behind it."""
    data = df.filter(pl.col("lost_n") > 0)
    return alt.Chart(data).mark_bar(color=UNHAPPY, size=38).encode(
        x=alt.X("bucket:N", title="Reassignments", sort=["0", "1", "2", "3+"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("lost_mean:Q", title="Mean lost minutes"),
        tooltip=[alt.Tooltip("bucket:N", title="Reassignments"),
                 alt.Tooltip("lost_mean:Q", title="Mean lost minutes", format=".0f"),
                 alt.Tooltip("lost_n:Q", title="n (answers)", format=","),
                 alt.Tooltip("n:Q", title="n (responses)", format=",")],
    ).properties(height=height, width="container")


def lost_hours_bars(df: pl.DataFrame, key_label: str, title: str, *, top: int = 10,
                    height: int | None = None) -> alt.Chart:
    """Horizontal bars of total lost hours per group (largest first, at most `top`).

    `df` (metrics.culture.lost_by): `key_label`, total_hours, mean_minutes, tickets, lost_n.
    """
    data = df.drop_nulls("total_hours").head(top)  # the same spec shape as factor_bars (see there)
    order = data[key_label].to_list()
    return alt.Chart(data).mark_bar(color=UNHAPPY).encode(
        y=alt.Y(f"{key_label}:N", title=None, sort=order, axis=alt.Axis(labelLimit=180, labelOverlap=False)),
        x=alt.X("total_hours:Q", title="Lost hours (estimated)", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip(f"{key_label}:N", title=title),
                 alt.Tooltip("total_hours:Q", title="Lost hours", format=",.0f"),
                 alt.Tooltip("mean_minutes:Q", title="Mean minutes per ticket", format=".0f"),
                 alt.Tooltip("tickets:Q", title="Closed tickets", format=","),
                 alt.Tooltip("lost_n:Q", title="n (answers)", format=",")],
    ).properties(height=height or 70 + 28 * len(order), width="container")


def calibration_bars(df: pl.DataFrame, *, height: int = 240) -> alt.Chart:
    """Per CARE dimension, the shares of analysts in blind spot / aligned / hidden strength.

    `df`: dimension, label, count, share, analysts (suppressed dimensions already removed).
    """
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("dimension:N", title=None, sort=["Communication", "Application", "Resolution", "Expectation"],
                axis=alt.Axis(labelLimit=140)),
        x=alt.X("share:Q", title="Share of analysts", stack="normalize", axis=alt.Axis(format="%")),
        color=alt.Color("label:N", title=None, scale=CALIBRATION_COLOURS,
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=140)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("dimension:N", title="CARE dimension"), alt.Tooltip("label:N", title="Self vs customers"),
                 alt.Tooltip("count:Q", title="Analysts"), alt.Tooltip("share:Q", title="Share", format=".0%"),
                 alt.Tooltip("analysts:Q", title="n (analysts compared)")],
    ).properties(height=height, width="container")
