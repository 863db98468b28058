"""The Culture trends PDF attached to the CIO's monthly digest: the month's figures as the page
shows them to that CIO (same read model, same disclosure control), and withheld where the mail
withholds them: a calendar month could be subtracted from a page link of whole weeks, so a team,
a hotspot cell or the whole month with a few answers at the month's edges shows no figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl

from data_access.filters import Filters
from data_access.scope import Scope
from data_access.stats import response_stats
from notify.digest import month_filters
from notify.month_edges import EDGES, month_edges
from reports.culture_pdf import to_pdf
from views.culture import CultureReport, culture_report
from views.culture_sections import TEAM_FIGURES
from views.disclosure import SUPPRESSED, Disclosure, blank, hidden_keys


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


def monthly_pdf(*, scope: Scope, month: dt.date, today: dt.date, url: str | None = None) -> tuple[str, bytes]:
    """(file name, PDF bytes) of Culture trends for the calendar month of `month` within `scope`."""
    scope.require("cio")
    period = month_filters(month)
    report = edges_withheld(culture_report(scope=scope, filters=period, url=url), scope=scope, period=period, url=url)
    label = "Your teams" if scope.team_ids else "Whole organisation"
    pdf = to_pdf(report, month=period.start, generated_on=today, scope_label=label)
    return f"culture-trends-{period.start:%Y-%m}.pdf", pdf
