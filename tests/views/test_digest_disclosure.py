"""The CIO's monthly digest through disclosure control, on a hand-made warehouse (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data_access import schema
from data_access.engine import get_engine
from data_access.scope import Scope
from notify.config import NotifySettings
from notify.digest import cio_monthly_digest

# team → (analysts, scores in October 2026, scores in September 2026)
TEAMS = {
    1: ((1, 2, 3), [10, 10, 10, 9, 9, 8, 8, 7, 3, 2], [10, 9, 5, 4, 3, 9]),   # 10 answers, 3 analysts
    2: ((4, 5, 6), [10, 10, 9, 9, 6, 6, 6, 2], [9, 9, 9, 9, 9]),               # 8 answers, 3 analysts
    3: ((7, 7, 7), [10, 10, 10, 10, 10, 10], [10, 10]),                          # 6 answers, 1 analyst
}


def _fill(url: str) -> None:
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(schema.teams.insert(), [dict(team_id=t, name=f"Team {t}") for t in TEAMS])
        conn.execute(schema.services.insert(), dict(service_id=1, name="Email"))
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"Person {a}", team_id=t)
                                                for t, (people, _, _) in TEAMS.items() for a in set(people)])
        tickets, responses, key = [], [], 0
        for team, (people, october, september) in TEAMS.items():
            for month, scores in ((10, october), (9, september)):
                for i, score in enumerate(scores):
                    key += 1
                    # Each month's answers in one whole week (Monday 5 October, Monday 7 September),
                    # so that no week of a month fails on its own (the page would withhold it: see
                    # tests/notify/test_digest_weeks.py) and the rules tested here decide alone.
                    when = dt.datetime(2026, month, (5 if month == 10 else 7) + i % 7, 10 + i // 7)
                    tickets.append(dict(ticket_key=key, ticket_id=f"T{key}", ticket_type="incident", channel="email",
                                        service_id=1, priority=3, opened_at=when - dt.timedelta(hours=2),
                                        resolved_at=when, analyst_id=people[i % len(people)], team_id=team,
                                        reassignment_count=0, reopened=False, sla_met=True,
                                        first_contact_resolution=True))
                    responses.append(dict(ticket_key=key, happiness=score, submitted_at=when))
        conn.execute(schema.tickets.insert(), tickets)
        conn.execute(schema.responses.insert(), responses)


def test_monthly_digest_hides_small_teams_and_their_complement(empty_url):
    _fill(empty_url)
    st.cache_data.clear()
    digest = cio_monthly_digest(recipient="Cio", scope=Scope("cio"), month=dt.date(2026, 10, 1),
                                now=dt.datetime(2026, 11, 2, 9), settings=NotifySettings(), url=empty_url)
    lines = {line.team_id: line for line in digest.teams}
    # Team 3: six answers from one analyst → hidden. Team 2 (8 answers) is the smallest shown team,
    # so it goes too: otherwise organisation − team 1 − team 2 would give team 3's +100 away.
    assert lines[3].figure.value is None and "fewer than 3 analysts" in lines[3].figure.withheld
    assert lines[2].figure.value is None and "worked out from the total" in lines[2].figure.withheld
    assert lines[2].figure.n == 8 and lines[2].change is None
    # Team 1: 5 happy, 2 unhappy of 10 → +30; September 10, 9, 9 happy and 5, 4, 3 unhappy of 6 → 0.
    assert round(lines[1].figure.value) == 30 and lines[1].figure.n == 10
    # Its change may show: September's hidden teams (2 and 3) are 7 answers from 4 analysts together.
    assert round(lines[1].change.value) == 30 and lines[1].change.previous_n == 6
    # The organisation: 24 answers, 7 analysts; 5 + 4 + 6 = 15 happy, 2 + 4 = 6 unhappy → +37.5.
    assert digest.total.figure.value == 100 * (15 - 6) / 24 and digest.total.figure.n == 24
    assert digest.total.change is not None and digest.total.change.previous_n == 13
    st.cache_data.clear()
