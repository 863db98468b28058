"""Sections of the culture-trends page: each renders one part of a `CultureReport`."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import polars as pl
import streamlit as st

from components import charts, formats
from components.culture_charts import with_annotations
from components.drill_link import factor_clicked, read_focused_cell
from components.filters import focus
from components.tables import data_table
from components.text import literal
from components.tiles import tile
from data_access.config import thresholds
from views.culture import CultureReport
from metrics.care import CARE_NAMES
from metrics.culture import CALIBRATION_LABELS
from views.cache import TTL_SECONDS

HAPPINESS_HELP = ("Happiness = % of responses scoring 9–10 minus % scoring 0–6 (−100 to +100). "
                  "± is the 95% margin of error; n is the number of responses.")


@st.cache_data(ttl=TTL_SECONDS, max_entries=512, show_spinner=False)
def _chart_spec(cache_key: tuple, _build: Callable[[], alt.TopLevelMixin]) -> dict:
    """The Vega-Lite spec of one chart of one report, built once (Altair objects are slow to build).

    Schema validation is skipped here: the builders' output is validated in tests/components.
    """
    return _build().to_dict(validate=False)


TOO_FEW_TO_SPLIT = "Not shown split this way, so that no small group can be singled out."


def _has_figures(frame: pl.DataFrame, column: str) -> bool:
    """Whether a section's frame has at least one row whose figure passed disclosure control."""
    return column in frame.columns and frame[column].drop_nulls().len() > 0


def show_chart(report: CultureReport, name: str, build: Callable[[], alt.TopLevelMixin], **kwargs) -> object:
    """Render a chart of `report`; `name` tells the report's charts apart in the cache."""
    return st.vega_lite_chart(spec=_chart_spec((report.key, name), build), width="stretch", **kwargs)


def _recovery_caption(rec, since) -> str:
    """Why the recovery tile shows what it shows, in one line (never a bare 0 % for no items)."""
    if rec.k is not None:
        return f"{rec.k:,} of {rec.n:,} unhappy users called back in time"
    if rec.n == 0:
        return (f"no recovery items due since tracking began on {formats.day(since)}" if since
                else "no recovery items due in this period")
    return f"too few recovery items to show (n = {rec.n:,})"


def watermelon_section(report: CultureReport, notes: list[tuple] = ()) -> None:
    """SLA met vs not met against the mood mix, and the watermelon share's trend (with the known
    changes `notes`, (date, label), drawn on it like on the Happiness trend)."""
    st.subheader("Are green SLAs hiding unhappy users?")
    w = report.watermelon
    if w.share is None:
        st.info(f"Not shown by SLA, so that no small group can be singled out (n = {w.n:,} on tickets that "
                "met their SLA)." if w.n else "No responses on tickets that met their SLA in this selection.")
        return
    st.markdown(f"**{formats.percent(w.share)}** of responses on tickets that **met their SLA** still scored 0–6 "
                f"({formats.interval(w.low, w.high)}, n = {w.n:,}).")
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.caption("Mood of users by whether the ticket met its SLA")
        show_chart(report, "mood_mix", lambda: charts.mood_mix(report.mood_mix))
    with right:
        st.caption("Unhappy despite SLA met, by month (with 95% band)")
        if report.watermelon_trend.height:
            show_chart(report, ("watermelon_trend", tuple(notes)), lambda: with_annotations(
                charts.watermelon_trend(report.watermelon_trend), report.watermelon_trend, notes))
        else:
            st.info("Too few SLA-met responses per month for a trend.")


def _focus_cell(key_prefix: str, chart_key: str) -> None:
    picked = st.session_state.get(chart_key, {}).get("selection", {}).get("cell") or []
    if picked:
        cell = picked[0]
        focus(key_prefix, service_ids=(int(cell["service_id"]),), channels=(str(cell["channel"]),))
        read_focused_cell(int(cell["service_id"]), str(cell["channel"]))


def _happiness_text() -> pl.Expr:
    """"+12 ± 5" from the happiness and margin columns, in polars (no Python callback per row)."""
    return pl.concat_str(formats.signed_points(pl.col("happiness")), pl.lit(" ± "),
                         pl.col("margin").round(0).cast(pl.Int64).cast(pl.String))


def hotspot_section(report: CultureReport, *, key_prefix: str, focused: bool = False,
                    against: str = "overall Happiness") -> None:
    """Service × channel heat map coloured by impact, and the worst cells.

    `focused`: the page is filtered to services or channels (e.g. after a click on a cell); a
    button then brings every service and channel back.
    """
    st.subheader("Where does it hurt?")
    if focused:
        st.button("Show all services and channels", icon=":material/zoom_out_map:", key=f"{key_prefix}_unfocus",
                  on_click=lambda: focus(key_prefix, service_ids=(), channels=()))
    cells = report.hotspots.drop_nulls("impact")
    if cells.height < 2:
        st.info("Hotspots compare services and channels with each other: there are too few cells "
                "with enough responses in this selection.")
        return
    st.caption(f"Impact = responses × (Happiness of the cell − {literal(against)}). Red cells pull Happiness "
               "down most. Click a cell to filter the page to that service and channel.")
    left, right = st.columns([5, 6], gap="large")
    with left:
        chart_key = f"{key_prefix}_hotspot_chart"
        show_chart(report, "hotspots", lambda: charts.hotspot_heatmap(cells), key=chart_key,
                        on_select=lambda: _focus_cell(key_prefix, chart_key), selection_mode="cell")
    with right:
        worst = cells.filter(pl.col("impact") < 0).sort("impact").head(8)
        st.caption("Worst cells")
        if worst.height:
            shown = worst.select(
                pl.concat_str([pl.col("service"), pl.col("channel_label")], separator=" · ").alias("Cell"),
                _happiness_text().alias("Happiness"),
                pl.col("n"), _no_negative_zero(pl.col("impact").round(0)).alias("Impact"))
            export = worst.select(pl.col("service").alias("Service"), pl.col("channel_label").alias("Channel"),
                                  pl.col("happiness").round(1).alias("Happiness"),
                                  pl.col("margin").round(1).alias("Margin"),
                                  pl.col("n"), _no_negative_zero(pl.col("impact").round(0)).alias("Impact"))
            data_table(shown, "Hotspots", export=export, column_config={
                "Cell": st.column_config.TextColumn(width=185),
                "Happiness": st.column_config.TextColumn(width=80, help="Happiness ± 95% margin"),
                "n": st.column_config.NumberColumn(format="localized", width=52, help="Responses"),
                "Impact": st.column_config.NumberColumn(format="%+.0f", width=70,
                                                        help="Responses × (cell − overall Happiness)")})
        else:
            st.info("No cell is below the overall Happiness.")


def _no_negative_zero(value: pl.Expr) -> pl.Expr:
    """A rounded figure that came out as -0.0 shows as 0 (a table must never read "-0.0")."""
    return pl.when(value == 0).then(pl.lit(0.0)).otherwise(value)


def _factor_table(factors: pl.DataFrame, polarity: str, title: str) -> None:
    part = factors.filter(pl.col("polarity") == polarity)
    st.caption(title)
    if part.is_empty():
        st.info("No factors picked in this selection.")
        return
    # The essential columns first (factor, share, n), narrow enough to fit a 390 px phone; the
    # factor stays pinned when a narrower window scrolls the table sideways.
    shown = part.select(pl.col("label").alias("Factor"), (100 * pl.col("share")).alias("Share %"),
                        pl.col("current").alias("n"), _no_negative_zero(pl.col("change_pp").round(1)).alias("Change"))
    top = float(shown["Share %"].max() or 1.0)
    key = f"trends_factors_{polarity}"
    # A click on a row opens that factor's responses (a factor no one named this period has none).
    ids = [int(f) if n else -1 for f, n in zip(part["factor_id"].to_list(), part["current"].to_list())]
    data_table(shown, f"{title}", key=key, on_select=lambda: factor_clicked(key, ids), column_config={
        "Factor": st.column_config.TextColumn(width=164, pinned=True),
        "Share %": st.column_config.ProgressColumn("Share", format="%.1f%%", min_value=0.0, max_value=max(top, 1.0),
                                                   help="Share of responses naming the factor", width=78),
        "n": st.column_config.NumberColumn(format="localized", width=52, help="Responses naming it"),
        "Change": st.column_config.NumberColumn(format="%+.1f", help="Change in percentage points vs the "
                                                "previous period", width=60)})


def voice_section(report: CultureReport) -> None:
    """Factors users pick, with their change, and the cost of reassignments."""
    st.subheader("What users say")
    st.caption("Click a factor to read the responses that name it.")
    left, right = st.columns(2, gap="large")
    with left:
        _factor_table(report.factors, "positive", "What users value")
    with right:
        _factor_table(report.factors, "negative", "What users complain about")
    st.caption("Reassignment cost: every hand-over between people or teams")
    if not _has_figures(report.reassignment, "happiness"):
        st.info(TOO_FEW_TO_SPLIT)
        return
    left, right = st.columns(2, gap="large")
    with left:
        show_chart(report, "reassignment_happiness", lambda: charts.reassignment_happiness(report.reassignment))
    with right:
        show_chart(report, "reassignment_lost", lambda: charts.reassignment_lost(report.reassignment))


def lost_time_section(report: CultureReport, sentence: str | None = None) -> None:
    """Lost hours in total, by channel and by service, and the Pareto statement (or `sentence`,
    the same in hours and money)."""
    st.subheader("What does it cost?")
    lost = report.headline.lost
    if lost.total_hours is None:
        st.info("No user estimated their lost time in this selection.")
        return
    if sentence is None:
        sentence = f"Users lost an estimated **{formats.hours(lost.total_hours)}** of work time " \
                   f"({formats.minutes(lost.mean_minutes)} per ticket, n = {lost.n:,} answers)."
        if report.pareto is not None:
            sentence += f" **{formats.percent(report.pareto)} of tickets cause 80% of the lost time.**"
    st.markdown(sentence)
    left, right = st.columns(2, gap="large")
    with left:
        _lost_hours_split(report, "lost_channel", report.lost_by_channel, "channel_label", "Channel",
                          "Lost hours by channel")
    with right:
        _lost_hours_split(report, "lost_service", report.lost_by_service, "service", "Service",
                          "Lost hours by service (top 10)")


def _lost_hours_split(report: CultureReport, name: str, frame: pl.DataFrame, key_label: str, title: str,
                      caption: str) -> None:
    """One split of the lost hours (by channel, by service): its bars, or why there are none."""
    st.caption(caption)
    if _has_figures(frame, "total_hours"):
        show_chart(report, name, lambda: charts.lost_hours_bars(frame, key_label, title))
    else:
        st.info(TOO_FEW_TO_SPLIT)


def culture_tiles(report: CultureReport) -> None:
    """Recognition, recovery and self-assessment participation as three tiles."""
    st.subheader("Culture indicators")
    cols = st.columns(3)
    with cols[0]:
        tile("Praise passed on", formats.percent(report.kudos.share, 1),
             f"{report.kudos.k:,} kudos on {report.kudos.n:,} responses scoring 9–10",
             "Share of happy responses (9–10) a team lead recognised with kudos to the analyst.")
    with cols[1]:
        rec = report.recovery
        tile("Recovery contacts in time", formats.percent(rec.share),
             f"{formats.interval(rec.low, rec.high)} · n = {rec.n:,}" if rec.k is not None
             else _recovery_caption(rec, report.recovery_since),
             "Unhappy users contacted by their due time (the recovery target set by the admin), among recovery "
             "items due or contacted. Counted from when recovery tracking began: answers that came with the "
             "first import are history.")
    with cols[2]:
        part = report.participation
        if part is None:
            tile("Self-assessment participation", formats.NO_VALUE, "too few analysts to show",
                 "Share of active analysts who filled in a self-assessment in the period.")
        else:
            tile("Self-assessment participation", formats.percent(part.share), f"{part.k:,} of {part.n:,} active analysts",
                 "Share of active analysts who filled in a self-assessment in the period.")


def calibration_section(report: CultureReport) -> None:
    """How self-views and customer views line up across the organisation (unnamed)."""
    st.markdown("**Calibration: do analysts see themselves as their customers do?**")
    st.caption("Per CARE dimension, analysts whose latest self-rating is more than 4/3 of a point above "
               "(blind spot) or below (hidden strength) their customers' rating, shrunk toward their team. "
               f"Counts only, no names; dimensions with fewer than "
               f"{max(thresholds().min_group, thresholds().min_analysts)} analysts are hidden.")
    cal = report.calibration
    shown = cal.filter(~pl.col("suppressed")) if cal.height else cal
    if shown.is_empty():
        st.info("Too few analysts with both a self-assessment and enough customer ratings.")
        return
    long = shown.unpivot(index=["dimension", "analysts"], on=list(CALIBRATION_LABELS),
                         variable_name="label", value_name="count").with_columns(
        (pl.col("count") / pl.col("analysts")).alias("share"),
        pl.col("dimension").str.to_titlecase(),
        pl.col("label").replace_strict({l: i for i, l in enumerate(CALIBRATION_LABELS)}).alias("order"))
    left, right = st.columns([2, 3], gap="large")
    with left:
        show_chart(report, "calibration", lambda: charts.calibration_bars(long))
    with right:
        table = shown.select(pl.col("dimension").str.to_titlecase().alias("CARE dimension"),
                             pl.col("analysts").alias("Analysts"),
                             *[pl.col(l).alias(l.capitalize()) for l in CALIBRATION_LABELS])
        order = {d.capitalize(): i for i, d in enumerate(CARE_NAMES)}
        data_table(table.sort(pl.col("CARE dimension").replace_strict(order, default=99)), "Calibration",
                   column_config={"CARE dimension": st.column_config.TextColumn(width=115),
                                  "Analysts": st.column_config.NumberColumn(width=70, help="Analysts compared"),
                                  "Blind spot": st.column_config.NumberColumn(width=80),
                                  "Aligned": st.column_config.NumberColumn(width=70),
                                  "Hidden strength": st.column_config.NumberColumn(width=115)})


def team_section(report: CultureReport) -> None:
    """Per-team figures: Happiness with interval, n, trend, lost time, watermelon share."""
    st.subheader("Teams")
    limits = thresholds()
    teams = report.teams
    if teams.is_empty():
        st.info("No team has responses in this selection.")
        return
    shown = teams.select(
        pl.col("team").alias("Team"),
        pl.col("happiness").round(0).alias("Happiness"), pl.col("margin").round(0).alias("±"),
        pl.col("n"), pl.col("trend").alias("Trend"), pl.col("change").round(0).alias("Change"),
        pl.col("lost_hours").round(0).alias("Lost hours"),
        (100 * pl.col("watermelon")).round(1).alias("Unhappy despite SLA met %"))
    st.caption("Trend: ↑ / ↓ when Happiness moved by more than its margin since the previous period, "
               f"→ when the change is within noise. Teams too small to show (fewer than {limits.min_group} responses "
               f"or {limits.min_analysts} analysts, or hidden so a small team cannot be worked out from the "
               "total) show only n.")
    data_table(shown, "Teams", column_config={
        "Happiness": st.column_config.NumberColumn(format="%+.0f", help=HAPPINESS_HELP),
        "±": st.column_config.NumberColumn(format="%.0f", help="95% margin of error"),
        "n": st.column_config.NumberColumn(format="localized", help="Responses"),
        "Change": st.column_config.NumberColumn(format="%+.0f", help="vs the previous period"),
        "Lost hours": st.column_config.NumberColumn(format="localized"),
        "Unhappy despite SLA met %": st.column_config.NumberColumn(format="%.1f%%")})


def withheld_notice(report: CultureReport) -> None:
    """Why a whole selection shows no figures, with the thresholds and what to do instead."""
    limits = thresholds()
    reason = {"small": "This selection holds too few responses or analysts to show figures",
              "complement": "This selection holds part, not all, of the cells a wider view hides to protect a "
                            "small group, so its figures are withheld"}.get(
        report.withheld, "This selection differs from a neighbouring one (one filter value, or a week at either "
                         "end, more or less) by a group too small to show, so its figures are withheld")
    if report.withheld == "complement":  # it may pass on its own: the limits would not explain it
        st.info(f"{reason} (n = {report.headline.n:,}). Remove a filter to see the wider view, where that "
                "group is hidden with its neighbours.", icon=":material/visibility_off:")
        return
    st.info(f"{reason} (n = {report.headline.n:,}; every figure needs at least {limits.min_group} responses "
            f"from {limits.min_analysts} analysts). Widen the period or remove a filter.",
            icon=":material/visibility_off:")
