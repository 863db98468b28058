"""The `import` CLI (exit codes, dry run, report files) and the admin Data page (AppTest)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.viewer import Viewer
from data_access import schema
from cli import main
from data_access.importer import history
from data_access.scope import Scope, ScopeError
from tests.importer.helpers import SAMPLES, count, do_import, ready

ADMIN = Viewer(user_id=2, username="admin", display_name="Sam Admin", roles=("admin",))


def test_cli_exit_codes_dry_run_and_report(empty_sqlite_url, tmp_path, capsys):
    ready(empty_sqlite_url)
    clean = SAMPLES / "generic_tickets.csv"
    assert main(["import", "tickets", str(clean), "--dry-run", "--url", empty_sqlite_url]) == 0
    assert count(empty_sqlite_url, schema.tickets) == 0
    assert main(["import", "tickets", str(clean), "--preset", "generic", "--url", empty_sqlite_url]) == 0
    assert count(empty_sqlite_url, schema.tickets) == 3
    report = tmp_path / "report.md"
    rejects = tmp_path / "rejects.csv"
    code = main(["import", "tickets", str(SAMPLES / "generic_tickets_bad_rows.csv"), "--url", empty_sqlite_url,
                 "--report", str(report), "--rejects-csv", str(rejects)])
    assert code == 1
    assert "| rejected | 6 |" in report.read_text()
    assert "| skipped | 0 |" in report.read_text()
    header = (SAMPLES / "generic_tickets_bad_rows.csv").read_text().splitlines()[0]
    assert rejects.read_text(encoding="utf-8-sig").splitlines()[0] == header + ",line,column,reason"
    # A responses file offered as tickets is refused with a clear message and exit code 2.
    assert main(["import", "tickets", str(SAMPLES / "generic_responses.csv"), "--url", empty_sqlite_url]) == 2
    assert "looks like a responses file" in capsys.readouterr().err
    # Ambiguous dates need --day-first / --month-first.
    path = tmp_path / "d.csv"
    path.write_text((SAMPLES / "generic_tickets.csv").read_text().replace("2026-10-05 08:00:00", "05/10/2026 08:00")
                    .replace("2026-10-05 09:00:00", "05/10/2026 09:00"))
    assert main(["import", "tickets", str(path), "--url", empty_sqlite_url]) == 2
    assert main(["import", "tickets", str(path), "--day-first", "--url", empty_sqlite_url]) == 0


def test_history_is_admin_only(empty_sqlite_url):
    engine = ready(empty_sqlite_url)
    do_import(empty_sqlite_url, "tickets", SAMPLES / "generic_tickets_bad_rows.csv")
    runs = history.recent_runs(engine, scope=Scope("admin"))
    assert runs.select("kind", "rows_read", "inserted", "rejected").row(0) == ("tickets", 9, 3, 6)
    assert history.run_rejects(engine, scope=Scope("admin"), run_id=runs["run_id"][0]).height == 6
    with pytest.raises(ScopeError):
        history.recent_runs(engine, scope=Scope("cio"))
    for dialect in ("sqlite", "postgresql"):
        history.recent_runs_query().compile(dialect=sa.create_engine(f"{dialect}://").dialect)


def _page(url: str, monkeypatch, viewer: Viewer) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    st.cache_data.clear()
    at = AppTest.from_file(str(SAMPLES.parent / "pages" / "admin_data.py"), default_timeout=60)
    at.session_state["viewer"] = viewer
    return at.run()


def test_admin_page_shows_what_the_warehouse_holds(empty_sqlite_url, monkeypatch):
    ready(empty_sqlite_url)
    do_import(empty_sqlite_url, "tickets", SAMPLES / "servicenow_incidents.csv")
    do_import(empty_sqlite_url, "responses", SAMPLES / "servicenow_survey.csv")
    at = _page(empty_sqlite_url, monkeypatch, ADMIN)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Tickets": "4", "Responses": "3", "Response rate": "75.0%", "Data": "Imported"}
    assert [i.value for i in at.info][:2] == ["Choose a tickets file exported from your ITSM or survey tool.",
                                              "Choose a responses file exported from your ITSM or survey tool."]


def test_admin_page_refuses_other_roles(empty_sqlite_url, monkeypatch):
    ready(empty_sqlite_url)
    cio = Viewer(user_id=1, username="cio", display_name="Morgan Reyes", roles=("cio",))
    at = _page(empty_sqlite_url, monkeypatch, cio)
    assert [e.value for e in at.error] == ["This page is not available for your role."]
    assert not at.metric
