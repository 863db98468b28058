"""Every page a person uses, at 1440×900 and 390×844, in the light and the dark theme, with every
tab of Culture trends opened: a screenshot of each (test-artifacts/walk-*.png, to look at) and the
checks a reader would make of each — the theme is the one asked for, nothing is wider than the
window, no error box, no raw None/NaN in the text.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DEMO_PASSWORD, screenshot, scroll_to, wait_for_app

pytestmark = pytest.mark.browser

SIZES = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
# username → the pages they use; the first is their landing page, served at the root.
WALK = {"cio": ["culture-trends", "settings"], "ivan.schmidt": ["coaching", "my-feedback"],
        "ben.wojcik": ["my-feedback"], "admin": ["data", "users"]}
TREND_TABS = ("Compare", "Hotspots", "Cost", "SLA and mood", "What users say", "Read responses",
              "Culture and teams")
# The app's background lightness (0 black … 1 white).
LIGHTNESS = """() => { const c = getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor;
  const [r, g, b] = c.match(/\\d+/g).map(Number); return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; }"""
MAIN_TEXT = """() => { const m = document.querySelector('[data-testid="stMain"]').cloneNode(true);
    m.querySelectorAll('[data-testid="stDataFrame"], svg, input, textarea').forEach(e => e.remove());
    return m.innerText; }"""
NOT_DATA = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bnull\b|Traceback")


def _sign_in(page, app_url: str, username: str) -> None:
    page.goto(app_url)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Sign in")
    form.wait_for()
    wait_for_app(page)
    form.get_by_label("Username", exact=True).fill(username)
    form.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    form.get_by_role("button", name=re.compile("Sign in")).click()
    expect(form).to_have_count(0, timeout=60_000)
    wait_for_app(page)


def _check(page, theme: str, width: int, where: str) -> None:
    lightness = page.evaluate(LIGHTNESS)
    assert (lightness < 0.2) if theme == "dark" else (lightness > 0.8), f"{where}: background {lightness:.2f}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{where}: wider than the window"
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    text = page.evaluate(MAIN_TEXT)
    assert not NOT_DATA.search(text), f"{where}: {NOT_DATA.search(text).group(0)!r} in the page text"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("username", list(WALK))
def test_every_page_in_both_sizes_and_themes(app_url, browser, username, size, theme):
    viewport = SIZES[size]
    phone = size == "390"
    context = browser.new_context(viewport=viewport, color_scheme=theme, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        _sign_in(page, app_url, username)
        for i, path in enumerate(WALK[username]):
            if i:
                page.goto(f"{app_url}/{path}")
                wait_for_app(page)
            expect(page.get_by_text("Page not found")).to_have_count(0)
            page.wait_for_timeout(600)  # charts finish drawing
            name = f"walk-{username}-{path}-{size}-{theme}"
            _check(page, theme, viewport["width"], name)
            screenshot(page, name, full_page=not phone)
            if path == "culture-trends":
                for tab in TREND_TABS:
                    if tab != TREND_TABS[0]:  # the first tab is open already
                        page.get_by_role("tab", name=tab, exact=True).first.click()
                        wait_for_app(page)
                    expect(page.get_by_role("tab", name=tab, exact=True).first) \
                        .to_have_attribute("aria-selected", "true")
                    page.wait_for_timeout(500)
                    slug = tab.lower().replace(" ", "-")
                    _check(page, theme, viewport["width"], f"{name} {tab}")
                    scroll_to(page, page.locator('[data-testid="stTabs"]').first)
                    screenshot(page, f"{name}-{slug}", full_page=False)
    finally:
        context.close()
