"""Whether pages may read the rollups: present, of the current version, and fresh.

A warehouse the app writes to keeps them 'maintained' (fresh by construction). A read-only
warehouse refreshed by a data team's scheduler marks them 'scheduled'; they count as fresh for
`rollup_max_age_hours` (setting, default 26) after the last refresh. Otherwise pages fall back to
the base tables and show the reason.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import clock, config, schema, settings
from data_access.engine import get_engine
from data_access.rollups.sources import STATE_NAME

S = schema.rollup_state
DISABLE_ENV = settings.ROLLUPS_ENV  # "off": always read the base tables (benchmarks, comparisons)
MAX_AGE_KEY = "rollup_max_age_hours"
DEFAULT_MAX_AGE_HOURS = 26.0
STATE_TTL_SECONDS = 30


@dataclass(frozen=True)
class RollupStatus:
    """`fresh`: pages read the rollups; otherwise `reason` says why they read the base tables."""

    fresh: bool
    reason: str = ""


def _max_age_hours(conn: sa.Connection) -> float:
    value = conn.execute(sa.select(schema.settings.c.value)
                         .where(schema.settings.c.key == MAX_AGE_KEY)).scalar_one_or_none()
    try:
        return float(value) if value is not None else DEFAULT_MAX_AGE_HOURS
    except ValueError:
        return DEFAULT_MAX_AGE_HOURS


def status_of(conn: sa.Connection, now: dt.datetime) -> RollupStatus:
    """The rollups' status in this warehouse at `now` (no cache)."""
    try:
        row = conn.execute(sa.select(S.c.version, S.c.mode, S.c.refreshed_at)
                           .where(S.c.name == STATE_NAME)).one_or_none()
    except sa.exc.DBAPIError:
        return RollupStatus(False, "this warehouse has no summary tables")
    if row is None:
        return RollupStatus(False, "the summary tables have not been built yet")
    if row.version != schema.ROLLUP_VERSION:
        return RollupStatus(False, "the summary tables are of an older version and need a rebuild")
    if row.mode == "maintained":
        return RollupStatus(True)
    hours = _max_age_hours(conn)
    if row.refreshed_at is None or now - row.refreshed_at > dt.timedelta(hours=hours):
        return RollupStatus(False, f"the summary tables were last refreshed at {row.refreshed_at:%Y-%m-%d %H:%M}"
                            if row.refreshed_at else "the summary tables were never refreshed")
    return RollupStatus(True)


# Checked at most every STATE_TTL_SECONDS per warehouse, in plain Python: data_access stays free
# of Streamlit (the app's caching seam is views.cache), and the CLI gets the same behaviour.
_CHECKED: dict[str, tuple[float, RollupStatus]] = {}
_CHECKED_LOCK = threading.Lock()


def _cached_status(url: str) -> RollupStatus:
    with _CHECKED_LOCK:
        seen = _CHECKED.get(url)
    if seen is not None and time.monotonic() - seen[0] < STATE_TTL_SECONDS:
        return seen[1]
    try:
        with get_engine(url).connect() as conn:
            found = status_of(conn, clock.now())
    except sa.exc.DBAPIError:
        found = RollupStatus(False, "the summary tables could not be read")
    with _CHECKED_LOCK:
        _CHECKED[url] = (time.monotonic(), found)
    return found


def forget_status() -> None:
    """Check again on the next read (after a rebuild, or when every cached read is cleared)."""
    with _CHECKED_LOCK:
        _CHECKED.clear()


def status(url: str | None = None) -> RollupStatus:
    """The rollups' status for the warehouse at `url` (checked at most every 30 s)."""
    if not settings.current().rollups_enabled:
        return RollupStatus(False, "summary tables are switched off (SERVICE_PULSE_ROLLUPS=off)")
    return _cached_status(url or config.database_url())


def use_rollups(url: str | None = None, filters=None) -> bool:
    """True when reads (for `filters`, if given) should go to the rollups: they are fresh and
    hold every slice asked for (they keep no ticket priority)."""
    if filters is not None and getattr(filters, "priorities", ()):
        return False
    return status(url).fresh
