"""Row-level security in SQL: who may see whom, as WHERE conditions every scoped read and write uses.

The one "who may see whom" rule for people: a team lead sees feedback about an analyst whose
HOME team (`analysts.team_id`) is one of the lead's teams — whatever team the ticket was assigned
to (`tickets.team_id`). An analyst who moves teams is seen by the new lead, history included, and
no longer by the old one. `lead_sees` is that rule, for what a lead reads about their teams.

A lead never coaches themself: a lead who also works tickets in a team they lead is one of its
analysts for the team's figures, but not a person on their own Coaching page. `lead_coaches` is
`lead_sees` less the lead's own analyst record; every named read and every write of a lead
(roster, one analyst's figures and verbatims, the recovery queue and its actions, kudos, notes,
shared self-assessments, the digest's people and alerts) goes through it. Another lead of the
team coaches them.

Team-level figures about the organisation (Culture trends, the CIO digest) keep the ticket's
assignment group: they answer "how is the service of this team's queue received", not "how is
this person doing". That is `ticket_scope` for the CIO.
"""

from __future__ import annotations

import sqlalchemy as sa

from data_access import schema
from data_access.scope import Scope, ScopeError

A = schema.analysts
SELF_COACHING = ("This is about you: a lead does not coach, or follow up on, their own feedback. "
                 "It is on My feedback; another lead of your team follows it up.")


def home_team_members(team_ids: tuple[int, ...]) -> sa.Select:
    """SELECT analyst_id of every analyst whose home team is one of `team_ids`."""
    return sa.select(A.c.analyst_id).where(A.c.team_id.in_(team_ids))


def lead_sees(scope: Scope, analyst_id: sa.ColumnElement) -> sa.ColumnElement:
    """The who-may-see-whom rule: `analyst_id` belongs to an analyst of one of the lead's teams.

    Refuses any other role, so a caller cannot widen a lead read by passing a CIO scope.
    """
    if scope.role != "lead":
        raise ScopeError("only a team lead sees named analysts")
    if not scope.team_ids:
        return sa.false()
    return analyst_id.in_(home_team_members(scope.team_ids))


def lead_coaches(scope: Scope, analyst_id: sa.ColumnElement) -> sa.ColumnElement:
    """`lead_sees` without the lead themself: the analysts a lead may name, coach and act on."""
    seen = lead_sees(scope, analyst_id)
    if scope.analyst_id is None:
        return seen
    return sa.and_(seen, analyst_id != scope.analyst_id)


def coached_tickets(scope: Scope, tickets: sa.Table = schema.tickets) -> list[sa.ColumnElement]:
    """`ticket_scope` for a lead's named reads: tickets worked by an analyst they coach."""
    return [lead_coaches(scope, tickets.c.analyst_id)]


def ticket_scope(scope: Scope, tickets: sa.Table = schema.tickets, *, own_only: bool = True) -> list[sa.ColumnElement]:
    """Conditions limiting tickets (and their responses) to what `scope` may read.

    analyst: their own tickets (own_only=False widens to the colleagues of their home team, for
    unnamed distributions only — callers must aggregate and drop analyst ids). lead: tickets
    worked by an analyst of their teams (`lead_sees`). cio: the whole organisation or the listed
    teams by the ticket's assignment group. admin: nothing (admins manage data, not feedback).
    """
    if scope.role == "analyst":
        if own_only:
            return [tickets.c.analyst_id == scope.analyst_id]
        if not scope.team_ids:
            return [sa.false()]
        return [tickets.c.analyst_id.in_(home_team_members(scope.team_ids))]
    if scope.role == "lead":
        return [lead_sees(scope, tickets.c.analyst_id)]
    if scope.role == "cio":
        return [tickets.c.team_id.in_(scope.team_ids)] if scope.team_ids else []
    raise ScopeError("the admin role does not read feedback")


def within_team(scope: Scope, team_id: int) -> Scope:
    """The lead's scope narrowed to one of their teams (e.g. an analyst's team for comparisons)."""
    if scope.role != "lead" or team_id not in scope.team_ids:
        raise ScopeError("this team is not one of yours")
    return Scope("lead", analyst_id=scope.analyst_id, team_ids=(team_id,))


def analyst_scope(scope: Scope, analyst_id: int) -> None:
    """Refuse a named per-analyst read the scope does not allow (checked before any SQL runs).

    A lead's request for an analyst outside their teams is refused in SQL as well: callers also
    add `ticket_scope(scope)` (or `lead_sees`) so a forged id returns no rows.
    """
    if scope.role == "analyst" and analyst_id != scope.analyst_id:
        raise ScopeError("an analyst can only read their own feedback")
    if scope.role in ("cio", "admin"):
        raise ScopeError(f"the {scope.role} role does not see individual analysts")
