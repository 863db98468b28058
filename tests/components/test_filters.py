"""Filters: presets, link parsing with notices, link writing, and re-focusing from a chart click."""

import datetime as dt

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.filters import (FilterOptions, FilterState, parse_params, preset_period, summary, to_filters,
                                to_params)

TODAY = dt.date(2026, 11, 20)
OPTIONS = FilterOptions(services={1: "Email", 2: "VPN"}, teams={3: "Alpha", 4: "Beta"})


def test_presets_are_whole_weeks_up_to_the_last_full_one_on_every_page():
    # Friday 20 November 2026: the open week starts on Monday 16th, so periods end on Sunday 15th.
    end = dt.date(2026, 11, 16)
    assert preset_period("90d", TODAY) == (dt.date(2026, 8, 17), end)   # the 13 weeks before this one
    assert preset_period("30d", TODAY) == (dt.date(2026, 10, 12), end)  # 5 weeks
    assert preset_period("ytd", TODAY) == (dt.date(2026, 1, 5), end)    # 1 Jan 2026 is a Thursday
    assert preset_period("12m", TODAY) == (dt.date(2025, 12, 1), end)   # 1 Dec 2025 is a Monday
    # Longer horizons start on the first Monday of the month 23 or 35 months back.
    assert preset_period("24m", TODAY) == (dt.date(2024, 12, 2), end)   # 1 Dec 2024 is a Sunday
    assert preset_period("36m", TODAY) == (dt.date(2023, 12, 4), end)   # 1 Dec 2023 is a Friday
    # On a Monday the week just ended is the last one; 1 Feb 2025 is a Saturday.
    assert preset_period("12m", dt.date(2026, 1, 5)) == (dt.date(2025, 2, 3), dt.date(2026, 1, 5))
    # A Saturday: its week is still open; 1 Feb 2023 is a Wednesday.
    assert preset_period("36m", dt.date(2026, 1, 31)) == (dt.date(2023, 2, 6), dt.date(2026, 1, 26))


def test_priority_filter_in_the_link_is_validated():
    state, notices = parse_params({"period": "24m", "priority": "2,9,x,2,1"}, OPTIONS, TODAY)
    assert state == FilterState(preset="24m", priorities=(2, 1))
    assert notices == ["priority “9”", "priority “x”"]
    assert to_params(state) == {"period": "24m", "priority": "2,1"}
    assert to_filters(state, TODAY).priorities == (1, 2)
    assert to_filters(state, TODAY).previous().priorities == (1, 2)


def test_folded_filters_name_the_current_choice():
    assert summary(FilterState(), OPTIONS) == "Last 12 months"
    assert summary(FilterState(preset="36m", channels=("email",), service_ids=(1, 2), team_ids=(3, 4, 99),
                               priorities=(1,)), OPTIONS) == \
        "Last 36 months · Email · Email, VPN · Alpha and 2 more · P1 critical"
    assert summary(FilterState(preset="custom", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 29)), OPTIONS) == \
        "2 Mar 2026 – 29 Mar 2026"


def test_presets_mean_the_same_with_and_without_custom_range_snapping():
    # On a Monday the week just ended is the last one; 1 Oct 2025 is a Wednesday, so 12m starts on 6 Oct 2025.
    assert preset_period("12m", dt.date(2026, 9, 7)) == (dt.date(2025, 10, 6), dt.date(2026, 9, 7))
    # Before the year's first whole week has ended, year to date is the last whole week.
    assert preset_period("ytd", dt.date(2026, 1, 8)) == (dt.date(2025, 12, 29), dt.date(2026, 1, 5))
    for preset in ("30d", "90d", "12m", "24m", "36m", "ytd"):
        state = FilterState(preset=preset)
        org, personal = to_filters(state, TODAY, weeks=True), to_filters(state, TODAY)
        assert (org.start, org.end) == (personal.start, personal.end) == preset_period(preset, TODAY)
        assert org.start.weekday() == 0 and (org.end - org.start).days % 7 == 0


def test_custom_range_is_inclusive_of_its_last_day():
    state = FilterState(preset="custom", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    f = to_filters(state, TODAY)
    assert (f.start, f.end) == (dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def test_link_round_trip():
    state = FilterState(preset="custom", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31),
                        ticket_types=("incident",), channels=("email", "chat"), service_ids=(2,), team_ids=(3, 4))
    params = to_params(state)
    assert params == {"period": "custom", "from": "2026-03-01", "to": "2026-03-31", "type": "incident",
                      "channel": "email,chat", "service": "2", "team": "3,4"}
    assert parse_params(params, OPTIONS, TODAY) == (state, [])
    assert to_params(FilterState()) == {}


@pytest.mark.parametrize("params, ignored", [
    ({"period": "decade"}, ["period “decade”"]),
    ({"channel": "email,pigeon"}, ["channel “pigeon”"]),
    ({"service": "1,x,9"}, ["service “x”", "service “9”"]),
    ({"team": ["3", "5"]}, ["team “5”"]),
    ({"type": "problem"}, ["ticket type “problem”"]),
    ({"period": "custom", "from": "2026-02-30", "to": "2026-03-01"}, ["start date “2026-02-30”"]),
    ({"period": "custom", "from": "2026-03-05", "to": "2026-03-01"}, ["a custom range that ends before it starts"]),
    ({"period": "custom", "from": "1990-01-01", "to": "2030-01-01"}, ["start date 1990-01-01", "end date 2030-01-01"]),
])
def test_bad_link_values_are_dropped_with_a_notice(params, ignored):
    state, notices = parse_params(params, OPTIONS, TODAY)
    for expected in ignored:
        assert any(expected in n for n in notices), notices
    to_filters(state, TODAY)  # whatever was left still makes a valid period
    if "custom" in str(params.get("period")):
        assert state.preset == "12m"  # an unusable custom range falls back to the default


def _focus_app():
    import streamlit as st

    from components.filters import focus, page_filters
    from data_access.scope import Scope

    f = page_filters("t", scope=Scope("cio"))
    st.button("focus", on_click=lambda: focus("t", service_ids=(2,), channels=("phone",)))
    st.text(f"{f.service_ids}|{f.channels}|{f.start}")


def test_focus_from_a_click_sets_the_filters(monkeypatch, empty_sqlite_url):
    import sqlalchemy as sa

    from data_access import schema
    from data_access.engine import get_engine

    with get_engine(empty_sqlite_url).begin() as conn:
        conn.execute(sa.insert(schema.services), [dict(service_id=1, name="Email"), dict(service_id=2, name="VPN")])
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", empty_sqlite_url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    st.cache_data.clear()
    at = AppTest.from_function(_focus_app, default_timeout=30)
    at.run()
    assert at.text[0].value == "()|()|2025-12-01"
    at.button[0].click().run()
    assert at.text[0].value == "(2,)|('phone',)|2025-12-01"
    assert at.multiselect(key="t_services").value == [2]
    assert at.query_params["service"] == "2" and at.query_params["channel"] == "phone"
    assert at.multiselect(key="t_channels").value == ["phone"]  # the boxes show the drill-down
    # The filters outlive this page's widgets (another page reuses them).
    assert at.session_state["pulse_filters"].service_ids == (2,)
    # Changing another filter keeps the drill-down, in the boxes and in the link.
    at.multiselect(key="t_types").set_value(["incident"]).run()
    assert at.text[0].value == "(2,)|('phone',)|2025-12-01"
    assert at.query_params["service"] == "2" and at.query_params["type"] == "incident"
