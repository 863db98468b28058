"""Survey response rates per channel for the Culture trends page: of the tickets closed in the
period, how many were invited and how many invitations were answered, next to how many have a
response at all (imported answers included). One GROUP BY over tickets (or over rollup_tickets
when the rollups are fresh), scoped in SQL."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access import config, schema
from data_access.dialect import as_int
from data_access.engine import get_engine
from data_access.filters import Filters, ticket_period, ticket_slice
from data_access.rollups import reads as rollup_reads
from data_access.rollups.state import use_rollups
from data_access.scope import Scope
from data_access.scoping import ticket_scope
from data_access.stats import TICKET_GROUPABLE

T, R, SI = schema.tickets, schema.responses, schema.survey_invitations


def channel_rates_query(*, scope: Scope, filters: Filters, by: tuple[str, ...] = ()) -> sa.Select:
    """Per channel (and `by`: week, team_id, service_id, ticket_type — for disclosure control's
    neighbouring-link checks): closed tickets, tickets with a response, invitations sent,
    invitations answered, and the distinct analysts behind the tickets (never shown)."""
    scope.require("cio", "lead")
    if set(by) - {"week", "month", "team_id", "service_id", "ticket_type", "channel"}:
        raise ValueError(f"cannot group survey rates by {sorted(by)}")
    sent = SI.c.sent_at.is_not(None)
    keys = [T.c.channel, *(TICKET_GROUPABLE[b] for b in by if b != "channel")]
    return (sa.select(*keys,
                      sa.func.count().label("closed"),
                      sa.func.count(R.c.ticket_key).label("responses"),
                      sa.func.sum(as_int(sent)).label("invited"),
                      sa.func.sum(as_int(sa.and_(sent, SI.c.state == "answered"))).label("answered"),
                      sa.func.count(sa.distinct(T.c.analyst_id)).label("analysts"))
            .select_from(T.outerjoin(R, R.c.ticket_key == T.c.ticket_key)
                         .outerjoin(SI, SI.c.ticket_key == T.c.ticket_key))
            .where(*ticket_period(filters), *ticket_slice(filters), *ticket_scope(scope))
            .group_by(*keys).order_by(*keys))


def channel_rates(*, scope: Scope, filters: Filters, by: tuple[str, ...] = (),
                  url: str | None = None) -> pl.DataFrame:
    """channel, (`by`…,) closed, responses, invited, answered, analysts (one row per group with tickets)."""
    if use_rollups(url, filters):
        channel_rates_query(scope=scope, filters=filters, by=by)  # the same checks of scope and grain
        stmt = rollup_reads.channel_rates_query(scope=scope, filters=filters, by=by)
    else:
        stmt = channel_rates_query(scope=scope, filters=filters, by=by)
    with get_engine(url or config.database_url()).connect() as conn:
        rows = [tuple(r) for r in conn.execute(stmt).all()]
    cols = ["closed", "responses", "invited", "answered", "analysts"]
    frame = pl.DataFrame(rows, schema=["channel", *(b for b in by if b != "channel"), *cols], orient="row")
    dates = [pl.col(c).cast(pl.Date) for c in ("week", "month") if c in frame.columns]  # same type either way
    return frame.with_columns(*dates, *(pl.col(c).cast(pl.Int64).fill_null(0) for c in cols))

