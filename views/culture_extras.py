"""Culture trends beyond the report: the same weeks a year earlier, and lost time as work days per
month — each figure through the same disclosure rules as `views.culture` — and the organisation's
target and cost settings applied to figures already released.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from data_access.culture_settings import CultureSettings
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.stats import ticket_stats
from data_access.trends import analyst_weeks
from metrics.culture import lost_by, rollup, totals
from metrics.targets import a_year_later, impact_against, lost_cost, target_gap, weeks_a_year_before, work_days
from metrics.trends import PeriodChange, period_change
from views import culture_sections as sections
from views.culture import (CultureReport, _cell_gaps, _differs_from_a_neighbour, announce, carried, distinct,
                           report_from)
from views.culture_cells import CellReads, Keep, cell_reads
from views.disclosure import Disclosure, blank, released, shown_only

LOST_FIGURES = ("lost_sum", "mean_minutes", "total_hours")


@dataclass(frozen=True)
class CultureExtras:
    """Figures that need reads of their own: last year's same weeks and lost time per month."""

    year_ago: PeriodChange | None
    """This period's Happiness vs the same weeks a year earlier; None when either side is withheld."""
    year_ago_n: int
    year_ago_trend: pl.DataFrame
    """month (moved forward a year, to sit under this year's), n, happiness…: months that pass."""
    lost_months: pl.DataFrame
    """month, mean_minutes, total_hours: months that pass and have enough lost-time answers."""


NO_EXTRAS = CultureExtras(None, 0, pl.DataFrame(), pl.DataFrame())
"""The extras of a report that shows no figures."""


def same_weeks_last_year(filters: Filters) -> Filters:
    """The same weeks and slices a year earlier (`weeks_a_year_before`). Not the same calendar days:
    those start on another weekday, and the days a whole-week link of that year holds besides (a
    Sunday at either end) would be its figure minus this one's."""
    return replace(filters, start=weeks_a_year_before(filters.start), end=weeks_a_year_before(filters.end))


def _month_gaps(gate: Disclosure, filters: Filters, reads: CellReads) -> set[tuple]:
    """Months a neighbouring link (one filter lifted, or a week more or less) would split."""
    return _cell_gaps(gate, ("month",), reads, filters)


EXTRAS_GROUPINGS = ((), ("month",))
"""The groupings of a period's cells the extras sum (besides those of the months' checks)."""


def _year_ago(gate: Disclosure, scope: Scope, filters: Filters, url: str | None, now: tuple[int, int, int, int],
              reads: CellReads) -> tuple[PeriodChange | None, int, pl.DataFrame]:
    earlier = same_weeks_last_year(filters)
    people = analyst_weeks(scope=scope, filters=earlier, url=url)
    n = int(people["n"].sum()) if people.height else 0
    empty = pl.DataFrame()
    if not n or not gate.comparable(now[:2], (n, people["analyst_id"].n_unique())):
        return None, n, empty
    announce(reads, earlier, (("month",),), EXTRAS_GROUPINGS)
    if _differs_from_a_neighbour(gate, scope, earlier, url, people, reads):
        return None, n, empty
    # The change gives the earlier period's figure away just as its own page would show it: so
    # that page's carried decisions hold here too (withheld as a whole, or months hidden).
    inherited = carried(gate, earlier, reads)
    if inherited is None:
        return None, n, empty
    months = reads.experience(earlier, ("month",))
    whole = totals(months)
    change = period_change({"n": now[0], "happy": now[2], "unhappy": now[3]},
                           {k: int(whole.get(k, 0)) for k in ("n", "happy", "unhappy")})
    gaps = _month_gaps(gate, earlier, reads) | inherited.get(("month",), set())
    trend = sections.monthly(gate, months, gaps=gaps, exact=distinct(people, ["month"]))
    return change, n, a_year_later(trend) if trend.height else trend


def _lost_months(gate: Disclosure, scope: Scope, filters: Filters, url: str | None,
                 people: pl.DataFrame, reads: CellReads, trend: pl.DataFrame) -> pl.DataFrame:
    """Lost hours per month (mean minutes that month × tickets closed that month), months that pass
    and that the report's own trend shows (`trend`): a month the trend hides for a wider link's or a
    cut week's sake holds the same small part in its lost time."""
    stats = reads.experience(filters, ("month",))
    closed = ticket_stats(scope=scope, filters=filters, by=("month",), url=url)
    if stats.is_empty():
        return pl.DataFrame()
    frame = lost_by(stats, closed, "month", min_group=gate.min_group)
    counts = sections.exact_analysts(rollup(stats, ["month"]).select("month", "n", "analysts"),
                                     distinct(people, ["month"]), ["month"])
    frame = frame.join(counts, on="month", how="inner")
    shown = set(trend["month"].to_list()) if "month" in trend.columns else set()
    gaps = _month_gaps(gate, filters, reads) | {(m,) for m in frame["month"].to_list() if m not in shown}
    checked = sections._also_hidden(gate.cells(frame, LOST_FIGURES), "month", gaps)
    checked = gate.complementary(blank(checked, LOST_FIGURES), LOST_FIGURES)
    return released(shown_only(checked)).drop_nulls("total_hours").select(
        "month", "mean_minutes", "total_hours").sort("month")


def culture_extras(*, scope: Scope, filters: Filters, url: str | None = None) -> CultureExtras:
    """Year-on-year comparison and lost time per month for `filters`, within `scope`: built with
    the report (its checks first, these figures' own on top); none for a report not shown."""
    _, extras = culture_page(scope=scope, filters=filters, url=url)
    return extras if extras is not None else NO_EXTRAS


def extras_from(scope: Scope, filters: Filters, url: str | None, people: pl.DataFrame,
                reads: CellReads, report: CultureReport) -> CultureExtras:
    """`culture_extras` from `analyst_weeks` of `filters`, the cells `reads` and the shown `report`
    built from them (its trend says which months may show at all)."""
    gate = Disclosure.for_scope(scope)
    if people.is_empty():
        return NO_EXTRAS
    whole = totals(reads.experience(filters, ()))
    now = (int(whole.get("n", 0)), people["analyst_id"].n_unique(), int(whole.get("happy", 0)),
           int(whole.get("unhappy", 0)))
    change, n_ago, trend = _year_ago(gate, scope, filters, url, now, reads)
    return CultureExtras(change, n_ago, trend, _lost_months(gate, scope, filters, url, people, reads, report.trend))


def culture_page(*, scope: Scope, filters: Filters, url: str | None = None,
                 _keep: Keep | None = None) -> tuple[CultureReport, CultureExtras | None]:
    """The report and, when it is shown (not empty, not withheld), its extras: one read of who
    answered when and one set of cell reads for both, so the period's cells are read once.
    `_keep` (views.cache) keeps what links share — the service × channel × team pattern of each
    family and period — for the next build; the leading underscore keeps it out of the cache key."""
    people = analyst_weeks(scope=scope, filters=filters, url=url)
    reads = cell_reads(scope, url, _keep)
    report = report_from(scope, filters, url, people, reads, EXTRAS_GROUPINGS)
    if report.is_empty or report.withheld:
        return report, None
    return report, extras_from(scope, filters, url, people, reads, report)


@dataclass(frozen=True)
class Targets:
    """The report's figures seen against the organisation's settings."""

    settings: CultureSettings
    gap: float | None
    """Headline Happiness minus the target (points)."""
    cost: float | None
    """Total lost hours × hourly cost."""
    days: float | None
    """Total lost hours as work days."""
    hotspots: pl.DataFrame
    """The report's hotspots, impact measured against the target when one is set."""
    work_days: pl.DataFrame
    """month, total_hours, days, cost."""


def with_targets(report: CultureReport, extras: CultureExtras, settings: CultureSettings) -> Targets:
    """Apply the target, hourly cost and hours per day to figures the report already released."""
    hours = report.headline.lost.total_hours
    hot = report.hotspots
    if settings.target is not None and hot.height and "happiness" in hot.columns:
        hot = impact_against(hot, settings.target)
    months = extras.lost_months
    if months.height:
        months = work_days(months, hours_per_day=settings.hours_per_day, hourly_cost=settings.hourly_cost)
    return Targets(settings=settings, gap=target_gap(report.headline.happiness, settings.target),
                   cost=lost_cost(hours, settings.hourly_cost),
                   days=None if hours is None else hours / settings.hours_per_day,
                   hotspots=hot, work_days=months)

