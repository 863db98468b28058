"""Reads behind the Coaching page: a team lead's analysts, their activity, recovery queue, kudos, notes.

SQL only: the figures are assembled by the read model `views.coaching`. Every reader takes the
lead's Scope and filters in SQL with the rule of whom a lead coaches (`scoping.lead_coaches`):
feedback about analysts whose home team is one of the lead's teams, whatever team the ticket was
assigned to, other than the lead themself, so a forged analyst id returns nothing.
`check_analyst` is the one named-analyst check, made once per render by the read model. The analyst detail reads live in `coaching_analyst`.
Each reader has a `*_query()` builder next to it so tests can compile it for every dialect.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from data_access import query, recovery, schema
from data_access.dialect import reads_per_analyst
from data_access.engine import get_engine
from data_access.rollups import coaching as rollup_coaching
from data_access.rollups.state import use_rollups
from data_access.scope import Scope, ScopeError
from data_access.scoping import SELF_COACHING, analyst_scope, coached_tickets, lead_coaches

# Short names for the tables these queries join; the Coaching writes and the analyst detail reads
# import them from here. Other reader modules (trends, stats, drill, …) name their own few: a list
# of names, no logic to share.
T = schema.tickets
R = schema.responses
A = schema.analysts
RI = schema.recovery_items
RA = schema.recovery_actions
K = schema.kudos
N = schema.coaching_notes
U = schema.app_users
QUEUE_PAGE_SIZE = 25
NEWEST = 3  # newest scores per analyst the overview reads (metrics.coaching.RUN_LENGTH of them make a run)


def _lead(scope: Scope) -> None:
    if scope.role != "lead":
        raise ScopeError("the Coaching page is for team leads")


def named_read(scope: Scope, analyst_id: int) -> None:
    """Refuse, before any SQL, a scope that never reads this named analyst: any role but a lead,
    and a lead asking for themself; whether the analyst is in the lead's teams is the WHERE's
    business (`lead_coaches`)."""
    _lead(scope)
    analyst_scope(scope, analyst_id)
    if analyst_id == scope.analyst_id:
        raise ScopeError(SELF_COACHING)


def recovery_settings(*, url: str | None = None) -> recovery.RecoverySettings:
    """The admin's recovery rules (threshold, target hours, window), as `data_access.recovery` reads them."""
    with get_engine(url).connect() as conn:
        return recovery.read_settings(conn)


# ---------------------------------------------------------------- roster and overview

def roster_query(*, scope: Scope) -> sa.Select:
    """The SELECT behind `team_roster`."""
    _lead(scope)
    TM = schema.teams
    return (sa.select(A.c.analyst_id, A.c.name, A.c.team_id, TM.c.name.label("team_name"), A.c.active)
            .select_from(A.join(TM, TM.c.team_id == A.c.team_id))
            .where(lead_coaches(scope, A.c.analyst_id))
            .order_by(A.c.name))


ROSTER_SCHEMA = {"analyst_id": pl.Int64, "name": pl.String, "team_id": pl.Int64,
                 "team_name": pl.String, "active": pl.Boolean}


def team_roster(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """Analysts whose home team is one of the lead's teams: id, name, team, active."""
    return query.frame(roster_query(scope=scope), url=url, schema=ROSTER_SCHEMA)


def check_analyst(scope: Scope, analyst_id: int, url: str | None = None) -> dict:
    """The one named-analyst check: the analyst's roster row (analyst_id, name, team_id, team_name,
    active) when their home team is one of the lead's teams, else ScopeError."""
    named_read(scope, analyst_id)
    found = query.frame(roster_query(scope=scope).where(A.c.analyst_id == analyst_id), url=url,
                        schema=ROSTER_SCHEMA)
    if found.is_empty():
        raise ScopeError("this analyst is not in one of your teams")
    return found.row(0, named=True)


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
                   *coached_tickets(scope))
            .group_by(T.c.analyst_id))


def last_scores_query(*, scope: Scope, since: dt.datetime, per_analyst: bool = False,
                      windows: dict[int, tuple[dt.datetime, dt.datetime]] | None = None,
                      keys: list[tuple[int, int]] | None = None) -> sa.Select:
    """Each analyst's three newest scores since `since` (rank 1 = newest), for the unhappy-run signal.

    `per_analyst` (PostgreSQL, `dialect.reads_per_analyst`): one LATERAL lookup per analyst of the
    lead's teams, walking the answers newest first and stopping at three — never a scan of every
    ticket the team ever closed. Otherwise one ranked join (DuckDB hashes it; SQLite has no LATERAL),
    over only the answers in `windows` when given: analyst_id → [start, end) holding that analyst's
    newest answers (`rollups.coaching.newest_windows`), so a few days are read instead of `since` on,
    and with `keys`, ranges of ticket keys holding those answers, so the tickets outside are skipped."""
    _lead(scope)
    order = (R.c.submitted_at.desc(), R.c.ticket_key.desc())
    if per_analyst:
        newest = (sa.select(R.c.happiness, R.c.submitted_at, R.c.ticket_key)
                  .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key))
                  .where(T.c.analyst_id == A.c.analyst_id, R.c.submitted_at >= since)
                  .order_by(*order).limit(NEWEST).lateral("newest"))
        rank = sa.func.row_number().over(partition_by=A.c.analyst_id,
                                         order_by=(newest.c.submitted_at.desc(), newest.c.ticket_key.desc()))
        return (sa.select(A.c.analyst_id, newest.c.happiness, rank.label("rank"))
                .select_from(A.join(newest, sa.true())).where(lead_coaches(scope, A.c.analyst_id)))
    rank = sa.func.row_number().over(partition_by=T.c.analyst_id, order_by=order).label("rank")
    where = [R.c.submitted_at >= since, lead_coaches(scope, T.c.analyst_id)]
    if windows is not None:  # the answers' ranges alone first: a scan skips the days outside them
        where += [sa.or_(sa.false(), *[sa.and_(R.c.submitted_at >= start, R.c.submitted_at < end)
                                       for start, end in rollup_coaching.merged(list(windows.values()))]),
                  sa.or_(sa.false(), *[sa.and_(T.c.analyst_id == analyst_id, R.c.submitted_at >= start,
                                               R.c.submitted_at < end)
                                       for analyst_id, (start, end) in sorted(windows.items())])]
    if keys is not None:
        where += [rollup_coaching.in_ranges(R.c.ticket_key, keys), rollup_coaching.in_ranges(T.c.ticket_key, keys)]
    inner = (sa.select(T.c.analyst_id, R.c.happiness, rank)
             .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key)).where(*where)).subquery()
    return sa.select(inner.c.analyst_id, inner.c.happiness, inner.c["rank"]).where(inner.c["rank"] <= NEWEST)


def last_kudos_query(*, scope: Scope) -> sa.Select:
    """Date of the newest kudos per analyst in the lead's teams."""
    _lead(scope)
    return (sa.select(K.c.analyst_id, sa.func.max(K.c.given_at).label("last_kudos"))
            .where(lead_coaches(scope, K.c.analyst_id)).group_by(K.c.analyst_id))


def last_note_query(*, scope: Scope) -> sa.Select:
    """Date of the newest coaching note per analyst in the lead's teams."""
    _lead(scope)
    return (sa.select(N.c.analyst_id, sa.func.max(N.c.created_at).label("last_note"))
            .where(lead_coaches(scope, N.c.analyst_id)).group_by(N.c.analyst_id))


def team_activity(*, scope: Scope, since: dt.datetime, now: dt.datetime, target_hours: int,
                  threshold: int, url: str | None = None) -> dict[str, pl.DataFrame]:
    """Per-analyst close-the-loop activity: open/overdue recoveries, newest 3 scores, last kudos, note.

    With fresh rollups the recovery counts come from rollup_open_recovery and the newest scores are
    read from the few days that hold them, so the cost follows the lead's analysts, not the warehouse."""
    _lead(scope)
    frames: dict[str, pl.DataFrame] = {}
    rollups = use_rollups(url)
    with get_engine(url).connect() as conn:
        per_analyst = reads_per_analyst(conn.dialect)
        windows = keys = None
        if rollups and not per_analyst:  # PostgreSQL walks its indexes instead (LATERAL, due-time index)
            windows, keys = _recent_answers(conn, scope, since, recovery.not_due_since(now, target_hours))
        if rollups and rollup_coaching.serves_recovery_counts(threshold, since):
            counts = rollup_coaching.open_recovery_query(scope=scope, threshold=threshold, since=since, now=now,
                                                         target_hours=target_hours, keys=keys)
        else:
            counts = recovery_counts_query(scope=scope, threshold=threshold, since=since, now=now,
                                           target_hours=target_hours)
        for name, stmt, shape in (
            ("recovery", counts, {"analyst_id": pl.Int64, "open_recovery": pl.Int64, "overdue_recovery": pl.Int64}),
            ("scores", last_scores_query(scope=scope, since=since, per_analyst=per_analyst, windows=windows,
                                         keys=keys),
             {"analyst_id": pl.Int64, "happiness": pl.Int64, "rank": pl.Int64}),
            ("kudos", last_kudos_query(scope=scope), {"analyst_id": pl.Int64, "last_kudos": pl.Datetime("us")}),
            ("notes", last_note_query(scope=scope), {"analyst_id": pl.Int64, "last_note": pl.Datetime("us")}),
        ):
            frames[name] = query.frame_on(conn, stmt, schema=shape)
    return frames


def _recent_answers(conn: sa.Connection, scope: Scope, since: dt.datetime, not_due_since: dt.datetime):
    """(analyst_id → the days holding their newest answers since `since`, ranges of the ticket keys of
    the answers in those days or submitted from `not_due_since` on), from the rollups and one GROUP BY."""
    days = query.frame_on(conn, rollup_coaching.answer_days_query(scope=scope, since=since),
                          schema={"analyst_id": pl.Int64, "day": pl.Date, "n": pl.Int64})
    windows = rollup_coaching.newest_windows(days, since, NEWEST)
    spans = [*rollup_coaching.merged(list(windows.values())), (not_due_since, None)]
    return windows, rollup_coaching.key_ranges(conn.execute(rollup_coaching.key_ranges_query(spans)).all())


# ---------------------------------------------------------------- recovery queue

QUEUE_STATUSES = ("open", "resolved", "all")


def _queue_where(scope: Scope, threshold: int, since: dt.datetime | None, status: str,
                 analyst_id: int | None, history_before: dt.datetime | None = None) -> list:
    conds = [R.c.happiness <= threshold, *coached_tickets(scope)]
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
        named_read(scope, analyst_id)
    with get_engine(url).connect() as conn:
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
            .where(RA.c.ticket_key == ticket_key, lead_coaches(scope, T.c.analyst_id))
            .order_by(RA.c.acted_at, RA.c.action_id))


def recovery_history(*, scope: Scope, ticket_key: int, url: str | None = None) -> pl.DataFrame:
    """acted_at, kind, outcome, note, by: the item's history (kept after it leaves the queue)."""
    return query.frame(recovery_history_query(scope=scope, ticket_key=ticket_key), url=url,
                       schema={"acted_at": pl.Datetime("us"), "kind": pl.String, "outcome": pl.String,
                               "note": pl.String, "by": pl.String})


# ---------------------------------------------------------------- kudos and notes

def kudos_query(*, scope: Scope, analyst_id: int) -> sa.Select:
    """Kudos an analyst of the lead's teams received, newest first."""
    _lead(scope)
    return (sa.select(K.c.given_at, T.c.ticket_id, R.c.happiness, R.c.comment, K.c.note)
            .select_from(K.join(R, R.c.ticket_key == K.c.ticket_key).join(T, T.c.ticket_key == K.c.ticket_key))
            .where(K.c.analyst_id == analyst_id, lead_coaches(scope, K.c.analyst_id))
            .order_by(K.c.given_at.desc()))


def kudos_received(*, scope: Scope, analyst_id: int, url: str | None = None) -> pl.DataFrame:
    """given_at, ticket_id, happiness, comment, note for an analyst's kudos."""
    named_read(scope, analyst_id)
    return query.frame(kudos_query(scope=scope, analyst_id=analyst_id), url=url,
                       schema={"given_at": pl.Datetime("us"), "ticket_id": pl.String, "happiness": pl.Int64,
                               "comment": pl.String, "note": pl.String})


def notes_query(*, scope: Scope, analyst_id: int) -> sa.Select:
    """Coaching notes about an analyst of the lead's teams, newest first."""
    _lead(scope)
    return (sa.select(N.c.note_id, N.c.created_at, N.c.body, N.c.follow_up_on, N.c.shared_with_analyst,
                      N.c.version, U.c.display_name.label("author"))
            .select_from(N.outerjoin(U, U.c.user_id == N.c.author_user_id))
            .where(N.c.analyst_id == analyst_id, lead_coaches(scope, N.c.analyst_id))
            .order_by(N.c.created_at.desc(), N.c.note_id.desc()))


NOTES_SCHEMA = {"note_id": pl.Int64, "created_at": pl.Datetime("us"), "body": pl.String,
                "follow_up_on": pl.Date, "shared_with_analyst": pl.Boolean, "version": pl.Int64,
                "author": pl.String}


def coaching_notes(*, scope: Scope, analyst_id: int, url: str | None = None) -> pl.DataFrame:
    """note_id, created_at, body, follow_up_on, shared_with_analyst, version, author."""
    named_read(scope, analyst_id)
    return query.frame(notes_query(scope=scope, analyst_id=analyst_id), url=url, schema=NOTES_SCHEMA)
