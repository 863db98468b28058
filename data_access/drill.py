"""Drill-through reads for Culture trends: the responses behind one cell, newest first.

SQL only. The cell is the page's filters narrowed to a service × channel pair, a month or a
factor (`views/drill.py` decides which cells may be opened and what leaves). Every read filters
by the viewer's scope in SQL. No analyst name or id and no ticket number leaves these queries:
the rows carry the date, score, service, channel, ticket type and the comment only. Analyst names
are read separately, and only so that they can be blanked out of comments.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access import query, schema
from data_access.filters import Filters, response_period, ticket_slice
from data_access.rollups import reads as rollup_reads
from data_access.rollups.sources import has_comment
from data_access.rollups.state import use_rollups
from data_access.scope import Scope
from data_access.scoping import ticket_scope

T = schema.tickets
R = schema.responses
RF = schema.response_factors
S = schema.services

ROW_SCHEMA = {"submitted_at": pl.Datetime("us"), "happiness": pl.Int64, "service_id": pl.Int64, "service": pl.String,
              "channel": pl.String, "ticket_type": pl.String, "comment": pl.String}


HAS_COMMENT = has_comment()  # the same rule as the rollups' count of commented answers


def _where(scope: Scope, filters: Filters, factor_id: int | None,
           commented: bool = False) -> list[sa.ColumnElement]:
    scope.require("cio", "lead")
    conds = [*response_period(filters), *ticket_slice(filters), *ticket_scope(scope)]
    if commented:
        conds.append(HAS_COMMENT)
    if factor_id is not None:
        picked = sa.select(RF.c.ticket_key).where(RF.c.factor_id == factor_id)
        conds.append(R.c.ticket_key.in_(picked))
    return conds


def cell_size_query(*, scope: Scope, filters: Filters, factor_id: int | None = None) -> sa.Select:
    """Responses, distinct analysts and responses with a comment in the cell."""
    return (sa.select(sa.func.count().label("n"),
                      sa.func.count(sa.distinct(T.c.analyst_id)).label("analysts"),
                      sa.func.count(sa.case((HAS_COMMENT, 1))).label("commented"))
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key))
            .where(*_where(scope, filters, factor_id)))


def cell_size(*, scope: Scope, filters: Filters, factor_id: int | None = None,
              url: str | None = None) -> dict[str, int]:
    """{"n", "analysts", "commented"} of the cell (the analysts count serves disclosure control only).
    Without a factor, from the rollups when they are fresh (a cell's size is three sums there)."""
    stmt = cell_size_query(scope=scope, filters=filters, factor_id=factor_id)  # its scope checks either way
    if factor_id is None and use_rollups(url, filters):
        stmt = rollup_reads.cell_size_query(scope=scope, filters=filters)
    frame = query.frame(stmt, url=url)
    row = frame.row(0, named=True) if frame.height else {}
    return {k: int(row.get(k) or 0) for k in ("n", "analysts", "commented")}


def cell_responses_query(*, scope: Scope, filters: Filters, factor_id: int | None = None,
                         commented: bool = False, limit: int, offset: int) -> sa.Select:
    """One page of the cell's responses (`commented`: only those with a comment), newest first
    (ties: the later ticket first)."""
    return (sa.select(R.c.submitted_at, R.c.happiness, T.c.service_id, S.c.name.label("service"), T.c.channel,
                      T.c.ticket_type, R.c.comment)
            .select_from(R.join(T, R.c.ticket_key == T.c.ticket_key).join(S, S.c.service_id == T.c.service_id))
            .where(*_where(scope, filters, factor_id, commented))
            .order_by(R.c.submitted_at.desc(), R.c.ticket_key.desc())
            .limit(limit).offset(offset))


def cell_responses(*, scope: Scope, filters: Filters, factor_id: int | None = None, commented: bool = False,
                   limit: int = 10, offset: int = 0, url: str | None = None) -> pl.DataFrame:
    """submitted_at, happiness, service_id, service, channel, ticket_type, comment — one page, newest first."""
    stmt = cell_responses_query(scope=scope, filters=filters, factor_id=factor_id, commented=commented,
                                limit=limit, offset=max(offset, 0))
    return query.frame(stmt, url=url, schema=ROW_SCHEMA)


def analyst_names_query() -> sa.Select:
    """Every analyst's name in the warehouse (active or not): the names to blank out of comments."""
    return sa.select(schema.analysts.c.name).order_by(schema.analysts.c.analyst_id)


def analyst_names(*, url: str | None = None) -> tuple[str, ...]:
    """The analysts' names as imported (for redaction only; never shown)."""
    frame = query.frame(analyst_names_query(), url=url, schema={"name": pl.String})
    return tuple(str(v) for v in frame["name"].to_list() if v)
