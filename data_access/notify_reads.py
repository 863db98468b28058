"""Scoped reads behind the digest, the unhappy-customer alerts and the notification preferences.

Like `stats.py`: SQLAlchemy Core with bound parameters, the rule of whom a lead coaches
(`scoping.coached_tickets`: never themself) in every feedback query, small result sets, and a
`*_query()` builder next to each reader so a test can compile it for SQLite, PostgreSQL and DuckDB. Reads are not cached: the alert command must see
the database as it is now, and the digest is built once per recipient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from data_access import query, recovery, schema
from data_access.dialect import as_int
from data_access.filters import Filters, response_period, ticket_slice
from data_access.scope import Scope, ScopeError
from data_access.scoping import coached_tickets, lead_coaches
from metrics.happiness import HAPPY_MIN, UNHAPPY_MAX

T = schema.tickets
R = schema.responses
A = schema.analysts
RI = schema.recovery_items
U = schema.app_users

def _rows(url: str | None, stmt, params: dict | None = None) -> pl.DataFrame:
    return query.frame(stmt, url=url, params=params)


# ---------------------------------------------------------------- settings and recipients

def recovery_settings(*, url: str | None = None) -> recovery.RecoverySettings:
    """The admin's recovery rules, read now (uncached: the alert command must see the current ones)."""
    return query.read(recovery.read_settings, url=url)


def recipients_query(role: str) -> sa.Select:
    """Active users holding `role` who have an email address, with their preferences and teams."""
    has_role = sa.exists().where(schema.user_roles.c.user_id == U.c.user_id,
                                 schema.user_roles.c.role == role)
    return (sa.select(U.c.user_id, U.c.username, U.c.display_name, U.c.email, U.c.receive_digest,
                      U.c.alert_threshold, U.c.extra_recipients, U.c.analyst_id, schema.user_teams.c.team_id)
            .select_from(U.outerjoin(schema.user_teams, schema.user_teams.c.user_id == U.c.user_id))
            .where(U.c.active.is_(True), has_role, U.c.email.is_not(None), U.c.email != "")
            .order_by(U.c.user_id, schema.user_teams.c.team_id))


@dataclass(frozen=True)
class Recipient:
    """A lead or CIO who may receive mail, with the teams they lead (or are limited to)."""

    user_id: int
    username: str
    display_name: str
    email: str
    receive_digest: bool
    alert_threshold: int | None
    extra_recipients: tuple[str, ...]
    team_ids: tuple[int, ...]
    analyst_id: int | None = None  # a lead's own analyst record: never in what they are sent about people

    def scope(self, role: str) -> Scope:
        own = self.analyst_id if role == "lead" else None
        return Scope(role, analyst_id=own, team_ids=self.team_ids)  # type: ignore[arg-type]


def split_addresses(text: str | None) -> tuple[str, ...]:
    """'a@x, b@y;c@z' → ('a@x', 'b@y', 'c@z')."""
    if not text:
        return ()
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    return tuple(p for p in parts if p)


def recipients(role: str, *, url: str | None = None) -> list[Recipient]:
    """Users with `role` who can receive email (leads only when they lead at least one team)."""
    frame = _rows(url, recipients_query(role))
    out: dict[int, Recipient] = {}
    for row in frame.iter_rows(named=True):
        uid = row["user_id"]
        previous = out.get(uid)
        teams = (previous.team_ids if previous else ()) + ((row["team_id"],) if row["team_id"] else ())
        out[uid] = Recipient(uid, row["username"], row["display_name"], row["email"],
                             bool(row["receive_digest"]), row["alert_threshold"],
                             split_addresses(row["extra_recipients"]), teams, row["analyst_id"])
    people = list(out.values())
    return [p for p in people if p.team_ids] if role == "lead" else people


# ---------------------------------------------------------------- digest reads

def team_names_query(scope: Scope) -> sa.Select:
    """Teams the scope covers."""
    scope.require("lead", "cio")
    stmt = sa.select(schema.teams.c.team_id, schema.teams.c.name).order_by(schema.teams.c.team_id)
    return stmt.where(schema.teams.c.team_id.in_(scope.team_ids)) if scope.team_ids else stmt


def team_names(*, scope: Scope, url: str | None = None) -> dict[int, str]:
    """team_id → team name, for the teams in scope."""
    return {int(k): v for k, v in _rows(url, team_names_query(scope)).iter_rows()}


def team_roster_query(scope: Scope) -> sa.Select:
    """Active analysts of a lead's teams (names are visible to their lead only)."""
    scope.require("lead")
    return (sa.select(A.c.analyst_id, A.c.name, A.c.team_id)
            .where(lead_coaches(scope, A.c.analyst_id), A.c.active.is_(True))
            .order_by(A.c.team_id, A.c.name))


def team_roster(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """analyst_id, name, team_id of the active analysts the lead leads."""
    frame = _rows(url, team_roster_query(scope))
    if frame.is_empty():
        return pl.DataFrame(schema={"analyst_id": pl.Int64, "name": pl.String, "team_id": pl.Int64})
    return frame


def _verbatim_columns() -> list[sa.ColumnElement]:
    # team_id: the analyst's home team (the lead's team the response is routed to), not the ticket's.
    return [R.c.ticket_key, T.c.ticket_id, A.c.team_id, T.c.analyst_id, A.c.name.label("analyst"),
            schema.services.c.name.label("service"), T.c.channel, R.c.happiness, R.c.comment,
            R.c.submitted_at]


def _verbatim_from():
    return (R.join(T, R.c.ticket_key == T.c.ticket_key)
            .join(A, A.c.analyst_id == T.c.analyst_id)
            .join(schema.services, schema.services.c.service_id == T.c.service_id))


def praise_query(*, scope: Scope, filters: Filters, limit: int = 20) -> sa.Select:
    """Responses scoring 9–10 with a comment in the period, newest first (a lead's own teams)."""
    scope.require("lead")
    return (sa.select(*_verbatim_columns()).select_from(_verbatim_from())
            .where(R.c.happiness >= HAPPY_MIN, R.c.comment.is_not(None), sa.func.trim(R.c.comment) != "",
                   *response_period(filters), *ticket_slice(filters), *coached_tickets(scope))
            .order_by(R.c.submitted_at.desc(), R.c.ticket_key).limit(limit))


def praise(*, scope: Scope, filters: Filters, limit: int = 20, url: str | None = None) -> pl.DataFrame:
    """The week's praise, ready to forward as recognition."""
    return _rows(url, praise_query(scope=scope, filters=filters, limit=limit))


def _unhappy_where(filters: Filters) -> list[sa.ColumnElement]:
    return [R.c.happiness <= UNHAPPY_MAX, *response_period(filters), *ticket_slice(filters)]


def unhappy_count_query(*, scope: Scope, filters: Filters) -> sa.Select:
    """How many responses scored 0–6 in the period about the analysts the lead coaches (the
    heading of the list `unhappy_responses` pages: the lead's own are not theirs to follow up)."""
    scope.require("lead")
    return (sa.select(sa.func.count()).select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*_unhappy_where(filters), *coached_tickets(scope)))


def unhappy_count(*, scope: Scope, filters: Filters, url: str | None = None) -> int:
    return int(query.read(lambda conn: conn.execute(unhappy_count_query(scope=scope, filters=filters)).scalar_one(),
                          url=url))


def unhappy_responses_query(*, scope: Scope, filters: Filters, limit: int = 20) -> sa.Select:
    """Responses scoring 0–6 in the period with their recovery state, newest first."""
    scope.require("lead")
    return (sa.select(*_verbatim_columns(), RI.c.due_at, RI.c.first_contact_at,
                      RI.c.resolved_at.label("recovered_at"), RI.c.outcome)
            .select_from(_verbatim_from().outerjoin(RI, RI.c.ticket_key == R.c.ticket_key))
            .where(*_unhappy_where(filters), *coached_tickets(scope))
            .order_by(R.c.submitted_at.desc(), R.c.ticket_key).limit(limit))


def unhappy_responses(*, scope: Scope, filters: Filters, limit: int = 20,
                      url: str | None = None) -> pl.DataFrame:
    """The period's unhappy responses (0–6) with their recovery item, if any."""
    return _rows(url, unhappy_responses_query(scope=scope, filters=filters, limit=limit))


def recovery_queue_query(*, scope: Scope, now: dt.datetime, filters: Filters,
                         tracking_since: dt.datetime | None = None) -> sa.Select:
    """Recovery queue counts per team: open, overdue, not yet contacted (the to-do list, as the
    Coaching queue shows it); and the period's items with how many were first contacted within
    target (rates and times only: no people), over the items opened since recovery tracking
    began (`recovery.counted`, the rule of the CIO's tile).

    A lead's teams are their analysts' home teams, less the lead themself (`lead_coaches`); the CIO's are the teams the
    items were routed to when they opened (`recovery_items.team_id`).
    """
    scope.require("lead", "cio")
    start = dt.datetime.combine(filters.start, dt.time())
    end = dt.datetime.combine(filters.end, dt.time())
    is_open = RI.c.resolved_at.is_(None)
    in_period = sa.and_(RI.c.created_at >= start, RI.c.created_at < end,
                        *recovery.counted(RI.c.created_at, tracking_since))
    if scope.role == "lead":
        team, source, conds = A.c.team_id, RI.join(A, A.c.analyst_id == RI.c.analyst_id), [
            lead_coaches(scope, RI.c.analyst_id)]
    else:
        team, source = RI.c.team_id, RI
        conds = [RI.c.team_id.in_(scope.team_ids)] if scope.team_ids else []
    return (sa.select(team.label("team_id"),
                      sa.func.sum(as_int(is_open)).label("open"),
                      sa.func.sum(as_int(sa.and_(is_open, RI.c.due_at < now))).label("overdue"),
                      sa.func.sum(as_int(sa.and_(is_open, RI.c.first_contact_at.is_(None))))
                      .label("not_contacted"),
                      sa.func.sum(as_int(in_period)).label("created"),
                      sa.func.sum(as_int(sa.and_(in_period, RI.c.first_contact_at.is_not(None),
                                                 RI.c.first_contact_at <= RI.c.due_at)))
                      .label("contacted_in_time"),
                      sa.func.sum(as_int(sa.and_(in_period, sa.or_(
                          RI.c.first_contact_at.is_not(None), RI.c.due_at < now))))
                      .label("decided"))
            .select_from(source).where(*conds)
            .group_by(team).order_by(team))


RECOVERY_COLUMNS = ("open", "overdue", "not_contacted", "created", "contacted_in_time", "decided")


def recovery_queue(*, scope: Scope, now: dt.datetime, filters: Filters,
                   url: str | None = None) -> pl.DataFrame:
    """Per team: open, overdue, not_contacted items now; created, contacted_in_time, decided in the
    period since recovery tracking began (`decided` = contacted, or past due without contact: the
    denominator of 'in time')."""
    since = recovery_settings(url=url).tracking_since
    frame = _rows(url, recovery_queue_query(scope=scope, now=now, filters=filters, tracking_since=since))
    if frame.is_empty():
        return pl.DataFrame(schema={"team_id": pl.Int64, **{c: pl.Int64 for c in RECOVERY_COLUMNS}})
    return frame.with_columns(pl.col(c).cast(pl.Int64).fill_null(0) for c in RECOVERY_COLUMNS)


# ---------------------------------------------------------------- alert reads

def pending_alerts_query(*, scope: Scope, since: dt.datetime, threshold: int) -> sa.Select:
    """Responses at or below `threshold` submitted since `since` in a lead's teams whose recovery
    item is missing or has not been alerted yet (the command then skips what it already sent)."""
    scope.require("lead")
    return (sa.select(*_verbatim_columns(), *[R.c[d] for d in schema.CARE_DIMENSIONS],
                      R.c.lost_minutes, RI.c.due_at, RI.c.created_at.label("item_created_at"),
                      (RI.c.ticket_key.is_not(None)).label("has_item"))
            .select_from(_verbatim_from().outerjoin(RI, RI.c.ticket_key == R.c.ticket_key))
            .where(R.c.happiness <= threshold, R.c.submitted_at >= since,
                   RI.c.alerted_at.is_(None), *coached_tickets(scope))
            .order_by(R.c.submitted_at, R.c.ticket_key))


def pending_alerts(*, scope: Scope, since: dt.datetime, threshold: int,
                   url: str | None = None) -> pl.DataFrame:
    """Unhappy responses in the lead's teams that still need an alert."""
    return _rows(url, pending_alerts_query(scope=scope, since=since, threshold=threshold))


def response_factors_query(*, scope: Scope, ticket_keys: tuple[int, ...]) -> sa.Select:
    """Factor labels the customer picked on each of `ticket_keys` (within scope)."""
    F, RF = schema.factors, schema.response_factors
    return (sa.select(RF.c.ticket_key, F.c.label, F.c.polarity)
            .select_from(RF.join(F, F.c.factor_id == RF.c.factor_id)
                         .join(T, T.c.ticket_key == RF.c.ticket_key))
            .where(RF.c.ticket_key.in_(ticket_keys), *coached_tickets(scope))
            .order_by(RF.c.ticket_key, F.c.sort_order))


def response_factors(*, scope: Scope, ticket_keys: tuple[int, ...],
                     url: str | None = None) -> dict[int, list[str]]:
    """ticket_key → the labels of the factors picked on that response."""
    if not ticket_keys:
        return {}
    out: dict[int, list[str]] = {}
    for key, label, _ in _rows(url, response_factors_query(scope=scope, ticket_keys=ticket_keys)).iter_rows():
        out.setdefault(int(key), []).append(label)
    return out


def sent_notifications_query(dedupe_keys: tuple[str, ...]) -> sa.Select:
    """Notifications among `dedupe_keys` the SMTP server already accepted."""
    N = schema.notifications
    return sa.select(N.c.dedupe_key).where(N.c.dedupe_key.in_(dedupe_keys), N.c.sent_at.is_not(None))


def sent_notifications(dedupe_keys: tuple[str, ...], *, url: str | None = None) -> set[str]:
    """The subset of `dedupe_keys` already sent."""
    if not dedupe_keys:
        return set()
    return {r[0] for r in query.read(lambda conn: conn.execute(sent_notifications_query(dedupe_keys)).all(), url=url)}


# ---------------------------------------------------------------- preferences

PREFERENCE_COLUMNS = (U.c.user_id, U.c.username, U.c.display_name, U.c.email, U.c.receive_digest,
                      U.c.alert_threshold, U.c.extra_recipients)


def user_preferences_query(user_id: int) -> sa.Select:
    """One user's notification preferences."""
    return sa.select(*PREFERENCE_COLUMNS).where(U.c.user_id == user_id)


def user_preferences(user_id: int, *, url: str | None = None) -> dict | None:
    """user_id, username, display_name, email, receive_digest, alert_threshold, extra_recipients."""
    frame = _rows(url, user_preferences_query(user_id))
    return frame.row(0, named=True) if frame.height else None


def all_preferences_query() -> sa.Select:
    """Every active user's notification preferences (admin view)."""
    return sa.select(*PREFERENCE_COLUMNS).where(U.c.active.is_(True)).order_by(U.c.display_name)


def all_preferences(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """All active users' preferences; only an admin may list them."""
    if scope.role != "admin":
        raise ScopeError("only an admin manages other people's notification settings")
    return _rows(url, all_preferences_query())
