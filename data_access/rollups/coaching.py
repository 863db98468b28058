"""The Coaching overview's activity reads answered from the rollups, so their cost follows the lead's
analysts and days, not how many answers the warehouse holds.

Twins of `data_access.coaching.recovery_counts_query` (same columns, same rows) and the day ranges
that bound `last_scores_query` to each analyst's newest answers. `coaching.team_activity` uses them
when the rollups are fresh.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from data_access import recovery, schema
from data_access.rollups.sources import OPEN_RECOVERY_MAX
from data_access.scope import Scope
from data_access.scoping import coached_tickets, lead_coaches

RO, RP = schema.rollup_open_recovery, schema.rollup_responses_person
R, T, RI = schema.responses, schema.tickets, schema.recovery_items
ZERO, MINUS_ONE = sa.literal_column("0", sa.Integer), sa.literal_column("-1", sa.Integer)


def serves_recovery_counts(threshold: int, since: dt.datetime) -> bool:
    """Whether rollup_open_recovery holds the answers of these counts: a threshold it keeps and a
    start at midnight (its rows are whole days)."""
    return threshold <= OPEN_RECOVERY_MAX and since == dt.datetime.combine(since.date(), dt.time())


def open_recovery_query(*, scope: Scope, threshold: int, since: dt.datetime, now: dt.datetime,
                        target_hours: int, keys: list[tuple[int, int]] | None = None) -> sa.Select:
    """Twin of `coaching.recovery_counts_query`: analyst_id, open_recovery, overdue_recovery.

    Open answers and those not contacted yet come from rollup_open_recovery. Which of the latter are
    overdue depends on the moment of reading, so the few not yet due at `now` are counted on the base
    tables and taken away: items due from `now` on (the due-time index finds them), and answers with
    no item submitted too recently to be due (`recovery.not_due_since` bounds them; `keys`, ranges
    of ticket keys holding every answer submitted from then on, let a scan skip the others)."""
    stored = (sa.select(RO.c.analyst_id, RO.c.n.label("open"), RO.c.uncontacted.label("uncontacted"))
              .where(RO.c.day >= since.date(), RO.c.happiness <= threshold, lead_coaches(scope, RO.c.analyst_id)))
    unhappy = [R.c.happiness <= threshold, R.c.submitted_at >= since, *coached_tickets(scope)]
    waiting_items = (sa.select(T.c.analyst_id, ZERO.label("open"), MINUS_ONE.label("uncontacted"))
                     .select_from(RI.join(R, R.c.ticket_key == RI.c.ticket_key)
                                  .join(T, T.c.ticket_key == RI.c.ticket_key))
                     .where(RI.c.due_at >= now, RI.c.first_contact_at.is_(None), RI.c.resolved_at.is_(None),
                            *unhappy))
    ranged = [] if keys is None else [in_ranges(R.c.ticket_key, keys), in_ranges(T.c.ticket_key, keys)]
    item = sa.and_(RI.c.ticket_key == R.c.ticket_key, *([] if keys is None else [in_ranges(RI.c.ticket_key, keys)]))
    waiting_answers = (sa.select(T.c.analyst_id, ZERO.label("open"), MINUS_ONE.label("uncontacted"))
                       .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key).outerjoin(RI, item))
                       .where(RI.c.ticket_key.is_(None), R.c.submitted_at >= recovery.not_due_since(now, target_hours),
                              sa.not_(recovery.overdue_condition(R.c.submitted_at, now, target_hours)), *unhappy,
                              *ranged))
    rows = sa.union_all(stored, waiting_items, waiting_answers).subquery("open_rows")
    return (sa.select(rows.c.analyst_id, sa.func.sum(rows.c.open).label("open_recovery"),
                      sa.func.sum(rows.c.uncontacted).label("overdue_recovery"))
            .group_by(rows.c.analyst_id))


def answer_days_query(*, scope: Scope, since: dt.datetime) -> sa.Select:
    """analyst_id, day, n: answers about each analyst of the lead's teams per day from `since`'s day
    on (the per-analyst twin of rollup_responses: a few rows per analyst and day)."""
    return (sa.select(RP.c.analyst_id, RP.c.day, sa.func.sum(RP.c.n).label("n"))
            .where(RP.c.day >= since.date(), lead_coaches(scope, RP.c.analyst_id))
            .group_by(RP.c.analyst_id, RP.c.day))


def newest_windows(days: pl.DataFrame, since: dt.datetime, newest: int) -> dict[int, tuple[dt.datetime, dt.datetime]]:
    """analyst_id → [start, end): the days holding each analyst's `newest` answers submitted since
    `since` (all of them when they have fewer), from `answer_days_query`'s rows. From the newest day
    back until the days hold `newest` answers; a day before `since` never counts."""
    out: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    per_analyst = (days.filter(pl.col("n") > 0).sort("analyst_id", "day", descending=[False, True])
                   .with_columns(before=pl.col("n").cum_sum().over("analyst_id") - pl.col("n"))
                   .filter(pl.col("before") < newest)
                   .group_by("analyst_id").agg(pl.col("day").min().alias("first"), pl.col("day").max().alias("last")))
    for analyst_id, first, last in per_analyst.iter_rows():
        start = max(since, dt.datetime.combine(first, dt.time()))
        out[analyst_id] = (start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    return out


def merged(windows: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    """The same moments as fewer [start, end) ranges: overlapping or touching ones joined."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in sorted(windows):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


# Ticket keys of the answers a read needs lie in few ranges (recent answers are about recent tickets):
# a scan of tickets or answers restricted to those ranges skips the rest of the warehouse.
KEY_BUCKET = 1 << 16
MAX_RANGES = 64


def key_ranges_query(spans: list[tuple[dt.datetime, dt.datetime | None]]) -> sa.Select:
    """low, high: the ticket keys of the answers submitted in `spans` ([start, end), end None: on
    and on), per bucket of KEY_BUCKET consecutive keys."""
    inside = [sa.and_(R.c.submitted_at >= start, *([] if end is None else [R.c.submitted_at < end]))
              for start, end in spans]
    bucket = R.c.ticket_key // KEY_BUCKET
    return (sa.select(sa.func.min(R.c.ticket_key).label("low"), sa.func.max(R.c.ticket_key).label("high"))
            .where(sa.or_(sa.false(), *inside)).group_by(bucket))


def key_ranges(rows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`key_ranges_query`'s rows as at most MAX_RANGES ranges [low, high] (neighbours joined)."""
    out: list[tuple[int, int]] = []
    for low, high in sorted((int(lo), int(hi)) for lo, hi in rows):
        if out and low - out[-1][1] <= KEY_BUCKET:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out if len(out) <= MAX_RANGES else [(out[0][0], max(hi for _, hi in out))]


def in_ranges(column: sa.ColumnElement, ranges: list[tuple[int, int]]) -> sa.ColumnElement:
    """`column` lies in one of the ranges (no range: false)."""
    return sa.or_(sa.false(), *[column.between(low, high) for low, high in ranges])
