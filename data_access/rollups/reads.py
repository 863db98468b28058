"""The pages' GROUP BY reads, answered from the rollups instead of the base tables.

Each builder returns the same columns as its base-table twin (named in its docstring), so the
readers switch source without the figures changing. The viewer's scope and the page's slices
apply to the rollup's own team/analyst/channel/type/service columns, the period to its day.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access import schema
from data_access.dialect import month_start, week_start
from data_access.filters import Filters, period_bounds, ticket_slice
from data_access.rollups.sources import contact_in_time, next_month
from data_access.scope import Scope
from data_access.scoping import ticket_scope, within_team

RR, RT = schema.rollup_responses, schema.rollup_tickets
PERSON_KEYS = frozenset({"month", "week", "team_id", "analyst_id", "sla_met"})
RFA, RL = schema.rollup_factors, schema.rollup_lost
F = schema.factors
GRAIN_KEYS = frozenset({"month", "week", "team_id", "analyst_id", "channel", "service_id", "ticket_type", "sla_met",
                        "reassignment_count"})
SUMMED = (["n", "happy", "unhappy"] + [f"{d}_{s}" for d in schema.CARE_DIMENSIONS for s in ("n", "sum", "sumsq")]
          + ["lost_n", "lost_sum", "lost_sumsq"])


def covers(by: tuple[str, ...]) -> bool:
    """Whether the rollups hold this grain (priority and reopened are not kept)."""
    return set(by) <= GRAIN_KEYS


def _key(table: sa.Table, name: str) -> sa.ColumnElement:
    if name == "month":
        return month_start(table.c.day).label("month")
    if name == "week":
        return week_start(table.c.day).label("week")
    return table.c[name].label(name)


def period(table: sa.Table, filters: Filters) -> list[sa.ColumnElement]:
    """The half-open period [start, end) on the rollup's day."""
    return [table.c.day >= filters.start, table.c.day < filters.end]


def _where(table: sa.Table, scope: Scope, filters: Filters, own_only: bool = True) -> list[sa.ColumnElement]:
    return [*period(table, filters), *ticket_slice(filters, table), *ticket_scope(scope, table, own_only=own_only)]


def fine_or_person(daily: sa.Table, by: tuple[str, ...], filters: Filters | None) -> sa.Table:
    """The daily rollup, or its per-analyst twin (day × team × analyst × SLA met) when the read
    groups by nothing finer and filters no channel, ticket type or service — a few rows per
    analyst and day instead of one per slice."""
    sliced = filters is not None and (filters.channels or filters.ticket_types or filters.service_ids)
    twin = {RR.name: schema.rollup_responses_person, RT.name: schema.rollup_tickets_person}.get(daily.name)
    return twin if twin is not None and set(by) <= PERSON_KEYS and not sliced else daily


def measure(name: str, src=RR) -> sa.ColumnElement:
    """One statistic of `stats.response_stats`, summed over rollup_responses rows (or `src`'s)."""
    if name == "sla_met_n":
        return sa.func.sum(sa.case((src.c.sla_met, src.c.n), else_=0)).label(name)
    if name == "sla_met_unhappy":
        return sa.func.sum(sa.case((src.c.sla_met, src.c.unhappy), else_=0)).label(name)
    if name == "analysts":  # distinct resolvers (every rollup row stands for at least one answer)
        return sa.func.count(sa.distinct(src.c.analyst_id)).label(name)
    return sa.func.sum(src.c[name]).label(name)


def whole_months(filters: Filters) -> tuple[dt.date, dt.date] | None:
    """[first, end) of the calendar months lying wholly inside the period, if any."""
    first = filters.start if filters.start.day == 1 else next_month(filters.start)
    end = filters.end.replace(day=1)
    return (first, end) if first < end else None


def org_source(daily: sa.Table, monthly: sa.Table, filters: Filters, columns: list[str]):
    """Rows of the period with `columns` (no analyst): the monthly twin for whole months, the
    daily rollup for the days before and after them. Already limited to the period."""
    months = whole_months(filters)
    if months is None:
        return sa.select(*[daily.c[c] for c in columns]).where(*period(daily, filters)).subquery("r")
    first, end = months
    edges = sa.or_(sa.and_(daily.c.day >= filters.start, daily.c.day < first),
                   sa.and_(daily.c.day >= end, daily.c.day < filters.end))
    return sa.union_all(
        sa.select(*[monthly.c[c] for c in columns]).where(monthly.c.day >= first, monthly.c.day < end),
        sa.select(*[daily.c[c] for c in columns]).where(edges)).subquery("r")


def _org_level(scope: Scope, by: tuple[str, ...], own_only: bool, names: tuple[str, ...] = ()) -> bool:
    """Whether a read can use the monthly twins: it names no analyst, counts no distinct analysts,
    is not an analyst's own and does not group by week (weeks straddle months). A lead's or an
    analyst's team read needs the analyst column too: who may see whom goes by the analyst's home
    team (`scoping`), which the twins (ticket team only) cannot tell."""
    return ("analyst_id" not in by and "week" not in by and "analysts" not in names
            and scope.role == "cio")


ORG_KEYS = ["day", "team_id", "channel", "ticket_type", "service_id", "sla_met", "reassignment_count"]


def _grouped(stmt: sa.Select, keys: list[sa.ColumnElement]) -> sa.Select:
    return stmt.group_by(*keys).order_by(*keys) if keys else stmt


def response_stats_query(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (), own_only: bool = True,
                         measures: tuple[str, ...] | None = None) -> sa.Select:
    """Twin of `stats.response_stats_query` (or of any subset of its statistics, `measures`)."""
    names = measures or (*SUMMED[:3], "analysts", *SUMMED[3:], "sla_met_n", "sla_met_unhappy")
    if not _org_level(scope, by, own_only, names):
        src = fine_or_person(RR, by, filters)
        keys = [_key(src, b) for b in by]
        where = _where(src, scope, filters, own_only)
        if "analysts" in names and "analyst_id" not in by:
            return _analysts_by_hashing(src, by, names, where)
        stmt = sa.select(*keys, *[measure(m, src) for m in names]).where(*where)
        return _grouped(stmt, keys)
    summed = sorted({c for m in names for c in ([m] if m in SUMMED else ["n", "unhappy"])})
    src = org_source(RR, schema.rollup_responses_monthly, filters, ORG_KEYS + summed)
    keys = [_key(src, b) for b in by]
    stmt = sa.select(*keys, *[measure(m, src) for m in names]).where(
        *ticket_slice(filters, src), *ticket_scope(scope, src, own_only=own_only))
    return _grouped(stmt, keys)


def _analysts_by_hashing(src: sa.Table, by: tuple[str, ...], names: tuple[str, ...], where: list) -> sa.Select:
    """The statistics `names` by `by`, distinct analysts included, in two steps: per group and
    analyst, then per group (counting the analysts' rows). Same figures as COUNT(DISTINCT …), but
    two hash aggregations, which PostgreSQL runs several times faster than its sorted distinct."""
    summed = [m for m in names if m != "analysts"]
    inner = (sa.select(*[_key(src, b) for b in by], src.c.analyst_id.label("per_analyst"),
                       *[measure(m, src) for m in summed])
             .where(*where).group_by(*[_key(src, b) for b in by], src.c.analyst_id).subquery("per_analyst"))
    keys = [inner.c[b] for b in by]
    cols = [sa.func.count().label(m) if m == "analysts" else sa.func.sum(inner.c[m]).label(m) for m in names]
    return _grouped(sa.select(*keys, *cols), keys)


def ticket_stats_query(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (),
                       own_only: bool = True) -> sa.Select:
    """Twin of `stats.ticket_stats_query`: tickets, sla_met_tickets (period on the resolution day)."""
    if _org_level(scope, by, own_only):
        src = org_source(RT, schema.rollup_tickets_monthly, filters, ORG_KEYS + ["tickets"])
        where = [*ticket_slice(filters, src), *ticket_scope(scope, src, own_only=own_only)]
    else:
        src = fine_or_person(RT, by, filters)
        where = _where(src, scope, filters, own_only)
    keys = [_key(src, b) for b in by]
    stmt = sa.select(*keys, sa.func.sum(src.c.tickets).label("tickets"),
                     sa.func.sum(sa.case((src.c.sla_met, src.c.tickets), else_=0)).label("sla_met_tickets")
                     ).where(*where)
    return _grouped(stmt, keys)


def lost_histogram_query(*, scope: Scope, filters: Filters, own_only: bool = True) -> sa.Select:
    """Twin of `stats.lost_histogram_query`: lost_minutes (whole), count."""
    return (sa.select(RL.c.lost_minutes, sa.func.sum(RL.c.n).label("count"))
            .where(*_where(RL, scope, filters, own_only))
            .group_by(RL.c.lost_minutes).order_by(RL.c.lost_minutes))


def org_factor_counts_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Twin of `trends.factor_counts_query`: factor_id, label, polarity, current, previous."""
    previous = filters.previous()
    in_current = RFA.c.day >= filters.start
    return (sa.select(F.c.factor_id, F.c.label, F.c.polarity,
                      sa.func.sum(sa.case((in_current, RFA.c.n), else_=0)).label("current"),
                      sa.func.sum(sa.case((in_current, 0), else_=RFA.c.n)).label("previous"))
            .select_from(RFA.join(F, RFA.c.factor_id == F.c.factor_id))
            .where(RFA.c.day >= previous.start, RFA.c.day < filters.end,
                   *ticket_slice(filters, RFA), *ticket_scope(scope, RFA))
            .group_by(F.c.factor_id, F.c.label, F.c.polarity)
            .order_by(F.c.factor_id))


def response_total_query(*, scope: Scope, filters: Filters, column: str = "happy") -> sa.Select:
    """One summed column of rollup_responses in the period and slices — `happy` (answers scoring
    9–10) or `kudos` (answers recognised with kudos): a scalar sub-query of the culture counts."""
    if scope.role != "cio":  # a lead's read needs the analyst column (see `_org_level`)
        src = fine_or_person(RR, (), filters)
        return sa.select(sa.func.coalesce(sa.func.sum(src.c[column]), 0)).where(*_where(src, scope, filters))
    src = org_source(RR, schema.rollup_responses_monthly, filters, ORG_KEYS + [column])
    return sa.select(sa.func.coalesce(sa.func.sum(src.c[column]), 0)).where(*ticket_slice(filters, src),
                                                                             *ticket_scope(scope, src))


def recovery_counts_queries(*, scope: Scope, filters: Filters, as_of: dt.datetime) -> list[sa.Select]:
    """Twins of the recovery counts of `trends.culture_counts_query`, as scalar SELECTs: items,
    decided (due by `as_of` or contacted in time) and contacted in time, of items opened in the period.

    Items and in-time contacts come from rollup_recovery. Which items are decided depends on the
    moment of reading, so the few not yet due at `as_of` and not contacted in time (opened within
    the last target hours; the due-time index finds them) are counted on recovery_items and
    subtracted."""
    RC, RI, T = schema.rollup_recovery, schema.recovery_items, schema.tickets
    where = _where(RC, scope, filters)
    items = sa.func.coalesce(sa.func.sum(RC.c["items"]), 0)
    start, end = period_bounds(filters)
    pending = (sa.select(sa.func.count()).select_from(RI.join(T, T.c.ticket_key == RI.c.ticket_key))
               .where(RI.c.due_at > as_of, sa.not_(contact_in_time()), RI.c.created_at >= start,
                      RI.c.created_at < end, *ticket_slice(filters), *ticket_scope(scope)))
    return [sa.select(items).where(*where),
            sa.select(items - pending.scalar_subquery()).where(*where),
            sa.select(sa.func.coalesce(sa.func.sum(RC.c.in_time), 0)).where(*where)]


def channel_rates_query(*, scope: Scope, filters: Filters, by: tuple[str, ...] = ()) -> sa.Select:
    """Twin of `surveys.rates.channel_rates_query`: per channel (and `by`) closed, responses,
    invited, answered and distinct analysts (disclosure control only), from the tickets rollups:
    per group and analyst, then per group (counting the analysts' rows).

    Grouped by nothing finer than week, month and team, and not sliced by service or ticket type,
    the rows come from the weekly twin (analyst × channel × part of a week, a fortieth of the daily
    rows) for the parts of weeks inside the period, and from the daily rollup at its edges."""
    names = ("tickets", "responded", "invited", "answered")
    keys = ["channel", *(b for b in by if b != "channel")]
    if set(keys) <= {"channel", "team_id", "week", "month"} and not (filters.service_ids or filters.ticket_types):
        rows = weekly_rows(RT, schema.rollup_tickets_weekly, scope, filters,
                           ["team_id", "analyst_id", "channel", *names])
        group, where = [rows.c[k] for k in keys] + [rows.c.analyst_id], []
    else:
        rows = RT
        group, where = [_key(RT, k) for k in keys] + [RT.c.analyst_id], _where(RT, scope, filters)
    inner = (sa.select(*group, *[sa.func.sum(rows.c[n]).label(n) for n in names]).where(*where)
             .group_by(*group).subquery("per_analyst"))
    outer = [inner.c[k] for k in keys]
    return (sa.select(*outer, sa.func.sum(inner.c.tickets).label("closed"),
                      sa.func.sum(inner.c.responded).label("responses"),
                      sa.func.sum(inner.c.invited).label("invited"),
                      sa.func.sum(inner.c.answered).label("answered"), sa.func.count().label("analysts"))
            .group_by(*outer).order_by(*outer))


def parts_within(weekly: sa.Table, first: dt.date, end: dt.date) -> list[sa.ColumnElement]:
    """Conditions on a weekly twin for the parts of weeks lying wholly in [first, end) (`week_parts`).
    A part starts on its week's Monday or on the first of its month, whichever is later; the
    redundant lower bound on `week` (a part starting on or after `first` has its Monday at most six
    days earlier) lets PostgreSQL read the range from the week index, and DuckDB skip older row
    groups, instead of scanning every earlier year to test the OR."""
    return [weekly.c.week >= first - dt.timedelta(days=6), sa.or_(weekly.c.week >= first, weekly.c.month >= first),
            weekly.c.week < end, weekly.c.month < end]


def weekly_rows(daily: sa.Table, weekly: sa.Table, scope: Scope, filters: Filters, columns: list[str]) -> sa.Subquery:
    """Rows of the period and scope with `week`, `month` and `columns`: the weekly twin's parts of
    weeks lying wholly inside the period, and the daily rollup's rows of the days at its edges."""
    parts = week_parts(filters)
    first, end = parts if parts is not None else (filters.end, filters.end)
    selects = []
    if parts is not None:
        selects.append(sa.select(weekly.c.week, weekly.c.month, *[weekly.c[c] for c in columns])
                       .where(*parts_within(weekly, first, end), *ticket_slice(filters, weekly),
                              *ticket_scope(scope, weekly)))
    if parts is None or first != filters.start or end != filters.end:
        edges = [] if parts is None else [sa.or_(daily.c.day < first, daily.c.day >= end)]
        selects.append(sa.select(_key(daily, "week"), _key(daily, "month"), *[daily.c[c] for c in columns])
                       .where(*_where(daily, scope, filters), *edges))
    return (selects[0] if len(selects) == 1 else sa.union_all(*selects)).subquery("weekly_rows")


def customer_ratings_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Twin of `trends.customer_ratings_query`: per analyst and home team, CARE n / sum / sumsq."""
    A = schema.analysts
    src = fine_or_person(RR, ("analyst_id",), filters)
    cols = [src.c.analyst_id, A.c.team_id,
            *[measure(f"{d}_{s}", src) for d in schema.CARE_DIMENSIONS for s in ("n", "sum", "sumsq")]]
    return (sa.select(*cols).select_from(src.join(A, src.c.analyst_id == A.c.analyst_id))
            .where(*_where(src, scope, filters)).group_by(src.c.analyst_id, A.c.team_id))


def team_factor_counts_query(*, scope: Scope, analyst_id: int, team_id: int, filters: Filters) -> sa.Select:
    """Twin of `coaching.factor_counts_query`: factor_id, analyst_count, team_count (the analyst's
    home team: every answer about its analysts, whatever queue the ticket sat in)."""
    mine = sa.case((RFA.c.analyst_id == analyst_id, RFA.c.n), else_=0)
    return (sa.select(RFA.c.factor_id, sa.func.sum(mine).label("analyst_count"),
                      sa.func.sum(RFA.c.n).label("team_count"))
            .where(*period(RFA, filters), *ticket_scope(within_team(scope, team_id), RFA))
            .group_by(RFA.c.factor_id))


def member_stats_query(*, scope: Scope, filters: Filters | None = None, by_month: bool = False,
                       in_period_from: dt.date | None = None,
                       ranges: tuple[tuple[dt.date, dt.date], ...] | None = None) -> sa.Select:
    """Twin of My feedback's per-team-member reads: analyst_id [, month] [, in_period] and the
    statistics n, happy, unhappy, CARE n/sum/sumsq, lost_n, lost_sum of the analyst's team."""
    src = schema.rollup_responses_person  # a period and the home team only: never sliced
    keys: list[sa.ColumnElement] = [src.c.analyst_id]
    if by_month:
        keys.append(month_start(src.c.day).label("month"))
    if in_period_from is not None:
        keys.append(sa.case((src.c.day >= in_period_from, 1), else_=0).label("in_period"))
    names = SUMMED[:-1]  # no lost_sumsq on that page
    where = [*ticket_scope(scope, src, own_only=False)]
    if filters is not None:
        where += period(src, filters)
    if ranges is not None:
        inside = [sa.and_(src.c.day >= a, src.c.day < b) for a, b in ranges]
        where.append(sa.or_(*inside) if inside else sa.false())
    return sa.select(*keys, *[measure(m, src) for m in names]).where(*where).group_by(*keys)


def factor_code_count_query(*, scope: Scope, filters: Filters, code: str) -> sa.Select:
    """Responses of the viewer's own scope in the period naming the factor with this code."""
    return (sa.select(sa.func.coalesce(sa.func.sum(RFA.c.n), 0))
            .select_from(RFA.join(F, F.c.factor_id == RFA.c.factor_id))
            .where(F.c.code == code, *period(RFA, filters), *ticket_scope(scope, RFA, own_only=True)))


def analyst_weeks_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Twin of `trends.analyst_weeks_query`: week, month, team_id, analyst_id, n (disclosure control only)."""
    src = fine_or_person(RR, ("week", "month", "team_id", "analyst_id"), filters)
    keys = [_key(src, "week"), _key(src, "month"), src.c.team_id, src.c.analyst_id]
    return (sa.select(*keys, sa.func.sum(src.c.n).label("n")).where(*_where(src, scope, filters))
            .group_by(*keys))


CELL_KEYS = ("week", "month", "team_id", "service_id", "channel", "ticket_type", "sla_met", "reassignment_count")
CELL_SUMS = ("n", "happy", "unhappy", "lost_n", "lost_sum")


def week_parts(filters: Filters) -> tuple[dt.date, dt.date] | None:
    """[first, end) of the parts of weeks (week × calendar month) lying wholly inside the period:
    from the first Monday or first of a month on or after its start to the last one on or before
    its end (None when there is none between)."""
    def boundary(day: dt.date, step: int) -> dt.date:
        while day.weekday() != 0 and day.day != 1:
            day += dt.timedelta(days=step)
        return day

    first, end = boundary(filters.start, 1), boundary(filters.end, -1)
    return (first, end) if first < end else None


def analyst_cells_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Twin of `trends.analyst_cells_query`: every cell dimension, analyst_id and the `CELL_SUMS`.
    The weekly cells twin holds exactly these keys, so the parts of weeks lying wholly inside the
    period are its rows as they are; days at the period's edges that cut a part of a week are
    summed from the daily rollup (which holds the same keys by day)."""
    keys = [_key(RR, k) for k in CELL_KEYS] + [RR.c.analyst_id]
    edge_days = _where(RR, scope, filters)
    parts = week_parts(filters)
    if parts is None:
        return (sa.select(*keys, *[sa.func.sum(RR.c[c]).label(c) for c in CELL_SUMS]).where(*edge_days)
                .group_by(*keys))
    first, end = parts
    RW = schema.rollup_responses_weekly
    whole = (sa.select(*[RW.c[k] for k in CELL_KEYS], RW.c.analyst_id, *[RW.c[c] for c in CELL_SUMS])
             .where(*parts_within(RW, first, end), *ticket_slice(filters, RW), *ticket_scope(scope, RW)))
    if first == filters.start and end == filters.end:
        return whole
    edges = sa.or_(RR.c.day < first, RR.c.day >= end)
    return sa.union_all(whole, sa.select(*keys, *[sa.func.sum(RR.c[c]).label(c) for c in CELL_SUMS])
                        .where(*edge_days, edges).group_by(*keys))


def cell_size_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Twin of `drill.cell_size_query` without a factor: n, analysts, commented of the cell, from
    the weekly cells twin (and the daily rollup at the period's edges)."""
    rows = weekly_rows(RR, schema.rollup_responses_weekly, scope, filters, ["analyst_id", "n", "commented"])
    return sa.select(sa.func.coalesce(sa.func.sum(rows.c.n), 0).label("n"),
                     sa.func.count(sa.distinct(rows.c.analyst_id)).label("analysts"),
                     sa.func.coalesce(sa.func.sum(rows.c.commented), 0).label("commented"))
