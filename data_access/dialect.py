"""The one place that knows how databases differ: month and week buckets, upserts and bulk loading.

Each bucket function is a class plus one small compiler per database, the form SQLAlchemy's
`compiles` asks for: the functions look alike but every compiler holds a different SQL text.
"""

from __future__ import annotations

from typing import Any, Iterable

import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class month_start(FunctionElement):
    """First day of the timestamp's calendar month, as a date-like value every engine can group by."""

    inherit_cache = True
    type = sa.Date()


@compiles(month_start)
def _month_start_default(element, compiler, **kw):
    return "date_trunc('month', %s)" % compiler.process(element.clauses, **kw)


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return "date(%s, 'start of month')" % compiler.process(element.clauses, **kw)


@compiles(month_start, "bigquery")
def _month_start_bigquery(element, compiler, **kw):
    return "DATE_TRUNC(CAST(%s AS DATE), MONTH)" % compiler.process(element.clauses, **kw)


class day_of(FunctionElement):
    """Calendar date of a timestamp (the day a rollup cell belongs to)."""

    inherit_cache = True
    type = sa.Date()


@compiles(day_of)
def _day_of_default(element, compiler, **kw):
    return "CAST(%s AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(day_of, "sqlite")
def _day_of_sqlite(element, compiler, **kw):
    return "date(%s)" % compiler.process(element.clauses, **kw)


def without_statement_timeout(conn: sa.Connection) -> None:
    """Lift the app's statement timeout for the rest of this transaction (bulk loads and rebuilds)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET LOCAL statement_timeout = 0"))


# Declared like month_start and day_of above (a class, one compiler per database): other SQL texts.
class week_start(FunctionElement):
    """Monday of the timestamp's ISO week, as a date-like value every engine can group by."""

    inherit_cache = True
    type = sa.Date()


@compiles(week_start)
def _week_start_default(element, compiler, **kw):
    return "date_trunc('week', %s)" % compiler.process(element.clauses, **kw)


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to the next Sunday (or stays on one): six days back is its Monday.
    return "date(%s, 'weekday 0', '-6 days')" % compiler.process(element.clauses, **kw)


@compiles(week_start, "bigquery")
def _week_start_bigquery(element, compiler, **kw):
    return "DATE_TRUNC(CAST(%s AS DATE), ISOWEEK)" % compiler.process(element.clauses, **kw)


def reads_per_analyst(dialect: sa.engine.Dialect) -> bool:
    """Whether "each analyst's newest rows" is best asked one analyst at a time (LATERAL … LIMIT):
    PostgreSQL then walks its indexes and stops early; DuckDB scans and hashes everything anyway,
    and SQLite has no LATERAL."""
    return dialect.name == "postgresql"


def as_int(expr: ColumnElement) -> ColumnElement:
    """Boolean/comparison → 0/1 integer, portable (CASE rather than a cast of a boolean)."""
    return sa.case((expr, 1), else_=0)


def upsert(engine_or_conn, table: sa.Table, rows: list[dict[str, Any]], *, key: list[str],
           update: Iterable[str] | None = None) -> None:
    """Insert rows, updating the `update` columns of rows whose `key` already exists."""
    if not rows:
        return
    name = engine_or_conn.dialect.name
    cols = list(update) if update is not None else [c for c in rows[0] if c not in key]
    if name in ("postgresql", "sqlite", "duckdb"):
        if name in ("postgresql", "duckdb"):  # duckdb-engine speaks the PostgreSQL dialect
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=key,
                                          set_={c: stmt.excluded[c] for c in cols}) if cols \
            else stmt.on_conflict_do_nothing(index_elements=key)
        engine_or_conn.execute(stmt, rows)
        return
    raise NotImplementedError(f"upsert is not supported on {name}; load through a staging table")


def bulk_insert(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame, *, chunk: int = 50_000) -> None:
    """Append a polars frame to a table as fast as the engine allows (columns named as the table's)."""
    if frame.is_empty():
        return
    name = conn.dialect.name
    if name == "duckdb":
        raw = conn.connection.driver_connection
        arrow = frame.to_arrow()
        raw.register("_bulk_frame", arrow)
        cols = ", ".join(frame.columns)
        raw.execute(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM _bulk_frame')
        raw.unregister("_bulk_frame")
        return
    if name == "postgresql":
        raw = conn.connection.driver_connection
        cols = ", ".join(frame.columns)
        with raw.cursor() as cur:
            with cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
                for row in frame.iter_rows():
                    copy.write_row(row)
        return
    for start in range(0, frame.height, chunk):
        conn.execute(table.insert(), frame.slice(start, chunk).to_dicts())


def rows_matching(conn: sa.Connection, columns: list[sa.Column], key: sa.Column, values,
                  *, chunk: int = 5_000) -> pl.DataFrame:
    """Rows (of `columns`, one table) whose `key` is one of `values`, as a polars frame: a long
    Arrow key list joined in DuckDB, (chunked) IN lists otherwise (bound parameters stay under every
    engine's limit). Column types are the driver's; cast them as you need."""
    values = pl.Series("k", values).unique()
    names = [c.name for c in columns]
    if values.is_empty():
        return pl.DataFrame(schema=names)
    if conn.dialect.name == "duckdb" and values.len() > chunk:
        # Long key lists only: the driver connection refuses work while a statement the caller ran
        # in this transaction (an UPDATE, say) still holds its result; short lists go as IN lists.
        import uuid

        raw = conn.connection.driver_connection
        view = f"_keys_{uuid.uuid4().hex[:12]}"
        raw.register(view, values.to_frame().to_arrow())
        try:
            cols = ", ".join(f't."{c}"' for c in names)
            table = raw.sql(f'SELECT {cols} FROM "{key.table.name}" AS t JOIN {view} AS v '
                            f'ON t."{key.name}" = v.k').to_arrow_table()
        finally:
            raw.unregister(view)
        return pl.from_arrow(table)
    rows: list[tuple] = []
    keys = values.to_list()
    for start in range(0, len(keys), chunk):
        rows.extend(tuple(r) for r in conn.execute(sa.select(*columns).where(key.in_(keys[start:start + chunk]))))
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def update_rows(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame, *, key: str) -> None:
    """Set every other column of `frame` on the rows whose `key` matches (columns named as the table's):
    one UPDATE … FROM a registered Arrow table on DuckDB, an executemany elsewhere."""
    if frame.is_empty():
        return
    cols = [c for c in frame.columns if c != key]
    if conn.dialect.name == "duckdb":
        import uuid

        raw = conn.connection.driver_connection
        view = f"_rows_{uuid.uuid4().hex[:12]}"
        raw.register(view, frame.to_arrow())
        try:
            sets = ", ".join(f'"{c}" = s."{c}"' for c in cols)
            raw.execute(f'UPDATE "{table.name}" SET {sets} FROM {view} AS s '
                        f'WHERE "{table.name}"."{key}" = s."{key}"')
        finally:
            raw.unregister(view)
        return
    stmt = (table.update().where(table.c[key] == sa.bindparam("_k"))
            .values({c: sa.bindparam(f"_v_{c}") for c in cols}))
    conn.execute(stmt, frame.rename({key: "_k", **{c: f"_v_{c}" for c in cols}}).to_dicts())
