"""End to end as a requester: the survey email arrives over real SMTP, its link opens the survey
page in headless Chromium (score recorded with no click), then factors and a comment are added;
the lead's unhappy alert follows in the next alert run. Screenshots at 1440 and 390 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from data_access import demo, schema
from data_access.engine import get_engine
from data_access.surveys import answers
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: F401
from tests.browser.helpers import screenshot, wait_for_app
from tests.notify.conftest import lead_of_team, smtp_env, smtp_server  # noqa: F401
from tests.surveys.helpers import NOW, SECRET, new_ticket

pytestmark = pytest.mark.browser
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0)


@pytest.fixture
def survey_warehouse(tmp_path, monkeypatch, smtp_env) -> str:
    url = f"sqlite:///{tmp_path / 'survey.sqlite'}"
    demo.generate(get_engine(url), responses=3000, seed=7, end=NOW.date())
    monkeypatch.setenv("SERVICE_PULSE_SURVEY_SECRET", SECRET)
    with get_engine(url).begin() as conn:  # only the ticket below is left to invite
        conn.execute(schema.tickets.update().values(requester_email=None))
    return url


def _send_and_capture(url: str, inbox, base_url: str, monkeypatch):
    from cli import main

    monkeypatch.setenv("SERVICE_PULSE_BASE_URL", base_url)
    assert main(["surveys", "send", "--url", url]) == 0
    [(rcpt, msg)] = inbox.messages()
    inbox.clear()
    return rcpt, msg


def _links(msg) -> list[str]:
    html = msg.get_body(("html",)).get_content()
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+/\?token=[^"]+)"', html)]


def _open_and_check_recorded(page, link: str, url: str, key: int) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    expect(page.get_by_text("2 out of 10")).to_be_visible(timeout=60_000)
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    with get_engine(url).connect() as conn:
        answer = answers.current_answer(conn, key)
        item = conn.execute(sa.select(schema.recovery_items).where(schema.recovery_items.c.ticket_key == key)).one()
    assert (answer["happiness"], answer["submitted_at"], answer["comment"]) == (2, NOW, None)
    assert (item.analyst_id, item.due_at, item.alerted_at) == (5, MONDAY_NOON, None)


def _follow_up_by_keyboard(page, url: str, key: int) -> None:
    """Every control is found by its accessible name (what a screen reader announces), and the
    form is finished with the keyboard alone."""
    page.get_by_role("button", name="Slow service").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Not kept informed").focus()
    page.keyboard.press("Enter")
    for chosen in ("Slow service", "Not kept informed"):  # a screen reader hears "pressed"
        expect(page.get_by_role("button", name=chosen)).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Poor communication")).to_have_attribute("aria-pressed", "false")
    page.get_by_role("radiogroup", name="I was kept clearly informed.").get_by_role("radio", name="2").focus()
    page.keyboard.press("Space")
    page.get_by_label("How much work time did you lose? (minutes)").fill("90")
    page.keyboard.press("Tab")
    page.keyboard.type("Waited <b>three</b> days & no update")
    page.keyboard.press("Tab")  # the next stop after the comment is the Save button
    expect(page.get_by_role("button", name="Save my answers")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved. Thank you")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    with get_engine(url).connect() as conn:
        answer = answers.current_answer(conn, key)
    assert (answer["happiness"], answer["communication"], answer["lost_minutes"], answer["comment"],
            answer["factor_ids"]) == (2, 2, 90.0, "Waited <b>three</b> days & no update", [12, 17])


CONTROL_ROLES = {"button", "radio", "checkbox", "textbox", "spinbutton", "combobox", "slider", "switch",
                 "link", "menuitem", "listbox", "option", "searchbox"}


def _unnamed_controls(page, at_least: int = 1) -> list[str]:
    """Every control in Chromium's accessibility tree (what a screen reader works from) that has
    no accessible name: its role and the start of its HTML. `at_least` controls must be found."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    unnamed, controls = [], 0
    for node in nodes:
        role = (node.get("role") or {}).get("value")
        if node.get("ignored") or role not in CONTROL_ROLES:
            continue
        controls += 1
        if not str((node.get("name") or {}).get("value") or "").strip():
            html = cdp.send("DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]})
            outer = cdp.send("Runtime.callFunctionOn", {"objectId": html["object"]["objectId"],
                                                        "functionDeclaration": "function(){return this.outerHTML}",
                                                        "returnByValue": True})
            unnamed.append(f"{role}: {str(outer['result'].get('value'))[:160]}")
    cdp.detach()
    assert controls >= at_least, controls
    return unnamed


def _every_control_is_named(page) -> None:
    """The names a screen reader announces for the survey's controls; none may be empty."""
    # 13 reasons, 4 × 5 statement choices, the minutes box and its 2 steps, the comment, Save.
    assert _unnamed_controls(page, at_least=38) == []
    named = [page.get_by_role("button", name="Speed of service"), page.get_by_role("button", name="Slow service"),
             page.get_by_role("radiogroup", name="I was told realistically what would happen and when, and it did."),
             page.get_by_role("spinbutton", name="How much work time did you lose? (minutes)"),
             page.get_by_role("textbox", name="Anything else you would like to tell us?"),
             page.get_by_role("button", name="Save my answers")]
    for control in named:
        expect(control).to_have_count(1)


def _other_pages_show_nothing(page, base_url: str) -> None:
    """From the survey's session, typing another page's address shows no data of that page."""
    for path in ("coaching", "my_feedback", "culture_trends", "admin_users", "survey_answer"):
        page.goto(f"{base_url}/{path}")
        wait_for_app(page)
        body = page.locator("main").inner_text()
        assert "Thank you!" not in body and "Happiness" not in body and "@" not in body, (path, body)
        assert page.get_by_role("heading", name=re.compile("Coaching|My feedback|Culture trends|Users")).count() == 0


def _on_a_phone(browser, link: str) -> None:
    mobile = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = mobile.new_page()
    phone.set_default_timeout(60_000)
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Thank you!")).to_be_visible(timeout=60_000)
    wait_for_app(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "survey-390")
    phone.goto(link[:-6] + "AAAAAA")  # a tampered link: a message, nothing else
    expect(phone.get_by_role("heading", name="Service desk survey")).to_be_visible(timeout=60_000)
    wait_for_app(phone)
    expect(phone.get_by_text("This survey link is not valid.", exact=False)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "survey-390-invalid")
    mobile.close()


def _email_in_a_browser(browser, msg) -> None:
    """The email's HTML as a mail client shows it, on a desktop and on a phone: eleven buttons of
    at least 44 × 44 px (a finger's size), named for screen readers, and nothing wider than 390 px."""
    html = msg.get_body(("html",)).get_content()
    for width, height in ((1440, 900), (390, 700)):
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=False)
        page = context.new_page()
        page.set_content(html)
        buttons = [page.get_by_role("link", name=f"{score} out of 10", exact=True) for score in range(11)]
        boxes = [b.bounding_box() for b in buttons]
        assert all(box["width"] >= 44 and box["height"] >= 44 for box in boxes), (width, boxes)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        expect(page.get_by_role("heading", name="How happy are you with how your ticket was handled?")).to_be_visible()
        expect(page.get_by_role("link", name="Unsubscribe from these surveys")).to_be_visible()
        expect(page.get_by_text("Laptop will not dock", exact=True)).to_be_visible()
        assert _unnamed_controls(page, at_least=12) == []
        screenshot(page, f"survey-email-{width}")
        context.close()


def _form_width(page) -> float:
    """The survey form's width in CSS pixels."""
    return page.locator("[data-testid='stForm']").first.bounding_box()["width"]


def _lead_alerted(url: str, key: int, inbox) -> None:
    from notify import alerts
    from notify.config import notify_settings
    from notify.mailer import SmtpMailer

    with get_engine(url).connect() as conn:
        team_id, ticket_id = conn.execute(sa.select(schema.tickets.c.team_id, schema.tickets.c.ticket_id)
                                          .where(schema.tickets.c.ticket_key == key)).one()
    lead = lead_of_team(url, team_id)
    settings = notify_settings()
    with SmtpMailer(settings.smtp) as mailer:
        alerts.send_alerts(mailer=mailer, now=NOW + dt.timedelta(minutes=10), settings=settings, url=url)
    alert = [m for r, m in inbox.messages() if lead["email"] in r and ticket_id in m.get_body(("plain",)).get_content()]
    assert len(alert) == 1
    assert "Waited <b>three</b> days" not in alert[0].get_body(("html",)).get_content()  # escaped in HTML


def test_requester_answers_from_the_email_and_the_lead_is_alerted(survey_warehouse, smtp_env, browser,
                                                                  tmp_path, monkeypatch):
    url = survey_warehouse
    key = new_ticket(url, analyst_id=5, email="robin.fox@example.com", description="Laptop will not dock")
    (tmp_path / "app-data").mkdir()
    with serve_app(url, tmp_path / "app-data", SERVICE_PULSE_SURVEY_SECRET=SECRET) as base_url:
        rcpt, msg = _send_and_capture(url, smtp_env, base_url, monkeypatch)
        assert rcpt == ["robin.fox@example.com"]
        links = _links(msg)
        assert len(links) == 11
        _email_in_a_browser(browser, msg)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        _open_and_check_recorded(page, links[2], url, key)  # the "2" button; nothing clicked on the page
        screenshot(page, "survey-1440")
        narrow = _form_width(page)
        assert narrow <= 800, narrow  # the centred layout, not the app's wide one
        _every_control_is_named(page)
        _follow_up_by_keyboard(page, url, key)
        screenshot(page, "survey-1440-saved")
        assert _form_width(page) == narrow  # the same layout after "Save" (it used to turn wide)
        _other_pages_show_nothing(page, base_url)
        _on_a_phone(browser, links[2])
        context.close()
    _lead_alerted(url, key, smtp_env)
