"""Pure Altair builders for the first screen of Culture trends: the Happiness trend with target,
external reference, last year's months and annotations; lost work days per month.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from components.charts import ACCENT, HAPPINESS_AXIS, NEUTRAL, UNHAPPY, _happiness_tooltip, _month_x, with_month_gaps

TARGET = "#3f9f5f"
REFERENCE = "#b07cc6"


def happiness_domain(*frames: pl.DataFrame, also: tuple[float | None, ...] = ()) -> list[float]:
    """One y-range for Happiness charts that are read side by side: every band and line fits,
    rounded out to tens, never narrower than 20 points."""
    values = [v for v in also if v is not None]
    for frame in frames:
        for column in ("happiness_low", "happiness_high", "happiness"):
            if frame.height and column in frame.columns:
                values += [v for v in frame[column].to_list() if v is not None]
    if not values:
        return [-100.0, 100.0]
    low, high = 10 * ((min(values) - 5) // 10), 10 * -((-max(values) - 5) // 10)
    if high - low < 20:
        low, high = low - 10, high + 10
    return [max(low, -100.0), min(high, 100.0)]


def _rule(value: float, label: str, colour: str, *, right: bool) -> alt.LayerChart:
    """A labelled horizontal line; the target's label sits at the right end, the reference's at the
    left, so the two never cover each other when they are close."""
    data = pl.DataFrame({"y": [value], "label": [label]})
    rule = alt.Chart(data).mark_rule(color=colour, strokeWidth=1.5, strokeDash=[6, 3]).encode(
        y="y:Q", tooltip=[alt.Tooltip("label:N", title="Line")])
    text = alt.Chart(data).mark_text(align="right" if right else "left", dx=-2 if right else 2, dy=-7 if right else 9,
                                     color=colour, fontSize=11, fontWeight="bold").encode(
        y="y:Q", x=alt.value("width" if right else 0), text="label:N")
    return rule + text


def _annotations(annotations: list[tuple[dt.date, str]], *, banded: bool = False) -> alt.LayerChart:
    """Dashed vertical rules with their labels; `banded`: on a chart with one band per month (bars),
    each rule stands in the middle of its month's band instead of on its day."""
    data = pl.DataFrame({"month": [d for d, _ in annotations], "label": [l for _, l in annotations]},
                        schema={"month": pl.Date, "label": pl.String})
    x = alt.X("month:O", timeUnit="yearmonth") if banded else alt.X("month:T")
    rule = alt.Chart(data).mark_rule(color=NEUTRAL, strokeDash=[2, 2]).encode(
        x=x, tooltip=[alt.Tooltip("month:T", title="Date", format="%-d %b %Y"),
                      alt.Tooltip("label:N", title="Change")])
    text = alt.Chart(data).mark_text(align="left", baseline="top", dx=3, y=2, color=NEUTRAL, fontSize=10).encode(
        x=x, text="label:N")
    return rule + text


def trend_with_marks(trend: pl.DataFrame, *, domain: list[float], target: float | None = None,
                     reference: tuple[float, str] | None = None, last_year: pl.DataFrame | None = None,
                     annotations: list[tuple[dt.date, str]] = (), height: int = 220,
                     pickable: bool = False) -> alt.LayerChart:
    """Monthly Happiness with its 95% band, on a fixed y-range `domain`, plus (each optional) the
    target and an external reference as labelled horizontal lines, last year's same weeks as a
    grey dashed line, and dated annotations as labelled vertical rules. `pickable`: a click picks
    the nearest month (selection "month", field month)."""
    y = alt.Y("happiness_low:Q", scale=alt.Scale(domain=domain), axis=HAPPINESS_AXIS)
    base = alt.Chart(with_month_gaps(trend)).encode(x=_month_x())
    layers = [base.mark_area(opacity=0.22, color=ACCENT).encode(y=y, y2="happiness_high:Q")]
    if last_year is not None and last_year.height:
        layers.append(alt.Chart(with_month_gaps(last_year)).mark_line(color=NEUTRAL, strokeDash=[5, 3], point=True).encode(
            x=_month_x(), y="happiness:Q",
            tooltip=[alt.Tooltip("month:T", title="Same month last year", format="%B %Y"),
                     *_happiness_tooltip()]))
    points = base.mark_circle(color=ACCENT, size=50).encode(
        y="happiness:Q", tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), *_happiness_tooltip()])
    if pickable:
        points = points.add_params(alt.selection_point(fields=["month"], name="month", on="click", nearest=True))
    layers += [base.mark_line(color=ACCENT, strokeWidth=2.5).encode(y="happiness:Q"), points]
    if target is not None:
        layers.append(_rule(target, f"target {target:+.0f}", TARGET, right=True))
    if reference is not None:
        layers.append(_rule(reference[0], f"{reference[1]} {reference[0]:+.0f}", REFERENCE, right=False))
    marks = annotation_marks(trend, annotations)
    if marks is not None:
        layers.append(marks)
    return alt.layer(*layers).properties(height=height, width="container")


def annotation_marks(months: pl.DataFrame, annotations, *, banded: bool = False) -> alt.LayerChart | None:
    """Labelled vertical rules for the annotations dated within the months of `months` (or None);
    `banded`: for a chart with one band per month, only annotations in a month it has a band for."""
    if not months.height:
        return None
    first, last = months["month"].min(), months["month"].max()
    after = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # the month after the last one
    shown = [(d, l) for d, l in annotations if first <= d < after]
    if banded:
        bands = {(m.year, m.month) for m in months["month"].to_list()}
        shown = [(d, l) for d, l in shown if (d.year, d.month) in bands]
    return _annotations(shown, banded=banded) if shown else None


def with_annotations(chart, months: pl.DataFrame, annotations, *, banded: bool = False) -> alt.TopLevelMixin:
    """`chart` with the known changes dated within its months drawn on it (the trend's helper)."""
    marks = annotation_marks(months, annotations, banded=banded)
    return chart if marks is None else alt.layer(chart, marks)


def work_days_bars(df: pl.DataFrame, *, currency: str | None = None, height: int = 200) -> alt.Chart:
    """Work days lost per month (estimated); the tooltip adds hours and, with a cost, the money.

    `df`: month, total_hours, days, cost.
    """
    tooltip = [alt.Tooltip("month:T", title="Month", format="%B %Y"),
               alt.Tooltip("days:Q", title="Work days lost", format=",.0f"),
               alt.Tooltip("total_hours:Q", title="Hours lost", format=",.0f")]
    if currency:
        tooltip.append(alt.Tooltip("cost:Q", title=f"Cost ({currency})", format=",.0f"))
    return alt.Chart(df).mark_bar(color=UNHAPPY, opacity=0.85).encode(
        # One band per month, the label under its own bar (a time axis put "Dec" between bars).
        x=alt.X("month:O", title=None, timeUnit="yearmonth",
                axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True)),
        y=alt.Y("days:Q", title="Work days lost", axis=alt.Axis(format=",.0f")),
        tooltip=tooltip).properties(height=height, width="container")
