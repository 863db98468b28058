"""Helpers for browser tests: sign in through the real login form, take screenshots to look at."""

from __future__ import annotations

import re
from pathlib import Path

from data_access.demo import DEMO_PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

SIDEBAR = '[data-testid="stSidebar"]'
AUTH_COOKIE = "service_pulse_auth"  # components.auth.COOKIE_NAME


_BUSY_JS = """() => !document.querySelector(
    '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"],'
    + ' [data-testid="stSkeleton"], [data-stale="true"]')"""


def wait_for_app(page, timeout: float = 60_000, settle_ms: int = 400) -> None:
    """Wait until the script run has finished and nothing on the page is stale or a placeholder.

    Checked twice with a short pause, because a finished run can trigger another (a widget or a
    component reporting its value).
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    for _ in range(2):
        page.wait_for_function(_BUSY_JS, timeout=timeout)
        page.wait_for_timeout(settle_ms)


def scroll_to(page, locator, attempts: int = 4) -> None:
    """Scroll `locator` into view; a rerun still drawing may replace the element, so look again."""
    for attempt in range(attempts):
        wait_for_app(page)
        try:
            locator.scroll_into_view_if_needed(timeout=10_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            page.wait_for_timeout(500)


def login(page, username: str, password: str = DEMO_PASSWORD, *, base_url: str | None = None,
          timeout: float = 60_000) -> None:
    """Fill the Service Pulse sign-in form and wait until the sidebar shows who is signed in.

    Navigate to the app first (or pass `base_url`). The sidebar carries the username on a line of
    its own ("@username") above the Log out button; this waits for both, for the script run to
    finish and for the sign-in cookie (so a later page.goto stays signed in). The landing page's
    own content may still be drawing: wait for what you test.
    """
    if base_url:
        page.goto(base_url)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Sign in")
    form.wait_for(timeout=timeout)
    # Let the first script run finish before typing, so no keystroke is lost to a rerun.
    wait_for_app(page, timeout)
    user_box = form.get_by_label("Username", exact=True)
    password_box = form.get_by_label("Password", exact=True)
    for _ in range(3):
        user_box.fill(username)
        password_box.fill(password)
        if user_box.input_value() == username and password_box.input_value() == password:
            break
        wait_for_app(page, timeout)
    form.get_by_role("button", name=re.compile("Sign in")).click()
    page.locator(SIDEBAR).get_by_text(f"@{username}", exact=True).wait_for(timeout=timeout)
    page.locator(SIDEBAR).get_by_role("button", name=re.compile("Log out")).wait_for(timeout=timeout)
    wait_for_app(page, timeout)
    wait_for_auth_cookie(page)


def wait_for_auth_cookie(page, timeout_ms: int = 20_000) -> dict:
    """The sign-in cookie, once the page's cookie script has written it (so page.goto keeps you in)."""
    waited = 0
    while waited <= timeout_ms:
        for cookie in page.context.cookies():
            if cookie["name"] == AUTH_COOKIE:
                return cookie
        page.wait_for_timeout(200)
        waited += 200
    raise AssertionError(f"the sign-in cookie {AUTH_COOKIE!r} was not set within {timeout_ms} ms")


def logout(page, timeout: float = 30_000) -> None:
    """Press the sidebar's Log out button and wait for the sign-in form."""
    page.locator(SIDEBAR).get_by_role("button", name=re.compile("Log out")).click()
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for(timeout=timeout)


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG under test-artifacts/<name>.png (gitignored) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
