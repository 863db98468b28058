"""Issue 17, what was left: drill-through in one click, the phone layout by width, the share row on a
phone, annotations on every monthly chart, the digest preview on a phone, the CIO's settings.

Written from the descriptions; narrow windows use a desktop browser's user agent, so the layout
can only follow the window's width. Every test reuses the session app on the browser demo warehouse.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from data_access.engine import get_engine
from tests.browser.helpers import login, screenshot, scroll_to, wait_for_app

pytestmark = pytest.mark.browser

CIO, ADMIN = "cio", "admin"
CHARTS = '[data-testid="stVegaLiteChart"]'
TABLE = '[data-testid="stDataFrame"]'
# The default period of Culture trends on the demo's "today" (20 Nov 2026): whole weeks.
PERIOD = ("2025-12-01", "2026-11-16")
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1440, "height": 900}


def _context(browser, viewport: dict, theme: str = "light"):
    context = browser.new_context(viewport=viewport, color_scheme=theme)  # a desktop user agent
    page = context.new_page()
    page.set_default_timeout(45_000)
    return context, page


def _culture(page, app_url: str) -> None:
    login(page, CIO, base_url=app_url)
    expect(page.get_by_role("heading", name="Culture trends")).to_be_visible()
    page.locator(CHARTS).first.wait_for()
    wait_for_app(page)
    page.wait_for_timeout(800)  # let Vega draw


def _read(page) -> str | None:
    return (parse_qs(urlparse(page.url).query).get("read") or [None])[0]


def _open_tab(page) -> str:
    return page.get_by_role("tab", selected=True).inner_text().strip()


def _counts(url: str, sql: str, **params) -> tuple[int, int]:
    """(responses, responses with a comment) of a drill target, counted in the warehouse."""
    with get_engine(url).connect() as conn:
        n, commented = conn.execute(sa.text(f"""SELECT count(*), coalesce(sum(CASE WHEN
            trim(coalesce(r.comment, '')) <> '' THEN 1 ELSE 0 END), 0) FROM responses r {sql}"""), params).one()
    return int(n), int(commented)


# ---------------------------------------------------------------- 1. drill-through in one click

def test_a_click_on_a_month_of_the_trend_opens_its_responses(app_url, browser_demo_url, browser):
    context, page = _context(browser, DESKTOP)
    try:
        _culture(page, app_url)
        chart = page.locator(".st-key-trends_trend_chart")
        box = chart.bounding_box()
        page.mouse.click(box["x"] + 0.62 * box["width"], box["y"] + 0.5 * box["height"])
        page.wait_for_function("() => location.search.includes('read=month-')")
        wait_for_app(page)
        month = dt.date.fromisoformat(_read(page)[len("month-"):] + "-01")
        assert _open_tab(page) == "Read responses"
        drill = page.locator(".st-key-trends_drill_month")
        expect(drill.get_by_role("combobox")).to_have_value(f"{month:%B %Y}")
        end = (month + dt.timedelta(days=32)).replace(day=1)
        n, commented = _counts(browser_demo_url, "WHERE r.submitted_at >= :a AND r.submitted_at < :b",
                               a=month.isoformat(), b=end.isoformat())
        expect(page.get_by_text(f"{n:,} responses, {commented:,} with a comment · newest first")).to_be_visible()
        # Every response listed is from that month.
        days = page.get_by_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4} · score \d+")).all_inner_texts()
        assert days and all(f" {month:%b %Y} · " in d for d in days), days
        scroll_to(page, page.locator('[data-testid="stTabs"]'))
        screenshot(page, "issue17-left-month-click-1440", full_page=False)
        # Undone like a filter: the section's "Back to cells", and the link forgets it.
        page.get_by_role("button", name="Back to cells").click()
        wait_for_app(page)
        assert _read(page) is None
        expect(page.locator(".st-key-trends_drill_cell").get_by_role("combobox")).to_be_visible()
    finally:
        context.close()


def test_a_click_on_a_factor_row_opens_its_responses(app_url, browser_demo_url, browser):
    context, page = _context(browser, DESKTOP)
    try:
        _culture(page, app_url)
        page.get_by_role("tab", name="What users say").click()
        wait_for_app(page)
        table = page.locator(".st-key-trends_factors_negative")
        scroll_to(page, table)
        box = table.bounding_box()
        page.mouse.click(box["x"] + 90, box["y"] + 35 + 17)  # the first row's Factor cell
        page.wait_for_function("() => location.search.includes('read=factor-')")
        wait_for_app(page)
        factor_id = int(_read(page)[len("factor-"):])
        assert _open_tab(page) == "Read responses"
        with get_engine(browser_demo_url).connect() as conn:
            label, polarity = conn.execute(sa.text("SELECT label, polarity FROM factors WHERE factor_id = :f"),
                                           {"f": factor_id}).one()
        assert polarity == "negative"
        expect(page.locator(".st-key-trends_drill_factor").get_by_role("combobox")).to_have_value(label)
        n, commented = _counts(browser_demo_url, """JOIN response_factors f ON f.ticket_key = r.ticket_key
            WHERE f.factor_id = :f AND r.submitted_at >= :a AND r.submitted_at < :b""",
                               f=factor_id, a=PERIOD[0], b=PERIOD[1])
        expect(page.get_by_text(f"{n:,} responses, {commented:,} with a comment · newest first")).to_be_visible()
        screenshot(page, "issue17-left-factor-click-1440", full_page=False)
        # The link opens the same responses in a fresh session.
        link = page.url
        page.goto(link)
        wait_for_app(page)
        assert _open_tab(page) == "Read responses"
        expect(page.locator(".st-key-trends_drill_factor").get_by_role("combobox")).to_have_value(label)
    finally:
        context.close()


# ---------------------------------------------------------------- 2. and 3. layout by width

def _period(page):
    return page.locator('[data-testid="stSelectbox"]').filter(has_text="Period")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_narrow_desktop_window_folds_the_filters_and_keeps_one_share_row(app_url, browser, theme):
    context, page = _context(browser, PHONE, theme)
    try:
        _culture(page, app_url)
        fold = page.get_by_text("Filters · Last 12 months", exact=True)
        expect(fold).to_be_visible()
        expect(_period(page)).to_be_hidden()
        copy = page.get_by_role("button", name="Copy link")
        saved = page.get_by_role("button", name="Saved views")
        a, b = copy.bounding_box(), saved.bounding_box()
        assert abs(a["y"] - b["y"]) < 2, (a, b)  # one row
        assert b["x"] + b["width"] <= PHONE["width"] and a["x"] >= 0
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, f"issue17-left-narrow-{theme}-390", full_page=False)
        fold.click()
        expect(_period(page)).to_be_visible()
        # Widening the same window shows the plain row and hides the switch (one set of widgets).
        page.set_viewport_size(DESKTOP)
        expect(fold).to_be_hidden()
        expect(_period(page)).to_be_visible()
        assert page.locator('[data-testid="stSelectbox"]').filter(has_text="Period").count() == 1
        page.set_viewport_size(PHONE)
        expect(fold).to_be_visible()
    finally:
        context.close()


def test_a_wide_window_shows_the_filter_row(app_url, browser):
    context, page = _context(browser, {"width": 820, "height": 1180})  # a tablet held upright
    try:
        _culture(page, app_url)
        expect(_period(page)).to_be_visible()
        expect(page.get_by_text("Filters · Last 12 months", exact=True)).to_be_hidden()
    finally:
        context.close()


# ---------------------------------------------------------------- 4. annotations on every monthly chart

def _set_annotations(browser, app_url: str, text: str) -> None:
    context, page = _context(browser, DESKTOP)
    try:
        login(page, ADMIN, base_url=app_url)
        page.goto(f"{app_url}/settings")
        wait_for_app(page)
        box = page.get_by_role("textbox", name="Known changes, one per line")
        box.fill(text)
        page.get_by_role("button", name="Save Culture trends settings").click()
        wait_for_app(page)
        expect(page.get_by_text("Culture trends settings saved.")).to_be_visible()
    finally:
        context.close()


def _chart_texts(chart) -> list[str]:
    return chart.evaluate("el => Array.from(el.querySelectorAll('.role-mark text')).map(t => t.textContent)")


def test_annotations_stand_on_the_watermelon_and_work_days_charts(app_url, browser):
    _set_annotations(browser, app_url, "2026-06-08 New portal")
    context, page = _context(browser, {"width": 1440, "height": 1400})
    try:
        _culture(page, app_url)
        assert "New portal" in _chart_texts(page.locator(".st-key-trends_trend_chart"))
        page.get_by_role("tab", name="SLA and mood").click()
        wait_for_app(page)
        page.wait_for_timeout(800)
        expect(page.get_by_text("Unhappy despite SLA met, by month (with 95% band)")).to_be_visible()
        visible = [c for c in page.locator(CHARTS).all() if c.is_visible()]
        assert [c for c in visible if "New portal" in _chart_texts(c)], "no annotation on the watermelon trend"
        screenshot(page, "issue17-left-watermelon-annotation", full_page=False)
        page.get_by_role("tab", name="Cost").click()
        wait_for_app(page)
        scroll_to(page, page.get_by_text("Work days lost per month"))
        page.wait_for_timeout(800)
        visible = [c for c in page.locator(CHARTS).all() if c.is_visible()]
        assert [c for c in visible if "New portal" in _chart_texts(c)], "no annotation on the work days bars"
        screenshot(page, "issue17-left-work-days-annotation", full_page=False)
    finally:
        context.close()
        _set_annotations(browser, app_url, "")


# ---------------------------------------------------------------- 5. and 6. My settings of a CIO on a phone

@pytest.mark.parametrize("theme", ["light", "dark"])
def test_cio_settings_on_a_phone_fit_and_show_only_the_digest(app_url, browser, theme):
    context, page = _context(browser, PHONE, theme)
    try:
        login(page, CIO, base_url=app_url)
        page.goto(f"{app_url}/settings")
        wait_for_app(page)
        expect(page.get_by_text("You receive the monthly digest of the organisation. Sent to:")).to_be_visible()
        expect(page.get_by_text("Send me the digest")).to_be_visible()
        assert page.get_by_text(re.compile("alert threshold|Alert me about")).count() == 0
        frame = page.frame_locator("iframe[srcdoc]").first
        expect(frame.get_by_text(re.compile("Monthly digest"))).to_be_visible()
        sizes = frame.locator("html").evaluate("h => [h.scrollWidth, h.clientWidth]")
        assert sizes[0] <= sizes[1], f"the preview is cut off at the right: {sizes}"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        scroll_to(page, page.locator("iframe[srcdoc]"))
        screenshot(page, f"issue17-left-cio-settings-{theme}-390", full_page=False)
    finally:
        context.close()
