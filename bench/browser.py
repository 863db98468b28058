"""In a real browser (headless Chromium): time from clicking "Sign in" to the first chart visible.

Serves the app with `streamlit run app.py` against the tier's database, signs in once per run
for each role in a fresh browser context, and reads the server's peak memory at the end. The
first sign-in of a role meets empty caches for that role's queries; later ones are warm.
"""

from __future__ import annotations

import re
import statistics
import time

from bench.memory import peak_rss_mb, serve_app
from data_access.demo import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
SIGN_IN_FORM = '[data-testid="stForm"]'
# A chart is visible once vega-embed has drawn into its container.
FIRST_CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
# For a landing page without charts (Coaching's overview): the first data table drawn.
FIRST_TABLE = '[data-testid="stDataFrame"] canvas, [data-testid="stTable"] table'
TIMEOUT_MS = 60_000
SIDEBAR = '[data-testid="stSidebar"]'


def _wait_idle(page, timeout: float = TIMEOUT_MS) -> None:
    """Until Streamlit has finished running the script (reuses tests/browser/helpers when present)."""
    try:
        from tests.browser.helpers import wait_for_app
    except ImportError:
        page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
        return
    wait_for_app(page, timeout)


def _sign_in_and_wait(page, base_url: str, username: str, expect: str = "chart") -> dict:
    """Open the app, fill the sign-in form (as tests/browser/helpers.login does), time the click.

    Returns seconds from the click to: signed in (sidebar shows @username), the first chart drawn,
    the first table drawn, and the landing page finished running. `expect` ("chart" or "table")
    is what the landing page is known to draw (from its AppTest render).
    """
    page.goto(base_url)
    form = page.locator(SIGN_IN_FORM).filter(has_text="Sign in")
    form.wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)  # a click while the first run is still going can be lost
    page.wait_for_timeout(300)
    form.get_by_label("Username", exact=True).fill(username)
    form.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    button = form.get_by_role("button", name=re.compile("Sign in"))
    started = time.perf_counter()
    button.click()
    page.locator(SIDEBAR).get_by_text(f"@{username}", exact=True).wait_for(timeout=TIMEOUT_MS)
    signed_in = time.perf_counter() - started
    first_chart = first_table = None
    chart, table = page.locator(FIRST_CHART).first, page.locator(FIRST_TABLE).first
    deadline = started + TIMEOUT_MS / 1000
    # Poll for the first chart (or, on a landing page without charts, the first table).
    while time.perf_counter() < deadline:
        now = time.perf_counter() - started
        if first_chart is None and chart.is_visible():
            first_chart = now
        if first_table is None and table.is_visible():
            first_table = now
        if (first_chart if expect == "chart" else first_table) is not None:
            break
        page.wait_for_timeout(25)
    ready = None
    try:
        _wait_idle(page)
        ready = time.perf_counter() - started
    except Exception:  # still running after the timeout: leave it unknown
        pass
    title = page.locator('[data-testid="stMain"] h1').first
    return {"signed_in": signed_in, "first_chart": first_chart, "first_table": first_table, "ready": ready,
            "landed_on": title.inner_text().strip() if title.count() else ""}


def measure_logins(url: str, viewers: dict, runs: int = 3, log=print, expect: dict | None = None) -> dict:
    """Per role: seconds from the Sign in click to the first visible chart (cold first, then warm).

    `expect` maps a role to "table" when its landing page draws no chart (default "chart").
    """
    expect = expect or {}
    from playwright.sync_api import sync_playwright

    results: dict = {"roles": {}, "server_peak_rss_mb": None}
    with serve_app(url) as (base_url, proc), sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            warm_up = chromium.new_context(viewport=VIEWPORT)  # first page load of the server: not timed
            first = warm_up.new_page()
            first.goto(base_url)
            first.locator(SIGN_IN_FORM).first.wait_for(timeout=TIMEOUT_MS)
            warm_up.close()
            for role, viewer in viewers.items():
                found, error = [], ""
                for _ in range(runs):
                    context = chromium.new_context(viewport=VIEWPORT)
                    try:
                        found.append(_sign_in_and_wait(context.new_page(), base_url, viewer.username,
                                                       expect.get(role, "chart")))
                    except Exception as exc:  # a changed form, a page that fails…
                        error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                        break
                    finally:
                        context.close()
                charts = [f["first_chart"] for f in found if f["first_chart"] is not None]
                ready = [f["ready"] for f in found if f["ready"] is not None]
                tables = [f["first_table"] for f in found if f["first_table"] is not None]
                if found and not charts:
                    error = error or "the landing page draws no chart; its first data table is timed instead"
                results["roles"][role] = {
                    "username": viewer.username, "landed_on": found[0]["landed_on"] if found else "",
                    "runs": found, "cold": charts[0] if len(charts) == len(found) and charts else None,
                    "warm_median": statistics.median(charts[1:]) if len(charts) > 1 else None,
                    "table_cold": tables[0] if len(tables) == len(found) and tables else None,
                    "table_warm_median": statistics.median(tables[1:]) if len(tables) > 1 else None,
                    "ready_cold": ready[0] if ready else None,
                    "ready_warm_median": statistics.median(ready[1:]) if len(ready) > 1 else None,
                    "error": error}
                log(f"  browser {role}: first chart {['%.2f' % t for t in charts]}, "
                    f"first table {['%.2f' % t for t in tables]} {error}")
        finally:
            chromium.close()
            results["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
    return results
