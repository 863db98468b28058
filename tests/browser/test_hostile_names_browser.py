"""Class 5 end to end in headless Chromium: a warehouse whose names, comments, notes and import
file names are hostile (as an ITSM export could make them). The lead's Coaching page, every tab,
and the admin's Data page show them literally: no <a href> or <img> to the hostile host, and the
browser never sends it a request."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from data_access import demo
from data_access.engine import get_engine
from tests.browser.conftest import serve_app
from tests.browser.helpers import login, screenshot, wait_for_app
from tests.hostile import EVIL_HOST, make_hostile
from tests.pages.roles import viewer_as

pytestmark = pytest.mark.browser
EVIL_LINKS = f'a[href*="{EVIL_HOST}"], img[src*="{EVIL_HOST}"], iframe[src*="{EVIL_HOST}"]'


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile-browser")
    url = f"sqlite:///{work / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=2_000, seed=7, end=dt.date(2026, 11, 20))
    make_hostile(url)
    with serve_app(url, work) as base:
        yield base, url


def _no_live_hostile_markup(page) -> None:
    assert page.locator(EVIL_LINKS).count() == 0
    main = page.locator('[data-testid="stMain"]')
    hrefs = main.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h and EVIL_HOST in h]
    sources = main.locator("img").evaluate_all("els => els.map(e => e.src)")
    assert not [src for src in sources if EVIL_HOST in src]


def _open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)


def test_lead_sees_hostile_names_literally_on_every_coaching_tab(hostile_app, page):
    base, url = hostile_app
    lead = viewer_as(url, "lead")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base)
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for(timeout=120_000)
    wait_for_app(page, 120_000)
    login(page, lead.username, timeout=120_000)
    page.get_by_role("heading", name="Coaching").wait_for()
    wait_for_app(page)
    # The lead's own (hostile) display name is in the page caption, as characters.
    header = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first
    shown = header.inner_text().replace("\u2060", "")
    assert shown.startswith(f"{lead.display_name} · {lead.team_name} · "), shown
    assert header.locator("strong, img, a").count() == 0
    _no_live_hostile_markup(page)
    for tab in ("Analyst", "Recovery queue", "Notes"):
        _open_tab(page, tab)
        _no_live_hostile_markup(page)
        screenshot(page, f"hostile-coaching-{tab.split()[0].lower()}")
    text = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
    assert re.search(r"\S", text) and ("evil.example" in text or "**bold**" in text)
    assert [u for u in requests if EVIL_HOST in u] == []


def test_admin_data_page_shows_hostile_file_names_as_text(hostile_app, page):
    base, _ = hostile_app
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base)
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for(timeout=120_000)
    wait_for_app(page, 120_000)
    login(page, "admin", timeout=120_000)
    page.get_by_role("link", name=re.compile("Data")).first.click()
    page.get_by_role("heading", name="Data").wait_for()
    wait_for_app(page)
    _no_live_hostile_markup(page)
    screenshot(page, "hostile-admin-data")
    assert [u for u in requests if EVIL_HOST in u] == []
