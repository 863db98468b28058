"""Culture-trends reads beyond `stats.py`: factors, culture indicators, calibration, names.

Same rules as `stats.py`: SQLAlchemy Core with bound parameters, the viewer's scope in the WHERE,
GROUP BY in SQL, small frames out, a `*_query` builder next to each reader, cached with a TTL.
Nothing here returns an analyst's id or name: per-analyst rows needed for the calibration are
reduced to unnamed counts before they leave this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from data_access import clock, config, query, schema
from data_access.dialect import as_int
from data_access.engine import get_engine
from data_access.filters import Filters, period_bounds, response_period, ticket_slice
from data_access.scope import Scope
from data_access.scoping import ticket_scope
from data_access.stats import GROUPABLE, _check_grain, lost_histogram, ticket_stats
from data_access.stats import stat_types
from metrics.culture import (Headline, Rate, calibration_counts, factor_changes, happiness_mix, headline,
                             hotspot_cells, lost_by, monthly_happiness, rate, team_table, totals,
                             watermelon_trend)
from metrics.hotspots import hotspot_impact
from metrics.lost_time import pareto_share
from metrics.reassignment import reassignment_cost
from metrics.watermelon import WatermelonShare, watermelon_share

CHANNEL_LABELS = {"phone": "Phone", "email": "Email", "portal": "Portal", "chat": "Chat", "walk_in": "Walk-in"}

T = schema.tickets
R = schema.responses
A = schema.analysts
F = schema.factors
RF = schema.response_factors
K = schema.kudos
RI = schema.recovery_items
SA = schema.self_assessments
SAR = schema.self_assessment_ratings


def _require_org_view(scope: Scope) -> None:
    """These reads serve the CIO page (also usable by a lead for their own teams)."""
    scope.require("cio", "lead")


def _team_scope(scope: Scope, filters: Filters | None, team_col: sa.ColumnElement) -> list[sa.ColumnElement]:
    """Conditions on a team column: the scope's teams and the filter's teams."""
    conds: list[sa.ColumnElement] = []
    if scope.team_ids:
        conds.append(team_col.in_(scope.team_ids))
    if filters is not None and filters.team_ids:
        conds.append(team_col.in_(filters.team_ids))
    return conds


def _run(stmt: sa.Select, url: str | None) -> pl.DataFrame:
    return query.frame(stmt, url=url)


# ---------------------------------------------------------------- names for filters and labels

def team_names_query(*, scope: Scope) -> sa.Select:
    """The SELECT behind `team_names`."""
    _require_org_view(scope)
    return (sa.select(schema.teams.c.team_id, schema.teams.c.name)
            .where(*_team_scope(scope, None, schema.teams.c.team_id))
            .order_by(schema.teams.c.name))


def service_names_query() -> sa.Select:
    """The SELECT behind `service_names`."""
    return sa.select(schema.services.c.service_id, schema.services.c.name).order_by(schema.services.c.name)


def team_names(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """Teams the viewer may look at: team_id, name (sorted by name)."""
    frame = _run(team_names_query(scope=scope), url)
    return frame if frame.height else pl.DataFrame(schema={"team_id": pl.Int64, "name": pl.String})


def service_names(*, url: str | None = None) -> pl.DataFrame:
    """Every business service: service_id, name (sorted by name)."""
    frame = _run(service_names_query(), url)
    return frame if frame.height else pl.DataFrame(schema={"service_id": pl.Int64, "name": pl.String})


# ---------------------------------------------------------------- experience counts (no CARE sums)

def experience_stats_query(*, scope: Scope, filters: Filters, by: tuple[str, ...] = ()) -> sa.Select:
    """The SELECT behind `experience_stats`: `response_stats` without the CARE columns (a leaner scan)."""
    _require_org_view(scope)
    _check_grain(scope, by, True)
    keys = [GROUPABLE[b] for b in by]
    unhappy = R.c.happiness <= 6
    stmt = (sa.select(*keys,
                      sa.func.count().label("n"),
                      sa.func.sum(as_int(R.c.happiness >= 9)).label("happy"),
                      sa.func.sum(as_int(unhappy)).label("unhappy"),
                      sa.func.count(R.c.lost_minutes).label("lost_n"),
                      sa.func.sum(R.c.lost_minutes).label("lost_sum"),
                      sa.func.sum(as_int(T.c.sla_met)).label("sla_met_n"),
                      sa.func.sum(as_int(sa.and_(T.c.sla_met, unhappy))).label("sla_met_unhappy"))
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*response_period(filters), *ticket_slice(filters), *ticket_scope(scope)))
    return stmt.group_by(*keys).order_by(*keys) if by else stmt


def experience_stats(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (),
                     url: str | None = None) -> pl.DataFrame:
    """Per group: n, happy, unhappy, lost_n, lost_sum, sla_met_n, sla_met_unhappy (see `response_stats`)."""
    stmt = experience_stats_query(scope=scope, filters=filters, by=by)
    return stat_types(query.frame(stmt, url=url))


# ---------------------------------------------------------------- what users say

def factor_counts_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """The SELECT behind `factor_counts`: both periods in one pass over the factor picks."""
    _require_org_view(scope)
    previous = filters.previous()
    cur_start, end = period_bounds(filters)
    prev_start, _ = period_bounds(previous)
    in_current = R.c.submitted_at >= cur_start
    return (sa.select(F.c.factor_id, F.c.label, F.c.polarity,
                      sa.func.sum(as_int(in_current)).label("current"),
                      sa.func.sum(as_int(sa.not_(in_current))).label("previous"))
            .select_from(RF.join(R, RF.c.ticket_key == R.c.ticket_key)
                         .join(T, R.c.ticket_key == T.c.ticket_key)
                         .join(F, RF.c.factor_id == F.c.factor_id))
            .where(R.c.submitted_at >= prev_start, R.c.submitted_at < end,
                   *ticket_slice(filters), *ticket_scope(scope))
            .group_by(F.c.factor_id, F.c.label, F.c.polarity)
            .order_by(F.c.factor_id))


def factor_counts(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """Responses naming each factor in the period (`current`) and the one before (`previous`)."""
    frame = _run(factor_counts_query(scope=scope, filters=filters), url)
    if frame.is_empty():
        return pl.DataFrame(schema={"factor_id": pl.Int64, "label": pl.String, "polarity": pl.String,
                                    "current": pl.Int64, "previous": pl.Int64})
    return frame.with_columns(pl.col("factor_id", "current", "previous").cast(pl.Int64))


# ---------------------------------------------------------------- culture indicators

def culture_counts_query(*, scope: Scope, filters: Filters, as_of: dt.datetime) -> sa.Select:
    """The SELECT behind `culture_counts`: one row of scalar sub-queries, one round trip."""
    _require_org_view(scope)
    start, end = period_bounds(filters)
    scoped = [*ticket_slice(filters), *ticket_scope(scope)]
    kudos = (sa.select(sa.func.count())
             .select_from(K.join(R, K.c.ticket_key == R.c.ticket_key).join(T, R.c.ticket_key == T.c.ticket_key))
             .where(*response_period(filters), *scoped))
    happy = (sa.select(sa.func.count())
             .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
             .where(R.c.happiness >= 9, *response_period(filters), *scoped))
    contact_in_time = sa.and_(RI.c.first_contact_at.is_not(None), RI.c.first_contact_at <= RI.c.due_at)
    # "Decided" items: due by now, or already contacted in time (an early contact counts at once).
    decided = sa.or_(RI.c.due_at <= as_of, contact_in_time)
    recovery = RI.join(T, RI.c.ticket_key == T.c.ticket_key)
    recovery_where = [RI.c.created_at >= start, RI.c.created_at < end, *scoped]
    recovery_items = sa.select(sa.func.count()).select_from(recovery).where(*recovery_where)
    recovery_decided = sa.select(sa.func.count()).select_from(recovery).where(decided, *recovery_where)
    recovery_in_time = sa.select(sa.func.count()).select_from(recovery).where(contact_in_time, *recovery_where)
    analyst_where = [A.c.active.is_(True), *_team_scope(scope, filters, A.c.team_id)]
    analysts = sa.select(sa.func.count()).select_from(A).where(*analyst_where)
    assessed = (sa.select(sa.func.count(sa.distinct(SA.c.analyst_id)))
                .select_from(SA.join(A, SA.c.analyst_id == A.c.analyst_id))
                .where(SA.c.submitted_at >= start, SA.c.submitted_at < end, *analyst_where))
    return sa.select(
        kudos.scalar_subquery().label("kudos"),
        happy.scalar_subquery().label("happy_responses"),
        recovery_items.scalar_subquery().label("recovery_items"),
        recovery_decided.scalar_subquery().label("recovery_due"),
        recovery_in_time.scalar_subquery().label("recovery_in_time"),
        analysts.scalar_subquery().label("active_analysts"),
        assessed.scalar_subquery().label("self_assessed"),
    )


def culture_counts(*, scope: Scope, filters: Filters, url: str | None = None) -> dict[str, int]:
    """Counts behind the culture indicators, for the period and slices.

    kudos / happy_responses (9–10 answers recognised with kudos), recovery_in_time / recovery_due
    (recovery items contacted by their due time, among those due by now or already contacted),
    self_assessed / active_analysts (analysts in scope who filled in a self-assessment).
    """
    stmt = culture_counts_query(scope=scope, filters=filters, as_of=clock.now())
    with get_engine(url or config.database_url()).connect() as conn:
        row = conn.execute(stmt).one()._mapping
    return {k: int(v or 0) for k, v in row.items()}


# ---------------------------------------------------------------- calibration (self vs customers)

def customer_ratings_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Per analyst (internal only) and home team: their customers' CARE n / sum / sum of squares."""
    _require_org_view(scope)
    cols: list[sa.ColumnElement] = [T.c.analyst_id, A.c.team_id]
    for dim in schema.CARE_DIMENSIONS:
        c = R.c[dim]
        cols += [sa.func.count(c).label(f"{dim}_n"), sa.func.sum(c).label(f"{dim}_sum"),
                 sa.func.sum(c * c).label(f"{dim}_sumsq")]
    return (sa.select(*cols)
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key).join(A, T.c.analyst_id == A.c.analyst_id))
            .where(*response_period(filters), *ticket_slice(filters), *ticket_scope(scope))
            .group_by(T.c.analyst_id, A.c.team_id))


def latest_self_ratings_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Per analyst (internal only): CARE ratings of their latest self-assessment before the period ends.

    A lead only counts assessments the analyst shared with them (DESIGN.md privacy table).
    """
    _require_org_view(scope)
    _, end = period_bounds(filters)
    visible = [SA.c.submitted_at < end]
    if scope.role == "lead":
        visible.append(SA.c.shared_with_lead.is_(True))
    latest = (sa.select(SA.c.analyst_id, sa.func.max(SA.c.submitted_at).label("latest_at"))
              .where(*visible).group_by(SA.c.analyst_id).subquery("latest"))
    return (sa.select(SA.c.analyst_id, SAR.c.dimension, SAR.c.rating)
            .select_from(SA.join(latest, sa.and_(SA.c.analyst_id == latest.c.analyst_id,
                                                 SA.c.submitted_at == latest.c.latest_at))
                         .join(SAR, SAR.c.assessment_id == SA.c.assessment_id)
                         .join(A, A.c.analyst_id == SA.c.analyst_id))
            .where(*visible, SAR.c.dimension.in_(schema.CARE_DIMENSIONS),
                   *_team_scope(scope, filters, A.c.team_id)))


def org_calibration(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """Per CARE dimension, counts of analysts in blind spot / aligned / hidden strength — unnamed.

    Self = latest self-assessment; customers = their ratings in the period, shrunk toward the
    team. A dimension with fewer analysts than the larger of `min_group` and `min_analysts`
    comes back suppressed (no counts): DESIGN.md allows aggregates of gaps only for groups of 5 up.
    """
    limits = config.thresholds()
    smallest = max(limits.min_group, limits.min_analysts)
    customers = _run(customer_ratings_query(scope=scope, filters=filters), url)
    selfs = _run(latest_self_ratings_query(scope=scope, filters=filters), url)
    if customers.is_empty() or selfs.is_empty():
        return calibration_counts(pl.DataFrame(), min_responses=limits.min_responses,
                                  min_analysts=smallest)
    long = pl.concat([
        customers.select(pl.col("analyst_id").cast(pl.Int64), pl.col("team_id").cast(pl.Int64),
                         pl.lit(dim).alias("dimension"),
                         pl.col(f"{dim}_n").cast(pl.Int64).fill_null(0).alias("n"),
                         pl.col(f"{dim}_sum").cast(pl.Float64).fill_null(0.0).alias("sum"),
                         pl.col(f"{dim}_sumsq").cast(pl.Float64).fill_null(0.0).alias("sumsq"))
        for dim in schema.CARE_DIMENSIONS
    ])
    joined = long.join(selfs.select(pl.col("analyst_id").cast(pl.Int64), "dimension",
                                    pl.col("rating").cast(pl.Float64).alias("self_rating")),
                       on=["analyst_id", "dimension"], how="left")
    # The analyst id only served the join: it never leaves this function.
    return calibration_counts(joined.drop("analyst_id"), min_responses=limits.min_responses,
                              min_analysts=smallest)



# ---------------------------------------------------------------- the page's one service call

@dataclass(frozen=True)
class CultureReport:
    """Everything the culture-trends page shows, computed from a handful of GROUP BY reads."""

    headline: Headline
    kudos: Rate
    kudos_given: int
    recovery: Rate
    participation: Rate | None
    trend: pl.DataFrame
    compare: dict[str, pl.DataFrame]
    mood_mix: pl.DataFrame
    watermelon: WatermelonShare
    watermelon_trend: pl.DataFrame
    hotspots: pl.DataFrame
    factors: pl.DataFrame
    reassignment: pl.DataFrame
    lost_by_channel: pl.DataFrame
    lost_by_service: pl.DataFrame
    pareto: float | None
    calibration: pl.DataFrame
    teams: pl.DataFrame
    key: tuple = ()
    """What the report was computed for (scope, filters, url): identifies it in derived caches."""

    @property
    def is_empty(self) -> bool:
        return self.headline.n == 0


def _named(frame: pl.DataFrame, key: str, names: dict, column: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(key).replace_strict(names, default=None, return_dtype=pl.String)
                              .fill_null(pl.col(key).cast(pl.String)).alias(column))


def culture_report(*, scope: Scope, filters: Filters, url: str | None = None) -> CultureReport:
    """The culture-trends figures for `filters`, within `scope` (CIO: organisation; lead: their teams)."""
    _require_org_view(scope)
    limits = config.thresholds()
    min_group = limits.min_group
    cur = experience_stats(scope=scope, filters=filters,
                           by=("month", "team_id", "channel", "ticket_type", "sla_met"), url=url)
    prev = experience_stats(scope=scope, filters=filters.previous(), by=("team_id",), url=url)
    closed = ticket_stats(scope=scope, filters=filters, by=("team_id", "service_id", "channel"), url=url)
    totals_now, totals_before = totals(cur), totals(prev)
    head = headline(totals_now, totals_before, int(closed["tickets"].sum()) if closed.height else 0)
    teams = dict(team_names(scope=scope, url=url).iter_rows())
    services = dict(service_names(url=url).iter_rows())
    empty = pl.DataFrame()
    if head.n == 0:
        return CultureReport(head, rate(0, 0), 0, rate(0, 0), None, empty, {}, empty,
                             watermelon_share(0, 0), empty, empty, empty, empty, empty, empty, None,
                             empty, empty, key=(scope, filters, url))

    counts = culture_counts(scope=scope, filters=filters, url=url)
    participation = (rate(counts["self_assessed"], counts["active_analysts"])
                     if counts["active_analysts"] >= limits.min_analysts else None)
    cells = experience_stats(scope=scope, filters=filters, by=("service_id", "channel"), url=url)
    hot = hotspot_cells(hotspot_impact(cells, keys=["service_id", "channel"]), min_group=min_group)
    hot = _named(hot, "service_id", services, "service").with_columns(
        pl.col("channel").replace_strict(CHANNEL_LABELS, default=pl.col("channel")).alias("channel_label"))
    by_channel = _named(lost_by(cur, closed, "channel", min_group=min_group), "channel", CHANNEL_LABELS,
                        "channel_label")
    by_service = _named(lost_by(cells, closed, "service_id", min_group=min_group), "service_id", services, "service")
    compare = {
        "Ticket type": _named(monthly_happiness(cur, series="ticket_type", min_group=min_group),
                              "ticket_type", {"incident": "Incidents", "request": "Requests"}, "series"),
        "Channel": _named(monthly_happiness(cur, series="channel", min_group=min_group),
                          "channel", CHANNEL_LABELS, "series"),
        "Team": _named(monthly_happiness(cur, series="team_id", min_group=min_group), "team_id", teams, "series"),
    }
    factors = factor_changes(factor_counts(scope=scope, filters=filters, url=url),
                             current_n=head.n, previous_n=int(totals_before.get("n", 0)))
    reassignment = reassignment_cost(
        experience_stats(scope=scope, filters=filters, by=("reassignment_count",), url=url))
    team_rows = team_table(cur, prev, closed, min_group=min_group)
    return CultureReport(
        headline=head,
        kudos=rate(counts["kudos"], counts["happy_responses"]),
        kudos_given=counts["kudos"],
        recovery=rate(counts["recovery_in_time"], counts["recovery_due"]),
        participation=participation,
        trend=monthly_happiness(cur, min_group=min_group),
        compare=compare,
        mood_mix=happiness_mix(cur, "sla_met"),
        watermelon=watermelon_share(int(totals_now["sla_met_unhappy"]), int(totals_now["sla_met_n"])),
        watermelon_trend=watermelon_trend(cur, min_group=min_group),
        hotspots=hot,
        factors=factors.with_columns(pl.lit(head.n).alias("n")),
        reassignment=reassignment,
        lost_by_channel=by_channel,
        lost_by_service=by_service,
        pareto=pareto_share(lost_histogram(scope=scope, filters=filters, url=url)),
        calibration=org_calibration(scope=scope, filters=filters, url=url),
        teams=_named(team_rows, "team_id", teams, "team") if team_rows.height else team_rows,
        key=(scope, filters, url),
    )
