"""Class 5 through the import: an export whose analyst, team and service names are hostile lands
as is, and the admin import panel reports the created names as text (no live link or image)."""

from __future__ import annotations

import csv

from streamlit.testing.v1 import AppTest

from data_access import schema
from tests.hostile import HOSTILE_NAMES
from tests.importer.helpers import count, do_import, ready
from tests.markdown_detector import live_markup

HEADER = ["ticket_id", "ticket_type", "channel", "service", "priority", "opened_at", "resolved_at", "analyst",
          "team", "sla_met", "requester"]


def _panel(result) -> None:
    import streamlit as st

    from components.import_panel import show_import_result

    st.session_state["data_tickets_result"] = result
    show_import_result("tickets")


def test_hostile_names_from_an_export_are_reported_as_text(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i, name in enumerate(HOSTILE_NAMES[:8]):
            writer.writerow([f"H-{i}", "incident", "phone", f"{name} svc", "3", "2026-10-05 08:00:00",
                             "2026-10-05 09:00:00", name, f"{name} team", "true", "R"])
    result = do_import(empty_sqlite_url, "tickets", path)
    assert count(empty_sqlite_url, schema.tickets) == 8
    assert HOSTILE_NAMES[0] in result.created["analysts"]

    at = AppTest.from_function(_panel, args=(result,))
    at.run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert [c for c in captions if c.startswith("Created analysts:")]
    for text in captions + [m.value for m in at.markdown] + [s.value for s in at.success]:
        assert live_markup(text) == [], text
