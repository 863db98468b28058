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
TIMEOUT_MS = 30_000


def _sign_in_and_wait(page, base_url: str, username: str) -> tuple[float, str]:
    """Open the app, fill the sign-in form (as tests/browser/helpers.login does), time click → chart."""
    page.goto(base_url)
    form = page.locator(SIGN_IN_FORM).filter(has_text="Sign in")
    form.wait_for(timeout=TIMEOUT_MS)
    form.get_by_label("Username", exact=True).fill(username)
    form.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    button = form.get_by_role("button", name=re.compile("Sign in"))
    started = time.perf_counter()
    button.click()
    page.locator(FIRST_CHART).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    elapsed = time.perf_counter() - started
    return elapsed, page.url.rstrip("/").rsplit("/", 1)[-1]


def measure_logins(url: str, viewers: dict, runs: int = 3, log=print) -> dict:
    """Per role: seconds from the Sign in click to the first visible chart (cold first, then warm)."""
    from playwright.sync_api import sync_playwright

    results: dict = {"roles": {}, "server_peak_rss_mb": None}
    with serve_app(url) as (base_url, proc), sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for role, viewer in viewers.items():
                times, landed, error = [], "", ""
                for _ in range(runs):
                    context = chromium.new_context(viewport=VIEWPORT)
                    try:
                        seconds, landed = _sign_in_and_wait(context.new_page(), base_url, viewer.username)
                        times.append(seconds)
                    except Exception as exc:  # a page without charts yet, a changed form…
                        error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                        break
                    finally:
                        context.close()
                results["roles"][role] = {
                    "username": viewer.username, "landed_on": landed, "runs": times,
                    "cold": times[0] if times else None,
                    "warm_median": statistics.median(times[1:]) if len(times) > 1 else None,
                    "error": error}
                log(f"  browser {role}: {['%.2f' % t for t in times]} {error}")
        finally:
            chromium.close()
            results["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
    return results
