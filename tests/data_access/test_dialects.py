"""Every read query compiles for the embedded engines and the warehouses a large customer may use."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
import sqlalchemy as sa

import data_access
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError

DIALECTS = ["sqlite", "postgresql", "duckdb", "trino", "snowflake", "bigquery"]
SAMPLE_FILTERS = Filters(dt.date(2026, 1, 1), dt.date(2026, 4, 1), ticket_types=("incident",),
                         channels=("phone", "email"), service_ids=(1, 2), team_ids=(1,))
SCOPES = [Scope("lead", team_ids=(1, 2)), Scope("analyst", analyst_id=3, team_ids=(1,)), Scope("cio")]
SAMPLE_VALUES = {
    "filters": SAMPLE_FILTERS, "analyst_id": 3, "team_id": 1, "team_ids": (1, 2), "limit": 20,
    "offset": 0, "own_only": True, "by": ("month", "channel"), "threshold": 6,
    "start": dt.date(2026, 1, 1), "end": dt.date(2026, 4, 1), "period": SAMPLE_FILTERS,
    "today": dt.date(2026, 3, 15), "now": dt.datetime(2026, 3, 15, 12), "user_id": 1,
    "min_band": 0, "max_band": 10, "factor_id": 11, "factor_ids": (11, 12), "band": "unhappy",
    "since": dt.datetime(2026, 1, 1), "as_of": dt.datetime(2026, 3, 15, 12), "status": "open",
    "ticket_key": 42, "ticket_keys": (1, 2, 3), "role": "lead", "username": "ana.lima",
    "dedupe_keys": ("alert:1", "alert:2"), "search": "printer", "by_month": True,
    "cutoff": dt.datetime(2026, 3, 14, 12), "target_hours": 24, "run_id": 7, "code": "re_explain",
    "ranges": ((dt.date(2025, 10, 1), dt.date(2026, 1, 1)), (dt.date(2026, 2, 1), dt.date(2026, 4, 1))),
    "window": Filters(dt.date(2025, 4, 1), dt.date(2026, 4, 1)),
    "spans": [(dt.datetime(2026, 3, 13), dt.datetime(2026, 3, 14)), (dt.datetime(2026, 3, 14, 12), None)],
}


def _sample(name: str, annotation):
    if name in SAMPLE_VALUES:
        return SAMPLE_VALUES[name]
    if name == "page":  # a saved view's page name, or a page number of a paged read
        return "culture-trends" if annotation in (str, "str") else 0
    if name == "cells":  # the cells statement the grouped read sums (data_access.cell_groups)
        from data_access.trends import analyst_cells_query
        return analyst_cells_query(scope=Scope("cio"), filters=SAMPLE_FILTERS)
    if name == "groupings":
        return [("month", "channel"), ("team_id",), ("service_id", "channel", "week")]
    if name == "by_priority":
        return False
    if name == "vf":
        from data_access.coaching_analyst import VerbatimFilter
        return VerbatimFilter(band="unhappy", factor_id=11)
    raise KeyError(name)


def _query_builders():
    found = []
    for info in pkgutil.walk_packages(data_access.__path__, "data_access."):
        if info.name.endswith(("__main__", "cli")):
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_query") and not name.startswith("_") and fn.__module__ == module.__name__:
                found.append(pytest.param(fn, id=f"{info.name}.{name}"))
    return found


def _build(fn) -> sa.sql.ClauseElement:
    params = inspect.signature(fn).parameters
    kwargs = {}
    for name, p in params.items():
        if name == "scope":
            continue
        try:
            kwargs[name] = _sample(name, p.annotation)
            continue
        except KeyError:
            pass
        if p.default is inspect.Parameter.empty:
            pytest.fail(f"{fn.__qualname__}: no sample value for required parameter {name!r}; "
                        "add one to SAMPLE_VALUES")
    if "scope" not in params:
        return fn(**kwargs)
    last_error: Exception | None = None
    for scope in SCOPES:
        try:
            return fn(scope=scope, **kwargs)
        except ScopeError as exc:
            last_error = exc
    raise AssertionError(f"{fn.__qualname__} refused every sample scope: {last_error}")


BUILDERS = _query_builders()


def test_builders_were_found():
    names = {p.id for p in BUILDERS}
    assert {"data_access.stats.response_stats_query", "data_access.stats.ticket_stats_query",
            "data_access.stats.lost_histogram_query"} <= names


@pytest.mark.parametrize("dialect_name", DIALECTS)
@pytest.mark.parametrize("builder", BUILDERS)
def test_query_compiles(builder, dialect_name):
    dialect = sa.engine.url.make_url(f"{dialect_name}://").get_dialect()()
    stmt = _build(builder)
    sql = str(stmt.compile(dialect=dialect))
    assert sql.lstrip().upper().startswith(("SELECT", "WITH"))


@pytest.mark.parametrize("dialect_name", DIALECTS)
def test_week_buckets_and_distinct_analysts_compile(dialect_name):
    """Disclosure control groups by week and counts distinct analysts on every engine."""
    from data_access.stats import response_stats_query
    from data_access.trends import experience_stats_query

    dialect = sa.engine.url.make_url(f"{dialect_name}://").get_dialect()()
    for build in (response_stats_query, experience_stats_query):
        sql = str(build(scope=Scope("cio"), filters=SAMPLE_FILTERS, by=("week", "team_id")).compile(dialect=dialect))
        assert "count(DISTINCT" in sql.replace("COUNT(DISTINCT", "count(DISTINCT")
        assert ("'weekday 0'" in sql) if dialect_name == "sqlite" else ("week" in sql.lower())
