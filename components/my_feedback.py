"""Widgets and pure Altair charts of the analyst's private "My feedback" page.

Chart builders take small frames and return charts (testable without a browser); the
`*_section` functions draw one part of the page. Customer comments and notes are shown as
text (st.text / st.dataframe), never as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from components import formats
from components.text import literal
from components.tiles import fmt_happiness, fmt_margin, fmt_minutes, tile
from components.tables import moment_columns, readable
from data_access import clock, config
from data_access.engine import DB_ERRORS, describe_failure  # noqa: F401 (DB_ERRORS: used by the page)
from data_access.filters import Filters
from data_access.my_feedback import (
    SCORE_BANDS,
    MyFigures,
    SelfView,
    my_responses_export,
)
from data_access.scope import Scope
from metrics import CARE_DIMENSIONS, CARE_NAMES, with_care_means, with_happiness
from metrics import periods
from metrics.csv_safety import safe_csv_bytes
from metrics.gaps import ALIGNED, BLIND_SPOT, HIDDEN_STRENGTH
from metrics.self_view import GAP_EXPLANATIONS, LABELS, Spread
from views.cache import my_feedback as reads

MINE = "#1f6feb"
TEAM = "#9aa4b2"
LABEL_COLOURS = {BLIND_SPOT: "#d97706", HIDDEN_STRENGTH: "#7c3aed", ALIGNED: "#2da44e"}
DIMENSION_COLOURS = ["#1f6feb", "#8250df", "#1a7f37", "#bf8700"]
STATEMENTS = {d.name: d.statement for d in CARE_DIMENSIONS}
PERIODS = {k: periods.LABELS[k] for k in ("90d", "6m", "12m", "ytd")}
PAGE_SIZE = 10
TABS = ["My figures", "Self vs customers", "Self-assessment", "What customers say"]
REMINDER_DAYS = 90
BAND_LABELS = {"all": "All", "unhappy": "0–6", "neutral": "7–8", "happy": "9–10"}


# --- period and friendly failures ------------------------------------------------------------

def period_range(preset: str, today: dt.date) -> Filters:
    """The half-open period of a preset, ending with today (inclusive), as on every page (metrics.periods)."""
    return Filters(*periods.preset_range(preset if preset in PERIODS else "12m", today))


def period_picker(key: str = "my_period") -> Filters:
    """A small period choice for the analyst's own figures (default: last 12 months)."""
    today = clock.today()
    preset = st.columns([1, 3])[0].selectbox("Period", list(PERIODS), index=2, format_func=PERIODS.get, key=key,
                          help="Your figures, comparison and comments cover this period. "
                               "The monthly trend always shows the last 12 months.")
    return period_range(preset, today)


def database_down(exc: Exception) -> None:
    """A friendly message instead of a stack trace when the warehouse does not answer."""
    st.error(literal(describe_failure(exc)), icon=":material/cloud_off:")




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
        return _too_few_colleagues(f"Team comparison for {what}")
    if spread.own_percentile is None:
        return (f"Middle half of your team: {spread.p25:.0f} to {spread.p75:.0f} "
                f"({spread.analysts} colleagues with enough responses).")
    return (f"You are at the {_ordinal(spread.own_percentile)} percentile of your team "
            f"(0 = lowest, 100 = highest; you and {spread.analysts - 1} colleagues with enough responses).")


def _too_few_colleagues(what: str) -> str:
    """The one short line shown where the unnamed team figures are withheld."""
    return (f"{what} is hidden: it needs at least {config.thresholds().min_colleagues} colleagues "
            "with enough responses, so that nobody's own figure can be read from it.")


def _ordinal(value: float) -> str:
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _tip(field: str, title: str, kind: str = "quantitative", fmt: str | None = None) -> dict:
    tip = {"field": field, "title": title, "type": kind}
    if fmt:
        tip["format"] = fmt
    return tip


def _axis_y(order: list[str]) -> dict:
    return {"field": "name", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 160}}


def _render(chart: tuple[pl.DataFrame, dict], height: int) -> None:
    # Plain Vega-Lite specs (not Altair objects): building and validating Altair charts cost
    # more than all the page's SQL together at 1M responses.
    frame, spec = chart
    st.vega_lite_chart(frame, spec, height=height)


def spread_chart(spread: Spread, own: float | None, *, title: str, domain: tuple[float, float],
                 fmt: str = ".0f") -> tuple[pl.DataFrame, dict]:
    """The team's middle half (unnamed) as a bar with its median tick, and the analyst as a dot."""
    frame = pl.DataFrame({"row": [title], "p25": [spread.p25], "median": [spread.median], "p75": [spread.p75],
                          "analysts": [spread.analysts], "value": [own]})
    x_scale = {"domain": list(domain)}
    y = {"field": "row", "type": "nominal", "axis": None}
    team_tip = [_tip("p25", "Team 25th percentile", fmt=fmt), _tip("median", "Team median", fmt=fmt),
                _tip("p75", "Team 75th percentile", fmt=fmt), _tip("analysts", "Colleagues counted")]
    spec = {"layer": [
        {"mark": {"type": "bar", "height": 16, "color": TEAM, "opacity": 0.55, "cornerRadius": 3},
         "encoding": {"x": {"field": "p25", "type": "quantitative", "scale": x_scale, "title": None},
                      "x2": {"field": "p75"}, "y": y, "tooltip": team_tip}},
        {"mark": {"type": "tick", "color": "#57606a", "thickness": 2, "size": 22},
         "encoding": {"x": {"field": "median", "type": "quantitative", "scale": x_scale}, "y": y,
                      "tooltip": team_tip}},
        {"mark": {"type": "point", "filled": True, "size": 160, "color": MINE, "opacity": 1},
         "encoding": {"x": {"field": "value", "type": "quantitative", "scale": x_scale}, "y": y,
                      "tooltip": [_tip("value", f"You ({title})", fmt=fmt)]}},
    ]}
    return frame, spec


def care_profile_frame(own_stats: pl.DataFrame, customers: pl.DataFrame,
                       min_responses: int = 1) -> pl.DataFrame:
    """Per CARE dimension: own mean with its t-interval and n (hidden below `min_responses`
    answers), and the team mean."""
    if own_stats.is_empty():
        return pl.DataFrame()
    means = with_care_means(own_stats).row(0, named=True)
    team = dict(customers.select("dimension", "team_mean").iter_rows())

    def shown(d: str, what: str) -> float | None:
        return means[f"{d}_{what}"] if means[f"{d}_n"] >= min_responses else None

    return pl.DataFrame([{
        "dimension": LABELS[d], "statement": STATEMENTS[d], "mean": shown(d, "mean"),
        "low": shown(d, "low"), "high": shown(d, "high"), "n": int(means[f"{d}_n"]),
        "team_mean": team.get(d)} for d in CARE_NAMES],
        schema={"dimension": pl.String, "statement": pl.String, "mean": pl.Float64, "low": pl.Float64,
                "high": pl.Float64, "n": pl.Int64, "team_mean": pl.Float64})


def care_profile_chart(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Own CARE means with 95% intervals (blue) and the team's mean (grey tick), on the 1–5 scale."""
    data = frame.rename({"dimension": "name"})
    scale = {"domain": [1, 5]}
    tooltip = [_tip("name", "Dimension", "nominal"), _tip("statement", "Customers rate", "nominal"),
               _tip("mean", "Your mean", fmt=".2f"), _tip("low", "95% from", fmt=".2f"),
               _tip("high", "95% to", fmt=".2f"), _tip("n", "Answers"), _tip("team_mean", "Team mean", fmt=".2f")]
    y = _axis_y([LABELS[d] for d in CARE_NAMES])
    spec = {"encoding": {"y": y, "tooltip": tooltip}, "layer": [
        {"mark": {"type": "rule", "color": MINE, "strokeWidth": 3, "opacity": 0.45},
         "encoding": {"x": {"field": "low", "type": "quantitative", "scale": scale}, "x2": {"field": "high"}}},
        {"mark": {"type": "tick", "color": TEAM, "thickness": 3, "size": 22},
         "encoding": {"x": {"field": "team_mean", "type": "quantitative", "scale": scale}}},
        {"mark": {"type": "point", "filled": True, "size": 120, "color": MINE, "opacity": 1},
         "encoding": {"x": {"field": "mean", "type": "quantitative", "scale": scale,
                            "title": "Customer rating (1–5)",
                            "axis": {"values": [1, 2, 3, 4, 5], "format": "d"}}}},
    ]}
    return data, spec


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
    if figures.happiness_spread or figures.lost_spread:
        st.caption("Grey bar: the middle half of your team (25th to 75th percentile), tick: the median, "
                   "blue dot: you. No colleague is named or shown individually.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Happiness**")
        if figures.happiness_spread:
            _render(spread_chart(figures.happiness_spread, row["happiness"], title="Happiness",
                                 domain=(-100, 100), fmt="+.0f"), 70)
        st.caption(_position_text(figures.happiness_spread, "Happiness"))
    with right:
        st.markdown("**Lost time per ticket (minutes, lower is better)**")
        spread = figures.lost_spread
        if spread and lost_mean is not None and spread.own_percentile is not None:
            top = max(spread.p75, lost_mean) * 1.25 + 1
            _render(spread_chart(spread, lost_mean, title="Minutes", domain=(0, top)), 70)
        st.caption(_position_text(spread, "lost time") if lost_mean is not None
                   else "Your customers have not estimated lost time in this period.")

    st.markdown("##### CARE profile")
    profile = care_profile_frame(figures.stats, figures.customers, figures.min_responses)
    team_shown = profile.height and profile["team_mean"].is_not_null().any()
    st.caption("Blue: your customers' mean rating with its 95% interval"
               + (" · grey tick: your team's mean." if team_shown else ". " + _too_few_colleagues("Your team's mean")))
    _render(care_profile_chart(profile), 230)


# --- trend -----------------------------------------------------------------------------------------

def trend_chart(trend: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Own monthly Happiness with 95% error bars over the team's middle-half band (unnamed)."""
    data = trend.with_columns(pl.col("month").cast(pl.Datetime("ms")))
    x = {"field": "month", "type": "temporal", "title": None,
         "axis": {"format": formats.MONTH_AXIS, "tickCount": "month"}}
    scale = {"domain": [-100, 100]}
    team_tip = [_tip("month", "Month", "temporal", "%B %Y"), _tip("band_low", "Team 25th percentile", fmt="+.0f"),
                _tip("band_mid", "Team median", fmt="+.0f"), _tip("band_high", "Team 75th percentile", fmt="+.0f")]
    own_tip = [_tip("month", "Month", "temporal", "%B %Y"), _tip("own_happiness", "Your Happiness", fmt="+.0f"),
               _tip("own_margin", "± margin", fmt=".0f"), _tip("own_n", "Responses")]
    own_only = [{"filter": "isValid(datum.own_happiness)"}]
    spec = {"encoding": {"x": x}, "layer": [
        {"mark": {"type": "area", "color": TEAM, "opacity": 0.28},
         "encoding": {"y": {"field": "band_low", "type": "quantitative", "scale": scale, "title": "Happiness"},
                      "y2": {"field": "band_high"}, "tooltip": team_tip}},
        {"mark": {"type": "line", "color": TEAM, "strokeDash": [4, 3]},
         "encoding": {"y": {"field": "band_mid", "type": "quantitative", "scale": scale}}},
        {"transform": own_only, "mark": {"type": "rule", "color": MINE, "opacity": 0.5, "strokeWidth": 2},
         "encoding": {"y": {"field": "own_happiness_low", "type": "quantitative", "scale": scale},
                      "y2": {"field": "own_happiness_high"}, "tooltip": own_tip}},
        {"transform": own_only,
         "mark": {"type": "line", "color": MINE, "point": {"size": 60, "filled": True, "color": MINE}},
         "encoding": {"y": {"field": "own_happiness", "type": "quantitative", "scale": scale},
                      "tooltip": own_tip}},
    ]}
    return data, spec


def trend_section(trend: pl.DataFrame, min_responses: int) -> None:
    """My Happiness month by month, with the team band behind it."""
    st.markdown("##### My trend, last 12 months")
    if trend.is_empty() or trend["own_n"].sum() == 0:
        st.info("No responses in the last 12 months yet — your trend appears here as they arrive.")
        return
    no_band = trend["band_low"].is_null().all()
    st.caption(f"Blue: your monthly Happiness with its 95% interval (months with at least {min_responses} "
               "responses)" + ("." if no_band else " · grey band: the middle half of your team, dashed: its median."))
    if no_band:
        st.caption(_too_few_colleagues("The team band"))
    if trend["own_happiness"].is_null().all():
        st.info(f"No single month has {min_responses} responses yet, so there is no monthly point to "
                "show — your period figures above use all of them together.")
        if no_band:
            return
    _render(trend_chart(trend), 300)


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


def gap_chart(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Self-rating (diamond) next to the customers' shrunk mean (dot, with interval), per dimension."""
    data = frame.filter(pl.col("customer_mean").is_not_null() & pl.col("self_rating").is_not_null()).select(
        "name", "statement", "self_rating", "customer_mean", "customer_raw", "low", "high", "n", "gap", "label")
    scale = {"domain": [1, 5]}
    colour = {"field": "label", "type": "nominal", "title": "Reading",
              "scale": {"domain": list(LABEL_COLOURS), "range": list(LABEL_COLOURS.values())},
              "legend": {"orient": "top"}}
    tooltip = [_tip("name", "Dimension", "nominal"), _tip("statement", "Wording", "nominal"),
               _tip("self_rating", "You", fmt=".0f"), _tip("customer_mean", "Customers (shrunk)", fmt=".2f"),
               _tip("customer_raw", "Customers (raw)", fmt=".2f"), _tip("n", "Answers"),
               _tip("gap", "Gap", fmt="+.2f"), _tip("label", "Reading", "nominal")]
    spec = {"encoding": {"y": _axis_y([LABELS[d] for d in CARE_NAMES]), "tooltip": tooltip}, "layer": [
        {"mark": {"type": "rule", "color": MINE, "strokeWidth": 8, "opacity": 0.18},
         "encoding": {"x": {"field": "low", "type": "quantitative", "scale": scale}, "x2": {"field": "high"}}},
        {"mark": {"type": "rule", "strokeWidth": 2, "opacity": 0.6},
         "encoding": {"x": {"field": "self_rating", "type": "quantitative", "scale": scale,
                            "title": "Rating (1–5)", "axis": {"values": [1, 2, 3, 4, 5], "format": "d"}},
                      "x2": {"field": "customer_mean"}, "color": colour}},
        {"mark": {"type": "point", "filled": True, "size": 140, "color": MINE, "opacity": 1},
         "encoding": {"x": {"field": "customer_mean", "type": "quantitative", "scale": scale}}},
        {"mark": {"type": "point", "shape": "diamond", "filled": True, "size": 190, "opacity": 1},
         "encoding": {"x": {"field": "self_rating", "type": "quantitative", "scale": scale}, "color": colour}},
    ]}
    return data, spec


def rank_chart(ranks: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Own percentile in the team by self-rating and by customers' rating (no names, no others)."""
    by_self, by_customers = "by your self-rating", "by your customers' rating"
    long = ranks.with_columns(pl.col("dimension").replace_strict(LABELS).alias("name")).unpivot(
        index="name", on=["self_percentile", "customer_percentile"], variable_name="by",
        value_name="percentile").with_columns(
        pl.col("by").replace_strict({"self_percentile": by_self, "customer_percentile": by_customers}))
    long = long.filter(pl.col("percentile").is_not_null())
    x = {"field": "percentile", "type": "quantitative", "scale": {"domain": [0, 100]},
         "title": "Your percentile in the team (0 = lowest, 100 = highest)"}
    spec = {"encoding": {"y": _axis_y([LABELS[d] for d in CARE_NAMES]), "x": x}, "layer": [
        {"mark": {"type": "line", "color": "#d0d7de", "strokeWidth": 2}, "encoding": {"detail": {"field": "name"}}},
        {"mark": {"type": "point", "filled": True, "size": 130, "opacity": 1},
         "encoding": {"color": {"field": "by", "type": "nominal", "title": None,
                                "scale": {"domain": [by_self, by_customers], "range": ["#d97706", MINE]},
                                "legend": {"orient": "top"}},
                      "tooltip": [_tip("name", "Dimension", "nominal"), _tip("by", "Ranked", "nominal"),
                                  _tip("percentile", "Percentile", fmt=".0f")]}},
    ]}
    return long, spec


def gap_history_chart(history: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """The gap per dimension at each self-assessment, with the 'aligned' zone (±4/3) shaded."""
    data = history.filter(pl.col("gap").is_not_null()).sort("submitted_at").with_columns(
        pl.col("dimension").replace_strict(LABELS).alias("name"),
        pl.col("submitted_at").dt.strftime("%-d %b %Y").alias("when")).select(
        "when", "name", "self_rating", "customer_mean", "n", "gap", "label")
    order = data["when"].unique(maintain_order=True).to_list()
    scale = {"domain": [-4, 4]}
    spec = {"layer": [
        {"data": {"values": [{"low": -4 / 3, "high": 4 / 3}]},
         "mark": {"type": "rect", "color": "#2da44e", "opacity": 0.09},
         "encoding": {"y": {"field": "low", "type": "quantitative", "scale": scale}, "y2": {"field": "high"}}},
        {"data": {"values": [{"y": 0}]}, "mark": {"type": "rule", "color": "#8c959f", "strokeDash": [3, 3]},
         "encoding": {"y": {"field": "y", "type": "quantitative", "scale": scale}}},
        {"mark": {"type": "line", "point": {"size": 70, "filled": True}},
         "encoding": {
             "x": {"field": "when", "type": "ordinal", "sort": order, "title": "Self-assessment",
                   "axis": {"labelAngle": 0}},
             "y": {"field": "gap", "type": "quantitative", "scale": scale, "title": "You − customers"},
             "color": {"field": "name", "type": "nominal", "title": None,
                       "scale": {"domain": [LABELS[d] for d in CARE_NAMES], "range": DIMENSION_COLOURS},
                       "legend": {"orient": "top"}},
             "tooltip": [_tip("when", "Submitted", "nominal"), _tip("name", "Dimension", "nominal"),
                         _tip("self_rating", "You", fmt=".0f"),
                         _tip("customer_mean", "Customers (shrunk)", fmt=".2f"), _tip("n", "Answers"),
                         _tip("gap", "Gap", fmt="+.2f"), _tip("label", "Reading", "nominal")]}},
    ]}
    return data, spec


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


def gap_section(view: SelfView, figures: MyFigures, scope: Scope, filters: Filters) -> None:
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
        _render(gap_chart(frame), 260)
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

    st.markdown("##### Your competencies, with related customer evidence")
    evidence = reads.competency_evidence(scope=scope, filters=filters)
    mine_now = view.latest.ratings
    st.dataframe(evidence.select(
        pl.col("competency").replace_strict(LABELS).alias("Competency"),
        pl.col("competency").replace_strict(mine_now, default=None, return_dtype=pl.Int64).alias("You"),
        pl.col("evidence").alias("Related customer evidence"),
        pl.col("value").fill_null("not enough answers yet").alias("In this period"),
        pl.col("n").alias("Answers")), hide_index=True,
        column_config={"Related customer evidence": st.column_config.TextColumn(width="large")})
    st.caption("Evidence that relates to each competency — a conversation starter, not a measurement of it.")

    st.markdown("##### Your place in the team: by your own rating and by your customers'")
    if view.ranks["self_percentile"].is_null().all() and view.ranks["customer_percentile"].is_null().all():
        st.caption(_too_few_colleagues("This comparison") + " It counts colleagues with a self-assessment "
                   "and enough customer ratings.")
    else:
        _render(rank_chart(view.ranks), 240)
        st.caption("Percentiles only (0 = lowest, 100 = highest in your team); colleagues' answers count "
                   "anonymously and nobody is named. Dots far apart mean your self-view and your customers' "
                   "view place you differently within the team.")

    st.markdown("##### How the gap has moved")
    history = view.gap_history
    if history.filter(pl.col("gap").is_not_null())["assessment_id"].n_unique() < 2:
        st.caption("With two or more self-assessments (and enough customer ratings around each), you will "
                   "see here how your view and your customers' view move over time.")
    else:
        _render(gap_history_chart(history), 280)
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
    _, total = reads.my_verbatims(scope=scope, filters=filters, band=band, search=search, page=1, page_size=PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = int(cols[2].number_input("Page", min_value=1, max_value=pages, value=1, step=1,
                                    key=f"my_verbatim_page_{band}_{search}"))
    if total == 0:
        st.info("No comments match in this period." if (search or band != "all")
                else "No comments from your customers in this period yet.")
        return
    rows, _ = reads.my_verbatims(scope=scope, filters=filters, band=band, search=search, page=page,
                           page_size=PAGE_SIZE)
    first = (page - 1) * PAGE_SIZE + 1
    st.caption(f"Comments {first:,}–{first + rows.height - 1:,} of {total:,}, newest first, exactly as written.")
    for item in rows.iter_rows(named=True):
        with st.container(border=True):
            care = "CARE " + "/".join("–" if item[d] is None else str(item[d]) for d in CARE_NAMES) \
                if any(item[d] is not None for d in CARE_NAMES) else ""
            st.text(f"{item['submitted_at']:%-d %b %Y} · {item['ticket_id']} · score {item['happiness']}/10"
                    f" · {formats.channel(item['channel'])} · {item['service']}" + (f" · {care}" if care else ""),
                    width="stretch")
            st.text(item["comment"], width="stretch")


def recognition_section(scope: Scope) -> None:
    """Kudos from my lead, coaching notes shared with me, and my open recovery items (read-only)."""
    recognition = reads.my_recognition(scope=scope)
    st.markdown("##### Kudos from your lead")
    if recognition.kudos.is_empty():
        st.caption("No kudos yet — they appear here when your lead highlights a response.")
    else:
        st.dataframe(recognition.kudos.select(
            pl.col("given_at").dt.date().alias("Date"), pl.col("given_by").alias("From"),
            pl.col("note").fill_null("").alias("Note"), pl.col("ticket_id").alias("Ticket"),
            pl.col("happiness").alias("Score"), pl.col("comment").fill_null("").alias("Customer said")),
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
        shown = readable(recognition.recovery.select(
            pl.col("ticket_id").alias("Ticket"), pl.col("submitted_at").alias("Response"),
            pl.col("happiness").alias("Score"), pl.col("due_at").alias("First contact due"),
            pl.col("status").alias("Status")))
        st.dataframe(shown, hide_index=True, column_config=moment_columns(shown))


def responses_csv(scope: Scope, filters: Filters) -> bytes:
    """My responses in the period as CSV bytes, with spreadsheet formulas neutralised."""
    return safe_csv_bytes(my_responses_export(scope=scope, filters=filters))


def download_section(scope: Scope, filters: Filters) -> None:
    """Download my own responses in the period as a formula-safe CSV (built only when clicked)."""
    st.download_button("Download my responses (CSV)", data=lambda: responses_csv(scope, filters),
                       file_name=f"my-feedback-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv",
                       mime="text/csv", icon=":material/download:", key="my_feedback_csv",
                       help="Every response on your tickets in the chosen period, with comments. Cells that "
                            "a spreadsheet would run as a formula are neutralised.")
