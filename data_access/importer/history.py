"""Admin reads about imports: recent runs and the quarantined rows of one run."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access import schema
from data_access.scope import Scope, ScopeError

IR, REJ = schema.import_runs, schema.import_rejects


def _admin_only(scope: Scope) -> None:
    if scope.role != "admin":
        raise ScopeError("import history is for admins only")


def recent_runs_query(limit: int = 20) -> sa.Select:
    """The SELECT behind `recent_runs` (newest first)."""
    return (sa.select(IR.c.run_id, IR.c.kind, IR.c.file_name, IR.c.preset, IR.c.started_at, IR.c.finished_at,
                      IR.c.rows_read, IR.c.inserted, IR.c.updated, IR.c.unchanged, IR.c.rejected)
            .order_by(IR.c.run_id.desc()).limit(limit))


def recent_runs(engine: sa.Engine, *, scope: Scope, limit: int = 20) -> pl.DataFrame:
    """The latest import runs with their counts; finished_at empty = stopped part-way."""
    _admin_only(scope)
    with engine.connect() as conn:
        rows = conn.execute(recent_runs_query(limit)).all()
    cols = [c.name for c in recent_runs_query().selected_columns]
    frame = pl.DataFrame([tuple(r) for r in rows], schema=cols, orient="row", infer_schema_length=None)
    # Skipped rows (open tickets, unanswered surveys) are what the other counts leave of rows read.
    skipped = pl.col("rows_read") - pl.col("inserted") - pl.col("updated") - pl.col("unchanged") - pl.col("rejected")
    return frame.with_columns(skipped.alias("skipped")).select(*cols[:-1], "skipped", "rejected")


def run_rejects_query(run_id: int, limit: int = 5_000) -> sa.Select:
    """The SELECT behind `run_rejects`."""
    return (sa.select(REJ.c.line_no, REJ.c.column_name, REJ.c.reason, REJ.c.raw_row)
            .where(REJ.c.run_id == run_id).order_by(REJ.c.line_no).limit(limit))


def run_rejects(engine: sa.Engine, *, scope: Scope, run_id: int, limit: int = 5_000) -> pl.DataFrame:
    """Quarantined rows of one run (line, column, reason, the original row as JSON)."""
    _admin_only(scope)
    with engine.connect() as conn:
        rows = conn.execute(run_rejects_query(run_id, limit)).all()
    return pl.DataFrame([tuple(r) for r in rows], schema={"line": pl.Int64, "column": pl.String,
                                                          "reason": pl.String, "raw_row": pl.String},
                        orient="row")
