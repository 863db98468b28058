"""The cost of Culture trends' service × channel × team pattern (views/culture_threeway.py): a demo
warehouse of N responses in a temporary DuckDB file, and each team lead's and the CIO's pattern over
the last M months, timed (wall and CPU seconds) apart from the reads of its cells.

    python -m bench.threeway [--responses 20000] [--months 12] [--json out.json]

The search's SVDs are small: where OpenBLAS runs them on several threads of a loaded machine they
can cost many times their work, so compare runs with OPENBLAS_NUM_THREADS=1 as well (same cells
hidden: the SVDs give the same floats on one thread or several).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import polars as pl

from bench.figures import emit, machine
from data_access import demo
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from views import culture_threeway as threeway
from views.culture_cells import cell_reads
from views.disclosure import Disclosure

END = dt.date(2026, 7, 1)


def viewers(url: str) -> list[tuple[str, Scope]]:
    """Every team's lead, then the CIO."""
    with get_engine(url).connect() as conn:
        teams = sorted(conn.exec_driver_sql("select team_id from teams").scalars())
    return [*((f"lead of team {team}", Scope("lead", team_ids=(team,))) for team in teams), ("CIO", Scope("cio"))]


def timed(url: str, scope: Scope, filters: Filters) -> dict:
    """One viewer's pattern: its cells read first, then `pattern` (or the cells below the rule alone,
    past `MAX_ATOMS`) timed."""
    reads, gate = cell_reads(scope, url), Disclosure.for_scope(scope)
    top = threeway.root(filters)
    atoms = reads.distinct(top, list(threeway.DIMS)).filter(pl.col("n") > 0).height
    cells = reads(top) if atoms <= threeway.MAX_ATOMS else None
    wall, cpu = time.perf_counter(), time.process_time()
    found = threeway.pattern(gate, cells) if cells is not None else threeway.pattern_for(gate, reads, filters)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"atoms": atoms, "cells": len(found.cells), "hidden": len(found.hidden),
            "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sp-threeway-bench-") as work:
        url = f"duckdb:///{Path(work) / 'demo.duckdb'}"
        demo.generate(get_engine(url), responses=args.responses, seed=7, end=END - dt.timedelta(days=1))
        filters = Filters(END - dt.timedelta(days=round(args.months * 365 / 12)), END)
        figures = {name: timed(url, scope, filters) for name, scope in viewers(url)}
        get_engine(url).dispose()
    for name, row in figures.items():
        print(f"{name:>16}: {row['atoms']:4} atoms, {row['hidden']:4} of {row['cells']:4} cells hidden, "
              f"{row['seconds']:6.2f} s ({row['cpu_seconds']:.2f} CPU s)")
    total = sum(row["seconds"] for row in figures.values())
    return emit({"responses": args.responses, "months": args.months, "viewers": figures,
                 "seconds": round(total, 2), **machine()}, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
