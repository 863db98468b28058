"""One SQLAlchemy engine per database URL; importing this module never connects."""

from __future__ import annotations

import collections
import functools
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import registry
from sqlalchemy.engine import make_url

from data_access import config, settings


class DatabaseUnavailable(RuntimeError):
    """The warehouse cannot be reached; the message is meant for a person."""


# What every page catches around its reads to show `describe_failure(exc)` instead of a traceback:
# any database failure at all (transient ones have already been retried by `retrying`), including
# sa.exc.TimeoutError (every pooled connection stayed busy for pool_timeout seconds).
DB_ERRORS = (DatabaseUnavailable, sa.exc.SQLAlchemyError)


def get_engine(url: str | None = None) -> sa.Engine:
    """The engine for `url` (default: the configured warehouse), created once per process."""
    # Resolve the default first, so "no URL" and the configured URL share one engine (and one pool).
    return _engine_for(url or config.database_url())


# "duckdb://" URLs get duckdb_engine's dialect with compiled statements cached (see the module).
registry.register("duckdb", "data_access.duckdb_dialect", "CachingDuckDBDialect")


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
        engine.dialect.connect = _waiting_for_file_lock(engine.dialect.connect, url if _SHORT_CONNECTIONS else None)
    return engine


def _server_pool() -> dict:
    """Pool sized for concurrent sessions, a statement timeout and work memory, from `config.pool_settings()`;
    no JIT compilation for the app's own reads."""
    pool = config.pool_settings()
    kwargs: dict = {"pool_pre_ping": True, "pool_size": pool.pool_size, "max_overflow": pool.max_overflow,
                    "pool_timeout": pool.pool_timeout}
    options = []
    if pool.statement_timeout_seconds and not _SHORT_CONNECTIONS:  # command-line tools may run long
        options.append(f"-c statement_timeout={pool.statement_timeout_seconds * 1000}")
    if pool.work_mem_mb:
        options.append(f"-c work_mem={pool.work_mem_mb}MB")
    if not _SHORT_CONNECTIONS:
        # The pages' reads are aggregates over the rollups, well under a second: compiling one with
        # JIT (PostgreSQL turns it on for costly plans) took 0.2 s of Culture trends' 0.9 s statement.
        options.append("-c jit=off")
    if options:
        kwargs["connect_args"] = {"options": " ".join(options)}
    return kwargs


# DuckDB lets one process at a time open a database file for writing. The app and a command-line
# import take turns: the CLI holds it per batch, the app while any session runs a page (see
# file_turns), and whoever finds it taken waits a little instead of failing at once.
_SHORT_CONNECTIONS = False
LOCK_WAIT_ENV = settings.LOCK_WAIT_ENV

# The one retry policy: which failures are worth another try, and for how long.
# Each entry: (lower-case fragment of the driver's message, kind of failure).
_TRANSIENT = (
    ("unique file handle conflict", "busy"),   # DuckDB: the file is being opened/closed by another run
    ("could not set lock", "busy"),            # DuckDB: another process holds the file
    ("conflicting lock", "busy"),
    ("database is locked", "busy"),            # SQLite
    ("database table is locked", "busy"),
    ("server closed the connection", "reset"),  # PostgreSQL: connection dropped or reset
    ("connection reset", "reset"),
    ("connection refused", "down"),
    ("could not receive data", "reset"),
    ("terminating connection", "reset"),
    ("ssl syscall error", "reset"),
    ("could not serialize access", "conflict"),  # PostgreSQL serialization failure (40001)
    ("deadlock detected", "conflict"),           # PostgreSQL 40P01
)
_TRANSIENT_SQLSTATES = {"40001": "conflict", "40P01": "conflict", "57P01": "reset", "08006": "reset",
                        "08003": "reset", "08001": "down"}


# A warehouse that refuses connections is down, not busy: say so at once instead of waiting.
RETRIED_KINDS = frozenset({"busy", "reset", "conflict"})


def failure_kind(exc: BaseException) -> str | None:
    """'busy', 'reset', 'conflict' (retried) or 'down' for a known failure; None otherwise."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return "reset"
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in _TRANSIENT_SQLSTATES:
        return _TRANSIENT_SQLSTATES[state]
    text = f"{exc} {orig}".lower()
    return next((kind for fragment, kind in _TRANSIENT if fragment in text), None)


def retry_seconds() -> float:
    """How long a transient failure is retried before it is shown (env, default 20 s)."""
    return settings.current().lock_wait_seconds


_RETRYING = threading.local()
RETRIED: collections.Counter = collections.Counter()  # transient failures retried, by kind (for the benchmark)


def retrying(work):
    """`work()`, tried again with growing pauses while it fails transiently, up to `retry_seconds()`.

    Nested calls (a cached page read → the query executor → the connect hook) retry only at the
    outermost level, so the waits do not multiply.
    """
    if getattr(_RETRYING, "active", False):
        return work()
    deadline = time.monotonic() + retry_seconds()
    pause = 0.05
    _RETRYING.active = True
    try:
        while True:
            try:
                return work()
            except Exception as exc:  # driver exceptions too: the connect hook sees them unwrapped
                kind = failure_kind(exc)
                if kind not in RETRIED_KINDS or time.monotonic() + pause > deadline:
                    raise
                RETRIED[kind] += 1
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
    finally:
        _RETRYING.active = False


def use_short_connections() -> None:
    """Open embedded database files per unit of work, never keeping them (for command-line tools)."""
    global _SHORT_CONNECTIONS
    _SHORT_CONNECTIONS = True
    _engine_for.cache_clear()


def _waiting_for_file_lock(connect, url: str | None = None):
    """Connect, retrying while the file is taken. With `url` (a command-line run), leave a turn
    request while waiting, so the app lets go of the file as soon as its page runs finish."""
    def attempt(*args, **kwargs):
        try:
            return connect(*args, **kwargs)
        except Exception as exc:
            if url is not None and failure_kind(exc) == "busy":
                from data_access.file_turns import request_turn  # file_turns imports this module
                request_turn(url)
            raise

    def connect_when_free(*args, **kwargs):
        connection = retrying(lambda: attempt(*args, **kwargs))
        if url is not None:
            from data_access.file_turns import withdraw_request
            withdraw_request(url)
        return connection
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


_FRIENDLY = {
    "busy": ("The feedback warehouse is in use by another program (for example an import running "
             "from the command line). Please try again in a moment."),
    "reset": "The connection to the feedback warehouse was interrupted. Please try again in a moment.",
    "down": "The feedback warehouse cannot be reached right now. Please try again shortly.",
    "conflict": "Someone else was changing the same data at that moment. Please try again.",
}


def describe_failure(exc: Exception) -> str:
    """A friendly, specific sentence for a database failure (no stack trace, no SQL, no password)."""
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)  # already written for a person
    kind = failure_kind(exc)
    if kind is not None:
        return _FRIENDLY[kind]
    text = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    if "statement timeout" in text.lower():
        return ("This view asked the warehouse for more than it answers in the allowed time "
                f"({config.pool_settings().statement_timeout_seconds} s). Try a shorter period or fewer "
                "filters; if it keeps happening, tell your administrator.")
    if isinstance(exc, sa.exc.TimeoutError):
        return ("Many people are using Service Pulse right now and no database connection came free in "
                "time. Please try again in a moment.")
    if isinstance(exc, sa.exc.DBAPIError) and not isinstance(exc, (sa.exc.OperationalError,
                                                                     sa.exc.InterfaceError)):
        # A query the warehouse refused (a missing table after a partial upgrade, a timeout…):
        # the statement and its parameters stay in the log, never on the page.
        return ("The feedback warehouse could not answer this request "
                f"({type(getattr(exc, 'orig', exc)).__name__}). Please try again; if it keeps "
                "happening, tell your admin.")
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
