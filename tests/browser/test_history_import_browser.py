"""Two years of history imported into an empty warehouse, then looked at in headless Chromium:
the lead's Recovery queue holds the recovery window's items only, and the CIO's recovery tile
shows no rate (with its reason) rather than a flood of last year's customers at 0 %. Screenshots
for a person to look at."""

from __future__ import annotations

import re

import pytest

from bench import app_server
from data_access import schema
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.writes import users
from tests.browser.helpers import ARTIFACTS, login, logout, screenshot, wait_for_app
from tests.importer.conftest import PINNED_TODAY
from tests.importer.helpers import do_import, ready
from tests.importer.test_history_and_folder import two_years

pytestmark = pytest.mark.browser
PASSWORD = "history-import-Test-2026"


@pytest.fixture(scope="module")
def history_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("history-browser")
    url = f"sqlite:///{work / 'real.sqlite'}"
    schema.create_schema(get_engine(url))
    ready(url)
    mp = pytest.MonkeyPatch()
    mp.setenv("SERVICE_PULSE_TODAY", PINNED_TODAY)
    t, r, recent, _ = two_years(work)
    do_import(url, "tickets", t)
    do_import(url, "responses", r)
    mp.undo()
    admin = Scope("admin")
    users.add_user(scope=admin, username="lee.lead", display_name="Lee Lead", password=PASSWORD,
                   roles=["lead"], team_ids=[1], url=url)
    users.add_user(scope=admin, username="cia.cio", display_name="Cia Cio", password=PASSWORD,
                   roles=["cio"], url=url)
    with app_server.serve_app(url, work, today=PINNED_TODAY, timeout=120) as (base, _proc):
        yield base, recent


def test_lead_queue_and_cio_tile_after_two_years_of_history(history_app, page):
    base, recent = history_app
    page.goto(base)
    login(page, "lee.lead", PASSWORD, timeout=120_000)
    page.get_by_role("heading", name="Coaching").first.wait_for(timeout=120_000)
    page.get_by_role("tab", name="Recovery queue").click()
    page.get_by_text(re.compile(r"\d+ items? match")).first.wait_for(timeout=60_000)
    wait_for_app(page)
    caption = page.get_by_text(re.compile(r"\d+ items? match")).first.inner_text()
    assert f"{recent} items match" in caption  # the window's 9, not 466 unhappy answers of two years
    screenshot(page, "history-import-lead-queue")

    # Sign out through the sidebar and wait for the form (a page.goto straight after the click
    # could still carry the lead's cookie), then sign in at the app's root, not at /coaching.
    logout(page, timeout=120_000)
    login(page, "cia.cio", PASSWORD, base_url=base, timeout=120_000)
    page.get_by_role("heading", name="Culture trends").first.wait_for(timeout=120_000)
    # Whole weeks (one answer a day: a part-week at either end would be too small a group to show).
    page.goto(f"{base}/?period=custom&from=2025-10-20&to=2026-10-11")  # the CIO lands on Culture trends
    page.get_by_role("tab", name="Culture and teams").click(timeout=120_000)  # where the recovery tile lives
    page.get_by_text("Recovery contacts in time").first.wait_for(timeout=120_000)
    wait_for_app(page, 120_000)
    tile = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text("Recovery contacts in time",
                                                                                 exact=True))
    assert tile.locator('[data-testid="stMetricValue"]').inner_text().strip() == "—"
    # Tracking began with the import: the window's 9 items are in the queue, not in the rate (no 0 %).
    page.get_by_text("no recovery items due since tracking began on 15 Oct 2026").first.wait_for()
    main_text = page.locator('[data-testid="stMain"]').inner_text()
    assert "466" not in main_text and "457" not in main_text
    screenshot(page, "history-import-cio-recovery")
    column = page.locator('[data-testid="stColumn"]').filter(has_text="Recovery contacts in time").last
    column.screenshot(path=str(ARTIFACTS / "history-import-cio-recovery-tile.png"))  # the tile and its reason
