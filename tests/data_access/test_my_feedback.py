"""My feedback SQL: own scope only, per-member reads for the read model, comments, dialects.

The figures built from these rows are tested in tests/views/test_my_feedback.py; the crafted
warehouse below serves both.
"""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from sqlalchemy.dialects import postgresql, sqlite

from data_access import catalogue, my_feedback as sql, schema
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError


PERIOD = Filters(dt.date(2025, 11, 21), dt.date(2026, 11, 21))
LEAD_SCOPE = Scope("lead", team_ids=(1,))


@pytest.fixture(autouse=True)
def _pinned(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    st.cache_data.clear()
    yield
    st.cache_data.clear()


# --- a crafted warehouse whose answers are known by construction --------------------------------

# Per analyst of the crafted team: 12 responses; CARE values chosen so the customers' mean is
# exactly 11/3, 3.5, 4.5 and 10/3 for every analyst (so shrinkage toward the team changes nothing).
CRAFTED_CARE = {
    "communication": [4] * 8 + [3] * 4,   # 11/3
    "application": [4] * 6 + [3] * 6,     # 3.5
    "resolution": [5] * 6 + [4] * 6,      # 4.5
    "expectation": [4] * 4 + [3] * 8,     # 10/3
}
# Self-ratings giving gaps of exactly +4/3 (aligned), +1.5 (blind spot), −1.5 (hidden strength)
# and exactly −4/3 (aligned).
CRAFTED_SELF = {"communication": 5, "application": 5, "resolution": 3, "expectation": 2,
                "facilitation": 3, "adaptability": 3, "teamwork": 4, "problem_solving": 4,
                "client_management": 3, "self_management": 4}
CRAFTED_HAPPINESS = {1: [10] * 8 + [8] * 2 + [3] * 2, 2: [9] * 6 + [5] * 6, 3: [10] * 12,
                     4: [7] * 12, 5: [2] * 3}   # analyst 5 has too few responses to count


def build_crafted(url: str, *, analysts: tuple[int, ...] = (1, 2, 3, 4, 5)) -> None:
    """Team 1 with analysts 1–5 (1 is the lead), team 2 with analyst 9, known responses."""
    engine = get_engine(url)
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="North"), dict(team_id=2, name="South")])
        conn.execute(schema.services.insert(), [dict(service_id=1, name="Email")])
        conn.execute(schema.analysts.insert(), [
            dict(analyst_id=a, name=f"Analyst {a}", team_id=1, tier="lead" if a == 1 else "L1")
            for a in analysts] + [dict(analyst_id=9, name="Other Team", team_id=2, tier="L1")])
        tickets, responses, key = [], [], 0
        when = dt.datetime(2026, 9, 1, 10, 0)
        for analyst_id in analysts + (9,):
            scores = CRAFTED_HAPPINESS.get(analyst_id, [9] * 12)
            for i, score in enumerate(scores):
                key += 1
                team = 2 if analyst_id == 9 else 1
                tickets.append(dict(ticket_key=key, ticket_id=f"INC{key:05d}", ticket_type="incident",
                                    channel="email", service_id=1, priority=3, opened_at=when,
                                    resolved_at=when + dt.timedelta(hours=2), analyst_id=analyst_id,
                                    team_id=team, sla_met=True))
                responses.append(dict(ticket_key=key, happiness=score, lost_minutes=float(10 * analyst_id),
                                      comment=f"comment {analyst_id}-{i}" if i % 2 == 0 else None,
                                      submitted_at=when + dt.timedelta(days=i, hours=3),
                                      **{d: None if analyst_id == 5 else values[i % len(values)]
                                         for d, values in CRAFTED_CARE.items()}))
        conn.execute(schema.tickets.insert(), tickets)
        conn.execute(schema.responses.insert(), responses)


def analyst_scope(analyst_id: int, team_id: int = 1) -> Scope:
    return Scope("analyst", analyst_id=analyst_id, team_ids=(team_id,))


@pytest.fixture
def crafted_url(empty_sqlite_url) -> str:
    build_crafted(empty_sqlite_url)
    return empty_sqlite_url


# --- scope ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("scope", [LEAD_SCOPE, Scope("cio"), Scope("admin")])
def test_every_sql_read_refuses_other_roles(crafted_url, scope):
    window = Filters(dt.date(2025, 11, 1), PERIOD.end)
    calls = [
        lambda: sql.my_verbatims(scope=scope, filters=PERIOD, url=crafted_url),
        lambda: sql.my_responses_export(scope=scope, filters=PERIOD, url=crafted_url),
        lambda: sql.recognition_rows(scope=scope, url=crafted_url),
        lambda: sql.team_members_query(scope=scope, filters=PERIOD),
        lambda: sql.team_latest_ratings_query(scope=scope),
        lambda: sql.team_overview_query(scope=scope, filters=PERIOD, window=window),
        lambda: sql.team_member_stats(scope=scope, filters=PERIOD, url=crafted_url),
        lambda: sql.team_overview_stats(scope=scope, filters=PERIOD, window=window, url=crafted_url),
        lambda: sql.team_month_range_stats(scope=scope, ranges=((dt.date(2026, 9, 1), dt.date(2026, 10, 1)),),
                                           url=crafted_url),
        lambda: sql.team_latest_ratings(scope=scope, url=crafted_url),
        lambda: sql.re_explain_count(scope=scope, filters=PERIOD, url=crafted_url),
    ]
    for call in calls:
        with pytest.raises(ScopeError):
            call()


def test_team_member_rows_carry_ids_for_the_read_model_only(crafted_url):
    """The SQL returns per-member rows keyed by analyst id (the read model drops them): crafted counts."""
    rows = sql.team_member_stats(scope=analyst_scope(2), filters=PERIOD, url=crafted_url).sort("analyst_id")
    assert rows["analyst_id"].to_list() == [1, 2, 3, 4, 5]          # team 1 only, not analyst 9
    assert rows["n"].to_list() == [12, 12, 12, 12, 3]
    assert rows["happy"].to_list() == [8, 6, 12, 0, 0]
    assert rows["unhappy"].to_list() == [2, 6, 0, 0, 3]
    assert rows["communication_sum"].to_list() == [44.0, 44.0, 44.0, 44.0, 0.0]   # 8 × 4 + 4 × 3
    assert rows["lost_sum"].to_list() == [120.0, 240.0, 360.0, 480.0, 150.0]


def test_verbatims_filter_and_paginate(crafted_url):
    scope = analyst_scope(1)
    rows, total = sql.my_verbatims(scope=scope, filters=PERIOD, page=1, page_size=4, url=crafted_url)
    assert total == 6 and rows.height == 4
    assert rows["submitted_at"].is_sorted(descending=True)
    page2, _ = sql.my_verbatims(scope=scope, filters=PERIOD, page=2, page_size=4, url=crafted_url)
    assert page2.height == 2 and not set(page2["comment"]) & set(rows["comment"])
    unhappy, n_unhappy = sql.my_verbatims(scope=scope, filters=PERIOD, band="unhappy", url=crafted_url)
    assert n_unhappy == 1 and unhappy["happiness"].to_list() == [3]   # response 10 (score 3) has a comment
    found, n_found = sql.my_verbatims(scope=scope, filters=PERIOD, search="1-4", url=crafted_url)
    assert n_found == 1 and found["comment"][0] == "comment 1-4"
    _, none = sql.my_verbatims(scope=scope, filters=PERIOD, search="100%_", url=crafted_url)
    assert none == 0


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_queries_compile_for_each_dialect(dialect):
    scope = analyst_scope(2)
    for stmt in (sql.team_members_query(scope=scope, filters=PERIOD, by_month=True),
                 sql.team_overview_query(scope=scope, filters=PERIOD, window=PERIOD),
                 sql.team_month_ranges_query(scope=scope, ranges=((dt.date(2025, 1, 1), dt.date(2025, 3, 1)),)),
                 sql.re_explain_query(scope=scope, filters=PERIOD),
                 sql.team_latest_ratings_query(scope=scope),
                 sql.verbatims_query(scope=scope, filters=PERIOD, band="happy", search="x"),
                 sql.verbatim_count_query(scope=scope, filters=PERIOD),
                 sql.kudos_query(scope=scope), sql.shared_notes_query(scope=scope),
                 sql.open_recovery_query(scope=scope), sql.export_query(scope=scope, filters=PERIOD)):
        text = str(stmt.compile(dialect=dialect))
        assert "SELECT" in text
