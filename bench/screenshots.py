"""Screenshots of every page for every role, light and dark, desktop and phone, to look at.

    python -m bench.screenshots [--out test-artifacts/screens] [--sizes 1440x900,390x844]

Serves the app on a small demo warehouse (SQLite, built once into the output folder), signs in
through the real form in headless Chromium and saves one PNG per role × page × theme × size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import sqlalchemy as sa

from bench import app_server
from data_access import demo, rollups, schema
from data_access.engine import get_engine
from data_access.surveys import tokens

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
END = dt.date(2026, 11, 20)
# Narrow sizes are taken as a phone would ask (Chrome on Android): pages may fold for phones.
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/131.0.0.0 Mobile Safari/537.36")
# Signs the survey links of the screenshot warehouse only (passed to the app it serves).
SURVEY_SECRET = "screenshots-only-survey-secret-0123456789abcdef"
# (username, url paths of the pages that role lands on or may open)
# The first path is the role's landing page, served at the root (its own address is not a page).
ROLES = {
    "cio": ("cio", ["culture-trends", "settings"]),
    "lead": ("ivan.schmidt", ["coaching", "culture-trends", "my-feedback", "settings"]),
    "analyst": ("chloe.jansen", ["my-feedback", "settings"]),
    "admin": ("admin", ["data", "users", "settings"]),
}
MAIN_HEIGHT = """() => { const m = document.querySelector('[data-testid="stMain"]');
  return m ? m.scrollHeight + 40 : 0; }"""
BUSY = """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"],'
  + '[data-testid="stSkeleton"], [data-stale="true"]')"""


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=90_000)
    for _ in range(2):
        page.wait_for_function(BUSY, timeout=90_000)
        page.wait_for_timeout(600)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Sign in")
    form.wait_for(timeout=90_000)
    _settle(page)
    form.get_by_label("Username", exact=True).fill(username)
    form.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
    form.get_by_role("button", name=re.compile("Sign in")).click()
    page.locator('[data-testid="stSidebar"]').get_by_text(f"@{username}", exact=True).wait_for(timeout=90_000)
    _settle(page)


def _whole_page(page, width: int, height: int, target: Path) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its main block, so the viewport is
    stretched to the content's height first (and put back afterwards)."""
    first = target.with_name(target.stem + "-first-screen.png")
    page.screenshot(path=str(first))
    tall = page.evaluate(MAIN_HEIGHT) or height
    page.set_viewport_size({"width": width, "height": min(max(tall, height), 12_000)})
    _settle(page)
    page.screenshot(path=str(target))
    page.set_viewport_size({"width": width, "height": height})


def capture(base: str, out: Path, sizes: list[tuple[int, int]], themes: list[str],
            roles: list[str] | None = None, survey: str | None = None) -> list[Path]:
    """One PNG per role × page × theme × size; returns the files written."""
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for theme in themes:
            for width, height in sizes:
                for role, (username, paths) in ROLES.items():
                    if roles and role not in roles:
                        continue
                    phone = {"user_agent": PHONE_AGENT, "is_mobile": True, "has_touch": True} if width < 700 else {}
                    context = browser.new_context(viewport={"width": width, "height": height},
                                                  color_scheme=theme, **phone)
                    page = context.new_page()
                    _sign_in(page, base, username)
                    for index, path in enumerate(paths):
                        page.goto(f"{base}/" if index == 0 else f"{base}/{path}")
                        _settle(page)
                        target = out / f"{role}-{path}-{theme}-{width}.png"
                        _whole_page(page, width, height, target)
                        written.append(target)
                    context.close()
                if survey and (not roles or "survey" in roles):
                    written.append(_survey(browser, survey, out / f"survey-{theme}-{width}.png", theme,
                                           (width, height)))
        browser.close()
    return written


def _survey(browser, link: str, target: Path, theme: str, size: tuple[int, int]) -> Path:
    """The requester's survey page, opened from an e-mail link (no sign-in)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=theme)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("heading", name="Thank you!").wait_for(timeout=90_000)
    _settle(page)
    _whole_page(page, size[0], size[1], target)
    context.close()
    return target


def survey_token(url: str) -> str:
    """A closed ticket with a survey invitation sent an hour before "today" noon; its score-8 token."""
    now = dt.datetime.combine(END, dt.time(12))
    with get_engine(url).begin() as conn:
        key = conn.execute(sa.select(sa.func.max(schema.tickets.c.ticket_key))).scalar_one() + 1
        team = conn.execute(sa.select(schema.analysts.c.team_id).where(schema.analysts.c.analyst_id == 1)).scalar_one()
        with rollups.maintained(conn, [key]):
            conn.execute(schema.tickets.insert().values(
                ticket_key=key, ticket_id=f"INC9{key:07d}", ticket_type="incident", channel="email", service_id=1,
                priority=3, opened_at=now - dt.timedelta(hours=5), resolved_at=now - dt.timedelta(hours=2),
                analyst_id=1, team_id=team, reassignment_count=0, reopened=False, sla_met=True,
                first_contact_resolution=False, requester="Pat Doe", requester_email="pat.doe@example.com"))
        expires = now + dt.timedelta(days=14)
        invitation = conn.execute(schema.survey_invitations.insert().values(
            ticket_key=key, requester_email="pat.doe@example.com", created_at=now - dt.timedelta(hours=1),
            sent_at=now - dt.timedelta(hours=1), expires_at=expires, state="sent", attempts=1)
            .returning(schema.survey_invitations.c.invitation_id)).scalar_one()
    return tokens.score_token(SURVEY_SECRET, int(invitation), 8, expires)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("test-artifacts/screens"))
    parser.add_argument("--sizes", default="1440x900,390x844")
    parser.add_argument("--themes", default="light,dark")
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--roles", default="", help="comma-separated subset of " + ", ".join(ROLES)
                        + ", survey")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "screens.sqlite"
    url = f"sqlite:///{db.resolve()}"
    if not db.exists():
        demo.generate(get_engine(url), responses=args.responses, seed=7, end=END)
    token = survey_token(url)
    sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")]
    (args.out / "data").mkdir(exist_ok=True)
    with app_server.serve_app(url, (args.out / "data").resolve(), today=END.isoformat(), timeout=120,
                              SERVICE_PULSE_SURVEY_SECRET=SURVEY_SECRET) as (base, _proc):
        for path in capture(base, args.out, sizes, args.themes.split(","),
                            [r for r in args.roles.split(",") if r], survey=f"{base}/?token={token}"):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
