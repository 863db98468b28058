"""Culture trends' cells grouped in SQL (`cell_groups`) against the same groupings summed in polars
from the per-analyst cells (`experience(analyst_cells)`), on every engine, with and without the
rollups; and the page reading the period's cells once for its report and its extras."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa
import streamlit as st
from polars.testing import assert_frame_equal

from data_access import trends
from data_access.cell_groups import cell_groups
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.rollups.state import DISABLE_ENV
from data_access.scope import Scope
from tests.data_access.test_rollups_figures import any_demo_url, duckdb_demo_url  # noqa: F401 (fixtures)
from views import cache
from views.culture import CELL_KINDS, REPORT_GROUPINGS
from views.culture_cells import experience

YEAR = Filters(dt.date(2025, 11, 24), dt.date(2026, 11, 16))
GROUPINGS = [*REPORT_GROUPINGS, (), ("month",), *[(*k, "week") for k in CELL_KINDS],
             *[(*k, "service_id") for k in CELL_KINDS if "service_id" not in k], ("week",)]


def _canonical(keys: tuple[str, ...]) -> tuple[str, ...]:
    order = ("week", "month", "team_id", "service_id", "channel", "ticket_type", "sla_met", "reassignment_count",
             "priority")
    return tuple(sorted(keys, key=order.index))


@pytest.mark.parametrize("rollups", [True, False])
def test_sql_groups_are_the_polars_groups_of_the_cells(any_demo_url, monkeypatch, rollups):  # noqa: F811
    if not rollups:
        monkeypatch.setenv(DISABLE_ENV, "off")
    odd = Filters(dt.date(2026, 3, 17), dt.date(2026, 9, 3), channels=("phone", "email"), ticket_types=("incident",))
    groupings = [_canonical(g) for g in GROUPINGS]
    compared = 0
    for scope in (Scope("cio"), Scope("lead", team_ids=(1,))):
        for f in (YEAR, odd):
            cells = trends.analyst_cells(scope=scope, filters=f, url=any_demo_url)
            grouped = cell_groups(scope=scope, filters=f, groupings=groupings, url=any_demo_url)
            assert set(grouped) == set(groupings)
            for keys in groupings:
                assert_frame_equal(grouped[keys], experience(cells, keys), check_exact=False, rel_tol=1e-12)
            compared += int(cells["n"].sum())
    assert compared > 1000  # real answers behind the comparison


def test_counts_only_gives_the_same_groups_and_analysts_from_a_narrower_statement(any_demo_url):  # noqa: F811
    """What the weeks' lattices read (`counts_only`): the keys, n and analysts of each group, equal
    to those of the full read, from a statement that sums nothing else and selects only the keys
    its groupings use."""
    from data_access.cell_groups import cell_groups_query

    lattice = [("week", "service_id"), ("week", "channel", "team_id"), ("week", "service_id", "channel", "team_id")]
    for scope in (Scope("cio"), Scope("lead", team_ids=(1,))):
        full = cell_groups(scope=scope, filters=YEAR, groupings=lattice, url=any_demo_url)
        narrow = cell_groups(scope=scope, filters=YEAR, groupings=lattice, url=any_demo_url, counts_only=True)
        for keys in lattice:
            assert_frame_equal(narrow[keys], full[keys].select(*keys, "n", "analysts"))
        assert narrow[lattice[0]].height > 10
    cells = trends.analyst_cells_statement(scope=Scope("cio"), filters=YEAR, url=any_demo_url, by_priority=False)
    sql = str(cell_groups_query(cells=cells, groupings=lattice, by_priority=False, sums=("n",)))
    taken = sql.split("FROM", 1)[0]  # what the shared cells hold: the keys used, the analyst, n
    assert taken.count(" AS ") == 1 + 6 and "all_cells.n AS n" in taken  # "cells AS", then six columns
    assert not any(word in taken for word in ("happy", "lost", "month", "ticket_type", "sla_met"))
    summed = sql.split("hub_0 AS", 1)[1]  # the hubs and groupings: n and analysts only
    assert not any(word in summed for word in ("happy", "lost", "month", "ticket_type", "sla_met"))


def test_sql_groups_by_priority_read_the_base_tables(any_demo_url):  # noqa: F811
    urgent = dataclasses.replace(YEAR, priorities=(1, 2))
    wider = dataclasses.replace(urgent, priorities=())
    cells = trends.analyst_cells(scope=Scope("cio"), filters=wider, url=any_demo_url, by_priority=True)
    groupings = [("priority",), ("month", "priority"), ("team_id", "priority"), ()]
    grouped = cell_groups(scope=Scope("cio"), filters=wider, groupings=groupings, url=any_demo_url, by_priority=True)
    for keys in groupings:
        assert_frame_equal(grouped[keys], experience(cells, keys), check_exact=False, rel_tol=1e-12)
    assert grouped[("priority",)].height > 1


def test_no_grouping_gives_one_row_of_zeros_for_an_empty_period(sqlite_demo_url):
    empty = Filters(dt.date(2030, 1, 6), dt.date(2030, 1, 13))
    grouped = cell_groups(scope=Scope("cio"), filters=empty, groupings=[(), ("month",)], url=sqlite_demo_url)
    assert grouped[()].rows() == [(0, 0, 0, 0, 0, 0.0, 0, 0)]
    assert grouped[("month",)].is_empty()


def test_the_page_reads_the_period_cells_once_for_report_and_extras(sqlite_demo_url):
    """The report and its extras share one read of this period's cells: one statement over the
    cells of this period (bound to its first day), where each read model made its own before. The
    weeks' lattices of the line rule (this warehouse is above the search limit) come in a second
    statement of their own, every grouping of it by week, so that the period before and the same
    weeks a year earlier can share them (`culture_threeway._week_lines`)."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, *args):
        values = parameters.values() if isinstance(parameters, dict) else parameters
        bound = [str(v) for v in values]
        before = str(YEAR.previous().start)  # the period before ends where this one starts: not counted
        if ("WITH cells AS" in statement and any(v.startswith(str(YEAR.start)) for v in bound)
                and not any(v.startswith(before) for v in bound)):
            seen.append(statement)

    engine = get_engine(sqlite_demo_url)
    st.cache_data.clear()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        report = cache.culture.culture_report(scope=Scope("cio"), filters=YEAR, url=sqlite_demo_url)
        extras = cache.culture_extras.culture_extras(scope=Scope("cio"), filters=YEAR, url=sqlite_demo_url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
        st.cache_data.clear()
    assert report.withheld is None and report.headline.n > 0
    assert extras.lost_months.height > 0
    by_week = [statement for statement in seen
               if all(".week" in clause.split("\n")[0] for clause in statement.split("GROUP BY ")[1:])]
    assert len(seen) == 2 and len(by_week) == 1


def test_a_read_splits_into_whole_hub_families_balanced_by_size():
    from data_access.cell_groups import _batches

    plain = [("month",), ("team_id",), ("week", "channel"), ()]
    service = [("service_id",), ("service_id", "channel"), ("week", "service_id")]
    reassigned = [("reassignment_count",)]
    batches = _batches([*plain[:2], *service, *reassigned, *plain[2:]])
    # The largest family alone, the two others together: 4 and 3 + 1 groupings.
    assert batches == [plain, [*service, *reassigned]]
    assert _batches(plain) == [plain]  # one family: one statement


def test_batches_read_side_by_side_come_back_whole_and_a_busy_pool_does_not_hold_a_render(monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from data_access import cell_groups as module

    threads = []

    def read(batch):
        threads.append(threading.current_thread().name)
        return {g: len(g) for g in batch}

    assert module._side_by_side(read, [[("a",)], [("b", "c")]]) == {("a",): 1, ("b", "c"): 2}
    # Every pool thread busy (other sessions' reads): the second batch runs on the caller's thread.
    release = threading.Event()
    busy = ThreadPoolExecutor(max_workers=1)
    busy.submit(release.wait)
    monkeypatch.setattr(module, "_POOL", busy)
    threads.clear()
    assert module._side_by_side(read, [[("a",)], [("b",)]]) == {("a",): 1, ("b",): 1}
    assert threads == [threading.current_thread().name] * 2
    release.set()
    busy.shutdown()


def test_a_failing_batch_read_elsewhere_fails_the_whole_read():
    """A database error in the batch on the pool reaches the caller (the page's friendly message),
    never a partial set of groupings."""
    from data_access import cell_groups as module

    def read(batch):
        if batch == [("b",)]:
            raise sa.exc.OperationalError("SELECT …", {}, Exception("server closed the connection"))
        return {g: 1 for g in batch}

    with pytest.raises(sa.exc.OperationalError):
        module._side_by_side(read, [[("a",)], [("b",)]])
