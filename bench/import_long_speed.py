"""Long-format survey import speed: N/4 closed tickets, then a long-format (one row per answer)
survey file of N answer rows — 4 questions per response — imported into a fresh DuckDB file;
prints answer rows/s (the bar: ≥ 100,000).

    python -m bench.import_long_speed [--answers 1000000] [--json out.json] [--keep DIR]
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import numpy as np
import polars as pl

from bench.figures import emit, machine
from bench.import_speed import bench_setup, fresh_warehouse, write_tickets_csv
from data_access.importer.run import plan_import, run_import

QUESTIONS = ["How likely are you to be happy with this service (0-10)?", "I was kept clearly informed",
             "My issue was resolved", "Anything else you want to tell us?"]


def write_long_csv(path: Path, responses: int, seed: int = 3, chunk: int = 100_000) -> None:
    """`responses` × 4 answer rows in the generic long template (response_id, ticket_id,
    question, value, submitted_at), ticket ids matching bench.import_speed's tickets."""
    with path.open("wb") as fh:
        for start in range(0, responses, chunk):
            n = min(chunk, responses - start)
            rng = np.random.default_rng(seed + start)
            ids = np.arange(start + 1, start + n + 1)
            submitted = (np.datetime64("2026-01-01T00:00:00", "s")
                         + rng.integers(0, 300 * 86400, n).astype("timedelta64[s]"))
            values = [rng.integers(0, 11, n).astype(str), rng.integers(1, 6, n).astype(str),
                      rng.integers(1, 6, n).astype(str), np.where(rng.random(n) < 0.3, "Thanks, quick help", "")]
            frame = pl.concat([pl.DataFrame({
                "response_id": [f"R{i}" for i in ids], "ticket_id": [f"INC{i:09d}" for i in ids],
                "question": [q] * n, "value": v,
                "submitted_at": pl.Series(submitted.astype("datetime64[us]")).dt.strftime("%Y-%m-%d %H:%M:%S")})
                for q, v in zip(QUESTIONS, values)])
            frame.write_csv(fh, include_header=start == 0)


def main(argv: list[str] | None = None) -> int:
    args, work = bench_setup(argv, __doc__.splitlines()[0], "answers", "sp-import-long-bench-")
    responses = args.answers // 4
    tickets, answers = work / "tickets.csv", work / "answers_long.csv"
    write_tickets_csv(tickets, responses)
    write_long_csv(answers, responses)
    engine = fresh_warehouse(work / "import.duckdb")
    run_import(engine, plan_import(tickets, "tickets", preset="generic"))
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = run_import(engine, plan_import(answers, "responses"))
    wall = time.perf_counter() - t0  # planning (question statistics) included
    cpu = time.process_time() - cpu0
    assert result.inserted == responses and result.balanced, result
    rate = result.answers_read / wall
    print(f"long import: {result.answers_read:,} answer rows → {result.inserted:,} responses in {wall:.1f} s "
          f"= {rate:,.0f} answer rows/s (CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores)")
    figures = {"answer_rows": result.answers_read, "responses": result.inserted,
               "answer_rows_per_second": round(rate), "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
               "csv_mb": round(answers.stat().st_size / 1e6), **machine()}
    return emit(figures, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
