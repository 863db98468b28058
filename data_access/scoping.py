"""Row-level security in SQL: the WHERE conditions a viewer's scope puts on ticket-based reads."""

from __future__ import annotations

import sqlalchemy as sa

from data_access import schema
from data_access.scope import Scope, ScopeError


def ticket_scope(scope: Scope, tickets: sa.Table = schema.tickets, *, own_only: bool = True) -> list[sa.ColumnElement]:
    """Conditions limiting tickets to what `scope` may read.

    analyst: their own tickets (own_only=False widens to their team, for unnamed distributions
    only — callers must aggregate and drop analyst ids). lead: their teams. cio: the whole
    organisation or its listed teams. admin: nothing (admins manage data, they do not read feedback).
    """
    if scope.role == "analyst":
        if own_only:
            return [tickets.c.analyst_id == scope.analyst_id]
        return [tickets.c.team_id.in_(scope.team_ids)] if scope.team_ids else [sa.false()]
    if scope.role == "lead":
        return [tickets.c.team_id.in_(scope.team_ids)]
    if scope.role == "cio":
        return [tickets.c.team_id.in_(scope.team_ids)] if scope.team_ids else []
    raise ScopeError("the admin role does not read feedback")


def analyst_scope(scope: Scope, analyst_id: int) -> None:
    """Refuse a named per-analyst read the scope does not allow (checked before any SQL runs).

    A lead's request for an analyst outside their teams is refused in SQL as well: callers also
    add `ticket_scope(scope)` so a forged id returns no rows.
    """
    if scope.role == "analyst" and analyst_id != scope.analyst_id:
        raise ScopeError("an analyst can only read their own feedback")
    if scope.role in ("cio", "admin"):
        raise ScopeError(f"the {scope.role} role does not see individual analysts")
