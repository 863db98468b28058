"""The first screen of Culture trends: better or worse, where it hurts, what it costs — in one view
at 1440×900, with the organisation's target, external reference, last year and cost.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from components import formats
from components.culture_charts import happiness_domain, trend_with_marks, with_annotations, work_days_bars
from components.culture_sections import HAPPINESS_HELP, _happiness_text, show_chart
from components.drill_link import month_clicked
from components.text import literal
from components.tiles import tile
from metrics.trends import PeriodChange
from views.culture import CultureReport
from views.culture_extras import CultureExtras, Targets


def target_phrase(gap: float | None, target: float | None) -> str:
    """"4 pts below target (+40)", "on target (+40)", or "" without a target."""
    if gap is None or target is None:
        return ""
    points = round(gap)
    where = "on target" if points == 0 else f"{abs(points):d} pts {'above' if points > 0 else 'below'} target"
    return f"{where} ({formats.signed(target)})"


def _happiness_tile(report: CultureReport, targets: Targets) -> None:
    h = report.headline
    tile("Happiness", formats.signed(h.happiness),
         f"{formats.margin(h.margin, h.n)} · {target_phrase(targets.gap, targets.settings.target)}"
         if targets.gap is not None else formats.margin(h.margin, h.n),
         HAPPINESS_HELP + " The target is the organisation's, set by an admin.")


def comparison_detail(change: PeriodChange, then: str) -> str:
    """The line under a comparison tile: "± 6 · clear change · before +28 (n = 1,204)"."""
    verdict = "clear change" if change.is_clear else "within noise"
    return (f"± {formats.plus_minus(change.change_margin)} · {verdict} · {then} {formats.signed(change.previous)} "
            f"(n = {change.previous_n:,})")


# The change and year tiles stay two functions: they share the detail line above, but their
# words (labels, reasons for no figure, help texts) differ.
def _change_tile(report: CultureReport) -> None:
    change = report.headline.change
    if change.change is None:
        tile("Change vs before", formats.NO_VALUE, f"no fair comparison with the period before (n = {change.previous_n:,})"
             if change.previous_n else "no responses before",
             "Happiness now minus Happiness in the period of equal length just before, when both are large "
             "enough to show.")
        return
    tile("Change vs before", f"{formats.signed(change.change)} pts", comparison_detail(change, "before"),
         "Happiness now minus Happiness in the period of equal length just before. "
         "A clear change is larger than its 95% margin.")


def _year_tile(extras: CultureExtras) -> None:
    ago = extras.year_ago
    if ago is None or ago.change is None:
        # Not always "too few": a year earlier may hold many responses and still be withheld (a
        # neighbouring selection would single out a small group), so the line says what it knows.
        tile("vs last year", formats.NO_VALUE, f"no fair comparison a year earlier (n = {extras.year_ago_n:,})"
             if extras.year_ago_n else "no responses a year earlier",
             "Happiness now minus Happiness over the same weeks one year earlier, when both are large "
             "enough to show and neither could single out a small group.")
        return
    tile("vs last year", f"{formats.signed(ago.change)} pts", comparison_detail(ago, "then"),
         "Happiness now minus Happiness over the same weeks a year earlier (52 weeks back, same "
         "weekdays, same filters): seasons cancel out.")


def _cost_tile(report: CultureReport, targets: Targets) -> None:
    lost = report.headline.lost
    s = targets.settings
    if lost.total_hours is None:
        tile("Lost work time", formats.NO_VALUE, "no user estimated their lost time", "Users' own estimate of lost work time.")
        return
    money = targets.cost is not None
    tile(f"Lost work time ({literal(s.currency)})" if money else "Lost work time",
         formats.money(targets.cost, compact=True) if money else formats.hours(lost.total_hours),
         f"{formats.hours(lost.total_hours)} · {targets.days:,.0f} work days" if targets.cost is not None
         else f"{targets.days:,.0f} work days · {formats.minutes(lost.mean_minutes)} per ticket",
         f"Mean lost minutes per answer × {report.headline.tickets:,} closed tickets; a work day is "
         f"{s.hours_per_day:g} hours" + (f", an hour costs {s.hourly_cost:,.2f}." if s.hourly_cost else
                                          ". An admin can set the cost of an hour."))


TREND_KEY = "trends_trend_chart"

# Five tiles in a row fit 1440 px; on a narrower desktop the figures get a smaller type instead
# of being cut off ("25,84…").
TILES_CSS = """<style>
@media (max-width: 1400px) {
  .st-key-culture_headline [data-testid="stMetricValue"] { font-size: 1.75rem; }
  .st-key-culture_headline [data-testid="stMetricLabel"] p { font-size: 0.8rem; }
}
@media (max-width: 640px) {  /* a phone: two tiles a row, not five screens of one tile each */
  .st-key-culture_headline [data-testid="stHorizontalBlock"] { flex-wrap: wrap; gap: 0.5rem; }
  .st-key-culture_headline [data-testid="stColumn"] { min-width: calc(50% - 0.25rem) !important;
                                                      flex: 1 1 calc(50% - 0.25rem) !important; }
  .st-key-culture_headline [data-testid="stMetricValue"] { font-size: 1.5rem; }
}
</style>"""


def headline_row(report: CultureReport, extras: CultureExtras, targets: Targets) -> None:
    """Five tiles: Happiness (vs target), change vs before, vs last year, unhappy share, lost time."""
    st.html(TILES_CSS)
    with st.container(key="culture_headline"):
        _tiles(report, extras, targets)


def _tiles(report: CultureReport, extras: CultureExtras, targets: Targets) -> None:
    # One `with cols[i]:` per tile, as culture_layout.below_the_fold has one `with tabs[i]:` per
    # tab: Streamlit's layout form, alike in shape only (other tiles, other sections).
    cols = st.columns(5)
    with cols[0]:
        _happiness_tile(report, targets)
    with cols[1]:
        _change_tile(report)
    with cols[2]:
        _year_tile(extras)
    with cols[3]:
        h = report.headline
        tile("Unhappy (0–6)", formats.percent(h.unhappy.share), f"{formats.interval(h.unhappy.low, h.unhappy.high)} · "
             f"{h.unhappy.k:,} of {h.n:,}", "Share of responses scoring 0–6, with its 95% Wilson interval.")
    with cols[4]:
        _cost_tile(report, targets)


def trend_domain(report: CultureReport, extras: CultureExtras, targets: Targets) -> list[float]:
    """The Happiness y-range shared by the trend and the comparison charts below it."""
    s = targets.settings
    lines = [frame.select("happiness") for frame in (extras.year_ago_trend, *report.compare.values())
             if frame.height]
    return happiness_domain(report.trend, *lines, also=(s.target, s.benchmark))


def trend_chart(report: CultureReport, extras: CultureExtras, targets: Targets) -> None:
    """The compact Happiness trend with its marks (or a one-line reason when there is none)."""
    s = targets.settings
    if not report.trend.height:
        st.info("Too few responses per month to draw a trend.")
        return
    reference = None
    if s.benchmark is not None:
        reference = (s.benchmark, s.benchmark_source + (f" {s.benchmark_date:%b %Y}" if s.benchmark_date else ""))
    show_chart(report, ("trend", s, extras.year_ago_trend.height), lambda: trend_with_marks(
        report.trend, domain=trend_domain(report, extras, targets), target=s.target, reference=reference,
        last_year=extras.year_ago_trend, annotations=[(a.day, a.label) for a in s.annotations], pickable=True),
        key=TREND_KEY, on_select=lambda: month_clicked(TREND_KEY), selection_mode="month")
    legend = ["blue: monthly Happiness with its 95% band"]
    if extras.year_ago_trend.height:
        legend.append("grey dashed: the same weeks last year")
    if s.target is not None:
        legend.append("green line: target")
    if reference:
        legend.append("purple line: external reference")
    st.caption(literal("; ".join(legend) + ". Click a month to read its responses."))


def top_hotspots(targets: Targets, *, top: int = 3) -> str:
    """The few cells that pull Happiness down most (against the target when there is one); returns
    the note on cells hidden for privacy, for the caller to show under the cost sentence ("" if none)."""
    cells = targets.hotspots.drop_nulls("impact") if targets.hotspots.height else targets.hotspots
    worst = cells.filter(pl.col("impact") < 0).sort("impact").head(top) if cells.height >= 2 else cells.clear()
    target = targets.settings.target is not None
    hidden = hidden_note(targets.hotspots.height, cells.height)
    if targets.hotspots.height and cells.is_empty():  # "no shown cell is below" would be true of nothing
        st.info(f"All {targets.hotspots.height:,} service and channel cells are hidden to protect small groups.")
        return ""
    if worst.is_empty():
        st.info(literal(f"No {'shown ' if hidden else ''}service and channel is below "
                        f"{'the target' if target else 'overall Happiness'}." + (f" {hidden}" if hidden else "")))
        return ""
    shown = worst.select(pl.concat_str([pl.col("service"), pl.col("channel_label")], separator=" · ").alias("Cell"),
                         _happiness_text().alias("Happiness"), pl.col("n"), pl.col("impact").round(0).alias("Impact"))
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "Cell": st.column_config.TextColumn(width=168),
        "Happiness": st.column_config.TextColumn(width=72, help="Happiness ± 95% margin"),
        "n": st.column_config.NumberColumn(format="localized", width=48, help="Responses"),
        "Impact": st.column_config.NumberColumn(
            format="localized", width=60,
            help=f"Responses × (cell − {'the target' if target else 'overall Happiness'}); most negative first")})
    return hidden


def hidden_note(cells: int, shown: int) -> str:
    """Why part of the service × channel table is missing, or "" when nothing is hidden."""
    if cells <= shown:
        return ""
    return f"{cells - shown:,} of {cells:,} cells hidden to protect small groups."


def cost_sentence(report: CultureReport, targets: Targets) -> str:
    """"Users lost an estimated 1,234 h (165 work days, EUR 61,700) …; 18% of tickets cause 80% of it." """
    lost = report.headline.lost
    if lost.total_hours is None:
        return "No user estimated their lost time in this selection."
    money = f", {formats.money(targets.cost, literal(targets.settings.currency))}" if targets.cost is not None else ""
    sentence = (f"Users lost an estimated **{formats.hours(lost.total_hours)}** ({targets.days:,.0f} work days{money}) "
                f"of work time, {formats.minutes(lost.mean_minutes)} per ticket (n = {lost.n:,} answers).")
    if report.pareto is not None:
        sentence += f" **{formats.percent(report.pareto)} of tickets cause 80% of it.**"
    return sentence


def first_screen(report: CultureReport, extras: CultureExtras, targets: Targets) -> None:
    """Tiles, then the trend beside the worst hotspots and the cost."""
    headline_row(report, extras, targets)
    left, right = st.columns([11, 9], gap="medium")
    with left:
        st.markdown("**Is it getting better?**")
        trend_chart(report, extras, targets)
    with right:
        st.markdown("**Where does it hurt most?**")
        hidden = top_hotspots(targets)
        st.markdown(cost_sentence(report, targets))
        if hidden:
            st.caption(literal(hidden))


def work_days_section(report: CultureReport, targets: Targets) -> None:
    """Work days lost per month, with hours and money in the tooltip."""
    st.markdown("**Work days lost per month**")
    months = targets.work_days
    if months.is_empty():
        st.info("Too few lost-time answers per month to draw this.")
        return
    s = targets.settings
    st.caption(f"Estimated: a month's mean lost minutes × tickets closed that month, in work days of "
               f"{s.hours_per_day:g} hours.")
    show_chart(report, ("work_days", s), lambda: with_annotations(work_days_bars(
        months, currency=s.currency if s.hourly_cost is not None else None), months,
        [(a.day, a.label) for a in s.annotations], banded=True))
