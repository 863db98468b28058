"""Issue 12, classes 1 and 2, replayed through the Culture trends page's URL parameters (AppTest).

Class 1: a one-day custom range on one team showed Happiness +100 "± 0.0 (n = 1)", and two
overlapping ranges (19–20 Nov vs 19 Nov) both showed figures, so subtracting them gave one answer.
Class 2: a team × service × channel slice whose six responses all came from one analyst showed
+50 (n = 6) in the tiles and the team table: one person's score.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.viewer import Viewer
from data_access import schema
from data_access.engine import get_engine

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "culture_trends.py")
CIO = Viewer(user_id=1, username="cio", display_name="Cio", roles=("cio",))


def _warehouse(url: str, answers: list[tuple[int, int, str, int, dt.datetime]]) -> str:
    """Two teams of three analysts (1-3, 4-6); `answers`: (analyst, service, channel, score, when)."""
    engine = get_engine(url)
    schema.create_schema(engine)
    with engine.begin() as conn:
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="Alpha Desk"), dict(team_id=2, name="Beta Ops")])
        conn.execute(schema.services.insert(), [dict(service_id=1, name="Email"), dict(service_id=2, name="VPN")])
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"Person {a}", team_id=1 if a <= 3 else 2)
                                                for a in range(1, 7)])
        conn.execute(schema.tickets.insert(), [dict(
            ticket_key=k, ticket_id=f"INC{k}", ticket_type="incident", channel=channel, service_id=service,
            priority=3, opened_at=when - dt.timedelta(hours=4), resolved_at=when, analyst_id=analyst,
            team_id=1 if analyst <= 3 else 2, reassignment_count=0, reopened=False, sla_met=True,
            first_contact_resolution=True) for k, (analyst, service, channel, _, when) in enumerate(answers, 1)])
        conn.execute(schema.responses.insert(), [dict(ticket_key=k, happiness=score, submitted_at=when)
                                                 for k, (_, _, _, score, when) in enumerate(answers, 1)])
    return url


def _page(monkeypatch, url: str, params: dict[str, str]) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-25")
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = CIO
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _info(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


@pytest.fixture
def class_one(tmp_path) -> str:
    october = [(1 + i % 3, 1, "email", 9, dt.datetime(2026, 10, 5 + i % 5, 10)) for i in range(10)]
    november = [(1, 1, "email", 10, dt.datetime(2026, 11, 19, 10)), (2, 1, "email", 2, dt.datetime(2026, 11, 20, 10))]
    beta = [(4 + i % 3, 2, "phone", 6, dt.datetime(2026, 10, 5 + i % 5, 11)) for i in range(10)]
    return _warehouse(f"sqlite:///{tmp_path / 'one.sqlite'}", october + november + beta)


def test_one_day_range_on_one_team_shows_no_figure(monkeypatch, class_one):
    at = _page(monkeypatch, class_one, {"period": "custom", "from": "2026-11-19", "to": "2026-11-19", "team": "1"})
    # The day snaps to its whole week (Monday 16 to Sunday 22 November): two answers, still too few.
    assert any("16 Nov 2026 – 22 Nov 2026" in c.value for c in at.caption)
    assert not at.metric and not at.dataframe
    assert "too few responses or analysts" in _info(at) and "n = 2" in _info(at)
    assert "+100" not in _info(at) and "± 0.0" not in " ".join(c.value for c in at.caption)


def test_overlapping_ranges_cannot_be_subtracted(monkeypatch, class_one):
    both = _page(monkeypatch, class_one, {"period": "custom", "from": "2026-11-19", "to": "2026-11-20", "team": "1"})
    first = _page(monkeypatch, class_one, {"period": "custom", "from": "2026-11-19", "to": "2026-11-19", "team": "1"})
    # Both links mean the same whole week, so there is nothing to subtract; and it is withheld anyway.
    assert _info(both) == _info(first) and not both.metric and not first.metric
    # The last 12 months of team 1 minus that week would be the week itself: withheld as a whole.
    year = _page(monkeypatch, class_one, {"team": "1"})
    assert not year.metric and "differs from a neighbouring one" in _info(year) and "n = 12" in _info(year)
    # Over both teams the week is still two answers next to twenty: the whole year is withheld too.
    assert not _page(monkeypatch, class_one, {}).metric


@pytest.fixture
def class_two(tmp_path) -> str:
    def week(i: int) -> dt.datetime:
        return dt.datetime(2026, 10, 5 + i % 5, 9 + i // 5)

    alpha = ([(1 + i % 3, 2, "phone", 9, week(i)) for i in range(6)]
             + [(1 + i % 3, 1, "email", 7, week(i)) for i in range(6)])
    # Beta's VPN × phone answers are all analyst 4's: 10, 10, 10, 10, 8, 3 → Happiness +50.
    beta = ([(4, 2, "phone", s, week(i)) for i, s in enumerate((10, 10, 10, 10, 8, 3))]
            + [(4 + i % 3, 1, "email", 5, week(i)) for i in range(6)])
    return _warehouse(f"sqlite:///{tmp_path / 'two.sqlite'}", alpha + beta)


def test_one_analysts_slice_shows_no_figure(monkeypatch, class_two):
    at = _page(monkeypatch, class_two, {"team": "2", "service": "2", "channel": "phone"})
    assert not at.metric and not at.dataframe
    assert "too few responses or analysts" in _info(at) and "n = 6" in _info(at)


def test_team_table_hides_the_one_analyst_team_and_its_complement(monkeypatch, class_two):
    at = _page(monkeypatch, class_two, {"service": "2", "channel": "phone"})
    tiles = {m.label: m.value for m in at.metric}
    # 12 answers from 4 analysts: 6 nines + 4 tens happy, one 3 unhappy → (10 − 1) / 12 = +75.
    assert tiles["Happiness"] == "+75"
    teams = next(df.value for df in at.dataframe if "Team" in df.value.columns).set_index("Team")
    assert teams.loc["Beta Ops", "n"] == 6 and math.isnan(teams.loc["Beta Ops", "Happiness"])
    # Alpha alone would pass, but +75 overall minus Alpha's +100 would give Beta's +50 away.
    assert teams.loc["Alpha Desk", "n"] == 6 and math.isnan(teams.loc["Alpha Desk", "Happiness"])


@pytest.fixture
def open_week(tmp_path) -> str:
    """Alpha's ten October answers (all 9) and one answer (a 0) in the week still open on 25 November."""
    october = [(1 + i % 3, 1, "email", 9, dt.datetime(2026, 10, 5 + i % 5, 10)) for i in range(10)]
    return _warehouse(f"sqlite:///{tmp_path / 'open.sqlite'}", october + [(1, 1, "email", 0, dt.datetime(2026, 11, 24, 9))])


@pytest.mark.parametrize("params, first", [({"period": "90d"}, "24 Aug 2026"), ({}, "1 Dec 2025"),
                                           ({"period": "ytd"}, "5 Jan 2026")])
def test_presets_end_with_the_last_whole_week(monkeypatch, open_week, params, first):
    """A preset that ran to today put one answer of the open week at its end: the neighbouring-week
    check withheld the whole page. Presets now stop at the last full week (Sunday 22 November)."""
    at = _page(monkeypatch, open_week, params)
    assert "neighbouring" not in _info(at) and at.metric
    assert any(f"{first} – 22 Nov 2026" in c.value and "whole weeks" in c.value for c in at.caption)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Happiness"] == "+100"  # the ten nines; the 0 waits until its week is over
    assert any("n = 10" in c.value for c in at.caption)


@pytest.fixture
def lone_answer_before(tmp_path) -> str:
    """Six answers a week by three analysts for Alpha and Beta, 21 Sep – 18 Oct, except that Beta's
    first two weeks hold one answer (analyst 4, Tuesday 22 September)."""
    def weeks(first: int, monday: dt.date, count: int) -> list:
        return [(first + i % 3, 1, "email", 9 if i % 2 else 6, dt.datetime.combine(monday, dt.time(10))
                 + dt.timedelta(days=w * 7 + i % 5)) for w in range(count) for i in range(6)]

    alpha = weeks(1, dt.date(2026, 9, 21), 4)
    beta = weeks(4, dt.date(2026, 10, 5), 2) + [(4, 1, "email", 10, dt.datetime(2026, 9, 22, 10))]
    return _warehouse(f"sqlite:///{tmp_path / 'before.sqlite'}", alpha + beta)


@pytest.mark.parametrize("teams", ["1", "1,2"])
def test_the_change_is_withheld_when_the_period_before_could_be_subtracted(monkeypatch, lone_answer_before, teams):
    """Both links show their figures for 5–18 October (the two teams differ by Beta's twelve
    answers from three analysts), but before, in 21 Sep – 4 Oct, they differ by Beta's single answer:
    two "change vs before" tiles would give it away."""
    at = _page(monkeypatch, lone_answer_before, {"period": "custom", "from": "2026-10-05", "to": "2026-10-18",
                                                 "team": teams})
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Happiness"] == "0" and tiles["Change vs before"] == "—"   # three 9s and three 6s a week
    assert any("no fair comparison with the period before (n = " in c.value for c in at.caption)
