"""Issue 12, class 3, through the page: an analyst cannot invert the unnamed team band.

With 3 colleagues the band (and the period spread) is not drawn and nothing about colleagues
reaches the browser; with 5 or more only the band's p25 / median / p75 per month, rounded to
whole points, is in the chart data. Read from the Vega-Lite specs and Arrow data AppTest holds.
"""

from __future__ import annotations

import json

import pyarrow as pa
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.data_access.test_my_feedback import build_crafted
from tests.pages.test_my_feedback import PAGE, _clean, all_text, viewer  # noqa: F401 (_clean: autouse fixture)

OWN_COLUMNS = {"month", "own_n", "own_happiness", "own_margin", "own_happiness_low", "own_happiness_high"}
BAND_COLUMNS = {"band_low", "band_mid", "band_high"}


def _charts(url: str, monkeypatch) -> tuple[AppTest, list[tuple[dict, pa.Table]]]:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["viewer"] = viewer(2)
    at.run()
    assert not at.exception, at.exception
    charts = [(json.loads(e.proto.spec), pa.ipc.open_stream(e.proto.data.data).read_all())
              for e in at.get("vega_lite_chart")]
    return at, charts


def _trend(charts) -> tuple[dict, pa.Table] | None:
    return next(((spec, data) for spec, data in charts if "own_happiness" in data.column_names), None)


def test_three_colleagues_no_band_no_spread(empty_sqlite_url, monkeypatch):
    # Analyst 2's team: colleagues 1, 3, 4 with 12 responses each in September; 5 has only 3.
    build_crafted(empty_sqlite_url, analysts=(1, 2, 3, 4, 5))
    at, charts = _charts(empty_sqlite_url, monkeypatch)
    trend = _trend(charts)
    assert trend is not None  # the analyst's own monthly point is still drawn
    spec, data = trend
    assert set(data.column_names) == OWN_COLUMNS | BAND_COLUMNS
    assert all(data.column(c).null_count == data.num_rows for c in BAND_COLUMNS)
    # No spread bar and no team mean: nothing computed from colleagues reaches the browser.
    assert not [d for _, d in charts if "p25" in d.column_names]
    care = next(d for _, d in charts if "team_mean" in d.column_names)
    assert care.column("team_mean").null_count == care.num_rows
    text = all_text(at)
    assert "The team band is hidden: it needs at least 5 colleagues" in text
    assert "Team comparison for Happiness is hidden: it needs at least 5 colleagues" in text


def test_five_colleagues_band_only_band_columns_rounded(empty_sqlite_url, monkeypatch):
    build_crafted(empty_sqlite_url, analysts=(1, 2, 3, 4, 5, 6, 7))  # 6 and 7: twelve 9s each
    _, charts = _charts(empty_sqlite_url, monkeypatch)
    spec, data = _trend(charts)
    assert set(data.column_names) == OWN_COLUMNS | BAND_COLUMNS  # no counts, ids or per-colleague rows
    assert data.num_rows == 1  # one month, one row
    row = {c: data.column(c)[0].as_py() for c in data.column_names}
    # Qualified Happiness in September: 1 → 50, 2 (own) → 0, 3 → 100, 4 → 0, 6 → 100, 7 → 100.
    # The band is over the five colleagues, Harrell–Davis: 36.7, 81.2, 98.2 → whole points
    # (tests/harrell_davis.py; no single colleague's 0, 50 or 100).
    assert (row["band_low"], row["band_mid"], row["band_high"]) == (37.0, 81.0, 98.0)
    fields = {enc.get("field") for layer in spec["layer"] for enc in layer.get("encoding", {}).values()
              if isinstance(enc, dict)}
    fields |= {t["field"] for layer in spec["layer"] for t in layer.get("encoding", {}).get("tooltip", [])}
    assert fields <= OWN_COLUMNS | BAND_COLUMNS
    spread = next(d for _, d in charts if "p25" in d.column_names)
    assert [spread.column(c)[0].as_py() for c in ("p25", "median", "p75")] == [37.0, 81.0, 98.0]


def test_band_threshold_can_be_raised_not_lowered(empty_sqlite_url, monkeypatch):
    build_crafted(empty_sqlite_url, analysts=(1, 2, 3, 4, 5, 6, 7))
    monkeypatch.setenv("SERVICE_PULSE_MIN_COLLEAGUES", "6")  # raised: five colleagues are too few now
    _, charts = _charts(empty_sqlite_url, monkeypatch)
    _, data = _trend(charts)
    assert data.column("band_mid").null_count == data.num_rows
    st.cache_data.clear()
    monkeypatch.setenv("SERVICE_PULSE_MIN_COLLEAGUES", "2")  # lowered below the floor: 5 still applies
    _, charts = _charts(empty_sqlite_url, monkeypatch)
    _, data = _trend(charts)
    assert data.column("band_mid")[0].as_py() == 81.0


def test_colleagues_are_the_home_team_not_whoever_worked_its_tickets(empty_sqlite_url, monkeypatch):
    """Analyst 9 (team 2) resolved tickets assigned to team 1: not a colleague of analyst 2, so
    team 1 still has only 4 qualified colleagues (1, 3, 4, 6) and the band stays hidden."""
    import sqlalchemy as sa

    from data_access.engine import get_engine

    build_crafted(empty_sqlite_url, analysts=(1, 2, 3, 4, 5, 6))
    with get_engine(empty_sqlite_url).begin() as conn:
        conn.execute(sa.text("UPDATE tickets SET team_id = 1 WHERE analyst_id = 9"))
    _, charts = _charts(empty_sqlite_url, monkeypatch)
    _, data = _trend(charts)
    assert data.column("band_mid").null_count == data.num_rows
    assert not [d for _, d in charts if "p25" in d.column_names]


def test_rank_in_team_needs_five_colleagues(empty_sqlite_url):
    """Self-rating ranks: 4 assessed colleagues → none; a fifth → the percentile appears."""
    from views import my_feedback as mf
    from data_access.filters import Filters
    from data_access.scope import Scope
    from data_access.writes.self_assessment import submit_self_assessment
    from tests.data_access.test_my_feedback import CRAFTED_SELF

    import datetime as dt

    build_crafted(empty_sqlite_url, analysts=(1, 2, 3, 4, 5, 6, 7))
    period = Filters(dt.date(2025, 11, 21), dt.date(2026, 11, 21))

    def submit(analyst_id: int, rating: int) -> None:
        submit_self_assessment(scope=Scope("analyst", analyst_id=analyst_id, team_ids=(1,)),
                               ratings=dict(CRAFTED_SELF, communication=rating), note=None,
                               submission_token=f"rank-{analyst_id}", url=empty_sqlite_url)

    def communication() -> dict:
        st.cache_data.clear()
        view = mf.self_view_for(scope=Scope("analyst", analyst_id=2, team_ids=(1,)), filters=period,
                                url=empty_sqlite_url)
        return view.ranks.filter(view.ranks["dimension"] == "communication").row(0, named=True)

    submit(2, 5)  # the highest self-rating
    for analyst_id, rating in ((1, 2), (3, 4), (4, 3), (6, 1)):
        submit(analyst_id, rating)
    assert communication()["self_percentile"] is None  # four colleagues
    submit(7, 2)
    row = communication()
    assert row["assessed"] == 6 and row["self_percentile"] == 100.0
    # Customers rate communication 11/3 for 1–4; 6 and 7 answered with the same CARE pattern: all tied.
    assert row["customer_percentile"] == 50.0
