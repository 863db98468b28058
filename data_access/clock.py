"""Today's date for period presets; tests and the benchmark pin it with SERVICE_PULSE_TODAY."""

from __future__ import annotations

import datetime as dt

from data_access import settings


def today() -> dt.date:
    """The date the app treats as today (SERVICE_PULSE_TODAY=YYYY-MM-DD overrides the calendar)."""
    return settings.current().today or dt.date.today()


def now() -> dt.datetime:
    """Current time, consistent with `today()` when pinned (midday of the pinned date)."""
    pinned = settings.current().today
    if pinned:
        return dt.datetime.combine(pinned, dt.time(12, 0))
    return dt.datetime.now().replace(microsecond=0)
