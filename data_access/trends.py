"""Culture-trends reads beyond `stats.py`: factors, culture indicators, calibration, names.

The page's figures are assembled in `views/culture.py`; this module only reads.

Same rules as `stats.py`: SQLAlchemy Core with bound parameters, the viewer's scope in the WHERE,
GROUP BY in SQL, small frames out, a `*_query` builder next to each reader, cached with a TTL.
Nothing here returns an analyst's name; ids leave only in `analyst_weeks` and `analyst_cells`,
whose sole reader is disclosure control (exact distinct-analyst counts), and per-analyst rows needed for the
calibration are reduced to unnamed counts before they leave this module.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from data_access import clock, config, query, recovery, schema
from data_access.dialect import as_int
from data_access.engine import get_engine
from data_access.filters import Filters, period_bounds, response_period, ticket_slice
from data_access.scope import Scope
from data_access.rollups import reads as rollup_reads
from data_access.rollups.state import use_rollups
from data_access.scoping import ticket_scope
from data_access.stats import GROUPABLE, _check_grain, stat_types
from metrics.happiness import HAPPY_MIN, UNHAPPY_MAX

# Short names for the tables these reads join (each reader module names its own few, as
# data_access.coaching does: names, no logic to share).
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
    unhappy = R.c.happiness <= UNHAPPY_MAX
    stmt = (sa.select(*keys,
                      sa.func.count().label("n"),
                      sa.func.sum(as_int(R.c.happiness >= HAPPY_MIN)).label("happy"),
                      sa.func.sum(as_int(unhappy)).label("unhappy"),
                      sa.func.count(sa.distinct(T.c.analyst_id)).label("analysts"),
                      sa.func.count(R.c.lost_minutes).label("lost_n"),
                      sa.func.sum(R.c.lost_minutes).label("lost_sum"),
                      sa.func.sum(as_int(T.c.sla_met)).label("sla_met_n"),
                      sa.func.sum(as_int(sa.and_(T.c.sla_met, unhappy))).label("sla_met_unhappy"))
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*response_period(filters), *ticket_slice(filters), *ticket_scope(scope)))
    return stmt.group_by(*keys).order_by(*keys) if by else stmt


EXPERIENCE = ("n", "happy", "unhappy", "analysts", "lost_n", "lost_sum", "sla_met_n", "sla_met_unhappy")


def experience_stats(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (),
                     url: str | None = None) -> pl.DataFrame:
    """Per group: n, happy, unhappy, analysts, lost_n, lost_sum, sla_met_n, sla_met_unhappy (see `response_stats`)."""
    if rollup_reads.covers(by) and use_rollups(url, filters):
        _require_org_view(scope)
        _check_grain(scope, by, True)
        stmt = rollup_reads.response_stats_query(scope=scope, filters=filters, by=by, measures=EXPERIENCE)
    else:
        stmt = experience_stats_query(scope=scope, filters=filters, by=by)
    return stat_types(query.frame(stmt, url=url))


# ---------------------------------------------------------------- what the answers are at (shared work's key)

def answers_stamp(*, url: str | None = None) -> tuple:
    """What changes when the answers change: the latest import run, how many answers there are, the
    latest answer's time and the summary tables' last refresh. Report builds share what they work
    out from the answers only under the same stamp (`views.culture_cells.GroupedCells.remember`),
    so an import from another process is not mixed with what was worked out before it. (An answer
    changed in place by another app process, with no import run, is seen there after the cache's TTL,
    like every cached figure.)"""
    r = schema.responses
    stmt = sa.select(sa.select(sa.func.max(schema.import_runs.c.run_id)).scalar_subquery(),
                     sa.select(sa.func.count()).select_from(r).scalar_subquery(),
                     sa.select(sa.func.max(r.c.submitted_at)).scalar_subquery(),
                     sa.select(sa.func.max(schema.rollup_state.c.refreshed_at)).scalar_subquery())
    return query.read(lambda conn: tuple(conn.execute(stmt).one()), url=url)


# ---------------------------------------------------------------- who answered when (disclosure control only)

def analyst_weeks_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """The SELECT behind `analyst_weeks`."""
    _require_org_view(scope)
    keys = [GROUPABLE["week"], GROUPABLE["month"], T.c.team_id, T.c.analyst_id]
    return (sa.select(*keys, sa.func.count().label("n"))
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*response_period(filters), *ticket_slice(filters), *ticket_scope(scope))
            .group_by(*keys))


def analyst_weeks(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """Responses per week, month, team and analyst: only for counting distinct analysts exactly.

    The analyst ids serve disclosure control in `views.disclosure` and never reach a page.
    """
    if use_rollups(url, filters):
        _require_org_view(scope)
        stmt = rollup_reads.analyst_weeks_query(scope=scope, filters=filters)
    else:
        stmt = analyst_weeks_query(scope=scope, filters=filters)
    frame = stat_types(query.frame(stmt, url=url))
    if frame.is_empty():
        return pl.DataFrame(schema={"week": pl.Date, "month": pl.Date, "team_id": pl.Int64,
                                    "analyst_id": pl.Int64, "n": pl.Int64})
    return frame.with_columns(pl.col("team_id", "analyst_id").cast(pl.Int64))


CELL_DIMENSIONS = rollup_reads.CELL_KEYS  # week, month, team, service, channel, type, SLA met, reassignments
CELL_SUMS = rollup_reads.CELL_SUMS  # n, happy, unhappy, lost_n, lost_sum per analyst and cell
CELLS_WORK_MEM_MB = 128
CELL_TYPES = {"week": pl.Date, "month": pl.Date, "team_id": pl.Int64, "service_id": pl.Int64, "channel": pl.String,
              "ticket_type": pl.String, "sla_met": pl.Boolean, "reassignment_count": pl.Int64, "analyst_id": pl.Int64,
              "n": pl.Int64, "happy": pl.Int64, "unhappy": pl.Int64, "lost_n": pl.Int64, "lost_sum": pl.Float64}


def _cell_types(by_priority: bool) -> dict[str, pl.DataType]:
    """`CELL_TYPES` in the order of the read's columns, with the ticket priority before the analyst."""
    if not by_priority:
        return CELL_TYPES
    names = list(CELL_TYPES)
    at = names.index("analyst_id")
    return {n: (pl.Int64 if n == "priority" else CELL_TYPES[n]) for n in names[:at] + ["priority"] + names[at:]}


def analyst_cells_query(*, scope: Scope, filters: Filters, by_priority: bool = False) -> sa.Select:
    """The SELECT behind `analyst_cells`."""
    _require_org_view(scope)
    keys = [GROUPABLE[d] for d in (*CELL_DIMENSIONS, *(("priority",) if by_priority else ()))] + [T.c.analyst_id]
    return (sa.select(*keys, sa.func.count().label("n"),
                      sa.func.sum(as_int(R.c.happiness >= HAPPY_MIN)).label("happy"),
                      sa.func.sum(as_int(R.c.happiness <= UNHAPPY_MAX)).label("unhappy"),
                      sa.func.count(R.c.lost_minutes).label("lost_n"),
                      sa.func.sum(R.c.lost_minutes).label("lost_sum"))
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*response_period(filters), *ticket_slice(filters), *ticket_scope(scope))
            .group_by(*keys))


def analyst_cells_statement(*, scope: Scope, filters: Filters, url: str | None, by_priority: bool) -> sa.Select:
    """The `analyst_cells` read: from the rollups when fresh (they keep no priority), else the base tables."""
    if use_rollups(url, filters) and not by_priority:
        _require_org_view(scope)
        return rollup_reads.analyst_cells_query(scope=scope, filters=filters)
    return analyst_cells_query(scope=scope, filters=filters, by_priority=by_priority)


def analyst_cells(*, scope: Scope, filters: Filters, url: str | None = None,
                  by_priority: bool = False) -> pl.DataFrame:
    """Responses per analyst and every dimension a Culture trends cell is cut by (`CELL_DIMENSIONS`):
    one read from which disclosure control counts each kind of cell's distinct analysts exactly,
    per week or per value of a filter, and from which the page's experience figures by any of these
    dimensions are summed (`CELL_SUMS`: n, happy, unhappy, lost_n, lost_sum — the sufficient
    statistics of `experience_stats`). The ids never reach a page.

    `by_priority` adds the ticket priority (the neighbouring link without a priority filter):
    the rollups keep no priority, so that read, like any under a priority filter, reads the base tables."""
    stmt = analyst_cells_statement(scope=scope, filters=filters, url=url, by_priority=by_priority)
    types = _cell_types(by_priority)
    # Hundreds of thousands of groups a year at 1M answers: PostgreSQL's default work_mem (4 MB)
    # sorts them on disk; with CELLS_WORK_MEM_MB they stay in one in-memory hash table.
    frame = stat_types(query.bulk_frame(stmt, url=url, schema=types, work_mem_mb=CELLS_WORK_MEM_MB))
    if frame.is_empty():
        return pl.DataFrame(schema=types)
    return frame.with_columns(pl.col("team_id", "service_id", "reassignment_count", "analyst_id").cast(pl.Int64))


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
    if use_rollups(url, filters):
        _require_org_view(scope)
        frame = _run(rollup_reads.org_factor_counts_query(scope=scope, filters=filters), url)
    else:
        frame = _run(factor_counts_query(scope=scope, filters=filters), url)
    if frame.is_empty():
        return pl.DataFrame(schema={"factor_id": pl.Int64, "label": pl.String, "polarity": pl.String,
                                    "current": pl.Int64, "previous": pl.Int64})
    return frame.with_columns(pl.col("factor_id", "current", "previous").cast(pl.Int64))


# ---------------------------------------------------------------- culture indicators

def culture_counts_query(*, scope: Scope, filters: Filters, as_of: dt.datetime,
                         rollups: bool = False, tracking_since: dt.datetime | None = None) -> sa.Select:
    """The SELECT behind `culture_counts`: one row of scalar sub-queries, one round trip.

    With `rollups`, kudos, 9–10 answers and recovery items come from the rollups; recovery items
    count only when opened since `tracking_since` (`recovery.counted`), which the daily rollup can
    answer when tracking began before the period — otherwise those three counts read the items."""
    _require_org_view(scope)
    start, end = period_bounds(filters)
    analyst_where = [A.c.active.is_(True), *_team_scope(scope, filters, A.c.team_id)]
    analysts = sa.select(sa.func.count()).select_from(A).where(*analyst_where)
    assessed = (sa.select(sa.func.count(sa.distinct(SA.c.analyst_id)))
                .select_from(SA.join(A, SA.c.analyst_id == A.c.analyst_id))
                .where(SA.c.submitted_at >= start, SA.c.submitted_at < end, *analyst_where))
    base = _base_culture_counts(scope=scope, filters=filters, as_of=as_of, tracking_since=tracking_since)
    counts = base
    if rollups:
        counts = [rollup_reads.response_total_query(scope=scope, filters=filters, column="kudos"),
                  rollup_reads.response_total_query(scope=scope, filters=filters, column="happy")]
        counts += (rollup_reads.recovery_counts_queries(scope=scope, filters=filters, as_of=as_of)
                   if tracking_since is None or tracking_since <= start else base[2:])
    names = ("kudos", "happy_responses", "recovery_items", "recovery_due", "recovery_in_time")
    return sa.select(*[q.scalar_subquery().label(n) for q, n in zip(counts, names)],
                     analysts.scalar_subquery().label("active_analysts"),
                     assessed.scalar_subquery().label("self_assessed"))


def _base_culture_counts(*, scope: Scope, filters: Filters, as_of: dt.datetime,
                         tracking_since: dt.datetime | None) -> list[sa.Select]:
    """Kudos, 9–10 answers, recovery items / decided / contacted in time, from the base tables."""
    start, end = period_bounds(filters)
    scoped = [*ticket_slice(filters), *ticket_scope(scope)]
    kudos = (sa.select(sa.func.count())
             .select_from(K.join(R, K.c.ticket_key == R.c.ticket_key).join(T, R.c.ticket_key == T.c.ticket_key))
             .where(*response_period(filters), *scoped))
    happy = (sa.select(sa.func.count())
             .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
             .where(R.c.happiness >= HAPPY_MIN, *response_period(filters), *scoped))
    contact_in_time = sa.and_(RI.c.first_contact_at.is_not(None), RI.c.first_contact_at <= RI.c.due_at)
    # "Decided" items: due by now, or already contacted in time (an early contact counts at once).
    decided = sa.or_(RI.c.due_at <= as_of, contact_in_time)
    items = RI.join(T, RI.c.ticket_key == T.c.ticket_key)
    recovery_where = [RI.c.created_at >= start, RI.c.created_at < end,
                      *recovery.counted(RI.c.created_at, tracking_since), *scoped]
    return [kudos, happy,
            sa.select(sa.func.count()).select_from(items).where(*recovery_where),
            sa.select(sa.func.count()).select_from(items).where(decided, *recovery_where),
            sa.select(sa.func.count()).select_from(items).where(contact_in_time, *recovery_where)]


def culture_counts(*, scope: Scope, filters: Filters, url: str | None = None) -> dict[str, int]:
    """Counts behind the culture indicators, for the period and slices.

    kudos / happy_responses (9–10 answers recognised with kudos), recovery_in_time / recovery_due
    (recovery items contacted by their due time, among those due by now or already contacted;
    only items opened since recovery tracking began), self_assessed / active_analysts (analysts
    in scope who filled in a self-assessment). `recovery_tracking_since` is when tracking began,
    as a date ordinal (0: no start recorded, every item counts).
    """
    with get_engine(url or config.database_url()).connect() as conn:
        since = recovery.read_settings(conn).tracking_since
        stmt = culture_counts_query(scope=scope, filters=filters, as_of=clock.now(),
                                    rollups=use_rollups(url, filters), tracking_since=since)
        row = conn.execute(stmt).one()._mapping
    counts = {k: int(v or 0) for k, v in row.items()}
    counts["recovery_tracking_since"] = since.toordinal() if since else 0
    return counts


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

    A lead only counts assessments the analyst shared with them (docs/PRIVACY.md).
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


def calibration_inputs(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """One row per analyst (id for the join only) and CARE dimension: home team, their customers'
    n / sum / sum of squares in the period, and their latest self-rating (null when none).

    Its only reader is the Culture trends read model, which reduces it to unnamed counts.
    """
    customers = _run(rollup_reads.customer_ratings_query(scope=scope, filters=filters) if use_rollups(url, filters)
                     else customer_ratings_query(scope=scope, filters=filters), url)
    selfs = _run(latest_self_ratings_query(scope=scope, filters=filters), url)
    if customers.is_empty() or selfs.is_empty():
        return pl.DataFrame()
    long = pl.concat([
        customers.select(pl.col("analyst_id").cast(pl.Int64), pl.col("team_id").cast(pl.Int64),
                         pl.lit(dim).alias("dimension"),
                         pl.col(f"{dim}_n").cast(pl.Int64).fill_null(0).alias("n"),
                         pl.col(f"{dim}_sum").cast(pl.Float64).fill_null(0.0).alias("sum"),
                         pl.col(f"{dim}_sumsq").cast(pl.Float64).fill_null(0.0).alias("sumsq"))
        for dim in schema.CARE_DIMENSIONS
    ])
    return long.join(selfs.select(pl.col("analyst_id").cast(pl.Int64), "dimension",
                                  pl.col("rating").cast(pl.Float64).alias("self_rating")),
                     on=["analyst_id", "dimension"], how="left")
