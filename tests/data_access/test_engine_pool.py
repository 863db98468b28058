"""PostgreSQL engine: pool sized from settings, a statement timeout with a friendly message."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access import config
from data_access.settings import SettingsError
from data_access.engine import clear_engines, describe_failure, get_engine


@pytest.fixture
def fresh_engines():
    clear_engines()
    yield
    clear_engines()


def test_pool_settings_from_env_with_floors(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_POOL_SIZE", "24")
    monkeypatch.setenv("SERVICE_PULSE_MAX_OVERFLOW", "-3")
    monkeypatch.setenv("SERVICE_PULSE_POOL_TIMEOUT", "")
    monkeypatch.setenv("SERVICE_PULSE_STATEMENT_TIMEOUT", "5")
    monkeypatch.setenv("SERVICE_PULSE_WORK_MEM_MB", "-1")
    assert config.pool_settings() == config.PoolSettings(pool_size=24, max_overflow=0, pool_timeout=30,
                                                         statement_timeout_seconds=5, work_mem_mb=0)
    monkeypatch.setenv("SERVICE_PULSE_POOL_TIMEOUT", "ten")
    with pytest.raises(SettingsError, match="^SERVICE_PULSE_POOL_TIMEOUT must be a whole number, like 5;"):
        config.pool_settings()


def test_engine_pool_and_statement_timeout(postgres_server_url, monkeypatch, fresh_engines):
    monkeypatch.setenv("SERVICE_PULSE_POOL_SIZE", "12")
    monkeypatch.setenv("SERVICE_PULSE_MAX_OVERFLOW", "7")
    monkeypatch.setenv("SERVICE_PULSE_STATEMENT_TIMEOUT", "1")
    monkeypatch.setenv("SERVICE_PULSE_WORK_MEM_MB", "48")
    engine = get_engine(postgres_server_url)
    assert engine.pool.size() == 12 and engine.pool._max_overflow == 7
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar_one() == "1s"
        assert conn.execute(sa.text("SHOW work_mem")).scalar_one() == "48MB"
        assert conn.execute(sa.text("SHOW jit")).scalar_one() == "off"  # no compiling for the pages' reads
        with pytest.raises(sa.exc.OperationalError) as caught:
            conn.execute(sa.text("SELECT pg_sleep(3)"))
    message = describe_failure(caught.value)
    assert message.startswith("This view asked the warehouse for more than it answers in the allowed time (1 s).")
    assert "pg_sleep" not in message and "SELECT" not in message


def test_bulk_work_lifts_the_timeout(postgres_server_url, monkeypatch, fresh_engines):
    from data_access.dialect import without_statement_timeout

    monkeypatch.setenv("SERVICE_PULSE_STATEMENT_TIMEOUT", "1")
    with get_engine(postgres_server_url).begin() as conn:
        without_statement_timeout(conn)
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar_one() == "0"
        conn.execute(sa.text("SELECT pg_sleep(1.5)"))


def test_pool_exhaustion_is_explained():
    exc = sa.exc.TimeoutError("QueuePool limit of size 1 overflow 0 reached, connection timed out")
    assert describe_failure(exc).startswith("Many people are using Service Pulse right now")
