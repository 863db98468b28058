"""What keeping the rollups costs an import: the same tickets CSV (and answers to a quarter of
them) imported into two fresh warehouses, one without rollups and one keeping them: DuckDB files by
default, or two databases on a PostgreSQL server (`--postgres URL`, or `--throwaway-postgres`).

    python -m bench.rollup_cost [--rows 1000000] [--postgres URL | --throwaway-postgres] [--json out.json]

CPU seconds are this process's; on PostgreSQL the server's own CPU seconds (its processes, read
from /proc, so only for a server on this machine) are reported next to them.
"""

from __future__ import annotations

import argparse
import os
import uuid
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import sqlalchemy as sa

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


def _fresh_url(work: Path, keep: bool, postgres: str | None) -> str:
    """An empty warehouse: a DuckDB file in `work`, or a new database on the PostgreSQL server."""
    if postgres is None:
        return f"duckdb:///{work / ('with.duckdb' if keep else 'without.duckdb')}"
    name = f"sp_rollup_cost_{'with' if keep else 'without'}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(postgres).set(database=name).render_as_string(hide_password=False)


def _drop(url: str, postgres: str | None) -> None:
    if postgres is None:
        return
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}"'))
    admin.dispose()


def _server_cpu(postmaster: int | None) -> float:
    """CPU seconds of a local PostgreSQL server so far: the postmaster with its reaped children, plus
    the children still running (0 when there is no such server)."""
    if postmaster is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: int) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None

    own = fields(postmaster) or []
    total = sum(int(v) for v in own[11:15]) if own else 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (f := fields(int(entry.name))) is not None and int(f[1]) == postmaster:
            total += int(f[11]) + int(f[12])
    return total / tick


def _postmaster(engine) -> int | None:
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    try:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # a server on another machine
    return int(fields[1])


def _import_both(work: Path, csv_tickets: Path, csv_responses: Path, keep: bool, postgres: str | None = None) -> dict:
    url = _fresh_url(work, keep, postgres)
    engine = get_engine(url)
    with engine.begin() as conn:
        schema.create_schema(conn)
        catalogue.seed_catalogue(conn)
        if keep:
            rollups.mark_fresh(conn)  # empty warehouse: its (empty) rollups are exact
    server = _postmaster(engine)
    out = {}
    for kind, path in (("tickets", csv_tickets), ("responses", csv_responses)):
        cpu0, server0, started = time.process_time(), _server_cpu(server), time.perf_counter()
        result = run_import(engine, plan_import(path, kind, preset="generic"))
        seconds = time.perf_counter() - started
        out[kind] = {"rows": result.rows_read, "seconds": round(seconds, 2),
                     "cpu_seconds": round(time.process_time() - cpu0, 2),
                     "rows_per_second": round(result.rows_read / max(seconds, 1e-9))}
        if server is not None:
            out[kind]["server_cpu_seconds"] = round(_server_cpu(server) - server0, 2)
    if keep:
        with engine.connect() as conn:
            out["check_differences"] = len(check(conn))
    engine.dispose()
    _drop(url, postgres)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", help="a PostgreSQL server URL (two databases are created and dropped)")
    where.add_argument("--throwaway-postgres", action="store_true", help="start a throwaway PostgreSQL for the run")
    args = parser.parse_args(argv)
    throwaway = None
    if args.throwaway_postgres:
        from tests.pg import ThrowawayPostgres

        throwaway = ThrowawayPostgres()
        args.postgres = throwaway.start()
    try:
        figures = _measure(args)
    finally:
        if throwaway is not None:
            throwaway.stop()
    for kind in ("tickets", "responses"):
        before, after = figures["without_rollups"][kind], figures["with_rollups"][kind]
        figures[f"{kind}_slowdown"] = round(after["seconds"] / before["seconds"] - 1, 3)
        server = (f"; server CPU {before['server_cpu_seconds']} → {after['server_cpu_seconds']} s"
                  if "server_cpu_seconds" in before else "")
        print(f"{kind}: {before['rows_per_second']:,} rows/s without rollups, {after['rows_per_second']:,} "
              f"with ({100 * figures[f'{kind}_slowdown']:+.0f} %; CPU {before['cpu_seconds']} → "
              f"{after['cpu_seconds']} s{server})")
    return emit(figures, args.json)


def _measure(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="sp-rollup-cost-") as tmp:
        work = Path(tmp)
        tickets, responses = work / "tickets.csv", work / "responses.csv"
        write_tickets_csv(tickets, args.rows)
        answers = write_responses_csv(responses, args.rows)
        engine = "postgresql" if args.postgres else "duckdb"
        figures = {"rows": args.rows, "answers": answers, "engine": engine, "load_average": list(os.getloadavg()),
                   "without_rollups": _import_both(work, tickets, responses, False, args.postgres),
                   "with_rollups": _import_both(work, tickets, responses, True, args.postgres)}
        figures["load_average_end"] = list(os.getloadavg())
    return figures


if __name__ == "__main__":
    raise SystemExit(main())
