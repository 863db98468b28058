"""Concurrency step: N people sign in at once in headless Chromium against one `streamlit run`.

One browser, N contexts (separate cookies), mixed roles: the CIO, leads and analysts (each a
different person, cycling). Each signs in, waits for its landing page's first chart or table,
then changes one filter (the period) and waits for the page again. Figures per N: p50 / p95 /
max seconds from the Sign in click to first content and of the filter change, errors (a timeout,
an exception box or an error message on the page), the serving processes' CPU seconds and the
load average. With --processes K the app runs as K processes behind HAProxy (bench/proxy.py;
a server database such as PostgreSQL, which every process can open).

    python -m bench.crowd --tier 100k --sessions 1,10
    python -m bench.crowd --url postgresql+psycopg://… --sessions 1,10,25 --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench import warehouses
from bench.browser import CHROMIUM, CHROMIUM_ARGS, FIRST_CHART, FIRST_TABLE, SIGN_IN_FORM, SIDEBAR, VIEWPORT
from bench.memory import serve_app
from bench.warehouses import TODAY
from data_access.demo import DEMO_PASSWORD
from data_access.engine import get_engine

TIMEOUT_MS = 180_000  # generous: a result past the bar is still a result, a timeout is an error
PROBLEM = '[data-testid="stException"], [data-testid="stAlertContentError"]'
ROLES = ("cio", "lead", "analyst")
# After the first content, each person changes one filter: the period (a new period means new
# queries). A lead's period picker sits on Coaching's Analyst tab, so the lead opens that tab first.
# Each step: (widget kind, its label, the option picked).
FILTER_CHANGE = {"cio": [("select", "Period", "Last 12 months")],
                 "lead": [("tab", "", "Analyst"), ("segment", "Period", "Last 6 months")],
                 "analyst": [("select", "Period", "Last 90 days")]}
BUSY_JS = """() => !document.querySelector(
    '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"],'
    + ' [data-testid="stSkeleton"], [data-stale="true"]')"""


def people(url: str, n: int) -> list[tuple[str, str]]:
    """n (username, role) pairs cycling CIO / lead / analyst; leads and analysts are different people each time."""
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text("SELECT u.username, r.role FROM app_users u JOIN user_roles r "
                                    "ON r.user_id = u.user_id WHERE u.active ORDER BY u.user_id")).all()
    leads = {name for name, role in rows if role == "lead"}
    # "analyst" means analysts only (a lead who is also an analyst lands on Coaching).
    by_role = {role: [name for name, r in rows if r == role and (role != "analyst" or name not in leads)]
               for role in ROLES}
    return [(by_role[ROLES[i % 3]][(i // 3) % len(by_role[ROLES[i % 3]])], ROLES[i % 3]) for i in range(n)]


def _browser_cpu() -> float:
    """CPU seconds of the finished child processes: the browser (Chromium and Playwright's driver)
    once a crowd has closed it. On a small machine the browsers compete with the server for the
    same cores, so a result reads with both figures side by side."""
    times = os.times()
    return times.children_user + times.children_system


def _server_cpu(procs) -> float:
    """CPU seconds (user + system) the serving processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in procs:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


async def _settled(page) -> None:
    """Until the script run a click started has finished (checked twice: a run can start another)."""
    for _ in range(2):
        await page.wait_for_timeout(300)
        await page.wait_for_function(BUSY_JS, timeout=TIMEOUT_MS)


async def _change_filter(page, role: str) -> None:
    """The one filter change each role makes after its page has drawn, until the page has drawn again."""
    for kind, label, option in FILTER_CHANGE[role]:
        if kind == "select":
            await page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
            await page.get_by_role("option", name=option, exact=True).click()
        elif kind == "tab":
            await page.get_by_role("tab", name=option, exact=True).first.click()
        else:  # a segmented control
            await page.locator('[data-testid="stButtonGroup"]').get_by_text(option, exact=True).first.click()
        await _settled(page)
    await page.locator(f"{FIRST_CHART}, {FIRST_TABLE} >> visible=true").first.wait_for(timeout=TIMEOUT_MS)


async def _one(browser, base_url: str, username: str, role: str) -> dict:
    context = await browser.new_context(viewport=VIEWPORT)
    found = {"username": username, "role": role, "seconds": None, "filter_seconds": None, "error": ""}
    stage = "sign-in"
    try:
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)  # on a busy machine loading the page alone can take 30 s
        await page.goto(base_url, wait_until="commit")  # the sign-in form below is what matters
        form = page.locator(SIGN_IN_FORM).filter(has_text="Sign in")
        await form.wait_for(timeout=TIMEOUT_MS)
        await page.wait_for_timeout(500)  # let the first run settle, as a person would
        await form.get_by_label("Username", exact=True).fill(username)
        await form.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        started = time.perf_counter()
        await form.get_by_role("button", name="Sign in").click()
        await page.locator(SIDEBAR).get_by_text(f"@{username}", exact=True).wait_for(timeout=TIMEOUT_MS)
        await page.locator(f"{FIRST_CHART}, {FIRST_TABLE}").first.wait_for(timeout=TIMEOUT_MS)
        found["seconds"] = time.perf_counter() - started
        stage = "filter change"
        await _settled(page)
        started = time.perf_counter()
        await _change_filter(page, role)
        found["filter_seconds"] = time.perf_counter() - started
        problem = page.locator(PROBLEM).first
        found["error"] = (await problem.inner_text())[:200] if await problem.count() else ""
    except Exception as exc:  # noqa: BLE001 (a timeout is a result here)
        found["error"] = f"{stage}: {type(exc).__name__}: {str(exc)[:200]}"
    finally:
        await context.close()
    return found


async def _crowd(base_url: str, people_roles: list[tuple[str, str]]) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            return list(await asyncio.gather(*(_one(browser, base_url, u, r) for u, r in people_roles)))
        finally:
            await browser.close()


def _quantiles(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {"p50": None, "p95": None, "max": None}
    return {"p50": statistics.median(values), "p95": values[min(len(values) - 1, round(0.95 * (len(values) - 1)))],
            "max": values[-1]}


def summary(n: int, found: list[dict]) -> dict:
    """p50 / p95 / max of sign-in → first content and of the filter change, and the errors."""
    ok = [f for f in found if f["seconds"] is not None and not f["error"]]
    errors = [f for f in found if f["error"] or f["seconds"] is None]
    filters = _quantiles([f["filter_seconds"] for f in ok if f.get("filter_seconds") is not None])
    return {"sessions": n, "ok": len(ok), "errors": len(errors), **_quantiles([f["seconds"] for f in ok]),
            **{f"filter_{k}": v for k, v in filters.items()},
            "error_samples": [f"{e['username']}: {e['error']}" for e in errors[:3]]}


@contextlib.contextmanager
def _served(url: str, processes: int):
    """(base URL, serving processes): one `streamlit run`, or several behind HAProxy."""
    if processes <= 1:
        with serve_app(url) as (base_url, proc):
            yield base_url, [proc]
        return
    from bench import proxy

    with tempfile.TemporaryDirectory(prefix="sp-crowd-") as tmp, \
            proxy.serve_cluster(url, processes, Path(tmp), today=TODAY) as (base_url, procs):
        yield base_url, [p for _, p in procs]


def measure(url: str, sizes: tuple[int, ...] = (1, 10, 25), log=print, processes: int = 1) -> list[dict]:
    """The concurrency step: for each N, N sign-ins at once against one process or several behind a proxy."""
    rows = []
    everyone = people(url, max(sizes))
    get_engine(url).dispose()  # DuckDB: one process at a time; the server must get the file
    with _served(url, processes) as (base_url, procs):
        asyncio.run(_crowd(base_url, everyone[:1]))  # the server's first page load: not timed
        for n in sizes:
            load, cpu, started = os.getloadavg()[0], _server_cpu(procs), time.perf_counter()
            browsers = _browser_cpu()
            row = summary(n, asyncio.run(_crowd(base_url, everyone[:n])))
            row.update(processes=processes, wall_seconds=time.perf_counter() - started,
                       server_cpu_seconds=_server_cpu(procs) - cpu, browser_cpu_seconds=_browser_cpu() - browsers,
                       load_before=load, load_after=os.getloadavg()[0])
            log(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}))
            rows.append(row)
    return rows


def merge_into(results_json: Path, run: dict) -> None:
    """Put one concurrency run into an existing results.json (replacing the same engine, tier and
    process count) and rewrite it and results.md beside it, bars included."""
    from bench import report

    results = json.loads(results_json.read_text())
    runs = [r for r in report.concurrency_runs(results.get("concurrency", {}))
            if (r.get("engine"), r.get("tier"), r.get("processes", 1)) != (run["engine"], run["tier"], run["processes"])]
    results["concurrency"] = {"runs": runs + [run]}
    report.write(results, results_json.with_name("results.md"), results_json)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="100k", choices=sorted(warehouses.TIERS))
    parser.add_argument("--url", help="a warehouse URL instead of a cached DuckDB tier (PostgreSQL for --processes > 1)")
    parser.add_argument("--url-tier", default="", help="the tier the --url warehouse holds, for the results (e.g. 1m)")
    parser.add_argument("--sessions", default="1,10,25")
    parser.add_argument("--processes", type=int, default=1, help="app processes behind HAProxy (default 1: no proxy)")
    parser.add_argument("--into", type=Path, metavar="RESULTS_JSON",
                        help="add this run to an existing bench/results.json (and its results.md)")
    args = parser.parse_args(argv)
    if args.into and not args.into.is_file():
        parser.error(f"--into {args.into}: no such results file (run python -m bench.run first, or leave --into out)")
    url = args.url or warehouses.file_warehouse(args.tier, "duckdb").url
    steps = measure(url, tuple(int(x) for x in args.sessions.split(",")), processes=args.processes)
    if args.into:
        merge_into(args.into, {"engine": sa.engine.make_url(url).get_backend_name(),
                               "tier": args.url_tier or args.tier if args.url else args.tier,
                               "processes": args.processes, "steps": steps})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
