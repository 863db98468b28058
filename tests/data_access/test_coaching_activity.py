"""The Coaching overview's activity (open and overdue recoveries, newest scores) on a warehouse
built by hand, with the counts worked out below: the same rows from the rollups and from the base
tables, on SQLite, DuckDB and PostgreSQL, and after the lead's writes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from data_access import coaching, rollups, schema
from data_access.engine import get_engine
from data_access.rollups import coaching as rollup_coaching
from data_access.rollups.check import check
from data_access.rollups.state import DISABLE_ENV, forget_status
from data_access.scope import Scope
from tests.data_access.test_rollups_property import _reset

LEAD = Scope("lead", team_ids=(1,))
SINCE = dt.datetime(2026, 11, 1)
FRIDAY_NOON = dt.datetime(2026, 11, 20, 12)
SUNDAY = dt.datetime(2026, 11, 22, 10)

# ticket_key: (analyst, submitted, score, item) — item: None, or (due_at, first contact, resolved).
ANSWERS = {
    # analyst 1
    1: (1, "2026-10-30 10:00", 2, None),  # before the window
    2: (1, "2026-11-02 09:00", 3, None),  # no item yet, long past due: open and overdue
    3: (1, "2026-11-10 09:00", 5, ("2026-11-11 09:00", "2026-11-10 12:00", "2026-11-12 09:00")),  # resolved
    4: (1, "2026-11-19 15:00", 6, ("2026-11-20 15:00", None, None)),  # due Friday 15:00: overdue from then
    5: (1, "2026-11-18 08:00", 4, ("2026-11-19 08:00", "2026-11-18 10:00", None)),  # contacted, still open
    6: (1, "2026-11-20 09:00", 1, None),  # no item; due Saturday 09:00, moved to Monday
    7: (1, "2026-11-19 10:00", 9, None),
    8: (1, "2026-11-19 11:00", 7, None),  # above the threshold
    # analyst 2: three unhappy answers in a row, all overdue
    9: (2, "2026-11-05 10:00", 0, ("2026-11-06 10:00", None, None)),
    10: (2, "2026-11-06 10:00", 2, None),
    11: (2, "2026-11-07 10:00", 4, None),  # a Saturday: due Monday 9 November
    12: (2, "2026-10-20 10:00", 9, None),
    # analyst 4: one answer in the window
    13: (4, "2026-11-03 10:00", 8, None),
    14: (4, "2026-10-01 10:00", 2, None),
    # analyst 3, of another team: never in this lead's figures
    15: (3, "2026-11-19 10:00", 0, None),
}


def _at(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


@pytest.fixture
def url(empty_url_every_engine) -> str:
    found = empty_url_every_engine
    _reset(found)
    with get_engine(found).begin() as conn:
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="Desk"), dict(team_id=2, name="Network")])
        conn.execute(schema.services.insert(), [dict(service_id=1, name="VPN")])
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"Analyst {a}", team_id=2 if a == 3 else 1)
                                                for a in (1, 2, 3, 4)])
        for key, (analyst, submitted, score, item) in ANSWERS.items():
            at = _at(submitted)
            conn.execute(schema.tickets.insert().values(
                ticket_key=key, ticket_id=f"T-{key}", ticket_type="incident", channel="phone", service_id=1,
                priority=3, opened_at=at - dt.timedelta(hours=3), resolved_at=at - dt.timedelta(hours=1),
                analyst_id=analyst, team_id=2 if analyst == 3 else 1, sla_met=True))
            conn.execute(schema.responses.insert().values(ticket_key=key, happiness=score, submitted_at=at))
            if item is not None:
                due, contact, resolved = map(_at, item)
                conn.execute(schema.recovery_items.insert().values(
                    ticket_key=key, team_id=1, analyst_id=analyst, created_at=at, due_at=due,
                    first_contact_at=contact, resolved_at=resolved))
        rollups.rebuild(conn)
    forget_status()
    return found


def _activity(url: str, now: dt.datetime, threshold: int = 6, since: dt.datetime = SINCE) -> dict[str, list]:
    got = coaching.team_activity(scope=LEAD, since=since, now=now, target_hours=24, threshold=threshold, url=url)
    return {"recovery": sorted(got["recovery"].rows()), "scores": sorted(got["scores"].rows())}


# Newest first: analyst 1's answers 6, 4 and 8; analyst 2's 11, 10, 9; analyst 4's only one.
SCORES = [(1, 1, 1), (1, 6, 2), (1, 7, 3), (2, 0, 3), (2, 2, 2), (2, 4, 1), (4, 8, 1)]


@pytest.mark.parametrize("use", ["rollups", "base tables"])
def test_open_and_overdue_recoveries_and_newest_scores(url, monkeypatch, use):
    if use == "base tables":
        monkeypatch.setenv(DISABLE_ENV, "off")
    assert rollups.status(url).fresh == (use == "rollups")
    # Friday noon: analyst 1 has 2, 4, 5, 6 open, only 2 overdue (4 is due at 15:00, 5 was
    # contacted, 6 is due on Monday); analyst 2 has 9, 10, 11 open and overdue.
    assert _activity(url, FRIDAY_NOON) == {"recovery": [(1, 4, 1), (2, 3, 3)], "scores": SCORES}
    # Sunday: item 4's due time has passed.
    assert _activity(url, SUNDAY)["recovery"] == [(1, 4, 2), (2, 3, 3)]
    # Threshold 3: answers 2 and 6 of analyst 1, 9 and 10 of analyst 2.
    assert _activity(url, FRIDAY_NOON, threshold=3)["recovery"] == [(1, 2, 1), (2, 2, 2)]
    # A window starting on Thursday afternoon: answers 4 and 6 (the base tables answer it either way).
    late = dt.datetime(2026, 11, 19, 14)
    assert _activity(url, FRIDAY_NOON, since=late) == {"recovery": [(1, 2, 0)], "scores": [(1, 1, 1), (1, 6, 2)]}


def test_the_rollup_twin_follows_the_leads_writes(url):
    from data_access.writes import coaching as writes

    RO = schema.rollup_open_recovery
    with get_engine(url).connect() as conn:
        assert check(conn) == []
        n, uncontacted = conn.execute(sa.select(sa.func.sum(RO.c.n), sa.func.sum(RO.c.uncontacted))).one()
    # Answers 2, 4, 5, 6 (analyst 1), 9, 10, 11 (analyst 2), 1 and 14 before the window, 15 (analyst
    # 3): ten, all but 5 not contacted yet.
    assert (n, uncontacted) == (10, 9)
    # Item 4 is contacted; answer 10, which had no item, is closed (its item is made on the way).
    writes.record_recovery_action(url=url, scope=LEAD, user_id=None, ticket_key=4, kind="contacted",
                                  expected_version=1)
    writes.record_recovery_action(url=url, scope=LEAD, user_id=None, ticket_key=10, kind="resolved",
                                  expected_version=0, outcome="recovered")
    with get_engine(url).connect() as conn:
        assert check(conn) == []
    assert _activity(url, SUNDAY)["recovery"] == [(1, 4, 1), (2, 2, 2)]


def test_newest_windows_cover_each_analysts_newest_answers():
    days = pl.DataFrame({"analyst_id": [1, 1, 1, 2, 2, 3], "n": [2, 5, 1, 1, 1, 0],
                         "day": [dt.date(2026, 11, 20), dt.date(2026, 11, 19), dt.date(2026, 11, 2),
                                 dt.date(2026, 11, 7), dt.date(2026, 11, 5), dt.date(2026, 11, 6)]})
    got = rollup_coaching.newest_windows(days, SINCE, 3)
    # Analyst 1: 2 answers on the 20th and 5 on the 19th hold the newest three; analyst 2 has two
    # answers in all; analyst 3 none.
    assert got == {1: (dt.datetime(2026, 11, 19), dt.datetime(2026, 11, 21)),
                   2: (dt.datetime(2026, 11, 5), dt.datetime(2026, 11, 8))}
    late = dt.datetime(2026, 11, 19, 14)
    assert rollup_coaching.newest_windows(days, late, 3)[1] == (late, dt.datetime(2026, 11, 21))
    assert rollup_coaching.merged([(dt.datetime(2026, 11, 5), dt.datetime(2026, 11, 8)),
                                   (dt.datetime(2026, 11, 19), dt.datetime(2026, 11, 21)),
                                   (dt.datetime(2026, 11, 7), dt.datetime(2026, 11, 9))]) == [
        (dt.datetime(2026, 11, 5), dt.datetime(2026, 11, 9)), (dt.datetime(2026, 11, 19), dt.datetime(2026, 11, 21))]


def test_key_ranges_join_neighbouring_buckets_and_stay_few():
    bucket = rollup_coaching.KEY_BUCKET
    rows = [(5, 90), (bucket + 3, bucket + 40), (10 * bucket + 1, 10 * bucket + 2), (40, 60)]
    # The first two buckets lie within a bucket of each other: one range; the far one stays apart.
    assert rollup_coaching.key_ranges(rows) == [(5, bucket + 40), (10 * bucket + 1, 10 * bucket + 2)]
    scattered = [(k * 3 * bucket, k * 3 * bucket + 1) for k in range(rollup_coaching.MAX_RANGES + 1)]
    assert rollup_coaching.key_ranges(scattered) == [(0, rollup_coaching.MAX_RANGES * 3 * bucket + 1)]
    assert rollup_coaching.key_ranges([]) == []
