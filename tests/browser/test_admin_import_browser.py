"""End to end in headless Chromium: the admin uploads an export with bad rows, imports it, reads the
report on the page and downloads it. Runs its own app on a private warehouse (imports write)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from data_access import demo, schema
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.writes import users
from tests.browser.conftest import PROJECT_ROOT, serve_app
from tests.browser.helpers import login, screenshot, scroll_to, wait_for_app

pytestmark = pytest.mark.browser
SAMPLE = PROJECT_ROOT / "samples" / "generic_tickets_bad_rows.csv"
PASSWORD = "import-browser-Test-2026"


@pytest.fixture(scope="module")
def import_app(tmp_path_factory):
    """(base URL, database URL) of the app serving a private small demo warehouse."""
    work = tmp_path_factory.mktemp("import-browser")
    url = f"sqlite:///{work / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=2_000, seed=7, end=dt.date(2026, 11, 20))
    # Once real rows are in, the demo password no longer signs anyone in: these accounts get their own.
    for username in ("admin", "ivan.schmidt", "soren.nunez"):
        users.set_password(scope=Scope("admin"), username=username, password=PASSWORD, url=url)
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
    login(page, "admin", PASSWORD, timeout=120_000)
    page.get_by_role("link", name=re.compile("Data")).first.click()
    page.get_by_role("heading", name="Data").wait_for()
    wait_for_app(page)
    page.locator('input[type="file"]').first.set_input_files(str(SAMPLE))
    page.get_by_text("Preview", exact=False).first.wait_for(timeout=60_000)
    wait_for_app(page)
    scroll_to(page, page.get_by_text("Would be rejected"))
    screenshot(page, "admin-import-preview")
    # A demo warehouse asks first and recommends a fresh one.
    assert page.get_by_role("button", name="Import tickets").is_disabled()
    assert page.get_by_text("python -m data_access warehouse new real", exact=False).first.is_visible()
    page.get_by_text("Import into the demo warehouse anyway").first.click()
    wait_for_app(page)
    # The file was sniffed and its preset detected from the header.
    assert page.get_by_text("CSV, utf-8, comma-separated · 15 columns").is_visible()
    assert page.locator('[data-testid="stSelectbox"] input').first.get_attribute("aria-label") is not None

    page.get_by_role("button", name="Import tickets").click()
    page.get_by_text(re.compile("Import finished: 9 rows read")).wait_for(timeout=60_000)
    wait_for_app(page)
    assert _metric(page, "Inserted") == "3"
    assert _metric(page, "Rejected") == "6"
    assert page.get_by_text("warning: fax → other: 1 rows", exact=False).first.is_visible()
    assert page.get_by_text("Created analysts: Ann Lee").is_visible()
    scroll_to(page, page.get_by_text("Rejected rows", exact=False).first)
    screenshot(page, "admin-import-report")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download report (Markdown)").first.click()
    saved = tmp_path / "report.md"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "| rejected | 6 |" in text and "| inserted | 3 |" in text and "| skipped | 0 |" in text
    for reason in ("resolved\\_at before opened\\_at",
                   "unknown date format '31/31/2024'", "duplicate ticket in file (B-1)"):
        assert reason in text

    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Download rejected rows")).first.click()
    csv_path = tmp_path / "rejects.csv"
    info.value.save_as(csv_path)
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 7  # header + 6 rejected rows
    assert lines[0] == SAMPLE.read_text(encoding="utf-8").splitlines()[0] + ",line,column,reason"

    # What the page reported is what the warehouse holds.
    with get_engine(db_url).connect() as conn:
        run = conn.execute(sa.select(schema.import_runs)).one()
        landed = conn.execute(sa.select(schema.tickets.c.ticket_id, schema.tickets.c.requester)
                              .where(schema.tickets.c.ticket_id.like("B-%")).order_by("ticket_id")).all()
    assert (run.rows_read, run.inserted, run.rejected) == (9, 3, 6)
    assert [tuple(r) for r in landed] == [("B-1", "Ok Row"), ("B-3", "Unknown channel"), ("B-8", "=SUM(A1:A9)")]

    assert _metric(page, "Data") == "Demo + imported"   # demo rows stay: never just "Imported"
    page.get_by_role("tab", name="Import history & quarantine").click()
    page.get_by_text("Rejected rows of run").wait_for()
    wait_for_app(page)
    screenshot(page, "admin-import-quarantine")


def test_mapping_saved_on_the_page_imports_identically_from_the_cli(import_app, page, tmp_path):
    """A long-format survey: the page suggests the question → field table, the admin downloads the
    mapping and imports; the CLI with that file lands the same answers in another warehouse."""
    from cli import main
    from tests.importer.helpers import do_import, landed_responses, ready
    from tests.importer.test_long_format import servicenow_long

    base, db_url = import_app
    tickets = PROJECT_ROOT / "samples" / "servicenow_incidents.csv"
    do_import(db_url, "tickets", tickets)
    survey = servicenow_long(tmp_path / "asmt_metric_result.csv")
    page.goto(base)
    login(page, "admin", PASSWORD, timeout=120_000)
    page.get_by_role("link", name=re.compile("Data")).first.click()
    page.get_by_role("heading", name="Data").wait_for()
    wait_for_app(page)
    page.get_by_role("tab", name="Import responses").click()
    wait_for_app(page)
    (page.locator('[data-testid="stFileUploader"]').filter(has_text="Responses export")
     .locator('input[type="file"]').set_input_files(str(survey)))
    page.get_by_text("Questions in the file").wait_for(timeout=60_000)
    wait_for_app(page)
    scroll_to(page, page.get_by_role("button", name="Download this mapping (.toml)").last)
    screenshot(page, "admin-import-long-questions")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download this mapping (.toml)").last.click()
    saved = tmp_path / "asmt.toml"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert '"I was kept clearly informed" = "communication"' in text
    page.get_by_text("Import into the demo warehouse anyway").last.click()
    wait_for_app(page)
    page.get_by_role("button", name="Import responses").click()
    page.get_by_text(re.compile("Import finished: 5 rows read")).wait_for(timeout=60_000)
    wait_for_app(page)

    other = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    schema.create_schema(get_engine(other))
    ready(other)
    do_import(other, "tickets", tickets)
    assert main(["import", "responses", str(survey), "--mapping", str(saved), "--url", other]) == 1  # 1 duplicate
    page_rows = [r for r in landed_responses(db_url) if r[0] in {"INC0010231", "INC0010232", "INC0010240"}]
    assert landed_responses(other) == page_rows and len(page_rows) == 3


def test_import_on_the_demo_keeps_everyone_working(import_app, browser):
    """Sessions of a lead and an analyst open across the admin's import keep working, and so
    does the admin's own; nobody sees the 'not configured safely' stop."""
    from tests.browser.conftest import VIEWPORT

    base, _ = import_app
    pages = {}
    for user, heading in (("ivan.schmidt", "Coaching"), ("soren.nunez", "My feedback"), ("admin", "Data")):
        pg = browser.new_context(viewport=VIEWPORT).new_page()
        pg.set_default_timeout(60_000)
        pg.goto(base)
        login(pg, user, PASSWORD, timeout=120_000)
        if user == "admin":
            pg.get_by_role("link", name=re.compile("Data")).first.click()
        pg.get_by_role("heading", name=heading).first.wait_for()
        pages[user] = (pg, heading)
    admin = pages["admin"][0]
    wait_for_app(admin)
    (admin.locator('[data-testid="stFileUploader"]').filter(has_text="Tickets export")
     .locator('input[type="file"]').set_input_files(str(PROJECT_ROOT / "samples" / "generic_tickets.csv")))
    admin.get_by_text("Import into the demo warehouse anyway").first.wait_for(timeout=60_000)
    wait_for_app(admin)
    admin.get_by_text("Import into the demo warehouse anyway").first.click()
    wait_for_app(admin)
    admin.get_by_role("button", name="Import tickets").click()
    admin.get_by_text(re.compile("Import finished: 3 rows read")).wait_for(timeout=60_000)
    admin.get_by_role("link", name=re.compile("Users")).first.click()
    admin.get_by_role("heading", name="Users").first.wait_for()
    for user, (pg, heading) in pages.items():
        pg.reload()
        pg.locator('[data-testid="stSidebar"]').get_by_text(f"@{user}", exact=True).wait_for(timeout=120_000)
        if user != "admin":
            pg.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
        wait_for_app(pg, 120_000)
        assert pg.get_by_text("not configured safely", exact=False).count() == 0
        screenshot(pg, f"after-demo-import-{user.split('.')[0]}")
        pg.context.close()


COMBINED_FLAGS = ["--with-responses", "--set", "ticket_type=incident", "--value", "channel:Social Media=social",
                  "--map", "happiness=csat", "--scale", "1-5", "--map", "ticket_id=id", "--map", "service=category",
                  "--map", "opened_at=created", "--map", "resolved_at=closed", "--map", "analyst=assignee",
                  "--map", "state=status", "--map", "comment=csat_comment"]


def _counts(report: str) -> list[str]:
    """The count lines and notes of a Markdown import report (no run ids, times or file names)."""
    return [line for line in report.splitlines() if line.startswith(("| ", "- ")) and "created" not in line]


def test_mapping_saved_by_the_cli_imports_identically_on_the_page(import_app, page, tmp_path):
    """The reverse: the combined helpdesk file imported from the CLI with every flag and
    --save-mapping; the admin uploads the same file and that mapping on the page and gets the same
    rows and the same report counts (tickets and answers)."""
    from cli import main
    from tests.importer.helpers import landed_responses, landed_tickets, ready

    base, db_url = import_app
    combined = PROJECT_ROOT / "samples" / "generic_helpdesk_combined.csv"
    other = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    schema.create_schema(get_engine(other))
    ready(other)
    saved, cli_report = tmp_path / "helpdesk.toml", tmp_path / "cli-report.md"
    assert main(["import", "tickets", str(combined), *COMBINED_FLAGS, "--save-mapping", str(saved),
                 "--report", str(cli_report), "--url", other]) == 1  # the sample has one bad row
    assert '"ticket_type" = "incident"' in saved.read_text(encoding="utf-8")

    page.goto(base)
    login(page, "admin", PASSWORD, timeout=120_000)
    page.get_by_role("link", name=re.compile("Data")).first.click()
    page.get_by_role("heading", name="Data").wait_for()
    wait_for_app(page)
    (page.locator('[data-testid="stFileUploader"]').filter(has_text="Tickets export")
     .locator('input[type="file"]').set_input_files(str(combined)))
    mapping_box = page.locator('[data-testid="stFileUploader"]').filter(has_text="Saved mapping").first
    mapping_box.wait_for(timeout=60_000)
    wait_for_app(page)
    mapping_box.locator('input[type="file"]').set_input_files(str(saved))
    wait_for_app(page)
    page.get_by_text("Import into the demo warehouse anyway").first.click()
    wait_for_app(page)
    screenshot(page, "admin-import-cli-mapping")
    page.get_by_role("button", name="Import tickets").click()
    page.get_by_text(re.compile(r"Import finished: 10 rows read")).wait_for(timeout=60_000)
    wait_for_app(page)
    screenshot(page, "admin-import-cli-mapping-report")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download report (Markdown)").first.click()
    page_report = tmp_path / "page-report.md"
    info.value.save_as(page_report)

    assert _counts(page_report.read_text(encoding="utf-8")) == _counts(cli_report.read_text(encoding="utf-8"))
    ids = {r[0] for r in landed_tickets(other)}
    assert ids and {r[0] for r in landed_tickets(db_url) if r[0] in ids} == ids
    assert [r for r in landed_tickets(db_url) if r[0] in ids] == landed_tickets(other)
    assert [r for r in landed_responses(db_url) if r[0] in ids] == landed_responses(other)
