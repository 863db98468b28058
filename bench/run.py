"""One command for the whole benchmark: `python -m bench.run` (see README, "Benchmark").

Builds (or reuses) the demo warehouses, renders every page as its role cold and warm, replays
each page's SQL for its floor, times demo generation and the importer, measures peak memory and
the browser sign-in → first chart, and writes bench/results.md and bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import crowd, floor, memory, pages, report, warehouses
from data_access import config

IMPORT_ROWS = 1_000_000
ROLLUPS_ENV = "SERVICE_PULSE_ROLLUPS"
PG_MAX_RESPONSES = 1_000_000  # larger PostgreSQL tiers take longer to build than the run is worth


# The --tiers … --modes options and the --postgres group below share one shape (add_argument with
# its help), as argparse declares options: declarations, no logic to share.
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="100k,1m,10m",
                        help="comma-separated tiers of demo responses: 100k, 1m, 5m, 10m (default 100k,1m,10m; "
                             "10m is DuckDB only and takes a while to build the first time)")
    parser.add_argument("--with-5m", action="store_true", help="add the 5,000,000-response tier")
    parser.add_argument("--with-10m", action="store_true",
                        help="add the 10,000,000-response tier when --tiers leaves it out")
    parser.add_argument("--modes", default="rollups,base",
                        help="rollups (pages read the summary tables), base (SERVICE_PULSE_ROLLUPS=off, "
                             "as before them); default both")
    parser.add_argument("--skip-rollup-cost", action="store_true",
                        help="do not time imports with and without rollup upkeep")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    pg = parser.add_mutually_exclusive_group()
    pg.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server "
                    "(databases sp_bench_* are created in it)")
    pg.add_argument("--throwaway-postgres", action="store_true",
                    help="measure on a temporary local PostgreSQL (the default when the server binaries "
                         "are installed)")
    pg.add_argument("--no-postgres", action="store_true", help="measure the embedded DuckDB file only")
    parser.add_argument("--duckdb", action="store_true",
                        help="accepted for symmetry: DuckDB is the embedded default and always measured")
    parser.add_argument("--sqlite", action="store_true",
                        help="also measure on SQLite files (tiers up to 1M)")
    parser.add_argument("--skip-browser", action="store_true", help="no headless Chromium step")
    parser.add_argument("--concurrency", default="1,10,25", metavar="N,N,…",
                        help="sign-ins at once in the concurrency step (default 1,10,25; '' skips it)")
    parser.add_argument("--processes", default="1,2", metavar="K,K,…",
                        help="app processes (behind HAProxy when more than one) for the concurrency step "
                             "on PostgreSQL (default 1,2); the embedded DuckDB file is served by one")
    parser.add_argument("--skip-generation", action="store_true",
                        help="do not time a fresh 1M demo generation (use the cached build time)")
    parser.add_argument("--skip-import", action="store_true", help="do not time the importer")
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached warehouses")
    parser.add_argument("--out", default=str(report.BENCH_DIR), help="folder for results.md/json")
    args = parser.parse_args(argv)
    args.tier_list = [t.strip().lower() for t in args.tiers.split(",") if t.strip()]
    if args.with_5m and "5m" not in args.tier_list:
        args.tier_list.append("5m")
    if args.with_10m and "10m" not in args.tier_list:
        args.tier_list.append("10m")
    if not (args.postgres or args.no_postgres):
        args.throwaway_postgres = _postgres_installed()
    args.process_list = [int(k) for k in args.processes.split(",") if k.strip()]
    args.mode_list = [m.strip() for m in args.modes.split(",") if m.strip()]
    if set(args.mode_list) - {"rollups", "base"}:
        parser.error("--modes takes rollups and/or base")
    unknown = set(args.tier_list) - set(warehouses.TIERS)
    if unknown:
        parser.error(f"unknown tiers {sorted(unknown)}; choose from {sorted(warehouses.TIERS)}")
    return args


def log(message: str) -> None:
    print(message, flush=True)


def measure_warehouse(w: warehouses.Warehouse, runs: int, mode: str = "rollups") -> dict:
    """Every page as its role on one warehouse: cold, warm, SQL captured and replayed; `mode` base
    switches the rollups off (SERVICE_PULSE_ROLLUPS=off) to measure the pages as before them."""
    log(f"[{w.engine} {w.tier} {mode}] pages")
    saved = os.environ.get(ROLLUPS_ENV)
    if mode == "base":
        os.environ[ROLLUPS_ENV] = "off"
    else:
        os.environ.pop(ROLLUPS_ENV, None)
    try:
        return dict(_measure_pages(w, runs), mode=mode)
    finally:
        if saved is None:
            os.environ.pop(ROLLUPS_ENV, None)
        else:
            os.environ[ROLLUPS_ENV] = saved


def _measure_pages(w: warehouses.Warehouse, runs: int) -> dict:
    viewers = pages.bench_viewers(w.url)
    recorder = floor.StatementRecorder(w.url)
    measured = []
    try:
        for spec in pages.PAGES:
            result = pages.measure_page(spec, viewers[spec.role], w.url, runs, recorder,
                                        replay=lambda statements: floor.replay(w.url, statements))
            row = result.as_dict()
            measured.append(row)
            log(f"  {spec.name:15s} {result.status:18s} cold {report._s(result.cold.median)}  "
                f"warm {report._s(result.warm.median)}  floor {report._s(result.floor.median)}  "
                f"ratio {report._s(row['cold_over_floor'])}  {result.detail[:100]}")
    finally:
        recorder.close()
    return dict(w.as_dict(), pages=measured)


def import_speed(workdir: Path) -> dict:
    """Rows/s of the importer on a 1M-row CSV, through the importer engineer's bench/import_speed.py."""
    script = Path(__file__).with_name("import_speed.py")
    if not script.exists():
        return {"status": "not available yet (bench/import_speed.py missing)"}
    help_text = subprocess.run([sys.executable, "-m", "bench.import_speed", "--help"], cwd=config.PROJECT_ROOT,
                               capture_output=True, text=True, timeout=60).stdout
    cmd = [sys.executable, "-m", "bench.import_speed"]
    if "--rows" in help_text:
        cmd += ["--rows", str(IMPORT_ROWS)]
    json_out = workdir / "import_speed.json"
    if "--json" in help_text:
        cmd += ["--json", str(json_out)]
    if "--keep" in help_text:  # keep its CSV and database inside our temporary folder
        cmd += ["--keep", str(workdir / "import")]
    started = time.perf_counter()
    out = subprocess.run(cmd, cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    result: dict = {"command": " ".join(["python"] + cmd[1:]), "seconds": time.perf_counter() - started,
                    "returncode": out.returncode}
    if json_out.exists():
        result["reported"] = json.loads(json_out.read_text())
    else:
        for line in reversed(out.stdout.splitlines()):
            if line.strip().startswith("{"):
                try:
                    result["reported"] = json.loads(line)
                    break
                except ValueError:
                    pass
    rate = _find_rate(result.get("reported")) if "reported" in result else None
    if rate is None:
        found = re.findall(r"([\d,._]+)\s*rows?/s", out.stdout)
        rate = float(found[-1].replace(",", "").replace("_", "")) if found else None
    result["rows_per_second"] = rate
    tail = (out.stdout.strip().splitlines() or [""])[-1][:200]
    result["summary"] = (f"{rate:,.0f} rows/s ({result['command']}; last line: {tail})" if rate
                         else f"no rate found (exit {out.returncode}): {(out.stderr or out.stdout)[-300:]}")
    return result


def rollup_cost(workdir: Path) -> dict:
    """Import time with and without rollup upkeep (bench/rollup_cost.py, in its own process)."""
    json_out = workdir / "rollup_cost.json"
    cmd = [sys.executable, "-m", "bench.rollup_cost", "--rows", str(IMPORT_ROWS), "--json", str(json_out)]
    out = subprocess.run(cmd, cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=1800)
    result: dict = {"command": "python -m bench.rollup_cost --rows " + str(IMPORT_ROWS), "returncode": out.returncode}
    if json_out.exists():
        result["reported"] = json.loads(json_out.read_text())
        result["summary"] = " / ".join(line for line in out.stdout.splitlines() if "rows/s" in line)
    else:
        result["summary"] = f"failed (exit {out.returncode}): {(out.stderr or out.stdout)[-300:]}"
    return result


def _find_rate(data) -> float | None:
    if isinstance(data, dict):
        for key, value in data.items():
            if "rows_per_s" in key or key in ("rate", "rows_s"):
                if isinstance(value, (int, float)):
                    return float(value)
            found = _find_rate(value)
            if found is not None:
                return found
    if isinstance(data, list):
        for item in data:
            found = _find_rate(item)
            if found is not None:
                return found
    return None


def _postgres_installed() -> bool:
    """Whether a temporary PostgreSQL can be started here (its server binaries are installed)."""
    try:
        from tests.pg import _bin_dir

        _bin_dir()
    except RuntimeError:
        log("PostgreSQL server binaries not found: measuring DuckDB only (install them, or --postgres URL)")
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # AppTest outside a server warns on every run, and logs a page's exception (which the
    # results already carry) as an error.
    logging.disable(logging.ERROR)
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    started = time.perf_counter()
    results: dict = {"command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
                     "runs": args.runs, "machine": report.machine_info(), "warehouses": [], "notes": []}
    log(f"Service Pulse benchmark — tiers {', '.join(args.tier_list)}; load {results['machine']['load_average']}")
    throwaway = None
    pg_server = args.postgres
    if args.throwaway_postgres:
        from tests.pg import ThrowawayPostgres

        throwaway = ThrowawayPostgres()
        pg_server = throwaway.start()
    try:
        with tempfile.TemporaryDirectory(prefix="sp-bench-") as tmp:
            _all_steps(args, results, pg_server, Path(tmp))
    finally:
        if throwaway is not None:
            throwaway.stop()
    results["load_average_end"] = list(os.getloadavg())
    results["total_seconds"] = time.perf_counter() - started
    out = Path(args.out)
    report.write(results, out / "results.md", out / "results.json")
    log(f"Done in {results['total_seconds']:.0f} s → {out / 'results.md'}")
    return 0


def _all_steps(args: argparse.Namespace, results: dict, pg_server: str | None, workdir: Path) -> None:
    """Every measurement of a run, in order, into `results`."""
    built: list[warehouses.Warehouse] = []
    for tier in args.tier_list:
        built.append(warehouses.file_warehouse(tier, "duckdb", rebuild=args.rebuild, log=log))
        if args.sqlite and warehouses.TIERS[tier] <= 1_000_000:  # a 5M SQLite takes ~15 min to build
            built.append(warehouses.file_warehouse(tier, "sqlite", rebuild=args.rebuild, log=log))
        if pg_server and warehouses.TIERS[tier] <= PG_MAX_RESPONSES:
            built.append(warehouses.postgres_warehouse(tier, pg_server, rebuild=args.rebuild, log=log))
    for w in built:
        for mode in args.mode_list:
            results["warehouses"].append(measure_warehouse(w, args.runs, mode))
    memory.release_engines(*(w.url for w in built))
    main_tier = next((w for w in built if w.engine == "duckdb" and w.tier == "1m"),
                     next(w for w in built if w.engine == "duckdb"))
    _generation_step(args, results, built, workdir)
    if not args.skip_rollup_cost:
        log("[rollup upkeep] 1M tickets + answers imported with and without rollups")
        results["rollup_cost"] = rollup_cost(workdir)
        log(f"  {results['rollup_cost'].get('summary')}")
    if not args.skip_import:
        log("[import] 1M-row CSV")
        results["import"] = import_speed(workdir)
        log(f"  {results['import'].get('summary') or results['import'].get('status')}")
    _browser_steps(args, results, main_tier, built, workdir)
    _memory_step(results, main_tier)


def _generation_step(args: argparse.Namespace, results: dict, built: list, workdir: Path) -> None:
    """How long the 1M demo takes to generate (or, when skipped, how long its cached build took)."""
    if args.skip_generation:
        fresh = next((w for w in built if w.engine == "duckdb" and w.tier == "1m"), None)
        if fresh:
            results["generation"] = {"responses": fresh.responses, "seconds": fresh.build_seconds,
                                     "how": "time of the cached 1M build"}
        return
    log("[generation] 1M responses into a fresh DuckDB file")
    seconds, checkpoint = warehouses.time_generation(1_000_000, workdir)
    results["generation"] = {"responses": 1_000_000, "seconds": seconds,
                             "checkpoint_seconds": checkpoint,
                             "cpu_seconds": warehouses.LAST_GENERATION_CPU,
                             "how": f"demo.generate into an empty DuckDB file, timed in this run, "
                                    f"{warehouses.LAST_GENERATION_CPU:.1f} CPU-seconds; the checkpoint "
                                    f"that follows took a further {checkpoint:.1f} s"}
    log(f"  {seconds:.1f} s, {warehouses.LAST_GENERATION_CPU:.1f} CPU-s (+ checkpoint {checkpoint:.1f} s)")


def _browser_steps(args: argparse.Namespace, results: dict, main_tier, built: list, workdir: Path) -> None:
    """Sign-in → first chart per role, people at once, and an import while the app serves."""
    viewers = pages.bench_viewers(main_tier.url)
    memory.release_engines(main_tier.url)
    if args.skip_browser:
        results["browser"] = {"status": "skipped (--skip-browser)"}
    else:
        log(f"[browser] sign-in → first chart at {main_tier.tier}")
        try:
            landing = next(w for w in results["warehouses"] if w["url"] == main_tier.url)["pages"]
            expect = {p["role"]: "chart" if p["charts"] else "table" for p in landing}
            results["browser"] = dict(browser_step(main_tier.url, viewers, expect), tier=main_tier.tier)
        except Exception as exc:
            results["browser"] = {"status": f"failed: {type(exc).__name__}: {str(exc)[:300]}"}
            log(f"  {results['browser']['status']}")
    results["concurrency"] = concurrency_step(args, main_tier, built)
    if not args.skip_browser and not args.skip_import:
        log("[import while serving] command-line import into a served copy of the 100k tier")
        small = next((w for w in built if w.engine == "duckdb" and w.tier == "100k"), main_tier)
        try:
            results["import_while_serving"] = memory.import_while_serving(small.url, workdir)
        except Exception as exc:
            results["import_while_serving"] = {"works": None, "message": f"{type(exc).__name__}: {exc}"[:300]}
        log(f"  {results['import_while_serving']}")


def _memory_step(results: dict, main_tier) -> None:
    """Peak memory of the serving process (from the browser step), or of an AppTest child."""
    served = results["browser"].get("server_peak_rss_mb")
    if served:
        results["memory"] = {"peak_rss_mb": served, "tier": main_tier.tier,
                             "how": f"streamlit run app.py serving {main_tier.tier} after the browser "
                                    f"signed in as every role"}
    else:
        log(f"[memory] AppTest child process at {main_tier.tier}")
        results["memory"] = dict(memory.apptest_peak(main_tier.url), tier=main_tier.tier)
    log(f"  peak RSS {report._s(results['memory'].get('peak_rss_mb'), 0)} MiB")


def concurrency_step(args: argparse.Namespace, tier: warehouses.Warehouse,
                     built: list[warehouses.Warehouse] = ()) -> dict:
    """N people signing in at once (bench.crowd) for each N of --concurrency: on `tier` (the embedded
    DuckDB file, one process) and, when a PostgreSQL warehouse of the same tier was built, on it with
    each process count of --processes (several behind HAProxy)."""
    if args.skip_browser or not args.concurrency:
        return {"status": "skipped"}
    sizes = tuple(int(n) for n in args.concurrency.split(","))
    plans = [(tier, 1)] + [(w, k) for w in built if w.engine == "postgresql" and w.tier == tier.tier
                           for k in args.process_list]
    runs = []
    for w, processes in plans:
        log(f"[concurrency] {', '.join(map(str, sizes))} sign-ins at once, {w.engine} {w.tier}, "
            f"{processes} process(es)")
        run = {"engine": w.engine, "tier": w.tier, "processes": processes}
        try:
            run["steps"] = crowd.measure(w.url, sizes, log=log, processes=processes)
        except Exception as exc:
            run["status"] = f"failed: {type(exc).__name__}: {str(exc)[:300]}"
            log(f"  {run['status']}")
        runs.append(run)
    return {"runs": runs}


def browser_step(url: str, viewers: dict, expect: dict) -> dict:
    from bench import browser

    return browser.measure_logins(url, viewers, runs=3, log=log, expect=expect)


if __name__ == "__main__":
    sys.exit(main())
