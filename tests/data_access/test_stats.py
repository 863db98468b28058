"""Scoped sufficient statistics: right numbers, and never outside the viewer's scope."""

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError
from data_access.stats import lost_histogram, response_stats, ticket_stats

ALL_TIME = Filters(dt.date(2000, 1, 1), dt.date(2100, 1, 1))


def _raw(url: str, sql: str, **params):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def test_org_totals_match_raw_counts(demo_url):
    stats = response_stats(scope=Scope("cio"), filters=ALL_TIME, url=demo_url)
    n, happy, unhappy = _raw(demo_url, "SELECT count(*), sum(CASE WHEN happiness >= 9 THEN 1 ELSE 0 END), "
                                       "sum(CASE WHEN happiness <= 6 THEN 1 ELSE 0 END) FROM responses")[0]
    assert stats.row(0, named=True)["n"] == n == 4000
    assert stats["happy"][0] == happy and stats["unhappy"][0] == unhappy


def test_analyst_scope_sees_only_own_rows(demo_url):
    by_analyst = _raw(demo_url, "SELECT t.analyst_id, count(*) FROM responses r JOIN tickets t "
                                "ON t.ticket_key = r.ticket_key GROUP BY t.analyst_id ORDER BY 1")
    analyst_id, own_n = by_analyst[0]
    stats = response_stats(scope=Scope("analyst", analyst_id=analyst_id, team_ids=(1,)),
                           filters=ALL_TIME, url=demo_url)
    assert stats["n"].to_list() == [own_n]
    # Even a filter naming every team cannot widen an analyst's own view.
    wide = Filters(ALL_TIME.start, ALL_TIME.end, team_ids=tuple(range(1, 9)))
    assert response_stats(scope=Scope("analyst", analyst_id=analyst_id, team_ids=(1,)),
                          filters=wide, url=demo_url)["n"].to_list() == [own_n]


def test_lead_scope_is_limited_to_their_teams(demo_url):
    stats = response_stats(scope=Scope("lead", team_ids=(2,)), filters=ALL_TIME, by=("team_id",),
                           url=demo_url)
    assert stats["team_id"].to_list() == [2]
    forged = Filters(ALL_TIME.start, ALL_TIME.end, team_ids=(3,))
    assert response_stats(scope=Scope("lead", team_ids=(2,)), filters=forged, url=demo_url)["n"][0] == 0


def test_per_analyst_grain_refused_for_cio_and_team_distribution():
    with pytest.raises(ScopeError):
        response_stats(scope=Scope("cio"), filters=ALL_TIME, by=("analyst_id",), url="sqlite://")
    with pytest.raises(ScopeError):
        response_stats(scope=Scope("analyst", analyst_id=1, team_ids=(1,)), filters=ALL_TIME,
                       by=("analyst_id",), own_only=False, url="sqlite://")
    with pytest.raises(ScopeError):
        response_stats(scope=Scope("admin"), filters=ALL_TIME, url="sqlite://")


def test_monthly_grain_and_ticket_denominator(demo_url):
    scope = Scope("cio")
    period = Filters(dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    monthly = response_stats(scope=scope, filters=period, by=("month",), url=demo_url)
    assert monthly["month"].to_list() == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    expected = _raw(demo_url, "SELECT count(*) FROM responses WHERE submitted_at >= :a AND submitted_at < :b",
                    a=dt.datetime(2026, 1, 1), b=dt.datetime(2026, 4, 1))[0][0]
    assert monthly["n"].sum() == expected
    tickets = ticket_stats(scope=scope, filters=period, url=demo_url)
    raw_tickets = _raw(demo_url, "SELECT count(*) FROM tickets WHERE resolved_at >= :a AND resolved_at < :b",
                       a=dt.datetime(2026, 1, 1), b=dt.datetime(2026, 4, 1))[0][0]
    assert tickets["tickets"][0] == raw_tickets


def test_lost_histogram_sums_to_answered_responses(demo_url):
    hist = lost_histogram(scope=Scope("cio"), filters=ALL_TIME, url=demo_url)
    answered = _raw(demo_url, "SELECT count(lost_minutes) FROM responses")[0][0]
    assert hist["count"].sum() == answered
    assert hist["lost_minutes"].is_sorted()
