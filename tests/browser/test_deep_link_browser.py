"""Issue 17, item 5: a signed-in person opening their landing page by its own address (a digest
link, a bookmark) sees it at once, without a "Page not found" dialog."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SIDEBAR, login, screenshot, wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username, path, title", [("cio", "culture-trends", "Culture trends"),
                                                   ("ivan.schmidt", "coaching", "Coaching")])
def test_landing_page_by_its_address_opens_without_page_not_found(app_url, page, username, path, title):
    login(page, username, base_url=app_url)
    page.goto(f"{app_url}/{path}")
    page.locator(SIDEBAR).get_by_text(f"@{username}", exact=True).wait_for()
    expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text(title, timeout=30_000)
    wait_for_app(page)
    page.wait_for_timeout(1500)  # a dialog would have come with the first run
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert page.url.split("?")[0].endswith(f"/{path}")
    # The sidebar still offers the page once, and "/" is still the landing page.
    links = page.locator(f'{SIDEBAR} [data-testid="stSidebarNavLink"]').filter(has_text=title)
    expect(links).to_have_count(1)
    screenshot(page, f"deep-link-{path}")
    page.goto(app_url)
    expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text(title, timeout=30_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)
