"""The CIO's monthly digest follows the page's week-by-week rules (an attack review found it did not).

February 2021 runs Monday 1 to Sunday 28: four whole weeks and no partial weeks at its edges. Week 1
holds two answers of one analyst of team 1; weeks 2–4 hold six answers per team and week, three
analysts each. Culture trends withholds the month (a week of it fails on its own), so a digest
showing February next to the page link of weeks 2–4 would give week 1 away by difference.
"""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st

from data_access import catalogue, schema
from data_access.engine import get_engine
from data_access.scope import Scope
from notify.config import NotifySettings
from notify.digest import PAGE_WITHHOLDS, cio_monthly_digest

PEOPLE = {1: (1, 2, 3), 2: (4, 5, 6), 3: (7, 8, 9)}
SCORES = (10, 9, 8, 7, 10, 3)


def _warehouse(path, *, busy_week_one: bool) -> str:
    """Week 1: two answers by analyst 1 of team 1 (with `busy_week_one`, six per other team too)."""
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    schema.create_schema(engine)
    tickets, responses = [], []

    def answer(when: dt.datetime, team: int, analyst: int, score: int) -> None:
        key = len(tickets) + 1
        tickets.append(dict(ticket_key=key, ticket_id=f"T{key}", ticket_type="incident", channel="email",
                            service_id=1, priority=3, opened_at=when - dt.timedelta(hours=2), resolved_at=when,
                            analyst_id=analyst, team_id=team, reassignment_count=0, reopened=False,
                            sla_met=True, first_contact_resolution=True))
        responses.append(dict(ticket_key=key, happiness=score, submitted_at=when))

    answer(dt.datetime(2021, 2, 2, 10), 1, 1, 0)
    answer(dt.datetime(2021, 2, 4, 10), 1, 1, 2)
    if busy_week_one:
        for team in (2, 3):
            for i, score in enumerate(SCORES):
                answer(dt.datetime(2021, 2, 1 + i, 11), team, PEOPLE[team][i % 3], score)
    for monday in (8, 15, 22):
        for team, people in PEOPLE.items():
            for i, score in enumerate(SCORES):
                answer(dt.datetime(2021, 2, monday + i, 10 + team), team, people[i % 3], score)
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert(), [dict(team_id=t, name=f"Team {t}") for t in PEOPLE])
        conn.execute(schema.services.insert(), dict(service_id=1, name="Email"))
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"Person {a}", team_id=t)
                                                for t, people in PEOPLE.items() for a in people])
        conn.execute(schema.tickets.insert(), tickets)
        conn.execute(schema.responses.insert(), responses)
    return url


def _digest(url: str):
    st.cache_data.clear()
    return cio_monthly_digest(recipient="Cio", scope=Scope("cio"), month=dt.date(2021, 2, 1),
                              now=dt.datetime(2021, 3, 2, 9), settings=NotifySettings(), url=url)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2021-03-10")


def test_a_month_whose_week_fails_on_its_own_is_withheld_in_the_mail(tmp_path):
    digest = _digest(_warehouse(tmp_path / "thin_week.sqlite", busy_week_one=False))
    assert digest.total.figure.value is None and digest.total.figure.withheld == PAGE_WITHHOLDS
    assert digest.total.figure.n == 56  # the size stays: it gives nothing away
    assert [t.figure.value for t in digest.teams] == [None, None, None]


def test_a_team_whose_week_fails_on_its_own_is_withheld_and_the_others_stay(tmp_path):
    """Team 1's week 1 is two answers of one analyst; the other teams are busy every week. The mail
    withholds team 1 (and, so that it cannot be worked out from the total, what the page hides with it)."""
    digest = _digest(_warehouse(tmp_path / "thin_team_week.sqlite", busy_week_one=True))
    figures = {t.team_id: (t.figure.n, t.figure.value) for t in digest.teams}
    # Team 2 goes with team 1 (the page's complementary choice): the total minus team 3 is both (44 answers).
    assert figures == {1: (20, None), 2: (24, None), 3: (24, pytest.approx(100 / 3))}
    assert (digest.total.figure.n, digest.total.figure.value) == (68, pytest.approx(20 / 68 * 100))
