"""Smoke test of the benchmark harness on a 2k-response SQLite: viewers, capture, floor, report."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import floor, pages, report
from data_access import demo
from data_access.engine import get_engine

SAMPLE_PAGE = Path(__file__).with_name("sample_page.py")


@pytest.fixture(scope="module")
def tiny_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'tiny.sqlite'}"
    demo.generate(get_engine(url), responses=2_000, seed=7, end=dt.date(2026, 11, 20))
    return url


def test_viewers_are_the_busiest_people(tiny_url):
    viewers = pages.bench_viewers(tiny_url)
    with get_engine(tiny_url).connect() as conn:
        busiest = conn.execute(sa.text(
            "SELECT t.analyst_id FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
            "GROUP BY t.analyst_id ORDER BY count(*) DESC, t.analyst_id LIMIT 1")).scalar_one()
        largest = conn.execute(sa.text(
            "SELECT t.team_id FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
            "GROUP BY t.team_id ORDER BY count(*) DESC, t.team_id LIMIT 1")).scalar_one()
    assert viewers["cio"].roles == ("cio",)
    assert viewers["analyst"].analyst_id == busiest
    assert viewers["lead"].lead_team_ids == (largest,) and "lead" in viewers["lead"].roles


def test_floor_captures_and_replays_the_pages_statements(tiny_url):
    logging.disable(logging.WARNING)
    viewers = pages.bench_viewers(tiny_url)
    spec = pages.PageSpec("Sample", SAMPLE_PAGE, "cio")
    recorder = floor.StatementRecorder(tiny_url)
    try:
        result = pages.measure_page(spec, viewers["cio"], tiny_url, runs=2, recorder=recorder,
                                    replay=lambda statements: floor.replay(tiny_url, statements))
    finally:
        recorder.close()
    assert result.status == "ok", result.detail
    assert len(result.cold.runs) == 2 and len(result.warm.runs) == 2
    assert result.charts == 1
    # Exactly the page's reads: the rollups' freshness row, responses by month, tickets in the period
    # (the demo warehouse keeps rollups, so both figures come from them: the response statistics
    # count distinct analysts, so from the per-analyst daily rows; the tickets of whole months
    # from the monthly twin).
    assert len(result.statements) == 3
    state, first, second = (s for s, _ in result.statements)
    assert "FROM rollup_state" in state
    assert "FROM rollup_responses_person" in first and "rollup_responses_person.analyst_id" in first
    assert "FROM rollup_tickets_monthly" in second and "sum(r.tickets) AS tickets" in second
    # Replaying a captured statement returns what the page saw.
    with get_engine(tiny_url).connect() as conn:
        cursor = conn.connection.cursor()
        cursor.execute(*result.statements[2])
        replayed = cursor.fetchall()[0][0]
        expected = conn.execute(sa.text(
            "SELECT count(*) FROM tickets WHERE resolved_at >= '2025-11-01' AND resolved_at < '2026-11-01'"
        )).scalar_one()
    assert replayed == expected > 0
    assert sum(result.sql_in_render.runs) > 0
    assert len(result.floor.runs) == 2 and len(result.cold.cpu) == 2  # one replay after each cold render
    runs = floor.measure_floor(tiny_url, result.statements, 3)
    assert len(runs) == 3 and all(wall > 0 and cpu >= 0 for wall, cpu in runs)


def test_missing_page_is_reported_not_raised(tiny_url):
    viewers = pages.bench_viewers(tiny_url)
    spec = pages.PageSpec("Nowhere", SAMPLE_PAGE.with_name("no_such_page.py"), "cio")
    result = pages.measure_page(spec, viewers["cio"], tiny_url, runs=1)
    assert result.status == "not available yet" and not result.cold.runs


def test_report_marks_bars_and_writes_both_files(tmp_path):
    timing = {"median": 0.5, "min": 0.4, "max": 0.6, "runs": [0.4, 0.5, 0.6]}
    empty = {"median": None, "min": None, "max": None, "runs": []}
    page = {"page": "Culture trends", "role": "cio", "viewer": "cio", "status": "ok", "detail": "",
            "first_render": 1.0, "cold": dict(timing, median=2.0), "warm": timing, "charts": 3,
            "sql_in_render": timing, "floor": dict(timing, median=1.0), "cold_over_floor": 2.0,
            "statements": 4}
    fast = dict(page, cold=dict(timing, median=0.4, cpu_median=0.35), warm=dict(timing, median=0.05))
    big = dict(fast, cold=dict(timing, median=0.9, cpu_median=0.6))
    missing = dict(page, page="Coaching", status="not available yet", cold=empty, warm=empty)
    base = {"responses": 1_000_000, "url": "x", "build_seconds": 50.0, "built_at": "", "cached": True}
    cost = {"rows": 1_000_000, "tickets_slowdown": 0.12, "responses_slowdown": 0.31,
            "without_rollups": {k: {"cpu_seconds": 10.0} for k in ("tickets", "responses")},
            "with_rollups": {"tickets": {"cpu_seconds": 11.0, "rows_per_second": 60_000},
                             "responses": {"cpu_seconds": 12.5}}}
    results = {"command": "python -m bench.run", "runs": 3, "machine": report.machine_info(),
               "warehouses": [dict(base, engine="duckdb", tier="1m", mode="base", pages=[page, missing]),
                              dict(base, engine="duckdb", tier="1m", mode="rollups", pages=[fast]),
                              dict(base, engine="duckdb", tier="10m", mode="rollups", pages=[big])],
               "generation": {"responses": 1_000_000, "seconds": 70.0, "how": "test"},
               "import": {"rows_per_second": 80_000.0, "summary": "80,000 rows/s"},
               "rollup_cost": {"reported": cost, "summary": "test"},
               "memory": {"peak_rss_mb": 500.0, "how": "test"}, "load_average_end": [1, 1, 1],
               "concurrency": {"engine": "duckdb", "tier": "100k", "steps": [
                   {"sessions": 1, "ok": 1, "errors": 0, "p50": 2.0, "p95": 2.0, "max": 2.0, "error_samples": []},
                   {"sessions": 10, "ok": 9, "errors": 1, "p50": 4.0, "p95": 5.5, "max": 5.6,
                    "error_samples": ["ana: TimeoutError"]}]},
               "total_seconds": 10}
    out = tmp_path / "not" / "there" / "yet"  # --out may name a folder that does not exist
    report.write(results, out / "r.md", out / "r.json")
    bars = json.loads((out / "r.json").read_text())["bars"]
    verdicts = {(c["bar"], c.get("engine"), c.get("tier"), c.get("mode")): c["verdict"] for c in bars}
    assert verdicts[("Culture trends cold ≤ 0.5 s", "duckdb", "1m", "base")] == "❌ misses"
    assert verdicts[("Culture trends cold ≤ 0.5 s", "duckdb", "1m", "rollups")] == "✅ holds"
    assert verdicts[("Culture trends warm ≤ 0.1 s", "duckdb", "1m", "rollups")] == "✅ holds"
    assert verdicts[("Culture trends cold ≤ 1.0 s", "duckdb", "10m", "rollups")] == "✅ holds"
    assert verdicts[("Culture trends cold 10m / 1m ≤ 2×", "duckdb", "10m", "rollups")] == "❌ misses"  # 2.25×
    growth = next(c for c in bars if c["bar"] == "Culture trends cold 10m / 1m ≤ 2×")
    assert growth["value"] == pytest.approx(0.9 / 0.4) and growth["cpu"] == pytest.approx(0.6 / 0.35)
    assert growth["cpu_verdict"] == "✅ holds"
    assert not any(c["bar"].startswith("Coaching") for c in bars)  # not available: no bar entry
    upkeep = {c["bar"]: c for c in bars if c["bar"].startswith("Rollup upkeep")}
    assert upkeep["Rollup upkeep slows a tickets import ≤ 20%"]["verdict"] == "✅ holds"
    assert upkeep["Rollup upkeep slows a responses import ≤ 20%"]["verdict"] == "❌ misses"
    assert upkeep["Rollup upkeep slows a responses import ≤ 20%"]["cpu"] == pytest.approx(0.25)
    assert verdicts[("Import with rollup upkeep ≥ 50,000 rows/s", "duckdb", "1,000,000 rows", "rollups")] \
        == "✅ holds"
    assert verdicts[("Demo generation of 1M ≤ 60 s", None, None, None)] == "❌ misses"
    assert verdicts[("Import ≥ 50,000 rows/s", None, None, None)] == "✅ holds"
    text = (out / "r.md").read_text()
    assert "| duckdb | 1m | base | Culture trends (cio, cio) | 2.00 (0.40–0.60) | — | 0.50 (0.40–0.60) | 1.00" in text
    assert "| Culture trends cold ≤ 0.5 s | duckdb | 1m | rollups | 0.40 s | ✅ holds | 0.35 s | ✅ holds |" in text
    assert verdicts[("Concurrent sessions (1) p95 sign-in to first chart ≤ 6 s, no errors", "duckdb", "100k",
                     None)] == "✅ holds"
    assert verdicts[("Concurrent sessions (10) p95 sign-in to first chart ≤ 6 s, no errors", "duckdb", "100k",
                     None)] == "❌ 1 of 10 got an error"
    assert ("10 sign-ins at once (duckdb 100k, one process; one Chromium, mixed roles): first chart or table "
            "p50 4.00 s" in (out / "r.md").read_text())


def test_concurrency_runs_on_one_and_several_processes_become_bars(tmp_path):
    step = {"sessions": 25, "ok": 25, "errors": 0, "p50": 3.0, "p95": 5.0, "max": 7.0, "filter_p50": 1.0,
            "filter_p95": 2.0, "filter_max": 2.5, "server_cpu_seconds": 40.0, "browser_cpu_seconds": 120.0,
            "load_before": 1.0,
            "load_after": 2.0, "error_samples": []}
    crowd = {"runs": [{"engine": "postgresql", "tier": "1m", "processes": 1, "steps": [dict(step, p95=8.0)]},
                      {"engine": "postgresql", "tier": "1m", "processes": 2, "steps": [step]}]}
    bars = [b for b in report.bar_checks({"concurrency": crowd}) if b["bar"].startswith("Concurrent")]
    assert [(b["processes"], b["value"], b["verdict"], b["server_cpu_seconds"], b["browser_cpu_seconds"])
            for b in bars] == [(1, 8.0, "❌ misses", 40.0, 120.0), (2, 5.0, "✅ holds", 40.0, 120.0)]
    lines = report._concurrency_lines(crowd)
    assert lines[1] == ("- 25 sign-ins at once (postgresql 1m, 2 processes behind HAProxy; one Chromium, mixed "
                        "roles): first chart or table p50 3.00 s, p95 5.00 s, max 7.00 s; then one filter change "
                        "p50 1.00 s, p95 2.00 s; 0 error(s); server 40.0 CPU-s, browsers 120.0 CPU-s, "
                        "load 1.0 → 2.0.")


def test_the_default_run_holds_the_10m_tier_and_a_throwaway_postgresql():
    from bench import run

    default = run.parse_args([])
    assert default.tier_list == ["100k", "1m", "10m"]
    assert default.throwaway_postgres is True  # the suite's machines have the server binaries
    quick = run.parse_args(["--tiers", "100k,1m", "--no-postgres"])
    assert (quick.tier_list, quick.throwaway_postgres) == (["100k", "1m"], False)
    given = run.parse_args(["--postgres", "postgresql+psycopg://u@h/db"])
    assert (given.throwaway_postgres, given.postgres) == (False, "postgresql+psycopg://u@h/db")
    assert run.parse_args(["--tiers", "1m", "--with-10m"]).tier_list == ["1m", "10m"]


def test_the_floor_holds_postgresqls_copy_reads(empty_postgres_url):
    """On PostgreSQL the large reads go by COPY on the driver's cursor, which the SQLAlchemy listener
    does not see; the floor left them out (a Culture trends floor of 0.36 s against a 2.55 s render).
    The recorder now captures them, times them in the render, and the replay reads them to the end."""
    import polars as pl

    from data_access import query, schema

    with get_engine(empty_postgres_url).begin() as conn:
        conn.execute(schema.teams.insert(), [{"team_id": i, "name": f"Team {i}"} for i in (1, 2, 3)])
    teams = sa.select(schema.teams.c.team_id, schema.teams.c.name).where(schema.teams.c.team_id >= 2)
    own_read = query._copy_frame
    recorder = floor.StatementRecorder(empty_postgres_url)
    try:
        recorder.start(keep=True)
        read = query.bulk_frame(teams, schema={"team_id": pl.Int64, "name": pl.String}, url=empty_postgres_url)
        seconds = recorder.stop()
    finally:
        recorder.close()
    assert read.rows() == [(2, "Team 2"), (3, "Team 3")]
    copies = [s for s in recorder.captured if isinstance(s, floor.CopyRead)]
    assert len(copies) == 1 and copies[0].sql.startswith("COPY (") and "TO STDOUT" in copies[0].sql
    assert seconds > 0
    assert query._copy_frame is own_read  # closed: the app's read is its own again
    with get_engine(empty_postgres_url).connect() as conn:
        cursor = conn.connection.cursor()
        with cursor.copy(copies[0].sql, copies[0].params) as copy:
            sent = b"".join(bytes(block) for block in copy)
    assert sent.decode().splitlines() == ["2,Team 2", "3,Team 3"]
    wall, cpu = floor.replay(empty_postgres_url, recorder.captured)
    assert wall > 0 and cpu >= 0
