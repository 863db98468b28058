"""Concurrency step: N people sign in at once in headless Chromium against one `streamlit run`.

One browser, N contexts (separate cookies), mixed roles: the CIO, leads and analysts (each a
different person, cycling). Each signs in and waits for its landing page's first chart or table.
Figures per N: p50 / p95 / max seconds from the Sign in click to first content, and errors
(a timeout, an exception box or an error message on the page).

    python -m bench.crowd --tier 100k --sessions 1,10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import sqlalchemy as sa

from bench import warehouses
from bench.browser import CHROMIUM, CHROMIUM_ARGS, FIRST_CHART, FIRST_TABLE, SIGN_IN_FORM, SIDEBAR, VIEWPORT
from bench.memory import serve_app
from data_access.demo import DEMO_PASSWORD
from data_access.engine import get_engine

TIMEOUT_MS = 90_000
PROBLEM = '[data-testid="stException"], [data-testid="stAlertContentError"]'
ROLES = ("cio", "lead", "analyst")


def people(url: str, n: int) -> list[str]:
    """n usernames cycling CIO / lead / analyst; leads and analysts are different people each time."""
    with get_engine(url).connect() as conn:
        by_role = {role: conn.execute(sa.text(
            "SELECT u.username FROM app_users u JOIN user_roles r ON r.user_id = u.user_id "
            "WHERE r.role = :role ORDER BY u.user_id"), {"role": role}).scalars().all() for role in ROLES}
    return [by_role[ROLES[i % 3]][(i // 3) % len(by_role[ROLES[i % 3]])] for i in range(n)]


async def _one(browser, base_url: str, username: str) -> dict:
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        await page.goto(base_url)
        form = page.locator(SIGN_IN_FORM).filter(has_text="Sign in")
        await form.wait_for(timeout=TIMEOUT_MS)
        await page.wait_for_timeout(500)  # let the first run settle, as a person would
        await form.get_by_label("Username", exact=True).fill(username)
        await form.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        started = time.perf_counter()
        await form.get_by_role("button", name="Sign in").click()
        await page.locator(SIDEBAR).get_by_text(f"@{username}", exact=True).wait_for(timeout=TIMEOUT_MS)
        await page.locator(f"{FIRST_CHART}, {FIRST_TABLE}").first.wait_for(timeout=TIMEOUT_MS)
        seconds = time.perf_counter() - started
        problem = page.locator(PROBLEM).first
        error = (await problem.inner_text())[:200] if await problem.count() else ""
        return {"username": username, "seconds": seconds, "error": error}
    except Exception as exc:  # noqa: BLE001 (a timeout is a result here)
        return {"username": username, "seconds": None, "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    finally:
        await context.close()


async def _crowd(base_url: str, usernames: list[str]) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            return list(await asyncio.gather(*(_one(browser, base_url, u) for u in usernames)))
        finally:
            await browser.close()


def summary(n: int, found: list[dict]) -> dict:
    times = sorted(f["seconds"] for f in found if f["seconds"] is not None and not f["error"])
    errors = [f for f in found if f["error"] or f["seconds"] is None]
    pick = (lambda q: times[min(len(times) - 1, round(q * (len(times) - 1)))]) if times else (lambda q: None)
    return {"sessions": n, "ok": len(times), "errors": len(errors),
            "p50": statistics.median(times) if times else None, "p95": pick(0.95), "max": times[-1] if times else None,
            "error_samples": [f"{e['username']}: {e['error']}" for e in errors[:3]]}


def measure(url: str, sizes: tuple[int, ...] = (1, 10, 25), log=print) -> list[dict]:
    """The concurrency step: for each N, N sign-ins at once against one serving process."""
    rows = []
    everyone = people(url, max(sizes))
    get_engine(url).dispose()  # DuckDB: one process at a time; the server must get the file
    with serve_app(url) as (base_url, _proc):
        asyncio.run(_crowd(base_url, everyone[:1]))  # the server's first page load: not timed
        for n in sizes:
            row = summary(n, asyncio.run(_crowd(base_url, everyone[:n])))
            log(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}))
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="100k", choices=sorted(warehouses.TIERS))
    parser.add_argument("--sessions", default="1,10,25")
    args = parser.parse_args(argv)
    url = warehouses.file_warehouse(args.tier, "duckdb").url
    measure(url, tuple(int(x) for x in args.sessions.split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
