"""The HTML digest as a mail client would show it: rendered in headless Chromium and screenshotted.

Also the "view in browser" equivalent inside the app (My settings → Digest preview) for a lead.
Look at the screenshots in test-artifacts/ (digest_weekly.png, digest_monthly.png, digest_alert.png,
digest_in_app.png).
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import streamlit as st

from data_access import demo, schema
from data_access.engine import get_engine
from data_access.scope import Scope
from notify import render
from notify.alerts import AlertItem
from notify.config import notify_settings
from notify.digest import cio_monthly_digest, lead_weekly_digest
from tests.browser.helpers import ARTIFACTS, login, scroll_to, wait_for_app
from tests.notify.conftest import add_response, lead_of_team

pytestmark = pytest.mark.browser

END = dt.date(2026, 11, 20)
EVIL = "<script>window.__pwned = 1; alert('x')</script> Brilliant & quick, <b>thanks</b>!"


@pytest.fixture(scope="module")
def digest_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('digest-render') / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=5000, seed=7, end=END)
    with get_engine(url).connect() as conn:
        analyst = conn.execute(sa.select(schema.analysts.c.analyst_id)
                               .where(schema.analysts.c.team_id == 1, schema.analysts.c.tier != "lead")
                               .order_by(schema.analysts.c.analyst_id)).first()[0]
    for i, (score, comment) in enumerate([(10, EVIL), (9, "Kept me informed all the way.\nThank you!"),
                                          (10, None), (8, None), (4, "Closed but not fixed."), (9, None)]):
        add_response(url, analyst_id=analyst, happiness=score, comment=comment,
                     submitted_at=dt.datetime(2026, 11, 16, 9) + dt.timedelta(hours=3 * i))
    st.cache_data.clear()
    return url


def _open(browser, html: str, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 760, "height": 900}, java_script_enabled=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return context, page, dialogs


def test_weekly_digest_renders_cleanly_and_user_text_stays_text(browser, digest_db, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_BASE_URL", "https://pulse.example.com")
    lead = lead_of_team(digest_db, 1)
    d = lead_weekly_digest(recipient=lead["display_name"], scope=Scope("lead", team_ids=(1,)), week_ending=END,
                           now=dt.datetime(2026, 11, 20, 12), settings=notify_settings(), url=digest_db)
    context, page, dialogs = _open(browser, render.digest_html(d), "digest_weekly")
    try:
        assert dialogs == [] and page.evaluate("() => window.__pwned === undefined")
        assert page.locator("script").count() == 0 and page.locator("img").count() == 0
        body = page.inner_text("body")
        assert EVIL.replace("<b>", "<b>") in body  # the comment is shown literally, tags and all
        assert "Weekly digest: Service Desk North" in body and "Praise this week" in body
        assert "Kept me informed all the way.\nThank you!" in body  # line breaks kept
        width = page.evaluate("() => document.querySelector('table table').getBoundingClientRect().width")
        assert width <= 640
    finally:
        context.close()


def test_monthly_digest_renders(browser, digest_db):
    d = cio_monthly_digest(recipient="Morgan Reyes", scope=Scope("cio"), month=dt.date(2026, 10, 1),
                           now=dt.datetime(2026, 11, 20, 12), settings=notify_settings(), url=digest_db)
    context, page, dialogs = _open(browser, render.digest_html(d), "digest_monthly")
    try:
        body = page.inner_text("body")
        assert "Whole organisation" in body and "Recovery of unhappy customers" in body and dialogs == []
    finally:
        context.close()


def test_alert_renders(browser):
    item = AlertItem(1, "INC0042", 2, "Aisha Bauer", "Service Desk North", "VPN & Remote Access", "phone", EVIL,
                     dt.datetime(2026, 11, 20, 9, 30), dt.datetime(2026, 11, 23, 9, 30),
                     ("Not solved despite closure", "Slow service"), (("Communication", 1), ("Resolution", 2)),
                     "https://pulse.example.com/coaching?tab=recovery&ticket=INC0042")
    context, page, dialogs = _open(browser, render.alert_html([item], "Ivan Schmidt", "https://pulse.example.com/settings"),
                                   "digest_alert")
    try:
        assert dialogs == [] and EVIL in page.inner_text("body")
    finally:
        context.close()


def test_lead_opens_the_digest_preview_in_the_app(app_url, browser_demo_url, page):
    lead = lead_of_team(browser_demo_url, 1)
    for attempt in range(2):  # a cold app can rerun under the first sign-in and clear the form
        try:
            login(page, lead["username"], base_url=app_url, timeout=60_000)
            break
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "digest_in_app_login_failed.png"), full_page=True)
            if attempt:
                raise
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.goto(f"{app_url}/settings?digest=weekly&week_ending=2026-11-19")
    wait_for_app(page, 60_000)
    try:
        page.get_by_text("Digest preview").wait_for(timeout=60_000)
        scroll_to(page, page.locator("iframe[srcdoc]"))
        frame = page.frame_locator("iframe[srcdoc]")  # the sign-in cookie component is an iframe too
        frame.get_by_text("Weekly digest: Service Desk North").wait_for(timeout=60_000)
        frame.get_by_text("Each analyst's week").wait_for()
        assert frame.get_by_text(f"13 Nov 2026 – 19 Nov 2026 · for {lead['display_name']}").count() == 1
    finally:
        page.screenshot(path=str(ARTIFACTS / "digest_in_app.png"), full_page=True)
