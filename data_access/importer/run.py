"""One import from start to end: the batched run that records an import_runs row, skips what is
not for import (open tickets, unanswered surveys), quarantines every rejected row and reports
what happened; a combined file lands its tickets and their answers in the same pass."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Callable

import polars as pl
import sqlalchemy as sa

from data_access import bootstrap, clock, recovery, schema
from data_access.importer import load
from data_access.importer.plan import (  # noqa: F401 (the importer's public names live here too)
    DATE_FIELDS, Plan, check_plan, decide_dates, max_import_bytes, plan_import, with_questions)
from data_access.importer.reader import LINE, RawBatch
from data_access.importer.result import ImportInterrupted, ImportResult, batch_rejects, record_batch
from data_access.importer.validate import AmbiguousDates, Rules, validate

REPORT_REJECT_CAP = 100_000


@dataclass
class _Side:
    """One kind's running state during an import (tickets, or the answers of a combined file)."""

    plan: Plan
    rules: Rules
    result: ImportResult
    seen: pl.Series
    kept_rows: int = 0


def _new_result(plan: Plan, dry_run: bool) -> ImportResult:
    result = ImportResult(kind=plan.kind, preset=plan.preset, file_name=plan.file_name,
                          source=plan.source.describe(), dry_run=dry_run, header=plan.header)
    if plan.long is not None:
        result.questions = dict(plan.long.questions)
        result.suggested = dict(plan.long.suggested)
        result.answers_read = 0
    return result


def preview(plan: Plan, *, rows: int = 20, url_engine: sa.Engine | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The first rows as they would land (typed target columns) and the first rejects, no writes."""
    lookup: dict[str, int] = {}
    if url_engine is not None and plan.kind == "responses":
        with url_engine.connect() as conn:
            lookup = load.factor_lookup(conn)
    for batch in plan.batches(rows):
        head = batch.frame.head(rows)
        try:
            order = decide_dates(plan, batch)
        except AmbiguousDates:
            order = None
        checked = validate(head, plan.rules(lookup, order))
        valid, dups = _without_duplicates(plan, checked.valid, pl.Series("ticket_id", [], dtype=pl.String))
        rej = batch_rejects(RawBatch(head, batch.bad_rows), [checked.rejects, dups], plan.header)
        return valid.rename({LINE: "line"}), rej
    empty = pl.DataFrame(schema={"line": pl.Int64})
    return empty, empty


def _without_duplicates(plan: Plan, valid: pl.DataFrame, seen: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(valid rows without repeated tickets, rejects for the repeats)."""
    dup = valid.select(LINE, "ticket_id").with_columns(
        dup=~pl.col("ticket_id").is_first_distinct() | pl.col("ticket_id").is_in(seen.implode()))
    dups = dup.filter("dup")
    what = "ticket" if plan.kind == "tickets" else "response for the same ticket"
    column = plan.long.columns["instance"] if plan.long is not None else plan.mapping["ticket_id"]
    rejects = dups.select(LINE, pl.lit(column).alias("column"),
                          (pl.lit(f"duplicate {what} in file (") + pl.col("ticket_id") + pl.lit(")")).alias("reason"))
    return valid.filter(~pl.col(LINE).is_in(dups[LINE].implode())), rejects


def _start_run(engine: sa.Engine, plan: Plan) -> int:
    with engine.begin() as conn:
        return conn.execute(
            schema.import_runs.insert().values(kind=plan.kind, file_name=(plan.file_name or "")[:400],
                                               preset=plan.preset, started_at=clock.now())
            .returning(schema.import_runs.c.run_id)).scalar_one()


def _step(side: _Side, batch: RawBatch, conn, read, names, settings, now, dry_run: bool) -> pl.Series:
    """Validate and load one batch of one kind; returns the lines that landed (or would)."""
    checked = validate(batch.frame, side.rules)
    valid, dup_rejects = _without_duplicates(side.plan, checked.valid, side.seen)
    side.seen = pl.concat([side.seen, valid["ticket_id"]])
    if side.plan.kind == "tickets":
        outcome = load.load_tickets(conn, valid, names, read=read)
    else:
        outcome = load.load_responses(conn, valid, read=read, settings=settings, now=now)
    rejects = batch_rejects(batch, [checked.rejects, dup_rejects, outcome.rejects], side.plan.header)
    if not dry_run:
        record_batch(conn, side.result.run_id, batch.rows_read, outcome, rejects)
    r = side.result
    r.rows_read += batch.rows_read
    r.inserted += outcome.inserted
    r.updated += outcome.updated
    r.unchanged += outcome.unchanged
    r.rejected += rejects.height
    r.recovery_opened += outcome.recovery_opened
    r.recovery_history += outcome.recovery_history
    r.add_skipped(checked.skipped)
    r.add_others(checked.others)
    if side.kept_rows < REPORT_REJECT_CAP and rejects.height:
        part = rejects.head(REPORT_REJECT_CAP - side.kept_rows)
        r.rejects = pl.concat([r.rejects, part]) if r.rejects.height else part
        side.kept_rows += part.height
    landed = valid[LINE]
    if outcome.rejects is not None and outcome.rejects.height:
        landed = landed.filter(~landed.is_in(outcome.rejects[LINE].implode()))
    return landed


def _answers_batch(batch: RawBatch, landed: pl.Series) -> tuple[RawBatch, pl.DataFrame]:
    """A combined file's rows whose ticket landed, and the others skipped for that reason."""
    keep = pl.col(LINE).is_in(landed.implode())
    skipped = batch.frame.filter(~keep).select(LINE, pl.lit("ticket not imported (see tickets)").alias("reason"))
    return RawBatch(batch.frame.filter(keep), [], batch.position), skipped


def run_import(engine: sa.Engine, plan: Plan, *, dry_run: bool = False, batch_rows: int = 100_000,
               progress: Callable[[float, str], None] | None = None) -> ImportResult:
    """Import the planned file: one transaction per batch, idempotent upserts keyed on ticket_id.

    A batch that fails rolls back completely; earlier batches stay (re-running completes the
    import, since unchanged rows are recognised). Raises ImportFileError before any write when
    the file cannot be imported at all.
    """
    check_plan(plan)
    started = time.perf_counter()
    batches = plan.batches(batch_rows)
    first = next(batches, None)
    orders = [decide_dates(plan, first)]
    if plan.responses is not None:
        orders.append(decide_dates(plan.responses, first))
    now = clock.now()
    with engine.connect() as conn:
        names = load.Names.load(conn)
        lookup = load.factor_lookup(conn)
        settings = recovery.read_settings(conn)
    sides = [_Side(p, p.rules(lookup, o), _new_result(p, dry_run), pl.Series("ticket_id", [], dtype=pl.String))
             for p, o in zip([plan, plan.responses] if plan.responses else [plan], orders)]
    result = sides[0].result
    if len(sides) > 1:
        result.responses = sides[1].result
    for side in sides:
        side.result.run_id = None if dry_run else _start_run(engine, side.plan)
    if result.answers_read is not None:
        result.answers_read = plan.pivoted()[1]

    def all_batches():
        if first is not None:
            yield first
            yield from batches

    try:
        for batch in all_batches():
            names = _one_batch(engine, sides, batch, names, settings, now, dry_run)
            if progress:
                progress(batch.position, f"{result.rows_read:,} rows read")
    except Exception as exc:
        for side in sides:
            side.result.error = _error_text(exc)
            side.result.seconds = time.perf_counter() - started
            side.result.created = names.created
        raise ImportInterrupted(result) from exc
    _finish(engine, sides, dry_run, now)
    for side in sides:
        side.result.created = names.created if side is sides[0] else {}
        side.result.completed = True
        side.result.seconds = time.perf_counter() - started
    if progress:
        progress(1.0, f"{result.rows_read:,} rows read")
    return result


def _error_text(exc: Exception) -> str:
    """One line about why a batch failed (a warehouse older than the 'social'/'other' channels
    gets the command that upgrades it)."""
    text = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    if "ck_tickets_channel" in str(exc):
        text += (" — this warehouse was created before the channels 'social' and 'other' existed: run "
                 "'python -m data_access create' once (it upgrades the warehouse, keeping every row), or map "
                 "those values to another channel (--value \"channel:VALUE=phone\" …)")
    return text


def _one_batch(engine, sides: list[_Side], batch: RawBatch, names, settings, now, dry_run: bool):
    """One batch of every side in one transaction; returns the names known afterwards."""
    trial = names.copy()
    if dry_run:
        with engine.connect() as read:
            _sides_step(sides, batch, None, read, trial, settings, now, True)
    else:
        with engine.begin() as conn:
            _sides_step(sides, batch, conn, conn, trial, settings, now, False)
    return trial


def _sides_step(sides, batch, conn, read, names, settings, now, dry_run) -> None:
    landed = _step(sides[0], batch, conn, read, names, settings, now, dry_run)
    if len(sides) > 1:
        answers, skipped = _answers_batch(batch, landed)
        sides[1].result.add_skipped(skipped)
        sides[1].result.rows_read += skipped.height
        if dry_run:  # the tickets were not written: answers are checked, not matched against them
            checked = validate(answers.frame, sides[1].rules)
            sides[1].result.add_skipped(checked.skipped)
            sides[1].result.rows_read += answers.rows_read
            sides[1].result.inserted += checked.valid.height
            sides[1].result.rejected += checked.rejects.height
            return
        _step(sides[1], answers, conn, read, names, settings, now, dry_run)


def _finish(engine: sa.Engine, sides: list[_Side], dry_run: bool, now: dt.datetime) -> None:
    """Mark the runs finished and say that the warehouse now holds imported data."""
    if dry_run:
        return
    S = schema.settings
    with engine.begin() as conn:
        for side in sides:
            conn.execute(schema.import_runs.update().where(schema.import_runs.c.run_id == side.result.run_id)
                         .values(finished_at=clock.now()))
        answered = [s for s in sides if s.plan.kind == "responses" and (s.result.inserted or s.result.updated)]
        tracked = conn.execute(sa.select(S.c.key).where(S.c.key == recovery.TRACKING_KEY)).first()
        if answered and tracked is None and bootstrap.origin_of(conn) not in ("demo", "mixed"):
            # The recovery figures count items from here on: the answers imported now are history
            # (the demo's own items were tracked from its first day: a demo keeps counting them).
            start = recovery.tracking_start(now)
            conn.execute(S.insert().values(key=recovery.TRACKING_KEY, value=start.isoformat(sep=" ")))
        if any(s.result.inserted or s.result.updated for s in sides):
            # "imported"; next to demo rows (their marker stays) the app calls it "demo + imported".
            origin = conn.execute(sa.select(S.c.value).where(S.c.key == "data_origin")).scalar_one_or_none()
            if origin is None:
                conn.execute(S.insert().values(key="data_origin", value="imported"))
            elif origin != "imported":
                conn.execute(S.update().where(S.c.key == "data_origin").values(value="imported"))
