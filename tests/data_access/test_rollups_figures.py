"""Pages' figures are the same whether they come from the rollups or from the base tables."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from data_access import coaching, coaching_analyst, demo, drill, query, rollups, schema, stats, trends
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.rollups.check import check
from data_access.rollups.state import DISABLE_ENV
from data_access.scope import Scope
from data_access.scoping import within_team
from data_access.surveys.rates import channel_rates
from tests.conftest import DEMO_END, DEMO_RESPONSES, DEMO_SEED
from views import my_feedback
from views.coaching import analyst as coaching_view, overview_periods
from views.culture import FINE_GRAIN, culture_report
from views.culture_cells import experience


@pytest.fixture(scope="module")
def duckdb_demo_url(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('duck-demo') / 'demo.duckdb'}"
    demo.generate(get_engine(url), responses=DEMO_RESPONSES, seed=DEMO_SEED, end=DEMO_END)
    return url


@pytest.fixture(params=["sqlite", "postgres", "duckdb"])
def any_demo_url(request) -> str:
    name = {"sqlite": "sqlite_demo_url", "postgres": "postgres_demo_url", "duckdb": "duckdb_demo_url"}
    return request.getfixturevalue(name[request.param])


def _same(a, b, where: str) -> None:
    if isinstance(a, pl.DataFrame):
        assert isinstance(b, pl.DataFrame), where
        if a.is_empty() and b.is_empty():
            return
        assert_frame_equal(a, b, check_exact=False, rel_tol=1e-9, abs_tol=1e-9, check_dtypes=False), where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        for f in dataclasses.fields(a):
            if f.name != "key":
                _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert b == pytest.approx(a, rel=1e-9, abs=1e-9), where
    else:
        assert a == b, where


def _figures(url: str) -> dict:
    with get_engine(url).connect() as conn:
        team_id, analyst_id = conn.execute(
            sa.select(schema.analysts.c.team_id, schema.analysts.c.analyst_id)
            .order_by(schema.analysts.c.analyst_id)).first()
    year = Filters(dt.date(2025, 11, 20), dt.date(2026, 11, 21))
    odd = Filters(dt.date(2026, 3, 17), dt.date(2026, 9, 3), channels=("phone", "email"),
                  ticket_types=("incident",))
    # Whole weeks (the org views' periods: the weekly twins alone) and three days (no part of a
    # week inside: the daily rollups alone); "year" and "odd" mix both at their edges.
    weeks = Filters(dt.date(2025, 11, 24), dt.date(2026, 11, 16), channels=("phone", "email", "chat"))
    days = Filters(dt.date(2026, 3, 17), dt.date(2026, 3, 20))
    cio, lead = Scope("cio"), Scope("lead", team_ids=(team_id,))
    me = Scope("analyst", analyst_id=analyst_id, team_ids=(team_id,))
    out = {}
    for name, f in (("weeks", weeks), ("days", days), ("year", year), ("odd", odd)):
        for who, scope in (("cio", cio), ("lead", lead)):  # a drill-through cell's size: n, analysts, commented
            for service_id in (1, 2):
                cell = dataclasses.replace(f, service_ids=(service_id,), channels=("phone",))
                out[f"drill size {who} {name} {service_id}"] = drill.cell_size(scope=scope, filters=cell, url=url)
    for name, f in (("weeks", weeks), ("days", days)):
        for who, scope in (("cio", cio), ("lead", lead)):
            cells = trends.analyst_cells(scope=scope, filters=f, url=url)
            out[f"analyst cells {who} {name}"] = cells.sort(cells.columns)
            for by in ((), ("week",), ("month", "team_id")):
                out[f"survey rates {who} {name} {by}"] = channel_rates(scope=scope, filters=f, url=url, by=by)
    for name, f in (("year", year), ("odd", odd)):
        out[f"culture cio {name}"] = culture_report(scope=cio, filters=f, url=url)
        out[f"culture lead {name}"] = culture_report(scope=lead, filters=f, url=url)
        out[f"stats by all {name}"] = stats.response_stats(
            scope=lead, filters=f, url=url, by=("month", "analyst_id", "channel", "service_id", "sla_met",
                                                "reassignment_count", "ticket_type"))
        out[f"tickets {name}"] = stats.ticket_stats(scope=lead, filters=f, url=url, by=("month", "analyst_id"))
        out[f"lost {name}"] = stats.lost_histogram(scope=cio, filters=f, url=url)
        for who, scope in (("cio", cio), ("lead", lead)):  # disclosure control's per-analyst cells
            cells = trends.analyst_cells(scope=scope, filters=f, url=url)
            out[f"analyst cells {who} {name}"] = cells.sort(cells.columns)
        out[f"org by week {name}"] = stats.response_stats(scope=cio, filters=f, url=url, by=("week", "team_id"))
        out[f"org tickets {name}"] = stats.ticket_stats(scope=cio, filters=f, url=url, by=("month", "service_id"))
        out[f"org tickets by week {name}"] = stats.ticket_stats(scope=lead, filters=f, url=url, by=("week",))
        for who, scope in (("cio", cio), ("lead", lead)):
            out[f"survey rates {who} {name}"] = channel_rates(scope=scope, filters=f, url=url)
            out[f"survey rates by week {who} {name}"] = channel_rates(scope=scope, filters=f, url=url,
                                                                      by=("week", "team_id", "service_id"))
            out[f"survey rates by week only {who} {name}"] = channel_rates(scope=scope, filters=f, url=url,
                                                                           by=("week",))
            # Kudos, 9-10 answers and recovery items (decided ones depend on the moment of reading).
            for moment in (dt.datetime(2026, 11, 20, 12), dt.datetime(2026, 11, 19, 8, 30)):
                stmt = trends.culture_counts_query(scope=scope, filters=f, as_of=moment,
                                                   rollups=rollups.status(url).fresh)
                with get_engine(url).connect() as conn:
                    out[f"culture counts {who} {name} {moment}"] = dict(conn.execute(stmt).one()._mapping)
    rolling, _ = overview_periods(DEMO_END)
    home = within_team(lead, team_id)
    # The overview's recovery counts and newest scores; overdue depends on the moment (a weekend too).
    for moment in (dt.datetime(2026, 11, 20, 12), dt.datetime(2026, 11, 19, 8, 30), dt.datetime(2026, 11, 22, 10)):
        for threshold in (4, 6):
            activity = coaching.team_activity(scope=lead, since=dt.datetime.combine(rolling.start, dt.time()),
                                              now=moment, target_hours=24, threshold=threshold, url=url)
            out[f"coaching activity {moment} {threshold}"] = {k: v.sort(v.columns) for k, v in activity.items()}
    out["coaching monthly"] = coaching_view.monthly_stats(team=home, analyst_id=analyst_id, filters=year, url=url)
    out["coaching team"] = stats.response_stats(scope=home, filters=rolling, by=("analyst_id",), url=url)
    out["coaching factors"] = coaching_analyst.factor_counts(scope=lead, analyst_id=analyst_id, team_id=team_id,
                                                             filters=year, url=url)
    out["my figures"] = my_feedback.my_figures(scope=me, filters=year, url=url)
    out["my figures short"] = my_feedback.my_figures(scope=me, filters=Filters(dt.date(2026, 2, 1),
                                                                               dt.date(2026, 5, 1)), url=url)
    out["my evidence"] = my_feedback.competency_evidence(scope=me, filters=year, url=url)
    out["my trend"] = my_feedback.my_trend(scope=me, filters=year, url=url)
    return out


def test_page_figures_identical_with_and_without_rollups(any_demo_url, monkeypatch):
    assert rollups.status(any_demo_url).fresh
    query.clear_cached_reads()
    with_rollups = _figures(any_demo_url)
    assert with_rollups["culture cio year"].headline.n > 1000  # the shared demo, read for real
    # The weekly twins and the daily rows alone answer with rows (not two empty frames).
    for name, least in (("analyst cells cio weeks", 100), ("survey rates lead weeks ('week',)", 20),
                        ("analyst cells cio days", 1), ("survey rates cio days ()", 1)):
        assert with_rollups[name].height >= least, name
    assert sum(v["commented"] for k, v in with_rollups.items() if k.startswith("drill size cio")) > 0
    activity = with_rollups["coaching activity 2026-11-20 12:00:00 6"]
    assert activity["recovery"]["overdue_recovery"].sum() > 0 and activity["scores"].height >= 3
    monkeypatch.setenv(DISABLE_ENV, "off")
    query.clear_cached_reads()
    assert not rollups.status(any_demo_url).fresh
    without = _figures(any_demo_url)
    for name in with_rollups:
        _same(with_rollups[name], without[name], name)


def test_demo_rollups_equal_their_recomputation(any_demo_url):
    with get_engine(any_demo_url).connect() as conn:
        assert check(conn) == []
        n = conn.execute(sa.select(sa.func.sum(schema.rollup_responses.c.n))).scalar_one()
        tickets = conn.execute(sa.select(sa.func.sum(schema.rollup_tickets.c.tickets))).scalar_one()
        base_tickets = conn.execute(sa.select(sa.func.count()).select_from(schema.tickets)).scalar_one()
    assert n == DEMO_RESPONSES and tickets == base_tickets


@pytest.mark.parametrize("rollups_on", [True, False])
def test_culture_groupings_summed_from_cells_equal_their_own_reads(any_demo_url, monkeypatch, rollups_on):
    """Culture trends sums its groupings of the period from the per-analyst cells: every grouping
    equals `experience_stats` for the same scope and filters, values, types and row order."""
    if not rollups_on:
        monkeypatch.setenv(DISABLE_ENV, "off")
    query.clear_cached_reads()
    with get_engine(any_demo_url).connect() as conn:
        team_id = conn.execute(sa.select(sa.func.min(schema.analysts.c.team_id))).scalar_one()
    year = Filters(dt.date(2025, 11, 20), dt.date(2026, 11, 21))
    odd = Filters(dt.date(2026, 3, 17), dt.date(2026, 9, 3), channels=("phone", "email"), ticket_types=("incident",))
    urgent = dataclasses.replace(year, priorities=(1, 2))  # the rollups keep no priority: base tables
    checked = 0
    for scope in (Scope("cio"), Scope("lead", team_ids=(team_id,))):
        for f in (year, odd, urgent):
            cells = trends.analyst_cells(scope=scope, filters=f, url=any_demo_url)
            for by in (FINE_GRAIN, ("sla_met",), ("service_id", "channel"), ("reassignment_count",), ("team_id",),
                       ("month",), ()):
                direct = trends.experience_stats(scope=scope, filters=f, by=by, url=any_demo_url)
                summed = experience(cells, by)
                assert_frame_equal(summed, direct, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
                checked += int(direct["n"].sum())
        # The link without the priority filter, by priority: what its neighbour check sums.
        by_priority = trends.analyst_cells(scope=scope, filters=year, url=any_demo_url, by_priority=True)
        direct = trends.experience_stats(scope=scope, filters=year, by=("priority",), url=any_demo_url)
        assert_frame_equal(experience(by_priority, ("priority",)), direct, check_exact=False, rel_tol=1e-9,
                           abs_tol=1e-9)
        assert by_priority["priority"].n_unique() > 1
    assert checked > 5 * 1000  # real answers behind every comparison, not empty frames
