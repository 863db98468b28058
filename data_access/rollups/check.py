"""Proof the rollups are right: recompute them from the base tables and name every differing cell."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.rollups.sources import (ROLLUPS, Rollup, monthly_columns, monthly_source, person_columns,
                                        person_source, weekly_columns, weekly_source)

FLOAT_COLUMNS = {"lost_sum", "lost_sumsq", "lost_minutes"}


def _frame(conn: sa.Connection, stmt, columns: list[str]) -> pl.DataFrame:
    rows = [tuple(r) for r in conn.execute(stmt)]
    frame = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)
    types = {c: (pl.Date if c in ("day", "week", "month") else pl.Boolean if c == "sla_met" else pl.String
                 if c in ("channel", "ticket_type") else pl.Float64 if c in FLOAT_COLUMNS else pl.Int64)
             for c in columns}
    if frame.is_empty():
        return pl.DataFrame(schema=types)
    return frame.select(pl.col(c).cast(t) for c, t in types.items())


def _differs(stored: pl.Expr, wanted: pl.Expr, is_float: bool) -> pl.Expr:
    if is_float:
        close = (stored - wanted).abs() <= 1e-6 * pl.max_horizontal(stored.abs(), wanted.abs(), pl.lit(1.0))
        return ~(close.fill_null(False) | (stored.is_null() & wanted.is_null()))
    return ~stored.eq_missing(wanted)


def differences(conn: sa.Connection, rollup: Rollup, *, limit: int = 50, twin: str = "") -> list[str]:
    """Cells of one rollup (or of its `twin`, "monthly", "person" or "weekly", against the daily
    rows) whose stored row differs from the recomputation (or exists on one side only)."""
    table, columns, source = {
        "": (rollup.table, rollup.columns, rollup.source),
        "monthly": (rollup.monthly, monthly_columns(rollup) if rollup.monthly is not None else [],
                    lambda: monthly_source(rollup)),
        "person": (rollup.person, person_columns(rollup) if rollup.person is not None else [],
                   lambda: person_source(rollup)),
        "weekly": (rollup.weekly, weekly_columns(rollup) if rollup.weekly is not None else [],
                   lambda: weekly_source(rollup))}[twin]
    measures = [name for name, _ in rollup.measures() if name in columns]
    keys = [c for c in columns if c not in measures]
    stored = _frame(conn, sa.select(*[table.c[c] for c in columns]), columns)
    wanted = _frame(conn, source(), columns)
    # Floats in the key (rounded lost minutes) compare exactly: both sides round the same values.
    joined = stored.join(wanted, on=keys, how="full", coalesce=True, suffix="_wanted", nulls_equal=True)
    checks = {m: _differs(pl.col(m), pl.col(f"{m}_wanted"), m in FLOAT_COLUMNS) for m in measures}
    bad = joined.filter(pl.any_horizontal(*checks.values()))
    out = [f"{table.name} [{', '.join(f'{k}={v}' for k, v in row.items())}]: stored more than once"
           for row in stored.filter(pl.struct(keys).is_duplicated()).select(keys).unique().head(limit)
           .iter_rows(named=True)]
    for row in bad.head(limit).iter_rows(named=True):
        cell = ", ".join(f"{k}={row[k]}" for k in keys)
        what = "; ".join(f"{m} stored {row[m]} != {row[f'{m}_wanted']}" for m in measures
                         if not _same(row[m], row[f"{m}_wanted"], m in FLOAT_COLUMNS))
        out.append(f"{table.name} [{cell}]: {what}")
    if bad.height > limit:
        out.append(f"{table.name}: … and {bad.height - limit:,} more differing cells")
    return out


def _same(a, b, is_float: bool) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0) if is_float else a == b


def check(conn: sa.Connection, *, limit: int = 50) -> list[str]:
    """Every differing cell of every rollup (empty list: the rollups equal their recomputation)."""
    out = []
    for rollup in ROLLUPS:
        out += differences(conn, rollup, limit=limit)
        for twin in ("monthly", "person", "weekly"):
            if getattr(rollup, twin) is not None:
                out += differences(conn, rollup, limit=limit, twin=twin)
    return out
