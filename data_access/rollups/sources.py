"""What each rollup holds, as one SELECT over the base tables per rollup.

The same SELECTs build the rollups in bulk, give the share of the tickets a write touches (before
and after it, for the incremental upkeep in `maintain`), prove the stored rows right (`rollups
check`) and become the scheduler SQL for a read-only warehouse. Every measure is a count or a sum,
so a rollup row is the sum of its tickets' shares; the first measure counts the base rows (a row
whose count is 0 no longer exists).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from data_access import schema
from data_access.dialect import as_int, day_of, month_start, week_start
from data_access.recovery import DEFAULT_THRESHOLD

T, R, RF = schema.tickets, schema.responses, schema.response_factors
K, RI, SI = schema.kudos, schema.recovery_items, schema.survey_invitations
TOUCHED = schema.rollup_touched
# rollup_open_recovery keeps answers up to this score: recovery thresholds up to the default read it,
# a higher one reads the base tables.
OPEN_RECOVERY_MAX = DEFAULT_THRESHOLD


def reassignment_bucket() -> sa.ColumnElement:
    """0, 1, 2 or 3 (3 stands for three reassignments or more)."""
    return sa.case((T.c.reassignment_count >= 3, 3), else_=T.c.reassignment_count)


def contact_in_time(items: sa.Table = RI) -> sa.ColumnElement:
    """A recovery item whose first contact came by its due time."""
    return sa.and_(items.c.first_contact_at.is_not(None), items.c.first_contact_at <= items.c.due_at)


def has_comment() -> sa.ColumnElement:
    """An answer whose comment holds more than blanks (what the drill-through counts as commented)."""
    return sa.and_(R.c.comment.is_not(None), sa.func.length(sa.func.trim(R.c.comment)) > 0)


def _zero(expr: sa.ColumnElement, type_=None) -> sa.ColumnElement:
    # A sum over no non-empty values is NULL; rollup columns are NOT NULL.
    return sa.func.coalesce(expr, 0.0 if type_ == "float" else 0)


@dataclass(frozen=True)
class Rollup:
    """One rollup table, the column its day comes from and the kind of base row it counts."""

    table: sa.Table
    day_source: sa.Column
    kind: str  # 'r': responses (day of submission); 't': tickets (day of resolution);
    #            'i': recovery items (day the item was opened); rollup_open_recovery: unhappy
    #            responses whose recovery is not closed (day of submission)
    monthly: sa.Table | None = None  # the org-level monthly twin, summed from this daily rollup
    person: sa.Table | None = None   # the per-analyst twin (day × team × analyst × SLA met), summed too
    weekly: sa.Table | None = None   # the per-analyst weekly cells twin (Culture trends' cells), summed too

    def keys(self) -> list[tuple[str, sa.ColumnElement]]:
        if self.table is schema.rollup_open_recovery:
            return [("day", day_of(self.day_source)), ("team_id", T.c.team_id), ("analyst_id", T.c.analyst_id),
                    ("happiness", R.c.happiness)]
        keys: list[tuple[str, sa.ColumnElement]] = [
            ("day", day_of(self.day_source)), ("team_id", T.c.team_id), ("analyst_id", T.c.analyst_id),
            ("channel", T.c.channel), ("ticket_type", T.c.ticket_type), ("service_id", T.c.service_id)]
        if self.table is schema.rollup_responses or self.table is schema.rollup_tickets:
            keys += [("sla_met", T.c.sla_met), ("reassignment_count", reassignment_bucket())]
        if self.table is schema.rollup_factors:
            keys.append(("factor_id", RF.c.factor_id))
        if self.table is schema.rollup_lost:
            keys.append(("lost_minutes", sa.func.round(R.c.lost_minutes)))
        return keys

    def measures(self) -> list[tuple[str, sa.ColumnElement]]:
        if self.table is schema.rollup_responses:
            out = [("n", sa.func.count()), ("happy", sa.func.sum(as_int(R.c.happiness >= 9))),
                   ("unhappy", sa.func.sum(as_int(R.c.happiness <= 6)))]
            for dim in schema.CARE_DIMENSIONS:
                c = R.c[dim]
                out += [(f"{dim}_n", sa.func.count(c)), (f"{dim}_sum", _zero(sa.func.sum(c))),
                        (f"{dim}_sumsq", _zero(sa.func.sum(c * c)))]
            lost = R.c.lost_minutes
            return out + [("lost_n", sa.func.count(lost)), ("lost_sum", _zero(sa.func.sum(lost), "float")),
                          ("lost_sumsq", _zero(sa.func.sum(lost * lost), "float")),
                          ("kudos", sa.func.count(K.c.ticket_key)), ("commented", sa.func.sum(as_int(has_comment())))]
        if self.table is schema.rollup_tickets:
            sent = SI.c.sent_at.is_not(None)
            return [("tickets", sa.func.count()), ("responded", sa.func.count(R.c.ticket_key)),
                    ("invited", _zero(sa.func.sum(as_int(sent)))),
                    ("answered", _zero(sa.func.sum(as_int(sa.and_(sent, SI.c.state == "answered")))))]
        if self.table is schema.rollup_recovery:
            return [("items", sa.func.count()), ("in_time", _zero(sa.func.sum(as_int(contact_in_time()))))]
        if self.table is schema.rollup_open_recovery:  # no item yet counts as not contacted
            return [("n", sa.func.count()), ("uncontacted", _zero(sa.func.sum(as_int(RI.c.first_contact_at.is_(None)))))]
        return [("n", sa.func.count())]

    def base(self):
        if self.kind == "t":  # at most one response and one invitation per ticket
            return T.outerjoin(R, R.c.ticket_key == T.c.ticket_key).outerjoin(SI, SI.c.ticket_key == T.c.ticket_key)
        if self.kind == "i":
            return RI.join(T, RI.c.ticket_key == T.c.ticket_key)
        joined = R.join(T, R.c.ticket_key == T.c.ticket_key)
        if self.table is schema.rollup_open_recovery:  # at most one item per response
            return joined.outerjoin(RI, RI.c.ticket_key == R.c.ticket_key)
        if self.table is schema.rollup_responses:  # at most one kudos per response
            return joined.outerjoin(K, K.c.ticket_key == R.c.ticket_key)
        return RF.join(joined, RF.c.ticket_key == R.c.ticket_key) if self.table is schema.rollup_factors \
            else joined

    @property
    def columns(self) -> list[str]:
        return [name for name, _ in self.keys()] + [name for name, _ in self.measures()]

    @property
    def count(self) -> str:
        """The measure counting the base rows behind a rollup row (always the first)."""
        return self.measures()[0][0]

    def source(self, *, touched: str | None = None, sign: int = 1) -> sa.Select:
        """The rollup's rows recomputed from the base tables: all of them, or only the share of
        the tickets listed in rollup_touched under the token `touched` (with `sign` -1: negated,
        to take a share away)."""
        keys, measures = self.keys(), self.measures()
        base = self.base()
        where: list[sa.ColumnElement] = []
        if self.table is schema.rollup_lost:
            where.append(R.c.lost_minutes.is_not(None))
        if self.table is schema.rollup_open_recovery:
            where += [R.c.happiness <= OPEN_RECOVERY_MAX, sa.or_(RI.c.ticket_key.is_(None), RI.c.resolved_at.is_(None))]
        if touched is not None:
            base = base.join(TOUCHED, sa.and_(TOUCHED.c.token == touched, TOUCHED.c.ticket_key == T.c.ticket_key))
        signed = [(name, -expr if sign < 0 else expr) for name, expr in measures]
        return (sa.select(*[expr.label(name) for name, expr in keys + signed])
                .select_from(base).where(*where).group_by(*[expr for _, expr in keys]))

    def twins(self) -> list[tuple[sa.Table, "TwinSource"]]:
        """The rollup's twins, each with the SELECT that sums its rows from daily-shaped rows."""
        out: list[tuple[sa.Table, TwinSource]] = []
        if self.monthly is not None:
            out.append((self.monthly, lambda daily=None, token=None: monthly_source(self, daily=daily, token=token)))
        if self.person is not None:
            out.append((self.person, lambda daily=None, token=None: person_source(self, daily=daily, token=token)))
        if self.weekly is not None:
            out.append((self.weekly, lambda daily=None, token=None: weekly_source(self, daily=daily, token=token)))
        return out


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


TwinSource = Callable[..., sa.Select]


def monthly_source(rollup: Rollup, *, daily: sa.Table | None = None, token: str | None = None) -> sa.Select:
    """The monthly twin's rows summed from the daily rollup (or from the daily-shaped rows of a
    staging table `daily` under `token`)."""
    monthly = rollup.monthly
    daily = rollup.table if daily is None else daily
    month = month_start(daily.c.day)
    keys = [month.label("day")] + [daily.c[c.name] for c in monthly.columns
                                   if c.name != "day" and c.name in {k for k, _ in rollup.keys()}]
    measures = [sa.func.sum(daily.c[name]).label(name) for name, _ in rollup.measures()]
    where = [] if token is None else [daily.c.token == token]
    return (sa.select(*keys, *measures).where(*where)
            .group_by(month, *[k for k in keys[1:]]))


def monthly_columns(rollup: Rollup) -> list[str]:
    return [c.name for c in rollup.monthly.columns]


def person_columns(rollup: Rollup) -> list[str]:
    return [c.name for c in rollup.person.columns]


def person_source(rollup: Rollup, *, daily: sa.Table | None = None, token: str | None = None) -> sa.Select:
    """The per-analyst twin's rows summed from the daily rollup (or from the daily-shaped rows of a
    staging table `daily` under `token`)."""
    daily = rollup.table if daily is None else daily
    keys = [daily.c[name] for name in schema.PERSON_GRAIN]
    measures = [sa.func.sum(daily.c[name]).label(name) for name, _ in rollup.measures()]
    where = [] if token is None else [daily.c.token == token]
    return sa.select(*keys, *measures).where(*where).group_by(*keys)


def weekly_columns(rollup: Rollup) -> list[str]:
    return [c.name for c in rollup.weekly.columns]


def weekly_source(rollup: Rollup, *, daily: sa.Table | None = None, token: str | None = None) -> sa.Select:
    """The weekly twin's rows summed from the daily rollup (or from the daily-shaped rows of a
    staging table `daily` under `token`) per part of a week lying in one month."""
    weekly = rollup.weekly
    daily = rollup.table if daily is None else daily
    week, month = week_start(daily.c.day), month_start(daily.c.day)
    measured = {name for name, _ in rollup.measures()}
    keys = [week.label("week"), month.label("month")] + [daily.c[c.name] for c in weekly.columns
                                                         if c.name not in measured and c.name not in schema.WEEKLY_KEYS]
    measures = [sa.func.sum(daily.c[c]).label(c) for c in weekly_columns(rollup) if c in measured]
    where = [] if token is None else [daily.c.token == token]
    return sa.select(*keys, *measures).where(*where).group_by(week, month, *keys[2:])


ROLLUPS = (
    Rollup(schema.rollup_responses, R.c.submitted_at, "r", schema.rollup_responses_monthly,
           schema.rollup_responses_person, schema.rollup_responses_weekly),
    Rollup(schema.rollup_tickets, T.c.resolved_at, "t", schema.rollup_tickets_monthly, schema.rollup_tickets_person,
           schema.rollup_tickets_weekly),
    Rollup(schema.rollup_factors, R.c.submitted_at, "r"),
    Rollup(schema.rollup_lost, R.c.submitted_at, "r"),
    Rollup(schema.rollup_recovery, RI.c.created_at, "i"),
    Rollup(schema.rollup_open_recovery, R.c.submitted_at, "r"),
)
STATE_NAME = "rollups"
