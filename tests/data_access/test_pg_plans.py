"""PostgreSQL plans of the per-person pages: no sequential scan of responses (nor of tickets or
factor picks) for Coaching and My feedback reads, on a warehouse large enough (and ANALYZEd) for
the planner to choose freely. With the rollups switched off the factor counts scan
response_factors: the rollups are what keeps these pages on indexes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from data_access import coaching, coaching_analyst, demo, query, schema, stats
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.scoping import within_team
from tests.conftest import _fresh_pg_database
from views import my_feedback
from views.coaching import analyst as coaching_view, overview_periods

END = dt.date(2026, 11, 20)
RESPONSES = 30_000  # ~130,000 tickets, ~200,000 rows in all: the planner weighs scans against indexes for real


@pytest.fixture(scope="module")
def big_pg(postgres_server_url) -> str:
    url = _fresh_pg_database(postgres_server_url)
    engine = get_engine(url)
    demo.generate(engine, responses=RESPONSES, seed=11, end=END)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    return url


def _scans(plan: dict) -> list[tuple[str, str]]:
    found = [(plan.get("Node Type", ""), plan.get("Relation Name", ""))]
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


class PlanRecorder:
    """Runs EXPLAIN on every SELECT the engine executes and keeps (statement, scans)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine, self.plans = engine, []

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._explain)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._explain)

    def _explain(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")) or executemany:
            return
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        self.plans.append((statement, _scans(plan[0]["Plan"])))

    def seq_scans_of(self, table: str) -> list[str]:
        return [s for s, scans in self.plans if ("Seq Scan", table) in scans]


def _person(url: str) -> tuple[int, int]:
    with get_engine(url).connect() as conn:
        return tuple(conn.execute(sa.select(schema.analysts.c.analyst_id, schema.analysts.c.team_id)
                                  .order_by(schema.analysts.c.analyst_id).offset(3)).first())


def _record_person_pages(big_pg, monkeypatch) -> "PlanRecorder":
    monkeypatch.setenv("SERVICE_PULSE_TODAY", END.isoformat())
    analyst_id, team_id = _person(big_pg)
    lead = Scope("lead", team_ids=(team_id,))
    me = Scope("analyst", analyst_id=analyst_id, team_ids=(team_id,))
    rolling, _ = overview_periods(END)
    year = Filters(END - dt.timedelta(days=365), END + dt.timedelta(days=1))
    now = dt.datetime.combine(END, dt.time(12))
    query.clear_cached_reads()
    with PlanRecorder(get_engine(big_pg)) as recorder:
        since = now - dt.timedelta(days=30)
        coaching.team_roster(scope=lead, url=big_pg)
        coaching.team_activity(scope=lead, since=since, now=now, target_hours=24,
                               threshold=6, url=big_pg)
        # The overview's own window starts at midnight: its recovery counts come from the rollups.
        coaching.team_activity(scope=lead, since=dt.datetime.combine(rolling.start, dt.time()), now=now,
                               target_hours=24, threshold=6, url=big_pg)
        coaching_view.monthly_stats(team=within_team(lead, team_id), analyst_id=analyst_id, filters=year,
                                    url=big_pg)
        stats.response_stats(scope=within_team(lead, team_id), filters=rolling, by=("analyst_id",), url=big_pg)
        coaching_analyst.factor_counts(scope=lead, analyst_id=analyst_id, team_id=team_id, filters=rolling,
                                       url=big_pg)
        coaching_analyst.verbatims(scope=lead, analyst_id=analyst_id, filters=rolling, url=big_pg)
        coaching_analyst.factor_evidence(scope=lead, analyst_id=analyst_id, filters=rolling, url=big_pg)
        coaching_analyst.unhappy_context(scope=lead, analyst_id=analyst_id, filters=rolling, url=big_pg)
        coaching.recovery_queue(scope=lead, threshold=6, since=since, now=now,
                                target_hours=24, url=big_pg)
        coaching.kudos_received(scope=lead, analyst_id=analyst_id, url=big_pg)
        my_feedback.my_figures(scope=me, filters=rolling, url=big_pg)
        my_feedback.my_trend(scope=me, filters=rolling, url=big_pg)
        my_feedback.competency_evidence(scope=me, filters=rolling, url=big_pg)
        my_feedback.my_verbatims(scope=me, filters=rolling, url=big_pg)
        my_feedback.my_recognition(scope=me, url=big_pg)
        my_feedback.my_responses_export(scope=me, filters=rolling, url=big_pg)
    return recorder


@pytest.mark.slow
def test_coaching_and_my_feedback_never_scan_responses(big_pg, monkeypatch):
    recorder = _record_person_pages(big_pg, monkeypatch)
    assert len(recorder.plans) >= 15
    scanned = recorder.seq_scans_of("responses")
    assert scanned == [], "sequential scans of responses:\n\n" + "\n\n".join(scanned)


@pytest.mark.slow
@pytest.mark.parametrize("table", ["tickets", "response_factors"])
def test_coaching_and_my_feedback_never_scan_tickets_or_factor_picks(big_pg, monkeypatch, table):
    recorder = _record_person_pages(big_pg, monkeypatch)
    scanned = recorder.seq_scans_of(table)
    assert scanned == [], f"sequential scans of {table}:\n\n" + "\n\n".join(scanned)
