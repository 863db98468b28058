"""Reads behind one analyst on the Coaching page: factor counts, evidence, verbatims, hard cases.

SQL only. Every query carries the rule of whom a lead coaches in its WHERE
(`scoping.coached_tickets`), so an analyst id outside the lead's teams, or the lead's own, returns
no rows; the team comparisons (`factor_counts`) keep the whole team (`scoping.ticket_scope`). Whether
the analyst is the lead's to look at is checked once per render by the read model
(`views.coaching`, through `coaching.check_analyst`); these readers only refuse a scope whose
role may not read named analysts at all (`coaching.named_read`), before any SQL runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from data_access import config, query, schema
from data_access.dialect import rows_matching
from data_access.engine import get_engine
from data_access.filters import Filters, response_period
from data_access.rollups import reads as rollup_reads
from data_access.rollups.state import use_rollups
from data_access.scope import Scope
from data_access.coaching import K, R, T, named_read  # the Coaching reads' short table names
from data_access.scoping import coached_tickets, ticket_scope, within_team
from metrics.happiness import HAPPY_MIN, UNHAPPY_MAX

# Short names for the tables only these queries join; the shared ones come from `coaching`.
F = schema.factors
RF = schema.response_factors
VERBATIM_PAGE_SIZE = 10
BANDS = {"all": (0, 10), "unhappy": (0, UNHAPPY_MAX), "neutral": (UNHAPPY_MAX + 1, HAPPY_MIN - 1),
         "happy": (HAPPY_MIN, 10)}


def factor_counts_query(*, scope: Scope, analyst_id: int, team_id: int, filters: Filters) -> sa.Select:
    """Responses naming each factor: the analyst's and their home team's, in the period."""
    mine = sa.case((T.c.analyst_id == analyst_id, 1), else_=0)
    return (sa.select(RF.c.factor_id, sa.func.sum(mine).label("analyst_count"),
                      sa.func.count().label("team_count"))
            .select_from(RF.join(R, R.c.ticket_key == RF.c.ticket_key)
                         .join(T, T.c.ticket_key == R.c.ticket_key))
            .where(*response_period(filters), *ticket_scope(within_team(scope, team_id)))
            .group_by(RF.c.factor_id))


def factor_counts(*, scope: Scope, analyst_id: int, team_id: int, filters: Filters,
                  url: str | None = None) -> pl.DataFrame:
    """factor_id, code, label, polarity, analyst_count, team_count (every catalogue factor, zeros kept).

    `team_id` is the analyst's home team; a team that is not the lead's is refused (`within_team`).
    """
    named_read(scope, analyst_id)
    counts_query = rollup_reads.team_factor_counts_query if use_rollups(url) else factor_counts_query
    counts = query.frame(counts_query(scope=scope, analyst_id=analyst_id, team_id=team_id, filters=filters),
                         url=url, schema={"factor_id": pl.Int64, "analyst_count": pl.Int64, "team_count": pl.Int64})
    catalogue = query.frame(sa.select(F.c.factor_id, F.c.code, F.c.label, F.c.polarity).order_by(F.c.sort_order),
                            url=url, schema={"factor_id": pl.Int64, "code": pl.String, "label": pl.String,
                                             "polarity": pl.String})
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
             *response_period(filters), *coached_tickets(scope)]
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
    named_read(scope, analyst_id)
    with get_engine(url).connect() as conn:
        total = int(conn.execute(verbatim_count_query(scope=scope, analyst_id=analyst_id, filters=filters,
                                                      vf=vf)).scalar_one())
        rows = conn.execute(verbatims_query(scope=scope, analyst_id=analyst_id, filters=filters, vf=vf,
                                            limit=page_size, offset=max(page, 0) * page_size)).all()
        frame = pl.DataFrame([tuple(r) for r in rows], schema=VERBATIM_SCHEMA, orient="row")
        labels = _factor_labels(conn, frame["ticket_key"].to_list())
    frame = frame.join(labels, on="ticket_key", how="left").with_columns(pl.col("factors").fill_null(""))
    return frame, total


def factor_evidence_query(*, scope: Scope, analyst_id: int, filters: Filters) -> sa.Select:
    """The analyst's answers in the period that could back a talking point (9–10 or 0–6), newest
    first; `factor_evidence` then reads their factor picks by key."""
    return (sa.select(T.c.ticket_id, R.c.ticket_key, R.c.happiness, R.c.comment)
            .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key))
            .where(T.c.analyst_id == analyst_id, sa.or_(R.c.happiness >= HAPPY_MIN, R.c.happiness <= UNHAPPY_MAX),
                   *response_period(filters), *coached_tickets(scope))
            .order_by(R.c.submitted_at.desc(), R.c.ticket_key.desc()))


EVIDENCE_SCHEMA = {"ticket_id": pl.String, "ticket_key": pl.Int64, "happiness": pl.Int64, "comment": pl.String,
                   "factor_id": pl.Int64}


def factor_evidence(*, scope: Scope, analyst_id: int, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """ticket_id, ticket_key, happiness, comment, factor_id: the analyst's answers naming a factor that
    fits its polarity (9–10 positive, 0–6 negative), newest first — evidence for the talking points.

    Two reads: the answers, then their factor picks by key (the picks' primary key), so the
    factor-pick table is never scanned whole."""
    named_read(scope, analyst_id)
    with get_engine(url or config.database_url()).connect() as conn:
        answers = query.frame_on(conn, factor_evidence_query(scope=scope, analyst_id=analyst_id, filters=filters),
                                 schema={k: v for k, v in EVIDENCE_SCHEMA.items() if k != "factor_id"})
        picks = rows_matching(conn, [RF.c.ticket_key, RF.c.factor_id], RF.c.ticket_key, answers["ticket_key"])
        polarity = query.frame_on(conn, sa.select(F.c.factor_id, F.c.polarity),
                                  schema={"factor_id": pl.Int64, "polarity": pl.String})
    if picks.is_empty():
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    picks = picks.select(pl.col("ticket_key").cast(pl.Int64), pl.col("factor_id").cast(pl.Int64))
    fits = (((pl.col("polarity") == "positive") & (pl.col("happiness") >= HAPPY_MIN))
            | ((pl.col("polarity") == "negative") & (pl.col("happiness") <= UNHAPPY_MAX)))
    return (answers.with_row_index("order").join(picks, on="ticket_key").join(polarity, on="factor_id")
            .filter(fits).sort("order", "factor_id").select(list(EVIDENCE_SCHEMA)))


def unhappy_context_query(*, scope: Scope, analyst_id: int, filters: Filters, threshold: int = UNHAPPY_MAX) -> sa.Select:
    """The analyst's unhappy responses that were reassigned or reopened (not only their doing)."""
    return (sa.select(T.c.ticket_id, R.c.submitted_at, R.c.happiness, T.c.reassignment_count, T.c.reopened,
                      R.c.comment)
            .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key))
            .where(T.c.analyst_id == analyst_id, R.c.happiness <= threshold,
                   sa.or_(T.c.reassignment_count > 0, T.c.reopened.is_(True)),
                   *response_period(filters), *coached_tickets(scope))
            .order_by(R.c.submitted_at.desc()))


def unhappy_context(*, scope: Scope, analyst_id: int, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """ticket_id, submitted_at, happiness, reassignment_count, reopened, comment."""
    named_read(scope, analyst_id)
    return query.frame(unhappy_context_query(scope=scope, analyst_id=analyst_id, filters=filters), url=url,
                       schema={"ticket_id": pl.String, "submitted_at": pl.Datetime("us"), "happiness": pl.Int64,
                               "reassignment_count": pl.Int64, "reopened": pl.Boolean, "comment": pl.String})
