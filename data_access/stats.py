"""Sufficient statistics of responses and tickets at any grain a page needs, computed in SQL.

Every page reads through these few GROUP BY queries: they return counts and sums (never raw
rows), filtered by the viewer's scope and the page's filters, and `metrics/` turns them into
Happiness, intervals and the rest.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access import query, schema
from data_access.dialect import as_int, month_start, week_start
from data_access.filters import Filters, response_period, ticket_period, ticket_slice
from data_access.rollups import reads as rollup_reads
from data_access.rollups.state import use_rollups
from data_access.scope import Scope, ScopeError
from data_access.scoping import ticket_scope
from metrics.happiness import HAPPY_MIN, UNHAPPY_MAX

T = schema.tickets
R = schema.responses
A = schema.analysts

GROUPABLE: dict[str, sa.ColumnElement] = {
    "month": month_start(R.c.submitted_at).label("month"),
    "week": week_start(R.c.submitted_at).label("week"),
    # The ticket's assignment group (team-level figures about the service, e.g. Culture trends) …
    "team_id": T.c.team_id,
    # … and the resolving analyst's home team (a lead's own teams: the who-may-see-whom rule).
    "home_team_id": A.c.team_id.label("home_team_id"),
    "analyst_id": T.c.analyst_id,
    "channel": T.c.channel,
    "service_id": T.c.service_id,
    "ticket_type": T.c.ticket_type,
    "sla_met": T.c.sla_met,
    "reopened": T.c.reopened,
    "priority": T.c.priority,
    "reassignment_count": sa.case((T.c.reassignment_count >= 3, 3),
                                  else_=T.c.reassignment_count).label("reassignment_count"),
}
TICKET_GROUPABLE = dict(GROUPABLE, month=month_start(T.c.resolved_at).label("month"),
                        week=week_start(T.c.resolved_at).label("week"))


def _with_home_team(joined, by: tuple[str, ...]):
    """Join the analysts table only when a figure is grouped by the analyst's home team."""
    return joined.join(A, A.c.analyst_id == T.c.analyst_id) if "home_team_id" in by else joined


def _check_grain(scope: Scope, by: tuple[str, ...], own_only: bool) -> None:
    unknown = set(by) - set(GROUPABLE)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    if "analyst_id" in by and (scope.role in ("cio", "admin") or (scope.role == "analyst" and not own_only)):
        raise ScopeError("per-analyst figures are not visible to this viewer")


def response_stats_query(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (),
                         own_only: bool = True) -> sa.Select:
    """The SELECT behind `response_stats` (exposed so tests can compile it for every dialect)."""
    _check_grain(scope, by, own_only)
    happy = as_int(R.c.happiness >= HAPPY_MIN)
    unhappy = as_int(R.c.happiness <= UNHAPPY_MAX)
    cols: list[sa.ColumnElement] = [GROUPABLE[b] for b in by]
    cols += [
        sa.func.count().label("n"),
        sa.func.sum(happy).label("happy"),
        sa.func.sum(unhappy).label("unhappy"),
        sa.func.count(sa.distinct(T.c.analyst_id)).label("analysts"),
    ]
    for dim in schema.CARE_DIMENSIONS:
        c = R.c[dim]
        cols += [sa.func.count(c).label(f"{dim}_n"), sa.func.sum(c).label(f"{dim}_sum"),
                 sa.func.sum(c * c).label(f"{dim}_sumsq")]
    lost = R.c.lost_minutes
    cols += [sa.func.count(lost).label("lost_n"), sa.func.sum(lost).label("lost_sum"),
             sa.func.sum(lost * lost).label("lost_sumsq"),
             sa.func.sum(as_int(T.c.sla_met)).label("sla_met_n"),
             sa.func.sum(as_int(sa.and_(T.c.sla_met, R.c.happiness <= UNHAPPY_MAX))).label("sla_met_unhappy")]
    stmt = (sa.select(*cols).select_from(_with_home_team(R.join(T, R.c.ticket_key == T.c.ticket_key), by))
            .where(*response_period(filters), *ticket_slice(filters),
                   *ticket_scope(scope, own_only=own_only)))
    if by:
        keys = [GROUPABLE[b] for b in by]
        stmt = stmt.group_by(*keys).order_by(*keys)
    return stmt


STAT_COLUMNS = (["n", "happy", "unhappy", "analysts"]
                + [f"{d}_{s}" for d in schema.CARE_DIMENSIONS for s in ("n", "sum", "sumsq")]
                + ["lost_n", "lost_sum", "lost_sumsq", "sla_met_n", "sla_met_unhappy"])


def stat_types(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts as Int64 and sums as Float64 (0 where no rows), months as dates, flags as booleans."""
    fixes = []
    for c in frame.columns:
        if c in STAT_COLUMNS or c == "tickets" or c.endswith("_tickets"):
            fixes.append(pl.col(c).cast(pl.Float64).fill_null(0.0) if c.endswith(("sum", "sumsq"))
                         else pl.col(c).cast(pl.Int64).fill_null(0))
        elif c in ("month", "week"):
            fixes.append(pl.col(c).cast(pl.Date))
        elif c == "sla_met" or c == "reopened":
            fixes.append(pl.col(c).cast(pl.Boolean))
    return frame.with_columns(fixes) if fixes else frame


def response_stats(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (),
                   own_only: bool = True, url: str | None = None) -> pl.DataFrame:
    """Sufficient statistics of responses in `filters`' period and slices, grouped by `by`.

    Columns: the `by` keys, then n, happy, unhappy, analysts (distinct resolvers, for disclosure
    control), `<care>_n/_sum/_sumsq`, lost_n/_sum/_sumsq, sla_met_n, sla_met_unhappy. `month` is the first day of the submission month.
    """
    return _stats(response_stats_query, rollup_reads.response_stats_query, scope=scope, filters=filters,
                  by=by, own_only=own_only, url=url)


def ticket_stats_query(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (),
                       own_only: bool = True) -> sa.Select:
    """The SELECT behind `ticket_stats`."""
    _check_grain(scope, by, own_only)
    keys = [TICKET_GROUPABLE[b] for b in by]
    stmt = (sa.select(*keys, sa.func.count().label("tickets"),
                      sa.func.sum(as_int(T.c.sla_met)).label("sla_met_tickets"))
            .select_from(_with_home_team(T, by))
            .where(*ticket_period(filters), *ticket_slice(filters),
                   *ticket_scope(scope, own_only=own_only)))
    return stmt.group_by(*keys).order_by(*keys) if by else stmt


def ticket_stats(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (),
                 own_only: bool = True, url: str | None = None) -> pl.DataFrame:
    """Closed tickets in the period (by resolution time): `tickets` and `sla_met_tickets` per group.

    The denominator of the response rate and of total lost hours.
    """
    return _stats(ticket_stats_query, rollup_reads.ticket_stats_query, scope=scope, filters=filters,
                  by=by, own_only=own_only, url=url)


def _stats(base_query, rollup_query, *, scope: Scope, filters: Filters, by: tuple[str, ...],
           own_only: bool, url: str | None) -> pl.DataFrame:
    """Run a statistics query on the rollups when they cover `by` and are fresh, else on the base
    tables; both return the same columns."""
    _check_grain(scope, by, own_only)
    build = rollup_query if rollup_reads.covers(by) and use_rollups(url, filters) else base_query
    return stat_types(query.frame(build(scope=scope, filters=filters, by=by, own_only=own_only), url=url))


def lost_histogram_query(*, scope: Scope, filters: Filters, own_only: bool = True) -> sa.Select:
    """The SELECT behind `lost_histogram`."""
    value = sa.func.round(R.c.lost_minutes).label("lost_minutes")
    return (sa.select(value, sa.func.count().label("count"))
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(R.c.lost_minutes.is_not(None), *response_period(filters), *ticket_slice(filters),
                   *ticket_scope(scope, own_only=own_only))
            .group_by(value).order_by(value))


def lost_histogram(*, scope: Scope, filters: Filters, own_only: bool = True,
                   url: str | None = None) -> pl.DataFrame:
    """How many responses reported each (whole) number of lost minutes: for the Pareto share."""
    stmt = (rollup_reads.lost_histogram_query(scope=scope, filters=filters, own_only=own_only)
            if use_rollups(url, filters) else lost_histogram_query(scope=scope, filters=filters, own_only=own_only))
    frame = query.frame(stmt, url=url)
    return frame.select(pl.col("lost_minutes").cast(pl.Float64), pl.col("count").cast(pl.Int64))

