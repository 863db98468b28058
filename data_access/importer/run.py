"""One import from start to end: plan (file, preset, mapping), preview, and the batched run that
records an import_runs row, quarantines every rejected row and reports what happened.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl
import sqlalchemy as sa

from data_access import clock, schema
from data_access.importer import load, presets
from data_access.importer.fields import FIELDS, KINDS
from data_access.importer.reader import LINE, ImportFileError, RawBatch, Source, open_source
from data_access.importer.validate import AmbiguousDates, Rules, decide_date_order, validate

MAX_UPLOAD_ENV = "SERVICE_PULSE_MAX_IMPORT_MB"
DEFAULT_MAX_MB = 2048
REPORT_REJECT_CAP = 100_000
DATE_FIELDS = ("opened_at", "resolved_at", "submitted_at")


def max_import_bytes() -> int:
    """Largest file an import accepts (env SERVICE_PULSE_MAX_IMPORT_MB, default 2 GB)."""
    return int(float(os.environ.get(MAX_UPLOAD_ENV, DEFAULT_MAX_MB)) * 1024 * 1024)


@dataclass
class Plan:
    """What will be imported and how: the opened file, the preset and the column mapping."""

    kind: str
    source: Source
    preset: str
    mapping: dict[str, str]
    scale: str = "0-10"
    date_order: str | None = None
    file_name: str | None = None

    @property
    def kind_preset(self) -> presets.KindPreset:
        return presets.load_presets()[self.preset].kinds[self.kind]

    def missing(self) -> list[str]:
        """Required fields still unmapped."""
        return presets.missing_required(self.kind, self.kind_preset, self.mapping)

    def rules(self, factor_lookup: dict[str, int] | None = None, date_order: str | None = None) -> Rules:
        kp = self.kind_preset
        return Rules(kind=self.kind, mapping=self.mapping, values=kp.values, scale=self.scale,
                     handle_unit=kp.handle_unit, type_from_prefix=kp.type_from_prefix,
                     date_order=date_order or self.date_order, factor_lookup=factor_lookup or {})


def plan_import(path: str | Path, kind: str, *, preset: str | None = None,
                mapping: dict[str, str] | None = None, scale: str | None = None,
                date_order: str | None = None, file_name: str | None = None,
                max_bytes: int | None = None) -> Plan:
    """Open the file, pick (or detect) the preset and map its columns; ImportFileError when the
    file cannot be imported as `kind` (nothing is written)."""
    if kind not in KINDS:
        raise ImportFileError(f"Unknown import kind '{kind}' (tickets or responses).")
    source = open_source(path, max_bytes=max_import_bytes() if max_bytes is None else max_bytes)
    names = presets.load_presets()
    if preset is None:
        preset = presets.detect_preset(kind, source.header) or "generic"
    if preset not in names or kind not in names[preset].kinds:
        raise ImportFileError(f"The preset '{preset}' has no {kind} layout; choose one of "
                              f"{', '.join(presets.preset_names(kind))}.")
    kp = names[preset].kinds[kind]
    auto = presets.auto_mapping(kind, kp, source.header)
    if mapping:
        auto.update({k: v for k, v in mapping.items() if v})
        auto = {k: v for k, v in auto.items() if mapping.get(k, v)}
    unknown = [v for v in auto.values() if v not in source.header]
    if unknown:
        raise ImportFileError(f"The mapping names columns the file does not have: {', '.join(unknown)}.")
    plan = Plan(kind=kind, source=source, preset=preset, mapping=auto, scale=scale or kp.scale,
                date_order=date_order, file_name=file_name or Path(path).name)
    return plan


def check_plan(plan: Plan) -> None:
    """Raise ImportFileError with a clear message when required fields are unmapped (wrong kind?)."""
    missing = plan.missing()
    if not missing:
        return
    other = "responses" if plan.kind == "tickets" else "tickets"
    if presets.detect_preset(other, plan.source.header) and len(missing) > 1:
        raise ImportFileError(f"This looks like a {other} file, not a {plan.kind} file (it has no "
                              f"columns for {', '.join(missing)}). Nothing was imported.")
    raise ImportFileError(f"The file has no column for {', '.join(missing)}; map "
                          f"{'it' if len(missing) == 1 else 'them'} to a column of the file, or choose "
                          f"another preset. Nothing was imported.")


def decide_dates(plan: Plan, first: RawBatch | None) -> str | None:
    """The day/month order to use: the explicit choice, or what the file's own dates show."""
    if plan.date_order:
        return plan.date_order
    cols = [plan.mapping[f] for f in DATE_FIELDS if f in plan.mapping]
    if not cols:
        return None

    def verdict(frames) -> str | None:
        found = None
        for frame in frames:
            for c in cols:
                v = decide_date_order(frame[c])
                if v == "mixed":
                    return "mixed"
                if v in ("day", "month"):
                    if found in ("day", "month") and found != v:
                        return "mixed"
                    found = v
                elif v == "ambiguous" and found is None:
                    found = "ambiguous"
        return found

    seen = verdict([first.frame] if first is not None else [])
    if seen == "ambiguous":  # the first rows cannot tell: look at every date in the file
        seen = verdict(b.frame.select(cols) for b in plan.source.batches())
    if seen == "mixed":
        raise AmbiguousDates("Some dates put the day first (31/01/2025) and others the month first "
                             "(01/31/2025). Choose day-first or month-first explicitly; rows that do "
                             "not fit the choice will be rejected. Nothing was imported.")
    if seen == "ambiguous":
        raise AmbiguousDates("Dates such as 03/04/2025 could be 3 April or March 4, and no date in "
                             "the file tells which. Choose day-first or month-first. Nothing was imported.")
    return seen


@dataclass
class ImportResult:
    """What an import did: counts, rejected rows with reasons, names it created."""

    kind: str
    preset: str
    file_name: str | None
    source: str
    dry_run: bool
    run_id: int | None = None
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema={"line": pl.Int64, "column": pl.String, "reason": pl.String, "raw_row": pl.String}))
    created: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    completed: bool = False
    error: str | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    @property
    def balanced(self) -> bool:
        """Every row read is accounted for exactly once."""
        return self.rows_read == self.inserted + self.updated + self.unchanged + self.rejected


def _raw_rows(raw: pl.DataFrame, lines: pl.Series, header: list[str]) -> pl.DataFrame:
    picked = raw.filter(pl.col(LINE).is_in(lines.implode()))
    return picked.select(pl.col(LINE), pl.struct(header).struct.json_encode().alias("raw_row"))


def _batch_rejects(batch: RawBatch, found: list[pl.DataFrame], header: list[str]) -> pl.DataFrame:
    parts = [f.select(pl.col(LINE).cast(pl.Int64), pl.col("column").cast(pl.String),
                      pl.col("reason").cast(pl.String)) for f in found if f is not None and f.height]
    frame = pl.concat(parts) if parts else pl.DataFrame(schema={LINE: pl.Int64, "column": pl.String,
                                                                "reason": pl.String})
    frame = frame.join(_raw_rows(batch.frame, frame[LINE], header), on=LINE, how="left")
    if batch.bad_rows:
        bad = pl.DataFrame([(ln, None, reason, json.dumps({"row": text}, ensure_ascii=False))
                            for ln, reason, text in batch.bad_rows],
                           schema={LINE: pl.Int64, "column": pl.String, "reason": pl.String,
                                   "raw_row": pl.String}, orient="row")
        frame = pl.concat([frame, bad])
    return frame.sort(LINE).rename({LINE: "line"})


def preview(plan: Plan, *, rows: int = 20, url_engine: sa.Engine | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The first rows as they would land (typed target columns) and the first rejects, no writes."""
    lookup: dict[str, int] = {}
    if url_engine is not None and plan.kind == "responses":
        with url_engine.connect() as conn:
            lookup = load.factor_lookup(conn)
    for batch in plan.source.batches(rows):
        head = batch.frame.head(rows)
        try:
            order = decide_dates(plan, batch)
        except AmbiguousDates:
            order = None
        valid, rejects = validate(head, plan.rules(lookup, order))
        dups = valid.filter(~pl.col("ticket_id").is_first_distinct()).select(
            LINE, pl.lit(plan.mapping["ticket_id"]).alias("column"),
            (pl.lit("duplicate ticket in file (") + pl.col("ticket_id") + pl.lit(")")).alias("reason"))
        valid = valid.filter(pl.col("ticket_id").is_first_distinct())
        rej = _batch_rejects(RawBatch(head, batch.bad_rows), [rejects, dups], plan.source.header)
        return valid.rename({LINE: "line"}), rej
    empty = pl.DataFrame(schema={"line": pl.Int64})
    return empty, empty


def run_import(engine: sa.Engine, plan: Plan, *, dry_run: bool = False, batch_rows: int = 100_000,
               progress: Callable[[float, str], None] | None = None) -> ImportResult:
    """Import the planned file: one transaction per batch, idempotent upserts keyed on ticket_id.

    A batch that fails rolls back completely; earlier batches stay (re-running completes the
    import, since unchanged rows are recognised). Raises ImportFileError before any write when
    the file cannot be imported at all.
    """
    check_plan(plan)
    started = time.perf_counter()
    result = ImportResult(kind=plan.kind, preset=plan.preset, file_name=plan.file_name,
                          source=plan.source.describe(), dry_run=dry_run)
    batches = plan.source.batches(batch_rows)
    first = next(batches, None)
    date_order = decide_dates(plan, first)
    with engine.connect() as conn:
        names = load.Names.load(conn)
        lookup = load.factor_lookup(conn)
        threshold = load.recovery_threshold(conn)
    rules = plan.rules(lookup, date_order)
    if not dry_run:
        with engine.begin() as conn:
            result.run_id = conn.execute(
                schema.import_runs.insert().values(kind=plan.kind, file_name=(plan.file_name or "")[:400],
                                                   preset=plan.preset, started_at=clock.now())
                .returning(schema.import_runs.c.run_id)).scalar_one()
    seen = pl.Series("ticket_id", [], dtype=pl.String)
    kept: list[pl.DataFrame] = []
    kept_rows = 0

    def all_batches():
        if first is not None:
            yield first
            yield from batches

    try:
        for batch in all_batches():
            valid, rejects = validate(batch.frame, rules)
            dup = valid.select(LINE, "ticket_id").with_columns(
                dup=~pl.col("ticket_id").is_first_distinct() | pl.col("ticket_id").is_in(seen.implode()))
            dups = dup.filter("dup")
            what = "ticket" if plan.kind == "tickets" else "response for the same ticket"
            dup_rejects = dups.select(LINE, pl.lit(plan.mapping["ticket_id"]).alias("column"),
                                      (pl.lit(f"duplicate {what} in file (") + pl.col("ticket_id")
                                       + pl.lit(")")).alias("reason"))
            valid = valid.filter(~pl.col(LINE).is_in(dups[LINE].implode()))
            seen = pl.concat([seen, valid["ticket_id"]])
            trial = names.copy()
            if dry_run:
                with engine.connect() as read:
                    outcome = _load(plan.kind, None, valid, trial, read, threshold)
                batch_rejects = _batch_rejects(batch, [rejects, dup_rejects, outcome.rejects],
                                               plan.source.header)
            else:
                with engine.begin() as conn:
                    outcome = _load(plan.kind, conn, valid, trial, conn, threshold)
                    batch_rejects = _batch_rejects(batch, [rejects, dup_rejects, outcome.rejects],
                                                   plan.source.header)
                    _record_batch(conn, result.run_id, batch, outcome, batch_rejects)
            names = trial
            result.rows_read += batch.rows_read
            result.inserted += outcome.inserted
            result.updated += outcome.updated
            result.unchanged += outcome.unchanged
            result.rejected += batch_rejects.height
            if kept_rows < REPORT_REJECT_CAP and batch_rejects.height:
                kept.append(batch_rejects.head(REPORT_REJECT_CAP - kept_rows))
                kept_rows += kept[-1].height
            if progress:
                progress(batch.position, f"{result.rows_read:,} rows read")
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        result.seconds = time.perf_counter() - started
        result.rejects = pl.concat(kept) if kept else result.rejects
        result.created = names.created
        raise ImportInterrupted(result) from exc
    result.rejects = pl.concat(kept) if kept else result.rejects
    result.created = names.created
    result.completed = True
    if not dry_run:
        with engine.begin() as conn:
            conn.execute(schema.import_runs.update().where(schema.import_runs.c.run_id == result.run_id)
                         .values(finished_at=clock.now()))
            if result.inserted or result.updated:
                conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin")
                             .values(value="imported"))
    result.seconds = time.perf_counter() - started
    if progress:
        progress(1.0, f"{result.rows_read:,} rows read")
    return result


class ImportInterrupted(RuntimeError):
    """The import stopped part-way; `result` says how far it got (committed batches stay)."""

    def __init__(self, result: ImportResult):
        super().__init__(f"The import stopped after {result.rows_read:,} rows: {result.error}. "
                         "Batches before that are saved; run the same import again to complete it.")
        self.result = result


def _load(kind: str, conn, valid, names, read, threshold) -> load.Outcome:
    if kind == "tickets":
        return load.load_tickets(conn, valid, names, read=read)
    return load.load_responses(conn, valid, read=read, threshold=threshold)


def _record_batch(conn: sa.Connection, run_id: int, batch: RawBatch, outcome: load.Outcome,
                  rejects: pl.DataFrame) -> None:
    """Quarantine the batch's rejects and add its counts to the run (same transaction as the data)."""
    if rejects.height:
        rows = [dict(run_id=run_id, line_no=int(line), column_name=(col or None) and col[:200],
                     reason=reason, raw_row=raw or "")
                for line, col, reason, raw in rejects.select("line", "column", "reason", "raw_row").iter_rows()]
        for start in range(0, len(rows), 10_000):
            conn.execute(schema.import_rejects.insert(), rows[start:start + 10_000])
    ir = schema.import_runs
    conn.execute(ir.update().where(ir.c.run_id == run_id).values(
        rows_read=ir.c.rows_read + batch.rows_read, inserted=ir.c.inserted + outcome.inserted,
        updated=ir.c.updated + outcome.updated, unchanged=ir.c.unchanged + outcome.unchanged,
        rejected=ir.c.rejected + rejects.height))


def field_help(kind: str) -> pl.DataFrame:
    """The generic template for a kind: field, required, meaning (for the page and README)."""
    return pl.DataFrame([(f.name, f.required, f.help) for f in FIELDS[kind]],
                        schema={"field": pl.String, "required": pl.Boolean, "meaning": pl.String},
                        orient="row")
