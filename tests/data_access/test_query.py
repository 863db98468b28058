"""The one query executor (Arrow on DuckDB, rows elsewhere) and the one retry policy."""

from __future__ import annotations

import datetime as dt
import time

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from data_access import demo, engine as eng, query, stats, trends
from data_access.engine import describe_failure, failure_kind, get_engine, retrying
from data_access.filters import Filters
from data_access.scope import Scope

YEAR = Filters(dt.date(2025, 11, 21), dt.date(2026, 11, 21))


class FakeDriverError(Exception):
    def __init__(self, text: str, sqlstate: str | None = None):
        super().__init__(text)
        self.sqlstate = sqlstate


def wrapped(text: str, sqlstate: str | None = None, kind=sa.exc.OperationalError) -> sa.exc.DBAPIError:
    return kind("SELECT secret_column FROM users WHERE x = ?", {"x": "hunter2"}, FakeDriverError(text, sqlstate))


@pytest.mark.parametrize("text, sqlstate, expected", [
    ('IO Error: Unique file handle conflict: Database "w" is already attached', None, "busy"),
    ('IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held', None, "busy"),
    ("database is locked", None, "busy"),
    ("server closed the connection unexpectedly", None, "reset"),
    ("could not serialize access due to concurrent update", None, "conflict"),
    ("some message in another language", "40001", "conflict"),
    ("terminating connection due to administrator command", "57P01", "reset"),
    ('syntax error at or near "SELEC"', "42601", None),
    ("no such table: responses", None, None),
])
def test_failure_kinds(text, sqlstate, expected):
    assert failure_kind(wrapped(text, sqlstate)) == expected
    assert failure_kind(FakeDriverError(text, sqlstate)) == expected  # unwrapped, as at connect time


def test_transient_failures_are_retried_until_they_pass(monkeypatch):
    monkeypatch.setenv(eng.LOCK_WAIT_ENV, "5")
    calls = []

    def work():
        calls.append(1)
        if len(calls) < 3:
            raise wrapped("database is locked")
        return "rows"

    assert retrying(work) == "rows" and len(calls) == 3


def test_other_failures_are_not_retried_and_waits_are_bounded(monkeypatch):
    calls = []

    def broken():
        calls.append(1)
        raise wrapped("no such table: responses")

    with pytest.raises(sa.exc.OperationalError):
        retrying(broken)
    assert len(calls) == 1

    monkeypatch.setenv(eng.LOCK_WAIT_ENV, "0.3")
    started = time.monotonic()
    with pytest.raises(sa.exc.OperationalError):
        retrying(lambda: (_ for _ in ()).throw(wrapped("Unique file handle conflict")))
    assert time.monotonic() - started < 1.0


def test_a_warehouse_that_refuses_connections_is_reported_at_once(monkeypatch):
    monkeypatch.setenv(eng.LOCK_WAIT_ENV, "5")
    calls = []

    def refused():
        calls.append(1)
        raise wrapped('connection to server at "127.0.0.1", port 9 failed: Connection refused')

    with pytest.raises(sa.exc.OperationalError) as raised:
        retrying(refused)
    assert len(calls) == 1
    assert describe_failure(raised.value) == ("The feedback warehouse cannot be reached right now. "
                                              "Please try again shortly.")


def test_nested_retries_do_not_multiply(monkeypatch):
    monkeypatch.setenv(eng.LOCK_WAIT_ENV, "5")
    inner_calls = []

    def inner():
        inner_calls.append(1)
        if len(inner_calls) < 2:
            raise wrapped("database is locked")
        return 7

    assert retrying(lambda: retrying(inner)) == 7
    assert len(inner_calls) == 2  # the outer level retried the whole; the inner did not loop itself


def test_failures_are_worded_for_people_without_sql_or_values():
    busy = describe_failure(wrapped("Unique file handle conflict"))
    assert "in use by another program" in busy
    refused = describe_failure(wrapped("no such column: x", kind=sa.exc.ProgrammingError))
    assert "could not answer" in refused
    for message in (busy, refused, describe_failure(wrapped("server closed the connection"))):
        assert "secret_column" not in message and "hunter2" not in message and "SELECT" not in message


@pytest.fixture(scope="module")
def duckdb_demo_url(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('duck') / 'demo.duckdb'}"
    demo.generate(get_engine(url), responses=1_500, seed=3, end=dt.date(2026, 11, 20))
    return url


def test_arrow_and_rows_give_the_same_frames_on_duckdb(duckdb_demo_url, monkeypatch):
    cio = Scope("cio")
    reads = {
        "by month": lambda: stats.response_stats(scope=cio, filters=YEAR, by=("month",), own_only=False,
                                                 url=duckdb_demo_url),
        "tickets": lambda: stats.ticket_stats(scope=cio, filters=YEAR, by=("team_id",), own_only=False,
                                              url=duckdb_demo_url),
        "experience": lambda: trends.experience_stats(scope=cio, filters=YEAR, by=("team_id", "channel"),
                                                      url=duckdb_demo_url),
        "histogram": lambda: stats.lost_histogram(scope=cio, filters=YEAR, own_only=False, url=duckdb_demo_url),
        "untyped": lambda: query.frame(trends.team_names_query(scope=cio), url=duckdb_demo_url),
    }
    arrow = {name: read() for name, read in reads.items()}
    monkeypatch.setattr(query, "_arrow_table", lambda result: None)
    rows = {name: read() for name, read in reads.items()}
    for name in reads:
        assert arrow[name].height > 0, name
        assert_frame_equal(arrow[name], rows[name], check_exact=False, rel_tol=1e-12)
    assert arrow["by month"]["n"].dtype == pl.Int64 and arrow["by month"]["month"].dtype == pl.Date
    assert int(arrow["by month"]["n"].sum()) == int(rows["by month"]["n"].sum())


def test_the_executor_retries_a_busy_warehouse(duckdb_demo_url, monkeypatch):
    monkeypatch.setenv(eng.LOCK_WAIT_ENV, "5")
    real = query._arrow_table
    failures = []

    def flaky(result):
        if len(failures) < 2:
            failures.append(1)
            raise wrapped("Unique file handle conflict")
        return real(result)

    monkeypatch.setattr(query, "_arrow_table", flaky)
    frame = query.frame(sa.select(sa.literal(41) + 1), url=duckdb_demo_url)
    assert frame.row(0) == (42,) and len(failures) == 2
