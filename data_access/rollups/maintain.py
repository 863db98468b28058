"""Keeping the rollups equal to the base tables: bulk (re)builds and per-write incremental upkeep.

Incremental upkeep works by difference, in the caller's transaction. Every rollup row is a sum of
per-ticket shares (counts and sums only), and every base row behind it belongs to one ticket, so a
write that changes some tickets changes the rollups by exactly (their share after) − (their share
before). `before_write` lists the tickets (rollup_touched) and stages their share negated in each
rollup's staging table; `after_write` stages their share afterwards, then per table (the daily
rollup and each twin, whose change is summed from the daily change) adds the change to the stored
rows of the touched keys and drops rows whose count fell to 0 (`fold`). Each step is one set-based
statement per table, and its cost follows the size of the write, not the size of the warehouse.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

import polars as pl
import sqlalchemy as sa

from data_access import clock, schema
from data_access.dialect import bulk_insert, without_statement_timeout
from data_access.rollups.fold import has_merge, merge_change, replace_rows, summed
from data_access.rollups.sources import (ROLLUPS, STATE_NAME, TOUCHED, Rollup, T, monthly_columns, monthly_source,
                                        person_columns, person_source, weekly_columns, weekly_source)

S = schema.rollup_state
SHORT_LIST = 1_000
TURN_LOCK = 0x5E_7A_11_0B  # PostgreSQL advisory lock: one write that keeps the rollups at a time


def maintained_here(conn: sa.Connection) -> bool:
    """Whether this warehouse keeps its rollups with every write: a state row in 'maintained' mode
    of the current version (rollups of an older version stay stale until `rollups rebuild`)."""
    try:
        row = conn.execute(sa.select(S.c.mode, S.c.version).where(S.c.name == STATE_NAME)).one_or_none()
    except sa.exc.DBAPIError:
        return False  # no rollup tables in this warehouse
    return row is not None and row.mode == "maintained" and row.version == schema.ROLLUP_VERSION


def rebuild(conn: sa.Connection, *, mode: str = "maintained") -> None:
    """Recompute every rollup from the base tables and mark them fresh (in the caller's transaction)."""
    without_statement_timeout(conn)
    # The rollups are derived data: their tables are made anew, so a warehouse from before a rollup,
    # a column or an index existed gets the current ones (the rest of the schema is left alone).
    tables = [t for r in ROLLUPS for t in (r.table, r.monthly, r.person, r.weekly) if t is not None]
    work = [TOUCHED, *[schema.staging_of(t) for t in tables]]
    for table in [*tables, *work]:
        table.drop(conn, checkfirst=True)
    schema.metadata.create_all(conn, tables=[*tables, S, *work])
    # Rows go in in day (week) order, so a period's rows lie together: PostgreSQL reads a range of
    # days from few pages, DuckDB skips row groups outside it. Later writes append recent days.
    for rollup in ROLLUPS:
        conn.execute(rollup.table.insert().from_select(rollup.columns, rollup.source().order_by(sa.text("1"))))
        if rollup.monthly is not None:
            conn.execute(rollup.monthly.insert().from_select(monthly_columns(rollup), monthly_source(rollup)))
        if rollup.person is not None:
            conn.execute(rollup.person.insert().from_select(person_columns(rollup),
                                                            person_source(rollup).order_by(sa.text("1"))))
        if rollup.weekly is not None:
            conn.execute(rollup.weekly.insert().from_select(weekly_columns(rollup),
                                                            weekly_source(rollup).order_by(sa.text("1"))))
    mark_fresh(conn, mode=mode)


def start_if_empty(conn: sa.Connection) -> bool:
    """A warehouse without tickets and without a freshness row starts keeping its rollups now
    (empty rollups are exact); from then on every write keeps them. True when it did."""
    if conn.execute(sa.select(S.c.name).where(S.c.name == STATE_NAME)).first() is not None:
        return False
    if conn.execute(sa.select(T.c.ticket_key).limit(1)).first() is not None:
        return False  # data without rollups: `rollups rebuild` decides, not a side effect
    mark_fresh(conn)
    return True


def mark_fresh(conn: sa.Connection, *, mode: str = "maintained") -> None:
    """Write the freshness row: current version, `mode`, refreshed now."""
    conn.execute(S.delete().where(S.c.name == STATE_NAME))
    conn.execute(S.insert().values(name=STATE_NAME, version=schema.ROLLUP_VERSION, mode=mode,
                                   refreshed_at=clock.now()))


@dataclass
class Pending:
    """A write in progress: its token and the tickets whose share was staged before it."""

    token: str
    keys: pl.Series


def _keys(ticket_keys: Iterable[int] | pl.Series) -> pl.Series:
    if isinstance(ticket_keys, pl.Series):  # an import's key column: no trip through Python ints
        return ticket_keys.cast(pl.Int64).rename("ticket_key").unique()
    return pl.Series("ticket_key", list(ticket_keys), dtype=pl.Int64).unique()


@contextmanager
def _bulk_plans(conn: sa.Connection, keys: int) -> Iterator[None]:
    """A write of many tickets on PostgreSQL joins by hashing: without statistics on the work tables
    the planner guesses few rows and nests loops over them, which grows with the square of the write.
    Small writes keep the planner's choice (index probes into the rollups)."""
    bulk = conn.dialect.name == "postgresql" and keys > SHORT_LIST
    if bulk:
        conn.execute(sa.text("SET LOCAL enable_nestloop = off"))
    try:
        yield
    finally:
        if bulk:
            conn.execute(sa.text("SET LOCAL enable_nestloop = on"))


def _stage_share(conn: sa.Connection, token: str, keys: pl.Series, sign: int) -> None:
    """List `keys` under `token` (those not listed yet) and stage the listed tickets' share."""
    listed = keys.to_frame().select(pl.lit(token).alias("token"), "ticket_key")
    if listed.height > SHORT_LIST:
        bulk_insert(conn, TOUCHED, listed)
    elif not listed.is_empty():  # an app write's few keys: a plain INSERT in the caller's statement flow
        conn.execute(TOUCHED.insert(), listed.to_dicts())
    for rollup in ROLLUPS:
        staging = schema.staging_of(rollup.table)
        share = rollup.source(touched=token, sign=sign)
        conn.execute(staging.insert().from_select(
            ["token", *rollup.columns], sa.select(sa.literal(token, sa.String).label("token"), *share.subquery().c)))


def before_write(conn: sa.Connection, ticket_keys: Iterable[int] | pl.Series) -> Pending | None:
    """Stage the share the tickets have before a write; None when this warehouse does not keep
    rollups. Pass every existing ticket whose rows the write may change (tickets created by the
    write need not be named here: they had no share)."""
    if not maintained_here(conn):
        return None
    if conn.dialect.name == "postgresql":
        # Read committed: writes that keep the rollups take turns, held to the commit. Two folds
        # into one cell at once would each keep the stored row's old counts (two rows), and a write
        # waiting for a row another write changed would have staged that row's old share.
        # SQLite and DuckDB let one writer at a time anyway.
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(TURN_LOCK)))
    pending = Pending(uuid.uuid4().hex, _keys(ticket_keys))
    if not pending.keys.is_empty():
        with _bulk_plans(conn, pending.keys.len()):
            _stage_share(conn, pending.token, pending.keys, -1)
    return pending


def after_write(conn: sa.Connection, ticket_keys: Iterable[int] | pl.Series, before: Pending | None) -> None:
    """Stage the share of the tickets named before (`before_write`) and now, after the write, and
    apply the difference to every rollup and twin."""
    if before is None:
        return
    new = _keys(ticket_keys)
    new = new.filter(~new.is_in(before.keys.implode())) if not before.keys.is_empty() else new
    if before.keys.is_empty() and new.is_empty():
        return
    with _bulk_plans(conn, before.keys.len() + new.len()):
        _stage_share(conn, before.token, new, +1)
        for rollup in ROLLUPS:
            _apply(conn, rollup, before.token)
    conn.execute(TOUCHED.delete().where(TOUCHED.c.token == before.token))


@contextmanager
def maintained(conn: sa.Connection, ticket_keys: Iterable[int]) -> Iterator[None]:
    """Wrap a write to these tickets (or their responses) so the rollups follow it, same transaction."""
    keys = list(ticket_keys)
    before = before_write(conn, keys)
    yield
    after_write(conn, keys, before)


def _apply(conn: sa.Connection, rollup: Rollup, token: str) -> None:
    """Apply one rollup's staged change (and its twins', summed from it) to the stored rows."""
    daily = schema.staging_of(rollup.table)
    if conn.execute(sa.select(daily.c.token).where(daily.c.token == token).limit(1)).first() is None:
        return  # the write changed nothing this rollup counts
    measures = [name for name, _ in rollup.measures()]
    if has_merge(conn):
        _apply_by_merge(conn, rollup, daily, token, measures)
    else:
        _apply_portably(conn, rollup, daily, token, measures)
    conn.execute(daily.delete().where(daily.c.token == token))


def _apply_by_merge(conn: sa.Connection, rollup: Rollup, daily: sa.Table, token: str, measures: list[str]) -> None:
    """Each table takes its change by one MERGE (a twin's change summed from the daily change)."""
    for twin, source in rollup.twins():
        merge_change(conn, twin, source(daily=daily, token=token), measures, rollup.count)
    merge_change(conn, rollup.table, summed(daily, token, [name for name, _ in rollup.keys()], measures),
                 measures, rollup.count)


def _apply_portably(conn: sa.Connection, rollup: Rollup, daily: sa.Table, token: str, measures: list[str]) -> None:
    """Each twin's change is staged from the daily change, then every table folds its staged rows."""
    for twin, source in rollup.twins():
        staging = schema.staging_of(twin)
        change = source(daily=daily, token=token).subquery()
        conn.execute(staging.insert().from_select(
            ["token", *change.c.keys()], sa.select(sa.literal(token, sa.String).label("token"), *change.c)))
        replace_rows(conn, twin, staging, token, measures, rollup.count)
        conn.execute(staging.delete().where(staging.c.token == token))
    replace_rows(conn, rollup.table, daily, token, measures, rollup.count)
