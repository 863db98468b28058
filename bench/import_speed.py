"""Import speed: write a clean N-row tickets CSV in the generic template, import it into a fresh
DuckDB file (the embedded default) and print rows/s; then import it again (all unchanged).

    python -m bench.import_speed [--rows 1000000] [--json out.json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import sqlalchemy as sa

from bench.figures import emit, machine
from data_access import catalogue, schema
from data_access.engine import get_engine
from data_access.importer.run import plan_import, run_import

TEAMS = [f"Team {i}" for i in range(1, 9)]
SERVICES = [f"Service {i}" for i in range(1, 26)]
CHANNELS = ["Phone", "E-mail", "Self-service", "Chat", "Walk-in"]


def write_tickets_csv(path: Path, rows: int, seed: int = 1, chunk: int = 100_000) -> None:
    """A clean tickets export (generic template columns) with `rows` rows, written in chunks so the
    benchmark's own memory stays small."""
    with path.open("wb") as fh:
        for start in range(0, rows, chunk):
            frame = _tickets_frame(start, min(chunk, rows - start), seed + start)
            frame.write_csv(fh, include_header=start == 0)


def _tickets_frame(offset: int, rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    opened = start + rng.integers(0, 3 * 365 * 86400, rows).astype("timedelta64[s]")
    resolved = opened + rng.integers(60, 5 * 86400, rows).astype("timedelta64[s]")
    analysts = [f"Analyst {i:02d}" for i in range(80)]
    analyst = rng.integers(0, 80, rows)
    return pl.DataFrame({
        "ticket_id": [f"INC{i:09d}" for i in range(offset + 1, offset + rows + 1)],
        "ticket_type": np.where(rng.random(rows) < 0.6, "incident", "request"),
        "channel": np.array(CHANNELS)[rng.integers(0, 5, rows)],
        "service": np.array(SERVICES)[rng.integers(0, 25, rows)],
        "priority": rng.integers(1, 5, rows),
        "opened_at": pl.Series(opened.astype("datetime64[us]")).dt.strftime("%Y-%m-%d %H:%M:%S"),
        "resolved_at": pl.Series(resolved.astype("datetime64[us]")).dt.strftime("%Y-%m-%d %H:%M:%S"),
        "analyst": np.array(analysts)[analyst],
        "team": np.array(TEAMS)[analyst % 8],
        "sla_met": np.where(rng.random(rows) < 0.8, "true", "false"),
        "reassignment_count": rng.poisson(0.4, rows),
        "reopened": np.where(rng.random(rows) < 0.05, "true", "false"),
        "handle_minutes": np.round(rng.lognormal(3, 0.7, rows), 1),
        "requester": np.array([f"User {i}" for i in range(500)])[rng.integers(0, 500, rows)],
    })


def bench_setup(argv: list[str] | None, description: str, count: str,
                prefix: str) -> tuple[argparse.Namespace, Path]:
    """The import benchmarks' command line (`--<count>`, `--json`, `--keep`) and their work folder."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(f"--{count}", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    return args, work


def fresh_warehouse(db_path: Path) -> sa.Engine:
    """An empty DuckDB warehouse at `db_path` (an earlier run's file removed), catalogue seeded."""
    for p in (db_path, Path(f"{db_path}.wal")):
        p.unlink(missing_ok=True)
    engine = get_engine(f"duckdb:///{db_path}")
    with engine.begin() as conn:
        schema.create_schema(conn)
        catalogue.seed_catalogue(conn)
    return engine


def main(argv: list[str] | None = None) -> int:
    args, work = bench_setup(argv, __doc__.splitlines()[0], "rows", "sp-import-bench-")
    csv_path = work / "tickets.csv"
    t0 = time.perf_counter()
    write_tickets_csv(csv_path, args.rows)
    print(f"wrote {args.rows:,} rows ({csv_path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t0:.1f} s")
    engine = fresh_warehouse(work / "import.duckdb")
    cpu0 = time.process_time()
    first = run_import(engine, plan_import(csv_path, "tickets", preset="generic"))
    cpu = time.process_time() - cpu0
    assert first.inserted == args.rows and first.balanced, first
    print(f"first import: {first.rows_read:,} rows, inserted {first.inserted:,} in {first.seconds:.1f} s "
          f"= {first.rows_per_second:,.0f} rows/s (CPU {cpu:.1f} s, all threads; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    again = run_import(engine, plan_import(csv_path, "tickets", preset="generic"))
    assert again.unchanged == args.rows, again
    print(f"second import (all unchanged): {again.seconds:.1f} s = {again.rows_per_second:,.0f} rows/s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"rows": args.rows, "rows_per_second": round(first.rows_per_second),
               "seconds": round(first.seconds, 2),
               "cpu_seconds": round(cpu, 2), "reimport_rows_per_second": round(again.rows_per_second),
               "reimport_seconds": round(again.seconds, 2), "peak_rss_mb": round(peak_mb),
               "csv_mb": round(csv_path.stat().st_size / 1e6), **machine()}
    return emit(figures, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
