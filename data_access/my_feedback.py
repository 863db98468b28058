"""SQL behind the analyst's private "My feedback" page — the signed-in analyst's own scope only.

Every function here takes an analyst Scope and refuses any other role. Colleagues are the
analysts of the same home team (`scoping.ticket_scope(own_only=False)`). The team readers return
sufficient statistics (and latest self-ratings) per team member keyed by analyst id, for the read
model `views/my_feedback.py` alone: it swaps the ids for an `is_own` flag before any formula sees
them, and only the rounded peer band, the analyst's own values and percentiles leave it.
Nothing here computes a figure.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from data_access import config, query, schema
from data_access.dialect import as_int, month_start
from data_access.engine import get_engine
from data_access.filters import Filters, period_bounds, response_period
from data_access.rollups import reads as rollup_reads
from data_access.rollups.state import use_rollups
from data_access.scope import Scope, ScopeError
from data_access.scoping import home_team_members, ticket_scope
from metrics.happiness import HAPPY_MIN, UNHAPPY_MAX

T, R = schema.tickets, schema.responses
SA, SAR = schema.self_assessments, schema.self_assessment_ratings
CARE = schema.CARE_DIMENSIONS
MAX_PAGE_SIZE = 100
SCORE_BANDS = {"all": None, "unhappy": (0, 6), "neutral": (7, 8), "happy": (9, 10)}
MonthRanges = tuple[tuple[dt.date, dt.date], ...]


def _analyst(scope: Scope) -> int:
    """The analyst's own id; anything but an analyst scope is refused."""
    if scope.role != "analyst" or scope.analyst_id is None:
        raise ScopeError("My feedback is read with the analyst's own scope only")
    return int(scope.analyst_id)


def _url(url: str | None) -> str:
    return url or config.database_url()


# --- team members' statistics (ids go to the read model only) ---------------------------------

def _stat_columns() -> list[sa.ColumnElement]:
    cols: list[sa.ColumnElement] = [sa.func.count().label("n"),
                                    sa.func.sum(as_int(R.c.happiness >= HAPPY_MIN)).label("happy"),
                                    sa.func.sum(as_int(R.c.happiness <= UNHAPPY_MAX)).label("unhappy")]
    for dim in CARE:
        c = R.c[dim]
        cols += [sa.func.count(c).label(f"{dim}_n"), sa.func.sum(c).label(f"{dim}_sum"),
                 sa.func.sum(c * c).label(f"{dim}_sumsq")]
    lost = R.c.lost_minutes
    cols += [sa.func.count(lost).label("lost_n"), sa.func.sum(lost).label("lost_sum")]
    return cols


SUMMED = (["n", "happy", "unhappy"] + [f"{d}_{s}" for d in CARE for s in ("n", "sum", "sumsq")]
          + ["lost_n", "lost_sum"])
"""The statistics columns of every team-member read (they add up over months and periods)."""


def team_members_query(*, scope: Scope, filters: Filters, by_month: bool = False) -> sa.Select:
    """Per team member (and month): sufficient statistics of the analyst's own team."""
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
        elif c in ("n", "happy", "unhappy", "in_period") or c.endswith("_n") or c == "analyst_id":
            fixes.append(pl.col(c).cast(pl.Int64).fill_null(0))
    return frame.with_columns(fixes) if fixes else frame


def team_member_stats(*, scope: Scope, filters: Filters, by_month: bool = False,
                      url: str | None = None) -> pl.DataFrame:
    """`team_members_query` (or its rollup twin) as a typed frame: analyst_id [, month], SUMMED."""
    stmt = (rollup_reads.member_stats_query(scope=_own_team(scope), filters=filters, by_month=by_month)
            if use_rollups(url) else team_members_query(scope=scope, filters=filters, by_month=by_month))
    return _typed(query.frame(stmt, url=url))


def team_overview_query(*, scope: Scope, filters: Filters, window: Filters) -> sa.Select:
    """One scan for the landing view: per team member, month and whether inside `filters`' period,
    over `window` (the period and the trend's months together).

    Summing the `in_period` rows gives the period's per-member statistics; summing by month
    gives the trend — so the period figures and the 12-month trend cost one query, not two.
    """
    _analyst(scope)
    start, _ = period_bounds(filters)
    in_period = sa.case((R.c.submitted_at >= start, 1), else_=0).label("in_period")
    month = month_start(R.c.submitted_at).label("month")
    return (sa.select(T.c.analyst_id, month, in_period, *_stat_columns())
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*response_period(window), *ticket_scope(scope, own_only=False))
            .group_by(T.c.analyst_id, month, in_period))


def team_overview_stats(*, scope: Scope, filters: Filters, window: Filters,
                        url: str | None = None) -> pl.DataFrame:
    """`team_overview_query` (or its rollup twin) as a typed frame: analyst_id, month, in_period, SUMMED."""
    if use_rollups(url):
        stmt = rollup_reads.member_stats_query(scope=_own_team(scope), filters=window, by_month=True,
                                               in_period_from=filters.start)
    else:
        stmt = team_overview_query(scope=scope, filters=filters, window=window)
    return _typed(query.frame(stmt, url=url))


def team_month_ranges_query(*, scope: Scope, ranges: MonthRanges) -> sa.Select:
    """Per team member and month, only inside `ranges` (the customer windows of older self-assessments)."""
    _analyst(scope)
    month = month_start(R.c.submitted_at).label("month")
    inside = [sa.and_(R.c.submitted_at >= dt.datetime.combine(a, dt.time()),
                      R.c.submitted_at < dt.datetime.combine(b, dt.time())) for a, b in ranges]
    return (sa.select(T.c.analyst_id, month, *_stat_columns())
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(sa.or_(*inside) if inside else sa.false(), *ticket_scope(scope, own_only=False))
            .group_by(T.c.analyst_id, month))


def team_month_range_stats(*, scope: Scope, ranges: MonthRanges, url: str | None = None) -> pl.DataFrame:
    """`team_month_ranges_query` (or its rollup twin) as a typed frame: analyst_id, month, SUMMED."""
    stmt = (rollup_reads.member_stats_query(scope=_own_team(scope), by_month=True, ranges=ranges)
            if use_rollups(url) else team_month_ranges_query(scope=scope, ranges=ranges))
    return _typed(query.frame(stmt, url=url))


def team_latest_ratings_query(*, scope: Scope) -> sa.Select:
    """Latest self-rating per CARE dimension of every member of the analyst's team."""
    _analyst(scope)
    ranked = (sa.select(SA.c.assessment_id, SA.c.analyst_id,
                        sa.func.row_number().over(partition_by=SA.c.analyst_id,
                                                  order_by=(SA.c.submitted_at.desc(),
                                                            SA.c.assessment_id.desc())).label("rn"))
              .where(SA.c.analyst_id.in_(home_team_members(scope.team_ids)) if scope.team_ids else sa.false())
              .subquery())
    return (sa.select(ranked.c.analyst_id, SAR.c.dimension, SAR.c.rating)
            .select_from(ranked.join(SAR, SAR.c.assessment_id == ranked.c.assessment_id))
            .where(ranked.c.rn == 1, SAR.c.dimension.in_(CARE)))


def team_latest_ratings(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """analyst_id, dimension, rating: the latest CARE self-ratings of the analyst's team."""
    stmt = team_latest_ratings_query(scope=scope)
    return query.frame(stmt, url=url, schema={"analyst_id": pl.Int64, "dimension": pl.String, "rating": pl.Int64})


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


def re_explain_count(*, scope: Scope, filters: Filters, url: str | None = None) -> int:
    """`re_explain_query` (or its rollup twin) as a number."""
    with get_engine(_url(url)).connect() as conn:
        stmt = (rollup_reads.factor_code_count_query(scope=scope, filters=filters, code="re_explain")
                if use_rollups(url) else re_explain_query(scope=scope, filters=filters))
        return int(conn.execute(stmt).scalar_one() or 0)


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
                      *[R.c[d] for d in CARE], R.c.comment)
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
                   **{d: pl.Int64 for d in CARE}, "comment": pl.String}


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


KUDOS_SCHEMA = {"given_at": pl.Datetime("us"), "given_by": pl.String, "note": pl.String,
                "ticket_id": pl.String, "happiness": pl.Int64, "comment": pl.String}
NOTES_SCHEMA = {"created_at": pl.Datetime("us"), "author": pl.String, "body": pl.String,
                "follow_up_on": pl.Date}
OPEN_RECOVERY_SCHEMA = {"ticket_id": pl.String, "submitted_at": pl.Datetime("us"), "happiness": pl.Int64,
                        "due_at": pl.Datetime("us"), "first_contact_at": pl.Datetime("us")}


def recognition_rows(*, scope: Scope, url: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Kudos received, coaching notes shared with the analyst and their open recovery items, as
    rows (one connection for the three reads)."""
    _analyst(scope)
    with get_engine(_url(url)).connect() as conn:
        kudos = query.frame_on(conn, kudos_query(scope=scope), schema=KUDOS_SCHEMA)
        notes = query.frame_on(conn, shared_notes_query(scope=scope), schema=NOTES_SCHEMA)
        recovery = query.frame_on(conn, open_recovery_query(scope=scope), schema=OPEN_RECOVERY_SCHEMA)
    return kudos, notes, recovery


# --- my data as a file -------------------------------------------------------------------------------

def export_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """Every own response in the period with its ticket facts (for the analyst's own download)."""
    _analyst(scope)
    return (sa.select(T.c.ticket_id, T.c.ticket_type, T.c.channel,
                      schema.services.c.name.label("service"), T.c.priority, T.c.opened_at,
                      T.c.resolved_at, T.c.sla_met, T.c.reopened, T.c.reassignment_count,
                      R.c.submitted_at, R.c.happiness, *[R.c[d] for d in CARE],
                      R.c.lost_minutes, R.c.comment)
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key)
                         .join(schema.services, schema.services.c.service_id == T.c.service_id))
            .where(*ticket_scope(scope, own_only=True), *response_period(filters))
            .order_by(R.c.submitted_at, R.c.ticket_key))


def my_responses_export(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """The analyst's own responses in the period, one row each (read on demand, not cached)."""
    stmt = export_query(scope=scope, filters=filters)
    return query.frame(stmt, url=url)
