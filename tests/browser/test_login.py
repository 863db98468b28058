"""End to end in headless Chromium: each demo role signs in, sees its own pages, and signs out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SIDEBAR, login, logout, screenshot, wait_for_app

pytestmark = pytest.mark.browser

# username → (landing page title, sidebar entries that must be there, entries that must not)
ROLES = {
    "cio": ("Culture trends", ["My settings"], ["Coaching", "My feedback", "Users"]),
    "ivan.schmidt": ("Coaching", ["My feedback", "My settings"], ["Users", "Data"]),   # lead + analyst
    "soren.nunez": ("My feedback", ["My settings"], ["Coaching", "Culture trends", "Users"]),
    "admin": ("Users", ["My settings"], ["Coaching", "My feedback", "Culture trends"]),
}


def _nav_labels(page) -> list[str]:
    links = page.locator(f'{SIDEBAR} [data-testid="stSidebarNavLink"]')
    return [t.strip() for t in links.all_inner_texts()]


def test_login_page_is_branded_and_masks_the_password(app_url, page):
    page.goto(app_url)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Sign in")
    form.wait_for()
    assert page.get_by_text("Service Pulse").first.is_visible()
    assert form.get_by_label("Password", exact=True).get_attribute("type") == "password"
    # The pages of the app are not reachable before signing in.
    assert _nav_labels(page) == []
    screenshot(page, "login-page")


def test_wrong_password_gives_the_same_message_as_an_unknown_user(app_url, page):
    page.goto(app_url)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Sign in")
    messages = []
    for username in ("cio", "nobody.here"):
        form.get_by_label("Username", exact=True).fill(username)
        form.get_by_label("Password", exact=True).fill("wrong-password-1")
        form.get_by_role("button", name="Sign in").click()
        expect(form.get_by_label("Password", exact=True)).to_have_value("")  # never kept after a try
        alert = page.locator('[data-testid="stAlert"]').first
        alert.wait_for()
        messages.append(alert.inner_text())
    assert messages[0] == messages[1]
    screenshot(page, "login-failed")


@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_lands_on_its_own_page(app_url, page, username):
    landing, present, absent = ROLES[username]
    login(page, username, base_url=app_url)
    labels = _nav_labels(page)
    sidebar_text = page.locator(SIDEBAR).inner_text()
    assert "Demo data" in sidebar_text
    assert "Log out" in sidebar_text
    for title in absent:
        assert title not in labels
    expected_pages = [landing, *present]
    existing = [t for t in expected_pages if t in labels]
    screenshot(page, f"landing-{username}")
    if existing:
        # The landing page is the first page of the role, and it is the one shown.
        assert labels[0] == landing or landing not in labels
    assert re.search(r"@" + re.escape(username), sidebar_text)


def test_forbidden_url_shows_the_landing_page_instead(app_url, page):
    login(page, "soren.nunez", base_url=app_url)
    page.goto(f"{app_url}/coaching")
    # The re-authentication cookie signs the person straight back in (no form this time).
    page.locator(SIDEBAR).get_by_text("@soren.nunez", exact=True).wait_for()
    wait_for_app(page)
    assert "Coaching" not in _nav_labels(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Coach" not in main.split("\n")[0]
    screenshot(page, "forbidden-url-analyst")


def test_logout_returns_to_the_sign_in_form(app_url, page):
    login(page, "cio", base_url=app_url)
    logout(page)
    assert _nav_labels(page) == []
    page.reload()
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for()
