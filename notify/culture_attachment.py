"""The Culture trends PDF attached to the CIO's monthly digest: the month's figures as the page
shows them to that CIO (same read model, same disclosure control), and withheld where the mail
withholds them: a calendar month could be subtracted from a page link of whole weeks, so a team,
a hotspot cell or the whole month with a few answers at the month's edges shows no figures."""

from __future__ import annotations

import datetime as dt

from data_access.scope import Scope
from notify.digest import month_filters
from notify.month_edges import edges_withheld, month_report  # noqa: F401 (edges_withheld: named here too)
from reports.culture_pdf import to_pdf
from views.culture import CultureReport


def monthly_pdf(*, scope: Scope, month: dt.date, today: dt.date, url: str | None = None,
                report: CultureReport | None = None) -> tuple[str, bytes]:
    """(file name, PDF bytes) of Culture trends for the calendar month of `month` within `scope`
    (`report`: its `month_report` when the caller has it already)."""
    scope.require("cio")
    period = month_filters(month)
    report = report or month_report(scope=scope, period=period, url=url)
    label = "Your teams" if scope.team_ids else "Whole organisation"
    pdf = to_pdf(report, month=period.start, generated_on=today, scope_label=label)
    return f"culture-trends-{period.start:%Y-%m}.pdf", pdf
