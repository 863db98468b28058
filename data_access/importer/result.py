"""What an import did (counts, skipped and rejected rows, warnings) and how a batch's rejects are
assembled and quarantined."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import polars as pl
import sqlalchemy as sa

from data_access import schema
from data_access.importer.reader import LINE, RawBatch

REJECT_SCHEMA = {"line": pl.Int64, "column": pl.String, "reason": pl.String, "raw_row": pl.String}


@dataclass
class ImportResult:
    """What an import did: counts, rejected rows with reasons, skipped rows by reason, names it
    created, values that landed as 'other', and (combined files) the responses' own result."""

    kind: str
    preset: str
    file_name: str | None
    source: str
    dry_run: bool
    header: list[str] = field(default_factory=list)
    run_id: int | None = None
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped_by: dict[str, int] = field(default_factory=dict)
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))
    others: dict[tuple[str, str], int] = field(default_factory=dict)  # (field, source value) → rows
    created: dict[str, list[str]] = field(default_factory=dict)
    answers_read: int | None = None  # long-format survey: answer rows behind the responses
    questions: dict[str, str] = field(default_factory=dict)   # long format: question → field used
    suggested: dict[str, str] = field(default_factory=dict)   # … of which applied from keywords
    recovery_opened: int = 0
    recovery_history: int = 0  # unhappy answers older than the recovery window: history, no item
    responses: "ImportResult | None" = None
    seconds: float = 0.0
    completed: bool = False
    error: str | None = None

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by.values())

    @property
    def rows_per_second(self) -> float:
        rows = self.answers_read if self.answers_read is not None else self.rows_read
        return rows / self.seconds if self.seconds else 0.0

    @property
    def balanced(self) -> bool:
        """Every row read is accounted for exactly once."""
        return self.rows_read == self.inserted + self.updated + self.unchanged + self.skipped + self.rejected

    @property
    def any_rejected(self) -> bool:
        return bool(self.rejected or (self.responses is not None and self.responses.rejected))

    def add_skipped(self, skipped: pl.DataFrame) -> None:
        for reason, n in skipped.group_by("reason").len().iter_rows():
            self.skipped_by[reason] = self.skipped_by.get(reason, 0) + n

    def add_others(self, others: pl.DataFrame) -> None:
        for fld, value, n in others.iter_rows():
            self.others[(fld, value)] = self.others.get((fld, value), 0) + n

    def warnings(self) -> list[str]:
        """One line per value that landed as 'other', with the flag that maps it."""
        return [f"{value} → other: {n:,} rows; map it with --value \"{fld}:{value}=…\" "
                f"(one of {', '.join(c for c in schema.CHANNELS if c != 'other')})"
                for (fld, value), n in sorted(self.others.items(), key=lambda kv: (-kv[1], kv[0]))]


class ImportInterrupted(RuntimeError):
    """The import stopped part-way; `result` says how far it got (committed batches stay)."""

    def __init__(self, result: ImportResult):
        super().__init__(f"The import stopped after {result.rows_read:,} rows: {result.error}. "
                         "Batches before that are saved; run the same import again to complete it.")
        self.result = result


def _raw_rows(raw: pl.DataFrame, lines: pl.Series, header: list[str]) -> pl.DataFrame:
    picked = raw.filter(pl.col(LINE).is_in(lines.implode()))
    return picked.select(pl.col(LINE), pl.struct(header).struct.json_encode().alias("raw_row"))


def batch_rejects(batch: RawBatch, found: list[pl.DataFrame | None], header: list[str]) -> pl.DataFrame:
    """One frame of the batch's rejects (line, column, reason, original row as JSON); a line
    rejected at several stages keeps every reason."""
    parts = [f.select(pl.col(LINE).cast(pl.Int64), pl.col("column").cast(pl.String),
                      pl.col("reason").cast(pl.String)) for f in found if f is not None and f.height]
    frame = pl.concat(parts) if parts else pl.DataFrame(schema={LINE: pl.Int64, "column": pl.String,
                                                                "reason": pl.String})
    if len(parts) > 1:
        frame = frame.group_by(LINE, maintain_order=True).agg(
            pl.col("column").drop_nulls().str.join("; "), pl.col("reason").str.join("; "))
        frame = frame.with_columns(pl.when(pl.col("column") != "").then(pl.col("column")).alias("column"))
    frame = frame.join(_raw_rows(batch.frame, frame[LINE], header), on=LINE, how="left")
    if batch.bad_rows:
        first = header[0] if header else "row"
        bad = pl.DataFrame([(ln, None, reason, json.dumps({first: text}, ensure_ascii=False))
                            for ln, reason, text in batch.bad_rows],
                           schema={LINE: pl.Int64, **{k: v for k, v in REJECT_SCHEMA.items() if k != "line"}},
                           orient="row")
        frame = pl.concat([frame, bad])
    return frame.sort(LINE).rename({LINE: "line"})


def record_batch(conn: sa.Connection, run_id: int, rows_read: int, outcome, rejects: pl.DataFrame) -> None:
    """Quarantine the batch's rejects and add its counts to the run (same transaction as the data).

    import_runs keeps rows read and the four outcomes; skipped = read − the other four."""
    if rejects.height:
        rows = [dict(run_id=run_id, line_no=int(line), column_name=(col or None) and col[:200],
                     reason=reason, raw_row=raw or "")
                for line, col, reason, raw in rejects.select("line", "column", "reason", "raw_row").iter_rows()]
        for start in range(0, len(rows), 10_000):
            conn.execute(schema.import_rejects.insert(), rows[start:start + 10_000])
    ir = schema.import_runs
    conn.execute(ir.update().where(ir.c.run_id == run_id).values(
        rows_read=ir.c.rows_read + rows_read, inserted=ir.c.inserted + outcome.inserted,
        updated=ir.c.updated + outcome.updated, unchanged=ir.c.unchanged + outcome.unchanged,
        rejected=ir.c.rejected + rejects.height))
