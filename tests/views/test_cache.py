"""The caching seam: one shared entry per scope + filters for every session; readers stay uncached."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
import streamlit as st

from data_access import query, trends
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from views import cache, culture

YEAR = Filters(dt.date(2025, 11, 21), dt.date(2026, 11, 21))


@pytest.fixture
def statements(sqlite_demo_url):
    """Counts the SQL statements the warehouse receives during a test."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    engine = get_engine(sqlite_demo_url)
    st.cache_data.clear()
    sa.event.listen(engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", count)
    st.cache_data.clear()


def test_a_heavy_shared_read_runs_once_for_every_session(sqlite_demo_url, statements):
    cio = Scope("cio")

    def one_session(_):
        return cache.culture.culture_report(scope=cio, filters=YEAR, url=sqlite_demo_url)

    first = one_session(0)
    cold = len(statements)
    assert cold > 0
    with ThreadPoolExecutor(max_workers=6) as pool:  # six more people open the page at once
        reports = list(pool.map(one_session, range(6)))
    assert len(statements) == cold  # served from the shared entry: no SQL at all
    assert first.headline.n > 0
    assert all(r.headline == first.headline and r.trend.equals(first.trend) for r in reports)


def test_entries_are_keyed_by_scope_and_filters(sqlite_demo_url, statements):
    cache.trends.experience_stats(scope=Scope("cio"), filters=YEAR, url=sqlite_demo_url)
    after_one = len(statements)
    cache.trends.experience_stats(scope=Scope("cio"), filters=YEAR, url=sqlite_demo_url)
    assert len(statements) == after_one
    other_period = Filters(dt.date(2026, 1, 1), YEAR.end)
    cache.trends.experience_stats(scope=Scope("cio"), filters=other_period, url=sqlite_demo_url)
    assert len(statements) == after_one + 1
    one_team = Scope("lead", team_ids=(1,))
    cache.trends.experience_stats(scope=one_team, filters=YEAR, url=sqlite_demo_url)
    assert len(statements) == after_one + 2


def test_data_access_readers_are_not_cached(sqlite_demo_url, statements):
    trends.experience_stats(scope=Scope("cio"), filters=YEAR, url=sqlite_demo_url)
    trends.experience_stats(scope=Scope("cio"), filters=YEAR, url=sqlite_demo_url)
    assert len(statements) == 2  # the CLI, cron jobs and the benchmark see the warehouse as it is


def test_a_write_clears_the_shared_entries(sqlite_demo_url, statements):
    cache.trends.service_names(url=sqlite_demo_url)
    query.clear_cached_reads()  # what every app write calls
    cache.trends.service_names(url=sqlite_demo_url)
    assert len(statements) == 2


def test_other_names_pass_through_to_the_module():
    assert cache.coaching.QUEUE_PAGE_SIZE == 25
    assert cache.trends.CELL_TYPES is trends.CELL_TYPES
    assert cache.trends.team_names_query is trends.team_names_query
    assert cache.culture.CultureReport is culture.CultureReport


WEEKS = Filters(dt.date(2025, 11, 24), dt.date(2026, 11, 16))
"""A year of whole weeks (Monday to Monday), as every page's periods are."""


@pytest.fixture
def worked_out(monkeypatch) -> list[tuple[dt.date, dt.date]]:
    """The periods (start, end) whose service × channel × team pattern is worked out, in order."""
    from views import culture_threeway

    periods: list[tuple[dt.date, dt.date]] = []
    plain = culture_threeway.family_pattern

    def counted(gate, reads, top):
        periods.append((top.start, top.end))
        return plain(gate, reads, top)

    monkeypatch.setattr(culture_threeway, "family_pattern", counted)
    return periods


def test_report_builds_share_a_periods_pattern_and_a_write_forgets_it(sqlite_demo_url, statements, worked_out):
    """The service × channel × team pattern of a period is the same for every link of its family
    (filters on services, channels and teams aside), whichever link's build worked it out: the
    year's build works out the year's, the period before's and the same weeks a year earlier's;
    opening the period before itself then reuses its pattern and shows what a build on its own
    shows. After a write every pattern is worked out again."""
    cio = Scope("cio")
    cache.culture.culture_report(scope=cio, filters=WEEKS, url=sqlite_demo_url)
    assert worked_out == [(WEEKS.start, WEEKS.end),                          # the period
                          (dt.date(2024, 12, 2), WEEKS.start),               # the period before
                          (dt.date(2024, 11, 25), dt.date(2025, 11, 17))]    # the same weeks a year earlier
    before = WEEKS.previous()
    shared = cache.culture.culture_report(scope=cio, filters=before, url=sqlite_demo_url)
    assert worked_out[3:] == [(dt.date(2023, 12, 11), before.start), (dt.date(2023, 12, 4), dt.date(2024, 11, 25))]
    alone = culture.culture_report(scope=cio, filters=before, url=sqlite_demo_url)
    assert shared.withheld is None and shared.hotspots.height > 0
    assert shared.headline == alone.headline and shared.hotspots.equals(alone.hotspots)
    assert shared.teams.equals(alone.teams) and shared.trend.equals(alone.trend)
    query.clear_cached_reads()
    del worked_out[:]
    cache.culture.culture_report(scope=cio, filters=before, url=sqlite_demo_url)
    assert worked_out == [(before.start, before.end), (dt.date(2023, 12, 11), before.start),
                          (dt.date(2023, 12, 4), dt.date(2024, 11, 25))]


def test_an_import_from_another_process_is_not_mixed_with_patterns_worked_out_before_it(tmp_path, worked_out):
    """Another process's import empties no cache here, but it records an import run: the answers'
    stamp changes, so the next build works its patterns out again instead of reusing those of the
    answers before the import."""
    from data_access import demo, schema
    from tests.conftest import DEMO_END, DEMO_RESPONSES, DEMO_SEED
    url = f"sqlite:///{tmp_path / 'stamp.sqlite'}"
    demo.generate(get_engine(url), responses=DEMO_RESPONSES, seed=DEMO_SEED, end=DEMO_END)
    st.cache_data.clear()
    cio = Scope("cio")
    cache.culture.culture_report(scope=cio, filters=WEEKS, url=url)
    assert len(worked_out) == 3
    with get_engine(url).begin() as conn:  # what an import in another process leaves behind
        conn.execute(schema.import_runs.insert().values(kind="responses", started_at=dt.datetime(2026, 11, 20, 9),
                                                        finished_at=dt.datetime(2026, 11, 20, 9, 1)))
    cache.culture.culture_report(scope=cio, filters=WEEKS.previous(), url=url)
    assert worked_out[3:] == [(WEEKS.previous().start, WEEKS.start), (dt.date(2023, 12, 11), dt.date(2024, 12, 2)),
                              (dt.date(2023, 12, 4), dt.date(2024, 11, 25))]
    st.cache_data.clear()
