"""End to end in headless Chromium: each demo role signs in, sees its own pages, and signs out."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from data_access import demo
from tests.browser.conftest import BROWSER_DEMO_END
from tests.browser.helpers import SIDEBAR, login, logout, screenshot, wait_for_app, wait_for_auth_cookie

pytestmark = pytest.mark.browser

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = {"Culture trends": "pages/culture_trends.py", "Coaching": "pages/coaching.py",
              "My feedback": "pages/my_feedback.py", "Data": "pages/admin_data.py",
              "Users": "pages/admin_users.py", "My settings": "pages/preferences.py"}

# username → (landing pages in order of preference, entries that must be there, entries that must not)
ROLES = {
    "cio": (["Culture trends"], ["My settings"], ["Coaching", "My feedback", "Users"]),
    "ivan.schmidt": (["Coaching"], ["Culture trends", "My feedback", "My settings"], ["Users", "Data"]),
    "soren.nunez": (["My feedback"], ["My settings"], ["Coaching", "Culture trends", "Users"]),
    "admin": (["Data", "Users"], ["Users", "My settings"], ["Coaching", "My feedback", "Culture trends"]),
}


def _nav_labels(page) -> list[str]:
    links = page.locator(f'{SIDEBAR} [data-testid="stSidebarNavLink"]')
    # A link reads "<icon name>\n\n<title>": keep the title.
    return [t.strip().split("\n")[-1].strip() for t in links.all_inner_texts()]


def test_login_page_is_branded_and_masks_the_password(app_url, page):
    page.goto(app_url)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Sign in")
    form.wait_for()
    assert page.get_by_text("Service Pulse").first.is_visible()
    assert form.get_by_label("Password", exact=True).get_attribute("type") == "password"
    # The pages of the app are not reachable before signing in.
    assert _nav_labels(page) == []
    wait_for_app(page)
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
    landings, present, absent = ROLES[username]
    login(page, username, base_url=app_url)
    labels = _nav_labels(page)
    sidebar_text = page.locator(SIDEBAR).inner_text()
    assert "Demo data" in sidebar_text and "Log out" in sidebar_text
    assert f"@{username}" in sidebar_text
    assert not set(absent) & set(labels)
    for title in present:
        if title in PAGE_FILES and (PROJECT_ROOT / PAGE_FILES[title]).is_file():
            assert title in labels
    landing = next(t for t in landings if (PROJECT_ROOT / PAGE_FILES[t]).is_file())
    heading = page.locator('[data-testid="stMain"] h1').first
    expect(heading).to_contain_text(landing, timeout=30_000)
    wait_for_app(page)
    page.wait_for_timeout(1500)  # let charts finish drawing before the screenshot
    screenshot(page, f"landing-{username}")


def test_forbidden_url_shows_the_landing_page_instead(app_url, page):
    login(page, "soren.nunez", base_url=app_url)
    cookie = wait_for_auth_cookie(page)          # written by a small component in the page
    assert cookie["sameSite"] == "Strict"
    page.goto(f"{app_url}/coaching")
    # The re-authentication cookie signs the person straight back in (no form this time).
    page.locator(SIDEBAR).get_by_text("@soren.nunez", exact=True).wait_for()
    wait_for_app(page)
    assert "Coaching" not in _nav_labels(page)
    # Streamlit says the page does not exist (for this person) and shows their own page instead.
    expect(page.get_by_text("Page not found")).to_be_visible()
    expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text("My feedback")
    screenshot(page, "forbidden-url-analyst")


@pytest.mark.parametrize("username", ["cio", "ivan.schmidt"])
def test_logout_returns_to_the_sign_in_form(app_url, page, username):
    login(page, username, base_url=app_url)
    logout(page)
    assert _nav_labels(page) == []
    page.reload()
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for()


def test_admin_users_page(app_url, page):
    login(page, "admin", base_url=app_url)
    page.locator(SIDEBAR).get_by_role("link", name="Users").click()
    expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text("Users")
    wait_for_app(page)
    expect(page.get_by_text("All users (")).to_be_visible()
    screenshot(page, "admin-users")


def _count_script_runs(page) -> list[str]:
    """Every script run the server starts for this page (one NewSession message per run)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    runs: list[str] = []

    def on_frame(payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(bytes(payload))
        except Exception:  # noqa: BLE001 — not a ForwardMsg: not a run
            return
        if msg.WhichOneof("type") == "new_session":
            runs.append(msg.new_session.page_script_hash)

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return runs


def test_signing_in_runs_the_landing_page_once(app_url, page):
    """Measured: the landing page is not run twice (no cookie report reruns it half-way)."""
    runs = _count_script_runs(page)
    page.goto(app_url)
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for()
    wait_for_app(page)
    page.wait_for_timeout(1500)
    assert len(runs) == 1                               # opening the sign-in page: one run
    login(page, "cio")
    expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text("Culture trends")
    wait_for_app(page)
    page.wait_for_timeout(2000)
    assert len(runs) == 2                               # the sign-in click: one more run, no rerun
    page.goto(app_url)                                  # a new tab: the cookie signs in
    page.locator(SIDEBAR).get_by_text("@cio", exact=True).wait_for()
    wait_for_app(page)
    page.wait_for_timeout(1500)
    assert len(runs) == 3


def _crafted_tokens() -> dict[str, str]:
    import base64
    import json
    import time

    import jwt

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"username": "cio", "iat": now, "epoch": 0, "exp": now + 3600}
    return {
        "alg-none": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}.",
        "hs512-guessed-key": jwt.encode(claims, "x" * 64, algorithm="HS512"),
        "hs256-guessed-key": jwt.encode(claims, "some_key", algorithm="HS256"),
        "garbage": "definitely-not-a-token",
    }


@pytest.mark.parametrize("name", list(_crafted_tokens()))
def test_a_crafted_cookie_shows_the_sign_in_form(app_url, page, name):
    host = app_url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
    page.context.add_cookies([{"name": "service_pulse_auth", "value": _crafted_tokens()[name],
                               "domain": host, "path": "/"}])
    page.goto(app_url)
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for()
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert _nav_labels(page) == []


def test_demo_password_is_replaced_at_sign_in_once_real_data_is_in(browser, tmp_path):
    """A mixed warehouse (demo + an import): the demo password leads to the new-password form."""
    import sqlite3

    from data_access import schema
    from data_access.engine import get_engine
    from tests.browser.conftest import VIEWPORT, serve_app

    source = tmp_path / "mixed.sqlite"
    demo.generate(get_engine(f"sqlite:///{source}"), responses=2_000, seed=7, end=BROWSER_DEMO_END)
    url = f"sqlite:///{source}"
    with get_engine(url).begin() as conn:   # what an import writes
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin")
                     .values(value="imported"))
    (tmp_path / "data").mkdir()
    with serve_app(url, tmp_path / "data") as base_url:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(base_url)
        form = page.locator('[data-testid="stForm"]').filter(has_text="Sign in")
        form.wait_for()
        wait_for_app(page)
        form.get_by_label("Username", exact=True).fill("cio")
        form.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
        form.get_by_role("button", name="Sign in").click()
        change = page.locator('[data-testid="stForm"]').filter(has_text="Set your own password")
        change.wait_for()
        expect(page.get_by_text("still uses the demo's shared password")).to_be_visible()
        wait_for_app(page)
        screenshot(page, "demo-password-change")
        change.get_by_label("New password", exact=True).fill("my own new password")
        change.get_by_label("Repeat it", exact=True).fill("my own new password")
        change.get_by_role("button", name="Save and sign in").click()
        page.locator(SIDEBAR).get_by_text("@cio", exact=True).wait_for()
        expect(page.get_by_text("Demo + imported data")).to_be_visible()
        wait_for_auth_cookie(page)
        context.close()


def test_a_link_to_a_page_survives_the_sign_in(app_url, page):
    """A link from a digest opens the sign-in form at that address, then the linked page itself."""
    page.goto(app_url)  # a fresh server's first run is sent through app.py; warm it like a real one
    wait_for_app(page)
    page.goto(f"{app_url}/my-feedback")
    wait_for_app(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    login(page, "ivan.schmidt")  # a lead who is also an analyst: My feedback is not his landing page
    assert page.url.split("?")[0].endswith("/my-feedback")
    expect(page.get_by_role("heading", name="My feedback")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)
