"""Coaching reads: right numbers against raw SQL, scoped to the lead's teams, portable SQL."""

import datetime as dt

import pytest
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.dialects import postgresql, sqlite

from data_access import coaching as data
from data_access import coaching_analyst as detail
from data_access import self_assessments
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError

TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 12)
TEAM = 6
LEAD = Scope("lead", team_ids=(TEAM,))
PERIOD = Filters(dt.date(2026, 8, 23), dt.date(2026, 11, 21))


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    st.cache_data.clear()


def _raw(url, sql, **params):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def _team_analysts(url):
    return [r[0] for r in _raw(url, "SELECT analyst_id FROM analysts WHERE team_id = :t ORDER BY analyst_id", t=TEAM)]


def _outsider(url):
    return _raw(url, "SELECT min(analyst_id) FROM analysts WHERE team_id <> :t", t=TEAM)[0][0]


def test_roster_is_the_leads_team_only(demo_url):
    roster = data.team_roster(scope=LEAD, url=demo_url)
    assert sorted(roster["analyst_id"].to_list()) == _team_analysts(demo_url)
    assert set(roster["team_id"].to_list()) == {TEAM}


def test_factor_evidence_matches_raw_sql(demo_url):
    aid = _team_analysts(demo_url)[0]
    year = Filters(dt.date(2025, 11, 21), dt.date(2026, 11, 21))
    got = detail.factor_evidence(scope=LEAD, analyst_id=aid, filters=year, url=demo_url)
    want = _raw(demo_url, """
        SELECT t.ticket_id, r.ticket_key, r.happiness, r.comment, rf.factor_id
        FROM response_factors rf JOIN responses r ON r.ticket_key = rf.ticket_key
        JOIN tickets t ON t.ticket_key = r.ticket_key JOIN factors f ON f.factor_id = rf.factor_id
        WHERE t.analyst_id = :a AND r.submitted_at >= '2025-11-21' AND r.submitted_at < '2026-11-21'
          AND ((f.polarity = 'positive' AND r.happiness >= 9) OR (f.polarity = 'negative' AND r.happiness <= 6))
        ORDER BY r.submitted_at DESC, r.ticket_key DESC, rf.factor_id""", a=aid)
    assert len(want) >= 10  # the demo holds real evidence for this analyst
    assert [tuple(r) for r in got.iter_rows()] == [tuple(r) for r in want]


def test_the_one_check_refuses_analysts_outside_the_team(demo_url):
    """`check_analyst` is the named-analyst check the read model makes once per render
    (tests/views/test_coaching.py checks every entry point refuses through it)."""
    outsider = _outsider(demo_url)
    with pytest.raises(ScopeError):
        data.check_analyst(LEAD, outsider, url=demo_url)
    member = _team_analysts(demo_url)[0]
    assert data.check_analyst(LEAD, member, url=demo_url)["team_id"] == TEAM
    with pytest.raises(ScopeError):
        self_assessments.shared_self_assessment(scope=Scope("cio"), analyst_id=member, url=demo_url)
    with pytest.raises(ScopeError):
        data.team_roster(scope=Scope("cio"), url=demo_url)
    with pytest.raises(ScopeError):
        detail.verbatims(scope=Scope("analyst", analyst_id=outsider, team_ids=(1,)), analyst_id=outsider + 1,
                         filters=PERIOD, url=demo_url)
    with pytest.raises(ScopeError):  # another team's id is refused before any SQL
        detail.factor_counts(scope=LEAD, analyst_id=outsider, team_id=TEAM + 1, filters=PERIOD, url=demo_url)


def test_named_reads_of_an_outsider_return_nothing(demo_url):
    """Without the check, each reader's WHERE still limits to the lead's analysts: no rows, no counts."""
    outsider = _outsider(demo_url)
    everything = Filters(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    assert detail.factor_evidence(scope=LEAD, analyst_id=outsider, filters=everything, url=demo_url).is_empty()
    assert detail.unhappy_context(scope=LEAD, analyst_id=outsider, filters=everything, url=demo_url).is_empty()
    rows, total = detail.verbatims(scope=LEAD, analyst_id=outsider, filters=everything,
                                   vf=detail.VerbatimFilter(with_comment=False), url=demo_url)
    assert rows.is_empty() and total == 0
    counts = detail.factor_counts(scope=LEAD, analyst_id=outsider, team_id=TEAM, filters=everything, url=demo_url)
    assert counts["analyst_count"].sum() == 0
    assert data.coaching_notes(scope=LEAD, analyst_id=outsider, url=demo_url).is_empty()
    assert data.kudos_received(scope=LEAD, analyst_id=outsider, url=demo_url).is_empty()
    assert self_assessments.shared_self_assessment(scope=LEAD, analyst_id=outsider, url=demo_url) is None
    queue, total, _ = data.recovery_queue(scope=LEAD, threshold=10, since=None, now=NOW, target_hours=24,
                                          status="all", analyst_id=outsider, url=demo_url)
    assert queue.is_empty() and total == 0


def test_sql_itself_carries_the_team_condition(demo_url):
    """Even if the pre-check were bypassed, a forged id returns no rows: the WHERE limits teams."""
    outsider = _outsider(demo_url)
    stmt = detail.verbatims_query(scope=LEAD, analyst_id=outsider, filters=Filters(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
                                  vf=detail.VerbatimFilter(with_comment=False), limit=50, offset=0)
    with get_engine(demo_url).connect() as conn:
        assert conn.execute(stmt).all() == []
    notes = data.notes_query(scope=LEAD, analyst_id=outsider)
    with get_engine(demo_url).connect() as conn:
        assert conn.execute(notes).all() == []


def test_factor_counts_match_raw_sql(demo_url):
    analyst = _team_analysts(demo_url)[3]
    counts = detail.factor_counts(scope=LEAD, analyst_id=analyst, team_id=TEAM, filters=PERIOD, url=demo_url)
    raw = dict(_raw(demo_url, "SELECT rf.factor_id, count(*) FROM response_factors rf "
                              "JOIN responses r ON r.ticket_key = rf.ticket_key JOIN tickets t ON t.ticket_key = r.ticket_key "
                              "WHERE t.analyst_id = :a AND r.submitted_at >= :s AND r.submitted_at < :e GROUP BY 1",
                    a=analyst, s=dt.datetime(2026, 8, 23), e=dt.datetime(2026, 11, 21)))
    team = dict(_raw(demo_url, "SELECT rf.factor_id, count(*) FROM response_factors rf "
                               "JOIN responses r ON r.ticket_key = rf.ticket_key JOIN tickets t ON t.ticket_key = r.ticket_key "
                               "WHERE t.team_id = :t AND r.submitted_at >= :s AND r.submitted_at < :e GROUP BY 1",
                     t=TEAM, s=dt.datetime(2026, 8, 23), e=dt.datetime(2026, 11, 21)))
    got = {r["factor_id"]: r["analyst_count"] for r in counts.iter_rows(named=True) if r["analyst_count"]}
    assert got == raw
    assert {r["factor_id"]: r["team_count"] for r in counts.iter_rows(named=True) if r["team_count"]} == team
    assert counts.height == 13  # every catalogue factor, zeros kept


def test_verbatims_paginate_and_filter(demo_url):
    analyst = _team_analysts(demo_url)[3]
    everything = Filters(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    vf = detail.VerbatimFilter(band="unhappy", with_comment=True)
    expected = [r[0] for r in _raw(demo_url, "SELECT r.ticket_key FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                                             "WHERE t.analyst_id = :a AND r.happiness <= 6 AND r.comment IS NOT NULL "
                                             "ORDER BY r.submitted_at DESC, r.ticket_key DESC", a=analyst)]
    assert len(expected) > 3
    first, total = detail.verbatims(scope=LEAD, analyst_id=analyst, filters=everything, vf=vf, page=0, page_size=3,
                                  url=demo_url)
    second, _ = detail.verbatims(scope=LEAD, analyst_id=analyst, filters=everything, vf=vf, page=1, page_size=3,
                               url=demo_url)
    assert total == len(expected)
    assert first["ticket_key"].to_list() + second["ticket_key"].to_list() == expected[:6]
    assert (first["happiness"] <= 6).all()
    # factor filter: only responses that name the factor
    factor = _raw(demo_url, "SELECT rf.factor_id FROM response_factors rf JOIN tickets t ON t.ticket_key = rf.ticket_key "
                            "WHERE t.analyst_id = :a GROUP BY 1 ORDER BY count(*) DESC", a=analyst)[0][0]
    named, n_named = detail.verbatims(scope=LEAD, analyst_id=analyst, filters=everything,
                                    vf=detail.VerbatimFilter(factor_id=factor, with_comment=False), page_size=500,
                                    url=demo_url)
    raw_n = _raw(demo_url, "SELECT count(*) FROM response_factors rf JOIN tickets t ON t.ticket_key = rf.ticket_key "
                           "WHERE t.analyst_id = :a AND rf.factor_id = :f", a=analyst, f=factor)[0][0]
    assert n_named == raw_n == named.height


def test_recovery_queue_counts_open_and_overdue(demo_url):
    since = dt.datetime(2026, 8, 23)
    queue, total, overdue = data.recovery_queue(scope=LEAD, threshold=6, since=since, now=NOW,
                                                target_hours=24, page_size=500, url=demo_url)
    raw = _raw(demo_url, "SELECT count(*), sum(CASE WHEN ri.due_at < :now AND ri.first_contact_at IS NULL THEN 1 ELSE 0 END) FROM responses r "
                         "JOIN tickets t ON t.ticket_key = r.ticket_key JOIN recovery_items ri ON ri.ticket_key = r.ticket_key "
                         "WHERE t.team_id = :t AND r.happiness <= 6 AND r.submitted_at >= :s AND ri.resolved_at IS NULL",
               now=NOW, t=TEAM, s=since)[0]
    assert (total, overdue) == (raw[0], raw[1] or 0)
    assert queue.height == total and int(queue["overdue"].sum()) == overdue
    # most urgent first
    assert queue["due_at"].to_list() == sorted(queue["due_at"].to_list())


def test_shared_self_assessment_only_when_latest_is_shared(demo_url):
    rows = _raw(demo_url, "SELECT a.analyst_id, s.shared_with_lead FROM self_assessments s JOIN analysts a "
                          "ON a.analyst_id = s.analyst_id WHERE a.team_id = :t AND s.submitted_at = "
                          "(SELECT max(submitted_at) FROM self_assessments s2 WHERE s2.analyst_id = s.analyst_id)", t=TEAM)
    assert rows, "demo team has self-assessments"
    for analyst_id, shared in rows:
        got = self_assessments.shared_self_assessment(scope=LEAD, analyst_id=analyst_id, url=demo_url)
        assert (got is not None) == bool(shared)


def test_due_rule_comes_from_the_recovery_module():
    """Coaching no longer has its own one-business-day rule: data_access.recovery is the only one."""
    from data_access import recovery

    assert not hasattr(data, "business_day_after") and not hasattr(data, "overdue_cutoff")
    friday = dt.datetime(2026, 11, 20, 10)
    assert recovery.due_at(friday, 24) == dt.datetime(2026, 11, 23, 10)  # Monday
    assert recovery.due_at(dt.datetime(2026, 11, 18, 9), 24) == dt.datetime(2026, 11, 19, 9)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_queries_compile_for_each_dialect(dialect):
    args = dict(scope=LEAD)
    built = [
        data.roster_query(**args),
        data.recovery_counts_query(**args, threshold=6, since=NOW, now=NOW, target_hours=24),
        data.last_scores_query(**args, since=NOW), data.last_kudos_query(**args), data.last_note_query(**args),
        detail.factor_counts_query(**args, analyst_id=1, team_id=TEAM, filters=PERIOD),
        detail.verbatims_query(**args, analyst_id=1, filters=PERIOD, vf=detail.VerbatimFilter(factor_id=3), limit=10,
                               offset=20),
        detail.factor_evidence_query(**args, analyst_id=1, filters=PERIOD),
        detail.unhappy_context_query(**args, analyst_id=1, filters=PERIOD),
        data.recovery_queue_query(**args, threshold=6, since=None),
        data.recovery_history_query(**args, ticket_key=5), data.kudos_query(**args, analyst_id=1),
        data.notes_query(**args, analyst_id=1),
    ]
    for stmt in built:
        text = str(stmt.compile(dialect=dialect))
        assert "team_id" in text  # every query is limited to the lead's teams


def test_queries_run_on_duckdb(tmp_path):
    from data_access import demo

    url = f"duckdb:///{tmp_path / 'coach.duckdb'}"
    demo.generate(get_engine(url), responses=600, seed=7, end=TODAY)
    roster = data.team_roster(scope=LEAD, url=url)
    analyst = int(roster["analyst_id"][0])
    wide = Filters(dt.date(2020, 1, 1), dt.date(2027, 1, 1))
    rows, total = detail.verbatims(scope=LEAD, analyst_id=analyst, filters=wide, url=url)
    assert total >= rows.height
    data.team_activity(scope=LEAD, since=dt.datetime(2026, 1, 1), now=NOW, target_hours=24, threshold=6, url=url)
    data.recovery_queue(scope=LEAD, threshold=6, since=None, now=NOW, target_hours=24, url=url)
    get_engine(url).dispose()
