"""Culture trends: odd custom ranges in a link (`?period=custom&from=…&to=…`) snap to whole weeks.

Six answers by three analysts each week from Monday 21 September to Sunday 25 October 2026, one
a day from Monday to Saturday; two more on Monday and Tuesday of the week still under way ("today"
is Wednesday 28 October). Each expected count below is worked out from those rows by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.viewer import Viewer
from data_access import schema
from data_access.engine import get_engine

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "culture_trends.py")
TODAY = "2026-10-28"
CIO = Viewer(user_id=1, username="cio", display_name="Morgan Reyes", roles=("cio",))
FIRST_MONDAY = dt.date(2026, 9, 21)


@pytest.fixture
def page(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'weeks.sqlite'}"
    engine = get_engine(url)
    schema.create_schema(engine)
    days = [FIRST_MONDAY + dt.timedelta(weeks=w, days=d) for w in range(5) for d in range(6)]
    days += [dt.date(2026, 10, 26), dt.date(2026, 10, 27)]  # the open week: Monday and Tuesday
    with engine.begin() as conn:
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="Desk")])
        conn.execute(schema.services.insert(), [dict(service_id=1, name="Email")])
        conn.execute(schema.analysts.insert(), [dict(analyst_id=i, name=f"Person {i}", team_id=1) for i in (1, 2, 3)])
        at = [dt.datetime.combine(day, dt.time(10)) for day in days]
        conn.execute(schema.tickets.insert(), [
            dict(ticket_key=k, ticket_id=f"T{k}", ticket_type="incident", channel="email", service_id=1, priority=3,
                 opened_at=when - dt.timedelta(hours=2), resolved_at=when, analyst_id=1 + k % 3, team_id=1,
                 reassignment_count=0, reopened=False, sla_met=True, first_contact_resolution=False,
                 handle_minutes=10.0) for k, when in enumerate(at, start=1)])
        conn.execute(schema.responses.insert(), [
            dict(ticket_key=k, happiness=10 if k % 2 else 8, lost_minutes=None, submitted_at=when + dt.timedelta(hours=1))
            for k, when in enumerate(at, start=1)])
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY)
    st.cache_data.clear()

    def make(params: dict) -> AppTest:
        app = AppTest.from_file(PAGE, default_timeout=60)
        app.session_state["viewer"] = CIO
        for name, value in params.items():
            app.query_params[name] = value
        app.run()
        assert not app.exception, app.exception
        return app

    yield make
    st.cache_data.clear()


def _range_and_n(app: AppTest) -> tuple[str, str]:
    """The period caption's range, and the Happiness tile (the figures are shown, not withheld)."""
    period = next(c.value for c in app.caption if ", compared with " in c.value).split(", compared with ")[0]
    return period, next(m.value for m in app.metric if m.label == "Happiness")


@pytest.mark.parametrize(("start", "end", "shown", "n"), [
    ("2026-09-30", "2026-10-08", "28 Sep 2026 – 11 Oct 2026", 12),  # Wednesday to Thursday: two whole weeks
    ("2026-10-07", "2026-10-07", "5 Oct 2026 – 11 Oct 2026", 6),    # one day: its whole week (7 days)
    ("2026-10-11", "2026-10-12", "5 Oct 2026 – 18 Oct 2026", 12),   # Sunday to Monday: both weeks
])
def test_a_custom_range_snaps_to_whole_weeks(page, start, end, shown, n):
    app = page({"period": "custom", "from": start, "to": end})
    period, _ = _range_and_n(app)
    assert period == shown
    assert any(f"(n = {n})" in c.value for c in app.caption), [c.value for c in app.caption]
    assert "custom ranges cover whole weeks" in " ".join(c.value for c in app.caption)


@pytest.mark.parametrize(("start", "shown", "n"), [
    ("2026-10-19", "19 Oct 2026 – 25 Oct 2026", 6),  # ends today: the open week is left out
    ("2026-10-28", "19 Oct 2026 – 25 Oct 2026", 6),  # only today: the last whole week instead
])
def test_a_custom_range_into_the_open_week_stops_at_the_last_full_week(page, start, shown, n):
    """A range ending in the week still under way would change every day as answers come in (and two
    days' looks at one link could be subtracted), so it ends with the last full week, like the presets."""
    app = page({"period": "custom", "from": start, "to": TODAY})
    period, _ = _range_and_n(app)
    assert period == shown
    assert any(f"(n = {n})" in c.value for c in app.caption), [c.value for c in app.caption]
