"""What keeping the rollups costs an import: the same tickets CSV (and answers to a quarter of
them) imported into two fresh DuckDB files, one without rollups and one keeping them.

    python -m bench.rollup_cost [--rows 1000000] [--json out.json]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from bench.figures import emit
from bench.import_speed import write_tickets_csv
from data_access import catalogue, rollups, schema
from data_access.engine import get_engine
from data_access.importer.run import plan_import, run_import
from data_access.rollups.check import check


def write_responses_csv(path: Path, tickets: int, share: float = 0.25, seed: int = 3) -> int:
    """Answers to a share of the tickets written by `write_tickets_csv` (generic template)."""
    rng = np.random.default_rng(seed)
    picked = np.flatnonzero(rng.random(tickets) < share) + 1
    n = picked.size
    frame = pl.DataFrame({
        "ticket_id": [f"INC{i:09d}" for i in picked],
        "happiness": rng.integers(0, 11, n),
        "communication": rng.integers(1, 6, n),
        "lost_minutes": pl.Series(np.round(rng.exponential(30, n), 1)).set(pl.Series(rng.random(n) < 0.5), None),
        "factors": np.where(rng.random(n) < 0.3, "slow;re_explain", "speed"),
        "submitted_at": "2026-11-01 10:00:00",
    })
    frame.write_csv(path)
    return n


def _import_both(work: Path, csv_tickets: Path, csv_responses: Path, keep: bool) -> dict:
    db = work / ("with.duckdb" if keep else "without.duckdb")
    engine = get_engine(f"duckdb:///{db}")
    with engine.begin() as conn:
        schema.create_schema(conn)
        catalogue.seed_catalogue(conn)
        if keep:
            rollups.mark_fresh(conn)  # empty warehouse: its (empty) rollups are exact
    out = {}
    for kind, path in (("tickets", csv_tickets), ("responses", csv_responses)):
        cpu0, started = time.process_time(), time.perf_counter()
        result = run_import(engine, plan_import(path, kind, preset="generic"))
        out[kind] = {"rows": result.rows_read, "seconds": round(time.perf_counter() - started, 2),
                     "cpu_seconds": round(time.process_time() - cpu0, 2),
                     "rows_per_second": round(result.rows_read / max(time.perf_counter() - started, 1e-9))}
    if keep:
        with engine.connect() as conn:
            out["check_differences"] = len(check(conn))
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sp-rollup-cost-") as tmp:
        work = Path(tmp)
        tickets, responses = work / "tickets.csv", work / "responses.csv"
        write_tickets_csv(tickets, args.rows)
        answers = write_responses_csv(responses, args.rows)
        figures = {"rows": args.rows, "answers": answers, "load_average": list(os.getloadavg()),
                   "without_rollups": _import_both(work, tickets, responses, keep=False),
                   "with_rollups": _import_both(work, tickets, responses, keep=True)}
    for kind in ("tickets", "responses"):
        before, after = figures["without_rollups"][kind], figures["with_rollups"][kind]
        figures[f"{kind}_slowdown"] = round(after["seconds"] / before["seconds"] - 1, 3)
        print(f"{kind}: {before['rows_per_second']:,} rows/s without rollups, {after['rows_per_second']:,} "
              f"with ({100 * figures[f'{kind}_slowdown']:+.0f} %; CPU {before['cpu_seconds']} → "
              f"{after['cpu_seconds']} s)")
    return emit(figures, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
