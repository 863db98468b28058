"""Reads behind the analyst's private "My feedback" page — the signed-in analyst's own scope only.

Every public function here takes an analyst Scope and refuses any other role. Colleagues are the
analysts of the same home team (`scoping.ticket_scope(own_only=False)`). Their figures are computed
in SQL (per team member) but never leave this module with an analyst id or name: only quartiles
rounded to whole points, the analyst's own values and their own percentiles are returned, and only
when at least `thresholds().min_colleagues` colleagues (the analyst not counted) have figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from data_access import clock, config, query, schema, stats
from data_access.dialect import as_int, month_start
from data_access.engine import get_engine
from data_access.filters import Filters, period_bounds, response_period
from data_access.recovery import analyst_status_expr
from data_access.scope import Scope, ScopeError
from data_access.rollups import reads as rollup_reads
from data_access.rollups.state import use_rollups
from data_access.scoping import home_team_members, ticket_scope
from data_access.self_assessments import (
    SelfAssessment,
    assessments_from_history,
    self_assessment_history,
)
from metrics import self_view
from metrics.care import CARE_NAMES

T, R = schema.tickets, schema.responses
SA, SAR, A = schema.self_assessments, schema.self_assessment_ratings, schema.analysts
TREND_MONTHS = 12
GAP_WINDOW_MONTHS = 3
MAX_PAGE_SIZE = 100
SCORE_BANDS = {"all": None, "unhappy": (0, 6), "neutral": (7, 8), "happy": (9, 10)}


def _analyst(scope: Scope) -> int:
    """The analyst's own id; anything but an analyst scope is refused."""
    if scope.role != "analyst" or scope.analyst_id is None:
        raise ScopeError("My feedback is read with the analyst's own scope only")
    return int(scope.analyst_id)


def _url(url: str | None) -> str:
    return url or config.database_url()


# --- team members' statistics (ids stay inside this module) ---------------------------------

def _stat_columns() -> list[sa.ColumnElement]:
    cols: list[sa.ColumnElement] = [sa.func.count().label("n"),
                                    sa.func.sum(as_int(R.c.happiness >= 9)).label("happy"),
                                    sa.func.sum(as_int(R.c.happiness <= 6)).label("unhappy")]
    for dim in CARE_NAMES:
        c = R.c[dim]
        cols += [sa.func.count(c).label(f"{dim}_n"), sa.func.sum(c).label(f"{dim}_sum"),
                 sa.func.sum(c * c).label(f"{dim}_sumsq")]
    lost = R.c.lost_minutes
    cols += [sa.func.count(lost).label("lost_n"), sa.func.sum(lost).label("lost_sum")]
    return cols


def team_members_query(*, scope: Scope, filters: Filters, by_month: bool = False) -> sa.Select:
    """Per team member (and month): sufficient statistics of the analyst's own team, for the
    unnamed distribution. Only this module sees its analyst ids."""
    _analyst(scope)
    keys: list[sa.ColumnElement] = [T.c.analyst_id]
    if by_month:
        keys.append(month_start(R.c.submitted_at).label("month"))
    return (sa.select(*keys, *_stat_columns())
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*response_period(filters), *ticket_scope(scope, own_only=False))
            .group_by(*keys))


def _own_team(scope: Scope) -> Scope:
    """The analyst's scope, checked (the rollup twins widen it to the team like the base reads)."""
    _analyst(scope)
    return scope


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    fixes = []
    for c in frame.columns:
        if c == "month":
            fixes.append(pl.col(c).cast(pl.Date))
        elif c.endswith(("_sum", "_sumsq")):
            fixes.append(pl.col(c).cast(pl.Float64).fill_null(0.0))
        elif c in ("n", "happy", "unhappy") or c.endswith("_n") or c == "analyst_id":
            fixes.append(pl.col(c).cast(pl.Int64).fill_null(0))
    return frame.with_columns(fixes) if fixes else frame


def _team_members(*, scope: Scope, filters: Filters, by_month: bool, url: str | None) -> pl.DataFrame:
    stmt = (rollup_reads.member_stats_query(scope=_own_team(scope), filters=filters, by_month=by_month)
            if use_rollups(url, filters) else team_members_query(scope=scope, filters=filters, by_month=by_month))
    return _typed(query.frame(stmt, url=url))


def overview_window(filters: Filters) -> Filters:
    """The months the landing view reads at once: the chosen period and the trend's 12 months."""
    trend = trend_window(TREND_MONTHS)
    return Filters(start=min(filters.start, trend.start), end=max(filters.end, trend.end))


def team_overview_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """One scan for the landing view: per team member, month and whether inside `filters`' period.

    Summing the `in_period` rows gives the period's per-member statistics; summing by month
    gives the trend — so the period figures and the 12-month trend cost one query, not two.
    """
    _analyst(scope)
    start, _ = period_bounds(filters)
    in_period = sa.case((R.c.submitted_at >= start, 1), else_=0).label("in_period")
    month = month_start(R.c.submitted_at).label("month")
    return (sa.select(T.c.analyst_id, month, in_period, *_stat_columns())
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*response_period(overview_window(filters)), *ticket_scope(scope, own_only=False))
            .group_by(T.c.analyst_id, month, in_period))


def _team_overview(*, scope: Scope, filters: Filters, url: str | None) -> pl.DataFrame:
    if use_rollups(url, filters):
        stmt = rollup_reads.member_stats_query(scope=_own_team(scope), filters=overview_window(filters),
                                               by_month=True, in_period_from=filters.start)
    else:
        stmt = team_overview_query(scope=scope, filters=filters)
    return _typed(query.frame(stmt, url=url)).with_columns(pl.col("in_period").cast(pl.Int64))


SUMMED = (["n", "happy", "unhappy"] + [f"{d}_{s}" for d in CARE_NAMES for s in ("n", "sum", "sumsq")]
          + ["lost_n", "lost_sum"])


def _team_period(scope: Scope, filters: Filters, url: str | None) -> pl.DataFrame:
    """Per team member statistics in the chosen period (from the landing view's one scan)."""
    frame = _team_overview(scope=scope, filters=filters, url=url)
    if filters.end < overview_window(filters).end:  # a period ending early: its own query
        return _team_members(scope=scope, filters=filters, by_month=False, url=url)
    return (frame.filter(pl.col("in_period") == 1).group_by("analyst_id")
            .agg(pl.col(c).sum() for c in SUMMED))


def _team_months(scope: Scope, filters: Filters, start: dt.date, url: str | None) -> pl.DataFrame:
    """Per team member and month from `start` on; reuses the landing scan when it reaches back far enough."""
    window = overview_window(filters)
    if start >= window.start:
        frame = _team_overview(scope=scope, filters=filters, url=url)
        return (frame.filter(pl.col("month") >= start).group_by("analyst_id", "month")
                .agg(pl.col(c).sum() for c in SUMMED))
    return _team_members(scope=scope, filters=Filters(start=start, end=window.end), by_month=True, url=url)


def _anonymous(frame: pl.DataFrame, analyst_id: int) -> pl.DataFrame:
    """Replace analyst ids by an `is_own` flag and an opaque member number (never returned)."""
    if frame.is_empty():
        return frame.drop("analyst_id").with_columns(pl.lit(False).alias("is_own"),
                                                      pl.lit(0, pl.Int64).alias("member"))
    return frame.with_columns(
        (pl.col("analyst_id") == analyst_id).alias("is_own"),
        pl.col("analyst_id").rank("dense").cast(pl.Int64).alias("member"),
    ).drop("analyst_id")


# --- my figures for a period -------------------------------------------------------------------

@dataclass(frozen=True)
class MyFigures:
    """The analyst's own figures for one period, and where they sit in their (unnamed) team."""

    stats: pl.DataFrame
    """One row of own sufficient statistics (columns of `stats.response_stats`)."""
    tickets: int
    """Own closed tickets in the period (denominator of total lost hours)."""
    happiness_spread: self_view.Spread | None
    lost_spread: self_view.Spread | None
    customers: pl.DataFrame
    """Per CARE dimension: own raw and shrunk customer mean, team mean, own percentile."""
    min_responses: int

    @property
    def n(self) -> int:
        return int(self.stats["n"][0]) if self.stats.height else 0

    @property
    def enough(self) -> bool:
        return self.n >= self.min_responses


def my_figures(*, scope: Scope, filters: Filters, url: str | None = None) -> MyFigures:
    """Own Happiness/CARE/lost-time statistics in `filters`, plus the unnamed team spread."""
    analyst_id = _analyst(scope)
    limits = config.thresholds()
    own = stats.response_stats(scope=scope, filters=filters, own_only=True, url=url)
    tickets = stats.ticket_stats(scope=scope, filters=filters, own_only=True, url=url)
    team = _anonymous(_team_period(scope, filters, url), analyst_id)
    happiness = self_view.team_spread(
        self_view.analyst_happiness(team, min_responses=limits.min_responses),
        min_colleagues=limits.min_colleagues) if team.height else None
    lost = self_view.team_spread(
        self_view.analyst_lost_minutes(team, min_responses=limits.min_responses),
        min_colleagues=limits.min_colleagues) if team.height else None
    customers = self_view.customer_care(team, min_responses=limits.min_responses,
                                        min_colleagues=limits.min_colleagues)
    return MyFigures(stats=own, tickets=int(tickets["tickets"][0]) if tickets.height else 0,
                     happiness_spread=happiness, lost_spread=lost, customers=customers,
                     min_responses=limits.min_responses)


# --- trend ---------------------------------------------------------------------------------------

def trend_window(months: int = TREND_MONTHS) -> Filters:
    """The last `months` calendar months up to today (inclusive)."""
    today = clock.today()
    start = self_view.month_add(dt.date(today.year, today.month, 1), -(months - 1))
    return Filters(start=start, end=today + dt.timedelta(days=1))


def my_trend(*, scope: Scope, filters: Filters, months: int = TREND_MONTHS,
             url: str | None = None) -> pl.DataFrame:
    """Own monthly Happiness (± margin) over the last `months` months, with the team's middle half.

    Columns: month, own_n, own_happiness, own_margin, own_happiness_low/high, band_low, band_mid,
    band_high (whole points; null in months with fewer than `min_colleagues` colleagues with
    figures — see `metrics.self_view.trend_with_band`). Nothing per colleague.
    """
    analyst_id = _analyst(scope)
    limits = config.thresholds()
    first = trend_window(months).start
    monthly = _anonymous(_team_months(scope, filters, first, url), analyst_id)
    if monthly.is_empty():
        return monthly
    return self_view.trend_with_band(monthly, min_responses=limits.min_responses,
                                     min_colleagues=limits.min_colleagues).filter(pl.col("month") >= first)


def gap_months(history: pl.DataFrame) -> list[dt.date]:
    """Every calendar month some self-assessment's customer window covers (oldest first)."""
    months: set[dt.date] = set()
    for when in history["submitted_at"].unique().to_list():
        last = dt.date(when.year, when.month, 1)
        months.update(self_view.month_add(last, -k) for k in range(GAP_WINDOW_MONTHS))
    return sorted(months)


def month_ranges(months: list[dt.date]) -> tuple[tuple[dt.date, dt.date], ...]:
    """Contiguous runs of months as half-open date ranges, e.g. [Jan, Feb, May] → Jan–Mar, May–Jun."""
    ranges: list[list[dt.date]] = []
    for month in sorted(months):
        if ranges and ranges[-1][1] == month:
            ranges[-1][1] = self_view.month_add(month, 1)
        else:
            ranges.append([month, self_view.month_add(month, 1)])
    return tuple((a, b) for a, b in ranges)


def team_month_ranges_query(*, scope: Scope, ranges: tuple[tuple[dt.date, dt.date], ...]) -> sa.Select:
    """Per team member and month, only inside `ranges` (the customer windows of older self-assessments)."""
    _analyst(scope)
    month = month_start(R.c.submitted_at).label("month")
    inside = [sa.and_(R.c.submitted_at >= dt.datetime.combine(a, dt.time()),
                      R.c.submitted_at < dt.datetime.combine(b, dt.time())) for a, b in ranges]
    return (sa.select(T.c.analyst_id, month, *_stat_columns())
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(sa.or_(*inside) if inside else sa.false(), *ticket_scope(scope, own_only=False))
            .group_by(T.c.analyst_id, month))


def _team_month_ranges(*, scope: Scope, ranges: tuple[tuple[dt.date, dt.date], ...],
                       url: str | None) -> pl.DataFrame:
    stmt = (rollup_reads.member_stats_query(scope=_own_team(scope), by_month=True, ranges=ranges)
            if use_rollups(url) else team_month_ranges_query(scope=scope, ranges=ranges))
    return _typed(query.frame(stmt, url=url))


def _gap_history_months(scope: Scope, filters: Filters, history: pl.DataFrame, url: str | None) -> pl.DataFrame:
    """Per team member and month for every month a self-assessment's window needs.

    Recent months come from the landing view's scan; older ones from one query limited to
    exactly those months, so a long history does not mean scanning years of responses.
    """
    window_start = overview_window(filters).start
    months = gap_months(history)
    recent = _team_months(scope, filters, window_start, url).filter(pl.col("month").is_in(months))
    older = [m for m in months if m < window_start]
    if not older:
        return recent
    old = _team_month_ranges(scope=scope, ranges=month_ranges(older), url=url)
    return pl.concat([recent, old.select(recent.columns)], how="vertical_relaxed")


def my_assessments(*, scope: Scope, url: str | None = None) -> list[SelfAssessment]:
    """The analyst's own self-assessments, oldest first (the latest is the last)."""
    return assessments_from_history(self_assessment_history(scope=scope, url=url), _analyst(scope))


# --- self vs customers -----------------------------------------------------------------------------

def team_latest_ratings_query(*, scope: Scope) -> sa.Select:
    """Latest self-rating per CARE dimension of every member of the analyst's team (ids internal)."""
    _analyst(scope)
    ranked = (sa.select(SA.c.assessment_id, SA.c.analyst_id,
                        sa.func.row_number().over(partition_by=SA.c.analyst_id,
                                                  order_by=(SA.c.submitted_at.desc(),
                                                            SA.c.assessment_id.desc())).label("rn"))
              .where(SA.c.analyst_id.in_(home_team_members(scope.team_ids)) if scope.team_ids else sa.false())
              .subquery())
    return (sa.select(ranked.c.analyst_id, SAR.c.dimension, SAR.c.rating)
            .select_from(ranked.join(SAR, SAR.c.assessment_id == ranked.c.assessment_id))
            .where(ranked.c.rn == 1, SAR.c.dimension.in_(CARE_NAMES)))


def _team_latest_ratings(*, scope: Scope, url: str | None) -> pl.DataFrame:
    stmt = team_latest_ratings_query(scope=scope)
    return query.frame(stmt, url=url, schema={"analyst_id": pl.Int64, "dimension": pl.String, "rating": pl.Int64})


@dataclass(frozen=True)
class SelfView:
    """Everything the self-vs-customers section needs; no colleague is identifiable in it."""

    history: list[SelfAssessment]
    """Own self-assessments, oldest first."""
    gaps: pl.DataFrame
    """Per CARE dimension: self_rating, customer_raw, customer_mean (shrunk), n, gap, label."""
    ranks: pl.DataFrame
    """Per CARE dimension: own percentile in the team by self-rating and by customer rating."""
    gap_history: pl.DataFrame
    """Gaps at the time of each self-assessment (customer window: 3 months up to it)."""

    @property
    def latest(self) -> SelfAssessment | None:
        return self.history[-1] if self.history else None


def self_view_for(*, scope: Scope, filters: Filters, figures: MyFigures | None = None,
                  url: str | None = None) -> SelfView:
    """Latest self-ratings against the customers' (shrunk) view in `filters`, ranks and history."""
    analyst_id = _analyst(scope)
    limits = config.thresholds()
    figures = figures or my_figures(scope=scope, filters=filters, url=url)
    history_frame = self_assessment_history(scope=scope, url=url)
    history = assessments_from_history(history_frame, analyst_id)
    latest = history[-1].ratings if history else {}
    customers = figures.customers.with_columns(
        pl.when(pl.col("n") >= limits.min_responses).then(pl.col(c)).alias(c)
        for c in ("customer_raw", "customer_mean"))
    gaps = self_view.self_vs_customers(latest, customers)
    team_ratings = _team_latest_ratings(scope=scope, url=url)
    anonymous = team_ratings.with_columns((pl.col("analyst_id") == analyst_id).alias("is_own")) \
        .drop("analyst_id")
    ranks = self_view.self_rank_percentiles(anonymous, min_colleagues=limits.min_colleagues).join(
        figures.customers.select("dimension", pl.col("own_percentile").alias("customer_percentile")),
        on="dimension", how="left")
    if history:
        monthly = _anonymous(_gap_history_months(scope, filters, history_frame, url), analyst_id)
        gap_hist = self_view.gap_history(history_frame, monthly, window_months=GAP_WINDOW_MONTHS,
                                         min_responses=limits.min_responses,
                                         min_analysts=limits.min_analysts)
    else:
        gap_hist = self_view.gap_history(history_frame, pl.DataFrame(), min_responses=1, min_analysts=1)
    return SelfView(history=history, gaps=gaps, ranks=ranks, gap_history=gap_hist)


# --- customer evidence next to the competencies ----------------------------------------------------

def re_explain_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """How many of the analyst's responses in the period say they had to re-explain."""
    _analyst(scope)
    RF, F = schema.response_factors, schema.factors
    return (sa.select(sa.func.count(sa.distinct(RF.c.ticket_key)))
            .select_from(RF.join(F, F.c.factor_id == RF.c.factor_id)
                         .join(R, R.c.ticket_key == RF.c.ticket_key)
                         .join(T, T.c.ticket_key == RF.c.ticket_key))
            .where(F.c.code == "re_explain", *ticket_scope(scope, own_only=True), *response_period(filters)))


def _re_explain(*, scope: Scope, filters: Filters, url: str | None) -> int:
    with get_engine(_url(url)).connect() as conn:
        stmt = (rollup_reads.factor_code_count_query(scope=scope, filters=filters, code="re_explain")
                if use_rollups(url, filters) else re_explain_query(scope=scope, filters=filters))
        return int(conn.execute(stmt).scalar_one() or 0)


def competency_evidence(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """Per competency: what the analyst's own customer feedback in the period suggests (evidence,
    not a measurement). Columns: competency, evidence, value (text), n."""
    _analyst(scope)
    limits = config.thresholds()
    own = stats.response_stats(scope=scope, filters=filters, own_only=True, url=url)
    # One scan at the finest grain needed, rolled up three ways in polars.
    cells = stats.response_stats(scope=scope, filters=filters, url=url,
                                 by=("reassignment_count", "channel", "ticket_type"))
    summed = [pl.col(c).sum() for c in ("n", "happy", "unhappy")]
    by_reassign = cells.group_by("reassignment_count").agg(summed)
    slices = pl.concat([cells.group_by("channel").agg(summed).drop("channel"),
                        cells.group_by("ticket_type").agg(summed).drop("ticket_type")])
    tickets = stats.ticket_stats(scope=scope, filters=filters, own_only=True, url=url)
    return self_view.competency_evidence(
        own, by_reassign, slices,
        re_explain=_re_explain(scope=scope, filters=filters, url=url),
        sla_met=int(tickets["sla_met_tickets"][0]) if tickets.height else 0,
        tickets=int(tickets["tickets"][0]) if tickets.height else 0,
        min_responses=limits.min_responses)


# --- what customers say about me ----------------------------------------------------------------

def _verbatim_conditions(scope: Scope, filters: Filters, band: str, search: str) -> list:
    if band not in SCORE_BANDS:
        raise ValueError(f"unknown score band {band!r}")
    conds = [*ticket_scope(scope, own_only=True), *response_period(filters),
             R.c.comment.is_not(None), R.c.comment != ""]
    if SCORE_BANDS[band]:
        low, high = SCORE_BANDS[band]
        conds.append(R.c.happiness.between(low, high))
    text = (search or "").strip().lower()
    if text:
        conds.append(sa.func.lower(R.c.comment).contains(text, autoescape=True))
    return conds


def verbatims_query(*, scope: Scope, filters: Filters, band: str = "all", search: str = "",
                    page: int = 1, page_size: int = 20) -> sa.Select:
    """The SELECT behind `my_verbatims` (newest first, one page)."""
    _analyst(scope)
    page, page_size = max(int(page), 1), min(max(int(page_size), 1), MAX_PAGE_SIZE)
    return (sa.select(R.c.submitted_at, T.c.ticket_id, T.c.ticket_type, T.c.channel,
                      schema.services.c.name.label("service"), R.c.happiness,
                      *[R.c[d] for d in CARE_NAMES], R.c.comment)
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key)
                         .join(schema.services, schema.services.c.service_id == T.c.service_id))
            .where(*_verbatim_conditions(scope, filters, band, search))
            .order_by(R.c.submitted_at.desc(), R.c.ticket_key.desc())
            .limit(page_size).offset((page - 1) * page_size))


def verbatim_count_query(*, scope: Scope, filters: Filters, band: str = "all", search: str = "") -> sa.Select:
    """How many of the analyst's comments match (for the pager)."""
    _analyst(scope)
    return (sa.select(sa.func.count()).select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*_verbatim_conditions(scope, filters, band, search)))


VERBATIM_SCHEMA = {"submitted_at": pl.Datetime("us"), "ticket_id": pl.String, "ticket_type": pl.String,
                   "channel": pl.String, "service": pl.String, "happiness": pl.Int64,
                   **{d: pl.Int64 for d in CARE_NAMES}, "comment": pl.String}


def my_verbatims(*, scope: Scope, filters: Filters, band: str = "all", search: str = "",
                 page: int = 1, page_size: int = 20, url: str | None = None) -> tuple[pl.DataFrame, int]:
    """One page of the analyst's own comments (newest first) and how many match in total."""
    _analyst(scope)
    stmt = verbatims_query(scope=scope, filters=filters, band=band, search=search, page=page,
                           page_size=page_size)
    # The total rides along as a window count, so one query serves the page and the pager.
    stmt = stmt.add_columns(sa.func.count().over().label("total"))
    with get_engine(_url(url)).connect() as conn:
        rows = conn.execute(stmt).all()
        if rows:
            total = int(rows[0][-1])
        elif page > 1:
            total = int(conn.execute(verbatim_count_query(scope=scope, filters=filters, band=band,
                                                          search=search)).scalar_one())
        else:
            total = 0
    frame = pl.DataFrame([tuple(r)[:-1] for r in rows], schema=VERBATIM_SCHEMA, orient="row")
    return frame, total


def kudos_query(*, scope: Scope, limit: int = 50) -> sa.Select:
    """Kudos the analyst received, newest first, with the customer's words and who gave it."""
    analyst_id = _analyst(scope)
    K, U = schema.kudos, schema.app_users
    return (sa.select(K.c.given_at, U.c.display_name.label("given_by"), K.c.note, T.c.ticket_id,
                      R.c.happiness, R.c.comment)
            .select_from(K.join(R, R.c.ticket_key == K.c.ticket_key)
                         .join(T, T.c.ticket_key == K.c.ticket_key)
                         .outerjoin(U, U.c.user_id == K.c.given_by))
            .where(K.c.analyst_id == analyst_id, T.c.analyst_id == analyst_id)
            .order_by(K.c.given_at.desc(), K.c.kudos_id.desc()).limit(limit))


def shared_notes_query(*, scope: Scope) -> sa.Select:
    """Coaching notes about the analyst that their lead has shared with them, newest first."""
    analyst_id = _analyst(scope)
    N, U = schema.coaching_notes, schema.app_users
    return (sa.select(N.c.created_at, U.c.display_name.label("author"), N.c.body, N.c.follow_up_on)
            .select_from(N.outerjoin(U, U.c.user_id == N.c.author_user_id))
            .where(N.c.analyst_id == analyst_id, N.c.shared_with_analyst.is_(True))
            .order_by(N.c.created_at.desc(), N.c.note_id.desc()))


def open_recovery_query(*, scope: Scope) -> sa.Select:
    """The analyst's open recovery items (read-only for them), oldest due first."""
    analyst_id = _analyst(scope)
    RI = schema.recovery_items
    return (sa.select(T.c.ticket_id, R.c.submitted_at, R.c.happiness, RI.c.due_at,
                      RI.c.first_contact_at)
            .select_from(RI.join(R, R.c.ticket_key == RI.c.ticket_key)
                         .join(T, T.c.ticket_key == RI.c.ticket_key))
            .where(RI.c.analyst_id == analyst_id, T.c.analyst_id == analyst_id,
                   RI.c.resolved_at.is_(None))
            .order_by(RI.c.due_at, RI.c.ticket_key))


@dataclass(frozen=True)
class Recognition:
    """Kudos to me, coaching notes shared with me, and my open recovery items."""

    kudos: pl.DataFrame
    notes: pl.DataFrame
    recovery: pl.DataFrame


def my_recognition(*, scope: Scope, url: str | None = None) -> Recognition:
    """Kudos received, coaching notes shared with the analyst, and their open recovery items."""
    _analyst(scope)
    with get_engine(_url(url)).connect() as conn:
        kudos = conn.execute(kudos_query(scope=scope)).all()
        notes = conn.execute(shared_notes_query(scope=scope)).all()
        recovery = conn.execute(open_recovery_query(scope=scope)).all()
    now = clock.now()
    recovery_frame = pl.DataFrame(
        [tuple(r) for r in recovery], orient="row",
        schema={"ticket_id": pl.String, "submitted_at": pl.Datetime("us"), "happiness": pl.Int64,
                "due_at": pl.Datetime("us"), "first_contact_at": pl.Datetime("us")},
    ).with_columns(analyst_status_expr(now).alias("status"))
    return Recognition(
        kudos=pl.DataFrame([tuple(r) for r in kudos], orient="row",
                           schema={"given_at": pl.Datetime("us"), "given_by": pl.String, "note": pl.String,
                                   "ticket_id": pl.String, "happiness": pl.Int64, "comment": pl.String}),
        notes=pl.DataFrame([tuple(r) for r in notes], orient="row",
                           schema={"created_at": pl.Datetime("us"), "author": pl.String,
                                   "body": pl.String, "follow_up_on": pl.Date}),
        recovery=recovery_frame,
    )


# --- my data as a file -------------------------------------------------------------------------------

def export_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Every own response in the period with its ticket facts (for the analyst's own download)."""
    _analyst(scope)
    return (sa.select(T.c.ticket_id, T.c.ticket_type, T.c.channel,
                      schema.services.c.name.label("service"), T.c.priority, T.c.opened_at,
                      T.c.resolved_at, T.c.sla_met, T.c.reopened, T.c.reassignment_count,
                      R.c.submitted_at, R.c.happiness, *[R.c[d] for d in CARE_NAMES],
                      R.c.lost_minutes, R.c.comment)
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key)
                         .join(schema.services, schema.services.c.service_id == T.c.service_id))
            .where(*ticket_scope(scope, own_only=True), *response_period(filters))
            .order_by(R.c.submitted_at, R.c.ticket_key))


def my_responses_export(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """The analyst's own responses in the period, one row each (read on demand, not cached)."""
    stmt = export_query(scope=scope, filters=filters)
    return query.frame(stmt, url=url)
