"""Culture trends draws only the open tab: the first screen and the open tab's sections reach the
browser; another tab's sections run once it is opened (a click, a link, a saved view)."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components import culture_layout
from components.drill_link import READ_TAB, TABS_KEY
from tests.pages.test_culture_trends import CIO, PAGE, TODAY, warehouse  # noqa: F401 — the fixture

def _subheaders(at: AppTest) -> set[str]:
    return {h.value for h in at.subheader}


def _render(warehouse: str, monkeypatch, tab: str | None = None) -> AppTest:  # noqa: F811
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", warehouse)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY)
    monkeypatch.setattr(culture_layout, "EVERY_TAB", False)  # as the app runs
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = CIO
    if tab:
        at.session_state[TABS_KEY] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def test_only_the_open_tab_runs(warehouse, monkeypatch):  # noqa: F811
    at = _render(warehouse, monkeypatch)
    shown = _subheaders(at)
    # The first screen (tiles) and the Compare tab; none of the other tabs' sections.
    assert {m.label for m in at.metric} >= {"Happiness", "Change vs before"}
    assert not shown & {"Where does it hurt?", "What does it cost?", "Are green SLAs hiding unhappy users?"}
    assert at.segmented_control(key="trends_compare_by").value == "Ticket type"


@pytest.mark.parametrize("tab", ["Hotspots", "SLA and mood", READ_TAB])
def test_an_opened_tab_runs_its_sections_and_no_other(warehouse, monkeypatch, tab):  # noqa: F811
    at = _render(warehouse, monkeypatch, tab)
    shown = _subheaders(at)
    wanted = {"Hotspots": "Where does it hurt?", "SLA and mood": "Are green SLAs hiding unhappy users?",
              READ_TAB: "Read what users said"}[tab]
    assert wanted in shown | {h.value for h in at.header}
    others = {"Where does it hurt?", "Are green SLAs hiding unhappy users?", "Read what users said"} - {wanted}
    assert not (shown | {h.value for h in at.header}) & others
    assert "trends_compare_by" not in {c.key for c in at.segmented_control}  # Compare's control is not drawn


def test_the_choices_in_a_tab_outlive_a_visit_to_another(warehouse, monkeypatch):  # noqa: F811
    from components.drill_link import KIND_KEY, target_key

    at = _render(warehouse, monkeypatch)
    at.segmented_control(key="trends_compare_by").set_value("Channel").run()
    at.session_state[TABS_KEY] = READ_TAB
    at.run()
    at.segmented_control(key=KIND_KEY).set_value("month").run()
    month = at.selectbox(key=target_key("month")).value
    assert month is not None and month.kind == "month"
    at.session_state[TABS_KEY] = "Compare"
    at.run()
    assert at.segmented_control(key="trends_compare_by").value == "Channel"  # kept while Read was open
    at.session_state[TABS_KEY] = READ_TAB
    at.run()
    assert at.segmented_control(key=KIND_KEY).value == "month"
    assert at.selectbox(key=target_key("month")).value == month
    assert not at.warning and not at.exception
