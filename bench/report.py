"""Write the benchmark's results: bench/results.md (for people) and bench/results.json (for tools).

The section writers (`_page_lines`, `_loading_lines`, …) look alike: a heading, then lines built
from f-strings. Each writes other figures in other words, so they stay apart.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from data_access import config

BENCH_DIR = Path(__file__).resolve().parent
PACKAGES = ("streamlit", "duckdb", "duckdb-engine", "SQLAlchemy", "polars", "altair", "pyarrow",
            "psycopg", "playwright")

# Issue 15's page bars: (page, metric, engine, tier, limit in seconds). Checked in both modes —
# "rollups" (pages read the summary tables) and "base" (SERVICE_PULSE_ROLLUPS=off: as before them).
PAGE_BARS = [
    ("Culture trends", "cold", "duckdb", "1m", 0.5), ("Culture trends", "cold", "duckdb", "10m", 1.0),
    ("Culture trends", "cold", "postgresql", "1m", 1.0), ("Culture trends", "warm", "duckdb", "1m", 0.1),
    ("Culture trends", "warm", "postgresql", "1m", 0.1),
    ("Coaching", "cold", "duckdb", "1m", 0.3), ("Coaching", "cold", "postgresql", "1m", 0.5),
    ("My feedback", "cold", "duckdb", "1m", 0.3), ("My feedback", "cold", "postgresql", "1m", 0.5),
]
BARS = {"Culture trends": {}, "Coaching": {}, "My feedback": {}}  # the pages, in report order
GROWTH_BAR = 2.0  # 1M → 10M cold cost at most doubles
ROLLUP_IMPORT_COST_BAR = 0.20
GENERATION_BAR_S = 60.0
IMPORT_BAR_ROWS_S = 50_000
MEMORY_BAR_MB = 1024.0
BROWSER_BAR_S = 3.0
CONCURRENT_BAR_S = 6.0  # p95 sign-in → first chart with many people at once (25 in the default run)


def machine_info() -> dict:
    """Cores, CPU, memory, Python, package versions, load, date and commit of this run."""
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=config.PROJECT_ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        commit = ""
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "packages": versions, "load_average": list(os.getloadavg()), "commit": commit,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def _s(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _span(timing: dict) -> str:
    if timing.get("median") is None:
        return "—"
    return f"{timing['median']:.2f} ({timing['min']:.2f}–{timing['max']:.2f})"


def _verdict(value, limit, higher_is_better: bool = False) -> str:
    if value is None:
        return "not measured"
    ok = value >= limit if higher_is_better else value <= limit
    return "✅ holds" if ok else "❌ misses"


def bar_checks(results: dict) -> list[dict]:
    """Each performance bar (README, Benchmark) with the measured value at 1M on the embedded default."""
    checks = _page_bars(results)
    generation = results.get("generation", {})
    gen, gen_cpu = generation.get("seconds"), generation.get("cpu_seconds")
    checks.append({"bar": f"Demo generation of 1M ≤ {GENERATION_BAR_S:.0f} s", "value": gen, "unit": "s",
                   "verdict": _verdict(gen, GENERATION_BAR_S), "cpu": gen_cpu,
                   "cpu_verdict": _verdict(gen_cpu, GENERATION_BAR_S) if gen_cpu else None})
    rate = results.get("import", {}).get("rows_per_second")
    checks.append({"bar": f"Import ≥ {IMPORT_BAR_ROWS_S:,} rows/s", "value": rate, "unit": "rows/s",
                   "verdict": _verdict(rate, IMPORT_BAR_ROWS_S, higher_is_better=True)})
    mem = results.get("memory", {}).get("peak_rss_mb")
    checks.append({"bar": f"Peak RSS of the serving process ≤ {MEMORY_BAR_MB:.0f} MiB", "value": mem,
                   "unit": "MiB", "verdict": _verdict(mem, MEMORY_BAR_MB)})
    for role, found in results.get("browser", {}).get("roles", {}).items():
        value, note = found.get("cold"), ""
        if value is None and found.get("table_cold") is not None:
            value, note = found["table_cold"], " (no chart on the landing page: its first table)"
        checks.append({"bar": f"Browser login → first chart ({role}, cold) ≤ {BROWSER_BAR_S:.0f} s",
                       "value": value, "unit": "s",
                       "verdict": (_verdict(value, BROWSER_BAR_S) + note) if value is not None
                       else f"not measured: {found.get('error', '')[:80]}"})
    for run in concurrency_runs(results.get("concurrency", {})):
        for step in run.get("steps", []):
            p95, errors = step.get("p95"), step.get("errors", 0)
            verdict = _verdict(p95, CONCURRENT_BAR_S) if p95 is not None else "not measured"
            checks.append({"bar": f"Concurrent sessions ({step['sessions']}) p95 sign-in to first chart "
                                  f"≤ {CONCURRENT_BAR_S:.0f} s, no errors",
                           "engine": run.get("engine"), "tier": run.get("tier"),
                           "processes": run.get("processes", 1), "value": p95, "unit": "s",
                           "verdict": verdict if not errors else f"❌ {errors} of {step['sessions']} got an error",
                           **{k: step.get(k) for k in ("p50", "max", "errors", "filter_p50", "filter_p95",
                                                       "filter_max", "server_cpu_seconds", "browser_cpu_seconds",
                                                       "load_before",
                                                       "load_after")}})
    return checks


def _page_bars(results: dict) -> list[dict]:
    """One entry per page bar, engine, tier and mode measured (cold/warm medians, CPU beside)."""
    found = {(w["engine"], w["tier"], w.get("mode", "rollups"), p["page"]): p
             for w in results.get("warehouses", []) for p in w["pages"]}
    checks = []
    for mode in ("rollups", "base"):
        for page, metric, engine, tier, limit in PAGE_BARS:
            p = found.get((engine, tier, mode, page))
            if p is None or p["status"] != "ok":
                continue
            value, cpu = p[metric]["median"], p[metric].get("cpu_median")
            checks.append({"bar": f"{page} {metric} ≤ {limit} s", "engine": engine, "tier": tier, "mode": mode,
                           "value": value, "unit": "s", "verdict": _verdict(value, limit), "cpu": cpu,
                           "cpu_verdict": _verdict(cpu, limit)})
        for page in BARS:
            small, big = found.get(("duckdb", "1m", mode, page)), found.get(("duckdb", "10m", mode, page))
            if small and big and small["cold"]["median"] and big["cold"]["median"]:
                value = big["cold"]["median"] / small["cold"]["median"]
                cs, cb = small["cold"].get("cpu_median"), big["cold"].get("cpu_median")
                cpu = cb / cs if cs and cb else None
                checks.append({"bar": f"{page} cold 10m / 1m ≤ {GROWTH_BAR:.0f}×", "engine": "duckdb",
                               "tier": "10m", "mode": mode, "value": value, "unit": "×",
                               "verdict": _verdict(value, GROWTH_BAR), "cpu": cpu,
                               "cpu_verdict": _verdict(cpu, GROWTH_BAR)})
    cost = results.get("rollup_cost", {}).get("reported")
    if cost:
        for kind in ("tickets", "responses"):
            with_r = cost["with_rollups"][kind]
            before = cost["without_rollups"][kind]
            cpu = with_r["cpu_seconds"] / before["cpu_seconds"] - 1 if before["cpu_seconds"] else None
            checks.append({"bar": f"Rollup upkeep slows a {kind} import ≤ {ROLLUP_IMPORT_COST_BAR:.0%}",
                           "engine": "duckdb", "tier": f"{cost['rows']:,} rows", "mode": "rollups",
                           "value": cost[f"{kind}_slowdown"], "unit": "share",
                           "verdict": _verdict(cost[f"{kind}_slowdown"], ROLLUP_IMPORT_COST_BAR), "cpu": cpu,
                           "cpu_verdict": _verdict(cpu, ROLLUP_IMPORT_COST_BAR)})
        rate = cost["with_rollups"]["tickets"]["rows_per_second"]
        checks.append({"bar": f"Import with rollup upkeep ≥ {IMPORT_BAR_ROWS_S:,} rows/s", "engine": "duckdb",
                       "tier": f"{cost['rows']:,} rows", "mode": "rollups", "value": rate, "unit": "rows/s",
                       "verdict": _verdict(rate, IMPORT_BAR_ROWS_S, higher_is_better=True)})
    return checks


def growth(results: dict) -> list[dict]:
    """Cold render and floor per page across tiers on one engine, with the growth factor."""
    rows = []
    for engine, mode in sorted({(w["engine"], w.get("mode", "rollups")) for w in results.get("warehouses", [])}):
        tiers = [w for w in results["warehouses"] if w["engine"] == engine and w.get("mode", "rollups") == mode]
        tiers.sort(key=lambda w: w["responses"])
        for page in BARS:
            series = []
            for w in tiers:
                found = next((p for p in w["pages"] if p["page"] == page and p["status"] != "not available yet"), None)
                if found:
                    series.append((w["tier"], w["responses"], found["cold"]["median"], found["floor"]["median"],
                                   found["cold"].get("cpu_median"), found["floor"].get("cpu_median")))
            if len(series) > 1:
                rows.append({"engine": engine, "mode": mode, "page": page, "series": series})
    return rows


def _without_machine_paths(text: str) -> str:
    """Committed results name files relative to the project and temporary folders as <tmp>."""
    text = text.replace(str(config.PROJECT_ROOT) + "/", "").replace(str(config.PROJECT_ROOT), ".")
    return re.sub(re.escape(tempfile.gettempdir()) + r"/[^\s\"',;)]*", "<tmp>", text)


def write(results: dict, md_path: Path = BENCH_DIR / "results.md",
          json_path: Path = BENCH_DIR / "results.json") -> None:
    """Write both files (their folder is created when it does not exist yet)."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    results = dict(results, bars=bar_checks(results), growth=growth(results))
    json_path.write_text(_without_machine_paths(json.dumps(results, indent=2, default=str)) + "\n")
    md_path.write_text(_without_machine_paths(markdown(results)))


def markdown(results: dict) -> str:
    """The results as a Markdown report."""
    parts = (_header_lines, _page_lines, _growth_lines, _loading_lines, _memory_and_browser_lines)
    return "\n".join(line for part in parts for line in part(results)) + "\n"


def _header_lines(results: dict) -> list[str]:
    """Machine, packages, command and the bars table."""
    m = results["machine"]
    lines = ["# Service Pulse benchmark results", "",
             f"Run {m['date']} on commit `{m['commit']}` — {m['cores']} cores ({m['cpu']}), "
             f"{m['memory_gb']} GB RAM, Python {m['python']}; load average at start "
             f"{' / '.join(f'{x:.2f}' for x in m['load_average'])}, at end "
             f"{' / '.join(f'{x:.2f}' for x in results.get('load_average_end', []))}. "
             f"The machine was shared with other work, so treat single figures as noisy.", "",
             "Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ".", "",
             f"Command: `{results.get('command', '')}` — took {results.get('total_seconds', 0):.0f} s. "
             f"Runs per measurement: {results.get('runs')}.", "",
             "## Bars (issue 15: per engine and tier; mode rollups = pages read the summary tables, "
             "base = SERVICE_PULSE_ROLLUPS=off, as before them)", "",
             "Measured = wall-clock median on this (shared) machine. CPU = process CPU seconds of the "
             "same runs (for a ratio: CPU of cold render / CPU of floor); on an idle 2-core machine "
             "a render's wall time is at most about its CPU time, so the CPU column is what the bar "
             "would see without other people's load.", "",
             "| bar | engine | tier | mode | measured (wall) | verdict (wall) | CPU | verdict (CPU) |",
             "|---|---|---|---|---|---|---|---|"]
    for c in results["bars"]:
        value = c["value"]
        shown = "—" if value is None else (f"{value:,.0f} {c['unit']}" if c["unit"] in ("rows/s", "MiB")
                                          else f"{value:+.0%}" if c["unit"] == "share" else f"{value:.2f} {c['unit']}")
        cpu = c.get("cpu")
        cpu_shown = "" if cpu is None else (f"{cpu:+.0%}" if c["unit"] == "share" else f"{cpu:.2f} {c['unit']}")
        where = f"{c.get('engine', 'duckdb')} | {c.get('tier', '1m')} | {c.get('mode', '')}"
        lines.append(f"| {c['bar']} | {where} | {shown} | {c['verdict']} | {cpu_shown} | {c.get('cpu_verdict') or ''} |")
    return lines


def _page_lines(results: dict) -> list[str]:
    """Every page render: cold, warm, floor and their CPU."""
    lines: list[str] = []
    lines += ["", "## Page renders (AppTest; wall seconds, median (min–max))", "",
              "Cold = Streamlit caches cleared before the run; warm = the same session re-run with "
              "caches full. Floor = the page's own SQL statements (captured during the first cold "
              "render) replayed on a DBAPI cursor, fetching every row, right after each cold render. "
              "cold/floor: ratio of medians, and in brackets of the best runs. CPU = process CPU "
              "seconds of the same runs (DuckDB's threads included), a view of the work that the "
              "shared machine's load does not inflate.", "",
              "| engine | tier | mode | page (role, viewer) | cold | cold CPU | warm | floor | floor CPU | "
              "cold/floor | statements | charts | status |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    # Same shape as the import-while-serving line of _loading_lines (long f-strings appended):
    # other figures and words, no logic to share.
    for w in results.get("warehouses", []):
        for p in w["pages"]:
            status = p["status"] + (f": {p['detail'][:120]}" if p["detail"] else "")
            lines.append(
                f"| {w['engine']} | {w['tier']} | {w.get('mode', 'rollups')} | {p['page']} ({p['role']}, {p['viewer']}) | {_span(p['cold'])} | "
                f"{_s(p['cold'].get('cpu_median'))} | {_span(p['warm'])} | {_span(p['floor'])} | "
                f"{_s(p['floor'].get('cpu_median'))} | {_s(p['cold_over_floor'])} "
                f"({_s(p.get('cold_over_floor_best'))}) | {p['statements']} | {p['charts']} | {status} |")
    return lines


def _growth_lines(results: dict) -> list[str]:
    """How cold renders and floors grow with the tier."""
    lines: list[str] = []
    if results.get("growth"):
        lines += ["", "## Growth with size", "",
                  "Per tier: cold render / floor in wall seconds, then [CPU seconds]. Growth = how the "
                  "cold CPU and the floor CPU grow per 10× responses between the smallest and largest "
                  "tier (10× would be linear).", "",
                  "| engine | mode | page | tiers | cold CPU growth per 10× | floor CPU growth per 10× |",
                  "|---|---|---|---|---|---|"]
        for g in results["growth"]:
            cells = "; ".join(f"{t}: {_s(c)} / {_s(f)} [{_s(cc)} / {_s(fc)}]" for t, _, c, f, cc, fc in g["series"])
            first, last = g["series"][0], g["series"][-1]
            decades = math.log10(last[1] / first[1])

            def per_decade(a, b):
                return (b / a) ** (1 / decades) if a and b and decades > 0 else None

            lines.append(f"| {g['engine']} | {g.get('mode', 'rollups')} | {g['page']} | {cells} | {_s(per_decade(first[4], last[4]), 1)}× | "
                         f"{_s(per_decade(first[5], last[5]), 1)}× |")
    return lines


def _loading_lines(results: dict) -> list[str]:
    """Building, generating, importing and rollup upkeep."""
    lines: list[str] = []
    lines += ["", "## Data loading", ""]
    for w in results.get("warehouses", []):
        how = "cached from an earlier run" if w["cached"] else "built in this run"
        lines.append(f"- {w['engine']} {w['tier']} ({w['responses']:,} responses): generated and loaded in "
                     f"{_s(w['build_seconds'], 1)} s ({how}, {w['built_at']}).")
    gen = results.get("generation", {})
    if gen:
        lines.append(f"- Demo generation timed for this run: {gen.get('responses', 0):,} responses in "
                     f"{_s(gen.get('seconds'), 1)} s ({gen.get('how', '')}).")
    imp = results.get("import", {})
    lines.append(f"- Import: {imp.get('summary') or imp.get('status', 'not measured')}")
    upkeep = results.get("rollup_cost", {})
    if upkeep:
        lines.append(f"- Rollup upkeep during imports ({upkeep.get('command', '')}): {upkeep.get('summary', '')}")
    # Same shape as the page rows of _page_lines (long f-strings appended): other figures, nothing to share.
    both = results.get("import_while_serving")
    if both:
        verdict = ("works" if both.get("works") else
                   "fails" + (" (the file is locked by the serving app)" if both.get("lock_conflict") else ""))
        lines.append(f"- Command-line import of {both.get('rows', 0):,} tickets while `streamlit run app.py` serves the "
                     f"same embedded DuckDB file (a copy of the 100k tier): {verdict} — exit "
                     f"{both.get('returncode')}, “{both.get('message', '')}”. The app kept serving afterwards: "
                     f"{'yes' if 'Sign in' in both.get('app_after', '') else 'no'}.")
    return lines


def _memory_and_browser_lines(results: dict) -> list[str]:
    """Peak memory, browser timings, concurrency and notes."""
    lines: list[str] = []
    mem = results.get("memory", {})
    lines += ["", "## Memory and browser", "",
              f"- Peak RSS of the serving process: {_s(mem.get('peak_rss_mb'), 0)} MiB ({mem.get('how', mem.get('error', 'not measured'))})."]
    for role, b in results.get("browser", {}).get("roles", {}).items():
        lines.append(f"- Browser, {role} ({b['username']}, landed on {b['landed_on'] or '?'}): sign-in click → "
                     f"first chart {_s(b['cold'])} s cold, {_s(b['warm_median'])} s warm; first table "
                     f"{_s(b.get('table_cold'))} s cold, {_s(b.get('table_warm_median'))} s warm"
                     + (f" — {b['error']}" if b["error"] else "") + ".")
    lines += _concurrency_lines(results.get("concurrency", {}))
    if results.get("browser", {}).get("status"):
        lines.append(f"- Browser: {results['browser']['status']}")
    if results.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    return lines


def concurrency_runs(crowd: dict) -> list[dict]:
    """The concurrency step's runs (engine, tier, processes, steps); an older single-run layout too."""
    if crowd.get("runs") is not None:
        return crowd["runs"]
    return [dict(crowd, processes=crowd.get("processes", 1))] if crowd.get("steps") else []


def _concurrency_lines(crowd: dict) -> list[str]:
    """The concurrency step, one line per run and N."""
    lines = []
    for run in concurrency_runs(crowd):
        where = (f"{run.get('engine')} {run.get('tier')}, "
                 + ("one process" if run.get("processes", 1) == 1 else f"{run['processes']} processes behind HAProxy"))
        lines += [f"- {step['sessions']} sign-ins at once ({where}; one Chromium, mixed roles): first chart or "
                  f"table p50 {_s(step['p50'])} s, p95 {_s(step['p95'])} s, max {_s(step['max'])} s; then one "
                  f"filter change p50 {_s(step.get('filter_p50'))} s, p95 {_s(step.get('filter_p95'))} s; "
                  f"{step['errors']} error(s); server {_s(step.get('server_cpu_seconds'), 1)} CPU-s, browsers "
                  f"{_s(step.get('browser_cpu_seconds'), 1)} CPU-s, load "
                  f"{_s(step.get('load_before'), 1)} → {_s(step.get('load_after'), 1)}"
                  + (f" — {'; '.join(step['error_samples'])}" if step.get("error_samples") else "") + "."
                  for step in run.get("steps", [])]
        if run.get("status"):
            lines.append(f"- Concurrency ({where}): {run['status']}")
    if crowd.get("status"):
        lines.append(f"- Concurrency step: {crowd['status']}")
    return lines
