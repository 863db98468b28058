"""End to end as a team lead: open an analyst, give kudos, download the 1:1 brief, record a recovery contact."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from data_access.engine import get_engine
from tests.browser.helpers import SIDEBAR, login, screenshot, wait_for_app

pytestmark = pytest.mark.browser

TABLE = '[data-testid="stDataFrame"]'
CHARTS = '[data-testid="stVegaLiteChart"]'


def _lead(url: str) -> tuple[str, int]:
    with get_engine(url).connect() as conn:
        return tuple(conn.execute(sa.text(
            "SELECT u.username, ut.team_id FROM app_users u JOIN user_roles r ON r.user_id = u.user_id "
            "JOIN user_teams ut ON ut.user_id = u.user_id WHERE r.role = 'lead' ORDER BY ut.team_id")).first())


def _first_analyst(url: str, team: int) -> str:
    with get_engine(url).connect() as conn:
        names = [r[0] for r in conn.execute(sa.text("SELECT name FROM analysts WHERE team_id = :t"), {"t": team})]
    return sorted(names, key=str.lower)[0]


def _count(url: str, sql: str, **params) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def _open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)


def test_lead_coaching_journey(app_url, browser_demo_url, page):
    username, team = _lead(browser_demo_url)
    for attempt in range(2):  # a cold server can rerun the sign-in form while it is being filled
        page.goto(app_url)
        wait_for_app(page, 60_000)
        try:
            login(page, username, timeout=60_000)
            break
        except Exception:
            screenshot(page, "coaching-login-failed")
            if attempt:
                raise
    page.set_viewport_size({"width": 1280, "height": 2400})  # the app scrolls inside; show it all
    page.locator(SIDEBAR).get_by_role("link", name="Coaching").click()
    expect(page.get_by_role("heading", name="Coaching")).to_be_visible()
    page.locator(TABLE).first.wait_for()
    wait_for_app(page)
    expect(page.get_by_text("Sorted by name.")).to_be_visible()
    page.wait_for_timeout(800)
    screenshot(page, "coaching-overview")

    # Selecting a row opens that analyst's detail: charts, talking points, verbatims
    first = _first_analyst(browser_demo_url, team)
    grid = page.locator(TABLE).first.bounding_box()
    page.mouse.click(grid["x"] + 16, grid["y"] + 35 + 17)  # the first row's selection box
    wait_for_app(page)
    expect(page.get_by_role("tab", name="Analyst")).to_have_attribute("aria-selected", "true", timeout=30_000)
    expect(page.get_by_role("combobox", name="Analyst")).to_have_value(first)
    expect(page.get_by_role("heading", name="Talking points")).to_be_visible(timeout=30_000)
    page.locator(CHARTS).first.wait_for()
    page.wait_for_timeout(1000)
    screenshot(page, "coaching-analyst")

    # Kudos for a happy response, in one click
    before = _count(browser_demo_url, "SELECT count(*) FROM kudos")
    page.get_by_role("button", name=re.compile("Send kudos")).first.click()
    wait_for_app(page)
    expect(page.get_by_text("Kudos sent").first).to_be_visible(timeout=30_000)
    assert _count(browser_demo_url, "SELECT count(*) FROM kudos") == before + 1
    screenshot(page, "coaching-kudos")

    # The 1:1 brief as a PDF
    page.wait_for_timeout(1500)
    for attempt in range(3):  # a click that lands during a rerun asks for a file id that is gone
        try:
            with page.expect_download(timeout=20_000) as info:
                page.get_by_role("button", name=re.compile("Download brief")).click()
            break
        except Exception:
            if attempt == 2:
                raise
            wait_for_app(page)
    pdf = open(info.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "1:1 brief" in text and "Talking points" in text and "Open follow-ups" in text
    viewer = page.context.new_page()  # Chromium's own PDF viewer, to look at the printed brief
    viewer.set_viewport_size({"width": 900, "height": 1250})
    viewer.goto(Path(info.value.path()).as_uri())
    viewer.wait_for_timeout(2500)
    screenshot(viewer, "coaching-brief-pdf", full_page=False)
    viewer.close()

    # Recovery queue: record a contact on the most urgent item
    _open_tab(page, "Recovery queue")
    expect(page.get_by_text(re.compile("Select an item in the table"))).to_be_visible(timeout=30_000)
    grid = page.locator(TABLE).locator("visible=true").first.bounding_box()
    page.mouse.click(grid["x"] + 16, grid["y"] + 35 + 17)  # tick the first (most urgent) row
    wait_for_app(page)
    record = page.get_by_role("button", name="Record")
    record.wait_for(timeout=30_000)
    before = _count(browser_demo_url, "SELECT count(*) FROM recovery_actions WHERE kind = 'contacted'")
    page.get_by_role("textbox", name="Note", exact=True).last.fill("Called the user back; agreed a fix by Friday.")
    record.click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("Recorded for"))).to_be_visible(timeout=30_000)
    assert _count(browser_demo_url, "SELECT count(*) FROM recovery_actions WHERE kind = 'contacted'") == before + 1
    page.wait_for_timeout(500)
    screenshot(page, "coaching-recovery")

    _open_tab(page, "Notes")
    page.get_by_role("button", name="Save note").wait_for()
    screenshot(page, "coaching-notes")
