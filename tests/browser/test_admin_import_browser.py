"""End to end in headless Chromium: the admin uploads an export with bad rows, imports it, reads the
report on the page and downloads it. Runs its own app on a private warehouse (imports write)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from data_access import demo, schema
from data_access.engine import get_engine
from tests.browser.conftest import PROJECT_ROOT, serve_app
from tests.browser.helpers import login, screenshot, wait_for_app

pytestmark = pytest.mark.browser
SAMPLE = PROJECT_ROOT / "samples" / "generic_tickets_bad_rows.csv"


@pytest.fixture(scope="module")
def import_app(tmp_path_factory):
    """(base URL, database URL) of the app serving a private small demo warehouse."""
    work = tmp_path_factory.mktemp("import-browser")
    url = f"sqlite:///{work / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=2_000, seed=7, end=dt.date(2026, 11, 20))
    with serve_app(url, work) as base:
        yield base, url


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).last
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_admin_imports_a_file_with_bad_rows_and_downloads_the_report(import_app, page, tmp_path):
    base, db_url = import_app
    page.goto(base)
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for(timeout=120_000)
    wait_for_app(page, 120_000)  # a form filled while the first run is still going gets reset
    page.wait_for_timeout(1_000)
    login(page, "admin", timeout=120_000)
    page.get_by_role("link", name=re.compile("Data")).first.click()
    page.get_by_role("heading", name="Data").wait_for()
    wait_for_app(page)
    page.locator('input[type="file"]').first.set_input_files(str(SAMPLE))
    page.get_by_text("Preview", exact=False).first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.get_by_text("Would be rejected").scroll_into_view_if_needed()
    screenshot(page, "admin-import-preview")
    # The file was sniffed and its preset detected from the header.
    assert page.get_by_text("CSV, utf-8, comma-separated · 15 columns").is_visible()
    assert page.locator('[data-testid="stSelectbox"] input').first.get_attribute("aria-label") is not None

    page.get_by_role("button", name="Import tickets").click()
    page.get_by_text(re.compile("Import finished: 9 rows read")).wait_for(timeout=60_000)
    wait_for_app(page)
    assert _metric(page, "Inserted") == "2"
    assert _metric(page, "Rejected") == "7"
    assert page.get_by_text("Created analysts: Ann Lee").is_visible()
    page.get_by_text("Rejected rows", exact=False).first.scroll_into_view_if_needed()
    screenshot(page, "admin-import-report")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download report (Markdown)").first.click()
    saved = tmp_path / "report.md"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "| rejected | 7 |" in text and "| inserted | 2 |" in text
    for reason in ("resolved\\_at before opened\\_at", "unknown channel 'fax'",
                   "unknown date format '31/31/2024'", "duplicate ticket in file (B-1)"):
        assert reason in text

    with page.expect_download() as info:
        page.get_by_role("button", name="Download rejected rows (CSV)").first.click()
    csv_path = tmp_path / "rejects.csv"
    info.value.save_as(csv_path)
    assert csv_path.read_text(encoding="utf-8-sig").count("\n") == 8  # header + 7 rejected rows

    # What the page reported is what the warehouse holds.
    with get_engine(db_url).connect() as conn:
        run = conn.execute(sa.select(schema.import_runs)).one()
        landed = conn.execute(sa.select(schema.tickets.c.ticket_id, schema.tickets.c.requester)
                              .where(schema.tickets.c.ticket_id.like("B-%")).order_by("ticket_id")).all()
    assert (run.rows_read, run.inserted, run.rejected) == (9, 2, 7)
    assert [tuple(r) for r in landed] == [("B-1", "Ok Row"), ("B-8", "=SUM(A1:A9)")]

    assert _metric(page, "Data") == "Demo + imported"   # demo rows stay: never just "Imported"
    page.get_by_role("tab", name="Import history & quarantine").click()
    page.get_by_text("Rejected rows of run").wait_for()
    wait_for_app(page)
    screenshot(page, "admin-import-quarantine")
