"""`python -m data_access import close-stale`: close recovery items that an earlier import opened
for answers already older than the recovery window (history, not a customer to call back).

An untouched stale item is removed: it should never have been opened, nobody acted on it, and a
kept item would still count as "not contacted in time" in every recovery figure. Items someone
has already worked on (any recovery action) stay as they are; the report says how many.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import clock, config, recovery, rollups, schema
from data_access.engine import get_engine

RI, RA, R = schema.recovery_items, schema.recovery_actions, schema.responses


@dataclass(frozen=True)
class StaleReport:
    """What closing stale items did (or would do)."""

    cutoff: dt.datetime
    closed: int
    kept_worked_on: int
    open_recent: int


def _stale_where(cutoff: dt.datetime):
    return sa.and_(RI.c.resolved_at.is_(None), R.c.submitted_at < cutoff)


def close_stale(engine: sa.Engine, *, now: dt.datetime | None = None, dry_run: bool = False) -> StaleReport:
    """Close open, untouched items whose answer is older than the window before `now`."""
    now = now or clock.now()
    with engine.begin() as conn:
        settings = recovery.read_settings(conn)
        cutoff = now - dt.timedelta(days=settings.window_days)
        worked = sa.exists().where(RA.c.ticket_key == RI.c.ticket_key)
        base = sa.select(sa.func.count()).select_from(RI.join(R, R.c.ticket_key == RI.c.ticket_key))
        stale = conn.execute(base.where(_stale_where(cutoff), ~worked)).scalar_one()
        kept = conn.execute(base.where(_stale_where(cutoff), worked)).scalar_one()
        recent = conn.execute(base.where(RI.c.resolved_at.is_(None), R.c.submitted_at >= cutoff)).scalar_one()
        if stale and not dry_run:
            keys = sa.select(R.c.ticket_key).where(R.c.submitted_at < cutoff)
            doomed = RI.c.resolved_at.is_(None), RI.c.ticket_key.in_(keys), ~worked
            closing = conn.execute(sa.select(RI.c.ticket_key).where(*doomed)).scalars().all()
            with rollups.maintained(conn, closing):  # the summary tables' recovery counts follow
                conn.execute(RI.delete().where(*doomed))
    return StaleReport(cutoff=cutoff, closed=stale, kept_worked_on=kept, open_recent=recent)


def register(sub, url_arg) -> None:
    p = sub.add_parser("close-stale", help="close recovery items opened for answers older than the recovery window")
    p.add_argument("--dry-run", action="store_true", help="count, change nothing")
    url_arg(p)
    p.set_defaults(func=_cmd_close_stale)


def _cmd_close_stale(args) -> int:
    result = close_stale(get_engine(args.url or config.database_url()), dry_run=args.dry_run)
    verb = "Would close" if args.dry_run else "Closed"
    print(f"{verb} {result.closed:,} untouched recovery items for answers submitted before "
          f"{result.cutoff:%d %b %Y %H:%M} (history: removed from the queue and from the recovery figures).")
    print(f"Kept open: {result.kept_worked_on:,} older items someone already worked on; "
          f"{result.open_recent:,} items within the window.")
    return 0


