"""Reads behind the Coaching page: a team lead's analysts, their feedback, recovery queue, kudos, notes.

Every reader takes the lead's Scope and filters in SQL with the one who-may-see-whom rule
(`scoping.lead_sees`): feedback about analysts whose home team is one of the lead's teams, whatever
team the ticket was assigned to. Named per-analyst reads first check `scoping.analyst_scope` and the
analyst's team, then also carry the rule in their WHERE, so a forged id returns nothing.
Each reader has a `*_query()` builder next to it so tests can compile it for every dialect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from data_access import clock, config, query, recovery, schema, stats
from data_access.engine import get_engine
from data_access.filters import Filters, response_period
from data_access.scope import Scope, ScopeError
from data_access.rollups import reads as rollup_reads
from data_access.rollups.state import use_rollups
from data_access.scoping import analyst_scope, lead_sees, ticket_scope, within_team

T = schema.tickets
R = schema.responses
A = schema.analysts
RI = schema.recovery_items
RA = schema.recovery_actions
K = schema.kudos
N = schema.coaching_notes
F = schema.factors
RF = schema.response_factors
U = schema.app_users
VERBATIM_PAGE_SIZE = 10
QUEUE_PAGE_SIZE = 25
BANDS = {"all": (0, 10), "unhappy": (0, 6), "neutral": (7, 8), "happy": (9, 10)}


def _url(url: str | None) -> str:
    return url or config.database_url()


def _rows(stmt: sa.Select, url: str | None, schema_: dict) -> pl.DataFrame:
    return query.frame(stmt, url=url, schema=schema_)


def _lead(scope: Scope) -> None:
    if scope.role != "lead":
        raise ScopeError("the Coaching page is for team leads")


# ---------------------------------------------------------------- settings and windows

def recovery_settings(*, url: str | None = None) -> recovery.RecoverySettings:
    """The admin's recovery rules (threshold, target hours, window), as `data_access.recovery` reads them."""
    with get_engine(_url(url)).connect() as conn:
        return recovery.read_settings(conn)


def rolling_filters(today: dt.date | None = None, days: int = 90) -> tuple[Filters, Filters]:
    """The last `days` days including today, and the `days` before, as half-open Filters."""
    today = today or clock.today()
    current = Filters(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1))
    return current, current.previous()


# ---------------------------------------------------------------- roster and overview

def roster_query(*, scope: Scope) -> sa.Select:
    """The SELECT behind `team_roster`."""
    _lead(scope)
    TM = schema.teams
    return (sa.select(A.c.analyst_id, A.c.name, A.c.team_id, TM.c.name.label("team_name"), A.c.active)
            .select_from(A.join(TM, TM.c.team_id == A.c.team_id))
            .where(lead_sees(scope, A.c.analyst_id))
            .order_by(A.c.name))


ROSTER_SCHEMA = {"analyst_id": pl.Int64, "name": pl.String, "team_id": pl.Int64,
                 "team_name": pl.String, "active": pl.Boolean}


def team_roster(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """Analysts whose home team is one of the lead's teams: id, name, team, active."""
    return _rows(roster_query(scope=scope), url, ROSTER_SCHEMA)


def check_analyst(scope: Scope, analyst_id: int, url: str | None = None) -> int:
    """Refuse a named read of an analyst outside the lead's teams; return the analyst's team."""
    analyst_scope(scope, analyst_id)
    _lead(scope)
    roster = team_roster(scope=scope, url=url)
    match = roster.filter(pl.col("analyst_id") == analyst_id)
    if match.is_empty():
        raise ScopeError("this analyst is not in one of your teams")
    return int(match["team_id"][0])


def _open_item() -> sa.ColumnElement:
    return RI.c.resolved_at.is_(None)


def _overdue(now: dt.datetime, target_hours: int) -> sa.ColumnElement:
    """Nobody has contacted the user yet and the first-contact target has passed (an item's own
    due time; for a response with no item yet, the due rule of `data_access.recovery`)."""
    return sa.or_(sa.and_(RI.c.first_contact_at.is_(None), RI.c.due_at < now),
                  sa.and_(RI.c.ticket_key.is_(None), recovery.overdue_condition(R.c.submitted_at, now, target_hours)))


def recovery_counts_query(*, scope: Scope, threshold: int, since: dt.datetime, now: dt.datetime,
                          target_hours: int) -> sa.Select:
    """Open and overdue recovery items per analyst among unhappy responses submitted since `since`.

    An item is overdue while nobody has contacted the user and its due time has passed; a response
    with no item yet is overdue when `recovery.due_at(submitted_at, target_hours)` has passed.
    """
    _lead(scope)
    overdue = _overdue(now, target_hours)
    return (sa.select(T.c.analyst_id, sa.func.count().label("open_recovery"),
                      sa.func.sum(sa.case((overdue, 1), else_=0)).label("overdue_recovery"))
            .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key)
                         .outerjoin(RI, RI.c.ticket_key == R.c.ticket_key))
            .where(R.c.happiness <= threshold, R.c.submitted_at >= since, _open_item(),
                   *ticket_scope(scope))
            .group_by(T.c.analyst_id))


def last_scores_query(*, scope: Scope, since: dt.datetime) -> sa.Select:
    """Each analyst's three newest scores since `since` (rank 1 = newest), for the unhappy-run signal."""
    _lead(scope)
    rank = sa.func.row_number().over(partition_by=T.c.analyst_id,
                                     order_by=(R.c.submitted_at.desc(), R.c.ticket_key.desc())).label("rank")
    # Driven from the lead's analysts (a handful) through the tickets' analyst index, so the
    # planner does not read the whole tickets table to find them.
    inner = (sa.select(T.c.analyst_id, R.c.happiness, rank)
             .select_from(A.join(T, T.c.analyst_id == A.c.analyst_id)
                          .join(R, R.c.ticket_key == T.c.ticket_key))
             .where(R.c.submitted_at >= since, lead_sees(scope, A.c.analyst_id))
             ).subquery()
    return sa.select(inner.c.analyst_id, inner.c.happiness, inner.c["rank"]).where(inner.c["rank"] <= 3)


def last_kudos_query(*, scope: Scope) -> sa.Select:
    """Date of the newest kudos per analyst in the lead's teams."""
    _lead(scope)
    return (sa.select(K.c.analyst_id, sa.func.max(K.c.given_at).label("last_kudos"))
            .where(lead_sees(scope, K.c.analyst_id)).group_by(K.c.analyst_id))


def last_note_query(*, scope: Scope) -> sa.Select:
    """Date of the newest coaching note per analyst in the lead's teams."""
    _lead(scope)
    return (sa.select(N.c.analyst_id, sa.func.max(N.c.created_at).label("last_note"))
            .where(lead_sees(scope, N.c.analyst_id)).group_by(N.c.analyst_id))


def team_activity(*, scope: Scope, since: dt.datetime, now: dt.datetime, target_hours: int,
                  threshold: int, url: str | None = None) -> dict[str, pl.DataFrame]:
    """Per-analyst close-the-loop activity: open/overdue recoveries, newest 3 scores, last kudos, note."""
    frames: dict[str, pl.DataFrame] = {}
    with get_engine(_url(url)).connect() as conn:
        for name, stmt, shape in (
            ("recovery", recovery_counts_query(scope=scope, threshold=threshold, since=since, now=now,
                                               target_hours=target_hours),
             {"analyst_id": pl.Int64, "open_recovery": pl.Int64, "overdue_recovery": pl.Int64}),
            ("scores", last_scores_query(scope=scope, since=since),
             {"analyst_id": pl.Int64, "happiness": pl.Int64, "rank": pl.Int64}),
            ("kudos", last_kudos_query(scope=scope), {"analyst_id": pl.Int64, "last_kudos": pl.Datetime("us")}),
            ("notes", last_note_query(scope=scope), {"analyst_id": pl.Int64, "last_note": pl.Datetime("us")}),
        ):
            frames[name] = query.frame_on(conn, stmt, schema=shape)
    return frames


# ---------------------------------------------------------------- analyst detail

def monthly_stats(*, scope: Scope, analyst_id: int, filters: Filters, url: str | None = None
                  ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(analyst's monthly stats, their team's monthly stats) in the period, from `response_stats`.

    "Team" is the analyst's home team: every response about its analysts, whatever queue the
    ticket sat in (the who-may-see-whom rule of `scoping`).
    """
    team = within_team(scope, check_analyst(scope, analyst_id, url))
    frame = stats.response_stats(scope=team, filters=Filters(filters.start, filters.end),
                                 by=("month", "analyst_id"), url=url)
    mine = frame.filter(pl.col("analyst_id") == analyst_id).drop("analyst_id")
    sums = [c for c in frame.columns if c not in ("month", "analyst_id")]
    team = frame.group_by("month").agg(pl.col(sums).sum()).sort("month")
    return mine, team


def team_analyst_stats(*, scope: Scope, analyst_id: int, filters: Filters, url: str | None = None
                       ) -> pl.DataFrame:
    """Stats per analyst of the analyst's home team in the period (for CARE vs team and shrinkage)."""
    team = within_team(scope, check_analyst(scope, analyst_id, url))
    return stats.response_stats(scope=team, filters=Filters(filters.start, filters.end), by=("analyst_id",),
                                url=url)


def factor_counts_query(*, scope: Scope, analyst_id: int, team_id: int, filters: Filters) -> sa.Select:
    """Responses naming each factor: the analyst's and their home team's, in the period."""
    mine = sa.case((T.c.analyst_id == analyst_id, 1), else_=0)
    return (sa.select(RF.c.factor_id, sa.func.sum(mine).label("analyst_count"),
                      sa.func.count().label("team_count"))
            .select_from(RF.join(R, R.c.ticket_key == RF.c.ticket_key)
                         .join(T, T.c.ticket_key == R.c.ticket_key))
            .where(*response_period(filters), *ticket_scope(within_team(scope, team_id)))
            .group_by(RF.c.factor_id))


def factor_counts(*, scope: Scope, analyst_id: int, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """factor_id, code, label, polarity, analyst_count, team_count (every catalogue factor, zeros kept)."""
    team_id = check_analyst(scope, analyst_id, url)
    query = rollup_reads.team_factor_counts_query if use_rollups(url, filters) else factor_counts_query
    counts = _rows(query(scope=scope, analyst_id=analyst_id, team_id=team_id, filters=filters), url,
                   {"factor_id": pl.Int64, "analyst_count": pl.Int64, "team_count": pl.Int64})
    catalogue = _rows(sa.select(F.c.factor_id, F.c.code, F.c.label, F.c.polarity).order_by(F.c.sort_order),
                      url, {"factor_id": pl.Int64, "code": pl.String, "label": pl.String, "polarity": pl.String})
    return catalogue.join(counts, on="factor_id", how="left").with_columns(
        pl.col("analyst_count", "team_count").fill_null(0))


@dataclass(frozen=True)
class VerbatimFilter:
    """Which of an analyst's responses to list: score band, factor, period, comments only."""

    band: str = "all"
    factor_id: int | None = None
    with_comment: bool = True


def _verbatim_where(scope: Scope, analyst_id: int, filters: Filters, vf: VerbatimFilter) -> list:
    low, high = BANDS[vf.band]
    conds = [T.c.analyst_id == analyst_id, R.c.happiness >= low, R.c.happiness <= high,
             *response_period(filters), *ticket_scope(scope)]
    if vf.with_comment:
        conds.append(R.c.comment.is_not(None))
    if vf.factor_id is not None:
        conds.append(sa.exists().where(RF.c.ticket_key == R.c.ticket_key, RF.c.factor_id == vf.factor_id))
    return conds


def verbatims_query(*, scope: Scope, analyst_id: int, filters: Filters, vf: VerbatimFilter,
                    limit: int, offset: int) -> sa.Select:
    """One page of an analyst's responses, newest first (LIMIT/OFFSET)."""
    S = schema.services
    return (sa.select(R.c.ticket_key, T.c.ticket_id, R.c.submitted_at, R.c.happiness, R.c.comment,
                      T.c.channel, S.c.name.label("service"), T.c.reassignment_count, T.c.reopened,
                      K.c.ticket_key.is_not(None).label("kudos_given"))
            .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key).join(S, S.c.service_id == T.c.service_id)
                         .outerjoin(K, K.c.ticket_key == R.c.ticket_key))
            .where(*_verbatim_where(scope, analyst_id, filters, vf))
            .order_by(R.c.submitted_at.desc(), R.c.ticket_key.desc())
            .limit(limit).offset(offset))


def verbatim_count_query(*, scope: Scope, analyst_id: int, filters: Filters, vf: VerbatimFilter) -> sa.Select:
    """How many responses match the verbatim filter (for the pager)."""
    return (sa.select(sa.func.count()).select_from(R.join(T, T.c.ticket_key == R.c.ticket_key))
            .where(*_verbatim_where(scope, analyst_id, filters, vf)))


VERBATIM_SCHEMA = {"ticket_key": pl.Int64, "ticket_id": pl.String, "submitted_at": pl.Datetime("us"),
                   "happiness": pl.Int64, "comment": pl.String, "channel": pl.String, "service": pl.String,
                   "reassignment_count": pl.Int64, "reopened": pl.Boolean, "kudos_given": pl.Boolean}


def _factor_labels(conn: sa.Connection, keys: list[int]) -> pl.DataFrame:
    if not keys:
        return pl.DataFrame(schema={"ticket_key": pl.Int64, "factors": pl.String})
    rows = conn.execute(sa.select(RF.c.ticket_key, F.c.label).select_from(RF.join(F, F.c.factor_id == RF.c.factor_id))
                        .where(RF.c.ticket_key.in_(keys)).order_by(RF.c.ticket_key, F.c.sort_order)).all()
    frame = pl.DataFrame([tuple(r) for r in rows], schema={"ticket_key": pl.Int64, "label": pl.String},
                         orient="row")
    return frame.group_by("ticket_key", maintain_order=True).agg(pl.col("label").str.join(", ").alias("factors"))


def verbatims(*, scope: Scope, analyst_id: int, filters: Filters, vf: VerbatimFilter = VerbatimFilter(),
              page: int = 0, page_size: int = VERBATIM_PAGE_SIZE, url: str | None = None
              ) -> tuple[pl.DataFrame, int]:
    """(one page of the analyst's responses with their factor labels, total matching)."""
    check_analyst(scope, analyst_id, url)
    with get_engine(_url(url)).connect() as conn:
        total = int(conn.execute(verbatim_count_query(scope=scope, analyst_id=analyst_id, filters=filters,
                                                      vf=vf)).scalar_one())
        rows = conn.execute(verbatims_query(scope=scope, analyst_id=analyst_id, filters=filters, vf=vf,
                                            limit=page_size, offset=max(page, 0) * page_size)).all()
        frame = pl.DataFrame([tuple(r) for r in rows], schema=VERBATIM_SCHEMA, orient="row")
        labels = _factor_labels(conn, frame["ticket_key"].to_list())
    frame = frame.join(labels, on="ticket_key", how="left").with_columns(pl.col("factors").fill_null(""))
    return frame, total


def factor_evidence_query(*, scope: Scope, analyst_id: int, filters: Filters) -> sa.Select:
    """The analyst's responses naming a factor that fits its polarity (9–10 positive, 0–6 negative)."""
    fits = sa.or_(sa.and_(F.c.polarity == "positive", R.c.happiness >= 9),
                  sa.and_(F.c.polarity == "negative", R.c.happiness <= 6))
    return (sa.select(T.c.ticket_id, R.c.ticket_key, R.c.happiness, R.c.comment, RF.c.factor_id)
            .select_from(RF.join(R, R.c.ticket_key == RF.c.ticket_key)
                         .join(T, T.c.ticket_key == R.c.ticket_key)
                         .join(F, F.c.factor_id == RF.c.factor_id))
            .where(T.c.analyst_id == analyst_id, fits, *response_period(filters), *ticket_scope(scope))
            .order_by(R.c.submitted_at.desc(), R.c.ticket_key.desc()))


def factor_evidence(*, scope: Scope, analyst_id: int, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """ticket_id, ticket_key, happiness, comment, factor_id: evidence for the talking points."""
    check_analyst(scope, analyst_id, url)
    return _rows(factor_evidence_query(scope=scope, analyst_id=analyst_id, filters=filters), url,
                 {"ticket_id": pl.String, "ticket_key": pl.Int64, "happiness": pl.Int64,
                  "comment": pl.String, "factor_id": pl.Int64})


def unhappy_context_query(*, scope: Scope, analyst_id: int, filters: Filters, threshold: int = 6) -> sa.Select:
    """The analyst's unhappy responses that were reassigned or reopened (not only their doing)."""
    return (sa.select(T.c.ticket_id, R.c.submitted_at, R.c.happiness, T.c.reassignment_count, T.c.reopened,
                      R.c.comment)
            .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key))
            .where(T.c.analyst_id == analyst_id, R.c.happiness <= threshold,
                   sa.or_(T.c.reassignment_count > 0, T.c.reopened.is_(True)),
                   *response_period(filters), *ticket_scope(scope))
            .order_by(R.c.submitted_at.desc()))


def unhappy_context(*, scope: Scope, analyst_id: int, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """ticket_id, submitted_at, happiness, reassignment_count, reopened, comment."""
    check_analyst(scope, analyst_id, url)
    return _rows(unhappy_context_query(scope=scope, analyst_id=analyst_id, filters=filters), url,
                 {"ticket_id": pl.String, "submitted_at": pl.Datetime("us"), "happiness": pl.Int64,
                  "reassignment_count": pl.Int64, "reopened": pl.Boolean, "comment": pl.String})


def shared_self_assessment(*, scope: Scope, analyst_id: int, url: str | None = None):
    """The analyst's latest self-assessment if they shared it with their lead, else None."""
    from data_access.self_assessments import shared_self_assessment as shared

    check_analyst(scope, analyst_id, url)
    return shared(scope=scope, analyst_id=analyst_id, url=url)


# ---------------------------------------------------------------- recovery queue

QUEUE_STATUSES = ("open", "resolved", "all")


def _queue_where(scope: Scope, threshold: int, since: dt.datetime | None, status: str,
                 analyst_id: int | None, history_before: dt.datetime | None = None) -> list:
    conds = [R.c.happiness <= threshold, *ticket_scope(scope)]
    if history_before is not None:  # an answer older than the recovery window without an item is history
        conds.append(sa.or_(RI.c.ticket_key.is_not(None), R.c.submitted_at >= history_before))
    if since is not None:
        conds.append(R.c.submitted_at >= since)
    if status == "open":
        conds.append(RI.c.resolved_at.is_(None))
    elif status == "resolved":
        conds.append(RI.c.resolved_at.is_not(None))
    if analyst_id is not None:
        conds.append(T.c.analyst_id == analyst_id)
    return conds


def recovery_queue_query(*, scope: Scope, threshold: int, since: dt.datetime | None, status: str = "open",
                         analyst_id: int | None = None, limit: int = QUEUE_PAGE_SIZE, offset: int = 0,
                         history_before: dt.datetime | None = None) -> sa.Select:
    """Unhappy responses about the lead's analysts (any ticket team) with their recovery state."""
    _lead(scope)
    due_sort = sa.func.coalesce(RI.c.due_at, R.c.submitted_at)
    return (sa.select(R.c.ticket_key, T.c.ticket_id, T.c.analyst_id, A.c.name.label("analyst"), A.c.team_id,
                      R.c.submitted_at, R.c.happiness, R.c.comment, RI.c.due_at, RI.c.first_contact_at,
                      RI.c.resolved_at, RI.c.outcome, sa.func.coalesce(RI.c.version, 0).label("version"))
            .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key)
                         .join(A, A.c.analyst_id == T.c.analyst_id)
                         .outerjoin(RI, RI.c.ticket_key == R.c.ticket_key))
            .where(*_queue_where(scope, threshold, since, status, analyst_id, history_before))
            # Open items: not yet contacted first (the most overdue on top), then those already
            # contacted; handled items: the latest first.
            .order_by(*((sa.case((RI.c.first_contact_at.is_(None), 0), else_=1), due_sort.asc())
                        if status == "open" else (R.c.submitted_at.desc(),)), R.c.ticket_key)
            .limit(limit).offset(offset))


def recovery_queue_count_query(*, scope: Scope, threshold: int, since: dt.datetime | None, status: str,
                               analyst_id: int | None, now: dt.datetime, target_hours: int,
                               history_before: dt.datetime | None = None) -> sa.Select:
    """(items, overdue items) matching the queue filter."""
    _lead(scope)
    overdue = sa.and_(RI.c.resolved_at.is_(None), _overdue(now, target_hours))
    return (sa.select(sa.func.count(), sa.func.sum(sa.case((overdue, 1), else_=0)))
            .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key)
                         .outerjoin(RI, RI.c.ticket_key == R.c.ticket_key))
            .where(*_queue_where(scope, threshold, since, status, analyst_id, history_before)))


QUEUE_SCHEMA = {"ticket_key": pl.Int64, "ticket_id": pl.String, "analyst_id": pl.Int64, "analyst": pl.String,
                "team_id": pl.Int64, "submitted_at": pl.Datetime("us"), "happiness": pl.Int64,
                "comment": pl.String, "due_at": pl.Datetime("us"), "first_contact_at": pl.Datetime("us"),
                "resolved_at": pl.Datetime("us"), "outcome": pl.String, "version": pl.Int64}


def recovery_queue(*, scope: Scope, threshold: int, since: dt.datetime | None, now: dt.datetime,
                   target_hours: int, status: str = "open", analyst_id: int | None = None, page: int = 0,
                   page_size: int = QUEUE_PAGE_SIZE, url: str | None = None) -> tuple[pl.DataFrame, int, int]:
    """(one page of the queue, items matching, overdue among them). Items without a recovery row yet
    (version 0) get their due time from `recovery.due_at` with the admin's `target_hours`."""
    if status not in QUEUE_STATUSES:
        raise ValueError(f"unknown queue status {status!r}")
    if analyst_id is not None:
        check_analyst(scope, analyst_id, url)
    with get_engine(_url(url)).connect() as conn:
        # Imported history: an unhappy answer older than the recovery window never had an item.
        history_before = now - dt.timedelta(days=recovery.read_settings(conn).window_days)
        total, overdue = conn.execute(recovery_queue_count_query(
            scope=scope, threshold=threshold, since=since, status=status, analyst_id=analyst_id,
            now=now, target_hours=target_hours, history_before=history_before)).one()
        rows = conn.execute(recovery_queue_query(scope=scope, threshold=threshold, since=since, status=status,
                                                 analyst_id=analyst_id, limit=page_size,
                                                 offset=max(page, 0) * page_size,
                                                 history_before=history_before)).all()
    frame = pl.DataFrame([tuple(r) for r in rows], schema=QUEUE_SCHEMA, orient="row")
    frame = frame.with_columns(
        pl.coalesce(pl.col("due_at"), recovery.due_at_expr(pl.col("submitted_at"), target_hours)).alias("due_at"))
    frame = frame.with_columns((pl.col("resolved_at").is_null() & pl.col("first_contact_at").is_null()
                                & (pl.col("due_at") < now)).alias("overdue"))
    return frame, int(total or 0), int(overdue or 0)


def recovery_history_query(*, scope: Scope, ticket_key: int) -> sa.Select:
    """Every recorded action on one recovery item of the lead's teams, oldest first."""
    _lead(scope)
    return (sa.select(RA.c.acted_at, RA.c.kind, RA.c.outcome, RA.c.note, U.c.display_name.label("by"))
            .select_from(RA.join(T, T.c.ticket_key == RA.c.ticket_key).outerjoin(U, U.c.user_id == RA.c.acted_by))
            .where(RA.c.ticket_key == ticket_key, lead_sees(scope, T.c.analyst_id))
            .order_by(RA.c.acted_at, RA.c.action_id))


def recovery_history(*, scope: Scope, ticket_key: int, url: str | None = None) -> pl.DataFrame:
    """acted_at, kind, outcome, note, by: the item's history (kept after it leaves the queue)."""
    return _rows(recovery_history_query(scope=scope, ticket_key=ticket_key), url,
                 {"acted_at": pl.Datetime("us"), "kind": pl.String, "outcome": pl.String, "note": pl.String,
                  "by": pl.String})


# ---------------------------------------------------------------- kudos and notes

def kudos_query(*, scope: Scope, analyst_id: int) -> sa.Select:
    """Kudos an analyst of the lead's teams received, newest first."""
    _lead(scope)
    return (sa.select(K.c.given_at, T.c.ticket_id, R.c.happiness, R.c.comment, K.c.note)
            .select_from(K.join(R, R.c.ticket_key == K.c.ticket_key).join(T, T.c.ticket_key == K.c.ticket_key))
            .where(K.c.analyst_id == analyst_id, lead_sees(scope, K.c.analyst_id))
            .order_by(K.c.given_at.desc()))


def kudos_received(*, scope: Scope, analyst_id: int, url: str | None = None) -> pl.DataFrame:
    """given_at, ticket_id, happiness, comment, note for an analyst's kudos."""
    check_analyst(scope, analyst_id, url)
    return _rows(kudos_query(scope=scope, analyst_id=analyst_id), url,
                 {"given_at": pl.Datetime("us"), "ticket_id": pl.String, "happiness": pl.Int64,
                  "comment": pl.String, "note": pl.String})


def notes_query(*, scope: Scope, analyst_id: int) -> sa.Select:
    """Coaching notes about an analyst of the lead's teams, newest first."""
    _lead(scope)
    return (sa.select(N.c.note_id, N.c.created_at, N.c.body, N.c.follow_up_on, N.c.shared_with_analyst,
                      N.c.version, U.c.display_name.label("author"))
            .select_from(N.outerjoin(U, U.c.user_id == N.c.author_user_id))
            .where(N.c.analyst_id == analyst_id, lead_sees(scope, N.c.analyst_id))
            .order_by(N.c.created_at.desc(), N.c.note_id.desc()))


NOTES_SCHEMA = {"note_id": pl.Int64, "created_at": pl.Datetime("us"), "body": pl.String,
                "follow_up_on": pl.Date, "shared_with_analyst": pl.Boolean, "version": pl.Int64,
                "author": pl.String}


def coaching_notes(*, scope: Scope, analyst_id: int, url: str | None = None) -> pl.DataFrame:
    """note_id, created_at, body, follow_up_on, shared_with_analyst, version, author."""
    check_analyst(scope, analyst_id, url)
    return _rows(notes_query(scope=scope, analyst_id=analyst_id), url, NOTES_SCHEMA)
