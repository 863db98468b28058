"""A person's figure is shown from `min_responses` answers, each figure on its own count (an attack
review): a month, a CARE dimension or the lost time of one answer is that customer's answer, on the
lead's Coaching page (Analyst tab, Overview, 1:1 brief) and on the analyst's own My feedback alike.

Analyst 1 of team 1: five 9s in September without ratings, then in October one 0 carrying the only
Communication rating and the only lost-time estimate (480 minutes). Analysts 2 and 3 answer plainly.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data_access import catalogue, schema
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from views import my_feedback
from views.coaching import analyst_detail
from views.coaching.overview import coaching_report

PERIOD = Filters(dt.date(2026, 8, 24), dt.date(2026, 11, 16))


def _warehouse(url: str) -> None:
    engine = get_engine(url)
    schema.create_schema(engine)
    tickets, responses = [], []

    def answer(when: dt.datetime, analyst: int, score: int, **extra) -> None:
        key = len(tickets) + 1
        tickets.append(dict(ticket_key=key, ticket_id=f"T{key}", ticket_type="incident", channel="email",
                            service_id=1, priority=3, opened_at=when - dt.timedelta(hours=2), resolved_at=when,
                            analyst_id=analyst, team_id=1, reassignment_count=0, reopened=False, sla_met=True,
                            first_contact_resolution=True))
        responses.append(dict(ticket_key=key, happiness=score, submitted_at=when,
                              **{"communication": None, "lost_minutes": None, **extra}))

    for day in range(5):
        answer(dt.datetime(2026, 9, 7 + day, 10), 1, 9)
    answer(dt.datetime(2026, 10, 14, 10), 1, 0, communication=1, lost_minutes=480.0)
    for analyst in (2, 3):
        for day in range(6):
            answer(dt.datetime(2026, 9, 14 + day, 11), analyst, 8, communication=4, lost_minutes=10.0)
            answer(dt.datetime(2026, 10, 5 + day, 11), analyst, 9, communication=5, lost_minutes=5.0)
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="Team 1")])
        conn.execute(schema.services.insert(), dict(service_id=1, name="Email"))
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"Person {a}", team_id=1) for a in (1, 2, 3)])
        conn.execute(schema.tickets.insert(), tickets)
        conn.execute(schema.responses.insert(), responses)
    st.cache_data.clear()


def test_the_lead_sees_no_month_rating_or_lost_time_of_one_answer(empty_sqlite_url, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    _warehouse(empty_sqlite_url)
    detail = analyst_detail(scope=Scope("lead", team_ids=(1,)), analyst_id=1, filters=PERIOD,
                            phrase="in the period", url=empty_sqlite_url)
    assert detail.enough  # six answers in the period: the period's figures show
    months = detail.trend.filter(pl.col("who") == "Analyst").sort("month").select("month", "n", "happiness").rows()
    assert months == [(dt.date(2026, 9, 1), 5, 100.0), (dt.date(2026, 10, 1), 1, None)]
    care = detail.care.filter(pl.col("who") == "Analyst").select("dimension", "mean", "n").rows()
    assert ("Communication", None, 1) in care
    team_care = detail.care.filter((pl.col("who") == "Team") & (pl.col("dimension") == "Communication"))
    assert team_care["mean"][0] is not None  # the team's own figure (25 ratings) stays
    assert detail.lost_minutes is None
    overview = coaching_report(scope=Scope("lead", team_ids=(1,)), today=dt.date(2026, 11, 20),
                               now=dt.datetime(2026, 11, 20, 9), url=empty_sqlite_url).analysts
    row = overview.filter(pl.col("analyst_id") == 1).row(0, named=True)
    assert row["communication_mean"] is None and row["lost_mean"] is None
    other = overview.filter(pl.col("analyst_id") == 2).row(0, named=True)
    assert other["communication_mean"] == 4.5 and other["lost_mean"] == 7.5


def test_the_analyst_sees_no_rating_or_lost_time_of_one_answer_either(empty_sqlite_url, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    _warehouse(empty_sqlite_url)
    figures = my_feedback.my_figures(scope=Scope("analyst", analyst_id=1, team_ids=(1,)), filters=PERIOD,
                                     url=empty_sqlite_url)
    assert figures.n == 6 and figures.care_average is None and figures.lost_mean is None
