"""End to end as an analyst: fill and submit a self-assessment, see the gap view update, share it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from data_access import schema
from data_access.engine import get_engine
from tests.browser.helpers import login, screenshot, scroll_to, wait_for_app

pytestmark = pytest.mark.browser

# The answers we give, per item in form order (4 CARE dimensions, then 6 competencies).
ANSWERS = [5, 2, 4, 3, 4, 3, 4, 3, 4, 3]


def _busy_analyst(url: str) -> tuple[str, int]:
    """A plain analyst (not a lead) of the browser demo with the most responses."""
    t, r, a, u = schema.tickets, schema.responses, schema.analysts, schema.app_users
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(u.c.username, a.c.analyst_id, sa.func.count().label("n"))
            .select_from(r.join(t, t.c.ticket_key == r.c.ticket_key)
                         .join(a, a.c.analyst_id == t.c.analyst_id)
                         .join(u, u.c.analyst_id == a.c.analyst_id))
            .where(a.c.tier != "lead", r.c.submitted_at >= sa.literal(
                __import__("datetime").datetime(2025, 12, 1)))
            .group_by(u.c.username, a.c.analyst_id).order_by(sa.desc("n")).limit(1)).one()
    return row.username, row.analyst_id


def _tab(page, name: str) -> None:
    # Tabs are lazy (only the open one runs), so opening one re-runs the page.
    page.get_by_role("tab", name=name, exact=True).first.click()
    wait_for_app(page)
    page.wait_for_timeout(500)
    wait_for_app(page)


def _login(page, username: str, app_url: str) -> None:
    for attempt in range(3):  # the first sign-in of a fresh server can lose a keystroke race
        try:
            login(page, username, base_url=app_url, timeout=30_000)
            return
        except Exception:
            screenshot(page, f"my-feedback-login-attempt-{attempt}")
    login(page, username, base_url=app_url)


def test_analyst_submits_self_assessment_sees_gaps_and_shares(app_url, browser_demo_url, page):
    username, analyst_id = _busy_analyst(browser_demo_url)
    _login(page, username, app_url)
    expect(page.get_by_role("heading", name="My feedback")).to_be_visible()
    expect(page.get_by_text("Happiness").first).to_be_visible()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    screenshot(page, "my-feedback-figures")

    _tab(page, "Self-assessment")
    form = page.locator('[data-testid="stForm"]')
    radios = form.locator('[data-testid="stRadio"]')
    expect(radios).to_have_count(10)
    # Submitting with an item left open is refused with a clear message.
    form.get_by_role("button", name=re.compile("Save my self-assessment")).click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("Please answer every item"))).to_be_visible()
    for index, value in enumerate(ANSWERS):
        radios.nth(index).locator('[data-testid="stRadioOption"]').nth(value - 1).click()
    form.locator("textarea").fill("Working on keeping users informed between steps.")
    screenshot(page, "my-feedback-form-filled")
    form.get_by_role("button", name=re.compile("Save my self-assessment")).click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("Saved — thank you"))).to_be_visible()

    with get_engine(browser_demo_url).connect() as conn:
        sa_t = schema.self_assessments
        latest = conn.execute(sa.select(sa_t.c.assessment_id, sa_t.c.shared_with_lead, sa_t.c.note)
                              .where(sa_t.c.analyst_id == analyst_id)
                              .order_by(sa_t.c.assessment_id.desc()).limit(1)).one()
        ratings = dict(conn.execute(sa.select(schema.self_assessment_ratings.c.dimension,
                                              schema.self_assessment_ratings.c.rating)
                                    .where(schema.self_assessment_ratings.c.assessment_id
                                           == latest.assessment_id)).all())
    assert latest.note == "Working on keeping users informed between steps."
    assert latest.shared_with_lead is False or latest.shared_with_lead == 0
    assert [ratings[d] for d in schema.ASSESSMENT_DIMENSIONS] == ANSWERS

    _tab(page, "Self vs customers")
    # The app's clock is pinned to 20 November 2026: the comparison now uses the new submission.
    expect(page.get_by_text(re.compile("Your self-assessment of 20 November 2026"))).to_be_visible()
    # Application rated 2 against customers' ~4: shown as a hidden strength, kindly explained.
    expect(page.get_by_text(re.compile("Hidden strength: .*Application"))).to_be_visible()
    expect(page.get_by_text(re.compile("Something to try")).first).to_be_visible()
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    page.wait_for_timeout(1500)
    screenshot(page, "my-feedback-gaps")
    assert table.is_visible()

    _tab(page, "Self-assessment")
    switch = page.get_by_text("Share my latest self-assessment with my team lead")
    expect(page.get_by_text(re.compile("Private: only you can see"))).to_be_visible()
    switch.click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("Your lead can see your self-assessment"))).to_be_visible()
    with get_engine(browser_demo_url).connect() as conn:
        shared = conn.execute(sa.select(schema.self_assessments.c.shared_with_lead)
                              .where(schema.self_assessments.c.assessment_id == latest.assessment_id)).scalar_one()
    assert bool(shared) is True
    scroll_to(page, page.get_by_text("Sharing with your team lead"))
    screenshot(page, "my-feedback-shared", full_page=False)

    _tab(page, "What customers say")
    page.get_by_text("What customers say about me").wait_for()
    screenshot(page, "my-feedback-comments")
