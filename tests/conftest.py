"""Shared fixtures: small demo warehouses on SQLite and on a real (throwaway) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
import sqlalchemy as sa

from data_access import demo, schema
from data_access.engine import get_engine
from tests.pg import ThrowawayPostgres

# The app keeps the CIO's landing view computed in a background thread (components/landing_keeper.py);
# tests serve pages from warehouses they create and remove, so it stays off unless a test turns it on
# (tests/components/test_landing_keeper.py). Servers the tests start inherit this.
os.environ.setdefault("SERVICE_PULSE_WARM_LANDING", "off")

# The demo data every shared fixture uses: small, fixed, so tests can rely on its shape.
DEMO_END = dt.date(2026, 11, 20)
DEMO_RESPONSES = 4_000
DEMO_SEED = 7


@pytest.fixture(autouse=True)
def _culture_trends_draws_every_tab(monkeypatch):
    """Page tests read every Culture trends section from one render; the app draws only the open
    tab (tests/pages/test_culture_tabs.py checks that on its own)."""
    from components import culture_layout

    monkeypatch.setattr(culture_layout, "EVERY_TAB", True)


@pytest.fixture(autouse=True)
def _no_imports_left_running():
    """A test that ran app.py may leave the warm-up loading the pages' modules in the background;
    the next test must not import alongside it (components/warm_up.wait_for_imports says why)."""
    yield
    from components import warm_up

    warm_up.wait_for_imports()


@pytest.fixture(scope="session")
def postgres_server_url():
    """URL of a PostgreSQL server the tests may create databases in."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = ThrowawayPostgres()
    url = server.start()
    yield url
    server.stop()


def _fresh_pg_database(server_url: str) -> str:
    name = "sp_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_demo_url(tmp_path_factory) -> str:
    """A SQLite file filled with the shared demo data (read-only use, please)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite-demo') / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=DEMO_RESPONSES, seed=DEMO_SEED, end=DEMO_END)
    return url


@pytest.fixture(scope="session")
def postgres_demo_url(postgres_server_url) -> str:
    """A PostgreSQL database filled with the shared demo data (read-only use, please)."""
    url = _fresh_pg_database(postgres_server_url)
    demo.generate(get_engine(url), responses=DEMO_RESPONSES, seed=DEMO_SEED, end=DEMO_END)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def demo_url(request) -> str:
    """The shared demo warehouse, once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_demo_url")


@pytest.fixture
def empty_sqlite_url(tmp_path) -> str:
    """A SQLite file with the schema and nothing else, private to one test."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    schema.create_schema(get_engine(url))
    return url


@pytest.fixture
def empty_postgres_url(postgres_server_url) -> str:
    """A fresh PostgreSQL database with the schema, private to one test."""
    url = _fresh_pg_database(postgres_server_url)
    schema.create_schema(get_engine(url))
    return url


@pytest.fixture
def empty_duckdb_url(tmp_path) -> str:
    """A DuckDB file with the schema and nothing else, private to one test."""
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    schema.create_schema(get_engine(url))
    return url


@pytest.fixture(params=["sqlite", "duckdb", "postgres"])
def empty_url_every_engine(request) -> str:
    """A private empty warehouse on each engine the app runs on."""
    return request.getfixturevalue(f"empty_{request.param}_url")


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request) -> str:
    """A private empty warehouse, on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"empty_{request.param}_url")


_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session, exitstatus):
    _EXIT_STATUS.append(int(exitstatus))


def pytest_unconfigure(config):
    """End the process without interpreter teardown once pytest has reported.

    DuckDB 2.0's Python binding prints spurious "nanobind: leaked …" lists while the interpreter
    shuts down after a long session; they would bury pytest's summary line. Everything has been
    written and reported by now, so the teardown has nothing left to do.
    """
    if _EXIT_STATUS and not hasattr(config, "workerinput"):
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[0])
