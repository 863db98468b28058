"""Issue 14: "Last 12 months" selects the same responses on every page — counted in the figures.

Coaching (a lead's Analyst tab), My feedback (the analyst's own figures) and Culture trends (the
lead's team) all count the answers of the same whole weeks: from the first Monday of the month
11 months back to the end of the last full week (docs/METRICS.md, "Periods"). Answers placed on
each edge show which side of it they fall on, on every page alike.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import streamlit as st

from components import coaching, filters, my_feedback
from data_access import demo, schema
from data_access.engine import get_engine
from data_access.scope import Scope
from tests.notify.conftest import add_response
from tests.pages.roles import viewer_as
from views.coaching.analyst import analyst_detail
from views.culture import culture_report
from views.my_feedback import my_figures

TODAY = dt.date(2026, 11, 20)  # a Friday; 1 Dec 2025 is a Monday, 16 Nov 2026 this week's Monday
T = dt.datetime
EDGES = {  # when → counted on every page
    T(2025, 11, 30, 23, 59): False,   # the day before the 12 months
    T(2025, 12, 1, 0, 0): True,       # their first moment, a Monday
    T(2026, 11, 15, 23, 59): True,    # the end of the last full week
    T(2026, 11, 16, 0, 0): False,     # this week, still open: it joins when it is over
    T(2026, 11, 20, 23, 59): False,   # the last minute of today
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('periods') / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=3000, seed=7, end=TODAY)
    return url


def _answers(url: str, where, start: dt.date, end: dt.date) -> int:
    """Answers in [start, end) counted straight from the tables (the figures' hand check)."""
    R, K = schema.responses, schema.tickets
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(R.join(K, K.c.ticket_key == R.c.ticket_key))
                            .where(where(K), R.c.submitted_at >= T.combine(start, dt.time()),
                                   R.c.submitted_at < T.combine(end, dt.time()))).scalar_one()


def _counts(url: str, lead: Scope, team_id: int, analyst_id: int) -> tuple[int, int, int]:
    """n of 'Last 12 months' on Coaching's Analyst tab, My feedback and the lead's Culture trends."""
    st.cache_data.clear()
    period = coaching.period_for("12m", TODAY)
    on_coaching = analyst_detail(scope=lead, analyst_id=analyst_id, filters=period.filters, phrase=period.phrase,
                                 url=url).totals["n"]
    own = Scope("analyst", analyst_id=analyst_id, team_ids=(team_id,))
    on_my_feedback = my_figures(scope=own, filters=my_feedback.period_range("12m", TODAY), url=url).n
    trends = filters.to_filters(filters.FilterState(preset="12m", team_ids=(team_id,)), TODAY, weeks=True)
    on_culture = culture_report(scope=lead, filters=trends, url=url).headline.n
    return int(on_coaching), int(on_my_feedback), int(on_culture)


def test_last_12_months_counts_the_same_answers_on_every_page(warehouse, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    viewer = viewer_as(warehouse, "lead")
    lead, team_id = viewer.scope("lead"), viewer.lead_team_ids[0]
    with get_engine(warehouse).connect() as conn:
        analyst_id = conn.execute(sa.select(sa.func.min(schema.analysts.c.analyst_id))
                                  .where(schema.analysts.c.team_id == team_id,
                                         schema.analysts.c.analyst_id != viewer.analyst_id)).scalar_one()
    before = _counts(warehouse, lead, team_id, analyst_id)
    for when in EDGES:
        add_response(warehouse, analyst_id=analyst_id, happiness=9, submitted_at=when)
    coached, own, culture = _counts(warehouse, lead, team_id, analyst_id)

    # The same whole weeks on every page, Monday 1 Dec 2025 to Sunday 15 Nov 2026.
    weeks = filters.to_filters(filters.FilterState(preset="12m"), TODAY, weeks=True)
    assert (weeks.start, weeks.end) == (dt.date(2025, 12, 1), dt.date(2026, 11, 16))
    assert coached == own == _answers(warehouse, lambda k: k.c.analyst_id == analyst_id, weeks.start, weeks.end)
    assert culture == _answers(warehouse, lambda k: k.c.team_id == team_id, weeks.start, weeks.end)
    # The two edge answers inside the weeks count on every page; the other three on none.
    assert coached - before[0] == own - before[1] == culture - before[2] == sum(EDGES.values()) == 2
