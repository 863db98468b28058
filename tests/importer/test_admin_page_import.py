"""Admin → Data (AppTest): a long-format survey's question → field table, a saved mapping
uploaded from the CLI importing identically, and the demo warehouse asking first."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access import bootstrap, demo, schema
from cli import main
from data_access.engine import get_engine
from tests.importer.helpers import SAMPLES, count, do_import, landed_responses, landed_tickets, ready
from tests.importer.test_cli_and_page import ADMIN
from tests.importer.test_long_format import Q_INFORMED, Q_SCORE, servicenow_long
from tests.importer.test_real_exports import FLAGS, export


def _page(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    st.cache_data.clear()
    at = AppTest.from_file(str(SAMPLES.parent / "pages" / "admin_data.py"), default_timeout=90)
    at.session_state["viewer"] = ADMIN
    return at.run()


def _uploader(at: AppTest, label_start: str):
    return next(u for u in at.file_uploader if u.label.startswith(label_start))


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_long_format_survey_on_the_page(empty_sqlite_url, tmp_path, monkeypatch):
    ready(empty_sqlite_url)
    do_import(empty_sqlite_url, "tickets", SAMPLES / "servicenow_incidents.csv")
    path = servicenow_long(tmp_path / "asmt.csv")
    at = _page(empty_sqlite_url, monkeypatch)
    _uploader(at, "Responses export").upload("asmt.csv", path.read_bytes(), "text/csv")
    at.run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("One row per answer (long format)") for c in captions)
    questions = next(df.value for df in at.dataframe if "question" in df.value.columns)  # the editable table
    got = dict(zip(questions["question"], questions["field"]))
    assert got[Q_SCORE] == "happiness" and got[Q_INFORMED] == "communication"
    assert got["Would you recommend the portal?"] == ""
    _button(at, "Import responses").click()
    at.run()
    assert not at.exception
    assert count(empty_sqlite_url, schema.responses) == 3
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Inserted"], metrics["Skipped"], metrics["Rejected"]) == ("3", "1", "1")


def test_cli_mapping_uploaded_on_the_page_imports_identically(empty_sqlite_url, tmp_path, monkeypatch):
    ready(empty_sqlite_url)
    path = export(tmp_path / "helpdesk.csv")
    saved = tmp_path / "helpdesk.toml"
    cli_url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    schema.create_schema(get_engine(cli_url))
    ready(cli_url)
    assert main(["import", "tickets", str(path), "--url", cli_url, *FLAGS, "--save-mapping", str(saved)]) == 1
    at = _page(empty_sqlite_url, monkeypatch)
    _uploader(at, "Tickets export").upload("helpdesk.csv", path.read_bytes(), "text/csv")
    at.run()
    _uploader(at, "Saved mapping").upload("helpdesk.toml", saved.read_bytes(), "application/toml")
    at.run()
    assert not at.exception
    assert next(c for c in at.checkbox if c.label.startswith("The file also has")).value is True
    _button(at, "Import tickets").click()
    at.run()
    assert not at.exception
    assert landed_tickets(empty_sqlite_url) == landed_tickets(cli_url)
    assert landed_responses(empty_sqlite_url) == landed_responses(cli_url)
    assert len(landed_responses(empty_sqlite_url)) == 5


def test_demo_warehouse_asks_before_importing(empty_sqlite_url, monkeypatch):
    engine = ready(empty_sqlite_url)
    with engine.begin() as conn:
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin").values(value="demo"))
        conn.execute(schema.settings.insert().values(key=demo.DEMO_MARKER, value="yes"))  # as the demo writes it
    at = _page(empty_sqlite_url, monkeypatch)
    _uploader(at, "Tickets export").upload("t.csv", (SAMPLES / "generic_tickets.csv").read_bytes(), "text/csv")
    at.run()
    assert not at.exception
    assert _button(at, "Import tickets").disabled
    assert any("python -m data_access warehouse new real" in c.value for c in at.code)
    next(c for c in at.checkbox if c.label == "Import into the demo warehouse anyway").check()
    at.run()
    assert not _button(at, "Import tickets").disabled
    _button(at, "Import tickets").click()
    at.run()
    assert count(empty_sqlite_url, schema.tickets) == 3
    assert bootstrap.data_origin(engine) == "mixed"
    assert {m.label: m.value for m in at.metric}["Data"] == "Demo + imported"


def test_combined_checkbox_before_any_mapping_shows_the_table(empty_sqlite_url, tmp_path, monkeypatch):
    """Ticking 'also has the survey answer' on a file whose columns are not mapped yet shows the
    field table (ticket and answer fields) and what is missing, not an error."""
    ready(empty_sqlite_url)
    at = _page(empty_sqlite_url, monkeypatch)
    _uploader(at, "Tickets export").upload("helpdesk.csv", export(tmp_path / "h.csv").read_bytes(), "text/csv")
    at.run()
    next(c for c in at.checkbox if c.label.startswith("The file also has")).check()
    at.run()
    assert not at.exception and not at.error
    table = next(df.value for df in at.dataframe if "field" in df.value.columns and "or constant" in df.value.columns)
    assert {"ticket_id", "happiness", "comment", "submitted_at"} <= set(table["field"])
    assert any(w.value.startswith("Map a column (or give a constant) for: ticket_id") for w in at.warning)
    assert _button(at, "Import tickets").disabled
