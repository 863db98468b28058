"""The "view in browser" equivalent: the same escaped HTML the email carries, for the app to show."""

from __future__ import annotations

import datetime as dt

from data_access import clock
from data_access.scope import Scope
from metrics.self_view import month_add
from notify import render
from notify.config import notify_settings
from notify.digest import cio_monthly_digest, lead_weekly_digest


def digest_preview_html(*, scope: Scope, recipient: str, period: dt.date, url: str | None = None) -> str:
    """This viewer's digest as HTML: a lead's weekly digest (week ending `period`) or a CIO's
    monthly digest (the month of `period`). Built with the viewer's own scope."""
    settings = notify_settings()
    now = clock.now()
    if scope.role == "lead":
        d = lead_weekly_digest(recipient=recipient, scope=scope, week_ending=period, now=now,
                               settings=settings, url=url)
    else:
        d = cio_monthly_digest(recipient=recipient, scope=scope, month=period, now=now,
                               settings=settings, url=url)
    return render.digest_html(d)


def recent_months(month: dt.date, count: int = 12) -> list[dt.date]:
    """First days of `month` and the `count - 1` calendar months before it, newest first."""
    return [month_add(month.replace(day=1), -i) for i in range(count)]
