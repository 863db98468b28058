"""One SQLAlchemy engine per database URL; importing this module never connects."""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from data_access import config


class DatabaseUnavailable(RuntimeError):
    """The warehouse cannot be reached; the message is meant for a person."""


# What a page catches around its reads to show `describe_failure(exc)` instead of a traceback
# (sa.exc.TimeoutError: every pooled connection stayed busy for pool_timeout seconds).
DB_ERRORS = (DatabaseUnavailable, sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


def get_engine(url: str | None = None) -> sa.Engine:
    """The engine for `url` (default: the configured warehouse), created once per process."""
    # Resolve the default first, so "no URL" and the configured URL share one engine (and one pool).
    return _engine_for(url or config.database_url())


@functools.lru_cache(maxsize=8)
def _engine_for(url: str) -> sa.Engine:
    parsed = make_url(url)
    kwargs: dict = {"future": True}
    if parsed.get_backend_name() in ("sqlite", "duckdb") and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
    if parsed.get_backend_name() == "postgresql":
        kwargs.update(_server_pool())
    if parsed.get_backend_name() == "duckdb" and _SHORT_CONNECTIONS and parsed.database not in (None, "", ":memory:"):
        kwargs["poolclass"] = sa.pool.NullPool
    engine = sa.create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    if parsed.get_backend_name() == "duckdb":
        engine.dialect.connect = _waiting_for_file_lock(engine.dialect.connect)
    return engine


def _server_pool() -> dict:
    """Pool sized for concurrent sessions and a statement timeout, from `config.pool_settings()`."""
    pool = config.pool_settings()
    kwargs: dict = {"pool_pre_ping": True, "pool_size": pool.pool_size, "max_overflow": pool.max_overflow,
                    "pool_timeout": pool.pool_timeout}
    if pool.statement_timeout_seconds and not _SHORT_CONNECTIONS:  # command-line tools may run long
        kwargs["connect_args"] = {"options": f"-c statement_timeout={pool.statement_timeout_seconds * 1000}"}
    return kwargs


# DuckDB lets one process at a time open a database file for writing. The app and a command-line
# import take turns: each holds the file only while it works (the app between page runs, the
# CLI per batch), and whoever finds it taken waits a little instead of failing at once.
_SHORT_CONNECTIONS = False
LOCK_WAIT_ENV = "SERVICE_PULSE_LOCK_WAIT_SECONDS"


def use_short_connections() -> None:
    """Open embedded database files per unit of work, never keeping them (for command-line tools)."""
    global _SHORT_CONNECTIONS
    _SHORT_CONNECTIONS = True
    _engine_for.cache_clear()


def _waiting_for_file_lock(connect):
    def connect_when_free(*args, **kwargs):
        deadline = time.monotonic() + float(os.environ.get(LOCK_WAIT_ENV, 20))
        pause = 0.05
        while True:
            try:
                return connect(*args, **kwargs)
            except Exception as exc:  # duckdb.IOException; the driver module is not imported here
                if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
    return connect_when_free


def release_embedded_file(url: str | None = None) -> None:
    """Let go of an embedded DuckDB file between page runs so another process may write to it."""
    engine = get_engine(url or config.database_url())
    if engine.dialect.name == "duckdb":
        engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def backend(engine: sa.Engine) -> str:
    """Short name of the engine's database: sqlite, postgresql, duckdb…"""
    return engine.dialect.name


def describe_failure(exc: Exception) -> str:
    """A friendly, specific sentence for a connection failure (no stack trace, no password)."""
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)  # already written for a person
    text = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    if "statement timeout" in text.lower():
        return ("This view asked the warehouse for more than it answers in the allowed time "
                f"({config.pool_settings().statement_timeout_seconds} s). Try a shorter period or fewer "
                "filters; if it keeps happening, tell your administrator.")
    if isinstance(exc, sa.exc.TimeoutError):
        return ("Many people are using Service Pulse right now and no database connection came free in "
                "time. Please try again in a moment.")
    if "lock" in text.lower() and "duckdb" in text.lower() or "Conflicting lock" in text:
        return ("The embedded database is in use by another program (for example an import "
                "running from the command line). Try again when it has finished.")
    return f"The feedback warehouse cannot be reached right now ({text[:200]}). Please try again shortly."


def ping(engine: sa.Engine) -> None:
    """Raise DatabaseUnavailable with a readable message when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseUnavailable(describe_failure(exc)) from exc


def clear_engines() -> None:
    """Forget every engine this process made (the next `get_engine` builds a fresh one)."""
    _engine_for.cache_clear()
