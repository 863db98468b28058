"""Widgets and pure Altair charts of the analyst's private "My feedback" page.

Chart builders take small frames and return charts (testable without a browser); the
`*_section` functions draw one part of the page. Customer comments and notes are shown as
text (st.text / st.dataframe), never as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl
import sqlalchemy as sa
import streamlit as st

from components.tiles import fmt_happiness, fmt_margin, fmt_minutes, tile
from data_access import clock
from data_access.engine import DatabaseUnavailable, describe_failure
from data_access.filters import Filters
from data_access.my_feedback import (
    SCORE_BANDS,
    MyFigures,
    SelfView,
    my_recognition,
    my_responses_export,
    my_verbatims,
)
from data_access.scope import Scope
from metrics import CARE_DIMENSIONS, CARE_NAMES, with_care_means, with_happiness
from metrics.csv_safety import safe_csv_bytes
from metrics.gaps import ALIGNED, BLIND_SPOT, HIDDEN_STRENGTH
from metrics.self_view import GAP_EXPLANATIONS, LABELS, Spread

MINE = "#1f6feb"
TEAM = "#9aa4b2"
LABEL_COLOURS = {BLIND_SPOT: "#d97706", HIDDEN_STRENGTH: "#7c3aed", ALIGNED: "#2da44e"}
DIMENSION_COLOURS = ["#1f6feb", "#8250df", "#1a7f37", "#bf8700"]
STATEMENTS = {d.name: d.statement for d in CARE_DIMENSIONS}
PERIODS = {"90d": "Last 90 days", "6m": "Last 6 months", "12m": "Last 12 months", "ytd": "Year to date"}
PAGE_SIZE = 10
REMINDER_DAYS = 90
BAND_LABELS = {"all": "All", "unhappy": "0–6", "neutral": "7–8", "happy": "9–10"}


# --- period and friendly failures ------------------------------------------------------------

def period_range(preset: str, today: dt.date) -> Filters:
    """The half-open period of a preset, ending with today (inclusive)."""
    end = today + dt.timedelta(days=1)
    if preset == "90d":
        return Filters(today - dt.timedelta(days=89), end)
    if preset == "ytd":
        return Filters(dt.date(today.year, 1, 1), end)
    months = 6 if preset == "6m" else 12
    index = today.year * 12 + today.month - 1 - (months - 1)
    return Filters(dt.date(index // 12, index % 12 + 1, 1), end)


def period_picker(key: str = "my_period") -> Filters:
    """A small period choice for the analyst's own figures (default: last 12 months)."""
    today = clock.today()
    preset = st.columns([1, 3])[0].selectbox("Period", list(PERIODS), index=2, format_func=PERIODS.get, key=key,
                          help="Your figures, comparison and comments cover this period. "
                               "The monthly trend always shows the last 12 months.")
    return period_range(preset, today)


def database_down(exc: Exception) -> None:
    """A friendly message instead of a stack trace when the warehouse does not answer."""
    text = str(exc) if isinstance(exc, DatabaseUnavailable) else describe_failure(exc)
    st.error(text, icon=":material/cloud_off:")


DB_ERRORS = (DatabaseUnavailable, sa.exc.OperationalError, sa.exc.InterfaceError)


def reminder(latest, today: dt.date) -> None:
    """Nudge toward a self-assessment when there is none or the last is older than 90 days."""
    if latest is None:
        st.info("You have not filled in a self-assessment yet. It takes about three minutes and "
                "shows you how your view of your work compares with your customers' view — "
                "see the **Self-assessment** tab.", icon=":material/edit_note:")
        return
    days = (today - latest.submitted_at.date()).days
    if days > REMINDER_DAYS:
        st.info(f"Your last self-assessment was {days} days ago. A fresh one keeps the comparison "
                "with your customers meaningful — see the **Self-assessment** tab.",
                icon=":material/update:")


# --- my figures ----------------------------------------------------------------------------------

def _position_text(spread: Spread | None, what: str) -> str:
    if spread is None:
        return f"Team comparison for {what} appears once at least 3 colleagues have enough responses."
    if spread.own_percentile is None:
        return (f"Middle half of your team: {spread.p25:.0f} to {spread.p75:.0f} "
                f"({spread.analysts} colleagues with enough responses).")
    return (f"You are at the {_ordinal(spread.own_percentile)} percentile of your team "
            f"(0 = lowest, 100 = highest; {spread.analysts} colleagues with enough responses).")


def _ordinal(value: float) -> str:
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def spread_chart(spread: Spread, own: float, *, title: str, domain: tuple[float, float],
                 fmt: str = ".0f") -> alt.LayerChart:
    """The team's middle half (unnamed) as a bar with its median, and the analyst as a dot."""
    team = pl.DataFrame({"row": [title], "p25": [spread.p25], "median": [spread.median],
                         "p75": [spread.p75], "analysts": [spread.analysts]})
    me = pl.DataFrame({"row": [title], "value": [own], "who": ["You"]})
    x = alt.Scale(domain=list(domain))
    y = alt.Y("row:N", title=None, axis=None)
    tooltip = [alt.Tooltip("p25:Q", title="Team 25th percentile", format=fmt),
               alt.Tooltip("median:Q", title="Team median", format=fmt),
               alt.Tooltip("p75:Q", title="Team 75th percentile", format=fmt),
               alt.Tooltip("analysts:Q", title="Colleagues counted")]
    bar = alt.Chart(team).mark_bar(height=16, color=TEAM, opacity=0.55, cornerRadius=3).encode(
        x=alt.X("p25:Q", scale=x, title=None), x2="p75:Q", y=y, tooltip=tooltip)
    median = alt.Chart(team).mark_tick(color="#57606a", thickness=2, size=22).encode(
        x=alt.X("median:Q", scale=x), y=y, tooltip=tooltip)
    dot = alt.Chart(me).mark_point(filled=True, size=160, color=MINE, opacity=1).encode(
        x=alt.X("value:Q", scale=x), y=y,
        tooltip=[alt.Tooltip("who:N", title=" "), alt.Tooltip("value:Q", title=title, format=fmt)])
    return (bar + median + dot).properties(height=54)


def care_profile_frame(own_stats: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """Per CARE dimension: own mean with its t-interval and n, and the team mean."""
    if own_stats.is_empty():
        return pl.DataFrame()
    means = with_care_means(own_stats).row(0, named=True)
    team = dict(customers.select("dimension", "team_mean").iter_rows())
    return pl.DataFrame([{
        "dimension": LABELS[d], "statement": STATEMENTS[d], "mean": means[f"{d}_mean"],
        "low": means[f"{d}_low"], "high": means[f"{d}_high"], "n": int(means[f"{d}_n"]),
        "team_mean": team.get(d)} for d in CARE_NAMES],
        schema={"dimension": pl.String, "statement": pl.String, "mean": pl.Float64, "low": pl.Float64,
                "high": pl.Float64, "n": pl.Int64, "team_mean": pl.Float64})


def care_profile_chart(frame: pl.DataFrame) -> alt.LayerChart:
    """Own CARE means with 95% intervals (blue) and the team's mean (grey tick), on the 1–5 scale."""
    order = [LABELS[d] for d in CARE_NAMES]
    y = alt.Y("dimension:N", sort=order, title=None, axis=alt.Axis(labelLimit=160))
    x = alt.X("mean:Q", scale=alt.Scale(domain=[1, 5]), title="Customer rating (1–5)",
              axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"))
    tooltip = [alt.Tooltip("dimension:N", title="Dimension"), alt.Tooltip("statement:N", title="Customers rate"),
               alt.Tooltip("mean:Q", title="Your mean", format=".2f"),
               alt.Tooltip("low:Q", title="95% from", format=".2f"),
               alt.Tooltip("high:Q", title="95% to", format=".2f"), alt.Tooltip("n:Q", title="Answers"),
               alt.Tooltip("team_mean:Q", title="Team mean", format=".2f")]
    base = alt.Chart(frame).encode(y=y)
    interval = base.mark_rule(color=MINE, strokeWidth=3, opacity=0.45).encode(
        x=alt.X("low:Q", scale=alt.Scale(domain=[1, 5])), x2="high:Q", tooltip=tooltip)
    team = base.mark_tick(color=TEAM, thickness=3, size=22).encode(
        x=alt.X("team_mean:Q", scale=alt.Scale(domain=[1, 5])), tooltip=tooltip)
    point = base.mark_point(filled=True, size=120, color=MINE, opacity=1).encode(x=x, tooltip=tooltip)
    return (interval + team + point).properties(height=190)


def figures_section(figures: MyFigures) -> None:
    """Headline tiles, the team spread and the CARE profile for the chosen period."""
    if not figures.enough:
        st.info(f"Not enough responses yet for this period — you have {figures.n} and your figures "
                f"appear from {figures.min_responses}. Every survey your customers answer counts; "
                "try a longer period in the meantime.", icon=":material/hourglass_top:")
        return
    row = with_happiness(figures.stats).row(0, named=True)
    care = with_care_means(figures.stats).row(0, named=True)
    answered = [care[f"{d}_mean"] for d in CARE_NAMES if care[f"{d}_mean"] is not None]
    lost_n, lost_sum = int(row["lost_n"]), float(row["lost_sum"])
    lost_mean = lost_sum / lost_n if lost_n else None
    cols = st.columns(4)
    with cols[0]:
        tile("Happiness", fmt_happiness(row["happiness"]), fmt_margin(row["margin"], figures.n),
             "% of your customers scoring 9–10 minus % scoring 0–6 (range −100 to +100), "
             "with its 95% margin of error.")
    with cols[1]:
        tile("Scored 9–10 · 0–6", f"{row['pct_happy']:.0f}% · {row['pct_unhappy']:.0f}%",
             f"n = {figures.n:,}",
             "Share of your responses in each group; 7–8 count in the total only.")
    with cols[2]:
        tile("CARE average", f"{sum(answered) / len(answered):.2f}" if answered else "–",
             "mean of the four dimensions, 1–5", "Average of your customers' four CARE ratings.")
    with cols[3]:
        hours = lost_mean * figures.tickets / 60 if lost_mean is not None else None
        tile("Lost time per ticket", fmt_minutes(lost_mean),
             f"≈ {hours:,.0f} h over {figures.tickets:,} tickets (n = {lost_n:,})" if hours is not None
             else "nobody answered this question yet",
             "Customers' own estimate of work time lost, per response that answered; total = mean × "
             "your closed tickets in the period.")

    st.markdown("##### Where you are in your team's spread")
    st.caption("Grey bar: the middle half of your team (25th to 75th percentile), tick: the median, "
               "blue dot: you. No colleague is named or shown individually.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Happiness**")
        if figures.happiness_spread:
            st.altair_chart(spread_chart(figures.happiness_spread, row["happiness"], title="Happiness",
                                         domain=(-100, 100), fmt="+.0f"))
        st.caption(_position_text(figures.happiness_spread, "Happiness"))
    with right:
        st.markdown("**Lost time per ticket (minutes, lower is better)**")
        spread = figures.lost_spread
        if spread and lost_mean is not None and spread.own_percentile is not None:
            top = max(spread.p75, lost_mean) * 1.25 + 1
            st.altair_chart(spread_chart(spread, lost_mean, title="Minutes", domain=(0, top)))
        st.caption(_position_text(spread, "lost time") if lost_mean is not None
                   else "Your customers have not estimated lost time in this period.")

    st.markdown("##### CARE profile")
    st.caption("Blue: your customers' mean rating with its 95% interval · grey tick: your team's mean.")
    profile = care_profile_frame(figures.stats, figures.customers)
    st.altair_chart(care_profile_chart(profile), height=230)


# --- trend -----------------------------------------------------------------------------------------

def trend_chart(trend: pl.DataFrame) -> alt.LayerChart:
    """Own monthly Happiness with 95% error bars over the team's middle-half band (unnamed)."""
    data = trend.with_columns(pl.col("month").cast(pl.Date))
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %y", tickCount="month"))
    y_scale = alt.Scale(domain=[-100, 100])
    team_tip = [alt.Tooltip("month:T", title="Month", format="%B %Y"),
                alt.Tooltip("band_low:Q", title="Team 25th percentile", format="+.0f"),
                alt.Tooltip("band_mid:Q", title="Team median", format="+.0f"),
                alt.Tooltip("band_high:Q", title="Team 75th percentile", format="+.0f"),
                alt.Tooltip("band_analysts:Q", title="Colleagues counted")]
    own_tip = [alt.Tooltip("month:T", title="Month", format="%B %Y"),
               alt.Tooltip("own_happiness:Q", title="Your Happiness", format="+.0f"),
               alt.Tooltip("own_margin:Q", title="± margin", format=".0f"),
               alt.Tooltip("own_n:Q", title="Responses")]
    base = alt.Chart(data).encode(x=x)
    band = base.mark_area(color=TEAM, opacity=0.28).encode(
        y=alt.Y("band_low:Q", scale=y_scale, title="Happiness"), y2="band_high:Q", tooltip=team_tip)
    median = base.mark_line(color=TEAM, strokeDash=[4, 3]).encode(y=alt.Y("band_mid:Q", scale=y_scale))
    mine = data.filter(pl.col("own_happiness").is_not_null())
    own_base = alt.Chart(mine).encode(x=x)
    bars = own_base.mark_rule(color=MINE, opacity=0.5, strokeWidth=2).encode(
        y=alt.Y("own_happiness_low:Q", scale=y_scale), y2="own_happiness_high:Q", tooltip=own_tip)
    line = own_base.mark_line(color=MINE, point=alt.OverlayMarkDef(size=60, filled=True, color=MINE)).encode(
        y=alt.Y("own_happiness:Q", scale=y_scale), tooltip=own_tip)
    return (band + median + bars + line).properties(height=280)


def trend_section(trend: pl.DataFrame, min_responses: int) -> None:
    """My Happiness month by month, with the team band behind it."""
    st.markdown("##### My trend, last 12 months")
    if trend.is_empty() or trend["own_n"].sum() == 0:
        st.info("No responses in the last 12 months yet — your trend appears here as they arrive.")
        return
    st.caption(f"Blue: your monthly Happiness with its 95% interval (months with at least "
               f"{min_responses} responses) · grey band: the middle half of your team, dashed: its median.")
    if trend["own_happiness"].is_null().all():
        st.info(f"No single month has {min_responses} responses yet, so there is no monthly point to "
                "show — your period figures above use all of them together.")
        if trend["band_low"].is_null().all():
            return
    st.altair_chart(trend_chart(trend))


# --- self vs customers -----------------------------------------------------------------------------

def gap_frame(view: SelfView, own_stats: pl.DataFrame) -> pl.DataFrame:
    """Per CARE dimension: self-rating, customer mean (shrunk) and its raw interval, gap and label."""
    raw = with_care_means(own_stats).row(0, named=True) if own_stats.height else {}
    return view.gaps.with_columns(
        pl.col("dimension").replace_strict(LABELS).alias("name"),
        pl.Series("low", [raw.get(f"{d}_low") for d in view.gaps["dimension"]], dtype=pl.Float64),
        pl.Series("high", [raw.get(f"{d}_high") for d in view.gaps["dimension"]], dtype=pl.Float64),
        pl.col("dimension").replace_strict(STATEMENTS).alias("statement"),
    )


def gap_chart(frame: pl.DataFrame) -> alt.LayerChart:
    """Self-rating (diamond) next to the customers' shrunk mean (dot, with interval), per dimension."""
    order = [LABELS[d] for d in CARE_NAMES]
    data = frame.filter(pl.col("customer_mean").is_not_null() & pl.col("self_rating").is_not_null())
    colour = alt.Color("label:N", title="Reading", scale=alt.Scale(
        domain=list(LABEL_COLOURS), range=list(LABEL_COLOURS.values())), legend=alt.Legend(orient="top"))
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=160))
    scale = alt.Scale(domain=[1, 5])
    tooltip = [alt.Tooltip("name:N", title="Dimension"), alt.Tooltip("statement:N", title="Wording"),
               alt.Tooltip("self_rating:Q", title="You", format=".0f"),
               alt.Tooltip("customer_mean:Q", title="Customers (shrunk)", format=".2f"),
               alt.Tooltip("customer_raw:Q", title="Customers (raw)", format=".2f"),
               alt.Tooltip("n:Q", title="Answers"), alt.Tooltip("gap:Q", title="Gap", format="+.2f"),
               alt.Tooltip("label:N", title="Reading")]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    link = base.mark_rule(strokeWidth=2, opacity=0.6).encode(
        x=alt.X("self_rating:Q", scale=scale, title="Rating (1–5)",
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d")), x2="customer_mean:Q", color=colour)
    interval = base.mark_rule(color=MINE, strokeWidth=8, opacity=0.18).encode(
        x=alt.X("low:Q", scale=scale), x2="high:Q")
    customers = base.mark_point(filled=True, size=140, color=MINE, opacity=1).encode(
        x=alt.X("customer_mean:Q", scale=scale))
    me = base.mark_point(shape="diamond", filled=True, size=190, opacity=1).encode(
        x=alt.X("self_rating:Q", scale=scale), color=colour)
    return (interval + link + customers + me).properties(height=210)


def rank_chart(ranks: pl.DataFrame) -> alt.LayerChart:
    """Own percentile in the team by self-rating and by customers' rating (no names, no others)."""
    long = ranks.with_columns(pl.col("dimension").replace_strict(LABELS).alias("name")).unpivot(
        index="name", on=["self_percentile", "customer_percentile"], variable_name="by",
        value_name="percentile").with_columns(
        pl.col("by").replace_strict({"self_percentile": "by your self-rating",
                                     "customer_percentile": "by your customers' rating"}))
    long = long.filter(pl.col("percentile").is_not_null())
    order = [LABELS[d] for d in CARE_NAMES]
    colour = alt.Color("by:N", title=None, scale=alt.Scale(
        domain=["by your self-rating", "by your customers' rating"], range=["#d97706", MINE]),
        legend=alt.Legend(orient="top"))
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=160))
    x = alt.X("percentile:Q", scale=alt.Scale(domain=[0, 100]), title="Your percentile in the team (0–100)")
    tooltip = [alt.Tooltip("name:N", title="Dimension"), alt.Tooltip("by:N", title="Ranked"),
               alt.Tooltip("percentile:Q", title="Percentile", format=".0f")]
    line = alt.Chart(long).mark_line(color="#d0d7de", strokeWidth=2).encode(y=y, x=x, detail="name:N")
    dots = alt.Chart(long).mark_point(filled=True, size=130, opacity=1).encode(
        y=y, x=x, color=colour, tooltip=tooltip)
    return (line + dots).properties(height=190)


def gap_history_chart(history: pl.DataFrame) -> alt.LayerChart:
    """The gap per dimension at each self-assessment, with the 'aligned' zone (±4/3) shaded."""
    data = history.filter(pl.col("gap").is_not_null()).sort("submitted_at").with_columns(
        pl.col("dimension").replace_strict(LABELS).alias("name"),
        pl.col("submitted_at").dt.strftime("%-d %b %Y").alias("when"))
    order = data["when"].unique(maintain_order=True).to_list()
    y_scale = alt.Scale(domain=[-4, 4])
    shade = alt.Chart(pl.DataFrame({"low": [-4 / 3], "high": [4 / 3]})).mark_rect(
        color="#2da44e", opacity=0.09).encode(y=alt.Y("low:Q", scale=y_scale), y2="high:Q")
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color="#8c959f", strokeDash=[3, 3]).encode(y="y:Q")
    lines = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=70, filled=True)).encode(
        x=alt.X("when:O", sort=order, title="Self-assessment", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("gap:Q", scale=y_scale, title="You − customers"),
        color=alt.Color("name:N", title=None, sort=[LABELS[d] for d in CARE_NAMES],
                        scale=alt.Scale(domain=[LABELS[d] for d in CARE_NAMES], range=DIMENSION_COLOURS),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("when:N", title="Submitted"), alt.Tooltip("name:N", title="Dimension"),
                 alt.Tooltip("self_rating:Q", title="You", format=".0f"),
                 alt.Tooltip("customer_mean:Q", title="Customers (shrunk)", format=".2f"),
                 alt.Tooltip("n:Q", title="Answers"), alt.Tooltip("gap:Q", title="Gap", format="+.2f"),
                 alt.Tooltip("label:N", title="Reading")])
    return (shade + zero + lines).properties(height=240)


def gap_progress_text(history: pl.DataFrame) -> str | None:
    """A one-line summary of how the gaps moved from the first to the latest assessment."""
    data = history.filter(pl.col("gap").is_not_null())
    ids = data["assessment_id"].unique(maintain_order=True).to_list()
    if len(ids) < 2:
        return None
    first = dict(data.filter(pl.col("assessment_id") == ids[0]).select("dimension", "gap").iter_rows())
    last = dict(data.filter(pl.col("assessment_id") == ids[-1]).select("dimension", "gap").iter_rows())
    common = [d for d in CARE_NAMES if d in first and d in last]
    if not common:
        return None
    closer = sum(abs(last[d]) < abs(first[d]) - 0.05 for d in common)
    wider = sum(abs(last[d]) > abs(first[d]) + 0.05 for d in common)
    when = data.filter(pl.col("assessment_id") == ids[0])["submitted_at"][0]
    return (f"Since your self-assessment of {when:%-d %B %Y}, your view and your customers' moved "
            f"closer on {closer} of {len(common)} dimensions and further apart on {wider}.")


def gap_section(view: SelfView, figures: MyFigures) -> None:
    """Self vs customers: the gap per dimension, ranks in the team, and how the gap has moved."""
    if view.latest is None:
        st.info("Fill in your first self-assessment (next tab) to see how your view of your work "
                "compares with your customers' view.", icon=":material/edit_note:")
        return
    st.caption(f"Your self-assessment of {view.latest.submitted_at:%-d %B %Y} next to your customers' "
               "ratings in the chosen period. The customers' figure is gently pulled toward your team's "
               "average when there are few answers, so a handful of responses cannot swing it. A gap of "
               "more than 1⅓ points (a third of the 1–5 scale) is worth a look; anything smaller counts "
               "as aligned.")
    frame = gap_frame(view, figures.stats)
    if frame["customer_mean"].is_null().all():
        st.info(f"Not enough customer ratings in this period yet (each dimension needs "
                f"{figures.min_responses} answers). Try a longer period.", icon=":material/hourglass_top:")
    else:
        st.altair_chart(gap_chart(frame), height=260)
        st.caption("◆ your own rating · ● your customers' mean (shrunk), pale bar: its 95% interval · "
                   "the line between them is coloured by the reading.")
        table = frame.select(
            pl.col("name").alias("Dimension"), pl.col("self_rating").alias("You"),
            pl.col("customer_mean").round(2).alias("Customers"),
            pl.concat_str([pl.col("low").round(1).cast(pl.String), pl.lit("–"),
                           pl.col("high").round(1).cast(pl.String)]).alias("Raw 95% interval"),
            pl.col("customer_raw").round(2).alias("Raw mean"), pl.col("n").alias("Answers"),
            pl.col("gap").round(2).alias("Gap"), pl.col("label").alias("Reading"))
        st.dataframe(table, hide_index=True, column_config={
            "Gap": st.column_config.NumberColumn(format="%+.2f"),
            "Customers": st.column_config.NumberColumn(help="Shrunk toward your team's average")})
        for label in (BLIND_SPOT, HIDDEN_STRENGTH):
            dims = frame.filter(pl.col("label") == label)["name"].to_list()
            if not dims:
                continue
            meaning, action = GAP_EXPLANATIONS[label]
            with st.container(border=True):
                st.markdown(f"**{label.capitalize()}: {', '.join(dims)}**")
                st.write(meaning)
                st.markdown(f":material/lightbulb: *Something to try:* {action}")
        if not frame.filter(pl.col("label").is_in([BLIND_SPOT, HIDDEN_STRENGTH])).height:
            meaning, action = GAP_EXPLANATIONS[ALIGNED]
            st.success(f"{meaning} {action}", icon=":material/balance:")

    st.markdown("##### Your place in the team: by your own rating and by your customers'")
    if view.ranks["self_percentile"].is_null().all() and view.ranks["customer_percentile"].is_null().all():
        st.caption("This comparison appears once at least 3 colleagues in your team have a self-assessment "
                   "and enough customer ratings. No one is ever named.")
    else:
        st.altair_chart(rank_chart(view.ranks), height=240)
        st.caption("Percentiles only (0 = lowest, 100 = highest in your team); colleagues' answers count "
                   "anonymously and nobody is named. Dots far apart mean your self-view and your customers' "
                   "view place you differently within the team.")

    st.markdown("##### How the gap has moved")
    history = view.gap_history
    if history.filter(pl.col("gap").is_not_null())["assessment_id"].n_unique() < 2:
        st.caption("With two or more self-assessments (and enough customer ratings around each), you will "
                   "see here how your view and your customers' view move over time.")
    else:
        st.altair_chart(gap_history_chart(history), height=280)
        summary = gap_progress_text(history)
        if summary:
            st.caption(summary + " Green zone: aligned. Customer view: the three months up to each "
                                 "self-assessment.")


# --- what customers say about me --------------------------------------------------------------------

def verbatims_section(scope: Scope, filters: Filters) -> None:
    """My customers' comments, literally, filterable and paginated."""
    st.markdown("##### What customers say about me")
    cols = st.columns([1.2, 2, 1], vertical_alignment="bottom")
    band = cols[0].selectbox("Score", list(SCORE_BANDS), format_func=BAND_LABELS.get, key="my_verbatim_band")
    search = cols[1].text_input("Contains", key="my_verbatim_search", max_chars=100,
                                placeholder="a word in the comment")
    _, total = my_verbatims(scope=scope, filters=filters, band=band, search=search, page=1, page_size=PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = int(cols[2].number_input("Page", min_value=1, max_value=pages, value=1, step=1,
                                    key=f"my_verbatim_page_{band}_{search}"))
    if total == 0:
        st.info("No comments match in this period." if (search or band != "all")
                else "No comments from your customers in this period yet.")
        return
    rows, _ = my_verbatims(scope=scope, filters=filters, band=band, search=search, page=page,
                           page_size=PAGE_SIZE)
    first = (page - 1) * PAGE_SIZE + 1
    st.caption(f"Comments {first:,}–{first + rows.height - 1:,} of {total:,}, newest first, exactly as written.")
    for item in rows.iter_rows(named=True):
        with st.container(border=True):
            care = "CARE " + "/".join("–" if item[d] is None else str(item[d]) for d in CARE_NAMES) \
                if any(item[d] is not None for d in CARE_NAMES) else ""
            st.text(f"{item['submitted_at']:%-d %b %Y} · {item['ticket_id']} · score {item['happiness']}/10"
                    f" · {item['channel'].replace('_', '-')} · {item['service']}" + (f" · {care}" if care else ""),
                    width="stretch")
            st.text(item["comment"], width="stretch")


def recognition_section(scope: Scope) -> None:
    """Kudos from my lead, coaching notes shared with me, and my open recovery items (read-only)."""
    recognition = my_recognition(scope=scope)
    st.markdown("##### Kudos from your lead")
    if recognition.kudos.is_empty():
        st.caption("No kudos yet — they appear here when your lead highlights a response.")
    else:
        st.dataframe(recognition.kudos.select(
            pl.col("given_at").dt.date().alias("Date"), pl.col("given_by").alias("From"),
            pl.col("note").fill_null("").alias("Note"), pl.col("ticket_id").alias("Ticket"),
            pl.col("happiness").alias("Score"), pl.col("comment").alias("Customer said")),
            hide_index=True, column_config={"Customer said": st.column_config.TextColumn(width="large"),
                                            "Date": st.column_config.DateColumn(format="D MMM YYYY")})
    st.markdown("##### Coaching notes shared with you")
    if recognition.notes.is_empty():
        st.caption("Nothing shared yet. Your lead decides which notes to share with you.")
    else:
        for note in recognition.notes.iter_rows(named=True):
            with st.container(border=True):
                follow = f" · follow-up on {note['follow_up_on']:%-d %b %Y}" if note["follow_up_on"] else ""
                st.text(f"{note['created_at']:%-d %b %Y} · {note['author'] or 'your lead'}{follow}")
                st.text(note["body"], width="stretch")
    st.markdown("##### Your open recovery items")
    if recognition.recovery.is_empty():
        st.caption("No open recovery items. When a customer is unhappy, your lead follows up and it shows here.")
    else:
        st.caption("Unhappy responses your lead is following up. Read-only here; your lead updates them.")
        st.dataframe(recognition.recovery.select(
            pl.col("ticket_id").alias("Ticket"), pl.col("submitted_at").alias("Response"),
            pl.col("happiness").alias("Score"), pl.col("due_at").alias("First contact due"),
            pl.col("status").alias("Status")), hide_index=True)


def download_section(scope: Scope, filters: Filters) -> None:
    """Download my own responses in the period as a formula-safe CSV (built only when clicked)."""
    def build() -> bytes:
        return safe_csv_bytes(my_responses_export(scope=scope, filters=filters))

    st.download_button("Download my responses (CSV)", data=build,
                       file_name=f"my-feedback-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv",
                       mime="text/csv", icon=":material/download:", key="my_feedback_csv",
                       help="Every response on your tickets in the chosen period, with comments. Cells that "
                            "a spreadsheet would run as a formula are neutralised.")
