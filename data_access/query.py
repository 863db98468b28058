"""The one query executor: a SQLAlchemy statement in, a polars frame out.

On DuckDB the rows travel as Arrow (no Python object per value, far less time holding the GIL);
other engines hand over Python rows. Either way the caller may pin the column types with
`schema`; without it, types are inferred from every row. Transient failures (a file turn, a lock,
a dropped connection) are retried by `engine.retrying`, the one retry policy.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Mapping
from typing import TypeVar

import polars as pl
import sqlalchemy as sa

from data_access import config
from data_access.engine import get_engine, retrying

# duckdb warns that Arrow from a DB-API cursor costs one extra copy: still far cheaper than rows.
# Set once here (warnings.catch_warnings per call would not be thread-safe).
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

_WRITE_LISTENERS: list[Callable[[], None]] = []
T = TypeVar("T")


def frame(stmt: sa.Executable, *, url: str | None = None, schema: Mapping[str, pl.DataType] | None = None,
          params: Mapping | None = None, work_mem_mb: int | None = None) -> pl.DataFrame:
    """Run `stmt` (bound parameters only) on the warehouse at `url` and return its rows as a frame.

    `work_mem_mb`: on PostgreSQL, the memory this one statement's sorts and hash tables may use
    (SET LOCAL, so only its transaction): a large GROUP BY that would spill to disk at the
    server's default stays in memory. Other engines ignore it."""
    engine = get_engine(url or config.database_url())

    def run() -> pl.DataFrame:
        with engine.connect() as conn:
            if work_mem_mb and conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"SET LOCAL work_mem = '{int(work_mem_mb)}MB'"))
            return frame_on(conn, stmt, schema=schema, params=params)

    return retrying(run)


def read(work: Callable[[sa.Connection], T], *, url: str | None = None, engine: sa.Engine | None = None) -> T:
    """`work(conn)` on one connection to the warehouse at `url` (or `engine`), retried as a whole
    while it fails transiently, like `frame`: for the readers that build something other than a
    frame (a user record, a settings object, a list of pairs). `work` must only read."""
    def run() -> T:
        with (engine or get_engine(url or config.database_url())).connect() as conn:
            return work(conn)

    return retrying(run)


def bulk_frame(stmt: sa.Select, *, schema: Mapping[str, pl.DataType], url: str | None = None,
               work_mem_mb: int | None = None) -> pl.DataFrame:
    """`frame` for a large result (hundreds of thousands of rows) whose column types are known.

    On PostgreSQL the rows travel as CSV through COPY and polars parses them natively: building a
    Python object per value, then a frame from them, costs the app several times more CPU than
    the server spends on the query. Dates leave the server as dates, booleans as t/f. Other
    engines take `frame` (DuckDB already hands over Arrow)."""
    engine = get_engine(url or config.database_url())
    if engine.dialect.name != "postgresql":
        return frame(stmt, url=url, schema=schema, work_mem_mb=work_mem_mb)

    def run() -> pl.DataFrame:
        with engine.connect() as conn:
            if work_mem_mb:
                conn.execute(sa.text(f"SET LOCAL work_mem = '{int(work_mem_mb)}MB'"))
            return _copy_frame(conn, stmt, schema)

    return retrying(run)


def copy_statement(dialect: sa.engine.Dialect, stmt: sa.Select,
                   schema: Mapping[str, pl.DataType]) -> tuple[str, Mapping]:
    """The COPY … TO STDOUT statement (and its parameters) that sends `stmt`'s rows as CSV."""
    inner = stmt.subquery("bulk")
    cols = [sa.cast(c, sa.Date).label(c.name) if schema[c.name] == pl.Date else c for c in inner.c]
    compiled = sa.select(*cols).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    return f"COPY ({compiled.string}) TO STDOUT (FORMAT csv)", compiled.params


def _copy_frame(conn: sa.Connection, stmt: sa.Select, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    sql, params = copy_statement(conn.dialect, stmt, schema)
    buffer = io.BytesIO()
    with conn.connection.dbapi_connection.cursor() as cursor:
        with cursor.copy(sql, params) as copy:
            for block in copy:
                buffer.write(block)
    if not buffer.getbuffer().nbytes:
        return pl.DataFrame(schema=dict(schema))
    text = {n: pl.String if t == pl.Boolean else t for n, t in schema.items()}
    out = pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(schema), schema=text)
    flags = [pl.when(pl.col(n).is_null()).then(None).otherwise(pl.col(n) == "t").alias(n)
             for n, t in schema.items() if t == pl.Boolean]
    return out.with_columns(flags) if flags else out


def frame_on(conn: sa.Connection, stmt: sa.Executable, *, schema: Mapping[str, pl.DataType] | None = None,
             params: Mapping | None = None) -> pl.DataFrame:
    """`frame` on a connection the caller already holds (several reads in one connection)."""
    result = conn.execute(stmt, dict(params or {}))
    columns = list(result.keys())
    arrow = _arrow_table(result) if conn.dialect.name == "duckdb" else None
    if arrow is not None:
        return _from_arrow(arrow, schema)
    rows = [tuple(r) for r in result.all()]
    if schema is not None:
        return pl.DataFrame(rows, schema=dict(schema), orient="row")
    return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)


def _arrow_table(result: sa.CursorResult):
    """The result as an Arrow table when the driver can hand one over (DuckDB), else None."""
    to_arrow = getattr(result.cursor, "to_arrow_table", None) if result.cursor is not None else None
    return to_arrow() if callable(to_arrow) else None


_WIDER = {pl.Int8: pl.Int64, pl.Int16: pl.Int64, pl.Int32: pl.Int64, pl.UInt8: pl.Int64,
          pl.UInt16: pl.Int64, pl.UInt32: pl.Int64, pl.Float32: pl.Float64}


def _from_arrow(table, schema: Mapping[str, pl.DataType] | None) -> pl.DataFrame:
    out = pl.from_arrow(table)
    assert isinstance(out, pl.DataFrame)
    # Arrow keeps the engine's narrow types (INTEGER → Int32, whole-number sums → DECIMAL(38,0));
    # row by row they are Python ints and floats. Widen to what the row path gives, so both
    # paths return the same frame.
    widened = [pl.col(n).cast(_WIDER[t]) for n, t in out.schema.items() if t in _WIDER] + [
        pl.col(n).cast(pl.Int64) for n, t in out.schema.items()
        if isinstance(t, pl.Decimal) and (t.scale or 0) == 0]
    if widened:
        out = out.with_columns(widened)
    if schema is not None:  # by position, as the row path does
        out = out.rename(dict(zip(out.columns, schema))).cast(dict(schema))
    return out


def on_write(listener: Callable[[], None]) -> None:
    """Call `listener` whenever a write says the warehouse changed (the app's cache seam clears)."""
    if listener not in _WRITE_LISTENERS:
        _WRITE_LISTENERS.append(listener)


def clear_cached_reads() -> None:
    """Tell whoever caches reads that the data changed (nothing to do in a command-line process)."""
    from data_access.rollups.state import forget_status  # rollups import this module

    forget_status()
    for listener in list(_WRITE_LISTENERS):
        listener()
