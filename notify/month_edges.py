"""A calendar month next to Culture trends links of whole weeks: which of its cells could be
worked out by subtracting one from the other, and the month as the page shows it with those
withheld (the CIO's monthly digest and its PDF: the one set of decisions both follow)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl

from data_access.filters import Filters
from data_access.scope import Scope
from data_access.stats import response_stats
from views.culture import CultureReport, culture_report
from views.culture_sections import TEAM_FIGURES
from views.disclosure import SUPPRESSED, Disclosure, blank, hidden_keys

EDGES = "not shown — a few answers at the month's edges could be singled out"


def month_edges(gate: Disclosure, scope: Scope, period: Filters, url: str | None,
                by: tuple[str, ...] = ("team_id",)) -> tuple[set[tuple], bool]:
    """The cells (tuples of their `by` values), and whether the whole, whose month a Culture
    trends link of whole weeks could be subtracted from: a few answers in the month's partial
    first and last weeks, or in the days just outside the month that share those weeks
    (`Disclosure.month_gap`)."""
    first = period.start - dt.timedelta(days=period.start.weekday())
    last = period.end - dt.timedelta(days=1)
    last_monday, after = last - dt.timedelta(days=last.weekday()), last + dt.timedelta(days=7 - last.weekday())
    inside = [Filters(a, b) for a, b in ((period.start, first + dt.timedelta(days=7)), (last_monday, period.end))
              if a != first and b != after]
    outside = [Filters(a, b) for a, b in ((first, period.start), (period.end, after)) if a < b]

    def parts(spans: list[Filters], keys: tuple[str, ...]) -> list[dict]:
        return [r for f in spans for r in response_stats(scope=scope, filters=f, by=keys, url=url).iter_rows(named=True)]

    def sizes(rows: list[dict], cell: tuple) -> list[tuple[int, int]]:
        return [(r["n"], r["analysts"]) for r in rows if tuple(r[k] for k in by) == cell]

    cells_in, cells_out = parts(inside, by), parts(outside, by)
    gaps = {cell for cell in {tuple(r[k] for k in by) for r in cells_in + cells_out}
            if gate.month_gap(sizes(cells_in, cell), sizes(cells_out, cell))}
    whole = gate.month_gap([(r["n"], r["analysts"]) for r in parts(inside, ())],
                           [(r["n"], r["analysts"]) for r in parts(outside, ())])
    return gaps, whole


def edges_withheld(report: CultureReport, *, scope: Scope, period: Filters, url: str | None = None) -> CultureReport:
    """`report` of a calendar month with what a link of whole weeks could single out withheld:
    the whole month, or teams (with the complementary ones) and hotspot cells."""
    if report.is_empty or report.withheld:
        return report
    gate = Disclosure.for_scope(scope)
    teams, whole = month_edges(gate, scope, period, url)
    if whole:
        return replace(report, withheld=EDGES)
    if teams and not report.teams.is_empty():
        now = response_stats(scope=scope, filters=period, by=("team_id",), url=url)
        hidden = list(hidden_keys(gate, now, "team_id", also={team for (team,) in teams}))
        marked = report.teams.with_columns((pl.col(SUPPRESSED).fill_null(False)
                                            | pl.col("team_id").is_in(hidden)).alias(SUPPRESSED))
        report = replace(report, teams=blank(marked, [c for c in TEAM_FIGURES if c in marked.columns]))
    cells, _ = month_edges(gate, scope, period, url, by=("service_id", "channel"))
    if cells and not report.hotspots.is_empty():
        gone = pl.DataFrame([list(c) for c in cells], schema=["service_id", "channel"], orient="row")
        gone = gone.cast({"service_id": report.hotspots["service_id"].dtype, "channel": pl.String})
        report = replace(report, hotspots=report.hotspots.join(gone, on=["service_id", "channel"], how="anti"))
    return report


def month_report(*, scope: Scope, period: Filters, url: str | None = None) -> CultureReport:
    """Culture trends of the calendar month `period` as the page shows it to `scope` (its
    week-by-week and neighbouring-link checks included), with the month's edges withheld."""
    return edges_withheld(culture_report(scope=scope, filters=period, url=url), scope=scope, period=period, url=url)
