"""Today's date for period presets; tests and the benchmark pin it with SERVICE_PULSE_TODAY."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """The date the app treats as today (SERVICE_PULSE_TODAY=YYYY-MM-DD overrides the calendar)."""
    pinned = os.environ.get("SERVICE_PULSE_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def now() -> dt.datetime:
    """Current time, consistent with `today()` when pinned (midday of the pinned date)."""
    pinned = os.environ.get("SERVICE_PULSE_TODAY")
    if pinned:
        return dt.datetime.combine(dt.date.fromisoformat(pinned), dt.time(12, 0))
    return dt.datetime.now().replace(microsecond=0)
