"""Where does it hurt most?: when cells are hidden for privacy, the page says so instead of
claiming that nothing is below overall Happiness."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.culture_first_screen import hidden_note


def test_the_note_counts_the_hidden_cells():
    assert hidden_note(125, 125) == ""
    assert hidden_note(0, 0) == ""
    assert hidden_note(1_250, 1) == "1,249 of 1,250 cells hidden to protect small groups."


def _page(rows: list[tuple]) -> AppTest:
    def script(rows):
        import polars as pl

        from components.culture_first_screen import top_hotspots
        from data_access.culture_settings import CultureSettings
        from views.culture_extras import Targets

        hot = pl.DataFrame(rows, schema={"service": pl.String, "channel_label": pl.String, "happiness": pl.Float64,
                                         "margin": pl.Float64, "n": pl.Int64, "impact": pl.Float64}, orient="row")
        import streamlit as st

        note = top_hotspots(Targets(CultureSettings(), None, None, None, hot, pl.DataFrame()))
        if note:
            st.caption(note)  # where the first screen puts it: under the cost sentence

    return AppTest.from_function(script, args=(rows,)).run()


def test_all_shown_cells_above_overall_with_some_hidden():
    at = _page([("Email", "Phone", 40.0, 5.0, 50, 120.0), ("VPN", "Chat", 45.0, 6.0, 30, 90.0),
                ("VPN", "Email", None, None, 4, None)])
    assert [i.value for i in at.info] == [
        "No shown service and channel is below overall Happiness. 1 of 3 cells hidden to protect small groups."]


def test_every_cell_hidden_says_so_without_comparing():
    at = _page([("Email", "Phone", None, None, 3, None), ("VPN", "Chat", None, None, 4, None)])
    assert [i.value for i in at.info] == ["All 2 service and channel cells are hidden to protect small groups."]
    assert at.caption == [] or [c.value for c in at.caption] == []


def test_nothing_hidden_and_nothing_below():
    at = _page([("Email", "Phone", 40.0, 5.0, 50, 120.0), ("VPN", "Chat", 45.0, 6.0, 30, 90.0)])
    assert [i.value for i in at.info] == ["No service and channel is below overall Happiness."]


def test_worst_cells_listed_with_the_hidden_count_beneath():
    at = _page([("Email", "Phone", 20.0, 5.0, 50, -300.0), ("VPN", "Chat", 45.0, 6.0, 30, 90.0),
                ("VPN", "Email", None, None, 4, None)])
    assert at.info == [] or [i.value for i in at.info] == []
    assert at.dataframe[0].value["Cell"].to_list() == ["Email · Phone"]
    assert [c.value for c in at.caption] == ["1 of 3 cells hidden to protect small groups."]


def test_the_worst_cells_come_most_negative_impact_first():
    at = _page([("HR Portal", "Portal", 32.0, 4.0, 1_291, -6_518.0), ("Mobile Devices", "Portal", 36.0, 3.0, 2_147, -725.0),
                ("HR Portal", "Email", 23.0, 5.0, 875, -12_103.0), ("VPN", "Chat", 30.0, 6.0, 300, -1_000.0)])
    assert at.dataframe[0].value["Cell"].to_list() == ["HR Portal · Email", "HR Portal · Portal", "VPN · Chat"]
