"""The Coaching read model (views/coaching): figures against raw SQL, and one scope check per render."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access.engine import get_engine
from data_access.scope import Scope, ScopeError
# The same pinned day, team, lead and period as the SQL tests of these reads, and their fixture.
from tests.data_access.test_coaching import LEAD, NOW, PERIOD, TEAM, TODAY, _fresh_cache, _raw  # noqa: F401
from views import coaching


def _member(url) -> int:
    return _raw(url, "SELECT min(analyst_id) FROM analysts WHERE team_id = :t AND active", t=TEAM)[0][0]


def _outsider(url) -> int:
    return _raw(url, "SELECT min(analyst_id) FROM analysts WHERE team_id <> :t", t=TEAM)[0][0]


def test_every_named_entry_point_refuses_an_analyst_outside_the_team(sqlite_demo_url):
    outsider = _outsider(sqlite_demo_url)
    with pytest.raises(ScopeError):
        coaching.analyst_detail(scope=LEAD, analyst_id=outsider, filters=PERIOD, phrase="x", url=sqlite_demo_url)
    with pytest.raises(ScopeError):
        coaching.analyst_notes(scope=LEAD, analyst_id=outsider, url=sqlite_demo_url)
    for scope in (Scope("cio"), Scope("analyst", analyst_id=outsider, team_ids=(1,))):
        with pytest.raises(ScopeError):
            coaching.coaching_report(scope=scope, today=TODAY, now=NOW, url=sqlite_demo_url)
        with pytest.raises(ScopeError):
            coaching.analyst_detail(scope=scope, analyst_id=outsider, filters=PERIOD, phrase="x",
                                    url=sqlite_demo_url)


def test_the_analyst_is_checked_once_per_render(sqlite_demo_url):
    """One roster lookup for the analyst (before: nine, one per reader), then only scoped reads."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    engine = get_engine(sqlite_demo_url)
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        coaching.analyst_detail(scope=LEAD, analyst_id=_member(sqlite_demo_url), filters=PERIOD,
                                phrase="in the last 90 days", url=sqlite_demo_url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    roster_reads = [s for s in seen if "JOIN teams" in s and "analysts.active" in s]
    assert len(roster_reads) == 1


def test_analyst_detail_matches_raw_sql(sqlite_demo_url):
    url = sqlite_demo_url
    analyst = _member(url)
    detail = coaching.analyst_detail(scope=LEAD, analyst_id=analyst, filters=PERIOD, phrase="in the last 90 days",
                                     url=url)
    window = dict(s=dt.datetime.combine(PERIOD.start, dt.time()), e=dt.datetime.combine(PERIOD.end, dt.time()))
    (n, happy, unhappy), = _raw(url, "SELECT count(*), sum(CASE WHEN r.happiness >= 9 THEN 1 ELSE 0 END), "
                                     "sum(CASE WHEN r.happiness <= 6 THEN 1 ELSE 0 END) FROM responses r "
                                     "JOIN tickets t ON t.ticket_key = r.ticket_key WHERE t.analyst_id = :a "
                                     "AND r.submitted_at >= :s AND r.submitted_at < :e", a=analyst, **window)
    (team_n,), = _raw(url, "SELECT count(*) FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                           "JOIN analysts a ON a.analyst_id = t.analyst_id WHERE a.team_id = :t "
                           "AND r.submitted_at >= :s AND r.submitted_at < :e", t=TEAM, **window)
    assert detail.analyst["analyst_id"] == analyst and detail.analyst["team_id"] == TEAM
    assert (detail.totals["n"], detail.totals["happy"], detail.totals["unhappy"]) == (n, happy, unhappy)
    assert detail.team_totals["n"] == team_n
    assert detail.headline["happiness"] == pytest.approx(100 * (happy - unhappy) / n)
    assert int(detail.trend.filter(detail.trend["who"] == "Analyst")["n"].sum()) == n
    assert int(detail.trend.filter(detail.trend["who"] == "Team")["n"].sum()) == team_n
    assert detail.enough == (n >= 5)
    (unhappy_hard,), = _raw(url, "SELECT count(*) FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                                 "WHERE t.analyst_id = :a AND r.happiness <= 6 AND (t.reassignment_count > 0 "
                                 "OR t.reopened) AND r.submitted_at >= :s AND r.submitted_at < :e",
                            a=analyst, **window)
    assert detail.context.height == unhappy_hard


def test_coaching_report_counts_match_raw_sql(sqlite_demo_url):
    url = sqlite_demo_url
    report = coaching.coaching_report(scope=LEAD, today=TODAY, now=NOW, url=url)
    raw = dict(_raw(url, "SELECT a.analyst_id, count(r.ticket_key) FROM analysts a "
                         "LEFT JOIN tickets t ON t.analyst_id = a.analyst_id "
                         "LEFT JOIN responses r ON r.ticket_key = t.ticket_key AND r.submitted_at >= :s "
                         "AND r.submitted_at < :e WHERE a.team_id = :t GROUP BY a.analyst_id",
                    t=TEAM, s=dt.datetime(2026, 8, 17), e=dt.datetime(2026, 11, 16)))
    assert dict(zip(report.analysts["analyst_id"].to_list(), report.analysts["n"].to_list())) == raw
    assert report.team["n"] == sum(raw.values())
    assert report.with_enough == sum(1 for v in raw.values() if v >= 5)
    open_items, = _raw(url, "SELECT count(*) FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                            "JOIN analysts a ON a.analyst_id = t.analyst_id "
                            "LEFT JOIN recovery_items ri ON ri.ticket_key = r.ticket_key "
                            "WHERE a.team_id = :t AND r.happiness <= 6 AND r.submitted_at >= :s "
                            "AND ri.resolved_at IS NULL", t=TEAM, s=dt.datetime(2026, 8, 17))[0]
    assert report.open_recovery == open_items


def test_overview_periods_are_the_90_day_preset():
    current, previous = coaching.overview_periods(TODAY)
    assert (current.start, current.end) == (dt.date(2026, 8, 17), dt.date(2026, 11, 16))
    assert (previous.start, previous.end) == (dt.date(2026, 5, 18), dt.date(2026, 8, 17))


def test_notes_and_kudos_of_a_member(sqlite_demo_url):
    url = sqlite_demo_url
    analyst = _member(url)
    got = coaching.analyst_notes(scope=LEAD, analyst_id=analyst, url=url)
    (notes,), = _raw(url, "SELECT count(*) FROM coaching_notes WHERE analyst_id = :a", a=analyst)
    (kudos,), = _raw(url, "SELECT count(*) FROM kudos WHERE analyst_id = :a", a=analyst)
    assert (got.notes.height, got.kudos.height) == (notes, kudos)
