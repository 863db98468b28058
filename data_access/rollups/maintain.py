"""Keeping the rollups equal to the base tables: bulk (re)builds and per-write incremental refresh.

Incremental refresh recomputes whole cells from the base tables, in the caller's transaction:
the cells are (day, analyst) pairs — the days an affected ticket was answered, resolved or had its
recovery item opened, before and after the write — so every rollup row of those pairs is deleted
and recomputed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager
from typing import Iterable, Iterator

import polars as pl
import sqlalchemy as sa

from data_access import clock, schema
from data_access.dialect import bulk_insert, month_start, rows_matching, week_start, without_statement_timeout
from data_access.rollups.sources import (ROLLUPS, STATE_NAME, D, R, RI, T, monthly_columns, monthly_source,
                                        person_columns, person_source, weekly_columns, weekly_source)

S = schema.rollup_state
CELLS = {"kind": pl.String, "day": pl.Date, "analyst_id": pl.Int64}


def maintained_here(conn: sa.Connection) -> bool:
    """Whether this warehouse keeps its rollups with every write (a state row in 'maintained' mode)."""
    try:
        mode = conn.execute(sa.select(S.c.mode).where(S.c.name == STATE_NAME)).scalar_one_or_none()
    except sa.exc.DBAPIError:
        return False  # no rollup tables in this warehouse
    return mode == "maintained"


def rebuild(conn: sa.Connection, *, mode: str = "maintained") -> None:
    """Recompute every rollup from the base tables and mark them fresh (in the caller's transaction)."""
    without_statement_timeout(conn)
    # The rollups are derived data: their tables are made anew, so a warehouse from before a rollup,
    # a column or an index existed gets the current ones (the rest of the schema is left alone).
    tables = [t for r in ROLLUPS for t in (r.table, r.monthly, r.person, r.weekly) if t is not None]
    for table in [*tables, D]:
        table.drop(conn, checkfirst=True)
    schema.metadata.create_all(conn, tables=[*tables, S, D])
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


def cells_of(conn: sa.Connection, ticket_keys: Iterable[int]) -> pl.DataFrame:
    """The (kind, day, analyst) cells the given tickets, their responses and recovery items fall in
    right now."""
    keys = pl.Series("k", list(ticket_keys), dtype=pl.Int64).unique()
    if keys.is_empty():
        return pl.DataFrame(schema=CELLS)
    # Key lists go through `rows_matching` (an Arrow join on DuckDB, chunked IN lists elsewhere).
    tickets = rows_matching(conn, [T.c.ticket_key, T.c.resolved_at, T.c.analyst_id], T.c.ticket_key, keys)
    if tickets.is_empty():
        return pl.DataFrame(schema=CELLS)
    tickets = tickets.select(pl.col("ticket_key").cast(pl.Int64), pl.col("resolved_at").cast(pl.Datetime("us")),
                             pl.col("analyst_id").cast(pl.Int64))
    frames = [tickets.select(pl.lit("t").alias("kind"), pl.col("resolved_at").dt.date().alias("day"), "analyst_id")]
    for kind, table, when in (("r", R, R.c.submitted_at), ("i", RI, RI.c.created_at)):
        found = rows_matching(conn, [table.c.ticket_key, when], table.c.ticket_key, keys)
        if not found.is_empty():
            found = found.select(pl.col("ticket_key").cast(pl.Int64), pl.col(when.name).cast(pl.Datetime("us")))
            frames.append(found.join(tickets, on="ticket_key").select(
                pl.lit(kind).alias("kind"), pl.col(when.name).dt.date().alias("day"), "analyst_id"))
    return _typed(pl.concat(frames).unique())


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    if frame.is_empty():
        return pl.DataFrame(schema=CELLS)
    return frame.select(pl.col("kind").cast(pl.String), pl.col("day").cast(pl.Date),
                        pl.col("analyst_id").cast(pl.Int64))


def before_write(conn: sa.Connection, ticket_keys: Iterable[int]) -> pl.DataFrame | None:
    """Cells the tickets occupy before a write; None when this warehouse does not keep rollups."""
    if not maintained_here(conn):
        return None
    return cells_of(conn, ticket_keys)


def after_write(conn: sa.Connection, ticket_keys: Iterable[int], before: pl.DataFrame | None) -> None:
    """Recompute the cells the tickets occupied before (`before_write`) and occupy now."""
    if before is None:
        return
    refresh_cells(conn, pl.concat([before, cells_of(conn, ticket_keys)]))


@contextmanager
def maintained(conn: sa.Connection, ticket_keys: Iterable[int]) -> Iterator[None]:
    """Wrap a write to these tickets (or their responses) so the rollups follow it, same transaction."""
    keys = list(ticket_keys)
    before = before_write(conn, keys)
    yield
    after_write(conn, keys, before)


def refresh_cells(conn: sa.Connection, cells: pl.DataFrame) -> None:
    """Delete and recompute every rollup row of the given (kind, day, analyst) cells."""
    cells = _typed(cells).unique()
    if cells.is_empty():
        return
    token = uuid.uuid4().hex
    bulk_insert(conn, D, cells.select(pl.lit(token).alias("token"), "kind", "day",
                                      pl.col("analyst_id").cast(pl.Int32)))
    for rollup in ROLLUPS:
        mine = cells.filter(pl.col("kind") == rollup.kind)
        if mine.is_empty():
            continue
        first, last = mine["day"].min(), mine["day"].max()
        table = rollup.table
        listed = sa.exists().where(D.c.token == token, D.c.kind == rollup.kind,
                                   D.c.analyst_id == table.c.analyst_id, D.c.day == table.c.day)
        conn.execute(table.delete().where(table.c.day >= first, table.c.day <= last, listed))
        conn.execute(table.insert().from_select(rollup.columns, rollup.source(dirty=(token, first, last))))
        if rollup.person is not None:  # its (day, analyst) cells, summed again from the daily rows
            person = rollup.person
            conn.execute(person.delete().where(person.c.day >= first, person.c.day <= last, sa.exists().where(
                D.c.token == token, D.c.kind == rollup.kind, D.c.analyst_id == person.c.analyst_id,
                D.c.day == person.c.day)))
            conn.execute(person.insert().from_select(person_columns(rollup), person_source(rollup, (token, first, last))))
        if rollup.weekly is not None:  # the parts of weeks holding those cells, summed again too
            _refresh_weekly(conn, rollup, (token, first, last))
        if rollup.monthly is not None:  # its months, summed again from the daily rows just refreshed
            months = sorted({d.replace(day=1) for d in mine["day"].to_list()})
            conn.execute(rollup.monthly.delete().where(rollup.monthly.c.day.in_(months)))
            conn.execute(rollup.monthly.insert().from_select(monthly_columns(rollup), monthly_source(rollup, months)))
    conn.execute(D.delete().where(D.c.token == token))


def _refresh_weekly(conn: sa.Connection, rollup, dirty: tuple[str, object, object]) -> None:
    """Delete and re-sum the weekly twin's rows of every (week, month, analyst) holding a dirty cell."""
    token, first, last = dirty
    weekly = rollup.weekly
    touched = sa.exists().where(D.c.token == token, D.c.kind == rollup.kind, D.c.analyst_id == weekly.c.analyst_id,
                                week_start(D.c.day) == weekly.c.week, month_start(D.c.day) == weekly.c.month)
    conn.execute(weekly.delete().where(weekly.c.week >= first - dt.timedelta(days=6), weekly.c.week <= last, touched))
    conn.execute(weekly.insert().from_select(weekly_columns(rollup), weekly_source(rollup, dirty)))
